"""Zero denominators: empty scopes, plans with only unplanned items, items without dates or
planned absorption. Every rate is then null and every count zero, never an error."""

from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient

from tests import plan_builders as pb
from tests.builders import unit
from tests.metrics.expected_units import D2T2, EMPTY, figures
from tests.metrics.fixture import API, Town, completion


def rows(body: dict) -> list[tuple[object, dict]]:
    return [(g["key"], figures(g)) for g in body["groups"]]


def test_unit_without_plans(client: TestClient, town: Town, q: dict[str, str]) -> None:
    off = town["OFF"].id
    assert completion(client, q, off)["total"] == EMPTY
    # a leaf without a plan of its own has no row to show
    assert completion(client, q, off, group_by="org_unit")["groups"] == []
    assert rows(completion(client, q, off, group_by="kind")) == [
        ("action", EMPTY),
        ("procurement", EMPTY),
        ("project", EMPTY),
        ("service", EMPTY),
    ]
    assert [g["key"] for g in completion(client, q, off, group_by="funding_source")["groups"]] == [
        "none",
        "nsrf",
        "other",
        "own",
        "pde",
        "rrf",
        "state",
    ]
    assert all(
        figures(g) == EMPTY for g in completion(client, q, off, group_by="funding_source")["groups"]
    )
    assert completion(client, q, off, group_by="employee")["groups"] == []
    body = completion(client, q, off, group_by="year", year=None)
    assert (body["total"], body["groups"]) == (EMPTY, [])


def test_year_without_plans(client: TestClient, town: Town, q: dict[str, str]) -> None:
    body = completion(client, q, town["MUN"].id, year=2030, as_of="2030-07-01", group_by="org_unit")
    assert body["total"] == EMPTY
    assert rows(body) == [(town["D1"].id, EMPTY), (town["D2"].id, EMPTY), (town["OFF"].id, EMPTY)]


def test_default_as_of_is_the_end_of_a_past_year(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    body = completion(client, q, town["MUN"].id, year=2020, as_of=None)
    assert body["as_of"] == "2020-12-31"
    assert body["total"] == EMPTY


def test_plan_with_only_unplanned_items(client: TestClient, town: Town, q: dict[str, str]) -> None:
    body = completion(client, q, town["D2T2"].id, group_by="kind")
    assert body["total"] == D2T2  # planned 0, unplanned 2, all rates null
    assert rows(body) == [
        ("action", {**EMPTY, "unplanned_items": 1}),  # D2T2/01
        ("procurement", EMPTY),
        ("project", EMPTY),
        ("service", {**EMPTY, "unplanned_items": 1}),  # D2T2/02
    ]
    by_employee = completion(client, q, town["D2T2"].id, group_by="employee")
    assert [(g["label"], figures(g)) for g in by_employee["groups"]] == [
        ("Θεοδώρα Θεοχάρη", {**EMPTY, "unplanned_items": 1}),
        ("unassigned", {**EMPTY, "unplanned_items": 1}),
    ]


def test_items_without_dates_or_absorption(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    """A new department whose two items have no planned dates and no planned absorption: the
    progress is known, but absorption, punctuality, expected progress, the traffic light, the
    delay and the KPI have no denominator."""
    s = town.session
    dep = unit(s, town["OFF"], "OFFT1", "Τμήμα Πρωτοκόλλου")
    p = pb.plan(s, dep, 2026, status="approved")
    done = pb.item(
        s, p, "01", weight=Decimal("0.5"), kpi_baseline=Decimal(5), kpi_target=Decimal(5)
    )
    pb.outcome(s, done, "completed").actual_absorption = Decimal(250)  # nothing planned
    half = pb.item(s, p, "02", weight=Decimal("1.5"), planned_absorption=Decimal(0))
    o = pb.outcome(s, half, "in_progress")
    o.progress_pct = Decimal("33.3")
    o.kpi_actual = Decimal(7)  # but the item has no KPI target
    s.flush()
    expected = {
        **EMPTY,
        "planned_items": 2,
        "completed": 1,
        "in_progress": 1,
        "completion_pct": 50.0,  # 1/2
        # (0.5 × 100 + 1.5 × 33.3) / (0.5 + 1.5) = (50 + 49.95) / 2 = 49.975 → 49.98 (half up)
        "progress_pct": 49.98,
    }
    body = completion(client, q, dep.id)
    assert body["total"] == expected
    # the office now rolls up its department
    parent = completion(client, q, town["MUN"].id, group_by="org_unit")
    assert [figures(g) for g in parent["groups"]][2] == expected
    assert date.fromisoformat(body["as_of"]) == date(2026, 7, 1)


def test_completion_of_an_empty_cycle(client: TestClient, town: Town, q: dict[str, str]) -> None:
    c = pb.cycle(town.session, town["MUN"], 2027)
    r = client.get(f"{API}/cycles/{c.id}/completeness", headers=q)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(u["org_unit_code"], u["plan"], u["report"]) for u in body["units"]] == [
        ("D1T1", "missing", "missing"),
        ("D1T2", "missing", "missing"),
        ("D2T1", "missing", "missing"),
        ("D2T2", "missing", "missing"),
        ("OFF", "missing", "missing"),
    ]
    zero = dict.fromkeys(
        ["draft", "returned", "submitted_on_time", "submitted_late", "approved"], 0
    )
    assert body["plan_totals"] == {"missing": 5, **zero}
    assert body["report_totals"] == {"missing": 5, **zero}
