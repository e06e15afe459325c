"""The cost of grants by day, as pieces: runs of days of one grant with one level and one
daily rate (docs/forecast.md, "The cost of a grant on a day").

A grant's span is cut at every month start, every assessment dated on or before R, every
valid_from of its intervention's rates and at the extra days the caller names (R + 1,
start + 90); between two cuts the level and the rate cannot change, so a piece's cost is
its days times one rate. Days are whole numbers (days since 1970-01-01) and money whole
øre (int64): exact, and vectorised (no loop over grants or days).

The level of a piece is the level of the grant's latest assessment dated on or before
the piece's first day (only assessments on or before R are known); before the first
such assessment, the level of the grant's first assessment. The rate is
`socialbench.rate_rule.rates_on` (the provider's own tariff, else the general rate).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from socialbench import money
from socialbench.rate_rule import GENERAL, rates_on

# Day numbers of one grant are below this, so grant * KEY + day orders by grant, then day.
KEY = 1 << 22


def day_numbers(values) -> np.ndarray:
    """Dates (date, datetime64, Timestamp; missing -> -1) as days since 1970-01-01."""
    days = pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]")
    out = days.astype("int64")
    out[np.isnat(days)] = -1
    return out


def month_start(days: np.ndarray) -> np.ndarray:
    """The first day of each day's month (day numbers)."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]").astype("int64")


def month_starts_between(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every month start in (lo, hi] of each interval: (interval index, day) arrays."""
    first = lo.astype("datetime64[D]").astype("datetime64[M]").astype("int64") + 1
    last = hi.astype("datetime64[D]").astype("datetime64[M]").astype("int64")
    counts = np.maximum(last - first + 1, 0)
    owner = np.repeat(np.arange(len(lo)), counts)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    months = (first[owner] + offset).astype("datetime64[M]").astype("datetime64[D]").astype("int64")
    return owner, months


def rate_ore(rates: pd.DataFrame) -> pd.DataFrame:
    """The rates with daily_rate_dkk in whole øre (int64), exact from the stored decimals."""
    out = rates.copy()
    out["daily_rate_dkk"] = money.column(out["daily_rate_dkk"])
    out["provider_id"] = out["provider_id"].fillna(GENERAL)
    return out


@dataclass(frozen=True)
class Spans:
    """One row per grant to cost: the grant's position `grant` in the grants frame, the
    first and last day to cost (`lo`, `hi`, both included) and extra cut days (`cuts`,
    one array per kind; a cut outside (lo, hi] is ignored)."""

    grant: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    cuts: tuple[np.ndarray, ...] = ()


def pieces(grants: pd.DataFrame, assessments: pd.DataFrame, rates: pd.DataFrame, spans: Spans) -> pd.DataFrame:
    """The pieces of every span: columns grant (position in `grants`), first, last (day
    numbers), days, support_level, rate_ore, cost_ore; ordered by grant and day.

    grants: intervention_code, provider_id (one row per grant, positions 0..n-1).
    assessments: grant (position), day, support_level; only those dated on or before R,
    plus each grant's first assessment (the level before its first known one).
    rates: as `rate_ore` gives them. Every span's grant must have an assessment.
    """
    n = len(spans.grant)
    if n == 0:
        return pd.DataFrame({c: np.array([], dtype="int64") for c in
                             ("grant", "first", "last", "days", "support_level", "rate_ore", "cost_ore")})
    lo, hi = spans.lo, spans.hi
    owners = [np.arange(n)]
    days = [lo]
    month_owner, months = month_starts_between(lo, hi)
    owners.append(month_owner)
    days.append(months)
    for cut in spans.cuts:
        owners.append(np.arange(n))
        days.append(cut)
    # assessment dates of the span's grant
    span_of_grant = pd.Series(np.arange(n), index=spans.grant)
    a_span = span_of_grant.reindex(assessments["grant"].to_numpy()).to_numpy()
    known = ~np.isnan(a_span)
    owners.append(a_span[known].astype("int64"))
    days.append(assessments["day"].to_numpy()[known])
    # rate changes of the span's intervention
    valid = rates[["intervention_code", "valid_from"]].drop_duplicates()
    valid = valid.assign(day=day_numbers(valid["valid_from"].to_numpy()))
    per_span = pd.DataFrame({"span": np.arange(n), "intervention_code": grants["intervention_code"].to_numpy()[spans.grant]})
    changes = per_span.merge(valid[["intervention_code", "day"]], on="intervention_code")
    owners.append(changes["span"].to_numpy())
    days.append(changes["day"].to_numpy())

    owner = np.concatenate(owners).astype("int64")
    day = np.concatenate(days).astype("int64")
    first_cut = np.concatenate([np.ones(n, bool), np.zeros(len(owner) - n, bool)])
    inside = first_cut | ((day > lo[owner]) & (day <= hi[owner]))
    key = np.unique(owner[inside] * KEY + day[inside])
    owner, first = key // KEY, key % KEY
    last = np.append(first[1:] - 1, 0)
    ends_span = np.append(owner[1:] != owner[:-1], True)
    last[ends_span] = hi[owner[ends_span]]
    grant = spans.grant[owner]

    level = _levels(grant, first, assessments)
    rate = _rates(grants, rates, grant, level, first)
    n_days = last - first + 1
    return pd.DataFrame({
        "grant": grant, "first": first, "last": last, "days": n_days,
        "support_level": level, "rate_ore": rate, "cost_ore": n_days * rate,
    })


def _rates(grants: pd.DataFrame, rates: pd.DataFrame, grant: np.ndarray, level: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The rate in øre of each (grant, level, day), asked of `rates_on` once per distinct
    (intervention, level, provider, day): pieces mostly start on the same month starts."""
    intervention, interventions = pd.factorize(grants["intervention_code"])
    provider, providers = pd.factorize(grants["provider_id"].fillna(GENERAL))
    levels = int(level.max()) - int(level.min()) + 1 if len(level) else 1
    low = int(level.min()) if len(level) else 0
    combo = ((intervention[grant] * levels + (level - low)) * len(providers) + provider[grant]) * KEY + day
    unique, inverse = np.unique(combo, return_inverse=True)
    rest, unique_day = np.divmod(unique, KEY)
    rest, unique_provider = np.divmod(rest, len(providers))
    unique_intervention, unique_level = np.divmod(rest, levels)
    query = pd.DataFrame({
        "intervention_code": np.asarray(interventions, dtype=object)[unique_intervention],
        "support_level": unique_level + low,
        "provider_id": np.asarray(providers, dtype=object)[unique_provider],
        "day": unique_day.astype("datetime64[D]"),
    })
    return rates_on(rates, query).to_numpy().astype("int64")[inverse]


def _levels(grant: np.ndarray, day: np.ndarray, assessments: pd.DataFrame) -> np.ndarray:
    """The level on each (grant, day): the latest assessment on or before the day, else the
    grant's first assessment."""
    a = assessments.sort_values(["grant", "day"], kind="stable")
    a_key = a["grant"].to_numpy().astype("int64") * KEY + a["day"].to_numpy().astype("int64")
    a_grant = a["grant"].to_numpy().astype("int64")
    a_level = a["support_level"].to_numpy().astype("int64")
    at = np.searchsorted(a_key, grant * KEY + day, side="right") - 1
    first = np.searchsorted(a_key, grant * KEY, side="left")
    own = (at >= 0) & (a_grant[np.clip(at, 0, None)] == grant)
    return np.where(own, a_level[np.clip(at, 0, None)], a_level[np.clip(first, 0, len(a_level) - 1)])
