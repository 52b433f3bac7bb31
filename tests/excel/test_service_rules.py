"""The import goes through the same services as the JSON API, so their refusals reach the clerk
by cell, in Greek: a locked plan, a closed cycle, a report without an approved plan, an
inactive employee; and only those who may edit the unit may import."""

import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.excel.columns import PLAN_SHEET, REPORT_SHEET
from app.planning.models import Cycle
from tests.builders import auth, user
from tests.excel.helpers import edit, upload
from tests.excel.support import Desk, first_free_row, row_of, rows, snapshot


def new_row(data: bytes, **values: object) -> bytes:
    row = first_free_row(data, PLAN_SHEET)
    cells = {"kind": "Δράση", "title": "Νέα ενέργεια"} | values
    return edit(data, {PLAN_SHEET: {(row, k): v for k, v in cells.items()}})


class TestApprovedPlan:
    def test_unchanged_rows_pass_and_a_change_is_refused_saying_why(self, client, session):
        desk = Desk(session)
        desk.plan.status = "approved"
        session.flush()
        data = desk.workbook(client)
        r = upload(client, desk.editor, data)
        assert r.json()["problems"] == [] and r.json()["summary"]["plan"]["unchanged"] == 3
        row = row_of(data, PLAN_SHEET, desk.p2.id)
        before = snapshot(session)
        r = upload(
            client, desk.editor, edit(data, {PLAN_SHEET: {(row, "budget"): 1}}), dry_run="false"
        )
        assert r.status_code == 422, r.text
        [error] = r.json()["errors"]
        assert error["loc"][:2] == [PLAN_SHEET, f"E{row}"]
        assert error["message"] == (
            "το πρόγραμμα είναι «εγκεκριμένο»: αλλάζει μόνο όταν είναι σε σύνταξη ή επιστράφηκε"
        )
        assert snapshot(session) == before


class TestClosedCycle:
    def test_a_new_row_is_refused_naming_the_cycle(self, client, session):
        desk = Desk(session)
        data = desk.workbook(client)
        cycle = session.scalar(select(Cycle).where(Cycle.year == 2027))
        assert cycle is not None
        cycle.status = "closed"
        session.flush()
        r = upload(client, desk.editor, new_row(data))
        [problem] = r.json()["problems"]
        assert problem["message"] == "ο κύκλος 2027 έχει κλείσει: δεν γίνονται αλλαγές"


class TestReportOfAPlanNotApproved:
    def test_an_outcome_is_refused_saying_the_plan_must_be_approved(self, client, session):
        desk = Desk(session)
        desk.last.status = "submitted"
        session.flush()
        data = desk.workbook(client)
        row = row_of(data, REPORT_SHEET, desk.l1.id)
        r = upload(client, desk.editor, edit(data, {REPORT_SHEET: {(row, "status"): "Σε εξέλιξη"}}))
        [problem] = r.json()["problems"]
        assert (problem["sheet"], problem["cell"]) == (REPORT_SHEET, f"I{row}")
        assert problem["message"] == (
            "ο απολογισμός χρειάζεται εγκεκριμένο πρόγραμμα (το πρόγραμμα είναι «υποβλημένο»)"
        )


class TestInactiveEmployee:
    def test_an_item_that_still_names_one_round_trips_unchanged(self, client, session):
        desk = Desk(session)
        desk.giorgos.active = False
        session.flush()
        data = desk.workbook(client)
        lists = rows(data, "_lists")
        staff_column = lists[0].index("staff")
        assert [r[staff_column] for r in lists[1:] if r[staff_column]] == ["Μαρία Παπαδοπούλου"]
        r = upload(client, desk.editor, data)
        assert r.json()["problems"] == [], r.json()
        assert r.json()["summary"]["plan"]["unchanged"] == 3

    def test_cannot_be_assigned_anew(self, client, session):
        desk = Desk(session)
        desk.giorgos.active = False
        session.flush()
        data = desk.workbook(client)
        row = first_free_row(data, PLAN_SHEET)
        r = upload(client, desk.editor, new_row(data, assignees="Γιώργος Νικολάου"))
        [problem] = r.json()["problems"]
        assert problem["cell"] == f"G{row}"
        assert problem["message"] == "ο υπάλληλος δεν είναι ενεργός υπάλληλος της μονάδας"


class TestWhoMayImport:
    @pytest.mark.parametrize(
        ("who", "status"), [("quality", 403), ("viewer", 403), ("admin_b", 404), ("nobody", 404)]
    )
    def test_only_editors_and_admins_of_the_unit(self, client, session, who, status):
        desk = Desk(session)
        data = new_row(desk.workbook(client))
        before = snapshot(session)
        r = upload(client, auth(getattr(desk.w, who)), data, dry_run="false")
        assert r.status_code == status, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert snapshot(session) == before

    def test_an_admin_of_the_municipality_may(self, client, session):
        desk = Desk(session)
        r = upload(client, auth(desk.w.admin), new_row(desk.workbook(client)), dry_run="false")
        assert r.status_code == 201, r.text

    def test_a_dry_run_is_read_only_by_its_uploader_and_reviewers(self, client, session):
        desk = Desk(session)
        job = upload(client, desk.editor, desk.workbook(client)).json()
        colleague = user(session, "editor-2-t11", (Role.editor, desk.unit))
        assert (
            client.get(f"/api/v1/imports/{job['id']}", headers=auth(colleague)).status_code == 403
        )
        assert (
            client.get(f"/api/v1/imports/{job['id']}", headers=auth(desk.w.quality)).status_code
            == 200
        )
        assert (
            client.get(f"/api/v1/imports/{job['id']}", headers=auth(desk.w.admin_b)).status_code
            == 404
        )
