"""The quality unit's consolidated workbook of a year: summary per directorate and department
with the SPEC §5 figures (the same numbers as the metrics API), a native chart, frozen header
rows and filters, the deviations list and the submission completeness; for quality and admin
only."""

import io
import zipfile
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from app.excel.export import FIGURES, STATES
from app.reporting.models import Outcome
from tests import plan_builders as pb
from tests.builders import World, auth

YEAR = 2025  # a past year: the figures are as of 31/12/2025, whatever the day of the run
SHEETS = ["Σύνοψη", "Τμήματα", "Αποκλίσεις", "Πληρότητα"]
FIGURE_HEADERS = [h for _, h, _ in FIGURES]


def _done(session, item, status: str, **fields: Any) -> None:  # type: ignore[no-untyped-def]
    session.add(
        Outcome(municipality_id=item.municipality_id, item_id=item.id, status=status, **fields)
    )
    session.flush()


def year_of_work(session) -> World:  # type: ignore[no-untyped-def]
    """T11: three planned items (completed, half done with weight 2, not started) and an
    unplanned one; T12: one completed, one cancelled; T21: one postponed with no reason."""
    w = World(session)
    pb.cycle(session, w.a, YEAR)
    t11 = pb.plan(session, w.t11, YEAR, status="approved", report_status="approved", baseline_no=1)
    money = {"planned_absorption": Decimal("1000.00"), "planned_end": date(YEAR, 6, 30)}
    _done(
        session,
        pb.item(session, t11, "001", **money),
        "completed",
        progress_pct=100,
        actual_absorption=Decimal("800"),
    )
    _done(
        session,
        pb.item(session, t11, "002", weight=Decimal(2), **money),
        "in_progress",
        progress_pct=50,
        actual_absorption=Decimal("200"),
    )
    pb.item(session, t11, "003")
    _done(session, pb.item(session, t11, "004", unplanned=True), "completed", progress_pct=100)
    t12 = pb.plan(session, w.t12, YEAR)
    _done(
        session,
        pb.item(session, t12, "001", planned_absorption=Decimal("500.00")),
        "completed",
        progress_pct=100,
        actual_absorption=Decimal("500"),
    )
    _done(session, pb.item(session, t12, "002"), "cancelled", deviation_reason="Καταργήθηκε")
    t21 = pb.plan(session, w.t21, YEAR, status="approved", baseline_no=1)
    _done(
        session,
        pb.item(session, t21, "001", title="Μελέτη οδοποιίας", planned_end=date(YEAR, 5, 1)),
        "postponed",
    )
    return w


def consolidated(client, w: World, unit_id: int | None = None, who=None):  # type: ignore[no-untyped-def]
    return client.get(
        f"/api/v1/exports/consolidated?year={YEAR}&org_unit_id={unit_id or w.a.id}",
        headers=auth(who or w.quality),
    )


def table(ws) -> list[list[Any]]:  # type: ignore[no-untyped-def]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def figures_of(row: list[Any], first: int) -> dict[str, Any]:
    return {key: row[first + i] for i, (key, _, _) in enumerate(FIGURES)}


def api_figures(client, w: World, unit_id: int) -> tuple[dict[str, Any], dict[Any, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    r = client.get(
        f"/api/v1/metrics/completion?year={YEAR}&org_unit_id={unit_id}&group_by=org_unit",
        headers=auth(w.quality),
    )
    assert r.status_code == 200, r.text
    keys = [k for k, _, _ in FIGURES]
    groups = {g["key"]: {k: g[k] for k in keys} for g in r.json()["groups"]}
    return {k: r.json()["total"][k] for k in keys}, groups


def as_written(figures: dict[str, Any]) -> dict[str, Any]:
    from app.excel.export import LIGHTS

    out = dict(figures)
    out["traffic_light"] = LIGHTS.get(out["traffic_light"], out["traffic_light"])
    return out


class TestSummarySheet:
    def test_one_row_per_directorate_with_the_section_5_figures_and_a_total(self, client, session):
        w = year_of_work(session)
        r = consolidated(client, w)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
        wb = load_workbook(io.BytesIO(r.content))
        assert wb.sheetnames == SHEETS
        rows = table(wb["Σύνοψη"])
        assert rows[0] == ["Κωδικός", "Μονάδα", *FIGURE_HEADERS]
        d1, d2, total = rows[1], rows[2], rows[3]
        assert d1[:2] == ["D1", "Διεύθυνση Οικονομικών"] and d2[:2] == [
            "D2",
            "Διεύθυνση Τεχνικών Έργων",
        ]
        f1 = figures_of(d1, 2)
        assert (f1["planned_items"], f1["unplanned_items"], f1["completed"], f1["in_progress"]) == (
            5,
            1,
            2,
            1,
        )
        assert (f1["not_started"], f1["cancelled"]) == (1, 1)
        assert f1["completion_pct"] == 40  # 2 of 5
        assert f1["progress_pct"] == 50  # (100 + 100 + 2·50) / (1 + 1 + 2 + 1 + 1)
        assert f1["absorption_pct"] == 60  # (800 + 200 + 500) / (1000 + 1000 + 500)
        f2 = figures_of(d2, 2)
        assert (f2["planned_items"], f2["postponed"], f2["completion_pct"]) == (1, 1, 0)
        assert total[1] == "Σύνολο: Δήμος Θεσσαλονίκης"
        assert figures_of(total, 2)["completion_pct"] == pytest.approx(33.33)
        api_total, api_groups = api_figures(client, w, w.a.id)
        assert figures_of(total, 2) == as_written(api_total)
        assert f1 == as_written(api_groups[w.d1.id])
        assert f2 == as_written(api_groups[w.d2.id])

    def test_has_a_native_column_chart_of_completion_per_directorate(self, client, session):
        w = year_of_work(session)
        data = consolidated(client, w).content
        assert len(load_workbook(io.BytesIO(data))["Σύνοψη"]._charts) == 1
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            [part] = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
            chart = z.read(part).decode()
        column = "J"  # Κωδικός, Μονάδα, then completion_pct is the 8th figure
        assert FIGURE_HEADERS[ord(column) - ord("C")] == "Υλοποίηση %"
        assert "<c:barChart>" in chart and '<c:barDir val="col"/>' in chart
        assert f"Σύνοψη!${column}$2:${column}$3" in chart
        assert "Σύνοψη!$B$2:$B$3" in chart


class TestDepartmentsSheet:
    def test_one_row_per_department_under_its_directorate(self, client, session):
        w = year_of_work(session)
        wb = load_workbook(io.BytesIO(consolidated(client, w).content))
        rows = table(wb["Τμήματα"])
        assert rows[0] == ["Υπάγεται σε", "Κωδικός", "Μονάδα", *FIGURE_HEADERS]
        by_code = {r[1]: r for r in rows[1:]}
        assert set(by_code) == {"T11", "T12", "T21"}
        assert by_code["T11"][0] == "D1 Διεύθυνση Οικονομικών"
        t11 = figures_of(by_code["T11"], 3)
        assert (t11["planned_items"], t11["completed"]) == (3, 1)
        assert t11["completion_pct"] == pytest.approx(33.33)
        assert t11["absorption_pct"] == 50
        _, api = api_figures(client, w, w.d1.id)
        assert t11 == as_written(api[w.t11.id])
        assert figures_of(by_code["T12"], 3) == as_written(api[w.t12.id])


class TestDeviationsSheet:
    def test_lists_what_the_deviations_api_lists(self, client, session):
        w = year_of_work(session)
        wb = load_workbook(io.BytesIO(consolidated(client, w).content))
        rows = table(wb["Αποκλίσεις"])
        r = client.get(
            f"/api/v1/metrics/deviations?year={YEAR}&org_unit_id={w.a.id}&limit=500",
            headers=auth(w.quality),
        )
        assert r.status_code == 200, r.text
        assert len(rows) - 1 == r.json()["total"] > 0
        road = next(row for row in rows if row[2] == "Μελέτη οδοποιίας")
        assert road[0] == "T21 Τμήμα Μελετών" and road[4] == "Αναβλήθηκε"
        assert "postponed" in road[5] and "missing_reason" in road[5]
        assert road[12] is None  # no reason given


class TestCompletenessSheet:
    def test_says_for_every_department_where_plan_and_report_stand(self, client, session):
        w = year_of_work(session)
        wb = load_workbook(io.BytesIO(consolidated(client, w).content))
        rows = {r[0]: r for r in table(wb["Πληρότητα"])[1:]}
        cycle_id = client.get("/api/v1/cycles", headers=auth(w.quality)).json()["items"][0]["id"]
        api = client.get(f"/api/v1/cycles/{cycle_id}/completeness", headers=auth(w.quality)).json()
        assert set(rows) == {u["org_unit_code"] for u in api["units"]} >= {"T11", "T12", "T21"}
        for u in api["units"]:
            assert rows[u["org_unit_code"]][2:] == [STATES[u["plan"]], STATES[u["report"]]]
        assert rows["T12"][2] == "Σε σύνταξη"
        assert rows["T11"][2] == "Εγκρίθηκε"


class TestLayout:
    def test_every_sheet_has_a_frozen_header_row_and_a_filter_over_its_table(self, client, session):
        w = year_of_work(session)
        wb = load_workbook(io.BytesIO(consolidated(client, w).content))
        for name in SHEETS:
            ws = wb[name]
            assert ws.freeze_panes == "A2", name
            ref = ws.auto_filter.ref
            assert ref and ref.startswith("A1:"), name
            last = ws.cell(row=1, column=ws.max_column).column_letter
            assert ref.split(":")[1].startswith(last), (name, ref)


class TestWhoMayExport:
    @pytest.mark.parametrize(
        ("who", "status"),
        [
            ("quality", 200),
            ("admin", 200),
            ("superuser", 200),
            ("editor", 404),
            ("nobody", 404),
            ("quality_b", 404),
        ],
    )
    def test_only_quality_and_admin(self, client, session, who, status):
        w = year_of_work(session)
        assert consolidated(client, w, who=getattr(w, who)).status_code == status

    def test_a_viewer_of_the_directorate_is_forbidden(self, client, session):
        w = year_of_work(session)
        r = consolidated(client, w, unit_id=w.d1.id, who=w.viewer)
        assert r.status_code == 403
        assert r.headers["content-type"] == "application/problem+json"

    def test_an_editor_of_the_department_is_forbidden(self, client, session):
        w = year_of_work(session)
        assert consolidated(client, w, unit_id=w.t11.id, who=w.editor).status_code == 403
