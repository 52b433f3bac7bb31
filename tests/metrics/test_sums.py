"""The two-level sums of `app.metrics.sums` (partial rows per group, planned or not and status,
then rolled up) against the same sums in one pass over the items (`service._aggregates` over
`service.item_rows`), on the hand-worked town, for every grouping, several days and filters;
and the departments of every child unit in one query against one query per child."""

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from app.metrics import service
from app.metrics.schemas import GroupBy
from app.planning.models import FundingSource, Item, ItemAssignee, ItemKind, Plan
from tests.metrics.fixture import Town

DAYS = [date(2026, 1, 1), date(2026, 3, 15), date(2026, 7, 1), date(2026, 12, 31)]
FILTERS: list[dict[str, Any]] = [
    {},
    {"kind": ItemKind.project},
    {"funding_source": FundingSource.own},
    {"plan_status": "approved"},
]
KEYS = {
    GroupBy.kind: col(Item.kind),
    GroupBy.employee: col(ItemAssignee.employee_id),
    GroupBy.year: col(Plan.year),
}


def one_pass(session: Session, q: Any, as_of: date) -> dict[Any, dict[str, Any]]:
    """The figures of each `grp` of the per-item rows `q`, summed in one pass."""
    b = q.subquery()
    grp = [b.c.grp] if "grp" in b.c else []
    stmt = select(*grp, *service._aggregates(b, as_of))
    rows = session.execute(stmt.group_by(*grp) if grp else stmt).all()
    return {r.grp if grp else None: service._values(r._mapping) for r in rows}


def figures(row: Any) -> dict[str, Any]:
    return row.model_dump(exclude={"key", "label"})


def scope(town: Town, code: str, year: int | None = 2026, **filters: Any) -> service.Scope:
    unit = town[code]
    assert unit.id is not None
    return service.Scope(
        org_unit_id=unit.id, municipality_id=unit.municipality_id, year=year, **filters
    )


class TestCompletion:
    @pytest.mark.parametrize("as_of", DAYS)
    @pytest.mark.parametrize("filters", FILTERS)
    def test_total_and_org_units_as_in_one_pass(
        self, session: Session, town: Town, as_of: date, filters: dict[str, Any]
    ) -> None:
        for code in ("MUN", "D1", "D2", "D1T1"):
            s = scope(town, code, **filters)
            total, groups = service.completion(session, s, GroupBy.org_unit, as_of)
            [expected_total] = one_pass(session, service.item_rows(s), as_of).values()
            assert figures(total) == expected_total, code
            assert figures(service.totals(session, s, as_of)) == expected_total, code
            for g in groups:
                assert isinstance(g.key, int)
                if g.key == s.org_unit_id:  # the unit's own plans
                    q = service.item_rows(s).where(col(Plan.org_unit_id) == g.key)
                else:
                    q = service.item_rows(service.Scope(**{**vars(s), "org_unit_id": g.key}))
                [expected] = one_pass(session, q, as_of).values()
                assert figures(g) == expected, (code, g.label)

    @pytest.mark.parametrize("as_of", DAYS)
    @pytest.mark.parametrize("group_by", [GroupBy.kind, GroupBy.employee, GroupBy.year])
    def test_other_groupings_as_in_one_pass(
        self, session: Session, town: Town, as_of: date, group_by: GroupBy
    ) -> None:
        for code in ("MUN", "D1T1"):
            s = scope(town, code, year=None if group_by == GroupBy.year else 2026)
            q = service.item_rows(s, key=KEYS[group_by])
            if group_by == GroupBy.employee:
                q = q.outerjoin(ItemAssignee, col(ItemAssignee.item_id) == Item.id)
            expected = one_pass(session, q, as_of)
            total, groups = service.completion(session, s, group_by, as_of)
            got = {g.key: figures(g) for g in groups}
            assert {k: got[k] for k in expected} == expected, code
            empty = service._values(service._EMPTY)
            assert all(v == empty for k, v in got.items() if k not in expected), code
            [expected_total] = one_pass(session, service.item_rows(s), as_of).values()
            assert figures(total) == expected_total, code

    def test_by_municipality_as_in_one_pass(self, session: Session, town: Town) -> None:
        platform = service.Scope(org_unit_id=service.PLATFORM, municipality_id=0, year=2026)
        expected = one_pass(
            session, service.item_rows(platform, key=col(Plan.municipality_id)), DAYS[2]
        )
        got = service.by_municipality(session, 2026, DAYS[2])
        assert [g.key for g in got] == sorted(expected)
        assert {g.key: figures(g) for g in got} == expected


class TestGroupedByChild:
    @pytest.mark.parametrize("filters", FILTERS)
    def test_is_each_child_grouped_by_org_unit(
        self, session: Session, town: Town, filters: dict[str, Any]
    ) -> None:
        for code in ("MUN", "D1", "D2", "D1T1", "OFF"):
            s = scope(town, code, **filters)
            children = [u for u in town.units.values() if u.parent_id == s.org_unit_id]
            expected = {}
            for child in children:
                assert child.id is not None
                rows = service.grouped(
                    session,
                    service.Scope(**{**vars(s), "org_unit_id": child.id}),
                    GroupBy.org_unit,
                    DAYS[2],
                )
                if rows:
                    expected[child.id] = rows
            assert service.grouped_by_child(session, s, DAYS[2]) == expected, code
