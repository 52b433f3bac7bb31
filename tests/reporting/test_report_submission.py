"""Submitting a report: the 422 lists every problem at once (each planned item without an
outcome, each deviating item without a deviation_reason) and nothing for items on plan.

The plans are of 2025, so the checks judge as of 31 December 2025 whatever the day."""

from datetime import date
from decimal import Decimal

import pytest

from app.planning.models import Plan
from tests import plan_builders as pb
from tests.helpers import assert_problem, error_locs, unchanged
from tests.reporting.support import API, approved_plan, outcome, read_plan

D = date.fromisoformat
REASON = "Καθυστέρηση στην έγκριση της Οικονομικής Επιτροπής"


def submit(client, plan_id, headers):
    return pb.step(client, plan_id, "report/submit", headers)


def problems(client, plan_id, headers):
    body = assert_problem(submit(client, plan_id, headers), 422)
    assert str(len(body["errors"])) in body["detail"]
    return [(tuple(e["loc"]), e["message"]) for e in body["errors"]]


def deviates(code, *flags):
    return (
        ("items", code, "deviation_reason"),
        f"item {code} deviates ({', '.join(flags)}): give a deviation_reason",
    )


def no_outcome(code):
    return (("items", code, "outcome"), f"item {code} has no outcome")


def on_plan(session, p):
    """Items whose outcome matches the plan: they never block a submission."""
    a = pb.item(
        session,
        p,
        "001",
        planned_start=D("2025-02-01"),
        planned_end=D("2025-06-30"),
        planned_absorption=Decimal("1000.00"),
    )
    outcome(
        session,
        a,
        "completed",
        progress_pct=Decimal(100),
        actual_start=D("2025-02-01"),
        actual_end=D("2025-06-30"),
        actual_absorption=Decimal("950.00"),  # within the 10 % tolerance
    )
    b = pb.item(session, p, "002", planned_start=D("2025-03-01"), planned_end=D("2025-12-31"))
    outcome(session, b, "in_progress", progress_pct=Decimal(70), actual_start=D("2025-03-01"))
    c = pb.item(session, p, "003", planned_start=D("2025-04-01"), planned_end=D("2025-05-31"))
    outcome(session, c, "completed", actual_end=D("2025-05-15"))  # early is on plan


# Each case: the item (fields), its outcome (status and fields) and the flags it raises.
CASES = {
    "late_finish": (
        {"planned_end": D("2025-06-30")},
        ("completed", {"actual_end": D("2025-07-20")}),
        ["late_finish"],
    ),
    "late_start": (
        {"planned_start": D("2025-02-01"), "planned_end": D("2025-12-31")},
        ("in_progress", {"actual_start": D("2025-03-15")}),
        ["late_start"],
    ),
    "overdue": (
        {"planned_end": D("2025-09-30")},
        ("in_progress", {"progress_pct": Decimal(80)}),
        ["overdue"],
    ),
    "not_started": (
        {"planned_start": D("2025-03-01"), "planned_end": D("2025-12-31")},
        ("not_started", {}),
        ["not_started"],
    ),
    "under_absorbed": (
        {"planned_absorption": Decimal("1000.00")},
        ("completed", {"actual_absorption": Decimal("899.99")}),
        ["under_absorbed"],
    ),
    "over_absorbed": (
        {"planned_absorption": Decimal("1000.00")},
        ("completed", {"actual_absorption": Decimal("1100.01")}),
        ["over_absorbed"],
    ),
    "postponed": ({}, ("postponed", {}), ["postponed"]),
    "cancelled": ({}, ("cancelled", {}), ["cancelled"]),
    "unplanned": ({"unplanned": True}, ("completed", {}), ["unplanned"]),
    "late_and_under": (
        {"planned_end": D("2025-06-30"), "planned_absorption": Decimal("500.00")},
        ("completed", {"actual_end": D("2025-08-01"), "actual_absorption": Decimal("100")}),
        ["late_finish", "under_absorbed"],
    ),
}


class TestEachDeviationNeedsAReason:
    @pytest.mark.parametrize("case", CASES)
    def test_listed_without_a_reason_accepted_with_one(self, client, session, w, cycle, ed, case):
        fields, (status, result), flags = CASES[case]
        p = approved_plan(session, w.t11)
        on_plan(session, p)
        it = pb.item(session, p, "X01", **fields)
        o = outcome(session, it, status, **result)
        assert problems(client, p.id, ed) == [deviates("X01", *flags)]
        o.deviation_reason = REASON
        session.flush()
        r = submit(client, p.id, ed)
        assert r.status_code == 200, r.text
        assert r.json()["report_status"] == "submitted"

    @pytest.mark.parametrize("blank", ["", "   "])
    def test_a_blank_reason_is_no_reason(self, client, session, w, cycle, ed, blank):
        p = approved_plan(session, w.t11)
        outcome(session, pb.item(session, p, "001"), "cancelled", deviation_reason=blank)
        assert problems(client, p.id, ed) == [deviates("001", "cancelled")]

    def test_a_category_without_a_reason_is_not_enough(self, client, session, w, cycle, ed):
        p = approved_plan(session, w.t11)
        outcome(session, pb.item(session, p, "001"), "postponed", deviation_category="funding")
        assert problems(client, p.id, ed) == [deviates("001", "postponed")]


class TestSubmissionListsEveryProblem:
    def test_every_missing_outcome_and_reason_at_once(self, client, session, w, cycle, ed):
        p = approved_plan(session, w.t11)
        on_plan(session, p)
        codes = {}
        for n, (fields, (status, result), flags) in enumerate(CASES.values(), start=10):
            code = f"{'U' if fields.get('unplanned') else '0'}{n}"
            outcome(session, pb.item(session, p, code, **fields), status, **result)
            codes[code] = flags
        # Planned items without an outcome: listed once each, whatever else they miss.
        pb.item(session, p, "008", planned_start=D("2025-01-10"), planned_end=D("2025-03-01"))
        pb.item(session, p, "009")
        # An unplanned item without an outcome has no reason either.
        pb.item(session, p, "U99", unplanned=True)
        # Another unit's deviations are not this report's problems.
        other = approved_plan(session, w.t12)
        outcome(session, pb.item(session, other, "001"), "cancelled")
        version = p.version
        with unchanged(session, Plan, p.id):
            found = problems(client, p.id, ed)
        expected = [no_outcome("008"), no_outcome("009")] + [
            deviates(code, *flags) for code, flags in sorted(codes.items())
        ]
        expected.append(deviates("U99", "unplanned"))
        assert found == expected
        assert read_plan(client, p.id, ed)["report_status"] == "draft"
        assert p.version == version

    def test_only_missing_outcomes(self, client, session, w, cycle, ed):
        p = approved_plan(session, w.t11)
        for code in ("003", "001", "002"):
            pb.item(session, p, code)
        locs = [loc for loc, _ in problems(client, p.id, ed)]
        assert locs == [("items", c, "outcome") for c in ("001", "002", "003")]

    def test_problems_come_as_errors_with_loc_and_message(self, client, session, w, cycle, ed):
        p = approved_plan(session, w.t11)
        pb.item(session, p, "001")
        body = assert_problem(submit(client, p.id, ed), 422)
        assert error_locs(body) == [["items", "001", "outcome"]]
        assert body["detail"] == f"the report of plan {p.id} is not complete: 1 problems"

    def test_once_everything_is_given_the_report_is_submitted(self, client, session, w, cycle, ed):
        p = approved_plan(session, w.t11)
        on_plan(session, p)
        late = pb.item(session, p, "004", planned_end=D("2025-06-30"))
        missing = pb.item(session, p, "005")
        assert len(problems(client, p.id, ed)) == 2
        url = f"{API}/items/{{}}/outcome"
        late_body = {"status": "completed", "actual_end": "2025-07-31", "deviation_reason": REASON}
        assert client.put(url.format(late.id), json=late_body, headers=ed).status_code == 201
        assert (
            client.put(
                url.format(missing.id), json={"status": "in_progress"}, headers=ed
            ).status_code
            == 201
        )
        r = submit(client, p.id, ed)
        assert r.status_code == 200, r.text
        assert r.json()["report_status"] == "submitted"

    def test_a_plan_not_approved_is_refused_before_any_check(self, client, session, w, cycle, ed):
        p = pb.plan(session, w.t11, 2025, status="draft")
        pb.item(session, p, "001")  # no outcome: but the plan's state is what refuses
        body = assert_problem(submit(client, p.id, ed), 409)
        assert "the report needs an approved plan" in body["detail"]
