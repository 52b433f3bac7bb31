"""Optimistic concurrency over HTTP (strong ETags, If-Match), the types of query parameters,
and error declarations for OpenAPI."""

import re
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Header, Response
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, WithJsonSchema

from app.core.errors import PreconditionRequired, Problem, StaleVersion
from app.core.schemas import SafeText

_ETAG = re.compile(r'^\s*"(\d{1,18})"\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


M = TypeVar("M", bound=BaseModel)


def with_etag(response: Response, obj: Any, schema: type[M]) -> M:
    """The answer to a read or a change: `obj` as `schema`, its version as the ETag."""
    set_etag(response, obj.version)
    return schema.model_validate(obj)


IfMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='the ETag of your last read of this resource, e.g. `"3"`',
        examples=['"1"'],
    ),
]


def check_version(if_match: str | None, current: int, *, what: str) -> None:
    """Refuse a change unless the client proves it read the current version."""
    if if_match is None:
        raise PreconditionRequired(
            f"{what}: send the header If-Match with the ETag of your last read, "
            "so that a concurrent change cannot be overwritten"
        )
    if if_match.strip() == "*":
        return
    m = _ETAG.match(if_match)
    if m is None or int(m.group(1)) != current:
        raise StaleVersion(
            f"{what} has changed since you read it (If-Match {if_match.strip()}, now "
            f'"{current}"): read it again and re-apply your change'
        )


# Query parameters: each bounded, so that an absurd value is a 422 that names it, not an
# overflow in the database or its driver, a 500 (ids: `app.core.schemas.RowId`).
YearParam = Annotated[int, Field(ge=2000, le=2100, examples=[2027])]
TextParam = Annotated[SafeText, Field(max_length=100)]
_NUMBER = re.compile(r"^\s*[+-]?\d+(\.\d*)?\s*$")


def _not_a_timestamp(value: Any) -> Any:
    # pydantic reads a number as seconds since 1970: `until=0.5` would be a date.
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.match(value)):
        raise ValueError("must be an ISO 8601 date and time, e.g. 2027-01-31T12:00:00Z")
    return value


def _in_range(value: datetime) -> datetime:
    # The year as written: the document's pattern says 2000..2100, whatever the offset.
    if not 2000 <= value.year <= 2100:
        raise ValueError("must lie in the years 2000 to 2100")
    return value


DateTimeParam = Annotated[
    datetime,
    BeforeValidator(_not_a_timestamp),
    AfterValidator(_in_range),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "pattern": "^(20[0-9]{2}|2100)-"},
        mode="validation",
    ),
    Field(examples=["2027-01-31T12:00:00Z"]),
]


_DESCRIPTIONS = {
    400: "Bad request",
    401: "Not authenticated: missing, expired or revoked token",
    403: "Inside your scope, but your role does not allow this",
    404: "Not found, or outside your scope",
    409: "Conflicts with the current state (duplicate, locked, referred to)",
    412: "If-Match is stale: re-read the resource",
    413: "Body or upload too large",
    415: "Unsupported media type",
    422: "Invalid input: see `errors`",
    428: "If-Match is required for this change",
    429: "Too many attempts: retry after the time given",
    503: "The database was out of reach for a moment: retry after the time given",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each error status it can return, as problem+json."""
    return {
        s: {
            "description": _DESCRIPTIONS[s],
            "model": Problem,
            "content": {"application/problem+json": {}},
        }
        for s in sorted({401, 422, 503, *statuses})
    }
