"""Broken and hostile uploads: each gets a clear 4xx problem+json in Greek, nothing is written
(not even an import record), and the service keeps answering."""

import io
import zipfile

import pytest
from sqlalchemy import func, select

from app.excel.columns import PLAN_SHEET
from app.excel.models import ImportJob
from tests.excel import hostile
from tests.excel.helpers import edit, upload
from tests.excel.support import Desk, first_free_row, snapshot

MB = 1024 * 1024


def jobs(session) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(ImportJob)) or 0


def refused(client, session, desk: Desk, data: bytes, status: int) -> str:  # type: ignore[no-untyped-def]
    """Upload for commit; check the refusal, that nothing was written and that the service
    still answers (and still imports); return the problem's detail."""
    before, count = snapshot(session), jobs(session)
    r = upload(client, desk.editor, data, dry_run="false")
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == status and body["detail"]
    assert snapshot(session) == before
    assert jobs(session) == count
    assert client.get("/healthz").status_code == 200
    return str(body["detail"])


def still_imports(client, desk: Desk) -> None:
    r = upload(client, desk.editor, desk.workbook(client))
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["plan"]["unchanged"] == 3


class TestZipBomb:
    def test_past_a_lowered_limit_is_413(self, client, session, settings):
        desk = Desk(session)
        settings(max_inflated_bytes=MB)
        bomb = hostile.inflating_sheet(desk.workbook(client), PLAN_SHEET, 2 * MB)
        assert len(bomb) < 100_000
        detail = refused(client, session, desk, bomb, 413)
        assert (
            detail
            == "το αρχείο αποσυμπιέζεται σε πάρα πολλά δεδομένα (πάνω από 1 MB): δεν διαβάζεται"
        )

    def test_past_the_default_limit_is_413(self, client, session):
        desk = Desk(session)
        bomb = hostile.inflating_sheet(desk.workbook(client), PLAN_SHEET, 201 * MB)
        assert len(bomb) < 1 * MB  # a thousandfold
        assert "πάνω από 200 MB" in refused(client, session, desk, bomb, 413)
        still_imports(client, desk)

    def test_an_understated_declared_size_does_not_help(self, client, session, settings):
        desk = Desk(session)
        settings(max_inflated_bytes=MB)
        data = desk.workbook(client)
        bomb = hostile.inflating_sheet(data, PLAN_SHEET, 2 * MB)
        faked = hostile.understated(bomb, hostile.sheet_part(data, PLAN_SHEET))
        assert (
            zipfile.ZipFile(io.BytesIO(faked)).getinfo("xl/worksheets/sheet2.xml").file_size == 100
        )
        refused(client, session, desk, faked, 415)


class TestBrokenInside:
    def test_a_sheet_of_broken_xml_is_415(self, client, session):
        desk = Desk(session)
        data = desk.workbook(client)
        part = hostile.sheet_part(data, PLAN_SHEET)
        broken = hostile.rewrite(data, part, [b"<worksheet><sheetData><row r='1'><c"])
        assert "κατεστραμμένο" in refused(client, session, desk, broken, 415)
        still_imports(client, desk)

    @pytest.mark.parametrize("styles", [b"", b"<x/>"], ids=["empty", "not a stylesheet"])
    def test_a_broken_stylesheet_that_no_parser_reads_is_415(self, client, session, styles):
        desk = Desk(session)
        broken = hostile.rewrite(desk.workbook(client), "xl/styles.xml", [styles])
        assert "κατεστραμμένο" in refused(client, session, desk, broken, 415)

    def test_problems_are_listed_when_the_copy_cannot_be_marked(self, client, session):
        """calamine reads this stylesheet, openpyxl (which marks the copy) does not."""
        desk = Desk(session)
        data = desk.workbook(client)
        new = first_free_row(data, PLAN_SHEET)
        bad = edit(data, {PLAN_SHEET: {(new, "kind"): "Μελέτη", (new, "title"): "Χ"}})
        styles = (
            b"<styleSheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>"
            b"<numFmts count='1'><numFmt numFmtId='200'/></numFmts></styleSheet>"
        )
        bad = hostile.rewrite(bad, "xl/styles.xml", [styles])
        r = upload(client, desk.editor, bad)
        assert r.status_code == 200, r.text
        assert [p["cell"] for p in r.json()["problems"]] == [f"D{new}"]
        assert r.json()["annotated_url"] is None
        r = upload(client, desk.editor, bad, dry_run="false")
        assert r.status_code == 422 and r.json()["errors"][0]["loc"][:2] == [PLAN_SHEET, f"D{new}"]


class TestNotAWorkbook:
    @pytest.mark.parametrize(
        ("content", "says"),
        [
            (hostile.random_bytes(), "δεν είναι βιβλίο εργασίας Excel (.xlsx)"),
            (hostile.PNG, "δεν είναι βιβλίο εργασίας Excel (.xlsx)"),
            (hostile.CSV, "δεν είναι βιβλίο εργασίας Excel (.xlsx)"),
            (hostile.DOCX, "δεν είναι βιβλίο εργασίας Excel (.xlsx)"),
            (b"PK\x03\x04" + hostile.random_bytes(2000), "κατεστραμμένο"),
            (hostile.XLS, "παλιό αρχείο .xls ή αρχείο με κωδικό"),
            (hostile.ENCRYPTED, "χωρίς κωδικό"),
        ],
        ids=["random bytes", "png", "csv", "docx", "broken zip", "xls renamed", "encrypted"],
    )
    def test_is_415_saying_what_to_do(self, client, session, content, says):
        desk = Desk(session)
        assert says in refused(client, session, desk, content, 415)

    def test_a_truncated_workbook_is_415(self, client, session):
        desk = Desk(session)
        data = desk.workbook(client)
        assert "κατεστραμμένο" in refused(client, session, desk, data[: len(data) // 2], 415)

    def test_an_empty_file_is_422(self, client, session):
        desk = Desk(session)
        assert refused(client, session, desk, b"", 422) == "το αρχείο είναι κενό"

    def test_a_zip_of_thousands_of_parts_is_422(self, client, session):
        desk = Desk(session)
        entries = {"xl/workbook.xml": b"<workbook/>"} | {f"xl/x{i}.xml": b"" for i in range(1001)}
        assert "1002 εσωτερικά μέρη" in refused(client, session, desk, hostile.zip_of(entries), 422)


class TestUploadSize:
    def test_over_a_lowered_limit_is_413(self, client, session, settings):
        desk = Desk(session)
        data = desk.workbook(client)
        settings(max_upload_bytes=4096)
        assert refused(client, session, desk, data, 413) == "το αρχείο είναι μεγαλύτερο από 4 KB"

    def test_over_the_default_limit_is_413(self, client, session):
        desk = Desk(session)
        refused(client, session, desk, b"PK\x03\x04" + b"\x00" * (8 * MB), 413)


class TestMillionRows:
    """A sheet whose XML names a million rows (formatting only, or a far cell): the import
    must neither hang nor take the service down; it imports the real rows or refuses."""

    @pytest.mark.parametrize(
        ("rows", "dimension"),
        [
            ((f'<row r="{n}" s="1" customFormat="1"/>' for n in range(300, 1_048_577)), None),
            (
                (
                    f'<row r="{n}"><c r="A{n}" s="1"/><c r="T{n}" s="1"/></row>'
                    for n in range(300, 1_048_577)
                ),
                "A1:T1048576",
            ),
            (iter(['<row r="1048576"><c r="XFD1048576" s="1"/></row>']), "A1:XFD1048576"),
        ],
        ids=["formatted rows", "formatted cells", "a far formatted cell"],
    )
    def test_only_formatting_imports_the_real_rows(self, client, session, rows, dimension):
        desk = Desk(session)
        data = desk.workbook(client)
        new = first_free_row(data, PLAN_SHEET)
        data = edit(data, {PLAN_SHEET: {(new, "kind"): "Δράση", (new, "title"): "Πραγματική"}})
        huge = hostile.extra_rows(data, PLAN_SHEET, rows, dimension)
        r = upload(client, desk.editor, huge)
        assert r.status_code == 200, r.text
        assert r.json()["problems"] == [], r.json()
        assert r.json()["summary"]["plan"] == {
            "created": 1,
            "updated": 0,
            "deleted": 0,
            "unchanged": 3,
            "conflicts": 0,
        }
        assert client.get("/healthz").status_code == 200

    def test_a_far_cell_with_a_value_is_refused_and_the_service_keeps_serving(
        self, client, session
    ):
        desk = Desk(session)
        far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        huge = hostile.extra_rows(desk.workbook(client), PLAN_SHEET, [far])
        assert len(huge) < 100_000  # what it asks of a parser is 17 billion cells
        assert "δεν μπορεί να διαβαστεί" in refused(client, session, desk, huge, 422)
        still_imports(client, desk)


class TestTooManyRows:
    def test_past_max_rows_is_422_naming_the_sheet(self, client, session, settings):
        desk = Desk(session)
        data = desk.workbook(client)
        new = first_free_row(data, PLAN_SHEET)
        cells = {}
        for n in range(new, new + 10):
            cells |= {(n, "kind"): "Δράση", (n, "title"): f"Ενέργεια {n}"}
        settings(max_rows=10)
        detail = refused(client, session, desk, edit(data, {PLAN_SHEET: cells}), 422)
        assert detail == f"το φύλλο «{PLAN_SHEET}» έχει πάνω από 10 γραμμές"
