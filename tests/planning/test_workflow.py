"""The plan's workflow (SPEC §4): each step allowed and refused for each role and state."""

from datetime import timedelta

import pytest

from app.core.db import local_today
from tests import plan_builders as pb
from tests.builders import auth
from tests.helpers import assert_problem, error_locs

API = pb.API
STEPS = {"submit": None, "approve": None, "return": "Λείπουν υπεύθυνοι", "reopen": "Τροποποίηση"}


def _plan(session, w, status="draft", *, unit=None, items=1, **fields):
    plan = pb.plan(session, unit or w.t11, status=status, **fields)
    for n in range(items):
        pb.item(session, plan, f"{n + 1:03d}")
    return plan


def _read(client, plan_id, headers):
    return client.get(f"{API}/plans/{plan_id}", headers=headers).json()


class TestSubmit:
    @pytest.mark.parametrize("who", ["editor", "admin"])
    def test_editor_or_admin_submits_a_draft(self, client, session, w, cycle, who):
        plan = _plan(session, w)
        headers = auth(getattr(w, who))
        r = pb.step(client, plan.id, "submit", headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["status"], body["version"], body["plan_late"]) == ("submitted", 2, False)
        assert body["submitted_at"] is not None
        assert r.headers["ETag"] == '"2"'
        assert _read(client, plan.id, headers)["status"] == "submitted"

    def test_a_returned_plan_is_submitted_again(self, client, session, w, cycle, ed):
        plan = _plan(session, w, "returned", return_comment="Διορθώσεις")
        r = pb.step(client, plan.id, "submit", ed)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "submitted"

    @pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("quality", 403)])
    def test_viewer_and_quality_are_forbidden(self, client, session, w, cycle, who, status):
        plan = _plan(session, w)
        assert_problem(pb.step(client, plan.id, "submit", auth(getattr(w, who))), status)
        assert plan.status == "draft"

    def test_outside_the_scope_is_not_found(self, client, session, w, cycle):
        plan = _plan(session, w, unit=w.t12)
        for who in ("editor", "admin_b", "nobody"):
            r = pb.step(client, plan.id, "submit", auth(getattr(w, who)), if_match='"1"')
            assert_problem(r, 404)

    def test_empty_plan_is_422(self, client, session, w, cycle, ed):
        plan = _plan(session, w, items=0)
        pb.item(session, plan, "U01", unplanned=True)  # an unplanned item is not a plan
        body = assert_problem(pb.step(client, plan.id, "submit", ed), 422)
        assert body["detail"] == f"plan {plan.id} has no items: add at least one before submitting"
        assert error_locs(body) == [["plan", "items"]]
        assert _read(client, plan.id, ed)["status"] == "draft"

    @pytest.mark.parametrize("status", ["submitted", "approved"])
    def test_wrong_state_is_409_saying_why(self, client, session, w, cycle, ed, status):
        plan = _plan(session, w, status)
        body = assert_problem(pb.step(client, plan.id, "submit", ed), 409)
        assert body["detail"] == (
            f"plan {plan.id} is {status}: only a draft or returned plan can be submitted"
        )


class TestLateMark:
    def test_after_the_plan_deadline_the_submission_is_late(self, client, session, w, ed):
        pb.cycle(session, w.a, plan_deadline=local_today() - timedelta(days=1))
        plan = _plan(session, w)
        r = pb.step(client, plan.id, "submit", ed)
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.json()["plan_late"]) == ("submitted", True)
        assert _read(client, plan.id, ed)["plan_late"] is True

    @pytest.mark.parametrize("days", [0, 1, 365])
    def test_on_or_before_the_deadline_it_is_not(self, client, session, w, ed, days):
        pb.cycle(session, w.a, plan_deadline=local_today() + timedelta(days=days))
        plan = _plan(session, w)
        r = pb.step(client, plan.id, "submit", ed)
        assert (r.status_code, r.json()["plan_late"]) == (200, False)

    def test_the_other_municipality_deadline_does_not_count(self, client, session, w, ed):
        pb.cycle(session, w.a)
        pb.cycle(session, w.b, plan_deadline=local_today() - timedelta(days=30))
        plan = _plan(session, w)
        assert pb.step(client, plan.id, "submit", ed).json()["plan_late"] is False


class TestApprove:
    @pytest.mark.parametrize("who", ["quality", "admin", "superuser"])
    def test_quality_or_admin_approves(self, client, session, w, cycle, who):
        plan = _plan(session, w, "submitted")
        r = pb.step(client, plan.id, "approve", auth(getattr(w, who)))
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["status"], body["baseline_no"], body["version"]) == ("approved", 1, 2)
        assert body["approved_at"] is not None

    @pytest.mark.parametrize("who", ["editor", "viewer"])
    def test_editor_and_viewer_are_forbidden(self, client, session, w, cycle, who):
        plan = _plan(session, w, "submitted")
        assert_problem(pb.step(client, plan.id, "approve", auth(getattr(w, who))), 403)
        assert _read(client, plan.id, auth(w.quality))["status"] == "submitted"

    def test_other_municipality_is_not_found(self, client, session, w, cycle):
        plan = _plan(session, w, "submitted")
        assert_problem(pb.step(client, plan.id, "approve", auth(w.quality_b), if_match='"1"'), 404)

    @pytest.mark.parametrize("status", ["draft", "returned", "approved"])
    def test_only_a_submitted_plan(self, client, session, w, cycle, q, status):
        plan = _plan(session, w, status)
        body = assert_problem(pb.step(client, plan.id, "approve", q), 409)
        assert body["detail"] == (
            f"plan {plan.id} is {status}: only a submitted plan can be approved"
        )
        assert _read(client, plan.id, q)["baseline_no"] == 0


class TestReturn:
    @pytest.mark.parametrize("who", ["quality", "admin"])
    def test_quality_or_admin_returns_with_a_comment(self, client, session, w, cycle, who):
        plan = _plan(session, w, "submitted")
        r = pb.step(client, plan.id, "return", auth(getattr(w, who)), "  Λείπουν ημερομηνίες ")
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.json()["return_comment"]) == (
            "returned",
            "Λείπουν ημερομηνίες",
        )

    @pytest.mark.parametrize("body", [None, {}, {"comment": ""}, {"comment": "   "}])
    def test_a_comment_is_required(self, client, session, w, cycle, q, body):
        plan = _plan(session, w, "submitted")
        r = client.post(
            f"{API}/plans/{plan.id}/return", json=body, headers={**q, "If-Match": '"1"'}
        )
        assert_problem(r, 422)
        assert _read(client, plan.id, q)["status"] == "submitted"

    def test_unknown_field_is_422(self, client, session, w, cycle, q):
        plan = _plan(session, w, "submitted")
        r = client.post(
            f"{API}/plans/{plan.id}/return",
            json={"comment": "x", "status": "draft"},
            headers={**q, "If-Match": '"1"'},
        )
        assert ["body", "status"] in error_locs(assert_problem(r, 422))

    @pytest.mark.parametrize("who", ["editor", "viewer"])
    def test_editor_and_viewer_are_forbidden(self, client, session, w, cycle, who):
        plan = _plan(session, w, "submitted")
        assert_problem(pb.step(client, plan.id, "return", auth(getattr(w, who)), "x"), 403)

    @pytest.mark.parametrize("status", ["draft", "returned", "approved"])
    def test_only_a_submitted_plan(self, client, session, w, cycle, q, status):
        plan = _plan(session, w, status)
        body = assert_problem(pb.step(client, plan.id, "return", q, "x"), 409)
        assert body["detail"] == (
            f"plan {plan.id} is {status}: only a submitted plan can be returned"
        )


class TestReopen:
    @pytest.mark.parametrize("who", ["quality", "admin"])
    def test_quality_or_admin_reopens_an_approved_plan(self, client, session, w, cycle, who):
        plan = _plan(session, w, "approved", baseline_no=1)
        r = pb.step(client, plan.id, "reopen", auth(getattr(w, who)), "Τροποποίηση Ιουνίου")
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["status"], body["baseline_no"]) == ("draft", 1)
        assert body["return_comment"] == "Τροποποίηση Ιουνίου"
        # The editor may change its items again.
        it = client.get(f"{API}/plans/{plan.id}/items", headers=auth(w.editor)).json()["items"][0]
        assert pb.patch_item(client, it["id"], auth(w.editor), {"notes": "x"}).status_code == 200

    @pytest.mark.parametrize("body", [None, {"comment": ""}])
    def test_a_comment_is_required(self, client, session, w, cycle, q, body):
        plan = _plan(session, w, "approved", baseline_no=1)
        r = client.post(
            f"{API}/plans/{plan.id}/reopen", json=body, headers={**q, "If-Match": '"1"'}
        )
        assert_problem(r, 422)
        assert _read(client, plan.id, q)["status"] == "approved"

    @pytest.mark.parametrize("who", ["editor", "viewer"])
    def test_editor_and_viewer_are_forbidden(self, client, session, w, cycle, who):
        plan = _plan(session, w, "approved", baseline_no=1)
        assert_problem(pb.step(client, plan.id, "reopen", auth(getattr(w, who)), "x"), 403)

    @pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
    def test_only_an_approved_plan(self, client, session, w, cycle, q, status):
        plan = _plan(session, w, status)
        body = assert_problem(pb.step(client, plan.id, "reopen", q, "x"), 409)
        assert body["detail"] == (
            f"plan {plan.id} is {status}: only an approved plan can be reopened"
        )

    @pytest.mark.parametrize("report_status", ["submitted", "approved"])
    def test_not_while_its_report_is_submitted_or_approved(
        self, client, session, w, cycle, q, report_status
    ):
        plan = _plan(session, w, "approved", baseline_no=1, report_status=report_status)
        body = assert_problem(pb.step(client, plan.id, "reopen", q, "x"), 409)
        assert f"the report of plan {plan.id} is {report_status}" in body["detail"]


class TestFullCycle:
    def test_draft_submitted_returned_draft_submitted_approved(self, client, session, w, cycle):
        ed, q = auth(w.editor), auth(w.quality)
        plan = pb.new_plan(client, w.t11, ed)
        it = pb.add_item(client, plan["id"], ed)
        assert pb.step(client, plan["id"], "submit", ed).json()["status"] == "submitted"
        assert pb.step(client, plan["id"], "return", q, "Ημερομηνίες").json()["status"] == (
            "returned"
        )
        assert pb.patch_item(client, it["id"], ed, {"planned_end": "2027-07-31"}).status_code == 200
        assert _read(client, plan["id"], ed)["status"] == "draft"
        assert pb.step(client, plan["id"], "submit", ed).json()["status"] == "submitted"
        approved = pb.step(client, plan["id"], "approve", q).json()
        assert (approved["status"], approved["baseline_no"]) == ("approved", 1)
        assert approved["return_comment"] is None
