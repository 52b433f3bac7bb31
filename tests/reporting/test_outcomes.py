"""PUT/GET /items/{id}/outcome: create then update under If-Match, the states in which a
report's lines change, who may change them, and the trail each change leaves."""

import pytest
from sqlmodel import select

from app.reporting.models import Outcome
from tests import plan_builders as pb
from tests.builders import auth
from tests.helpers import assert_problem, unchanged
from tests.reporting.support import (
    API,
    approved_plan,
    events,
    outcome,
    plan_tag,
    put_outcome,
    read_plan,
    update_outcome,
)

IN_PROGRESS = {
    "status": "in_progress",
    "progress_pct": "40",
    "actual_start": "2025-02-03",
    "actual_absorption": 1200.5,
    "kpi_actual": "3.25",
    "deviation_category": "staffing",
    "deviation_reason": "  Δύο συνταξιοδοτήσεις  ",
}


def url(item_id: int) -> str:
    return f"{API}/items/{item_id}/outcome"


class TestCreateAndUpdateOutcome:
    def test_first_put_creates_it_with_201_and_an_etag(self, client, session, plan, ed):
        it = pb.item(session, plan, "001")
        r = put_outcome(client, it.id, ed, IN_PROGRESS)
        assert r.status_code == 201, r.text
        assert r.headers["ETag"] == '"1"'
        body = r.json()
        assert {k: body[k] for k in (*IN_PROGRESS, "actual_end", "item_id", "version")} == {
            "item_id": it.id,
            "status": "in_progress",
            "progress_pct": "40",
            "actual_start": "2025-02-03",
            "actual_end": None,
            "actual_absorption": "1200.50",
            "kpi_actual": "3.25",
            "deviation_category": "staffing",
            "deviation_reason": "Δύο συνταξιοδοτήσεις",
            "version": 1,
        }
        got = client.get(url(it.id), headers=ed)
        assert got.status_code == 200
        assert got.headers["ETag"] == '"1"'
        assert got.json() == body

    def test_get_before_any_outcome_is_404(self, client, session, plan, ed):
        it = pb.item(session, plan, "001")
        body = assert_problem(client.get(url(it.id), headers=ed), 404)
        assert f"item {it.id} has no outcome" in body["detail"]

    def test_update_with_the_current_etag_is_200_and_replaces_every_field(
        self, client, session, plan, ed
    ):
        it = pb.item(session, plan, "001")
        put_outcome(client, it.id, ed, IN_PROGRESS)
        r = put_outcome(
            client,
            it.id,
            ed,
            {"status": "completed", "actual_end": "2025-11-30"},
            if_match='"1"',
        )
        assert r.status_code == 200, r.text
        assert r.headers["ETag"] == '"2"'
        body = r.json()
        assert (body["status"], body["version"], body["actual_end"]) == (
            "completed",
            2,
            "2025-11-30",
        )
        # A PUT replaces the whole line: what was not sent is cleared.
        assert body["actual_start"] is None and body["deviation_reason"] is None
        assert body["actual_absorption"] is None and body["kpi_actual"] is None
        assert client.get(url(it.id), headers=ed).headers["ETag"] == '"2"'

    def test_update_without_if_match_is_428(self, client, session, plan, ed):
        it = pb.item(session, plan, "001")
        o = outcome(session, it, "in_progress")
        with unchanged(session, Outcome, o.id):
            r = put_outcome(client, it.id, ed, {"status": "completed"})
            body = assert_problem(r, 428)
        assert "If-Match" in body["detail"]

    def test_update_with_a_stale_etag_is_412(self, client, session, plan, ed):
        it = pb.item(session, plan, "001")
        put_outcome(client, it.id, ed, IN_PROGRESS)
        assert update_outcome(client, it.id, ed, {"status": "postponed"}).status_code == 200
        stored = session.scalar(select(Outcome.id).where(Outcome.item_id == it.id))
        with unchanged(session, Outcome, stored):
            r = put_outcome(client, it.id, ed, {"status": "completed"}, if_match='"1"')
            body = assert_problem(r, 412)
        assert "read it again" in body["detail"]

    def test_completed_without_progress_is_at_100(self, client, session, plan, ed):
        it = pb.item(session, plan, "001")
        r = put_outcome(client, it.id, ed, {"status": "completed"})
        assert r.status_code == 201, r.text
        assert r.json()["progress_pct"] == "100"
        r = put_outcome(
            client, it.id, ed, {"status": "completed", "progress_pct": "100.00"}, if_match='"1"'
        )
        assert r.status_code == 200 and r.json()["progress_pct"] == "100"

    def test_sending_back_what_was_read_changes_nothing(self, client, session, plan, ed, root):
        it = pb.item(session, plan, "001")
        put_outcome(client, it.id, ed, IN_PROGRESS)
        session.expire_all()  # the next request reads the row as stored, as a new one would
        read = client.get(url(it.id), headers=ed).json()
        tag = plan_tag(client, plan.id, ed)
        same = {k: read[k] for k in IN_PROGRESS} | {"actual_end": None}
        r = put_outcome(client, it.id, ed, same, if_match='"1"')
        assert r.status_code == 200, r.text
        assert r.headers["ETag"] == '"1"' and r.json()["version"] == 1
        assert plan_tag(client, plan.id, ed) == tag
        assert [e["action"] for e in events(client, root, "outcome", it.id)] == ["create"]


class TestWhenOutcomesChange:
    @pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
    def test_a_plan_not_approved_has_no_report(self, client, session, w, cycle, ed, status):
        p = pb.plan(session, w.t11, 2025, status=status)
        it = pb.item(session, p, "001")
        body = assert_problem(put_outcome(client, it.id, ed, {"status": "in_progress"}), 409)
        assert body["detail"] == (f"the report needs an approved plan: plan {p.id} is {status}")
        assert pb.count(session, Outcome) == 0

    @pytest.mark.parametrize("report_status", ["submitted", "approved"])
    def test_frozen_once_the_report_is_submitted_or_approved(
        self, client, session, w, cycle, ed, report_status
    ):
        p = approved_plan(session, w.t11, report_status=report_status)
        fresh, done = pb.item(session, p, "001"), pb.item(session, p, "002")
        o = outcome(session, done, "in_progress")
        body = assert_problem(put_outcome(client, fresh.id, ed, {"status": "completed"}), 409)
        assert body["detail"] == (
            f"the report of plan {p.id} is {report_status}: only a draft or returned report changes"
        )
        with unchanged(session, Outcome, o.id):
            r = put_outcome(client, done.id, ed, {"status": "completed"}, if_match='"1"')
            assert f"is {report_status}" in assert_problem(r, 409)["detail"]
        assert pb.count(session, Outcome) == 1

    def test_a_returned_report_becomes_draft_on_the_next_change(
        self, client, session, w, cycle, ed, root
    ):
        p = approved_plan(session, w.t11, report_status="returned", return_comment="Λείπουν")
        it = pb.item(session, p, "001")
        o = outcome(session, it, "in_progress")
        r = put_outcome(client, it.id, ed, {"status": "completed"}, if_match='"1"')
        assert r.status_code == 200, r.text
        assert read_plan(client, p.id, ed)["report_status"] == "draft"
        [event] = events(client, root, "outcome", it.id)
        assert event["changes"]["report_status"] == {"before": "returned", "after": "draft"}
        assert session.get(Outcome, o.id).status == "completed"

    def test_a_closed_cycle_changes_nothing(self, client, session, w, ed):
        pb.cycle(session, w.a, 2025, status="closed")
        p = approved_plan(session, w.t11)
        fresh, done = pb.item(session, p, "001"), pb.item(session, p, "002")
        o = outcome(session, done, "in_progress")
        body = assert_problem(put_outcome(client, fresh.id, ed, {"status": "completed"}), 409)
        assert body["detail"].startswith("cycle 2025 is closed")
        with unchanged(session, Outcome, o.id):
            r = put_outcome(client, done.id, ed, {"status": "completed"}, if_match='"1"')
            assert "cycle 2025 is closed" in assert_problem(r, 409)["detail"]


class TestWhoReportsOutcomes:
    @pytest.mark.parametrize("who", ["editor", "admin", "superuser"])
    def test_editor_and_admin_of_the_unit_may(self, client, session, w, plan, who):
        it = pb.item(session, plan, "001")
        r = put_outcome(client, it.id, auth(getattr(w, who)), {"status": "in_progress"})
        assert r.status_code == 201, r.text

    @pytest.mark.parametrize("who", ["viewer", "quality"])
    def test_viewer_and_quality_read_but_may_not_write(self, client, session, w, plan, who):
        it = pb.item(session, plan, "001")
        o = outcome(session, it, "in_progress")
        headers = auth(getattr(w, who))
        assert client.get(url(it.id), headers=headers).status_code == 200
        with unchanged(session, Outcome, o.id):
            r = put_outcome(client, it.id, headers, {"status": "completed"}, if_match='"1"')
            assert_problem(r, 403)
        other = pb.item(session, plan, "002")
        assert_problem(put_outcome(client, other.id, headers, {"status": "completed"}), 403)
        assert pb.count(session, Outcome) == 1

    @pytest.mark.parametrize("who", ["editor", "admin_b", "quality_b", "nobody"])
    def test_outside_the_scope_is_404(self, client, session, w, cycle, who):
        p = approved_plan(session, w.t12)  # the editor holds T11 only
        it = pb.item(session, p, "001")
        o = outcome(session, it, "in_progress")
        headers = auth(getattr(w, who))
        assert_problem(client.get(url(it.id), headers=headers), 404)
        with unchanged(session, Outcome, o.id):
            r = put_outcome(client, it.id, headers, {"status": "completed"}, if_match='"1"')
            body = assert_problem(r, 404)
        assert body["detail"] == f"item {it.id} not found"
        fresh = pb.item(session, p, "002")
        assert_problem(put_outcome(client, fresh.id, headers, {"status": "completed"}), 404)

    def test_unknown_item_is_404(self, client, plan, ed):
        assert_problem(put_outcome(client, 987_654, ed, {"status": "completed"}), 404)


class TestOutcomeTrail:
    def test_every_change_is_an_audit_event_with_before_and_after(
        self, client, session, w, plan, ed, root
    ):
        it = pb.item(session, plan, "001")
        put_outcome(client, it.id, ed, {"status": "in_progress", "progress_pct": 40})
        update_outcome(client, it.id, ed, {"status": "in_progress", "progress_pct": "65.5"})
        create, update = events(client, root, "outcome", it.id)
        assert (create["action"], create["user_id"], create["org_unit_id"]) == (
            "create",
            w.editor.id,
            w.t11.id,
        )
        assert create["changes"]["status"] == {"before": None, "after": "in_progress"}
        assert float(create["changes"]["progress_pct"]["after"]) == 40
        assert "actual_end" not in create["changes"]  # only what has a value
        assert update["action"] == "update"
        assert set(update["changes"]) == {"progress_pct"}
        change = update["changes"]["progress_pct"]
        assert (float(change["before"]), float(change["after"])) == (40, 65.5)

    def test_every_change_bumps_the_plans_etag(self, client, session, plan, ed):
        it = pb.item(session, plan, "001")
        tags = [plan_tag(client, plan.id, ed)]
        put_outcome(client, it.id, ed, {"status": "in_progress"})
        tags.append(plan_tag(client, plan.id, ed))
        update_outcome(client, it.id, ed, {"status": "postponed"})
        tags.append(plan_tag(client, plan.id, ed))
        versions = [int(t.strip('"')) for t in tags]
        assert versions == [versions[0], versions[0] + 1, versions[0] + 2]
