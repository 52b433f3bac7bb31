"""The append-only audit trail (ISO 9001 7.5: controlled, traceable records)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index(None, "municipality_id", "entity_type", "entity_id"),
        Index(None, "municipality_id", "at"),
        Index(None, "municipality_id", "org_unit_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Null only for platform-level events (a superuser, a new municipality's first steps).
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    # The unit the changed entity belongs to: what scopes who may read the event.
    org_unit_id: int | None = Field(default=None)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    user_id: int | None = Field(default=None)
    action: str = Field(max_length=50, nullable=False)
    entity_type: str = Field(max_length=50, nullable=False)
    entity_id: int = Field(nullable=False)
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
