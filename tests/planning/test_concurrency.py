"""Concurrent edits: exactly one of the writers that read the same version wins; nothing is lost.

`TestRealRace` runs the app on a database of its own, with every request in its own
transaction as in production, and fires the requests from threads at the same moment.
"""

import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from app.audit.models import AuditEvent
from app.core import db as core_db
from app.core.db import make_engine
from app.core.migrate import upgrade
from app.main import create_app
from app.planning.models import Item, Plan
from tests import plan_builders as pb
from tests.builders import World, auth
from tests.conftest import fresh_database
from tests.helpers import assert_problem

API = pb.API
THREADS = 8


class TestTwoClients:
    def test_second_writer_of_the_same_version_gets_412(self, client, session, w, cycle):
        plan = pb.plan(session, w.t11)
        it = pb.item(session, plan, "001", title="Αρχικός")
        ed, adm = auth(w.editor), auth(w.admin)
        tag_ed = pb.etag(client, f"{API}/items/{it.id}", ed)
        tag_adm = pb.etag(client, f"{API}/items/{it.id}", adm)
        assert tag_ed == tag_adm == '"1"'
        first = pb.patch_item(client, it.id, ed, {"title": "Του συντάκτη"}, tag_ed)
        assert first.status_code == 200, first.text
        second = pb.patch_item(client, it.id, adm, {"title": "Του διαχειριστή"}, tag_adm)
        assert "read it again" in assert_problem(second, 412)["detail"]
        stored = client.get(f"{API}/items/{it.id}", headers=adm)
        assert (stored.json()["title"], stored.headers["ETag"]) == ("Του συντάκτη", '"2"')
        # Having read again, the loser's change applies on top of the winner's.
        again = pb.patch_item(client, it.id, adm, {"notes": "μετά"})
        assert again.json()["title"] == "Του συντάκτη" and again.json()["version"] == 3


@pytest.fixture
def live(engine: Engine) -> Iterator[Engine]:
    """A fresh database that the app commits to for real; the suite's engine is restored."""
    saved = core_db._engine
    with fresh_database() as url:
        upgrade(url)
        eng = make_engine(url)
        core_db.set_engine(eng)
        try:
            yield eng
        finally:
            core_db.set_engine(saved)
            eng.dispose()


def _race(app: Any, send: Any) -> list[Any]:
    """Run `send(client, n)` in THREADS threads released together; their responses."""
    barrier = threading.Barrier(THREADS)
    results: list[Any] = [None] * THREADS

    def run(n: int) -> None:
        c = TestClient(app, raise_server_exceptions=False)
        barrier.wait(timeout=30)
        try:
            results[n] = send(c, n)
        except Exception as exc:  # a crash must fail the test, not vanish with the thread
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


class TestRealRace:
    @pytest.fixture
    def world(self, live: Engine) -> dict[str, Any]:
        with Session(live, expire_on_commit=False) as s:
            w = World(s)
            pb.cycle(s, w.a)
            plan = pb.plan(s, w.t11)
            it = pb.item(s, plan, "001", title="Αρχικός")
            s.commit()
            return {"w": w, "plan": plan.id, "item": it.id, "ed": auth(w.editor)}

    def _count(self, live: Engine, stmt: Any) -> int:
        with Session(live) as s:
            return s.scalar(stmt) or 0

    def test_same_if_match_one_wins_the_rest_get_412(self, live, world):
        app = create_app()
        url = f"{API}/items/{world['item']}"

        def send(c: TestClient, n: int) -> Any:
            headers = {**world["ed"], "If-Match": '"1"'}
            return c.patch(url, json={"title": f"Νικητής {n}"}, headers=headers)

        results = _race(app, send)
        assert all(not isinstance(r, Exception) for r in results), results
        statuses = Counter(r.status_code for r in results)
        assert statuses == {200: 1, 412: THREADS - 1}, [r.text for r in results]
        winner = next(r.json() for r in results if r.status_code == 200)
        stored = TestClient(app).get(url, headers=world["ed"])
        assert stored.json()["title"] == winner["title"]
        assert stored.json()["version"] == winner["version"] == 2
        plan = TestClient(app).get(f"{API}/plans/{world['plan']}", headers=world["ed"])
        assert plan.json()["version"] == 2
        updates = select(func.count()).where(
            AuditEvent.entity_type == "item", AuditEvent.action == "update"
        )
        assert self._count(live, updates) == 1

    def test_items_added_at_once_get_distinct_codes(self, live, world):
        app = create_app()
        url = f"{API}/plans/{world['plan']}/items"

        def send(c: TestClient, n: int) -> Any:
            return c.post(url, json=pb.item_body(title=f"Ενέργεια {n}"), headers=world["ed"])

        results = _race(app, send)
        assert [getattr(r, "status_code", r) for r in results] == [201] * THREADS, [
            getattr(r, "text", r) for r in results
        ]
        codes = {r.json()["code"] for r in results} | {"001"}
        assert len(codes) == THREADS + 1
        plan = TestClient(app).get(f"{API}/plans/{world['plan']}", headers=world["ed"]).json()
        assert (len(plan["items"]), plan["version"]) == (THREADS + 1, THREADS + 1)

    def test_one_plan_per_unit_and_year_when_created_at_once(self, live, world):
        app = create_app()
        w = world["w"]

        def send(c: TestClient, n: int) -> Any:
            body = {"org_unit_id": w.t12.id, "year": 2027}
            return c.post(f"{API}/plans", json=body, headers=auth(w.admin))

        results = _race(app, send)
        statuses = Counter(getattr(r, "status_code", r) for r in results)
        assert statuses == {201: 1, 409: THREADS - 1}, [getattr(r, "text", r) for r in results]
        stmt = select(func.count()).select_from(Plan).where(Plan.org_unit_id == w.t12.id)
        assert self._count(live, stmt) == 1
        assert self._count(live, select(func.count()).select_from(Item)) == 1

    def test_one_cycle_per_year_when_opened_at_once(self, live, world):
        app = create_app()
        body = {"year": 2028, "plan_deadline": "2028-01-31", "report_deadline": "2028-02-28"}

        def send(c: TestClient, n: int) -> Any:
            return c.post(f"{API}/cycles", json=body, headers=auth(world["w"].quality))

        results = _race(app, send)
        statuses = Counter(getattr(r, "status_code", r) for r in results)
        assert statuses == {201: 1, 409: THREADS - 1}, [getattr(r, "text", r) for r in results]
