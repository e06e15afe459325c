"""Synthetic price index, expenditure (actual and budget) and full-year citizens.

Arrays are indexed [municipality, year, ...] in the order of the traits frame and
params.YEARS; the frames at the end are long and tidy like the loader's tables.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from socialbench import reference
from socialbench.demo_data import params as p


def price_index() -> np.ndarray:
    """PL index for params.YEARS, base year 2025 = 100."""
    index = {p.BASE_YEAR: 100.0}
    for year in range(p.BASE_YEAR, p.YEARS[0], -1):
        index[year - 1] = index[year] / (1 + p.PL_GROWTH_PCT[year] / 100)
    return np.array([index[y] for y in p.YEARS])


def price_index_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"year": p.YEARS.astype(int), "index_value": p.decimals(np.round(price_index(), 6), 6)}
    )


def _growth(rate, years_from_base=None):
    """(1 + rate) ** (year - 2025) over params.YEARS (rate broadcast against the years)."""
    t = (p.YEARS - p.BASE_YEAR) if years_from_base is None else years_from_base
    return (1 + np.asarray(rate)[..., None]) ** t


def national_cost_per_child() -> np.ndarray:
    """Kroner per 0-22-year-old in current prices, per year."""
    return p.CHILD_COST_2025 * price_index() / 100 * _growth(p.CHILD_REAL_GROWTH)


def cost_per_child(
    rng: np.random.Generator, municipalities: pd.DataFrame, sei: np.ndarray, pop_0_22: np.ndarray
) -> np.ndarray:
    """Cost per 0-22-year-old [m, y], current prices; the country hits its target exactly."""
    n, years = sei.shape
    national = national_cost_per_child()
    level = np.exp(p.CHILD_SEI_EFFECT * (sei - 1) + rng.normal(0, p.CHILD_NOISE_SD, (n, 1)))
    path = _growth(rng.normal(0, p.CHILD_TREND_SD, n)) * np.exp(rng.normal(0, p.CHILD_YEAR_NOISE_SD, (n, years)))
    cost = national[None, :] * level * path

    # Syddjurs: a third off in even steps from 2015 to 2019, then it follows the country
    # with the usual year-to-year noise.
    s = np.flatnonzero(municipalities["municipality_code"].to_numpy() == p.SYDDJURS)
    syddjurs = np.empty(years)
    syddjurs[0] = p.SYDDJURS_2015_INDEX * national[0]
    later = np.exp(rng.normal(0, p.CHILD_YEAR_NOISE_SD, years))
    for k, year in enumerate(p.YEARS):
        if year <= 2019:
            syddjurs[k] = syddjurs[0] * (1 - p.SYDDJURS_CUT * (year - 2015) / 4)
        else:
            syddjurs[k] = syddjurs[k - 1] * national[k] / national[k - 1] * later[k]
    others = np.ones(n, dtype=bool)
    others[s] = False
    fixed = (syddjurs * pop_0_22[s]).sum(axis=0)
    wanted = national * pop_0_22.sum(axis=0) - fixed
    scale = wanted / (cost[others] * pop_0_22[others]).sum(axis=0)
    cost[others] *= scale[None, :]
    cost[s] = syddjurs
    return cost


def _functions(area: str) -> pd.DataFrame:
    ref = reference.frame("account_function")
    return ref[ref["area"] == area].sort_values("function_code").reset_index(drop=True)


def _long(municipalities: pd.DataFrame, labels: list[str], label_name: str, grid: np.ndarray, value: str) -> pd.DataFrame:
    """A [m, y, k] grid as a long frame municipality_code, year, <label_name>, <value>."""
    m, y, k = np.meshgrid(
        municipalities["municipality_code"].to_numpy(), p.YEARS, np.arange(len(labels)), indexing="ij"
    )
    return pd.DataFrame(
        {
            "municipality_code": m.ravel().astype(int),
            "year": y.ravel().astype(int),
            label_name: np.array(labels, dtype=object)[k.ravel()],
            value: grid.ravel(),
        }
    )


def children(seed: int, municipalities: pd.DataFrame, sei: np.ndarray, pop_0_22: np.ndarray):
    """Actual expenditure on the 5.28 functions and full-year children per intervention."""
    rng = p.rng(seed, "children")
    n, years = sei.shape
    total = cost_per_child(rng, municipalities, sei, pop_0_22) * pop_0_22
    funcs = _functions("children")
    base = np.array([p.CHILD_FUNCTION_SHARE[f] for f in funcs["function_code"]])
    share = base[None, None, :] * np.exp(
        rng.normal(0, p.CHILD_SHARE_NOISE_SD, (n, 1, len(base)))
        + rng.normal(0, p.CHILD_SHARE_YEAR_NOISE_SD, (n, years, len(base)))
    )
    share /= share.sum(axis=2, keepdims=True)
    amounts = total[:, :, None] * share  # [m, y, f]

    mapped = funcs["intervention_code"].notna().to_numpy()
    interventions = funcs.loc[mapped, "intervention_code"].tolist()
    national_unit = np.array([p.CHILD_UNIT_COST_2025[i] for i in interventions])
    unit = (
        national_unit[None, None, :]
        * (price_index() / 100 * _growth(p.UNIT_COST_REAL_GROWTH))[None, :, None]
        * np.exp(
            rng.normal(0, p.UNIT_COST_NOISE_SD, (n, 1, len(interventions)))
            + rng.normal(0, p.UNIT_COST_YEAR_NOISE_SD, (n, years, len(interventions)))
        )
    )
    citizens = np.round(amounts[:, :, mapped] / unit, 4)
    expenditure = _long(municipalities, funcs["function_code"].tolist(), "function_code", amounts, "amount")
    fyc = _long(municipalities, interventions, "intervention_code", citizens, "full_year_citizens")
    return expenditure, fyc


def adults(seed: int, municipalities: pd.DataFrame, sei: np.ndarray, pop_18_64: np.ndarray):
    """Actual expenditure on the 5.38 functions and full-year citizens per intervention.

    Expenditure on a function mapped to an intervention = full-year citizens × unit cost,
    with unit costs scaled so that the national unit cost hits its target each year.
    """
    rng = p.rng(seed, "adults")
    n, years = sei.shape
    funcs = _functions("adults")
    by_intervention = dict(zip(funcs["intervention_code"], funcs["function_code"]))
    interventions = list(p.ADULT_INTERVENTIONS)
    k = len(interventions)
    prevalence = np.array([p.ADULT_INTERVENTIONS[i][0] for i in interventions]) / 1000
    national_unit = np.array([p.ADULT_INTERVENTIONS[i][1] for i in interventions])
    national_growth = np.array([p.ADULT_INTERVENTIONS[i][2] for i in interventions])

    common = rng.normal(0, p.QUANTITY_COMMON_SD, (n, 1, 1))
    specific = rng.normal(0, p.QUANTITY_SPECIFIC_SD, (n, 1, k))
    trend = national_growth[None, :] + rng.normal(0, p.QUANTITY_TREND_SD, (n, k))  # [m, i]
    rate = (
        prevalence[None, None, :]
        * np.exp(p.QUANTITY_SEI_EFFECT * (sei[:, :, None] - 1) + common + specific)
        * np.moveaxis(_growth(trend), 2, 1)  # [m, i, y] -> [m, y, i]
        * np.exp(rng.normal(0, p.QUANTITY_YEAR_NOISE_SD, (n, years, k)))
    )
    citizens = np.round(rate * pop_18_64[:, :, None], 4)

    capital = (municipalities["group"].to_numpy() == 1)[:, None, None]
    unit_trend = rng.normal(0, 0.01, (n, k))
    unit = (
        np.exp(
            p.UNIT_COST_SEI_EFFECT * (sei[:, :, None] - 1)
            + p.UNIT_COST_CAPITAL_PREMIUM * capital
            + rng.normal(0, p.UNIT_COST_NOISE_SD, (n, 1, k))
            + rng.normal(0, p.UNIT_COST_YEAR_NOISE_SD, (n, years, k))
        )
        * np.moveaxis(_growth(unit_trend), 2, 1)
    )
    target = national_unit[None, :] * (price_index() / 100 * _growth(p.UNIT_COST_REAL_GROWTH))[:, None]  # [y, i]
    unit *= (target * citizens.sum(axis=0) / (citizens * unit).sum(axis=0))[None, :, :]
    amounts = citizens * unit

    others = funcs.loc[funcs["intervention_code"].isna(), "function_code"].tolist()
    per_capita = np.array([p.ADULT_OTHER_PER_CAPITA_2025[f] for f in others])
    other_amounts = (
        per_capita[None, None, :]
        * pop_18_64[:, :, None]
        * (price_index() / 100 * _growth(p.OTHER_REAL_GROWTH))[None, :, None]
        * np.exp(
            p.OTHER_SEI_EFFECT * (sei[:, :, None] - 1)
            + rng.normal(0, p.OTHER_NOISE_SD, (n, 1, len(others)))
            + rng.normal(0, p.OTHER_YEAR_NOISE_SD, (n, years, len(others)))
        )
    )
    expenditure = pd.concat(
        [
            _long(municipalities, [by_intervention[i] for i in interventions], "function_code", amounts, "amount"),
            _long(municipalities, others, "function_code", other_amounts, "amount"),
        ],
        ignore_index=True,
    )
    fyc = _long(municipalities, interventions, "intervention_code", citizens, "full_year_citizens")
    return expenditure, fyc


def with_budgets(seed: int, actual: pd.DataFrame) -> pd.DataFrame:
    """Actual rows plus budget rows: budget = actual / (1 + overrun), whole thousands."""
    rng = p.rng(seed, "budget")
    area = actual["function_code"].str.startswith("5.28").map({True: "children", False: "adults"})
    year_shock = {
        (a, y): s
        for a in ("children", "adults")
        for y, s in zip(p.YEARS, rng.normal(0, p.BUDGET_YEAR_SD, len(p.YEARS)))
    }
    codes = np.sort(actual["municipality_code"].unique())
    municipal = dict(zip(codes, rng.normal(0, p.BUDGET_MUNICIPALITY_SD, len(codes))))
    overrun = (
        area.map(p.BUDGET_OVERRUN_MEAN).to_numpy()
        + np.array([year_shock[k] for k in zip(area, actual["year"])])
        + actual["municipality_code"].map(municipal).to_numpy()
        + rng.normal(0, p.BUDGET_FUNCTION_SD, len(actual))
    )
    budget = actual.copy()
    budget["amount"] = np.round(actual["amount"].to_numpy() / (1 + overrun), -3)
    frame = pd.concat([actual.assign(kind="actual"), budget.assign(kind="budget")], ignore_index=True)
    return pd.DataFrame(
        {
            "municipality_code": frame["municipality_code"].astype(int),
            "year": frame["year"].astype(int),
            "function_code": frame["function_code"],
            "kind": frame["kind"],
            "amount_dkk": p.money(np.round(frame["amount"].to_numpy(), 2)),
        }
    )
