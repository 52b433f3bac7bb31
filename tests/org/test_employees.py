"""/employees: the staff of the org units, changed with If-Match, always inside one municipality."""

import pytest
from sqlmodel import Session

from app.org.models import Employee
from tests.builders import World, auth, employee
from tests.helpers import API, assert_problem, audit_count, db_row, if_match, unchanged

EMPLOYEES = f"{API}/employees"


@pytest.fixture
def w(session: Session) -> World:
    return World(session)


@pytest.fixture
def staff(session: Session, w: World) -> dict[str, Employee]:
    return {
        "maria": employee(session, w.t11, "Μαρία Παπαδοπούλου"),
        "nikos": employee(session, w.t12, "Νίκος Γεωργίου"),
        "eleni": employee(session, w.t21, "Ελένη Κωνσταντίνου"),
        "volos": employee(session, w.bt11, "Σπύρος Βολιώτης"),
    }


def names(client, who, **params) -> list[str]:
    r = client.get(EMPLOYEES, params=params, headers=auth(who))
    assert r.status_code == 200, r.text
    return [e["full_name"] for e in r.json()["items"]]


class TestCreateEmployee:
    def test_admin_adds_an_employee(self, client, session, w):
        events = audit_count(session)
        body = {
            "org_unit_id": w.t11.id,
            "full_name": "  Γιώργος Αθανασίου ",
            "email": "g.athanasiou@example.gr",
            "job_title": "ΠΕ Οικονομικού",
        }
        r = client.post(EMPLOYEES, json=body, headers=auth(w.admin))
        assert r.status_code == 201, r.text
        created = r.json()
        assert r.headers["ETag"] == '"1"'
        assert r.headers["Location"] == f"{EMPLOYEES}/{created['id']}"
        assert created["full_name"] == "Γιώργος Αθανασίου"
        assert created["municipality_id"] == w.a.municipality_id and created["active"] is True
        assert audit_count(session) == events + 1

    def test_no_employee_on_an_inactive_unit(self, client, session, w):
        w.t12.active = False
        session.flush()
        events = audit_count(session)
        r = client.post(
            EMPLOYEES, json={"org_unit_id": w.t12.id, "full_name": "Χ"}, headers=auth(w.admin)
        )
        assert_problem(r, 409)
        assert audit_count(session) == events
        assert names(client, w.superuser, org_unit_id=w.t12.id) == []

    def test_unit_outside_the_scope_is_404(self, client, session, w):
        r = client.post(
            EMPLOYEES, json={"org_unit_id": w.bt11.id, "full_name": "Χ"}, headers=auth(w.admin)
        )
        assert_problem(r, 404)
        assert names(client, w.superuser, org_unit_id=w.bt11.id) == []

    @pytest.mark.parametrize(
        ("extra", "loc"),
        [
            ({"full_name": ""}, ["body", "full_name"]),
            ({"email": "not-an-email"}, ["body", "email"]),
            ({"municipality_id": 2}, ["body", "municipality_id"]),
            ({"active": False}, ["body", "active"]),
            ({"org_unit_id": "T11"}, ["body", "org_unit_id"]),
        ],
    )
    def test_invalid_bodies_are_422(self, client, session, w, extra, loc):
        events = audit_count(session)
        body = {"org_unit_id": w.t11.id, "full_name": "Χ"} | extra
        problem = assert_problem(client.post(EMPLOYEES, json=body, headers=auth(w.admin)), 422)
        assert loc in [e["loc"] for e in problem["errors"]]
        assert audit_count(session) == events


class TestReadEmployee:
    def test_read_with_etag_inside_the_scope(self, client, w, staff):
        r = client.get(f"{EMPLOYEES}/{staff['maria'].id}", headers=auth(w.editor))
        assert r.status_code == 200, r.text
        assert r.headers["ETag"] == '"1"' and r.json()["org_unit_id"] == w.t11.id

    def test_outside_the_scope_is_404(self, client, w, staff):
        for who in (w.editor, w.admin_b, w.nobody):
            assert_problem(client.get(f"{EMPLOYEES}/{staff['nikos'].id}", headers=auth(who)), 404)


class TestUpdateEmployee:
    def patch(self, client, emp, body, headers):
        return client.patch(f"{EMPLOYEES}/{emp.id}", json=body, headers=headers)

    def test_if_match_missing_428_stale_412_right_200(self, client, session, w, staff):
        maria, h = staff["maria"], auth(w.admin)
        with unchanged(session, Employee, maria.id):
            assert_problem(self.patch(client, maria, {"job_title": "Προϊσταμένη"}, h), 428)
            r = self.patch(client, maria, {"job_title": "Προϊσταμένη"}, h | if_match(5))
            assert_problem(r, 412)
        r = self.patch(client, maria, {"job_title": "Προϊσταμένη"}, h | if_match(1))
        assert r.status_code == 200, r.text
        assert r.headers["ETag"] == '"2"' and r.json()["job_title"] == "Προϊσταμένη"

    def test_move_within_the_municipality(self, client, session, w, staff):
        r = self.patch(
            client, staff["maria"], {"org_unit_id": w.t21.id}, auth(w.admin) | if_match(1)
        )
        assert r.status_code == 200, r.text
        assert db_row(session, Employee, staff["maria"].id)["org_unit_id"] == w.t21.id  # type: ignore[index]
        assert "Μαρία Παπαδοπούλου" not in names(client, w.editor)

    def test_move_to_another_municipality_is_refused(self, client, session, w, staff):
        maria = staff["maria"]
        with unchanged(session, Employee, maria.id):
            r = self.patch(client, maria, {"org_unit_id": w.bt11.id}, auth(w.admin) | if_match(1))
            assert_problem(r, 404)
            r = self.patch(
                client, maria, {"org_unit_id": w.bt11.id}, auth(w.superuser) | if_match(1)
            )
            body = assert_problem(r, 422)
        assert body["errors"][0]["loc"] == ["body", "org_unit_id"]

    def test_move_to_an_inactive_unit_is_refused(self, client, session, w, staff):
        w.t21.active = False
        session.flush()
        with unchanged(session, Employee, staff["maria"].id):
            r = self.patch(
                client, staff["maria"], {"org_unit_id": w.t21.id}, auth(w.admin) | if_match(1)
            )
            assert_problem(r, 409)

    def test_deactivate(self, client, w, staff):
        r = self.patch(client, staff["maria"], {"active": False}, auth(w.admin) | if_match(1))
        assert r.status_code == 200 and r.json()["active"] is False

    @pytest.mark.parametrize("body", [{"full_name": None}, {"org_unit_id": None}, {"id": 3}])
    def test_invalid_changes_are_422(self, client, session, w, staff, body):
        with unchanged(session, Employee, staff["maria"].id):
            assert_problem(
                self.patch(client, staff["maria"], body, auth(w.admin) | if_match(1)), 422
            )

    @pytest.mark.parametrize("who", ["editor", "viewer", "quality"])
    def test_only_admins_change_employees(self, client, session, w, staff, who):
        with unchanged(session, Employee, staff["maria"].id):
            r = self.patch(
                client, staff["maria"], {"active": False}, auth(getattr(w, who)) | if_match(1)
            )
            assert_problem(r, 403)


class TestDeleteEmployee:
    def test_delete_with_if_match(self, client, session, w, staff):
        maria = staff["maria"]
        with unchanged(session, Employee, maria.id):
            assert_problem(client.delete(f"{EMPLOYEES}/{maria.id}", headers=auth(w.admin)), 428)
        events = audit_count(session)
        r = client.delete(f"{EMPLOYEES}/{maria.id}", headers=auth(w.admin) | if_match(1))
        assert r.status_code == 204, r.text
        assert db_row(session, Employee, maria.id) is None
        assert audit_count(session) == events + 1
        assert_problem(client.get(f"{EMPLOYEES}/{maria.id}", headers=auth(w.admin)), 404)


class TestListEmployees:
    def test_scope(self, client, w, staff):
        assert names(client, w.editor) == ["Μαρία Παπαδοπούλου"]
        assert names(client, w.viewer) == ["Μαρία Παπαδοπούλου", "Νίκος Γεωργίου"]
        assert names(client, w.admin_b) == ["Σπύρος Βολιώτης"]
        assert names(client, w.nobody) == []
        assert len(names(client, w.superuser)) == 4

    def test_filters(self, client, session, w, staff):
        staff["nikos"].active = False
        session.flush()
        assert names(client, w.admin, org_unit_id=w.t21.id) == ["Ελένη Κωνσταντίνου"]
        assert names(client, w.admin, under=w.d1.id) == ["Μαρία Παπαδοπούλου", "Νίκος Γεωργίου"]
        assert names(client, w.admin, active=False) == ["Νίκος Γεωργίου"]
        assert names(client, w.admin, q="ΜΑΡΊΑ") == ["Μαρία Παπαδοπούλου"]
        assert names(client, w.admin, q="κωνσταντ") == ["Ελένη Κωνσταντίνου"]
        assert names(client, w.admin, under=w.bd1.id) == []

    def test_envelope(self, client, w, staff):
        r = client.get(EMPLOYEES, params={"limit": 1, "offset": 1}, headers=auth(w.admin))
        body = r.json()
        assert (body["total"], body["limit"], body["offset"], len(body["items"])) == (3, 1, 1, 1)
