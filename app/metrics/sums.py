"""The SQL of the completion figures: built once per query shape, run with bound parameters.

Two levels, both in SQL. The inner level reads each item of the scope once and groups it by
(group, planned or not, outcome status): inside such a partial group the conditions of SPEC §5
that depend on the status or on `unplanned` are constant, so each per-item sum is a plain SUM or
a COUNT with a cheap FILTER instead of a CASE over every item. The outer level adds the few
partial rows of each group into the sums `calc` takes (the names of `service._aggregates`).

Every figure is additive, so regrouping the additions does not change a sum (PostgreSQL numerics
are exact); the per-item expressions are those of `service._aggregates`.

A statement depends only on the shape of the request (grouping, which filters are set, whether
the scope is one municipality), never on its values: those are the bound parameters of
`params()`. Building the expressions and SQLAlchemy's cache key is then paid once per shape
instead of once per request.
"""

from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Numeric,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    or_,
    type_coerce,
)
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import col

from app.metrics.models import PlanFigures
from app.metrics.sql import days_between
from app.org.models import OrgUnit, OrgUnitClosure
from app.planning.models import Item, ItemAssignee, Plan
from app.reporting.models import Outcome, OutcomeStatus

S = OutcomeStatus
NUM = Numeric(20, 6)

# Keys of the inner level; `org_unit` is the child of the scope unit the item rolls up to,
# `subunit` the same one level down: the child of a child of the scope unit (or that child
# itself, for the items of its own plans).
ORG_UNIT, SUBUNIT, KIND, FUNDING_SOURCE, EMPLOYEE, YEAR, MUNICIPALITY = (
    "org_unit",
    "subunit",
    "kind",
    "funding_source",
    "employee",
    "year",
    "municipality",
)


def params(
    *,
    municipality_id: int,
    org_unit_id: int,
    year: int | None,
    kind: str | None,
    funding_source: str | None,
    plan_status: str | None,
    as_of: date,
) -> dict[str, Any]:
    """The bound parameters of every statement (a statement ignores those it does not use)."""
    return {
        "municipality_id": municipality_id,
        "org_unit_id": org_unit_id,
        "year": year,
        "kind": kind,
        "funding_source": funding_source,
        "plan_status": plan_status,
        "as_of": as_of,
    }


def _param(name: str, type_: Any) -> Any:
    """A parameter of `params()`, written into the SQL when the statement runs.

    The compiled statement stays cached; only its values are rendered (they are ints, a date
    and enum strings, validated before they get here). With placeholders, PostgreSQL switches
    a statement it has run five times to a generic plan, which guesses a handful of items per
    scope and loops over them (a tenth slower here, half for the deviations); with the values
    it plans for the actual scope, and the statement text of a scope is still prepared once it
    repeats."""
    return bindparam(name, type_=type_, literal_execute=True)


def inline(value: Any) -> Any:
    """A scope value written into the SQL when the statement runs, as `_param`."""
    return bindparam(None, value, literal_execute=True)


def _stored() -> list[ColumnElement[Any]]:
    """Per partial group: the sums whose per-item condition is not fixed by the group and
    that do not depend on the day (what `plan_figures` keeps, with the planned dates)."""
    # Typed like the sums it feeds, without a CAST per item: the weight is only multiplied and
    # added, which numerics do exactly whatever the scale.
    w = type_coerce(Item.weight, NUM)
    pe = col(Item.planned_end)
    ae = col(Outcome.actual_end)
    kpi_base, kpi_target = col(Item.kpi_baseline), col(Item.kpi_target)
    return [
        func.count().label("n"),
        func.sum(w).label("w"),
        func.sum(w * func.coalesce(Outcome.progress_pct, 0)).label("wprog"),
        func.sum(func.coalesce(Outcome.actual_absorption, 0)).label("abs_actual"),
        func.sum(func.coalesce(Item.planned_absorption, 0)).label("abs_planned"),
        func.count().filter(ae <= pe).label("on_time"),
        func.count().filter(and_(ae.is_not(None), pe.is_not(None))).label("dated_done"),
        func.sum(days_between(ae, pe)).filter(ae > pe).label("delay_sum"),
        func.count().filter(ae > pe).label("delay_n"),
        func.sum(
            (col(Outcome.kpi_actual) - kpi_base) * 100 / func.nullif(kpi_target - kpi_base, 0)
        ).label("kpi_sum"),
        # The items where the expression above is not NULL, without computing it twice.
        func.count()
        .filter(col(Outcome.kpi_actual).is_not(None), kpi_base.is_not(None), kpi_target != kpi_base)
        .label("kpi_n"),
    ]


def _dated(day: Any, ps: Any, pe: Any, w: Any, n: Any = None) -> list[ColumnElement[Any]]:
    """Per partial group: the sums that depend on the day (items past their planned end, the
    expected progress), over items (weight `w`) or over rows of `plan_figures` (their weight
    `w` and count `n`: every item of such a row has the same planned dates)."""
    e_i = case(
        (day <= ps, 0),
        (day >= pe, 100),
        else_=cast(100 * days_between(day, ps), NUM) / days_between(pe, ps),
    )
    both_dates = and_(ps.is_not(None), pe.is_not(None))
    past = func.count().filter(pe < day) if n is None else func.sum(n).filter(pe < day)
    return [
        past.label("overdue"),
        func.sum(w).filter(both_dates).label("exp_w"),
        func.sum(w * e_i).filter(both_dates).label("exp_wp"),
    ]


def _partials(day: Any) -> list[ColumnElement[Any]]:
    """Per partial group of items: every sum of `_rolled`."""
    w = type_coerce(Item.weight, NUM)
    return [*_stored(), *_dated(day, col(Item.planned_start), col(Item.planned_end), w)]


def _rolled(p: Any) -> list[ColumnElement[Any]]:
    """The sums of `service._aggregates`, over the partial rows `p` of one group."""
    planned = p.c.unplanned.is_(False)
    status = func.coalesce(p.c.status, S.not_started.value)
    completed = and_(planned, status == S.completed.value)

    def count(value: Any, *cond: Any) -> ColumnElement[Any]:
        return cast(func.coalesce(func.sum(value).filter(*cond), 0), Integer)

    def total(value: Any, *cond: Any) -> ColumnElement[Any]:
        return func.sum(value).filter(*cond)

    wp = case(
        (status == S.completed.value, p.c.w * 100),
        (status == S.in_progress.value, p.c.wprog),
        else_=0,
    )
    return [
        count(p.c.n, planned).label("planned_items"),
        count(p.c.n, p.c.unplanned.is_(True)).label("unplanned_items"),
        *[count(p.c.n, planned, status == s.value).label(s.value) for s in S],
        total(p.c.w, planned).label("w"),
        total(wp, planned).label("wp"),
        total(p.c.abs_actual, planned).label("abs_actual"),
        total(p.c.abs_planned, planned).label("abs_planned"),
        count(p.c.on_time, completed).label("on_time"),
        count(p.c.dated_done, completed).label("dated_done"),
        count(p.c.overdue, planned, status != S.completed.value, status != S.cancelled.value).label(
            "overdue"
        ),
        total(p.c.delay_sum, completed).label("delay_sum"),
        count(p.c.delay_n, completed).label("delay_n"),
        total(p.c.exp_w, planned).label("exp_w"),
        total(p.c.exp_wp, planned).label("exp_wp"),
        total(p.c.kpi_sum, planned).label("kpi_sum"),
        count(p.c.kpi_n, planned).label("kpi_n"),
    ]


def _inner(
    key: str | None,
    *,
    platform: bool,
    year: bool,
    kind: bool,
    funding_source: bool,
    plan_status: bool,
) -> Select[Any]:
    """The partial rows: one per (group key, unplanned, status) of the scope's items."""
    day = _param("as_of", Date)
    unit = _param("org_unit_id", Integer)
    municipality = _param("municipality_id", Integer)
    grp: Any = None
    q = sa_select().select_from(Item).join(Plan, col(Plan.id) == Item.plan_id)
    if key in (ORG_UNIT, SUBUNIT):
        # One closure row per item: the one whose ancestor `gu` is the item's group. That also
        # confines the items to the scope.
        group, gu = aliased(OrgUnitClosure), aliased(OrgUnit)
        q = q.join(
            group,
            and_(
                col(group.municipality_id) == municipality,
                col(group.descendant_id) == Plan.org_unit_id,
            ),
        ).join(gu, col(gu.id) == group.ancestor_id)
        own_plans = col(group.descendant_id) == gu.id
        if key == ORG_UNIT:
            # a child of the scope unit, or the scope unit itself for its own plans
            q = q.where(or_(col(gu.parent_id) == unit, and_(col(gu.id) == unit, own_plans)))
        else:
            # a child of a child of the scope unit, or that child itself for its own plans
            parent = aliased(OrgUnit)
            q = q.join(parent, col(parent.id) == gu.parent_id).where(
                or_(col(parent.parent_id) == unit, and_(col(parent.id) == unit, own_plans))
            )
        grp = col(group.ancestor_id)
    elif not platform:
        within = aliased(OrgUnitClosure)
        q = q.join(
            within,
            and_(
                col(within.municipality_id) == municipality,
                col(within.descendant_id) == Plan.org_unit_id,
                col(within.ancestor_id) == unit,
            ),
        )
    if not platform:
        q = q.where(
            col(Plan.municipality_id) == municipality, col(Item.municipality_id) == municipality
        )
    q = q.outerjoin(Outcome, col(Outcome.item_id) == Item.id)
    if key == EMPLOYEE:
        q = q.outerjoin(ItemAssignee, col(ItemAssignee.item_id) == Item.id)
        grp = col(ItemAssignee.employee_id)
    elif key == KIND:
        grp = col(Item.kind)
    elif key == FUNDING_SOURCE:
        grp = func.coalesce(Item.funding_source, "none")
    elif key == YEAR:
        grp = col(Plan.year)
    elif key == MUNICIPALITY:
        grp = col(Plan.municipality_id)
    if year:
        q = q.where(col(Plan.year) == _param("year", Integer))
    if kind:
        q = q.where(col(Item.kind) == _param("kind", String))
    if funding_source:
        q = q.where(col(Item.funding_source) == _param("funding_source", String))
    if plan_status:
        q = q.where(col(Plan.status) == _param("plan_status", String))
    keys: list[Any] = [col(Item.unplanned).label("unplanned"), col(Outcome.status).label("status")]
    if grp is not None:
        keys.insert(0, grp.label("grp"))
    return q.with_only_columns(*keys, *_partials(day)).group_by(*(k.element for k in keys))


@cache
def statement(
    key: str | None,
    *,
    platform: bool = False,
    year: bool = True,
    kind: bool = False,
    funding_source: bool = False,
    plan_status: bool = False,
) -> Select[Any]:
    """The figures of each group (`grp` first), or of the whole scope when `key` is None.

    With `org_unit`, every child of the scope unit is a row (zero counts when it has no
    items), and so is the scope unit itself when it has items of its own plans; each row also
    carries the unit's `code` and `name`, in the order of the codes. With `subunit`, the rows
    of `org_unit` for each child of the scope unit as the scope, after its id (`parent`), in
    the order of the children's codes. Otherwise one row per group key that has items, in the
    order of the keys.
    """
    p = _inner(
        key,
        platform=platform,
        year=year,
        kind=kind,
        funding_source=funding_source,
        plan_status=plan_status,
    ).subquery("p")
    sums = _rolled(p)
    if key is None:
        return sa_select(*sums)
    unit = _param("org_unit_id", Integer)
    u = aliased(OrgUnit)
    if key == ORG_UNIT:
        return (
            sa_select(col(u.id).label("grp"), col(u.code), col(u.name), *sums)
            .select_from(u)
            .outerjoin(p, p.c.grp == u.id)
            .where(or_(col(u.parent_id) == unit, and_(col(u.id) == unit, p.c.grp.is_not(None))))
            .group_by(col(u.id), col(u.code), col(u.name))
            .order_by(col(u.code))
        )
    if key == SUBUNIT:
        parent = aliased(OrgUnit)
        return (
            sa_select(
                col(parent.id).label("parent"),
                col(u.id).label("grp"),
                col(u.code),
                col(u.name),
                *sums,
            )
            .select_from(parent)
            .join(u, or_(col(u.parent_id) == parent.id, col(u.id) == parent.id))
            .outerjoin(p, p.c.grp == u.id)
            .where(
                col(parent.parent_id) == unit,
                or_(col(u.parent_id) == parent.id, p.c.grp.is_not(None)),
            )
            .group_by(col(parent.id), col(parent.code), col(u.id), col(u.code), col(u.name))
            .order_by(col(parent.code), col(u.code))
        )
    return sa_select(p.c.grp, *sums).group_by(p.c.grp).order_by(p.c.grp)


def stored_rows() -> Select[Any]:
    """The rows of `plan_figures` of every plan, computed from its items and outcomes (the
    names of the columns are those of the table)."""
    keys: list[Any] = [
        col(Plan.municipality_id),
        col(Plan.year),
        col(Item.plan_id),
        col(Item.unplanned),
        col(Outcome.status),
        col(Item.planned_start),
        col(Item.planned_end),
    ]
    return (
        sa_select(*keys, *_stored())
        .select_from(Item)
        .join(Plan, col(Plan.id) == Item.plan_id)
        .outerjoin(Outcome, col(Outcome.item_id) == Item.id)
        .group_by(*keys)
    )


@cache
def national() -> Select[Any]:
    """Every municipality's figures of a year (`grp` = municipality id), from the rows of
    `plan_figures`: the same sums as `statement(MUNICIPALITY, platform=True)` computes from
    the items, in the order of the ids."""
    f = PlanFigures
    w = col(f.w)
    p = (
        sa_select(
            col(f.municipality_id).label("grp"),
            col(f.unplanned).label("unplanned"),
            col(f.status).label("status"),
            *(func.sum(getattr(f, c.name)).label(c.name) for c in _stored()),
            *_dated(_param("as_of", Date), col(f.planned_start), col(f.planned_end), w, col(f.n)),
        )
        .where(col(f.year) == _param("year", Integer))
        .group_by(col(f.municipality_id), col(f.unplanned), col(f.status))
        .subquery("p")
    )
    return sa_select(p.c.grp, *_rolled(p)).group_by(p.c.grp).order_by(p.c.grp)
