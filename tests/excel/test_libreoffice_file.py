"""A filled workbook saved by LibreOffice Calc imports correctly.

The fixture `fixtures/libreoffice_filled.xlsx` was made by `python -m
tests.excel.fixtures.libreoffice` (see that module): the app wrote the 2027 workbook of unit
LO.T1 (id 900001) with openpyxl, a script filled it with `FILL` (new rows, an edited budget,
staff by name in capitals and without accents, dates as text and as real dates, amounts as
`1.234,56` and `1234.56` text, trailing blanks; the report sheet's outcomes), and
`soffice --headless --convert-to xlsx --outdir OUT clerk.xlsx` (LibreOffice 7.4.7.2) saved it.
The file is committed as LibreOffice wrote it; `build()` makes the unit and items with the same
fixed ids, so it imports untouched on SQLite and PostgreSQL alike.
"""

import zipfile
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.planning.models import Item
from tests.builders import auth
from tests.excel.fixtures.libreoffice import (
    FIXTURE,
    LAST_1,
    LAST_2,
    THIS_1,
    THIS_2,
    THIS_3,
    build,
)
from tests.excel.helpers import upload
from tests.excel.support import assignees, outcome_of, snapshot, stored

NOTHING = {"created": 0, "updated": 0, "deleted": 0, "conflicts": 0}


class TestTheFixture:
    def test_was_written_by_libreoffice(self):
        with zipfile.ZipFile(FIXTURE) as z:
            assert b"<Application>LibreOffice/" in z.read("docProps/app.xml")
            assert b'appName="Calc"' in z.read("xl/workbook.xml")


class TestLibreOfficeWorkbookImport:
    def test_dry_run_then_commit_then_the_same_file_again(self, client, session):
        made = build(session)
        ed = auth(made["editor"])
        data = FIXTURE.read_bytes()
        before = snapshot(session)

        r = upload(client, ed, data)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["problems"] == [], body["problems"]
        assert body["summary"]["plan"] == {
            "created": 2,
            "updated": 2,
            "deleted": 0,
            "unchanged": 1,
            "conflicts": 0,
        }
        assert body["summary"]["report"] == {**NOTHING, "created": 2, "unchanged": 0}
        assert snapshot(session) == before

        r = upload(client, ed, data, dry_run="false")
        assert r.status_code == 201, r.text
        first = stored(session, Item, THIS_1)
        assert first is not None and first["budget"] == Decimal("15000.00")
        people = made["people"]
        assert assignees(session, THIS_2) == sorted(
            [people["Ελένη Κωνσταντινίδου"].id, people["Γιάννης Μαύρος"].id]
        )
        assert assignees(session, THIS_3) == [people["Ελένη Κωνσταντινίδου"].id]
        new = {
            i.title: i
            for i in session.scalars(
                select(Item).where(
                    Item.plan_id == made["plan"].id, Item.id.not_in([THIS_1, THIS_2, THIS_3])
                )  # type: ignore[union-attr]
            )
        }
        square = new["Ανάπλαση πλατείας"]
        assert (square.kind, square.funding_source) == ("project", "rrf")
        assert (square.planned_start, square.planned_end) == (date(2027, 4, 1), date(2027, 11, 30))
        assert (square.budget, square.planned_absorption) == (
            Decimal("1234.56"),
            Decimal("1234.56"),
        )
        assert assignees(session, square.id) == [people["Γιάννης Μαύρος"].id]
        news = new["Ενημέρωση πολιτών"]
        assert (news.planned_start, news.planned_end) == (date(2027, 5, 1), date(2027, 12, 31))
        assert (news.budget, news.weight) == (Decimal("2500.00"), Decimal("1.50"))
        done = outcome_of(session, LAST_1)
        assert done is not None
        assert (done["status"], done["actual_start"], done["actual_end"]) == (
            "completed",
            date(2026, 2, 15),
            date(2026, 7, 10),
        )
        assert done["actual_absorption"] == Decimal("4999.90")
        going = outcome_of(session, LAST_2)
        assert going is not None
        assert (going["status"], going["progress_pct"], going["deviation_category"]) == (
            "in_progress",
            Decimal("60"),
            "contractor",
        )
        assert going["deviation_reason"] == "Καθυστέρηση παράδοσης"

        committed = snapshot(session)
        r = upload(client, ed, data, dry_run="false")
        assert r.status_code == 201, r.text
        assert r.json()["problems"] == [], r.json()
        assert r.json()["summary"]["plan"] == {**NOTHING, "unchanged": 5}
        assert r.json()["summary"]["report"] == {**NOTHING, "unchanged": 2}
        assert snapshot(session) == committed
