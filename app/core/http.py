"""Optimistic concurrency over HTTP (strong ETags, If-Match) and error declarations for OpenAPI."""

import re
from typing import Annotated, Any, TypeVar

from fastapi import Header, Response
from pydantic import BaseModel

from app.core.errors import PreconditionRequired, Problem, StaleVersion

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
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each error status it can return, as problem+json."""
    return {
        s: {
            "description": _DESCRIPTIONS[s],
            "model": Problem,
            "content": {"application/problem+json": {}},
        }
        for s in sorted({401, 422, *statuses})
    }
