"""Helpers of the reporting tests: approved plans, outcomes, and reads of the audit trail."""

from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session

from app.org.models import OrgUnit
from app.planning.models import Item, Plan
from app.reporting.models import Outcome
from tests import plan_builders as pb

API = "/api/v1"
# A past year: the submission checks then judge everything as of 31 December of it, whatever
# the day the tests run.
YEAR = 2025


def approved_plan(session: Session, unit: OrgUnit, year: int = YEAR, **fields: Any) -> Plan:
    values: dict[str, Any] = {"status": "approved", "baseline_no": 1} | fields
    return pb.plan(session, unit, year, **values)


def outcome(session: Session, it: Item, status: str, **fields: Any) -> Outcome:
    """An item's outcome written straight to the database (setup, not the thing under test)."""
    o = Outcome(municipality_id=it.municipality_id, item_id=it.id, status=status, **fields)  # type: ignore[arg-type]
    session.add(o)
    session.flush()
    return o


def put_outcome(
    client: TestClient,
    item_id: int,
    headers: dict[str, str],
    body: dict[str, Any],
    if_match: str | None = None,
) -> Response:
    extra = {"If-Match": if_match} if if_match is not None else {}
    return client.put(f"{API}/items/{item_id}/outcome", json=body, headers={**headers, **extra})


def update_outcome(
    client: TestClient, item_id: int, headers: dict[str, str], body: dict[str, Any]
) -> Response:
    """PUT over an existing outcome with the ETag of a fresh read."""
    tag = pb.etag(client, f"{API}/items/{item_id}/outcome", headers)
    return put_outcome(client, item_id, headers, body, if_match=tag)


def plan_tag(client: TestClient, plan_id: int, headers: dict[str, str]) -> str:
    return pb.etag(client, f"{API}/plans/{plan_id}", headers)


def read_plan(client: TestClient, plan_id: int, headers: dict[str, str]) -> dict[str, Any]:
    r = client.get(f"{API}/plans/{plan_id}", headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def events(
    client: TestClient, headers: dict[str, str], entity_type: str, entity_id: int
) -> list[dict[str, Any]]:
    """The audit events of one entity, oldest first (read with `headers`: the superuser's)."""
    r = client.get(
        f"{API}/audit-events",
        params={"entity_type": entity_type, "entity_id": entity_id, "limit": 500},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    rows: list[dict[str, Any]] = r.json()["items"]
    return rows[::-1]
