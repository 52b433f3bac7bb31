"""A workbook written by another library (xlsxwriter; the app writes unit workbooks with
openpyxl), laid out as a clerk might retype it: a title above the headers, Greek and English
headers in another order with odd case, accents and spacing, dates as text and as real dates
(and a bare date serial), amounts as `1.234,56`, `1234.56` and numbers, trailing blanks, empty
rows and a total row. It imports as the app's own workbook would."""

import io
from datetime import date
from decimal import Decimal
from typing import Any

import xlsxwriter
from sqlalchemy import select

from app.auth.models import Role
from app.excel.columns import META_SHEET, PLAN_SHEET, REPORT_SHEET, TEMPLATE_VERSION
from app.planning.models import Item, Plan
from tests import plan_builders as pb
from tests.builders import World, auth, employee, user
from tests.excel.helpers import upload
from tests.excel.support import assignees, outcome_of, snapshot

PLAN_HEADERS = [
    "  ΤΊΤΛΟΣ   ενέργειας ",
    "type",
    "START DATE",
    "Λήξη",
    "ΠΡΟΫΠΟΛΟΓΙΣΜΟΣ (€)",
    "Funding",
    "staff",
    "Planned absorption",
    "Weight",
    "Παρατηρήσεις",
]
REPORT_HEADERS = ["Status", "item id", "Title", "Progress %", "Actual start", "Actual end", "Spent"]


def xlsxwriter_workbook(unit_id: int, rows: dict[str, list[list[Any]]]) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    for name, (title, headers) in {
        PLAN_SHEET: ("Προγραμματισμός 2027 — Τμήμα Προμηθειών", PLAN_HEADERS),
        REPORT_SHEET: ("Report 2026", REPORT_HEADERS),
    }.items():
        ws = wb.add_worksheet(name)
        ws.write_string(0, 0, title)
        for c, header in enumerate(headers):
            ws.write_string(2, c, header)
        for r, values in enumerate(rows[name], start=3):
            for c, value in enumerate(values):
                if isinstance(value, date):
                    ws.write_datetime(r, c, value, day)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                elif value is not None:
                    ws.write_number(r, c, value)
    meta = wb.add_worksheet(META_SHEET)
    for r, pair in enumerate(
        [
            ("template_version", TEMPLATE_VERSION),
            ("org_unit_id", unit_id),
            ("org_unit_code", "T12"),
            ("year", 2027),
        ]
    ):
        meta.write_row(r, 0, pair)
    meta.hide()
    wb.close()
    return buffer.getvalue()


class TestXlsxwriterWorkbook:
    def test_imports_like_the_apps_own(self, client, session):
        w = World(session)
        pb.cycle(session, w.a, 2026)
        pb.cycle(session, w.a, 2027)
        eleni = employee(session, w.t12, "Ελένη Ιωάννου")
        kostas = employee(session, w.t12, "Κώστας Δήμου")
        last = pb.plan(session, w.t12, 2026, status="approved", baseline_no=1)
        l1 = pb.item(session, last, "001", planned_start=date(2026, 1, 10))
        l2 = pb.item(session, last, "002")
        editor = auth(t12_editor(session, w))
        plan_rows: list[list[Any]] = [
            [
                "Ανακαίνιση γραφείων   ",
                "Έργο",
                "01/03/2027",
                date(2027, 10, 31),
                "1.234,56",
                "ΠΔΕ",
                "ιωαννου ελενη",
                "1234.56",
                2,
                "  ",
            ],
            [],
            [
                "Προμήθεια χαρτιού",
                "procurement",
                date(2027, 1, 15),
                "31/12/2027",
                500,
                "own",
                "ΚΩΣΤΑΣ ΔΗΜΟΥ, Ελένη Ιωάννου",
                None,
                "1,5",
                None,
            ],
            [
                "Καθαρισμός αρχείου",
                "ΔΡΑΣΗ",
                46447,
                "30-06-2027",
                "1 200,00",
                None,
                None,
                None,
                None,
                "εντός του έτους",
            ],
            [None, None, None, None, None, None, None, None, None, None],
            ["Σύνολο", None, None, None, 2934.56, None, None, None, None, None],
        ]
        report_rows: list[list[Any]] = [
            [
                "Ολοκληρώθηκε ",
                l1.id,
                "Ενέργεια 001",
                None,
                "15/01/2026",
                date(2026, 5, 20),
                "2.000,00",
            ],
            [],
            ["In_Progress", l2.id, "Ενέργεια 002", "40%", date(2026, 3, 1), None, 150.5],
            ["Total", None, None, None, None, None, "2150.50"],
        ]
        data = xlsxwriter_workbook(w.t12.id, {PLAN_SHEET: plan_rows, REPORT_SHEET: report_rows})

        before = snapshot(session)
        r = upload(client, editor, data)
        assert r.status_code == 200, r.text
        assert r.json()["problems"] == [], r.json()["problems"]
        assert r.json()["summary"]["plan"]["created"] == 3
        assert r.json()["summary"]["report"]["created"] == 2
        assert snapshot(session) == before

        r = upload(client, editor, data, dry_run="false")
        assert r.status_code == 201, r.text
        plan = session.scalar(select(Plan).where(Plan.org_unit_id == w.t12.id, Plan.year == 2027))
        assert plan is not None and plan.status == "draft"
        items = {i.title: i for i in session.scalars(select(Item).where(Item.plan_id == plan.id))}
        assert set(items) == {"Ανακαίνιση γραφείων", "Προμήθεια χαρτιού", "Καθαρισμός αρχείου"}
        a, b, c = (
            items["Ανακαίνιση γραφείων"],
            items["Προμήθεια χαρτιού"],
            items["Καθαρισμός αρχείου"],
        )
        assert (a.kind, a.planned_start, a.planned_end) == (
            "project",
            date(2027, 3, 1),
            date(2027, 10, 31),
        )
        assert (a.budget, a.planned_absorption, a.funding_source) == (
            Decimal("1234.56"),
            Decimal("1234.56"),
            "pde",
        )
        assert (a.weight, a.notes) == (Decimal("2.00"), None)
        assert assignees(session, a.id) == [eleni.id]
        assert (b.kind, b.planned_start, b.planned_end) == (
            "procurement",
            date(2027, 1, 15),
            date(2027, 12, 31),
        )
        assert (b.budget, b.funding_source, b.weight) == (Decimal("500.00"), "own", Decimal("1.50"))
        assert assignees(session, b.id) == sorted([eleni.id, kostas.id])
        assert (c.kind, c.planned_start, c.planned_end) == (
            "action",
            date(2027, 3, 1),
            date(2027, 6, 30),
        )
        assert (c.budget, c.notes) == (Decimal("1200.00"), "εντός του έτους")
        done, going = outcome_of(session, l1.id), outcome_of(session, l2.id)
        assert done is not None and going is not None
        assert (
            done["status"],
            done["actual_start"],
            done["actual_end"],
            done["actual_absorption"],
        ) == (
            "completed",
            date(2026, 1, 15),
            date(2026, 5, 20),
            Decimal("2000.00"),
        )
        assert (going["status"], going["progress_pct"], going["actual_absorption"]) == (
            "in_progress",
            Decimal("40"),
            Decimal("150.50"),
        )

        # The same file again: the typed-in rows are now the items they created.
        committed = snapshot(session)
        r = upload(client, editor, data, dry_run="false")
        assert r.json()["summary"]["plan"] == {
            "created": 0,
            "updated": 0,
            "deleted": 0,
            "unchanged": 3,
            "conflicts": 0,
        }
        assert r.json()["summary"]["report"]["unchanged"] == 2
        assert snapshot(session) == committed


def t12_editor(session, w: World):  # type: ignore[no-untyped-def]
    """An editor of T12 (World's editor is T11's)."""
    return user(session, "editor-t12", (Role.editor, w.t12))
