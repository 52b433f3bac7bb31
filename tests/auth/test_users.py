"""/users: only administrators manage users, each only those of its own municipality."""

import pytest
from sqlalchemy import select
from sqlmodel import Session

from app.auth.models import User
from tests.builders import PASSWORD, World, auth
from tests.helpers import API, assert_problem, audit_count, db_row, if_match, unchanged

USERS = f"{API}/users"
A_USERS = {"admin-a", "quality-a", "editor-t11", "viewer-d1", "nobody"}
B_USERS = {"admin-b", "quality-b"}


@pytest.fixture
def w(session: Session) -> World:
    return World(session)


def new_user(**extra):
    return (
        {"username": "m.papadopoulou", "full_name": "Μαρία Παπαδοπούλου"}
        | {"password": "a long passphrase of hers"}
        | extra
    )


def user_id(session: Session, username: str) -> int | None:
    return session.scalar(select(User.id).where(User.username == username))  # type: ignore[arg-type]


class TestListUsers:
    def test_municipal_admin_sees_only_its_municipality(self, client, w):
        r = client.get(USERS, headers=auth(w.admin))
        assert r.status_code == 200, r.text
        assert {u["username"] for u in r.json()["items"]} == A_USERS
        assert r.json()["total"] == len(A_USERS)
        r = client.get(USERS, headers=auth(w.admin_b))
        assert {u["username"] for u in r.json()["items"]} == B_USERS

    def test_superuser_sees_everyone(self, client, w):
        r = client.get(USERS, params={"limit": 500}, headers=auth(w.superuser))
        assert {u["username"] for u in r.json()["items"]} == A_USERS | B_USERS | {"root"}

    @pytest.mark.parametrize("who", ["quality", "editor", "viewer", "nobody", "quality_b"])
    def test_other_roles_are_403(self, client, w, who):
        assert_problem(client.get(USERS, headers=auth(getattr(w, who))), 403)

    def test_filters(self, client, session, w):
        w.viewer.active = False
        session.flush()
        h = auth(w.admin)

        def names(**params):
            r = client.get(USERS, params=params, headers=h)
            return {u["username"] for u in r.json()["items"]}

        assert names(q="EDITOR") == {"editor-t11"}
        assert names(active=False) == {"viewer-d1"}
        assert names(municipality_id=w.b.municipality_id) == set()
        sup = {
            u["username"]
            for u in client.get(
                USERS, params={"municipality_id": w.b.municipality_id}, headers=auth(w.superuser)
            ).json()["items"]
        }
        assert sup == B_USERS


class TestCreateUser:
    def test_admin_creates_a_user_of_its_municipality_who_can_log_in(self, client, session, w):
        events = audit_count(session)
        r = client.post(USERS, json=new_user(email="m.p@example.gr"), headers=auth(w.admin))
        assert r.status_code == 201, r.text
        body = r.json()
        assert r.headers["ETag"] == '"1"'
        assert r.headers["Location"] == f"{USERS}/{body['id']}"
        assert body["municipality_id"] == w.a.municipality_id
        assert body["grants"] == [] and body["is_superuser"] is False
        assert "password" not in body and "password_hash" not in body
        assert audit_count(session) == events + 1
        token = client.post(
            f"{API}/auth/token",
            data={"username": "m.papadopoulou", "password": "a long passphrase of hers"},
        )
        assert token.status_code == 200

    def test_username_is_kept_in_lower_case(self, client, w):
        r = client.post(USERS, json=new_user(username="M.Papadopoulou"), headers=auth(w.admin))
        assert r.status_code == 201, r.text
        assert r.json()["username"] == "m.papadopoulou"

    def test_duplicate_username_is_409(self, client, session, w):
        events = audit_count(session)
        r = client.post(USERS, json=new_user(username="Editor-T11"), headers=auth(w.admin))
        assert_problem(r, 409)
        assert audit_count(session) == events

    def test_admin_cannot_create_in_another_municipality(self, client, session, w):
        body = new_user(municipality_id=w.b.municipality_id)
        assert_problem(client.post(USERS, json=body, headers=auth(w.admin)), 404)
        assert user_id(session, "m.papadopoulou") is None

    def test_only_a_superuser_creates_superusers(self, client, session, w):
        r = client.post(USERS, json=new_user(is_superuser=True), headers=auth(w.admin))
        assert_problem(r, 403)
        assert user_id(session, "m.papadopoulou") is None
        r = client.post(USERS, json=new_user(is_superuser=True), headers=auth(w.superuser))
        assert r.status_code == 201 and r.json()["is_superuser"] is True

    def test_superuser_must_name_the_municipality(self, client, w):
        body = assert_problem(client.post(USERS, json=new_user(), headers=auth(w.superuser)), 422)
        assert body["errors"][0]["loc"] == ["body", "municipality_id"]
        r = client.post(
            USERS, json=new_user(municipality_id=w.b.municipality_id), headers=auth(w.superuser)
        )
        assert r.status_code == 201 and r.json()["municipality_id"] == w.b.municipality_id

    @pytest.mark.parametrize(
        ("body", "loc"),
        [
            (new_user(password="short"), ["body", "password"]),
            (new_user(password="m.papadopoulou-2026"), ["body", "password"]),
            (new_user(username="no spaces allowed"), ["body", "username"]),
            (new_user(email="not-an-email"), ["body", "email"]),
            (new_user(token_epoch=3), ["body", "token_epoch"]),
            (new_user(version=7), ["body", "version"]),
        ],
    )
    def test_invalid_bodies_are_422_and_create_nothing(self, client, session, w, body, loc):
        events = audit_count(session)
        problem = assert_problem(client.post(USERS, json=body, headers=auth(w.admin)), 422)
        assert loc in [e["loc"] for e in problem["errors"]]
        assert user_id(session, body["username"].lower()) is None
        assert audit_count(session) == events

    @pytest.mark.parametrize("who", ["quality", "editor", "viewer", "nobody"])
    def test_non_admins_are_403(self, client, session, w, who):
        assert_problem(client.post(USERS, json=new_user(), headers=auth(getattr(w, who))), 403)
        assert user_id(session, "m.papadopoulou") is None


class TestReadUser:
    def test_admin_reads_its_users_with_etag(self, client, w):
        r = client.get(f"{USERS}/{w.editor.id}", headers=auth(w.admin))
        assert r.status_code == 200, r.text
        assert r.headers["ETag"] == '"1"'
        assert r.json()["grants"][0]["org_unit_code"] == "T11"

    def test_other_municipalitys_admin_gets_404(self, client, w):
        assert_problem(client.get(f"{USERS}/{w.editor.id}", headers=auth(w.admin_b)), 404)
        assert_problem(client.get(f"{USERS}/{w.superuser.id}", headers=auth(w.admin)), 404)

    @pytest.mark.parametrize("who", ["quality", "editor", "viewer"])
    def test_non_admins_get_403_even_for_themselves(self, client, w, who):
        caller = getattr(w, who)
        assert_problem(client.get(f"{USERS}/{caller.id}", headers=auth(caller)), 403)

    def test_unknown_id_is_404(self, client, w):
        assert_problem(client.get(f"{USERS}/999999", headers=auth(w.admin)), 404)


class TestUpdateUser:
    def url(self, u: User) -> str:
        return f"{USERS}/{u.id}"

    def test_if_match_missing_428_stale_412_right_200(self, client, session, w):
        h = auth(w.admin)
        with unchanged(session, User, w.editor.id):
            assert_problem(
                client.patch(self.url(w.editor), json={"full_name": "X"}, headers=h), 428
            )
            r = client.patch(self.url(w.editor), json={"full_name": "X"}, headers=h | if_match(9))
            assert_problem(r, 412)
        r = client.patch(
            self.url(w.editor), json={"full_name": "Νέο Όνομα"}, headers=h | if_match(1)
        )
        assert r.status_code == 200, r.text
        assert r.headers["ETag"] == '"2"' and r.json()["full_name"] == "Νέο Όνομα"

    def test_admin_sets_a_password_and_the_users_tokens_die(self, client, w):
        victim = auth(w.editor)
        r = client.patch(
            self.url(w.editor),
            json={"password": "reset by the admin 2026"},
            headers=auth(w.admin) | if_match(1),
        )
        assert r.status_code == 200, r.text
        assert_problem(client.get(f"{API}/auth/me", headers=victim), 401)
        login = client.post(
            f"{API}/auth/token",
            data={"username": "editor-t11", "password": "reset by the admin 2026"},
        )
        assert login.status_code == 200

    def test_admin_cannot_deactivate_itself(self, client, session, w):
        with unchanged(session, User, w.admin.id):
            r = client.patch(
                self.url(w.admin), json={"active": False}, headers=auth(w.admin) | if_match(1)
            )
            assert_problem(r, 409)

    def test_username_cannot_be_changed(self, client, session, w):
        with unchanged(session, User, w.editor.id):
            r = client.patch(
                self.url(w.editor), json={"username": "x"}, headers=auth(w.admin) | if_match(1)
            )
            assert_problem(r, 422)

    def test_other_municipalitys_admin_gets_404(self, client, session, w):
        with unchanged(session, User, w.editor.id):
            r = client.patch(
                self.url(w.editor), json={"active": False}, headers=auth(w.admin_b) | if_match(1)
            )
            assert_problem(r, 404)
        assert db_row(session, User, w.editor.id)["active"] is True  # type: ignore[index]

    def test_password_of_a_user_is_checked_against_its_own_username(self, client, w):
        r = client.patch(
            self.url(w.editor),
            json={"password": "I am editor-t11 really"},
            headers=auth(w.admin) | if_match(1),
        )
        assert_problem(r, 422)
        login = client.post(
            f"{API}/auth/token", data={"username": "editor-t11", "password": PASSWORD}
        )
        assert login.status_code == 200
