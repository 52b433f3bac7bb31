"""The same workbook imported twice at once (a double click, two tabs) creates its new items
once: the second import waits for the first and then finds them there."""

import threading
from collections import Counter
from typing import Any

import httpx
import pytest

from app.excel.columns import PLAN_SHEET
from tests.excel.helpers import XLSX, edit
from tests.excel.support import first_free_row
from tests.races.conftest import API, Desk, Live, make_desk
from tests.races.test_server_races import assert_no_server_error

NEW = ("Νέα παιδική χαρά", "Συντήρηση πρασίνου", "Ψηφιακό αρχείο")


def filled_workbook(live: Live, desk: Desk) -> bytes:
    """The unit's workbook as downloaded, with three new rows typed in (no code, no id)."""
    with live.client(desk.editor) as c:
        r = c.get(f"{API}/org-units/{desk.unit_id}/workbook", params={"year": 2027})
    assert r.status_code == 200, r.text
    data = r.content
    row = first_free_row(data, PLAN_SHEET)
    cells: dict[tuple[int, str], Any] = {}
    for n, title in enumerate(NEW):
        cells |= {
            (row + n, "kind"): "Έργο",
            (row + n, "title"): title,
            (row + n, "planned_start"): "01/03/2027",
            (row + n, "planned_end"): "30/09/2027",
            (row + n, "budget"): "1.000,00",
        }
    return edit(data, {PLAN_SHEET: cells})


def twice_at_once(live: Live, desk: Desk, send: Any) -> list[httpx.Response]:
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(n: int) -> None:
        with live.client(desk.editor) as c:
            try:
                barrier.wait(timeout=30)
                results[n] = send(c)
            except Exception as exc:
                results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(isinstance(r, httpx.Response) for r in results), results
    return results


def upload(c: httpx.Client, data: bytes, dry_run: bool) -> httpx.Response:
    files = {"file": ("unit.xlsx", data, XLSX)}
    return c.post(f"{API}/imports", params={"dry_run": str(dry_run).lower()}, files=files)


@pytest.mark.parametrize("plan_exists", [True, False], ids=["plan", "no-plan-yet"])
@pytest.mark.parametrize("door", ["commit-of-dry-run", "direct-upload"])
class TestSameWorkbookTwice:
    def test_new_rows_become_items_once(self, live, municipality, plan_exists, door):
        code = f"IM{'P' if plan_exists else 'N'}{'C' if door.startswith('commit') else 'U'}"
        desk = make_desk(live, municipality, code, items=2 if plan_exists else None)
        data = filled_workbook(live, desk)
        if door == "commit-of-dry-run":
            with live.client(desk.editor) as c:
                dry = upload(c, data, dry_run=True)
            assert dry.status_code == 200, dry.text
            assert dry.json()["summary"]["plan"]["created"] == len(NEW), dry.text
            job = dry.json()["id"]
            results = twice_at_once(live, desk, lambda c: c.post(f"{API}/imports/{job}/commit"))
        else:
            results = twice_at_once(live, desk, lambda c: upload(c, data, dry_run=False))

        assert_no_server_error(live, results)
        statuses = sorted(r.status_code for r in results)
        assert statuses in ([201, 201], [201, 409]), [r.text for r in results]
        if statuses == [201, 409]:
            assert (
                results[[r.status_code for r in results].index(409)]
                .headers["content-type"]
                .startswith("application/problem+json")
            )
        created = sorted(r.json()["summary"]["plan"]["created"] for r in results if r.is_success)
        assert created in ([0, len(NEW)], [len(NEW)]), [r.text for r in results]

        with live.client(desk.editor) as c:
            plans = c.get(f"{API}/plans", params={"org_unit_id": desk.unit_id}).json()["items"]
            assert len(plans) == 1, plans
            plan = c.get(f"{API}/plans/{plans[0]['id']}").json()
        titles = Counter(i["title"] for i in plan["items"])
        assert all(titles[t] == 1 for t in NEW), titles
        assert sum(titles.values()) == len(NEW) + (2 if plan_exists else 0)
