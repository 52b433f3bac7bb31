"""Demo plans: last year reported, this year monitored mid-year, next year's cycle open.

About 110 items per unit and year at scale 1 (≈10,000 items a year), with a realistic spread:
most done, some late, some under-absorbed, some postponed or cancelled, a few without reason.
"""

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from app.audit.service import plain
from app.core.db import bulk_insert, utcnow
from app.org.models import Employee, OrgUnit, UnitKind
from app.planning.models import (
    Cycle,
    FundingSource,
    Item,
    ItemAssignee,
    ItemKind,
    Plan,
    PlanBaseline,
)
from app.reporting.models import DeviationCategory, Outcome

TITLES = {
    "action": [
        "Ενημέρωση πολιτών για",
        "Εκπαίδευση προσωπικού σε",
        "Σύνταξη οδηγού για",
        "Αναθεώρηση διαδικασίας",
        "Καμπάνια ευαισθητοποίησης για",
    ],
    "project": [
        "Ανακατασκευή",
        "Αναβάθμιση",
        "Επέκταση",
        "Μελέτη και κατασκευή",
        "Ενεργειακή αναβάθμιση",
    ],
    "procurement": [
        "Προμήθεια",
        "Προμήθεια και εγκατάσταση",
        "Ανανέωση στόλου:",
        "Προμήθεια εξοπλισμού για",
    ],
    "service": [
        "Υπηρεσία συντήρησης",
        "Υπηρεσία καθαρισμού",
        "Υποστήριξη λειτουργίας",
        "Ψηφιακή υπηρεσία για",
    ],
}
OBJECTS = [
    "σχολικών κτιρίων",
    "παιδικών χαρών",
    "πλατείας Αριστοτέλους",
    "δημοτικών πάρκων",
    "ηλεκτρονικών αιτήσεων",
    "φωτισμού LED",
    "κάδων ανακύκλωσης",
    "ποδηλατοδρόμων",
    "δημοτικής βιβλιοθήκης",
    "ΚΕΠ",
    "κοινωνικού παντοπωλείου",
    "αθλητικών κέντρων",
    "αρχείου πολεοδομίας",
    "οχημάτων καθαριότητας",
    "ιστοσελίδας του Δήμου",
]
REASONS = {
    "funding": "Καθυστέρηση στην εκταμίευση της χρηματοδότησης",
    "staffing": "Έλλειψη προσωπικού λόγω συνταξιοδοτήσεων",
    "procedural": "Άγονος διαγωνισμός· επαναπροκήρυξη",
    "contractor": "Καθυστέρηση του αναδόχου",
    "technical": "Τεχνικά προβλήματα στην υλοποίηση",
    "external": "Αναμονή γνωμοδότησης άλλου φορέα",
    "other": "Αναπροτεραιοποίηση από τη Δημοτική Αρχή",
}


def _money(rnd: random.Random, lo: int, hi: int) -> Decimal:
    return Decimal(rnd.randrange(lo, hi) * 100)


def _kpi_target(rnd: random.Random, base: Decimal, up: bool) -> Decimal:
    if up:
        return base + rnd.randrange(5, 40)
    return max(Decimal(0), base - rnd.randrange(1, 10))


def _item(rnd: random.Random, plan: dict[str, Any], n: int) -> dict[str, Any]:
    year = plan["year"]
    kind = rnd.choice(list(ItemKind))
    start = date(year, 1, 1) + timedelta(days=rnd.randrange(0, 300))
    end = start + timedelta(days=rnd.randrange(20, 330))
    has_money = kind != ItemKind.action and rnd.random() < 0.85
    budget = _money(rnd, 20, 5000) if has_money else None
    planned_abs = (
        (budget * Decimal(rnd.choice(["1", "1", "0.8", "0.6"]))).quantize(Decimal("0.01"))
        if budget
        else None
    )
    kpi = rnd.random() < 0.3
    base = Decimal(rnd.randrange(0, 50))
    up = rnd.random() < 0.7
    return {
        "municipality_id": plan["municipality_id"],
        "plan_id": plan["id"],
        "code": f"{n:03d}",
        "kind": kind.value,
        "title": f"{rnd.choice(TITLES[kind.value])} {rnd.choice(OBJECTS)}",
        "description": None,
        "planned_start": start if rnd.random() > 0.03 else None,
        "planned_end": end if rnd.random() > 0.03 else None,
        "budget": budget,
        "funding_source": rnd.choice(list(FundingSource)).value if has_money else None,
        "budget_code": f"{rnd.choice([10, 15, 20, 25, 30, 35, 45, 70])}-{rnd.randrange(6000, 7500)}"
        f".{rnd.randrange(1, 20):03d}"
        if has_money
        else None,
        "planned_absorption": planned_abs,
        "weight": Decimal(rnd.choice([1, 1, 1, 2, 3])),
        "kpi_name": "Δείκτης εκροής" if kpi else None,
        "kpi_unit": "αριθμός" if kpi else None,
        "kpi_baseline": base if kpi else None,
        "kpi_target": (
            base + rnd.randrange(5, 40) if up else max(Decimal(0), base - rnd.randrange(1, 10))
        )
        if kpi
        else None,
        "kpi_direction": ("increase" if up else "decrease") if kpi else None,
        "notes": None,
        "unplanned": False,
        "carried_over_from_id": None,
        "version": 1,
        "created_at": utcnow(),
        "updated_at": utcnow(),
    }


def _outcome(rnd: random.Random, item: dict[str, Any], today: date) -> dict[str, Any] | None:
    start, end = item["planned_start"], item["planned_end"]
    year_over = date(item["_year"], 12, 31) < today
    if not year_over and start is not None and start > today:
        return None  # not due yet: no outcome reported
    roll = rnd.random()
    if year_over:
        status = (
            "completed"
            if roll < 0.62
            else "in_progress"
            if roll < 0.77
            else "postponed"
            if roll < 0.85
            else "cancelled"
            if roll < 0.90
            else "not_started"
        )
    else:
        status = (
            "completed"
            if roll < 0.45
            else "in_progress"
            if roll < 0.80
            else "not_started"
            if roll < 0.92
            else "postponed"
            if roll < 0.97
            else "cancelled"
        )
    out: dict[str, Any] = {
        "status": status,
        "progress_pct": None,
        "actual_start": None,
        "actual_end": None,
        "actual_absorption": None,
        "kpi_actual": None,
        "deviation_category": None,
        "deviation_reason": None,
    }
    if status in ("completed", "in_progress", "cancelled") and start is not None:
        out["actual_start"] = min(start + timedelta(days=rnd.choice([0, 0, 0, 5, 15, 40])), today)
    if status == "completed":
        out["progress_pct"] = Decimal(100)
        if end is not None:
            late = rnd.random() < 0.45
            shift = rnd.randrange(1, 120) if late else -rnd.randrange(0, 30)
            actual_end = end + timedelta(days=shift)
            actual_end = min(actual_end, today)
            if out["actual_start"] and actual_end < out["actual_start"]:
                actual_end = out["actual_start"]
            out["actual_end"] = actual_end
    elif status == "in_progress":
        out["progress_pct"] = Decimal(rnd.randrange(5, 95))
    if item["planned_absorption"] is not None and status != "not_started":
        factor = Decimal(str(round(rnd.uniform(0.3, 1.12), 2)))
        if status == "cancelled":
            factor = Decimal("0.1")
        out["actual_absorption"] = (item["planned_absorption"] * factor).quantize(Decimal("0.01"))
    if item["kpi_baseline"] is not None and status in ("completed", "in_progress"):
        lo, hi = sorted((item["kpi_baseline"], item["kpi_target"]))
        out["kpi_actual"] = Decimal(rnd.randrange(int(lo), int(hi) + 3))
    deviates = status in ("postponed", "cancelled", "not_started") or (
        out["actual_end"] is not None and end is not None and out["actual_end"] > end
    )
    if deviates and rnd.random() < 0.85:
        category = rnd.choice(list(DeviationCategory)).value
        out["deviation_category"], out["deviation_reason"] = category, REASONS[category]
    return out


def seed_plans(
    session: Session,
    municipality_id: int,
    *,
    today: date,
    scale: float = 1.0,
    seed: int = 2026,
    progress: Callable[[str, int], None] | None = None,
) -> int:
    """Cycles of last, this and next year, and plans with items and outcomes for the first two."""
    step = progress or (lambda _label, _n: None)
    rnd = random.Random(seed)  # noqa: S311 - demo data
    this_year = today.year
    for year, status in ((this_year - 1, "closed"), (this_year, "open"), (this_year + 1, "open")):
        session.add(
            Cycle(
                municipality_id=municipality_id,
                year=year,
                status=status,
                plan_deadline=date(year, 1, 31),
                report_deadline=date(year + 1, 2, 28),
            )
        )
    units = list(
        session.execute(
            select(OrgUnit.id, OrgUnit.kind).where(
                col(OrgUnit.municipality_id) == municipality_id,
                col(OrgUnit.kind).in_([UnitKind.department.value, UnitKind.office.value]),
            )
        )
    )
    staff: dict[int, list[int]] = {}
    for emp_id, unit_id in session.execute(
        select(Employee.id, Employee.org_unit_id).where(
            col(Employee.municipality_id) == municipality_id
        )
    ):
        staff.setdefault(unit_id, []).append(emp_id)
    per_unit = max(3, round(110 * min(scale, 1.0)))
    total = 0
    for year in (this_year - 1, this_year):
        plans = []
        for unit_id, _kind in units:
            r = rnd.random()
            if year < this_year:
                report = (
                    "approved"
                    if r < 0.8
                    else "submitted"
                    if r < 0.9
                    else "returned"
                    if r < 0.95
                    else "draft"
                )
                plan_status = "approved"
            else:
                report = "draft"
                plan_status = "approved" if r < 0.9 else "submitted" if r < 0.95 else "draft"
            approved = plan_status == "approved"
            plans.append(
                {
                    "municipality_id": municipality_id,
                    "org_unit_id": unit_id,
                    "year": year,
                    "status": plan_status,
                    "report_status": report,
                    "submitted_at": utcnow(),
                    "approved_at": utcnow() if approved else None,
                    "report_submitted_at": utcnow()
                    if report in ("submitted", "approved")
                    else None,
                    "report_approved_at": utcnow() if report == "approved" else None,
                    "plan_late": rnd.random() < 0.2,
                    "report_late": rnd.random() < 0.25,
                    "return_comment": "Συμπληρώστε τις αιτίες αποκλίσεων"
                    if report == "returned"
                    else None,
                    "baseline_no": 1 if approved else 0,
                    "version": 1,
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
            )
        ids = bulk_insert(session, Plan, plans, returning_ids=True)
        for plan, plan_id in zip(plans, ids, strict=True):
            plan["id"] = plan_id
        items, item_meta = [], []
        for plan in plans:
            for n in range(1, per_unit + 1):
                item = _item(rnd, plan, n)
                items.append(item)
                item_meta.append(plan)
        item_ids = bulk_insert(session, Item, items, returning_ids=True)
        assignees, outcomes = [], []
        for item, item_id, plan in zip(items, item_ids, item_meta, strict=True):
            item["id"] = item_id
            people = staff.get(plan["org_unit_id"], [])
            for emp in rnd.sample(people, k=min(len(people), rnd.choice([1, 1, 2, 3]))):
                assignees.append(
                    {"item_id": item_id, "employee_id": emp, "municipality_id": municipality_id}
                )
            if plan["status"] == "approved":
                out = _outcome(rnd, {**item, "_year": plan["year"]}, today)
                if out is not None:
                    outcomes.append(
                        {
                            **out,
                            "item_id": item_id,
                            "municipality_id": municipality_id,
                            "version": 1,
                            "created_at": utcnow(),
                            "updated_at": utcnow(),
                        }
                    )
        for chunk in range(0, len(assignees), 5000):
            bulk_insert(session, ItemAssignee, assignees[chunk : chunk + 5000])
        for chunk in range(0, len(outcomes), 5000):
            bulk_insert(session, Outcome, outcomes[chunk : chunk + 5000])
        by_plan: dict[int, list[dict[str, Any]]] = {}
        for item in items:
            by_plan.setdefault(item["plan_id"], []).append(
                {
                    k: plain(v)
                    for k, v in item.items()
                    if k
                    not in (
                        "municipality_id",
                        "plan_id",
                        "version",
                        "created_at",
                        "updated_at",
                        "unplanned",
                        "carried_over_from_id",
                    )
                }
            )
        bulk_insert(
            session,
            PlanBaseline,
            [
                {
                    "municipality_id": municipality_id,
                    "plan_id": p["id"],
                    "baseline_no": 1,
                    "plan_version": 1,
                    "approved_at": utcnow(),
                    "approved_by": None,
                    "items": by_plan.get(p["id"], []),
                }
                for p in plans
                if p["status"] == "approved"
            ],
        )
        total += len(items)
        step(f"plans {year}", len(items))
    session.flush()
    return total
