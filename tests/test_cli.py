"""The `apologismos` command line against a fresh database of the backend under test."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, inspect, select
from typer.testing import CliRunner

from app.auth.models import User
from app.cli import cli
from app.core import db as core_db
from app.core.config import get_settings
from app.core.db import make_engine, metadata
from app.demo.seed import DEMO_CODE, DEMO_LOGINS
from app.main import create_app
from app.org.models import Employee, OrgUnit
from tests.conftest import fresh_database

runner = CliRunner()
ADMIN_PASSWORD = "a long admin passphrase"


@pytest.fixture
def cli_db(engine: Engine) -> Iterator[str]:
    """The URL of an empty database that the commands (and the app) use; afterwards the suite's
    engine and settings are back in place."""
    with fresh_database() as url:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("APOLOGISMOS_DATABASE_URL", url)
            get_settings.cache_clear()
            core_db.set_engine(None)
            try:
                yield url
            finally:
                core_db.get_engine().dispose()
                core_db.set_engine(engine)
        get_settings.cache_clear()
    assert get_settings().database_url != url


def run(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(cli, list(args), env=env)


def upgraded() -> None:
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output


def counts(url: str) -> dict[str, int]:
    eng = make_engine(url)
    try:
        with eng.connect() as conn:
            return {
                t.name: conn.scalar(select(func.count()).select_from(t)) or 0
                for t in metadata.sorted_tables
            }
    finally:
        eng.dispose()


def users(url: str) -> dict[str, User]:
    eng = make_engine(url)
    try:
        with eng.connect() as conn:
            return {u.username: u for u in conn.execute(select(User.__table__))}  # type: ignore[attr-defined]
    finally:
        eng.dispose()


def token_for(username: str, password: str) -> tuple[int, dict[str, str]]:
    with TestClient(create_app()) as c:
        r = c.post("/api/v1/auth/token", data={"username": username, "password": password})
        if r.status_code != 200:
            return r.status_code, {}
        me = c.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}
        )
        assert me.status_code == 200, me.text
        return 200, me.json()


class TestDbUpgrade:
    def test_creates_every_table(self, cli_db):
        upgraded()
        eng = make_engine(cli_db)
        try:
            assert set(inspect(eng).get_table_names()) == set(metadata.tables) | {"alembic_version"}
        finally:
            eng.dispose()

    def test_is_idempotent(self, cli_db):
        upgraded()
        upgraded()


class TestCreateAdmin:
    def test_with_password_option(self, cli_db):
        upgraded()
        result = run("create-admin", "--username", "It.Admin", "--password", ADMIN_PASSWORD)
        assert result.exit_code == 0, result.output
        assert "created" in result.output
        admin = users(cli_db)["it.admin"]
        assert admin.is_superuser and admin.active and admin.municipality_id is None
        status, me = token_for("it.admin", ADMIN_PASSWORD)
        assert status == 200 and me["may"]["create_municipalities"] is True

    def test_with_password_from_the_environment(self, cli_db):
        upgraded()
        result = run(
            "create-admin", "--username", "ops", env={"APOLOGISMOS_ADMIN_PASSWORD": ADMIN_PASSWORD}
        )
        assert result.exit_code == 0, result.output
        assert token_for("ops", ADMIN_PASSWORD)[0] == 200

    @pytest.mark.parametrize("password", ["short", "password1234", "my name is ops ok!"])
    def test_weak_password_is_refused_with_exit_code_2(self, cli_db, password):
        upgraded()
        result = run("create-admin", "--username", "ops", "--password", password)
        assert result.exit_code == 2, result.output
        assert "ops" not in users(cli_db)

    def test_running_again_resets_the_password(self, cli_db):
        upgraded()
        assert run("create-admin", "--username", "ops", "--password", ADMIN_PASSWORD).exit_code == 0
        result = run("create-admin", "--username", "ops", "--password", "another admin passphrase")
        assert result.exit_code == 0 and "updated" in result.output
        assert token_for("ops", ADMIN_PASSWORD)[0] == 401
        assert token_for("ops", "another admin passphrase")[0] == 200
        assert len(users(cli_db)) == 1


class TestSeedDemo:
    def test_seeds_once_and_its_logins_work(self, cli_db):
        upgraded()
        result = run("seed-demo", "--scale", "0.05")
        assert result.exit_code == 0, result.output
        first = counts(cli_db)
        assert first["municipality"] == 1
        assert first[OrgUnit.__tablename__] > 5  # type: ignore[operator]
        assert first[Employee.__tablename__] > 0  # type: ignore[index]
        assert set(users(cli_db)) == set(DEMO_LOGINS)

        again = run("seed-demo", "--scale", "0.05")
        assert again.exit_code == 0, again.output
        assert "already there" in again.output
        assert counts(cli_db) == first

        for username, (password, _role, _where) in DEMO_LOGINS.items():
            assert token_for(username, password)[0] == 200, username
        editor = token_for("editor", DEMO_LOGINS["editor"][0])[1]
        assert [g["role"] for g in editor["grants"]] == ["editor"]
        quality = token_for("quality", DEMO_LOGINS["quality"][0])[1]
        assert quality["grants"][0]["org_unit_code"] == DEMO_CODE

    def test_refused_in_production(self, cli_db):
        upgraded()
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("APOLOGISMOS_ENVIRONMENT", "production")
            get_settings.cache_clear()
            result = run("seed-demo", "--scale", "0.05")
        get_settings.cache_clear()
        assert result.exit_code == 2, result.output
        assert counts(cli_db)["municipality"] == 0
