"""Bearer tokens: refused when expired, forged, or revoked by logout, password change or
deactivation; and the password rules."""

from datetime import timedelta

import jwt
import pytest
from sqlmodel import Session

from app.auth.models import User
from app.core.config import get_settings
from app.core.db import utcnow
from app.core.security import ALGORITHM
from tests.builders import PASSWORD, World, auth
from tests.helpers import API, assert_problem, db_row, if_match

ME = f"{API}/auth/me"
NEW_PASSWORD = "a brand new passphrase 2027"


@pytest.fixture
def w(session: Session) -> World:
    return World(session)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(client, username: str, password: str) -> int:
    return client.post(
        f"{API}/auth/token", data={"username": username, "password": password}
    ).status_code


class TestRefusedTokens:
    def test_no_token_is_401_with_bearer_challenge(self, client, w):
        r = client.get(ME)
        assert_problem(r, 401)
        assert r.headers["WWW-Authenticate"] == "Bearer"

    @pytest.mark.parametrize("token", ["garbage", "a.b.c", ""])
    def test_malformed_token_is_401(self, client, w, token):
        assert_problem(client.get(ME, headers=bearer(token)), 401)

    def test_token_signed_with_another_secret_is_401(self, client, w):
        now = utcnow()
        claims = {"sub": str(w.editor.id), "ep": 0, "iat": now, "exp": now + timedelta(hours=1)}
        forged = jwt.encode(claims, "another-secret-" + "x" * 40, algorithm=ALGORITHM)
        assert_problem(client.get(ME, headers=bearer(forged)), 401)

    def test_expired_token_is_401(self, client, w):
        past = utcnow() - timedelta(hours=2)
        claims = {
            "sub": str(w.editor.id),
            "ep": w.editor.token_epoch,
            "iat": past,
            "exp": past + timedelta(minutes=30),
        }
        expired = jwt.encode(claims, get_settings().secret_key, algorithm=ALGORITHM)
        body = assert_problem(client.get(ME, headers=bearer(expired)), 401)
        assert "expired" in body["detail"]
        # The same claims, not yet expired, are accepted: it is the expiry that refused it.
        claims["exp"] = utcnow() + timedelta(minutes=5)
        fresh = jwt.encode(claims, get_settings().secret_key, algorithm=ALGORITHM)
        assert client.get(ME, headers=bearer(fresh)).status_code == 200

    def test_token_of_a_user_that_does_not_exist_is_401(self, client, w):
        now = utcnow()
        claims = {"sub": "999999", "ep": 0, "iat": now, "exp": now + timedelta(hours=1)}
        token = jwt.encode(claims, get_settings().secret_key, algorithm=ALGORITHM)
        assert_problem(client.get(ME, headers=bearer(token)), 401)


class TestLogout:
    def test_token_is_refused_after_logout_and_a_new_login_works(self, client, w):
        headers = auth(w.editor)
        assert client.get(ME, headers=headers).status_code == 200
        assert client.post(f"{API}/auth/logout", headers=headers).status_code == 204
        assert_problem(client.get(ME, headers=headers), 401)
        r = client.post(f"{API}/auth/token", data={"username": "editor-t11", "password": PASSWORD})
        assert client.get(ME, headers=bearer(r.json()["access_token"])).status_code == 200

    def test_logout_of_one_user_leaves_others_logged_in(self, client, w):
        viewer = auth(w.viewer)
        client.post(f"{API}/auth/logout", headers=auth(w.editor))
        assert client.get(ME, headers=viewer).status_code == 200


class TestPasswordChange:
    def test_old_token_dies_old_password_fails_new_password_works(self, client, w):
        headers = auth(w.editor)
        r = client.post(
            f"{API}/auth/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=headers,
        )
        assert r.status_code == 204, r.text
        assert_problem(client.get(ME, headers=headers), 401)
        assert login(client, "editor-t11", PASSWORD) == 401
        assert login(client, "editor-t11", NEW_PASSWORD) == 200

    def test_wrong_current_password_is_422_and_changes_nothing(self, client, session, w):
        headers = auth(w.editor)
        before = db_row(session, User, w.editor.id)
        r = client.post(
            f"{API}/auth/password",
            json={"current_password": "not my password", "new_password": NEW_PASSWORD},
            headers=headers,
        )
        body = assert_problem(r, 422)
        assert body["errors"][0]["loc"] == ["body", "current_password"]
        assert db_row(session, User, w.editor.id) == before
        assert client.get(ME, headers=headers).status_code == 200

    @pytest.mark.parametrize(
        ("new_password", "message"),
        [
            ("short one", "at least 12 characters"),
            ("password1234", "too common"),
            ("Qwerty123456", "too common"),
            ("zzzzzzzzzzzzzzzz", "too common"),
            ("my name is EDITOR-T11 ok", "must not contain the username"),
        ],
    )
    def test_weak_passwords_are_422_with_errors(self, client, session, w, new_password, message):
        headers = auth(w.editor)
        before = db_row(session, User, w.editor.id)
        r = client.post(
            f"{API}/auth/password",
            json={"current_password": PASSWORD, "new_password": new_password},
            headers=headers,
        )
        body = assert_problem(r, 422)
        assert body["errors"]
        assert all(e["loc"] == ["body", "new_password"] for e in body["errors"])
        assert any(message in e["message"] for e in body["errors"]), body
        assert db_row(session, User, w.editor.id) == before
        assert login(client, "editor-t11", PASSWORD) == 200

    def test_unknown_field_is_422(self, client, w):
        r = client.post(
            f"{API}/auth/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "username": "x"},
            headers=auth(w.editor),
        )
        body = assert_problem(r, 422)
        assert ["body", "username"] in [e["loc"] for e in body["errors"]]


class TestDeactivation:
    def test_deactivated_users_token_is_refused(self, client, w):
        headers = auth(w.editor)
        r = client.patch(
            f"{API}/users/{w.editor.id}",
            json={"active": False},
            headers={**auth(w.admin), **if_match(w.editor.version)},
        )
        assert r.status_code == 200, r.text
        assert r.json()["active"] is False
        assert_problem(client.get(ME, headers=headers), 401)
        assert login(client, "editor-t11", PASSWORD) == 401
