"""How fast does every dashboard chart answer? Chart data API p50/p95 against a trivial chart, and refresh.

For each engine (DuckDB, PostgreSQL) a warehouse is built with the ordinary commands
(`socialbench init`, `socialbench demo-data [--scale S] --no-refresh`), then refreshed
(`benchmarks.refresh.refresh`, timed: the first, real refresh and two repeats) and one
settlement run is drafted (as `make demo` does), so that every chart has rows. A real
Superset 6.1 is started the way the tests start it (`superset_plugins.demo.prepare_superset`,
`superset_plugins.server.start`), the dashboards are published against the warehouse, and
every chart's stored query context is POSTed to /api/v1/chart/data (with `force`, so that
no cache answers) `--runs` times, round-robin over the charts so that noise from the
machine falls on all of them alike.

Floor, measured in the same run and the same rounds: a trivial chart, the stored query of
the `Datakilder` table (the small `data_source` table) limited to 3 rows: the cost of
Superset's request handling, security and serialisation around a query that costs nothing.
Each chart's ratio is its p95 over the floor's p95. Nothing is asserted.

    .venv/bin/python perf/charts.py [--engines duckdb,postgresql] [--scale demo] [--runs 20]
                                    [--db URL ...] [--home DIR] [--keep DIR]

`--db URL` measures an existing, loaded warehouse instead of building one (it is
refreshed, and one settlement run is drafted if it has none). `--scale` is passed to
`socialbench demo-data` (omitted for `demo`, the ordinary demo data). `--home DIR`
reuses a Superset home (its metadata database takes about a minute to create).
PostgreSQL: a fresh schema in $SOCIALBENCH_TEST_PG (default postgres@127.0.0.1/test),
dropped afterwards unless --keep is given.

`measure(...)` returns the figures as a dict (see its docstring); `main` prints them.
"""
from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from perf.scratch import postgresql_schema  # noqa: E402

ENGINES = ("duckdb", "postgresql")
TRIVIAL_SLUG, TRIVIAL_KEY, TRIVIAL_ROWS = "styringscockpit", "sources", 3
REFRESH_REPEATS = 3


def socialbench(*args: str) -> None:
    """Run one socialbench command of the venv this script runs in (output shown on failure)."""
    command = Path(sys.executable).with_name("socialbench")
    executable = str(command) if command.exists() else shutil.which("socialbench")
    done = subprocess.run([executable, *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"perf/charts.py: socialbench {' '.join(args)} failed:\n{done.stderr.strip()}")


def engine_of(url: str) -> str:
    return "duckdb" if url.startswith("duckdb") else "postgresql"


@contextlib.contextmanager
def empty_warehouse(kind: str, folder: Path, keep: bool):
    """The URL of an empty warehouse: a DuckDB file in folder, or a fresh PostgreSQL schema."""
    if kind == "duckdb":
        yield f"duckdb:///{folder / 'warehouse.duckdb'}"
        return
    with postgresql_schema("perf_charts", keep) as (url, _):
        yield url


def build_warehouse(url: str, scale: str) -> float:
    """init + demo data without refresh; returns the seconds the demo data took."""
    socialbench("init", "--db", url)
    started = time.perf_counter()
    socialbench("demo-data", "--db", url, "--no-refresh", *([] if scale == "demo" else ["--scale", scale]))
    return time.perf_counter() - started


def time_refresh(url: str, repeats: int = REFRESH_REPEATS) -> list[float]:
    """Seconds of each of `repeats` refreshes (in process, as `socialbench refresh` runs it)."""
    from benchmarks.refresh import refresh
    from socialbench import warehouse

    engine = warehouse.create_engine(url)
    try:
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            refresh(engine)
            seconds.append(time.perf_counter() - started)
        return seconds
    finally:
        engine.dispose()


def settle_once(url: str) -> None:
    """One draft settlement run as of the reference date, if the warehouse has none (as `make demo`)."""
    from incentive_models import runs
    from socialbench import warehouse
    from superset_plugins import demo

    engine = warehouse.create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.execute(sa.text("select count(*) from settlement_run")).scalar_one():
                return
        runs.create_draft(engine, runs.load_model(demo.settlement_model_path()), demo.latest_data_date(engine))
    finally:
        engine.dispose()


@contextlib.contextmanager
def running_superset(home: Path, first_url: str):
    """A logged-in client of a real Superset 6.1 with the socialbench plugin, on a free port."""
    from superset_plugins import demo, server
    from superset_plugins.client import SupersetClient

    password = demo.prepare_superset(home, demo.DemoState(home), first_url)
    port = server.free_port()
    process = server.start(home, port)
    url = f"http://127.0.0.1:{port}"
    try:
        server.wait_until_ready(url, process)
        yield SupersetClient(url, demo.ADMIN_USERNAME, password)
    finally:
        server.stop(process)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between the closest ranks."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def stored_query_contexts(client) -> dict[str, dict]:
    """{"<slug>/<key>": {title, query_context}} of every published chart, plus the trivial one."""
    from superset_plugins.bundle import chart_uuid, load_assets

    by_uuid = {str(c["uuid"]): c for c in client.charts()}
    out: dict[str, dict] = {}
    for dashboard in load_assets().dashboards:
        for chart in dashboard["charts"]:
            found = by_uuid[chart_uuid(dashboard["slug"], chart["key"])]
            stored = client.get(f"/api/v1/chart/{found['id']}", f"reading chart {found['id']}")["result"]
            context = json.loads(stored["query_context"])
            context["force"] = True
            context["form_data"]["force"] = True
            out[f"{dashboard['slug']}/{chart['key']}"] = {"title": chart["title"], "query_context": context}
    trivial = copy.deepcopy(out[f"{TRIVIAL_SLUG}/{TRIVIAL_KEY}"])
    for query in trivial["query_context"]["queries"]:
        query["row_limit"] = TRIVIAL_ROWS
    trivial["title"] = f"trivial: {TRIVIAL_ROWS} rows of data_source"
    out["trivial"] = trivial
    return out


def call(client, context: dict) -> tuple[float, int]:
    """Seconds of one POST /api/v1/chart/data and the rows of its first query."""
    started = time.perf_counter()
    body = client.post("/api/v1/chart/data", context, "chart data")
    seconds = time.perf_counter() - started
    for result in body["result"]:
        if result.get("status") != "success":
            raise RuntimeError(f"chart data failed: {result.get('error') or result.get('status')}")
    return seconds, int(body["result"][0].get("rowcount") or 0)


def measure_charts(client, runs: int) -> dict:
    """{"trivial": {...}, "charts": {name: {title, rows, p50, p95, ratio_p50, ratio_p95}}}."""
    contexts = stored_query_contexts(client)
    times: dict[str, list[float]] = {name: [] for name in contexts}
    rows: dict[str, int] = {}
    for name, chart in contexts.items():  # warm-up round: connections, metadata, imports
        _, rows[name] = call(client, chart["query_context"])
    for _ in range(runs):
        for name, chart in contexts.items():
            seconds, _ = call(client, chart["query_context"])
            times[name].append(seconds)
    figures = {
        name: {
            "title": contexts[name]["title"],
            "rows": rows[name],
            "p50": statistics.median(times[name]),
            "p95": percentile(times[name], 95),
        }
        for name in contexts
    }
    floor = figures.pop("trivial")
    for chart in figures.values():
        chart["ratio_p50"] = chart["p50"] / floor["p50"]
        chart["ratio_p95"] = chart["p95"] / floor["p95"]
    return {"trivial": floor, "charts": figures}


def check_backend(client, kind: str) -> None:
    """The published connection points at the engine being measured (not the one before)."""
    from superset_plugins.publish import DEFAULT_DATABASE_NAME

    found = client.find_database(DEFAULT_DATABASE_NAME)
    detail = client.get(f"/api/v1/database/{found['id']}", "reading the database connection")["result"]
    backend = detail.get("backend") or ""
    if kind not in backend:
        raise RuntimeError(f"the published connection is {backend!r}, not {kind}")


def measure(engines=ENGINES, scale: str = "demo", runs: int = 20, dbs: tuple[str, ...] = (),
            home: Path | None = None, keep: bool = False) -> dict:
    """Build (or take) a warehouse per engine, time refresh, publish and time every chart.

    Returns {engine: {"scale", "demo_data_seconds" (None for --db), "refresh_seconds": [...],
    "refresh_median", "trivial": {p50, p95, rows, title}, "charts": {"<slug>/<key>": {title,
    rows, p50, p95, ratio_p50, ratio_p95}}}} (seconds).
    """
    from superset_plugins.publish import publish

    results: dict[str, dict] = {}
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="perf-charts-")))
        targets: list[tuple[str, str, float | None]] = []
        if dbs:
            targets = [(engine_of(url), url, None) for url in dbs]
        else:
            for kind in engines:
                url = stack.enter_context(empty_warehouse(kind, folder, keep))
                print(f"[{kind}] building the warehouse ({scale}) ...", flush=True)
                targets.append((kind, url, build_warehouse(url, scale)))
        for kind, url, demo_seconds in targets:
            print(f"[{kind}] refresh x{REFRESH_REPEATS} ...", flush=True)
            refresh_seconds = time_refresh(url)
            settle_once(url)
            results[kind] = {
                "scale": scale if not dbs else "given",
                "demo_data_seconds": demo_seconds,
                "refresh_seconds": refresh_seconds,
                "refresh_median": statistics.median(refresh_seconds),
            }
        superset_home = Path(home) if home else folder / "superset"
        superset_home.mkdir(parents=True, exist_ok=True)
        client = stack.enter_context(running_superset(superset_home, targets[0][1]))
        for kind, url, _ in targets:
            print(f"[{kind}] publishing and calling every chart {runs} times ...", flush=True)
            publish(client, url, synthetic=True)
            check_backend(client, kind)
            results[kind].update(measure_charts(client, runs))
    return results


def report(results: dict) -> str:
    lines = []
    for kind, figures in results.items():
        refresh = ", ".join(f"{s:.2f}" for s in figures["refresh_seconds"])
        lines.append(f"## {kind} ({figures['scale']})")
        lines.append(f"refresh: median {figures['refresh_median']:.2f} s ({refresh})")
        floor = figures["trivial"]
        lines.append(f"floor ({floor['title']}): p50 {floor['p50'] * 1000:.0f} ms, p95 {floor['p95'] * 1000:.0f} ms")
        lines.append(f"{'chart':<62} {'rows':>6} {'p50 ms':>7} {'p95 ms':>7} {'p50 x':>6} {'p95 x':>6}")
        ordered = sorted(figures["charts"].items(), key=lambda item: -item[1]["ratio_p95"])
        for name, chart in ordered:
            label = f"{chart['title'][:40]} ({name.split('/')[1]})"
            lines.append(
                f"{label[:62]:<62} {chart['rows']:>6} {chart['p50'] * 1000:>7.0f} {chart['p95'] * 1000:>7.0f}"
                f" {chart['ratio_p50']:>6.1f} {chart['ratio_p95']:>6.1f}"
            )
        worst = ordered[0][1]["ratio_p95"] if ordered else float("nan")
        lines.append(f"slowest chart: {worst:.1f}x the trivial chart's p95")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated: duckdb,postgresql")
    parser.add_argument("--scale", default="demo", help="passed to socialbench demo-data --scale (demo: the ordinary data)")
    parser.add_argument("--runs", type=int, default=20, help="calls of each chart (after one warm-up call)")
    parser.add_argument("--db", action="append", default=[], metavar="URL", help="measure this loaded warehouse instead")
    parser.add_argument("--home", type=Path, default=None, help="reuse this Superset home folder")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON to this file")
    args = parser.parse_args(argv)
    engines = tuple(e.strip() for e in args.engines.split(",") if e.strip())
    results = measure(engines, args.scale, args.runs, tuple(args.db), args.home, args.keep)
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
