"""The performance harness: every figure of issue 10 in one table, written to perf/RESULTS.md.

    .venv/bin/python -m perf [--engines duckdb,postgresql] [--grants 120000] [--runs 20]
                             [--skip load,settlement,charts,parity] [--results perf/RESULTS.md]
    make perf

What runs, on each engine (a fresh DuckDB file and a fresh PostgreSQL schema, dropped
afterwards), each figure against a floor measured in the same run on the same machine:

1. load (perf/load_speed.py): `socialbench load` of the national providers, grants and
   assessments files (written once by `socialbench demo-data --scale national --out`)
   against the engine's own bulk load of the same files; target ≤ 3×.
2. the warehouse: `socialbench init` and `socialbench demo-data --scale national` (the
   demo data with the national scale on top), then one settlement run of
   perf/models/national-4.yml as of 2025-12-31.
3. parity: every view, derived table and the settlement run compared between the two
   engines row for row (scripts/compare-figures: money to the øre, doubles to 1e-9).
4. settlement (perf/settlement_national.py): `settle run`, `approve`, `verify` against
   reading the run's three inputs natively; target ≤ 3 s and ≤ 1 GB for the run; the
   engine against the day-by-day oracle on a sample (identical lines).
5. refresh and charts (perf/charts.py): refresh (target ≤ 10 s) and every dashboard chart's
   data API p95 in a real Superset 6.1 against a trivial 3-row chart (targets ≤ 2× on
   DuckDB, ≤ 3× on PostgreSQL).

Nothing is asserted: a target not met is marked NO in the table, and RESULTS.md says why
where the harness knows (notes). Timing belongs here, never in the unit tests.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.machinery
import importlib.util
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
PERF = ROOT / "perf"
if str(PERF) not in sys.path:
    sys.path.insert(0, str(PERF))

from perf.report import Figure, Results, markdown, now, text_table  # noqa: E402
from perf.scratch import postgresql_schema  # noqa: E402

MODEL = PERF / "models" / "national-4.yml"
AS_OF = "2025-12-31"
ENGINES = ("duckdb", "postgresql")
STEPS = ("load", "settlement", "charts", "parity")
CHART_TARGET = {"duckdb": 2.0, "postgresql": 3.0}


def socialbench(*args: str) -> float:
    """Run one socialbench command of this venv; its wall time in seconds."""
    command = Path(sys.executable).with_name("socialbench")
    start = time.perf_counter()
    done = subprocess.run([str(command), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"perf: socialbench {' '.join(args)} failed:\n{done.stderr.strip()[-3000:]}")
    return time.perf_counter() - start


def compare_figures():
    """scripts/compare-figures as a module (its dumps and comparison)."""
    path = ROOT / "scripts" / "compare-figures"
    loader = importlib.machinery.SourceFileLoader("compare_figures", str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


@contextlib.contextmanager
def warehouse(kind: str, folder: Path):
    """The URL of a fresh, empty warehouse on the engine; dropped afterwards."""
    if kind == "duckdb":
        yield f"duckdb:///{folder / 'national.duckdb'}"
        return
    with postgresql_schema() as (url, _):
        yield url


# ---------------------------------------------------------------- the steps


def step_load(results: Results, files: Path, engines: tuple[str, ...], runs: int) -> None:
    import load_speed

    figures = load_speed.measure(files, engines, runs)
    rows = sum(figures["rows"].values())
    for kind in engines:
        f = figures[kind]
        results.add(
            Figure("load", f"socialbench load, {rows:,} rows", kind, f["load_seconds"], floor=f["floor_seconds"],
                   floor_what="engine's bulk load", max_ratio=3.0),
            Figure("load", "peak memory of the load", kind, f["load_peak_mb"], unit="MB",
                   floor=f["floor_peak_mb"], floor_what="engine's bulk load",
                   note=f"files {figures['files_mb']:.0f} MB"),
        )


def step_build(results: Results, kind: str, url: str, grants: int) -> None:
    seconds = socialbench("init", "--db", url)
    seconds += socialbench("demo-data", "--db", url, "--scale", "national", "--grants", str(grants))
    results.add(Figure("build", "init + demo-data --scale national (with refresh)", kind, seconds))


def step_parity(results: Results, urls: dict[str, str]) -> None:
    figures = compare_figures()
    for url in urls.values():
        socialbench("settle", "run", "--db", url, "--model", str(MODEL), "--as-of", AS_OF)
    doubles: dict[str, set[str]] = {}
    duck, pg = (figures.dumps(urls[k], doubles) for k in ENGINES)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        failing = figures.report_differences("duckdb vs postgresql", duck, pg, 1e-9, False, doubles)
    failing += len(set(duck) ^ set(pg))
    rows = sum(len(lines) - 1 for lines in duck.values())
    lines = len(duck.get("settlement_line", [""])) - 1
    results.add(Figure("parity", f"relations differing ({len(duck)} relations, {rows:,} rows, {lines:,} settlement lines)",
                       "", failing, unit="relations", max_value=0))
    if failing:
        results.notes.append("parity: " + "; ".join(out.getvalue().strip().splitlines()[:12]))


def step_settlement(results: Results, urls: dict[str, str], oracle_grants: int) -> None:
    import settlement_national

    figures = settlement_national.measure(tuple(urls), urls=urls, oracle_grants=oracle_grants)
    for e in figures["engines"]:
        kind, floor = e["engine"], e["floor_s"]
        what = "three input queries read natively"
        results.add(
            Figure("settlement", f"settle run ({e['line_count']:,} lines)", kind, e["run_s"], floor=floor,
                   floor_what=what, max_value=3.0),
            Figure("settlement", "peak memory of settle run", kind, e["run_peak_mb"], unit="MB", max_value=1024),
            Figure("settlement", "settle approve (recomputes the run)", kind, e["approve_s"], floor=floor, floor_what=what),
            Figure("settlement", "settle verify (recomputes every approval)", kind, e["verify_s"], floor=floor,
                   floor_what=what),
        )
        # The profile: the library's steps of one run, in the harness's process (rolled back).
        for phase, seconds in e["phases_s"].items():
            if phase not in ("lines", "grants", "assessments"):
                results.add(Figure("settlement", f"  phase: {phase}", kind, seconds, floor=floor, floor_what=what))
    if "oracle" in figures:
        o = figures["oracle"]
        results.add(Figure("settlement", f"interval engine, {o['grants']:,} grants", "", o["engine_s"],
                           floor=o["oracle_s"], floor_what="day-by-day oracle",
                           note="identical lines" if o["identical"] else "LINES DIFFER"))
        if not o["identical"]:
            results.notes.append("settlement: the engine's lines differ from the oracle's on the sample")


def step_charts(results: Results, urls: dict[str, str], runs: int) -> None:
    import charts

    figures = charts.measure(dbs=tuple(urls.values()), runs=runs)
    for kind, f in figures.items():
        results.add(Figure("refresh", "refresh (median of 3)", kind, f["refresh_median"], max_value=10.0))
        floor = f["trivial"]
        target = CHART_TARGET[kind]
        for name, chart in sorted(f["charts"].items(), key=lambda item: -item[1]["ratio_p95"]):
            results.add(Figure("charts", f"p95 {chart['title']} ({chart['rows']} rows)", kind, chart["p95"],
                               floor=floor["p95"], floor_what="trivial chart p95", max_ratio=target,
                               note=f"p50 {chart['p50'] * 1000:.0f} ms"))


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m perf", description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated: duckdb,postgresql")
    parser.add_argument("--grants", type=int, default=120_000, help="national grants (about; default 120000)")
    parser.add_argument("--runs", type=int, default=20, help="calls of each chart")
    parser.add_argument("--load-runs", type=int, default=3, help="runs of each load (median)")
    parser.add_argument("--oracle-grants", type=int, default=1000, help="grants of the engine-vs-oracle sample")
    parser.add_argument("--skip", default="", help=f"comma-separated steps to leave out: {','.join(STEPS)}")
    parser.add_argument("--results", type=Path, default=PERF / "RESULTS.md", help="where to write the table")
    args = parser.parse_args(argv)
    engines = tuple(e for e in args.engines.split(",") if e)
    skip = {s for s in args.skip.split(",") if s}
    if unknown := skip - set(STEPS):
        parser.error(f"--skip: unknown steps {', '.join(sorted(unknown))}")
    started, clock = now(), time.perf_counter()
    results = Results()
    with tempfile.TemporaryDirectory(prefix="perf-") as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        files = folder / "national"
        print(f"perf: writing the national files ({args.grants:,} grants) ...", flush=True)
        seconds = socialbench("demo-data", "--scale", "national", "--grants", str(args.grants), "--out", str(files))
        results.add(Figure("data", "demo-data --scale national --out (files only)", "", seconds))
        if "load" not in skip:
            print("perf: load ...", flush=True)
            step_load(results, files, engines, args.load_runs)
        urls = {}
        if not {"settlement", "charts", "parity"} <= skip:
            for kind in engines:
                print(f"perf: building the national warehouse on {kind} ...", flush=True)
                urls[kind] = stack.enter_context(warehouse(kind, folder))
                step_build(results, kind, urls[kind], args.grants)
        if "parity" not in skip and set(ENGINES) <= set(urls):
            print("perf: parity ...", flush=True)
            step_parity(results, urls)
        if "settlement" not in skip:
            print("perf: settlement ...", flush=True)
            step_settlement(results, urls, args.oracle_grants)
        if "charts" not in skip:
            print("perf: refresh and charts ...", flush=True)
            step_charts(results, urls, args.runs)
    seconds = time.perf_counter() - clock
    print(text_table(results))
    command = "python -m perf" + (f" {' '.join(argv if argv is not None else sys.argv[1:])}" if (argv or sys.argv[1:]) else "")
    args.results.write_text(markdown(results, command, started, seconds), encoding="utf-8")
    print(f"perf: written to {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
