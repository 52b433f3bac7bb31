"""What every endpoint shares: problem+json errors, the list envelope, the OpenAPI document,
health checks, the body limit, security headers, and settings that refuse a default secret."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session

from app.core.config import DEV_SECRET, Settings, get_settings
from app.core.db import get_session
from app.main import create_app
from tests.builders import World, auth
from tests.helpers import API, assert_problem

LISTS = ["/org-units", "/employees", "/users", "/audit-events"]


@pytest.fixture
def w(session: Session) -> World:
    return World(session)


class TestErrors:
    @pytest.mark.parametrize("path", ["/nowhere", f"{API}/nowhere", f"{API}/org-units/1/nothing"])
    def test_unknown_route_is_404_problem(self, client, w, path):
        assert_problem(client.get(path, headers=auth(w.admin)), 404)
        assert_problem(client.get(path), 404)

    def test_wrong_method_is_405_problem(self, client, w):
        assert_problem(client.put(f"{API}/org-units", headers=auth(w.admin)), 405)


class TestListEnvelope:
    @pytest.mark.parametrize("path", LISTS)
    def test_envelope_and_default_limit(self, client, w, path):
        r = client.get(f"{API}{path}", headers=auth(w.superuser))
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"items", "total", "limit", "offset"}
        assert (body["limit"], body["offset"]) == (50, 0)
        assert isinstance(body["items"], list) and body["total"] >= len(body["items"])

    @pytest.mark.parametrize("path", LISTS)
    @pytest.mark.parametrize(
        ("params", "loc"),
        [
            ({"limit": 501}, ["query", "limit"]),
            ({"limit": 0}, ["query", "limit"]),
            ({"offset": -1}, ["query", "offset"]),
            ({"limit": "all"}, ["query", "limit"]),
        ],
    )
    def test_page_bounds_are_422(self, client, w, path, params, loc):
        body = assert_problem(
            client.get(f"{API}{path}", params=params, headers=auth(w.superuser)), 422
        )
        assert [e["loc"] for e in body["errors"]] == [loc]

    def test_limit_500_is_allowed(self, client, w):
        r = client.get(f"{API}/org-units", params={"limit": 500}, headers=auth(w.superuser))
        assert r.status_code == 200 and r.json()["limit"] == 500

    def test_offset_past_the_end_gives_an_empty_page_and_the_total(self, client, w):
        r = client.get(f"{API}/org-units", params={"offset": 100}, headers=auth(w.superuser))
        assert r.json()["items"] == [] and r.json()["total"] == 9


@pytest.fixture(scope="module")
def spec() -> dict:
    with TestClient(create_app()) as c:
        r = c.get("/openapi.json")
    assert r.status_code == 200
    return r.json()


class TestOpenAPI:
    def operations(self, spec: dict) -> list[tuple[str, str, dict]]:
        return [
            (method.upper(), path, op)
            for path, item in spec["paths"].items()
            for method, op in item.items()
            if method in ("get", "post", "put", "patch", "delete")
        ]

    def test_is_openapi_3_1(self, spec):
        assert spec["openapi"].startswith("3.1")

    def test_every_operation_has_a_camel_case_operation_id_a_tag_and_a_summary(self, spec):
        ops = self.operations(spec)
        assert len(ops) >= 20
        for method, path, op in ops:
            where = f"{method} {path}"
            assert re.fullmatch(r"[a-z][a-zA-Z0-9]*", op.get("operationId", "")), where
            assert op.get("tags"), where
            assert op.get("summary"), where

    def test_operation_ids_are_unique(self, spec):
        ids = [op["operationId"] for _, _, op in self.operations(spec)]
        assert len(ids) == len(set(ids))

    def test_api_errors_are_documented_as_problem_json(self, spec):
        for method, path, op in self.operations(spec):
            if path.startswith(API):
                assert "application/problem+json" in op["responses"]["422"]["content"], (
                    f"{method} {path}"
                )


@pytest.fixture
def bare_client(engine) -> Iterator[TestClient]:
    """The app on the suite's database without the per-test transaction (health checks)."""
    with TestClient(create_app()) as c:
        yield c


class TestHealth:
    def test_healthz(self, bare_client):
        r = bare_client.get("/healthz")
        assert r.status_code == 200 and r.json() == {"status": "ok"}

    def test_readyz_asks_the_database(self, bare_client):
        r = bare_client.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json() == {"status": "ready"}


@pytest.fixture
def small_client(session: Session, monkeypatch) -> Iterator[TestClient]:
    """An app whose body limit is 1 KiB; the settings are restored afterwards."""
    monkeypatch.setenv("APOLOGISMOS_MAX_BODY_BYTES", "1024")
    get_settings.cache_clear()
    try:
        application = create_app()

        def _session() -> Iterator[Session]:
            session.commit()
            yield session

        application.dependency_overrides[get_session] = _session
        with TestClient(application, raise_server_exceptions=False) as c:
            yield c
    finally:
        monkeypatch.delenv("APOLOGISMOS_MAX_BODY_BYTES")
        get_settings.cache_clear()
    assert get_settings().max_body_bytes == 10 * 1024 * 1024


class TestBodyLimit:
    def body(self, size: int) -> bytes:
        return b'{"code": "' + b"x" * (size - 12) + b'"}'

    def test_declared_length_over_the_limit_is_413(self, small_client, w):
        r = small_client.post(
            f"{API}/org-units",
            content=self.body(2048),
            headers=auth(w.admin) | {"Content-Type": "application/json"},
        )
        body = assert_problem(r, 413)
        assert "1024" in body["detail"]

    def test_streamed_body_over_the_limit_is_413(self, small_client, w):
        chunks = iter([self.body(2048)[:1000], self.body(2048)[1000:]])
        r = small_client.post(
            f"{API}/org-units",
            content=chunks,
            headers=auth(w.admin) | {"Content-Type": "application/json"},
        )
        assert "content-length" not in {k.lower() for k in r.request.headers}
        assert_problem(r, 413)

    def test_login_form_over_the_limit_is_413(self, small_client, w):
        r = small_client.post(
            f"{API}/auth/token", data={"username": "editor-t11", "password": "x" * 2000}
        )
        assert_problem(r, 413)

    def test_body_under_the_limit_goes_through(self, small_client, w):
        r = small_client.post(
            f"{API}/org-units",
            content=self.body(1000),
            headers=auth(w.admin) | {"Content-Type": "application/json"},
        )
        assert_problem(r, 422)  # parsed and validated, not refused for its size


class TestSecurityHeaders:
    @pytest.mark.parametrize("path", [f"{API}/auth/me", f"{API}/nowhere", "/healthz"])
    def test_present_on_every_response(self, client, w, path):
        r = client.get(path, headers=auth(w.editor))
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]

    def test_api_responses_are_not_cached(self, client, w):
        r = client.get(f"{API}/auth/me", headers=auth(w.editor))
        assert r.headers["Cache-Control"] == "no-store"

    def test_docs_page_is_served_without_the_api_csp(self, client):
        r = client.get("/docs")
        assert r.status_code == 200
        assert "Content-Security-Policy" not in r.headers
        assert r.headers["X-Content-Type-Options"] == "nosniff"


class TestSettings:
    @pytest.fixture(autouse=True)
    def no_env_secret(self, monkeypatch):
        monkeypatch.delenv("APOLOGISMOS_SECRET_KEY", raising=False)
        monkeypatch.delenv("APOLOGISMOS_ENVIRONMENT", raising=False)

    @pytest.mark.parametrize("environment", ["production", "test"])
    def test_default_secret_is_refused_outside_development(self, environment):
        with pytest.raises(ValidationError, match="SECRET_KEY"):
            Settings(environment=environment, _env_file=None)  # type: ignore[call-arg]

    def test_short_secret_is_refused(self):
        with pytest.raises(ValidationError, match="32 characters"):
            Settings(environment="production", secret_key="short", _env_file=None)  # type: ignore[call-arg]

    def test_development_accepts_the_default_and_production_a_real_secret(self):
        assert Settings(_env_file=None).secret_key == DEV_SECRET  # type: ignore[call-arg]
        real = "r" * 48
        assert (
            Settings(environment="production", secret_key=real, _env_file=None).secret_key == real
        )  # type: ignore[call-arg]
