"""HTTP endpoints of the quality unit's figures: completion, deviations, completeness."""

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import Session

from app.auth.deps import CallerDep
from app.auth.scope import Action, Caller
from app.core.db import SessionDep, local_today
from app.core.errors import InvalidInput
from app.core.http import problems
from app.core.pagination import Page, PageDep
from app.core.schemas import RowId
from app.metrics import deviations, service
from app.metrics.schemas import (
    Completeness,
    CompletionReport,
    DeviationFlag,
    DeviationRow,
    GroupBy,
)
from app.org.service import get_unit
from app.planning.deps import ReadableCycle
from app.planning.models import FundingSource, ItemKind, PlanStatus
from app.planning.schemas import Percent, PlanDate

router = APIRouter(tags=["metrics"])

UnitQuery = Annotated[
    RowId | None,
    Query(description="the scope: this unit and every unit below it (default: your one grant)"),
]
YearQuery = Annotated[int | None, Query(ge=2000, le=2100)]
AsOf = Annotated[
    PlanDate | None,
    Query(
        description="the day figures are judged at (default: the earlier of today and 31 December)",
    ),
]


def _scope(
    session: Session,
    caller: Caller,
    org_unit_id: int | None,
    year: int | None,
    *,
    kind: ItemKind | None = None,
    funding_source: FundingSource | None = None,
    plan_status: str | None = None,
) -> service.Scope:
    if org_unit_id is None:
        units = caller.granted_units()
        if len(units) != 1:
            raise InvalidInput(
                "say which org unit the figures are for",
                errors=[{"loc": ["query", "org_unit_id"], "message": "required"}],
            )
        org_unit_id = units[0]
    unit = get_unit(session, caller, org_unit_id, Action.read)
    return service.Scope(
        org_unit_id=org_unit_id,
        municipality_id=unit.municipality_id,
        year=year,
        kind=kind,
        funding_source=funding_source,
        plan_status=plan_status,
    )


@router.get(
    "/metrics/completion",
    summary="How much of the plans was carried out (SPEC §5)",
    responses=problems(404),
)
def get_completion_metrics(
    session: SessionDep,
    caller: CallerDep,
    org_unit_id: UnitQuery = None,
    year: YearQuery = None,
    group_by: GroupBy | None = None,
    kind: ItemKind | None = None,
    funding_source: FundingSource | None = None,
    plan_status: PlanStatus | None = None,
    as_of: AsOf = None,
) -> CompletionReport:
    if year is None and group_by != GroupBy.year:
        raise InvalidInput(
            "say which year (only group_by=year spans several years)",
            errors=[{"loc": ["query", "year"], "message": "required"}],
        )
    scope = _scope(
        session,
        caller,
        org_unit_id,
        year,
        kind=kind,
        funding_source=funding_source,
        plan_status=plan_status.value if plan_status else None,
    )
    today = local_today()
    day = as_of or (service.default_as_of(year, today) if year else today)
    total, groups = service.completion(session, scope, group_by, day)
    return CompletionReport(
        org_unit_id=scope.org_unit_id,
        year=year,
        as_of=day,
        group_by=group_by,
        total=total,
        groups=groups,
    )


@router.get(
    "/metrics/deviations",
    summary="Items that deviate from the plan, with flags and sizes",
    responses=problems(404),
)
def list_deviations(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    year: Annotated[int, Query(ge=2000, le=2100)],
    org_unit_id: UnitQuery = None,
    flag: DeviationFlag | None = None,
    kind: ItemKind | None = None,
    tolerance_pct: Annotated[Percent, Query(description="absorption tolerance")] = Decimal(10),
    as_of: AsOf = None,
) -> Page[DeviationRow]:
    scope = _scope(session, caller, org_unit_id, year, kind=kind)
    day = as_of or service.default_as_of(year, local_today())
    rows, total = deviations.list_deviations(
        session, scope, day, tolerance_pct / 100, flag=flag, limit=page.limit, offset=page.offset
    )
    return Page(items=rows, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/cycles/{cycle_id}/completeness",
    summary="Which units have submitted their plan and report, on time or late",
    responses=problems(404),
)
def get_cycle_completeness(
    cycle: ReadableCycle, session: SessionDep, caller: CallerDep
) -> Completeness:
    return deviations.completeness(session, caller, cycle)
