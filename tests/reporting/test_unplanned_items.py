"""Unplanned items: added while reporting, changed and removed under the report's rules,
while the planned items of the approved plan stay as approved."""

import pytest

from app.planning.models import Item
from app.reporting.models import Outcome
from tests import plan_builders as pb
from tests.builders import auth
from tests.helpers import assert_problem, error_locs, unchanged
from tests.reporting.support import API, approved_plan, events, outcome, plan_tag, read_plan

BODY = {
    "kind": "service",
    "title": "Έκτακτη καθαριότητα μετά την πλημμύρα",
    "planned_start": "2025-09-10",
    "planned_end": "2025-09-30",
}


def add_unplanned(client, plan_id, headers, **fields):
    return client.post(
        f"{API}/plans/{plan_id}/unplanned-items", json=BODY | fields, headers=headers
    )


def unplanned(session, plan, code="U01"):
    return pb.item(session, plan, code, unplanned=True)


class TestAddUnplannedItem:
    def test_added_to_an_approved_plan_flagged_unplanned(self, client, session, plan, ed, root):
        before = plan_tag(client, plan.id, ed)
        r = add_unplanned(client, plan.id, ed)
        assert r.status_code == 201, r.text
        body = r.json()
        assert (body["unplanned"], body["plan_id"], body["title"]) == (True, plan.id, BODY["title"])
        assert body["code"] and body["carried_over_from_id"] is None
        assert r.headers["Location"] == f"{API}/items/{body['id']}"
        assert r.headers["ETag"] == '"1"'
        assert plan_tag(client, plan.id, ed) != before
        detail = read_plan(client, plan.id, ed)
        assert (detail["status"], detail["report_status"]) == ("approved", "draft")
        assert detail["totals"]["items"] == 0  # the plan's totals count planned items only
        listed = client.get(f"{API}/plans/{plan.id}/items?unplanned=true", headers=ed).json()
        assert [i["id"] for i in listed["items"]] == [body["id"]]
        [event] = events(client, root, "item", body["id"])
        assert event["action"] == "create"
        assert event["changes"]["title"] == {"before": None, "after": BODY["title"]}

    def test_a_returned_report_becomes_draft(self, client, session, w, cycle, ed):
        p = approved_plan(session, w.t11, report_status="returned")
        assert add_unplanned(client, p.id, ed).status_code == 201
        assert read_plan(client, p.id, ed)["report_status"] == "draft"

    @pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
    def test_refused_while_the_plan_is_not_approved(self, client, session, w, cycle, ed, status):
        p = pb.plan(session, w.t11, 2025, status=status)
        body = assert_problem(add_unplanned(client, p.id, ed), 409)
        assert body["detail"] == f"the report needs an approved plan: plan {p.id} is {status}"
        assert pb.count(session, Item) == 0

    @pytest.mark.parametrize("report_status", ["submitted", "approved"])
    def test_refused_once_the_report_is_submitted_or_approved(
        self, client, session, w, cycle, ed, report_status
    ):
        p = approved_plan(session, w.t11, report_status=report_status)
        body = assert_problem(add_unplanned(client, p.id, ed), 409)
        assert f"the report of plan {p.id} is {report_status}" in body["detail"]
        assert pb.count(session, Item) == 0

    def test_refused_when_the_cycle_is_closed(self, client, session, w, ed):
        pb.cycle(session, w.a, 2025, status="closed")
        p = approved_plan(session, w.t11)
        assert (
            "cycle 2025 is closed" in assert_problem(add_unplanned(client, p.id, ed), 409)["detail"]
        )

    def test_the_item_rules_hold(self, client, session, plan, ed):
        r = add_unplanned(client, plan.id, ed, planned_end="2024-12-31", planned_start=None)
        assert error_locs(assert_problem(r, 422)) == [["body", "planned_end"]]
        r = add_unplanned(client, plan.id, ed, unplanned=False)
        assert ["body", "unplanned"] in error_locs(assert_problem(r, 422))
        assert pb.count(session, Item) == 0

    @pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("quality", 403)])
    def test_viewer_and_quality_may_not(self, client, session, w, plan, who, status):
        assert_problem(add_unplanned(client, plan.id, auth(getattr(w, who))), status)
        assert pb.count(session, Item) == 0

    @pytest.mark.parametrize("who", ["editor", "admin_b", "quality_b"])
    def test_outside_the_scope_is_404(self, client, session, w, cycle, who):
        p = approved_plan(session, w.t12)
        assert_problem(add_unplanned(client, p.id, auth(getattr(w, who))), 404)
        assert pb.count(session, Item) == 0


class TestChangeUnplannedItem:
    def test_patched_while_the_report_is_a_draft(self, client, session, plan, ed, root):
        it = unplanned(session, plan)
        tag = plan_tag(client, plan.id, ed)
        r = pb.patch_item(client, it.id, ed, {"title": "Αποκατάσταση ζημιών", "weight": 2})
        assert r.status_code == 200, r.text
        assert (r.json()["title"], r.json()["weight"], r.json()["unplanned"]) == (
            "Αποκατάσταση ζημιών",
            "2",
            True,
        )
        assert r.headers["ETag"] == '"2"'
        assert plan_tag(client, plan.id, ed) != tag
        [event] = events(client, root, "item", it.id)
        assert event["changes"]["title"]["after"] == "Αποκατάσταση ζημιών"

    def test_patch_on_a_returned_report_makes_it_draft(self, client, session, w, cycle, ed):
        p = approved_plan(session, w.t11, report_status="returned")
        it = unplanned(session, p)
        assert pb.patch_item(client, it.id, ed, {"notes": "Σημείωση"}).status_code == 200
        assert read_plan(client, p.id, ed)["report_status"] == "draft"

    def test_deleted_with_its_outcome(self, client, session, plan, ed, root):
        it = unplanned(session, plan)
        outcome(session, it, "completed", deviation_reason="Εντολή Δημάρχου")
        assert pb.delete_item(client, it.id, ed).status_code == 204
        assert_problem(client.get(f"{API}/items/{it.id}", headers=ed), 404)
        assert pb.count(session, Outcome) == 0
        assert [e["action"] for e in events(client, root, "item", it.id)] == ["delete"]

    @pytest.mark.parametrize("report_status", ["submitted", "approved"])
    def test_frozen_once_the_report_is_submitted_or_approved(
        self, client, session, w, cycle, ed, report_status
    ):
        p = approved_plan(session, w.t11, report_status=report_status)
        it = unplanned(session, p)
        with unchanged(session, Item, it.id):
            body = assert_problem(pb.patch_item(client, it.id, ed, {"title": "Άλλο"}), 409)
            assert f"the report of plan {p.id} is {report_status}" in body["detail"]
            body = assert_problem(pb.delete_item(client, it.id, ed), 409)
            assert f"the report of plan {p.id} is {report_status}" in body["detail"]

    def test_frozen_while_the_plan_is_reopened(self, client, session, w, cycle, ed):
        p = pb.plan(session, w.t11, 2025, status="draft", baseline_no=1)
        it = unplanned(session, p)
        with unchanged(session, Item, it.id):
            body = assert_problem(pb.patch_item(client, it.id, ed, {"title": "Άλλο"}), 409)
        assert "the report needs an approved plan" in body["detail"]

    def test_patch_needs_if_match(self, client, session, plan, ed):
        it = unplanned(session, plan)
        with unchanged(session, Item, it.id):
            r = client.patch(f"{API}/items/{it.id}", json={"title": "Άλλο"}, headers=ed)
            assert_problem(r, 428)
            assert_problem(pb.patch_item(client, it.id, ed, {"title": "Άλλο"}, '"9"'), 412)

    def test_viewer_may_not(self, client, session, w, plan):
        it = unplanned(session, plan)
        with unchanged(session, Item, it.id):
            assert_problem(pb.patch_item(client, it.id, auth(w.viewer), {"title": "Άλλο"}), 403)
            assert_problem(pb.delete_item(client, it.id, auth(w.quality)), 403)


class TestPlannedItemsStayAsApproved:
    def test_a_planned_item_of_the_approved_plan_is_not_changed(self, client, session, plan, ed):
        it = pb.item(session, plan, "001")
        with unchanged(session, Item, it.id):
            body = assert_problem(pb.patch_item(client, it.id, ed, {"title": "Άλλο"}), 409)
            assert body["detail"] == (
                f"plan {plan.id} is approved: only draft or returned plans change"
            )
            assert_problem(pb.delete_item(client, it.id, ed), 409)

    def test_no_planned_item_is_added_to_the_approved_plan(self, client, session, plan, ed):
        r = client.post(f"{API}/plans/{plan.id}/items", json=pb.item_body(), headers=ed)
        assert f"plan {plan.id} is approved" in assert_problem(r, 409)["detail"]
        assert pb.count(session, Item) == 0
