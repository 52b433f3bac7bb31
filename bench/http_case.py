"""Case 5: the real server (uvicorn, 2 workers) on loopback under 32 concurrent connections,
driven from another process by a bounded async httpx loop: a plan with ~100 items, the
municipality's completion figures, and an authenticated trivial endpoint as the floor."""

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import date

import httpx
from sqlmodel import Session, col, func, select

from app.core.db import make_engine
from app.core.migrate import upgrade
from app.core.security import create_access_token
from app.demo.seed import seed_demo
from app.planning.models import Item, Plan
from bench.common import Result, database

CONNECTIONS = 32


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _load(
    url: str, headers: dict[str, str], *, requests: int, seconds: float
) -> tuple[float, float, float, int]:
    """Requests/s, p50 and p99 in ms, and the number of failed requests."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    remaining = requests
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                start = time.perf_counter()
                try:
                    response = await client.get(url)
                    if response.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - start) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, statistics.median(latencies), p99, errors


def run(backend: str, pg_url: str, *, scale: float, requests: int, seconds: float) -> list[Result]:
    with database(backend, pg_url, "http") as url:
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
        env = {**os.environ, "APOLOGISMOS_DATABASE_URL": url}
        server = subprocess.Popen(
            [
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
                "2",
                "--log-level",
                "warning",
            ],
            env=env,
        )
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
            runs = {}
            for name, path in (
                ("floor", "/api/v1/auth/me"),
                ("plan", f"/api/v1/plans/{plan_id}"),
                ("metrics", f"/api/v1/metrics/completion?org_unit_id=1&year={year}"),
            ):
                asyncio.run(_load(base + path, headers, requests=50, seconds=5))  # warm-up
                runs[name] = asyncio.run(
                    _load(base + path, headers, requests=requests, seconds=seconds)
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    floor_rps = runs["floor"][0]
    results = []
    for name, label, target in (
        ("plan", f"HTTP GET a plan with {items} items", "≥ 0.25× floor req/s, p99 ≤ 100 ms"),
        ("metrics", "HTTP GET completion of the municipality", "(reported)"),
    ):
        rps, p50_ms, p99_ms, errors = runs[name]
        holds = (
            None
            if name == "metrics"
            else (rps >= 0.25 * floor_rps and p99_ms <= 100 and errors == 0)
        )
        r = Result(label, backend, p50_ms, runs["floor"][1], target, holds)
        r.notes.append(
            f"{rps:,.0f} req/s vs floor {floor_rps:,.0f} req/s "
            f"({rps / floor_rps:.2f}×), p99 {p99_ms:,.1f} ms, {errors} errors, "
            f"{CONNECTIONS} connections"
        )
        results.append(r)
    return results
