"""HTTP endpoints of plans, items, the plan workflow and baselines."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.auth.deps import CallerDep
from app.core.db import SessionDep
from app.core.http import (
    IfMatchHeader,
    YearParam,
    check_version,
    etag,
    problems,
    set_etag,
    with_etag,
)
from app.core.pagination import Page, PageDep, page_of
from app.core.schemas import RowId
from app.planning import items, service, workflow
from app.planning.deps import (
    EditableItem,
    EditablePlan,
    ReadableItem,
    ReadablePlan,
    ReviewablePlan,
)
from app.planning.models import Item, ItemKind, Plan, PlanBaseline, PlanStatus
from app.planning.schemas import (
    BaselineDetail,
    BaselineDiff,
    BaselinePublic,
    ItemCreate,
    ItemPublic,
    ItemUpdate,
    PlanCreate,
    PlanDetail,
    PlanListRow,
    PlanPublic,
    StepComment,
)
from app.reporting.service import ensure_report_editable

plans_router = APIRouter(tags=["plans"])
WRITE_ERRORS = (403, 404, 409, 412, 428)


# Plans -------------------------------------------------------------------------------------


@plans_router.get(
    "/plans", summary="List plans in your scope, with item counts and budget", responses=problems()
)
def list_plans(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    year: Annotated[YearParam | None, Query()] = None,
    under: Annotated[
        RowId | None, Query(description="plans of this unit and the units below")
    ] = None,
    org_unit_id: Annotated[RowId | None, Query()] = None,
    status: PlanStatus | None = None,
    report_status: PlanStatus | None = None,
) -> Page[PlanListRow]:
    stmt = service.list_plans_stmt(
        caller,
        year=year,
        under=under,
        org_unit_id=org_unit_id,
        status=status,
        report_status=report_status,
    )
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.execute(stmt.limit(page.limit).offset(page.offset)).all()
    out = [
        PlanListRow(
            **PlanPublic.model_validate(plan).model_dump(),
            org_unit_code=code,
            org_unit_name=name,
            items_count=n,
            budget_total=budget,
        )
        for plan, code, name, n, budget in rows
    ]
    return Page(items=out, total=total or 0, limit=page.limit, offset=page.offset)


@plans_router.post(
    "/plans",
    status_code=status.HTTP_201_CREATED,
    summary="Start the plan of a unit for a year",
    responses=problems(403, 404, 409, 413),
)
def create_plan(
    body: PlanCreate, session: SessionDep, caller: CallerDep, response: Response
) -> PlanDetail:
    plan = service.create_plan(session, caller=caller, data=body)
    if body.carry_over:
        items.carry_over(session, caller=caller, plan=plan)
    set_etag(response, plan.version)
    response.headers["Location"] = f"/api/v1/plans/{plan.id}"
    return service.plan_detail(session, plan)


@plans_router.get(
    "/plans/{plan_id}",
    summary="Read a plan with its items and totals",
    responses=problems(404),
    response_model=PlanDetail,
)
def get_plan(plan: ReadablePlan, session: SessionDep) -> Response:
    # Serialised here, in the endpoint's thread: a returned model would be validated again
    # on one more trip through the threadpool (the most read document of the API).
    detail = service.plan_detail(session, plan)
    return Response(
        detail.model_dump_json(by_alias=True),
        media_type="application/json",
        headers={"ETag": etag(plan.version)},
    )


@plans_router.delete(
    "/plans/{plan_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a draft plan that was never approved",
    responses=problems(*WRITE_ERRORS),
)
def delete_plan(
    plan: EditablePlan, session: SessionDep, caller: CallerDep, if_match: IfMatchHeader = None
) -> None:
    check_version(if_match, plan.version, what=f"plan {plan.id}")
    service.delete_plan(session, caller=caller, plan=plan)


@plans_router.post(
    "/plans/{plan_id}/submit",
    summary="Submit a draft or returned plan",
    responses=problems(*WRITE_ERRORS),
)
def submit_plan(
    plan: EditablePlan,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> PlanPublic:
    check_version(if_match, plan.version, what=f"plan {plan.id}")
    return with_etag(response, workflow.submit(session, caller=caller, plan=plan), PlanPublic)


@plans_router.post(
    "/plans/{plan_id}/approve",
    summary="Approve a submitted plan (freezes its items as the next baseline)",
    responses=problems(*WRITE_ERRORS),
)
def approve_plan(
    plan: ReviewablePlan,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> PlanPublic:
    check_version(if_match, plan.version, what=f"plan {plan.id}")
    return with_etag(response, workflow.approve(session, caller=caller, plan=plan), PlanPublic)


@plans_router.post(
    "/plans/{plan_id}/return",
    summary="Return a submitted plan with a comment",
    responses=problems(*WRITE_ERRORS, 413),
)
def return_plan(
    body: StepComment,
    plan: ReviewablePlan,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> PlanPublic:
    check_version(if_match, plan.version, what=f"plan {plan.id}")
    plan = workflow.return_plan(session, caller=caller, plan=plan, comment=body.comment)
    return with_etag(response, plan, PlanPublic)


@plans_router.post(
    "/plans/{plan_id}/reopen",
    summary="Reopen an approved plan for an amendment, with a comment",
    responses=problems(*WRITE_ERRORS, 413),
)
def reopen_plan(
    body: StepComment,
    plan: ReviewablePlan,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> PlanPublic:
    check_version(if_match, plan.version, what=f"plan {plan.id}")
    plan = workflow.reopen(session, caller=caller, plan=plan, comment=body.comment)
    return with_etag(response, plan, PlanPublic)


def _ensure_item_editable(session: Session, plan: Plan, item: Item) -> None:
    """Planned items follow the plan's workflow; unplanned ones (added while reporting), the
    report's."""
    if item.unplanned:
        ensure_report_editable(session, plan)
    else:
        service.ensure_editable(session, plan)


# Items -------------------------------------------------------------------------------------


@plans_router.get("/plans/{plan_id}/items", summary="List a plan's items", responses=problems(404))
def list_plan_items(
    plan: ReadablePlan,
    session: SessionDep,
    page: PageDep,
    kind: ItemKind | None = None,
    unplanned: bool | None = None,
) -> Page[ItemPublic]:
    stmt = select(Item).where(col(Item.plan_id) == plan.id)
    if kind is not None:
        stmt = stmt.where(col(Item.kind) == kind.value)
    if unplanned is not None:
        stmt = stmt.where(col(Item.unplanned).is_(unplanned))
    return page_of(
        session,
        stmt.order_by(col(Item.code), col(Item.id)),
        page,
        lambda rows: service.items_public(session, rows),
    )


@plans_router.post(
    "/plans/{plan_id}/items",
    status_code=status.HTTP_201_CREATED,
    summary="Add an item to a draft or returned plan",
    responses=problems(403, 404, 409, 413),
)
def create_item(
    body: ItemCreate, plan: EditablePlan, session: SessionDep, caller: CallerDep, response: Response
) -> ItemPublic:
    service.ensure_editable(session, plan)
    item = items.create_item(session, caller=caller, plan=plan, data=body)
    set_etag(response, item.version)
    response.headers["Location"] = f"/api/v1/items/{item.id}"
    return service.items_public(session, [item])[0]


@plans_router.get("/items/{item_id}", summary="Read an item", responses=problems(404))
def get_item(item: ReadableItem, session: SessionDep, response: Response) -> ItemPublic:
    set_etag(response, item.version)
    return service.items_public(session, [item])[0]


@plans_router.patch(
    "/items/{item_id}",
    summary="Change an item of a draft or returned plan",
    responses=problems(*WRITE_ERRORS, 413),
)
def update_item(
    body: ItemUpdate,
    loaded: EditableItem,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> ItemPublic:
    item, plan = loaded
    check_version(if_match, item.version, what=f"item {item.id}")
    _ensure_item_editable(session, plan, item)
    item = items.update_item(session, caller=caller, plan=plan, item=item, data=body)
    set_etag(response, item.version)
    return service.items_public(session, [item])[0]


@plans_router.delete(
    "/items/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove an item from a draft or returned plan",
    responses=problems(*WRITE_ERRORS),
)
def delete_item(
    loaded: EditableItem, session: SessionDep, caller: CallerDep, if_match: IfMatchHeader = None
) -> None:
    item, plan = loaded
    check_version(if_match, item.version, what=f"item {item.id}")
    _ensure_item_editable(session, plan, item)
    items.delete_item(session, caller=caller, plan=plan, item=item)


# Baselines ---------------------------------------------------------------------------------


def _baseline_public(b: PlanBaseline) -> BaselinePublic:
    return BaselinePublic(
        baseline_no=b.baseline_no,
        plan_version=b.plan_version,
        approved_at=b.approved_at,
        approved_by=b.approved_by,
        items_count=len(b.items),
    )


@plans_router.get(
    "/plans/{plan_id}/baselines",
    summary="List the approved baselines of a plan",
    responses=problems(404),
)
def list_plan_baselines(plan: ReadablePlan, session: SessionDep) -> list[BaselinePublic]:
    return [_baseline_public(b) for b in workflow.list_baselines(session, plan)]


@plans_router.get(
    "/plans/{plan_id}/baselines/diff",
    summary="What changed between two baselines: items added, removed, changed",
    responses=problems(404),
)
def diff_plan_baselines(
    plan: ReadablePlan,
    session: SessionDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=10_000)],
    to: Annotated[int, Query(ge=1, le=10_000)],
) -> BaselineDiff:
    return workflow.baseline_diff(session, plan, from_, to)


@plans_router.get(
    "/plans/{plan_id}/baselines/{baseline_no}",
    summary="The items of a plan as approved in one baseline",
    responses=problems(404),
)
def get_plan_baseline(
    plan: ReadablePlan, session: SessionDep, baseline_no: Annotated[int, Path(ge=1, le=10_000)]
) -> BaselineDetail:
    b = workflow.get_baseline(session, plan, baseline_no)
    return BaselineDetail(**_baseline_public(b).model_dump(), items=b.items)
