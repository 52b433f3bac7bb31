"""The org chart workbook: units (parent by code) and employees, downloaded and uploaded like the
unit workbook: dry run, then all or nothing, errors by cell; for admins only."""

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.excel.columns import STAFF_COLUMNS, STAFF_SHEET, UNIT_COLUMNS, UNITS_SHEET
from app.org.models import Employee, OrgUnit, OrgUnitClosure, UnitKind
from tests.builders import World, auth, employee
from tests.builders import unit as make_unit
from tests.excel.helpers import upload
from tests.excel.support import first_free_row, rows, save, snapshot

NOTHING = {"created": 0, "updated": 0, "deleted": 0, "conflicts": 0}


def chart(client, w: World, who=None) -> bytes:  # type: ignore[no-untyped-def]
    r = client.get(f"/api/v1/org-units/{w.a.id}/org-chart-workbook", headers=auth(who or w.admin))
    assert r.status_code == 200, r.text
    return r.content


def add(data: bytes, units: list[dict[str, Any]] = (), staff: list[dict[str, Any]] = ()) -> bytes:  # type: ignore[assignment]
    """Rows typed under the last filled row of each sheet, by column key."""
    wb = load_workbook(io.BytesIO(data))
    for sheet, columns, new in (
        (UNITS_SHEET, UNIT_COLUMNS, units),
        (STAFF_SHEET, STAFF_COLUMNS, staff),
    ):
        ws, start = wb[sheet], first_free_row(data, sheet)
        for n, values in enumerate(new, start=start):
            for i, column in enumerate(columns, start=1):
                if column.key in values:
                    ws.cell(row=n, column=i, value=values[column.key])
    return save(wb)


def unit(session, code: str) -> OrgUnit | None:  # type: ignore[no-untyped-def]
    return session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def ancestors(session, u: OrgUnit) -> set[int]:  # type: ignore[no-untyped-def]
    return set(
        session.scalars(
            select(OrgUnitClosure.ancestor_id).where(OrgUnitClosure.descendant_id == u.id)
        )
    )


class TestDownload:
    def test_lists_units_with_parent_codes_and_employees(self, client, session):
        w = World(session)
        employee(session, w.t11, "Μαρία Παπαδοπούλου")
        data = chart(client, w)
        units = rows(data, UNITS_SHEET)
        assert units[0] == [c.header for c in UNIT_COLUMNS]
        by_code = {r[0]: r for r in units[1:]}
        assert set(by_code) == {"D1", "D2", "T11", "T12", "T21"}  # not the other municipality
        assert by_code["T11"][2:] == ["Τμήμα", "D1", "Ναι"]
        assert by_code["D1"][3] is None  # directly under the municipality
        staff = rows(data, STAFF_SHEET)
        assert staff[0] == [c.header for c in STAFF_COLUMNS]
        assert staff[1][:2] == ["T11", "Μαρία Παπαδοπούλου"]

    def test_uploaded_as_it_is_changes_nothing(self, client, session):
        w = World(session)
        employee(session, w.t11, "Μαρία Παπαδοπούλου")
        before = snapshot(session)
        r = upload(client, auth(w.admin), chart(client, w), dry_run="false")
        assert r.status_code == 201, r.text
        assert r.json()["summary"]["units"] == {**NOTHING, "unchanged": 5}
        assert r.json()["summary"]["employees"] == {**NOTHING, "unchanged": 1}
        assert snapshot(session) == before


class TestAddUnitsAndStaff:
    def test_dry_run_then_commit_with_a_parent_after_its_child(self, client, session):
        w = World(session)
        data = add(
            chart(client, w),
            units=[
                {"code": "T31", "name": "Τμήμα Αδειών", "kind": "Τμήμα", "parent_code": "D3"},
                {"code": "D3", "name": "Διεύθυνση Πολεοδομίας", "kind": "Διεύθυνση"},
                {"code": "G1", "name": "Γραφείο Δημάρχου", "kind": "office", "parent_code": "d1"},
            ],
            staff=[
                {
                    "unit_code": "T31",
                    "full_name": "Ελένη Οικονόμου",
                    "email": "e.oikonomou@example.gr",
                },
                {"unit_code": "T11", "full_name": "Πέτρος Πέτρου", "job_title": "ΠΕ Οικονομικού"},
            ],
        )
        before = snapshot(session)
        r = upload(client, auth(w.admin), data)
        assert r.status_code == 200, r.text
        assert r.json()["problems"] == [], r.json()
        assert r.json()["summary"]["units"] == {**NOTHING, "created": 3, "unchanged": 5}
        assert r.json()["summary"]["employees"] == {**NOTHING, "created": 2, "unchanged": 0}
        assert snapshot(session) == before

        r = upload(client, auth(w.admin), data, dry_run="false")
        assert r.status_code == 201, r.text
        d3, t31, g1 = unit(session, "D3"), unit(session, "T31"), unit(session, "G1")
        assert d3 is not None and t31 is not None and g1 is not None
        assert (d3.parent_id, d3.kind, t31.parent_id, g1.parent_id, g1.kind) == (
            w.a.id,
            "directorate",
            d3.id,
            w.d1.id,
            "office",
        )
        assert ancestors(session, t31) == {t31.id, d3.id, w.a.id}
        eleni = session.scalar(select(Employee).where(Employee.full_name == "Ελένη Οικονόμου"))
        assert eleni is not None and (eleni.org_unit_id, eleni.email) == (
            t31.id,
            "e.oikonomou@example.gr",
        )

        r = upload(client, auth(w.admin), data, dry_run="false")
        assert r.json()["summary"]["units"] == {**NOTHING, "unchanged": 8}
        assert r.json()["summary"]["employees"] == {**NOTHING, "unchanged": 2}

    def test_an_edited_row_updates_the_unit(self, client, session):
        w = World(session)
        data = chart(client, w)
        row = next(n for n, r in enumerate(rows(data, UNITS_SHEET), start=1) if r[0] == "T12")
        wb = load_workbook(io.BytesIO(data))
        wb[UNITS_SHEET].cell(row=row, column=2, value="Τμήμα Προμηθειών και Αποθηκών")
        wb[UNITS_SHEET].cell(row=row, column=5, value="Όχι")
        r = upload(client, auth(w.admin), save(wb), dry_run="false")
        assert r.status_code == 201, r.text
        assert r.json()["summary"]["units"] == {**NOTHING, "updated": 1, "unchanged": 4}
        t12 = unit(session, "T12")
        assert t12 is not None and (t12.name, t12.active) == (
            "Τμήμα Προμηθειών και Αποθηκών",
            False,
        )


BAD_UNITS: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "unknown parent code",
        {"code": "T99", "name": "Τμήμα Χ", "kind": "Τμήμα", "parent_code": "ZZ"},
        "D",
        "δεν υπάρχει μονάδα με κωδικό «ZZ»",
    ),
    (
        "unknown kind",
        {"code": "T99", "name": "Τμήμα Χ", "kind": "Υπηρεσία"},
        "C",
        "«Υπηρεσία» δεν είναι στη λίστα (Διεύθυνση, Τμήμα, Γραφείο)",
    ),
    ("no name", {"code": "T99", "kind": "Τμήμα"}, "B", "υποχρεωτικό πεδίο"),
    (
        "a unit under an office",
        {"code": "T99", "name": "Τμήμα Χ", "kind": "Τμήμα", "parent_code": "G9"},
        "A",
        "ένα γραφείο δεν έχει υπομονάδες",
    ),
]


class TestBadRows:
    @pytest.mark.parametrize(
        ("values", "column", "message"), [c[1:] for c in BAD_UNITS], ids=[c[0] for c in BAD_UNITS]
    )
    def test_a_bad_unit_row_is_named_and_nothing_is_written(
        self, client, session, values, column, message
    ):
        w = World(session)
        make_unit(session, w.a, "G9", "Γραφείο Τύπου", UnitKind.office)
        data = chart(client, w)
        row = first_free_row(data, UNITS_SHEET)
        good = {"unit_code": "T11", "full_name": "Νέα Υπάλληλος"}
        before = snapshot(session)
        r = upload(client, auth(w.admin), add(data, units=[values], staff=[good]), dry_run="false")
        assert r.status_code == 422, r.text
        [error] = r.json()["errors"]
        assert error["loc"][:2] == [UNITS_SHEET, f"{column}{row}"]
        assert error["message"] == message
        assert snapshot(session) == before

    def test_a_code_twice_in_the_file_is_named(self, client, session):
        w = World(session)
        data = chart(client, w)
        row = first_free_row(data, UNITS_SHEET)
        twice = [
            {"code": "T13", "name": "Τμήμα Ταμείου", "kind": "Τμήμα", "parent_code": "D1"},
            {"code": "t13", "name": "Τμήμα Εσόδων", "kind": "Τμήμα", "parent_code": "D2"},
        ]
        r = upload(client, auth(w.admin), add(data, units=twice))
        [problem] = r.json()["problems"]
        assert (problem["sheet"], problem["cell"]) == (UNITS_SHEET, f"A{row + 1}")
        assert problem["message"] == f"ο κωδικός «t13» υπάρχει ήδη στη γραμμή {row}"

    def test_an_existing_code_of_another_municipality_is_not_matched(self, client, session):
        w = World(session)
        data = chart(client, w)
        r = upload(
            client,
            auth(w.admin),
            add(data, units=[{"code": "BT11", "name": "Τμήμα", "kind": "Τμήμα"}]),
            dry_run="false",
        )
        assert r.status_code == 201, r.text
        created = session.scalars(select(OrgUnit).where(OrgUnit.code == "BT11")).all()
        assert {u.municipality_id for u in created} == {w.a.municipality_id, w.b.municipality_id}

    @pytest.mark.parametrize(
        ("values", "column", "message"),
        [
            (
                {"unit_code": "T11", "full_name": "Άννα Λάμπρου", "email": "όχι-email"},
                "C",
                "μη έγκυρο email",
            ),
            (
                {"unit_code": "T77", "full_name": "Άννα Λάμπρου"},
                "A",
                "δεν υπάρχει μονάδα με κωδικό «T77»",
            ),
            ({"unit_code": "T11", "email": "anna@example.gr"}, "B", "υποχρεωτικό πεδίο"),
            (
                {"unit_code": "T11", "full_name": "Άννα Λάμπρου", "active": "ίσως"},
                "E",
                "«ίσως»: γράψτε Ναι ή Όχι",
            ),
        ],
        ids=["bad e-mail", "unknown unit", "no name", "active neither yes nor no"],
    )
    def test_a_bad_staff_row_is_named(self, client, session, values, column, message):
        w = World(session)
        data = chart(client, w)
        row = first_free_row(data, STAFF_SHEET)
        before = snapshot(session)
        r = upload(client, auth(w.admin), add(data, staff=[values]), dry_run="false")
        assert r.status_code == 422, r.text
        [error] = r.json()["errors"]
        assert error["loc"][:2] == [STAFF_SHEET, f"{column}{row}"]
        assert error["message"] == message
        assert snapshot(session) == before


class TestNamesakes:
    def test_two_employees_of_one_name_round_trip_unchanged(self, client, session):
        w = World(session)
        first = employee(session, w.t11, "Νίκος Γεωργίου")
        second = employee(session, w.t11, "Νίκος Γεωργίου")
        first.email, second.email = "n.g1@example.gr", "n.g2@example.gr"
        session.flush()
        before = snapshot(session)
        r = upload(client, auth(w.admin), chart(client, w), dry_run="false")
        assert r.status_code == 201, r.text
        assert r.json()["summary"]["employees"] == {**NOTHING, "unchanged": 2}
        assert snapshot(session) == before


class TestWhoMay:
    @pytest.mark.parametrize(
        ("who", "status"), [("quality", 403), ("editor", 404), ("viewer", 404), ("admin_b", 404)]
    )
    def test_only_admins_download(self, client, session, who, status):
        w = World(session)
        r = client.get(
            f"/api/v1/org-units/{w.a.id}/org-chart-workbook", headers=auth(getattr(w, who))
        )
        assert r.status_code == status, r.text

    @pytest.mark.parametrize(
        ("who", "status"), [("quality", 403), ("editor", 404), ("admin_b", 404)]
    )
    def test_only_admins_upload(self, client, session, who, status):
        w = World(session)
        data = add(chart(client, w), units=[{"code": "T13", "name": "Τμήμα", "kind": "Τμήμα"}])
        before = snapshot(session)
        r = upload(client, auth(getattr(w, who)), data, dry_run="false")
        assert r.status_code == status, r.text
        assert snapshot(session) == before
