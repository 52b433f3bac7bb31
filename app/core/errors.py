"""Domain errors and the one place that turns them (and every other error) into problem+json.

Services raise these; routers never build error responses themselves. RFC 9457 fields:
``type, title, status, detail`` and, for validation, ``errors: [{loc, message}]``.
"""

import json
import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("apologismos")
# Refused authorizations go to the security log, beside the logins and refused tokens.
security_log = logging.getLogger("apologismos.auth")

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


class OutOfScope(NotFound):
    """A 404 answered because the object lies outside the caller's scope: to the caller it
    does not exist (the answer is the same as for a missing one), but the log says why."""

    def __init__(self, detail: str, *, reason: str) -> None:
        super().__init__(detail)
        self.reason = reason


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
    return ProblemResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


class ProblemResponse(JSONResponse):
    """A problem as JSON, also when it names what the client sent: an unknown field whose name
    holds a lone surrogate cannot be written as UTF-8, so it is written escaped."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [p for p in err.get("loc", ()) if isinstance(p, str | int)]
        msg = err.get("msg", "invalid value")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field: not accepted here"
        out.append({"loc": loc, "message": msg})
    return out


# FastAPI's answer when a body is not JSON in UTF-8, nests too deep or holds a number of
# thousands of digits; the cause says which.
UNPARSABLE_BODY = "There was an error parsing the body"


def _unparsable_because(cause: BaseException | None) -> str:
    if isinstance(cause, UnicodeError):
        return "it is not UTF-8 text"
    if isinstance(cause, RecursionError):
        return "it is nested too deeply"
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return "a number in it has too many digits"
    return "it is not well-formed"


def _allowed_methods(request: Request, allow: str) -> list[str]:
    """Every method of every documented operation on this path (Starlette's Allow names only
    the first route that matched the path, and an operation per method is a route of its own)."""
    patterns: list[tuple[re.Pattern[str], set[str]]] | None = getattr(
        request.app.state, "allowed_methods", None
    )
    if patterns is None:
        patterns = [
            (
                re.compile("^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(path)) + "$"),
                {m.upper() for m in operations},
            )
            for path, operations in request.app.openapi().get("paths", {}).items()
        ]
        request.app.state.allowed_methods = patterns
    methods = {m.strip().upper() for m in allow.split(",") if m.strip()}
    for pattern, documented in patterns:
        if pattern.match(request.url.path):
            methods |= documented
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def _constraint_of(exc: IntegrityError) -> str:
    """The constraint's name (PostgreSQL) or SQLite's message, which names the columns; never
    the values."""
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return str(name) if name else str(exc.orig).splitlines()[0][:200]


def _log_refused_authorization(request: Request, exc: Forbidden | OutOfScope) -> None:
    """Once per refused request: who (set on the request by the authentication dependency),
    where, and why."""
    user_id = getattr(request.state, "user_id", None)
    username = getattr(request.state, "username", None)
    reason = exc.reason if isinstance(exc, OutOfScope) else exc.detail
    security_log.warning(
        "authorization refused (%s): user %s %r on %s %s: %s",
        "403" if isinstance(exc, Forbidden) else "404, outside the caller's scope",
        user_id if user_id is not None else "-",
        username,
        request.method,
        request.url.path,
        reason,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        if isinstance(exc, Forbidden | OutOfScope):
            _log_refused_authorization(request, exc)
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
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == UNPARSABLE_BODY:
            why = _unparsable_because(exc.__cause__)
            return problem_response(
                422,
                "Invalid input",
                f"the request body cannot be read: {why}",
                slug="validation-error",
                errors=[{"loc": ["body"], "message": why}],
            )
        titles = {404: "Not found", 405: "Method not allowed", 413: "Content too large"}
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request, headers.get("Allow", "")))
            detail = f"{request.method} is not allowed here; allowed: {headers['Allow']}"
        return problem_response(
            exc.status_code,
            titles.get(exc.status_code, "HTTP error"),
            detail,
            headers=headers or None,
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        # The services check for duplicates and references first; this answers the race in
        # which another request wrote the same row between that check and this write.
        constraint = _constraint_of(exc)
        log.warning("integrity error on %s %s: %s", request.method, request.url.path, constraint)
        return problem_response(
            409,
            "Conflict",
            f"the change conflicts with data written meanwhile ({constraint}): read it again "
            "and retry",
            slug="conflict",
        )

    @app.exception_handler(OperationalError)
    async def _unavailable(request: Request, exc: OperationalError) -> JSONResponse:
        # The database went away (a restart, a failover: the pool is then renewed, and the next
        # request gets a new connection), refused a connection, or gave up on a lock: the
        # same request a moment later can succeed. (A change whose commit was cut off midway
        # may have landed; a retried change with If-Match then gets a 412, not a second
        # application.)
        log.error(
            "database unavailable on %s %s: %s",
            request.method,
            request.url.path,
            type(exc.orig).__name__,
            exc_info=exc,
        )
        return _unavailable_response(exc)

    @app.exception_handler(DBAPIError)
    async def _dbapi(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:  # a lost connection the driver reports otherwise
            log.error("database connection lost on %s %s", request.method, request.url.path)
            return _unavailable_response(exc)
        return await _unhandled(request, exc)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            500,
            "Internal error",
            "the server failed to handle this request; it was logged",
            slug="internal-error",
        )


def _unavailable_response(exc: DBAPIError) -> JSONResponse:
    lost = "lost its connection to" if exc.connection_invalidated else "could not use"
    return problem_response(
        503,
        "Service unavailable",
        f"the server {lost} the database for a moment: retry the request",
        slug="database-unavailable",
        headers={"Retry-After": "1"},
    )
