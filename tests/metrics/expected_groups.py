"""Hand-worked figures of the fixture grouped by kind, funding source, employee and year
(2026 unless said, as of 2026-07-01). The per-item table with w·p, w·e, absorption and dates is
in fixture.py; "w·e 181/364" is 100 × 181/364 = 49.7253 (D1T2/01, weight 3 → 149.1758) and
"122/213" is 100 × 122/213 = 57.2770 (D2T1/07)."""

from tests.metrics.expected_units import fig

# fmt: off
# -- kind --------------------------------------------------------------------------------------
ACTION = fig(  # D1/01, D1T1/02,05,07,09, D1T2/04, D2/01, D2T1/01,04; unplanned D1T1/08, D2T2/01
    planned=9, unplanned=2, completed=3, in_progress=1, not_started=4, postponed=0, cancelled=1,
    completion=33.33,  # 3/9 (D1/01, D1T1/02, D2T1/01)
    progress=41.11,  # (100 + 100 + 70 + 100) / 9 = 370/9
    absorption=72.97,  # (1000 + 1500 + 200) / (1000 + 1000 + 1500 + 200) = 2700/3700 = 72.973
    on_time=66.67,  # D1/01, D1T1/02 on time, D2T1/01 late: 2/3
    overdue=2,  # D1T2/04, D2T1/04
    delay=60.0,  # D2T1/01
    expected=73.33,  # (100+100+0+100+0+100+60+100+100) / 9 = 660/9
    light="off_track",  # 41.11 < 0.7 × 73.33 = 51.33
    kpi=25.0,  # D2T1/04
)
PROCUREMENT = fig(  # D1T1/03, 10, D1T2/02, 05, D2T1/03
    planned=5, unplanned=0, completed=2, in_progress=2, not_started=0, postponed=0, cancelled=1,
    completion=40.0,  # 2/5
    progress=72.73,  # (0.5·40 + 100 + 100 + 2·90 + 0) / 5.5 = 400/5.5 = 72.727
    absorption=82.33,  # (500 + 380 + 5600 + 2000 + 0) / (2000 + 400 + 5000 + 2000 + 900)
    #                    = 8480/10300 = 82.330
    on_time=50.0,  # D1T1/10 on time, D1T2/02 late
    overdue=0,  # D1T2/05 ends on as_of; D2T1/03 is cancelled
    delay=15.0,  # D1T2/02
    expected=86.36,  # (25 + 50 + 100 + 200 + 100) / 5.5 = 475/5.5 = 86.364
    light="at_risk",  # 0.7 × 86.36 = 60.45 ≤ 72.73 < 0.9 × 86.36 = 77.72
    kpi=None,  # D2T1/03 has no actual
)
PROJECT = fig(  # D1/03, D1T1/01, 06, D1T2/01, D2/02, D2T1/05, 07
    planned=7, unplanned=0, completed=3, in_progress=2, not_started=0, postponed=2, cancelled=0,
    completion=42.86,  # 3/7
    progress=59.09,  # (0 + 200 + 0 + 3·30 + 200 + 100 + 60) / 11 = 650/11 = 59.091
    absorption=41.92,  # (0+9500+0+12000+7000+1000+1100) / (0+10000+3000+50000+8000+1000+1000)
    #                    = 30600/73000 = 41.918
    on_time=66.67,  # D2/02, D2T1/05 on time; D1T1/01 late
    overdue=1,  # D1T1/06
    delay=10.0,  # D1T1/01
    expected=73.31,  # (0 + 200 + 100 + 149.1758 + 200 + 100 + 57.2770) / 11 = 806.4528/11
    light="at_risk",  # 0.7 × 73.31 = 51.32 ≤ 59.09 < 0.9 × 73.31 = 65.98
    kpi=69.44,  # (33.333 + 50 + 125) / 3 = 69.444
)
SERVICE = fig(  # D1/02, D1T1/04, D1T2/03, D2T1/02, 06; unplanned D2T2/02
    planned=5, unplanned=1, completed=2, in_progress=2, not_started=1, postponed=0, cancelled=0,
    completion=40.0,  # 2/5
    progress=53.33,  # (0 + 0 + 100 + 0.5·80 + 100) / 4.5 = 240/4.5
    absorption=21.43,  # (300 + 900) / (4000 + 600 + 1000) = 1200/5600
    on_time=100.0,  # D2T1/06; D1T2/03 has no actual end
    overdue=1,  # D1T1/04
    delay=None,
    expected=90.0,  # (100 + 25 + 100) / 2.5; D1/02 and D1T2/03 lack dates
    light="off_track",  # 53.33 < 63
    kpi=None,  # D1T2/03 target = baseline
)

# -- funding source --------------------------------------------------------------------------
NONE = fig(  # D1/02, D1T2/04; unplanned D2T2/02
    planned=2, unplanned=1, completed=0, in_progress=0, not_started=2, postponed=0, cancelled=0,
    completion=0.0, progress=0.0,
    absorption=None,  # planned absorption null + null = 0: no denominator
    on_time=None, overdue=1, delay=None,  # D1T2/04 ended Jun 30
    expected=100.0,  # D1T2/04 only
    light="off_track", kpi=None,
)
NSRF = fig(  # D1T1/01, D1T2/01, D2T1/05, 07 (all projects)
    planned=4, unplanned=0, completed=2, in_progress=2, not_started=0, postponed=0, cancelled=0,
    completion=50.0,
    progress=64.29,  # (200 + 90 + 100 + 60) / 7 = 450/7
    absorption=38.06,  # 23600/62000 = 38.065
    on_time=50.0, overdue=0, delay=10.0,
    expected=72.35,  # 506.4528/7 = 72.350
    light="at_risk",  # 50.65 ≤ 64.29 < 65.12
    kpi=41.67,  # (33.333 + 50) / 2
)
OTHER = fig(  # D2T1/02
    planned=1, unplanned=0, completed=0, in_progress=1, not_started=0, postponed=0, cancelled=0,
    completion=0.0,
    progress=80.0,  # 0.5·80 / 0.5
    absorption=50.0,  # 300/600
    on_time=None, overdue=0, delay=None,
    expected=50.0,  # 0.5·50 / 0.5
    light="on_track",  # 80 ≥ 45
    kpi=None,
)
OWN = fig(  # D1/01, D1T1/02,03,05,07,09, D1T2/03,05, D2/01, D2T1/01,04,06; unpl. D1T1/08, D2T2/01
    planned=12, unplanned=2, completed=5, in_progress=3, not_started=3, postponed=0, cancelled=1,
    completion=41.67,  # 5/12
    progress=61.6,  # (100+100+20+0+0+0+100+180+70+100+0+100) / 12.5 = 770/12.5
    absorption=70.11,  # (1000+500+2000+1500+200+900) / (1000+2000+1000+2000+1500+200+1000)
    #                    = 6100/8700 = 70.115
    on_time=75.0,  # D1/01, D1T1/02, D2T1/06 on time, D2T1/01 late; D1T2/03 undated
    overdue=1,  # D2T1/04
    delay=60.0,
    expected=76.96,  # (100+100+25+0+100+0+200+60+100+100+100) / 11.5 = 885/11.5 = 76.957
    light="at_risk",  # 0.7 × 76.96 = 53.87 ≤ 61.6 < 0.9 × 76.96 = 69.26
    kpi=25.0,  # D2T1/04; D1T2/03 null
)
PDE = fig(  # D1T1/06 (postponed), 10 (completed)
    planned=2, unplanned=0, completed=1, in_progress=0, not_started=0, postponed=1, cancelled=0,
    completion=50.0, progress=50.0,  # 100/2
    absorption=11.18,  # 380/3400 = 11.176
    on_time=100.0, overdue=1, delay=None,  # overdue: D1T1/06
    expected=75.0,  # (100 + 50) / 2
    light="off_track",  # 50 < 52.5
    kpi=None,
)
RRF = fig(  # D1T1/04 (in progress, no %), D2/02 (completed, w 2)
    planned=2, unplanned=0, completed=1, in_progress=1, not_started=0, postponed=0, cancelled=0,
    completion=50.0,
    progress=66.67,  # (0 + 200) / 3
    absorption=58.33,  # 7000/12000
    on_time=100.0, overdue=1, delay=None,  # overdue: D1T1/04
    expected=100.0,  # (100 + 200) / 3
    light="off_track",  # 66.67 < 70
    kpi=125.0,
)
STATE = fig(  # D1/03 (postponed), D1T2/02 (completed late), D2T1/03 (cancelled)
    planned=3, unplanned=0, completed=1, in_progress=0, not_started=0, postponed=1, cancelled=1,
    completion=33.33, progress=33.33,  # 100/3
    absorption=94.92,  # (0 + 5600 + 0) / (0 + 5000 + 900) = 5600/5900 = 94.915
    on_time=0.0, overdue=0, delay=15.0,
    expected=66.67,  # (0 + 100 + 100) / 3
    light="off_track",  # 33.33 < 46.67
    kpi=None,
)

# -- employee (an item counts once for each of its assignees) --------------------------------
E1 = fig(  # D1T1/01 (w 2), 02, 03 (w 0.5); unplanned 08
    planned=3, unplanned=1, completed=2, in_progress=1, not_started=0, postponed=0, cancelled=0,
    completion=66.67,  # 2/3
    progress=91.43,  # (200 + 100 + 20) / 3.5 = 91.429
    absorption=83.33,  # (9500 + 0 + 500) / (10000 + 0 + 2000)
    on_time=50.0, overdue=0, delay=10.0,
    expected=92.86,  # (200 + 100 + 25) / 3.5 = 92.857
    light="on_track",  # 91.43 ≥ 0.9 × 92.86 = 83.57
    kpi=33.33,
)
E2 = fig(  # D1T1/01 (w 2), 03 (w 0.5), 04, 07, 09
    planned=5, unplanned=0, completed=1, in_progress=2, not_started=1, postponed=0, cancelled=1,
    completion=20.0,
    progress=40.0,  # (200 + 20 + 0 + 0 + 0) / 5.5
    absorption=62.5,  # (9500 + 500) / (10000 + 2000 + 4000)
    on_time=0.0, overdue=1, delay=10.0,  # overdue: 04
    expected=77.27,  # (200 + 25 + 100 + 100 + 0) / 5.5 = 425/5.5 = 77.273
    light="off_track",  # 40 < 54.09
    kpi=33.33,
)
E3 = fig(  # D1T1/03 (w 0.5), 06, 10
    planned=3, unplanned=0, completed=1, in_progress=1, not_started=0, postponed=1, cancelled=0,
    completion=33.33,
    progress=48.0,  # (20 + 0 + 100) / 2.5
    absorption=16.3,  # (500 + 0 + 380) / (2000 + 3000 + 400) = 880/5400 = 16.296
    on_time=100.0, overdue=1, delay=None,  # overdue: 06
    expected=70.0,  # (25 + 100 + 50) / 2.5
    light="off_track",  # 48 < 49
    kpi=None,
)
E4 = fig(  # D1T2/01 (w 3), 02, 04, 05 (w 2): all of D1T2 but 03
    planned=4, unplanned=0, completed=1, in_progress=2, not_started=1, postponed=0, cancelled=0,
    completion=25.0,
    progress=52.86,  # (90 + 100 + 0 + 180) / 7 = 370/7 = 52.857
    absorption=34.39,  # 19600/57000
    on_time=0.0, overdue=1, delay=15.0,
    expected=78.45,  # 549.1758/7
    light="off_track",  # 52.86 < 54.92
    kpi=50.0,
)
E5 = fig(  # D1/01, 03, D1T2/04
    planned=3, unplanned=0, completed=1, in_progress=0, not_started=1, postponed=1, cancelled=0,
    completion=33.33, progress=33.33,  # 100/3
    absorption=100.0,  # 1000 / (1000 + 0 + null)
    on_time=100.0, overdue=1, delay=None,  # overdue: D1T2/04
    expected=66.67,  # (100 + 0 + 100) / 3
    light="off_track",  # 33.33 < 46.67
    kpi=None,
)
E6 = fig(  # D2/01, 02: the whole of D2's own plan
    planned=2, unplanned=0, completed=1, in_progress=1, not_started=0, postponed=0, cancelled=0,
    completion=50.0, progress=90.0, absorption=89.47, on_time=100.0, overdue=0, delay=None,
    expected=86.67, light="on_track", kpi=125.0,
)
E7 = fig(  # D2/02 (w 2), D2T1/01, 02 (w 0.5), 06, 07
    planned=5, unplanned=0, completed=3, in_progress=2, not_started=0, postponed=0, cancelled=0,
    completion=60.0,
    progress=90.91,  # (200 + 100 + 40 + 100 + 60) / 5.5 = 500/5.5
    absorption=87.96,  # (7000+200+300+900+1100) / (8000+200+600+1000+1000) = 9500/10800
    on_time=66.67,  # D2/02, D2T1/06 on time, D2T1/01 late
    overdue=0, delay=60.0,
    expected=87.69,  # (200 + 100 + 25 + 100 + 57.2770) / 5.5 = 482.2770/5.5 = 87.687
    light="on_track",  # 90.91 ≥ 78.92
    kpi=125.0,
)
E8 = fig(  # D2T1/05, 07; unplanned D2T2/01
    planned=2, unplanned=1, completed=1, in_progress=1, not_started=0, postponed=0, cancelled=0,
    completion=50.0,
    progress=80.0,  # (100 + 60) / 2
    absorption=105.0,  # (1000 + 1100) / (1000 + 1000)
    on_time=100.0, overdue=0, delay=None,
    expected=78.64,  # (100 + 57.2770) / 2 = 78.638
    light="on_track",  # 80 ≥ 70.78
    kpi=None,
)
UNASSIGNED = fig(  # D1/02, D1T1/05, D1T2/03, D2T1/03, 04; unplanned D2T2/02
    planned=5, unplanned=1, completed=1, in_progress=0, not_started=3, postponed=0, cancelled=1,
    completion=20.0, progress=20.0,  # 100/5
    absorption=0.0,  # 0 / (1000 + 900)
    on_time=None,  # D1T2/03 has no actual end
    overdue=1,  # D2T1/04
    delay=None,
    expected=66.67,  # (0 + 100 + 100) / 3: D1T1/05, D2T1/03, 04
    light="off_track",
    kpi=25.0,  # D2T1/04
)

# -- year (no year given: the 2025 and 2026 plans together, as of 2026-07-01) -----------------
Y2025 = fig(  # D1T1 2025: 01 C late 10, 02 IP 50 (w 2), 03 X; unplanned 04
    planned=3, unplanned=1, completed=1, in_progress=1, not_started=0, postponed=0, cancelled=1,
    completion=33.33,
    progress=50.0,  # (100 + 2·50 + 0) / 4
    absorption=50.0,  # (1000 + 2000) / (1000 + 5000)
    on_time=0.0,  # 01 late
    overdue=1,  # 02 in progress, ended 2025-12-31
    delay=10.0,  # 2025-07-10 − 2025-06-30
    expected=100.0,  # all ended before 2026-07-01
    light="off_track",  # 50 < 70
    kpi=75.0,  # (6 − 0) / (8 − 0)
)
ALL_YEARS = fig(  # 2025 + 2026
    planned=29, unplanned=4, completed=11, in_progress=8, not_started=5, postponed=2, cancelled=3,
    completion=37.93,  # 11/29 = 37.931
    progress=54.71,  # (1660 + 200) / (30 + 4) = 1860/34 = 54.706
    absorption=46.63,  # (42980 + 3000) / (92600 + 6000) = 45980/98600 = 46.633
    on_time=60.0,  # (6 + 0) / (9 + 1)
    overdue=5,  # 4 + 1
    delay=23.75,  # (10 + 15 + 60 + 10) / 4
    expected=80.2,  # (2166.4528 + 400) / (28 + 4) = 2566.4528/32 = 80.202
    light="off_track",  # 54.71 < 0.7 × 80.2 = 56.14
    kpi=61.67,  # (33.333 + 50 + 125 + 25 + 75) / 5 = 61.667
)
# fmt: on
