"""Column helpers shared by the domain models."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime, utcnow


class Timestamps(SQLModel):
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Versioned(Timestamps):
    """A mutable resource: `version` counts its changes and is its ETag."""

    version: int = Field(default=1, nullable=False)


def check_in(column: str, values: "tuple[str, ...] | list[str]") -> str:
    """SQL for a CHECK constraint that keeps a text column inside a fixed set."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"
