"""Hand-worked figures of the fixture (tests/metrics/fixture.py) per unit and subtree, 2026,
as of 2026-07-01. Each number carries its arithmetic; the per-item table is in fixture.py."""

from typing import Any


def fig(
    *,
    planned: int,
    unplanned: int,
    completed: int,
    in_progress: int,
    not_started: int,
    postponed: int,
    cancelled: int,
    completion: float | None,
    progress: float | None,
    absorption: float | None,
    on_time: float | None,
    overdue: int,
    delay: float | None,
    expected: float | None,
    light: str | None,
    kpi: float | None,
) -> dict[str, Any]:
    """Every §5 figure, all of them required so that none is forgotten."""
    return {
        "planned_items": planned,
        "unplanned_items": unplanned,
        "completed": completed,
        "in_progress": in_progress,
        "not_started": not_started,
        "postponed": postponed,
        "cancelled": cancelled,
        "completion_pct": completion,
        "progress_pct": progress,
        "absorption_pct": absorption,
        "on_time_pct": on_time,
        "overdue_items": overdue,
        "avg_delay_days": delay,
        "expected_progress_pct": expected,
        "traffic_light": light,
        "kpi_achievement_pct": kpi,
    }


# fmt: off
D1_OWN = fig(  # items D1/01 (C), 02 (no outcome), 03 (postponed)
    planned=3, unplanned=0, completed=1, in_progress=0, not_started=1, postponed=1, cancelled=0,
    completion=33.33,  # 1/3
    progress=33.33,  # (100 + 0 + 0) / 3
    absorption=100.0,  # (1000 + 0 + null) / (1000 + null + 0) = 1000/1000
    on_time=100.0,  # 01 ended Mar 31 as planned: 1/1
    overdue=0,  # 03 ends Dec 15; 02 has no end
    delay=None,  # nothing finished late
    expected=50.0,  # (100 + 0) / 2, 02 has no dates
    light="off_track",  # 33.33 < 0.7 × 50 = 35
    kpi=None,
)
D1T1 = fig(  # 01-07, 09, 10 planned; 08 unplanned
    planned=9, unplanned=1, completed=3, in_progress=2, not_started=2, postponed=1, cancelled=1,
    completion=33.33,  # 3/9 (01, 02, 10)
    progress=44.21,  # (2·100 + 100 + 0.5·40 + 100) / 9.5 = 420/9.5 = 44.2105
    absorption=50.88,  # (9500+500+380) / (10000+0+2000+4000+1000+3000+0+0+400) = 10380/20400
    on_time=66.67,  # 02 and 10 on time, 01 late: 2/3
    overdue=2,  # 04 (in progress, ended Jun 30), 06 (postponed, ended Apr 30)
    delay=10.0,  # 01: Jun 10 − May 31
    expected=71.05,  # (200+100+25+100+0+100+100+0+50) / 9.5 = 675/9.5 = 71.0526
    light="off_track",  # 44.21 < 0.7 × 71.05 = 49.735
    kpi=33.33,  # 01: (1 − 0) / (3 − 0) × 100
)
D1T2 = fig(
    planned=5, unplanned=0, completed=2, in_progress=2, not_started=1, postponed=0, cancelled=0,
    completion=40.0,  # 2/5 (02, 03)
    progress=58.75,  # (3·30 + 100 + 100 + 0 + 2·90) / 8 = 470/8
    absorption=34.39,  # (12000+5600+0+0+2000) / (50000+5000+0+0+2000) = 19600/57000 = 34.386
    on_time=0.0,  # 02 late; 03 has no actual end: 0/1
    overdue=1,  # 04 (ended Jun 30); 05 ends on as_of itself, not before
    delay=15.0,  # 02: Apr 15 − Mar 31
    expected=78.45,  # (3·100·181/364 + 100 + 100 + 2·100) / 7 = 549.1758/7 = 78.4537; 03 no start
    light="at_risk",  # 0.7 × 78.45 = 54.915 ≤ 58.75 < 0.9 × 78.45 = 70.605
    kpi=50.0,  # 01: (80 − 100) / (60 − 100) × 100 = 50; 03 target = baseline → null
)
D1_ROLLUP = fig(  # D1 + D1T1 + D1T2
    planned=17, unplanned=1, completed=6, in_progress=4, not_started=4, postponed=2, cancelled=1,
    completion=35.29,  # 6/17 = 35.294
    progress=48.29,  # (100 + 420 + 470) / (3 + 9.5 + 8) = 990/20.5 = 48.293
    absorption=39.52,  # (1000 + 10380 + 19600) / (1000 + 20400 + 57000) = 30980/78400 = 39.515
    on_time=60.0,  # (1 + 2 + 0) / (1 + 3 + 1) = 3/5
    overdue=3,  # 0 + 2 + 1
    delay=12.5,  # (10 + 15) / 2
    expected=71.58,  # (100 + 675 + 549.1758) / (2 + 9.5 + 7) = 1324.1758/18.5 = 71.577
    light="off_track",  # 48.29 < 0.7 × 71.58 = 50.106
    kpi=41.67,  # (33.333 + 50) / 2 = 41.667
)
D2_OWN = fig(  # D2/01 (in progress 70), 02 (completed, w 2)
    planned=2, unplanned=0, completed=1, in_progress=1, not_started=0, postponed=0, cancelled=0,
    completion=50.0,  # 1/2
    progress=90.0,  # (70 + 2·100) / 3 = 270/3
    absorption=89.47,  # (1500 + 7000) / (1500 + 8000) = 8500/9500 = 89.474
    on_time=100.0,  # 02 ended Jun 5, planned Jun 15: 1/1
    overdue=0,
    delay=None,
    expected=86.67,  # (100·(182−122)/(222−122) + 2·100) / 3 = (60 + 200)/3 = 86.667
    light="on_track",  # 90 ≥ 0.9 × 86.67 = 78.0
    kpi=125.0,  # 02: (45 − 20) / (40 − 20) × 100
)
D2T1 = fig(
    planned=7, unplanned=0, completed=3, in_progress=2, not_started=1, postponed=0, cancelled=1,
    completion=42.86,  # 3/7 (01, 05, 06) = 42.857
    progress=61.54,  # (100 + 0.5·80 + 0 + 0 + 100 + 100 + 60) / 6.5 = 400/6.5 = 61.538
    absorption=74.47,  # (200+300+0+0+1000+900+1100) / (200+600+900+0+1000+1000+1000) = 3500/4700
    on_time=66.67,  # 05 (Feb 28 = Feb 28) and 06 (Jun 30 = Jun 30) on time, 01 late: 2/3
    overdue=1,  # 04 (not started, ended Jun 30); 03 cancelled does not count
    delay=60.0,  # 01: May 30 − Mar 31
    expected=89.58,  # (100 + 25 + 100 + 100 + 100 + 100 + 100·122/213) / 6.5 = 582.2770/6.5
    light="off_track",  # 61.54 < 0.7 × 89.58 = 62.706
    kpi=25.0,  # 04: (1 − 0)/(4 − 0) × 100; 03 has no actual → null
)
D2T2 = fig(  # a draft plan with two unplanned items: every rate has a zero denominator
    planned=0, unplanned=2, completed=0, in_progress=0, not_started=0, postponed=0, cancelled=0,
    completion=None, progress=None, absorption=None, on_time=None, overdue=0, delay=None,
    expected=None, light=None, kpi=None,
)
D2_ROLLUP = fig(  # D2 + D2T1 + D2T2 (+ D2T3, inactive and empty)
    planned=9, unplanned=2, completed=4, in_progress=3, not_started=1, postponed=0, cancelled=1,
    completion=44.44,  # 4/9
    progress=70.53,  # (270 + 400) / (3 + 6.5) = 670/9.5 = 70.526
    absorption=84.51,  # (8500 + 3500) / (9500 + 4700) = 12000/14200 = 84.507
    on_time=75.0,  # (1 + 2) / (1 + 3)
    overdue=1,
    delay=60.0,
    expected=88.66,  # (260 + 582.2770) / 9.5 = 88.661
    light="at_risk",  # 0.7 × 88.66 = 62.062 ≤ 70.53 < 0.9 × 88.66 = 79.794
    kpi=75.0,  # (125 + 25) / 2
)
TOTAL_2026 = fig(  # D1 subtree + D2 subtree (OFF has nothing)
    planned=26, unplanned=3, completed=10, in_progress=7, not_started=5, postponed=2, cancelled=2,
    completion=38.46,  # 10/26 = 38.462
    progress=55.33,  # (990 + 670) / (20.5 + 9.5) = 1660/30 = 55.333
    absorption=46.41,  # (30980 + 12000) / (78400 + 14200) = 42980/92600 = 46.415
    on_time=66.67,  # (3 + 3) / (5 + 4) = 6/9
    overdue=4,  # 3 + 1
    delay=28.33,  # (10 + 15 + 60) / 3 = 28.333
    expected=77.37,  # (1324.1758 + 842.2770) / (18.5 + 9.5) = 2166.4528/28 = 77.373
    light="at_risk",  # 0.7 × 77.37 = 54.159 ≤ 55.33 < 0.9 × 77.37 = 69.633
    kpi=58.33,  # (33.333 + 50 + 125 + 25) / 4 = 58.333
)
APPROVED_PLANS = fig(  # plan_status=approved: D1, D1T1, D1T2, D2T1 (not D2 submitted, D2T2 draft)
    planned=24, unplanned=1, completed=9, in_progress=6, not_started=5, postponed=2, cancelled=2,
    completion=37.5,  # 9/24
    progress=51.48,  # (990 + 400) / (20.5 + 6.5) = 1390/27 = 51.481
    absorption=41.49,  # (30980 + 3500) / (78400 + 4700) = 34480/83100 = 41.492
    on_time=62.5,  # (3 + 2) / (5 + 3) = 5/8
    overdue=4,  # 3 + 1
    delay=28.33,  # (10 + 15 + 60) / 3
    expected=76.26,  # (1324.1758 + 582.2770) / (18.5 + 6.5) = 1906.4528/25 = 76.258
    light="off_track",  # 51.48 < 0.7 × 76.26 = 53.382
    kpi=36.11,  # (33.333 + 50 + 25) / 3 = 36.111
)
SERVICE_IN_D1 = fig(  # kind=service under D1: D1/02 (no outcome), D1T1/04 (IP), D1T2/03 (C)
    planned=3, unplanned=0, completed=1, in_progress=1, not_started=1, postponed=0, cancelled=0,
    completion=33.33,  # 1/3
    progress=33.33,  # (0 + 0 + 100) / 3
    absorption=0.0,  # (0 + 0 + 0) / (0 + 4000 + 0)
    on_time=None,  # D1T2/03 has no actual end
    overdue=1,  # D1T1/04
    delay=None,
    expected=100.0,  # only D1T1/04 has both dates: 100/1
    light="off_track",  # 33.33 < 70
    kpi=None,  # D1T2/03: target = baseline
)
SERVICE_IN_D2 = fig(  # kind=service under D2: D2T1/02 (IP 80, w 0.5), D2T1/06 (C), D2T2/02 (U)
    planned=2, unplanned=1, completed=1, in_progress=1, not_started=0, postponed=0, cancelled=0,
    completion=50.0,  # 1/2
    progress=93.33,  # (0.5·80 + 100) / 1.5 = 140/1.5
    absorption=75.0,  # (300 + 900) / (600 + 1000)
    on_time=100.0,  # D2T1/06: 1/1
    overdue=0,
    delay=None,
    expected=83.33,  # (0.5·50 + 100) / 1.5 = 125/1.5
    light="on_track",  # 93.33 ≥ 0.9 × 83.33
    kpi=None,
)
# fmt: on
EMPTY = fig(
    planned=0,
    unplanned=0,
    completed=0,
    in_progress=0,
    not_started=0,
    postponed=0,
    cancelled=0,
    completion=None,
    progress=None,
    absorption=None,
    on_time=None,
    overdue=0,
    delay=None,
    expected=None,
    light=None,
    kpi=None,
)


def figures(row: dict[str, Any]) -> dict[str, Any]:
    """The §5 figures of a total or a group row (without its key and label)."""
    return {k: row[k] for k in EMPTY}
