"""The provider-aware rate rule (docs/forecast.md; docs/settlements.md rule 4), in one
place for the forecast and, once wired in, the settlement engine.

For a grant on a day, the rate is the grant's provider's row with the latest valid_from
on or before the day if the provider has any row for that intervention and level, else
the general row (provider_id ''). A missing rate is an error naming intervention,
level, provider and date.

Vectorised (one merge_asof over all queries): no per-day Python loop.
"""
from __future__ import annotations

import pandas as pd

from socialbench.errors import RuleError

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


def missing_rate_error(intervention: str, level: int, provider: str, day, grant_id: str | None = None) -> RuleError:
    """The one message for a missing rate (the forecast's and the settlement's)."""
    needed = f" (needed for grant {grant_id})" if grant_id else ""
    return RuleError(
        f"no daily rate for intervention {intervention} level {level} provider {provider} on {day.isoformat()}{needed}: "
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
    q["_day"] = pd.to_datetime(q["day"]).astype("datetime64[ns]")  # one resolution for merge_asof
    r = rates[["intervention_code", "support_level", "provider_id", "valid_from", "daily_rate_dkk"]].copy()
    r["_key"] = r["provider_id"].fillna(GENERAL)
    r["_day"] = pd.to_datetime(r["valid_from"]).astype("datetime64[ns]")
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
