"""Cycles: who opens, reads, changes, closes and reopens them; what a closed cycle refuses."""

from datetime import date

import pytest

from app.planning.models import Cycle
from tests import plan_builders as pb
from tests.builders import World, auth
from tests.helpers import assert_problem, error_locs

API = pb.API
BODY = {"year": 2027, "plan_deadline": "2027-01-31", "report_deadline": "2027-02-28"}


class TestCreateCycle:
    @pytest.mark.parametrize("who", ["quality", "admin"])
    def test_quality_or_admin_of_the_municipality_opens_a_cycle(self, client, w, who):
        r = client.post(f"{API}/cycles", json=BODY, headers=auth(getattr(w, who)))
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["municipality_id"] == w.a.municipality_id
        assert (body["year"], body["status"], body["version"]) == (2027, "open", 1)
        assert (body["plan_deadline"], body["report_deadline"]) == ("2027-01-31", "2027-02-28")
        assert r.headers["ETag"] == '"1"'
        assert r.headers["Location"] == f"{API}/cycles/{body['id']}"

    def test_superuser_names_the_municipality(self, client, w):
        headers = auth(w.superuser)
        body = assert_problem(client.post(f"{API}/cycles", json=BODY, headers=headers), 422)
        assert error_locs(body) == [["body", "municipality_id"]]
        r = client.post(
            f"{API}/cycles", json=BODY | {"municipality_id": w.b.municipality_id}, headers=headers
        )
        assert r.status_code == 201, r.text
        assert r.json()["municipality_id"] == w.b.municipality_id

    @pytest.mark.parametrize("who", ["editor", "viewer"])
    def test_editor_and_viewer_are_forbidden(self, client, session, w, who):
        headers = auth(getattr(w, who))
        for body in (BODY, BODY | {"municipality_id": w.a.municipality_id}):
            assert_problem(client.post(f"{API}/cycles", json=body, headers=headers), 403)
        assert pb.count(session, Cycle) == 0

    def test_other_municipality_is_not_found(self, client, session, w):
        body = BODY | {"municipality_id": w.a.municipality_id}
        assert_problem(client.post(f"{API}/cycles", json=body, headers=auth(w.quality_b)), 404)
        assert pb.count(session, Cycle) == 0

    def test_duplicate_year_is_409(self, client, w, cycle, q):
        body = assert_problem(client.post(f"{API}/cycles", json=BODY, headers=q), 409)
        assert f"cycle {cycle.id}" in body["detail"]
        # The same year in the other municipality is another cycle.
        r = client.post(f"{API}/cycles", json=BODY, headers=auth(w.quality_b))
        assert r.status_code == 201, r.text

    @pytest.mark.parametrize(
        ("change", "loc"),
        [
            ({"plan_deadline": "2025-12-31"}, "plan_deadline"),
            ({"report_deadline": "2029-01-01"}, "report_deadline"),
            ({"plan_deadline": "2027-03-01", "report_deadline": "2027-02-01"}, "report_deadline"),
            ({"plan_deadline": "1999-12-31"}, "plan_deadline"),
            ({"year": 1999}, "year"),
            ({"plan_deadline": "31/01/2027"}, "plan_deadline"),
            ({"status": "closed"}, "status"),
        ],
    )
    def test_invalid_deadlines_are_422(self, client, session, w, q, change, loc):
        body = assert_problem(client.post(f"{API}/cycles", json=BODY | change, headers=q), 422)
        assert ["body", loc] in error_locs(body)
        assert pb.count(session, Cycle) == 0


class TestReadCycle:
    @pytest.mark.parametrize("who", ["quality", "admin", "editor", "viewer"])
    def test_everyone_of_the_municipality_reads_it(self, client, w, cycle, who):
        r = client.get(f"{API}/cycles/{cycle.id}", headers=auth(getattr(w, who)))
        assert r.status_code == 200, r.text
        assert r.json()["year"] == 2027
        assert r.headers["ETag"] == f'"{cycle.version}"'

    def test_other_municipality_is_not_found(self, client, w, cycle):
        assert_problem(client.get(f"{API}/cycles/{cycle.id}", headers=auth(w.quality_b)), 404)
        assert_problem(client.get(f"{API}/cycles/{cycle.id}", headers=auth(w.nobody)), 404)

    def test_list_shows_only_own_municipality(self, client, session, w, cycle):
        other = pb.cycle(session, w.b, 2027)
        pb.cycle(session, w.a, 2026, status="closed")
        r = client.get(f"{API}/cycles", headers=auth(w.quality_b))
        assert [c["id"] for c in r.json()["items"]] == [other.id]
        r = client.get(f"{API}/cycles?status=open", headers=auth(w.viewer))
        assert [c["id"] for c in r.json()["items"]] == [cycle.id]
        r = client.get(f"{API}/cycles?year=2026", headers=auth(w.editor))
        assert [c["year"] for c in r.json()["items"]] == [2026]


def _patch(client, cycle_id, body, headers, tag='"1"'):
    return client.patch(f"{API}/cycles/{cycle_id}", json=body, headers={**headers, "If-Match": tag})


class TestUpdateCycle:
    @pytest.fixture
    def cycle(self, session, w):
        return pb.cycle(
            session, w.a, plan_deadline=date(2027, 1, 31), report_deadline=date(2027, 2, 28)
        )

    def test_deadlines_change_and_version_bumps(self, client, cycle, q):
        r = _patch(client, cycle.id, {"plan_deadline": "2027-02-15"}, q)
        assert r.status_code == 200, r.text
        assert r.json()["plan_deadline"] == "2027-02-15"
        assert r.json()["report_deadline"] == str(cycle.report_deadline)
        assert r.headers["ETag"] == '"2"'
        again = client.get(f"{API}/cycles/{cycle.id}", headers=q).json()
        assert (again["plan_deadline"], again["version"]) == ("2027-02-15", 2)

    def test_if_match_missing_or_stale(self, client, cycle, q):
        r = client.patch(
            f"{API}/cycles/{cycle.id}", json={"plan_deadline": "2027-02-15"}, headers=q
        )
        assert_problem(r, 428)
        assert_problem(_patch(client, cycle.id, {"plan_deadline": "2027-02-15"}, q, '"7"'), 412)
        assert client.get(f"{API}/cycles/{cycle.id}", headers=q).json()["version"] == 1

    @pytest.mark.parametrize("who", ["editor", "viewer"])
    def test_editor_and_viewer_are_forbidden(self, client, w, cycle, who):
        r = _patch(client, cycle.id, {"plan_deadline": "2027-02-15"}, auth(getattr(w, who)))
        assert_problem(r, 403)

    def test_other_municipality_is_not_found(self, client, w, cycle):
        r = _patch(client, cycle.id, {"plan_deadline": "2027-02-15"}, auth(w.admin_b))
        assert_problem(r, 404)

    def test_report_before_plan_deadline_is_422(self, client, cycle, q):
        # The stored plan deadline counts when only the report deadline is sent.
        r = _patch(client, cycle.id, {"report_deadline": "2027-01-01"}, q)
        assert error_locs(assert_problem(r, 422)) == [["body", "report_deadline"]]
        r = _patch(client, cycle.id, {"plan_deadline": "2030-01-01"}, q)
        assert ["body", "plan_deadline"] in error_locs(assert_problem(r, 422))

    def test_unknown_field_is_422(self, client, cycle, q):
        r = _patch(client, cycle.id, {"year": 2028}, q)
        assert error_locs(assert_problem(r, 422)) == [["body", "year"]]


def _post(client, cycle_id, what, headers, tag):
    return client.post(f"{API}/cycles/{cycle_id}/{what}", headers={**headers, "If-Match": tag})


class TestCloseAndReopenCycle:
    @pytest.mark.parametrize("who", ["quality", "admin"])
    def test_close_then_reopen(self, client, w, cycle, who):
        headers = auth(getattr(w, who))
        r = _post(client, cycle.id, "close", headers, '"1"')
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.headers["ETag"]) == ("closed", '"2"')
        assert_problem(_post(client, cycle.id, "close", headers, '"2"'), 409)
        r = _post(client, cycle.id, "reopen", headers, '"2"')
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.headers["ETag"]) == ("open", '"3"')
        body = assert_problem(_post(client, cycle.id, "reopen", headers, '"3"'), 409)
        assert "cycle 2027 is already open" in body["detail"]

    @pytest.mark.parametrize("what", ["close", "reopen"])
    def test_if_match_required(self, client, cycle, q, what):
        assert_problem(client.post(f"{API}/cycles/{cycle.id}/{what}", headers=q), 428)
        assert_problem(_post(client, cycle.id, what, q, '"9"'), 412)

    @pytest.mark.parametrize("who", ["editor", "viewer"])
    def test_editor_and_viewer_are_forbidden(self, client, w, cycle, who):
        assert_problem(_post(client, cycle.id, "close", auth(getattr(w, who)), '"1"'), 403)

    def test_other_municipality_is_not_found(self, client, w, cycle):
        assert_problem(_post(client, cycle.id, "close", auth(w.quality_b), '"1"'), 404)


CLOSED = "cycle 2027 is closed"


class TestClosedCycleRefusesChanges:
    """Every change of the year waits until the cycle is reopened."""

    @pytest.fixture
    def closed(self, client, cycle, q):
        """Closes the cycle through the API when called (after the test built its data)."""

        def close():
            tag = pb.etag(client, f"{API}/cycles/{cycle.id}", q)
            return _post(client, cycle.id, "close", q, tag)

        return close

    def _refused(self, r):
        assert CLOSED in assert_problem(r, 409)["detail"]

    def test_plan_creation(self, client, w: World, closed, ed):
        assert closed().status_code == 200
        r = client.post(f"{API}/plans", json={"org_unit_id": w.t11.id, "year": 2027}, headers=ed)
        self._refused(r)

    def test_item_changes_and_plan_delete(self, client, session, w, closed, ed):
        plan = pb.plan(session, w.t11)
        item = pb.item(session, plan, "001")
        assert closed().status_code == 200
        r = client.post(f"{API}/plans/{plan.id}/items", json=pb.item_body(), headers=ed)
        self._refused(r)
        self._refused(pb.patch_item(client, item.id, ed, {"title": "Άλλος τίτλος"}))
        self._refused(pb.delete_item(client, item.id, ed))
        self._refused(client.delete(f"{API}/plans/{plan.id}", headers={**ed, "If-Match": '"1"'}))
        assert client.get(f"{API}/items/{item.id}", headers=ed).json()["title"] == "Ενέργεια 001"

    @pytest.mark.parametrize(
        ("status", "action", "who"),
        [
            ("draft", "submit", "editor"),
            ("returned", "submit", "editor"),
            ("submitted", "approve", "quality"),
            ("submitted", "return", "quality"),
            ("approved", "reopen", "quality"),
            ("approved", "reopen", "admin"),
        ],
    )
    def test_every_workflow_step(self, client, session, w, closed, status, action, who):
        plan = pb.plan(session, w.t11, status=status)
        pb.item(session, plan, "001")
        assert closed().status_code == 200
        headers = auth(getattr(w, who))
        comment = "σχόλιο" if action in ("return", "reopen") else None
        self._refused(pb.step(client, plan.id, action, headers, comment))
        assert client.get(f"{API}/plans/{plan.id}", headers=headers).json()["status"] == status

    def test_reopened_cycle_accepts_changes_again(self, client, session, w, cycle, closed, q, ed):
        plan = pb.plan(session, w.t11)
        assert closed().status_code == 200
        assert _post(client, cycle.id, "reopen", q, '"2"').status_code == 200
        pb.add_item(client, plan.id, ed)
