"""Builders for cycles, plans and items, plus small HTTP helpers for the plan workflow."""

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from app.org.models import Employee, OrgUnit
from app.planning.models import Cycle, Item, ItemAssignee, Plan
from app.reporting.models import Outcome


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


def assign(session: Session, it: Item, *employees: Employee) -> None:
    for emp in employees:
        session.add(
            ItemAssignee(item_id=it.id, employee_id=emp.id, municipality_id=it.municipality_id)  # type: ignore[arg-type]
        )
    session.flush()


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


# HTTP helpers -------------------------------------------------------------------------------

API = "/api/v1"


def item_body(**fields: Any) -> dict[str, Any]:
    """A valid item of a 2027 plan; `fields` override or add."""
    return {
        "kind": "action",
        "title": "Ψηφιοποίηση αρχείου",
        "planned_start": "2027-02-01",
        "planned_end": "2027-06-30",
        "budget": "1000.00",
    } | fields


def new_plan(
    client: TestClient, unit: OrgUnit, headers: dict[str, str], year: int = 2027, **extra: Any
) -> dict[str, Any]:
    r = client.post(
        f"{API}/plans", json={"org_unit_id": unit.id, "year": year, **extra}, headers=headers
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def add_item(
    client: TestClient, plan_id: int, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    r = client.post(f"{API}/plans/{plan_id}/items", json=item_body(**fields), headers=headers)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def patch_item(
    client: TestClient,
    item_id: int,
    headers: dict[str, str],
    body: dict[str, Any],
    if_match: str | None = None,
) -> Any:
    tag = if_match or etag(client, f"{API}/items/{item_id}", headers)
    return client.patch(f"{API}/items/{item_id}", json=body, headers={**headers, "If-Match": tag})


def delete_item(client: TestClient, item_id: int, headers: dict[str, str]) -> Any:
    tag = etag(client, f"{API}/items/{item_id}", headers)
    return client.delete(f"{API}/items/{item_id}", headers={**headers, "If-Match": tag})


def outcome(session: Session, it: Item, status: str) -> Outcome:
    """The report's line of an item (written straight to the database)."""
    o = Outcome(municipality_id=it.municipality_id, item_id=it.id, status=status)  # type: ignore[arg-type]
    session.add(o)
    session.flush()
    return o


def count(session: Session, model: type[SQLModel]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0
