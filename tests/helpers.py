"""Assertions shared by the API tests: problem+json, If-Match, and "the database did not change"."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from httpx import Response
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from app.audit.models import AuditEvent
from app.org.models import OrgUnitClosure

API = "/api/v1"


def assert_problem(r: Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status; returns its body."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers
    body = r.json()
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == status
    assert body["type"].startswith("https://") and body["title"] and body["detail"]
    return body


def error_locs(body: dict[str, Any]) -> list[list[str | int]]:
    return [e["loc"] for e in body["errors"]]


def if_match(version: int | str) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


def audit_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def db_row(session: Session, model: type[SQLModel], row_id: int | None) -> dict[str, Any] | None:
    """The row as stored, read past the session's identity map."""
    table = model.__table__  # type: ignore[attr-defined]
    found = session.execute(select(table).where(table.c.id == row_id)).mappings().one_or_none()
    return dict(found) if found is not None else None


def closure(session: Session) -> set[tuple[int, int, int]]:
    rows = session.execute(
        select(OrgUnitClosure.ancestor_id, OrgUnitClosure.descendant_id, OrgUnitClosure.depth)
    )
    return {(a, d, n) for a, d, n in rows}


@contextmanager
def unchanged(session: Session, model: type[SQLModel], row_id: int | None) -> Iterator[None]:
    """The block (a refused request) leaves the row, the org tree and the audit trail alone."""
    row, tree, events = db_row(session, model, row_id), closure(session), audit_count(session)
    yield
    assert db_row(session, model, row_id) == row
    assert closure(session) == tree
    assert audit_count(session) == events
