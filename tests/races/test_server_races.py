"""Races against the real server (uvicorn, two worker processes, a real database): writers
that follow the If-Match protocol lose nothing, get no 500 and leave one audit event per
successful write; items added at once all arrive, with distinct codes.

Unlike `tests/planning/test_concurrency.py` (the app in this process), the requests here cross
a socket into separate processes, each with its own connection pool, as in production.
"""

import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select
from sqlmodel import Session, col

from app.audit.models import AuditEvent
from app.core.db import make_engine
from tests.plan_builders import item_body
from tests.races.conftest import API, PASSWORD, Desk, Live, make_desk

WRITERS = 20
MAX_ATTEMPTS = 500  # a writer that cannot land its change in this many tries has starved


def race(
    live: Live, headers: dict[str, str], work: Callable[[httpx.Client, int], Any]
) -> list[Any]:
    """`work(client, n)` in WRITERS threads released together; what each returned (or raised)."""
    barrier = threading.Barrier(WRITERS)
    results: list[Any] = [None] * WRITERS

    def run(n: int) -> None:
        with live.client(headers) as c:
            try:
                barrier.wait(timeout=30)
                results[n] = work(c, n)
            except Exception as exc:  # a crash must fail the test, not vanish with the thread
                results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    failed = [r for r in results if isinstance(r, Exception)]
    assert not failed, failed
    return results


def assert_no_server_error(live: Live, responses: list[httpx.Response]) -> None:
    """No 5xx and no "database is locked" in the answers or in the server's log; and, while
    reading that log, no password or token in it either."""
    bad = [(r.request.url.path, r.status_code, r.text) for r in responses if r.status_code >= 500]
    assert not bad, bad
    locked = [r.text for r in responses if "locked" in r.text.lower()]
    assert not locked, locked
    log = live.log_text()
    assert "database is locked" not in log.lower()
    assert "Traceback" not in log, log
    # uvicorn's access log: `"PATCH /api/v1/items/7 HTTP/1.1" 200`
    assert not re.search(r'HTTP/1\.1" 5\d\d', log), log
    assert PASSWORD not in log
    assert "eyJ" not in log  # how every JWT begins
    assert "login succeeded" in log  # the security log is there, and was read


def audit_events(live: Live, entity_type: str, ids: list[int], action: str) -> list[AuditEvent]:
    engine = make_engine(live.database_url)
    try:
        with Session(engine) as s:
            return list(
                s.scalars(
                    select(AuditEvent)
                    .where(
                        col(AuditEvent.entity_type) == entity_type,
                        col(AuditEvent.entity_id).in_(ids),
                        col(AuditEvent.action) == action,
                    )
                    .order_by(col(AuditEvent.id))
                )
            )
    finally:
        engine.dispose()


def append_marker(
    c: httpx.Client, item_id: int, marker: str, seen: list[httpx.Response]
) -> httpx.Response:
    """Read, change, write with If-Match; on 412 read again and re-apply, as a client must."""
    for _ in range(MAX_ATTEMPTS):
        got = c.get(f"{API}/items/{item_id}")
        seen.append(got)
        assert got.status_code == 200, got.text
        notes = got.json()["notes"] or ""
        r = c.patch(
            f"{API}/items/{item_id}",
            json={"notes": f"{notes}{marker}"},
            headers={"If-Match": got.headers["ETag"]},
        )
        seen.append(r)
        if r.status_code != 412:
            return r
    raise AssertionError(f"{marker} never landed on item {item_id}")


class TestConcurrentWriters:
    def test_every_writer_lands_its_change_once_and_is_audited_once(self, live, municipality):
        desk: Desk = make_desk(live, municipality, "RW")
        seen: list[httpx.Response] = []
        lock = threading.Lock()

        def work(c: httpx.Client, n: int) -> list[httpx.Response]:
            mine: list[httpx.Response] = []
            # Every writer changes every item, starting from a different one.
            k = n % len(desk.item_ids)
            order = desk.item_ids[k:] + desk.item_ids[:k]
            landed = [append_marker(c, item_id, f"[w{n:02d}]", mine) for item_id in order]
            with lock:
                seen.extend(mine)
            return landed

        results = race(live, desk.editor, work)
        landed = [r for rs in results for r in rs]
        assert_no_server_error(live, seen)
        assert Counter(r.status_code for r in landed) == {200: WRITERS * len(desk.item_ids)}, [
            r.text for r in landed if r.status_code != 200
        ]
        statuses = Counter(r.status_code for r in seen)
        assert set(statuses) <= {200, 412}, statuses
        assert statuses[412] > 0  # the writers did collide

        with live.client(desk.editor) as c:
            for item_id in desk.item_ids:
                final = c.get(f"{API}/items/{item_id}").json()
                markers = re.findall(r"\[w\d\d\]", final["notes"])
                # Every writer's change is there, exactly once: nothing was lost or doubled.
                assert sorted(markers) == sorted(f"[w{n:02d}]" for n in range(WRITERS))
                assert final["version"] == 1 + WRITERS
            plan = c.get(f"{API}/plans/{desk.plan_id}").json()
            assert plan["version"] == 1 + len(desk.item_ids) * (1 + WRITERS)

        events = audit_events(live, "item", desk.item_ids, "update")
        assert len(events) == len(landed)
        # Each event is the change one 200 reported, and each 200 has its event.
        written = Counter((r.json()["id"], r.json()["notes"]) for r in landed)
        audited = Counter((e.entity_id, e.changes["notes"]["after"]) for e in events)
        assert audited == written
        assert all(e.user_id == desk.editor_id for e in events)

    def test_items_added_at_once_all_arrive_with_distinct_codes(self, live, municipality):
        desk = make_desk(live, municipality, "RC")

        def work(c: httpx.Client, n: int) -> httpx.Response:
            return c.post(
                f"{API}/plans/{desk.plan_id}/items", json=item_body(title=f"Ταυτόχρονη {n:02d}")
            )

        results = race(live, desk.editor, work)
        assert_no_server_error(live, results)
        assert [r.status_code for r in results] == [201] * WRITERS, [r.text for r in results]
        with live.client(desk.editor) as c:
            plan = c.get(f"{API}/plans/{desk.plan_id}").json()
        codes = [i["code"] for i in plan["items"]]
        titles = {i["title"] for i in plan["items"]}
        assert len(codes) == len(set(codes)) == len(desk.item_ids) + WRITERS
        assert {f"Ταυτόχρονη {n:02d}" for n in range(WRITERS)} <= titles
        assert {r.json()["code"] for r in results} <= set(codes)
        assert plan["version"] == 1 + len(desk.item_ids) + WRITERS
        created = audit_events(live, "item", [r.json()["id"] for r in results], "create")
        assert len(created) == WRITERS
