"""Expected spending ("strukturelt forventet udgift"): what a municipality would spend per
inhabitant given its structural indicators, from an ordinary least squares fit across all
municipalities of the same year (like Kolada's structure-justified standard cost).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from benchmarks.peers import indicator_matrix

EXPECTED_COLUMNS = [
    "municipality_code", "year", "measure", "actual", "expected", "difference",
    "population", "excess_spending_dkk", "r_squared", "n_municipalities",
]


def ols_fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float | None]:
    """Ordinary least squares of y on the columns of x WITH an intercept.

    Returns the fitted values and R² = 1 − Σ(y − fitted)² / Σ(y − mean y)² (None when all
    y are equal, so that R² is undefined). numpy's least squares solver; with collinear
    indicators the fitted values are still the unique projection of y.
    """
    design = np.column_stack([np.ones(len(y)), x])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    fitted = design @ coefficients
    total = float(((y - y.mean()) ** 2).sum())
    residual = float(((y - fitted) ** 2).sum())
    return fitted, (None if total == 0 else 1 - residual / total)


def expected_cost(
    measures: pd.DataFrame, indicators: pd.DataFrame, names: Sequence[str] | None = None
) -> pd.DataFrame:
    """Actual against structurally expected cost per inhabitant.

    `measures` is long: municipality_code, year, measure ('cost_per_child' or
    'cost_per_adult'), actual (kroner per inhabitant, fixed prices), population (persons
    aged 0-22, resp. 18-64). `indicators` is the long structural_indicators table.

    For each year and measure: the municipalities that have the measure, a population and
    every chosen indicator (`names`, default all indicators of that year) take part; an
    OLS fit with intercept of actual on the raw indicator values, every municipality
    weighing the same, gives
    - expected = the fitted value;
    - difference = actual − expected;
    - excess_spending_dkk = difference × population;
    - r_squared of the fit and n_municipalities in it.
    A fit needs at least one more municipality than it has coefficients (indicators + 1),
    otherwise that year and measure get no rows.
    """
    out = []
    measures = measures.dropna(subset=["actual", "population"])
    for (year, measure), rows in measures.groupby(["year", "measure"], sort=True):
        wide = indicator_matrix(indicators, int(year), names)
        data = rows.set_index("municipality_code").join(wide, how="inner").sort_index()
        if wide.shape[1] == 0 or len(data) < wide.shape[1] + 2:
            continue
        y = data["actual"].to_numpy(dtype=float)
        fitted, r_squared = ols_fit(data[list(wide.columns)].to_numpy(dtype=float), y)
        frame = pd.DataFrame(
            {
                "municipality_code": data.index.astype(int),
                "year": int(year),
                "measure": measure,
                "actual": y,
                "expected": fitted,
                "difference": y - fitted,
                "population": data["population"].to_numpy(dtype=float),
            }
        )
        frame["excess_spending_dkk"] = frame["difference"] * frame["population"]
        frame["r_squared"] = np.nan if r_squared is None else r_squared
        frame["n_municipalities"] = len(data)
        out.append(frame)
    if not out:
        return pd.DataFrame(columns=EXPECTED_COLUMNS)
    return pd.concat(out, ignore_index=True)[EXPECTED_COLUMNS]


def measures_from_views(cost_per_child: pd.DataFrame, cost_per_adult: pd.DataFrame) -> pd.DataFrame:
    """The two measures in long form from the views: cost_per_child_fixed_dkk with
    population_0_22, and cost_per_adult_fixed_dkk with population_18_64."""
    parts = []
    for frame, measure, value, population in (
        (cost_per_child, "cost_per_child", "cost_per_child_fixed_dkk", "population_0_22"),
        (cost_per_adult, "cost_per_adult", "cost_per_adult_fixed_dkk", "population_18_64"),
    ):
        parts.append(
            pd.DataFrame(
                {
                    "municipality_code": frame["municipality_code"].astype(int),
                    "year": frame["year"].astype(int),
                    "measure": measure,
                    "actual": pd.to_numeric(frame[value], errors="coerce").astype(float),
                    "population": pd.to_numeric(frame[population], errors="coerce").astype(float),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
