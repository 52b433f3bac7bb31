"""Plans and their items: creation, edits while draft or returned, listing with totals."""

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.audit.service import diff, record, snapshot
from app.auth.scope import Action, Caller, authorize_unit, scope_units_clause
from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.org.models import Employee, OrgUnit, OrgUnitClosure
from app.org.service import get_unit
from app.planning.cycles import require_open_cycle
from app.planning.models import Item, ItemAssignee, Plan, PlanStatus
from app.planning.schemas import (
    Assignee,
    ItemCreate,
    ItemFields,
    ItemPublic,
    ItemUpdate,
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


def _audit_item(
    session: Session, caller: Caller, plan: Plan, item_id: int, action: str, changes: dict[str, Any]
) -> None:
    record(
        session,
        user_id=caller.id,
        action=action,
        entity_type="item",
        entity_id=item_id,
        municipality_id=plan.municipality_id,
        org_unit_id=plan.org_unit_id,
        changes=changes,
    )


# Plans -------------------------------------------------------------------------------------


def create_plan(session: Session, *, caller: Caller, data: PlanCreate) -> Plan:
    unit = get_unit(session, caller, data.org_unit_id, Action.edit)
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


def plan_detail(session: Session, plan: Plan) -> PlanDetail:
    items = list(
        session.scalars(
            select(Item).where(col(Item.plan_id) == plan.id).order_by(col(Item.code), col(Item.id))
        )
    )
    public = items_public(session, items)
    planned = [i for i in items if not i.unplanned]
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


def items_public(session: Session, items: list[Item]) -> list[ItemPublic]:
    """Items with their assignees, in two queries whatever the number of items."""
    ids = [i.id for i in items]
    staff: dict[int, list[Assignee]] = defaultdict(list)
    if ids:
        rows = session.execute(
            select(ItemAssignee.item_id, Employee.id, Employee.full_name)
            .join(Employee, col(Employee.id) == ItemAssignee.employee_id)
            .where(col(ItemAssignee.item_id).in_(ids))
            .order_by(col(Employee.full_name))
        )
        for item_id, emp_id, name in rows:
            staff[item_id].append(Assignee(id=emp_id, full_name=name))
    out = []
    for item in items:
        assert item.id is not None
        people = staff.get(item.id, [])
        out.append(
            ItemPublic.model_validate(
                {**item.model_dump(), "assignee_ids": [a.id for a in people], "assignees": people}
            )
        )
    return out


def _assignee_ids(session: Session, item_id: int) -> list[int]:
    return sorted(
        session.scalars(
            select(ItemAssignee.employee_id).where(col(ItemAssignee.item_id) == item_id)
        )
    )


def _check_assignees(session: Session, plan: Plan, ids: list[int]) -> None:
    if not ids:
        return
    ok = set(
        session.scalars(
            select(Employee.id)
            .join(OrgUnitClosure, col(OrgUnitClosure.descendant_id) == Employee.org_unit_id)
            .where(
                col(OrgUnitClosure.ancestor_id) == plan.org_unit_id,
                col(Employee.id).in_(ids),
                col(Employee.active).is_(True),
            )
        )
    )
    bad = [(n, emp) for n, emp in enumerate(ids) if emp not in ok]
    if bad:
        raise InvalidInput(
            f"employee {bad[0][1]} is not an active employee of the plan's unit or a unit below it",
            errors=[
                {
                    "loc": ["body", "assignee_ids", n],
                    "message": f"employee {emp} is not an active employee of this unit",
                }
                for n, emp in bad
            ],
        )


def _check_dates(plan: Plan, fields: ItemFields) -> None:
    errors = []
    if fields.planned_end is not None and fields.planned_end < date(plan.year, 1, 1):
        errors.append(
            {
                "loc": ["body", "planned_end"],
                "message": f"an item of the {plan.year} plan cannot end before {plan.year}",
            }
        )
    if fields.planned_start is not None and fields.planned_start > date(plan.year, 12, 31):
        errors.append(
            {
                "loc": ["body", "planned_start"],
                "message": f"an item of the {plan.year} plan must start by the end of {plan.year}",
            }
        )
    if errors:
        raise InvalidInput(str(errors[0]["message"]), errors=errors)


def _code_taken(session: Session, plan: Plan, code: str, exclude: int | None = None) -> int | None:
    stmt = select(Item.id).where(
        col(Item.plan_id) == plan.id, func.lower(Item.code) == code.lower()
    )
    if exclude is not None:
        stmt = stmt.where(col(Item.id) != exclude)
    return session.scalar(stmt)


def _next_code(session: Session, plan: Plan) -> str:
    n = (session.scalar(select(func.count()).where(col(Item.plan_id) == plan.id)) or 0) + 1
    while _code_taken(session, plan, f"{n:03d}") is not None:
        n += 1
    return f"{n:03d}"


def _validated(values: dict[str, Any]) -> ItemFields:
    """The item as it would be, checked by the one model that holds the rules."""
    try:
        return ItemFields.model_validate(values)
    except ValidationError as exc:
        errors = [
            {
                "loc": ["body", *[p for p in e["loc"] if isinstance(p, str | int)]],
                "message": e["msg"].removeprefix("Value error, "),
            }
            for e in exc.errors()
        ]
        raise InvalidInput(
            f"the item is not valid: {errors[0]['message']}", errors=errors
        ) from None


def _set_assignees(session: Session, plan: Plan, item_id: int, ids: list[int]) -> None:
    session.execute(delete(ItemAssignee).where(col(ItemAssignee.item_id) == item_id))
    if ids:
        session.execute(
            insert(ItemAssignee),
            [
                {"item_id": item_id, "employee_id": e, "municipality_id": plan.municipality_id}
                for e in ids
            ],
        )


def create_item(
    session: Session,
    *,
    caller: Caller,
    plan: Plan,
    data: ItemCreate,
    unplanned: bool = False,
    carried_over_from_id: int | None = None,
) -> Item:
    fields = _validated(data.model_dump())
    _check_dates(plan, fields)
    _check_assignees(session, plan, fields.assignee_ids)
    code = fields.code or _next_code(session, plan)
    other = _code_taken(session, plan, code)
    if other is not None:
        raise Conflict(f"code {code!r} is already used by item {other} of plan {plan.id}")
    values = fields.model_dump(exclude={"assignee_ids"}) | {"code": code}
    assert plan.id is not None
    item = Item(
        **values,
        municipality_id=plan.municipality_id,
        plan_id=plan.id,
        unplanned=unplanned,
        carried_over_from_id=carried_over_from_id,
    )
    session.add(item)
    session.flush()
    assert item.id is not None
    _set_assignees(session, plan, item.id, fields.assignee_ids)
    changes = diff(None, {**snapshot(item, ITEM_FIELDS), "assignee_ids": fields.assignee_ids})
    _audit_item(session, caller, plan, item.id, "create", changes | touch_plan(plan))
    session.flush()
    return item


def update_item(
    session: Session, *, caller: Caller, plan: Plan, item: Item, data: ItemUpdate
) -> Item:
    assert item.id is not None
    patch = data.model_dump(exclude_unset=True)
    current = {**snapshot(item, ITEM_FIELDS), "assignee_ids": _assignee_ids(session, item.id)}
    fields = _validated({**current, **patch})
    _check_dates(plan, fields)
    if "assignee_ids" in patch:
        _check_assignees(session, plan, fields.assignee_ids)
    if fields.code is not None and fields.code != item.code:
        other = _code_taken(session, plan, fields.code, exclude=item.id)
        if other is not None:
            raise Conflict(
                f"code {fields.code!r} is already used by item {other} of plan {plan.id}"
            )
    before = current
    for key, value in fields.model_dump(exclude={"assignee_ids"}).items():
        if key == "code" and value is None:
            continue
        setattr(item, key, value)
    if fields.assignee_ids != before["assignee_ids"]:
        _set_assignees(session, plan, item.id, fields.assignee_ids)
    after = {**snapshot(item, ITEM_FIELDS), "assignee_ids": sorted(fields.assignee_ids)}
    changes = diff(before, after)
    if changes:
        item.version += 1
        item.updated_at = utcnow()
        _audit_item(session, caller, plan, item.id, "update", changes | touch_plan(plan))
    session.flush()
    return item


def delete_item(session: Session, *, caller: Caller, plan: Plan, item: Item) -> None:
    assert item.id is not None
    before = {**snapshot(item, ITEM_FIELDS), "assignee_ids": _assignee_ids(session, item.id)}
    session.execute(delete(ItemAssignee).where(col(ItemAssignee.item_id) == item.id))
    session.execute(delete(Item).where(col(Item.id) == item.id))
    _audit_item(session, caller, plan, item.id, "delete", diff(before, None) | touch_plan(plan))
    session.expunge(item)
    session.flush()
