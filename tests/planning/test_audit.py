"""The audit trail of planning: one event per change, with who and before/after; scoped reads."""

from datetime import date, datetime

import pytest

from tests import plan_builders as pb
from tests.builders import auth, employee

API = pb.API


def events(client, headers, **query):
    r = client.get(f"{API}/audit-events", params=query, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def one(client, headers, entity_type, entity_id, action):
    """The one event of this action on this entity (listed via the API)."""
    found = [
        e
        for e in events(client, headers, entity_type=entity_type, entity_id=entity_id)
        if e["action"] == action
    ]
    assert len(found) == 1, found
    return found[0]


class TestCycleEvents:
    def test_create_update_close_reopen(self, client, w, q):
        body = {"year": 2027, "plan_deadline": "2027-01-31", "report_deadline": "2027-02-28"}
        cid = client.post(f"{API}/cycles", json=body, headers=q).json()["id"]
        url = f"{API}/cycles/{cid}"
        r = client.patch(
            url, json={"plan_deadline": "2027-02-15"}, headers={**q, "If-Match": '"1"'}
        )
        assert r.status_code == 200
        assert client.post(f"{url}/close", headers={**q, "If-Match": '"2"'}).status_code == 200
        assert client.post(f"{url}/reopen", headers={**q, "If-Match": '"3"'}).status_code == 200
        created = one(client, q, "cycle", cid, "create")
        assert created["user_id"] == w.quality.id
        assert created["municipality_id"] == w.a.municipality_id
        assert created["changes"] == {
            "plan_deadline": {"before": None, "after": "2027-01-31"},
            "report_deadline": {"before": None, "after": "2027-02-28"},
            "status": {"before": None, "after": "open"},
            "year": {"before": None, "after": 2027},
        }
        assert one(client, q, "cycle", cid, "update")["changes"] == {
            "plan_deadline": {"before": "2027-01-31", "after": "2027-02-15"}
        }
        assert one(client, q, "cycle", cid, "close")["changes"] == {
            "status": {"before": "open", "after": "closed"}
        }
        assert one(client, q, "cycle", cid, "reopen")["changes"] == {
            "status": {"before": "closed", "after": "open"}
        }
        assert len(events(client, q, entity_type="cycle", entity_id=cid)) == 4


class TestPlanAndItemEvents:
    def test_plan_create_and_delete(self, client, w, cycle, ed):
        plan = pb.new_plan(client, w.t11, ed)
        pb.add_item(client, plan["id"], ed)
        r = client.delete(f"{API}/plans/{plan['id']}", headers={**ed, "If-Match": '"2"'})
        assert r.status_code == 204, r.text
        created = one(client, ed, "plan", plan["id"], "create")
        assert (created["user_id"], created["org_unit_id"]) == (w.editor.id, w.t11.id)
        assert created["changes"] == {
            "org_unit_id": {"before": None, "after": w.t11.id},
            "status": {"before": None, "after": "draft"},
            "year": {"before": None, "after": 2027},
        }
        assert one(client, ed, "plan", plan["id"], "delete")["changes"] == {
            "org_unit_id": {"before": w.t11.id, "after": None},
            "status": {"before": "draft", "after": None},
            "year": {"before": 2027, "after": None},
            "items_deleted": {"before": 1, "after": 0},
        }

    def test_item_create_update_delete(self, client, session, w, cycle, ed):
        emp = employee(session, w.t11)
        plan = pb.new_plan(client, w.t11, ed)
        it = pb.add_item(client, plan["id"], ed, title="Α", budget=1000, assignee_ids=[emp.id])
        patch = {"title": "Β", "budget": "1000.00", "assignee_ids": []}
        assert pb.patch_item(client, it["id"], ed, patch).status_code == 200
        assert pb.delete_item(client, it["id"], ed).status_code == 204
        created = one(client, ed, "item", it["id"], "create")
        assert created["user_id"] == w.editor.id and created["org_unit_id"] == w.t11.id
        changes = created["changes"]
        assert changes["title"] == {"before": None, "after": "Α"}
        assert changes["budget"] == {"before": None, "after": "1000.00"}
        assert changes["code"] == {"before": None, "after": "001"}
        assert changes["assignee_ids"] == {"before": None, "after": [emp.id]}
        assert "description" not in changes  # null before and after
        # Only what changed: the budget sent again as it was is no change.
        assert one(client, ed, "item", it["id"], "update")["changes"] == {
            "assignee_ids": {"before": [emp.id], "after": []},
            "title": {"before": "Α", "after": "Β"},
        }
        deleted = one(client, ed, "item", it["id"], "delete")["changes"]
        assert deleted["title"] == {"before": "Β", "after": None}
        assert deleted["budget"] == {"before": "1000.00", "after": None}
        assert len(events(client, ed, entity_type="item", entity_id=it["id"])) == 3

    def test_item_edit_of_a_returned_plan_records_the_plan_back_to_draft(
        self, client, session, w, cycle, ed
    ):
        plan = pb.plan(session, w.t11, status="returned")
        it = pb.item(session, plan, "001")
        assert pb.patch_item(client, it.id, ed, {"notes": "Διορθώθηκε"}).status_code == 200
        assert one(client, ed, "item", it.id, "update")["changes"] == {
            "notes": {"before": None, "after": "Διορθώθηκε"},
            "plan_status": {"before": "returned", "after": "draft"},
        }

    def test_carry_over(self, client, session, w, cycle, ed):
        pb.cycle(session, w.a, 2026)
        old_plan = pb.plan(session, w.t11, 2026, status="approved", baseline_no=1)
        old = pb.item(session, old_plan, "007", title="Συνεχίζεται")
        pb.outcome(session, old, "in_progress")
        plan = pb.new_plan(client, w.t11, ed, carry_over=True)
        copy = plan["items"][0]
        event = one(client, ed, "item", copy["id"], "carry_over")
        assert event["user_id"] == w.editor.id
        assert event["changes"]["carried_over_from_id"] == {"before": None, "after": old.id}
        assert event["changes"]["title"] == {"before": None, "after": "Συνεχίζεται"}
        assert event["changes"]["code"] == {"before": None, "after": "007"}


class TestWorkflowEvents:
    def test_every_step_with_who_and_what(self, client, session, w, cycle):
        ed, q, adm = auth(w.editor), auth(w.quality), auth(w.admin)
        plan = pb.new_plan(client, w.t11, ed)
        pid = plan["id"]
        pb.add_item(client, pid, ed)
        assert pb.step(client, pid, "submit", ed).status_code == 200
        assert pb.step(client, pid, "return", q, "Λείπουν υπεύθυνοι").status_code == 200
        submitted = one(client, q, "plan", pid, "submitted")
        assert submitted["user_id"] == w.editor.id
        assert submitted["changes"]["status"] == {"before": "draft", "after": "submitted"}
        assert submitted["changes"]["submitted_at"]["before"] is None
        assert datetime.fromisoformat(submitted["changes"]["submitted_at"]["after"]).tzinfo
        returned = one(client, q, "plan", pid, "returned")
        assert returned["user_id"] == w.quality.id
        assert returned["changes"] == {
            "status": {"before": "submitted", "after": "returned"},
            "return_comment": {"before": None, "after": "Λείπουν υπεύθυνοι"},
        }
        assert pb.step(client, pid, "submit", ed).status_code == 200
        assert pb.step(client, pid, "approve", adm).status_code == 200
        assert pb.step(client, pid, "reopen", q, "Τροποποίηση").status_code == 200
        approved = one(client, q, "plan", pid, "approved")
        assert approved["user_id"] == w.admin.id
        assert approved["changes"]["status"] == {"before": "submitted", "after": "approved"}
        assert approved["changes"]["baseline_no"] == {"before": 0, "after": 1}
        assert approved["changes"]["return_comment"] == {
            "before": "Λείπουν υπεύθυνοι",
            "after": None,
        }
        assert approved["changes"]["approved_at"]["before"] is None
        reopened = one(client, q, "plan", pid, "reopened")
        assert reopened["changes"] == {
            "status": {"before": "approved", "after": "draft"},
            "return_comment": {"before": None, "after": "Τροποποίηση"},
        }
        assert pb.step(client, pid, "submit", ed).status_code == 200
        assert pb.step(client, pid, "approve", q).status_code == 200
        second = events(client, q, entity_id=pid, action="approved")
        assert [e["changes"]["baseline_no"] for e in second] == [
            {"before": 1, "after": 2},
            {"before": 0, "after": 1},
        ]
        assert second[0]["changes"]["approved_at"]["before"] is not None
        actions = [e["action"] for e in events(client, q, entity_type="plan", entity_id=pid)]
        assert actions == [
            "approved",
            "submitted",
            "reopened",
            "approved",
            "submitted",
            "returned",
            "submitted",
            "create",
        ]

    def test_late_submission_is_recorded(self, client, session, w, ed):
        pb.cycle(session, w.a, plan_deadline=date(2020, 1, 31))
        plan = pb.plan(session, w.t11)
        pb.item(session, plan, "001")
        assert pb.step(client, plan.id, "submit", ed).json()["plan_late"] is True
        event = one(client, ed, "plan", plan.id, "submitted")
        assert event["changes"]["plan_late"] == {"before": False, "after": True}


class TestAuditScope:
    @pytest.fixture
    def plans(self, client, session, w, cycle):
        adm = auth(w.admin)
        t11 = pb.new_plan(client, w.t11, adm)
        t12 = pb.new_plan(client, w.t12, adm)
        pb.add_item(client, t11["id"], adm)
        pb.add_item(client, t12["id"], adm)
        pb.cycle(session, w.b)
        bt11 = pb.new_plan(client, w.bt11, auth(w.admin_b))
        return {"t11": t11["id"], "t12": t12["id"], "bt11": bt11["id"]}

    def test_editor_sees_its_unit_only(self, client, w, plans, ed):
        assert len(events(client, ed, entity_type="plan", entity_id=plans["t11"])) == 1
        assert events(client, ed, entity_type="plan", entity_id=plans["t12"]) == []
        assert {e["org_unit_id"] for e in events(client, ed)} == {w.t11.id}
        assert len(events(client, ed, entity_type="item")) == 1

    def test_viewer_of_the_directorate_sees_both_departments(self, client, w, plans):
        seen = {e["org_unit_id"] for e in events(client, auth(w.viewer))}
        assert seen == {w.t11.id, w.t12.id}

    def test_municipalities_see_nothing_of_each_other(self, client, w, plans):
        for who in ("admin_b", "quality_b"):
            headers = auth(getattr(w, who))
            assert events(client, headers, entity_type="plan", entity_id=plans["t11"]) == []
            assert {e["municipality_id"] for e in events(client, headers)} == {w.b.municipality_id}
        a_events = events(client, auth(w.quality), limit=500)
        assert a_events and {e["municipality_id"] for e in a_events} == {w.a.municipality_id}
        assert events(client, auth(w.nobody)) == []
