"""HTTP endpoints of outcomes, unplanned items, the report workflow and corrective actions."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from app.auth.deps import CallerDep
from app.auth.scope import Action
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.core.http import IfMatchHeader, YearParam, check_version, problems, set_etag, with_etag
from app.core.pagination import Page, PageDep, page_of
from app.core.schemas import MAX_ID, RowId
from app.planning import items
from app.planning.deps import EditableItem, EditablePlan, ReadableItem, ReviewablePlan
from app.planning.models import Plan
from app.planning.schemas import ItemCreate, ItemPublic, PlanPublic, StepComment
from app.planning.service import items_public
from app.reporting import service, workflow
from app.reporting.models import ActionStatus, CorrectiveAction
from app.reporting.schemas import (
    CorrectiveActionCreate,
    CorrectiveActionPublic,
    CorrectiveActionUpdate,
    OutcomeFields,
    OutcomePublic,
)

router = APIRouter(tags=["reports"])
actions_router = APIRouter(tags=["corrective actions"])
WRITE_ERRORS = (403, 404, 409, 412, 428)


def _outcome_public(outcome: object) -> OutcomePublic:
    return OutcomePublic.model_validate(outcome)


@router.get(
    "/items/{item_id}/outcome",
    summary="Read the outcome reported for an item",
    responses=problems(404),
)
def get_item_outcome(item: ReadableItem, session: SessionDep, response: Response) -> OutcomePublic:
    assert item.id is not None
    outcome = service.outcome_of(session, item.id)
    if outcome is None:
        raise NotFound(f"item {item.id} has no outcome yet")
    set_etag(response, outcome.version)
    return _outcome_public(outcome)


@router.put(
    "/items/{item_id}/outcome",
    summary="Report an item's outcome (If-Match when one exists already)",
    responses={
        201: {"model": OutcomePublic, "description": "The item had no outcome: it was created"},
        **problems(*WRITE_ERRORS, 413),
    },
)
def put_item_outcome(
    body: OutcomeFields,
    loaded: EditableItem,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> OutcomePublic:
    item, plan = loaded
    assert item.id is not None
    existing = service.outcome_of(session, item.id, for_update=True)
    if existing is not None:
        check_version(if_match, existing.version, what=f"the outcome of item {item.id}")
    outcome = service.put_outcome(session, caller=caller, plan=plan, item=item, data=body)
    set_etag(response, outcome.version)
    if existing is None:
        response.status_code = status.HTTP_201_CREATED
    return _outcome_public(outcome)


@router.post(
    "/plans/{plan_id}/unplanned-items",
    status_code=status.HTTP_201_CREATED,
    summary="Add an item done without being planned (while reporting)",
    responses=problems(403, 404, 409, 413),
)
def create_unplanned_item(
    body: ItemCreate, plan: EditablePlan, session: SessionDep, caller: CallerDep, response: Response
) -> ItemPublic:
    service.ensure_report_editable(session, plan)
    item = items.create_item(session, caller=caller, plan=plan, data=body, unplanned=True)
    set_etag(response, item.version)
    response.headers["Location"] = f"/api/v1/items/{item.id}"
    return items_public(session, [item])[0]


@router.post(
    "/plans/{plan_id}/report/submit",
    summary="Submit the report (422 lists every missing outcome and reason)",
    responses=problems(*WRITE_ERRORS),
)
def submit_report(
    plan: EditablePlan,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> PlanPublic:
    check_version(if_match, plan.version, what=f"plan {plan.id}")
    return with_etag(response, workflow.submit(session, caller=caller, plan=plan), PlanPublic)


@router.post(
    "/plans/{plan_id}/report/approve",
    summary="Approve a submitted report",
    responses=problems(*WRITE_ERRORS),
)
def approve_report(
    plan: ReviewablePlan,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> PlanPublic:
    check_version(if_match, plan.version, what=f"plan {plan.id}")
    return with_etag(response, workflow.approve(session, caller=caller, plan=plan), PlanPublic)


@router.post(
    "/plans/{plan_id}/report/return",
    summary="Return a submitted report with a comment",
    responses=problems(*WRITE_ERRORS, 413),
)
def return_report(
    body: StepComment,
    plan: ReviewablePlan,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> PlanPublic:
    check_version(if_match, plan.version, what=f"plan {plan.id}")
    return with_etag(
        response,
        workflow.return_report(session, caller=caller, plan=plan, comment=body.comment),
        PlanPublic,
    )


@router.post(
    "/plans/{plan_id}/report/reopen",
    summary="Reopen an approved report, with a comment",
    responses=problems(*WRITE_ERRORS, 413),
)
def reopen_report(
    body: StepComment,
    plan: ReviewablePlan,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> PlanPublic:
    check_version(if_match, plan.version, what=f"plan {plan.id}")
    return with_etag(
        response,
        workflow.reopen(session, caller=caller, plan=plan, comment=body.comment),
        PlanPublic,
    )


# Corrective actions ------------------------------------------------------------------------

ActionId = Annotated[int, Path(ge=1, le=MAX_ID, description="corrective action id")]


def readable_action(
    action_id: ActionId, session: SessionDep, caller: CallerDep
) -> CorrectiveAction:
    return service.get_action(session, caller, action_id, Action.read)[0]


def editable_action(
    action_id: ActionId, session: SessionDep, caller: CallerDep
) -> tuple[CorrectiveAction, Plan]:
    return service.get_action(session, caller, action_id, Action.edit, for_update=True)


@actions_router.get(
    "/corrective-actions",
    summary="List corrective actions in your scope (per unit and year)",
    responses=problems(),
)
def list_corrective_actions(
    session: SessionDep,
    caller: CallerDep,
    page: PageDep,
    under: Annotated[RowId | None, Query(description="actions of this unit and below")] = None,
    year: Annotated[YearParam | None, Query()] = None,
    status: ActionStatus | None = None,
) -> Page[CorrectiveActionPublic]:
    stmt = service.list_actions_stmt(caller, under=under, year=year, status=status)
    return page_of(session, stmt, page, CorrectiveActionPublic)


@actions_router.get(
    "/items/{item_id}/corrective-actions",
    summary="List the corrective actions of an item",
    responses=problems(404),
)
def list_item_corrective_actions(
    item: ReadableItem, session: SessionDep, caller: CallerDep, page: PageDep
) -> Page[CorrectiveActionPublic]:
    stmt = service.list_actions_stmt(caller, item_id=item.id)
    return page_of(session, stmt, page, CorrectiveActionPublic)


@actions_router.post(
    "/items/{item_id}/corrective-actions",
    status_code=status.HTTP_201_CREATED,
    summary="Record what the unit will do about a deviation (ISO 9001 10.2)",
    responses=problems(403, 404, 409, 413),
)
def create_corrective_action(
    body: CorrectiveActionCreate,
    loaded: EditableItem,
    session: SessionDep,
    caller: CallerDep,
    response: Response,
) -> CorrectiveActionPublic:
    item, plan = loaded
    action = service.create_action(session, caller=caller, plan=plan, item=item, data=body)
    set_etag(response, action.version)
    response.headers["Location"] = f"/api/v1/corrective-actions/{action.id}"
    return CorrectiveActionPublic.model_validate(action)


@actions_router.get(
    "/corrective-actions/{action_id}", summary="Read a corrective action", responses=problems(404)
)
def get_corrective_action(
    action: Annotated[CorrectiveAction, Depends(readable_action)], response: Response
) -> CorrectiveActionPublic:
    set_etag(response, action.version)
    return CorrectiveActionPublic.model_validate(action)


@actions_router.patch(
    "/corrective-actions/{action_id}",
    summary="Change a corrective action (progress, result, close)",
    responses=problems(*WRITE_ERRORS, 413),
)
def update_corrective_action(
    body: CorrectiveActionUpdate,
    loaded: Annotated[tuple[CorrectiveAction, Plan], Depends(editable_action)],
    session: SessionDep,
    caller: CallerDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> CorrectiveActionPublic:
    action, plan = loaded
    check_version(if_match, action.version, what=f"corrective action {action.id}")
    action = service.update_action(session, caller=caller, plan=plan, action=action, data=body)
    set_etag(response, action.version)
    return CorrectiveActionPublic.model_validate(action)
