"""The benchmark: our time against a floor measured in the same run, as a ratio.

    python -m bench.run [--smoke] [--cases metrics,import,export,http,national]

Prints one table; `--smoke` runs every case on tiny data (the test suite does, so that the
benchmark never rots). No case asserts a time: the table says which targets hold.
"""

import argparse
import os
import platform
import sys
import time

os.environ.setdefault("APOLOGISMOS_ENVIRONMENT", "test")
os.environ.setdefault("APOLOGISMOS_SECRET_KEY", "benchmark-secret-" + "b" * 32)
os.environ.setdefault("APOLOGISMOS_ARGON2_TIME_COST", "1")
os.environ.setdefault("APOLOGISMOS_ARGON2_MEMORY_KIB", "8192")

from bench.common import Result

CASES = ("metrics", "import", "export", "http", "national")


def _table(results: list[Result]) -> str:
    lines = [
        "| case | db | ours p50 | floor p50 | ratio | peak MB | target | holds |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.case} | {r.backend} | {r.ours_ms:,.1f} ms | "
            f"{'' if r.floor_ms is None else f'{r.floor_ms:,.1f} ms'} | "
            f"{'' if r.ratio is None else f'{r.ratio:.2f}×'} | "
            f"{'' if r.peak_mb is None else f'{r.peak_mb:,.0f}'} | {r.target} | "
            f"{'—' if r.holds is None else 'yes' if r.holds else '**no**'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny data: checks it runs")
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "APOLOGISMOS_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--municipalities",
        type=int,
        default=100,
        help="national case: municipalities of 10,000 items each (the target's scale is 330; "
        "100 keeps the default run under 15 minutes)",
    )
    parser.add_argument(
        "--import-sizes", default="2000,20000", help="items of the workbooks of the import case"
    )
    args = parser.parse_args(argv)
    cases = [c for c in args.cases.split(",") if c]
    backends = [b for b in args.backends.split(",") if b]
    scale, runs = (0.03, 3) if args.smoke else (1.0, 30)
    started = time.perf_counter()
    results: list[Result] = []
    if "metrics" in cases:
        from bench import metrics_case

        for backend in backends:
            results += metrics_case.run(backend, args.pg_url, scale=scale, runs=runs)
    if "import" in cases:
        from bench import excel_case

        for backend in backends:
            sizes = [50] if args.smoke else [int(n) for n in args.import_sizes.split(",")]
            for n in sizes:
                results += excel_case.run_import_case(backend, args.pg_url, items=n, runs=runs)
    if "export" in cases:
        from bench import excel_case

        for backend in backends:
            results += excel_case.run_export_case(backend, args.pg_url, scale=scale, runs=runs)
    if "http" in cases:
        from bench import http_case

        for backend in backends:
            results += http_case.run(
                backend,
                args.pg_url,
                scale=scale,
                requests=60 if args.smoke else 3000,
                seconds=3 if args.smoke else 30,
            )
    if "national" in cases and "postgresql" in backends:
        from bench import national_case

        results += national_case.run(
            args.pg_url,
            municipalities=3 if args.smoke else args.municipalities,
            items_per=270 if args.smoke else 10_000,
            runs=runs,
        )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {'smoke' if args.smoke else 'full'} run in "
        f"{time.perf_counter() - started:,.0f} s"
    )
    print(_table(results))
    for r in results:
        for note in r.notes:
            print(f"- {r.case} ({r.backend}): {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
