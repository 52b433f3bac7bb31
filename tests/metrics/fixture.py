"""A small municipality whose figures are worked out by hand in the metrics tests.

Municipality A (code MUN), judged at AS_OF = 2026-07-01 (day 182 of 2026):

    MUN
    ├── D1   directorate   plan 2026 approved          (employee e5 Ελένη)
    │   ├── D1T1 department plan 2026 and 2025 approved (e1 Άννα, e2 Βασίλης, e3 Γιώργος)
    │   └── D1T2 department plan 2026 approved          (e4 Δήμητρα)
    ├── D2   directorate   plan 2026 submitted          (e6 Ζωή)
    │   ├── D2T1 department plan 2026 approved          (e7 Ηλίας)
    │   ├── D2T2 department plan 2026 draft, only unplanned items (e8 Θεοδώρα)
    │   └── D2T3 department, inactive, nothing
    └── OFF  office, no 2026 plan

Municipality B (code VOL) has one department with one completed item: it must never show up.

The 2026 items, one line each, with what every figure takes from them. Days are days of 2026
(Jan 1 = 1, Feb 1 = 32, Mar 1 = 60, Apr 1 = 91, May 1 = 121, Jun 1 = 152, Jul 1 = 182,
Aug 1 = 213, Sep 1 = 244, Oct 1 = 274, Dec 1 = 335). w·p = weight × progress share,
w·e = weight × expected share (only items with both planned dates), "abs" = actual / planned
absorption (null counted as 0), "dd" = completed with both end dates (on time or late by n).

unit code kind        fund  w    status  w·p  w·e                         abs          dd     kpi
D1   01   action      own   1    C       100  100 (ended d90)              1000/1000    on time
D1   02   service     -     1    none    0    - (no dates)                 0/0
D1   03   project     state 1    P       0    0 (starts d244)              0/0
D1T1 01   project     nsrf  2    C       200  2×100                        9500/10000   late10 33.33
D1T1 02   action      own   1    C       100  100                          0/0          on time
D1T1 03   procurement own   0.5  IP 40   20   0.5×50 (d152..d212: 30/60)   500/2000
D1T1 04   service     rrf   1    IP null 0    100 (ended d181) overdue     0/4000
D1T1 05   action      own   1    NS      0    0 (starts d244)              0/1000
D1T1 06   project     pde   1    P       0    100 overdue                  0/3000
D1T1 07   action      own   1    X       0    100                          0/0
D1T1 08   action      own   unplanned, completed, actual absorption 800
D1T1 09   action      own   1    none    0    0 (starts d182 = as_of)      0/0
D1T1 10   procurement pde   1    C       100  50 (d121..d243: 61/122)      380/400      on time
D1T2 01   project     nsrf  3    IP 30   90   3×100×181/364 = 149.1758     12000/50000        50
D1T2 02   procurement state 1    C       100  100                          5600/5000    late 15
D1T2 03   service     own   1    C       100  - (no start)                 0/0 (no actual end) null
D1T2 04   action      -     1    none    0    100 overdue                  0/0
D1T2 05   procurement own   2    IP 90   180  2×100 (ends d182 = as_of)    2000/2000
D2   01   action      own   1    IP 70   70   100×60/100 = 60 (d122..d222) 1500/1500
D2   02   project     rrf   2    C       200  2×100                        7000/8000    on time 125
D2T1 01   action      own   1    C       100  100                          200/200      late 60
D2T1 02   service     other 0.5  IP 80   40   0.5×50 (d172..d192: 10/20)   300/600
D2T1 03   procurement state 1    X       0    100                          0/900              null
          (its deviation reason is blank: still "missing")
D2T1 04   action      own   1    NS      0    100 overdue                  0/0                25
D2T1 05   project     nsrf  1    C       100  100                          1000/1000    on time
D2T1 06   service     own   1    C       100  100                          900/1000     on time
D2T1 07   project     nsrf  1    IP 60   60   100×122/213 = 57.2770        1100/1000
D2T2 01   action      own   unplanned, completed, actual absorption 100
D2T2 02   service     -     unplanned, in progress 50, KPI 0→10 actual 5 (counts nowhere)

KPIs: D1T1/01 increase 0→3, actual 1: 1/3 = 33.33; D1T2/01 decrease 100→60, actual 80:
(80−100)/(60−100) = 50; D1T2/03 target = baseline (null); D2/02 increase 20→40, actual 45:
25/20 = 125; D2T1/03 decrease 50→30, no actual (null); D2T1/04 increase 0→4, actual 1: 25.

Assignees: e1 D1T1/01,02,03,08; e2 D1T1/01,03,04,07,09; e3 D1T1/03,06,10; e4 D1T2/01,02,04,05;
e5 D1/01,03 and D1T2/04; e6 D2/01,02; e7 D2/02 and D2T1/01,02,06,07; e8 D2T1/05,07, D2T2/01.
Nobody: D1/02, D1T1/05, D1T2/03, D2T1/03, D2T1/04, D2T2/02.

2025 (plan of D1T1): 01 action own w1 C (planned end 2025-06-30, actual end 2025-07-10: late
10) 1000/1000; 02 project nsrf w2 IP 50, 2000/5000, KPI 0→8 actual 6 = 75, overdue; 03 service
own w1 X; 04 unplanned completed.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Role, User
from app.org.models import Employee, OrgUnit, UnitKind
from app.planning.models import Cycle, Item, ItemAssignee, Plan
from app.reporting.models import Outcome
from tests import plan_builders as pb
from tests.builders import employee, municipality, unit, user

AS_OF = "2026-07-01"
API = "/api/v1"


def d(month_day: str, year: int = 2026) -> date:
    return date.fromisoformat(f"{year}-{month_day}")


@dataclass
class Town:
    session: Session
    units: dict[str, OrgUnit] = field(default_factory=dict)
    plans: dict[tuple[str, int], Plan] = field(default_factory=dict)
    items: dict[tuple[str, str], Item] = field(default_factory=dict)  # (unit, code) of 2026
    emp: dict[str, Employee] = field(default_factory=dict)
    cycles: dict[int, Cycle] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, code: str) -> OrgUnit:
        return self.units[code]

    def add(
        self,
        unit_code: str,
        code: str,
        kind: str,
        fund: str | None,
        weight: str,
        ps: date | None,
        pe: date | None,
        pa: int | None,
        *,
        year: int = 2026,
        unplanned: bool = False,
        who: tuple[str, ...] = (),
        kpi: tuple[int, int, str] | None = None,
        out: dict[str, Any] | None = None,
    ) -> Item:
        p = self.plans[(unit_code, year)]
        fields: dict[str, Any] = {
            "kind": kind,
            "funding_source": fund,
            "weight": Decimal(weight),
            "planned_start": ps,
            "planned_end": pe,
            "planned_absorption": None if pa is None else Decimal(pa),
            "budget": None if pa is None else Decimal(pa),
            "unplanned": unplanned,
        }
        if kpi is not None:
            base, target, direction = kpi
            fields |= {
                "kpi_name": "δείκτης",
                "kpi_baseline": Decimal(base),
                "kpi_target": Decimal(target),
                "kpi_direction": direction,
            }
        it = pb.item(self.session, p, code, **fields)
        for name in who:
            self.session.add(
                ItemAssignee(
                    item_id=it.id,  # type: ignore[arg-type]
                    employee_id=self.emp[name].id,  # type: ignore[arg-type]
                    municipality_id=p.municipality_id,
                )
            )
        if out is not None:
            values = dict(out)
            for money in ("actual_absorption", "progress_pct", "kpi_actual"):
                if values.get(money) is not None:
                    values[money] = Decimal(values[money])
            self.session.add(
                Outcome(municipality_id=p.municipality_id, item_id=it.id, **values)  # type: ignore[arg-type]
            )
        self.session.flush()
        if year == 2026:
            self.items[(unit_code, code)] = it
        return it


def C(ae: date | None, aa: int | None, as_: date | None = None) -> dict[str, Any]:
    """A completed outcome."""
    return {"status": "completed", "actual_start": as_, "actual_end": ae, "actual_absorption": aa}


def build(session: Session) -> Town:
    t = Town(session)
    s = session
    a = municipality(s, "MUN", "Δήμος Δοκιμής")
    t.units["MUN"] = a
    t.units["D1"] = unit(s, a, "D1", "Διεύθυνση Οικονομικών", UnitKind.directorate)
    t.units["D1T1"] = unit(s, t["D1"], "D1T1", "Τμήμα Λογιστηρίου")
    t.units["D1T2"] = unit(s, t["D1"], "D1T2", "Τμήμα Προμηθειών")
    t.units["D2"] = unit(s, a, "D2", "Διεύθυνση Τεχνικών Έργων", UnitKind.directorate)
    t.units["D2T1"] = unit(s, t["D2"], "D2T1", "Τμήμα Μελετών")
    t.units["D2T2"] = unit(s, t["D2"], "D2T2", "Τμήμα Συντήρησης")
    t.units["D2T3"] = unit(s, t["D2"], "D2T3", "Τμήμα Καταργημένο")
    t.units["D2T3"].active = False
    t.units["OFF"] = unit(s, a, "OFF", "Γραφείο Δημάρχου", UnitKind.office)
    b = municipality(s, "VOL", "Δήμος Βόλου")
    t.units["VOL"] = b
    t.units["BD1"] = unit(s, b, "BD1", "Διεύθυνση Διοικητικών", UnitKind.directorate)
    t.units["BT11"] = unit(s, t["BD1"], "BT11", "Τμήμα Προσωπικού")

    # made in reverse order, so that listing by id and listing by name differ
    for name, where in [
        ("e8", "D2T2"),
        ("e7", "D2T1"),
        ("e6", "D2"),
        ("e5", "D1"),
        ("e4", "D1T2"),
        ("e3", "D1T1"),
        ("e2", "D1T1"),
        ("e1", "D1T1"),
    ]:
        full = {
            "e1": "Άννα Αλεξίου",
            "e2": "Βασίλης Βλάχος",
            "e3": "Γιώργος Γεωργίου",
            "e4": "Δήμητρα Δημάκη",
            "e5": "Ελένη Ευαγγέλου",
            "e6": "Ζωή Ζαχαρίου",
            "e7": "Ηλίας Ηλιόπουλος",
            "e8": "Θεοδώρα Θεοχάρη",
        }[name]
        t.emp[name] = employee(s, t[where], full)
    t.emp["idle"] = employee(s, t["D1T1"], "Ιωάννα Ιωάννου")  # assigned to nothing

    # Cycles: deadlines do not matter to the figures, only the late flags set below.
    t.cycles[2025] = pb.cycle(s, a, 2025)
    t.cycles[2026] = pb.cycle(s, a, 2026)
    pb.cycle(s, b, 2026)

    def plan(code: str, year: int, status: str, report: str = "draft", **late: bool) -> None:
        t.plans[(code, year)] = pb.plan(
            s, t[code], year, status=status, report_status=report, **late
        )

    plan("D1", 2026, "approved")
    plan("D1T1", 2026, "approved", "approved")
    plan("D1T2", 2026, "approved", "returned")
    plan("D2", 2026, "submitted")
    plan("D2T1", 2026, "approved", "submitted", report_late=True)
    plan("D2T2", 2026, "draft")
    plan("D1T1", 2025, "approved", "draft")
    plan("D1T2", 2025, "approved", "submitted")
    plan("D2T1", 2025, "submitted", plan_late=True)
    plan("D2T2", 2025, "returned")
    plan("OFF", 2025, "submitted")
    plan("BT11", 2026, "approved")

    R = {"deviation_reason": "εξήγηση", "deviation_category": "other"}

    # D1 (the directorate's own plan)
    t.add("D1", "01", "action", "own", "1", d("01-15"), d("03-31"), 1000, who=("e5",),
          out=C(d("03-31"), 1000, d("01-20")))  # fmt: skip
    t.add("D1", "02", "service", None, "1", None, None, None)
    t.add("D1", "03", "project", "state", "1", d("09-01"), d("12-15"), 0, who=("e5",),
          out={"status": "postponed"})  # fmt: skip

    # D1T1
    t.add("D1T1", "01", "project", "nsrf", "2", d("02-01"), d("05-31"), 10000, who=("e1", "e2"),
          kpi=(0, 3, "increase"),
          out=C(d("06-10"), 9500, d("02-01")) | {"kpi_actual": 1, "deviation_reason": "ανάδοχος",
                                                 "deviation_category": "contractor"})  # fmt: skip
    t.add("D1T1", "02", "action", "own", "1", d("03-01"), d("04-30"), 0, who=("e1",),
          out=C(d("04-20"), 0, d("03-01")))  # fmt: skip
    t.add("D1T1", "03", "procurement", "own", "0.5", d("06-01"), d("07-31"), 2000,
          who=("e1", "e2", "e3"),
          out={"status": "in_progress", "progress_pct": 40, "actual_start": d("06-05"),
               "actual_absorption": 500})  # fmt: skip
    t.add("D1T1", "04", "service", "rrf", "1", d("01-01"), d("06-30"), 4000, who=("e2",),
          out={"status": "in_progress", "actual_start": d("01-10")})  # fmt: skip
    t.add("D1T1", "05", "action", "own", "1", d("09-01"), d("11-30"), 1000,
          out={"status": "not_started"})  # fmt: skip
    t.add("D1T1", "06", "project", "pde", "1", d("02-01"), d("04-30"), 3000, who=("e3",),
          out={"status": "postponed", "actual_absorption": 0, **R})  # fmt: skip
    t.add("D1T1", "07", "action", "own", "1", d("01-10"), d("02-28"), None, who=("e2",),
          out={"status": "cancelled", **R})  # fmt: skip
    t.add("D1T1", "08", "action", "own", "1", d("03-01"), d("05-31"), None, who=("e1",),
          unplanned=True, out=C(d("05-20"), 800, d("03-01")))  # fmt: skip
    t.add("D1T1", "09", "action", "own", "1", d("07-01"), d("07-31"), None, who=("e2",))
    t.add("D1T1", "10", "procurement", "pde", "1", d("05-01"), d("08-31"), 400, who=("e3",),
          out=C(d("06-20"), 380, d("05-01")))  # fmt: skip

    # D1T2
    t.add("D1T2", "01", "project", "nsrf", "3", d("01-01"), d("12-31"), 50000, who=("e4",),
          kpi=(100, 60, "decrease"),
          out={"status": "in_progress", "progress_pct": 30, "actual_start": d("01-05"),
               "actual_absorption": 12000, "kpi_actual": 80})  # fmt: skip
    t.add("D1T2", "02", "procurement", "state", "1", d("02-01"), d("03-31"), 5000, who=("e4",),
          out=C(d("04-15"), 5600, d("02-10")))  # fmt: skip
    t.add("D1T2", "03", "service", "own", "1", None, d("05-31"), 0, kpi=(10, 10, "increase"),
          out=C(None, 0) | {"kpi_actual": 12})  # fmt: skip
    t.add("D1T2", "04", "action", None, "1", d("04-01"), d("06-30"), None, who=("e4", "e5"))
    t.add("D1T2", "05", "procurement", "own", "2", d("01-01"), d("07-01"), 2000, who=("e4",),
          out={"status": "in_progress", "progress_pct": 90, "actual_start": d("01-01"),
               "actual_absorption": 2000})  # fmt: skip

    # D2 (the directorate's own plan, submitted)
    t.add("D2", "01", "action", "own", "1", d("05-02"), d("08-10"), 1500, who=("e6",),
          out={"status": "in_progress", "progress_pct": 70, "actual_start": d("05-02"),
               "actual_absorption": 1500})  # fmt: skip
    t.add("D2", "02", "project", "rrf", "2", d("03-01"), d("06-15"), 8000, who=("e6", "e7"),
          kpi=(20, 40, "increase"),
          out=C(d("06-05"), 7000, d("03-01")) | {"kpi_actual": 45})  # fmt: skip

    # D2T1
    t.add("D2T1", "01", "action", "own", "1", d("01-01"), d("03-31"), 200, who=("e7",),
          out=C(d("05-30"), 200, d("01-01")) | {"deviation_reason": "προσωπικό",
                                                "deviation_category": "staffing"})  # fmt: skip
    t.add("D2T1", "02", "service", "other", "0.5", d("06-21"), d("07-11"), 600, who=("e7",),
          out={"status": "in_progress", "progress_pct": 80, "actual_start": d("06-21"),
               "actual_absorption": 300})  # fmt: skip
    t.add("D2T1", "03", "procurement", "state", "1", d("03-15"), d("04-30"), 900,
          kpi=(50, 30, "decrease"),
          out={"status": "cancelled", "deviation_reason": "  "})  # fmt: skip
    t.add("D2T1", "04", "action", "own", "1", d("01-01"), d("06-30"), 0, kpi=(0, 4, "increase"),
          out={"status": "not_started", "kpi_actual": 1})  # fmt: skip
    t.add("D2T1", "05", "project", "nsrf", "1", d("02-01"), d("02-28"), 1000, who=("e8",),
          out=C(d("02-28"), 1000, d("02-01")))  # fmt: skip
    t.add("D2T1", "06", "service", "own", "1", d("04-01"), d("06-30"), 1000, who=("e7",),
          out=C(d("06-30"), 900, d("04-01")))  # fmt: skip
    t.add("D2T1", "07", "project", "nsrf", "1", d("03-01"), d("09-30"), 1000, who=("e7", "e8"),
          out={"status": "in_progress", "progress_pct": 60, "actual_start": d("03-01"),
               "actual_absorption": 1100})  # fmt: skip

    # D2T2: a draft plan with unplanned items only
    t.add("D2T2", "01", "action", "own", "1", None, None, None, who=("e8",), unplanned=True,
          out=C(None, 100))  # fmt: skip
    t.add("D2T2", "02", "service", None, "1", d("04-01"), d("05-31"), None, unplanned=True,
          kpi=(0, 10, "increase"),  # unplanned: its KPI (50 %) counts nowhere
          out={"status": "in_progress", "progress_pct": 50, "actual_start": d("04-10"),
               "kpi_actual": 5, "deviation_reason": "έκτακτη ανάγκη",
               "deviation_category": "external"})  # fmt: skip

    # D1T1 in 2025, for the trend across years
    t.add("D1T1", "01", "action", "own", "1", d("01-01", 2025), d("06-30", 2025), 1000,
          year=2025, who=("e1",), out=C(d("07-10", 2025), 1000, d("01-01", 2025)))  # fmt: skip
    t.add("D1T1", "02", "project", "nsrf", "2", d("03-01", 2025), d("12-31", 2025), 5000,
          year=2025, kpi=(0, 8, "increase"),
          out={"status": "in_progress", "progress_pct": 50, "actual_absorption": 2000,
               "kpi_actual": 6})  # fmt: skip
    t.add("D1T1", "03", "service", "own", "1", d("02-01", 2025), d("05-31", 2025), None,
          year=2025, out={"status": "cancelled"})  # fmt: skip
    t.add("D1T1", "04", "action", "own", "1", None, None, None, year=2025, unplanned=True,
          out=C(None, 50))  # fmt: skip

    # Municipality B: one completed item that must never be counted in A.
    t.add("BT11", "01", "action", "own", "1", d("01-01"), d("02-28"), 100,
          out=C(d("02-28"), 100, d("01-01")))  # fmt: skip

    t.users["quality"] = user(s, "q-mun", (Role.quality, a))
    t.users["editor"] = user(s, "ed-d1t1", (Role.editor, t["D1T1"]))
    t.users["viewer"] = user(s, "view-d1", (Role.viewer, t["D1"]))
    t.users["quality_b"] = user(s, "q-vol", (Role.quality, b))
    s.flush()
    return t


def completion(
    client: TestClient, headers: dict[str, str], unit_id: int | None, **params: Any
) -> dict[str, Any]:
    """GET /metrics/completion as of 2026-07-01 (year 2026 unless said otherwise)."""
    query: dict[str, Any] = {"year": 2026, "as_of": AS_OF} | params
    if unit_id is not None:
        query["org_unit_id"] = unit_id
    query = {k: v for k, v in query.items() if v is not None}
    r = client.get(f"{API}/metrics/completion", params=query, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body
