"""The org chart: municipalities (tenants), org units with their closure table, employees."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow
from app.core.models import Versioned, check_in


class UnitKind(StrEnum):
    municipality = "municipality"
    directorate = "directorate"
    department = "department"
    office = "office"


class Municipality(SQLModel, table=True):
    """The tenant key. Its name and code live on its root org unit (kind `municipality`)."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class OrgUnit(Versioned, table=True):
    __tablename__ = "org_unit"
    __table_args__ = (
        UniqueConstraint("municipality_id", "code"),
        Index(None, "municipality_id", "parent_id"),
        CheckConstraint(check_in("kind", [k.value for k in UnitKind]), name="kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", nullable=False)
    parent_id: int | None = Field(default=None, foreign_key="org_unit.id")
    code: str = Field(max_length=50, nullable=False)
    name: str = Field(max_length=300, nullable=False)
    kind: str = Field(max_length=20, nullable=False)
    active: bool = Field(default=True, nullable=False)


class OrgUnitClosure(SQLModel, table=True):
    """Every (ancestor, descendant) pair of the tree, a unit being its own ancestor at depth 0.

    Subtree scope and roll-ups become plain joins that both databases index well.
    """

    __tablename__ = "org_unit_closure"
    __table_args__ = (Index(None, "municipality_id", "descendant_id", "ancestor_id"),)

    municipality_id: int = Field(foreign_key="municipality.id", primary_key=True)
    ancestor_id: int = Field(foreign_key="org_unit.id", primary_key=True)
    descendant_id: int = Field(foreign_key="org_unit.id", primary_key=True)
    depth: int = Field(nullable=False)


class Employee(Versioned, table=True):
    __table_args__ = (Index(None, "municipality_id", "org_unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", nullable=False)
    org_unit_id: int = Field(foreign_key="org_unit.id", nullable=False)
    full_name: str = Field(max_length=200, nullable=False)
    email: str | None = Field(default=None, max_length=254)
    job_title: str | None = Field(default=None, max_length=200)
    active: bool = Field(default=True, nullable=False)
