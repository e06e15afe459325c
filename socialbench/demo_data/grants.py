"""Synthetic providers, grants with assessments over time, and tiered daily rates.

Dates are numpy datetime64[D] while generating (NaT = open grant) and datetime.date in
the frames. Everything is drawn for whole arrays of grants at once. How grants are drawn
(interventions, period, reviews) is a `Scheme`; the ordinary demo data uses `ORDINARY`,
the national scale (demo_data/national.py) its own scheme through the same functions.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from socialbench import cvr, reference
from socialbench.demo_data import params as p
from socialbench.demo_data.expenditure import price_index

NAT = np.datetime64("NaT", "D")


@dataclass(frozen=True)
class Scheme:
    """How grants are drawn (params.py explains each value); defaults: the ordinary demo data."""

    interventions: dict = field(default_factory=lambda: dict(p.GRANT_INTERVENTIONS))
    first_day: np.datetime64 = p.FIRST_GRANT_DAY
    cutoff: np.datetime64 = p.DATA_CUTOFF
    first_review_days: tuple[int, int] = p.FIRST_REVIEW_DAYS
    review_days: tuple[int, int] = p.REVIEW_DAYS
    max_reviews: int = p.MAX_REVIEWS
    level_up_probability: float = p.LEVEL_UP_PROBABILITY


ORDINARY = Scheme()


@dataclass(frozen=True)
class Pool:
    """The providers grants are drawn from: what each offers, its home region and its own
    chance per review that the support level goes down."""

    offers: tuple[tuple[str, ...], ...]
    region: np.ndarray
    down: np.ndarray


def demo_cvr(k: int) -> str:
    """A made-up CVR number for the k-th demo provider (k from 1): the first number from
    29,000,000 + 1,000·k with a valid check digit (socialbench.cvr), so none is a real
    company's number by design but every one passes the modulus-11 check."""
    start = 2_900_000 + 100 * k
    while (number := cvr.with_check_digit(f"{start:07d}")) is None:
        start += 1
    return number


def providers_frame(own: pd.DataFrame | None = None) -> pd.DataFrame:
    """The providers of params.PROVIDERS (P001 on, no owner), then the municipalities' own
    housing providers of `own` (columns provider_name, owner_municipality_code); each with
    a made-up CVR number (demo_cvr)."""
    names = [name for name, _ in p.PROVIDERS] + ([] if own is None else list(own["provider_name"]))
    owners = [None] * len(p.PROVIDERS) + ([] if own is None else [int(c) for c in own["owner_municipality_code"]])
    return pd.DataFrame(
        {
            "provider_id": [f"P{k:03d}" for k in range(1, len(names) + 1)],
            "provider_name": names,
            "owner_municipality_code": pd.Series(owners, dtype=object),
            "cvr": [demo_cvr(k) for k in range(1, len(names) + 1)],
        }
    )


def rates_frame(years=p.RATE_YEARS, interventions=None) -> pd.DataFrame:
    """Daily rates per intervention and level, valid from 1 January of each rate year: the
    2025 rate, earlier years deflated with the price index, in whole kroner. `years` must
    lie within params.YEARS (the index); `interventions` (default all) in RATES_2025."""
    index = dict(zip(p.YEARS, price_index()))
    missing = [int(y) for y in years if y not in index]
    if missing:
        raise ValueError(f"no price index for the rate years {missing} (params.YEARS is {p.YEARS[0]}-{p.YEARS[-1]})")
    rows = []
    for code, rates in p.RATES_2025.items():
        if interventions is not None and code not in interventions:
            continue
        for level, rate in enumerate(rates):
            for year in years:
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
    provider: np.ndarray = None  # row in the provider pool; None = to be drawn
    end: np.ndarray = None
    end_reason: np.ndarray = None
    levels: np.ndarray = None  # [grant, review] support level, first column at start
    review_days: np.ndarray = None  # [grant, review] datetime64[D], first column = start
    reviewed: np.ndarray = None  # [grant, review] bool: the review took place

    def subset(self, mask: np.ndarray) -> "Grants":
        return Grants(**{k: (None if v is None else v[mask]) for k, v in self.__dict__.items()})


def _draw_providers(rng, grants: Grants, region: np.ndarray, pool: Pool, scheme: Scheme) -> np.ndarray:
    chosen = np.empty(len(grants.start), dtype=int)
    for code in scheme.interventions:
        offering = np.array([k for k, offers in enumerate(pool.offers) if code in offers])
        for r in np.unique(region):
            mask = (grants.intervention == code) & (region == r)
            if not mask.any():
                continue
            weight = np.where(pool.region[offering] == r, p.SAME_REGION_WEIGHT, 1.0)
            chosen[mask] = rng.choice(offering, mask.sum(), p=weight / weight.sum())
    return chosen


def _run(rng, grants: Grants, region: np.ndarray, pool: Pool, scheme: Scheme) -> Grants:
    """Draw provider (where missing), duration, end, assessments and end reason."""
    n = len(grants.start)
    drawn = _draw_providers(rng, grants, region, pool, scheme)
    grants.provider = drawn if grants.provider is None else np.where(grants.provider >= 0, grants.provider, drawn)

    median = np.array([scheme.interventions[c][1] for c in grants.intervention])
    days = np.maximum(p.MIN_DURATION_DAYS, np.rint(median * np.exp(rng.normal(0, p.DURATION_SIGMA, n)))).astype(int)
    end = grants.start + (days - 1).astype("timedelta64[D]")
    ended = end <= scheme.cutoff
    grants.end = np.where(ended, end, NAT)

    first = np.empty(n, dtype=int)
    for code, (_, _, _, level_p) in scheme.interventions.items():
        mask = grants.intervention == code
        first[mask] = rng.choice(5, mask.sum(), p=level_p)
    k = scheme.max_reviews
    gaps = np.concatenate(
        [
            rng.integers(*scheme.first_review_days, (n, 1), endpoint=True),
            rng.integers(*scheme.review_days, (n, k - 1), endpoint=True),
        ],
        axis=1,
    )
    reviews = grants.start[:, None] + np.cumsum(gaps, axis=1).astype("timedelta64[D]")
    last = np.where(ended, end, scheme.cutoff)
    grants.review_days = np.concatenate([grants.start[:, None], reviews], axis=1)
    grants.reviewed = np.concatenate([np.ones((n, 1), bool), reviews <= last[:, None]], axis=1)

    u = rng.random((n, k))
    up = scheme.level_up_probability
    step = np.where(u < pool.down[grants.provider][:, None], -1, np.where(u > 1 - up, 1, 0))
    levels = np.empty((n, k + 1), dtype=int)
    levels[:, 0] = first
    for j in range(k):
        levels[:, j + 1] = np.clip(levels[:, j] + step[:, j], 0, 4)
    grants.levels = levels

    final = np.take_along_axis(levels, (grants.reviewed.sum(axis=1) - 1)[:, None], axis=1)[:, 0]
    reason = np.empty(n, dtype=object)
    for code, (_, _, reason_p, _) in scheme.interventions.items():
        mask = grants.intervention == code
        reason[mask] = rng.choice(np.array(p.END_REASONS, dtype=object), mask.sum(), p=reason_p)
    improved = (final < first) & (rng.random(n) < p.GOAL_WHEN_IMPROVED)
    reason[improved] = "goal_achieved"
    grants.end_reason = np.where(ended, reason, None)
    return grants


def primary_grants(rng, n: int, scheme: Scheme, municipality_weight=None, municipality: int | None = None) -> Grants:
    """n citizens with one grant each: citizen numbers 1..n in random order, a municipality
    drawn by weight (or the one given), intervention by the scheme's shares, start day
    uniform from the scheme's first day to its cutoff."""
    codes = list(scheme.interventions)
    share = np.array([scheme.interventions[c][0] for c in codes])
    span = int((scheme.cutoff - scheme.first_day).astype(int))
    citizen = rng.permutation(n) + 1
    if municipality is None:
        weight = np.asarray(municipality_weight, dtype=float)
        where = rng.choice(len(weight), n, p=weight / weight.sum())
    else:
        where = np.full(n, municipality)
    return Grants(
        citizen=citizen,
        municipality=where,
        intervention=rng.choice(np.array(codes, dtype=object), n, p=share / share.sum()),
        start=scheme.first_day + rng.integers(0, span, n, endpoint=True).astype("timedelta64[D]"),
    )


def simulate(rng, primary: Grants, region_of: np.ndarray, pool: Pool, scheme: Scheme) -> Grants:
    """The primary grants run their course; some §85 citizens also get §104; some citizens
    relapse into a new grant of the same intervention. Returns all grants (unordered)."""
    n = len(primary.start)
    primary = _run(rng, primary, region_of[primary.municipality], pool, scheme)

    # Some §85 citizens also get day activities (§104), starting within 90 days.
    pick = (primary.intervention == "SEL85") & (rng.random(n) < p.SEL85_WITH_SEL104)
    start = primary.start[pick] + rng.integers(0, 90, pick.sum(), endpoint=True).astype("timedelta64[D]")
    keep = start <= scheme.cutoff
    combo = Grants(
        citizen=primary.citizen[pick][keep],
        municipality=primary.municipality[pick][keep],
        intervention=np.full(keep.sum(), "SEL104", dtype=object),
        start=start[keep],
    )
    combo = _run(rng, combo, region_of[combo.municipality], pool, scheme)

    # Relapses: after an end as goal_achieved or other, a new grant of the same intervention.
    earlier = _concat([primary, combo])
    ended = ~np.isnat(earlier.end) & np.isin(earlier.end_reason.astype(str), ["goal_achieved", "other"])
    pick = ended & (rng.random(len(ended)) < p.RELAPSE_SHARE)
    gap = 1 + np.rint(rng.exponential(p.RELAPSE_GAP_MEAN_DAYS, pick.sum())).astype(int)
    start = earlier.end[pick] + gap.astype("timedelta64[D]")
    keep = start <= scheme.cutoff
    same_provider = rng.random(pick.sum()) < 0.5
    relapse = Grants(
        citizen=earlier.citizen[pick][keep],
        municipality=earlier.municipality[pick][keep],
        intervention=earlier.intervention[pick][keep],
        start=start[keep],
        provider=np.where(same_provider, earlier.provider[pick], -1)[keep],
    )
    relapse = _run(rng, relapse, region_of[relapse.municipality], pool, scheme)
    return _concat([earlier, relapse])


def in_id_order(grants: Grants) -> Grants:
    """Grants in the order their ids are numbered: by start date, intervention, citizen."""
    return grants.subset(np.lexsort((grants.citizen, grants.intervention.astype(str), grants.start)))


def generate(seed: int, municipalities: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """providers, grants, assessments and rates frames."""
    rng = p.rng(seed, "grants")
    regions = np.sort(municipalities["region_code"].unique())
    pool = Pool(
        offers=tuple(offers for _, offers in p.PROVIDERS),
        region=rng.choice(regions, len(p.PROVIDERS)),
        down=rng.uniform(*p.LEVEL_DOWN_PROBABILITY, len(p.PROVIDERS)),
    )
    # Primary grants: one per citizen, more where there are more people and more need.
    weight = municipalities["population_2026"].to_numpy() * municipalities["sei_2025"].to_numpy()
    primary = primary_grants(rng, p.PRIMARY_GRANTS, ORDINARY, municipality_weight=weight)
    grants = simulate(rng, primary, municipalities["region_code"].to_numpy(), pool, ORDINARY)
    codes = municipalities["municipality_code"].to_numpy()
    _own_home_rising(p.rng(seed, "own_home"), grants, codes, pool)
    own = _own_places(p.rng(seed, "own_places"), grants, codes, len(pool.offers))
    return _frames(grants, municipalities, own)


def _own_home_rising(rng, grants: Grants, codes: np.ndarray, pool: Pool) -> None:
    """In the municipalities of params.OWN_HOME_RISING, redraw each §85/§107/§108 grant as §85
    with a chance rising with its start year (a housing grant keeps its intervention
    otherwise; a §85 grant becomes §107 or §108 by their shares). A grant whose intervention
    changes gets a provider, drawn at random, that offers the new one. Durations, levels and
    end reasons stay as drawn. Changes `grants` in place."""
    support = ("SEL85",) + p.HOUSING
    first, last = int(str(ORDINARY.first_day)[:4]), int(str(ORDINARY.cutoff)[:4])
    year = grants.start.astype("datetime64[Y]").astype(int) + 1970
    housing_share = np.array([ORDINARY.interventions[c][0] for c in p.HOUSING])
    for code, (low, high) in p.OWN_HOME_RISING.items():
        at = np.flatnonzero((codes[grants.municipality] == code) & np.isin(grants.intervention.astype(str), support))
        chance = low + (high - low) * (year[at] - first) / (last - first)
        home = rng.random(len(at)) < chance
        housing = rng.choice(np.array(p.HOUSING, dtype=object), len(at), p=housing_share / housing_share.sum())
        was = grants.intervention[at].astype(str)
        new = np.where(home, "SEL85", np.where(np.isin(was, p.HOUSING), was, housing)).astype(object)
        for k in np.flatnonzero(new != was):
            offering = [j for j, offers in enumerate(pool.offers) if new[k] in offers]
            grants.provider[at[k]] = offering[rng.integers(len(offering))]
        grants.intervention[at] = new


def _own_places(rng, grants: Grants, codes: np.ndarray, first_own: int) -> pd.DataFrame:
    """About half the municipalities get a housing provider of their own (see
    params.OWN_PLACES_*), numbered from `first_own` in municipality-code order, and move a
    share of their own §107/§108 grants to it (`grants.provider` changes in place). Returns
    the own providers: provider_name, owner_municipality_code."""
    housing = np.isin(grants.intervention.astype(str), p.HOUSING)
    counts = pd.Series(codes[grants.municipality[housing]]).value_counts()
    eligible = np.sort(counts.index[counts >= p.OWN_PLACES_MIN_GRANTS].to_numpy())
    chosen = np.sort(rng.choice(eligible, min(p.OWN_PLACES_MUNICIPALITIES, len(eligible)), replace=False))
    names = dict(zip(reference.frame("municipality")["municipality_code"], reference.frame("municipality")["municipality_name"]))
    for k, code in enumerate(chosen):
        at = np.flatnonzero(housing & (codes[grants.municipality] == code))
        moved = rng.random(len(at)) < rng.uniform(*p.OWN_PLACES_SHARE)
        grants.provider[at[moved]] = first_own + k
    return pd.DataFrame(
        {
            "provider_name": [f"{names[int(c)]} Kommune, botilbud" for c in chosen],
            "owner_municipality_code": [int(c) for c in chosen],
        }
    )


def _concat(parts: list[Grants]) -> Grants:
    return Grants(**{k: np.concatenate([getattr(g, k) for g in parts]) for k in Grants.__dataclass_fields__})


def _frames(grants: Grants, municipalities: pd.DataFrame, own: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    g = in_id_order(grants)
    ids = np.array([f"G-{k:06d}" for k in range(1, len(g.start) + 1)], dtype=object)
    providers = providers_frame(own)
    provider_ids = providers["provider_id"].to_numpy()
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
        "providers": providers,
        "grants": grants_frame,
        "assessments": assessments,
        "rates": rates_frame(),
    }
