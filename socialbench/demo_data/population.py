"""Synthetic municipality traits, population by age and structural indicators."""
from __future__ import annotations

import numpy as np
import pandas as pd

from socialbench import reference
from socialbench.demo_data import params as p


def traits(seed: int) -> pd.DataFrame:
    """One row per real municipality: group, region, 2026 population and drawn traits."""
    ref = reference.frame("municipality").sort_values("municipality_code").reset_index(drop=True)
    rng = p.rng(seed, "municipality")
    n = len(ref)
    codes = ref["municipality_code"].to_numpy()
    group = ref["dst_municipality_group"].to_numpy()

    known_sei = np.array([p.SEI_KNOWN.get(c, np.nan) for c in codes])
    group_sei = np.array([p.SEI_GROUP_MEAN[g] for g in group])
    sei = np.where(
        np.isnan(known_sei),
        group_sei + rng.normal(0, p.SEI_NOISE_SD, n),
        known_sei + rng.normal(0, p.SEI_KNOWN_NOISE_SD, n),
    )
    sei = np.clip(sei, *p.SEI_RANGE)

    known_density = np.array([p.DENSITY_KNOWN.get(c, np.nan) for c in codes])
    drawn_density = np.array([p.DENSITY_GROUP_MEDIAN[g] for g in group]) * np.exp(rng.normal(0, p.DENSITY_NOISE_SD, n))
    density = np.where(np.isnan(known_density), drawn_density, known_density)

    growth = np.array([p.GROWTH_GROUP_MEAN[g] for g in group]) + rng.normal(0, p.GROWTH_NOISE_SD, n)
    return pd.DataFrame(
        {
            "municipality_code": codes,
            "group": group,
            "region_code": ref["region_code"].to_numpy(),
            "population_2026": ref["population_2026"].to_numpy(),
            "sei_2025": sei,
            "sei_drift": rng.normal(0, p.SEI_DRIFT_SD, n),
            "growth": np.clip(growth, *p.GROWTH_RANGE),
            "density_2026": density,
            "income_2025": p.INCOME_BASE * sei**p.INCOME_SEI_POWER * np.exp(rng.normal(0, p.INCOME_NOISE_SD, n)),
        }
    )


def persons(seed: int, municipalities: pd.DataFrame) -> np.ndarray:
    """Persons on 1 January as an array [municipality, year, age] (rows in `municipalities` order)."""
    rng = p.rng(seed, "population")
    n = len(municipalities)
    base = np.interp(p.AGES, p.AGE_KNOTS, p.AGE_PROFILE)
    group_factor = np.stack(
        [np.interp(p.AGES, p.GROUP_AGE_KNOTS, p.GROUP_AGE_FACTOR[g]) for g in municipalities["group"]]
    )
    # Smooth municipal deviations: random multipliers at the knots, interpolated over age.
    knot_noise = rng.normal(0, p.AGE_NOISE_SD, (n, len(p.GROUP_AGE_KNOTS)))
    own = np.exp(np.stack([np.interp(p.AGES, p.GROUP_AGE_KNOTS, row) for row in knot_noise]))
    shape = base * group_factor * own  # [m, a]

    years_before = (p.YEARS - p.BASE_YEAR)[:, None]  # [y, 1], <= 0
    old = np.clip((p.AGES - 55) / 25, 0, 1)[None, :]
    ageing = 1 + p.AGEING_PER_YEAR * years_before * old  # [y, a]: fewer old people in early years
    share = shape[:, None, :] * ageing[None, :, :]
    share /= share.sum(axis=2, keepdims=True)

    growth = municipalities["growth"].to_numpy()[:, None]
    totals = municipalities["population_2026"].to_numpy()[:, None] * (1 + growth) ** (p.YEARS[None, :] - 2026)
    return np.rint(totals[:, :, None] * share).astype(np.int64)


def population_frame(municipalities: pd.DataFrame, counts: np.ndarray) -> pd.DataFrame:
    m, y, a = np.meshgrid(municipalities["municipality_code"].to_numpy(), p.YEARS, p.AGES, indexing="ij")
    return pd.DataFrame(
        {
            "municipality_code": m.ravel().astype(int),
            "year": y.ravel().astype(int),
            "age": a.ravel().astype(int),
            "persons": counts.ravel().astype(int),
        }
    )


def sei(municipalities: pd.DataFrame) -> np.ndarray:
    """The socio-economic index as an array [municipality, year]."""
    drift = municipalities["sei_drift"].to_numpy()[:, None] * (p.YEARS - p.BASE_YEAR)[None, :]
    return np.clip(municipalities["sei_2025"].to_numpy()[:, None] * (1 + drift), *p.SEI_RANGE)


def structural_indicators(seed: int, municipalities: pd.DataFrame, counts: np.ndarray) -> pd.DataFrame:
    rng = p.rng(seed, "indicators")
    totals = counts.sum(axis=2)
    area_km2 = municipalities["population_2026"].to_numpy() / municipalities["density_2026"].to_numpy()
    income = (
        municipalities["income_2025"].to_numpy()[:, None]
        * (1 + p.INCOME_GROWTH) ** (p.YEARS - p.BASE_YEAR)[None, :]
        * np.exp(rng.normal(0, 0.01, totals.shape))
    )
    values = {
        "socioeconomic_index": np.round(sei(municipalities), 4),
        "share_0_22": np.round(counts[:, :, :23].sum(axis=2) / totals, 6),
        "population_density": np.round(totals / area_km2[:, None], 1),
        "income_per_capita": np.round(income, 0),
    }
    codes = municipalities["municipality_code"].to_numpy()
    frames = []
    for indicator, grid in values.items():
        m, y = np.meshgrid(codes, p.YEARS, indexing="ij")
        frames.append(
            pd.DataFrame(
                {
                    "municipality_code": m.ravel().astype(int),
                    "year": y.ravel().astype(int),
                    "indicator": indicator,
                    "value": grid.ravel().astype(float),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
