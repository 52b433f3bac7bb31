"""HTTP endpoints of the Excel round trip: unit workbook, imports, consolidated export."""

from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, Response, UploadFile, status
from fastapi.responses import JSONResponse

from app.auth.deps import CallerDep
from app.auth.scope import Action
from app.core.config import get_settings
from app.core.db import SessionDep, local_today
from app.core.errors import ContentTooLarge, NotFound, problem_response
from app.core.http import problems
from app.core.schemas import MAX_ID, RowId
from app.excel import export, service
from app.excel.models import ImportJob
from app.excel.orgchart import org_chart_workbook
from app.excel.schemas import CellProblem, ImportResult, SheetSummary
from app.metrics.service import default_as_of
from app.org.deps import ManagedUnit, ReadableUnit
from app.org.models import OrgUnit
from app.org.service import get_unit, root_unit_id

router = APIRouter(tags=["excel"])
JobId = Annotated[int, Path(ge=1, le=MAX_ID, description="import id")]
XLSX_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {service.XLSX: {}}, "description": "an .xlsx workbook"}
}


def _xlsx(data: bytes, filename: str) -> Response:
    return Response(
        data,
        media_type=service.XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _result(job: ImportJob) -> ImportResult:
    assert job.id is not None
    return ImportResult(
        id=job.id,
        status=job.status,
        org_unit_id=job.org_unit_id,
        year=job.year,
        filename=job.filename,
        created_at=job.created_at,
        summary={k: SheetSummary(**v) for k, v in job.summary.items()},
        problems=[CellProblem(**p) for p in job.problems],
        annotated_url=f"/api/v1/imports/{job.id}/annotated" if job.annotated else None,
    )


def _respond(job: ImportJob, *, committed_status: int) -> ImportResult | JSONResponse:
    result = _result(job)
    if job.status == "refused":
        # Nothing was written; the job and its annotated copy are kept (the session commits).
        body = problem_response(
            422,
            "Invalid workbook",
            f"το αρχείο έχει {len(job.problems)} λάθη και δεν εφαρμόστηκε τίποτα: δείτε "
            f"{result.annotated_url}",
            slug="invalid-workbook",
            errors=[
                {"loc": [p.sheet, p.cell, p.column], "message": p.message} for p in result.problems
            ],
        )
        body.headers["Location"] = f"/api/v1/imports/{job.id}"
        return body
    if job.status == "committed":
        return JSONResponse(result.model_dump(mode="json"), status_code=committed_status)
    return result


@router.get(
    "/org-units/{unit_id}/workbook",
    summary="The unit's workbook: plan of a year, report of the year before, pre-filled",
    responses={**XLSX_RESPONSE, **problems(404)},
    response_class=Response,
)
def get_unit_workbook(
    unit: ReadableUnit, session: SessionDep, year: Annotated[int, Query(ge=2000, le=2100)]
) -> Response:
    data = service.unit_workbook(session, unit=unit, year=year)
    return _xlsx(data, f"apologismos_{unit.code}_{year}.xlsx")


@router.post(
    "/imports",
    summary="Upload a filled unit workbook: a dry run unless dry_run=false",
    responses=problems(403, 404, 413, 415),
    response_model=ImportResult,
)
def create_import(
    session: SessionDep,
    caller: CallerDep,
    file: Annotated[UploadFile, File(description="the .xlsx workbook")],
    dry_run: Annotated[bool, Query(description="check only, write nothing")] = True,
    org_unit_id: Annotated[
        RowId | None, Query(description="refuse a workbook of another unit")
    ] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="refuse another year")] = None,
) -> ImportResult | JSONResponse:
    limit = get_settings().max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise ContentTooLarge(f"το αρχείο είναι μεγαλύτερο από {limit // 1024} KB")
    job = service.run_import(
        session,
        caller=caller,
        data=data,
        filename=file.filename or "workbook.xlsx",
        dry_run=dry_run,
        org_unit_id=org_unit_id,
        year=year,
    )
    return _respond(job, committed_status=status.HTTP_201_CREATED)


@router.get(
    "/imports/{job_id}", summary="Read the result of an import", responses=problems(403, 404)
)
def get_import(job_id: JobId, session: SessionDep, caller: CallerDep) -> ImportResult:
    return _result(service.get_job(session, caller, job_id, Action.read))


@router.post(
    "/imports/{job_id}/commit",
    summary="Apply a dry run as it was uploaded",
    responses=problems(403, 404, 413, 415),
    response_model=ImportResult,
)
def commit_import(
    job_id: JobId, session: SessionDep, caller: CallerDep
) -> ImportResult | JSONResponse:
    job = service.get_job(session, caller, job_id, Action.edit)
    new = service.run_import(
        session,
        caller=caller,
        data=job.content,
        filename=job.filename,
        dry_run=False,
        org_unit_id=job.org_unit_id,
        year=job.year,
    )
    return _respond(new, committed_status=status.HTTP_201_CREATED)


@router.get(
    "/imports/{job_id}/annotated",
    summary="The uploaded workbook with the bad cells filled red and commented",
    responses={**XLSX_RESPONSE, **problems(403, 404)},
    response_class=Response,
)
def get_import_annotated(job_id: JobId, session: SessionDep, caller: CallerDep) -> Response:
    job = service.get_job(session, caller, job_id, Action.read)
    if job.annotated is None:
        raise NotFound(f"import {job_id} had no problems: there is no annotated copy")
    return _xlsx(job.annotated, f"errors_{job.filename}")


@router.get(
    "/exports/consolidated",
    summary="The quality unit's workbook of a year: figures per directorate and "
    "department, chart, deviations, completeness",
    responses={**XLSX_RESPONSE, **problems(403, 404)},
    response_class=Response,
)
def get_consolidated_export(
    session: SessionDep,
    caller: CallerDep,
    year: Annotated[int, Query(ge=2000, le=2100)],
    org_unit_id: Annotated[RowId, Query(description="usually the municipality")],
) -> Response:
    unit = get_unit(session, caller, org_unit_id, Action.review)
    data = export.consolidated_workbook(
        session, caller=caller, root=unit, year=year, as_of=default_as_of(year, local_today())
    )
    return _xlsx(data, f"apologismos_{unit.code}_{year}_consolidated.xlsx")


@router.get(
    "/org-units/{unit_id}/org-chart-workbook",
    summary="The municipality's units and employees as a workbook (edit it and upload it)",
    responses={**XLSX_RESPONSE, **problems(403, 404)},
    response_class=Response,
)
def get_org_chart_workbook(unit: ManagedUnit, session: SessionDep) -> Response:
    root = session.get(OrgUnit, root_unit_id(session, unit.municipality_id))
    assert root is not None
    return _xlsx(org_chart_workbook(session, root), f"apologismos_{root.code}_org_chart.xlsx")
