"""The rules on an outcome's own fields: each broken rule is a 422 naming the field, and
nothing is stored."""

import pytest

from app.reporting.models import Outcome
from tests import plan_builders as pb
from tests.helpers import assert_problem, error_locs
from tests.reporting.support import put_outcome

CASES = [
    ({"status": "in_progress", "progress_pct": 100.5}, "progress_pct"),
    ({"status": "in_progress", "progress_pct": "-1"}, "progress_pct"),
    ({"status": "in_progress", "progress_pct": "12.345"}, "progress_pct"),
    ({"status": "in_progress", "progress_pct": 12.345}, "progress_pct"),
    ({"status": "in_progress", "progress_pct": "NaN"}, "progress_pct"),
    ({"status": "completed", "progress_pct": 90}, "progress_pct"),
    ({"status": "not_started", "progress_pct": 10}, "progress_pct"),
    ({"status": "not_started", "actual_start": "2025-03-01"}, "actual_start"),
    ({"status": "in_progress", "actual_end": "2025-03-01"}, "actual_end"),
    ({"status": "postponed", "actual_end": "2025-03-01"}, "actual_end"),
    ({"status": "not_started", "actual_end": "2025-03-01"}, "actual_end"),
    (
        {"status": "completed", "actual_start": "2025-05-02", "actual_end": "2025-05-01"},
        "actual_end",
    ),
    (
        {"status": "cancelled", "actual_start": "2025-05-02", "actual_end": "2025-04-30"},
        "actual_end",
    ),
    ({"status": "in_progress", "actual_absorption": "-0.01"}, "actual_absorption"),
    ({"status": "in_progress", "actual_absorption": "10.005"}, "actual_absorption"),
    ({"status": "in_progress", "deviation_category": "weather"}, "deviation_category"),
    ({"status": "done"}, "status"),
    ({"progress_pct": 50}, "status"),
    ({"status": "in_progress", "comment": "Καθυστέρηση"}, "comment"),
    ({"status": "in_progress", "item_id": 1}, "item_id"),
    ({"status": "in_progress", "version": 7}, "version"),
    ({"status": "in_progress", "actual_start": "1999-12-31"}, "actual_start"),
    ({"status": "in_progress", "deviation_reason": "χ" * 5001}, "deviation_reason"),
]


class TestOutcomeRules:
    @pytest.mark.parametrize(("body", "field"), CASES)
    def test_a_broken_rule_is_422_at_its_field(self, client, session, plan, ed, body, field):
        it = pb.item(session, plan, "001")
        version = plan.version
        problem = assert_problem(put_outcome(client, it.id, ed, body), 422)
        assert ["body", field] in error_locs(problem), problem
        assert all(e["message"] for e in problem["errors"])
        assert pb.count(session, Outcome) == 0
        session.expire_all()
        assert plan.version == version

    def test_the_same_rules_hold_on_an_update(self, client, session, plan, ed):
        it = pb.item(session, plan, "001")
        assert put_outcome(client, it.id, ed, {"status": "in_progress"}).status_code == 201
        r = put_outcome(client, it.id, ed, {"status": "completed", "progress_pct": 50}, '"1"')
        assert error_locs(assert_problem(r, 422)) == [["body", "progress_pct"]]
        stored = client.get(f"/api/v1/items/{it.id}/outcome", headers=ed).json()
        assert (stored["status"], stored["version"]) == ("in_progress", 1)

    def test_every_broken_rule_is_listed(self, client, session, plan, ed):
        it = pb.item(session, plan, "001")
        body = {
            "status": "in_progress",
            "progress_pct": 101,
            "actual_absorption": -5,
            "deviation_category": "weather",
            "extra": 1,
        }
        locs = error_locs(assert_problem(put_outcome(client, it.id, ed, body), 422))
        assert sorted(map(tuple, locs)) == sorted(
            [
                ("body", "progress_pct"),
                ("body", "actual_absorption"),
                ("body", "deviation_category"),
                ("body", "extra"),
            ]
        )

    @pytest.mark.parametrize(
        "body",
        [
            {"status": "not_started"},
            {"status": "not_started", "progress_pct": 0},
            {"status": "in_progress", "progress_pct": "0.5", "actual_start": "2025-01-01"},
            {"status": "postponed", "deviation_category": "funding", "deviation_reason": "ΕΣΠΑ"},
            {"status": "cancelled", "actual_end": "2025-04-30"},
            {
                "status": "completed",
                "actual_start": "2025-05-01",
                "actual_end": "2025-05-01",
                "actual_absorption": "0",
                "kpi_actual": "-2.5",
            },
        ],
    )
    def test_what_fits_the_rules_is_accepted(self, client, session, plan, ed, body):
        it = pb.item(session, plan, "001")
        r = put_outcome(client, it.id, ed, body)
        assert r.status_code == 201, r.text
        assert r.json()["status"] == body["status"]
