"""If-Match on every change of plans, items and cycles and on every workflow step:
428 without it, 412 when stale, and the refused request changes nothing."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlmodel import SQLModel

from app.planning.models import Cycle, Item, Plan
from tests import plan_builders as pb
from tests.builders import World, auth
from tests.helpers import assert_problem, unchanged

API = pb.API


@dataclass
class Change:
    method: str
    url: str
    body: dict[str, Any] | None
    model: type[SQLModel]
    row_id: int
    who: str
    ok: int = 200


def _draft_item(session, w: World, cycle: Cycle) -> tuple[Plan, Item]:
    plan = pb.plan(session, w.t11)
    return plan, pb.item(session, plan, "001")


def _case(name: str, session, w: World, cycle: Cycle) -> Change:
    if name == "patch item":
        _, it = _draft_item(session, w, cycle)
        return Change("PATCH", f"{API}/items/{it.id}", {"notes": "x"}, Item, it.id, "editor")
    if name == "delete item":
        _, it = _draft_item(session, w, cycle)
        return Change("DELETE", f"{API}/items/{it.id}", None, Item, it.id, "editor", 204)
    if name == "delete plan":
        plan, _ = _draft_item(session, w, cycle)
        return Change("DELETE", f"{API}/plans/{plan.id}", None, Plan, plan.id, "editor", 204)
    if name == "patch cycle":
        cycle.plan_deadline, cycle.report_deadline = date(2027, 1, 31), date(2027, 2, 28)
        session.flush()
        body = {"plan_deadline": "2027-02-15"}
        return Change("PATCH", f"{API}/cycles/{cycle.id}", body, Cycle, cycle.id, "quality")
    if name == "close cycle":
        return Change("POST", f"{API}/cycles/{cycle.id}/close", None, Cycle, cycle.id, "quality")
    if name == "reopen cycle":
        cycle.status = "closed"
        session.flush()
        return Change("POST", f"{API}/cycles/{cycle.id}/reopen", None, Cycle, cycle.id, "admin")
    state, who, body = {
        "submit": ("draft", "editor", None),
        "approve": ("submitted", "quality", None),
        "return": ("submitted", "quality", {"comment": "Διορθώσεις"}),
        "reopen": ("approved", "admin", {"comment": "Τροποποίηση"}),
    }[name]
    plan = pb.plan(session, w.t11, status=state, baseline_no=int(state == "approved"))
    pb.item(session, plan, "001")
    return Change("POST", f"{API}/plans/{plan.id}/{name}", body, Plan, plan.id, who)


CASES = [
    "patch item",
    "delete item",
    "delete plan",
    "submit",
    "approve",
    "return",
    "reopen",
    "patch cycle",
    "close cycle",
    "reopen cycle",
]


class TestIfMatch:
    def _send(self, client, c: Change, headers):
        return client.request(c.method, c.url, json=c.body, headers=headers)

    @pytest.mark.parametrize("name", CASES)
    def test_missing_is_428(self, client, session, w, cycle, name):
        c = _case(name, session, w, cycle)
        with unchanged(session, c.model, c.row_id):
            body = assert_problem(self._send(client, c, auth(getattr(w, c.who))), 428)
        assert "If-Match" in body["detail"]

    @pytest.mark.parametrize("name", CASES)
    @pytest.mark.parametrize("tag", ['"2"', '"0"', 'W/"1"', "1", "garbage"])
    def test_stale_or_malformed_is_412(self, client, session, w, cycle, name, tag):
        c = _case(name, session, w, cycle)
        headers = {**auth(getattr(w, c.who)), "If-Match": tag}
        with unchanged(session, c.model, c.row_id):
            body = assert_problem(self._send(client, c, headers), 412)
        assert "read it again" in body["detail"]

    @pytest.mark.parametrize("name", CASES)
    def test_current_tag_is_accepted(self, client, session, w, cycle, name):
        c = _case(name, session, w, cycle)
        headers = {**auth(getattr(w, c.who)), "If-Match": '"1"'}
        r = self._send(client, c, headers)
        assert r.status_code == c.ok, r.text
        if c.ok == 200:
            assert r.headers["ETag"] == '"2"'

    def test_a_plan_tag_goes_stale_when_one_of_its_items_changes(self, client, session, w, cycle):
        ed, q = auth(w.editor), auth(w.quality)
        plan, it = _draft_item(session, w, cycle)
        read = pb.etag(client, f"{API}/plans/{plan.id}", ed)
        assert pb.patch_item(client, it.id, ed, {"notes": "αλλαγή"}).status_code == 200
        assert_problem(pb.step(client, plan.id, "submit", ed, if_match=read), 412)
        assert pb.step(client, plan.id, "submit", ed).status_code == 200
        read = pb.etag(client, f"{API}/plans/{plan.id}", q)
        assert pb.step(client, plan.id, "return", q, "x", if_match=read).status_code == 200
        # The quality unit approves exactly the version it read, never a later one.
        assert_problem(pb.step(client, plan.id, "approve", q, if_match=read), 412)
