"""GET /metrics/completion grouped by kind, funding source, employee and year; and the kind and
funding filters, which must give the figures of the matching group."""

import pytest
from fastapi.testclient import TestClient

from tests.metrics import expected_groups as G
from tests.metrics.expected_units import EMPTY, TOTAL_2026, figures
from tests.metrics.fixture import Town, completion


def rows(body: dict) -> list[tuple[object, str, dict]]:
    return [(g["key"], g["label"], figures(g)) for g in body["groups"]]


def test_group_by_kind(client: TestClient, town: Town, q: dict[str, str]) -> None:
    body = completion(client, q, town["MUN"].id, group_by="kind")
    assert body["total"] == TOTAL_2026
    assert rows(body) == [
        ("action", "action", G.ACTION),
        ("procurement", "procurement", G.PROCUREMENT),
        ("project", "project", G.PROJECT),
        ("service", "service", G.SERVICE),
    ]


def test_group_by_funding_source(client: TestClient, town: Town, q: dict[str, str]) -> None:
    body = completion(client, q, town["MUN"].id, group_by="funding_source")
    assert body["total"] == TOTAL_2026
    assert rows(body) == [
        ("none", "none", G.NONE),  # items with no funding source
        ("nsrf", "nsrf", G.NSRF),
        ("other", "other", G.OTHER),
        ("own", "own", G.OWN),
        ("pde", "pde", G.PDE),
        ("rrf", "rrf", G.RRF),
        ("state", "state", G.STATE),
    ]


def test_group_by_employee_counts_an_item_once_per_assignee(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    body = completion(client, q, town["MUN"].id, group_by="employee")
    assert body["total"] == TOTAL_2026  # the total counts every item once
    e = town.emp
    assert rows(body) == [
        (e["e1"].id, "Άννα Αλεξίου", G.E1),
        (e["e2"].id, "Βασίλης Βλάχος", G.E2),
        (e["e3"].id, "Γιώργος Γεωργίου", G.E3),
        (e["e4"].id, "Δήμητρα Δημάκη", G.E4),
        (e["e5"].id, "Ελένη Ευαγγέλου", G.E5),
        (e["e6"].id, "Ζωή Ζαχαρίου", G.E6),
        (e["e7"].id, "Ηλίας Ηλιόπουλος", G.E7),
        (e["e8"].id, "Θεοδώρα Θεοχάρη", G.E8),
        (None, "unassigned", G.UNASSIGNED),
    ]
    # 35 assignments: 26 + 3 items, D1T1/01, D1T2/04, D2/02, D2T1/07 twice, D1T1/03 three times
    counted = sum(g["planned_items"] + g["unplanned_items"] for g in body["groups"])
    assert counted == 35


def test_group_by_employee_in_one_department(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    """Scope D1T2: D1T2/04 is shared by e4 (of D1T2) and e5 (of D1); both are listed."""
    body = completion(client, q, town["D1T2"].id, group_by="employee")
    e = town.emp
    assert rows(body) == [
        (e["e4"].id, "Δήμητρα Δημάκη", G.E4),  # D1T2/01, 02, 04, 05: all of e4's items
        (
            e["e5"].id,
            "Ελένη Ευαγγέλου",
            {
                **G.E5,  # only D1T2/04 of e5's items: not started, overdue, expected 100
                "planned_items": 1,
                "completed": 0,
                "postponed": 0,
                "completion_pct": 0.0,
                "progress_pct": 0.0,
                "absorption_pct": None,  # planned absorption null
                "on_time_pct": None,
                "expected_progress_pct": 100.0,
            },
        ),
        (
            None,
            "unassigned",
            {
                **G.UNASSIGNED,  # D1T2/03 alone: completed, no start, no actual end
                "planned_items": 1,
                "unplanned_items": 0,
                "completed": 1,
                "not_started": 0,
                "cancelled": 0,
                "completion_pct": 100.0,
                "progress_pct": 100.0,
                "absorption_pct": None,  # planned 0
                "overdue_items": 0,
                "expected_progress_pct": None,  # no planned start
                "traffic_light": None,
                "kpi_achievement_pct": None,  # target = baseline
            },
        ),
    ]


def test_group_by_year_spans_the_years(client: TestClient, town: Town, q: dict[str, str]) -> None:
    body = completion(client, q, town["MUN"].id, group_by="year", year=None)
    assert body["year"] is None
    assert body["total"] == G.ALL_YEARS
    assert rows(body) == [(2025, "2025", G.Y2025), (2026, "2026", TOTAL_2026)]


def test_group_by_year_within_one_year(client: TestClient, town: Town, q: dict[str, str]) -> None:
    body = completion(client, q, town["D1T1"].id, group_by="year", year=2025)
    assert body["total"] == G.Y2025
    assert rows(body) == [(2025, "2025", G.Y2025)]


@pytest.mark.parametrize(
    ("param", "value", "expected"),
    [
        ("kind", "action", G.ACTION),
        ("kind", "procurement", G.PROCUREMENT),
        ("kind", "project", G.PROJECT),
        ("kind", "service", G.SERVICE),
        ("funding_source", "nsrf", G.NSRF),
        ("funding_source", "other", G.OTHER),
        ("funding_source", "own", G.OWN),
        ("funding_source", "pde", G.PDE),
        ("funding_source", "rrf", G.RRF),
        ("funding_source", "state", G.STATE),
    ],
)
def test_filter_gives_the_figures_of_its_group(
    client: TestClient, town: Town, q: dict[str, str], param: str, value: str, expected: dict
) -> None:
    assert completion(client, q, town["MUN"].id, **{param: value})["total"] == expected


def test_filter_applies_to_every_group(client: TestClient, town: Town, q: dict[str, str]) -> None:
    """funding_source=pde grouped by kind: D1T1/06 is the project, D1T1/10 the procurement."""
    body = completion(client, q, town["MUN"].id, funding_source="pde", group_by="kind")
    assert body["total"] == G.PDE
    assert rows(body) == [
        ("action", "action", EMPTY),  # no pde action: zeros and no rates
        (
            "procurement",
            "procurement",
            {
                **G.PDE,  # D1T1/10: completed on time, 380/400, expected 50
                "planned_items": 1,
                "postponed": 0,
                "completion_pct": 100.0,
                "progress_pct": 100.0,
                "absorption_pct": 95.0,  # 380/400
                "overdue_items": 0,
                "expected_progress_pct": 50.0,
                "traffic_light": "on_track",  # 100 ≥ 45
            },
        ),
        (
            "project",
            "project",
            {
                **G.PDE,  # D1T1/06: postponed, overdue, 0/3000, expected 100
                "planned_items": 1,
                "completed": 0,
                "completion_pct": 0.0,
                "progress_pct": 0.0,
                "absorption_pct": 0.0,
                "on_time_pct": None,
                "expected_progress_pct": 100.0,
            },
        ),
        ("service", "service", EMPTY),
    ]
