"""The real server for the race tests: `uvicorn` in a child process (two workers) on a
database of the backend under test, and the data the races run on, made through the API.

The server lives for the whole package: starting it costs a couple of seconds. Each test makes
a unit of its own (`desk`), so the tests share no rows.
"""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.core.migrate import upgrade
from tests.conftest import BACKEND, fresh_database
from tests.plan_builders import item_body

API = "/api/v1"
WORKERS = 2
STARTUP_SECONDS = 30
ROOT = "race-root"
PASSWORD = "a long race-test passphrase " + secrets.token_hex(4)
# Everything the app logs (INFO and up), uvicorn's access log included, to the child's stderr.
LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"}
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Live:
    """A running server: its address, its database, and what it logged."""

    def __init__(self, base_url: str, database_url: str, log: Path) -> None:
        self.base_url = base_url
        self.database_url = database_url
        self.log = log

    def client(self, headers: dict[str, str] | None = None) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, headers=headers or {}, timeout=60)

    def login(self, username: str, password: str = PASSWORD) -> dict[str, str]:
        with self.client() as c:
            r = c.post(f"{API}/auth/token", data={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _env(database_url: str) -> dict[str, str]:
    # The suite's settings (test environment, secret key, cheap argon2) and this database.
    env = {k: v for k, v in os.environ.items() if not k.startswith("APOLOGISMOS_TEST_")}
    return env | {"APOLOGISMOS_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}


def _create_root(database_url: str, cwd: Path) -> None:
    """The platform administrator, made as an operator would: `apologismos create-admin`."""
    cli = Path(sys.executable).with_name("apologismos")
    env = _env(database_url) | {"APOLOGISMOS_ADMIN_PASSWORD": PASSWORD}
    done = subprocess.run(
        [str(cli), "create-admin", "--username", ROOT],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _wait_ready(proc: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the server was not ready within {STARTUP_SECONDS} s:\n{log.read_text()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server, then what it leaves behind: the workbook-parser pool of each worker
    (app/excel/sandbox.py) outlives the worker. Only the process group this fixture started."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # uvicorn's supervisor stops its workers
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        time.sleep(0.5)
    if proc.poll() is None:
        proc.wait(timeout=5)


@contextmanager
def _database(tmp: Path) -> Iterator[str]:
    """A SQLite file in the test's directory, or a fresh database on the PostgreSQL server."""
    if BACKEND == "sqlite":
        yield f"sqlite:///{tmp / 'live.db'}"
        return
    with fresh_database() as url:
        yield url


@pytest.fixture(scope="package")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    tmp = tmp_path_factory.mktemp("live")
    with _database(tmp) as database_url:
        upgrade(database_url)
        log_config = tmp / "logging.json"
        log_config.write_text(json.dumps(LOG_CONFIG))
        port = _free_port()
        log = tmp / "server.log"
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
            "--log-config",
            str(log_config),
        ]
        with log.open("ab") as out:
            proc = subprocess.Popen(
                command,
                env=_env(database_url),
                cwd=Path(__file__).resolve().parents[2],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _create_root(database_url, tmp)  # while the workers start
            _wait_ready(proc, base_url, log)
            yield Live(base_url, database_url, log)
        finally:
            _stop(proc)


@dataclass
class Desk:
    """A department of its own with an editor, its 2027 draft plan and a few items."""

    unit_id: int
    plan_id: int
    item_ids: list[int]
    editor: dict[str, str]
    editor_id: int


@pytest.fixture(scope="package")
def municipality(live: Live) -> dict[str, Any]:
    """A municipality with the 2027 cycle open; its administrator's headers."""
    root = live.login(ROOT)
    with live.client(root) as c:
        r = c.post(
            f"{API}/org-units",
            json={"code": "RACE", "name": "Δήμος Αγώνων", "kind": "municipality"},
        )
        assert r.status_code == 201, r.text
        muni = r.json()
        body = {"year": 2027, "plan_deadline": "2028-01-31", "report_deadline": "2028-02-28"}
        r = c.post(f"{API}/cycles", json={**body, "municipality_id": muni["municipality_id"]})
        assert r.status_code == 201, r.text
    return {"root": root, "unit": muni}


def make_desk(live: Live, municipality: dict[str, Any], code: str, items: int | None = 3) -> Desk:
    """A new department `code`; `items=None` leaves it without a plan."""
    muni = municipality["unit"]
    with live.client(municipality["root"]) as c:
        r = c.post(
            f"{API}/org-units",
            json={
                "parent_id": muni["id"],
                "code": code,
                "name": f"Τμήμα {code}",
                "kind": "department",
            },
        )
        assert r.status_code == 201, r.text
        unit = r.json()
        username = f"editor-{code.lower()}"
        r = c.post(
            f"{API}/users",
            json={
                "username": username,
                "full_name": f"Συντάκτης {code}",
                "password": PASSWORD,
                "municipality_id": muni["municipality_id"],
            },
        )
        assert r.status_code == 201, r.text
        user = r.json()
        r = c.post(
            f"{API}/users/{user['id']}/grants",
            json={"role": "editor", "org_unit_id": unit["id"]},
        )
        assert r.status_code == 201, r.text
    editor = live.login(username)
    if items is None:
        return Desk(unit["id"], 0, [], editor, user["id"])
    with live.client(editor) as c:
        r = c.post(f"{API}/plans", json={"org_unit_id": unit["id"], "year": 2027})
        assert r.status_code == 201, r.text
        plan = r.json()
        ids = []
        for n in range(items):
            r = c.post(f"{API}/plans/{plan['id']}/items", json=item_body(title=f"Αρχική {n}"))
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
    return Desk(unit["id"], plan["id"], ids, editor, user["id"])
