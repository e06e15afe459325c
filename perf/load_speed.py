"""How fast is `socialbench load`? Against the engine's own bulk load of the same files.

Generates the national demo data's files (`socialbench demo-data --scale national --out`:
providers.csv, grants.csv with about 120,000 grants, assessments.csv with about 1,000,000
assessments, rates.csv; or, with --generator simple, a plainer deterministic set of the
first three), or takes the CSV files of --dir, then per engine, in a fresh warehouse each
time and each in its own child process:

- load: `socialbench.loading.load_path(engine, DIR)` (what `socialbench load DIR
  --no-refresh` runs, without the interpreter's start-up and imports, which the child
  does before the clock starts; the init of the warehouse is not timed either);
- floor: the engine's own bulk load of the same files into the same empty schema:
  DuckDB `insert into <table> select ... from read_csv(<file>)`, PostgreSQL
  `COPY <table> FROM STDIN (format csv, header)` through psycopg2's copy_expert.

Prints seconds and the child's peak RSS (MB) of each, and the ratio load / floor
(medians over --runs). Nothing is asserted. `measure()` returns the figures as a dict.

    .venv/bin/python perf/load_speed.py [--dir DIR | --keep DIR] [--generator national|simple]
        [--grants 120000] [--assessments 1000000] [--engines duckdb,postgresql] [--runs 3]

PostgreSQL: a fresh schema in $SOCIALBENCH_TEST_PG (default postgres@127.0.0.1/test) per
run, dropped afterwards.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("SOCIALBENCH_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
PROVIDERS = 500
INTERVENTIONS = ("SEL85", "SEL104", "SEL107", "SEL108")
REASONS = ("goal_achieved", "moved", "other", "deceased")


# ---------------------------------------------------------------- input


def write_input(folder: Path, grants: int = 120_000, assessments: int = 1_000_000, seed: int = 10) -> dict[str, int]:
    """Valid providers.csv, grants.csv and assessments.csv in folder (deterministic for a
    seed); returns the rows of each. Assessments lie within their grant's dates, on
    distinct days."""
    from socialbench import reference

    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    codes = np.array(sorted(reference.municipality_codes()))
    providers = pd.DataFrame({
        "provider_id": [f"P{k:04d}" for k in range(PROVIDERS)],
        "provider_name": [f"Leverandør {k}" for k in range(PROVIDERS)],
    })
    providers.to_csv(folder / "providers.csv", index=False)

    start = np.datetime64("2016-01-01") + rng.integers(0, 3650, grants).astype("timedelta64[D]")
    days = rng.integers(60, 3000, grants)
    ended = rng.random(grants) < 0.6
    end = start + days.astype("timedelta64[D]")
    ids = np.char.add("G-", np.char.zfill(np.arange(1, grants + 1).astype(str), 7)).astype(object)
    frame = pd.DataFrame({
        "grant_id": ids,
        "citizen_key": np.char.add("B-", np.char.zfill(rng.integers(0, grants, grants).astype(str), 7)).astype(object),
        "municipality_code": codes[rng.integers(0, len(codes), grants)],
        "provider_id": providers["provider_id"].to_numpy()[rng.integers(0, PROVIDERS, grants)],
        "intervention_code": np.array(INTERVENTIONS, dtype=object)[rng.integers(0, len(INTERVENTIONS), grants)],
        "start_date": pd.Series(start).dt.strftime("%Y-%m-%d"),
        "end_date": pd.Series(np.where(ended, end, np.datetime64("NaT"))).dt.strftime("%Y-%m-%d"),
        "end_reason": np.where(ended, np.array(REASONS, dtype=object)[rng.integers(0, len(REASONS), grants)], None),
    })
    frame.to_csv(folder / "grants.csv", index=False)

    # Assessments per grant: about assessments / grants on average, at most 50, on days
    # spread evenly over the grant (an open grant: its first `days` days).
    mean = assessments / grants
    per_grant = np.clip(rng.poisson(mean, grants), 1, 50)
    per_grant = np.minimum(per_grant, days)
    rows = np.repeat(np.arange(grants), per_grant)
    index = np.arange(len(rows)) - np.repeat(np.cumsum(per_grant) - per_grant, per_grant)
    offset = index * days[rows] // per_grant[rows]
    assessed = pd.DataFrame({
        "grant_id": ids[rows],
        "assessed_on": pd.Series(start[rows] + offset.astype("timedelta64[D]")).dt.strftime("%Y-%m-%d"),
        "support_level": rng.integers(0, 5, len(rows)),
    })
    assessed.to_csv(folder / "assessments.csv", index=False)
    return {"providers": len(providers), "grants": grants, "assessments": len(assessed)}


def write_national(folder: Path, grants: int = 120_000) -> dict[str, int]:
    """The national demo data's CSV files (socialbench.demo_data.national.write)."""
    from socialbench.demo_data import national, params

    return national.write(folder, params.DEFAULT_SEED, grants)


def files(folder: Path) -> list[str]:
    """The loadable tables whose CSV file is in folder, in load order."""
    from socialbench import loading

    return [name for name in loading.TABLES if (folder / f"{name}.csv").is_file()]


def count_rows(folder: Path) -> dict[str, int]:
    out = {}
    for name in files(folder):
        with (folder / f"{name}.csv").open("rb") as f:
            out[name] = sum(1 for _ in f) - 1
    return out


# ---------------------------------------------------------------- children

# Each child prints one JSON line {"seconds": ...} for the part it times.

LOAD_CHILD = """
import json, sys, time
from pathlib import Path
from socialbench import loading, warehouse
engine = warehouse.create_engine(sys.argv[1])
start = time.perf_counter()
counts = loading.load_path(engine, Path(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - start, "rows": counts}))
"""

DUCKDB_FLOOR_CHILD = """
import json, sys, time, duckdb
from pathlib import Path
con = duckdb.connect(sys.argv[1])
folder = Path(sys.argv[2])
start = time.perf_counter()
con.execute("begin")
for name in sys.argv[3].split(","):
    cols = (folder / f"{name}.csv").open(encoding="utf-8").readline().strip().replace(",", ", ")  # the file's columns
    con.execute(f"insert into {name} ({cols}) select {cols} from read_csv('{folder / name}.csv', header = true)")
con.execute("commit")
print(json.dumps({"seconds": time.perf_counter() - start}))
"""

POSTGRESQL_FLOOR_CHILD = """
import json, sys, time, psycopg2
from pathlib import Path
conn = psycopg2.connect(sys.argv[1])
folder = Path(sys.argv[2])
start = time.perf_counter()
with conn.cursor() as cur:
    for name in sys.argv[3].split(","):
        cols = (folder / f"{name}.csv").open(encoding="utf-8").readline().strip().replace(",", ", ")  # the file's columns
        with (folder / f"{name}.csv").open("rb") as f:
            cur.copy_expert(f"copy {name} ({cols}) from stdin with (format csv, header true)", f)
conn.commit()
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def child(code: str, *args: str) -> dict:
    """Run python code in a child process; its JSON line plus its peak RSS in MB."""
    pid_out = subprocess.run(
        [sys.executable, "-c", "import resource, sys; " + _WRAP, code, *args],
        cwd=ROOT, capture_output=True, text=True,
    )
    if pid_out.returncode != 0:
        raise SystemExit(f"child failed:\n{pid_out.stderr[-3000:]}")
    lines = pid_out.stdout.strip().splitlines()
    result = json.loads(lines[-2])
    result["peak_mb"] = json.loads(lines[-1])["peak_mb"]
    return result


# The child runs the code, then prints its own peak RSS (ru_maxrss: KiB on Linux).
_WRAP = (
    "code = sys.argv[1]; sys.argv = [sys.argv[0], *sys.argv[2:]]; exec(compile(code, '<child>', 'exec')); "
    "import json; print(json.dumps({'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
)


@contextlib.contextmanager
def fresh_warehouse(kind: str, tmp: Path):
    """(SQLAlchemy URL, driver DSN) of a fresh, initialised warehouse."""
    import sqlalchemy as sa

    from socialbench import schema, warehouse

    if kind == "duckdb":
        path = tmp / f"w_{uuid.uuid4().hex[:8]}.duckdb"
        url = f"duckdb:///{path}"
        engine = warehouse.create_engine(url)
        schema.init(engine)
        engine.dispose()
        try:
            yield url, str(path)
        finally:
            for p in (path, Path(f"{path}.wal")):
                p.unlink(missing_ok=True)
        return
    name = f"perf_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"create schema {name}"))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{name}"
    engine = warehouse.create_engine(url)
    schema.init(engine)
    engine.dispose()
    dsn = sa.engine.make_url(PG_URL)
    try:
        yield url, (
            f"host={dsn.host} port={dsn.port or 5432} dbname={dsn.database} user={dsn.username}"
            + (f" password={dsn.password}" if dsn.password else "")
            + f" options='-csearch_path={name}'"
        )
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"drop schema {name} cascade"))
        admin.dispose()


def measure_engine(kind: str, folder: Path, runs: int = 3) -> dict:
    """Median seconds and peak MB of load and floor on one engine, alternating."""
    loads, floors = [], []
    names = ",".join(files(folder))
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            with fresh_warehouse(kind, Path(tmp)) as (_, dsn):
                floors.append(child(DUCKDB_FLOOR_CHILD if kind == "duckdb" else POSTGRESQL_FLOOR_CHILD, dsn, str(folder), names))
            with fresh_warehouse(kind, Path(tmp)) as (url, _):
                loads.append(child(LOAD_CHILD, url, str(folder)))
    load_s = statistics.median(r["seconds"] for r in loads)
    floor_s = statistics.median(r["seconds"] for r in floors)
    return {
        "load_seconds": load_s,
        "load_peak_mb": statistics.median(r["peak_mb"] for r in loads),
        "floor_seconds": floor_s,
        "floor_peak_mb": statistics.median(r["peak_mb"] for r in floors),
        "ratio": load_s / floor_s,
        "rows": loads[0]["rows"],
        "runs": runs,
    }


def generate(folder: Path, generator: str = "national", grants: int = 120_000, assessments: int = 1_000_000) -> None:
    if generator == "national":
        write_national(folder, grants)
    else:
        write_input(folder, grants, assessments)


def measure(folder: Path | None = None, engines: tuple[str, ...] = ("duckdb", "postgresql"), runs: int = 3,
            grants: int = 120_000, assessments: int = 1_000_000, generator: str = "national") -> dict:
    """The figures as a dict: {"rows": {file: rows}, "files_mb": ..., engine: {"load_seconds",
    "load_peak_mb", "floor_seconds", "floor_peak_mb", "ratio", "rows", "runs"}}.

    Without a folder, generates the input (`generator`: national or simple) in a
    temporary directory."""
    with tempfile.TemporaryDirectory() as tmp:
        if folder is None:
            folder = Path(tmp) / "input"
            generate(folder, generator, grants, assessments)
        folder = Path(folder)
        out: dict = {
            "rows": count_rows(folder),
            "files_mb": sum((folder / f"{n}.csv").stat().st_size for n in files(folder)) / 1e6,
        }
        for kind in engines:
            out[kind] = measure_engine(kind, folder, runs)
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="take providers.csv, grants.csv and assessments.csv from here")
    parser.add_argument("--keep", type=Path, help="write the generated input here and keep it (reused if present)")
    parser.add_argument("--generator", choices=["national", "simple"], default="national",
                        help="national: socialbench demo-data --scale national (default); simple: this script's own")
    parser.add_argument("--grants", type=int, default=120_000)
    parser.add_argument("--assessments", type=int, default=1_000_000, help="with --generator simple")
    parser.add_argument("--engines", default="duckdb,postgresql")
    parser.add_argument("--runs", type=int, default=3, help="median of this many runs of each")
    args = parser.parse_args()
    folder = args.dir
    if args.keep:
        folder = args.keep
        if not (folder / "assessments.csv").is_file():
            generate(folder, args.generator, args.grants, args.assessments)
    figures = measure(folder, tuple(args.engines.split(",")), args.runs, args.grants, args.assessments, args.generator)
    rows = figures["rows"]
    print(
        f"input: {', '.join(f'{n}.csv {r:,} rows' for n, r in rows.items())} "
        f"({sum(rows.values()):,} rows, {figures['files_mb']:.0f} MB); medians of {args.runs} run(s)"
    )
    print("load: loading.load_path in a child process (imports and init not timed); "
          "floor: the engine's own bulk load of the same files")
    print(f"{'engine':<11} {'load s':>7} {'peak MB':>8} {'floor s':>8} {'peak MB':>8} {'ratio':>7}")
    for kind in args.engines.split(","):
        f = figures[kind]
        print(
            f"{kind:<11} {f['load_seconds']:7.2f} {f['load_peak_mb']:8.0f} {f['floor_seconds']:8.2f} "
            f"{f['floor_peak_mb']:8.0f} {f['ratio']:6.1f}x"
        )


if __name__ == "__main__":
    main()
