"""The provider-aware rate rule (docs/forecast.md; docs/settlements.md rule 4), in one
place for the forecast and, once wired in, the settlement engine.

For a grant on a day, the rate is the grant's provider's row with the latest valid_from
on or before the day if the provider has any row for that intervention and level, else
the general row (provider_id ''). A missing rate is an error naming intervention,
level, provider and date.

Vectorised (one merge_asof over all queries): no per-day Python loop.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from incentive_models import ore
from incentive_models.days import day_numbers
from incentive_models.rules import RuleError

GENERAL = ""  # provider_id of a general rate


def rate_key(rates: pd.DataFrame, queries: pd.DataFrame) -> pd.Series:
    """The provider_id whose rows apply to each query (intervention_code, support_level,
    provider_id): the provider's own if it has any row for that intervention and level,
    else GENERAL."""
    own = rates.loc[rates["provider_id"].fillna(GENERAL) != GENERAL, ["intervention_code", "support_level", "provider_id"]]
    own = own.drop_duplicates().assign(_own=True)
    found = queries[["intervention_code", "support_level", "provider_id"]].merge(
        own, on=["intervention_code", "support_level", "provider_id"], how="left")["_own"]
    return pd.Series(
        queries["provider_id"].where(found.fillna(False).astype(bool).to_numpy(), GENERAL).to_numpy(), index=queries.index
    )


def missing_rate_error(intervention: str, level: int, provider: str, day) -> RuleError:
    return RuleError(
        f"no daily rate for intervention {intervention} level {level} provider {provider} on {day.isoformat()}: "
        f"add a row to rates for ({intervention}, {level}) valid from that date or earlier, "
        f"with provider_id {provider} or empty (the general rate)"
    )


def rates_on(rates: pd.DataFrame, queries: pd.DataFrame) -> pd.Series:
    """The daily rate (as stored, e.g. Decimal) of each query row (intervention_code,
    support_level, provider_id, day), in the queries' order; RuleError for the earliest
    query without a rate."""
    q = queries[["intervention_code", "support_level", "provider_id", "day"]].copy()
    q["provider_id"] = q["provider_id"].fillna(GENERAL)
    q["_key"] = rate_key(rates, q)
    q["_pos"] = range(len(q))
    q["_day"] = pd.to_datetime(q["day"])
    r = rates[["intervention_code", "support_level", "provider_id", "valid_from", "daily_rate_dkk"]].copy()
    r["_key"] = r["provider_id"].fillna(GENERAL)
    r["_day"] = pd.to_datetime(r["valid_from"])
    r["support_level"] = r["support_level"].astype("int64")
    q["support_level"] = q["support_level"].astype("int64")
    merged = pd.merge_asof(
        q.sort_values("_day"), r.drop(columns=["provider_id"]).sort_values("_day"),
        on="_day", by=["intervention_code", "support_level", "_key"], direction="backward",
    ).sort_values("_pos")
    absent = merged[merged["daily_rate_dkk"].isna()]
    if len(absent):
        first = absent.sort_values(["_day", "intervention_code", "support_level", "provider_id"]).iloc[0]
        raise missing_rate_error(first["intervention_code"], int(first["support_level"]), first["provider_id"],
                                 pd.Timestamp(first["_day"]).date())
    return pd.Series(merged["daily_rate_dkk"].to_numpy(), index=queries.index)


# A rate's place in the sorted table: its (intervention, level, provider) group, then its day.
_GROUP = np.int64(1 << 34)
_DAY0 = np.int64(1 << 33)


class RateTable:
    """The rates sorted by (intervention, level, provider) group and valid_from, in day
    numbers (incentive_models.days) and whole øre, for vectorised look-ups."""

    def __init__(self, groups: pd.DataFrame, group: np.ndarray, vf: np.ndarray, rate: np.ndarray):
        self.groups, self.group, self.vf, self.ore = groups, group, vf, rate
        self.key = group * _GROUP + (vf + _DAY0)

    @classmethod
    def build(cls, rates: pd.DataFrame, interventions: Sequence[str] | None = None) -> "RateTable":
        r = rates if interventions is None else rates.loc[rates["intervention_code"].isin(list(interventions))]
        pairs = pd.DataFrame({
            "intervention_code": r["intervention_code"].astype(str).to_numpy(),
            "support_level": r["support_level"].to_numpy(np.int64),
            "provider_id": r["provider_id"].fillna(GENERAL).astype(str).to_numpy(),
        })
        unique = pairs.drop_duplicates().reset_index(drop=True)
        group = pairs.merge(unique.reset_index(), on=list(pairs.columns), how="left")["index"].to_numpy(np.int64)
        vf = day_numbers(r["valid_from"])
        order = np.lexsort((vf, group))
        return cls(unique.assign(group=np.arange(len(unique), dtype=np.int64)), group[order], vf[order],
                   ore.column(r["daily_rate_dkk"])[order])

    def group_of(self, intervention: np.ndarray, level: np.ndarray, provider: np.ndarray) -> np.ndarray:
        """The group of each query: the provider's own if it has any row for (intervention,
        level), else the general group; -1 if neither."""
        q = pd.DataFrame({
            "intervention_code": np.asarray(intervention).astype(str),
            "support_level": np.asarray(level).astype(np.int64),
            "provider_id": pd.Series(np.asarray(provider, dtype=object)).fillna(GENERAL).astype(str).to_numpy(),
        })
        own = q.merge(self.groups, on=["intervention_code", "support_level", "provider_id"], how="left")["group"]
        general = q.assign(provider_id=GENERAL).merge(
            self.groups, on=["intervention_code", "support_level", "provider_id"], how="left")["group"]
        return own.fillna(general).fillna(-1).to_numpy(np.int64)

    def cuts(self, group: np.ndarray, ps: np.ndarray, pe: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(piece index, day) for every rate change of the piece's group inside (ps, pe]."""
        valid = group >= 0
        lo = np.zeros(len(group), dtype=np.int64)
        hi = np.zeros(len(group), dtype=np.int64)
        lo[valid] = np.searchsorted(self.key, group[valid] * _GROUP + (ps[valid] + _DAY0), side="right")
        hi[valid] = np.searchsorted(self.key, group[valid] * _GROUP + (pe[valid] + _DAY0), side="right")
        counts = hi - lo
        piece = np.repeat(np.arange(len(group)), counts)
        offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        return piece, self.vf[np.repeat(lo, counts) + offset]

    def lookup(self, group: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rate in whole øre, found) of the group's row with the latest valid_from <= day."""
        found = group >= 0
        at = np.zeros(len(group), dtype=np.int64)
        at[found] = np.searchsorted(self.key, group[found] * _GROUP + (day[found] + _DAY0), side="right") - 1
        found &= at >= 0
        found[found] = self.group[at[found]] == group[found]
        rate = np.where(found, self.ore[at] if len(self.ore) else 0, 0)
        return rate.astype(np.int64), found
