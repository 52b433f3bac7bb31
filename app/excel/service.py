"""The unit workbook (download) and the import of a filled one (upload)."""

import gc
import io
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.audit.service import record
from app.auth.scope import Action, Caller, authorize_unit
from app.core.config import get_settings
from app.core.db import utcnow
from app.core.errors import InvalidInput, NotFound, UnsupportedMedia
from app.excel import columns as C
from app.excel.importer import Applied, import_plan_sheet, import_report_sheet
from app.excel.models import ImportJob
from app.excel.orgchart import ORG_KIND, import_org_chart
from app.excel.reader import SheetTooLong, Unreadable, read_sheets
from app.excel.rows import Problem, Staff
from app.excel.safety import check_xlsx
from app.excel.sandbox import run_isolated
from app.excel.writer import build_workbook
from app.org.models import Employee, OrgUnit, OrgUnitClosure
from app.planning.items import CARRIED_STATES
from app.planning.models import Item, Plan
from app.planning.service import items_public
from app.reporting.models import Outcome

log = logging.getLogger("apologismos.excel")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _staff(session: Session, unit: OrgUnit) -> list[tuple[int, str, bool]]:
    """The employees of the unit and the units below it, inactive ones too: an item may still
    name someone who has left, and its row must read back as it was written (the services
    refuse assigning an inactive employee anew)."""
    return [
        (i, n, bool(a))
        for i, n, a in session.execute(
            select(Employee.id, Employee.full_name, Employee.active)
            .join(OrgUnitClosure, col(OrgUnitClosure.descendant_id) == Employee.org_unit_id)
            .where(col(OrgUnitClosure.ancestor_id) == unit.id)
            .order_by(col(Employee.full_name), col(Employee.id))
        )
    ]


def _plan_of(session: Session, unit: OrgUnit, year: int) -> Plan | None:
    return session.scalar(
        select(Plan).where(col(Plan.org_unit_id) == unit.id, col(Plan.year) == year)
    )


def _item_rows(
    session: Session, items: list[Item], staff: Staff, *, carry_into: int | None = None
) -> list[dict[str, Any]]:
    """Rows of the plan sheet; carry-over candidates (`carry_into` a year) are new rows, and
    an end date that fell in the old year is left for the clerk to plan anew."""
    rows = []
    for item in items_public(session, items):
        row = item.model_dump()
        row["assignees"] = ", ".join(staff.label(a.id, a.full_name) for a in item.assignees)
        if carry_into is not None:
            row["id"] = row["version"] = None
            if item.planned_end is not None and item.planned_end < date(carry_into, 1, 1):
                row["planned_end"] = None
        rows.append(row)
    return rows


def unit_workbook(session: Session, *, unit: OrgUnit, year: int) -> bytes:
    """Plan of `year` (its items, or the carry-over candidates when there is no plan yet) and
    report of `year − 1` (its planned items with their outcomes)."""
    plan = _plan_of(session, unit, year)
    previous = _plan_of(session, unit, year - 1)
    people = _staff(session, unit)
    staff = Staff([(i, n) for i, n, _ in people])
    if plan is not None:
        plan_items = list(
            session.scalars(
                select(Item)
                .where(col(Item.plan_id) == plan.id, col(Item.unplanned).is_(False))
                .order_by(col(Item.code))
            )
        )
        plan_rows = _item_rows(session, plan_items, staff)
    elif previous is not None:
        candidates = list(
            session.scalars(
                select(Item)
                .join(Outcome, col(Outcome.item_id) == Item.id)
                .where(col(Item.plan_id) == previous.id, col(Outcome.status).in_(CARRIED_STATES))
                .order_by(col(Item.code))
            )
        )
        plan_rows = _item_rows(session, candidates, staff, carry_into=year)
    else:
        plan_rows = []
    report_rows: list[dict[str, Any]] = []
    if previous is not None:
        items = list(
            session.scalars(
                select(Item)
                .where(col(Item.plan_id) == previous.id, col(Item.unplanned).is_(False))
                .order_by(col(Item.code))
            )
        )
        outcomes = {
            o.item_id: o
            for o in session.scalars(
                select(Outcome).where(col(Outcome.item_id).in_([i.id for i in items]))
            )
        }
        for item in items:
            outcome = outcomes.get(item.id or 0)
            row = {
                k: getattr(item, k)
                for k in (
                    "id",
                    "code",
                    "kind",
                    "title",
                    "planned_start",
                    "planned_end",
                    "planned_absorption",
                )
            }
            row["version"] = outcome.version if outcome else 0
            if outcome is not None:
                row |= {
                    k: getattr(outcome, k)
                    for k in (
                        "status",
                        "progress_pct",
                        "actual_start",
                        "actual_end",
                        "actual_absorption",
                        "kpi_actual",
                        "deviation_category",
                        "deviation_reason",
                    )
                }
            report_rows.append(row)
    return build_workbook(
        unit_code=unit.code,
        unit_name=unit.name,
        year=year,
        plan_columns=C.PLAN_COLUMNS,
        plan_rows=plan_rows,
        report_columns=C.REPORT_COLUMNS,
        report_rows=report_rows,
        staff=[staff.label(i, n) for i, n, active in people if active],  # the drop-down
        meta={
            "org_unit_id": unit.id,
            "org_unit_code": unit.code,
            "municipality_id": unit.municipality_id,
            "year": year,
            "generated_at": utcnow().isoformat(timespec="seconds"),
        },
    )


def _meta(sheets: dict[str, list[list[Any]]]) -> dict[str, str]:
    rows = sheets.get(C.META_SHEET)
    if not rows:
        raise InvalidInput(
            "το αρχείο δεν φτιάχτηκε από την εφαρμογή (λείπει το κρυφό φύλλο "
            "«_meta»): κατεβάστε το βιβλίο εργασίας της μονάδας και συμπληρώστε "
            "εκείνο"
        )
    meta = {}
    for row in rows:
        if len(row) >= 2 and row[0]:
            value = row[1]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            meta[str(row[0])] = str(value)
    if meta.get("template_version") != C.TEMPLATE_VERSION:
        raise InvalidInput(
            f"το αρχείο φτιάχτηκε από παλιό πρότυπο (έκδοση "
            f"{meta.get('template_version', ';')}, τρέχουσα {C.TEMPLATE_VERSION}): "
            "κατεβάστε νέο βιβλίο εργασίας"
        )
    if meta.get("kind") == "blank" or not meta.get("org_unit_id"):
        raise InvalidInput(
            "το αρχείο είναι το κενό πρότυπο και δεν ανήκει σε καμία μονάδα: κατεβάστε από "
            "την εφαρμογή το βιβλίο εργασίας της μονάδας και συμπληρώστε εκείνο"
        )
    # Numbers small enough for an integer column; anything else is a tampered sheet.
    if not all(re.fullmatch(r"\d{1,9}", meta.get(k, "")) for k in ("org_unit_id", "year")):
        raise InvalidInput(
            "το κρυφό φύλλο «_meta» του αρχείου έχει αλλοιωθεί: κατεβάστε νέο βιβλίο εργασίας"
        )
    return meta


def annotate(data: bytes, problems: list[tuple[str, str, str]]) -> bytes:
    """The uploaded workbook with every bad cell filled red and commented (runs isolated)."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    wb = load_workbook(io.BytesIO(data))
    red = PatternFill("solid", fgColor="FF9999")
    for sheet, cell, message in problems:
        if sheet not in wb.sheetnames:
            continue
        target = wb[sheet][cell]
        target.fill = red
        previous = target.comment.text + "\n" if target.comment else ""
        target.comment = Comment(previous + message, "Apologismos")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _annotated(data: bytes, problems: list[Problem]) -> bytes | None:
    """The marked copy, or none when openpyxl cannot rewrite a file that calamine could read:
    the problems are still listed, and the import must not fail for want of the copy."""
    try:
        return run_isolated(annotate, data, [(p.sheet, p.cell, p.message) for p in problems])
    except Exception:
        log.warning("could not write the annotated copy of an upload", exc_info=True)
        return None


_gc_lock = threading.Lock()
_gc_pauses = 0


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A workbook of 20,000 rows makes millions of small objects with no cycles among them;
    the cyclic collector would scan them again and again as they pile up (2–3 times the
    import's time). Reference counting still frees everything; the collector resumes after
    the last import running in this process."""
    global _gc_pauses
    with _gc_lock:
        _gc_pauses += 1
        gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0:
                gc.enable()


def run_import(
    session: Session,
    *,
    caller: Caller,
    data: bytes,
    filename: str,
    dry_run: bool,
    org_unit_id: int | None = None,
    year: int | None = None,
) -> ImportJob:
    """Check, then apply in one savepoint; keep it only when nothing failed and it is not a dry
    run. The job (with the file and its annotated copy) is kept either way."""
    with _cyclic_gc_paused():
        return _run_import(
            session,
            caller=caller,
            data=data,
            filename=filename,
            dry_run=dry_run,
            org_unit_id=org_unit_id,
            year=year,
        )


def _run_import(
    session: Session,
    *,
    caller: Caller,
    data: bytes,
    filename: str,
    dry_run: bool,
    org_unit_id: int | None,
    year: int | None,
) -> ImportJob:
    check_xlsx(data)
    max_rows = get_settings().max_rows
    try:
        sheets = run_isolated(read_sheets, data, max_rows)
    except SheetTooLong as exc:
        raise InvalidInput(f"το φύλλο «{exc}» έχει πάνω από {max_rows} γραμμές") from None
    except Unreadable as exc:
        log.info("an uploaded workbook could not be parsed: %s", exc)
        raise UnsupportedMedia(
            "το αρχείο είναι κατεστραμμένο: δεν διαβάζεται ως .xlsx (ανοίξτε το στο Excel ή "
            "στο LibreOffice και αποθηκεύστε το ξανά)"
        ) from None
    meta = _meta(sheets)
    unit = session.get(OrgUnit, int(meta.get("org_unit_id", "0") or 0))
    if unit is None or unit.code != meta.get("org_unit_code"):
        raise InvalidInput(f"η μονάδα του αρχείου («{meta.get('org_unit_code')}») δεν υπάρχει")
    assert unit.id is not None
    org_chart = meta.get("kind") == ORG_KIND
    authorize_unit(
        session,
        caller,
        unit.id,
        Action.manage if org_chart else Action.edit,
        what=f"org unit {unit.id}",
    )
    file_year = int(meta.get("year", "0"))
    if org_unit_id is not None and org_unit_id != unit.id:
        raise InvalidInput(
            f"το αρχείο είναι της μονάδας «{unit.name}» ({unit.code}): "
            "ανεβάστε το αρχείο της σωστής μονάδας"
        )
    if year is not None and year != file_year:
        raise InvalidInput(f"το αρχείο είναι για το έτος {file_year}, όχι για το {year}")
    # One import of a unit at a time. Without this, the same workbook sent twice at once (a
    # double click, two tabs) is applied twice on PostgreSQL: when the unit has no plan yet,
    # both find none and the second fails on the plan the first creates (422 for a good file).
    # The second now waits here, then finds the first's plan and items and changes nothing.
    # (SQLite runs one writer at a time already: BEGIN IMMEDIATE.)
    session.refresh(unit, with_for_update={"key_share": True})
    out = Applied()
    savepoint = session.begin_nested()
    if org_chart:
        import_org_chart(session, caller, unit, sheets, out)
    else:
        # Every row is checked first; the writing (a few statements per sheet) is done only
        # when no sheet has a problem and it is not a dry run.
        writes = []
        if C.PLAN_SHEET in sheets:
            writes.append(
                import_plan_sheet(
                    session,
                    caller,
                    unit,
                    file_year,
                    sheets[C.PLAN_SHEET],
                    Staff([(i, n) for i, n, _ in _staff(session, unit)]),
                    out,
                )
            )
        if C.REPORT_SHEET in sheets:
            writes.append(
                import_report_sheet(session, caller, unit, file_year, sheets[C.REPORT_SHEET], out)
            )
        if not dry_run and not out.problems:
            for write in writes:
                if write is not None:
                    write()
    if dry_run or out.problems:
        savepoint.rollback()
    else:
        savepoint.commit()
    problems = [asdict(p) for p in out.problems]
    annotated = _annotated(data, out.problems) if problems else None
    status = "dry_run" if dry_run else "refused" if problems else "committed"
    job = ImportJob(
        municipality_id=unit.municipality_id,
        org_unit_id=unit.id,
        year=file_year,
        user_id=caller.id,
        filename=filename[:255],
        status=status,
        summary={
            "units" if org_chart else "plan": out.plan.as_dict(),
            "employees" if org_chart else "report": out.report.as_dict(),
        },
        problems=problems,
        content=data,
        annotated=annotated,
    )
    session.add(job)
    session.flush()
    assert job.id is not None
    if status == "committed":
        record(
            session,
            user_id=caller.id,
            action="import",
            entity_type="import_job",
            entity_id=job.id,
            municipality_id=unit.municipality_id,
            org_unit_id=unit.id,
            changes={
                "filename": {"before": None, "after": job.filename},
                **{
                    f"{sheet}_{k}": {"before": None, "after": v}
                    for sheet, counts in job.summary.items()
                    for k, v in counts.items()
                    if v
                },
            },
        )
    return job


def get_job(session: Session, caller: Caller, job_id: int, action: Action) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound(f"import {job_id} not found")
    authorize_unit(session, caller, job.org_unit_id, action, what=f"import {job_id}")
    if action == Action.read and job.user_id != caller.id and not caller.is_superuser:
        # Others' uploads are theirs; the data they changed is visible through the API.
        authorize_unit(session, caller, job.org_unit_id, Action.review, what=f"import {job_id}")
    return job


def problem_list(job: ImportJob) -> list[Problem]:
    return [Problem(**p) for p in job.problems]
