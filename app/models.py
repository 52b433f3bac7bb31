"""Every table, imported in one place for Alembic and the tests."""

from app.audit.models import AuditEvent
from app.auth.models import Grant, LoginFailure, User
from app.excel.models import ImportJob
from app.metrics import figures  # noqa: F401  (keeps plan_figures current on every commit)
from app.metrics.models import PlanFigures
from app.org.models import Employee, Municipality, OrgUnit, OrgUnitClosure
from app.planning.models import Cycle, Item, ItemAssignee, Plan, PlanBaseline
from app.reporting.models import CorrectiveAction, Outcome

__all__ = [
    "AuditEvent",
    "CorrectiveAction",
    "Cycle",
    "Employee",
    "Grant",
    "ImportJob",
    "Item",
    "ItemAssignee",
    "LoginFailure",
    "Municipality",
    "OrgUnit",
    "OrgUnitClosure",
    "Outcome",
    "Plan",
    "PlanBaseline",
    "PlanFigures",
    "User",
]
