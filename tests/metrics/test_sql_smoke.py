from datetime import date
from decimal import Decimal

from app.reporting.models import Outcome
from tests import plan_builders as pb
from tests.builders import World, auth


def test_metrics_endpoints_answer(client, session):
    w = World(session)
    c = pb.cycle(session, w.a, 2026)
    p = pb.plan(session, w.t11, 2026, status="approved")
    i1 = pb.item(
        session,
        p,
        "001",
        planned_start=date(2026, 1, 1),
        planned_end=date(2026, 12, 31),
        planned_absorption=Decimal(100),
        kpi_name="k",
        kpi_baseline=Decimal(0),
        kpi_target=Decimal(10),
    )
    pb.item(session, p, "002", planned_end=date(2026, 3, 1))
    session.add(
        Outcome(
            municipality_id=p.municipality_id,
            item_id=i1.id,
            status="in_progress",
            progress_pct=Decimal(50),
            actual_absorption=Decimal(40),
            kpi_actual=Decimal(5),
        )
    )
    session.flush()
    h = auth(w.quality)
    for g in (
        "",
        "&group_by=org_unit",
        "&group_by=kind",
        "&group_by=funding_source",
        "&group_by=employee",
        "&group_by=year",
    ):
        r = client.get(
            f"/api/v1/metrics/completion?org_unit_id={w.a.id}&year=2026&as_of=2026-07-02{g}",
            headers=h,
        )
        assert r.status_code == 200, r.text
    t = r.json()["total"]
    assert t["planned_items"] == 2
    assert t["progress_pct"] == 25.0
    assert t["kpi_achievement_pct"] == 50.0
    assert t["absorption_pct"] == 40.0
    r = client.get(
        f"/api/v1/metrics/deviations?org_unit_id={w.a.id}&year=2026&as_of=2026-07-02", headers=h
    )
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 2
    r = client.get(f"/api/v1/cycles/{c.id}/completeness", headers=h)
    assert r.status_code == 200, r.text
