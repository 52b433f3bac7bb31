"""Cases 3 and 4: importing a unit workbook (dry run and commit, end to end) against
python-calamine parsing the same file; the consolidated export against a bare xlsxwriter dump
of the same rows."""

import io
import multiprocessing
import random
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import xlsxwriter
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from sqlmodel import Session, col, select

from app.auth.models import User
from app.auth.scope import load_caller
from app.core.db import bulk_insert, make_engine
from app.core.migrate import upgrade
from app.demo.seed import seed_demo
from app.excel import sandbox
from app.excel.columns import REPORT_COLUMNS, REPORT_SHEET
from app.excel.export import consolidated_workbook
from app.excel.service import run_import, unit_workbook
from app.org.models import OrgUnit, UnitKind
from app.planning.models import Item, Plan
from bench.common import Result, database, p50, paired_p50, peak_rss_mb

EDITOR = 3  # the demo editor, on the first department


def _unit_with_items(session: Session, n: int, year: int) -> OrgUnit:
    """The demo editor's department: its plan of `year` approved, with `n` more items, and no
    plan yet for year + 1 (so the workbook of year + 1 carries the report of `year`)."""
    unit = session.scalar(select(OrgUnit).where(col(OrgUnit.code) == "D01.T01"))
    assert unit is not None and unit.id is not None
    plan = session.scalar(
        select(Plan).where(col(Plan.org_unit_id) == unit.id, col(Plan.year) == year)
    )
    assert plan is not None
    plan.status, plan.report_status = "approved", "draft"
    session.flush()
    rnd = random.Random(7)
    rows = []
    for k in range(n):
        start = date(year, 1, 1) + timedelta(days=rnd.randrange(0, 200))
        rows.append(
            {
                "municipality_id": unit.municipality_id,
                "plan_id": plan.id,
                "code": f"B{k:05d}",
                "kind": "project",
                "title": f"Έργο δοκιμής {k}",
                "planned_start": start,
                "planned_end": start + timedelta(days=120),
                "budget": Decimal(10000 + k),
                "planned_absorption": Decimal(8000 + k),
                "weight": Decimal(1),
                "unplanned": False,
                "version": 1,
            }
        )
    bulk_insert(session, Item, rows)
    session.flush()
    return unit


def _filled_workbook(data: bytes, n: int, year: int) -> bytes:
    """The clerk's work: N new plan rows and an outcome on every report row."""
    wb = load_workbook(io.BytesIO(data))
    plan, report = wb["Προγραμματισμός"], wb[REPORT_SHEET]
    for k in range(n):
        plan.append(
            [
                None,
                None,
                None,
                "Δράση",
                f"Νέα δράση {k}",
                None,
                None,
                f"{1 + k % 28:02d}/03/{year + 1}",
                f"30/11/{year + 1}",
                "1.234,56",
                "ΕΣΠΑ",
                None,
                1000,
                1,
            ]
        )
    status = next(i for i, c in enumerate(REPORT_COLUMNS, start=1) if c.key == "status")
    progress = status + 1
    for r in range(2, report.max_row + 1):
        report.cell(row=r, column=status, value="Σε εξέλιξη")
        report.cell(row=r, column=progress, value=50)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _calamine(data: bytes) -> None:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()


def _timed_imports(
    url: str, data: bytes, items: int, repeat: tuple[int, int], warm: int
) -> tuple[float, float, float, float]:
    """In a fresh process (so that its peak memory is the import's, not the seeding's): the
    median dry run and commit (`repeat`: how many of each are timed, after `warm` untimed
    ones), and the process's peak resident memory after the dry runs (the dry run's own peak:
    none has committed yet) and after the commits."""
    engine = make_engine(url)

    def once(dry_run: bool) -> None:
        with engine.connect() as conn:
            outer = conn.begin()
            with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
                caller = load_caller(session, session.get(User, EDITOR))  # type: ignore[arg-type]
                job = run_import(
                    session, caller=caller, data=data, filename="bench.xlsx", dry_run=dry_run
                )
                assert not job.problems, job.problems[:3]
                assert job.summary["plan"]["created"] >= items, job.summary
            outer.rollback()

    dry = p50(lambda: once(True), runs=repeat[0], warmup=warm)
    dry_peak = peak_rss_mb()
    commit = p50(lambda: once(False), runs=repeat[1], warmup=warm if repeat[1] > 1 else 0)
    engine.dispose()
    sandbox.shutdown()
    return dry, commit, dry_peak, peak_rss_mb()


def run_import_case(backend: str, pg_url: str, *, items: int, runs: int) -> list[Result]:
    with database(backend, pg_url, "import") as url:
        upgrade(url)
        engine = make_engine(url)
        year = date.today().year
        with Session(engine) as session:
            seed_demo(session, scale=0.05)
            unit = _unit_with_items(session, items, year)
            session.commit()
            data = _filled_workbook(unit_workbook(session, unit=unit, year=year + 1), items, year)
        floor = p50(lambda: _calamine(data), runs=runs)
        engine.dispose()
        # The large workbook's dry run (the timed target) is the median of three after one
        # untimed run, as the small one's; its commit, slow and only reported, is timed once.
        small = max(3, runs // 5)
        repeat, warm = ((3, 1), 1) if items > 2000 else ((small, small), 1)
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            dry, commit, dry_peak, peak = pool.submit(
                _timed_imports, url, data, items, repeat, warm
            ).result()
    size = f"{items:,} new plan rows + {items:,} report rows"
    if items <= 2000:
        return [
            Result(
                f"import dry run, {size}",
                backend,
                dry,
                floor,
                "≤ 0.5 s, within 8× of the parse",
                dry <= 500 and dry / floor <= 8,
                dry_peak,
            ),
            Result(f"import commit, {size}", backend, commit, floor, "≤ 1 s", commit <= 1000, peak),
        ]
    return [
        Result(
            f"import dry run, {size}",
            backend,
            dry,
            floor,
            "≤ 4 s, peak ≤ 300 MB",
            dry <= 4000 and dry_peak <= 300,
            dry_peak,
        ),
        Result(f"import commit, {size}", backend, commit, floor, "(reported)", None, peak),
    ]


def _timed_export(url: str, runs: int) -> tuple[float, float, int, float]:
    """In a fresh process (its peak memory is the export's, not the seeding's): the median
    export and bare dump, paired, the number of items, and the process's peak memory."""
    engine = make_engine(url)
    year = date.today().year - 1
    with Session(engine) as session:
        caller = load_caller(session, session.get(User, 2))  # type: ignore[arg-type]
        root = session.scalar(
            select(OrgUnit).where(col(OrgUnit.kind) == UnitKind.municipality.value)
        )
        assert root is not None
        items = session.execute(
            select(
                Item.code,
                Item.title,
                Item.kind,
                Item.planned_start,
                Item.planned_end,
                Item.budget,
                Item.planned_absorption,
            )
            .join(Plan, col(Plan.id) == Item.plan_id)
            .where(col(Plan.year) == year)
        ).all()
        ours, floor = paired_p50(
            lambda: consolidated_workbook(
                session, caller=caller, root=root, year=year, as_of=date(year, 12, 31)
            ),
            lambda: _bare_dump(items),
            runs=max(3, runs // 5),
            warmup=1,
        )
    engine.dispose()
    return ours, floor, len(items), peak_rss_mb()


def run_export_case(backend: str, pg_url: str, *, scale: float, runs: int) -> list[Result]:
    with database(backend, pg_url, "export") as url:
        upgrade(url)
        engine = make_engine(url)
        with Session(engine) as session:
            seed_demo(session, scale=scale)
            session.commit()
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        engine.dispose()
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            ours, floor, n, peak = pool.submit(_timed_export, url, runs).result()
    return [
        Result(
            f"consolidated export, {n:,} items",
            backend,
            ours,
            floor,
            "≤ 2 s, within 2× of a bare dump",
            ours <= 2000 and ours / floor <= 2,
            peak,
        )
    ]


def _bare_dump(rows: Sequence[Any]) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, date):
                ws.write_datetime(r, c, value)
            elif isinstance(value, Decimal):
                ws.write_number(r, c, float(value))
            else:
                ws.write_string(r, c, str(value))
    wb.close()
    return out.getvalue()
