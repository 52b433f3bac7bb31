"""Authorization matrix entries of the Excel doors: unit workbooks, imports, exports."""

from collections.abc import Callable
from datetime import date, datetime

from sqlmodel import Session

from app.excel.columns import PLAN_SHEET
from app.excel.models import ImportJob
from app.excel.service import unit_workbook
from tests.authz_cases import Case, Req, edit_unit, manage_unit, read_unit, review_unit
from tests.builders import World
from tests.excel.helpers import XLSX, edit
from tests.helpers import API
from tests.plan_builders import cycle

YEAR = 2027
ROW = {(2, "kind"): "Δράση", (2, "title"): "Ψηφιοποίηση αρχείου"}
GOOD = ROW | {(2, "planned_start"): datetime(YEAR, 3, 1), (2, "planned_end"): "30/06/2027"}


def own_import() -> dict[str, int]:
    """An upload is its uploader's; of the others, only reviewers of the unit read it."""
    return read_unit() | {"viewer": 403}


def _workbook(session: Session, w: World, cells: dict[tuple[int, str], object]) -> bytes:
    cycle(
        session, w.a, YEAR, plan_deadline=date(YEAR, 1, 31), report_deadline=date(YEAR + 1, 2, 28)
    )
    # Writing a workbook takes about a second; every test builds the same World, so the bytes
    # are kept for as long as T11's id is the same (on SQLite, where rolled back ids return).
    return _filled(
        w.t11.id, lambda: unit_workbook(session, unit=w.t11, year=YEAR), tuple(cells.items())
    )


_cache: dict[tuple[object, ...], bytes] = {}


def _filled(
    unit_id: object, blank: Callable[[], bytes], cells: tuple[tuple[tuple[int, str], object], ...]
) -> bytes:
    key = (unit_id, cells)
    if key not in _cache:
        _cache[key] = edit(blank(), {PLAN_SHEET: dict(cells)})
    return _cache[key]


def _job(w: World, *, content: bytes = b"", annotated: bytes | None = None) -> int:
    """An upload of T11's editor, as the import keeps it."""
    job = ImportJob(
        municipality_id=w.t11.municipality_id,
        org_unit_id=w.t11.id,  # type: ignore[arg-type]
        year=YEAR,
        user_id=w.editor.id,  # type: ignore[arg-type]
        filename="t11.xlsx",
        status="dry_run" if annotated is None else "refused",
        content=content,
        annotated=annotated,
    )
    w.session.add(job)
    w.session.flush()
    assert job.id is not None
    return job.id


def _commit(w: World) -> Req:
    job_id = _job(w, content=_workbook(w.session, w, GOOD))
    return Req("POST", f"{API}/imports/{job_id}/commit")


def _upload(w: World) -> Req:
    data = _workbook(w.session, w, GOOD)
    return Req("POST", f"{API}/imports", files={"file": ("t11.xlsx", data, XLSX)})


EXCEL: dict[tuple[str, str], Case] = {
    ("GET", "/org-units/{unit_id}/workbook"): Case(
        lambda w, me: Req("GET", f"{API}/org-units/{w.t11.id}/workbook?year={YEAR}"), read_unit()
    ),
    ("GET", "/org-units/{unit_id}/org-chart-workbook"): Case(
        lambda w, me: Req("GET", f"{API}/org-units/{w.t11.id}/org-chart-workbook"),
        manage_unit(200),
    ),
    ("POST", "/imports"): Case(lambda w, me: _upload(w), edit_unit(200)),
    ("GET", "/imports/{job_id}"): Case(
        lambda w, me: Req("GET", f"{API}/imports/{_job(w)}"), own_import()
    ),
    ("GET", "/imports/{job_id}/annotated"): Case(
        lambda w, me: Req("GET", f"{API}/imports/{_job(w, annotated=b'PK')}/annotated"),
        own_import(),
    ),
    ("POST", "/imports/{job_id}/commit"): Case(lambda w, me: _commit(w), edit_unit(201)),
    ("GET", "/exports/consolidated"): Case(
        lambda w, me: Req("GET", f"{API}/exports/consolidated?year={YEAR}&org_unit_id={w.t11.id}"),
        review_unit(200),
    ),
}
