"""A workbook names its unit, year and template in the hidden `_meta` sheet: one of another
unit or year, of an old template, or without `_meta` is refused with a Greek message that says
which, and nothing is written."""

import pytest

from app.excel.columns import META_SHEET, TEMPLATE_VERSION
from app.excel.writer import blank_unit_workbook
from tests.builders import World, auth, employee
from tests.excel.helpers import upload
from tests.excel.support import Desk, drop_sheet, meta, rewrite_meta, snapshot


def refused(client, session, headers, data, **params):  # type: ignore[no-untyped-def]
    before = snapshot(session)
    r = upload(client, headers, data, dry_run="false", **params)
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    assert snapshot(session) == before
    return r


class TestTheHiddenMetaSheet:
    def test_names_template_unit_and_year(self, client, session):
        desk = Desk(session)
        values = meta(desk.workbook(client))
        assert values["template_version"] == TEMPLATE_VERSION
        assert (values["org_unit_id"], values["org_unit_code"], values["year"]) == (
            desk.unit.id,
            "T11",
            2027,
        )


class TestAnotherUnit:
    def test_the_expected_unit_is_named_in_the_refusal(self, client, session):
        desk = Desk(session)
        r = refused(client, session, desk.editor, desk.workbook(client), org_unit_id=desk.w.t12.id)
        assert r.status_code == 422
        assert r.json()["detail"] == (
            "το αρχείο είναι της μονάδας «Τμήμα Λογιστηρίου» (T11): "
            "ανεβάστε το αρχείο της σωστής μονάδας"
        )

    def test_a_meta_whose_code_does_not_match_the_unit_id_is_refused(self, client, session):
        desk = Desk(session)
        data = rewrite_meta(desk.workbook(client), org_unit_code="T12")
        r = refused(client, session, desk.editor, data)
        assert r.status_code == 422
        assert r.json()["detail"] == "η μονάδα του αρχείου («T12») δεν υπάρχει"

    def test_a_unit_outside_the_callers_scope_is_not_found(self, client, session):
        desk = Desk(session)
        employee(session, desk.w.t21, "Νίκος Νικολάου")
        r = client.get(
            f"/api/v1/org-units/{desk.w.t21.id}/workbook?year=2027", headers=auth(desk.w.admin)
        )
        assert r.status_code == 200, r.text
        r = refused(client, session, desk.editor, r.content)
        assert r.status_code == 404


class TestAnotherYear:
    def test_the_files_year_is_named_in_the_refusal(self, client, session):
        desk = Desk(session)
        r = refused(client, session, desk.editor, desk.workbook(client), year=2028)
        assert r.status_code == 422
        assert r.json()["detail"] == "το αρχείο είναι για το έτος 2027, όχι για το 2028"

    def test_the_year_asked_for_is_accepted(self, client, session):
        desk = Desk(session)
        r = upload(client, desk.editor, desk.workbook(client), year=2027)
        assert r.status_code == 200, r.text


class TestOldTemplate:
    @pytest.mark.parametrize("version", ["2025.1", None])
    def test_is_refused_naming_both_versions(self, client, session, version):
        desk = Desk(session)
        data = rewrite_meta(desk.workbook(client), template_version=version)
        r = refused(client, session, desk.editor, data)
        assert r.status_code == 422
        shown = version or ";"
        assert r.json()["detail"] == (
            f"το αρχείο φτιάχτηκε από παλιό πρότυπο (έκδοση {shown}, τρέχουσα "
            f"{TEMPLATE_VERSION}): κατεβάστε νέο βιβλίο εργασίας"
        )


class TestWithoutMeta:
    def test_is_refused_naming_the_missing_sheet(self, client, session):
        desk = Desk(session)
        r = refused(client, session, desk.editor, drop_sheet(desk.workbook(client), META_SHEET))
        assert r.status_code == 422
        assert "λείπει το κρυφό φύλλο «_meta»" in r.json()["detail"]

    def test_the_blank_standard_template_is_refused_saying_so(self, client, session):
        w = World(session)
        r = refused(client, session, auth(w.editor), blank_unit_workbook())
        assert r.status_code == 422
        assert r.json()["detail"].startswith("το αρχείο είναι το κενό πρότυπο")


class TestTamperedMeta:
    @pytest.mark.parametrize(
        "values",
        [{"year": "δύο χιλιάδες"}, {"org_unit_id": "1e99"}, {"org_unit_id": 10**30}],
        ids=["year as words", "id as exponent", "id too large"],
    )
    def test_is_refused_not_a_server_error(self, client, session, values):
        desk = Desk(session)
        r = refused(client, session, desk.editor, rewrite_meta(desk.workbook(client), **values))
        assert r.status_code == 422, r.text
        assert "«_meta»" in r.json()["detail"] and "αλλοιωθεί" in r.json()["detail"]
