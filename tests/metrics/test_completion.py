"""GET /metrics/completion: the total of a scope and its org-unit grouping, plus the filters,
checked figure by figure against the hand-worked numbers of expected_units.py."""

from fastapi.testclient import TestClient

from tests.metrics.expected_units import (
    APPROVED_PLANS,
    D1_OWN,
    D1_ROLLUP,
    D1T1,
    D1T2,
    D2_OWN,
    D2_ROLLUP,
    D2T1,
    D2T2,
    EMPTY,
    SERVICE_IN_D1,
    SERVICE_IN_D2,
    TOTAL_2026,
    figures,
)
from tests.metrics.fixture import Town, completion


def rows(body: dict) -> list[tuple[object, str, dict]]:
    return [(g["key"], g["label"], figures(g)) for g in body["groups"]]


def test_total_of_the_municipality(client: TestClient, town: Town, q: dict[str, str]) -> None:
    body = completion(client, q, town["MUN"].id)
    assert body["org_unit_id"] == town["MUN"].id
    assert body["year"] == 2026
    assert body["as_of"] == "2026-07-01"
    assert body["group_by"] is None
    assert body["groups"] == []
    assert body["total"] == TOTAL_2026


def test_group_by_org_unit_rolls_each_directorate_up_over_its_subtree(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    body = completion(client, q, town["MUN"].id, group_by="org_unit")
    assert body["total"] == TOTAL_2026
    assert rows(body) == [
        (town["D1"].id, "D1 Διεύθυνση Οικονομικών", D1_ROLLUP),
        (town["D2"].id, "D2 Διεύθυνση Τεχνικών Έργων", D2_ROLLUP),
        # the office has no 2026 plan: listed, with zero counts and no rates
        (town["OFF"].id, "OFF Γραφείο Δημάρχου", EMPTY),
    ]


def test_directorate_scope_lists_its_own_plan_and_its_departments(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    body = completion(client, q, town["D1"].id, group_by="org_unit")
    assert body["total"] == D1_ROLLUP
    assert rows(body) == [
        (town["D1"].id, "D1 Διεύθυνση Οικονομικών", D1_OWN),
        (town["D1T1"].id, "D1T1 Τμήμα Λογιστηρίου", D1T1),
        (town["D1T2"].id, "D1T2 Τμήμα Προμηθειών", D1T2),
    ]


def test_second_directorate_and_its_departments(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    body = completion(client, q, town["D2"].id, group_by="org_unit")
    assert body["total"] == D2_ROLLUP
    assert rows(body) == [
        (town["D2"].id, "D2 Διεύθυνση Τεχνικών Έργων", D2_OWN),
        (town["D2T1"].id, "D2T1 Τμήμα Μελετών", D2T1),
        (town["D2T2"].id, "D2T2 Τμήμα Συντήρησης", D2T2),
        # deactivated, still a child: it answers with zeros rather than vanishing
        (town["D2T3"].id, "D2T3 Τμήμα Καταργημένο", EMPTY),
    ]


def test_each_department_alone(client: TestClient, town: Town, q: dict[str, str]) -> None:
    for code, expected in [("D1T1", D1T1), ("D1T2", D1T2), ("D2T1", D2T1), ("D2T2", D2T2)]:
        body = completion(client, q, town[code].id, group_by="org_unit")
        assert body["total"] == expected, code
        # a department has no children: its own plan is its only row
        assert rows(body) == [(town[code].id, f"{code} {town[code].name}", expected)], code


def test_filter_plan_status(client: TestClient, town: Town, q: dict[str, str]) -> None:
    mun = town["MUN"].id
    assert completion(client, q, mun, plan_status="approved")["total"] == APPROVED_PLANS
    # only D2's own plan is submitted
    assert completion(client, q, mun, plan_status="submitted")["total"] == D2_OWN
    # only D2T2's plan is a draft, and it holds only unplanned items
    assert completion(client, q, mun, plan_status="draft")["total"] == D2T2
    assert completion(client, q, mun, plan_status="returned")["total"] == EMPTY


def test_filter_plan_status_with_org_unit_groups(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    body = completion(client, q, town["MUN"].id, plan_status="approved", group_by="org_unit")
    assert rows(body) == [
        (town["D1"].id, "D1 Διεύθυνση Οικονομικών", D1_ROLLUP),  # all of D1 is approved
        (town["D2"].id, "D2 Διεύθυνση Τεχνικών Έργων", D2T1),  # of D2, only D2T1
        (town["OFF"].id, "OFF Γραφείο Δημάρχου", EMPTY),
    ]


def test_filter_kind_with_org_unit_groups(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    body = completion(client, q, town["MUN"].id, kind="service", group_by="org_unit")
    assert rows(body) == [
        (town["D1"].id, "D1 Διεύθυνση Οικονομικών", SERVICE_IN_D1),
        (town["D2"].id, "D2 Διεύθυνση Τεχνικών Έργων", SERVICE_IN_D2),
        (town["OFF"].id, "OFF Γραφείο Δημάρχου", EMPTY),
    ]
    # the total is the two subtrees together:
    assert body["total"] == {
        "planned_items": 5,  # 3 + 2
        "unplanned_items": 1,
        "completed": 2,
        "in_progress": 2,
        "not_started": 1,
        "postponed": 0,
        "cancelled": 0,
        "completion_pct": 40.0,  # 2/5
        "progress_pct": 53.33,  # (100 + 140) / (3 + 1.5) = 240/4.5
        "absorption_pct": 21.43,  # (0 + 1200) / (4000 + 1600) = 1200/5600 = 21.429
        "on_time_pct": 100.0,  # D2T1/06: 1/1
        "overdue_items": 1,
        "avg_delay_days": None,
        "expected_progress_pct": 90.0,  # (100 + 125) / (1 + 1.5) = 225/2.5
        "traffic_light": "off_track",  # 53.33 < 0.7 × 90 = 63
        "kpi_achievement_pct": None,
    }


def test_kind_and_funding_filters_combine(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    mun = town["MUN"].id
    # The nsrf items are all projects: D1T1/01, D1T2/01, D2T1/05, D2T1/07.
    nsrf_projects = {
        "planned_items": 4,
        "unplanned_items": 0,
        "completed": 2,  # D1T1/01, D2T1/05
        "in_progress": 2,  # D1T2/01 (30), D2T1/07 (60)
        "not_started": 0,
        "postponed": 0,
        "cancelled": 0,
        "completion_pct": 50.0,  # 2/4
        "progress_pct": 64.29,  # (2·100 + 3·30 + 100 + 60) / (2 + 3 + 1 + 1) = 450/7 = 64.286
        "absorption_pct": 38.06,  # (9500+12000+1000+1100) / (10000+50000+1000+1000) = 23600/62000
        "on_time_pct": 50.0,  # D2T1/05 on time, D1T1/01 late: 1/2
        "overdue_items": 0,
        "avg_delay_days": 10.0,  # D1T1/01
        "expected_progress_pct": 72.35,  # (200 + 149.1758 + 100 + 57.2770) / 7 = 506.4528/7
        "traffic_light": "at_risk",  # 0.7 × 72.35 = 50.645 ≤ 64.29 < 0.9 × 72.35 = 65.115
        "kpi_achievement_pct": 41.67,  # (33.333 + 50) / 2
    }
    assert completion(client, q, mun, funding_source="nsrf")["total"] == nsrf_projects
    both = completion(client, q, mun, funding_source="nsrf", kind="project")
    assert both["total"] == nsrf_projects
    assert completion(client, q, mun, funding_source="nsrf", kind="action")["total"] == EMPTY


def test_as_of_moves_overdue_and_expected(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    """The same scope judged on 2026-12-31: every 2026 planned item with dates has ended."""
    body = completion(client, q, town["D2T1"].id, as_of="2026-12-31")
    assert body["as_of"] == "2026-12-31"
    expected_dec = {
        **D2T1,
        # overdue: 04 (not started) and now 02 (in progress, ended Jul 11) and 07 (Sep 30)
        "overdue_items": 3,
        # every item of D2T1 has both dates and has ended: 100
        "expected_progress_pct": 100.0,
        "traffic_light": "off_track",  # 61.54 < 70
    }
    assert body["total"] == expected_dec


def test_year_is_required_unless_grouped_by_year(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    r = client.get("/api/v1/metrics/completion", params={"org_unit_id": town["MUN"].id}, headers=q)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_unknown_group_or_filter_is_refused(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    for bad in ({"group_by": "colour"}, {"kind": "party"}, {"plan_status": "lost"}):
        r = client.get(
            "/api/v1/metrics/completion",
            params={"org_unit_id": town["MUN"].id, "year": 2026, **bad},
            headers=q,
        )
        assert r.status_code == 422, (bad, r.text)
