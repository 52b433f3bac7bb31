"""The Alembic chain: one head, a clean round trip, no drift from the models, and an audit
trail that the database itself keeps append-only."""

import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app import models  # noqa: F401  (every table in the metadata)
from app.audit.models import AuditEvent
from app.audit.service import record
from app.core.db import make_engine, metadata
from app.core.migrate import ROOT, alembic_config, downgrade, upgrade
from tests.conftest import fresh_database
from tests.helpers import db_row


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


class TestChain:
    def test_exactly_one_head(self):
        script = ScriptDirectory.from_config(alembic_config("sqlite://"))
        assert len(script.get_heads()) == 1, script.get_heads()

    def test_every_revision_leads_back_to_one_base(self):
        script = ScriptDirectory.from_config(alembic_config("sqlite://"))
        revisions = list(script.walk_revisions())
        assert revisions
        assert [r.revision for r in revisions if r.down_revision is None] == [script.get_base()]

    def test_version_files_are_dated(self):
        names = [p.name for p in (ROOT / "migrations" / "versions").glob("*.py")]
        assert names
        for name in names:
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-\d{4}_[a-z0-9_]+\.py", name), name


class TestRoundTrip:
    def test_upgrade_creates_every_table_and_downgrade_removes_them(self):
        with fresh_database() as url:
            upgrade(url)
            assert _tables(url) == set(metadata.tables) | {"alembic_version"}
            downgrade(url, "base")
            assert _tables(url) == {"alembic_version"}
            # ...and the chain can be climbed again from there.
            upgrade(url)
            assert _tables(url) == set(metadata.tables) | {"alembic_version"}


class TestNoDrift:
    def test_models_match_the_migrated_schema(self):
        with fresh_database() as url:
            upgrade(url)
            engine = make_engine(url)
            try:
                with engine.connect() as conn:
                    context = MigrationContext.configure(conn, opts={"compare_type": True})
                    assert compare_metadata(context, metadata) == []
            finally:
                engine.dispose()

    def test_migrations_live_where_the_config_says(self):
        assert Path(alembic_config("sqlite://").get_main_option("script_location") or "").is_dir()


class TestAuditEventIsAppendOnly:
    @pytest.fixture
    def event_id(self, session: Session) -> int:
        event = record(
            session,
            user_id=None,
            action="create",
            entity_type="org_unit",
            entity_id=1,
            municipality_id=None,
            org_unit_id=None,
            changes={"name": {"before": None, "after": "Τμήμα"}},
        )
        session.flush()
        assert event.id is not None
        return event.id

    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE audit_event SET action = 'forged' WHERE id = :id",
            "UPDATE audit_event SET changes = '{}' WHERE id = :id",
            "DELETE FROM audit_event WHERE id = :id",
        ],
    )
    def test_the_database_refuses(self, session: Session, event_id: int, statement: str):
        before = db_row(session, AuditEvent, event_id)
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(text(statement), {"id": event_id})
        assert db_row(session, AuditEvent, event_id) == before

    def test_inserting_still_works(self, session: Session, event_id: int):
        assert db_row(session, AuditEvent, event_id) is not None
