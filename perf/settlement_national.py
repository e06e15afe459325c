"""How fast is a national settlement? `socialbench settle run` and `settle approve` on
national-size data, against reading the run's inputs natively.

Data: the demo data plus `socialbench demo-data --scale national` (about 120,000 grants
of SEL85, SEL104, SEL107 and SEL108 with about a million assessments), in a fresh DuckDB
file and a fresh PostgreSQL schema (or warehouses given with --duckdb / --postgresql).
Model: one model over the four interventions, as of 2025-12-31.

Baseline, measured in the same run on the same warehouse: the floor, the three input
queries (grants, assessments, rates of the model) read natively into pandas (DuckDB's
DataFrame export; PostgreSQL's COPY into pandas' CSV reader). Printed: each CLI command's
wall time and peak resident memory (a child process each), its ratio to the floor, the
library's phases in this process (the run's own transaction, rolled back), and the
engine against the day-by-day oracle on a sample (perf/settlement_engine.py). Nothing is
asserted on time.

    .venv/bin/python perf/settlement_national.py [--engines duckdb,postgresql] [--grants 120000]
        [--duckdb URL] [--postgresql URL] [--keep DIR]

`measure(...)` returns the figures as a dict.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

PG_URL = os.environ.get("SOCIALBENCH_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
CLI = [str(ROOT / ".venv" / "bin" / "socialbench")]
AS_OF = date(2025, 12, 31)
MODEL_FILE = ROOT / "perf" / "models" / "national-4.yml"  # one model over the four national interventions
MODEL = MODEL_FILE.read_text(encoding="utf-8")


def timed_child(args: list[str]) -> tuple[float, float, str]:
    """Run a command: (wall seconds, its peak RSS in MB, stdout). The peak comes from
    /usr/bin/time, a small process: a child forked from this one (after pandas and the
    phases below) would report this process's memory as its own peak."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *args], capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
        return seconds, int(rss.read().split()[-1]) / 1024, done.stdout


def build(url: str, grants: int) -> float:
    """A warehouse with the demo and national data; returns the seconds it took."""
    start = time.perf_counter()
    timed_child([*CLI, "init", "--db", url])
    timed_child([*CLI, "demo-data", "--db", url, "--no-refresh"])
    timed_child([*CLI, "demo-data", "--db", url, "--scale", "national", "--grants", str(grants), "--no-refresh"])
    return time.perf_counter() - start


def floor(url: str, model) -> float:
    """The three input queries read natively into pandas (the best of three)."""
    import pandas as pd

    from incentive_models.inputs import INPUT_COLUMNS, QUERIES
    from socialbench import warehouse

    engine = warehouse.create_engine(url)
    codes = list(model.interventions)
    best = float("inf")
    for _ in range(3):
        with engine.connect() as conn:
            start = time.perf_counter()
            for name, sql in QUERIES.items():
                if engine.dialect.name == "duckdb":
                    marks = ", ".join("?" for _ in codes)
                    conn.connection.connection.execute(sql.format(codes=marks, end_reason="end_reason"), codes).df()
                else:
                    cursor = conn.connection.cursor()
                    query = cursor.mogrify(sql.format(codes=", ".join("%s" for _ in codes), end_reason="end_reason"), codes).decode()
                    buffer = io.BytesIO()
                    cursor.copy_expert(f"copy ({query}) to stdout with (format csv)", buffer)
                    buffer.seek(0)
                    pd.read_csv(buffer, header=None, names=INPUT_COLUMNS[name], dtype=object, keep_default_na=False)
                    cursor.close()
            best = min(best, time.perf_counter() - start)
    engine.dispose()
    return best


def phases(url: str, model) -> dict[str, float]:
    """The library's steps of a run, timed in this process inside one transaction that is
    rolled back (nothing is stored)."""
    from incentive_models import engine as settlement, inputs, line_store, runs
    from socialbench import warehouse

    engine = warehouse.create_engine(url)
    figures: dict[str, float] = {}

    def step(name, fn):
        start = time.perf_counter()
        result = fn()
        figures[name] = time.perf_counter() - start
        return result

    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            grants, assessments, rates = step("read inputs", lambda: inputs.read_inputs(conn, model))
            step("inputs fingerprint", lambda: inputs.inputs_sha256(model, grants, assessments, rates))
            paid = step("read what was paid", lambda: runs._read_paid(conn, model.model_id, AS_OF))
            episodes = step("rules 1-8", lambda: settlement.qualified_episodes(model, AS_OF, grants, assessments, rates))
            lines = step("rules 9-10", lambda: settlement.settle(model, AS_OF, episodes, settlement.paid_in_scope(model, grants, paid)))
            lines["explanation"] = step("explanations", lambda: settlement.explain_lines(lines, model, AS_OF))
            step("write lines", lambda: line_store.write_lines(conn, f"perf-{uuid.uuid4().hex[:8]}", lines))
            step("lines fingerprint", lambda: line_store.lines_sha256(lines))
            step("pack inputs (approval)", lambda: inputs.pack_inputs(grants, assessments, rates))
            figures["lines"] = len(lines)
            figures["grants"], figures["assessments"] = len(grants), len(assessments)
        finally:
            transaction.rollback()
    engine.dispose()
    return figures


def measure_engine(url: str, kind: str) -> dict:
    from incentive_models.model import parse_model

    model = parse_model(MODEL, str(MODEL_FILE))
    base = floor(url, model)
    inside = phases(url, model)
    run_s, run_mb, out = timed_child([*CLI, "settle", "run", "--db", url, "--model", str(MODEL_FILE), "--as-of", AS_OF.isoformat(), "--json"])
    run = json.loads(out)
    approve_s, approve_mb, _ = timed_child([*CLI, "settle", "approve", "--db", url, run["run_id"]])
    verify_s, verify_mb, _ = timed_child([*CLI, "settle", "verify", "--db", url])
    return {
        "engine": kind, "floor_s": base, "run_s": run_s, "run_peak_mb": run_mb, "approve_s": approve_s,
        "approve_peak_mb": approve_mb, "verify_s": verify_s, "verify_peak_mb": verify_mb,
        "line_count": run["line_count"], "phases_s": inside,
    }


def measure(engines=("duckdb", "postgresql"), grants: int = 120_000, urls: dict | None = None, keep: Path | None = None,
            oracle_grants: int = 1000) -> dict:
    """Every figure of the script, as a dict (see the module's docstring)."""
    urls = dict(urls or {})
    figures = {"built_s": {}, "engines": []}
    folder = keep or Path(tempfile.mkdtemp(prefix="settlement-national-"))
    schema = None
    admin = None
    try:
        for kind in engines:
            if kind not in urls:
                if kind == "duckdb":
                    urls[kind] = f"duckdb:///{folder / 'national.duckdb'}"
                else:
                    schema = f"perf_{uuid.uuid4().hex[:10]}"
                    admin = sa.create_engine(PG_URL)
                    with admin.begin() as conn:
                        conn.execute(sa.text(f"create schema {schema}"))
                    sep = "&" if "?" in PG_URL else "?"
                    urls[kind] = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
                figures["built_s"][kind] = build(urls[kind], grants)
            figures["engines"].append(measure_engine(urls[kind], kind))
    finally:
        if schema is not None and keep is None:
            with admin.begin() as conn:
                conn.execute(sa.text(f"drop schema {schema} cascade"))
    if oracle_grants:
        sys.path.insert(0, str(ROOT / "perf"))
        import settlement_engine

        figures["oracle"] = settlement_engine.measure(grants=oracle_grants, as_of=AS_OF)
    return figures


def report(figures: dict) -> None:
    for e in figures["engines"]:
        floor_s = e["floor_s"]
        print(f"\n{e['engine']}: {e['line_count']} lines ({e['phases_s']['grants']} grants, {e['phases_s']['assessments']} assessments in scope)")
        print(f"  floor (three input queries read natively into pandas): {floor_s:.2f} s")
        for name in ("run", "approve", "verify"):
            print(f"  settle {name:8s} {e[name + '_s']:6.2f} s  {e[name + '_s'] / floor_s:5.1f}x the floor   peak {e[name + '_peak_mb']:6.0f} MB")
        print("  phases in this process:")
        for name, value in e["phases_s"].items():
            if name not in ("lines", "grants", "assessments"):
                print(f"    {name:24s} {value:6.2f} s  {value / floor_s:5.2f}x the floor")
    if "oracle" in figures:
        o = figures["oracle"]
        print(f"\nengine vs day-by-day oracle on {o['grants']} grants: identical lines: {o['identical']}; "
              f"oracle {o['oracle_s']:.2f} s, engine {o['engine_s']:.2f} s ({o['oracle_s'] / o['engine_s']:.0f} times faster)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="duckdb,postgresql")
    parser.add_argument("--grants", type=int, default=120_000, help="national grants to generate (default 120000)")
    parser.add_argument("--duckdb", metavar="URL", help="an existing national warehouse (its model national-4 must not be approved yet)")
    parser.add_argument("--postgresql", metavar="URL", help="likewise on PostgreSQL")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="build the DuckDB file here and keep it (and the PostgreSQL schema)")
    parser.add_argument("--oracle-grants", type=int, default=1000, help="grants in the engine-vs-oracle sample (0: skip)")
    args = parser.parse_args()
    urls = {k: v for k, v in (("duckdb", args.duckdb), ("postgresql", args.postgresql)) if v}
    figures = measure(tuple(args.engines.split(",")), args.grants, urls, args.keep, args.oracle_grants)
    report(figures)


if __name__ == "__main__":
    main()
