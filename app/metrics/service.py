"""The quality unit's figures, computed by the database (SPEC §5).

One per-item query (`item_rows`) carries every column a figure needs; `completion` sums it
with GROUP BY and hands the sums to the pure formulas in `calc`. No item is ever loaded into
Python, so the cost is one aggregate query per request whatever the size of the scope.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Date,
    Numeric,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
)
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session, col

from app.metrics import calc
from app.metrics.schemas import Figures, GroupBy, GroupRow
from app.metrics.sql import days_between
from app.org.models import Employee, OrgUnit, OrgUnitClosure
from app.planning.models import FundingSource, Item, ItemAssignee, ItemKind, Plan
from app.reporting.models import Outcome, OutcomeStatus

S = OutcomeStatus
NUM = Numeric(20, 6)


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
        q = q.join(
            within,
            and_(
                col(within.municipality_id) == scope.municipality_id,
                col(within.descendant_id) == Plan.org_unit_id,
                col(within.ancestor_id) == scope.org_unit_id,
            ),
        ).where(
            col(Plan.municipality_id) == scope.municipality_id,
            col(Item.municipality_id) == scope.municipality_id,
        )
    q = q.outerjoin(Outcome, col(Outcome.item_id) == Item.id)
    if scope.year is not None:
        q = q.where(col(Plan.year) == scope.year)
    if scope.kind is not None:
        q = q.where(col(Item.kind) == scope.kind.value)
    if scope.funding_source is not None:
        q = q.where(col(Item.funding_source) == scope.funding_source.value)
    if scope.plan_status is not None:
        q = q.where(col(Plan.status) == scope.plan_status)
    return q


def _aggregates(b: Any, as_of: date) -> list[ColumnElement[Any]]:
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


def _figures(m: Mapping[Any, Any]) -> Figures:
    progress = calc.ratio(m["wp"], m["w"])
    expected = calc.ratio(m["exp_wp"], m["exp_w"])

    def f(value: Decimal | None) -> float | None:
        return float(value) if value is not None else None

    return Figures(
        planned_items=m["planned_items"],
        unplanned_items=m["unplanned_items"],
        **{s.value: m[s.value] for s in S},
        completion_pct=f(calc.pct(m[S.completed.value], m["planned_items"])),
        progress_pct=f(progress),
        absorption_pct=f(calc.pct(m["abs_actual"], m["abs_planned"])),
        on_time_pct=f(calc.pct(m["on_time"], m["dated_done"])),
        overdue_items=m["overdue"],
        avg_delay_days=f(calc.ratio(m["delay_sum"], m["delay_n"])),
        expected_progress_pct=f(expected),
        traffic_light=calc.traffic_light(progress, expected),
        kpi_achievement_pct=f(calc.ratio(m["kpi_sum"], m["kpi_n"])),
    )


def totals(session: Session, scope: Scope, as_of: date) -> Figures:
    b = item_rows(scope).subquery()
    return _figures(session.execute(sa_select(*_aggregates(b, as_of))).one()._mapping)


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


def _sum(rows: list[Mapping[Any, Any]]) -> dict[str, Any]:
    """Column-wise sum of aggregate rows (NULL + x = x), as SQL SUM would give."""
    out: dict[str, Any] = dict.fromkeys(_COUNTS, 0) | dict.fromkeys(_SUMS)
    for row in rows:
        for name, value in row.items():
            if name == "grp" or value is None:
                continue
            out[name] = value if out.get(name) is None else out[name] + value
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
    empty = _figures(_sum([]))
    groups = [
        GroupRow(key=k, label=label, **(_figures(rows[k]) if k in rows else empty).model_dump())
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


def _grouped_rows(
    session: Session, scope: Scope, group_by: GroupBy, as_of: date
) -> tuple[dict[Any, Any], list[tuple[Any, str]]]:
    """The aggregate row of each group that has items, and every group's key and label in
    display order."""
    if group_by == GroupBy.org_unit:
        return _by_org_unit(session, scope, as_of)
    key: Any = {
        GroupBy.kind: col(Item.kind),
        GroupBy.funding_source: func.coalesce(Item.funding_source, "none"),
        GroupBy.employee: col(ItemAssignee.employee_id),
        GroupBy.year: col(Plan.year),
    }[group_by]
    q = item_rows(scope, key=key)
    if group_by == GroupBy.employee:
        q = q.outerjoin(ItemAssignee, col(ItemAssignee.item_id) == Item.id)
    b = q.subquery()
    rows = {
        r.grp: r._mapping
        for r in session.execute(sa_select(b.c.grp, *_aggregates(b, as_of)).group_by(b.c.grp))
    }
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


def _by_org_unit(
    session: Session, scope: Scope, as_of: date
) -> tuple[dict[Any, Any], list[tuple[Any, str]]]:
    """Each direct child of the scope unit rolled up over its subtree, plus the scope unit's
    own plans when it has any.

    Two stages, both in SQL: the items are summed per plan unit in one pass, then those few
    rows are summed again per child through the closure table (every aggregate is additive).
    """
    b = item_rows(scope, key=col(Plan.org_unit_id)).subquery()
    aggregates = _aggregates(b, as_of)
    per_unit = sa_select(b.c.grp.label("unit_id"), *aggregates).group_by(b.c.grp).subquery()
    group = aliased(OrgUnitClosure)
    gu = aliased(OrgUnit)
    mapping = (
        sa_select(col(group.descendant_id).label("unit_id"), col(group.ancestor_id).label("grp"))
        .join(gu, col(gu.id) == group.ancestor_id)
        .where(
            col(group.municipality_id) == scope.municipality_id,
            or_(
                col(gu.parent_id) == scope.org_unit_id,
                and_(
                    col(gu.id) == scope.org_unit_id,
                    col(group.descendant_id) == scope.org_unit_id,
                ),
            ),
        )
        .subquery()
    )
    names = [a.name for a in aggregates]
    rolled = (
        sa_select(mapping.c.grp, *[func.sum(per_unit.c[n]).label(n) for n in names])
        .join(per_unit, per_unit.c.unit_id == mapping.c.unit_id)
        .group_by(mapping.c.grp)
    )
    rows = {r.grp: r._mapping for r in session.execute(rolled)}
    units = session.execute(
        sa_select(col(OrgUnit.id), col(OrgUnit.code), col(OrgUnit.name))
        .where(
            or_(
                col(OrgUnit.parent_id) == scope.org_unit_id,
                and_(col(OrgUnit.id) == scope.org_unit_id, col(OrgUnit.id).in_(rows)),
            )
        )
        .order_by(col(OrgUnit.code))
    ).all()
    return rows, [(uid, f"{code} {name}") for uid, code, name in units]


def by_municipality(session: Session, year: int, as_of: date) -> list[GroupRow]:
    """Every municipality's figures of a year in one GROUP BY (platform operators)."""
    scope = Scope(org_unit_id=PLATFORM, municipality_id=PLATFORM, year=year)
    b = item_rows(scope, key=col(Plan.municipality_id)).subquery()
    rows = session.execute(
        sa_select(b.c.grp, *_aggregates(b, as_of)).group_by(b.c.grp).order_by(b.c.grp)
    ).all()
    return [
        GroupRow(key=r.grp, label=str(r.grp), **_figures(r._mapping).model_dump()) for r in rows
    ]
