"""Plans and their items: creation, edits while draft or returned, listing with totals."""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.audit.service import diff, record, snapshot
from app.auth.scope import Action, Caller, authorize_unit, scope_units_clause
from app.core.db import utcnow
from app.core.errors import Conflict, NotFound
from app.metrics.models import PlanFigures
from app.org.models import Employee, OrgUnit, OrgUnitClosure
from app.org.service import get_unit
from app.planning.cycles import require_open_cycle
from app.planning.models import Item, ItemAssignee, Plan, PlanStatus
from app.planning.schemas import (
    ItemFields,
    ItemPublic,
    PlanCreate,
    PlanDetail,
    PlanPublic,
    PlanTotals,
)

EDITABLE = (PlanStatus.draft, PlanStatus.returned)
ITEM_FIELDS = tuple(f for f in ItemFields.model_fields if f != "assignee_ids")
AUDITED_ITEM_FIELDS = (*ITEM_FIELDS, "assignee_ids")


# Loading -----------------------------------------------------------------------------------


def get_plan(
    session: Session, caller: Caller, plan_id: int, action: Action, *, for_update: bool = False
) -> Plan:
    plan = session.get(Plan, plan_id, with_for_update=for_update)
    if plan is None:
        raise NotFound(f"plan {plan_id} not found")
    authorize_unit(session, caller, plan.org_unit_id, action, what=f"plan {plan_id}")
    return plan


def get_item(
    session: Session, caller: Caller, item_id: int, action: Action, *, for_update: bool = False
) -> tuple[Item, Plan]:
    item = session.get(Item, item_id)
    if item is None:
        raise NotFound(f"item {item_id} not found")
    plan = session.get(Plan, item.plan_id, with_for_update=for_update)
    assert plan is not None
    authorize_unit(session, caller, plan.org_unit_id, action, what=f"item {item_id}")
    if for_update:
        session.refresh(item, with_for_update=True)
    return item, plan


def ensure_editable(session: Session, plan: Plan) -> None:
    require_open_cycle(session, plan.municipality_id, plan.year)
    if plan.status not in EDITABLE:
        raise Conflict(f"plan {plan.id} is {plan.status}: only draft or returned plans change")


def touch_plan(plan: Plan) -> dict[str, Any]:
    """A change of the plan's items: a new plan version; a returned plan becomes draft again."""
    plan.version += 1
    plan.updated_at = utcnow()
    if plan.status == PlanStatus.returned:
        plan.status = PlanStatus.draft.value
        return {"plan_status": {"before": PlanStatus.returned.value, "after": plan.status}}
    return {}


def audit_plan(
    session: Session, caller: Caller, plan: Plan, action: str, changes: dict[str, Any]
) -> None:
    assert plan.id is not None
    record(
        session,
        user_id=caller.id,
        action=action,
        entity_type="plan",
        entity_id=plan.id,
        municipality_id=plan.municipality_id,
        org_unit_id=plan.org_unit_id,
        changes=changes,
    )


# Plans -------------------------------------------------------------------------------------


def create_plan(session: Session, *, caller: Caller, data: PlanCreate) -> Plan:
    unit = get_unit(session, caller, data.org_unit_id, Action.edit)
    # One creation at a time per unit: of two concurrent requests the second then sees the
    # first's plan (409) instead of failing on the unique constraint (500).
    session.refresh(unit, with_for_update={"key_share": True})
    if not unit.active:
        raise Conflict(f"org unit {unit.id} is inactive: it makes no plans")
    require_open_cycle(session, unit.municipality_id, data.year)
    existing = session.scalar(
        select(Plan.id).where(col(Plan.org_unit_id) == unit.id, col(Plan.year) == data.year)
    )
    if existing is not None:
        raise Conflict(f"org unit {unit.id} already has a plan for {data.year} (plan {existing})")
    plan = Plan(municipality_id=unit.municipality_id, org_unit_id=data.org_unit_id, year=data.year)
    session.add(plan)
    session.flush()
    audit_plan(
        session,
        caller,
        plan,
        "create",
        diff(None, snapshot(plan, ("org_unit_id", "year", "status"))),
    )
    return plan


def delete_plan(session: Session, *, caller: Caller, plan: Plan) -> None:
    require_open_cycle(session, plan.municipality_id, plan.year)
    if plan.status != PlanStatus.draft or plan.baseline_no > 0:
        raise Conflict(
            f"plan {plan.id} has been submitted or approved: it is kept; "
            "only a draft that was never approved is deleted"
        )
    item_ids = list(session.scalars(select(Item.id).where(col(Item.plan_id) == plan.id)))
    session.execute(delete(ItemAssignee).where(col(ItemAssignee.item_id).in_(item_ids)))
    session.execute(delete(Item).where(col(Item.plan_id) == plan.id))
    session.execute(delete(PlanFigures).where(col(PlanFigures.plan_id) == plan.id))
    session.execute(delete(Plan).where(col(Plan.id) == plan.id))
    audit_plan(
        session,
        caller,
        plan,
        "delete",
        diff(snapshot(plan, ("org_unit_id", "year", "status")), None)
        | {"items_deleted": {"before": len(item_ids), "after": 0}},
    )
    session.expunge(plan)


def list_plans_stmt(
    caller: Caller,
    *,
    year: int | None,
    under: int | None,
    org_unit_id: int | None,
    status: PlanStatus | None,
    report_status: PlanStatus | None,
):
    totals = (
        select(
            col(Item.plan_id).label("plan_id"),
            func.count(col(Item.id)).label("n"),
            func.coalesce(func.sum(Item.budget), 0).label("budget"),
        )
        .where(col(Item.unplanned).is_(False))
        .group_by(col(Item.plan_id))
        .subquery()
    )
    stmt = (
        sa_select(
            Plan,
            col(OrgUnit.code),
            col(OrgUnit.name),
            func.coalesce(totals.c.n, 0),
            func.coalesce(totals.c.budget, 0),
        )
        .join(OrgUnit, col(OrgUnit.id) == Plan.org_unit_id)
        .outerjoin(totals, totals.c.plan_id == Plan.id)
    )
    if not caller.is_superuser:
        stmt = stmt.where(scope_units_clause(caller, Plan.org_unit_id))
    if year is not None:
        stmt = stmt.where(col(Plan.year) == year)
    if under is not None:
        stmt = stmt.where(
            col(Plan.org_unit_id).in_(
                select(OrgUnitClosure.descendant_id).where(col(OrgUnitClosure.ancestor_id) == under)
            )
        )
    if org_unit_id is not None:
        stmt = stmt.where(col(Plan.org_unit_id) == org_unit_id)
    if status is not None:
        stmt = stmt.where(col(Plan.status) == status.value)
    if report_status is not None:
        stmt = stmt.where(col(Plan.report_status) == report_status.value)
    return stmt.order_by(col(Plan.year).desc(), col(OrgUnit.code), col(Plan.id))


# A plan's items as plain rows (a read needs no ORM objects) and their assignees: statements
# built once, as every read of a plan runs them.
_ITEMS = Item.__table__  # type: ignore[attr-defined]
_PLAN_ITEMS = (
    sa_select(_ITEMS)
    .where(_ITEMS.c.plan_id == bindparam("plan_id"))
    .order_by(_ITEMS.c.code, _ITEMS.c.id)
)
_ASSIGNEES = (
    select(ItemAssignee.item_id, Employee.id, Employee.full_name)
    .join(Employee, col(Employee.id) == ItemAssignee.employee_id)
    .order_by(col(Employee.full_name))
)
_PLAN_ASSIGNEES = _ASSIGNEES.where(
    col(ItemAssignee.item_id).in_(select(Item.id).where(col(Item.plan_id) == bindparam("plan_id")))
)


def plan_detail(session: Session, plan: Plan) -> PlanDetail:
    result = session.execute(_PLAN_ITEMS, {"plan_id": plan.id})
    keys = list(result.keys())
    rows = [dict(zip(keys, row, strict=True)) for row in result]
    staff = _by_item(session.execute(_PLAN_ASSIGNEES, {"plan_id": plan.id}))
    public = _public(rows, staff)
    planned = [i for i in public if not i.unplanned]
    by_kind: dict[Any, int] = defaultdict(int)
    for item in planned:
        by_kind[item.kind] += 1
    totals = PlanTotals(
        items=len(planned),
        budget=sum((i.budget or Decimal(0) for i in planned), Decimal(0)),
        planned_absorption=sum((i.planned_absorption or Decimal(0) for i in planned), Decimal(0)),
        by_kind=dict(by_kind),
    )
    return PlanDetail(**PlanPublic.model_validate(plan).model_dump(), items=public, totals=totals)


# Items -------------------------------------------------------------------------------------


def _by_item(rows: Iterable[Any]) -> dict[int, list[dict[str, Any]]]:
    """(item id, employee id, name) rows as each item's assignees."""
    staff: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item_id, emp_id, name in rows:
        staff[item_id].append({"id": emp_id, "full_name": name})
    return staff


def _public(
    rows: Iterable[dict[str, Any]], staff: dict[int, list[dict[str, Any]]]
) -> list[ItemPublic]:
    out = []
    for row in rows:
        people = staff.get(row["id"], [])
        row["assignee_ids"] = [a["id"] for a in people]
        row["assignees"] = people
        out.append(ItemPublic.model_validate(row))
    return out


def items_public(session: Session, items: list[Item]) -> list[ItemPublic]:
    """Items with their assignees, in two queries whatever the number of items."""
    ids = [i.id for i in items]
    staff = (
        _by_item(session.execute(_ASSIGNEES.where(col(ItemAssignee.item_id).in_(ids))))
        if ids
        else {}
    )
    return _public((i.model_dump() for i in items), staff)
