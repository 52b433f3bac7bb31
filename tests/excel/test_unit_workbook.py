"""The unit workbook a clerk downloads (SPEC §6): the plan of the year pre-filled (or the
carry-over candidates), the report of the year before with its planned columns locked, drop-down
lists from a hidden sheet, date and money formats, hidden id and version columns."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.excel.columns import (
    CHOICES,
    INFO_SHEET,
    LISTS_SHEET,
    META_SHEET,
    PLAN_COLUMNS,
    PLAN_SHEET,
    REPORT_COLUMNS,
    REPORT_SHEET,
)
from app.reporting.models import Outcome
from tests import plan_builders as pb
from tests.builders import auth, employee, unit
from tests.excel.helpers import col_index, upload
from tests.excel.support import Desk, rows


def book(data: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(data))


class TestSheets:
    def test_instructions_plan_report_and_hidden_helpers(self, client, session):
        desk = Desk(session)
        r = client.get(f"/api/v1/org-units/{desk.unit.id}/workbook?year=2027", headers=desk.editor)
        assert (
            r.headers["content-disposition"] == 'attachment; filename="apologismos_T11_2027.xlsx"'
        )
        wb = book(r.content)
        assert wb.sheetnames == [INFO_SHEET, PLAN_SHEET, REPORT_SHEET, LISTS_SHEET, META_SHEET]
        assert wb[LISTS_SHEET].sheet_state == wb[META_SHEET].sheet_state == "hidden"
        assert (
            wb[INFO_SHEET]["A1"].value
            == "Τμήμα Λογιστηρίου (T11) — προγραμματισμός 2027, απολογισμός 2026"
        )


class TestPlanSheet:
    def test_holds_the_items_with_hidden_id_and_version(self, client, session):
        desk = Desk(session)
        data = desk.workbook(client)
        table = rows(data, PLAN_SHEET)
        assert table[0] == [c.header for c in PLAN_COLUMNS]
        ids = [r[0] for r in table[1:]]
        assert ids == [desk.p1.id, desk.p2.id, desk.p3.id]
        p1 = dict(zip([c.key for c in PLAN_COLUMNS], table[1], strict=True))
        assert (p1["version"], p1["code"], p1["kind"], p1["funding_source"]) == (
            1,
            "001",
            "Έργο",
            "Ίδιοι πόροι",
        )
        assert p1["planned_start"].date() == date(2027, 2, 1) and p1["budget"] == 10000
        p3 = dict(zip([c.key for c in PLAN_COLUMNS], table[3], strict=True))
        assert p3["assignees"] == "Γιώργος Νικολάου, Μαρία Παπαδοπούλου"
        ws = book(data)[PLAN_SHEET]
        assert ws.column_dimensions["A"].hidden and ws.column_dimensions["B"].hidden
        assert (
            ws.cell(row=2, column=col_index(PLAN_SHEET, "planned_end")).number_format
            == "DD/MM/YYYY"
        )
        assert ws.cell(row=2, column=col_index(PLAN_SHEET, "budget")).number_format == "#,##0.00"
        assert ws.cell(row=150, column=col_index(PLAN_SHEET, "title")).protection.locked is False

    def test_without_a_plan_offers_the_carry_over_candidates_as_new_rows(self, client, session):
        desk = Desk(session)
        last = pb.plan(session, desk.w.t12, 2026, status="approved", baseline_no=1)
        done = pb.item(session, last, "001", title="Ολοκληρωμένη")
        going = pb.item(session, last, "002", title="Συνεχιζόμενη", planned_end=date(2026, 11, 30))
        later = pb.item(session, last, "003", title="Αναβληθείσα", planned_end=date(2027, 3, 31))
        for it, status in ((done, "completed"), (going, "in_progress"), (later, "postponed")):
            pb.outcome(session, it, status)
        r = client.get(
            f"/api/v1/org-units/{desk.w.t12.id}/workbook?year=2027", headers=auth(desk.w.admin)
        )
        keys = [c.key for c in PLAN_COLUMNS]
        found = {r[4]: dict(zip(keys, r, strict=True)) for r in rows(r.content, PLAN_SHEET)[1:]}
        assert set(found) == {"Συνεχιζόμενη", "Αναβληθείσα"}
        assert (found["Συνεχιζόμενη"]["id"], found["Συνεχιζόμενη"]["version"]) == (None, None)
        assert found["Συνεχιζόμενη"]["planned_end"] is None  # ended in the old year: plan anew
        assert found["Αναβληθείσα"]["planned_end"].date() == date(2027, 3, 31)


class TestReportSheet:
    def test_holds_last_years_items_planned_columns_locked_outcomes_open(self, client, session):
        desk = Desk(session)
        session.add(
            Outcome(
                municipality_id=desk.l1.municipality_id,
                item_id=desk.l1.id,
                status="in_progress",
                progress_pct=30,
            )
        )
        session.flush()
        data = desk.workbook(client)
        table = rows(data, REPORT_SHEET)
        assert table[0] == [c.header for c in REPORT_COLUMNS]
        keys = [c.key for c in REPORT_COLUMNS]
        l1, l2 = (dict(zip(keys, r, strict=True)) for r in table[1:])
        assert (l1["id"], l1["version"], l1["status"], l1["progress_pct"]) == (
            desk.l1.id,
            1,
            "Σε εξέλιξη",
            30,
        )
        assert (l2["id"], l2["version"], l2["status"]) == (desk.l2.id, 0, None)
        ws = book(data)[REPORT_SHEET]
        assert ws.protection.sheet is True
        for column in REPORT_COLUMNS:
            cell = ws.cell(row=2, column=col_index(REPORT_SHEET, column.key))
            assert cell.protection.locked is (column.locked or column.hidden), column.key


class TestDropDowns:
    def test_choices_and_the_units_staff_come_from_the_hidden_sheet(self, client, session):
        desk = Desk(session)
        sub = unit(session, desk.unit, "T11.1", "Γραφείο Ταμείου")
        employee(session, sub, "Άννα Λάμπρου")
        employee(session, desk.w.t12, "Ξένη Υπάλληλος")
        wb = book(desk.workbook(client))
        lists = wb[LISTS_SHEET]
        columns = {lists.cell(row=1, column=c).value: c for c in range(1, lists.max_column + 1)}
        staff = [lists.cell(row=r, column=columns["staff"]).value for r in range(2, 6)]
        assert staff == ["Άννα Λάμπρου", "Γιώργος Νικολάου", "Μαρία Παπαδοπούλου", None]
        kinds = [lists.cell(row=r, column=columns["kind"]).value for r in range(2, 6)]
        assert kinds == list(CHOICES["kind"].values())
        plan = {
            str(next(iter(dv.sqref.ranges)).coord).split(":")[0]: dv.formula1
            for dv in wb[PLAN_SHEET].data_validations.dataValidation
        }
        staff_letter = lists.cell(row=1, column=columns["staff"]).column_letter
        assert plan["D2"] == "'_lists'!$A$2:$A$5"  # kind
        assert plan["G2"] == f"'_lists'!${staff_letter}$2:${staff_letter}$4"  # staff
        assert {"D2", "G2", "K2", "S2"} <= set(plan)

    @pytest.mark.parametrize(
        ("who", "status"), [("viewer", 200), ("quality", 200), ("editor", 404)]
    )
    def test_who_may_download(self, client, session, who, status):
        desk = Desk(session)
        target = desk.w.t11 if who != "editor" else desk.w.t21
        r = client.get(
            f"/api/v1/org-units/{target.id}/workbook?year=2027", headers=auth(getattr(desk.w, who))
        )
        assert r.status_code == status, r.text


class TestNamesakesInTheWorkbook:
    def test_carry_their_id_and_import_back_unchanged(self, client, session):
        desk = Desk(session)
        employee(session, desk.unit, "Νίκος Γεωργίου")
        second = employee(session, desk.unit, "Νίκος Γεωργίου")
        pb.assign(session, desk.p2, second)
        data = desk.workbook(client)
        table = rows(data, PLAN_SHEET)
        assert table[2][col_index(PLAN_SHEET, "assignees") - 1] == f"Νίκος Γεωργίου (#{second.id})"
        r = upload(client, desk.editor, data)
        assert r.json()["problems"] == [] and r.json()["summary"]["plan"]["unchanged"] == 3
