"""`socialbench demo-data`: a deterministic, synthetic data set that looks like real data.

Everything here is made up (see docs/demo-data.md for how): only the municipalities,
their 2026 populations and the chart of accounts are real. `generate` is pure; `load`
writes through the ordinary loader so the same checks and upserts run, and marks every
table as synthetic in data_source.
"""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from socialbench import loading, warehouse
from socialbench.demo_data import budget, cases, expenditure, grants, params, population

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
    population_of = {"children": pop_0_22, "adults": pop_18_64}
    frames.update(cases.generate(seed, municipalities, population_of, frames["grants"], frames["providers"]))
    # Budget follow-up (budget.py): provider tariffs and budget plans, where the schema declares them;
    # refusion_tiers come from package data (`socialbench init` seeds them).
    if "provider_id" in loading.TABLES["rates"].columns:
        frames["rates"] = budget.tariffs(seed, frames["providers"], frames["rates"])
    if "budget_plan" in loading.TABLES:
        frames["budget_plan"] = budget.plans(seed, frames["grants"], frames["assessments"], frames["rates"])
    # Tables the demo has no frame of (yet) and optional columns it leaves out are skipped.
    return {
        name: frames[name][[c for c in spec.columns if c in frames[name].columns or c not in spec.optional]]
        for name, spec in loading.TABLES.items() if name in frames
    }


def source(seed: int) -> str:
    return f"socialbench demo-data (synthetic, seed {seed})"


def load(engine: Engine, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Generate and load the demo data (all or nothing); returns rows written per table.

    Meant for an empty or demo warehouse: rows with the same keys are replaced (upsert).
    The demo grants then replace earlier demo grants completely: assessments of these
    grants that this seed does not produce, and grants left by an earlier synthetic load
    that this seed does not produce, are removed.
    """
    frames = generate(seed)
    batch = [
        loading.Rows(table, f"{table} ({source(seed)})", frame, list(range(2, len(frame) + 2)))
        for table, frame in frames.items()
    ]
    with engine.connect() as conn:
        earlier_demo_grants = loading.is_synthetic(conn, "grants")
    return loading.load_batch(
        engine,
        batch,
        source=source(seed),
        synthetic=True,
        after_store=lambda conn: _remove_stale(conn, frames["assessments"], earlier_demo_grants),
    )


def _remove_stale(conn: Connection, assessments: pd.DataFrame, earlier_demo_grants: bool) -> None:
    """Remove assessments (and earlier demo grants) that this load did not produce."""
    stage = "_sb_demo_assessments"
    conn.execute(sa.text(f"drop table if exists {stage}"))
    conn.execute(sa.text(f"create temporary table {stage} as select grant_id, assessed_on from assessments where 1 = 0"))
    warehouse.insert_frame(conn, stage, assessments[["grant_id", "assessed_on"]])
    ours = f"exists (select 1 from {stage} d where d.grant_id = {{t}}.grant_id)"
    if earlier_demo_grants:
        conn.execute(sa.text(f"delete from grants where not {ours.format(t='grants')}"))
        conn.execute(sa.text(
            "delete from assessments where not exists (select 1 from grants g where g.grant_id = assessments.grant_id)"
        ))
    conn.execute(sa.text(
        f"delete from assessments where {ours.format(t='assessments')} and not exists (select 1 from {stage} d"
        " where d.grant_id = assessments.grant_id and d.assessed_on = assessments.assessed_on)"
    ))
    conn.execute(sa.text(f"drop table {stage}"))

