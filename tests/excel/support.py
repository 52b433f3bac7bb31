"""What the Excel tests share: a unit with last year's approved plan and this year's draft, and
small operations on workbook files (read a sheet, find a row, rewrite the hidden `_meta`)."""

import io
from datetime import date
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from app.audit.models import AuditEvent
from app.excel.columns import META_SHEET, PLAN_COLUMNS, PLAN_SHEET, REPORT_COLUMNS
from app.org.models import Employee, OrgUnit
from app.planning.models import Item, ItemAssignee, Plan
from app.reporting.models import Outcome
from tests import plan_builders as pb
from tests.builders import World, auth, employee

API = "/api/v1"


class Desk:
    """World's department T11 (its editor is `editor-t11`) with two employees, an approved 2026
    plan of two items (no outcomes yet) and a draft 2027 plan of three items."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.w = w = World(session)
        self.unit = w.t11
        pb.cycle(session, w.a, 2026)
        pb.cycle(session, w.a, 2027)
        self.maria = employee(session, w.t11, "Μαρία Παπαδοπούλου")
        self.giorgos = employee(session, w.t11, "Γιώργος Νικολάου")
        self.last = pb.plan(session, w.t11, 2026, status="approved", baseline_no=1)
        self.l1 = pb.item(
            session,
            self.last,
            "001",
            title="Καταγραφή αρχείου",
            planned_start=date(2026, 2, 1),
            planned_end=date(2026, 6, 30),
            budget=Decimal("8000.00"),
            planned_absorption=Decimal("5000.00"),
        )
        self.l2 = pb.item(
            session,
            self.last,
            "002",
            title="Αναβάθμιση δικτύου",
            kind="procurement",
            planned_start=date(2026, 3, 1),
            planned_end=date(2026, 12, 31),
        )
        self.plan = pb.plan(session, w.t11, 2027)
        self.p1 = pb.item(
            session,
            self.plan,
            "001",
            kind="project",
            title="Ψηφιοποίηση αρχείου",
            planned_start=date(2027, 2, 1),
            planned_end=date(2027, 6, 30),
            budget=Decimal("10000.00"),
            funding_source="own",
            planned_absorption=Decimal("6000.00"),
        )
        pb.assign(session, self.p1, self.maria)
        self.p2 = pb.item(
            session,
            self.plan,
            "002",
            kind="procurement",
            title="Προμήθεια υπολογιστών",
            planned_start=date(2027, 3, 1),
            planned_end=date(2027, 9, 30),
            budget=Decimal("25000.00"),
            funding_source="nsrf",
        )
        self.p3 = pb.item(session, self.plan, "003", title="Εκπαίδευση προσωπικού")
        pb.assign(session, self.p3, self.maria, self.giorgos)
        self.editor = auth(w.editor)

    def workbook(self, client: TestClient, year: int = 2027, unit: OrgUnit | None = None) -> bytes:
        unit = unit or self.unit
        r = client.get(f"{API}/org-units/{unit.id}/workbook?year={year}", headers=self.editor)
        assert r.status_code == 200, r.text
        return r.content


# Reading and changing workbook files --------------------------------------------------------


def rows(data: bytes, sheet: str) -> list[list[Any]]:
    """The sheet's values (openpyxl), blank rows at the end dropped."""
    ws = load_workbook(io.BytesIO(data))[sheet]
    out = [list(r) for r in ws.iter_rows(values_only=True)]
    while out and all(v is None for v in out[-1]):
        out.pop()
    return out


def row_of(data: bytes, sheet: str, item_id: int | None) -> int:
    """The row number (1-based, as the clerk sees it) of an item, by its hidden id."""
    for n, values in enumerate(rows(data, sheet), start=1):
        if values and values[0] == item_id:
            return n
    raise AssertionError(f"item {item_id} is not on sheet {sheet}")


def first_free_row(data: bytes, sheet: str) -> int:
    return len(rows(data, sheet)) + 1


def delete_row(data: bytes, sheet: str, row: int) -> bytes:
    """What a clerk does with «Delete row» in a spreadsheet."""
    wb = load_workbook(io.BytesIO(data))
    wb[sheet].delete_rows(row)
    return save(wb)


def rewrite_meta(data: bytes, **values: Any) -> bytes:
    """Set keys of the hidden `_meta` sheet (a value of None removes the key)."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[META_SHEET]
    found = set()
    for r in range(1, ws.max_row + 1):
        key = ws.cell(row=r, column=1).value
        if key in values:
            found.add(key)
            if values[key] is None:
                ws.cell(row=r, column=1).value = None
                ws.cell(row=r, column=2).value = None
            else:
                ws.cell(row=r, column=2).value = values[key]
    for key, value in values.items():
        if key not in found and value is not None:
            ws.append([key, value])
    return save(wb)


def drop_sheet(data: bytes, name: str) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    del wb[name]
    return save(wb)


def meta(data: bytes) -> dict[str, Any]:
    ws = load_workbook(io.BytesIO(data))[META_SHEET]
    return {k: v for k, v in ws.iter_rows(values_only=True) if k}


def save(wb: Any) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def header_of(sheet: str, key: str) -> str:
    columns = PLAN_COLUMNS if sheet == PLAN_SHEET else REPORT_COLUMNS
    return next(c.header for c in columns if c.key == key)


# The database ---------------------------------------------------------------------------------


def snapshot(session: Session) -> dict[str, Any]:
    """Everything an import may write, read past the session's identity map, for "nothing was
    written" checks."""
    tables: list[type[SQLModel]] = [Plan, Item, ItemAssignee, Outcome, OrgUnit, Employee]
    out: dict[str, Any] = {}
    for model in tables:
        table = model.__table__  # type: ignore[attr-defined]
        out[table.name] = sorted(
            (tuple(str(v) for v in row) for row in session.execute(select(table))),
        )
    # A committed import is itself recorded (who uploaded what), even when it changed nothing.
    out["audit"] = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type != "import_job")  # type: ignore[arg-type]
    )
    return out


def stored(session: Session, model: type[SQLModel], row_id: int | None) -> dict[str, Any] | None:
    table = model.__table__  # type: ignore[attr-defined]
    found = session.execute(select(table).where(table.c.id == row_id)).mappings().one_or_none()
    return dict(found) if found is not None else None


def assignees(session: Session, item_id: int | None) -> list[int]:
    return sorted(
        session.scalars(select(ItemAssignee.employee_id).where(ItemAssignee.item_id == item_id))
    )


def outcome_of(session: Session, item_id: int | None) -> dict[str, Any] | None:
    table = Outcome.__table__  # type: ignore[attr-defined]
    found = session.execute(select(table).where(table.c.item_id == item_id)).mappings()
    row = found.one_or_none()
    return dict(row) if row is not None else None
