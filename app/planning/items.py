"""Writing a plan's items: one validation and one writer for the API and the Excel import."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.audit.service import diff, event_row, plain, snapshot
from app.auth.scope import Caller
from app.core.db import bulk_insert, chunks, utcnow
from app.core.errors import Conflict, InvalidInput
from app.org.models import Employee, OrgUnitClosure
from app.planning.models import Item, ItemAssignee, Plan
from app.planning.schemas import ItemCreate, ItemFields, ItemUpdate
from app.planning.service import ITEM_FIELDS, touch_plan
from app.reporting.models import CorrectiveAction, Outcome, OutcomeStatus
from app.reporting.service import touch_report


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


PENDING = 0  # the "id" of a code taken by an item not written yet


def _code_conflict(code: str, other: int, plan: Plan) -> Conflict:
    if other == PENDING:
        return Conflict(f"code {code!r} is given to two new items of plan {plan.id}")
    return Conflict(f"code {code!r} is already used by item {other} of plan {plan.id}")


class ItemWriter:
    """Changes of one plan's items: each checked when it is given, by the rules of the API, so
    a caller learns which one is wrong; all written by `write()` in a few statements (one per
    table, whatever their number). The API gives one change, the Excel import thousands.

    Checks see the changes given before them, as if each were written at once: a code freed by
    an earlier change is free, a code taken by an earlier new item is taken."""

    def __init__(self, session: Session, *, caller: Caller, plan: Plan) -> None:
        self.session, self.caller, self.plan = session, caller, plan
        rows = (
            session.execute(select(Item.id, Item.code).where(col(Item.plan_id) == plan.id)).all()
            if plan.id is not None
            else []
        )
        self._codes: dict[str, int] = {code.lower(): item_id for item_id, code in rows}
        self._count = len(rows)
        self._staff: dict[int, bool] = {}
        self._assignees: dict[int, list[int]] = {}
        self._creates: list[tuple[dict[str, Any], list[int], str]] = []
        self._updates: list[tuple[Item, dict[str, Any], dict[str, Any]]] = []
        self._deletes: list[tuple[Item, dict[str, Any]]] = []

    # What is there now ---------------------------------------------------------------------

    def load_assignees(self, item_ids: Iterable[int]) -> None:
        """Read the assignees of many items in one query (else one query per item read)."""
        wanted = [i for i in item_ids if i not in self._assignees]
        for i in wanted:
            self._assignees[i] = []
        for chunk in chunks(wanted):
            for item_id, employee_id in self.session.execute(
                select(ItemAssignee.item_id, ItemAssignee.employee_id).where(
                    col(ItemAssignee.item_id).in_(chunk)
                )
            ):
                self._assignees[item_id].append(employee_id)
        for i in wanted:
            self._assignees[i].sort()

    def current(self, item: Item) -> dict[str, Any]:
        """The item's fields as the API shows them, assignees included."""
        assert item.id is not None
        self.load_assignees([item.id])
        return {**snapshot(item, ITEM_FIELDS), "assignee_ids": list(self._assignees[item.id])}

    def load_staff(self, employee_ids: Iterable[int]) -> None:
        """Which of these employees may be assigned here: active, of the plan's unit or below."""
        wanted = sorted({e for e in employee_ids if e not in self._staff})
        for e in wanted:
            self._staff[e] = False
        for chunk in chunks(wanted):
            for e in self.session.scalars(
                select(Employee.id)
                .join(OrgUnitClosure, col(OrgUnitClosure.descendant_id) == Employee.org_unit_id)
                .where(
                    col(OrgUnitClosure.ancestor_id) == self.plan.org_unit_id,
                    col(Employee.id).in_(chunk),
                    col(Employee.active).is_(True),
                )
            ):
                self._staff[e] = True

    def is_staff(self, employee_id: int) -> bool:
        self.load_staff([employee_id])
        return self._staff[employee_id]

    def code_taken(self, code: str) -> bool:
        return code.lower() in self._codes

    # The checks ----------------------------------------------------------------------------

    def _check_staff(self, ids: list[int]) -> None:
        self.load_staff(ids)
        bad = [(n, emp) for n, emp in enumerate(ids) if not self._staff[emp]]
        if bad:
            raise InvalidInput(
                f"employee {bad[0][1]} is not an active employee of the plan's unit or a unit "
                "below it",
                errors=[
                    {
                        "loc": ["body", "assignee_ids", n],
                        "message": f"employee {emp} is not an active employee of this unit",
                    }
                    for n, emp in bad
                ],
            )

    def _next_code(self) -> str:
        n = self._count + 1
        while f"{n:03d}" in self._codes:
            n += 1
        return f"{n:03d}"

    def create(
        self,
        data: ItemFields,
        *,
        unplanned: bool = False,
        carried_over_from_id: int | None = None,
        action: str = "create",
    ) -> str:
        """Check a new item; its code (given or the next free one) is returned."""
        fields = data  # its own rules held when it was made (ItemCreate is an ItemFields)
        _check_dates(self.plan, fields)
        self._check_staff(fields.assignee_ids)
        code = fields.code or self._next_code()
        other = self._codes.get(code.lower())
        if other is not None:
            raise _code_conflict(code, other, self.plan)
        self._codes[code.lower()] = PENDING
        self._count += 1
        values = fields.model_dump(exclude={"assignee_ids"}) | {
            "code": code,
            "unplanned": unplanned,
            "carried_over_from_id": carried_over_from_id,
        }
        self._creates.append((values, fields.assignee_ids, action))
        return code

    def update(self, item: Item, data: ItemUpdate) -> bool:
        """Check a change of an item; false when it changes nothing."""
        assert item.id is not None
        patch = data.model_dump(exclude_unset=True)
        before = self.current(item)
        fields = _validated({**before, **patch})
        _check_dates(self.plan, fields)
        if "assignee_ids" in patch:
            self._check_staff(fields.assignee_ids)
        after = fields.model_dump() | {"assignee_ids": sorted(fields.assignee_ids)}
        if after["code"] is None:
            after["code"] = item.code
        elif after["code"] != item.code:
            other = self._codes.get(after["code"].lower())
            if other is not None and other != item.id:
                raise _code_conflict(after["code"], other, self.plan)
            self._codes.pop(item.code.lower(), None)
            self._codes[after["code"].lower()] = item.id
        if not diff(before, after):
            return False
        self._updates.append((item, before, after))
        self._assignees[item.id] = after["assignee_ids"]
        return True

    def delete(self, items: list[Item]) -> None:
        """Check the removal of items: refused for one that a later plan carried over."""
        ids = [i.id for i in items if i.id is not None]
        for chunk in chunks(ids):
            copy = self.session.execute(
                select(Item.id, Item.plan_id, Item.carried_over_from_id)
                .where(col(Item.carried_over_from_id).in_(chunk))
                .limit(1)
            ).first()
            if copy is not None:
                raise Conflict(
                    f"item {copy.carried_over_from_id} cannot be deleted: it was carried over "
                    f"into plan {copy.plan_id} (item {copy.id})"
                )
        self.load_assignees(ids)
        for item in items:
            self._deletes.append((item, self.current(item)))
            if self._codes.get(item.code.lower()) == item.id:
                del self._codes[item.code.lower()]

    # The writing ---------------------------------------------------------------------------

    def _ids_of(self, codes: list[str]) -> list[int]:
        stmt = select(Item.id, Item.code).where(col(Item.plan_id) == self.plan.id)
        if len(codes) <= 1000:  # else all the plan's items: one query, no long IN list
            stmt = stmt.where(col(Item.code).in_(codes))
        found = {code: item_id for item_id, code in self.session.execute(stmt)}
        return [found[code] for code in codes]

    def write(self) -> list[int]:
        """Write every change checked so far, with its audit events; the new items' ids."""
        session, plan = self.session, self.plan
        assert plan.id is not None
        events: list[tuple[Item | dict[str, Any], int, str, dict[str, Any]]] = []
        now = utcnow()
        restaffed: list[tuple[int, list[int]]] = []
        for item, before, after in self._updates:
            assert item.id is not None
            for key in ITEM_FIELDS:
                setattr(item, key, after[key])
            item.version += 1
            item.updated_at = now
            if after["code"] != before["code"]:
                session.flush()  # codes move in the order given
            if after["assignee_ids"] != before["assignee_ids"]:
                restaffed.append((item.id, after["assignee_ids"]))
            events.append((item, item.id, "update", diff(before, after)))
        session.flush()
        for chunk in chunks([i for i, _ in restaffed]):
            session.execute(delete(ItemAssignee).where(col(ItemAssignee.item_id).in_(chunk)))
        bulk_insert(
            session,
            Item,
            [
                values
                | {
                    "municipality_id": plan.municipality_id,
                    "plan_id": plan.id,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for values, _, _ in self._creates
            ],
        )
        # Their ids by their codes (unique in the plan), with one query: SQLite cannot return
        # the ids of a many-row insert in order, and SQLAlchemy then inserts row by row.
        created = self._ids_of([values["code"] for values, _, _ in self._creates])
        for item_id, (values, staff, action) in zip(created, self._creates, strict=True):
            restaffed.append((item_id, staff))
            shown = {k: plain(values[k]) for k in ITEM_FIELDS} | {"assignee_ids": staff}
            if values["unplanned"]:
                shown["unplanned"] = True  # the trail tells a report's item from a plan's
            if values["carried_over_from_id"] is not None:
                shown["carried_over_from_id"] = values["carried_over_from_id"]
            events.append((values, item_id, action, diff(None, shown)))
        bulk_insert(
            session,
            ItemAssignee,
            [
                {"item_id": i, "employee_id": e, "municipality_id": plan.municipality_id}
                for i, staff in restaffed
                for e in staff
            ],
        )
        # Removals last: SQLite may give a new row the id of one removed before it.
        gone = [item.id for item, _ in self._deletes if item.id is not None]
        for chunk in chunks(gone):
            # An amendment may drop an item that was already reported on: its report lines go
            # with it (the audit event keeps what the item was).
            for model in (Outcome, CorrectiveAction, ItemAssignee):
                session.execute(delete(model).where(col(model.item_id).in_(chunk)))
            session.execute(delete(Item).where(col(Item.id).in_(chunk)))
        for item, before in self._deletes:
            assert item.id is not None
            events.append((item, item.id, "delete", diff(before, None)))
            session.expunge(item)
        # A change of the report's own (unplanned) items is a change of the report.
        touched: dict[bool, dict[str, Any]] = {}
        rows = []
        for target, item_id, action, changes in events:
            unplanned = bool(target["unplanned"] if isinstance(target, dict) else target.unplanned)
            if unplanned not in touched:
                touched[unplanned] = touch_report(plan) if unplanned else touch_plan(plan)
                changes = changes | touched[unplanned]
            rows.append(
                event_row(
                    user_id=self.caller.id,
                    action=action,
                    entity_type="item",
                    entity_id=item_id,
                    municipality_id=plan.municipality_id,
                    org_unit_id=plan.org_unit_id,
                    changes=changes,
                )
            )
        session.flush()
        bulk_insert(session, AuditEvent, rows)
        self._creates, self._updates, self._deletes = [], [], []
        return created


def create_item(
    session: Session,
    *,
    caller: Caller,
    plan: Plan,
    data: ItemCreate,
    unplanned: bool = False,
) -> Item:
    writer = ItemWriter(session, caller=caller, plan=plan)
    writer.create(data, unplanned=unplanned)
    [item_id] = writer.write()
    item = session.get(Item, item_id)
    assert item is not None
    return item


def update_item(
    session: Session, *, caller: Caller, plan: Plan, item: Item, data: ItemUpdate
) -> Item:
    writer = ItemWriter(session, caller=caller, plan=plan)
    writer.update(item, data)
    writer.write()
    return item


def delete_item(session: Session, *, caller: Caller, plan: Plan, item: Item) -> None:
    writer = ItemWriter(session, caller=caller, plan=plan)
    writer.delete([item])
    writer.write()


CARRIED_STATES = (OutcomeStatus.in_progress.value, OutcomeStatus.postponed.value)


def carry_over(session: Session, *, caller: Caller, plan: Plan) -> None:
    """Copy into `plan` the unit's items of the year before whose outcome is in progress or
    postponed, linked by `carried_over_from_id`. A planned end that fell in the old year is
    cleared: the clerk plans it anew. Assignees who left the unit are dropped."""
    previous = session.scalar(
        select(Plan).where(
            col(Plan.org_unit_id) == plan.org_unit_id, col(Plan.year) == plan.year - 1
        )
    )
    if previous is None:
        return
    old_items = list(
        session.scalars(
            select(Item)
            .join(Outcome, col(Outcome.item_id) == Item.id)
            .where(col(Item.plan_id) == previous.id, col(Outcome.status).in_(CARRIED_STATES))
            .order_by(col(Item.code))
        )
    )
    writer = ItemWriter(session, caller=caller, plan=plan)
    writer.load_assignees(i.id for i in old_items if i.id is not None)
    for old in old_items:
        values = writer.current(old)
        if old.planned_end is not None and old.planned_end < date(plan.year, 1, 1):
            values["planned_end"] = None
        writer.load_staff(values["assignee_ids"])
        values["assignee_ids"] = [e for e in values["assignee_ids"] if writer.is_staff(e)]
        if writer.code_taken(old.code):
            values["code"] = None  # the next free one
        writer.create(
            ItemFields.model_validate(values), carried_over_from_id=old.id, action="carry_over"
        )
    writer.write()
