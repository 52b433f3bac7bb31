"""The benchmark's --smoke mode, so that `make bench` never rots. It asserts that every case
runs and reports, never a time (timings belong to the benchmark, not to unit tests)."""

import pytest

from bench import run as bench
from tests.conftest import BACKEND, SERVER_URL


@pytest.mark.parametrize("case", ["metrics", "import", "export", "http", "national"])
def test_bench_smoke(case, capsys, engine):
    if case == "national" and BACKEND != "postgresql":
        pytest.skip("the national case runs on PostgreSQL only")
    args = ["--smoke", "--cases", case, "--backends", BACKEND]
    if SERVER_URL:
        args += ["--pg-url", SERVER_URL]
    assert bench.main(args) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) >= 2, out  # the header and at least one measured case
    assert all(" ms |" in row for row in rows[1:]), out
