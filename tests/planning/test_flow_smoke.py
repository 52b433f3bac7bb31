from tests import plan_builders as pb
from tests.builders import World, auth, employee


def test_plan_lifecycle(client, session):
    w = World(session)
    pb.cycle(session, w.a)
    emp = employee(session, w.t11)
    ed, q = auth(w.editor), auth(w.quality)
    r = client.post("/api/v1/plans", json={"org_unit_id": w.t11.id, "year": 2027}, headers=ed)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = client.post(
        f"/api/v1/plans/{pid}/items",
        headers=ed,
        json={
            "kind": "project",
            "title": "Παιδική χαρά",
            "assignee_ids": [emp.id],
            "planned_start": "2027-03-01",
            "planned_end": "2027-09-30",
            "budget": "85000",
            "planned_absorption": 60000.5,
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["budget"] == "85000.00"
    assert r.json()["planned_absorption"] == "60000.50"
    assert r.json()["code"] == "001"
    r = pb.step(client, pid, "submit", ed)
    assert r.status_code == 200, r.text
    r = pb.step(client, pid, "approve", q)
    assert r.status_code == 200, r.text
    assert r.json()["baseline_no"] == 1
    r = client.get(f"/api/v1/plans/{pid}", headers=q)
    assert r.json()["totals"]["budget"] == "85000.00"
    r = client.get("/api/v1/plans?year=2027", headers=q)
    assert r.json()["items"][0]["items_count"] == 1, r.text
