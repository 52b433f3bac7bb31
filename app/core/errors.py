"""Domain errors and the one place that turns them (and every other error) into problem+json.

Services raise these; routers never build error responses themselves. RFC 9457 fields:
``type, title, status, detail`` and, for validation, ``errors: [{loc, message}]``.
"""

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("apologismos")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://apologismos.eu/problems/"


class ProblemError(BaseModel):
    loc: list[str | int]
    message: str


class Problem(BaseModel):
    """An error as RFC 9457 describes it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "https://apologismos.eu/problems/plan-locked",
                    "title": "Plan is locked",
                    "status": 409,
                    "detail": "plan 12 is approved: only draft or returned plans change",
                }
            ]
        }
    )
    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemError] | None = None


class DomainError(Exception):
    """Base of every refusal a service can make; `detail` says exactly why."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, errors: Sequence[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors) if errors is not None else None
        self.headers: dict[str, str] = {}


class NotFound(DomainError):
    status, slug, title = 404, "not-found", "Not found"


class Forbidden(DomainError):
    status, slug, title = 403, "forbidden", "Forbidden"


class Unauthorized(DomainError):
    status, slug, title = 401, "unauthorized", "Not authenticated"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.headers = {"WWW-Authenticate": "Bearer"}


class Conflict(DomainError):
    status, slug, title = 409, "conflict", "Conflict"


class ContentTooLarge(DomainError):
    status, slug, title = 413, "content-too-large", "Content too large"


class UnsupportedMedia(DomainError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported file"


class InvalidInput(DomainError):
    """A rule on the content of a request was broken (422 with the list of problems)."""

    status, slug, title = 422, "validation-error", "Invalid input"


class PreconditionRequired(DomainError):
    status, slug, title = 428, "precondition-required", "If-Match required"


class StaleVersion(DomainError):
    status, slug, title = 412, "stale-version", "Stale version"


class TooManyRequests(DomainError):
    status, slug, title = 429, "too-many-requests", "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str | None = None,
    errors: Sequence[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + (slug or title.lower().replace(" ", "-")),
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = jsonable_encoder(errors)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [p for p in err.get("loc", ()) if isinstance(p, str | int)]
        msg = err.get("msg", "invalid value")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field: not accepted here"
        out.append({"loc": loc, "message": msg})
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            slug=exc.slug,
            errors=exc.errors,
            headers=exc.headers or None,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        where = ", ".join(".".join(str(p) for p in e["loc"]) for e in errors[:5])
        return problem_response(
            422,
            "Invalid input",
            f"the request is not valid: {where}",
            slug="validation-error",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 413: "Content too large"}
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        return problem_response(
            exc.status_code,
            titles.get(exc.status_code, "HTTP error"),
            detail,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            500,
            "Internal error",
            "the server failed to handle this request; it was logged",
            slug="internal-error",
        )
