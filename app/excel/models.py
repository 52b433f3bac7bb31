"""Uploaded workbooks: kept so that a dry run can be confirmed and its annotated copy fetched."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, LargeBinary
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class ImportJob(SQLModel, table=True):
    __tablename__ = "import_job"
    __table_args__ = (Index(None, "municipality_id", "org_unit_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", nullable=False)
    org_unit_id: int = Field(foreign_key="org_unit.id", nullable=False)
    year: int = Field(nullable=False)
    user_id: int = Field(foreign_key="user_account.id", nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    filename: str = Field(max_length=255, nullable=False)
    # dry_run: checked, nothing written; committed: applied; refused: problems, nothing written
    status: str = Field(max_length=20, nullable=False)
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=JSON, nullable=False)
    problems: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON, nullable=False)
    content: bytes = Field(sa_type=LargeBinary, nullable=False)
    annotated: bytes | None = Field(default=None, sa_type=LargeBinary)
