"""Reading the audit trail. There is no endpoint that changes or deletes an event."""

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import or_
from sqlmodel import col, select

from app.audit.models import AuditEvent
from app.audit.schemas import AuditEventPublic
from app.auth.deps import CallerDep
from app.auth.scope import scope_units_clause
from app.core.db import SessionDep
from app.core.http import DateTimeParam, TextParam, problems
from app.core.pagination import Page, PageDep, page_of
from app.core.schemas import RowId
from app.org.models import OrgUnit, OrgUnitClosure

router = APIRouter(tags=["audit"])


@router.get(
    "/audit-events", summary="List audit events in your scope, newest first", responses=problems()
)
def list_audit_events(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    entity_type: Annotated[TextParam | None, Query(max_length=50)] = None,
    entity_id: Annotated[RowId | None, Query()] = None,
    user_id: Annotated[RowId | None, Query()] = None,
    action: Annotated[TextParam | None, Query(max_length=50)] = None,
    under: Annotated[RowId | None, Query(description="events of this unit and below")] = None,
    since: Annotated[DateTimeParam | None, Query(description="events at or after")] = None,
    until: Annotated[DateTimeParam | None, Query(description="events before")] = None,
) -> Page[AuditEventPublic]:
    stmt = select(AuditEvent)
    if not caller.is_superuser:
        # A grant on a municipality's root covers all of its events, also those of units
        # deleted since (their closure rows are gone with them).
        roots = select(OrgUnit.municipality_id).where(
            col(OrgUnit.id).in_(caller.granted_units()), col(OrgUnit.parent_id).is_(None)
        )
        stmt = stmt.where(
            or_(
                scope_units_clause(caller, AuditEvent.org_unit_id),
                col(AuditEvent.municipality_id).in_(roots),
            )
        )
    if entity_type is not None:
        stmt = stmt.where(col(AuditEvent.entity_type) == entity_type)
    if entity_id is not None:
        stmt = stmt.where(col(AuditEvent.entity_id) == entity_id)
    if user_id is not None:
        stmt = stmt.where(col(AuditEvent.user_id) == user_id)
    if action is not None:
        stmt = stmt.where(col(AuditEvent.action) == action)
    if under is not None:
        stmt = stmt.where(
            col(AuditEvent.org_unit_id).in_(
                select(OrgUnitClosure.descendant_id).where(col(OrgUnitClosure.ancestor_id) == under)
            )
        )
    if since is not None:
        stmt = stmt.where(col(AuditEvent.at) >= since)
    if until is not None:
        stmt = stmt.where(col(AuditEvent.at) < until)
    return page_of(session, stmt.order_by(col(AuditEvent.id).desc()), page, AuditEventPublic)
