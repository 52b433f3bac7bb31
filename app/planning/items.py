"""Writing a plan's items: one validation for the API and the Excel import."""

from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, insert
from sqlmodel import Session, col, select

from app.audit.service import diff, record, snapshot
from app.auth.scope import Caller
from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput
from app.org.models import Employee, OrgUnitClosure
from app.planning.models import Item, ItemAssignee, Plan
from app.planning.schemas import ItemCreate, ItemFields, ItemUpdate
from app.planning.service import ITEM_FIELDS, touch_plan
from app.reporting.models import CorrectiveAction, Outcome, OutcomeStatus
from app.reporting.service import touch_report


def _touch(plan: Plan, item: Item) -> dict[str, Any]:
    """An unplanned item belongs to the report, the others to the plan."""
    return touch_report(plan) if item.unplanned else touch_plan(plan)


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
    created = {**snapshot(item, ITEM_FIELDS), "assignee_ids": fields.assignee_ids}
    if unplanned:
        created["unplanned"] = True  # the trail tells a report's item from a plan's
    changes = diff(None, created)
    _audit_item(session, caller, plan, item.id, "create", changes | _touch(plan, item))
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
        _audit_item(session, caller, plan, item.id, "update", changes | _touch(plan, item))
    session.flush()
    return item


def _carried_into(session: Session, item: Item) -> str | None:
    copy = session.execute(
        select(Item.id, Item.plan_id).where(col(Item.carried_over_from_id) == item.id).limit(1)
    ).first()
    return None if copy is None else f"plan {copy.plan_id} (item {copy.id})"


def delete_item(session: Session, *, caller: Caller, plan: Plan, item: Item) -> None:
    assert item.id is not None
    # A copy in next year's plan refers to it: refused with the reason, not a foreign-key 500.
    copy = _carried_into(session, item)
    if copy is not None:
        raise Conflict(f"item {item.id} cannot be deleted: it was carried over into {copy}")
    before = {**snapshot(item, ITEM_FIELDS), "assignee_ids": _assignee_ids(session, item.id)}
    # An amendment may drop an item that was already reported on: its report lines go with it
    # (the audit event keeps what the item was).
    session.execute(delete(Outcome).where(col(Outcome.item_id) == item.id))
    session.execute(delete(CorrectiveAction).where(col(CorrectiveAction.item_id) == item.id))
    session.execute(delete(ItemAssignee).where(col(ItemAssignee.item_id) == item.id))
    session.execute(delete(Item).where(col(Item.id) == item.id))
    _audit_item(session, caller, plan, item.id, "delete", diff(before, None) | _touch(plan, item))
    session.expunge(item)
    session.flush()


CARRIED_STATES = (OutcomeStatus.in_progress.value, OutcomeStatus.postponed.value)


def carry_over(session: Session, *, caller: Caller, plan: Plan) -> list[Item]:
    """Copy into `plan` the unit's items of the year before whose outcome is in progress or
    postponed, linked by `carried_over_from_id`. A planned end that fell in the old year is
    cleared: the clerk plans it anew. Assignees who left the unit are dropped."""
    previous = session.scalar(
        select(Plan).where(
            col(Plan.org_unit_id) == plan.org_unit_id, col(Plan.year) == plan.year - 1
        )
    )
    if previous is None:
        return []
    old_items = list(
        session.scalars(
            select(Item)
            .join(Outcome, col(Outcome.item_id) == Item.id)
            .where(col(Item.plan_id) == previous.id, col(Outcome.status).in_(CARRIED_STATES))
            .order_by(col(Item.code))
        )
    )
    copies = []
    for old in old_items:
        assert old.id is not None
        values = snapshot(old, ITEM_FIELDS)
        if old.planned_end is not None and old.planned_end < date(plan.year, 1, 1):
            values["planned_end"] = None
        values["code"] = (
            old.code if _code_taken(session, plan, old.code) is None else _next_code(session, plan)
        )
        fields = ItemFields.model_validate(values)
        item = Item(
            **fields.model_dump(exclude={"assignee_ids"}),
            municipality_id=plan.municipality_id,
            plan_id=plan.id,  # type: ignore[arg-type]
            carried_over_from_id=old.id,
        )
        session.add(item)
        session.flush()
        assert item.id is not None
        staff = _assignee_ids(session, old.id)
        still_here = set(
            session.scalars(
                select(Employee.id)
                .join(OrgUnitClosure, col(OrgUnitClosure.descendant_id) == Employee.org_unit_id)
                .where(
                    col(OrgUnitClosure.ancestor_id) == plan.org_unit_id,
                    col(Employee.id).in_(staff),
                    col(Employee.active).is_(True),
                )
            )
        )
        kept = [e for e in staff if e in still_here]
        _set_assignees(session, plan, item.id, kept)
        changes = diff(
            None,
            {**snapshot(item, ITEM_FIELDS), "assignee_ids": kept, "carried_over_from_id": old.id},
        )
        _audit_item(session, caller, plan, item.id, "carry_over", changes | touch_plan(plan))
        copies.append(item)
    session.flush()
    return copies
