"""Parsing untrusted workbooks in a child process with a memory limit.

A parser that runs out of memory or aborts (calamine is Rust: an abort is not an exception)
takes only the child down; the request gets a clear 422 and the server keeps serving.
Workers come from a forkserver, so a parse costs a fork, not a Python start-up.
"""

import logging
import multiprocessing
import multiprocessing.util
import resource
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from app.core.config import get_settings
from app.core.errors import InvalidInput

log = logging.getLogger("apologismos.excel")
T = TypeVar("T")
TIMEOUT_SECONDS = 60

_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def _limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=2,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_limit_memory,
                initargs=(get_settings().parser_memory_mb,),
                max_tasks_per_child=100,
            )
            # Stop the parsers when this process ends (a server worker, a benchmark child):
            # left alone, their pool keeps the process from exiting.
            multiprocessing.util.Finalize(None, shutdown, exitpriority=10)
        return _pool


def shutdown() -> None:
    """Stop the parser processes; the next parse starts new ones."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)


def _reset_pool() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


def run_isolated(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in a memory-limited child; a crash or a memory error becomes a 422."""
    try:
        return _get_pool().submit(fn, *args).result(timeout=TIMEOUT_SECONDS)
    except BrokenProcessPool:
        log.warning("a workbook parser process died (out of memory or aborted)")
        _reset_pool()
    except MemoryError:
        log.warning("a workbook parser ran out of memory")
    except TimeoutError:
        log.warning("a workbook parser took longer than %s s", TIMEOUT_SECONDS)
        _reset_pool()
    raise InvalidInput(
        "το αρχείο δεν μπορεί να διαβαστεί: είναι υπερβολικά μεγάλο ή "
        "κατεστραμμένο (ελέγξτε ότι δεν έχει χιλιάδες κενές γραμμές με μορφοποίηση)"
    )
