"""/org-units: create, read, update with If-Match, deactivate, delete."""

import pytest
from sqlalchemy import select
from sqlmodel import Session

from app.org.models import OrgUnit, UnitKind
from tests.builders import World, auth, employee, municipality, unit
from tests.helpers import API, assert_problem, audit_count, db_row, unchanged

UNITS = f"{API}/org-units"


@pytest.fixture
def w(session: Session) -> World:
    return World(session)


def unit_id(session: Session, municipality_id: int, code: str) -> int | None:
    stmt = select(OrgUnit.id).where(
        OrgUnit.municipality_id == municipality_id,  # type: ignore[arg-type]
        OrgUnit.code == code,  # type: ignore[arg-type]
    )
    return session.scalar(stmt)


def dept(parent: OrgUnit, code: str = "T13", **extra):
    return (
        {"parent_id": parent.id, "code": code, "name": "Τμήμα Μισθοδοσίας"}
        | {"kind": "department"}
        | extra
    )


class TestCreateOrgUnit:
    def test_admin_creates_a_unit_that_the_scope_below_covers(self, client, session, w):
        events = audit_count(session)
        r = client.post(UNITS, json=dept(w.d1), headers=auth(w.admin))
        assert r.status_code == 201, r.text
        body = r.json()
        assert r.headers["ETag"] == '"1"'
        assert r.headers["Location"] == f"{UNITS}/{body['id']}"
        assert (body["municipality_id"], body["parent_id"], body["version"]) == (
            w.a.municipality_id,
            w.d1.id,
            1,
        )
        assert audit_count(session) == events + 1
        # A viewer of the directorate sees the new department through the closure table.
        assert client.get(f"{UNITS}/{body['id']}", headers=auth(w.viewer)).status_code == 200

    def test_superuser_creates_a_municipality(self, client, w):
        body = {"code": "PATRA", "name": "Δήμος Πατρέων", "kind": "municipality"}
        r = client.post(UNITS, json=body, headers=auth(w.superuser))
        assert r.status_code == 201, r.text
        created = r.json()
        assert created["parent_id"] is None
        assert created["municipality_id"] not in (w.a.municipality_id, w.b.municipality_id)

    def test_admin_cannot_create_a_municipality(self, client, session, w):
        events = audit_count(session)
        body = {"code": "PATRA", "name": "Δήμος Πατρέων", "kind": "municipality"}
        assert_problem(client.post(UNITS, json=body, headers=auth(w.admin)), 403)
        assert session.scalar(select(OrgUnit.id).where(OrgUnit.code == "PATRA")) is None  # type: ignore[arg-type]
        assert audit_count(session) == events

    @pytest.mark.parametrize(
        ("body", "loc"),
        [
            ({"code": "X", "name": "X", "kind": "department"}, ["body", "parent_id"]),
            (
                {"parent_id": 1, "code": "X", "name": "X", "kind": "municipality"},
                ["body", "parent_id"],
            ),
        ],
    )
    def test_parent_must_match_the_kind(self, client, session, w, body, loc):
        events = audit_count(session)
        problem = assert_problem(client.post(UNITS, json=body, headers=auth(w.superuser)), 422)
        assert problem["errors"][0]["loc"] == loc
        assert audit_count(session) == events

    @pytest.mark.parametrize("code", ["T12", "t12", "D2"])
    def test_code_is_unique_within_the_municipality(self, client, session, w, code):
        events = audit_count(session)
        r = client.post(UNITS, json=dept(w.d2, code), headers=auth(w.admin))
        assert_problem(r, 409)
        assert audit_count(session) == events
        assert unit_id(session, w.a.municipality_id, code) in (None, w.t12.id, w.d2.id)

    def test_same_code_is_allowed_in_another_municipality(self, client, w):
        r = client.post(UNITS, json=dept(w.bd1, "T11"), headers=auth(w.admin_b))
        assert r.status_code == 201, r.text
        assert r.json()["municipality_id"] == w.b.municipality_id

    def test_parent_in_another_municipality_is_not_found(self, client, session, w):
        events = audit_count(session)
        assert_problem(client.post(UNITS, json=dept(w.bd1), headers=auth(w.admin)), 404)
        assert unit_id(session, w.b.municipality_id, "T13") is None
        assert audit_count(session) == events

    def test_nothing_is_added_under_an_inactive_unit(self, client, session, w):
        w.t12.active = False
        session.flush()
        with unchanged(session, OrgUnit, w.t12.id):
            r = client.post(UNITS, json=dept(w.t12, kind="office"), headers=auth(w.admin))
            assert_problem(r, 409)

    def test_nothing_is_added_under_an_office(self, client, session, w):
        office = unit(session, w.a, "A01", "Γραφείο Δημάρχου", UnitKind.office)
        with unchanged(session, OrgUnit, office.id):
            problem = assert_problem(
                client.post(UNITS, json=dept(office), headers=auth(w.admin)), 422
            )
        assert problem["errors"][0]["loc"] == ["body", "parent_id"]

    def test_unknown_field_is_422_with_its_location(self, client, session, w):
        events = audit_count(session)
        r = client.post(
            UNITS, json=dept(w.d1, municipality_id=w.b.municipality_id), headers=auth(w.admin)
        )
        problem = assert_problem(r, 422)
        assert problem["errors"] == [
            {"loc": ["body", "municipality_id"], "message": "unknown field: not accepted here"}
        ]
        assert audit_count(session) == events

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("parent_id", "abc"),
            ("kind", "ministry"),
            ("code", "has space"),
            ("code", ""),
            ("name", ""),
            ("name", 12),
            ("code", "x" * 51),
        ],
    )
    def test_wrong_types_are_422(self, client, session, w, field, value):
        events = audit_count(session)
        r = client.post(UNITS, json=dept(w.d1) | {field: value}, headers=auth(w.admin))
        problem = assert_problem(r, 422)
        assert ["body", field] in [e["loc"] for e in problem["errors"]]
        assert audit_count(session) == events

    def test_body_that_is_not_json_is_422(self, client, w):
        r = client.post(
            UNITS,
            content=b"code=T13",
            headers=auth(w.admin) | {"Content-Type": "application/json"},
        )
        assert_problem(r, 422)


class TestReadOrgUnit:
    def test_read_gives_the_version_as_etag(self, client, session, w):
        w.t11.version = 4
        session.flush()
        r = client.get(f"{UNITS}/{w.t11.id}", headers=auth(w.editor))
        assert r.status_code == 200, r.text
        assert r.headers["ETag"] == '"4"'
        assert r.json()["code"] == "T11" and r.json()["kind"] == "department"

    def test_unknown_id_is_404_and_a_bad_id_422(self, client, w):
        assert_problem(client.get(f"{UNITS}/999999", headers=auth(w.superuser)), 404)
        assert_problem(client.get(f"{UNITS}/0", headers=auth(w.superuser)), 422)
        assert_problem(client.get(f"{UNITS}/abc", headers=auth(w.superuser)), 422)


class TestUpdateOrgUnit:
    def patch(self, client, u: OrgUnit, body, who, etag=None):
        headers = auth(who) | ({"If-Match": etag} if etag is not None else {})
        return client.patch(f"{UNITS}/{u.id}", json=body, headers=headers)

    def test_if_match_missing_428_stale_412_right_200(self, client, session, w):
        with unchanged(session, OrgUnit, w.t11.id):
            assert_problem(self.patch(client, w.t11, {"name": "Νέο"}, w.admin), 428)
            assert_problem(self.patch(client, w.t11, {"name": "Νέο"}, w.admin, '"7"'), 412)
            assert_problem(self.patch(client, w.t11, {"name": "Νέο"}, w.admin, "garbage"), 412)
        r = self.patch(client, w.t11, {"name": "Τμήμα Ταμείου"}, w.admin, '"1"')
        assert r.status_code == 200, r.text
        assert r.headers["ETag"] == '"2"' and r.json()["version"] == 2
        assert r.json()["name"] == "Τμήμα Ταμείου"
        # The old ETag is now stale.
        assert_problem(self.patch(client, w.t11, {"name": "Άλλο"}, w.admin, '"1"'), 412)
        assert client.get(f"{UNITS}/{w.t11.id}", headers=auth(w.admin)).headers["ETag"] == '"2"'

    def test_a_change_that_changes_nothing_keeps_the_version(self, client, session, w):
        events = audit_count(session)
        r = self.patch(client, w.t11, {"name": w.t11.name}, w.admin, '"1"')
        assert r.status_code == 200 and r.headers["ETag"] == '"1"'
        assert audit_count(session) == events

    def test_code_taken_in_the_municipality_is_409(self, client, session, w):
        with unchanged(session, OrgUnit, w.t11.id):
            assert_problem(self.patch(client, w.t11, {"code": "T12"}, w.admin, '"1"'), 409)

    def test_code_of_another_municipality_is_free(self, client, w):
        r = self.patch(client, w.t11, {"code": "BT11"}, w.admin, '"1"')
        assert r.status_code == 200, r.text

    @pytest.mark.parametrize(
        "body", [{"name": None}, {"active": None}, {"kind": "municipality"}, {"version": 9}]
    )
    def test_invalid_changes_are_422(self, client, session, w, body):
        with unchanged(session, OrgUnit, w.t11.id):
            assert_problem(self.patch(client, w.t11, body, w.admin, '"1"'), 422)

    def test_deactivate_with_active_children_is_409(self, client, session, w):
        with unchanged(session, OrgUnit, w.d1.id):
            assert_problem(self.patch(client, w.d1, {"active": False}, w.admin, '"1"'), 409)

    def test_deactivate_children_first_then_the_parent(self, client, w):
        for child in (w.t11, w.t12):
            r = self.patch(client, child, {"active": False}, w.admin, '"1"')
            assert r.status_code == 200 and r.json()["active"] is False
        r = self.patch(client, w.d1, {"active": False}, w.admin, '"1"')
        assert r.status_code == 200, r.text

    def test_no_reactivation_below_an_inactive_unit(self, client, session, w):
        for u in (w.t21, w.d2):
            u.active = False
        session.flush()
        with unchanged(session, OrgUnit, w.t21.id):
            assert_problem(self.patch(client, w.t21, {"active": True}, w.admin, '"1"'), 409)


class TestDeleteOrgUnit:
    def delete(self, client, u: OrgUnit, who, etag='"1"'):
        headers = auth(who) | ({"If-Match": etag} if etag else {})
        return client.delete(f"{UNITS}/{u.id}", headers=headers)

    def test_leaf_is_deleted(self, client, session, w):
        events = audit_count(session)
        assert self.delete(client, w.t12, w.admin).status_code == 204
        assert db_row(session, OrgUnit, w.t12.id) is None
        assert_problem(client.get(f"{UNITS}/{w.t12.id}", headers=auth(w.admin)), 404)
        assert audit_count(session) == events + 1

    def test_needs_if_match(self, client, session, w):
        with unchanged(session, OrgUnit, w.t12.id):
            assert_problem(self.delete(client, w.t12, w.admin, etag=None), 428)
            assert_problem(self.delete(client, w.t12, w.admin, etag='"2"'), 412)

    def test_unit_with_children_is_409(self, client, session, w):
        with unchanged(session, OrgUnit, w.d2.id):
            assert_problem(self.delete(client, w.d2, w.admin), 409)

    def test_unit_with_employees_is_409(self, client, session, w):
        employee(session, w.t12)
        with unchanged(session, OrgUnit, w.t12.id):
            assert_problem(self.delete(client, w.t12, w.admin), 409)

    def test_unit_referred_to_by_a_grant_is_409(self, client, session, w):
        with unchanged(session, OrgUnit, w.t11.id):
            assert_problem(self.delete(client, w.t11, w.admin), 409)

    def test_municipality_is_never_deleted(self, client, session, w):
        root = municipality(session, "LARISA", "Δήμος Λαρισαίων")
        with unchanged(session, OrgUnit, root.id):
            assert_problem(self.delete(client, root, w.superuser), 409)
