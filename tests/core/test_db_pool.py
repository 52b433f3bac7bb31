"""The PostgreSQL pool checks a connection that lay idle before handing it out (instead of
`pool_pre_ping` on every checkout): a connection the server dropped meanwhile is replaced
without the request noticing; one used a moment ago is handed out without a round trip, and
if the server dropped it in that moment, its request gets a 503 to retry, not a 500."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from app.core import db as core_db
from app.core.db import make_engine
from app.core.migrate import upgrade
from app.core.security import create_access_token
from app.main import create_app
from tests import builders
from tests.conftest import BACKEND, fresh_database

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql", reason="the pool's checks and the dropped connections are PostgreSQL's"
)


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    with fresh_database() as url:
        eng = make_engine(url)
        yield eng
        eng.dispose()


def _backend_pid(eng: Engine) -> int:
    with eng.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _age_pool(eng: Engine, seconds: float) -> None:
    """Make every pooled connection look idle for `seconds` more."""
    for record in list(eng.pool._pool.queue):  # type: ignore[attr-defined]
        record.info["idle_since"] -= seconds


class TestPingWhenIdle:
    def test_a_dropped_idle_connection_is_replaced(self, pg_engine: Engine) -> None:
        pid = _backend_pid(pg_engine)  # now idle in the pool
        killer = create_engine(pg_engine.url, poolclass=NullPool)
        with killer.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            conn.commit()
        killer.dispose()
        _age_pool(pg_engine, core_db.PING_AFTER_IDLE_SECONDS + 1)
        assert _backend_pid(pg_engine) != pid  # no error: a new connection

    def test_a_recently_used_connection_is_not_pinged(self, pg_engine: Engine) -> None:
        _backend_pid(pg_engine)
        pings: list[object] = []
        original = pg_engine.dialect.do_ping

        def counting_ping(dbapi_conn: object) -> bool:
            pings.append(dbapi_conn)
            return original(dbapi_conn)

        pg_engine.dialect.do_ping = counting_ping  # type: ignore[method-assign]
        try:
            for _ in range(3):
                _backend_pid(pg_engine)
            assert pings == []
            _age_pool(pg_engine, core_db.PING_AFTER_IDLE_SECONDS + 1)
            _backend_pid(pg_engine)
            assert len(pings) == 1
        finally:
            pg_engine.dialect.do_ping = original  # type: ignore[method-assign]


class TestConnectionLost:
    def test_a_request_on_a_dropped_connection_is_a_503_and_the_next_one_succeeds(self) -> None:
        with fresh_database() as url:
            upgrade(url)
            eng = make_engine(url)
            previous = core_db._engine
            core_db.set_engine(eng)
            try:
                with Session(eng) as s:
                    ops = builders.user(s, "ops", superuser=True)
                    s.commit()
                    assert ops.id is not None
                    token, _ = create_access_token(user_id=ops.id, epoch=ops.token_epoch)
                headers = {"Authorization": f"Bearer {token}"}
                with TestClient(create_app(), raise_server_exceptions=False) as client:
                    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
                    # The server drops every connection of the pool (a restart, a failover);
                    # the pooled one was used a moment ago, so it is handed out unchecked.
                    killer = create_engine(url, poolclass=NullPool)
                    with killer.connect() as conn:
                        conn.execute(
                            text(
                                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                            )
                        )
                        conn.commit()
                    killer.dispose()
                    r = client.get("/api/v1/auth/me", headers=headers)
                    assert r.status_code == 503, r.text
                    assert r.headers["content-type"] == "application/problem+json"
                    assert r.headers["retry-after"] == "1"
                    assert r.json()["type"].endswith("/database-unavailable")
                    assert "retry" in r.json()["detail"]
                    again = client.get("/api/v1/auth/me", headers=headers)
                    assert again.status_code == 200 and again.json()["username"] == "ops"
            finally:
                core_db.set_engine(previous)
                eng.dispose()
