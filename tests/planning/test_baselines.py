"""Baselines: each approval freezes the plan's items; two baselines can be compared."""

import pytest
from sqlmodel import Session

from app.planning.models import Plan
from tests import plan_builders as pb
from tests.builders import auth, employee
from tests.helpers import assert_problem

API = pb.API


@pytest.fixture
def amended(client, session: Session, w, cycle):
    """A plan approved twice: baseline 1 with items A, B, C; then reopened, D added, B changed,
    C deleted, and approved again as baseline 2."""
    ed, q = auth(w.editor), auth(w.quality)
    anna, nikos = employee(session, w.t11, "Άννα"), employee(session, w.t11, "Νίκος")
    plan = pb.new_plan(client, w.t11, ed)
    pid = plan["id"]
    a = pb.add_item(client, pid, ed, title="A", assignee_ids=[anna.id], weight="2")
    b = pb.add_item(client, pid, ed, title="B", budget="500", kind="procurement")
    c = pb.add_item(client, pid, ed, title="C", kpi_name="Κ", kpi_baseline=1, kpi_target=3)
    pb.item(session, session.get(Plan, pid), "U01", unplanned=True)
    assert pb.step(client, pid, "submit", ed).status_code == 200
    assert pb.step(client, pid, "approve", q).status_code == 200
    assert pb.step(client, pid, "reopen", q, "Τροποποίηση").status_code == 200
    d = pb.add_item(client, pid, ed, title="D")
    change = {"title": "B2", "budget": "750.5", "assignee_ids": [nikos.id]}
    assert pb.patch_item(client, b["id"], ed, change).status_code == 200
    assert pb.delete_item(client, c["id"], ed).status_code == 204
    assert pb.step(client, pid, "submit", ed).status_code == 200
    approved = pb.step(client, pid, "approve", q)
    assert approved.json()["baseline_no"] == 2
    return {"plan": pid, "a": a, "b": b, "c": c, "d": d, "anna": anna, "nikos": nikos}


class TestListBaselines:
    def test_one_per_approval(self, client, w, amended, q):
        r = client.get(f"{API}/plans/{amended['plan']}/baselines", headers=q)
        assert r.status_code == 200, r.text
        rows = r.json()
        assert [(b["baseline_no"], b["items_count"]) for b in rows] == [(1, 3), (2, 3)]
        assert all(b["approved_by"] == w.quality.id and b["approved_at"] for b in rows)
        assert rows[0]["plan_version"] < rows[1]["plan_version"]
        plan = client.get(f"{API}/plans/{amended['plan']}", headers=q).json()
        assert (plan["baseline_no"], plan["version"]) == (2, rows[1]["plan_version"])

    def test_a_plan_never_approved_has_none(self, client, session, w, cycle, ed):
        plan = pb.plan(session, w.t11)
        assert client.get(f"{API}/plans/{plan.id}/baselines", headers=ed).json() == []
        body = assert_problem(client.get(f"{API}/plans/{plan.id}/baselines/1", headers=ed), 404)
        assert body["detail"] == f"plan {plan.id} has no baseline 1 (it has 0)"

    def test_scope(self, client, w, amended):
        url = f"{API}/plans/{amended['plan']}/baselines"
        assert client.get(url, headers=auth(w.viewer)).status_code == 200
        assert client.get(url + "/1", headers=auth(w.editor)).status_code == 200
        for who in ("admin_b", "nobody"):
            assert_problem(client.get(url, headers=auth(getattr(w, who))), 404)
            assert_problem(client.get(url + "/1", headers=auth(getattr(w, who))), 404)
            assert_problem(
                client.get(url + "/diff?from=1&to=2", headers=auth(getattr(w, who))), 404
            )


class TestGetBaseline:
    def test_items_are_frozen_as_approved(self, client, amended, ed):
        first = client.get(f"{API}/plans/{amended['plan']}/baselines/1", headers=ed).json()
        assert first["baseline_no"] == 1 and first["items_count"] == 3
        frozen = {i["code"]: i for i in first["items"]}
        assert sorted(frozen) == ["001", "002", "003"]  # the unplanned item is not frozen
        a, b, c = frozen["001"], frozen["002"], frozen["003"]
        assert (a["id"], a["title"], a["assignee_ids"]) == (
            amended["a"]["id"],
            "A",
            [amended["anna"].id],
        )
        assert (b["title"], b["budget"], b["kind"], b["assignee_ids"]) == (
            "B",
            "500.00",
            "procurement",
            [],
        )
        assert (c["id"], c["kpi_name"]) == (amended["c"]["id"], "Κ")
        assert a["planned_start"] == "2027-02-01" and a["weight"] == "2.00"
        second = client.get(f"{API}/plans/{amended['plan']}/baselines/2", headers=ed).json()
        assert [(i["code"], i["title"]) for i in second["items"]] == [
            ("001", "A"),
            ("002", "B2"),
            ("005", "D"),  # the next free code after four items
        ]

    @pytest.mark.parametrize("no", [3, 99])
    def test_unknown_baseline_is_404(self, client, amended, ed, no):
        body = assert_problem(
            client.get(f"{API}/plans/{amended['plan']}/baselines/{no}", headers=ed), 404
        )
        assert body["detail"] == f"plan {amended['plan']} has no baseline {no} (it has 2)"

    def test_baseline_number_must_be_positive(self, client, amended, ed):
        assert_problem(client.get(f"{API}/plans/{amended['plan']}/baselines/0", headers=ed), 422)


class TestBaselineDiff:
    def _diff(self, client, plan_id, headers, frm, to):
        return client.get(
            f"{API}/plans/{plan_id}/baselines/diff?from={frm}&to={to}", headers=headers
        )

    def test_added_removed_and_changed(self, client, amended, q):
        r = self._diff(client, amended["plan"], q, 1, 2)
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["plan_id"], body["from_baseline"], body["to_baseline"]) == (
            amended["plan"],
            1,
            2,
        )
        assert [(i["id"], i["title"]) for i in body["added"]] == [(amended["d"]["id"], "D")]
        assert [(i["id"], i["title"]) for i in body["removed"]] == [(amended["c"]["id"], "C")]
        assert body["changed"] == [
            {
                "item_id": amended["b"]["id"],
                "code": "002",
                "fields": {
                    "assignee_ids": {"before": [], "after": [amended["nikos"].id]},
                    "budget": {"before": "500.00", "after": "750.50"},
                    "title": {"before": "B", "after": "B2"},
                },
            }
        ]

    def test_reversed_and_same(self, client, amended, q):
        back = self._diff(client, amended["plan"], q, 2, 1).json()
        assert [i["title"] for i in back["added"]] == ["C"]
        assert [i["title"] for i in back["removed"]] == ["D"]
        assert back["changed"][0]["fields"]["title"] == {"before": "B2", "after": "B"}
        same = self._diff(client, amended["plan"], q, 2, 2).json()
        assert (same["added"], same["removed"], same["changed"]) == ([], [], [])

    @pytest.mark.parametrize(("frm", "to"), [(1, 3), (5, 2)])
    def test_unknown_baseline_is_404(self, client, amended, q, frm, to):
        body = assert_problem(self._diff(client, amended["plan"], q, frm, to), 404)
        assert "has no baseline" in body["detail"]

    @pytest.mark.parametrize("query", ["", "?from=1", "?to=2", "?from=0&to=1", "?from=a&to=1"])
    def test_both_numbers_are_needed(self, client, amended, q, query):
        url = f"{API}/plans/{amended['plan']}/baselines/diff{query}"
        assert_problem(client.get(url, headers=q), 422)
