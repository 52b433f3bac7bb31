"""Builders for cycles, plans and items, plus small HTTP helpers for the plan workflow."""

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.org.models import OrgUnit
from app.planning.models import Cycle, Item, Plan


def cycle(
    session: Session,
    unit: OrgUnit,
    year: int = 2027,
    *,
    plan_deadline: date | None = None,
    report_deadline: date | None = None,
    status: str = "open",
) -> Cycle:
    c = Cycle(
        municipality_id=unit.municipality_id,
        year=year,
        plan_deadline=plan_deadline or date(year + 50, 1, 31),
        report_deadline=report_deadline or date(year + 50, 2, 28),
        status=status,
    )
    session.add(c)
    session.flush()
    return c


def plan(session: Session, unit: OrgUnit, year: int = 2027, **fields: Any) -> Plan:
    p = Plan(municipality_id=unit.municipality_id, org_unit_id=unit.id, year=year, **fields)  # type: ignore[arg-type]
    session.add(p)
    session.flush()
    return p


def item(session: Session, p: Plan, code: str, **fields: Any) -> Item:
    values: dict[str, Any] = {
        "kind": "action",
        "title": f"Ενέργεια {code}",
        "weight": Decimal(1),
    } | fields
    i = Item(municipality_id=p.municipality_id, plan_id=p.id, code=code, **values)  # type: ignore[arg-type]
    session.add(i)
    session.flush()
    return i


def etag(client: TestClient, url: str, headers: dict[str, str]) -> str:
    r = client.get(url, headers=headers)
    assert r.status_code == 200, r.text
    return r.headers["ETag"]


def step(
    client: TestClient,
    plan_id: int,
    action: str,
    headers: dict[str, str],
    comment: str | None = None,
    if_match: str | None = None,
) -> Any:
    tag = if_match or etag(client, f"/api/v1/plans/{plan_id}", headers)
    body = {"comment": comment} if comment is not None else None
    return client.post(
        f"/api/v1/plans/{plan_id}/{action}", json=body, headers={**headers, "If-Match": tag}
    )
