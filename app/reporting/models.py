"""The report's lines (one outcome per item) and the corrective actions on deviations."""

from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, Numeric, UniqueConstraint
from sqlmodel import Field

from app.core.models import Versioned, check_in

MONEY = Numeric(14, 2)


class OutcomeStatus(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    completed = "completed"
    postponed = "postponed"
    cancelled = "cancelled"


class DeviationCategory(StrEnum):
    funding = "funding"
    staffing = "staffing"
    procedural = "procedural"
    contractor = "contractor"
    technical = "technical"
    external = "external"
    other = "other"


class ActionStatus(StrEnum):
    open = "open"
    done = "done"
    dropped = "dropped"


class Outcome(Versioned, table=True):
    __table_args__ = (
        UniqueConstraint("item_id"),
        Index(None, "municipality_id", "item_id", "status"),
        CheckConstraint(check_in("status", [s.value for s in OutcomeStatus]), name="status"),
        CheckConstraint(
            "deviation_category IS NULL OR "
            + check_in("deviation_category", [c.value for c in DeviationCategory]),
            name="deviation_category",
        ),
        CheckConstraint(
            "progress_pct IS NULL OR (progress_pct >= 0 AND progress_pct <= 100)",
            name="progress_range",
        ),
        CheckConstraint(
            "actual_end IS NULL OR actual_start IS NULL OR actual_end >= actual_start",
            name="actual_dates",
        ),
        CheckConstraint(
            "actual_absorption IS NULL OR actual_absorption >= 0", name="absorption_nonnegative"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", nullable=False)
    item_id: int = Field(foreign_key="item.id", nullable=False)
    status: str = Field(max_length=20, nullable=False)
    progress_pct: Decimal | None = Field(default=None, sa_type=Numeric(5, 2))
    actual_start: date | None = None
    actual_end: date | None = None
    actual_absorption: Decimal | None = Field(default=None, sa_type=MONEY)
    kpi_actual: Decimal | None = Field(default=None, sa_type=Numeric(18, 4))
    deviation_category: str | None = Field(default=None, max_length=20)
    deviation_reason: str | None = Field(default=None, max_length=5000)


class CorrectiveAction(Versioned, table=True):
    __tablename__ = "corrective_action"
    __table_args__ = (
        Index(None, "municipality_id", "item_id"),
        CheckConstraint(check_in("status", [s.value for s in ActionStatus]), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", nullable=False)
    item_id: int = Field(foreign_key="item.id", nullable=False)
    description: str = Field(max_length=5000, nullable=False)
    owner_employee_id: int | None = Field(default=None, foreign_key="employee.id")
    due_date: date | None = None
    status: str = Field(default=ActionStatus.open.value, max_length=10, nullable=False)
    result: str | None = Field(default=None, max_length=5000)
