"""Every table, imported in one place for Alembic and the tests."""

from app.audit.models import AuditEvent
from app.auth.models import Grant, LoginFailure, User
from app.org.models import Employee, Municipality, OrgUnit, OrgUnitClosure

__all__ = [
    "AuditEvent",
    "Employee",
    "Grant",
    "LoginFailure",
    "Municipality",
    "OrgUnit",
    "OrgUnitClosure",
    "User",
]
