"""Schema-driven tests (Schemathesis): every operation of the OpenAPI document, as every kind of
caller, on a database where the ids it names exist.

What each response must satisfy: no 5xx; the status, content type, headers and body match what
the document declares; every error is problem+json; a request the document calls valid is not
refused (`positive_data_acceptance`) and one it calls invalid is (`negative_data_rejection`).

Two things the generator cannot know are supplied here: which ids exist (a generated id is
pointed at a row of `FuzzWorld`, most of the time) and the current ETag of the resource a change
is about (read with a GET just before, as a client does), so that changes get past If-Match to
the rules behind it. Runs are deterministic (a fixed seed, derandomized) and keep no example
database.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case, CheckContext, Response
from schemathesis.python import asgi
from schemathesis.python.asgi import ASGIClient
from sqlalchemy import Engine
from sqlmodel import Session

from app.core.db import get_session
from app.main import create_app
from tests.fuzz.world import FuzzWorld

# Statuses positive_data_acceptance takes by default (schemathesis 4), and the operations that
# may also answer 422 to a body the document calls valid, because the rule depends on rows
# (an id of another unit, a date outside the plan's year, an outcome missing) or on the current
# state, which no JSON Schema can say. A 422 there must still be a rule of the domain, never a
# constraint the document could have stated: `positive_data_passes_request_validation` checks it.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
STATE_RULES = {
    "POST /api/v1/auth/password": "the current password must be yours; common passwords",
    "POST /api/v1/users": "the municipality must exist; common passwords",
    "PATCH /api/v1/users/{user_id}": "you cannot deactivate yourself; common passwords",
    "POST /api/v1/users/{user_id}/grants": "a unit of the user's municipality; admin on a root",
    "POST /api/v1/org-units": "a parent for a unit, none for a municipality; not under an office",
    "PATCH /api/v1/org-units/{unit_id}": "moves: same municipality, no cycle, not under an office",
    "POST /api/v1/employees": "a unit that takes staff",
    "PATCH /api/v1/employees/{employee_id}": "a unit of the same municipality",
    "POST /api/v1/cycles": "deadlines within the cycle's year; the municipality when ambiguous",
    "PATCH /api/v1/cycles/{cycle_id}": "deadlines within the cycle's year",
    "POST /api/v1/plans/{plan_id}/submit": "a plan with items",
    "POST /api/v1/plans/{plan_id}/items": "dates in the plan's year; assignees of the unit",
    "PATCH /api/v1/items/{item_id}": "dates in the plan's year; assignees of the unit",
    "POST /api/v1/plans/{plan_id}/unplanned-items": "dates in the plan's year; assignees",
    "PUT /api/v1/items/{item_id}/outcome": "dates and progress that fit the item",
    "POST /api/v1/plans/{plan_id}/report/submit": "every planned item has an outcome (SPEC §4)",
    "POST /api/v1/items/{item_id}/corrective-actions": "an owner of the item's unit",
    "PATCH /api/v1/corrective-actions/{action_id}": "an owner of the item's unit",
    "POST /api/v1/imports": "the file must be a workbook of the unit and year",
    "POST /api/v1/imports/{job_id}/commit": "the stored workbook must still apply",
    "GET /api/v1/metrics/completion": "the unit when the caller has several grants; the year",
    "GET /api/v1/metrics/deviations": "the unit when the caller has several grants",
}

# A file's content is no JSON Schema's business: any bytes are a valid `format: binary`.
FILE_RULES = {
    "POST /api/v1/imports": ["415"],
    "POST /api/v1/imports/{job_id}/commit": ["415"],
}


def config(*, coverage: bool, examples: bool, max_examples: int) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": 20270131,
            "generation": {
                "max-examples": max_examples,
                "deterministic": True,
                "database": "none",
                # NUL is refused in every text (PostgreSQL cannot store it; tests/hostile): a
                # rule the document does not spell out as a pattern on every string.
                "allow-x00": False,
            },
            "phases": {
                "examples": {"enabled": examples},
                # Of the methods an operation does not have, OPTIONS (405 with an Allow header
                # naming the methods of the path, found missing by this very test) stands for
                # the others, which take the same way through the router.
                "coverage": {"enabled": coverage, "unexpected-methods": ["OPTIONS"]},
                "stateful": {"enabled": False},
            },
            "operations": [
                {
                    "include-name": name,
                    "checks": {
                        "positive_data_acceptance": {
                            "expected-statuses": [*ACCEPTED, "422", *FILE_RULES.get(name, [])]
                        }
                    },
                }
                for name in STATE_RULES
            ],
        }
    )


# One app for the module, whose session is the module's (see `fuzz`).
APP = create_app()


def load(cfg: schemathesis.Config) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", APP, config=cfg)


# The superuser reaches every row: the coverage phase (boundary values and their violations of
# every parameter, unexpected methods) runs as the superuser. The roles with a scope get random
# valid and invalid requests (fuzzing), which is where scope and role decide; without a token,
# a few requests per operation show that each one asks for it.
AS_SUPERUSER = load(config(coverage=True, examples=True, max_examples=6))
AS_ROLE = load(config(coverage=False, examples=False, max_examples=4))
UNAUTHENTICATED = load(config(coverage=False, examples=False, max_examples=2))
SCOPED_ROLES = ("admin", "quality", "editor", "viewer")
NUMBER = re.compile(r"^\d+$")


def problem_json_on_every_error(ctx: CheckContext, response: Response, case: Case) -> None:
    """RFC 9457: an error says what, where and why, as application/problem+json."""
    if response.status_code < 400:
        return
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith("application/problem+json"), (
        f"{response.status_code} sent as {content_type!r}"
    )
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == response.status_code, body
    assert body["detail"], body


def positive_data_passes_request_validation(
    ctx: CheckContext, response: Response, case: Case
) -> None:
    """A body the document calls valid may break a rule between fields ("Value error, ..."),
    never a constraint of one field that the document should have declared."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return
    body = response.json()
    if not body.get("detail", "").startswith("the request is not valid"):
        return  # a domain rule (InvalidInput), allowed where STATE_RULES says so
    undeclared = [e for e in body.get("errors", []) if not e["message"].startswith("Value error")]
    assert not undeclared, f"schema-valid input refused by a constraint: {undeclared}"


CHECKS = [problem_json_on_every_error, positive_data_passes_request_validation]


def use_existing_ids(case: Case, ids: dict[str, list[int]]) -> None:
    """Point a generated id at a row that exists six times out of seven (the seventh keeps the
    id as drawn, to reach the 404s), so that requests get past the lookup."""
    for name, value in list((case.path_parameters or {}).items()):
        pool = ids.get(name)
        if pool and isinstance(value, int) and not isinstance(value, bool) and value % 7:
            case.path_parameters[name] = pool[value % len(pool)]


def send_current_etag(
    case: Case, client: ASGIClient, headers: dict[str, str], etags: dict[str, str | None]
) -> None:
    """A change needs If-Match: read the resource it is about, as a client would, and send its
    ETag (the statuses 412 and 428 are tested by hand, in tests/planning/test_if_match.py).
    Every example starts from the same rows, so a path is read once per caller."""
    if not headers or not any(p.name == "If-Match" for p in case.operation.headers):
        return
    path = case.formatted_path
    if case.method == "POST":  # a workflow step: /plans/7/report/submit is about /plans/7
        parts = path.split("/")
        while parts and not NUMBER.match(parts[-1]):
            parts.pop()
        path = "/".join(parts)
    key = f"{headers['Authorization']} {path}"
    if key not in etags:
        r = client.get(path, headers=headers)
        etags[key] = r.headers.get("etag") if r.status_code == 200 else None
    if etags[key] is not None:
        case.headers = {**(case.headers or {}), "If-Match": etags[key]}


class Fuzz:
    """The world every example of the module starts from, and the client that reaches the app."""

    def __init__(self, session: Session, client: ASGIClient) -> None:
        self.session = session
        self.client = client
        self.world = FuzzWorld(session)
        session.commit()

    def run(self, case: Case, who: str) -> None:
        w, session = self.world, self.session
        headers = w.headers[who]
        use_existing_ids(case, w.ids)
        # Whatever an example writes is rolled back after it: each starts from the world.
        example = session.bind.begin_nested()  # type: ignore[union-attr]
        try:
            send_current_etag(case, self.client, headers, w.etags)
            case.call_and_validate(
                headers=headers, session=self.client, app=APP, additional_checks=CHECKS
            )
        finally:
            session.commit()
            example.rollback()
            session.expire_all()


@pytest.fixture(scope="module")
def fuzz(engine: Engine) -> Iterator[Fuzz]:
    """One world for the module (building it for each of some 350 tests would cost more than
    the tests), in a transaction rolled back at the end, as the suite's `session` is per test."""
    with engine.connect() as conn:
        outer = conn.begin()
        with Session(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        ) as session:

            def _session() -> Iterator[Session]:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise

            APP.dependency_overrides[get_session] = _session
            try:
                with asgi.get_client(APP) as client:
                    yield Fuzz(session, client)
            finally:
                APP.dependency_overrides.clear()
        outer.rollback()


# A request is a database round trip or several; Hypothesis would call that slow generation.
HEALTH = settings(suppress_health_check=[HealthCheck.too_slow])


@AS_SUPERUSER.parametrize()
@HEALTH
def test_as_superuser(case: Case, fuzz: Fuzz) -> None:
    fuzz.run(case, "superuser")


@pytest.mark.parametrize("who", SCOPED_ROLES)
@AS_ROLE.parametrize()
@HEALTH
def test_as_role(case: Case, who: str, fuzz: Fuzz) -> None:
    fuzz.run(case, who)


@UNAUTHENTICATED.parametrize()
@HEALTH
def test_unauthenticated(case: Case, fuzz: Fuzz) -> None:
    fuzz.run(case, "anonymous")
