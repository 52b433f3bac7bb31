"""Every kind of bad cell is named by sheet, cell and a Greek message a clerk understands; the
commit is refused as a whole, and the annotated copy marks the same cells red with a comment."""

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from app.excel.columns import PLAN_SHEET, REPORT_SHEET
from tests.builders import employee
from tests.excel.helpers import edit, upload
from tests.excel.support import Desk, first_free_row, header_of, row_of, snapshot

FUNDING = "Ίδιοι πόροι, ΕΣΠΑ, ΠΔΕ, Ταμείο Ανάκαμψης, ΚΑΠ / Κρατικοί πόροι, Άλλη πηγή"
STATUSES = "Δεν ξεκίνησε, Σε εξέλιξη, Ολοκληρώθηκε, Αναβλήθηκε, Ακυρώθηκε"
# (case, values of a new plan row, the bad column, the message)
PLAN_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "unparseable date",
        {"planned_start": "αρχές Μαρτίου"},
        "planned_start",
        "«αρχές Μαρτίου» δεν είναι ημερομηνία: γράψτε την ως 31/12/2026",
    ),
    (
        "impossible date",
        {"planned_end": "31/02/2027"},
        "planned_end",
        "«31/02/2027» δεν είναι υπαρκτή ημερομηνία",
    ),
    (
        "end before start",
        {"planned_start": "01/06/2027", "planned_end": "01/05/2027"},
        "planned_end",
        "η λήξη είναι πριν από την έναρξη",
    ),
    ("negative amount", {"budget": -5}, "budget", "πρέπει να είναι τουλάχιστον 0"),
    ("text in a money cell", {"budget": "πολλά"}, "budget", "«πολλά» δεν είναι αριθμός"),
    ("too many decimals", {"budget": "1.234,567"}, "budget", "έως 2 δεκαδικά ψηφία"),
    (
        "kind not in the list",
        {"kind": "Μελέτη"},
        "kind",
        "«Μελέτη» δεν είναι στη λίστα (Δράση, Έργο, Προμήθεια, Υπηρεσία)",
    ),
    (
        "funding source not in the list",
        {"funding_source": "Δάνειο"},
        "funding_source",
        f"«Δάνειο» δεν είναι στη λίστα ({FUNDING})",
    ),
    ("kind missing", {"kind": None}, "kind", "υποχρεωτικό πεδίο"),
    ("weight zero", {"weight": 0}, "weight", "πρέπει να είναι μεγαλύτερο από 0"),
    (
        "absorption above budget",
        {"budget": "1.000", "planned_absorption": "1.500,00"},
        "planned_absorption",
        "η προγραμματισμένη απορρόφηση ξεπερνά τον προϋπολογισμό",
    ),
    (
        "increasing KPI with a lower target",
        {"kpi_name": "Αιτήσεις", "kpi_baseline": 10, "kpi_target": 5, "kpi_direction": "Αύξηση"},
        "kpi_direction",
        "σε δείκτη «Αύξηση» ο στόχος πρέπει να είναι πάνω από την τιμή βάσης",
    ),
    (
        "decreasing KPI with a higher target",
        {"kpi_name": "Παράπονα", "kpi_baseline": 5, "kpi_target": 9, "kpi_direction": "Μείωση"},
        "kpi_direction",
        "σε δείκτη «Μείωση» ο στόχος πρέπει να είναι κάτω από την τιμή βάσης",
    ),
    ("KPI values without a name", {"kpi_target": 5}, "kpi_target", "ο δείκτης χρειάζεται όνομα"),
    (
        "an end before the plan's year",
        {"planned_end": "15/12/2026"},
        "planned_end",
        "ενέργεια του προγράμματος 2027 δεν μπορεί να λήγει πριν από το 2027",
    ),
    (
        "unknown employee",
        {"assignees": "Μαρια Παπαδοπουλο"},
        "assignees",
        "δεν υπάρχει υπάλληλος «Μαρια Παπαδοπουλο» στη μονάδα· μήπως εννοείτε «Μαρία Παπαδοπούλου»",
    ),
    ("a code with spaces", {"code": "Α 1"}, "code", "χωρίς κενά"),
]
# (case, values of the report row of item 001 of 2026, the bad column, the message)
REPORT_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "status not in the list",
        {"status": "Σε αναμονή"},
        "status",
        f"«Σε αναμονή» δεν είναι στη λίστα ({STATUSES})",
    ),
    (
        "deviation category not in the list",
        {"status": "Αναβλήθηκε", "deviation_category": "Καιρός"},
        "deviation_category",
        "«Καιρός» δεν είναι στη λίστα (Χρηματοδότηση, Στελέχωση, Διαδικασίες, Ανάδοχος, "
        "Τεχνικά θέματα, Εξωτερικοί παράγοντες, Άλλο)",
    ),
    (
        "progress on an item not started",
        {"status": "Δεν ξεκίνησε", "progress_pct": 30},
        "progress_pct",
        "ενέργεια που δεν ξεκίνησε δεν έχει πρόοδο",
    ),
    (
        "a completed item below 100 %",
        {"status": "Ολοκληρώθηκε", "progress_pct": 50},
        "progress_pct",
        "ολοκληρωμένη ενέργεια έχει πρόοδο 100%",
    ),
    (
        "progress above 100",
        {"status": "Σε εξέλιξη", "progress_pct": 150},
        "progress_pct",
        "πρέπει να είναι το πολύ 100",
    ),
    (
        "an actual end of an item in progress",
        {"status": "Σε εξέλιξη", "actual_end": "30/06/2026"},
        "actual_end",
        "πραγματική λήξη έχει μόνο ενέργεια που ολοκληρώθηκε ή ακυρώθηκε",
    ),
    (
        "actual end before actual start",
        {"status": "Ολοκληρώθηκε", "actual_start": "01/05/2026", "actual_end": "01/04/2026"},
        "actual_end",
        "η πραγματική λήξη είναι πριν από την πραγματική έναρξη",
    ),
    (
        "an outcome without a status",
        {"actual_absorption": "100"},
        "status",
        "υποχρεωτικό πεδίο",
    ),
    (
        "negative absorption",
        {"status": "Σε εξέλιξη", "actual_absorption": "-1"},
        "actual_absorption",
        "πρέπει να είναι τουλάχιστον 0",
    ),
]


def letter(sheet: str, key: str) -> str:
    from app.excel.reader import column_letter
    from tests.excel.helpers import col_index

    return column_letter(col_index(sheet, key) - 1)


def the_problem(body: dict[str, Any]) -> dict[str, Any]:
    assert len(body["problems"]) == 1, body["problems"]
    problem: dict[str, Any] = body["problems"][0]
    return problem


class TestPlanSheetCells:
    @pytest.mark.parametrize(
        ("values", "key", "message"),
        [c[1:] for c in PLAN_CASES],
        ids=[c[0] for c in PLAN_CASES],
    )
    def test_is_named_by_sheet_cell_and_message(self, client, session, values, key, message):
        desk = Desk(session)
        data = desk.workbook(client)
        row = first_free_row(data, PLAN_SHEET)
        cells = {"kind": "Δράση", "title": "Νέα ενέργεια"} | values
        r = upload(
            client, desk.editor, edit(data, {PLAN_SHEET: {(row, k): v for k, v in cells.items()}})
        )
        assert r.status_code == 200, r.text
        problem = the_problem(r.json())
        assert (problem["sheet"], problem["cell"]) == (
            PLAN_SHEET,
            f"{letter(PLAN_SHEET, key)}{row}",
        )
        assert problem["column"] == header_of(PLAN_SHEET, key)
        assert problem["message"] == message


class TestReportSheetCells:
    @pytest.mark.parametrize(
        ("values", "key", "message"),
        [c[1:] for c in REPORT_CASES],
        ids=[c[0] for c in REPORT_CASES],
    )
    def test_is_named_by_sheet_cell_and_message(self, client, session, values, key, message):
        desk = Desk(session)
        data = desk.workbook(client)
        row = row_of(data, REPORT_SHEET, desk.l1.id)
        r = upload(
            client,
            desk.editor,
            edit(data, {REPORT_SHEET: {(row, k): v for k, v in values.items()}}),
        )
        assert r.status_code == 200, r.text
        problem = the_problem(r.json())
        assert (problem["sheet"], problem["cell"]) == (
            REPORT_SHEET,
            f"{letter(REPORT_SHEET, key)}{row}",
        )
        assert problem["column"] == header_of(REPORT_SHEET, key)
        assert problem["message"] == message


class TestNamesakes:
    def test_the_message_offers_each_with_its_id(self, client, session):
        desk = Desk(session)
        first = employee(session, desk.unit, "Νίκος Γεωργίου")
        second = employee(session, desk.unit, "Νίκος Γεωργίου")
        data = desk.workbook(client)
        row = first_free_row(data, PLAN_SHEET)
        cells = {"kind": "Δράση", "title": "Νέα ενέργεια", "assignees": "νικος γεωργιου"}
        r = upload(
            client, desk.editor, edit(data, {PLAN_SHEET: {(row, k): v for k, v in cells.items()}})
        )
        problem = the_problem(r.json())
        assert problem["cell"] == f"G{row}"
        assert problem["message"] == (
            "υπάρχουν 2 υπάλληλοι με το όνομα «νικος γεωργιου»: γράψτε "
            f"«Νίκος Γεωργίου (#{first.id})» ή «Νίκος Γεωργίου (#{second.id})»"
        )

    def test_the_offered_form_is_accepted(self, client, session):
        desk = Desk(session)
        employee(session, desk.unit, "Νίκος Γεωργίου")
        second = employee(session, desk.unit, "Νίκος Γεωργίου")
        data = desk.workbook(client)
        row = first_free_row(data, PLAN_SHEET)
        cells = {"kind": "Δράση", "title": "Νέα", "assignees": f"Νίκος Γεωργίου (#{second.id})"}
        r = upload(
            client, desk.editor, edit(data, {PLAN_SHEET: {(row, k): v for k, v in cells.items()}})
        )
        assert r.json()["problems"] == [] and r.json()["summary"]["plan"]["created"] == 1


class TestHiddenColumns:
    @pytest.mark.parametrize("value", [999999, "abc", -3, 1.5])
    def test_a_changed_hidden_id_is_named(self, client, session, value):
        desk = Desk(session)
        data = desk.workbook(client)
        row = row_of(data, PLAN_SHEET, desk.p2.id)
        r = upload(client, desk.editor, edit(data, {PLAN_SHEET: {(row, "id"): value}}))
        problem = the_problem(r.json())
        assert problem["sheet"] == PLAN_SHEET and problem["cell"][1:] == str(row)
        if value == 999999:
            assert problem["cell"] == f"E{row}"
            assert "η ενέργεια δεν υπάρχει πια σε αυτό το πρόγραμμα" in problem["message"]
        else:
            assert problem["cell"] == f"A{row}"
            assert problem["message"] == "μην αλλάζετε τις κρυφές στήλες"

    def test_a_copied_row_is_named(self, client, session):
        desk = Desk(session)
        data = desk.workbook(client)
        row = first_free_row(data, PLAN_SHEET)
        copy = {"id": desk.p2.id, "version": 1, "kind": "Δράση", "title": "Αντίγραφο"}
        r = upload(
            client, desk.editor, edit(data, {PLAN_SHEET: {(row, k): v for k, v in copy.items()}})
        )
        problem = the_problem(r.json())
        assert problem["cell"] == f"E{row}" and "αντιγράφηκε" in problem["message"]


class TestRefusedCommit:
    def test_nothing_is_written_and_the_copy_marks_every_bad_cell(self, client, session):
        desk = Desk(session)
        data = desk.workbook(client)
        new = first_free_row(data, PLAN_SHEET)
        report = row_of(data, REPORT_SHEET, desk.l2.id)
        bad = edit(
            data,
            {
                PLAN_SHEET: {
                    (new, "kind"): "Δράση",
                    (new, "title"): "Καλή γραμμή",
                    (new + 1, "kind"): "Μελέτη",
                    (new + 1, "title"): "Κακή γραμμή",
                    (new + 1, "planned_end"): "31/02/2027",
                },
                REPORT_SHEET: {(report, "status"): "Ολοκληρώθηκε", (report, "progress_pct"): 20},
            },
        )
        before = snapshot(session)
        r = upload(client, desk.editor, bad, dry_run="false")
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert {tuple(e["loc"][:2]) for e in body["errors"]} == {
            (PLAN_SHEET, f"D{new + 1}"),
            (PLAN_SHEET, f"I{new + 1}"),
            (REPORT_SHEET, f"J{report}"),
        }
        assert snapshot(session) == before  # the good row was not written either
        job = client.get(r.headers["Location"], headers=desk.editor).json()
        assert job["status"] == "refused"
        annotated = client.get(job["annotated_url"], headers=desk.editor)
        assert annotated.status_code == 200
        wb = load_workbook(io.BytesIO(annotated.content))
        for problem in job["problems"]:
            cell = wb[problem["sheet"]][problem["cell"]]
            assert cell.fill.fgColor.rgb == "00FF9999", problem
            assert cell.comment is not None and problem["message"] in cell.comment.text
        assert wb[PLAN_SHEET][f"E{new}"].fill.fgColor.rgb != "00FF9999"

    def test_a_clean_import_has_no_annotated_copy(self, client, session):
        desk = Desk(session)
        r = upload(client, desk.editor, desk.workbook(client))
        assert r.json()["annotated_url"] is None
        r = client.get(f"/api/v1/imports/{r.json()['id']}/annotated", headers=desk.editor)
        assert r.status_code == 404
