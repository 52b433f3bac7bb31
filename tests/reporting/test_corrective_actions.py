"""Corrective actions (ISO 9001 10.2): created on an item, listed per item and per unit and
year inside the caller's scope, changed under If-Match, closed only with a result."""

from datetime import date

import pytest

from app.reporting.models import CorrectiveAction
from tests import plan_builders as pb
from tests.builders import auth, employee
from tests.helpers import assert_problem, error_locs, unchanged
from tests.reporting.support import API, approved_plan, events

DESCRIPTION = "Ρήτρες καθυστέρησης στις νέες συμβάσεις"


def create(client, item_pk, headers, **fields):
    body = {"description": DESCRIPTION} | fields
    return client.post(f"{API}/items/{item_pk}/corrective-actions", json=body, headers=headers)


def action_row(session, it, description=DESCRIPTION, **fields):
    a = CorrectiveAction(
        municipality_id=it.municipality_id, item_id=it.id, description=description, **fields
    )
    session.add(a)
    session.flush()
    return a


def patch(client, action_id, headers, body, if_match=None):
    tag = if_match or pb.etag(client, f"{API}/corrective-actions/{action_id}", headers)
    return client.patch(
        f"{API}/corrective-actions/{action_id}", json=body, headers={**headers, "If-Match": tag}
    )


def listed(client, headers, **params):
    r = client.get(f"{API}/corrective-actions", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return [a["id"] for a in r.json()["items"]]


class TestCreateCorrectiveAction:
    @pytest.mark.parametrize("who", ["editor", "admin"])
    def test_editor_and_admin_create_one(self, client, session, w, plan, root, who):
        it = pb.item(session, plan, "001")
        owner = employee(session, w.t11)
        r = create(
            client, it.id, auth(getattr(w, who)), owner_employee_id=owner.id, due_date="2026-05-31"
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert {
            k: body[k]
            for k in (
                "item_id",
                "description",
                "owner_employee_id",
                "due_date",
                "status",
                "result",
                "version",
            )
        } == {
            "item_id": it.id,
            "description": DESCRIPTION,
            "owner_employee_id": owner.id,
            "due_date": "2026-05-31",
            "status": "open",
            "result": None,
            "version": 1,
        }
        assert r.headers["Location"] == f"{API}/corrective-actions/{body['id']}"
        assert r.headers["ETag"] == '"1"'
        [event] = events(client, root, "corrective_action", body["id"])
        assert (event["action"], event["org_unit_id"]) == ("create", w.t11.id)
        assert event["changes"]["description"] == {"before": None, "after": DESCRIPTION}

    def test_an_employee_of_a_unit_below_may_own_it(self, client, session, w, cycle, adm):
        p = approved_plan(session, w.d1)
        it = pb.item(session, p, "001")
        r = create(client, it.id, adm, owner_employee_id=employee(session, w.t12).id)
        assert r.status_code == 201, r.text

    @pytest.mark.parametrize("where", ["sibling", "other_municipality", "inactive", "unknown"])
    def test_the_owner_must_be_an_active_employee_of_the_unit(
        self, client, session, w, plan, ed, where
    ):
        it = pb.item(session, plan, "001")
        if where == "unknown":
            owner_id = 987_654
        else:
            unit = {"sibling": w.t12, "other_municipality": w.bt11, "inactive": w.t11}[where]
            owner = employee(session, unit)
            owner.active = where != "inactive"
            session.flush()
            owner_id = owner.id
        problem = assert_problem(create(client, it.id, ed, owner_employee_id=owner_id), 422)
        assert error_locs(problem) == [["body", "owner_employee_id"]]
        assert pb.count(session, CorrectiveAction) == 0

    @pytest.mark.parametrize(
        ("body", "loc"),
        [
            ({"description": ""}, ["body", "description"]),
            ({"description": None}, ["body", "description"]),
            ({"status": "done"}, ["body", "status"]),
            ({"due_date": "31/05/2026"}, ["body", "due_date"]),
            ({"item_id": 5}, ["body", "item_id"]),
        ],
    )
    def test_invalid_body_is_422(self, client, session, plan, ed, body, loc):
        it = pb.item(session, plan, "001")
        assert loc in error_locs(assert_problem(create(client, it.id, ed, **body), 422))
        assert pb.count(session, CorrectiveAction) == 0

    @pytest.mark.parametrize("who", ["viewer", "quality"])
    def test_viewer_and_quality_may_not(self, client, session, w, plan, who):
        it = pb.item(session, plan, "001")
        assert_problem(create(client, it.id, auth(getattr(w, who))), 403)
        assert pb.count(session, CorrectiveAction) == 0

    @pytest.mark.parametrize("who", ["editor", "admin_b", "quality_b"])
    def test_outside_the_scope_is_404(self, client, session, w, cycle, who):
        it = pb.item(session, approved_plan(session, w.t12), "001")
        assert_problem(create(client, it.id, auth(getattr(w, who))), 404)
        assert pb.count(session, CorrectiveAction) == 0

    def test_a_closed_cycle_is_409(self, client, session, w, ed):
        pb.cycle(session, w.a, 2025, status="closed")
        it = pb.item(session, approved_plan(session, w.t11), "001")
        assert "cycle 2025 is closed" in assert_problem(create(client, it.id, ed), 409)["detail"]
        assert pb.count(session, CorrectiveAction) == 0


class TestListCorrectiveActions:
    @pytest.fixture
    def actions(self, session, w, cycle):
        """Actions on items of T11 (2025 and 2026), T12, T21 and, in B, BT11."""
        pb.cycle(session, w.a, 2026)
        t11 = pb.item(session, approved_plan(session, w.t11), "001")
        t11_next = pb.item(session, approved_plan(session, w.t11, 2026), "001")
        t12 = pb.item(session, approved_plan(session, w.t12), "001")
        t21 = pb.item(session, approved_plan(session, w.t21), "001")
        bt11 = pb.item(session, approved_plan(session, w.bt11), "001")
        return {
            "t11_open": action_row(session, t11, due_date=date(2026, 3, 31)),
            "t11_done": action_row(
                session, t11, status="done", result="Έγινε", due_date=date(2026, 1, 31)
            ),
            "t11_undated": action_row(session, t11),
            "t11_2026": action_row(session, t11_next),
            "t12": action_row(session, t12),
            "t21": action_row(session, t21),
            "bt11": action_row(session, bt11),
        }

    def ids(self, actions, *names):
        return [actions[n].id for n in names]

    def test_per_item_ordered_by_due_date_undated_last(self, client, session, actions, ed):
        it = actions["t11_open"].item_id
        r = client.get(f"{API}/items/{it}/corrective-actions", headers=ed)
        assert r.status_code == 200, r.text
        assert r.json()["total"] == 3
        assert [a["id"] for a in r.json()["items"]] == self.ids(
            actions, "t11_done", "t11_open", "t11_undated"
        )

    def test_per_item_outside_the_scope_is_404(self, client, actions, w):
        it = actions["t12"].item_id
        r = client.get(f"{API}/items/{it}/corrective-actions", headers=auth(w.editor))
        assert_problem(r, 404)
        r = client.get(f"{API}/items/{it}/corrective-actions", headers=auth(w.quality_b))
        assert_problem(r, 404)

    def test_an_editor_lists_only_its_units(self, client, w, actions, ed):
        assert sorted(listed(client, ed)) == sorted(
            self.ids(actions, "t11_open", "t11_done", "t11_undated", "t11_2026")
        )
        assert listed(client, ed, under=w.t12.id) == []
        assert listed(client, ed, under=w.d1.id, year=2026) == self.ids(actions, "t11_2026")

    def test_filters_under_year_and_status(self, client, w, actions, q):
        assert sorted(listed(client, q, under=w.d1.id, year=2025)) == sorted(
            self.ids(actions, "t11_open", "t11_done", "t11_undated", "t12")
        )
        assert listed(client, q, under=w.t11.id, year=2026) == self.ids(actions, "t11_2026")
        assert listed(client, q, under=w.d2.id) == self.ids(actions, "t21")
        assert listed(client, q, status="done") == self.ids(actions, "t11_done")
        assert listed(client, q, year=2025, status="open", under=w.t11.id) == self.ids(
            actions, "t11_open", "t11_undated"
        )

    def test_another_municipality_is_never_listed(self, client, w, actions):
        assert listed(client, auth(w.quality_b)) == self.ids(actions, "bt11")
        assert listed(client, auth(w.admin_b), under=w.t11.id) == []
        assert listed(client, auth(w.quality), under=w.bt11.id) == []
        assert listed(client, auth(w.nobody)) == []

    def test_read_one_with_its_etag_in_scope_only(self, client, w, actions, ed):
        a = actions["t11_open"]
        r = client.get(f"{API}/corrective-actions/{a.id}", headers=auth(w.viewer))
        assert r.status_code == 200 and r.headers["ETag"] == '"1"'
        assert r.json()["description"] == DESCRIPTION
        r = client.get(f"{API}/corrective-actions/{actions['t12'].id}", headers=ed)
        assert (
            assert_problem(r, 404)["detail"] == f"corrective action {actions['t12'].id} not found"
        )

    def test_bad_filters_are_422(self, client, actions, q):
        r = client.get(f"{API}/corrective-actions", params={"status": "closed"}, headers=q)
        assert error_locs(assert_problem(r, 422)) == [["query", "status"]]


class TestUpdateCorrectiveAction:
    @pytest.fixture
    def action(self, session, plan):
        return action_row(session, pb.item(session, plan, "001"))

    def test_done_with_its_result(self, client, action, ed, root):
        r = patch(client, action.id, ed, {"status": "done", "result": "Η σύμβαση υπογράφηκε"})
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.json()["version"]) == ("done", 2)
        assert r.headers["ETag"] == '"2"'
        [event] = events(client, root, "corrective_action", action.id)
        assert event["action"] == "update"
        assert event["changes"] == {
            "result": {"before": None, "after": "Η σύμβαση υπογράφηκε"},
            "status": {"before": "open", "after": "done"},
        }

    @pytest.mark.parametrize(
        "body",
        [
            {"status": "done"},
            {"status": "done", "result": "  "},
            {"status": "done", "result": None},
        ],
    )
    def test_done_needs_a_result(self, client, session, action, ed, body):
        with unchanged(session, CorrectiveAction, action.id):
            problem = assert_problem(patch(client, action.id, ed, body), 422)
        assert error_locs(problem) == [["body", "result"]]

    def test_the_result_of_a_done_action_is_not_cleared(self, client, session, plan, ed):
        done = action_row(session, pb.item(session, plan, "002"), status="done", result="Έγινε")
        with unchanged(session, CorrectiveAction, done.id):
            assert_problem(patch(client, done.id, ed, {"result": None}), 422)

    @pytest.mark.parametrize("field", ["description", "status"])
    def test_required_fields_are_not_nulled(self, client, session, action, ed, field):
        with unchanged(session, CorrectiveAction, action.id):
            problem = assert_problem(patch(client, action.id, ed, {field: None}), 422)
        assert error_locs(problem) == [["body", field]]

    def test_the_owner_is_checked_on_change(self, client, session, w, action, ed):
        r = patch(client, action.id, ed, {"owner_employee_id": employee(session, w.t11).id})
        assert r.status_code == 200, r.text
        stranger = employee(session, w.t21)
        with unchanged(session, CorrectiveAction, action.id):
            r = patch(client, action.id, ed, {"owner_employee_id": stranger.id})
            assert error_locs(assert_problem(r, 422)) == [["body", "owner_employee_id"]]

    def test_if_match_is_required_and_must_be_current(self, client, session, action, ed):
        url = f"{API}/corrective-actions/{action.id}"
        with unchanged(session, CorrectiveAction, action.id):
            assert_problem(client.patch(url, json={"due_date": "2026-06-30"}, headers=ed), 428)
            assert_problem(patch(client, action.id, ed, {"due_date": "2026-06-30"}, '"0"'), 412)

    def test_no_change_keeps_the_version(self, client, action, ed, root):
        r = patch(client, action.id, ed, {"description": DESCRIPTION})
        assert r.status_code == 200 and r.json()["version"] == 1
        assert [e["action"] for e in events(client, root, "corrective_action", action.id)] == []

    def test_a_closed_cycle_is_409(self, client, session, cycle, action, ed):
        cycle.status = "closed"
        session.flush()
        with unchanged(session, CorrectiveAction, action.id):
            r = patch(client, action.id, ed, {"status": "dropped"})
            assert "cycle 2025 is closed" in assert_problem(r, 409)["detail"]

    @pytest.mark.parametrize(
        ("who", "status"), [("viewer", 403), ("quality", 403), ("admin_b", 404), ("quality_b", 404)]
    )
    def test_roles_and_scope(self, client, session, w, action, who, status):
        headers = auth(getattr(w, who))
        with unchanged(session, CorrectiveAction, action.id):
            r = patch(client, action.id, headers, {"status": "dropped"}, if_match='"1"')
            assert_problem(r, status)
