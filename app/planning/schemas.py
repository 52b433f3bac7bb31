"""Request and response bodies of cycles, plans, items and baselines.

`ItemFields` holds every rule on an item's own fields. A create validates the body with it, an
update validates the item as it would be after the change, and the Excel import builds the same
model from a row: one set of rules for every door.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from app.core.schemas import RowId, WriteModel, decimal, text_constraints
from app.planning.models import FundingSource, ItemKind, KpiDirection, PlanStatus

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
MAX_ASSIGNEES = 50

CENT, TEN_THOUSANDTH = Decimal("0.01"), Decimal("0.0001")


def _scale(exponent: Decimal) -> AfterValidator:
    """Hold a number at its column's scale (1000 becomes 1000.00, as the database returns it),
    so that sending a stored value again in another notation is no change; "-0" is 0 (else
    SQLite would give back "-0.00" and PostgreSQL "0.00")."""
    return AfterValidator(lambda d: d.quantize(exponent) + 0)


def _iso_date(value: Any) -> Any:
    # pydantic would read a number as seconds since 1970 (1798761600 is 2027-01-01).
    if isinstance(value, int | float | Decimal):
        raise ValueError("must be a date as YYYY-MM-DD, e.g. 2027-03-31")
    return value


Money = Annotated[
    Decimal,
    Field(
        ge=0, le=Decimal("999999999999.99"), max_digits=14, decimal_places=2, allow_inf_nan=False
    ),
    *decimal(
        low="0",
        high="999999999999.99",
        places=2,
        text=r"^[0-9]{1,12}(\.[0-9]{1,2})?$",
        example="12500.00",
    ),
    _scale(CENT),
]
Weight = Annotated[
    Decimal,
    Field(gt=0, le=1000, max_digits=8, decimal_places=2, allow_inf_nan=False),
    *decimal(
        low="0",
        above_low=True,
        high="1000",
        places=2,
        text=r"^(?!0*(\.0*)?$)(1000(\.00?)?|[0-9]{1,3}(\.[0-9]{1,2})?)$",
        example="1.5",
    ),
    _scale(CENT),
]
KpiValue = Annotated[
    Decimal,
    Field(
        ge=Decimal("-99999999999999"),
        le=Decimal("99999999999999"),
        max_digits=18,
        decimal_places=4,
        allow_inf_nan=False,
    ),
    *decimal(
        low="-99999999999999",
        high="99999999999999",
        places=4,
        text=r"^-?[0-9]{1,14}(\.[0-9]{1,4})?$",
        example="85.5",
    ),
    _scale(TEN_THOUSANDTH),
]
Percent = Annotated[
    Decimal,
    Field(ge=0, le=100, max_digits=5, decimal_places=2, allow_inf_nan=False),
    *decimal(
        low="0",
        high="100",
        places=2,
        text=r"^(100(\.00?)?|[0-9]{1,2}(\.[0-9]{1,2})?)$",
        example="60",
    ),
]
# Output: money always with two decimals, other numbers without trailing zeros; both as strings.
MoneyOut = Annotated[
    Decimal,
    PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="json"),
    Field(examples=["12500.00"]),
]
NumberOut = Annotated[
    Decimal,
    PlainSerializer(lambda d: format(d.normalize(), "f"), return_type=str, when_used="json"),
]
# A day of the years served. JSON Schema has no bounds for dates: the pattern says the years.
PlanDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    Field(ge=EARLIEST, le=LATEST),
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": "^(20[0-9]{2}|2100)-"},
        mode="validation",
    ),
]
Year = Annotated[int, Field(ge=2000, le=2100, examples=[2027])]
ItemCode = Annotated[str, text_constraints(30, one_word=True)]
Title = Annotated[str, text_constraints(300, required=True)]
Text = Annotated[str, StringConstraints(max_length=5000)]
Comment = Annotated[str, text_constraints(2000, required=True)]


# Cycles ------------------------------------------------------------------------------------


class CycleCreate(WriteModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"year": 2027, "plan_deadline": "2027-01-31", "report_deadline": "2027-02-28"}
            ]
        }
    )
    municipality_id: RowId | None = Field(
        default=None, description="omitted: the one municipality where you may manage cycles"
    )
    year: Year
    plan_deadline: PlanDate
    report_deadline: PlanDate


class CycleUpdate(WriteModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"plan_deadline": "2027-02-15"}]})
    plan_deadline: PlanDate | None = None
    report_deadline: PlanDate | None = None


class CyclePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    municipality_id: int
    year: int
    plan_deadline: date
    report_deadline: date
    status: str
    version: int
    created_at: datetime
    updated_at: datetime


# Items -------------------------------------------------------------------------------------


class ItemFields(WriteModel):
    """Everything a client may set on an item, with the rules that hold on their own."""

    code: ItemCode | None = Field(
        default=None, description="unique in the plan; assigned if omitted"
    )
    kind: ItemKind
    title: Title
    description: Text | None = None
    assignee_ids: list[RowId] = Field(
        default_factory=list,
        max_length=MAX_ASSIGNEES,
        description="employees of the plan's unit or a unit below it",
    )
    planned_start: PlanDate | None = None
    planned_end: PlanDate | None = None
    budget: Money | None = None
    funding_source: FundingSource | None = None
    budget_code: Annotated[str, StringConstraints(max_length=50)] | None = Field(
        default=None, examples=["30-7311.001"]
    )
    planned_absorption: Money | None = None
    weight: Weight = Decimal("1.00")
    kpi_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    kpi_unit: Annotated[str, StringConstraints(max_length=50)] | None = None
    kpi_baseline: KpiValue | None = None
    kpi_target: KpiValue | None = None
    kpi_direction: KpiDirection | None = None
    notes: Text | None = None

    @field_validator("assignee_ids")
    @classmethod
    def _distinct(cls, v: list[int]) -> list[int]:
        if len(set(v)) != len(v):
            raise ValueError("an employee is listed twice")
        return v

    @field_validator("planned_end")
    @classmethod
    def _end_after_start(cls, v: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("planned_start")
        if v is not None and start is not None and v < start:
            raise ValueError(f"the planned end {v} is before the planned start {start}")
        return v

    @field_validator("planned_absorption")
    @classmethod
    def _within_budget(cls, v: Decimal | None, info: ValidationInfo) -> Decimal | None:
        budget = info.data.get("budget")
        if v is not None and budget is not None and v > budget:
            raise ValueError(f"the planned absorption {v} is larger than the budget {budget}")
        return v

    # On the values themselves: the check then runs (and names the field) whether or not a
    # kpi_direction is sent, as pydantic skips validators of fields left to their default.
    @field_validator("kpi_baseline", "kpi_target")
    @classmethod
    def _kpi_named(cls, v: Decimal | None, info: ValidationInfo) -> Decimal | None:
        if v is not None and not info.data.get("kpi_name"):
            raise ValueError("a KPI with values needs a kpi_name")
        return v

    @field_validator("kpi_direction")
    @classmethod
    def _kpi_consistent(cls, v: KpiDirection | None, info: ValidationInfo) -> KpiDirection | None:
        base, target = info.data.get("kpi_baseline"), info.data.get("kpi_target")
        if v is not None and base is not None and target is not None:
            if v == KpiDirection.increase and target < base:
                raise ValueError("an increasing KPI needs a target above its baseline")
            if v == KpiDirection.decrease and target > base:
                raise ValueError("a decreasing KPI needs a target below its baseline")
        return v


ITEM_EXAMPLE: dict[str, Any] = {
    "kind": "project",
    "title": "Ανακατασκευή παιδικής χαράς Αγίας Τριάδας",
    "description": "Μελέτη και κατασκευή, με πιστοποίηση ασφαλείας",
    "assignee_ids": [12, 15],
    "planned_start": "2027-03-01",
    "planned_end": "2027-09-30",
    "budget": "85000.00",
    "funding_source": "nsrf",
    "budget_code": "30-7322.004",
    "planned_absorption": "60000.00",
    "weight": "2",
    "kpi_name": "Παιδικές χαρές πιστοποιημένες",
    "kpi_unit": "αριθμός",
    "kpi_baseline": "4",
    "kpi_target": "5",
    "kpi_direction": "increase",
}


class ItemCreate(ItemFields):
    model_config = ConfigDict(json_schema_extra={"examples": [ITEM_EXAMPLE]})


class ItemUpdate(WriteModel):
    """Only the fields sent change; `null` clears an optional field."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"planned_end": "2027-10-31", "notes": "Καθυστέρηση αδειοδότησης"}]
        }
    )
    code: ItemCode | None = None
    kind: ItemKind | None = None
    title: Title | None = None
    description: Text | None = None
    assignee_ids: list[RowId] | None = Field(default=None, max_length=MAX_ASSIGNEES)
    planned_start: PlanDate | None = None
    planned_end: PlanDate | None = None
    budget: Money | None = None
    funding_source: FundingSource | None = None
    budget_code: Annotated[str, StringConstraints(max_length=50)] | None = None
    planned_absorption: Money | None = None
    weight: Weight | None = None
    kpi_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    kpi_unit: Annotated[str, StringConstraints(max_length=50)] | None = None
    kpi_baseline: KpiValue | None = None
    kpi_target: KpiValue | None = None
    kpi_direction: KpiDirection | None = None
    notes: Text | None = None


class Assignee(BaseModel):
    id: int
    full_name: str


class ItemPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **ITEM_EXAMPLE,
                    "id": 101,
                    "plan_id": 9,
                    "code": "007",
                    "unplanned": False,
                    "carried_over_from_id": None,
                    "version": 1,
                    "assignees": [{"id": 12, "full_name": "Μαρία Παπαδοπούλου"}],
                    "created_at": "2027-01-12T09:00:00Z",
                    "updated_at": "2027-01-12T09:00:00Z",
                }
            ]
        }
    )
    id: int
    plan_id: int
    code: str
    kind: ItemKind
    title: str
    description: str | None
    assignee_ids: list[int]
    assignees: list[Assignee]
    planned_start: date | None
    planned_end: date | None
    budget: MoneyOut | None
    funding_source: FundingSource | None
    budget_code: str | None
    planned_absorption: MoneyOut | None
    weight: NumberOut
    kpi_name: str | None
    kpi_unit: str | None
    kpi_baseline: NumberOut | None
    kpi_target: NumberOut | None
    kpi_direction: KpiDirection | None
    notes: str | None
    unplanned: bool
    carried_over_from_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime


# Plans -------------------------------------------------------------------------------------


class PlanCreate(WriteModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"org_unit_id": 7, "year": 2027, "carry_over": True}]}
    )
    org_unit_id: RowId
    year: Year
    carry_over: bool = Field(
        default=False,
        description="copy the unit's items of the year before that are in progress or postponed",
    )


class StepComment(WriteModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"comment": "Λείπουν οι υπεύθυνοι υπάλληλοι στις ενέργειες 3 και 5"}]
        }
    )
    comment: Comment


class PlanPublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 9,
                    "municipality_id": 1,
                    "org_unit_id": 7,
                    "year": 2027,
                    "status": "submitted",
                    "report_status": "draft",
                    "version": 14,
                    "baseline_no": 0,
                    "submitted_at": "2027-01-29T10:00:00Z",
                    "approved_at": None,
                    "report_submitted_at": None,
                    "report_approved_at": None,
                    "plan_late": False,
                    "report_late": False,
                    "return_comment": None,
                    "created_at": "2027-01-12T09:00:00Z",
                    "updated_at": "2027-01-29T10:00:00Z",
                }
            ]
        },
    )
    id: int
    municipality_id: int
    org_unit_id: int
    year: int
    status: PlanStatus
    report_status: PlanStatus
    version: int
    baseline_no: int
    submitted_at: datetime | None
    approved_at: datetime | None
    report_submitted_at: datetime | None
    report_approved_at: datetime | None
    plan_late: bool
    report_late: bool
    return_comment: str | None
    created_at: datetime
    updated_at: datetime


class PlanListRow(PlanPublic):
    org_unit_code: str
    org_unit_name: str
    items_count: int
    budget_total: MoneyOut


class PlanTotals(BaseModel):
    items: int
    budget: MoneyOut
    planned_absorption: MoneyOut
    by_kind: dict[ItemKind, int]


class PlanDetail(PlanPublic):
    items: list[ItemPublic]
    totals: PlanTotals


# Baselines ---------------------------------------------------------------------------------


class BaselinePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    baseline_no: int
    plan_version: int
    approved_at: datetime
    approved_by: int | None
    items_count: int


class BaselineDetail(BaselinePublic):
    items: list[dict[str, Any]]


class FieldChange(BaseModel):
    before: Any
    after: Any


class ItemChange(BaseModel):
    item_id: int
    code: str
    fields: dict[str, FieldChange]


class BaselineDiff(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "plan_id": 9,
                    "from_baseline": 1,
                    "to_baseline": 2,
                    "added": [{"id": 120, "code": "012", "title": "Νέα δράση"}],
                    "removed": [],
                    "changed": [
                        {
                            "item_id": 101,
                            "code": "007",
                            "fields": {
                                "planned_end": {"before": "2027-09-30", "after": "2027-10-31"}
                            },
                        }
                    ],
                }
            ]
        }
    )
    plan_id: int
    from_baseline: int
    to_baseline: int
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[ItemChange]
