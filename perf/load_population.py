"""How much does validation cost? Loading a population.csv through socialbench vs a raw insert.

Baseline, measured in the same run: DuckDB's own CSV reader inserting the same file into
the same table with no validation at all. Prints the ratio; nothing is asserted.

    .venv/bin/python perf/load_population.py [--rows 100000]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from socialbench import loading, reference, schema, warehouse


def write_population(path: Path, rows: int) -> None:
    codes = sorted(reference.municipality_codes())
    lines = ["municipality_code,year,age,persons"]
    n = 0
    for year in range(2000, 2100):
        for code in codes:
            for age in range(101):
                lines.append(f"{code},{year},{age},{(code * 7 + age * 13 + year) % 900}")
                n += 1
                if n == rows:
                    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
                    return


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "population.csv"
        write_population(csv_path, args.rows)

        base = warehouse.create_engine(f"duckdb:///{tmp}/baseline.duckdb")
        schema.init(base)

        def raw_insert():
            with base.begin() as conn:
                conn.execute(sa.text(f"insert into population select * from read_csv('{csv_path}', header = true)"))

        baseline = timed(raw_insert)

        ours = warehouse.create_engine(f"duckdb:///{tmp}/socialbench.duckdb")
        schema.init(ours)
        measured = timed(lambda: loading.load_path(ours, csv_path))
        reload = timed(lambda: loading.load_path(ours, csv_path))

    print(f"rows: {args.rows}")
    print(f"baseline (DuckDB read_csv, no validation): {baseline:.2f} s")
    print(f"socialbench load (validated, upsert):      {measured:.2f} s  ratio {measured / baseline:.1f}x")
    print(f"socialbench re-load of the same file:      {reload:.2f} s  ratio {reload / baseline:.1f}x")
    print(f"throughput: {args.rows / measured:,.0f} rows/s")


if __name__ == "__main__":
    main()
