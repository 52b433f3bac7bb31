"""Turning the rows of a sheet into field values, with every bad cell named."""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from app.excel.columns import CHOICES, Column, Kind
from app.excel.reader import Header, column_letter
from app.excel.values import CellError, as_bool, as_date, as_decimal, as_text, fold, is_blank

TOTAL_WORDS = ("συνολο", "συνολα", "total", "totals", "γενικο συνολο")
_NAME_SPLIT = re.compile(r"[,;\n]+")
_WITH_ID = re.compile(r"^(.*?)\s*\(#(\d+)\)\s*$")


@dataclass
class Problem:
    sheet: str
    cell: str
    column: str
    value: str
    message: str


@dataclass
class Row:
    number: int  # the row number the clerk sees (1-based)
    values: dict[str, Any] = field(default_factory=dict)
    source: list[Any] = field(default_factory=list)  # the sheet's row as read
    columns: dict[str, int] = field(default_factory=dict)  # key → column index (shared)
    ok: bool = True

    # Cell references and raw values are wanted only for a problem: made on demand.

    @property
    def cells(self) -> dict[str, str]:
        """Key → cell reference (`F12`)."""
        return {k: f"{column_letter(i)}{self.number}" for k, i in self.columns.items()}

    @property
    def raw(self) -> dict[str, Any]:
        """Key → the cell's value as read."""
        n = len(self.source)
        return {k: self.source[i] if i < n else None for k, i in self.columns.items()}


class Staff:
    """The employees of a unit (and the units below it), found by name: case, Greek accents
    and spacing ignored; an unknown name gets the closest names as a suggestion."""

    def __init__(self, people: list[tuple[int, str]]) -> None:
        self.by_name: dict[str, list[int]] = {}
        self.names: dict[str, str] = {}
        self.ids = {emp_id for emp_id, _ in people}
        for emp_id, name in people:
            key = self.key(name)
            self.by_name.setdefault(key, []).append(emp_id)
            self.names[key] = name

    def label(self, emp_id: int, name: str) -> str:
        """How the workbook names an employee: namesakes carry their id, «Όνομα (#12)»."""
        return f"{name} (#{emp_id})" if len(self.by_name.get(self.key(name), [])) > 1 else name

    @staticmethod
    def key(name: str) -> str:
        """Word order does not matter: «ΠΑΠΑΔΟΠΟΥΛΟΥ Μαρία» is «Μαρία Παπαδοπούλου»."""
        return " ".join(sorted(fold(name).split()))

    def find(self, text: str) -> list[int]:
        ids: list[int] = []
        for part in _NAME_SPLIT.split(text):
            if not part.strip():
                continue
            if (m := _WITH_ID.match(part)) and int(m[2]) in self.ids:
                if int(m[2]) not in ids:
                    ids.append(int(m[2]))
                continue
            key = self.key(part)
            found = self.by_name.get(key)
            if not found:
                close = difflib.get_close_matches(key, self.names, n=3, cutoff=0.6)
                hint = (
                    "· μήπως εννοείτε " + " ή ".join(f"«{self.names[c]}»" for c in close)
                    if close
                    else ""
                )
                raise CellError(f"δεν υπάρχει υπάλληλος «{part.strip()}» στη μονάδα{hint}")
            if len(found) > 1:
                # The workbook's list names namesakes with their id: offer exactly that.
                name = self.names[key]
                offers = " ή ".join(f"«{name} (#{i})»" for i in sorted(found))
                raise CellError(
                    f"υπάρχουν {len(found)} υπάλληλοι με το όνομα «{part.strip()}»: γράψτε {offers}"
                )
            if found[0] not in ids:
                ids.append(found[0])
        return ids


@cache
def _choice_codes(choices: str) -> dict[str, str]:
    """Folded code or label → code, of one drop-down list."""
    codes = {}
    for code, label in reversed(CHOICES[choices].items()):
        codes[fold(label)] = codes[fold(code)] = code
    return codes


def _choice(column: Column, value: object) -> str:
    assert column.choices is not None
    code = _choice_codes(column.choices).get(fold(value))
    if code is not None:
        return code
    allowed = ", ".join(CHOICES[column.choices].values())
    raise CellError(f"«{value}» δεν είναι στη λίστα ({allowed})")


def _hidden_number(value: object) -> int | None:
    try:
        number = as_decimal(value)
    except CellError:
        number = Decimal(-1)
    if number is None:
        return None
    if number != number.to_integral_value() or not 0 <= number < 2**31:
        raise CellError("μην αλλάζετε τις κρυφές στήλες")
    return int(number)


def _staff_parser(staff: Staff | None) -> Callable[[object], list[int]]:
    def parse(value: object) -> list[int]:
        text = as_text(value)
        if text is None:
            return []
        if staff is None:
            raise CellError("δεν υπάρχουν υπάλληλοι στη μονάδα")
        return staff.find(text)

    return parse


def cell_parser(column: Column, staff: Staff | None) -> Callable[[object], Any]:
    """How the cells of a column are read: chosen once per column, not once per cell."""
    kind = column.kind
    if kind in (Kind.id, Kind.version):
        return _hidden_number
    if kind == Kind.date:
        return as_date
    if kind in (Kind.money, Kind.number):
        return as_decimal
    if kind == Kind.choice:
        return lambda value: None if is_blank(value) else _choice(column, value)
    if kind == Kind.boolean:
        return as_bool
    if kind == Kind.staff:
        return _staff_parser(staff)
    return as_text


_TOTAL_LEN = 2 * max(len(w) for w in TOTAL_WORDS) + 10
# The first letters of the words, in every case (no accent falls on Σ, Τ or Γ).
_TOTAL_FIRST = frozenset(c for w in TOTAL_WORDS for c in (w[0], w[0].upper())) | {"ς"}


def is_total_row(values: list[Any]) -> bool:
    """A row of totals that the clerk added under the items («Σύνολο:»). Cheap tests first:
    longer text, or text starting with another letter, is an item's, not a total's label."""
    for v in values:
        if (
            type(v) is str
            and len(v) <= _TOTAL_LEN
            and (v[:1] in _TOTAL_FIRST or (v[:1].isspace() and v.lstrip()[:1] in _TOTAL_FIRST))
            and fold(v).rstrip(":") in TOTAL_WORDS
        ):
            return True
    return False


def parse_rows(
    sheet: str,
    rows: list[list[Any]],
    header: Header,
    columns: tuple[Column, ...],
    problems: list[Problem],
    *,
    staff: Staff | None = None,
    keys: frozenset[str] | None = None,
) -> list[Row]:
    """The rows under the header with a value in some column, parsed; `keys`: read only these
    columns (the others, shown for the clerk's information, cannot fail the import)."""
    by_key = {c.key: c for c in columns}
    # Per column: its key, index, description, parser, and whether a blank cell means [].
    order = [
        (key, i, c, cell_parser(c, staff), c.kind == Kind.staff)
        for key, i in header.columns.items()
        if keys is None or key in keys
        for c in (by_key[key],)
    ]
    id_at = header.columns.get("id")
    out: list[Row] = []
    for r in range(header.row + 1, len(rows)):
        cells = rows[r]
        n = len(cells)
        present = [cells[i] if i < n else None for _, i, _, _, _ in order]
        if all(is_blank(v) for v in present):
            continue
        # A row of the application's (it has an id) is an item's, never a total the clerk typed.
        if (id_at is None or id_at >= n or is_blank(cells[id_at])) and is_total_row(cells):
            continue
        row = Row(number=r + 1, source=cells, columns=header.columns)
        values = row.values
        for (key, i, column, parse, listed), raw in zip(order, present, strict=True):
            if raw is None or raw == "":  # an empty cell (calamine reads them as "")
                values[key] = [] if listed else None
                continue
            try:
                values[key] = parse(raw)
            except CellError as exc:
                row.ok = False
                problems.append(
                    Problem(
                        sheet,
                        f"{column_letter(i)}{r + 1}",
                        column.header,
                        str(raw),
                        str(exc),
                    )
                )
        out.append(row)
    return out
