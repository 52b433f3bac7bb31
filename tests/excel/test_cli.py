"""`apologismos excel workbook|import|consolidated|templates` against a real database of the
backend under test (the commands open their own sessions and commit)."""

import io
from pathlib import Path

from openpyxl import load_workbook
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import cli
from app.core import db as core_db
from app.excel.columns import PLAN_SHEET, REPORT_SHEET, TEMPLATE_VERSION
from app.planning.models import Item
from tests.excel.helpers import edit
from tests.excel.support import Desk, first_free_row, row_of, snapshot, stored

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, list(args))


def desk_in(url: str) -> Desk:
    with Session(core_db.get_engine(), expire_on_commit=False) as session:
        desk = Desk(session)
        session.commit()
    return desk


def database() -> dict[str, object]:
    """What the database holds now (in a transaction of its own, ended at once: an open
    SQLite transaction would lock the command out)."""
    with Session(core_db.get_engine()) as session:
        return snapshot(session)


def stored_item(item_id: int | None) -> dict[str, object] | None:
    with Session(core_db.get_engine()) as session:
        return stored(session, Item, item_id)


class TestWorkbookCommand:
    def test_writes_the_units_workbook(self, cli_db, tmp_path):
        desk = desk_in(cli_db)
        path = tmp_path / "t11.xlsx"
        result = run("excel", "workbook", "--unit", "T11", "--year", "2027", "-o", str(path))
        assert result.exit_code == 0, result.output
        data = path.read_bytes()
        assert row_of(data, PLAN_SHEET, desk.p2.id) > 1
        assert row_of(data, REPORT_SHEET, desk.l1.id) > 1

    def test_an_unknown_unit_code_is_refused(self, cli_db, tmp_path):
        desk_in(cli_db)
        result = run("excel", "workbook", "--unit", "T99", "--year", "2027", "-o", "x.xlsx")
        assert result.exit_code == 2
        assert "0 org units with code 'T99'" in result.output


class TestImportCommand:
    def test_dry_run_then_commit_then_the_export_again_changes_nothing(self, cli_db, tmp_path):
        desk = desk_in(cli_db)
        path = tmp_path / "t11.xlsx"
        assert (
            run("excel", "workbook", "--unit", "T11", "--year", "2027", "-o", str(path)).exit_code
            == 0
        )
        data = path.read_bytes()
        new = first_free_row(data, PLAN_SHEET)
        p2 = row_of(data, PLAN_SHEET, desk.p2.id)
        path.write_bytes(
            edit(
                data,
                {
                    PLAN_SHEET: {
                        (new, "kind"): "Υπηρεσία",
                        (new, "title"): "Καθαριότητα κτιρίων",
                        (p2, "budget"): "30.000,00",
                    }
                },
            )
        )
        before = database()
        result = run("excel", "import", str(path), "--user", "editor-t11")
        assert result.exit_code == 0, result.output
        assert "dry_run" in result.output
        assert database() == before

        result = run("excel", "import", str(path), "--user", "editor-t11", "--commit")
        assert result.exit_code == 0, result.output
        assert "committed" in result.output
        p2_row = stored_item(desk.p2.id)
        assert p2_row is not None and str(p2_row["budget"]) == "30000.00"

        again = tmp_path / "again.xlsx"
        assert (
            run("excel", "workbook", "--unit", "T11", "--year", "2027", "-o", str(again)).exit_code
            == 0
        )
        committed = database()
        result = run("excel", "import", str(again), "--user", "editor-t11", "--commit")
        assert result.exit_code == 0, result.output
        assert database() == committed

    def test_bad_cells_are_printed_and_the_exit_code_is_1(self, cli_db, tmp_path):
        desk_in(cli_db)
        path = tmp_path / "t11.xlsx"
        run("excel", "workbook", "--unit", "T11", "--year", "2027", "-o", str(path))
        data = path.read_bytes()
        new = first_free_row(data, PLAN_SHEET)
        path.write_bytes(
            edit(
                data,
                {
                    PLAN_SHEET: {
                        (new, "kind"): "Δράση",
                        (new, "title"): "Χ",
                        (new, "planned_end"): "31/02/2027",
                    }
                },
            )
        )
        before = database()
        result = run("excel", "import", str(path), "--user", "editor-t11", "--commit")
        assert result.exit_code == 1
        assert f"{PLAN_SHEET}!I{new}" in result.output
        assert "δεν είναι υπαρκτή ημερομηνία" in result.output
        assert database() == before

    def test_a_file_that_is_not_a_workbook_is_refused(self, cli_db, tmp_path):
        desk_in(cli_db)
        path = tmp_path / "notes.xlsx"
        path.write_text("όνομα;ποσό\nΧ;1\n", encoding="utf-8")
        result = run("excel", "import", str(path), "--user", "editor-t11")
        assert result.exit_code == 1
        assert "δεν είναι βιβλίο εργασίας Excel" in result.output

    def test_an_unknown_user_is_refused(self, cli_db, tmp_path):
        desk_in(cli_db)
        path = tmp_path / "x.xlsx"
        path.write_bytes(b"PK")
        result = run("excel", "import", str(path), "--user", "nobody-here")
        assert result.exit_code == 2 and "no active user" in result.output


class TestConsolidatedCommand:
    def test_writes_the_quality_units_workbook(self, cli_db, tmp_path):
        desk_in(cli_db)
        path = tmp_path / "all.xlsx"
        result = run(
            "excel",
            "consolidated",
            "--year",
            "2026",
            "--unit",
            "THESS",
            "--user",
            "quality-a",
            "-o",
            str(path),
        )
        assert result.exit_code == 0, result.output
        wb = load_workbook(io.BytesIO(path.read_bytes()))
        assert wb.sheetnames == ["Σύνοψη", "Τμήματα", "Αποκλίσεις", "Πληρότητα"]

    def test_an_editor_gets_no_file(self, cli_db, tmp_path):
        desk_in(cli_db)
        path = tmp_path / "all.xlsx"
        result = run(
            "excel",
            "consolidated",
            "--year",
            "2026",
            "--unit",
            "THESS",
            "--user",
            "editor-t11",
            "-o",
            str(path),
        )
        assert result.exit_code != 0
        assert not path.exists()


class TestTemplatesCommand:
    def test_writes_the_versioned_blank_workbook(self, tmp_path):
        result = run("excel", "templates", "--folder", str(tmp_path))
        assert result.exit_code == 0, result.output
        path = Path(tmp_path) / f"apologismos_{TEMPLATE_VERSION}.xlsx"
        wb = load_workbook(io.BytesIO(path.read_bytes()))
        assert {PLAN_SHEET, REPORT_SHEET} <= set(wb.sheetnames)
