"""Outcomes (the report's lines, also the mid-year monitoring) and corrective actions."""

from decimal import Decimal
from functools import cache
from typing import Any

from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.audit.service import diff, event_row, record, snapshot
from app.auth.scope import Action, Caller, authorize_unit, scope_units_clause
from app.core.db import bulk_insert, utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.org.models import Employee, OrgUnitClosure
from app.planning.cycles import require_open_cycle
from app.planning.models import Item, Plan, PlanStatus
from app.reporting.models import ActionStatus, CorrectiveAction, Outcome
from app.reporting.schemas import CorrectiveActionCreate, CorrectiveActionUpdate, OutcomeFields

EDITABLE = (PlanStatus.draft, PlanStatus.returned)
OUTCOME_FIELDS = tuple(OutcomeFields.model_fields)
ACTION_FIELDS = ("description", "owner_employee_id", "due_date", "status", "result")


def ensure_report_editable(session: Session, plan: Plan) -> None:
    require_open_cycle(session, plan.municipality_id, plan.year)
    if plan.status != PlanStatus.approved:
        raise Conflict(f"the report needs an approved plan: plan {plan.id} is {plan.status}")
    if plan.report_status not in EDITABLE:
        raise Conflict(
            f"the report of plan {plan.id} is {plan.report_status}: "
            "only a draft or returned report changes"
        )


def touch_report(plan: Plan) -> dict[str, Any]:
    """A change of the report: a new plan version; a returned report becomes draft again."""
    plan.version += 1
    plan.updated_at = utcnow()
    if plan.report_status == PlanStatus.returned:
        plan.report_status = PlanStatus.draft.value
        return {"report_status": {"before": PlanStatus.returned.value, "after": plan.report_status}}
    return {}


def _audit(
    session: Session,
    caller: Caller,
    plan: Plan,
    entity_type: str,
    entity_id: int,
    action: str,
    changes: dict[str, Any],
) -> None:
    record(
        session,
        user_id=caller.id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        municipality_id=plan.municipality_id,
        org_unit_id=plan.org_unit_id,
        changes=changes,
    )


def outcome_of(session: Session, item_id: int, *, for_update: bool = False) -> Outcome | None:
    stmt = select(Outcome).where(col(Outcome.item_id) == item_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


@cache
def _quanta() -> dict[str, Decimal]:
    """The smallest step of each numeric column of an outcome (0.01 for NUMERIC(5, 2))."""
    return {
        c.key: Decimal(1).scaleb(-c.type.scale)
        for c in Outcome.__table__.c  # type: ignore[attr-defined]
        if getattr(c.type, "scale", None) is not None
    }


def _as_stored(values: dict[str, Any]) -> dict[str, Any]:
    """The values as the database keeps them: numbers at the scale of their column, so that
    sending back the `"40"` that was read is no change of the stored `40.00`."""
    quanta = _quanta()
    return {
        key: value.quantize(quanta[key]) if isinstance(value, Decimal) and key in quanta else value
        for key, value in values.items()
    }


def outcomes_of(session: Session, item_ids: list[int]) -> dict[int, Outcome]:
    """The outcomes of many items, by item id, in one query per thousand items."""
    found: dict[int, Outcome] = {}
    for n in range(0, len(item_ids), 1000):
        chunk = item_ids[n : n + 1000]
        found |= {
            o.item_id: o
            for o in session.scalars(select(Outcome).where(col(Outcome.item_id).in_(chunk)))
        }
    return found


def plan_outcomes(session: Session, plan_id: int) -> dict[int, Outcome]:
    """The outcomes of a plan's items, by item id, in one query."""
    return {
        o.item_id: o
        for o in session.scalars(
            select(Outcome)
            .join(Item, col(Item.id) == Outcome.item_id)
            .where(col(Item.plan_id) == plan_id)
        )
    }


def put_outcomes(
    session: Session,
    *,
    caller: Caller,
    plan: Plan,
    wanted: list[tuple[int, OutcomeFields]],
    current: dict[int, Outcome] | None = None,
) -> None:
    """Set the outcome of many items of one plan, given by id (`current`: their outcomes, if
    already read), written with a few statements whatever their number, one audit event per
    changed item."""
    ensure_report_editable(session, plan)
    if current is None:
        current = outcomes_of(session, [item_id for item_id, _ in wanted])
    now = utcnow()
    created: list[dict[str, Any]] = []
    events: list[tuple[int, str, dict[str, Any]]] = []
    for item_id, data in wanted:
        values = _as_stored(data.model_dump())
        outcome = current.get(item_id)
        if outcome is None:
            created.append(
                values
                | {
                    "municipality_id": plan.municipality_id,
                    "item_id": item_id,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            events.append((item_id, "create", diff(None, values)))
            continue
        before = snapshot(outcome, OUTCOME_FIELDS)
        changes = diff(before, values)
        if changes:
            for key, value in values.items():
                setattr(outcome, key, value)
            outcome.version += 1
            outcome.updated_at = now
            events.append((item_id, "update", changes))
    if not events:
        return
    touched = touch_report(plan)
    session.flush()
    bulk_insert(session, Outcome, created)
    bulk_insert(
        session,
        AuditEvent,
        [
            event_row(
                user_id=caller.id,
                action=action,
                entity_type="outcome",
                entity_id=item_id,
                municipality_id=plan.municipality_id,
                org_unit_id=plan.org_unit_id,
                changes=changes | (touched if n == 0 else {}),
            )
            for n, (item_id, action, changes) in enumerate(events)
        ],
    )


def put_outcome(
    session: Session, *, caller: Caller, plan: Plan, item: Item, data: OutcomeFields
) -> Outcome:
    assert item.id is not None
    put_outcomes(session, caller=caller, plan=plan, wanted=[(item.id, data)])
    outcome = outcome_of(session, item.id)
    assert outcome is not None
    return outcome


# Corrective actions ------------------------------------------------------------------------


def _check_owner(session: Session, plan: Plan, employee_id: int | None) -> None:
    if employee_id is None:
        return
    ok = session.scalar(
        select(Employee.id)
        .join(OrgUnitClosure, col(OrgUnitClosure.descendant_id) == Employee.org_unit_id)
        .where(
            col(OrgUnitClosure.ancestor_id) == plan.org_unit_id,
            col(Employee.id) == employee_id,
            col(Employee.active).is_(True),
        )
    )
    if ok is None:
        raise InvalidInput(
            f"employee {employee_id} is not an active employee of the plan's unit",
            errors=[{"loc": ["body", "owner_employee_id"], "message": "not of this unit"}],
        )


def _check_done(action: CorrectiveAction) -> None:
    if action.status == ActionStatus.done and not (action.result or "").strip():
        raise InvalidInput(
            "a corrective action marked done needs its result",
            errors=[{"loc": ["body", "result"], "message": "required when done"}],
        )


def get_action(
    session: Session, caller: Caller, action_id: int, act: Action, *, for_update: bool = False
) -> tuple[CorrectiveAction, Plan]:
    action = session.get(CorrectiveAction, action_id, with_for_update=for_update)
    if action is None:
        raise NotFound(f"corrective action {action_id} not found")
    item = session.get(Item, action.item_id)
    assert item is not None
    plan = session.get(Plan, item.plan_id)
    assert plan is not None
    authorize_unit(session, caller, plan.org_unit_id, act, what=f"corrective action {action_id}")
    return action, plan


def create_action(
    session: Session, *, caller: Caller, plan: Plan, item: Item, data: CorrectiveActionCreate
) -> CorrectiveAction:
    require_open_cycle(session, plan.municipality_id, plan.year)
    _check_owner(session, plan, data.owner_employee_id)
    action = CorrectiveAction(
        municipality_id=plan.municipality_id,
        item_id=item.id,  # type: ignore[arg-type]
        **data.model_dump(),
    )
    session.add(action)
    session.flush()
    assert action.id is not None
    _audit(
        session,
        caller,
        plan,
        "corrective_action",
        action.id,
        "create",
        diff(None, snapshot(action, ACTION_FIELDS)),
    )
    return action


def update_action(
    session: Session,
    *,
    caller: Caller,
    plan: Plan,
    action: CorrectiveAction,
    data: CorrectiveActionUpdate,
) -> CorrectiveAction:
    assert action.id is not None
    require_open_cycle(session, plan.municipality_id, plan.year)
    changes = data.model_dump(exclude_unset=True)
    for key in ("description", "status"):
        if key in changes and changes[key] is None:
            raise InvalidInput(
                f"{key} cannot be empty",
                errors=[{"loc": ["body", key], "message": "must not be null"}],
            )
    if "owner_employee_id" in changes:
        _check_owner(session, plan, changes["owner_employee_id"])
    before = snapshot(action, ACTION_FIELDS)
    for key, value in changes.items():
        setattr(action, key, value)
    _check_done(action)
    changed = diff(before, snapshot(action, ACTION_FIELDS))
    if changed:
        action.version += 1
        action.updated_at = utcnow()
        _audit(session, caller, plan, "corrective_action", action.id, "update", changed)
    session.flush()
    return action


def list_actions_stmt(
    caller: Caller,
    *,
    item_id: int | None = None,
    under: int | None = None,
    year: int | None = None,
    status: ActionStatus | None = None,
) -> Any:
    stmt = (
        select(CorrectiveAction)
        .join(Item, col(Item.id) == CorrectiveAction.item_id)
        .join(Plan, col(Plan.id) == Item.plan_id)
    )
    if not caller.is_superuser:
        stmt = stmt.where(scope_units_clause(caller, Plan.org_unit_id))
    if item_id is not None:
        stmt = stmt.where(col(CorrectiveAction.item_id) == item_id)
    if under is not None:
        stmt = stmt.where(
            col(Plan.org_unit_id).in_(
                select(OrgUnitClosure.descendant_id).where(col(OrgUnitClosure.ancestor_id) == under)
            )
        )
    if year is not None:
        stmt = stmt.where(col(Plan.year) == year)
    if status is not None:
        stmt = stmt.where(col(CorrectiveAction.status) == status.value)
    # Undated actions last on every database (SQLite sorts NULL first, PostgreSQL last).
    return stmt.order_by(
        col(CorrectiveAction.due_date).is_(None),
        col(CorrectiveAction.due_date),
        col(CorrectiveAction.id),
    )
