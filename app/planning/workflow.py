"""The plan's workflow (submit, approve, return, reopen) and the baselines approval freezes."""

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.audit.service import diff, plain
from app.auth.scope import Caller
from app.core.db import local_today, utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.planning.cycles import require_open_cycle
from app.planning.models import Item, ItemAssignee, Plan, PlanBaseline, PlanStatus
from app.planning.schemas import BaselineDiff, FieldChange, ItemChange
from app.planning.service import EDITABLE, ITEM_FIELDS, audit_plan


def _step(
    session: Session,
    caller: Caller,
    plan: Plan,
    action: str,
    allowed_from: tuple[PlanStatus, ...],
    to: PlanStatus,
    *,
    comment: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    if plan.status not in allowed_from:
        wanted = " or ".join(s.value for s in allowed_from)
        article = "an" if wanted[0] in "aeiou" else "a"
        raise Conflict(
            f"plan {plan.id} is {plan.status}: only {article} {wanted} plan can be {action}"
        )
    fields = ("status", "return_comment", *extra)
    before = {k: getattr(plan, k) for k in fields}
    plan.status = to.value
    for key, value in extra.items():
        setattr(plan, key, value)
    if comment is not None:
        plan.return_comment = comment
    plan.version += 1
    plan.updated_at = utcnow()
    changes = diff(before, {k: getattr(plan, k) for k in fields})
    audit_plan(session, caller, plan, action, changes)
    session.flush()
    return changes


def submit(session: Session, *, caller: Caller, plan: Plan) -> Plan:
    cycle = require_open_cycle(session, plan.municipality_id, plan.year)
    count = session.scalar(
        select(func.count()).where(col(Item.plan_id) == plan.id, col(Item.unplanned).is_(False))
    )
    if plan.status in EDITABLE and not count:
        raise InvalidInput(
            f"plan {plan.id} has no items: add at least one before submitting",
            errors=[{"loc": ["plan", "items"], "message": "no items"}],
        )
    _step(
        session,
        caller,
        plan,
        "submitted",
        EDITABLE,
        PlanStatus.submitted,
        submitted_at=utcnow(),
        plan_late=local_today() > cycle.plan_deadline,
    )
    return plan


def approve(session: Session, *, caller: Caller, plan: Plan) -> Plan:
    require_open_cycle(session, plan.municipality_id, plan.year)
    _step(
        session,
        caller,
        plan,
        "approved",
        (PlanStatus.submitted,),
        PlanStatus.approved,
        approved_at=utcnow(),
        baseline_no=plan.baseline_no + 1,
        return_comment=None,
    )
    assert plan.id is not None
    session.add(
        PlanBaseline(
            municipality_id=plan.municipality_id,
            plan_id=plan.id,
            baseline_no=plan.baseline_no,
            plan_version=plan.version,
            approved_by=caller.id,
            items=_frozen_items(session, plan.id),
        )
    )
    session.flush()
    return plan


def return_plan(session: Session, *, caller: Caller, plan: Plan, comment: str) -> Plan:
    require_open_cycle(session, plan.municipality_id, plan.year)
    _step(
        session,
        caller,
        plan,
        "returned",
        (PlanStatus.submitted,),
        PlanStatus.returned,
        comment=comment,
    )
    return plan


def reopen(session: Session, *, caller: Caller, plan: Plan, comment: str) -> Plan:
    require_open_cycle(session, plan.municipality_id, plan.year)
    if plan.report_status in (PlanStatus.submitted, PlanStatus.approved):
        raise Conflict(
            f"the report of plan {plan.id} is {plan.report_status}: "
            "reopen or return the report before amending the plan"
        )
    _step(
        session, caller, plan, "reopened", (PlanStatus.approved,), PlanStatus.draft, comment=comment
    )
    return plan


# Baselines ---------------------------------------------------------------------------------


def _frozen_items(session: Session, plan_id: int) -> list[dict[str, Any]]:
    items = list(
        session.scalars(
            select(Item)
            .where(col(Item.plan_id) == plan_id, col(Item.unplanned).is_(False))
            .order_by(col(Item.code))
        )
    )
    staff: dict[int, list[int]] = {}
    for item_id, emp in session.execute(
        select(ItemAssignee.item_id, ItemAssignee.employee_id)
        .where(col(ItemAssignee.item_id).in_([i.id for i in items]))
        .order_by(col(ItemAssignee.employee_id))
    ):
        staff.setdefault(item_id, []).append(emp)
    return [
        {
            "id": i.id,
            **{f: plain(getattr(i, f)) for f in ITEM_FIELDS},
            "assignee_ids": staff.get(i.id or 0, []),
        }
        for i in items
    ]


def list_baselines(session: Session, plan: Plan) -> list[PlanBaseline]:
    return list(
        session.scalars(
            select(PlanBaseline)
            .where(col(PlanBaseline.plan_id) == plan.id)
            .order_by(col(PlanBaseline.baseline_no))
        )
    )


def get_baseline(session: Session, plan: Plan, baseline_no: int) -> PlanBaseline:
    baseline = session.scalar(
        select(PlanBaseline).where(
            col(PlanBaseline.plan_id) == plan.id, col(PlanBaseline.baseline_no) == baseline_no
        )
    )
    if baseline is None:
        raise NotFound(f"plan {plan.id} has no baseline {baseline_no} (it has {plan.baseline_no})")
    return baseline


def baseline_diff(session: Session, plan: Plan, from_no: int, to_no: int) -> BaselineDiff:
    assert plan.id is not None
    old = {i["id"]: i for i in get_baseline(session, plan, from_no).items}
    new = {i["id"]: i for i in get_baseline(session, plan, to_no).items}
    changed = []
    for item_id in sorted(old.keys() & new.keys()):
        fields = {
            k: FieldChange(before=old[item_id].get(k), after=new[item_id].get(k))
            for k in sorted(set(old[item_id]) | set(new[item_id]))
            if old[item_id].get(k) != new[item_id].get(k)
        }
        if fields:
            changed.append(ItemChange(item_id=item_id, code=new[item_id]["code"], fields=fields))
    return BaselineDiff(
        plan_id=plan.id,
        from_baseline=from_no,
        to_baseline=to_no,
        added=[new[i] for i in sorted(new.keys() - old.keys())],
        removed=[old[i] for i in sorted(old.keys() - new.keys())],
        changed=changed,
    )
