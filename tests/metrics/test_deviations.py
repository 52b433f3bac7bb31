"""GET /metrics/deviations: per item flags and sizes, worked out by hand from the fixture
(as of 2026-07-01, tolerance 10 %): late start/finish in days, absorption gap = actual − planned
(a missing actual counts as 0; null when both are missing)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.builders import auth
from tests.metrics.fixture import API, AS_OF, Town

NS, LS, LF, OD = "not_started", "late_start", "late_finish", "overdue"
UA, OA, PP, CX = "under_absorbed", "over_absorbed", "postponed", "cancelled"
UP, MR = "unplanned", "missing_reason"

# (unit, code, status, flags, late start days, late finish days, planned, actual, gap), in the
# order of the list: unit code, then item code. Items with no flag are not listed: D1T1/02, 05,
# 10, D1T2/03, 05, D2/01, D2T1/05, 06 (900 of 1000: exactly 10 % under) and 07 (1100 of 1000:
# exactly 10 % over) — "more than the tolerance" is strict.
ALL = [
    # D1/01: started Jan 20, planned Jan 15
    ("D1", "01", "completed", [LS, MR], 5, None, 1000.0, 1000.0, 0.0),
    # D1/02: no outcome, no planned start
    ("D1", "02", "not_started", [NS, MR], None, None, None, None, None),
    ("D1", "03", "postponed", [PP, MR], None, None, 0.0, None, 0.0),  # 0 − 0
    # D1T1/01: ended Jun 10, planned May 31; 9500 of 10000 is within 10 %; has a reason
    ("D1T1", "01", "completed", [LF], None, 10, 10000.0, 9500.0, -500.0),
    # D1T1/03: Jun 5 vs Jun 1; 500 < 0.9 × 2000
    ("D1T1", "03", "in_progress", [LS, UA, MR], 4, None, 2000.0, 500.0, -1500.0),
    # D1T1/04: Jan 10 vs Jan 1; ended Jun 30; no actual absorption yet, so not under-absorbed
    ("D1T1", "04", "in_progress", [LS, OD, MR], 9, None, 4000.0, None, -4000.0),  # 0 − 4000
    # D1T1/06: postponed, ended Apr 30, 0 of 3000; has a reason
    ("D1T1", "06", "postponed", [OD, UA, PP], None, None, 3000.0, 0.0, -3000.0),
    ("D1T1", "07", "cancelled", [CX], None, None, None, None, None),  # has a reason
    # D1T1/08: unplanned, 800 spent of nothing planned
    ("D1T1", "08", "completed", [OA, UP, MR], None, None, None, 800.0, 800.0),
    # D1T1/09: starts Jul 1 = as_of, nothing reported
    ("D1T1", "09", "not_started", [NS, MR], None, None, None, None, None),
    # D1T2/01: Jan 5 vs Jan 1; 12000 < 0.9 × 50000
    ("D1T2", "01", "in_progress", [LS, UA, MR], 4, None, 50000.0, 12000.0, -38000.0),
    # D1T2/02: Feb 10 vs Feb 1; Apr 15 vs Mar 31; 5600 > 1.1 × 5000
    ("D1T2", "02", "completed", [LS, LF, OA, MR], 9, 15, 5000.0, 5600.0, 600.0),
    ("D1T2", "04", "not_started", [NS, OD, MR], None, None, None, None, None),  # ended Jun 30
    ("D2", "02", "completed", [UA, MR], None, None, 8000.0, 7000.0, -1000.0),  # 7000 < 7200
    # D2T1/01: May 30 vs Mar 31 = 60 days; has a reason
    ("D2T1", "01", "completed", [LF], None, 60, 200.0, 200.0, 0.0),
    ("D2T1", "02", "in_progress", [UA, MR], None, None, 600.0, 300.0, -300.0),  # 300 < 540
    ("D2T1", "03", "cancelled", [CX, MR], None, None, 900.0, None, -900.0),
    ("D2T1", "04", "not_started", [NS, OD, MR], None, None, 0.0, None, 0.0),
    ("D2T2", "01", "completed", [OA, UP, MR], None, None, None, 100.0, 100.0),
    # D2T2/02: unplanned, started Apr 10, planned Apr 1; has a reason
    ("D2T2", "02", "in_progress", [LS, UP], 9, None, None, None, None),
]


def deviations(
    client: TestClient, headers: dict[str, str], unit_id: int, **params: Any
) -> dict[str, Any]:
    query = {"org_unit_id": unit_id, "year": 2026, "as_of": AS_OF} | params
    r = client.get(f"{API}/metrics/deviations", params=query, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def short(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["org_unit_code"],
        row["code"],
        row["status"],
        row["flags"],
        row["late_start_days"],
        row["late_finish_days"],
        row["planned_absorption"],
        row["actual_absorption"],
        row["absorption_gap"],
    )


def test_every_deviated_item_with_its_flags_and_sizes(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    body = deviations(client, q, town["MUN"].id)
    assert body["total"] == 20
    assert (body["limit"], body["offset"]) == (50, 0)
    assert [short(r) for r in body["items"]] == ALL


def test_rows_identify_the_item_and_carry_the_reason(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    body = deviations(client, q, town["D1T1"].id, flag="late_finish")
    [row] = body["items"]
    it = town.items[("D1T1", "01")]
    p = town.plans[("D1T1", 2026)]
    assert row == {
        "item_id": it.id,
        "plan_id": p.id,
        "org_unit_id": town["D1T1"].id,
        "org_unit_code": "D1T1",
        "org_unit_name": "Τμήμα Λογιστηρίου",
        "code": "01",
        "title": "Ενέργεια 01",
        "kind": "project",
        "status": "completed",
        "flags": ["late_finish"],
        "late_start_days": None,
        "late_finish_days": 10,
        "planned_absorption": 10000.0,
        "actual_absorption": 9500.0,
        "absorption_gap": -500.0,
        "deviation_category": "contractor",
        "deviation_reason": "ανάδοχος",
    }


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        (NS, [("D1", "02"), ("D1T1", "09"), ("D1T2", "04"), ("D2T1", "04")]),
        (
            LS,
            [
                ("D1", "01"),
                ("D1T1", "03"),
                ("D1T1", "04"),
                ("D1T2", "01"),
                ("D1T2", "02"),
                ("D2T2", "02"),
            ],
        ),
        (LF, [("D1T1", "01"), ("D1T2", "02"), ("D2T1", "01")]),
        (OD, [("D1T1", "04"), ("D1T1", "06"), ("D1T2", "04"), ("D2T1", "04")]),
        (UA, [("D1T1", "03"), ("D1T1", "06"), ("D1T2", "01"), ("D2", "02"), ("D2T1", "02")]),
        (OA, [("D1T1", "08"), ("D1T2", "02"), ("D2T2", "01")]),
        (PP, [("D1", "03"), ("D1T1", "06")]),
        (CX, [("D1T1", "07"), ("D2T1", "03")]),
        (UP, [("D1T1", "08"), ("D2T2", "01"), ("D2T2", "02")]),
        # every flagged item but the five with a reason (D1T1/01, 06, 07, D2T1/01, D2T2/02)
        (
            MR,
            [
                ("D1", "01"),
                ("D1", "02"),
                ("D1", "03"),
                ("D1T1", "03"),
                ("D1T1", "04"),
                ("D1T1", "08"),
                ("D1T1", "09"),
                ("D1T2", "01"),
                ("D1T2", "02"),
                ("D1T2", "04"),
                ("D2", "02"),
                ("D2T1", "02"),
                ("D2T1", "03"),
                ("D2T1", "04"),
                ("D2T2", "01"),
            ],
        ),
    ],
)
def test_filter_by_flag(
    client: TestClient, town: Town, q: dict[str, str], flag: str, expected: list
) -> None:
    body = deviations(client, q, town["MUN"].id, flag=flag)
    assert body["total"] == len(expected)
    assert [(r["org_unit_code"], r["code"]) for r in body["items"]] == expected
    assert all(flag in r["flags"] for r in body["items"])


def test_pagination(client: TestClient, town: Town, q: dict[str, str]) -> None:
    mun = town["MUN"].id
    first = deviations(client, q, mun, limit=5)
    assert (first["total"], first["limit"], first["offset"]) == (20, 5, 0)
    assert [short(r) for r in first["items"]] == ALL[:5]
    middle = deviations(client, q, mun, limit=5, offset=10)
    assert [short(r) for r in middle["items"]] == ALL[10:15]
    last = deviations(client, q, mun, limit=5, offset=18)
    assert last["total"] == 20
    assert [(r["org_unit_code"], r["code"]) for r in last["items"]] == [
        ("D2T2", "01"),
        ("D2T2", "02"),
    ]
    beyond = deviations(client, q, mun, offset=20)
    assert (beyond["total"], beyond["items"]) == (20, [])
    # pagination of a filtered list: missing_reason has 15 rows, the page from 10 has 5
    page = deviations(client, q, mun, flag=MR, limit=10, offset=10)
    assert page["total"] == 15
    assert [(r["org_unit_code"], r["code"]) for r in page["items"]] == [
        ("D2", "02"),
        ("D2T1", "02"),
        ("D2T1", "03"),
        ("D2T1", "04"),
        ("D2T2", "01"),
    ]
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}):
        r = client.get(
            f"{API}/metrics/deviations", params={"org_unit_id": mun, "year": 2026, **bad}, headers=q
        )
        assert r.status_code == 422, bad


def test_tolerance_is_strict_and_adjustable(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    """At 5 %: D2T1/06 (900/1000, 10 % under) and D2T1/07 (1100/1000) are now flagged, while
    D1T1/01 (9500/10000) and D1T1/10 (380/400), exactly 5 % under, are still not."""
    mun = town["MUN"].id
    under = deviations(client, q, mun, flag=UA, tolerance_pct=5)
    assert [(r["org_unit_code"], r["code"]) for r in under["items"]] == [
        ("D1T1", "03"),
        ("D1T1", "06"),
        ("D1T2", "01"),
        ("D2", "02"),
        ("D2T1", "02"),
        ("D2T1", "06"),
    ]
    over = deviations(client, q, mun, flag=OA, tolerance_pct=5)
    assert [(r["org_unit_code"], r["code"]) for r in over["items"]] == [
        ("D1T1", "08"),
        ("D1T2", "02"),  # 5600 > 1.05 × 5000 = 5250
        ("D2T1", "07"),  # 1100 > 1050
        ("D2T2", "01"),
    ]
    # At 0 %: any gap counts, but an item exactly on plan stays clean.
    exact = deviations(client, q, town["D1"].id, tolerance_pct=0)
    got = {(r["org_unit_code"], r["code"]): r["flags"] for r in exact["items"]}
    assert got[("D1", "01")] == [LS, MR]  # 1000 of 1000
    assert ("D1T2", "05") not in got  # 2000 of 2000
    assert ("D1T1", "02") not in got  # 0 of 0
    assert got[("D1T1", "01")] == [LF, UA]  # 9500 of 10000, has a reason
    assert got[("D1T1", "10")] == [UA, MR]  # 380 of 400
    assert exact["total"] == 14  # D1's 13 rows of ALL + D1T1/10


def test_as_of_decides_not_started_and_overdue(
    client: TestClient, town: Town, q: dict[str, str]
) -> None:
    """On 2026-06-30 D1T1/09 (planned start Jul 1) has not yet been due to start, and D1T1/04
    and D1T2/04 (planned end Jun 30) are not yet overdue."""
    body = deviations(client, q, town["D1"].id, as_of="2026-06-30")
    got = {(r["org_unit_code"], r["code"]): r["flags"] for r in body["items"]}
    assert ("D1T1", "09") not in got
    assert got[("D1T1", "04")] == [LS, MR]
    assert got[("D1T2", "04")] == [NS, MR]
    assert body["total"] == 12  # D1's 13 rows of ALL without D1T1/09


def test_editor_sees_only_its_department(client: TestClient, town: Town) -> None:
    ed = auth(town.users["editor"])
    body = deviations(client, ed, town["D1T1"].id)
    assert [short(r) for r in body["items"]] == [r for r in ALL if r[0] == "D1T1"]
    for other in ("D1", "D1T2", "MUN", "BT11"):
        r = client.get(
            f"{API}/metrics/deviations",
            params={"org_unit_id": town[other].id, "year": 2026},
            headers=ed,
        )
        assert r.status_code == 404, (other, r.text)
