"""Reading a workbook's sheets into rows (runs in the sandbox child) and finding columns by
their header."""

import io
from dataclasses import dataclass
from typing import Any

from app.excel.columns import Column
from app.excel.values import fold, is_blank

EMPTY_RUN_STOP = 2000  # consecutive empty rows after which a sheet is taken to have ended


class SheetTooLong(Exception):
    pass


class Unreadable(Exception):
    """The parser refused the file (broken XML, a part larger than its zip entry declares,
    ...): the upload is not a workbook that can be read."""


def read_sheets(data: bytes, max_rows: int) -> dict[str, list[list[Any]]]:
    """Every sheet as rows of values (python-calamine: fast, and it reads LibreOffice and
    Google files whose declared dimensions are wrong). Trailing empty rows are dropped."""
    try:
        return _read_sheets(data, max_rows)
    except SheetTooLong:
        raise
    except Exception as exc:  # calamine's own errors, whatever their class
        raise Unreadable(f"{type(exc).__name__}: {exc}"[:500]) from None


def _read_sheets(data: bytes, max_rows: int) -> dict[str, list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    out: dict[str, list[list[Any]]] = {}
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        rows: list[list[Any]] = []
        empty_run = 0
        for row in sheet.iter_rows():
            if all(is_blank(v) for v in row):
                empty_run += 1
                if empty_run >= EMPTY_RUN_STOP:
                    break
                rows.append([])
                continue
            empty_run = 0
            rows.append(list(row))
            if len(rows) > max_rows + 1:
                raise SheetTooLong(name)
        while rows and not rows[-1]:
            rows.pop()
        out[name] = rows
    return out


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Header:
    row: int  # 0-based index of the header row
    columns: dict[str, int]  # column key → 0-based column index
    unknown: list[str]


def find_header(rows: list[list[Any]], columns: tuple[Column, ...]) -> Header | None:
    """The first of the top rows where at least two cells name known columns (Greek header,
    English alias or key; case, accents and spacing ignored)."""
    names = {fold(n): c.key for c in columns for n in c.names}
    for r, row in enumerate(rows[:15]):
        found: dict[str, int] = {}
        unknown: list[str] = []
        for i, cell in enumerate(row):
            if is_blank(cell):
                continue
            key = names.get(fold(cell))
            if key is not None and key not in found:
                found[key] = i
            else:
                unknown.append(str(cell))
        if len(found) >= 2:
            return Header(row=r, columns=found, unknown=unknown)
    return None
