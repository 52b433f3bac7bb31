"""Writing the audit trail. Every service that changes something calls `record` in the same
transaction as the change, so an event exists exactly when the change does."""

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlmodel import Session, SQLModel

from app.audit.models import AuditEvent
from app.core.db import utcnow

_AS_IS = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    if type(value) in _AS_IS:  # most values: the quick way out
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def snapshot(obj: SQLModel, fields: Iterable[str]) -> dict[str, Any]:
    return {f: plain(getattr(obj, f)) for f in fields}


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """`{field: {"before": x, "after": y}}` for the fields that differ."""
    before, after = before or {}, after or {}
    out = {}
    for key in sorted(set(before) | set(after)):
        b, a = plain(before.get(key)), plain(after.get(key))
        if b != a:
            out[key] = {"before": b, "after": a}
    return out


def event_row(
    *,
    user_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int,
    municipality_id: int | None,
    org_unit_id: int | None,
    changes: dict[str, Any],
) -> dict[str, Any]:
    """An audit event as a row, for services that write many at once (`bulk_insert`)."""
    return {
        "at": utcnow(),
        "user_id": user_id,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "municipality_id": municipality_id,
        "org_unit_id": org_unit_id,
        "changes": changes,
    }


def record(session: Session, **fields: Any) -> AuditEvent:
    """One audit event (the fields of `event_row`), added to the session."""
    event = AuditEvent(**event_row(**fields))
    session.add(event)
    return event
