from datetime import date

from tests import plan_builders as pb
from tests.builders import World, auth


def test_report_flow(client, session):
    w = World(session)
    pb.cycle(session, w.a, 2026)
    p = pb.plan(session, w.t11, 2026, status="approved", baseline_no=1)
    i1 = pb.item(session, p, "001", planned_end=date(2026, 3, 1))
    i2 = pb.item(session, p, "002")
    ed, q = auth(w.editor), auth(w.quality)
    r = pb.step(client, p.id, "report/submit", ed)
    assert r.status_code == 422, r.text
    assert {e["message"] for e in r.json()["errors"]} == {
        "item 001 has no outcome",
        "item 002 has no outcome",
    }
    r = client.put(
        f"/api/v1/items/{i1.id}/outcome",
        headers=ed,
        json={"status": "completed", "actual_start": "2026-01-10", "actual_end": "2026-04-01"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["progress_pct"] == "100"
    r = client.put(
        f"/api/v1/items/{i2.id}/outcome",
        headers=ed,
        json={"status": "in_progress", "progress_pct": 40},
    )
    assert r.status_code == 201, r.text
    r = pb.step(client, p.id, "report/submit", ed)
    assert r.status_code == 422, r.text
    assert [e["loc"] for e in r.json()["errors"]] == [["items", "001", "deviation_reason"]]
    tag = pb.etag(client, f"/api/v1/items/{i1.id}/outcome", ed)
    r = client.put(
        f"/api/v1/items/{i1.id}/outcome",
        headers={**ed, "If-Match": tag},
        json={
            "status": "completed",
            "actual_start": "2026-01-10",
            "actual_end": "2026-04-01",
            "deviation_category": "contractor",
            "deviation_reason": "Καθυστέρηση αναδόχου",
        },
    )
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/v1/plans/{p.id}/unplanned-items",
        headers=ed,
        json={"kind": "action", "title": "Έκτακτη δράση", "planned_start": "2026-05-01"},
    )
    assert r.status_code == 201, r.text
    uid = r.json()["id"]
    r = pb.step(client, p.id, "report/submit", ed)
    assert r.status_code == 422, r.text  # the unplanned item needs its reason too
    r = client.put(
        f"/api/v1/items/{uid}/outcome",
        headers=ed,
        json={"status": "completed", "deviation_reason": "Αίτημα Δημάρχου"},
    )
    assert r.status_code == 201, r.text
    r = pb.step(client, p.id, "report/submit", ed)
    assert r.status_code == 200, r.text
    assert r.json()["report_status"] == "submitted"
    r = pb.step(client, p.id, "report/approve", q)
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/v1/items/{i1.id}/corrective-actions",
        headers=ed,
        json={"description": "Ρήτρες καθυστέρησης στις νέες συμβάσεις"},
    )
    assert r.status_code == 201, r.text
    r = client.get("/api/v1/corrective-actions?year=2026", headers=q)
    assert r.json()["total"] == 1
