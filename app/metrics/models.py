"""The figures of each plan that do not depend on the day, kept beside its items.

One row per (plan, planned or not, outcome status, planned start, planned end) of a plan's
items, with the sums of `sums._stored`: inside such a row every condition of SPEC §5 that
depends on the status or on the day is the same for all its items, so the national figures
(`service.by_municipality`) add these rows instead of reading every item and its outcome.
`figures` keeps them: every change of a plan's items or outcomes rewrites its rows in the same
transaction.
"""

from datetime import date
from decimal import Decimal

from sqlalchemy import Index, Numeric
from sqlmodel import Field, SQLModel

# Unbounded: PostgreSQL adds numerics exactly, so the sums of these rows are the sums of the
# items to the last digit.
SUM = Numeric()


class PlanFigures(SQLModel, table=True):
    __tablename__ = "plan_figures"
    __table_args__ = (Index(None, "plan_id"), Index(None, "year", "municipality_id"))

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", nullable=False)
    year: int = Field(nullable=False)
    plan_id: int = Field(foreign_key="plan.id", nullable=False)
    unplanned: bool = Field(nullable=False)
    status: str | None = Field(default=None, max_length=20)
    planned_start: date | None = None
    planned_end: date | None = None
    n: int = Field(nullable=False)
    w: Decimal | None = Field(default=None, sa_type=SUM)
    wprog: Decimal | None = Field(default=None, sa_type=SUM)
    abs_actual: Decimal | None = Field(default=None, sa_type=SUM)
    abs_planned: Decimal | None = Field(default=None, sa_type=SUM)
    on_time: int = Field(nullable=False)
    dated_done: int = Field(nullable=False)
    delay_sum: Decimal | None = Field(default=None, sa_type=SUM)
    delay_n: int = Field(nullable=False)
    kpi_sum: Decimal | None = Field(default=None, sa_type=SUM)
    kpi_n: int = Field(nullable=False)
