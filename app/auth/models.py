"""Users, their role grants on org units, and failed logins (for throttling)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow
from app.core.models import Versioned, check_in

# The tables our foreign keys point at: without them, a process that loads only these models
# (`apologismos create-admin`) fails on its first flush with NoReferencedTableError.
from app.org import models as _org_models  # noqa: F401


class Role(StrEnum):
    admin = "admin"
    quality = "quality"
    editor = "editor"
    viewer = "viewer"


class User(Versioned, table=True):
    __tablename__ = "user_account"
    __table_args__ = (Index(None, "municipality_id"),)

    id: int | None = Field(default=None, primary_key=True)
    # The municipality whose users the user belongs to; null only for platform superusers.
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    username: str = Field(max_length=100, nullable=False, unique=True)
    full_name: str = Field(max_length=200, nullable=False)
    email: str | None = Field(default=None, max_length=254)
    password_hash: str = Field(max_length=255, nullable=False)
    active: bool = Field(default=True, nullable=False)
    is_superuser: bool = Field(default=False, nullable=False)
    # Bumped on logout, password change and deactivation: tokens carry it and die with it.
    token_epoch: int = Field(default=0, nullable=False)


class Grant(SQLModel, table=True):
    __tablename__ = "role_grant"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "org_unit_id"),
        Index(None, "municipality_id", "org_unit_id"),
        CheckConstraint(check_in("role", [r.value for r in Role]), name="role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    municipality_id: int = Field(foreign_key="municipality.id", nullable=False)
    user_id: int = Field(foreign_key="user_account.id", nullable=False)
    role: str = Field(max_length=20, nullable=False)
    org_unit_id: int = Field(foreign_key="org_unit.id", nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class LoginFailure(SQLModel, table=True):
    __tablename__ = "login_failure"
    __table_args__ = (Index(None, "username", "at"), Index(None, "client", "at"))

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, nullable=False)
    client: str = Field(max_length=64, nullable=False)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
