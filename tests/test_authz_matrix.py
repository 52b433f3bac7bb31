"""Who may call what: every /api/v1 route against every kind of caller.

Each route needs an entry in the matrix (tests/authz_foundation.py, authz_planning.py,
authz_excel.py),
or `test_every_route_is_in_the_matrix` fails: a new endpoint cannot ship without saying who
may call it. The actors and the expectations are described in tests/authz_cases.py.
"""

from typing import Any

import pytest
from fastapi.routing import APIRoute

from app.auth.models import User
from app.main import create_app
from tests.authz_cases import ACTORS, Case, Req
from tests.authz_excel import EXCEL
from tests.authz_foundation import FOUNDATION
from tests.authz_planning import PLANNING
from tests.builders import World, auth
from tests.helpers import API, assert_problem, audit_count, db_row

# (METHOD, path below /api/v1) -> how to call it and what each actor gets.
MATRIX: dict[tuple[str, str], Case] = {
    (method, API + path): case for (method, path), case in (FOUNDATION | PLANNING | EXCEL).items()
}


def api_routes() -> set[tuple[str, str]]:
    """(METHOD, path) of every API route: walked from `app.routes` and, as a second source
    that does not depend on how FastAPI nests included routers, from the OpenAPI paths."""
    app = create_app()
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI keeps included routers nested
    except ImportError:  # pragma: no cover - older FastAPI: app.routes is flat
        contexts: Any = app.routes
    else:
        contexts = iter_route_contexts(app.routes)
    found = {
        (method, ctx.path)
        for ctx in contexts
        if isinstance(getattr(ctx, "original_route", ctx), APIRoute)
        and ctx.path.startswith(f"{API}/")
        for method in ctx.methods
    }
    documented = {
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        if path.startswith(f"{API}/")
        for method in item
    }
    assert found, "no route found in app.routes"
    return found | documented


def test_every_route_is_in_the_matrix():
    missing = sorted(api_routes() - MATRIX.keys())
    assert not missing, f"routes without an authorization entry in MATRIX: {missing}"


def test_the_matrix_names_no_route_that_is_gone():
    assert not sorted(MATRIX.keys() - api_routes())


def test_no_route_is_described_twice():
    parts = [FOUNDATION.keys(), PLANNING.keys(), EXCEL.keys()]
    assert sum(len(p) for p in parts) == len(MATRIX)


def test_every_entry_says_what_every_actor_gets():
    for key, case in MATRIX.items():
        assert set(case.expect) == set(ACTORS), key


def send(client, req: Req, headers: dict[str, str]):
    return client.request(
        req.method,
        req.url,
        json=req.json,
        data=req.data,
        files=req.files,
        headers=req.headers | headers,
    )


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("key", sorted(MATRIX), ids=lambda k: f"{k[0]} {k[1]}")
def test_matrix(client, session, key, who):
    case = MATRIX[key]
    w = World(session)
    me: User = getattr(w, who)
    req = case.build(w, me)
    expected = case.expect[who]
    before = (db_row(session, *req.row) if req.row else None, audit_count(session))
    r = send(client, req, {} if case.public else auth(me))
    assert r.status_code == expected, f"{who}: {r.text}"
    if expected >= 400:
        assert_problem(r, expected)
        after = (db_row(session, *req.row) if req.row else None, audit_count(session))
        assert after == before, "a refused request changed the database"
    if case.visible is not None and expected == 200:
        items = r.json()["items"]
        assert r.json()["total"] == len(items)
        assert {i["id"] for i in items} == case.visible(session, w, who)


@pytest.mark.parametrize(
    "key", sorted(k for k, c in MATRIX.items() if not c.public), ids=lambda k: f"{k[0]} {k[1]}"
)
def test_without_a_token_every_route_is_401(client, session, key):
    w = World(session)
    req = MATRIX[key].build(w, w.admin)
    events = audit_count(session)
    assert_problem(send(client, req, {}), 401)
    assert audit_count(session) == events
