"""Who sees which figures: an editor only its department, a viewer its directorate, a quality
user of another municipality nothing at all; and the submission completeness of a cycle."""

from typing import Any

from fastapi.testclient import TestClient

from app.auth.models import Role
from tests.builders import auth, user
from tests.helpers import assert_problem
from tests.metrics.expected_units import D1_OWN, D1_ROLLUP, D1T1, D1T2, D2_ROLLUP, figures
from tests.metrics.fixture import API, AS_OF, Town, completion

B_ONLY = {  # BT11/01 of municipality B: completed on time, 100 of 100, Jan 1 - Feb 28
    "planned_items": 1,
    "unplanned_items": 0,
    "completed": 1,
    "in_progress": 0,
    "not_started": 0,
    "postponed": 0,
    "cancelled": 0,
    "completion_pct": 100.0,
    "progress_pct": 100.0,
    "absorption_pct": 100.0,
    "on_time_pct": 100.0,
    "overdue_items": 0,
    "avg_delay_days": None,
    "expected_progress_pct": 100.0,
    "traffic_light": "on_track",
    "kpi_achievement_pct": None,
}


def get(client: TestClient, path: str, headers: dict[str, str], **params: Any) -> Any:
    return client.get(f"{API}{path}", params=params, headers=headers)


def test_editor_metrics_cover_only_its_department(client: TestClient, town: Town) -> None:
    ed = auth(town.users["editor"])
    assert completion(client, ed, town["D1T1"].id)["total"] == D1T1
    # without org_unit_id the scope is the editor's one grant; its sibling D1T2 is not in it
    body = completion(client, ed, None, group_by="org_unit")
    assert body["org_unit_id"] == town["D1T1"].id
    assert body["total"] == D1T1
    assert [(g["key"], figures(g)) for g in body["groups"]] == [(town["D1T1"].id, D1T1)]
    for other in ("D1", "D1T2", "D2", "MUN", "VOL", "BT11"):
        r = get(client, "/metrics/completion", ed, org_unit_id=town[other].id, year=2026)
        assert_problem(r, 404)


def test_viewer_of_a_directorate(client: TestClient, town: Town) -> None:
    v = auth(town.users["viewer"])
    body = completion(client, v, town["D1"].id, group_by="org_unit")
    assert body["total"] == D1_ROLLUP
    assert [figures(g) for g in body["groups"]] == [D1_OWN, D1T1, D1T2]
    assert completion(client, v, town["D1T2"].id)["total"] == D1T2
    for other in ("D2", "D2T1", "MUN"):
        r = get(client, "/metrics/completion", v, org_unit_id=town[other].id, year=2026)
        assert_problem(r, 404)


def test_quality_of_another_municipality_sees_nothing_of_it(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    qb = auth(town.users["quality_b"])
    for code in ("MUN", "D1", "D1T1", "D2T2", "OFF"):
        unit_id = town[code].id
        assert_problem(get(client, "/metrics/completion", qb, org_unit_id=unit_id, year=2026), 404)
        assert_problem(get(client, "/metrics/deviations", qb, org_unit_id=unit_id, year=2026), 404)
    assert_problem(get(client, f"/cycles/{town.cycles[2026].id}/completeness", qb), 404)
    # ... and its own municipality holds only its own item
    body = completion(client, qb, town["VOL"].id, group_by="org_unit")
    assert body["total"] == B_ONLY
    assert [(g["label"], figures(g)) for g in body["groups"]] == [
        ("BD1 Διεύθυνση Διοικητικών", B_ONLY)
    ]
    # and the other way round
    assert_problem(
        get(client, "/metrics/completion", q, org_unit_id=town["VOL"].id, year=2026), 404
    )
    assert (
        completion(client, q, town["MUN"].id, group_by="org_unit")["total"]["planned_items"] == 26
    )
    assert_problem(get(client, "/metrics/completion", q, org_unit_id=10**9, year=2026), 404)


def test_several_grants_need_an_org_unit(client: TestClient, town: Town) -> None:
    two = auth(
        user(town.session, "two-grants", (Role.viewer, town["D1"]), (Role.viewer, town["D2"]))
    )
    body = assert_problem(get(client, "/metrics/completion", two, year=2026, as_of=AS_OF), 422)
    assert body["errors"][0]["loc"] == ["query", "org_unit_id"]
    assert completion(client, two, town["D2"].id)["total"] == D2_ROLLUP


def completeness(client: TestClient, town: Town, year: int, headers: dict[str, str]) -> Any:
    r = get(client, f"/cycles/{town.cycles[year].id}/completeness", headers)
    assert r.status_code == 200, r.text
    return r.json()


def states(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (u["org_unit_code"], u["kind"], u["plan_id"], u["plan"], u["report"]) for u in body["units"]
    ]


def totals(*counts: int) -> dict[str, int]:
    """missing, draft, returned, submitted_on_time, submitted_late, approved."""
    names = ["missing", "draft", "returned", "submitted_on_time", "submitted_late", "approved"]
    return dict(zip(names, counts, strict=True))


def test_completeness_2026_every_active_department_and_office(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    body = completeness(client, town, 2026, q)
    assert (body["cycle_id"], body["year"]) == (town.cycles[2026].id, 2026)
    p = {code: town.plans[(code, 2026)].id for code in ("D1T1", "D1T2", "D2T1", "D2T2")}
    # not listed: the municipality, the directorates D1 and D2 (they have plans, but are not
    # expected to report), the inactive D2T3, and anything of municipality B
    assert states(body) == [
        ("D1T1", "department", p["D1T1"], "approved", "approved"),
        ("D1T2", "department", p["D1T2"], "approved", "returned"),
        ("D2T1", "department", p["D2T1"], "approved", "submitted_late"),
        ("D2T2", "department", p["D2T2"], "draft", "missing"),  # no report before approval
        ("OFF", "office", None, "missing", "missing"),
    ]
    assert body["plan_totals"] == totals(1, 1, 0, 0, 0, 3)
    assert body["report_totals"] == totals(2, 0, 1, 0, 1, 1)
    assert [u["report_late"] for u in body["units"]] == [False, False, True, False, False]


def test_completeness_2025_the_other_states(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    body = completeness(client, town, 2025, q)
    p = {code: town.plans[(code, 2025)].id for code in ("D1T1", "D1T2", "D2T1", "D2T2", "OFF")}
    assert states(body) == [
        ("D1T1", "department", p["D1T1"], "approved", "draft"),
        ("D1T2", "department", p["D1T2"], "approved", "submitted_on_time"),
        ("D2T1", "department", p["D2T1"], "submitted_late", "missing"),
        ("D2T2", "department", p["D2T2"], "returned", "missing"),
        ("OFF", "office", p["OFF"], "submitted_on_time", "missing"),
    ]
    assert body["plan_totals"] == totals(0, 0, 1, 1, 1, 2)
    assert body["report_totals"] == totals(3, 1, 0, 1, 0, 0)
    assert [u["plan_late"] for u in body["units"]] == [False, False, True, False, False]


def test_completeness_is_limited_to_the_callers_units(client: TestClient, town: Town) -> None:
    ed = completeness(client, town, 2026, auth(town.users["editor"]))
    assert [u["org_unit_code"] for u in ed["units"]] == ["D1T1"]
    assert ed["plan_totals"] == totals(0, 0, 0, 0, 0, 1)
    assert ed["report_totals"] == totals(0, 0, 0, 0, 0, 1)
    v = completeness(client, town, 2025, auth(town.users["viewer"]))
    assert [(u["org_unit_code"], u["plan"], u["report"]) for u in v["units"]] == [
        ("D1T1", "approved", "draft"),
        ("D1T2", "approved", "submitted_on_time"),
    ]
    assert v["plan_totals"] == totals(0, 0, 0, 0, 0, 2)
    assert v["report_totals"] == totals(0, 1, 0, 1, 0, 0)
