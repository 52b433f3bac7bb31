"""The committed standard template `templates_xlsx/apologismos_<TEMPLATE_VERSION>.xlsx` is what
`app/excel/columns.py` describes (so it cannot go stale), and `apologismos excel templates`
writes it."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from app.cli import cli
from app.excel.columns import (
    CHOICES,
    INFO_SHEET,
    LISTS_SHEET,
    META_SHEET,
    PLAN_COLUMNS,
    PLAN_SHEET,
    REPORT_COLUMNS,
    REPORT_SHEET,
    TEMPLATE_VERSION,
    Column,
)

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "templates_xlsx" / f"apologismos_{TEMPLATE_VERSION}.xlsx"
SHEETS = {PLAN_SHEET: PLAN_COLUMNS, REPORT_SHEET: REPORT_COLUMNS}


Layout = list[tuple[str, bool, bool | None, str | None]]


def layout(ws: Worksheet, columns: tuple[Column, ...]) -> Layout:
    """Per column: header, hidden, locked for the clerk (in the first row under the header,
    where there is one: the blank report sheet has none), the list its drop-down offers."""
    has_rows = ws.max_row >= 2
    lists = {
        str(next(iter(dv.sqref.ranges)).coord).split(":")[0].rstrip("0123456789"): dv.formula1
        for dv in ws.data_validations.dataValidation
    }
    out = []
    for i, _ in enumerate(columns, start=1):
        header = ws.cell(row=1, column=i)
        letter = header.column_letter
        out.append(
            (
                str(header.value),
                bool(ws.column_dimensions[letter].hidden),
                bool(ws.cell(row=2, column=i).protection.locked) if has_rows else None,
                lists.get(letter),
            )
        )
    return out


def expected_layout(columns: tuple[Column, ...], lists: dict[str, str], rows: bool) -> Layout:
    def offered(c: Column) -> str | None:
        if c.choices and not c.locked:
            return lists[c.choices]
        return lists.get("staff") if c.kind == "staff" else None

    return [
        (c.header, c.hidden, (c.locked or c.hidden) if rows else None, offered(c)) for c in columns
    ]


@pytest.fixture
def committed():  # type: ignore[no-untyped-def]
    assert COMMITTED.exists(), f"run `apologismos excel templates` to write {COMMITTED.name}"
    return load_workbook(io.BytesIO(COMMITTED.read_bytes()))


class TestCommittedTemplate:
    def test_is_of_the_current_version(self, committed):
        meta = dict(committed[META_SHEET].iter_rows(values_only=True))
        assert meta["template_version"] == TEMPLATE_VERSION
        assert meta["kind"] == "blank"

    def test_has_the_sheets_in_order_with_the_helpers_hidden(self, committed):
        assert committed.sheetnames == [
            INFO_SHEET,
            PLAN_SHEET,
            REPORT_SHEET,
            LISTS_SHEET,
            META_SHEET,
        ]
        assert [committed[n].sheet_state for n in committed.sheetnames] == ["visible"] * 3 + [
            "hidden"
        ] * 2

    @pytest.mark.parametrize("sheet", [PLAN_SHEET, REPORT_SHEET])
    def test_every_column_as_columns_py_describes_it(self, committed, sheet):
        ws = committed[sheet]
        columns = SHEETS[sheet]
        assert ws.max_column == len(columns)
        lists = {
            name: f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(CHOICES[name]) + 1}"
            for letter, name in zip("ABCDEFGH", CHOICES, strict=False)
        }
        assert layout(ws, columns) == expected_layout(columns, lists, rows=sheet == PLAN_SHEET)
        assert ws.protection.sheet is True

    def test_the_lists_are_the_choice_labels(self, committed):
        ws = committed[LISTS_SHEET]
        for i, (name, labels) in enumerate(CHOICES.items(), start=1):
            values = [ws.cell(row=r, column=i).value for r in range(1, len(labels) + 2)]
            assert values == [name, *labels.values()], name


class TestTemplatesCommand:
    def test_writes_what_is_committed(self, tmp_path, committed):
        result = CliRunner().invoke(cli, ["excel", "templates", "--folder", str(tmp_path)])
        assert result.exit_code == 0, result.output
        fresh = load_workbook(io.BytesIO((tmp_path / COMMITTED.name).read_bytes()))
        assert fresh.sheetnames == committed.sheetnames
        for name in (PLAN_SHEET, REPORT_SHEET, LISTS_SHEET, META_SHEET):
            assert list(fresh[name].values) == list(committed[name].values), name
        for sheet, columns in SHEETS.items():
            assert layout(fresh[sheet], columns) == layout(committed[sheet], columns)
