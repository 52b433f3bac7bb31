"""HTTP endpoints of planning cycles."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.auth.deps import CallerDep
from app.core.db import SessionDep
from app.core.http import IfMatchHeader, YearParam, check_version, problems, set_etag
from app.core.pagination import Page, PageDep, page_of
from app.core.schemas import RowId
from app.planning import cycles
from app.planning.deps import ManagedCycle, ReadableCycle
from app.planning.models import CycleStatus
from app.planning.schemas import CycleCreate, CyclePublic, CycleUpdate

router = APIRouter(prefix="/cycles", tags=["cycles"])
WRITE_ERRORS = (403, 404, 409, 412, 428)


@router.get("", summary="List planning cycles of your municipalities", responses=problems())
def list_cycles(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    municipality_id: Annotated[RowId | None, Query()] = None,
    year: Annotated[YearParam | None, Query()] = None,
    status: CycleStatus | None = None,
) -> Page[CyclePublic]:
    stmt = cycles.list_cycles_stmt(
        caller, municipality_id=municipality_id, year=year, status=status
    )
    return page_of(session, stmt, page, CyclePublic)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Open the cycle of a year",
    responses=problems(403, 404, 409, 413),
)
def create_cycle(
    body: CycleCreate, session: SessionDep, caller: CallerDep, response: Response
) -> CyclePublic:
    cycle = cycles.create_cycle(session, caller=caller, data=body)
    set_etag(response, cycle.version)
    response.headers["Location"] = f"/api/v1/cycles/{cycle.id}"
    return CyclePublic.model_validate(cycle)


@router.get("/{cycle_id}", summary="Read a cycle", responses=problems(404))
def get_cycle(cycle: ReadableCycle, response: Response) -> CyclePublic:
    set_etag(response, cycle.version)
    return CyclePublic.model_validate(cycle)


@router.patch(
    "/{cycle_id}", summary="Change a cycle's deadlines", responses=problems(*WRITE_ERRORS, 413)
)
def update_cycle(
    body: CycleUpdate,
    cycle: ManagedCycle,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> CyclePublic:
    check_version(if_match, cycle.version, what=f"cycle {cycle.id}")
    cycle = cycles.update_cycle(session, caller=caller, cycle=cycle, data=body)
    set_etag(response, cycle.version)
    return CyclePublic.model_validate(cycle)


@router.post(
    "/{cycle_id}/close",
    summary="Close a cycle: nothing of its year changes",
    responses=problems(*WRITE_ERRORS),
)
def close_cycle(
    cycle: ManagedCycle,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> CyclePublic:
    check_version(if_match, cycle.version, what=f"cycle {cycle.id}")
    cycle = cycles.set_cycle_status(session, caller=caller, cycle=cycle, status=CycleStatus.closed)
    set_etag(response, cycle.version)
    return CyclePublic.model_validate(cycle)


@router.post(
    "/{cycle_id}/reopen", summary="Reopen a closed cycle", responses=problems(*WRITE_ERRORS)
)
def reopen_cycle(
    cycle: ManagedCycle,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> CyclePublic:
    check_version(if_match, cycle.version, what=f"cycle {cycle.id}")
    cycle = cycles.set_cycle_status(session, caller=caller, cycle=cycle, status=CycleStatus.open)
    set_etag(response, cycle.version)
    return CyclePublic.model_validate(cycle)
