"""Case 1: completion of a whole municipality-year grouped by org unit, through the API in
process, against the same figures from one hand-written SQL query on the bare driver."""

import sqlite3
from datetime import date

import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import make_url
from sqlmodel import Session

from app.core import db as core_db
from app.core.db import make_engine
from app.core.migrate import upgrade
from app.core.security import create_access_token
from app.demo.seed import seed_demo
from app.main import create_app
from bench.common import Result, database, paired_p50

# The floor: what a developer would write by hand for the same numbers — one pass over the
# items of the year joined to their outcome, rolled up to each child of the municipality.
FLOOR_SQL = """
SELECT g.ancestor_id,
       SUM(CASE WHEN NOT i.unplanned THEN 1 ELSE 0 END),
       SUM(CASE WHEN i.unplanned THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT i.unplanned AND o.status = 'completed' THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT i.unplanned AND o.status = 'in_progress' THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT i.unplanned AND COALESCE(o.status, 'not_started') = 'not_started'
                THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT i.unplanned AND o.status = 'postponed' THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT i.unplanned AND o.status = 'cancelled' THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT i.unplanned THEN i.weight END),
       SUM(CASE WHEN NOT i.unplanned THEN i.weight * CASE o.status WHEN 'completed' THEN 100
                WHEN 'in_progress' THEN COALESCE(o.progress_pct, 0) ELSE 0 END END),
       SUM(CASE WHEN NOT i.unplanned THEN COALESCE(o.actual_absorption, 0) END),
       SUM(CASE WHEN NOT i.unplanned THEN COALESCE(i.planned_absorption, 0) END),
       SUM(CASE WHEN NOT i.unplanned AND o.status = 'completed' AND o.actual_end <= i.planned_end
                THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT i.unplanned AND o.status = 'completed' AND o.actual_end IS NOT NULL
                AND i.planned_end IS NOT NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN NOT i.unplanned AND COALESCE(o.status, '') NOT IN ('completed', 'cancelled')
                AND i.planned_end < {as_of} THEN 1 ELSE 0 END)
FROM item i
JOIN plan p ON p.id = i.plan_id
JOIN org_unit_closure g ON g.municipality_id = p.municipality_id AND g.descendant_id = p.org_unit_id
JOIN org_unit u ON u.id = g.ancestor_id AND u.parent_id = {root}
LEFT JOIN outcome o ON o.item_id = i.id
WHERE p.municipality_id = {muni} AND p.year = {year}
GROUP BY g.ancestor_id
"""


def run(backend: str, pg_url: str, *, scale: float, runs: int) -> list[Result]:
    with database(backend, pg_url, "metrics") as url:
        upgrade(url)
        engine = make_engine(url)
        with Session(engine) as session:
            seeded = seed_demo(session, scale=scale)
            session.commit()
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        previous = core_db._engine
        core_db.set_engine(engine)
        try:
            year = date.today().year - 1
            token, _ = create_access_token(user_id=2, epoch=0)  # the demo quality user
            headers = {"Authorization": f"Bearer {token}"}
            path = (
                f"/api/v1/metrics/completion?org_unit_id=1&year={year}&group_by=org_unit"
                f"&as_of={year}-12-31"
            )
            sql = FLOOR_SQL.format(
                as_of=f"'{year}-12-31'", root=1, muni=seeded.municipality_id, year=year
            )
            bare = _bare_query(url, backend, sql)
            with TestClient(create_app()) as client:
                assert client.get(path, headers=headers).status_code == 200
                ours, floor = paired_p50(
                    lambda: client.get(path, headers=headers).json(), bare, runs=runs
                )
        finally:
            core_db.set_engine(previous)
            engine.dispose()
    return [
        Result(
            f"metrics: municipality, {seeded.items // 2:,} items/year, by org unit",
            backend,
            ours,
            floor,
            "p50 ≤ 50 ms, ratio ≤ 2",
            ours <= 50 and ours / floor <= 2,
        )
    ]


def _bare_query(url: str, backend: str, sql: str):  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        conn = sqlite3.connect(make_url(url).database or "")
        return lambda: conn.execute(sql).fetchall()
    parts = make_url(url)
    pg = psycopg.connect(
        host=parts.host,
        port=parts.port or 5432,
        user=parts.username,
        dbname=parts.database,
        autocommit=True,
    )
    return lambda: pg.execute(sql).fetchall()
