"""Savings potential ("besparelsespotentiale") against the peer municipalities' unit costs."""
from __future__ import annotations

import pandas as pd

SAVINGS_COLUMNS = [
    "municipality_code", "year", "intervention_code", "intervention_name",
    "unit_cost_dkk", "peer_median_unit_cost_dkk", "full_year_citizens", "potential_dkk",
    "unit_cost_fixed_dkk", "peer_median_unit_cost_fixed_dkk", "potential_fixed_dkk", "peer_count",
]


def _potential(unit_cost: pd.Series, peer_median: pd.Series, citizens: pd.Series) -> pd.Series:
    """max(0, unit cost − peer median) × full-year citizens; NULL if any input is NULL."""
    gap = (unit_cost - peer_median).clip(lower=0)
    return gap * citizens


def savings_potential(unit_cost: pd.DataFrame, peers: pd.DataFrame) -> pd.DataFrame:
    """Savings potential per municipality, year and intervention.

    `unit_cost` has rows of the view bm_unit_cost (municipality_code, year,
    intervention_code, intervention_name, full_year_citizens, unit_cost_dkk,
    unit_cost_fixed_dkk); `peers` has rows of bm_peer for ONE method (the issue uses
    `nearest`).

    - peer_median_unit_cost_dkk: the median of the peers' unit_cost_dkk for the same
      intervention and year, over the peers that have one (peer_count of them);
    - potential_dkk = max(0, unit_cost_dkk − peer_median_unit_cost_dkk) × full_year_citizens,
      in CURRENT prices of that year (the same basis as bm_unit_cost.unit_cost_dkk);
    - the *_fixed_dkk columns: the same from unit_cost_fixed_dkk, in fixed prices.
    A NULL unit cost (no or zero full-year citizens) or no peer with a unit cost gives a
    NULL potential, never an error. Only municipalities with peers that year get rows, and
    no row when neither the municipality nor any peer has a unit cost (e.g. an intervention
    without counts of full-year citizens).
    """
    costs = unit_cost[
        ["municipality_code", "year", "intervention_code", "intervention_name",
         "full_year_citizens", "unit_cost_dkk", "unit_cost_fixed_dkk"]
    ].copy()
    for column in ("full_year_citizens", "unit_cost_dkk", "unit_cost_fixed_dkk"):
        costs[column] = pd.to_numeric(costs[column], errors="coerce").astype(float)
    costs["municipality_code"] = costs["municipality_code"].astype(int)
    costs["year"] = costs["year"].astype(int)

    pairs = peers[["municipality_code", "year", "peer_code"]].drop_duplicates()
    peer_costs = pairs.merge(
        costs[["municipality_code", "year", "intervention_code", "unit_cost_dkk", "unit_cost_fixed_dkk"]]
        .rename(columns={"municipality_code": "peer_code"}),
        on=["peer_code", "year"],
    )
    peer_costs = peer_costs[peer_costs["unit_cost_dkk"].notna()]
    stats = (
        peer_costs.groupby(["municipality_code", "year", "intervention_code"])
        .agg(
            peer_median_unit_cost_dkk=("unit_cost_dkk", "median"),
            peer_median_unit_cost_fixed_dkk=("unit_cost_fixed_dkk", "median"),
            peer_count=("unit_cost_dkk", "count"),
        )
        .reset_index()
    )
    with_peers = pairs[["municipality_code", "year"]].drop_duplicates()
    out = costs.merge(with_peers, on=["municipality_code", "year"])
    out = out.merge(stats, on=["municipality_code", "year", "intervention_code"], how="left")
    out = out[out["unit_cost_dkk"].notna() | out["peer_median_unit_cost_dkk"].notna()].copy()
    out["peer_count"] = out["peer_count"].fillna(0).astype(int)
    out["potential_dkk"] = _potential(out["unit_cost_dkk"], out["peer_median_unit_cost_dkk"], out["full_year_citizens"])
    out["potential_fixed_dkk"] = _potential(
        out["unit_cost_fixed_dkk"], out["peer_median_unit_cost_fixed_dkk"], out["full_year_citizens"]
    )
    out = out.sort_values(["year", "municipality_code", "intervention_code"]).reset_index(drop=True)
    float_columns = [c for c in SAVINGS_COLUMNS if c.endswith("_dkk") or c == "full_year_citizens"]
    return out[SAVINGS_COLUMNS].astype({c: float for c in float_columns})
