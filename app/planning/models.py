"""Cycles, plans, items (with their assignees) and the baselines frozen at each approval."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow
from app.core.models import Versioned, check_in

MONEY = Numeric(14, 2)


class CycleStatus(StrEnum):
    open = "open"
    closed = "closed"


class PlanStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    returned = "returned"
    approved = "approved"


class ItemKind(StrEnum):
    action = "action"
    project = "project"
    procurement = "procurement"
    service = "service"


class FundingSource(StrEnum):
    own = "own"
    nsrf = "nsrf"
    pde = "pde"
    rrf = "rrf"
    state = "state"
    other = "other"


class KpiDirection(StrEnum):
    increase = "increase"
    decrease = "decrease"


class Cycle(Versioned, table=True):
    __table_args__ = (
        UniqueConstraint("municipality_id", "year"),
        CheckConstraint(check_in("status", [s.value for s in CycleStatus]), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", nullable=False)
    year: int = Field(nullable=False)
    plan_deadline: date = Field(nullable=False)
    report_deadline: date = Field(nullable=False)
    status: str = Field(default=CycleStatus.open.value, max_length=10, nullable=False)


_PLAN_STATES = [s.value for s in PlanStatus]


class Plan(Versioned, table=True):
    __table_args__ = (
        UniqueConstraint("org_unit_id", "year"),
        Index(None, "municipality_id", "year", "org_unit_id"),
        CheckConstraint(check_in("status", _PLAN_STATES), name="status"),
        CheckConstraint(check_in("report_status", _PLAN_STATES), name="report_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", nullable=False)
    org_unit_id: int = Field(foreign_key="org_unit.id", nullable=False)
    year: int = Field(nullable=False)
    status: str = Field(default=PlanStatus.draft.value, max_length=10, nullable=False)
    report_status: str = Field(default=PlanStatus.draft.value, max_length=10, nullable=False)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    report_submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    report_approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    plan_late: bool = Field(default=False, nullable=False)
    report_late: bool = Field(default=False, nullable=False)
    return_comment: str | None = Field(default=None, max_length=2000)
    baseline_no: int = Field(default=0, nullable=False)


class Item(Versioned, table=True):
    __table_args__ = (
        UniqueConstraint("plan_id", "code"),
        Index(None, "municipality_id", "plan_id"),
        CheckConstraint(check_in("kind", [k.value for k in ItemKind]), name="kind"),
        CheckConstraint(
            "funding_source IS NULL OR "
            + check_in("funding_source", [f.value for f in FundingSource]),
            name="funding_source",
        ),
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint(
            "planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start",
            name="planned_dates",
        ),
        CheckConstraint("budget IS NULL OR budget >= 0", name="budget_nonnegative"),
        CheckConstraint(
            "planned_absorption IS NULL OR planned_absorption >= 0",
            name="absorption_nonnegative",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", nullable=False)
    plan_id: int = Field(foreign_key="plan.id", nullable=False)
    code: str = Field(max_length=30, nullable=False)
    kind: str = Field(max_length=20, nullable=False)
    title: str = Field(max_length=300, nullable=False)
    description: str | None = Field(default=None, max_length=5000)
    planned_start: date | None = None
    planned_end: date | None = None
    budget: Decimal | None = Field(default=None, sa_type=MONEY)
    funding_source: str | None = Field(default=None, max_length=10)
    budget_code: str | None = Field(default=None, max_length=50)
    planned_absorption: Decimal | None = Field(default=None, sa_type=MONEY)
    weight: Decimal = Field(default=Decimal(1), sa_type=Numeric(8, 2), nullable=False)
    kpi_name: str | None = Field(default=None, max_length=200)
    kpi_unit: str | None = Field(default=None, max_length=50)
    kpi_baseline: Decimal | None = Field(default=None, sa_type=Numeric(18, 4))
    kpi_target: Decimal | None = Field(default=None, sa_type=Numeric(18, 4))
    kpi_direction: str | None = Field(default=None, max_length=10)
    notes: str | None = Field(default=None, max_length=5000)
    unplanned: bool = Field(default=False, nullable=False)
    carried_over_from_id: int | None = Field(default=None, foreign_key="item.id")


class ItemAssignee(SQLModel, table=True):
    __tablename__ = "item_assignee"
    __table_args__ = (Index(None, "municipality_id", "employee_id"),)

    item_id: int = Field(foreign_key="item.id", primary_key=True, ondelete="CASCADE")
    employee_id: int = Field(foreign_key="employee.id", primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", nullable=False)


class PlanBaseline(SQLModel, table=True):
    """The items of a plan as approved: number 1 at the first approval, then one per amendment."""

    __tablename__ = "plan_baseline"
    __table_args__ = (
        UniqueConstraint("plan_id", "baseline_no"),
        Index(None, "municipality_id", "plan_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", nullable=False)
    plan_id: int = Field(foreign_key="plan.id", nullable=False)
    baseline_no: int = Field(nullable=False)
    plan_version: int = Field(nullable=False)
    approved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    approved_by: int | None = Field(default=None, foreign_key="user_account.id")
    items: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON, nullable=False)
