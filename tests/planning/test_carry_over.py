"""Carry-over: a new plan takes the unit's items of the year before that are still going on."""

from datetime import date
from decimal import Decimal

import pytest

from app.planning.models import Item
from tests import plan_builders as pb
from tests.builders import auth, employee

API = pb.API


@pytest.fixture
def last_year(session, w, cycle):
    """T11's approved 2026 plan: one item per outcome status, and one without an outcome."""
    pb.cycle(session, w.a, 2026, status="closed")
    here = employee(session, w.t11, "Παραμένει")
    moved = employee(session, w.t11, "Μετακινήθηκε")
    left = employee(session, w.t11, "Αποχώρησε")
    plan = pb.plan(session, w.t11, 2026, status="approved", baseline_no=1)
    going = pb.item(
        session,
        plan,
        "001",
        kind="project",
        title="Ανάπλαση πλατείας",
        description="Β' φάση",
        planned_start=date(2026, 3, 1),
        planned_end=date(2026, 11, 30),
        budget=Decimal("85000.00"),
        funding_source="nsrf",
        budget_code="30-7322.004",
        planned_absorption=Decimal("60000.00"),
        weight=Decimal("2.00"),
        kpi_name="Τ.μ.",
        kpi_unit="m2",
        kpi_baseline=Decimal("0"),
        kpi_target=Decimal("1200"),
        kpi_direction="increase",
        notes="Καθυστέρηση αδειοδότησης",
    )
    late = pb.item(
        session, plan, "002", planned_start=date(2026, 9, 1), planned_end=date(2027, 3, 31)
    )
    done = pb.item(session, plan, "003")
    dropped = pb.item(session, plan, "004")
    idle = pb.item(session, plan, "005")
    pb.item(session, plan, "006")  # no outcome
    for it, status in [
        (going, "in_progress"),
        (late, "postponed"),
        (done, "completed"),
        (dropped, "cancelled"),
        (idle, "not_started"),
    ]:
        pb.outcome(session, it, status)
    pb.assign(session, going, here, moved, left)
    pb.assign(session, late, moved)
    moved.org_unit_id = w.t12.id
    left.active = False
    session.flush()
    return {"going": going, "late": late, "here": here}


class TestCarryOver:
    def test_in_progress_and_postponed_items_are_copied(self, client, w, last_year, ed):
        plan = pb.new_plan(client, w.t11, ed, carry_over=True)
        going, late = last_year["going"], last_year["late"]
        items = {i["carried_over_from_id"]: i for i in plan["items"]}
        assert sorted(items) == sorted([going.id, late.id])
        copy = items[going.id]
        assert copy["id"] != going.id and copy["plan_id"] == plan["id"]
        assert copy["code"] == "001" and items[late.id]["code"] == "002"
        expected = {
            "kind": "project",
            "title": "Ανάπλαση πλατείας",
            "description": "Β' φάση",
            "planned_start": "2026-03-01",
            "budget": "85000.00",
            "funding_source": "nsrf",
            "budget_code": "30-7322.004",
            "planned_absorption": "60000.00",
            "weight": "2",
            "kpi_name": "Τ.μ.",
            "kpi_unit": "m2",
            "kpi_baseline": "0",
            "kpi_target": "1200",
            "kpi_direction": "increase",
            "notes": "Καθυστέρηση αδειοδότησης",
            "unplanned": False,
        }
        assert {k: copy[k] for k in expected} == expected
        # An end that fell in the old year is planned anew; one in the new year is kept.
        assert copy["planned_end"] is None
        assert items[late.id]["planned_end"] == "2027-03-31"
        # One request, one new version of the plan, however many items it copied.
        assert plan["totals"]["items"] == 2 and plan["version"] == 2

    def test_assignees_kept_only_when_still_active_in_the_unit(self, client, w, last_year, ed):
        plan = pb.new_plan(client, w.t11, ed, carry_over=True)
        items = {i["carried_over_from_id"]: i for i in plan["items"]}
        assert items[last_year["going"].id]["assignee_ids"] == [last_year["here"].id]
        assert items[last_year["late"].id]["assignee_ids"] == []

    def test_copies_are_ordinary_items(self, client, w, last_year, ed):
        plan = pb.new_plan(client, w.t11, ed, carry_over=True)
        copy = plan["items"][0]
        r = pb.patch_item(client, copy["id"], ed, {"planned_end": "2027-06-30"})
        assert r.status_code == 200, r.text
        assert r.json()["carried_over_from_id"] == copy["carried_over_from_id"]
        listed = client.get(f"{API}/plans/{plan['id']}/items", headers=ed).json()
        assert listed["total"] == 2

    def test_not_without_the_request(self, client, w, last_year, ed):
        assert pb.new_plan(client, w.t11, ed)["items"] == []
        assert pb.new_plan(client, w.t12, auth(w.admin), carry_over=False)["items"] == []

    def test_only_the_same_unit_and_the_year_before(self, client, session, w, last_year, adm):
        pb.cycle(session, w.a, 2028)
        other = pb.plan(session, w.t12, 2026, status="approved", baseline_no=1)
        theirs = pb.item(session, other, "001")
        pb.outcome(session, theirs, "in_progress")
        t12 = pb.new_plan(client, w.t12, adm, carry_over=True)
        assert [i["carried_over_from_id"] for i in t12["items"]] == [theirs.id]
        # T11's 2028 plan looks at 2027 only (no plan there), never two years back.
        assert pb.new_plan(client, w.t11, adm, year=2028, carry_over=True)["items"] == []

    def test_no_previous_plan(self, client, w, cycle, ed):
        plan = pb.new_plan(client, w.t11, ed, carry_over=True)
        assert (plan["items"], plan["version"]) == ([], 1)

    def test_the_old_items_stay_as_they_were(self, client, session, w, last_year, ed):
        pb.new_plan(client, w.t11, ed, carry_over=True)
        going = client.get(f"{API}/items/{last_year['going'].id}", headers=ed).json()
        assert (going["plan_id"], going["code"], going["version"]) == (
            last_year["going"].plan_id,
            "001",
            1,
        )
        assert pb.count(session, Item) == 8
