import io
from datetime import date

from openpyxl import load_workbook

from app.reporting.models import Outcome
from tests import plan_builders as pb
from tests.builders import World, auth


def test_consolidated_workbook(client, session):
    w = World(session)
    pb.cycle(session, w.a, 2026)
    p = pb.plan(session, w.t11, 2026, status="approved")
    i = pb.item(session, p, "001", title='=HYPERLINK("http://evil")', planned_end=date(2026, 3, 1))
    session.add(
        Outcome(
            municipality_id=p.municipality_id,
            item_id=i.id,
            status="completed",
            actual_end=date(2026, 4, 1),
        )
    )
    session.flush()
    r = client.get(
        f"/api/v1/exports/consolidated?year=2026&org_unit_id={w.a.id}", headers=auth(w.quality)
    )
    assert r.status_code == 200, r.text
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Σύνοψη", "Τμήματα", "Αποκλίσεις", "Πληρότητα"]
    summary = wb["Σύνοψη"]
    assert summary["B2"].value == "Διεύθυνση Οικονομικών"
    assert summary["J2"].value == 100  # completion % of D1: its one item is done
    assert len(summary._charts) == 1
    assert summary.freeze_panes == "A2"
    deviations = wb["Αποκλίσεις"]
    assert deviations["C2"].value == '=HYPERLINK("http://evil")'
    assert deviations["C2"].data_type == "s"  # text, never a formula
    r = client.get(
        f"/api/v1/exports/consolidated?year=2026&org_unit_id={w.a.id}", headers=auth(w.editor)
    )
    assert r.status_code == 404
