"""`socialbench demo-data`: a deterministic, synthetic data set that looks like real data.

Everything here is made up (see docs/demo-data.md for how): only the municipalities,
their 2026 populations and the chart of accounts are real. `generate` is pure; `load`
writes through the ordinary loader so the same checks and upserts run, and marks every
table as synthetic in data_source.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from socialbench import loading, progress, warehouse
from socialbench.demo_data import expenditure, grants, params, population

DEFAULT_SEED = params.DEFAULT_SEED


def generate(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Table name -> frame with exactly the loader's columns (int, Decimal, datetime.date)."""
    municipalities = population.traits(seed)
    counts = population.persons(seed, municipalities)
    sei = population.sei(municipalities)
    pop_0_22 = counts[:, :, :23].sum(axis=2)
    pop_18_64 = counts[:, :, 18:65].sum(axis=2)

    child_spend, child_fyc = expenditure.children(seed, municipalities, sei, pop_0_22)
    adult_spend, adult_fyc = expenditure.adults(seed, municipalities, sei, pop_18_64)
    fyc = pd.concat([child_fyc, adult_fyc], ignore_index=True)
    fyc["full_year_citizens"] = params.decimals(fyc["full_year_citizens"], 4)

    frames = {
        "population": population.population_frame(municipalities, counts),
        "expenditure": expenditure.with_budgets(seed, pd.concat([child_spend, adult_spend], ignore_index=True)),
        "full_year_citizens": fyc,
        "price_index": expenditure.price_index_frame(),
        "structural_indicators": population.structural_indicators(seed, municipalities, counts),
        **grants.generate(seed, municipalities),
    }
    return {name: frames[name][list(spec.columns)] for name, spec in loading.TABLES.items()}


def source(seed: int) -> str:
    return f"socialbench demo-data (synthetic, seed {seed})"


def load(engine: Engine, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Generate and load the demo data (all or nothing); returns rows written per table.

    The demo grants replace earlier demo grants completely: assessments of these grants
    that this seed does not produce, and grants from an earlier synthetic load that this
    seed does not produce, are removed afterwards.
    """
    frames = dict(progress.track([None], label="Generating demo data") and generate(seed))
    batch = [
        loading.Rows(table, f"{table} ({source(seed)})", frame, list(range(2, len(frame) + 2)))
        for table, frame in progress.track(frames.items(), label="Checking demo data", total=len(frames))
    ]
    previous_grants_synthetic = _synthetic(engine, "grants")
    counts = loading.load_batch(engine, batch, source=source(seed), synthetic=True)
    _remove_stale(engine, frames["grants"], frames["assessments"], previous_grants_synthetic)
    return counts


def _synthetic(engine: Engine, table: str) -> bool:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("data_source"):
            return False
        found = warehouse.read_frame(conn, "select synthetic from data_source where table_name = :t", t=table)
    return bool(len(found)) and bool(found["synthetic"].iloc[0])


def _remove_stale(engine: Engine, grant_rows: pd.DataFrame, assessment_rows: pd.DataFrame, old_synthetic: bool) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("drop table if exists _sb_demo_assessments"))
        conn.execute(sa.text("create temporary table _sb_demo_assessments as select grant_id, assessed_on from assessments where 1 = 0"))
        warehouse.insert_frame(conn, "_sb_demo_assessments", assessment_rows[["grant_id", "assessed_on"]])
        if old_synthetic:  # grants left from an earlier demo load with another seed
            conn.execute(sa.text(
                "delete from grants where not exists (select 1 from _sb_demo_assessments d where d.grant_id = grants.grant_id)"
            ))
        conn.execute(sa.text(
            "delete from assessments where not exists (select 1 from _sb_demo_assessments d"
            " where d.grant_id = assessments.grant_id and d.assessed_on = assessments.assessed_on)"
            " and (exists (select 1 from _sb_demo_assessments d where d.grant_id = assessments.grant_id)"
            " or not exists (select 1 from grants g where g.grant_id = assessments.grant_id))"
        ))
        conn.execute(sa.text("drop table _sb_demo_assessments"))


def cmd_demo_data(args) -> int:
    from socialbench.cli import engine_from_args, refresh_after_load

    engine = engine_from_args(args)
    counts = load(engine, args.seed)
    for table, n in counts.items():
        print(f"{table}: {n} rows loaded")
    print(f"demo data loaded: SYNTHETIC (seed {args.seed}), not real figures for any municipality")
    refresh_after_load(engine, args)
    return 0


def register(subparsers) -> None:
    """Add `socialbench demo-data` to the CLI."""
    from socialbench.cli import add_db_argument

    parser = subparsers.add_parser(
        "demo-data", help="fill the warehouse with a deterministic synthetic demo data set (all 98 municipalities)"
    )
    add_db_argument(parser)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--no-refresh", action="store_true", help="do not recompute derived tables afterwards")
    parser.set_defaults(func=cmd_demo_data)
