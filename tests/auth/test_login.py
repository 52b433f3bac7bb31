"""POST /auth/token: the password login and its throttling."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from app.auth.models import LoginFailure
from app.core.config import get_settings
from app.core.db import utcnow
from tests.builders import PASSWORD, World
from tests.helpers import API, assert_problem

TOKEN = f"{API}/auth/token"


def login(client: TestClient, username: str, password: str = PASSWORD):
    return client.post(TOKEN, data={"username": username, "password": password})


def failures(session: Session, username: str) -> int:
    stmt = select(func.count()).where(LoginFailure.username == username)  # type: ignore[arg-type]
    return session.scalar(stmt) or 0


@pytest.fixture
def w(session: Session) -> World:
    return World(session)


class TestLogin:
    def test_right_password_gives_a_working_bearer_token(self, client, w):
        r = login(client, "editor-t11")
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == get_settings().access_token_minutes * 60
        me = client.get(
            f"{API}/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"}
        )
        assert me.status_code == 200
        assert me.json()["id"] == w.editor.id

    def test_username_is_matched_without_case_or_surrounding_spaces(self, client, w):
        assert login(client, "  Editor-T11 ").status_code == 200

    def test_wrong_password_is_401_problem(self, client, w):
        r = login(client, "editor-t11", "not the password at all")
        body = assert_problem(r, 401)
        assert r.headers["WWW-Authenticate"] == "Bearer"
        assert "access_token" not in body

    def test_unknown_user_gets_the_same_answer_as_a_wrong_password(self, client, w):
        unknown = assert_problem(login(client, "no-such-user"), 401)
        wrong = assert_problem(login(client, "editor-t11", "not the password at all"), 401)
        assert unknown["detail"] == wrong["detail"]

    def test_inactive_user_is_refused_even_with_the_right_password(self, client, session, w):
        w.editor.active = False
        session.flush()
        assert_problem(login(client, "editor-t11"), 401)
        assert failures(session, "editor-t11") == 1

    def test_missing_password_is_422(self, client, w):
        body = assert_problem(client.post(TOKEN, data={"username": "editor-t11"}), 422)
        assert ["body", "password"] in [e["loc"] for e in body["errors"]]


class TestThrottling:
    def test_failures_are_stored_although_the_request_failed(self, client, session, w):
        assert failures(session, "editor-t11") == 0
        assert_problem(login(client, "Editor-T11", "wrong wrong wrong"), 401)
        assert_problem(login(client, "editor-t11", "wrong wrong wrong"), 401)
        assert failures(session, "editor-t11") == 2

    def test_after_max_failures_even_the_right_password_gets_429(self, client, session, w):
        settings = get_settings()
        for _ in range(settings.login_max_failures):
            assert_problem(login(client, "editor-t11", "wrong wrong wrong"), 401)
        r = login(client, "editor-t11")
        assert_problem(r, 429)
        assert r.headers["Retry-After"] == str(settings.login_window_seconds)
        assert failures(session, "editor-t11") == settings.login_max_failures

    def test_default_is_five_failures(self):
        assert get_settings().login_max_failures == 5

    def test_one_locked_username_does_not_lock_another(self, client, w):
        for _ in range(get_settings().login_max_failures):
            login(client, "editor-t11", "wrong wrong wrong")
        assert login(client, "viewer-d1").status_code == 200

    def test_a_success_clears_the_failures(self, client, w):
        below = get_settings().login_max_failures - 1
        for _ in range(2):
            for _ in range(below):
                assert_problem(login(client, "editor-t11", "wrong wrong wrong"), 401)
            assert login(client, "editor-t11").status_code == 200

    def test_failures_older_than_the_window_do_not_count(self, client, session, w):
        settings = get_settings()
        old = utcnow() - timedelta(seconds=settings.login_window_seconds + 60)
        for _ in range(settings.login_max_failures):
            session.add(LoginFailure(username="editor-t11", client="testclient", at=old))
        session.flush()
        assert login(client, "editor-t11").status_code == 200

    def test_one_client_address_guessing_many_usernames_is_stopped(self, client, w):
        per_client = 4 * get_settings().login_max_failures
        for i in range(per_client):
            assert_problem(login(client, f"guess-{i}", "wrong wrong wrong"), 401)
        assert_problem(login(client, "editor-t11"), 429)
