"""Synthetic providers, grants with assessments over time, and tiered daily rates.

Dates are numpy datetime64[D] while generating (NaT = open grant) and datetime.date in
the frames. Everything is drawn for whole arrays of grants at once.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from socialbench.demo_data import params as p
from socialbench.demo_data.expenditure import price_index

NAT = np.datetime64("NaT", "D")


def providers_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "provider_id": [f"P{k:03d}" for k in range(1, len(p.PROVIDERS) + 1)],
            "provider_name": [name for name, _ in p.PROVIDERS],
        }
    )


def rates_frame() -> pd.DataFrame:
    """Daily rates per intervention and level, valid from 1 January of each rate year."""
    index = dict(zip(p.YEARS, price_index()))
    rows = []
    for code, rates in p.RATES_2025.items():
        for level, rate in enumerate(rates):
            for year in p.RATE_YEARS:
                value = rate if year == p.BASE_YEAR else round(rate * index[year] / 100)
                rows.append((code, level, dt.date(int(year), 1, 1), float(value)))
    frame = pd.DataFrame(rows, columns=["intervention_code", "support_level", "valid_from", "daily_rate_dkk"])
    frame["daily_rate_dkk"] = p.money(frame["daily_rate_dkk"])
    return frame


@dataclass
class Grants:
    """Grants as parallel arrays (one element per grant)."""

    citizen: np.ndarray
    municipality: np.ndarray  # row in the traits frame
    intervention: np.ndarray  # str
    start: np.ndarray  # datetime64[D]
    provider: np.ndarray = None  # row in params.PROVIDERS; None = to be drawn
    end: np.ndarray = None
    end_reason: np.ndarray = None
    levels: np.ndarray = None  # [grant, review] support level, first column at start
    review_days: np.ndarray = None  # [grant, review] datetime64[D], first column = start
    reviewed: np.ndarray = None  # [grant, review] bool: the review took place

    def subset(self, mask: np.ndarray) -> "Grants":
        return Grants(**{k: (None if v is None else v[mask]) for k, v in self.__dict__.items()})


def _draw_providers(rng, grants: Grants, region: np.ndarray, provider_region: np.ndarray) -> np.ndarray:
    chosen = np.empty(len(grants.start), dtype=int)
    for code in p.GRANT_INTERVENTIONS:
        offering = np.array([k for k, (_, offers) in enumerate(p.PROVIDERS) if code in offers])
        for r in np.unique(region):
            mask = (grants.intervention == code) & (region == r)
            if not mask.any():
                continue
            weight = np.where(provider_region[offering] == r, p.SAME_REGION_WEIGHT, 1.0)
            chosen[mask] = rng.choice(offering, mask.sum(), p=weight / weight.sum())
    return chosen


def _run(rng, grants: Grants, region: np.ndarray, provider_region, provider_down) -> Grants:
    """Draw provider (where missing), duration, end, assessments and end reason."""
    n = len(grants.start)
    drawn = _draw_providers(rng, grants, region, provider_region)
    grants.provider = drawn if grants.provider is None else np.where(grants.provider >= 0, grants.provider, drawn)

    median = np.array([p.GRANT_INTERVENTIONS[c][1] for c in grants.intervention])
    days = np.maximum(p.MIN_DURATION_DAYS, np.rint(median * np.exp(rng.normal(0, p.DURATION_SIGMA, n)))).astype(int)
    end = grants.start + (days - 1).astype("timedelta64[D]")
    ended = end <= p.DATA_CUTOFF
    grants.end = np.where(ended, end, NAT)

    first = np.empty(n, dtype=int)
    for code, (_, _, _, level_p) in p.GRANT_INTERVENTIONS.items():
        mask = grants.intervention == code
        first[mask] = rng.choice(5, mask.sum(), p=level_p)
    k = p.MAX_REVIEWS
    gaps = np.concatenate(
        [rng.integers(*p.FIRST_REVIEW_DAYS, (n, 1), endpoint=True), rng.integers(*p.REVIEW_DAYS, (n, k - 1), endpoint=True)],
        axis=1,
    )
    reviews = grants.start[:, None] + np.cumsum(gaps, axis=1).astype("timedelta64[D]")
    last = np.where(ended, end, p.DATA_CUTOFF)
    grants.review_days = np.concatenate([grants.start[:, None], reviews], axis=1)
    grants.reviewed = np.concatenate([np.ones((n, 1), bool), reviews <= last[:, None]], axis=1)

    u = rng.random((n, k))
    step = np.where(u < provider_down[grants.provider][:, None], -1, np.where(u > 1 - p.LEVEL_UP_PROBABILITY, 1, 0))
    levels = np.empty((n, k + 1), dtype=int)
    levels[:, 0] = first
    for j in range(k):
        levels[:, j + 1] = np.clip(levels[:, j] + step[:, j], 0, 4)
    grants.levels = levels

    final = np.take_along_axis(levels, (grants.reviewed.sum(axis=1) - 1)[:, None], axis=1)[:, 0]
    reason = np.empty(n, dtype=object)
    for code, (_, _, reason_p, _) in p.GRANT_INTERVENTIONS.items():
        mask = grants.intervention == code
        reason[mask] = rng.choice(np.array(p.END_REASONS, dtype=object), mask.sum(), p=reason_p)
    improved = (final < first) & (rng.random(n) < p.GOAL_WHEN_IMPROVED)
    reason[improved] = "goal_achieved"
    grants.end_reason = np.where(ended, reason, None)
    return grants


def generate(seed: int, municipalities: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """providers, grants, assessments and rates frames."""
    rng = p.rng(seed, "grants")
    regions = np.sort(municipalities["region_code"].unique())
    provider_region = rng.choice(regions, len(p.PROVIDERS))
    provider_down = rng.uniform(*p.LEVEL_DOWN_PROBABILITY, len(p.PROVIDERS))
    region_of = municipalities["region_code"].to_numpy()

    # Primary grants: one per citizen, more where there are more people and more need.
    n = p.PRIMARY_GRANTS
    codes = list(p.GRANT_INTERVENTIONS)
    share = np.array([p.GRANT_INTERVENTIONS[c][0] for c in codes])
    weight = municipalities["population_2026"].to_numpy() * municipalities["sei_2025"].to_numpy()
    span = int((p.DATA_CUTOFF - p.FIRST_GRANT_DAY).astype(int))
    primary = Grants(
        citizen=rng.permutation(n) + 1,
        municipality=rng.choice(len(municipalities), n, p=weight / weight.sum()),
        intervention=rng.choice(np.array(codes, dtype=object), n, p=share / share.sum()),
        start=p.FIRST_GRANT_DAY + rng.integers(0, span, n, endpoint=True).astype("timedelta64[D]"),
    )
    primary = _run(rng, primary, region_of[primary.municipality], provider_region, provider_down)

    # Some §85 citizens also get day activities (§104), starting within 90 days.
    pick = (primary.intervention == "SEL85") & (rng.random(n) < p.SEL85_WITH_SEL104)
    start = primary.start[pick] + rng.integers(0, 90, pick.sum(), endpoint=True).astype("timedelta64[D]")
    keep = start <= p.DATA_CUTOFF
    combo = Grants(
        citizen=primary.citizen[pick][keep],
        municipality=primary.municipality[pick][keep],
        intervention=np.full(keep.sum(), "SEL104", dtype=object),
        start=start[keep],
    )
    combo = _run(rng, combo, region_of[combo.municipality], provider_region, provider_down)

    # Relapses: after an end as goal_achieved or other, a new grant of the same intervention.
    earlier = _concat([primary, combo])
    ended = ~np.isnat(earlier.end) & np.isin(earlier.end_reason.astype(str), ["goal_achieved", "other"])
    pick = ended & (rng.random(len(ended)) < p.RELAPSE_SHARE)
    gap = 1 + np.rint(rng.exponential(p.RELAPSE_GAP_MEAN_DAYS, pick.sum())).astype(int)
    start = earlier.end[pick] + gap.astype("timedelta64[D]")
    keep = start <= p.DATA_CUTOFF
    same_provider = rng.random(pick.sum()) < 0.5
    relapse = Grants(
        citizen=earlier.citizen[pick][keep],
        municipality=earlier.municipality[pick][keep],
        intervention=earlier.intervention[pick][keep],
        start=start[keep],
        provider=np.where(same_provider, earlier.provider[pick], -1)[keep],
    )
    relapse = _run(rng, relapse, region_of[relapse.municipality], provider_region, provider_down)

    return _frames(_concat([earlier, relapse]), municipalities)


def _concat(parts: list[Grants]) -> Grants:
    return Grants(**{k: np.concatenate([getattr(g, k) for g in parts]) for k in Grants.__dataclass_fields__})


def _frames(grants: Grants, municipalities: pd.DataFrame) -> dict[str, pd.DataFrame]:
    order = np.lexsort((grants.citizen, grants.intervention.astype(str), grants.start))
    g = grants.subset(order)
    ids = np.array([f"G-{k:06d}" for k in range(1, len(order) + 1)], dtype=object)
    provider_ids = providers_frame()["provider_id"].to_numpy()
    grants_frame = pd.DataFrame(
        {
            "grant_id": ids,
            "citizen_key": [f"B-{c:06d}" for c in g.citizen],
            "municipality_code": municipalities["municipality_code"].to_numpy()[g.municipality].astype(int),
            "provider_id": provider_ids[g.provider],
            "intervention_code": g.intervention.astype(str).astype(object),
            "start_date": p.dates(g.start),
            "end_date": p.dates(g.end),
            "end_reason": list(g.end_reason),
        }
    )
    rows, cols = np.nonzero(g.reviewed)
    assessments = pd.DataFrame(
        {
            "grant_id": ids[rows],
            "assessed_on": p.dates(g.review_days[rows, cols]),
            "support_level": g.levels[rows, cols].astype(int),
        }
    )
    return {
        "providers": providers_frame(),
        "grants": grants_frame,
        "assessments": assessments,
        "rates": rates_frame(),
    }
