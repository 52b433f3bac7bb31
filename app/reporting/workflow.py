"""The report's workflow: submit (with the list of what is missing), approve, return, reopen."""

from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from app.audit.service import plain
from app.auth.scope import Caller
from app.core.db import local_today, utcnow
from app.core.errors import Conflict, InvalidInput
from app.metrics.deviations import deviation_row, deviations_query
from app.metrics.schemas import DeviationFlag
from app.metrics.service import Scope, default_as_of
from app.planning.cycles import require_open_cycle
from app.planning.models import Item, Plan, PlanStatus
from app.planning.service import audit_plan
from app.reporting.models import Outcome

EDITABLE = (PlanStatus.draft, PlanStatus.returned)
TOLERANCE = Decimal("0.10")


def _step(
    session: Session,
    caller: Caller,
    plan: Plan,
    action: str,
    allowed_from: tuple[PlanStatus, ...],
    to: PlanStatus,
    *,
    comment: str | None = None,
    **stamps: Any,
) -> None:
    require_open_cycle(session, plan.municipality_id, plan.year)
    if plan.status != PlanStatus.approved:
        raise Conflict(f"the report needs an approved plan: plan {plan.id} is {plan.status}")
    if plan.report_status not in allowed_from:
        wanted = " or ".join(s.value for s in allowed_from)
        article = "an" if wanted[0] in "aeiou" else "a"
        raise Conflict(
            f"the report of plan {plan.id} is {plan.report_status}: only {article} {wanted} "
            f"report can be {action}"
        )
    changes: dict[str, Any] = {"report_status": {"before": plan.report_status, "after": to.value}}
    plan.report_status = to.value
    for key, value in stamps.items():
        changes[key] = {"before": plain(getattr(plan, key)), "after": plain(value)}
        setattr(plan, key, value)
    if comment is not None or (to == PlanStatus.approved and plan.return_comment is not None):
        # A return or reopen says why; approval clears the comment, as the plan's does.
        changes["return_comment"] = {"before": plan.return_comment, "after": comment}
        plan.return_comment = comment
    plan.version += 1
    plan.updated_at = utcnow()
    audit_plan(session, caller, plan, f"report_{action}", changes)
    session.flush()


def submission_problems(session: Session, plan: Plan, today: date) -> list[dict[str, Any]]:
    """Every reason the report cannot be submitted: planned items without an outcome, and
    deviating items without a reason (the same flags as the deviations list)."""
    missing = session.execute(
        select(Item.id, Item.code)
        .outerjoin(Outcome, col(Outcome.item_id) == Item.id)
        .where(
            col(Item.plan_id) == plan.id, col(Item.unplanned).is_(False), col(Outcome.id).is_(None)
        )
        .order_by(col(Item.code))
    ).all()
    problems = [
        {"loc": ["items", code, "outcome"], "message": f"item {code} has no outcome"}
        for _, code in missing
    ]
    without = {item_id for item_id, _ in missing}
    scope = Scope(
        org_unit_id=plan.org_unit_id, municipality_id=plan.municipality_id, year=plan.year
    )
    query = deviations_query(
        scope,
        default_as_of(plan.year, today),
        TOLERANCE,
        flag=DeviationFlag.missing_reason,
        plan_id=plan.id,
    )
    for row in session.execute(query):
        dev = deviation_row(row)
        if dev.item_id in without:
            continue
        flags = ", ".join(f.value for f in dev.flags if f != DeviationFlag.missing_reason)
        problems.append(
            {
                "loc": ["items", dev.code, "deviation_reason"],
                "message": f"item {dev.code} deviates ({flags}): give a deviation_reason",
            }
        )
    return problems


def submit(session: Session, *, caller: Caller, plan: Plan) -> Plan:
    cycle = require_open_cycle(session, plan.municipality_id, plan.year)
    if plan.status == PlanStatus.approved and plan.report_status in EDITABLE:
        problems = submission_problems(session, plan, local_today())
        if problems:
            raise InvalidInput(
                f"the report of plan {plan.id} is not complete: {len(problems)} problems",
                errors=problems,
            )
    _step(
        session,
        caller,
        plan,
        "submitted",
        EDITABLE,
        PlanStatus.submitted,
        report_submitted_at=utcnow(),
        report_late=local_today() > cycle.report_deadline,
    )
    return plan


def approve(session: Session, *, caller: Caller, plan: Plan) -> Plan:
    _step(
        session,
        caller,
        plan,
        "approved",
        (PlanStatus.submitted,),
        PlanStatus.approved,
        report_approved_at=utcnow(),
    )
    return plan


def return_report(session: Session, *, caller: Caller, plan: Plan, comment: str) -> Plan:
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
    _step(
        session, caller, plan, "reopened", (PlanStatus.approved,), PlanStatus.draft, comment=comment
    )
    return plan
