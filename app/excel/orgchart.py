"""The org chart as a workbook: units and employees, downloaded and uploaded like the plans.

Units are matched by code and employees by unit and name; rows create or update, and what is
not in the workbook is left alone (units and staff are deactivated, never dropped by a file).
"""

import io
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.auth.scope import Caller
from app.core.errors import DomainError
from app.excel.columns import (
    META_SHEET,
    STAFF_COLUMNS,
    STAFF_SHEET,
    TEMPLATE_VERSION,
    UNIT_COLUMNS,
    UNITS_SHEET,
)
from app.excel.importer import Applied
from app.excel.messages import greek, pydantic_greek
from app.excel.reader import find_header
from app.excel.rows import Problem, Row, Staff, parse_rows
from app.excel.values import fold
from app.org import service as org
from app.org.models import Employee, OrgUnit
from app.org.schemas import EmployeeCreate, EmployeeUpdate, OrgUnitCreate, OrgUnitUpdate

ORG_KIND = "org_chart"


def org_chart_workbook(session: Session, root: OrgUnit) -> bytes:
    from openpyxl import Workbook

    from app.excel.writer import put, write_table

    units = list(
        session.scalars(
            select(OrgUnit)
            .where(
                col(OrgUnit.municipality_id) == root.municipality_id,
                col(OrgUnit.parent_id).is_not(None),
            )
            .order_by(col(OrgUnit.code))
        )
    )
    codes = {u.id: u.code for u in [root, *units]}
    staff = session.execute(
        select(Employee, OrgUnit.code)
        .join(OrgUnit, col(OrgUnit.id) == Employee.org_unit_id)
        .where(col(Employee.municipality_id) == root.municipality_id)
        .order_by(col(OrgUnit.code), col(Employee.full_name), col(Employee.id))
    ).all()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = UNITS_SHEET
    write_table(
        wb,
        ws,
        UNIT_COLUMNS,
        [
            {
                "code": u.code,
                "name": u.name,
                "kind": u.kind,
                "parent_code": codes.get(u.parent_id) if u.parent_id != root.id else None,
                "active": "yes" if u.active else "no",
            }
            for u in units
        ],
    )
    write_table(
        wb,
        wb.create_sheet(STAFF_SHEET),
        STAFF_COLUMNS,
        [
            {
                "unit_code": code,
                "full_name": e.full_name,
                "email": e.email,
                "job_title": e.job_title,
                "active": "yes" if e.active else "no",
            }
            for e, code in staff
        ],
    )
    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    for r, (key, value) in enumerate(
        {
            "template_version": TEMPLATE_VERSION,
            "kind": ORG_KIND,
            "org_unit_id": root.id,
            "org_unit_code": root.code,
            "year": 0,
        }.items(),
        start=1,
    ):
        meta.cell(row=r, column=1, value=key)
        put(meta, r, 2, value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _problem(out: Applied, sheet: str, row: Row, key: str, message: str) -> None:
    columns = UNIT_COLUMNS if sheet == UNITS_SHEET else STAFF_COLUMNS
    header = next((c.header for c in columns if c.key == key), key)
    raw = row.raw.get(key)
    out.problems.append(
        Problem(
            sheet,
            row.cells.get(key, f"A{row.number}"),
            header,
            "" if raw is None else str(raw),
            message,
        )
    )


def import_org_chart(
    session: Session,
    caller: Caller,
    root: OrgUnit,
    sheets: dict[str, list[list[Any]]],
    out: Applied,
) -> None:
    units = {
        fold(u.code): u
        for u in session.scalars(
            select(OrgUnit).where(col(OrgUnit.municipality_id) == root.municipality_id)
        )
    }
    rows = sheets.get(UNITS_SHEET, [])
    header = find_header(rows, UNIT_COLUMNS) if rows else None
    pending: list[Row] = []
    if header is not None:
        pending = [
            r for r in parse_rows(UNITS_SHEET, rows, header, UNIT_COLUMNS, out.problems) if r.ok
        ]
    pending = _unique_codes(pending, out)
    # Parents may come after their children in the file: apply in passes.
    while pending:
        waiting = []
        for row in pending:
            v = row.values
            parent_code = v.get("parent_code")
            parent = root if not parent_code else units.get(fold(parent_code))
            if parent is None:
                waiting.append(row)
                continue
            _apply_unit(session, caller, row, parent, units, out)
        if len(waiting) == len(pending):
            for row in waiting:
                _problem(
                    out,
                    UNITS_SHEET,
                    row,
                    "parent_code",
                    f"δεν υπάρχει μονάδα με κωδικό «{row.values.get('parent_code')}»",
                )
            break
        pending = waiting
    rows = sheets.get(STAFF_SHEET, [])
    header = find_header(rows, STAFF_COLUMNS) if rows else None
    if header is None:
        return
    by_unit: dict[int, dict[str, list[Employee]]] = {}
    for row in parse_rows(STAFF_SHEET, rows, header, STAFF_COLUMNS, out.problems):
        if not row.ok:
            continue
        unit = units.get(fold(row.values.get("unit_code") or ""))
        if unit is None:
            _problem(
                out,
                STAFF_SHEET,
                row,
                "unit_code",
                f"δεν υπάρχει μονάδα με κωδικό «{row.values.get('unit_code')}»",
            )
            continue
        assert unit.id is not None
        if unit.id not in by_unit:
            # Namesakes are matched to the rows of their name in order (the download lists
            # them by id), so each row is one person and a round trip changes nothing.
            by_unit[unit.id] = {}
            for e in session.scalars(
                select(Employee)
                .where(col(Employee.org_unit_id) == unit.id)
                .order_by(col(Employee.id))
            ):
                by_unit[unit.id].setdefault(Staff.key(e.full_name), []).append(e)
        _apply_employee(session, caller, row, unit, by_unit[unit.id], out)


def _unique_codes(rows: list[Row], out: Applied) -> list[Row]:
    """A code twice in the sheet would make the second row silently change the unit the
    first one made: the second is an error instead."""
    first: dict[str, int] = {}
    unique = []
    for row in rows:
        code = row.values.get("code") or ""
        if fold(code) in first:
            _problem(
                out,
                UNITS_SHEET,
                row,
                "code",
                f"ο κωδικός «{code}» υπάρχει ήδη στη γραμμή {first[fold(code)]}",
            )
            continue
        first[fold(code)] = row.number
        unique.append(row)
    return unique


def _apply_unit(
    session: Session,
    caller: Caller,
    row: Row,
    parent: OrgUnit,
    units: dict[str, OrgUnit],
    out: Applied,
) -> None:
    v = row.values
    existing = units.get(fold(v.get("code") or ""))
    try:
        with session.begin_nested():
            if existing is None:
                data = OrgUnitCreate.model_validate(
                    {
                        "parent_id": parent.id,
                        "code": v.get("code"),
                        "name": v.get("name"),
                        "kind": v.get("kind"),
                    }
                )
                unit = org.create_unit(session, caller=caller, data=data)
                if v.get("active") is False:
                    org.update_unit(
                        session, caller=caller, unit=unit, data=OrgUnitUpdate(active=False)
                    )
                units[fold(unit.code)] = unit
                out.plan.created += 1
                return
            wanted = {"name": v.get("name"), "kind": v.get("kind"), "parent_id": parent.id}
            if v.get("active") is not None:
                wanted["active"] = v["active"]
            changes = {k: x for k, x in wanted.items() if getattr(existing, k) != x}
            if not changes:
                out.plan.unchanged += 1
                return
            org.update_unit(
                session, caller=caller, unit=existing, data=OrgUnitUpdate.model_validate(changes)
            )
            out.plan.updated += 1
    except DomainError as exc:
        _problem(out, UNITS_SHEET, row, "code", greek(exc.detail))
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else "code"
            _problem(
                out,
                UNITS_SHEET,
                row,
                key if key in row.cells else "code",
                pydantic_greek(dict(err)),
            )


def _apply_employee(
    session: Session,
    caller: Caller,
    row: Row,
    unit: OrgUnit,
    staff: dict[str, list[Employee]],
    out: Applied,
) -> None:
    v = row.values
    key = Staff.key(v.get("full_name") or "")
    namesakes = staff.get(key)
    existing = namesakes.pop(0) if namesakes else None
    try:
        with session.begin_nested():
            if existing is None:
                data_emp = EmployeeCreate.model_validate(
                    {
                        "org_unit_id": unit.id,
                        "full_name": v.get("full_name"),
                        "email": v.get("email"),
                        "job_title": v.get("job_title"),
                    }
                )
                org.create_employee(session, caller=caller, data=data_emp)
                out.report.created += 1
                return
            wanted = {"email": v.get("email"), "job_title": v.get("job_title")}
            if v.get("active") is not None:
                wanted["active"] = v["active"]
            changes = {k: x for k, x in wanted.items() if getattr(existing, k) != x}
            if not changes:
                out.report.unchanged += 1
                return
            org.update_employee(
                session, caller=caller, emp=existing, data=EmployeeUpdate.model_validate(changes)
            )
            out.report.updated += 1
    except DomainError as exc:
        _problem(out, STAFF_SHEET, row, "full_name", greek(exc.detail))
    except ValidationError as exc:
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else "full_name"
            message = "μη έγκυρο email" if key == "email" else pydantic_greek(dict(err))
            _problem(out, STAFF_SHEET, row, key if key in row.cells else "full_name", message)
