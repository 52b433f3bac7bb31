"""The Alembic chain: one head, a clean round trip, no drift from the models, and an audit
trail that the database itself keeps append-only."""

import re
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
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
from tests.conftest import figures_rows, fresh_database
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


class TestPlanFiguresFill:
    """Revision 0005 creates `plan_figures` and fills it, with SQL of its own, from the items
    already there: the rows must be those the app computes (`sums.stored_rows`)."""

    def test_the_rows_of_existing_plans_are_those_the_app_computes(self):
        now = datetime(2026, 1, 1, tzinfo=UTC)
        stamps = {"version": 1, "created_at": now, "updated_at": now}
        t = metadata.tables
        # (code, unplanned, start, end, weight, planned absorption, kpi baseline, target,
        #  outcome: None or (status, progress, actual end, actual absorption, kpi actual))
        # fmt: off
        items = [
            ("1", False, date(2026, 1, 1), date(2026, 6, 30), "1.50", "100.00", None, None,
             ("completed", None, date(2026, 7, 10), "80.00", None)),
            ("2", False, date(2026, 1, 1), date(2026, 6, 30), "2.00", None, "0", "10",
             ("completed", None, date(2026, 6, 1), "20.00", "5")),
            ("3", False, date(2026, 1, 1), date(2026, 6, 30), "1.00", "50.00", "10", "10",
             ("in_progress", "40.00", None, None, "12")),
            ("4", False, None, date(2026, 3, 31), "1.00", None, None, None, None),
            ("5", False, date(2026, 2, 1), None, "3.00", None, None, None,
             ("cancelled", None, None, None, None)),
            ("6", True, date(2026, 5, 1), date(2026, 9, 30), "1.00", None, None, None,
             ("completed", None, date(2026, 9, 1), "10.00", None)),
            ("7", False, date(2026, 1, 1), date(2026, 6, 30), "0.25", None, "4", "2",
             ("completed", None, date(2026, 8, 31), None, "3")),
        ]
        # fmt: on
        with fresh_database() as url:
            upgrade(url, "0004")
            engine = make_engine(url)
            try:
                with engine.begin() as conn:
                    conn.execute(t["municipality"].insert(), [{"id": 1, "created_at": now}])
                    conn.execute(
                        t["org_unit"].insert(),
                        [
                            {
                                "id": 1,
                                "municipality_id": 1,
                                "parent_id": None,
                                "code": "M",
                                "name": "Δήμος",
                                "kind": "municipality",
                                "active": True,
                                **stamps,
                            },
                            {
                                "id": 2,
                                "municipality_id": 1,
                                "parent_id": 1,
                                "code": "D",
                                "name": "Διεύθυνση",
                                "kind": "directorate",
                                "active": True,
                                **stamps,
                            },
                        ],
                    )
                    conn.execute(
                        t["plan"].insert(),
                        [
                            {
                                "id": p,
                                "municipality_id": 1,
                                "org_unit_id": p,
                                "year": 2026,
                                "status": "approved",
                                "report_status": "draft",
                                "plan_late": False,
                                "report_late": False,
                                "baseline_no": 1,
                                **stamps,
                            }
                            for p in (1, 2)
                        ],
                    )
                    for n, (code, unplanned, ps, pe, w, absorption, base, target, out) in enumerate(
                        items * 2, start=1
                    ):
                        conn.execute(
                            t["item"].insert(),
                            {
                                "id": n,
                                "municipality_id": 1,
                                "plan_id": 1 + (n > len(items)),
                                "code": code,
                                "kind": "action",
                                "title": f"Ενέργεια {code}",
                                "planned_start": ps,
                                "planned_end": pe,
                                "weight": Decimal(w),
                                "planned_absorption": absorption and Decimal(absorption),
                                "kpi_baseline": base and Decimal(base),
                                "kpi_target": target and Decimal(target),
                                "unplanned": unplanned,
                                **stamps,
                            },
                        )
                        if out is not None:
                            status, progress, ae, actual, kpi = out
                            conn.execute(
                                t["outcome"].insert(),
                                {
                                    "municipality_id": 1,
                                    "item_id": n,
                                    "status": status,
                                    "progress_pct": progress and Decimal(progress),
                                    "actual_end": ae,
                                    "actual_absorption": actual and Decimal(actual),
                                    "kpi_actual": kpi and Decimal(kpi),
                                    **stamps,
                                },
                            )
                upgrade(url)
                with Session(engine) as s:
                    stored, fresh = figures_rows(s)
            finally:
                engine.dispose()
        # items 1, 2 and 7 share a row in each plan: one row fewer per plan than its items
        assert len(stored) == 2 * (len(items) - 2)
        assert Counter(map(tuple, stored)) == Counter(map(tuple, fresh))
