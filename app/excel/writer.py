"""The unit workbook: instructions, the plan of year Y, the report of year Y−1, drop-down lists
and the hidden sheet that names template, unit and year. What it writes, the importer reads."""

import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from app.excel.columns import (
    CHOICES,
    INFO_SHEET,
    LISTS_SHEET,
    META_SHEET,
    PLAN_SHEET,
    REPORT_SHEET,
    TEMPLATE_VERSION,
    Column,
    Kind,
)
from app.excel.values import looks_like_formula

HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
LOCKED_FILL = PatternFill("solid", fgColor="E7E6E6")
HEADER_FONT = Font(bold=True, color="FFFFFF")
DATE_FORMAT = "DD/MM/YYYY"
MONEY_FORMAT = "#,##0.00"
SPARE_ROWS = 200  # empty, unlocked rows under the items for new ones

INSTRUCTIONS = [
    "Οδηγίες συμπλήρωσης",
    "",
    "1. Το φύλλο «Προγραμματισμός» κρατά τις ενέργειες της χρονιάς: συμπληρώστε ή διορθώστε "
    "τις γραμμές και προσθέστε νέες από κάτω.",
    "2. Το φύλλο «Απολογισμός» κρατά τις ενέργειες της προηγούμενης χρονιάς: τα γκρι πεδία "
    "είναι κλειδωμένα· συμπληρώστε κατάσταση, πρόοδο, ημερομηνίες, απορρόφηση και, όπου "
    "υπάρχει απόκλιση, την αιτία της.",
    "3. Είδος, πηγή χρηματοδότησης, κατάσταση και κατηγορία απόκλισης επιλέγονται από λίστα.",
    "4. Ημερομηνίες ως 31/12/2026· ποσά ως 1.234,56. Υπεύθυνοι: ονόματα υπαλλήλων της "
    "μονάδας, χωρισμένα με κόμμα.",
    "5. Μη διαγράφετε τις κρυφές στήλες και φύλλα: με αυτά το σύστημα αναγνωρίζει κάθε γραμμή.",
    "6. Ανεβάστε το αρχείο στην εφαρμογή: πρώτα γίνεται έλεγχος χωρίς αλλαγές, και τα λάθη "
    "επιστρέφονται σημειωμένα με κόκκινο στο ίδιο αρχείο.",
]


def put(ws: Worksheet, row: int, column: int, value: Any) -> Any:
    """Write a cell. Text that would run as a formula stays a text cell holding exactly that
    text (openpyxl makes a leading `=` a live formula; an added apostrophe would change the
    text, and the re-import would see a change); `quotePrefix` keeps it text when edited."""
    cell = ws.cell(row=row, column=column, value=value)
    if looks_like_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _write_sheet(
    ws: Worksheet,
    columns: Sequence[Column],
    rows: Iterable[dict[str, Any]],
    lists: dict[str, str],
    *,
    editable_rows: bool,
) -> None:
    for i, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=column.header)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if column.note:
            cell.comment = Comment(column.note, "Apologismos")
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = column.width
        ws.column_dimensions[letter].hidden = column.hidden
    n = 1
    for n, values in enumerate(rows, start=2):
        for i, column in enumerate(columns, start=1):
            value = values.get(column.key)
            if value is not None and column.choices:  # drop-down lists and yes/no
                value = CHOICES[column.choices].get(str(value), value)
            elif isinstance(value, Decimal):
                value = float(value)
            cell = put(ws, n, i, value)
            _format(cell, column)
    last = n + (SPARE_ROWS if editable_rows else 0)
    for i, column in enumerate(columns, start=1):
        letter = get_column_letter(i)
        for r in range(2, last + 1):
            cell = ws.cell(row=r, column=i)
            if r > n:
                _format(cell, column)
            if column.locked or column.hidden:
                cell.protection = Protection(locked=True)
                if column.locked:
                    cell.fill = LOCKED_FILL
            else:
                cell.protection = Protection(locked=False)
        ref = f"{letter}2:{letter}{max(last, 2)}"
        if column.kind in (Kind.choice, Kind.boolean) and column.choices and not column.locked:
            dv = DataValidation(
                type="list",
                formula1=lists[column.choices],
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Μη αποδεκτή τιμή",
                error="Διαλέξτε τιμή από τη λίστα",
            )
            ws.add_data_validation(dv)
            dv.add(ref)
        elif column.kind == Kind.staff and "staff" in lists:
            # A list validation helps with one name; several names stay allowed.
            dv = DataValidation(
                type="list", formula1=lists["staff"], allow_blank=True, showErrorMessage=False
            )
            ws.add_data_validation(dv)
            dv.add(ref)
    ws.freeze_panes = "D2" if any(c.hidden for c in columns) else "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(n, 1)}"
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    ws.protection.insertRows = False
    ws.protection.deleteRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = False


def _format(cell: Any, column: Column) -> None:
    if column.kind == Kind.date:
        cell.number_format = DATE_FORMAT
    elif column.kind == Kind.money:
        cell.number_format = MONEY_FORMAT
    elif column.kind == Kind.long_text:
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _lists(wb: Workbook, staff: Sequence[str]) -> dict[str, str]:
    ws = wb.create_sheet(LISTS_SHEET)
    ws.sheet_state = "hidden"
    refs: dict[str, str] = {}
    named = [*CHOICES.items(), ("staff", {str(i): n for i, n in enumerate(staff)})]
    for col, (name, labels) in enumerate(named, start=1):
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value=name)
        for r, label in enumerate(labels.values(), start=2):
            put(ws, r, col, label)
        if labels:
            refs[name] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(labels) + 1}"
    return refs


def build_workbook(
    *,
    unit_code: str,
    unit_name: str,
    year: int,
    plan_columns: Sequence[Column],
    plan_rows: list[dict[str, Any]],
    report_columns: Sequence[Column],
    report_rows: list[dict[str, Any]],
    staff: Sequence[str],
    meta: dict[str, Any],
    title: str | None = None,
) -> bytes:
    wb = Workbook()
    info = wb.active
    assert info is not None
    info.title = INFO_SHEET
    info.column_dimensions["A"].width = 110
    for r, line in enumerate(
        [
            title or f"{unit_name} ({unit_code}) — προγραμματισμός {year}, απολογισμός {year - 1}",
            *INSTRUCTIONS,
        ],
        start=1,
    ):
        cell = put(info, r, 1, line)
        cell.alignment = Alignment(wrap_text=True)
        if r <= 2:
            cell.font = Font(bold=True, size=13 if r == 1 else 11)
    plan = wb.create_sheet(PLAN_SHEET)
    report = wb.create_sheet(REPORT_SHEET)
    lists = _lists(wb, staff)
    _write_sheet(plan, plan_columns, plan_rows, lists, editable_rows=True)
    plan.title = PLAN_SHEET
    plan.sheet_properties.tabColor = "1F4E78"
    _write_sheet(report, report_columns, report_rows, lists, editable_rows=False)
    report.sheet_properties.tabColor = "548235"
    ws = wb.create_sheet(META_SHEET)
    ws.sheet_state = "hidden"
    for r, (key, value) in enumerate(
        {"template_version": TEMPLATE_VERSION, **meta}.items(), start=1
    ):
        ws.cell(row=r, column=1, value=key)
        put(ws, r, 2, value.isoformat() if isinstance(value, date) else value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_table(
    wb: Workbook, ws: Worksheet, columns: Sequence[Column], rows: Iterable[dict[str, Any]]
) -> None:
    """A plain editable table (org chart sheets): headers, formats, drop-down lists."""
    lists = _lists(wb, []) if LISTS_SHEET not in wb.sheetnames else _list_refs(wb)
    _write_sheet(ws, columns, rows, lists, editable_rows=True)
    ws.protection.sheet = False


def _list_refs(wb: Workbook) -> dict[str, str]:
    ws = wb[LISTS_SHEET]
    refs = {}
    for col in range(1, ws.max_column + 1):
        name = ws.cell(row=1, column=col).value
        height = sum(1 for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=col).value)
        if name and height:
            letter = get_column_letter(col)
            refs[str(name)] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${height + 1}"
    return refs


def blank_unit_workbook() -> bytes:
    """The standard tables with no unit, for `templates_xlsx/` (and for reading them)."""
    from app.excel.columns import PLAN_COLUMNS, REPORT_COLUMNS

    return build_workbook(
        unit_code="",
        unit_name="Υπηρεσία",
        title="Πρότυπος πίνακας προγραμματισμού και απολογισμού",
        year=date.today().year,
        plan_columns=PLAN_COLUMNS,
        plan_rows=[],
        report_columns=REPORT_COLUMNS,
        report_rows=[],
        staff=[],
        meta={"kind": "blank"},
    )
