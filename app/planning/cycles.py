"""Planning cycles: one per municipality and year, with deadlines and an open/closed state."""

from datetime import date

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.audit.service import diff, record, snapshot
from app.auth.scope import ALLOWED, Action, Caller, roles_on_unit
from app.core.db import utcnow
from app.core.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfScope
from app.org.models import OrgUnit
from app.org.service import root_unit_id
from app.planning.models import Cycle, CycleStatus
from app.planning.schemas import CycleCreate, CycleUpdate

CYCLE_FIELDS = ("year", "plan_deadline", "report_deadline", "status")


def _authorize(
    session: Session, caller: Caller, municipality_id: int, action: Action, *, what: str
) -> int:
    root = root_unit_id(session, municipality_id)
    if root is None:
        raise NotFound(f"{what} not found")
    # Everyone with a grant in the municipality reads its cycles (they hold the deadlines);
    # to them the cycle exists, so a change they may not make is 403, not 404.
    if caller.is_superuser:
        return root
    if municipality_id not in caller.municipalities():
        raise OutOfScope(
            f"{what} not found",
            reason=f"the caller holds no grant in municipality {municipality_id}",
        )
    if action != Action.read and not roles_on_unit(session, caller, root) & ALLOWED[action]:
        needed = ", ".join(sorted(r.value for r in ALLOWED[action]))
        raise Forbidden(f"{what}: this needs the role {needed} on the whole municipality")
    return root


def get_cycle(
    session: Session, caller: Caller, cycle_id: int, action: Action, *, for_update: bool = False
) -> Cycle:
    cycle = session.get(Cycle, cycle_id, with_for_update=for_update)
    if cycle is None:
        raise NotFound(f"cycle {cycle_id} not found")
    _authorize(session, caller, cycle.municipality_id, action, what=f"cycle {cycle_id}")
    return cycle


def cycle_of(session: Session, municipality_id: int, year: int) -> Cycle | None:
    return session.scalar(
        select(Cycle).where(col(Cycle.municipality_id) == municipality_id, col(Cycle.year) == year)
    )


def require_open_cycle(session: Session, municipality_id: int, year: int) -> Cycle:
    cycle = cycle_of(session, municipality_id, year)
    if cycle is None:
        raise Conflict(
            f"there is no planning cycle for {year} in this municipality: "
            "the quality unit opens it first"
        )
    if cycle.status != CycleStatus.open:
        raise Conflict(f"cycle {year} is closed: nothing of that year changes until it is reopened")
    return cycle


def _check_deadlines(year: int, plan_deadline: date, report_deadline: date) -> None:
    errors = []
    lo, hi = date(year - 1, 1, 1), date(year + 1, 12, 31)
    for name, value in (("plan_deadline", plan_deadline), ("report_deadline", report_deadline)):
        if not lo <= value <= hi:
            errors.append(
                {
                    "loc": ["body", name],
                    "message": f"must fall between {lo} and {hi} for the cycle {year}",
                }
            )
    if report_deadline < plan_deadline:
        errors.append(
            {"loc": ["body", "report_deadline"], "message": "must not be before the plan deadline"}
        )
    if errors:
        raise InvalidInput(f"the deadlines do not fit the cycle {year}", errors=errors)


def _audit(
    session: Session,
    caller: Caller,
    cycle: Cycle,
    root: int,
    action: str,
    changes: dict[str, object],
) -> None:
    assert cycle.id is not None
    record(
        session,
        user_id=caller.id,
        action=action,
        entity_type="cycle",
        entity_id=cycle.id,
        municipality_id=cycle.municipality_id,
        org_unit_id=root,
        changes=changes,
    )


def create_cycle(session: Session, *, caller: Caller, data: CycleCreate) -> Cycle:
    municipality_id = data.municipality_id
    if municipality_id is None:
        # The one municipality the caller manages or, lacking any, reads (then refused: 403).
        mine = caller.municipalities(Action.review) or caller.municipalities()
        if len(mine) != 1:
            raise InvalidInput(
                "say which municipality the cycle is for",
                errors=[{"loc": ["body", "municipality_id"], "message": "required"}],
            )
        municipality_id = next(iter(mine))
    root = _authorize(
        session, caller, municipality_id, Action.review, what=f"municipality {municipality_id}"
    )
    _check_deadlines(data.year, data.plan_deadline, data.report_deadline)
    # One creation at a time per municipality (its root unit locked), so that a concurrent
    # duplicate is a 409, not a unique violation.
    session.get(OrgUnit, root, with_for_update={"key_share": True})
    existing = cycle_of(session, municipality_id, data.year)
    if existing is not None:
        raise Conflict(f"the cycle {data.year} exists already (cycle {existing.id})")
    cycle = Cycle(
        municipality_id=municipality_id,
        year=data.year,
        plan_deadline=data.plan_deadline,
        report_deadline=data.report_deadline,
    )
    session.add(cycle)
    session.flush()
    _audit(session, caller, cycle, root, "create", diff(None, snapshot(cycle, CYCLE_FIELDS)))
    return cycle


def _change(session: Session, caller: Caller, cycle: Cycle, action: str, **values: object) -> Cycle:
    root = _authorize(
        session, caller, cycle.municipality_id, Action.review, what=f"cycle {cycle.id}"
    )
    before = snapshot(cycle, CYCLE_FIELDS)
    for key, value in values.items():
        setattr(cycle, key, value)
    after = snapshot(cycle, CYCLE_FIELDS)
    if after != before:
        cycle.version += 1
        cycle.updated_at = utcnow()
        _audit(session, caller, cycle, root, action, diff(before, after))
    session.flush()
    return cycle


def update_cycle(session: Session, *, caller: Caller, cycle: Cycle, data: CycleUpdate) -> Cycle:
    changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
    plan_deadline = changes.get("plan_deadline", cycle.plan_deadline)
    report_deadline = changes.get("report_deadline", cycle.report_deadline)
    _check_deadlines(cycle.year, plan_deadline, report_deadline)
    return _change(session, caller, cycle, "update", **changes)


def set_cycle_status(
    session: Session, *, caller: Caller, cycle: Cycle, status: CycleStatus
) -> Cycle:
    if cycle.status == status:
        raise Conflict(f"cycle {cycle.year} is already {status.value}")
    return _change(
        session,
        caller,
        cycle,
        "close" if status == CycleStatus.closed else "reopen",
        status=status.value,
    )


def list_cycles_stmt(
    caller: Caller, *, municipality_id: int | None, year: int | None, status: CycleStatus | None
) -> SelectOfScalar[Cycle]:
    stmt = select(Cycle)
    if not caller.is_superuser:
        stmt = stmt.where(col(Cycle.municipality_id).in_(caller.municipalities()))
    if municipality_id is not None:
        stmt = stmt.where(col(Cycle.municipality_id) == municipality_id)
    if year is not None:
        stmt = stmt.where(col(Cycle.year) == year)
    if status is not None:
        stmt = stmt.where(col(Cycle.status) == status.value)
    return stmt.order_by(col(Cycle.municipality_id), col(Cycle.year).desc())
