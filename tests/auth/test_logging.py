"""The security log (issue 7 item 5): every login, every refused token and every refused
authorization is logged once, saying who, on which route and why; no password and no token
ever reaches a log record."""

import logging
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.auth.models import LoginFailure, User
from app.core.config import get_settings
from app.core.db import utcnow
from app.core.security import ALGORITHM
from tests import plan_builders as pb
from tests.builders import PASSWORD, World, auth
from tests.helpers import API, assert_problem, if_match

SECURITY = "apologismos.auth"
TOKEN = f"{API}/auth/token"
ME = f"{API}/auth/me"
WRONG = "not-the-password-9f3c1"
NEW_PASSWORD = "a brand new passphrase 2027"


@pytest.fixture
def w(session: Session) -> World:
    return World(session)


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def security(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == SECURITY]


def the_one(caplog: pytest.LogCaptureFixture, *words: str) -> logging.LogRecord:
    """The single security record of the request; it contains every one of `words`."""
    records = security(caplog)
    assert len(records) == 1, [r.getMessage() for r in records]
    message = records[0].getMessage()
    for word in words:
        assert word in message, message
    return records[0]


def login(client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(TOKEN, data={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token(user_id: int, epoch: int, *, minutes: int = 30, ago: int = 0, key: str = "") -> str:
    start = utcnow() - timedelta(minutes=ago)
    claims = {
        "sub": str(user_id),
        "ep": epoch,
        "iat": start,
        "exp": start + timedelta(minutes=minutes),
    }
    return jwt.encode(claims, key or get_settings().secret_key, algorithm=ALGORITHM)


class TestLogins:
    def test_success_names_the_user_the_route_and_the_client(self, client, w, log):
        assert login(client, "Editor-T11").status_code == 200
        record = the_one(
            log, "login succeeded", f"user {w.editor.id}", "'editor-t11'", f"POST {TOKEN}"
        )
        assert record.levelno == logging.INFO and "testclient" in record.getMessage()

    @pytest.mark.parametrize(
        ("username", "password", "reason"),
        [
            ("editor-t11", WRONG, "wrong password"),
            ("no-such-user", WRONG, "unknown username"),
            ("nobody", PASSWORD, None),  # deactivated below
        ],
        ids=["wrong-password", "unknown-user", "deactivated"],
    )
    def test_failure_says_why(self, client, session, w, log, username, password, reason):
        if reason is None:
            w.nobody.active = False
            session.flush()
            reason = "deactivated"
        assert_problem(login(client, username, password), 401)
        record = the_one(log, "login refused", f"'{username}'", f"POST {TOKEN}", reason)
        assert record.levelno == logging.WARNING

    def test_a_throttled_login_is_logged(self, client, session, w, log):
        for _ in range(get_settings().login_max_failures):
            session.add(LoginFailure(username="editor-t11", client="testclient"))
        session.flush()
        assert_problem(login(client, "editor-t11"), 429)
        the_one(log, "login refused", "'editor-t11'", "throttled")


class TestRefusedTokens:
    def test_no_token(self, client, w, log):
        assert_problem(client.get(ME), 401)
        the_one(log, "token refused", f"GET {ME}", "no token")

    @pytest.mark.parametrize("bad", ["garbage", "a.b.c"])
    def test_malformed(self, client, w, log, bad):
        assert_problem(client.get(ME, headers=bearer(bad)), 401)
        assert the_one(log, "token refused", f"GET {ME}", "malformed").levelno == logging.WARNING

    def test_forged(self, client, w, log):
        forged = token(w.editor.id, 0, key="another-secret-" + "x" * 40)
        assert_problem(client.get(ME, headers=bearer(forged)), 401)
        the_one(log, "token refused", f"GET {ME}", "malformed", "signature")

    def test_expired_names_its_user(self, client, w, log):
        expired = token(w.editor.id, w.editor.token_epoch, ago=120)
        assert_problem(client.get(ME, headers=bearer(expired)), 401)
        the_one(log, "token refused", f"user {w.editor.id}", f"GET {ME}", "expired")

    def test_revoked_by_logout(self, client, w, log):
        headers = auth(w.editor)
        assert client.post(f"{API}/auth/logout", headers=headers).status_code == 204
        the_one(log, "logout", f"user {w.editor.id}", "'editor-t11'", f"POST {API}/auth/logout")
        log.clear()
        assert_problem(client.get(ME, headers=headers), 401)
        the_one(log, "token refused", f"user {w.editor.id}", "'editor-t11'", "revoked", "logout")

    def test_revoked_by_deactivation(self, client, w, log):
        headers = auth(w.editor)
        r = client.patch(
            f"{API}/users/{w.editor.id}",
            json={"active": False},
            headers={**auth(w.admin), **if_match(w.editor.version)},
        )
        assert r.status_code == 200, r.text
        log.clear()
        assert_problem(client.get(ME, headers=headers), 401)
        the_one(log, "token refused", f"user {w.editor.id}", "revoked", "deactivated")

    def test_a_good_token_logs_nothing(self, client, w, log):
        assert client.get(ME, headers=auth(w.editor)).status_code == 200
        assert security(log) == []


class TestRefusedAuthorization:
    def test_403_names_the_user_the_route_and_the_rule(self, client, session, w, log):
        plan = pb.plan(session, w.t11)
        url = f"{API}/plans/{plan.id}/items"
        assert_problem(client.post(url, json=pb.item_body(), headers=auth(w.viewer)), 403)
        record = the_one(
            log,
            "authorization refused (403)",
            f"user {w.viewer.id}",
            "'viewer-d1'",
            f"POST {url}",
            "needs the role",
        )
        assert record.levelno == logging.WARNING

    def test_403_of_a_service_rule(self, client, w, log):
        assert_problem(client.get(f"{API}/users", headers=auth(w.editor)), 403)
        the_one(log, "(403)", f"user {w.editor.id}", f"GET {API}/users", "administrator")

    def test_404_outside_the_scope_says_so(self, client, session, w, log):
        plan = pb.plan(session, w.t21)
        url = f"{API}/plans/{plan.id}"
        body = assert_problem(client.get(url, headers=auth(w.editor)), 404)
        assert body["detail"] == f"plan {plan.id} not found"  # the caller learns nothing more
        the_one(
            log,
            "404, outside the caller's scope",
            f"user {w.editor.id}",
            "'editor-t11'",
            f"GET {url}",
            f"org unit {w.t21.id}",
        )

    def test_404_for_a_user_of_another_municipality(self, client, w, log):
        url = f"{API}/users/{w.editor.id}"
        assert_problem(client.get(url, headers=auth(w.admin_b)), 404)
        the_one(log, "outside the caller's scope", f"user {w.admin_b.id}", f"GET {url}")

    def test_a_404_for_what_does_not_exist_is_no_refusal(self, client, w, log):
        assert_problem(client.get(f"{API}/plans/999999", headers=auth(w.editor)), 404)
        assert security(log) == []


class TestNoSecrets:
    def test_no_password_or_token_in_any_record_of_a_whole_session(self, client, session, w, log):
        plan = pb.plan(session, w.t21)
        assert_problem(login(client, "editor-t11", WRONG), 401)
        r = login(client, "editor-t11")
        assert r.status_code == 200
        first = r.json()["access_token"]
        headers = bearer(first)
        assert client.get(ME, headers=headers).status_code == 200
        assert_problem(client.get(f"{API}/plans/{plan.id}", headers=headers), 404)
        assert_problem(client.get(f"{API}/users", headers=headers), 403)
        wrong_change = {"current_password": WRONG, "new_password": NEW_PASSWORD}
        assert_problem(client.post(f"{API}/auth/password", json=wrong_change, headers=headers), 422)
        change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
        r = client.post(f"{API}/auth/password", json=change, headers=headers)
        assert r.status_code == 204, r.text
        assert_problem(client.get(ME, headers=headers), 401)
        second = login(client, "editor-t11", NEW_PASSWORD).json()["access_token"]
        assert client.post(f"{API}/auth/logout", headers=bearer(second)).status_code == 204
        assert_problem(client.get(ME, headers=bearer(second)), 401)
        assert_problem(client.get(ME, headers=bearer(first + "x")), 401)

        formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        text = "\n".join(formatter.format(r) for r in log.records)
        for secret in (PASSWORD, WRONG, NEW_PASSWORD, first, second):
            assert secret not in text
        # Not even the signature part of a token (what makes it usable).
        for tok in (first, second):
            assert tok.rsplit(".", 1)[1] not in text
        events = [r.getMessage().split(":")[0] for r in security(log)]
        assert events == [
            "login refused",
            "login succeeded",
            "authorization refused (404, outside the caller's scope)",
            "authorization refused (403)",
            "password change refused",
            "password changed",
            "token refused",
            "login succeeded",
            "logout",
            "token refused",
            "token refused",
        ]


class TestDatabaseErrors:
    def test_a_failed_statement_does_not_carry_its_values(self, session, w):
        """What the 500 handler logs of a database error: the statement, not the values."""
        hash_ = "$argon2id$v=19$secret-hash-" + "x" * 20
        row = {"username": "editor-t11", "full_name": "X", "password_hash": hash_, "version": 1}
        with pytest.raises(IntegrityError) as caught, session.begin_nested():
            session.execute(insert(User).values(**row))
        assert "secret-hash" not in str(caught.value)
        assert "hidden due to hide_parameters" in str(caught.value)
