"""`bulk_insert` writes what the ORM would: on PostgreSQL by COPY, on SQLite by executemany.
The rows are read back through the ORM and compared field by field."""

from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.core.db import bulk_insert, utcnow
from app.planning.models import Item, ItemKind
from tests import builders as b
from tests import plan_builders as pb

AWKWARD = "Δήμος «Θεσσαλονίκης»\ttab\\backslash\nnew line, ένα ς 🚲 \u202eRTL"


def test_rows_written_in_bulk_read_back_as_given(session: Session) -> None:
    root = b.municipality(session)
    plan = pb.plan(session, b.unit(session, root, "T1"))
    now = utcnow()
    rows = [
        {
            "municipality_id": root.municipality_id,
            "plan_id": plan.id,
            "code": f"B{n:03d}",
            "kind": ItemKind.project,
            "title": f"{AWKWARD} {n}",
            "description": None if n % 2 else "\\N is not NULL",
            "planned_start": date(2027, 2, 28),
            "planned_end": None,
            "budget": Decimal("1234.56"),
            "planned_absorption": Decimal("0.01"),
            "weight": Decimal("2.5"),
            "unplanned": n == 1,
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(3)
    ]
    bulk_insert(session, Item, rows)
    plan.version += 1  # as every writer of a plan's items does (`touch_plan`)
    items = session.scalars(
        select(Item).where(col(Item.plan_id) == plan.id).order_by(col(Item.code))
    ).all()
    assert [i.code for i in items] == ["B000", "B001", "B002"]
    for given, item in zip(rows, items, strict=True):
        for key, value in given.items():
            assert getattr(item, key) == value, key
    assert items[0].description == "\\N is not NULL"
    assert items[1].description is None
    assert items[0].kind == "project"


def test_columns_left_out_get_their_defaults(session: Session) -> None:
    muni = b.municipality(session).municipality_id
    before = utcnow()
    changes = {"title": {"before": None, "after": AWKWARD}, "amount": {"after": "85000.00"}}
    event = {
        "user_id": None,
        "entity_type": "item",
        "municipality_id": muni,
        "org_unit_id": None,
    }
    bulk_insert(
        session, AuditEvent, [event | {"action": "create", "entity_id": 7, "changes": changes}]
    )
    # Without "at" and "changes": the columns' defaults (now, an empty object).
    bulk_insert(session, AuditEvent, [event | {"action": "delete", "entity_id": 8}])
    events = session.scalars(
        select(AuditEvent)
        .where(col(AuditEvent.municipality_id) == muni)
        .order_by(col(AuditEvent.entity_id))
    ).all()
    assert [(e.action, e.entity_id) for e in events] == [("create", 7), ("delete", 8)]
    assert events[0].changes == changes
    assert events[1].changes == {}
    assert events[1].at is not None and events[1].at >= before.replace(microsecond=0)
