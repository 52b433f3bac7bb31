"""Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) is
written as text, exactly as stored, in the unit workbook and in the consolidated workbook; it
comes back unchanged on import. And formula cells in an upload give their value, never their
formula."""

import io
from datetime import date

import pytest
import xlsxwriter
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape
from sqlalchemy import select

from app.excel.columns import META_SHEET, PLAN_SHEET, REPORT_SHEET, TEMPLATE_VERSION
from app.planning.models import Item
from app.reporting.models import Outcome
from tests import plan_builders as pb
from tests.builders import World, auth, employee
from tests.excel.helpers import col_index, edit, upload
from tests.excel.support import Desk, first_free_row, snapshot


def as_read(text: str) -> str:
    """What openpyxl reads back from the unit workbook: openpyxl writes text raw, and XML turns
    a CR into a line feed (a spreadsheet does the same)."""
    return text.replace("\r", "\n")


RISKY = [
    '=HYPERLINK("http://evil.example","κλικ")',
    "+30 2310 000000",
    "-Καθαρισμός ρεμάτων",
    "@SUM(A1:A9)",
    "\tμε tab",
    "\rμε CR",
]


class TestUnitWorkbook:
    def test_risky_text_is_a_text_cell_holding_exactly_the_stored_text(self, client, session):
        desk = Desk(session)
        employee(session, desk.unit, "=Ονομα Επώνυμο")
        for n, text in enumerate(RISKY, start=10):
            pb.item(session, desk.plan, f"0{n}", title=text, notes=text, kpi_name=text)
        pb.item(session, desk.last, "010", title=RISKY[0])
        wb = load_workbook(io.BytesIO(desk.workbook(client)))
        plan = wb[PLAN_SHEET]
        cells = {
            plan.cell(row=r, column=col_index(PLAN_SHEET, key))
            for r in range(2, plan.max_row + 1)
            for key in ("title", "notes", "kpi_name")
        }
        written = {c.value: c for c in cells if c.value is not None}
        for text in RISKY:
            assert as_read(text) in written, text
            assert written[as_read(text)].data_type == "s", text
        report = wb[REPORT_SHEET]
        titles = [report.cell(row=r, column=col_index(REPORT_SHEET, "title")) for r in range(2, 5)]
        assert any(c.value == RISKY[0] and c.data_type == "s" for c in titles)
        lists = [c for row in wb["_lists"].iter_rows() for c in row if c.value == "=Ονομα Επώνυμο"]
        assert lists and all(c.data_type == "s" for c in lists)

    def test_the_workbook_imports_again_with_no_change(self, client, session):
        desk = Desk(session)
        for n, text in enumerate(RISKY[:4], start=10):
            pb.item(session, desk.plan, f"0{n}", title=text, description=text)
        r = upload(client, desk.editor, desk.workbook(client))
        assert r.json()["problems"] == [], r.json()
        assert r.json()["summary"]["plan"]["unchanged"] == 7, r.json()

    def test_typed_in_risky_text_is_stored_as_typed(self, client, session):
        desk = Desk(session)
        data = desk.workbook(client)
        new = first_free_row(data, PLAN_SHEET)
        wb = load_workbook(io.BytesIO(data))
        ws = wb[PLAN_SHEET]
        ws.cell(row=new, column=col_index(PLAN_SHEET, "kind"), value="Δράση")
        title = ws.cell(row=new, column=col_index(PLAN_SHEET, "title"), value="x")
        title.value, title.data_type = "=1+1", "s"  # what a text cell holding "=1+1" is
        out = io.BytesIO()
        wb.save(out)
        r = upload(client, desk.editor, out.getvalue(), dry_run="false")
        assert r.status_code == 201, r.text
        assert session.scalar(select(Item).where(Item.title == "=1+1")) is not None


class TestConsolidatedWorkbook:
    def test_risky_text_is_a_text_cell(self, client, session):
        w = World(session)
        pb.cycle(session, w.a, 2026)
        p = pb.plan(session, w.t11, 2026, status="approved")
        for n, text in enumerate(RISKY):
            i = pb.item(session, p, f"00{n}", title=text, planned_end=date(2026, 3, 1))
            session.add(
                Outcome(
                    municipality_id=p.municipality_id,
                    item_id=i.id,
                    status="postponed",
                    deviation_reason=text,
                )
            )
        session.flush()
        r = client.get(
            f"/api/v1/exports/consolidated?year=2026&org_unit_id={w.a.id}", headers=auth(w.quality)
        )
        assert r.status_code == 200, r.text
        ws = load_workbook(io.BytesIO(r.content))["Αποκλίσεις"]
        # xlsxwriter writes a CR as the OOXML escape _x000D_, which openpyxl leaves as it is.
        cells = [
            c
            for row in ws.iter_rows(min_row=2)
            for c in row
            if isinstance(c.value, str) and unescape(c.value) in RISKY
        ]
        assert {unescape(c.value) for c in cells} == set(RISKY)
        assert all(c.data_type == "s" for c in cells)
        assert len(cells) == 2 * len(RISKY)  # title and reason of each


class TestFormulaCellsInAnUpload:
    def test_a_formula_gives_its_shown_value_never_its_formula(self, client, session):
        desk = Desk(session)
        buffer = io.BytesIO()
        wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
        ws = wb.add_worksheet(PLAN_SHEET)
        ws.write_row(0, 0, ["Είδος", "Τίτλος ενέργειας", "Περιγραφή", "Κωδικός"])
        ws.write_row(1, 0, ["Δράση", "Ψηφιοποίηση αρχείου", None, "001"])
        ws.write_row(2, 0, ["Προμήθεια", "Προμήθεια υπολογιστών", None, "002"])
        ws.write_string(3, 0, "Δράση")
        ws.write_formula(3, 1, '=CONCATENATE("Ανάπλαση"," πάρκου")', None, "Ανάπλαση πάρκου")
        ws.write_formula(3, 2, '=HYPERLINK("http://evil.example","δείτε εδώ")', None, "δείτε εδώ")
        meta = wb.add_worksheet(META_SHEET)
        for r, pair in enumerate(
            [
                ("template_version", TEMPLATE_VERSION),
                ("org_unit_id", desk.unit.id),
                ("org_unit_code", "T11"),
                ("year", 2027),
            ]
        ):
            meta.write_row(r, 0, pair)
        wb.close()
        r = upload(client, desk.editor, buffer.getvalue(), dry_run="false")
        assert r.status_code == 201, r.text
        park = session.scalar(select(Item).where(Item.title == "Ανάπλαση πάρκου"))
        assert park is not None and park.description == "δείτε εδώ"

    @pytest.mark.parametrize("key", ["title", "kind"])
    def test_a_formula_with_no_value_in_a_required_cell_is_named(self, client, session, key):
        desk = Desk(session)
        data = desk.workbook(client)
        new = first_free_row(data, PLAN_SHEET)
        cells = {"kind": "Δράση", "title": "Νέα"} | {key: "=B1&C1"}  # openpyxl keeps no value
        before = snapshot(session)
        r = upload(
            client,
            desk.editor,
            edit(data, {PLAN_SHEET: {(new, k): v for k, v in cells.items()}}),
            dry_run="false",
        )
        assert r.status_code == 422, r.text
        [error] = r.json()["errors"]
        column = "E" if key == "title" else "D"
        assert error["loc"][:2] == [PLAN_SHEET, f"{column}{new}"]
        assert error["message"] == "υποχρεωτικό πεδίο"
        assert snapshot(session) == before
