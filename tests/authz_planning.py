"""Authorization matrix entries of cycles, plans, items, reports, corrective actions and
metrics. The plan under test is T11's plan for 2027, in the state each step needs."""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.auth.models import User
from app.planning.models import Cycle, Item, Plan, PlanBaseline
from app.reporting.models import CorrectiveAction, Outcome
from tests.authz_cases import (
    ACTORS,
    MUNICIPALITIES,
    Case,
    Req,
    edit_unit,
    read_unit,
    review_unit,
    units_of,
)
from tests.builders import World
from tests.helpers import API, if_match
from tests.plan_builders import cycle, item, item_body, plan

YEAR = 2027
COMMENT = {"comment": "Λείπουν οι υπεύθυνοι υπάλληλοι"}


def cycle_read() -> dict[str, int]:
    """Cycles hold the deadlines: anyone with a grant in the municipality reads them."""
    return {who: 200 if "a" in MUNICIPALITIES[who] else 404 for who in ACTORS}


def cycle_manage(ok: int) -> dict[str, int]:
    """Opening, changing, closing a cycle: administrators and the quality unit of the
    municipality; others who see the cycle get 403."""
    out = cycle_read()
    return {
        who: (ok if who in ("superuser", "admin", "quality") else 403) if s == 200 else s
        for who, s in out.items()
    }


class Setup:
    """T11's plan for 2027 (and, for the lists, plans of the other units too)."""

    def __init__(
        self, w: World, status: str = "draft", report_status: str = "draft", actions: bool = True
    ) -> None:
        s = w.session
        deadlines = {"plan_deadline": date(YEAR, 1, 31), "report_deadline": date(YEAR + 1, 2, 28)}
        self.cycle = cycle(s, w.a, YEAR, **deadlines)
        self.cycle_b = cycle(s, w.b, YEAR, **deadlines)
        self.plan = plan(s, w.t11, YEAR, status=status, report_status=report_status)
        self.item = item(s, self.plan, "01")
        if status == "approved":
            self.plan.baseline_no = 1
            s.add(
                PlanBaseline(
                    municipality_id=self.plan.municipality_id,
                    plan_id=self.plan.id,  # type: ignore[arg-type]
                    baseline_no=1,
                    plan_version=1,
                    items=[],
                )
            )
            s.add(
                Outcome(
                    municipality_id=self.plan.municipality_id,
                    item_id=self.item.id,  # type: ignore[arg-type]
                    status="completed",
                    progress_pct=100,  # type: ignore[arg-type]
                )
            )
        for p, it in [(self.plan, self.item)] + [
            (p, item(s, p, "01")) for p in (plan(s, u, YEAR) for u in (w.t12, w.t21, w.bt11))
        ]:
            if actions:
                action = CorrectiveAction(
                    municipality_id=p.municipality_id,
                    item_id=it.id,  # type: ignore[arg-type]
                    description="Επαναπροκήρυξη",
                )
                s.add(action)
                self.action = action if p is self.plan else self.action
        s.flush()

    def plan_step(self, step: str, body: object = None) -> Req:
        return Req(
            "POST",
            f"{API}/plans/{self.plan.id}/{step}",
            json=body,
            headers=if_match(self.plan.version),
            row=(Plan, self.plan.id),
        )


def visible_cycles(session: Session, w: World, who: str) -> set[int]:
    ids = {getattr(w, m).municipality_id for m in MUNICIPALITIES[who]}
    return set(session.scalars(select(Cycle.id).where(Cycle.municipality_id.in_(ids))))  # type: ignore[attr-defined]


def visible_plans(session: Session, w: World, who: str) -> set[int]:
    stmt = select(Plan.id).where(Plan.org_unit_id.in_(units_of(w, who)))  # type: ignore[attr-defined]
    return set(session.scalars(stmt))


def visible_actions(session: Session, w: World, who: str) -> set[int]:
    stmt = (
        select(CorrectiveAction.id)
        .join(Item, Item.id == CorrectiveAction.item_id)  # type: ignore[arg-type]
        .join(Plan, Plan.id == Item.plan_id)  # type: ignore[arg-type]
        .where(Plan.org_unit_id.in_(units_of(w, who)))  # type: ignore[attr-defined]
    )
    return set(session.scalars(stmt))


def _cycle(w: World, method: str, suffix: str = "", body: object = None, **state: str) -> Req:
    c = Setup(w).cycle
    for key, value in state.items():
        setattr(c, key, value)
    w.session.flush()
    return Req(
        method, f"{API}/cycles/{c.id}{suffix}", json=body, headers=if_match(1), row=(Cycle, c.id)
    )


def _item(w: World, method: str, suffix: str = "", body: object = None, **state: str) -> Req:
    s = Setup(w, **state)
    return Req(
        method,
        f"{API}/items/{s.item.id}{suffix}",
        json=body,
        headers=if_match(s.item.version),
        row=(Item, s.item.id),
    )


def _plan(w: World, method: str, suffix: str = "", body: object = None, **state: Any) -> Req:
    s = Setup(w, **state)
    return Req(
        method,
        f"{API}/plans/{s.plan.id}{suffix}",
        json=body,
        headers=if_match(s.plan.version),
        row=(Plan, s.plan.id),
    )


def _action(w: World, method: str, body: object = None) -> Req:
    s = Setup(w)
    a = s.action
    return Req(
        method,
        f"{API}/corrective-actions/{a.id}",
        json=body,
        headers=if_match(1),
        row=(CorrectiveAction, a.id),
    )


def _metrics(w: World, path: str) -> Req:
    Setup(w, status="approved")
    return Req("GET", f"{API}/metrics/{path}?org_unit_id={w.t11.id}&year={YEAR}")


def _new_cycle(w: World, me: User) -> Req:
    Setup(w)
    body = {
        "municipality_id": w.a.municipality_id,
        "year": YEAR + 1,
        "plan_deadline": f"{YEAR + 1}-01-31",
        "report_deadline": f"{YEAR + 1}-02-28",
    }
    return Req("POST", f"{API}/cycles", json=body)


def _new_plan(w: World, me: User) -> Req:
    cycle(w.session, w.a, YEAR)
    return Req("POST", f"{API}/plans", json={"org_unit_id": w.t11.id, "year": YEAR})


PLANNING: dict[tuple[str, str], Case] = {
    # Cycles.
    ("GET", "/cycles"): Case(
        lambda w, me: (Setup(w), Req("GET", f"{API}/cycles?limit=500"))[1],
        dict.fromkeys(ACTORS, 200),
        visible=visible_cycles,
    ),
    ("POST", "/cycles"): Case(_new_cycle, cycle_manage(201)),
    ("GET", "/cycles/{cycle_id}"): Case(lambda w, me: _cycle(w, "GET"), cycle_read()),
    ("PATCH", "/cycles/{cycle_id}"): Case(
        lambda w, me: _cycle(w, "PATCH", body={"plan_deadline": f"{YEAR}-02-15"}),
        cycle_manage(200),
    ),
    ("POST", "/cycles/{cycle_id}/close"): Case(
        lambda w, me: _cycle(w, "POST", "/close"), cycle_manage(200)
    ),
    ("POST", "/cycles/{cycle_id}/reopen"): Case(
        lambda w, me: _cycle(w, "POST", "/reopen", status="closed"), cycle_manage(200)
    ),
    ("GET", "/cycles/{cycle_id}/completeness"): Case(
        lambda w, me: _cycle(w, "GET", "/completeness"), cycle_read()
    ),
    # Plans and their workflow.
    ("GET", "/plans"): Case(
        lambda w, me: (Setup(w), Req("GET", f"{API}/plans?limit=500"))[1],
        dict.fromkeys(ACTORS, 200),
        visible=visible_plans,
    ),
    ("POST", "/plans"): Case(_new_plan, edit_unit(201)),
    ("GET", "/plans/{plan_id}"): Case(lambda w, me: _plan(w, "GET"), read_unit()),
    ("DELETE", "/plans/{plan_id}"): Case(
        lambda w, me: _plan(w, "DELETE", actions=False), edit_unit(204)
    ),
    ("POST", "/plans/{plan_id}/submit"): Case(
        lambda w, me: _plan(w, "POST", "/submit"), edit_unit(200)
    ),
    ("POST", "/plans/{plan_id}/approve"): Case(
        lambda w, me: _plan(w, "POST", "/approve", status="submitted"), review_unit(200)
    ),
    ("POST", "/plans/{plan_id}/return"): Case(
        lambda w, me: _plan(w, "POST", "/return", COMMENT, status="submitted"), review_unit(200)
    ),
    ("POST", "/plans/{plan_id}/reopen"): Case(
        lambda w, me: _plan(w, "POST", "/reopen", COMMENT, status="approved"), review_unit(200)
    ),
    ("GET", "/plans/{plan_id}/baselines"): Case(
        lambda w, me: _plan(w, "GET", "/baselines", status="approved"), read_unit()
    ),
    ("GET", "/plans/{plan_id}/baselines/diff"): Case(
        lambda w, me: _plan(w, "GET", "/baselines/diff?from=1&to=1", status="approved"),
        read_unit(),
    ),
    ("GET", "/plans/{plan_id}/baselines/{baseline_no}"): Case(
        lambda w, me: _plan(w, "GET", "/baselines/1", status="approved"), read_unit()
    ),
    # Items.
    ("GET", "/plans/{plan_id}/items"): Case(lambda w, me: _plan(w, "GET", "/items"), read_unit()),
    ("POST", "/plans/{plan_id}/items"): Case(
        lambda w, me: _plan(w, "POST", "/items", item_body()), edit_unit(201)
    ),
    ("GET", "/items/{item_id}"): Case(lambda w, me: _item(w, "GET"), read_unit()),
    ("PATCH", "/items/{item_id}"): Case(
        lambda w, me: _item(w, "PATCH", body={"title": "Νέος τίτλος"}), edit_unit(200)
    ),
    ("DELETE", "/items/{item_id}"): Case(lambda w, me: _item(w, "DELETE"), edit_unit(204)),
    # The report.
    ("GET", "/items/{item_id}/outcome"): Case(
        lambda w, me: _item(w, "GET", "/outcome", status="approved"), read_unit()
    ),
    ("PUT", "/items/{item_id}/outcome"): Case(
        lambda w, me: _item(
            w, "PUT", "/outcome", {"status": "in_progress", "progress_pct": 40}, status="approved"
        ),
        edit_unit(200),
    ),
    ("POST", "/plans/{plan_id}/unplanned-items"): Case(
        lambda w, me: _plan(w, "POST", "/unplanned-items", item_body(), status="approved"),
        edit_unit(201),
    ),
    ("POST", "/plans/{plan_id}/report/submit"): Case(
        lambda w, me: _plan(w, "POST", "/report/submit", status="approved"), edit_unit(200)
    ),
    ("POST", "/plans/{plan_id}/report/approve"): Case(
        lambda w, me: _plan(
            w, "POST", "/report/approve", status="approved", report_status="submitted"
        ),
        review_unit(200),
    ),
    ("POST", "/plans/{plan_id}/report/return"): Case(
        lambda w, me: _plan(
            w, "POST", "/report/return", COMMENT, status="approved", report_status="submitted"
        ),
        review_unit(200),
    ),
    ("POST", "/plans/{plan_id}/report/reopen"): Case(
        lambda w, me: _plan(
            w, "POST", "/report/reopen", COMMENT, status="approved", report_status="approved"
        ),
        review_unit(200),
    ),
    # Corrective actions.
    ("GET", "/corrective-actions"): Case(
        lambda w, me: (Setup(w), Req("GET", f"{API}/corrective-actions?limit=500"))[1],
        dict.fromkeys(ACTORS, 200),
        visible=visible_actions,
    ),
    ("GET", "/corrective-actions/{action_id}"): Case(lambda w, me: _action(w, "GET"), read_unit()),
    ("PATCH", "/corrective-actions/{action_id}"): Case(
        lambda w, me: _action(w, "PATCH", {"due_date": f"{YEAR}-05-31"}), edit_unit(200)
    ),
    ("GET", "/items/{item_id}/corrective-actions"): Case(
        lambda w, me: _item(w, "GET", "/corrective-actions"), read_unit()
    ),
    ("POST", "/items/{item_id}/corrective-actions"): Case(
        lambda w, me: _item(w, "POST", "/corrective-actions", {"description": "Νέα προκήρυξη"}),
        edit_unit(201),
    ),
    # Metrics.
    ("GET", "/metrics/completion"): Case(lambda w, me: _metrics(w, "completion"), read_unit()),
    ("GET", "/metrics/deviations"): Case(lambda w, me: _metrics(w, "deviations"), read_unit()),
}
