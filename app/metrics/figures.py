"""Keeping `plan_figures` (see `models`) current: every transaction that changes a plan's
items or outcomes rewrites that plan's rows before it commits.

Every change of items or outcomes goes through a new plan version (`touch_plan`,
`touch_report`: the plan's ETag), including the Excel import's bulk writes; items and outcomes
written as ORM objects (the demo seed, the tests' fixtures) are noticed too. The plans noticed
in a session's flushes are recomputed from their items in `settle`, which runs before every
commit and before the national figures are read (so that a session reads its own changes).
Recomputing a plan is one grouped INSERT … SELECT over its items: a plan of 100 items costs
a millisecond or two, the plan of a 20,000-row import a small part of the import.
"""

from typing import Any

from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.session import SessionTransaction
from sqlmodel import col

from app.core.db import chunks
from app.metrics import sums
from app.metrics.models import PlanFigures
from app.planning.models import Item, Plan
from app.reporting.models import Outcome

_PENDING = "apologismos.plan_figures"


def _pending(session: Session) -> tuple[set[int], set[int]]:
    """The ids of the plans, and of the items whose plan, to recompute in this session."""
    pending: tuple[set[int], set[int]] = session.info.setdefault(_PENDING, (set(), set()))
    return pending


@event.listens_for(Session, "before_flush")
def _notice(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    plans, items = _pending(session)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Item):
            if obj.plan_id is not None:
                plans.add(obj.plan_id)
        elif isinstance(obj, Outcome):
            if obj.item_id is not None:
                items.add(obj.item_id)
        elif (
            isinstance(obj, Plan)
            and obj.id is not None
            and inspect(obj).attrs.version.history.has_changes()
        ):
            plans.add(obj.id)


@event.listens_for(Session, "before_commit")
def _settle_before_commit(session: Session) -> None:
    settle(session)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    # A rolled back transaction changed nothing: its plans are as they were.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def settle(session: Session) -> None:
    """Recompute the rows of the plans this session has changed so far."""
    if not any(_pending(session)):
        return
    session.flush()  # the last changes are noticed too
    plans, items = session.info.pop(_PENDING)
    for chunk in chunks(sorted(items)):
        plans.update(session.scalars(select(col(Item.plan_id)).where(col(Item.id).in_(chunk))))
    refresh(session, sorted(plans))


def refresh(session: Session, plan_ids: list[int] | None = None) -> None:
    """Recompute the rows of these plans (of every plan with `None`) from their items."""
    rows = sums.stored_rows()
    names = [c.name for c in rows.selected_columns]
    if plan_ids is None:
        session.execute(delete(PlanFigures))
        session.execute(insert(PlanFigures).from_select(names, rows))
        return
    for chunk in chunks(plan_ids):
        session.execute(delete(PlanFigures).where(col(PlanFigures.plan_id).in_(chunk)))
        session.execute(
            insert(PlanFigures).from_select(names, rows.where(col(Item.plan_id).in_(chunk)))
        )
