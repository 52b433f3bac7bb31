"""The unit workbook's round trip through the API: download, fill as a clerk would, dry run,
commit, download again and upload that: nothing changes (SPEC §6, issue 5 "Done when" #1)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from app.excel.columns import PLAN_SHEET, REPORT_SHEET
from app.planning.models import Item
from tests.excel.helpers import edit, upload
from tests.excel.support import (
    Desk,
    assignees,
    delete_row,
    first_free_row,
    outcome_of,
    row_of,
    snapshot,
    stored,
)

NOTHING = {"created": 0, "updated": 0, "deleted": 0, "conflicts": 0}


def clerk_fills(desk: Desk, data: bytes) -> bytes:
    """Two new items, one edited (budget, staff), one deleted row, two report outcomes."""
    new = first_free_row(data, PLAN_SHEET)
    p1 = row_of(data, PLAN_SHEET, desk.p1.id)
    filled = edit(
        data,
        {
            PLAN_SHEET: {
                (p1, "budget"): "12.500,00",
                (p1, "assignees"): "παπαδοπουλου μαρια, ΓΙΩΡΓΟΣ ΝΙΚΟΛΑΟΥ",
                (new, "kind"): "Έργο",
                (new, "title"): "Νέα παιδική χαρά  ",
                (new, "assignees"): "Γιώργος Νικολάου",
                (new, "planned_start"): "01/03/2027",
                (new, "planned_end"): datetime(2027, 9, 30),
                (new, "budget"): "1.234,56",
                (new, "funding_source"): "ΕΣΠΑ",
                (new, "planned_absorption"): 1000,
                (new + 1, "kind"): "service",
                (new + 1, "title"): "Συντήρηση πρασίνου",
                (new + 1, "kpi_name"): "Στρέμματα",
                (new + 1, "kpi_baseline"): 10,
                (new + 1, "kpi_target"): "12,5",
                (new + 1, "kpi_direction"): "Αύξηση",
            },
            REPORT_SHEET: {
                (row_of(data, REPORT_SHEET, desk.l1.id), "status"): "Ολοκληρώθηκε",
                (row_of(data, REPORT_SHEET, desk.l1.id), "actual_start"): "01/02/2026",
                (row_of(data, REPORT_SHEET, desk.l1.id), "actual_end"): date(2026, 7, 15),
                (row_of(data, REPORT_SHEET, desk.l1.id), "actual_absorption"): "4.800,50",
                (row_of(data, REPORT_SHEET, desk.l2.id), "status"): "Αναβλήθηκε",
                (row_of(data, REPORT_SHEET, desk.l2.id), "deviation_category"): "Χρηματοδότηση",
                (row_of(data, REPORT_SHEET, desk.l2.id), "deviation_reason"): "Δεν εγκρίθηκε",
            },
        },
    )
    return delete_row(filled, PLAN_SHEET, row_of(filled, PLAN_SHEET, desk.p3.id))


class TestRoundTrip:
    def test_dry_run_commit_then_the_export_imports_with_no_change(self, client, session):
        desk = Desk(session)
        filled = clerk_fills(desk, desk.workbook(client))
        before = snapshot(session)

        r = upload(client, desk.editor, filled)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["status"] == "dry_run" and body["problems"] == [], body
        assert body["summary"]["plan"] == {
            "created": 2,
            "updated": 1,
            "deleted": 1,
            "unchanged": 1,
            "conflicts": 0,
        }
        assert body["summary"]["report"] == {**NOTHING, "created": 2, "unchanged": 0}
        assert snapshot(session) == before  # the dry run wrote nothing

        r = upload(client, desk.editor, filled, dry_run="false")
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "committed", r.json()
        p1 = stored(session, Item, desk.p1.id)
        assert p1 is not None and p1["budget"] == Decimal("12500.00") and p1["version"] == 2
        assert assignees(session, desk.p1.id) == sorted([desk.maria.id, desk.giorgos.id])
        assert stored(session, Item, desk.p3.id) is None
        new = {
            i.title: i for i in session.scalars(select(Item).where(Item.plan_id == desk.plan.id))
        }
        playground = new["Νέα παιδική χαρά"]
        assert (playground.kind, playground.funding_source) == ("project", "nsrf")
        assert playground.budget == Decimal("1234.56")
        assert playground.planned_absorption == Decimal("1000.00")
        assert (playground.planned_start, playground.planned_end) == (
            date(2027, 3, 1),
            date(2027, 9, 30),
        )
        assert assignees(session, playground.id) == [desk.giorgos.id]
        green = new["Συντήρηση πρασίνου"]
        assert (green.kind, green.kpi_target, green.kpi_direction) == (
            "service",
            Decimal("12.5"),
            "increase",
        )
        done = outcome_of(session, desk.l1.id)
        assert done is not None and done["status"] == "completed"
        assert done["progress_pct"] == 100 and done["actual_end"] == date(2026, 7, 15)
        assert done["actual_absorption"] == Decimal("4800.50")
        later = outcome_of(session, desk.l2.id)
        assert later is not None
        assert (later["status"], later["deviation_category"]) == ("postponed", "funding")

        after_commit = snapshot(session)
        export = desk.workbook(client)
        for dry_run in ("true", "false"):
            r = upload(client, desk.editor, export, dry_run=dry_run)
            assert r.status_code in (200, 201), r.text
            assert r.json()["problems"] == [], r.json()
            assert r.json()["summary"]["plan"] == {**NOTHING, "unchanged": 4}
            assert r.json()["summary"]["report"] == {**NOTHING, "unchanged": 2}
        assert snapshot(session) == after_commit

    def test_a_dry_run_is_committed_as_it_was_uploaded(self, client, session):
        desk = Desk(session)
        filled = clerk_fills(desk, desk.workbook(client))
        job = upload(client, desk.editor, filled).json()
        r = client.post(f"/api/v1/imports/{job['id']}/commit", headers=desk.editor)
        assert r.status_code == 201, r.text
        assert r.json()["summary"] == job["summary"]
        assert stored(session, Item, desk.p3.id) is None
        assert client.get(f"/api/v1/imports/{r.json()['id']}", headers=desk.editor).json()[
            "status"
        ] == ("committed")


class TestUploadTwice:
    def test_the_second_upload_of_the_same_file_changes_nothing(self, client, session):
        desk = Desk(session)
        filled = clerk_fills(desk, desk.workbook(client))
        assert upload(client, desk.editor, filled, dry_run="false").status_code == 201
        after_first = snapshot(session)
        r = upload(client, desk.editor, filled, dry_run="false")
        assert r.status_code == 201, r.text
        assert r.json()["problems"] == [], r.json()
        assert r.json()["summary"]["plan"] == {**NOTHING, "unchanged": 4}
        assert r.json()["summary"]["report"] == {**NOTHING, "unchanged": 2}
        assert snapshot(session) == after_first


class TestConflict:
    def test_a_row_changed_in_the_system_after_the_download_is_not_overwritten(
        self, client, session
    ):
        desk = Desk(session)
        data = desk.workbook(client)
        r = client.patch(
            f"/api/v1/items/{desk.p1.id}",
            json={"title": "Ψηφιοποίηση αρχείου δημοτολογίου"},
            headers={**desk.editor, "If-Match": '"1"'},
        )
        assert r.status_code == 200, r.text
        row = row_of(data, PLAN_SHEET, desk.p1.id)
        stale = edit(data, {PLAN_SHEET: {(row, "budget"): 20000}})
        r = upload(client, desk.editor, stale)
        assert r.json()["summary"]["plan"]["conflicts"] == 1, r.json()
        [problem] = r.json()["problems"]
        assert (problem["sheet"], problem["cell"]) == (PLAN_SHEET, f"E{row}")
        assert "άλλαξε στο σύστημα μετά τη λήψη" in problem["message"]
        r = upload(client, desk.editor, stale, dry_run="false")
        assert r.status_code == 422, r.text
        item = stored(session, Item, desk.p1.id)
        assert item is not None
        assert (item["title"], item["budget"]) == (
            "Ψηφιοποίηση αρχείου δημοτολογίου",
            Decimal("10000.00"),
        )

    def test_an_outcome_changed_in_the_system_after_the_download_is_a_conflict(
        self, client, session
    ):
        desk = Desk(session)
        data = desk.workbook(client)
        r = client.put(
            f"/api/v1/items/{desk.l1.id}/outcome",
            json={"status": "in_progress", "progress_pct": 40},
            headers={**desk.editor, "If-Match": '"0"'},
        )
        assert r.status_code in (200, 201), r.text
        row = row_of(data, REPORT_SHEET, desk.l1.id)
        r = upload(client, desk.editor, edit(data, {REPORT_SHEET: {(row, "status"): "Σε αναμονή"}}))
        assert r.json()["problems"][0]["cell"] == f"I{row}"
        r = upload(client, desk.editor, edit(data, {REPORT_SHEET: {(row, "status"): "Ακυρώθηκε"}}))
        assert r.json()["summary"]["report"]["conflicts"] == 1, r.json()
        assert "άλλαξε στο σύστημα" in r.json()["problems"][0]["message"]
        assert outcome_of(session, desk.l1.id)["status"] == "in_progress"  # type: ignore[index]


class TestReportInformationColumns:
    def test_the_items_own_cells_in_the_report_are_not_read(self, client, session):
        """The report shows the item (code, title, dates) for the clerk to read; a clerk who
        unprotects the sheet and types over them changes nothing and breaks nothing."""
        desk = Desk(session)
        data = desk.workbook(client)
        row = row_of(data, REPORT_SHEET, desk.l1.id)
        filled = edit(
            data,
            {
                REPORT_SHEET: {
                    (row, "planned_start"): "όχι ημερομηνία",
                    (row, "kind"): "κάτι άλλο",
                    (row, "title"): "Άλλος τίτλος",
                    (row, "status"): "Ολοκληρώθηκε",
                    (row, "actual_end"): date(2026, 7, 15),
                }
            },
        )
        before = stored(session, Item, desk.l1.id)
        r = upload(client, desk.editor, filled, dry_run="false")
        assert r.status_code == 201, r.text
        assert r.json()["problems"] == [], r.json()
        assert r.json()["summary"]["report"]["created"] == 1, r.json()
        assert outcome_of(session, desk.l1.id)["status"] == "completed"  # type: ignore[index]
        assert stored(session, Item, desk.l1.id) == before
