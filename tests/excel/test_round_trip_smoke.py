from datetime import date, datetime

from app.excel.columns import PLAN_SHEET, REPORT_SHEET
from app.reporting.models import Outcome
from tests import plan_builders as pb
from tests.builders import World, auth, employee
from tests.excel.helpers import edit, upload


def test_download_fill_import_reimport(client, session):
    w = World(session)
    pb.cycle(session, w.a, 2026)
    pb.cycle(session, w.a, 2027)
    employee(session, w.t11, "Μαρία Παπαδοπούλου")
    last = pb.plan(session, w.t11, 2026, status="approved", baseline_no=1)
    done = pb.item(session, last, "001", planned_end=date(2026, 6, 30))
    ed = auth(w.editor)
    r = client.get(f"/api/v1/org-units/{w.t11.id}/workbook?year=2027", headers=ed)
    assert r.status_code == 200, r.text
    filled = edit(
        r.content,
        {
            PLAN_SHEET: {
                (2, "kind"): "Έργο",
                (2, "title"): "Νέα παιδική χαρά",
                (2, "assignees"): "ΠΑΠΑΔΟΠΟΥΛΟΥ μαρια",
                (2, "planned_start"): "01/03/2027",
                (2, "planned_end"): datetime(2027, 9, 30),
                (2, "budget"): "1.234,56",
                (2, "funding_source"): "ΕΣΠΑ",
            },
            REPORT_SHEET: {
                (2, "status"): "Ολοκληρώθηκε",
                (2, "actual_end"): "15/06/2026",
                (2, "actual_start"): "01/02/2026",
            },
        },
    )
    r = upload(client, ed, filled)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["problems"] == [], body
    assert body["summary"]["plan"]["created"] == 1
    assert body["summary"]["report"]["created"] == 1
    assert session.get(Outcome, 1) is None  # dry run wrote nothing
    r = upload(client, ed, filled, dry_run="false")
    assert r.status_code == 201, r.text
    r = upload(client, ed, filled, dry_run="false")
    assert r.status_code == 201, r.text
    assert r.json()["summary"]["plan"] == {
        "created": 0,
        "updated": 0,
        "deleted": 0,
        "unchanged": 1,
        "conflicts": 0,
    }, r.json()
    # export again, import the export: nothing changes
    r = client.get(f"/api/v1/org-units/{w.t11.id}/workbook?year=2027", headers=ed)
    r = upload(client, ed, r.content)
    assert r.json()["summary"]["plan"]["unchanged"] == 1, r.json()
    assert r.json()["summary"]["report"]["unchanged"] == 1, r.json()
    _ = done


def test_bad_cells_are_named(client, session):
    w = World(session)
    pb.cycle(session, w.a, 2027)
    ed = auth(w.editor)
    r = client.get(f"/api/v1/org-units/{w.t11.id}/workbook?year=2027", headers=ed)
    bad = edit(
        r.content,
        {
            PLAN_SHEET: {
                (2, "kind"): "Έργο",
                (2, "title"): "Χ",
                (2, "planned_end"): "31/02/2027",
                (2, "assignees"): "Γιάννης Άγνωστος",
            }
        },
    )
    r = upload(client, ed, bad)
    assert r.status_code == 200, r.text
    problems = {p["cell"]: p["message"] for p in r.json()["problems"]}
    assert "δεν είναι υπαρκτή ημερομηνία" in problems["I2"], problems
    assert "δεν υπάρχει υπάλληλος" in problems["G2"], problems
    r2 = client.get(r.json()["annotated_url"], headers=ed)
    assert r2.status_code == 200
    r = upload(client, ed, bad, dry_run="false")
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
