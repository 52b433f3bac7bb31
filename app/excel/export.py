"""The quality unit's consolidated workbook of a year: summary per directorate and department
with the SPEC §5 figures, a chart, the deviations, and the submission completeness."""

import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

import xlsxwriter
from sqlmodel import Session

from app.auth.scope import Caller
from app.excel.columns import CHOICES
from app.metrics import deviations as dev
from app.metrics.schemas import Figures, GroupBy
from app.metrics.service import Scope, completion, grouped_by_child
from app.org.models import OrgUnit
from app.planning.cycles import cycle_of

MAX_DEVIATIONS = 100_000
FIGURES: list[tuple[str, str, str]] = [  # key, header, format
    ("planned_items", "Ενέργειες", "int"),
    ("unplanned_items", "Μη προγραμματισμένες", "int"),
    ("completed", "Ολοκληρώθηκαν", "int"),
    ("in_progress", "Σε εξέλιξη", "int"),
    ("not_started", "Δεν ξεκίνησαν", "int"),
    ("postponed", "Αναβλήθηκαν", "int"),
    ("cancelled", "Ακυρώθηκαν", "int"),
    ("completion_pct", "Υλοποίηση %", "pct"),
    ("progress_pct", "Σταθμισμένη πρόοδος %", "pct"),
    ("absorption_pct", "Απορρόφηση %", "pct"),
    ("on_time_pct", "Εμπρόθεσμα %", "pct"),
    ("overdue_items", "Εκπρόθεσμες", "int"),
    ("avg_delay_days", "Μέση καθυστέρηση (ημ.)", "pct"),
    ("expected_progress_pct", "Αναμενόμενη πρόοδος %", "pct"),
    ("traffic_light", "Σήμα", "text"),
    ("kpi_achievement_pct", "Επίτευξη δεικτών %", "pct"),
]
LIGHTS = {"on_track": "Εντός στόχου", "at_risk": "Σε κίνδυνο", "off_track": "Εκτός στόχου"}
STATES = {
    "missing": "Λείπει",
    "draft": "Σε σύνταξη",
    "returned": "Επιστράφηκε",
    "submitted_on_time": "Υποβλήθηκε εμπρόθεσμα",
    "submitted_late": "Υποβλήθηκε εκπρόθεσμα",
    "approved": "Εγκρίθηκε",
}


DEVIATION_HEADERS = [
    "Μονάδα",
    "Κωδικός",
    "Ενέργεια",
    "Είδος",
    "Κατάσταση",
    "Αποκλίσεις",
    "Καθυστέρηση έναρξης (ημ.)",
    "Καθυστέρηση λήξης (ημ.)",
    "Προγρ. απορρόφηση",
    "Απορρόφηση",
    "Διαφορά",
    "Κατηγορία",
    "Αιτία",
]
DEVIATION_WIDTHS = [30, 8, 45, 12, 14, 30, 12, 12, 14, 14, 14, 18, 45]


class _Book:
    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.wb = xlsxwriter.Workbook(
            self.buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        self.head = self.wb.add_format(
            {
                "bold": True,
                "bg_color": "#1F4E78",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "valign": "vcenter",
                "border": 1,
            }
        )
        self.bold = self.wb.add_format({"bold": True})
        self.pct = self.wb.add_format({"num_format": "0.00"})
        self.money = self.wb.add_format({"num_format": "#,##0.00"})
        self.date = self.wb.add_format({"num_format": "dd/mm/yyyy"})

    def sheet(self, name: str, headers: list[str], widths: list[int]) -> Any:
        ws = self.wb.add_worksheet(name)
        for i, (header, width) in enumerate(zip(headers, widths, strict=True)):
            ws.write_string(0, i, header, self.head)
            ws.set_column(i, i, width)
        ws.set_row(0, 32)
        ws.freeze_panes(1, 0)
        return ws

    def value(self, ws: Any, row: int, col: int, value: Any, kind: str = "text") -> None:
        if value is None:
            ws.write_blank(row, col, None)
        elif isinstance(value, date):
            ws.write_datetime(row, col, value, self.date)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value)
        elif isinstance(value, int | float | Decimal):
            ws.write_number(
                row,
                col,
                float(value),
                self.pct if kind == "pct" else self.money if kind == "money" else None,
            )
        else:
            # write_string: never a formula, whatever the text starts with.
            ws.write_string(row, col, str(value))

    def close(self) -> bytes:
        self.wb.close()
        return self.buffer.getvalue()


def _figures_row(book: _Book, ws: Any, row: int, first: list[Any], figures: Figures) -> None:
    for c, value in enumerate(first):
        book.value(ws, row, c, value)
    data = figures.model_dump()
    for c, (key, _, kind) in enumerate(FIGURES, start=len(first)):
        value = data[key]
        book.value(ws, row, c, LIGHTS.get(value, value) if key == "traffic_light" else value, kind)


def consolidated_workbook(
    session: Session, *, caller: Caller, root: OrgUnit, year: int, as_of: date
) -> bytes:
    assert root.id is not None
    book = _Book()
    scope = Scope(org_unit_id=root.id, municipality_id=root.municipality_id, year=year)
    headers = [h for _, h, _ in FIGURES]
    widths = [12] * len(FIGURES)

    ws = book.sheet("Σύνοψη", ["Κωδικός", "Μονάδα", *headers], [10, 45, *widths])
    total, groups = completion(session, scope, GroupBy.org_unit, as_of)
    for r, g in enumerate(groups, start=1):
        code, _, name = g.label.partition(" ")
        _figures_row(book, ws, r, [code, name], g)
    total_row = len(groups) + 1
    _figures_row(book, ws, total_row, ["", f"Σύνολο: {root.name}"], total)
    ws.set_row(total_row, None, book.bold)
    ws.autofilter(0, 0, max(len(groups), 1), len(FIGURES) + 1)
    if groups:
        chart = book.wb.add_chart({"type": "column"})
        column = 2 + [k for k, _, _ in FIGURES].index("completion_pct")
        chart.add_series(
            {
                "name": "Υλοποίηση %",
                "categories": ["Σύνοψη", 1, 1, len(groups), 1],
                "values": ["Σύνοψη", 1, column, len(groups), column],
            }
        )
        chart.set_title({"name": f"Ποσοστό υλοποίησης {year} ανά μονάδα"})
        chart.set_y_axis({"min": 0, "max": 100})
        chart.set_legend({"none": True})
        chart.set_size({"width": 960, "height": 420})
        ws.insert_chart(total_row + 3, 1, chart)

    ws = book.sheet(
        "Τμήματα", ["Υπάγεται σε", "Κωδικός", "Μονάδα", *headers], [30, 10, 45, *widths]
    )
    r = 1
    below = grouped_by_child(session, scope, as_of)
    for g in groups:
        if g.key == root.id:
            continue
        assert isinstance(g.key, int)
        for sub in below.get(g.key, []):
            code, _, name = sub.label.partition(" ")
            _figures_row(book, ws, r, [g.label, code, name], sub)
            r += 1
    ws.autofilter(0, 0, max(r - 1, 1), len(FIGURES) + 2)

    ws = book.sheet("Αποκλίσεις", DEVIATION_HEADERS, DEVIATION_WIDTHS)
    query = dev.sheet_query(scope, as_of, Decimal("0.10")).limit(MAX_DEVIATIONS)
    last = _deviation_rows(book, ws, session.connection().execute(query))
    ws.autofilter(0, 0, max(last, 1), len(DEVIATION_HEADERS) - 1)

    cycle = cycle_of(session, root.municipality_id, year)
    ws = book.sheet(
        "Πληρότητα", ["Κωδικός", "Μονάδα", "Προγραμματισμός", "Απολογισμός"], [10, 45, 24, 24]
    )
    if cycle is not None:
        result = dev.completeness(session, caller, cycle)
        for r, u in enumerate(result.units, start=1):
            for c, value in enumerate(
                [u.org_unit_code, u.org_unit_name, STATES[u.plan.value], STATES[u.report.value]]
            ):
                book.value(ws, r, c, value)
        ws.autofilter(0, 0, max(len(result.units), 1), 3)
    return book.close()


def _deviation_rows(book: _Book, ws: Any, rows: Iterable[Any]) -> int:
    """Write the rows of `dev.sheet_query` from row 1 on; the number of the last row.

    Each column has one type, so each cell goes straight to its xlsxwriter method: text always
    with write_string (never a formula, whatever it starts with), numbers as floats, nothing
    for a missing value (a blank cell without format is no cell at all)."""
    kinds, statuses, categories = (
        CHOICES["kind"],
        CHOICES["status"],
        CHOICES["deviation_category"],
    )
    flag_texts: dict[int, str] = {}
    unit_labels: dict[str, str] = {}
    money = book.money
    text, number = ws.write_string, ws.write_number
    r = 0
    for r, (
        unit_code,
        unit_name,
        code,
        title,
        kind,
        status,
        bits,
        late_start,
        late_finish,
        planned,
        actual,
        category,
        reason,
    ) in enumerate(rows, start=1):
        flags = flag_texts.get(bits)
        if flags is None:
            flags = flag_texts[bits] = ", ".join(f.value for f in dev.flag_names(bits))
        unit = unit_labels.get(unit_code)
        if unit is None:
            unit = unit_labels[unit_code] = f"{unit_code} {unit_name}"
        text(r, 0, unit)
        text(r, 1, code)
        text(r, 2, title)
        text(r, 3, kinds.get(kind, kind))
        text(r, 4, statuses.get(status, status))
        text(r, 5, flags)
        if late_start is not None:
            number(r, 6, float(round(late_start)))
        if late_finish is not None:
            number(r, 7, float(round(late_finish)))
        if planned is not None or actual is not None:
            if planned is not None:
                number(r, 8, float(planned), money)
            if actual is not None:
                number(r, 9, float(actual), money)
            number(r, 10, dev.absorption_gap(planned, actual), money)
        label = categories.get(category or "")
        if label is not None:
            text(r, 11, label)
        if reason is not None:
            text(r, 12, reason)
    return r
