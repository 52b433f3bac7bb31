"""Timing, memory and database helpers shared by the benchmark cases."""

import os
import resource
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, make_url, text


@dataclass
class Result:
    case: str
    backend: str
    ours_ms: float
    floor_ms: float | None
    target: str
    holds: bool | None
    peak_mb: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        return self.ours_ms / self.floor_ms if self.floor_ms else None


def p50(fn: Callable[[], object], *, runs: int, warmup: int = 2) -> float:
    """Median wall time of `fn` in milliseconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def paired_p50(
    ours: Callable[[], object], floor: Callable[[], object], *, runs: int, warmup: int = 2
) -> tuple[float, float]:
    """Median wall times (ms) of `ours` and of its `floor`, run alternately (which one goes
    first alternates too), so that both see the same load of a shared machine: timing one
    after the other lets a change of load land on one side of the ratio only."""
    for _ in range(warmup):
        ours()
        floor()
    times: tuple[list[float], list[float]] = ([], [])
    for k in range(runs):
        pair = ((0, ours), (1, floor)) if k % 2 == 0 else ((1, floor), (0, ours))
        for side, fn in pair:
            start = time.perf_counter()
            fn()
            times[side].append((time.perf_counter() - start) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB.

    Linux's VmHWM, the peak of this program's own memory. Not `ru_maxrss`: Linux carries it
    across exec, so a child started by `spawn` (a fork of the benchmark, then exec) would
    report the benchmark's peak at the moment it was started, not its own."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


@contextmanager
def database(backend: str, pg_url: str, tag: str) -> Iterator[str]:
    """A new empty database of the backend; dropped (or deleted) afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / f'{tag}.db'}"
        return
    name = f"apologismos_bench_{tag}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
