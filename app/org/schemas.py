"""Request and response bodies of the org chart."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from app.core.schemas import RowId, WriteModel, text_constraints
from app.org.models import UnitKind

Code = Annotated[str, text_constraints(50, one_word=True)]
Name = Annotated[str, text_constraints(300, required=True)]
PersonName = Annotated[str, text_constraints(200, required=True)]


class OrgUnitCreate(WriteModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "parent_id": 1,
                    "code": "D04.T2",
                    "name": "Τμήμα Προγραμματισμού",
                    "kind": "department",
                }
            ]
        }
    )
    parent_id: RowId | None = Field(
        default=None, description="the parent unit; omitted only for a new municipality"
    )
    code: Code
    name: Name
    kind: UnitKind


class OrgUnitUpdate(WriteModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Τμήμα Ποιότητας"}]})
    parent_id: RowId | None = None
    code: Code | None = None
    name: Name | None = None
    kind: UnitKind | None = None
    active: bool | None = None


class OrgUnitPublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "municipality_id": 1,
                    "parent_id": 2,
                    "code": "D04.T2",
                    "name": "Τμήμα Προγραμματισμού",
                    "kind": "department",
                    "active": True,
                    "version": 1,
                    "created_at": "2026-01-10T09:00:00Z",
                    "updated_at": "2026-01-10T09:00:00Z",
                }
            ]
        },
    )
    id: int
    municipality_id: int
    parent_id: int | None
    code: str
    name: str
    kind: UnitKind
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class OrgUnitNode(BaseModel):
    id: int
    parent_id: int | None
    code: str
    name: str
    kind: UnitKind
    active: bool
    children: list["OrgUnitNode"] = []


class EmployeeCreate(WriteModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "org_unit_id": 7,
                    "full_name": "Μαρία Παπαδοπούλου",
                    "email": "m.papadopoulou@example.gr",
                    "job_title": "ΠΕ Διοικητικού",
                }
            ]
        }
    )
    org_unit_id: RowId
    full_name: PersonName
    email: EmailStr | None = None
    job_title: Annotated[str, StringConstraints(max_length=200)] | None = None


class EmployeeUpdate(WriteModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"job_title": "Προϊσταμένη"}]})
    org_unit_id: RowId | None = None
    full_name: PersonName | None = None
    email: EmailStr | None = None
    job_title: Annotated[str, StringConstraints(max_length=200)] | None = None
    active: bool | None = None


class EmployeePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    municipality_id: int
    org_unit_id: int
    full_name: str
    email: str | None
    job_title: str | None
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime
