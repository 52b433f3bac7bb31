"""Load-or-404 dependencies of plans, items and cycles (scope checked once, here)."""

from typing import Annotated

from fastapi import Depends, Path

from app.auth.deps import CallerDep
from app.auth.scope import Action
from app.core.db import SessionDep
from app.core.schemas import MAX_ID
from app.planning import cycles, service
from app.planning.models import Cycle, Item, Plan

PlanId = Annotated[int, Path(ge=1, le=MAX_ID, description="plan id")]
ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="item id")]
CycleId = Annotated[int, Path(ge=1, le=MAX_ID, description="cycle id")]


def readable_plan(plan_id: PlanId, session: SessionDep, caller: CallerDep) -> Plan:
    return service.get_plan(session, caller, plan_id, Action.read)


def editable_plan(plan_id: PlanId, session: SessionDep, caller: CallerDep) -> Plan:
    return service.get_plan(session, caller, plan_id, Action.edit, for_update=True)


def reviewable_plan(plan_id: PlanId, session: SessionDep, caller: CallerDep) -> Plan:
    return service.get_plan(session, caller, plan_id, Action.review, for_update=True)


def readable_item(item_id: ItemId, session: SessionDep, caller: CallerDep) -> Item:
    return service.get_item(session, caller, item_id, Action.read)[0]


def editable_item(item_id: ItemId, session: SessionDep, caller: CallerDep) -> tuple[Item, Plan]:
    return service.get_item(session, caller, item_id, Action.edit, for_update=True)


def readable_cycle(cycle_id: CycleId, session: SessionDep, caller: CallerDep) -> Cycle:
    return cycles.get_cycle(session, caller, cycle_id, Action.read)


def managed_cycle(cycle_id: CycleId, session: SessionDep, caller: CallerDep) -> Cycle:
    return cycles.get_cycle(session, caller, cycle_id, Action.review, for_update=True)


ReadablePlan = Annotated[Plan, Depends(readable_plan)]
EditablePlan = Annotated[Plan, Depends(editable_plan)]
ReviewablePlan = Annotated[Plan, Depends(reviewable_plan)]
ReadableItem = Annotated[Item, Depends(readable_item)]
EditableItem = Annotated[tuple[Item, Plan], Depends(editable_item)]
ReadableCycle = Annotated[Cycle, Depends(readable_cycle)]
ManagedCycle = Annotated[Cycle, Depends(managed_cycle)]
