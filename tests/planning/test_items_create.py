"""Items: every field round-trips, money and codes, and every validation rule (422 with loc)."""

import pytest

from app.planning.models import Item
from tests import plan_builders as pb
from tests.builders import auth, employee
from tests.helpers import assert_problem, error_locs

API = pb.API

FULL = {
    "code": "PR-7",
    "kind": "project",
    "title": "Ανακατασκευή παιδικής χαράς",
    "description": "Μελέτη και κατασκευή, με πιστοποίηση ασφαλείας",
    "planned_start": "2026-11-01",
    "planned_end": "2028-03-31",
    "budget": "85000.00",
    "funding_source": "nsrf",
    "budget_code": "30-7322.004",
    "planned_absorption": "60000.50",
    "weight": "2.5",
    "kpi_name": "Παιδικές χαρές πιστοποιημένες",
    "kpi_unit": "αριθμός",
    "kpi_baseline": "4",
    "kpi_target": "5.25",
    "kpi_direction": "increase",
    "notes": "Χρειάζεται άδεια",
}


@pytest.fixture
def plan(client, w, cycle, ed):
    return pb.new_plan(client, w.t11, ed)


def _post(client, plan_id, body, headers):
    return client.post(f"{API}/plans/{plan_id}/items", json=body, headers=headers)


class TestCreateItem:
    def test_every_field_round_trips(self, client, session, w, plan, ed):
        a, b = employee(session, w.t11, "Άννα Β"), employee(session, w.t11, "Άννα Α")
        r = _post(client, plan["id"], FULL | {"assignee_ids": [a.id, b.id]}, ed)
        assert r.status_code == 201, r.text
        created = r.json()
        assert r.headers["ETag"] == '"1"'
        assert r.headers["Location"] == f"{API}/items/{created['id']}"
        for key, value in FULL.items():
            assert created[key] == value, key
        assert sorted(created["assignee_ids"]) == sorted([a.id, b.id])
        assert created["assignees"] == [
            {"id": b.id, "full_name": "Άννα Α"},
            {"id": a.id, "full_name": "Άννα Β"},
        ]
        assert created["plan_id"] == plan["id"]
        assert (created["unplanned"], created["carried_over_from_id"]) == (False, None)
        assert created["version"] == 1
        read = client.get(f"{API}/items/{created['id']}", headers=ed)
        assert read.json() == created
        assert read.headers["ETag"] == '"1"'
        listed = client.get(f"{API}/plans/{plan['id']}/items", headers=ed).json()
        assert listed["items"] == [created]

    def test_minimal_item_gets_defaults(self, client, plan, ed):
        r = _post(client, plan["id"], {"kind": "service", "title": "  Καθαριότητα  "}, ed)
        assert r.status_code == 201, r.text
        body = r.json()
        assert (body["title"], body["weight"], body["code"]) == ("Καθαριότητα", "1", "001")
        for key in ("description", "budget", "planned_start", "kpi_name", "funding_source"):
            assert body[key] is None
        assert body["assignee_ids"] == [] and body["assignees"] == []

    @pytest.mark.parametrize(
        ("sent", "written"),
        [
            ("1234.5", "1234.50"),
            (1234.5, "1234.50"),
            (7, "7.00"),
            ("0.1", "0.10"),
            (0.1, "0.10"),
            ("1e3", "1000.00"),
            ("999999999999.99", "999999999999.99"),
            ("0", "0.00"),
        ],
    )
    def test_money_as_string_or_number_written_with_two_decimals(
        self, client, session, plan, ed, sent, written
    ):
        r = _post(client, plan["id"], pb.item_body(budget=sent, planned_absorption=sent), ed)
        assert r.status_code == 201, r.text
        assert (r.json()["budget"], r.json()["planned_absorption"]) == (written, written)
        read = client.get(f"{API}/items/{r.json()['id']}", headers=ed).json()
        assert read["budget"] == written

    def test_codes_assigned_when_omitted(self, client, plan, ed):
        codes = [pb.add_item(client, plan["id"], ed)["code"] for _ in range(2)]
        assert codes == ["001", "002"]
        codes.append(pb.add_item(client, plan["id"], ed, code="004")["code"])
        codes += [pb.add_item(client, plan["id"], ed)["code"] for _ in range(2)]
        assert codes[2] == "004"
        assert len(set(codes)) == 5
        assert all(len(c) == 3 and c.isdigit() for c in codes)

    def test_assigned_code_skips_one_taken(self, client, plan, ed):
        pb.add_item(client, plan["id"], ed, code="001")
        assert pb.add_item(client, plan["id"], ed)["code"] == "002"
        pb.add_item(client, plan["id"], ed, code="003")
        assert pb.add_item(client, plan["id"], ed)["code"] == "004"

    def test_duplicate_code_is_409(self, client, session, w, cycle, plan, ed):
        first = pb.add_item(client, plan["id"], ed, code="A-7")
        for code in ("A-7", "a-7", " A-7 "):
            body = assert_problem(_post(client, plan["id"], pb.item_body(code=code), ed), 409)
            assert f"item {first['id']}" in body["detail"]
        assert pb.count(session, Item) == 1
        # Codes are unique within a plan only.
        other = pb.new_plan(client, w.t12, auth(w.admin))
        pb.add_item(client, other["id"], auth(w.admin), code="A-7")

    def test_assignee_of_a_unit_below(self, client, session, w, cycle, adm):
        plan = pb.new_plan(client, w.d1, adm)
        emp = employee(session, w.t12)
        assert pb.add_item(client, plan["id"], adm, assignee_ids=[emp.id])["assignee_ids"] == [
            emp.id
        ]


def _invalid(client, session, plan, ed, body):
    problem = assert_problem(_post(client, plan["id"], body, ed), 422)
    assert problem["errors"], problem
    assert pb.count(session, Item) == 0
    assert client.get(f"{API}/plans/{plan['id']}", headers=ed).json()["version"] == 1
    return problem


class TestItemValidation:
    @pytest.mark.parametrize(
        ("change", "loc"),
        [
            ({"planned_start": "2027-06-01", "planned_end": "2027-05-31"}, "planned_end"),
            ({"planned_start": "1999-12-31"}, "planned_start"),
            ({"planned_end": "2101-01-01"}, "planned_end"),
            ({"planned_start": "0001-01-01"}, "planned_start"),
            ({"planned_start": "2026-01-01", "planned_end": "2026-12-31"}, "planned_end"),
            ({"planned_start": "2028-01-01", "planned_end": "2028-02-01"}, "planned_start"),
            ({"budget": "-1"}, "budget"),
            ({"budget": -0.01}, "budget"),
            ({"planned_absorption": "-5", "budget": None}, "planned_absorption"),
            ({"budget": "10.005"}, "budget"),
            ({"budget": 10.123}, "budget"),
            ({"planned_absorption": "1.001"}, "planned_absorption"),
            ({"budget": "1000000000000.00"}, "budget"),
            ({"budget": "NaN"}, "budget"),
            ({"budget": "Infinity"}, "budget"),
            ({"planned_absorption": "-Infinity"}, "planned_absorption"),
            ({"budget": "100", "planned_absorption": "100.01"}, "planned_absorption"),
            ({"weight": 0}, "weight"),
            ({"weight": "-1"}, "weight"),
            ({"weight": "NaN"}, "weight"),
            ({"weight": "1.234"}, "weight"),
            ({"kpi_baseline": "1"}, "kpi_baseline"),
            ({"kpi_target": "5", "kpi_direction": "increase"}, "kpi_target"),
            ({"kpi_name": "   ", "kpi_target": "5"}, "kpi_target"),
            (
                {"kpi_name": "Κ", "kpi_baseline": 5, "kpi_target": 4, "kpi_direction": "increase"},
                "kpi_direction",
            ),
            (
                {"kpi_name": "Κ", "kpi_baseline": 4, "kpi_target": 5, "kpi_direction": "decrease"},
                "kpi_direction",
            ),
            ({"kpi_name": "Κ", "kpi_target": "NaN"}, "kpi_target"),
            ({"status": "approved"}, "status"),
            ({"unplanned": True}, "unplanned"),
            ({"carried_over_from_id": 1}, "carried_over_from_id"),
            ({"plan_id": 1}, "plan_id"),
            ({"version": 3}, "version"),
            ({"kind": "party"}, "kind"),
            ({"kind": None}, "kind"),
            ({"title": ""}, "title"),
            ({"title": "   "}, "title"),
            ({"title": 5}, "title"),
            ({"title": "x" * 301}, "title"),
            ({"budget": True}, "budget"),
            ({"budget": "12,50"}, "budget"),
            ({"weight": "heavy"}, "weight"),
            ({"planned_start": "31/12/2027"}, "planned_start"),
            ({"planned_end": 20270101}, "planned_end"),
            ({"assignee_ids": "1"}, "assignee_ids"),
            ({"assignee_ids": ["x"]}, "assignee_ids"),
            ({"funding_source": "bank"}, "funding_source"),
            ({"kpi_direction": "up"}, "kpi_direction"),
            ({"code": "A 7"}, "code"),
            ({"code": "x" * 31}, "code"),
            ({"budget_code": "9" * 51}, "budget_code"),
        ],
    )
    def test_rule_broken_is_422_naming_the_field(self, client, session, plan, ed, change, loc):
        problem = _invalid(client, session, plan, ed, pb.item_body(**change))
        locs = error_locs(problem)
        assert any(at[:2] == ["body", loc] for at in locs), locs

    def test_missing_required_fields(self, client, session, plan, ed):
        problem = _invalid(client, session, plan, ed, {"description": "χωρίς τίτλο"})
        assert {tuple(at) for at in error_locs(problem)} == {("body", "kind"), ("body", "title")}

    @pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
    def test_json_nan_literals_are_refused(self, client, session, plan, ed, literal):
        raw = f'{{"kind": "action", "title": "Τ", "budget": {literal}}}'
        r = client.post(
            f"{API}/plans/{plan['id']}/items",
            content=raw,
            headers={**ed, "Content-Type": "application/json"},
        )
        assert ["body", "budget"] in error_locs(assert_problem(r, 422))
        assert pb.count(session, Item) == 0

    def test_assignees_from_elsewhere(self, client, session, w, plan, ed):
        mine = employee(session, w.t11, "Δική μας")
        sibling = employee(session, w.t12, "Γειτονικό τμήμα")
        above = employee(session, w.d1, "Διεύθυνση")
        foreign = employee(session, w.bt11, "Άλλος δήμος")
        gone = employee(session, w.t11, "Αποχώρησε")
        gone.active = False
        session.flush()
        for bad in (sibling, above, foreign, gone):
            problem = _invalid(
                client, session, plan, ed, pb.item_body(assignee_ids=[mine.id, bad.id])
            )
            assert error_locs(problem) == [["body", "assignee_ids", 1]]
            assert f"employee {bad.id}" in problem["detail"]
        problem = _invalid(client, session, plan, ed, pb.item_body(assignee_ids=[999_999]))
        assert error_locs(problem) == [["body", "assignee_ids", 0]]

    def test_assignee_listed_twice(self, client, session, w, plan, ed):
        emp = employee(session, w.t11)
        problem = _invalid(client, session, plan, ed, pb.item_body(assignee_ids=[emp.id, emp.id]))
        assert error_locs(problem) == [["body", "assignee_ids"]]
        assert "listed twice" in problem["errors"][0]["message"]

    def test_several_problems_are_listed_together(self, client, session, plan, ed):
        body = pb.item_body(budget="-1", weight=0, kind="party")
        locs = {tuple(at) for at in error_locs(_invalid(client, session, plan, ed, body))}
        assert {("body", "budget"), ("body", "weight"), ("body", "kind")} <= locs


class TestCreateItemAccess:
    def test_roles_and_scope(self, client, session, w, cycle, plan):
        for who, status in [("viewer", 403), ("quality", 403), ("admin_b", 404), ("nobody", 404)]:
            assert_problem(_post(client, plan["id"], pb.item_body(), auth(getattr(w, who))), status)
        other = pb.plan(session, w.t12)
        assert_problem(_post(client, other.id, pb.item_body(), auth(w.editor)), 404)
        assert pb.count(session, Item) == 0
        assert _post(client, plan["id"], pb.item_body(), auth(w.admin)).status_code == 201

    @pytest.mark.parametrize("status", ["submitted", "approved"])
    def test_locked_plan_refuses_new_items(self, client, session, w, cycle, ed, status):
        plan = pb.plan(session, w.t11, status=status)
        body = assert_problem(_post(client, plan.id, pb.item_body(), ed), 409)
        assert body["detail"] == (
            f"plan {plan.id} is {status}: only draft or returned plans change"
        )
