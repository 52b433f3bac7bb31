"""/plans/{id}/report/submit|approve|return|reopen: who may take each step, from which state,
what each step stamps, and the plan amendment a submitted report blocks."""

from datetime import date, timedelta

import pytest

from app.core.db import local_today
from app.planning.models import Plan
from tests import plan_builders as pb
from tests.builders import auth
from tests.helpers import assert_problem, error_locs, unchanged
from tests.reporting.support import API, approved_plan, events, outcome, read_plan

COMMENT = "Λείπει η αιτιολόγηση της καθυστέρησης στην ενέργεια 003"


def ready_plan(session, unit, **fields):
    """An approved plan whose report can be submitted: one item, completed on plan."""
    p = approved_plan(session, unit, **fields)
    outcome(session, pb.item(session, p, "001"), "completed")
    return p


def report_step(client, plan_id, action, headers, comment=None):
    return pb.step(client, plan_id, f"report/{action}", headers, comment=comment)


class TestSubmitReport:
    @pytest.mark.parametrize("who", ["editor", "admin"])
    def test_editor_and_admin_submit(self, client, session, w, cycle, root, who):
        p = ready_plan(session, w.t11)
        version = p.version
        r = report_step(client, p.id, "submit", auth(getattr(w, who)))
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["status"], body["report_status"]) == ("approved", "submitted")
        assert body["report_submitted_at"] is not None and body["report_late"] is False
        assert body["version"] == version + 1 and r.headers["ETag"] == f'"{version + 1}"'
        [event] = events(client, root, "plan", p.id)
        assert (event["action"], event["user_id"]) == ("report_submitted", getattr(w, who).id)
        assert event["changes"]["report_status"] == {"before": "draft", "after": "submitted"}

    def test_a_returned_report_is_submitted_again(self, client, session, w, cycle, ed):
        p = ready_plan(session, w.t11, report_status="returned", return_comment=COMMENT)
        r = report_step(client, p.id, "submit", ed)
        assert r.status_code == 200, r.text
        assert r.json()["report_status"] == "submitted"

    def test_after_the_report_deadline_it_is_accepted_and_marked_late(
        self, client, session, w, cycle, ed
    ):
        cycle.report_deadline = date(2026, 2, 28)  # passed on every day these tests run
        p = ready_plan(session, w.t11)
        r = report_step(client, p.id, "submit", ed)
        assert r.status_code == 200, r.text
        assert (r.json()["report_status"], r.json()["report_late"]) == ("submitted", True)

    @pytest.mark.parametrize(("days_left", "late"), [(1, False), (0, False), (-1, True)])
    def test_late_only_after_the_deadline_day(self, client, session, w, cycle, ed, days_left, late):
        cycle.report_deadline = local_today() + timedelta(days=days_left)
        p = ready_plan(session, w.t11, report_late=not late)  # the stamp is set anew
        r = report_step(client, p.id, "submit", ed)
        assert r.status_code == 200, r.text
        assert r.json()["report_late"] is late

    @pytest.mark.parametrize("who", ["viewer", "quality"])
    def test_viewer_and_quality_may_not_submit(self, client, session, w, cycle, who):
        p = ready_plan(session, w.t11)
        with unchanged(session, Plan, p.id):
            assert_problem(report_step(client, p.id, "submit", auth(getattr(w, who))), 403)

    @pytest.mark.parametrize("who", ["editor", "admin_b", "quality_b"])
    def test_outside_the_scope_is_404(self, client, session, w, cycle, who):
        p = ready_plan(session, w.t12)
        r = client.post(
            f"{API}/plans/{p.id}/report/submit",
            headers={**auth(getattr(w, who)), "If-Match": f'"{p.version}"'},
        )
        assert assert_problem(r, 404)["detail"] == f"plan {p.id} not found"

    @pytest.mark.parametrize("report_status", ["submitted", "approved"])
    def test_only_a_draft_or_returned_report_is_submitted(
        self, client, session, w, cycle, ed, report_status
    ):
        p = ready_plan(session, w.t11, report_status=report_status)
        with unchanged(session, Plan, p.id):
            body = assert_problem(report_step(client, p.id, "submit", ed), 409)
        assert body["detail"] == (
            f"the report of plan {p.id} is {report_status}: "
            "only a draft or returned report can be submitted"
        )

    @pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
    def test_the_report_needs_an_approved_plan(self, client, session, w, cycle, ed, status):
        p = pb.plan(session, w.t11, 2025, status=status)
        pb.item(session, p, "001")
        with unchanged(session, Plan, p.id):
            body = assert_problem(report_step(client, p.id, "submit", ed), 409)
        assert body["detail"] == f"the report needs an approved plan: plan {p.id} is {status}"

    def test_if_match_is_required_and_must_be_current(self, client, session, w, cycle, ed):
        p = ready_plan(session, w.t11)
        with unchanged(session, Plan, p.id):
            assert_problem(client.post(f"{API}/plans/{p.id}/report/submit", headers=ed), 428)
            stale = {**ed, "If-Match": f'"{p.version - 1}"'}
            assert_problem(client.post(f"{API}/plans/{p.id}/report/submit", headers=stale), 412)

    def test_a_closed_cycle_refuses_every_step(self, client, session, w, ed, q):
        pb.cycle(session, w.a, 2025, status="closed")
        p = ready_plan(session, w.t11)
        s = ready_plan(session, w.t12, report_status="submitted")
        a = ready_plan(session, w.t21, report_status="approved")
        for plan_id, action, headers, comment in [
            (p.id, "submit", ed, None),
            (s.id, "approve", q, None),
            (s.id, "return", q, COMMENT),
            (a.id, "reopen", q, COMMENT),
        ]:
            body = assert_problem(report_step(client, plan_id, action, headers, comment), 409)
            assert body["detail"].startswith("cycle 2025 is closed"), action


class TestApproveReport:
    @pytest.mark.parametrize("who", ["quality", "admin"])
    def test_quality_and_admin_approve(self, client, session, w, cycle, root, who):
        p = ready_plan(session, w.t11, report_status="submitted")
        r = report_step(client, p.id, "approve", auth(getattr(w, who)))
        assert r.status_code == 200, r.text
        assert r.json()["report_status"] == "approved"
        assert r.json()["report_approved_at"] is not None
        [event] = events(client, root, "plan", p.id)
        assert event["action"] == "report_approved"
        assert event["changes"]["report_status"] == {"before": "submitted", "after": "approved"}

    @pytest.mark.parametrize("who", ["editor", "viewer"])
    def test_editor_and_viewer_may_not(self, client, session, w, cycle, who):
        p = ready_plan(session, w.t11, report_status="submitted")
        with unchanged(session, Plan, p.id):
            assert_problem(report_step(client, p.id, "approve", auth(getattr(w, who))), 403)

    def test_another_municipality_is_404(self, client, session, w, cycle):
        p = ready_plan(session, w.t11, report_status="submitted")
        headers = {**auth(w.quality_b), "If-Match": f'"{p.version}"'}
        assert_problem(client.post(f"{API}/plans/{p.id}/report/approve", headers=headers), 404)

    @pytest.mark.parametrize("report_status", ["draft", "returned", "approved"])
    def test_only_a_submitted_report_is_approved(self, client, session, w, cycle, q, report_status):
        p = ready_plan(session, w.t11, report_status=report_status)
        with unchanged(session, Plan, p.id):
            body = assert_problem(report_step(client, p.id, "approve", q), 409)
        assert body["detail"] == (
            f"the report of plan {p.id} is {report_status}: only a submitted report can be approved"
        )

    def test_the_report_needs_an_approved_plan(self, client, session, w, cycle, q):
        p = pb.plan(session, w.t11, 2025, status="submitted", report_status="submitted")
        body = assert_problem(report_step(client, p.id, "approve", q), 409)
        assert "the report needs an approved plan" in body["detail"]


class TestReturnReport:
    @pytest.mark.parametrize("who", ["quality", "admin"])
    def test_returned_with_a_comment(self, client, session, w, cycle, root, who):
        p = ready_plan(session, w.t11, report_status="submitted")
        r = report_step(client, p.id, "return", auth(getattr(w, who)), COMMENT)
        assert r.status_code == 200, r.text
        assert (r.json()["report_status"], r.json()["return_comment"]) == ("returned", COMMENT)
        [event] = events(client, root, "plan", p.id)
        assert event["action"] == "report_returned"
        assert event["changes"]["return_comment"] == {"before": None, "after": COMMENT}

    @pytest.mark.parametrize("body", [None, {}, {"comment": ""}, {"comment": "   "}])
    def test_a_comment_is_required(self, client, session, w, cycle, q, body):
        p = ready_plan(session, w.t11, report_status="submitted")
        headers = {**q, "If-Match": f'"{p.version}"'}
        with unchanged(session, Plan, p.id):
            r = client.post(f"{API}/plans/{p.id}/report/return", json=body, headers=headers)
            problem = assert_problem(r, 422)
        assert error_locs(problem)[0][0] == "body"

    @pytest.mark.parametrize("who", ["editor", "viewer"])
    def test_editor_and_viewer_may_not(self, client, session, w, cycle, who):
        p = ready_plan(session, w.t11, report_status="submitted")
        with unchanged(session, Plan, p.id):
            r = report_step(client, p.id, "return", auth(getattr(w, who)), COMMENT)
            assert_problem(r, 403)

    @pytest.mark.parametrize("report_status", ["draft", "returned", "approved"])
    def test_only_a_submitted_report_is_returned(self, client, session, w, cycle, q, report_status):
        p = ready_plan(session, w.t11, report_status=report_status)
        body = assert_problem(report_step(client, p.id, "return", q, COMMENT), 409)
        assert "only a submitted report can be returned" in body["detail"]


class TestReopenReport:
    @pytest.mark.parametrize("who", ["quality", "admin"])
    def test_an_approved_report_is_reopened_with_a_comment(
        self, client, session, w, cycle, ed, root, who
    ):
        p = ready_plan(session, w.t11, report_status="approved")
        r = report_step(client, p.id, "reopen", auth(getattr(w, who)), COMMENT)
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.json()["report_status"]) == ("approved", "draft")
        assert [e["action"] for e in events(client, root, "plan", p.id)] == ["report_reopened"]
        # A reopened report takes changes again.
        fresh = pb.item(session, p, "002")
        r = client.put(f"{API}/items/{fresh.id}/outcome", json={"status": "completed"}, headers=ed)
        assert r.status_code == 201, r.text

    def test_a_comment_is_required(self, client, session, w, cycle, q):
        p = ready_plan(session, w.t11, report_status="approved")
        with unchanged(session, Plan, p.id):
            r = report_step(client, p.id, "reopen", q, "")
            assert ["body", "comment"] in error_locs(assert_problem(r, 422))

    @pytest.mark.parametrize("who", ["editor", "viewer"])
    def test_editor_and_viewer_may_not(self, client, session, w, cycle, who):
        p = ready_plan(session, w.t11, report_status="approved")
        with unchanged(session, Plan, p.id):
            r = report_step(client, p.id, "reopen", auth(getattr(w, who)), COMMENT)
            assert_problem(r, 403)

    @pytest.mark.parametrize("report_status", ["draft", "submitted", "returned"])
    def test_only_an_approved_report_is_reopened(self, client, session, w, cycle, q, report_status):
        p = ready_plan(session, w.t11, report_status=report_status)
        body = assert_problem(report_step(client, p.id, "reopen", q, COMMENT), 409)
        assert body["detail"] == (
            f"the report of plan {p.id} is {report_status}: only an approved report can be reopened"
        )


STEPS = [
    ("submit", "editor", None, "draft"),
    ("approve", "quality", None, "submitted"),
    ("return", "quality", COMMENT, "submitted"),
    ("reopen", "quality", COMMENT, "approved"),
]


class TestEveryReportStep:
    @pytest.mark.parametrize(("action", "who", "comment", "report_status"), STEPS)
    @pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
    def test_needs_an_approved_plan(
        self, client, session, w, cycle, action, who, comment, report_status, status
    ):
        p = pb.plan(session, w.t11, 2025, status=status, report_status=report_status)
        pb.item(session, p, "001")
        with unchanged(session, Plan, p.id):
            r = report_step(client, p.id, action, auth(getattr(w, who)), comment)
            body = assert_problem(r, 409)
        assert body["detail"] == f"the report needs an approved plan: plan {p.id} is {status}"

    @pytest.mark.parametrize(("action", "who", "comment", "report_status"), STEPS)
    @pytest.mark.parametrize("outsider", ["admin_b", "quality_b", "nobody"])
    def test_outside_the_scope_is_404(
        self, client, session, w, cycle, action, who, comment, report_status, outsider
    ):
        p = ready_plan(session, w.t11, report_status=report_status)
        headers = {**auth(getattr(w, outsider)), "If-Match": f'"{p.version}"'}
        body = {"comment": comment} if comment else None
        with unchanged(session, Plan, p.id):
            r = client.post(f"{API}/plans/{p.id}/report/{action}", json=body, headers=headers)
            assert assert_problem(r, 404)["detail"] == f"plan {p.id} not found"


class TestTheWholeRound:
    def test_submit_return_fix_submit_approve(self, client, session, w, cycle, ed, q, root):
        p = approved_plan(session, w.t11)
        it = pb.item(session, p, "001")
        r = client.put(f"{API}/items/{it.id}/outcome", json={"status": "completed"}, headers=ed)
        assert r.status_code == 201
        steps = [
            ("submit", ed, None, "submitted"),
            ("return", q, COMMENT, "returned"),
            ("submit", ed, None, "submitted"),
            ("approve", q, None, "approved"),
        ]
        for action, headers, comment, state in steps:
            r = report_step(client, p.id, action, headers, comment)
            assert r.status_code == 200, (action, r.text)
            assert read_plan(client, p.id, ed)["report_status"] == state
        trail = events(client, root, "plan", p.id)
        assert [e["action"] for e in trail] == [
            "report_submitted",
            "report_returned",
            "report_submitted",
            "report_approved",
        ]
        # The approved report carries no stale return comment; the trail keeps it.
        assert read_plan(client, p.id, ed)["return_comment"] is None
        assert trail[-1]["changes"]["return_comment"] == {"before": COMMENT, "after": None}


class TestPlanReopenWaitsForTheReport:
    @pytest.mark.parametrize("report_status", ["submitted", "approved"])
    def test_a_plan_whose_report_is_submitted_or_approved_is_not_reopened(
        self, client, session, w, cycle, q, report_status
    ):
        p = ready_plan(session, w.t11, report_status=report_status)
        with unchanged(session, Plan, p.id):
            body = assert_problem(pb.step(client, p.id, "reopen", q, comment=COMMENT), 409)
        assert body["detail"] == (
            f"the report of plan {p.id} is {report_status}: "
            "reopen or return the report before amending the plan"
        )

    @pytest.mark.parametrize("report_status", ["draft", "returned"])
    def test_while_the_report_is_open_the_plan_is_reopened(
        self, client, session, w, cycle, q, report_status
    ):
        p = ready_plan(session, w.t11, report_status=report_status)
        r = pb.step(client, p.id, "reopen", q, comment=COMMENT)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "draft"
