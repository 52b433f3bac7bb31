"""Plans: creation (one per unit and year), detail with totals, scoped listing, deletion."""

from decimal import Decimal

import pytest

from app.planning.models import Item, Plan
from tests import plan_builders as pb
from tests.builders import auth, employee
from tests.helpers import assert_problem, error_locs

API = pb.API


def _create(client, unit_id, headers, year=2027, **extra):
    return client.post(
        f"{API}/plans", json={"org_unit_id": unit_id, "year": year, **extra}, headers=headers
    )


class TestCreatePlan:
    def test_editor_of_the_unit_starts_a_draft(self, client, w, cycle, ed):
        r = _create(client, w.t11.id, ed)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["org_unit_id"] == w.t11.id
        assert body["municipality_id"] == w.a.municipality_id
        assert (body["year"], body["status"], body["report_status"]) == (2027, "draft", "draft")
        assert (body["version"], body["baseline_no"], body["plan_late"]) == (1, 0, False)
        assert body["submitted_at"] is None and body["approved_at"] is None
        assert body["items"] == []
        assert body["totals"] == {
            "items": 0,
            "budget": "0.00",
            "planned_absorption": "0.00",
            "by_kind": {},
        }
        assert r.headers["ETag"] == '"1"'
        assert r.headers["Location"] == f"{API}/plans/{body['id']}"

    def test_admin_starts_a_plan_of_any_unit(self, client, w, cycle, adm):
        assert _create(client, w.t12.id, adm).status_code == 201
        assert _create(client, w.d1.id, adm).status_code == 201

    @pytest.mark.parametrize("who", ["viewer", "quality"])
    def test_viewer_and_quality_are_forbidden(self, client, session, w, cycle, who):
        assert_problem(_create(client, w.t11.id, auth(getattr(w, who))), 403)
        assert pb.count(session, Plan) == 0

    def test_outside_the_scope_is_not_found(self, client, session, w, cycle, ed):
        assert_problem(_create(client, w.t12.id, ed), 404)
        assert_problem(_create(client, w.d1.id, ed), 404)
        assert_problem(_create(client, w.t11.id, auth(w.admin_b)), 404)
        assert_problem(_create(client, 999_999, auth(w.superuser)), 404)
        assert pb.count(session, Plan) == 0

    def test_second_plan_of_a_unit_and_year_is_409_naming_the_first(self, client, w, cycle, ed):
        first = _create(client, w.t11.id, ed).json()
        body = assert_problem(_create(client, w.t11.id, ed), 409)
        assert f"plan {first['id']}" in body["detail"]

    def test_no_cycle_is_409(self, client, session, w, cycle, ed):
        pb.cycle(session, w.b, 2028)  # another municipality's cycle does not count
        body = assert_problem(_create(client, w.t11.id, ed, year=2028), 409)
        assert "no planning cycle for 2028" in body["detail"]
        assert pb.count(session, Plan) == 0

    def test_inactive_unit_is_409(self, client, session, w, cycle, ed):
        w.t11.active = False
        session.flush()
        body = assert_problem(_create(client, w.t11.id, ed), 409)
        assert f"org unit {w.t11.id} is inactive" in body["detail"]

    @pytest.mark.parametrize(
        ("extra", "loc"),
        [
            ({"status": "approved"}, ["body", "status"]),
            ({"municipality_id": 2}, ["body", "municipality_id"]),
            ({"year": 1999}, ["body", "year"]),
            ({"year": "next"}, ["body", "year"]),
            ({"org_unit_id": "T11"}, ["body", "org_unit_id"]),
            ({"carry_over": "maybe"}, ["body", "carry_over"]),
        ],
    )
    def test_invalid_body_is_422(self, client, session, w, cycle, ed, extra, loc):
        body = {"org_unit_id": w.t11.id, "year": 2027} | extra
        problem = assert_problem(client.post(f"{API}/plans", json=body, headers=ed), 422)
        assert loc in error_locs(problem)
        assert pb.count(session, Plan) == 0


class TestGetPlan:
    def test_detail_has_items_and_totals(self, client, session, w, cycle, ed):
        plan = pb.new_plan(client, w.t11, ed)
        emp = employee(session, w.t11)
        pb.add_item(
            client,
            plan["id"],
            ed,
            budget="1000.10",
            planned_absorption="500.05",
            assignee_ids=[emp.id],
        )
        pb.add_item(client, plan["id"], ed, budget=2000.2, planned_absorption=0.1)
        pb.add_item(client, plan["id"], ed, kind="project", budget=None)
        stored = session.get(Plan, plan["id"])
        pb.item(session, stored, "U01", unplanned=True, budget=Decimal("99"))  # not in the totals
        r = client.get(f"{API}/plans/{plan['id']}", headers=ed)
        assert r.status_code == 200, r.text
        body = r.json()
        assert r.headers["ETag"] == f'"{body["version"]}"' == '"4"'
        assert [i["code"] for i in body["items"]] == ["001", "002", "003", "U01"]
        assert body["items"][0]["assignees"] == [{"id": emp.id, "full_name": emp.full_name}]
        assert body["totals"] == {
            "items": 3,
            "budget": "3000.30",
            "planned_absorption": "500.15",
            "by_kind": {"action": 2, "project": 1},
        }

    def test_readers_in_scope(self, client, session, w, cycle):
        t11, t12, t21 = (pb.plan(session, u) for u in (w.t11, w.t12, w.t21))
        for who, plan in [
            ("editor", t11),
            ("viewer", t11),
            ("viewer", t12),
            ("quality", t21),
            ("admin", t21),
            ("superuser", t21),
        ]:
            r = client.get(f"{API}/plans/{plan.id}", headers=auth(getattr(w, who)))
            assert r.status_code == 200, (who, r.text)

    def test_outside_the_scope_is_not_found(self, client, session, w, cycle):
        t12, t21 = pb.plan(session, w.t12), pb.plan(session, w.t21)
        bt11 = pb.plan(session, w.bt11)
        for who, plan in [
            ("editor", t12),
            ("viewer", t21),
            ("nobody", t12),
            ("admin_b", t12),
            ("quality", bt11),
        ]:
            body = assert_problem(
                client.get(f"{API}/plans/{plan.id}", headers=auth(getattr(w, who))), 404
            )
            assert body["detail"] == f"plan {plan.id} not found"
        assert_problem(client.get(f"{API}/plans/999999", headers=auth(w.superuser)), 404)


class TestListPlans:
    @pytest.fixture
    def plans(self, session, w, cycle):
        pb.cycle(session, w.a, 2026)
        t11 = pb.plan(session, w.t11)
        pb.item(session, t11, "001", budget=Decimal("0.10"))
        pb.item(session, t11, "002", budget=Decimal("0.20"))
        pb.item(session, t11, "003", budget=None)
        pb.item(session, t11, "U01", budget=Decimal("5"), unplanned=True)
        return {
            "t11": t11,
            "t12": pb.plan(session, w.t12, status="submitted"),
            "t21": pb.plan(session, w.t21, status="approved", baseline_no=1),
            "t11_2026": pb.plan(session, w.t11, 2026, status="approved", baseline_no=1),
            "bt11": pb.plan(session, w.bt11),
        }

    def _ids(self, client, headers, query=""):
        r = client.get(f"{API}/plans{query}", headers=headers)
        assert r.status_code == 200, r.text
        return [row["id"] for row in r.json()["items"]]

    def test_rows_carry_counts_and_budget(self, client, w, plans, q):
        rows = client.get(f"{API}/plans?year=2027&org_unit_id={w.t11.id}", headers=q).json()
        assert rows["total"] == 1
        row = rows["items"][0]
        assert row["id"] == plans["t11"].id
        assert (row["org_unit_code"], row["org_unit_name"]) == ("T11", w.t11.name)
        assert (row["items_count"], row["budget_total"]) == (3, "0.30")
        row = client.get(f"{API}/plans?org_unit_id={w.t12.id}", headers=q).json()["items"][0]
        assert (row["items_count"], row["budget_total"]) == (0, "0.00")

    def test_filters(self, client, w, plans, q):
        p = {k: v.id for k, v in plans.items()}
        assert self._ids(client, q, "?year=2027") == [p["t11"], p["t12"], p["t21"]]
        assert self._ids(client, q, "?year=2026") == [p["t11_2026"]]
        assert self._ids(client, q, f"?under={w.d1.id}&year=2027") == [p["t11"], p["t12"]]
        assert self._ids(client, q, f"?org_unit_id={w.t11.id}") == [p["t11"], p["t11_2026"]]
        assert self._ids(client, q, "?status=approved") == [p["t21"], p["t11_2026"]]
        assert self._ids(client, q, "?status=submitted&year=2027") == [p["t12"]]
        assert self._ids(client, q, f"?status=draft&under={w.d2.id}") == []

    def test_pagination(self, client, plans, q):
        r = client.get(f"{API}/plans?limit=2&offset=1", headers=q).json()
        assert (r["total"], r["limit"], r["offset"], len(r["items"])) == (4, 2, 1, 2)
        assert_problem(client.get(f"{API}/plans?limit=501", headers=q), 422)

    def test_editor_sees_only_its_unit(self, client, w, plans, ed):
        mine = [plans["t11"].id, plans["t11_2026"].id]
        assert self._ids(client, ed) == mine
        assert self._ids(client, ed, f"?under={w.a.id}") == mine
        assert self._ids(client, ed, f"?org_unit_id={w.t12.id}") == []
        assert self._ids(client, ed, "?status=submitted") == []

    def test_other_scopes(self, client, w, plans):
        p = {k: v.id for k, v in plans.items()}
        assert self._ids(client, auth(w.viewer), "?year=2027") == [p["t11"], p["t12"]]
        assert self._ids(client, auth(w.quality_b)) == [p["bt11"]]
        assert self._ids(client, auth(w.admin_b), f"?under={w.a.id}") == []
        assert self._ids(client, auth(w.nobody)) == []
        assert len(self._ids(client, auth(w.superuser))) == 5


class TestDeletePlan:
    def _delete(self, client, plan_id, headers, tag=None):
        tag = tag or pb.etag(client, f"{API}/plans/{plan_id}", headers)
        return client.delete(f"{API}/plans/{plan_id}", headers={**headers, "If-Match": tag})

    def test_draft_never_approved_is_deleted_with_its_items(self, client, session, w, cycle, ed):
        plan = pb.new_plan(client, w.t11, ed)
        emp = employee(session, w.t11)
        pb.add_item(client, plan["id"], ed, assignee_ids=[emp.id])
        pb.add_item(client, plan["id"], ed)
        r = self._delete(client, plan["id"], ed)
        assert r.status_code == 204, r.text
        assert_problem(client.get(f"{API}/plans/{plan['id']}", headers=ed), 404)
        assert (pb.count(session, Plan), pb.count(session, Item)) == (0, 0)
        # The unit may start its plan again.
        pb.new_plan(client, w.t11, ed)

    def test_admin_deletes_too(self, client, session, w, cycle, adm):
        plan = pb.plan(session, w.t12)
        assert self._delete(client, plan.id, adm).status_code == 204

    @pytest.mark.parametrize(
        ("status", "baseline_no"),
        [("submitted", 0), ("returned", 0), ("approved", 1), ("draft", 1)],
    )
    def test_refused_once_submitted_or_approved(
        self, client, session, w, cycle, ed, status, baseline_no
    ):
        plan = pb.plan(session, w.t11, status=status, baseline_no=baseline_no)
        body = assert_problem(self._delete(client, plan.id, ed), 409)
        assert f"plan {plan.id} has been submitted or approved" in body["detail"]
        assert client.get(f"{API}/plans/{plan.id}", headers=ed).status_code == 200

    def test_if_match(self, client, session, w, cycle, ed):
        plan = pb.plan(session, w.t11)
        assert_problem(client.delete(f"{API}/plans/{plan.id}", headers=ed), 428)
        assert_problem(self._delete(client, plan.id, ed, '"2"'), 412)
        assert pb.count(session, Plan) == 1

    def test_roles_and_scope(self, client, session, w, cycle):
        plan = pb.plan(session, w.t11)
        assert_problem(self._delete(client, plan.id, auth(w.viewer), '"1"'), 403)
        assert_problem(self._delete(client, plan.id, auth(w.quality), '"1"'), 403)
        assert_problem(self._delete(client, plan.id, auth(w.admin_b), '"1"'), 404)
        other = pb.plan(session, w.t12)
        assert_problem(self._delete(client, other.id, auth(w.editor), '"1"'), 404)
        assert pb.count(session, Plan) == 2
