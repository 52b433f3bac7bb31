"""Carry-over end to end: the 2026 plan is made, approved and reported on through the API; the
2027 plan created with carry_over copies exactly the items in progress and postponed."""

import pytest

from app.planning.models import Item, Plan
from app.reporting.models import Outcome
from tests import plan_builders as pb
from tests.builders import auth, employee
from tests.helpers import assert_problem
from tests.reporting.support import API, approved_plan, events, outcome, put_outcome

OUTCOMES = {
    "A01": {"status": "in_progress", "progress_pct": 60, "actual_start": "2026-02-10"},
    "A02": {"status": "postponed", "deviation_category": "funding", "deviation_reason": "ΕΣΠΑ"},
    "A03": {"status": "completed", "actual_end": "2026-06-30"},
    "A04": {"status": "cancelled", "deviation_reason": "Δεν εγκρίθηκε"},
    "A05": {"status": "not_started"},
}


def item_2026(code, **fields):
    """An item of the 2026 plan (add_item fills in the rest)."""
    return {"code": code, "planned_start": "2026-02-01", "planned_end": "2026-11-30"} | fields


@pytest.fixture
def reported_2026(client, session, w, ed, q):
    """The 2026 plan of T11, made, submitted and approved through the API, then reported on:
    one item per outcome status and one (A06) without an outcome."""
    pb.cycle(session, w.a, 2026)
    staying, leaving = (
        employee(session, w.t11, "Άννα Γεωργίου"),
        employee(session, w.t11, "Νίκος Ζ"),
    )
    p = pb.new_plan(client, w.t11, ed, year=2026)
    items = {
        "A01": pb.add_item(
            client,
            p["id"],
            ed,
            **item_2026(
                "A01",
                kind="project",
                title="Ανάπλαση πλατείας",
                budget="85000.00",
                planned_absorption="60000.00",
                funding_source="nsrf",
                budget_code="30-7322.004",
                weight="2",
                kpi_name="Τετραγωνικά μέτρα",
                kpi_baseline="0",
                kpi_target="1200",
                kpi_direction="increase",
                assignee_ids=[staying.id, leaving.id],
            ),
        ),
        # Ends in the new year: its planned end is kept.
        "A02": pb.add_item(client, p["id"], ed, **item_2026("A02", planned_end="2027-03-31")),
    }
    for code in ("A03", "A04", "A05", "A06"):
        items[code] = pb.add_item(client, p["id"], ed, **item_2026(code))
    assert pb.step(client, p["id"], "submit", ed).status_code == 200
    assert pb.step(client, p["id"], "approve", q).status_code == 200
    for code, body in OUTCOMES.items():
        assert put_outcome(client, items[code]["id"], ed, body).status_code == 201
    leaving.active = False  # left the unit before the new plan
    session.flush()
    return {"plan": p, "items": items, "staying": staying}


def create_2027(client, unit, headers, **extra):
    return client.post(
        f"{API}/plans", json={"org_unit_id": unit.id, "year": 2027, **extra}, headers=headers
    )


class TestCarryOver:
    def test_copies_exactly_the_items_in_progress_and_postponed(
        self, client, session, w, ed, root, reported_2026
    ):
        pb.cycle(session, w.a, 2027)
        other = approved_plan(session, w.t12, 2026)  # another unit's work stays its own
        outcome(session, pb.item(session, other, "B01"), "in_progress")
        old = reported_2026["items"]
        r = create_2027(client, w.t11, ed, carry_over=True)
        assert r.status_code == 201, r.text
        plan = r.json()
        assert (plan["year"], plan["status"], plan["org_unit_id"]) == (2027, "draft", w.t11.id)
        copies = {i["code"]: i for i in plan["items"]}
        assert set(copies) == {"A01", "A02"}
        assert {c["carried_over_from_id"] for c in copies.values()} == {
            old["A01"]["id"],
            old["A02"]["id"],
        }
        assert copies["A01"]["carried_over_from_id"] == old["A01"]["id"]
        assert plan["totals"]["items"] == 2 and plan["totals"]["budget"] == "86000.00"
        for c in copies.values():
            assert c["plan_id"] == plan["id"] and c["unplanned"] is False
            assert c["id"] not in {o["id"] for o in old.values()}
            assert_problem(client.get(f"{API}/items/{c['id']}/outcome", headers=ed), 404)
        a01, source = copies["A01"], old["A01"]
        same = (
            "kind",
            "title",
            "budget",
            "planned_absorption",
            "funding_source",
            "budget_code",
            "weight",
            "kpi_name",
            "kpi_baseline",
            "kpi_target",
            "kpi_direction",
            "planned_start",
        )
        assert {k: a01[k] for k in same} == {k: source[k] for k in same}
        # A planned end in the old year is cleared (planned anew); one in the new year stays.
        assert a01["planned_end"] is None
        assert copies["A02"]["planned_end"] == "2027-03-31"
        # Who left the unit is not carried over.
        assert a01["assignee_ids"] == [reported_2026["staying"].id]
        [event] = events(client, root, "item", a01["id"])
        assert event["action"] == "carry_over"
        assert event["changes"]["carried_over_from_id"] == {
            "before": None,
            "after": source["id"],
        }

    def test_the_year_before_is_left_as_it_was(self, client, session, w, ed, reported_2026):
        pb.cycle(session, w.a, 2027)
        before = client.get(f"{API}/plans/{reported_2026['plan']['id']}", headers=ed).json()
        assert create_2027(client, w.t11, ed, carry_over=True).status_code == 201
        after = client.get(f"{API}/plans/{reported_2026['plan']['id']}", headers=ed).json()
        assert after == before
        assert pb.count(session, Outcome) == len(OUTCOMES)

    def test_without_carry_over_nothing_is_copied(self, client, session, w, ed, reported_2026):
        pb.cycle(session, w.a, 2027)
        r = create_2027(client, w.t11, ed)
        assert r.status_code == 201, r.text
        assert r.json()["items"] == []

    def test_a_unit_without_a_plan_the_year_before_starts_empty(self, client, session, w, cycle):
        pb.cycle(session, w.a, 2027)
        r = create_2027(client, w.t12, auth(w.admin), carry_over=True)
        assert r.status_code == 201, r.text
        assert r.json()["items"] == []

    def test_needs_the_cycle_of_the_new_year(self, client, session, w, ed, reported_2026):
        count = pb.count(session, Item)
        body = assert_problem(create_2027(client, w.t11, ed, carry_over=True), 409)
        assert "no planning cycle for 2027" in body["detail"]
        assert pb.count(session, Item) == count
        assert pb.count(session, Plan) == 1
