"""Case 5: the real server (`apologismos serve`, 2 uvicorn workers) on loopback under 32
concurrent connections, driven from another process: a plan with ~100 items, the
municipality's completion figures, and an authenticated trivial endpoint as the floor.

The load comes from `wrk` when it is on PATH (C, one request in flight per connection, its
own latency histogram), else from a bounded async httpx loop in Python, which shares the
cores with the server and so measures less of the server and more of itself. The notes say
which one ran. Every answer other than 2xx, and every socket error or timeout, is an error;
the first few are printed with what the server logged, so that an error can be traced.
"""

import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
from sqlmodel import Session, col, func, select

from app.core.db import make_engine
from app.core.migrate import upgrade
from app.core.security import create_access_token
from app.demo.seed import seed_demo
from app.planning.models import Item, Plan
from bench.common import Result, database

CONNECTIONS = 32
WORKERS = 2
TIMEOUT_SECONDS = 30


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    # What the errors were: status codes and exception names, counted.
    kinds: Counter[str] = field(default_factory=Counter)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wrk_path() -> str | None:
    """wrk, unless APOLOGISMOS_BENCH_NO_WRK asks for the Python loop (to compare the two)."""
    return None if os.environ.get("APOLOGISMOS_BENCH_NO_WRK") else shutil.which("wrk")


async def _httpx_load(url: str, headers: dict[str, str], *, requests: int, seconds: float) -> Load:
    latencies: list[float] = []
    kinds: Counter[str] = Counter()
    deadline = time.perf_counter() + seconds
    remaining = requests
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=TIMEOUT_SECONDS) as client:

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                start = time.perf_counter()
                try:
                    response = await client.get(url)
                    if not 200 <= response.status_code < 300:
                        kinds[f"HTTP {response.status_code}: {response.text[:200]}"] += 1
                except httpx.HTTPError as exc:
                    cause = exc.__cause__ or exc.__context__
                    kinds[f"{type(exc).__name__} ({type(cause).__name__ if cause else exc})"] += 1
                latencies.append((time.perf_counter() - start) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return Load(
        len(latencies) / elapsed, statistics.median(latencies), p99, sum(kinds.values()), kinds
    )


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if m is None:
        raise ValueError(f"wrk latency {text!r}")
    return float(m.group(1)) * _UNIT_MS[m.group(2)]


def parse_wrk(out: str) -> Load:
    """Requests/s, p50, p99 and errors from the output of `wrk --latency`."""
    percent = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.M))
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    if rps is None or "50" not in percent or "99" not in percent:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    kinds: Counter[str] = Counter()
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if sockets:
        for name, n in zip(("connect", "read", "write", "timeout"), sockets.groups(), strict=True):
            if int(n):
                kinds[f"socket {name} error"] += int(n)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        kinds["non-2xx answer"] += int(non_2xx.group(1))
    return Load(
        float(rps.group(1)),
        _ms(percent["50"]),
        _ms(percent["99"]),
        sum(kinds.values()),
        kinds,
    )


def _wrk_load(wrk: str, url: str, headers: dict[str, str], *, seconds: float) -> Load:
    command = [
        wrk,
        "--threads",
        "2",
        "--connections",
        str(CONNECTIONS),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        f"{TIMEOUT_SECONDS}s",
        "--latency",
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    done = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    return parse_wrk(done.stdout)


def _load(
    wrk: str | None, url: str, headers: dict[str, str], *, requests: int, seconds: float
) -> Load:
    if wrk:
        return _wrk_load(wrk, url, headers, seconds=seconds)
    return asyncio.run(_httpx_load(url, headers, requests=requests, seconds=seconds))


def _serve(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    """The server as it is deployed: `apologismos serve` (its keep-alive, its middleware), with
    the access log off (it would be the bulk of the output, and of the work)."""
    cli = Path(sys.executable).with_name("apologismos")
    command = [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(WORKERS), "--no-access-log"]
    with log.open("ab") as out:
        return subprocess.Popen(
            command,
            env={**os.environ, "APOLOGISMOS_DATABASE_URL": url},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _server_problems(log: Path) -> list[str]:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if re.search(r"ERROR|WARNING|Traceback|locked|died", line)]


def run(backend: str, pg_url: str, *, scale: float, requests: int, seconds: float) -> list[Result]:
    wrk = wrk_path()
    with database(backend, pg_url, "http") as url, tempfile.TemporaryDirectory() as tmp:
        upgrade(url)
        engine = make_engine(url)
        with Session(engine) as session:
            seed_demo(session, scale=scale)
            session.commit()
            year = date.today().year
            plan_id = session.scalar(
                select(Plan.id)
                .join(Item, col(Item.plan_id) == Plan.id)
                .where(col(Plan.year) == year)
                .group_by(col(Plan.id))
                .order_by(func.count(col(Item.id)).desc())
                .limit(1)
            )
            items = session.scalar(select(func.count()).where(col(Item.plan_id) == plan_id))
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        engine.dispose()
        port = _free_port()
        log = Path(tmp) / "server.log"
        server = _serve(url, port, log)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(120):
                try:
                    if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.25)
            token, _ = create_access_token(user_id=2, epoch=0)
            headers = {"Authorization": f"Bearer {token}"}
            runs: dict[str, Load] = {}
            for name, path in (
                ("floor", "/api/v1/auth/me"),
                ("plan", f"/api/v1/plans/{plan_id}"),
                ("metrics", f"/api/v1/metrics/completion?org_unit_id=1&year={year}"),
            ):
                _load(wrk, base + path, headers, requests=50, seconds=2)  # warm-up
                runs[name] = _load(wrk, base + path, headers, requests=requests, seconds=seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
        problems = _server_problems(log)
    generator = f"wrk ({wrk})" if wrk else "async httpx loop in Python (no wrk)"
    floor = runs["floor"]
    results = []
    for name, label, target in (
        ("plan", f"HTTP GET a plan with {items} items", "≥ 0.25× floor req/s, p99 ≤ 100 ms"),
        ("metrics", "HTTP GET completion of the municipality", "(reported)"),
    ):
        load = runs[name]
        holds = (
            None
            if name == "metrics"
            else (load.rps >= 0.25 * floor.rps and load.p99_ms <= 100 and load.errors == 0)
        )
        r = Result(label, backend, load.p50_ms, floor.p50_ms, target, holds)
        r.notes.append(
            f"{load.rps:,.0f} req/s vs floor {floor.rps:,.0f} req/s "
            f"({load.rps / floor.rps:.2f}×), p50 {load.p50_ms:,.1f} ms (floor "
            f"{floor.p50_ms:,.1f}), p99 {load.p99_ms:,.1f} ms (floor {floor.p99_ms:,.1f}), "
            f"{load.errors} errors (floor {floor.errors}), {CONNECTIONS} connections, "
            f"{WORKERS} workers; load from {generator}"
        )
        results.append(r)
    for name, load in runs.items():
        if load.kinds:
            kinds = "; ".join(f"{n}× {k}" for k, n in load.kinds.most_common(5))
            results[0].notes.append(f"errors of {name}: {kinds}")
    if problems:
        results[0].notes.append("server log: " + " | ".join(problems[:5]))
    return results
