"""Does a load's memory grow with the chunk or with the file? Peak RSS of `socialbench load`.

Generates a grants.csv of about --mb megabytes (and the providers.csv it refers to),
then runs `socialbench init` and `socialbench load DIR --no-refresh` in a child process
per engine and prints the child's peak resident memory, also as a ratio to the file size.
Baseline, measured in the same run: the peak of `socialbench init` alone (the interpreter,
pandas, SQLAlchemy and the engine's driver). Nothing is asserted.

    .venv/bin/python perf/load_memory.py [--mb 200] [--engines duckdb,postgresql] [--keep DIR]

PostgreSQL: a fresh schema in $SOCIALBENCH_TEST_PG (default postgres@127.0.0.1/test),
dropped afterwards.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from perf.scratch import postgresql_schema  # noqa: E402
PROVIDERS = 500
GRANTS_HEADER = "grant_id,citizen_key,municipality_code,provider_id,intervention_code,start_date,end_date,end_reason"


def write_input(folder: Path, megabytes: float) -> int:
    """providers.csv and a grants.csv of about `megabytes` MB in folder; returns the grant rows."""
    from socialbench import reference

    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "providers.csv").open("w", encoding="utf-8") as out:
        out.write("provider_id,provider_name\n")
        for p in range(PROVIDERS):
            out.write(f"P{p:04d},Leverandør {p}\n")
    codes = sorted(reference.municipality_codes())
    interventions = sorted(reference.intervention_codes())
    target = int(megabytes * 1_000_000)
    rows = 0
    with (folder / "grants.csv").open("w", encoding="utf-8") as out:
        out.write(GRANTS_HEADER + "\n")
        written = len(GRANTS_HEADER) + 1
        while written < target:
            k = rows
            start = f"20{18 + k % 7}-{1 + k % 12:02d}-{1 + k % 28:02d}"
            end, reason = (f"20{25 + k % 3}-{1 + k % 12:02d}-{1 + k % 28:02d}", "afsluttet") if k % 3 else ("", "")
            line = (
                f"G{k:09d},B-{k * 7919 % 10_000_000:07d},{codes[k % len(codes)]},P{k % PROVIDERS:04d},"
                f"{interventions[k % len(interventions)]},{start},{end},{reason}\n"
            )
            out.write(line)
            written += len(line.encode("utf-8"))
            rows += 1
    return rows


def peak_rss_mb(*args: str) -> tuple[float, float]:
    """Run `socialbench ARGS` in a child process; (its peak RSS in MB, seconds)."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: exec the CLI so that its peak is its own
        os.execv(sys.executable, [sys.executable, "-c", "import sys; from socialbench.cli import main; sys.exit(main())", *args])
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"socialbench {' '.join(args)} failed")
    return usage.ru_maxrss / 1024, seconds  # ru_maxrss is in KiB on Linux


def measure(url: str, folder: Path, file_mb: float) -> None:
    init_mb, _ = peak_rss_mb("init", "--db", url)
    load_mb, seconds = peak_rss_mb("load", str(folder), "--no-refresh", "--db", url)
    print(
        f"  init alone: {init_mb:6.0f} MB   load: {load_mb:6.0f} MB peak RSS, {seconds:5.0f} s   "
        f"peak / file size: {load_mb / file_mb:.2f}   (peak - init) / file size: {(load_mb - init_mb) / file_mb:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="size of grants.csv in MB")
    parser.add_argument("--engines", default="duckdb,postgresql")
    parser.add_argument("--keep", type=Path, help="write the input here and keep it (reused if present)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp) / "input"
        if not (folder / "grants.csv").is_file():
            write_input(folder, args.mb)
        file_mb = (folder / "grants.csv").stat().st_size / 1_000_000
        with (folder / "grants.csv").open("rb") as f:
            rows = sum(1 for _ in f) - 1
        print(f"grants.csv: {file_mb:.0f} MB, {rows:,} rows; chunk: see socialbench.loading.CHUNK_ROWS")
        for engine in args.engines.split(","):
            print(engine)
            if engine == "duckdb":
                measure(f"duckdb:///{tmp}/warehouse.duckdb", folder, file_mb)
                continue
            with postgresql_schema() as (url, _):
                measure(url, folder, file_mb)


if __name__ == "__main__":
    main()
