"""Reading cell values as Excel and LibreOffice write them, and text comparison that ignores
case, Greek accents and spacing."""

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

EXCEL_EPOCH = date(1899, 12, 30)
_SPACES = re.compile(r"\s+")
_DATE_TEXT = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")


class CellError(ValueError):
    """A cell that cannot be read; the message is for the clerk (Greek)."""


def fold(text: object) -> str:
    """`ΠΑΠΑΔΟΠΟΥΛΟΣ` = `Παπαδόπουλος` = ` παπαδοπουλος `: case, accents, final sigma, spacing."""
    return _fold(str(text))


@lru_cache(maxsize=4096)  # the same names and list labels come back on every row
def _fold(text: str) -> str:
    s = unicodedata.normalize("NFD", text)
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    s = s.casefold().replace("ς", "σ")
    return _SPACES.sub(" ", s).strip()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def as_date(value: object) -> date | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date serial without a date format (LibreOffice, or a cell typed as number).
        if 1 <= value < 80000:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise CellError(f"«{value}» δεν είναι ημερομηνία")
    text = str(value).strip()
    try:
        if m := _ISO_DATE.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DATE_TEXT.match(text):
            year = int(m[3])
            year = year + 2000 if year < 100 else year
            return date(year, int(m[2]), int(m[1]))
    except ValueError:
        raise CellError(f"«{text}» δεν είναι υπαρκτή ημερομηνία") from None
    raise CellError(f"«{text}» δεν είναι ημερομηνία: γράψτε την ως 31/12/2026")


def as_decimal(value: object) -> Decimal | None:
    """Numbers and text such as `1.234,56`, `1234.56`, `1,234.56`, `1234,5`, `€ 1.200`."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"«{value}» δεν είναι αριθμός")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip().replace("€", "").replace("%", "").replace(" ", "")
    text = text.replace("\u00a0", "")
    # Greek sheets write 1.234,56; others 1,234.56. Where one separator is ambiguous, the Greek
    # reading wins, except "1234.56" (two decimals), which the spec names as a money form.
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", "") if text.count(",") > 1 else text.replace(",", ".")
    elif text.count(".") > 1 or re.fullmatch(r"-?[1-9]\d{0,2}\.\d{3}", text):
        text = text.replace(".", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"«{value}» δεν είναι αριθμός") from None
    if not number.is_finite():
        raise CellError(f"«{value}» δεν είναι αριθμός")
    return number


def as_bool(value: object) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    folded = fold(value)
    if folded in ("ναι", "yes", "y", "true", "1", "ν", "x", "✓"):
        return True
    if folded in ("οχι", "no", "n", "false", "0", "ο"):
        return False
    raise CellError(f"«{value}»: γράψτε Ναι ή Όχι")


def looks_like_formula(value: object) -> bool:
    """Text that a spreadsheet would run as a formula when typed or pasted (CSV injection):
    such text must be written as a text cell, never as a formula."""
    return isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r")
