"""Peer comparison ("sammenligning med sammenligningskommuner") of the key figures.

Key figures, all in FIXED prices (kroner of the price index's latest year), from the views:
- `cost_per_child`: bm_cost_per_child.cost_per_child_fixed_dkk (per 0-22-year-old);
- `cost_per_adult`: bm_cost_per_adult.cost_per_adult_fixed_dkk (per 18-64-year-old);
- `unit_cost:<INTERVENTION_CODE>`: bm_unit_cost.unit_cost_fixed_dkk (per full-year citizen).
"""
from __future__ import annotations

import pandas as pd

COST_PER_CHILD = "cost_per_child"
COST_PER_ADULT = "cost_per_adult"
UNIT_COST = "unit_cost"

KEY_FIGURE_COLUMNS = ["municipality_code", "year", "key_figure", "key_figure_label", "intervention_code", "value"]
COMPARISON_COLUMNS = [
    "municipality_code", "year", "method", "key_figure", "key_figure_label", "intervention_code",
    "own_value", "peer_mean", "peer_median", "peer_count", "difference_dkk", "difference_pct",
]

LABELS = {COST_PER_CHILD: "Udgift pr. 0-22-årig", COST_PER_ADULT: "Udgift pr. 18-64-årig"}


def unit_cost_key(intervention_code: str) -> str:
    """The key_figure value of an intervention's unit cost, e.g. 'unit_cost:SEL108'."""
    return f"{UNIT_COST}:{intervention_code}"


def key_figures(
    cost_per_child: pd.DataFrame, cost_per_adult: pd.DataFrame, unit_cost: pd.DataFrame
) -> pd.DataFrame:
    """The key figures in one long frame: municipality_code, year, key_figure,
    key_figure_label (Danish), intervention_code (NULL except for unit costs), value.

    Inputs are rows of the views bm_cost_per_child (cost_per_child_fixed_dkk),
    bm_cost_per_adult (cost_per_adult_fixed_dkk) and bm_unit_cost (intervention_code,
    intervention_name, unit_cost_fixed_dkk). A NULL value stays NULL.
    """
    parts = []
    for frame, key, column in (
        (cost_per_child, COST_PER_CHILD, "cost_per_child_fixed_dkk"),
        (cost_per_adult, COST_PER_ADULT, "cost_per_adult_fixed_dkk"),
    ):
        part = pd.DataFrame(
            {
                "municipality_code": frame["municipality_code"].astype(int),
                "year": frame["year"].astype(int),
                "key_figure": key,
                "key_figure_label": LABELS[key],
                "intervention_code": None,
                "value": pd.to_numeric(frame[column], errors="coerce").astype(float),
            }
        )
        parts.append(part)
    parts.append(
        pd.DataFrame(
            {
                "municipality_code": unit_cost["municipality_code"].astype(int),
                "year": unit_cost["year"].astype(int),
                "key_figure": [unit_cost_key(c) for c in unit_cost["intervention_code"]],
                "key_figure_label": ["Enhedsudgift: " + str(n) for n in unit_cost["intervention_name"]],
                "intervention_code": unit_cost["intervention_code"].astype(object),
                "value": pd.to_numeric(unit_cost["unit_cost_fixed_dkk"], errors="coerce").astype(float),
            }
        )
    )
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=KEY_FIGURE_COLUMNS)
    return pd.concat(parts, ignore_index=True)[KEY_FIGURE_COLUMNS]


def peer_comparison(figures: pd.DataFrame, peers: pd.DataFrame) -> pd.DataFrame:
    """Each municipality's key figures against its peers, per year, method and key figure.

    - own_value: the municipality's own key figure (NULL if it has none);
    - peer_mean: the plain average of the peers' values, every peer counting once
      (unweighted, as ECO Nøgletal does), over the peers that have a value;
    - peer_median: the middle of the peers' values (the average of the two middle ones
      when their number is even);
    - peer_count: how many peers have a value;
    - difference_dkk = own_value − peer_mean;
    - difference_pct = 100 × (own_value − peer_mean) / peer_mean (NULL when peer_mean is 0).
    A row exists for every municipality with peers that year and every key figure someone
    has that year, unless both own_value and peer_mean are NULL.
    """
    figures = figures[KEY_FIGURE_COLUMNS]
    catalogue = figures[["year", "key_figure", "key_figure_label", "intervention_code"]].drop_duplicates(
        ["year", "key_figure"]
    )
    who = peers[["municipality_code", "year", "method"]].drop_duplicates()
    grid = who.merge(catalogue, on="year")
    peer_values = peers[["municipality_code", "year", "method", "peer_code"]].merge(
        figures[["municipality_code", "year", "key_figure", "value"]].rename(columns={"municipality_code": "peer_code"}),
        on=["peer_code", "year"],
    )
    peer_values = peer_values[peer_values["value"].notna()]
    stats = (
        peer_values.groupby(["municipality_code", "year", "method", "key_figure"])["value"]
        .agg(peer_mean="mean", peer_median="median", peer_count="count")
        .reset_index()
    )
    own = figures[["municipality_code", "year", "key_figure", "value"]].rename(columns={"value": "own_value"})
    out = grid.merge(own, on=["municipality_code", "year", "key_figure"], how="left")
    out = out.merge(stats, on=["municipality_code", "year", "method", "key_figure"], how="left")
    out = out[out["own_value"].notna() | out["peer_mean"].notna()].copy()
    out["peer_count"] = out["peer_count"].fillna(0).astype(int)
    out["difference_dkk"] = out["own_value"] - out["peer_mean"]
    mean = out["peer_mean"].where(out["peer_mean"] != 0)
    out["difference_pct"] = 100 * out["difference_dkk"] / mean
    out = out.sort_values(["method", "year", "municipality_code", "key_figure"]).reset_index(drop=True)
    return out[COMPARISON_COLUMNS].astype({"own_value": float, "peer_mean": float, "peer_median": float,
                                           "difference_dkk": float, "difference_pct": float})
