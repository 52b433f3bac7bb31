"""The quality unit's figures, computed by the database (SPEC §5).

`completion` runs one aggregate statement of `sums` per request (built once per query shape)
and hands its sums to the pure formulas in `calc`. No item is ever loaded into Python, so the
cost is one aggregate query per request whatever the size of the scope.

`item_rows` is the per-item form of the scope (the deviations list reads it), and
`_aggregates` the per-item form of the sums: the reference the two-level sums of `sums` are
checked against, and what the national benchmark EXPLAINs.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Row, and_, case, cast, func, literal
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session, col

from app.metrics import calc, figures, sums
from app.metrics.schemas import Figures, GroupBy, GroupRow
from app.metrics.sql import days_between
from app.org.models import Employee, OrgUnitClosure
from app.planning.models import FundingSource, Item, ItemKind, Plan
from app.reporting.models import Outcome, OutcomeStatus

S = OutcomeStatus
NUM = sums.NUM


@dataclass(frozen=True)
class Scope:
    org_unit_id: int
    municipality_id: int
    year: int | None
    kind: ItemKind | None = None
    funding_source: FundingSource | None = None
    plan_status: str | None = None


# The scope of a platform operator's national figures: every municipality.
PLATFORM = 0


def default_as_of(year: int, today: date) -> date:
    return min(today, date(year, 12, 31))


def item_rows(scope: Scope, *, key: Any = None) -> Select[Any]:
    """One row per item of the scope with what the figures need (and a group key)."""
    status = func.coalesce(Outcome.status, S.not_started.value).label("status")
    cols: list[Any] = [
        col(Item.id).label("item_id"),
        col(Item.plan_id).label("plan_id"),
        col(Plan.org_unit_id).label("org_unit_id"),
        col(Plan.year).label("year"),
        col(Item.code).label("code"),
        col(Item.title).label("title"),
        col(Item.kind).label("kind"),
        col(Item.unplanned).label("unplanned"),
        col(Item.weight).label("weight"),
        col(Item.planned_start).label("ps"),
        col(Item.planned_end).label("pe"),
        col(Item.planned_absorption).label("abs_planned"),
        col(Item.kpi_baseline).label("kpi_base"),
        col(Item.kpi_target).label("kpi_target"),
        status,
        col(Outcome.progress_pct).label("progress"),
        col(Outcome.actual_start).label("as_"),
        col(Outcome.actual_end).label("ae"),
        col(Outcome.actual_absorption).label("abs_actual"),
        col(Outcome.kpi_actual).label("kpi_actual"),
        col(Outcome.deviation_category).label("dev_category"),
        col(Outcome.deviation_reason).label("dev_reason"),
    ]
    if key is not None:
        cols.append(key.label("grp"))
    q = sa_select(*cols).select_from(Item).join(Plan, col(Plan.id) == Item.plan_id)
    if scope.org_unit_id != PLATFORM:
        within = aliased(OrgUnitClosure)
        municipality = sums.inline(scope.municipality_id)
        q = q.join(
            within,
            and_(
                col(within.municipality_id) == municipality,
                col(within.descendant_id) == Plan.org_unit_id,
                col(within.ancestor_id) == sums.inline(scope.org_unit_id),
            ),
        ).where(
            col(Plan.municipality_id) == municipality,
            col(Item.municipality_id) == municipality,
        )
    q = q.outerjoin(Outcome, col(Outcome.item_id) == Item.id)
    if scope.year is not None:
        q = q.where(col(Plan.year) == sums.inline(scope.year))
    if scope.kind is not None:
        q = q.where(col(Item.kind) == sums.inline(scope.kind.value))
    if scope.funding_source is not None:
        q = q.where(col(Item.funding_source) == sums.inline(scope.funding_source.value))
    if scope.plan_status is not None:
        q = q.where(col(Plan.status) == sums.inline(scope.plan_status))
    return q


def _aggregates(b: Any, as_of: date) -> list[ColumnElement[Any]]:
    """The sums of the figures in one pass over per-item rows `b` (`item_rows`)."""
    planned = b.c.unplanned.is_(False)
    completed = and_(planned, b.c.status == S.completed.value)
    dated_done = and_(completed, b.c.ae.is_not(None), b.c.pe.is_not(None))
    late_done = and_(dated_done, b.c.ae > b.c.pe)
    both_dates = and_(planned, b.c.ps.is_not(None), b.c.pe.is_not(None))
    day = literal(as_of, Date)
    p_i = case(
        (b.c.status == S.completed.value, 100),
        (b.c.status == S.in_progress.value, func.coalesce(b.c.progress, 0)),
        else_=0,
    )
    e_i = case(
        (day <= b.c.ps, 0),
        (day >= b.c.pe, 100),
        else_=cast(100 * days_between(day, b.c.ps), NUM) / days_between(b.c.pe, b.c.ps),
    )
    kpi_i = case(
        (
            planned,
            (b.c.kpi_actual - b.c.kpi_base) * 100 / func.nullif(b.c.kpi_target - b.c.kpi_base, 0),
        ),
        else_=None,
    )

    def count(cond: Any) -> ColumnElement[Any]:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    def total(cond: Any, value: Any) -> ColumnElement[Any]:
        return func.sum(case((cond, value), else_=None))

    return [
        count(planned).label("planned_items"),
        count(b.c.unplanned.is_(True)).label("unplanned_items"),
        *[count(and_(planned, b.c.status == s.value)).label(s.value) for s in S],
        total(planned, cast(b.c.weight, NUM)).label("w"),
        total(planned, cast(b.c.weight, NUM) * p_i).label("wp"),
        total(planned, func.coalesce(b.c.abs_actual, 0)).label("abs_actual"),
        total(planned, func.coalesce(b.c.abs_planned, 0)).label("abs_planned"),
        count(and_(dated_done, b.c.ae <= b.c.pe)).label("on_time"),
        count(dated_done).label("dated_done"),
        count(
            and_(planned, b.c.status.not_in([S.completed.value, S.cancelled.value]), b.c.pe < day)
        ).label("overdue"),
        total(late_done, days_between(b.c.ae, b.c.pe)).label("delay_sum"),
        count(late_done).label("delay_n"),
        total(both_dates, cast(b.c.weight, NUM)).label("exp_w"),
        total(both_dates, cast(b.c.weight, NUM) * e_i).label("exp_wp"),
        func.sum(kpi_i).label("kpi_sum"),
        func.count(kpi_i).label("kpi_n"),
    ]


def _values(m: Mapping[Any, Any]) -> dict[str, Any]:
    """The figures of one row of sums, as the fields of `Figures`."""
    progress = calc.ratio(m["wp"], m["w"])
    expected = calc.ratio(m["exp_wp"], m["exp_w"])

    def f(value: Decimal | None) -> float | None:
        return float(value) if value is not None else None

    return {
        "planned_items": m["planned_items"],
        "unplanned_items": m["unplanned_items"],
        **{s.value: m[s.value] for s in S},
        "completion_pct": f(calc.pct(m[S.completed.value], m["planned_items"])),
        "progress_pct": f(progress),
        "absorption_pct": f(calc.pct(m["abs_actual"], m["abs_planned"])),
        "on_time_pct": f(calc.pct(m["on_time"], m["dated_done"])),
        "overdue_items": m["overdue"],
        "avg_delay_days": f(calc.ratio(m["delay_sum"], m["delay_n"])),
        "expected_progress_pct": f(expected),
        "traffic_light": calc.traffic_light(progress, expected),
        "kpi_achievement_pct": f(calc.ratio(m["kpi_sum"], m["kpi_n"])),
    }


def _figures(m: Mapping[Any, Any]) -> Figures:
    return Figures(**_values(m))


def _run(session: Session, scope: Scope, key: str | None, as_of: date) -> Sequence[Row[Any]]:
    stmt = sums.statement(
        key,
        platform=scope.org_unit_id == PLATFORM,
        year=scope.year is not None,
        kind=scope.kind is not None,
        funding_source=scope.funding_source is not None,
        plan_status=scope.plan_status is not None,
    )
    return session.execute(
        stmt,
        sums.params(
            municipality_id=scope.municipality_id,
            org_unit_id=scope.org_unit_id,
            year=scope.year,
            kind=scope.kind.value if scope.kind else None,
            funding_source=scope.funding_source.value if scope.funding_source else None,
            plan_status=scope.plan_status,
            as_of=as_of,
        ),
    ).all()


def totals(session: Session, scope: Scope, as_of: date) -> Figures:
    return _figures(_run(session, scope, None, as_of)[0]._mapping)


# Groupings that split the scope's items without overlap: the total is the sum of the groups.
ADDITIVE = frozenset({GroupBy.org_unit, GroupBy.kind, GroupBy.funding_source, GroupBy.year})
_COUNTS = (
    "planned_items",
    "unplanned_items",
    *(s.value for s in S),
    "on_time",
    "dated_done",
    "overdue",
    "delay_n",
    "kpi_n",
)
_SUMS = ("w", "wp", "abs_actual", "abs_planned", "delay_sum", "exp_w", "exp_wp", "kpi_sum")
_EMPTY: dict[str, Any] = dict.fromkeys(_COUNTS, 0) | dict.fromkeys(_SUMS)


def _sum(rows: list[Mapping[Any, Any]]) -> dict[str, Any]:
    """Column-wise sum of rows of sums (NULL + x = x), as SQL SUM would give."""
    out = dict(_EMPTY)
    for row in rows:
        for name in out:
            value = row[name]
            if value is not None:
                out[name] = value if out[name] is None else out[name] + value
    return out


def completion(
    session: Session, scope: Scope, group_by: GroupBy | None, as_of: date
) -> tuple[Figures, list[GroupRow]]:
    """The scope's figures and, with `group_by`, one row per group (groups without items
    too, with zero counts). Where the groups split the items, the total is their sum: one
    pass over the items instead of two."""
    if group_by is None:
        return totals(session, scope, as_of), []
    rows, labels = _grouped_rows(session, scope, group_by, as_of)
    empty = _values(_EMPTY)
    groups = [
        GroupRow(key=k, label=label, **(_values(rows[k]) if k in rows else empty))
        for k, label in labels
    ]
    total = (
        _figures(_sum(list(rows.values())))
        if group_by in ADDITIVE
        else totals(session, scope, as_of)
    )
    return total, groups


def grouped(session: Session, scope: Scope, group_by: GroupBy, as_of: date) -> list[GroupRow]:
    """One row per group; groups with no items are listed too (with zero counts)."""
    return completion(session, scope, group_by, as_of)[1]


def grouped_by_child(session: Session, scope: Scope, as_of: date) -> dict[int, list[GroupRow]]:
    """`grouped(…, GroupBy.org_unit, …)` of each child of the scope unit as the scope (a
    child with no rows is left out), in one query instead of one per child."""
    out: dict[int, list[GroupRow]] = {}
    for r in _run(session, scope, sums.SUBUNIT, as_of):
        row = GroupRow(key=r.grp, label=f"{r.code} {r.name}", **_values(r._mapping))
        out.setdefault(r.parent, []).append(row)
    return out


_KEYS = {
    GroupBy.org_unit: sums.ORG_UNIT,
    GroupBy.kind: sums.KIND,
    GroupBy.funding_source: sums.FUNDING_SOURCE,
    GroupBy.employee: sums.EMPLOYEE,
    GroupBy.year: sums.YEAR,
}


def _grouped_rows(
    session: Session, scope: Scope, group_by: GroupBy, as_of: date
) -> tuple[dict[Any, Mapping[Any, Any]], list[tuple[Any, str]]]:
    """The sums of each group that has items (of every child unit, with `org_unit`), and
    every group's key and label in display order."""
    result = _run(session, scope, _KEYS[group_by], as_of)
    if group_by == GroupBy.org_unit:
        # Every child unit comes back, in the order of the codes; one without items has the
        # zero counts and NULL sums of an empty group.
        return {r.grp: r._mapping for r in result}, [(r.grp, f"{r.code} {r.name}") for r in result]
    rows: dict[Any, Mapping[Any, Any]] = {r.grp: r._mapping for r in result}
    labels: dict[Any, str]
    if group_by == GroupBy.kind:
        labels = {k.value: k.value for k in ItemKind}
    elif group_by == GroupBy.funding_source:
        labels = {f.value: f.value for f in FundingSource} | {"none": "none"}
    elif group_by == GroupBy.employee:
        ids = [k for k in rows if k is not None]
        labels = dict(
            session.execute(
                sa_select(col(Employee.id), col(Employee.full_name)).where(
                    col(Employee.id).in_(ids)
                )
            ).all()
        )
        if None in rows:
            labels[None] = "unassigned"
    else:
        labels = {k: str(k) for k in rows}
    return rows, sorted(labels.items(), key=lambda kv: _order(group_by, *kv))


def _order(group_by: GroupBy, key: Any, label: str) -> tuple[Any, ...]:
    """Employees by name (then id), "unassigned" last; other groups by their key."""
    if group_by == GroupBy.employee:
        return (key is None, label, key or 0)
    return (key is None, key)


def by_municipality(session: Session, year: int, as_of: date) -> list[GroupRow]:
    """Every municipality's figures of a year (platform operators), added up from the plans'
    stored figures (`plan_figures`) instead of from every item: the same figures as
    `_run(…, sums.MUNICIPALITY, …)` over the items of the platform scope."""
    figures.settle(session)
    rows = session.execute(sums.national(), {"year": year, "as_of": as_of}).all()
    return [GroupRow(key=r.grp, label=str(r.grp), **_values(r._mapping)) for r in rows]
