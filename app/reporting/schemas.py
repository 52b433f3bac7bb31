"""Request and response bodies of outcomes and corrective actions."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app.core.schemas import RowId
from app.planning.schemas import (
    Comment,
    KpiValue,
    Money,
    MoneyOut,
    NumberOut,
    Percent,
    PlanDate,
    Text,
    WriteModel,
)
from app.reporting.models import ActionStatus, DeviationCategory, OutcomeStatus

DONE = (OutcomeStatus.completed, OutcomeStatus.cancelled)


class OutcomeFields(WriteModel):
    """The report's line of one item. A PUT replaces all of it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "in_progress",
                    "progress_pct": "60",
                    "actual_start": "2027-03-15",
                    "actual_absorption": "42000.00",
                    "kpi_actual": "4",
                    "deviation_category": "contractor",
                    "deviation_reason": "Καθυστέρηση του αναδόχου",
                }
            ]
        }
    )
    status: OutcomeStatus
    progress_pct: Percent | None = Field(
        default=None,
        validate_default=True,
        description="for items in progress; completed means 100",
    )
    actual_start: PlanDate | None = None
    actual_end: PlanDate | None = None
    actual_absorption: Money | None = None
    kpi_actual: KpiValue | None = None
    deviation_category: DeviationCategory | None = None
    deviation_reason: Text | None = None

    @field_validator("progress_pct")
    @classmethod
    def _progress_fits_status(cls, v: Decimal | None, info: ValidationInfo) -> Decimal | None:
        status = info.data.get("status")
        if status == OutcomeStatus.completed and v is not None and v != 100:
            raise ValueError("a completed item is at 100 %")
        if status == OutcomeStatus.not_started and v:
            raise ValueError("an item not started has no progress")
        return Decimal(100) if status == OutcomeStatus.completed else v

    @field_validator("actual_start")
    @classmethod
    def _start_fits_status(cls, v: date | None, info: ValidationInfo) -> date | None:
        if v is not None and info.data.get("status") == OutcomeStatus.not_started:
            raise ValueError("an item not started has no actual start")
        return v

    @field_validator("actual_end")
    @classmethod
    def _end_fits(cls, v: date | None, info: ValidationInfo) -> date | None:
        if v is None:
            return v
        if info.data.get("status") not in DONE:
            raise ValueError("only a completed or cancelled item has an actual end")
        start = info.data.get("actual_start")
        if start is not None and v < start:
            raise ValueError(f"the actual end {v} is before the actual start {start}")
        return v


class OutcomePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    item_id: int
    status: OutcomeStatus
    progress_pct: NumberOut | None
    actual_start: date | None
    actual_end: date | None
    actual_absorption: MoneyOut | None
    kpi_actual: NumberOut | None
    deviation_category: DeviationCategory | None
    deviation_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class CorrectiveActionCreate(WriteModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "description": "Επαναπροκήρυξη με σύντομες προθεσμίες",
                    "owner_employee_id": 12,
                    "due_date": "2027-05-31",
                }
            ]
        }
    )
    description: Comment
    owner_employee_id: RowId | None = None
    due_date: PlanDate | None = None


class CorrectiveActionUpdate(WriteModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"status": "done", "result": "Η σύμβαση υπογράφηκε στις 12/5"}]
        }
    )
    description: Comment | None = None
    owner_employee_id: RowId | None = None
    due_date: PlanDate | None = None
    status: ActionStatus | None = None
    result: Text | None = None


class CorrectiveActionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    item_id: int
    description: str
    owner_employee_id: int | None
    due_date: date | None
    status: ActionStatus
    result: str | None
    version: int
    created_at: datetime
    updated_at: datetime
