"""Test setup: the whole suite runs on SQLite (default) or PostgreSQL.

Set APOLOGISMOS_TEST_DATABASE_URL to a PostgreSQL server URL (for example
postgresql+psycopg://postgres@127.0.0.1:5432/test) to run on PostgreSQL: the suite then
creates a database of its own on that server and drops it at the end, so runs never share
state. The schema is made by the Alembic migrations, as in production. Every test runs inside a
transaction that is rolled back (the app's commits become savepoints).
"""

import os
import secrets
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ["APOLOGISMOS_ENVIRONMENT"] = "test"
os.environ["APOLOGISMOS_SECRET_KEY"] = "test-secret-" + "k" * 40
os.environ["APOLOGISMOS_ARGON2_TIME_COST"] = "1"
os.environ["APOLOGISMOS_ARGON2_MEMORY_KIB"] = "8192"
os.environ.pop("APOLOGISMOS_DATABASE_URL", None)

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, make_url, select, text
from sqlmodel import Session

from app.core import db as core_db
from app.core.config import get_settings
from app.core.db import get_session, make_engine
from app.core.migrate import upgrade
from app.main import create_app
from app.metrics import figures, sums
from app.metrics.models import PlanFigures

get_settings.cache_clear()
SERVER_URL = os.environ.get("APOLOGISMOS_TEST_DATABASE_URL", "")
BACKEND = "postgresql" if SERVER_URL.startswith("postgresql") else "sqlite"


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database on the backend under test; removed afterwards."""
    if BACKEND == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'apologismos-test.db'}"
        return
    name = f"apologismos_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    with fresh_database() as url:
        upgrade(url)
        eng = make_engine(url)
        core_db.set_engine(eng)
        yield eng
        core_db.set_engine(None)
        eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose commits are savepoints inside one transaction rolled back at the end."""
    with engine.connect() as conn:
        outer = conn.begin()
        with Session(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        ) as s:
            yield s
            if s.is_active and not conn.invalidated:
                assert_figures_current(s)
        outer.rollback()


def assert_figures_current(session: Session) -> None:
    """Every plan's stored figures are those of its items: whatever the test wrote through
    the app has kept `plan_figures` current (what it wrote as ORM objects without committing
    is settled first, as a commit would)."""
    figures.settle(session)
    stored, fresh = figures_rows(session)
    assert Counter(map(_plain, stored)) == Counter(map(_plain, fresh))


def figures_rows(session: Session) -> tuple[list[Any], list[Any]]:
    """The rows of `plan_figures`, and the same rows computed now from the items."""
    names = [c.name for c in sums.stored_rows().selected_columns]
    stored = session.execute(select(*(PlanFigures.__table__.c[n] for n in names))).all()
    return list(stored), list(session.execute(sums.stored_rows()).all())


def _plain(row: Any) -> tuple[Any, ...]:
    # SQLite keeps numerics as floating point, and SQLAlchemy reads them back at the scale of
    # the column or expression: 33.3333333333 from the unscaled stored column is 33.3333 from
    # the expression over a KPI (4 decimals). Compared at the smallest scale of the inputs.
    return tuple(round(float(v), 4) if isinstance(v, Decimal) else v for v in row)


@pytest.fixture(scope="session")
def shared_app(engine: Engine):  # type: ignore[no-untyped-def]
    """One app for the suite (building one costs a good part of a second); each test points
    its session dependency at the test's own transaction."""
    return create_app()


@pytest.fixture
def app(shared_app, session: Session):  # type: ignore[no-untyped-def]
    application = shared_app

    def _session() -> Iterator[Session]:
        # What the test built before the request is committed, as it would be in a real
        # database: a refused request then rolls back its own work and nothing else.
        session.commit()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    application.dependency_overrides[get_session] = _session
    yield application
    application.dependency_overrides.clear()


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def pytest_report_header() -> str:
    return f"apologismos database backend: {BACKEND}"
