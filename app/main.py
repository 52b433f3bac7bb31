"""The application factory: routers, error handlers, middleware."""

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import text

from app import models  # noqa: F401  (every table registered before the first query)
from app.audit.router import router as audit_router
from app.auth.router import auth_router, users_router
from app.core.config import get_settings
from app.core.db import READ_ONLY, get_engine
from app.core.errors import PROBLEM_JSON, Problem, install_error_handlers, problem_response
from app.core.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from app.excel.router import router as excel_router
from app.metrics.router import router as metrics_router
from app.org.router import router as org_router
from app.planning.cycles_router import router as cycles_router
from app.planning.router import plans_router
from app.reporting.router import actions_router
from app.reporting.router import router as reports_router

API_PREFIX = "/api/v1"
DESCRIPTION = """
Apologismos (Απολογισμός) replaces the Excel tables that a municipality's departments send
to its quality unit every January: the **plan** (προγραμματισμός) of the year and the
**report** (απολογισμός) of the last, and the quality unit's figures on them.

Authenticate with `POST /api/v1/auth/token` (OAuth2 password form) and send
`Authorization: Bearer <token>`. Errors are `application/problem+json` (RFC 9457). Changes of
existing resources need `If-Match` with the ETag of your last read.
"""


def _operation_id(route: APIRoute) -> str:
    head, *rest = route.name.split("_")
    return head + "".join(part.capitalize() for part in rest)


class Health(BaseModel):
    status: str


def _health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="Liveness: the process answers")
    def healthz() -> Health:
        return Health(status="ok")

    @router.get(
        "/readyz",
        summary="Readiness: the database answers",
        responses={503: {"description": "database unreachable"}},
    )
    def readyz():
        try:
            with get_engine().execution_options(**{READ_ONLY: True}).connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            logging.getLogger("apologismos").exception("readiness check failed")
            return problem_response(
                503, "Not ready", "the database does not answer", slug="not-ready"
            )
        return Health(status="ready")

    return router


def _openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The generated document, with every error response described as it is sent:
    `application/problem+json` with the Problem schema (FastAPI would say application/json)."""

    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if status.isdigit() and int(status) >= 400:
                        response["content"] = {PROBLEM_JSON: problem}
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if "Problem" not in components:
            components["Problem"] = Problem.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
        for name in ("HTTPValidationError", "ValidationError"):
            schema["components"]["schemas"].pop(name, None)
        app.openapi_schema = schema
        return schema

    return build


_frozen = False


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    """A server process's start: what start-up built (modules, the app, its schemas) is set
    aside from the garbage collector, which would otherwise walk those objects on every full
    collection while serving."""
    global _frozen
    if not _frozen:  # once per process (a test starts many apps)
        gc.collect()
        gc.freeze()
        _frozen = True
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="Apologismos API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        generate_unique_id_function=_operation_id,
    )
    install_error_handlers(app)
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(auth_router)
    api.include_router(users_router)
    api.include_router(org_router)
    api.include_router(cycles_router)
    api.include_router(plans_router)
    api.include_router(reports_router)
    api.include_router(actions_router)
    api.include_router(excel_router)
    api.include_router(metrics_router)
    api.include_router(audit_router)
    app.include_router(api)
    app.include_router(_health_router())

    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match"],
            expose_headers=["ETag", "Location", "Retry-After"],
        )
    app.add_middleware(SecurityHeadersMiddleware, https=settings.environment == "production")
    app.openapi = _openapi(app)  # type: ignore[method-assign]
    return app
