"""Per-item deviations (SPEC §5) and the submission completeness of a cycle."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, and_, case, func, literal, or_
from sqlalchemy import select as sa_select
from sqlalchemy.sql import Select
from sqlmodel import Session, col

from app.auth.scope import Caller, scope_units_clause
from app.metrics.schemas import (
    Completeness,
    CompletenessRow,
    DeviationFlag,
    DeviationRow,
    UnitState,
)
from app.metrics.service import Scope, item_rows
from app.metrics.sql import days_between
from app.org.models import OrgUnit, UnitKind
from app.planning.models import Cycle, Plan, PlanStatus
from app.reporting.models import OutcomeStatus

S = OutcomeStatus
F = DeviationFlag


def flag_columns(b: Any, as_of: date, tolerance: Decimal) -> dict[DeviationFlag, Any]:
    """The condition of each flag over the per-item rows `b`."""
    day = literal(as_of, Date)
    planned = b.c.unplanned.is_(False)
    actual, target = func.coalesce(b.c.abs_actual, 0), func.coalesce(b.c.abs_planned, 0)
    flags = {
        F.not_started: and_(
            planned, b.c.status == S.not_started.value, or_(b.c.ps.is_(None), b.c.ps <= day)
        ),
        F.late_start: and_(b.c.as_.is_not(None), b.c.ps.is_not(None), b.c.as_ > b.c.ps),
        F.late_finish: and_(b.c.ae.is_not(None), b.c.pe.is_not(None), b.c.ae > b.c.pe),
        F.overdue: and_(
            planned, b.c.status.not_in([S.completed.value, S.cancelled.value]), b.c.pe < day
        ),
        F.under_absorbed: and_(
            target > 0,
            or_(b.c.abs_actual.is_not(None), b.c.status == S.completed.value),
            actual < target * (1 - tolerance),
        ),
        F.over_absorbed: actual > target * (1 + tolerance),
        F.postponed: b.c.status == S.postponed.value,
        F.cancelled: b.c.status == S.cancelled.value,
        F.unplanned: b.c.unplanned.is_(True),
    }
    any_flag = or_(*flags.values())
    flags[F.missing_reason] = and_(
        any_flag, or_(b.c.dev_reason.is_(None), func.trim(b.c.dev_reason) == "")
    )
    return flags


def _deviations(
    scope: Scope,
    as_of: date,
    tolerance: Decimal,
    *,
    flag: DeviationFlag | None,
    plan_id: int | None,
    columns: Callable[[Any, dict[DeviationFlag, Any]], list[Any]],
) -> Select[Any]:
    """The items with at least one flag, by unit code and item code; `columns(b, flags)` says
    what each row carries."""
    rows = item_rows(scope)
    if plan_id is not None:
        rows = rows.where(col(Plan.id) == plan_id)
    b = rows.subquery()
    flags = flag_columns(b, as_of, tolerance)
    q = (
        sa_select(*columns(b, flags))
        .join(OrgUnit, col(OrgUnit.id) == b.c.org_unit_id)
        .where(or_(*[cond for name, cond in flags.items() if name != F.missing_reason]))
    )
    if flag is not None:
        q = q.where(flags[flag])
    return q.order_by(col(OrgUnit.code), b.c.code, b.c.item_id)


def _late_days(b: Any, flags: dict[DeviationFlag, Any]) -> list[Any]:
    return [
        case((flags[F.late_start], days_between(b.c.as_, b.c.ps))).label("late_start_days"),
        case((flags[F.late_finish], days_between(b.c.ae, b.c.pe))).label("late_finish_days"),
    ]


def deviations_query(
    scope: Scope,
    as_of: date,
    tolerance: Decimal,
    *,
    flag: DeviationFlag | None = None,
    plan_id: int | None = None,
) -> Select[Any]:
    def columns(b: Any, flags: dict[DeviationFlag, Any]) -> list[Any]:
        return [
            b,
            col(OrgUnit.code).label("unit_code"),
            col(OrgUnit.name).label("unit_name"),
            *_late_days(b, flags),
            *[case((cond, 1), else_=0).label(f"f_{name.value}") for name, cond in flags.items()],
        ]

    return _deviations(scope, as_of, tolerance, flag=flag, plan_id=plan_id, columns=columns)


# Bit k of `sheet_query`'s `flags` is the k-th flag of DeviationFlag.
FLAG_BITS = {f: 1 << k for k, f in enumerate(DeviationFlag)}


def flag_names(bits: int) -> list[DeviationFlag]:
    """The flags of a `flags` bit mask, in the order of DeviationFlag (as `deviation_row`)."""
    return [f for f, bit in FLAG_BITS.items() if bits & bit]


def sheet_query(scope: Scope, as_of: date, tolerance: Decimal) -> Select[Any]:
    """The rows of `deviations_query` with only what a workbook's deviations sheet shows:
    unit code and name, item code, title, kind, status, the flags as one bit mask
    (`FLAG_BITS`), the late days, planned and actual absorption, deviation category and
    reason. One narrow row per item, read without building a `DeviationRow`."""

    def columns(b: Any, flags: dict[DeviationFlag, Any]) -> list[Any]:
        first, *others = [case((cond, FLAG_BITS[name]), else_=0) for name, cond in flags.items()]
        bits = sum(others, start=first)
        return [
            col(OrgUnit.code).label("unit_code"),
            col(OrgUnit.name).label("unit_name"),
            b.c.code,
            b.c.title,
            b.c.kind,
            b.c.status,
            bits.label("flags"),
            *_late_days(b, flags),
            b.c.abs_planned,
            b.c.abs_actual,
            b.c.dev_category,
            b.c.dev_reason,
        ]

    return _deviations(scope, as_of, tolerance, flag=None, plan_id=None, columns=columns)


def absorption_gap(planned: Any, actual: Any) -> float | None:
    """actual − planned absorption, exact in decimal; None when neither is known."""
    if planned is None and actual is None:
        return None
    return float(Decimal(str(actual or 0)) - Decimal(str(planned or 0)))


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def deviation_row(r: Any) -> DeviationRow:
    m = r._mapping
    planned, actual = m["abs_planned"], m["abs_actual"]
    return DeviationRow(
        item_id=m["item_id"],
        plan_id=m["plan_id"],
        org_unit_id=m["org_unit_id"],
        org_unit_code=m["unit_code"],
        org_unit_name=m["unit_name"],
        code=m["code"],
        title=m["title"],
        kind=m["kind"],
        status=m["status"],
        flags=[f for f in DeviationFlag if m[f"f_{f.value}"]],
        late_start_days=None if m["late_start_days"] is None else round(m["late_start_days"]),
        late_finish_days=None if m["late_finish_days"] is None else round(m["late_finish_days"]),
        planned_absorption=_num(planned),
        actual_absorption=_num(actual),
        absorption_gap=absorption_gap(planned, actual),
        deviation_category=m["dev_category"],
        deviation_reason=m["dev_reason"],
    )


def list_deviations(
    session: Session,
    scope: Scope,
    as_of: date,
    tolerance: Decimal,
    *,
    flag: DeviationFlag | None,
    limit: int,
    offset: int,
) -> tuple[list[DeviationRow], int]:
    q = deviations_query(scope, as_of, tolerance, flag=flag)
    total = session.scalar(sa_select(func.count()).select_from(q.order_by(None).subquery())) or 0
    rows = session.execute(q.limit(limit).offset(offset)).all()
    return [deviation_row(r) for r in rows], total


# Completeness ------------------------------------------------------------------------------


def _state(status: str | None, late: bool, *, exists: bool) -> UnitState:
    if not exists or status is None:
        return UnitState.missing
    if status == PlanStatus.submitted:
        return UnitState.submitted_late if late else UnitState.submitted_on_time
    return UnitState(status)


def completeness(session: Session, caller: Caller, cycle: Cycle) -> Completeness:
    """Every active department and office in the caller's scope: its plan and report state."""
    q = (
        sa_select(
            col(OrgUnit.id),
            col(OrgUnit.code),
            col(OrgUnit.name),
            col(OrgUnit.kind),
            col(Plan.id),
            col(Plan.status),
            col(Plan.plan_late),
            col(Plan.report_status),
            col(Plan.report_late),
        )
        .outerjoin(Plan, and_(col(Plan.org_unit_id) == OrgUnit.id, col(Plan.year) == cycle.year))
        .where(
            col(OrgUnit.municipality_id) == cycle.municipality_id,
            col(OrgUnit.active).is_(True),
            col(OrgUnit.kind).in_([UnitKind.department.value, UnitKind.office.value]),
        )
        .order_by(col(OrgUnit.code))
    )
    if not caller.is_superuser:
        q = q.where(scope_units_clause(caller, OrgUnit.id))
    units = []
    for (
        uid,
        code,
        name,
        kind,
        plan_id,
        status,
        plan_late,
        report_status,
        report_late,
    ) in session.execute(q):
        plan_state = _state(status, bool(plan_late), exists=plan_id is not None)
        report_state = _state(
            report_status, bool(report_late), exists=status == PlanStatus.approved
        )
        units.append(
            CompletenessRow(
                org_unit_id=uid,
                org_unit_code=code,
                org_unit_name=name,
                kind=kind,
                plan_id=plan_id,
                plan=plan_state,
                report=report_state,
                plan_late=bool(plan_late),
                report_late=bool(report_late),
            )
        )
    assert cycle.id is not None
    return Completeness(
        cycle_id=cycle.id,
        year=cycle.year,
        units=units,
        plan_totals={s: sum(1 for u in units if u.plan == s) for s in UnitState},
        report_totals={s: sum(1 for u in units if u.report == s) for s in UnitState},
    )
