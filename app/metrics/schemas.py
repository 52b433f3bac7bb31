"""Response bodies of the quality unit's figures (SPEC §5)."""

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.metrics.calc import TrafficLight


class GroupBy(StrEnum):
    org_unit = "org_unit"
    kind = "kind"
    funding_source = "funding_source"
    employee = "employee"
    year = "year"


class Figures(BaseModel):
    """Counts per outcome status and every rate are over planned items only."""

    planned_items: int
    unplanned_items: int
    completed: int
    in_progress: int
    not_started: int
    postponed: int
    cancelled: int
    completion_pct: float | None = Field(description="100 × completed / planned_items")
    progress_pct: float | None = Field(description="weighted progress, Σ wᵢ·pᵢ / Σ wᵢ")
    absorption_pct: float | None = Field(description="100 × Σ actual / Σ planned absorption")
    on_time_pct: float | None = Field(description="completed by the planned end, of those dated")
    overdue_items: int = Field(description="not completed nor cancelled, planned end before as_of")
    avg_delay_days: float | None = Field(description="mean lateness of completed late items")
    expected_progress_pct: float | None = Field(description="weighted share of duration elapsed")
    traffic_light: TrafficLight | None
    kpi_achievement_pct: float | None = Field(description="mean KPI achievement of the items")


class GroupRow(Figures):
    key: int | str | None = Field(description="unit id, kind, funding source, employee id, year")
    label: str


EXAMPLE_FIGURES: dict[str, Any] = {
    "planned_items": 120,
    "unplanned_items": 4,
    "completed": 71,
    "in_progress": 30,
    "not_started": 9,
    "postponed": 6,
    "cancelled": 4,
    "completion_pct": 59.17,
    "progress_pct": 74.3,
    "absorption_pct": 81.02,
    "on_time_pct": 66.2,
    "overdue_items": 11,
    "avg_delay_days": 23.5,
    "expected_progress_pct": 80.0,
    "traffic_light": "on_track",
    "kpi_achievement_pct": 88.4,
}


class CompletionReport(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "org_unit_id": 1,
                    "year": 2026,
                    "as_of": "2026-11-23",
                    "group_by": "org_unit",
                    "total": EXAMPLE_FIGURES,
                    "groups": [{**EXAMPLE_FIGURES, "key": 2, "label": "D01 Διεύθυνση Οικονομικών"}],
                }
            ]
        }
    )
    org_unit_id: int
    year: int | None
    as_of: date | None
    group_by: GroupBy | None
    total: Figures
    groups: list[GroupRow]


class DeviationFlag(StrEnum):
    not_started = "not_started"
    late_start = "late_start"
    late_finish = "late_finish"
    overdue = "overdue"
    under_absorbed = "under_absorbed"
    over_absorbed = "over_absorbed"
    postponed = "postponed"
    cancelled = "cancelled"
    unplanned = "unplanned"
    missing_reason = "missing_reason"


class DeviationRow(BaseModel):
    item_id: int
    plan_id: int
    org_unit_id: int
    org_unit_code: str
    org_unit_name: str
    code: str
    title: str
    kind: str
    status: str
    flags: list[DeviationFlag]
    late_start_days: int | None
    late_finish_days: int | None
    planned_absorption: float | None
    actual_absorption: float | None
    absorption_gap: float | None = Field(description="actual − planned absorption (EUR)")
    deviation_category: str | None
    deviation_reason: str | None


class UnitState(StrEnum):
    missing = "missing"
    draft = "draft"
    returned = "returned"
    submitted_on_time = "submitted_on_time"
    submitted_late = "submitted_late"
    approved = "approved"


class CompletenessRow(BaseModel):
    org_unit_id: int
    org_unit_code: str
    org_unit_name: str
    kind: str
    plan_id: int | None
    plan: UnitState
    report: UnitState
    plan_late: bool
    report_late: bool


class Completeness(BaseModel):
    cycle_id: int
    year: int
    units: list[CompletenessRow]
    plan_totals: dict[UnitState, int]
    report_totals: dict[UnitState, int]
