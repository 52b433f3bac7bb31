"""Engine and sessions. The schema comes only from the Alembic migrations.

SQLite (the embedded default) gets foreign keys, WAL, a busy timeout and explicit
transactions; writes start with ``BEGIN IMMEDIATE`` so that two writers queue on the busy
timeout instead of failing with "database is locked" when a read lock cannot be upgraded.

PostgreSQL connections are checked (a round trip) only when they come out of the pool after
lying idle a while, not on every checkout: see `_ping_when_idle`.
"""

import time
import weakref
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import anyio.to_thread
from anyio import CancelScope, CapacityLimiter
from fastapi import Depends, Request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, exc, func, insert
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from app.core.bulk import copy_rows
from app.core.config import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata

# Execution option marking a connection that will only read (SQLite then starts a plain BEGIN).
READ_ONLY = "apologismos_read_only"


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned timezone-aware, on SQLite too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        # A naive value (a query parameter without offset) is taken as UTC.
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def chunks(ids: list[int], size: int = 1000) -> Iterator[list[int]]:
    """`ids` in slices that an IN list takes on every backend (SQLite caps the parameters)."""
    for n in range(0, len(ids), size):
        yield ids[n : n + size]


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    """Today in the deployment's time zone (where deadlines are days)."""
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.close()
        # SQLite's own lower() knows only ASCII; PostgreSQL's knows Greek. Make them agree.
        dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


# A pooled PostgreSQL connection idle for longer than this is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 10.0
# No pooled connection older than this is handed out (server-side idle limits, failovers).
RECYCLE_SECONDS = 1800
# SQLite: one connection kept per thread of the worker's threadpool (anyio's default: 40), so
# that under load a request neither waits for a connection nor opens one (a new SQLite
# connection reads the whole schema on its first statement), and as many again for requests
# that hold theirs between two threads.
SQLITE_POOL_SIZE, SQLITE_MAX_OVERFLOW = 40, 40
# PostgreSQL: per server worker, connections kept open, and opened beyond those under load
# (each a new server process: a few milliseconds). 2 workers under 32 concurrent clients stay
# within the kept ones; at 30 each, 2 or 3 workers fit PostgreSQL's default max_connections
# (100) with room for the operators (the README's deployment section says so).
PG_POOL_SIZE, PG_MAX_OVERFLOW = 20, 10


def _ping_when_idle(engine: Engine) -> None:
    """What `pool_pre_ping` does, but only for a connection that has lain idle in the pool.

    `pool_pre_ping` costs a round trip (and a toggle of autocommit) on every checkout, i.e. on
    every request. A connection used a moment ago is alive unless the server went away in that
    moment, and then its first statement fails with a disconnect error, on which SQLAlchemy
    invalidates the whole pool: every request after that one gets a new connection. A
    connection idle for longer is checked as before; if the check fails, the pool discards it
    and hands out a fresh one (`DisconnectionError`), so the request does not notice.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as e:
            raise exc.DisconnectionError(f"idle connection is dead: {type(e).__name__}") from e


def make_engine(url: str, *, echo: bool = False) -> Engine:
    # A database error logged by the error handler must not carry the statement's values (a
    # password hash, a user's data); SQL echo, asked for explicitly, still shows them.
    hide = not echo
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            hide_parameters=hide,
            connect_args={"check_same_thread": False, "timeout": 15},
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=SQLITE_MAX_OVERFLOW,
        )
        _configure_sqlite(engine)
        return engine
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=hide,
        pool_size=PG_POOL_SIZE,
        max_overflow=PG_MAX_OVERFLOW,
        # Last in, first out: under light load the same few connections stay warm (no ping),
        # the others age out through the recycle limit.
        pool_use_lifo=True,
        pool_recycle=RECYCLE_SECONDS,
    )
    _ping_when_idle(engine)
    return engine


_engine: Engine | None = None


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        settings = get_settings()
        _engine = make_engine(settings.database_url, echo=settings.sql_echo)
    return _engine


def set_engine(engine: Engine | None) -> None:
    """Point the app at another engine (tests, the command line)."""
    global _engine
    _engine = engine


def contains(column: Any, text: str) -> Any:
    """Case-insensitive "contains" that takes `%` and `_` in the text literally. The final
    sigma counts as a sigma: Python's lower() (SQLite's here) writes "ς" at the end of a word,
    PostgreSQL's writes "σ"; folded so, "δημος" finds "ΔΗΜΟΣ" on both."""
    folded = text.lower().replace("ς", "σ")
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.replace(func.lower(column), "ς", "σ").like(f"%{escaped}%", escape="\\")


def bulk_insert(
    session: Session, model: Any, rows: list[dict[str, Any]], *, returning_ids: bool = False
) -> list[int]:
    """Insert many rows in one Core executemany (SQLite) or one COPY (PostgreSQL); the ORM's
    bulk path is many times slower. With `returning_ids`, the new ids in the order of `rows`."""
    if not rows:
        return []
    table = model.__table__
    conn = session.connection()
    if returning_ids:
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(conn.execute(stmt, rows).scalars())
    if conn.dialect.name == "postgresql":
        copy_rows(conn, table, rows)
    else:
        conn.execute(insert(table), rows)
    return []


_read_only_engines: "weakref.WeakKeyDictionary[Engine, Engine]" = weakref.WeakKeyDictionary()


def _read_only(engine: Engine) -> Engine:
    ro = _read_only_engines.get(engine)
    if ro is None:
        ro = _read_only_engines[engine] = engine.execution_options(**{READ_ONLY: True})
    return ro


def _finish(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed when the endpoint returns, rolled back on error.

    Services only flush; this is the one place that commits.

    Async so that opening the session (no I/O: the connection is taken at the first
    statement) costs no trip through the threadpool; the commit and the release of the
    connection do I/O and run in a thread, shielded from cancellation (a client that hangs up
    must not leak a connection), with a limiter of their own so that they never wait for a
    free thread of the pool while holding a connection (as FastAPI does for sync ones).
    """
    engine = get_engine()
    if request.method in ("GET", "HEAD", "OPTIONS"):
        engine = _read_only(engine)
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    except BaseException:
        await _in_thread(session, commit=False)
        raise
    await _in_thread(session, commit=True)


async def _in_thread(session: Session, *, commit: bool) -> None:
    if not (session.in_transaction() or session.new or session.dirty or session.deleted):
        session.close()  # nothing was read, and nothing is waiting to be written
        return
    with CancelScope(shield=True):
        await anyio.to_thread.run_sync(
            lambda: _finish(session, commit=commit), limiter=CapacityLimiter(1)
        )


# scope="function": commit before the response is sent, so a failed commit is never a 2xx.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
