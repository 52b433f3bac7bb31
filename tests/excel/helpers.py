"""Filling a downloaded workbook as a clerk would (openpyxl, keeping the hidden parts)."""

import io
from typing import Any

from openpyxl import load_workbook

from app.excel.columns import PLAN_COLUMNS, REPORT_COLUMNS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def col_index(sheet: str, key: str) -> int:
    columns = PLAN_COLUMNS if sheet == "Προγραμματισμός" else REPORT_COLUMNS
    return next(i for i, c in enumerate(columns, start=1) if c.key == key)


def edit(data: bytes, changes: dict[str, dict[tuple[int, str], Any]]) -> bytes:
    """changes: {sheet: {(row, column key): value}}; rows are the sheet's row numbers."""
    wb = load_workbook(io.BytesIO(data))
    for sheet, cells in changes.items():
        ws = wb[sheet]
        for (row, key), value in cells.items():
            ws.cell(row=row, column=col_index(sheet, key), value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client: Any, headers: dict[str, str], data: bytes, **params: Any) -> Any:
    return client.post(
        "/api/v1/imports", headers=headers, params=params, files={"file": ("unit.xlsx", data, XLSX)}
    )
