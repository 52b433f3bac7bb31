"""Cell values as Excel, LibreOffice and clerks write them (app/excel/values.py, rows.py)."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.excel.columns import PLAN_COLUMNS
from app.excel.reader import column_letter, find_header
from app.excel.rows import Staff, is_total_row
from app.excel.values import CellError, as_bool, as_date, as_decimal, fold, looks_like_formula


class TestAsDecimal:
    @pytest.mark.parametrize(
        ("cell", "number"),
        [
            ("1.234,56", "1234.56"),
            ("1234.56", "1234.56"),
            ("1,234.56", "1234.56"),
            ("1234,5", "1234.5"),
            ("1.200", "1200"),
            ("€ 1.200", "1200"),
            ("1 234,56", "1234.56"),
            ("1\u00a0234,56", "1234.56"),
            ("1.234.567", "1234567"),
            ("40%", "40"),
            (" 12 ", "12"),
            (1234.56, "1234.56"),
            (7, "7"),
            ("-5", "-5"),
        ],
    )
    def test_reads_numbers_and_greek_or_english_text(self, cell, number):
        assert as_decimal(cell) == Decimal(number)

    @pytest.mark.parametrize("cell", [None, "", "   "])
    def test_blank_is_none(self, cell):
        assert as_decimal(cell) is None

    @pytest.mark.parametrize("cell", ["πολλά", "1,2,3.4.5x", "NaN", "inf", True, "12-5"])
    def test_anything_else_is_a_cell_error_in_greek(self, cell):
        with pytest.raises(CellError, match="δεν είναι αριθμός"):
            as_decimal(cell)


class TestAsDate:
    @pytest.mark.parametrize(
        ("cell", "day"),
        [
            ("31/12/2027", date(2027, 12, 31)),
            ("1/3/2027", date(2027, 3, 1)),
            ("31.12.2027", date(2027, 12, 31)),
            ("31-12-27", date(2027, 12, 31)),
            ("2027-12-31", date(2027, 12, 31)),
            ("2027-12-31T00:00:00", date(2027, 12, 31)),
            (datetime(2027, 12, 31, 10, 30), date(2027, 12, 31)),
            (date(2027, 12, 31), date(2027, 12, 31)),
            (46387, date(2026, 12, 31)),  # a serial without a date format
            (46387.0, date(2026, 12, 31)),
        ],
    )
    def test_reads_real_dates_text_and_serials(self, cell, day):
        assert as_date(cell) == day

    @pytest.mark.parametrize(
        ("cell", "message"),
        [
            ("31/02/2027", "«31/02/2027» δεν είναι υπαρκτή ημερομηνία"),
            ("2027-13-01", "«2027-13-01» δεν είναι υπαρκτή ημερομηνία"),
            ("αύριο", "«αύριο» δεν είναι ημερομηνία: γράψτε την ως 31/12/2026"),
            (-3, "«-3» δεν είναι ημερομηνία"),
            (10**7, f"«{10**7}» δεν είναι ημερομηνία"),
        ],
    )
    def test_an_impossible_or_unreadable_date_is_named(self, cell, message):
        with pytest.raises(CellError) as exc:
            as_date(cell)
        assert str(exc.value) == message


class TestFold:
    @pytest.mark.parametrize(
        ("a", "b"),
        [
            ("ΠΑΠΑΔΟΠΟΥΛΟΣ", "Παπαδόπουλος"),
            ("  παπαδοπουλος  ", "Παπαδόπουλος"),
            ("Προϋπολογισμός   (€)", "ΠΡΟΥΠΟΛΟΓΙΣΜΟΣ (€)"),
            ("Planned\nStart", "planned start"),
        ],
    )
    def test_ignores_case_accents_final_sigma_and_spacing(self, a, b):
        assert fold(a) == fold(b)


class TestAsBool:
    @pytest.mark.parametrize(
        ("cell", "value"), [("Ναι", True), ("ΟΧΙ", False), ("yes", True), ("0", False)]
    )
    def test_reads_greek_and_english(self, cell, value):
        assert as_bool(cell) is value

    def test_anything_else_is_named(self):
        with pytest.raises(CellError, match="γράψτε Ναι ή Όχι"):
            as_bool("ίσως")


class TestLooksLikeFormula:
    @pytest.mark.parametrize("text", ["=1+1", "+30", "-x", "@A1", "\tx", "\rx"])
    def test_the_formula_starts(self, text):
        assert looks_like_formula(text)

    @pytest.mark.parametrize("text", ["Δράση", "1-2", "", None, 5, "a=b"])
    def test_anything_else(self, text):
        assert not looks_like_formula(text)


class TestStaffNames:
    staff = Staff(
        [
            (1, "Μαρία Παπαδοπούλου"),
            (2, "Γιώργος Νικολάου"),
            (3, "Νίκος Γεωργίου"),
            (4, "Νίκος Γεωργίου"),
        ]
    )

    @pytest.mark.parametrize(
        ("text", "ids"),
        [
            ("ΠΑΠΑΔΟΠΟΥΛΟΥ ΜΑΡΙΑ", [1]),
            ("μαρια παπαδοπουλου; Γιώργος Νικολάου", [1, 2]),
            ("Γιώργος Νικολάου\nΜαρία Παπαδοπούλου", [2, 1]),
            ("Νίκος Γεωργίου (#4)", [4]),
            ("Μαρία Παπαδοπούλου, Μαρία Παπαδοπούλου", [1]),
        ],
    )
    def test_found_by_name_in_any_case_accent_and_order(self, text, ids):
        assert self.staff.find(text) == ids

    def test_an_id_of_another_unit_is_not_taken(self):
        with pytest.raises(CellError, match="δεν υπάρχει υπάλληλος"):
            self.staff.find("Κάποιος (#99)")


class TestHeaders:
    def test_found_below_a_title_by_greek_header_or_english_alias(self):
        rows: list[list[object]] = [
            ["Πρόγραμμα 2027"],
            [],
            ["", "TYPE", " τίτλος  ενέργειας", "Budget eur", "άγνωστη"],
        ]
        header = find_header(rows, PLAN_COLUMNS)
        assert header is not None and header.row == 2
        assert header.columns == {"kind": 1, "title": 2, "budget": 3}
        assert header.unknown == ["άγνωστη"]

    def test_not_found_in_a_sheet_of_something_else(self):
        assert find_header([["Όνομα", "Τηλέφωνο"], ["Χ", "210"]], PLAN_COLUMNS) is None

    @pytest.mark.parametrize(("index", "letter"), [(0, "A"), (25, "Z"), (26, "AA"), (16383, "XFD")])
    def test_column_letters(self, index, letter):
        assert column_letter(index) == letter

    @pytest.mark.parametrize(
        ("row", "total"),
        [
            (["", "Σύνολο", 100], True),
            (["ΣΥΝΟΛΟ:", None], True),
            (["Total"], True),
            (["  γενικό   ΣΎΝΟΛΟ:"], True),
            ([3, "\tσύνολα"], True),
            (["TOTALS:"], True),
            (["Σύνολο δράσεων πόλης"], False),
            (["Δράση", "Νέα δράση", "σ"], False),
            ([" ", "", None, 12.5], False),
        ],
    )
    def test_a_total_row_is_recognised(self, row, total):
        assert is_total_row(row) is total
