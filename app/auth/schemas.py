"""Request and response bodies of authentication, users and grants."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from app.auth.models import Role
from app.core.schemas import RowId, Verbatim, WriteModel, text_constraints
from app.core.security import MIN_PASSWORD_LENGTH

Username = Annotated[
    str,
    StringConstraints(
        to_lower=True,
        min_length=3,
        max_length=100,
        # Checked before to_lower: allow capitals here, they are stored lowercased.
        pattern=r"^[A-Za-z0-9._@-]+$",
    ),
]
# Never trimmed: a password is what was typed, spaces included (the login form is not trimmed).
Password = Annotated[str, StringConstraints(min_length=1, max_length=256), Verbatim()]
# A password being set: the length rule is declared here, so that a client (and its generated
# form) knows it; the rules on its content (not common, not the username) stay in the service.
NewPassword = Annotated[
    str, StringConstraints(min_length=MIN_PASSWORD_LENGTH, max_length=256), Verbatim()
]
FullName = Annotated[str, text_constraints(200, required=True)]


class Token(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"access_token": "eyJhbGciOi...", "token_type": "bearer", "expires_in": 1800}
            ]
        }
    )
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class GrantCreate(WriteModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"role": "editor", "org_unit_id": 7}]}
    )
    role: Role
    org_unit_id: RowId


class GrantPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    role: Role
    org_unit_id: int
    org_unit_code: str
    org_unit_name: str


class UserCreate(WriteModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "m.papadopoulou",
                    "full_name": "Μαρία Παπαδοπούλου",
                    "email": "m.papadopoulou@example.gr",
                    "password": "a long passphrase of hers",
                    "municipality_id": 1,
                }
            ]
        }
    )
    username: Username
    full_name: FullName
    email: EmailStr | None = None
    password: NewPassword
    municipality_id: RowId | None = Field(
        default=None, description="omitted: the municipality you administer"
    )
    is_superuser: bool = Field(default=False, description="platform administrators only")


class UserUpdate(WriteModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"active": False}]})
    full_name: FullName | None = None
    email: EmailStr | None = None
    active: bool | None = None
    password: NewPassword | None = Field(default=None, description="set a new password")


class UserPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "username": "m.papadopoulou",
                    "full_name": "Μαρία Παπαδοπούλου",
                    "email": None,
                    "active": True,
                    "is_superuser": False,
                    "municipality_id": 1,
                    "version": 1,
                    "created_at": "2026-01-10T09:00:00Z",
                    "updated_at": "2026-01-10T09:00:00Z",
                    "grants": [
                        {
                            "id": 5,
                            "role": "editor",
                            "org_unit_id": 7,
                            "org_unit_code": "D04.T2",
                            "org_unit_name": "Τμήμα Προγραμματισμού",
                        }
                    ],
                }
            ]
        }
    )
    id: int
    username: str
    full_name: str
    email: str | None
    active: bool
    is_superuser: bool
    municipality_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime
    grants: list[GrantPublic]


class Permissions(BaseModel):
    """What the caller may do, for a frontend to show or hide its controls."""

    read: bool
    edit_plans: bool
    review: bool
    manage_org_chart: bool
    manage_users: bool
    create_municipalities: bool


class Me(UserPublic):
    may: Permissions


class PasswordChange(WriteModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "current_password": "the old one, long enough",
                    "new_password": "a brand new passphrase",
                }
            ]
        }
    )
    current_password: Password
    new_password: NewPassword
