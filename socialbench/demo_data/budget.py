"""Budget follow-up demo data (issue 12): provider tariffs and budget plans.

Own tariffs: TARIFF_PROVIDERS providers of params.PROVIDERS get, for every intervention
they offer and every level, the general rate times a factor U(1 - TARIFF_SPREAD, 1 +
TARIFF_SPREAD), valid from the same dates as the general rates (stream "tariffs").
Budget plans: per municipality, year of RATE_YEARS and intervention with grant days, the
actual full-year citizens and unit cost at the general rates, each missed by a few
percent (stream "budget_plan"). Both streams are their own: the other figures stay put.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from socialbench.demo_data import params as p


def tariffs(seed: int, providers: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """The general rates (provider_id '') followed by the chosen providers' own rows."""
    rng = p.rng(seed, "tariffs")
    chosen = np.sort(rng.choice(len(p.PROVIDERS), p.TARIFF_PROVIDERS, replace=False))
    general = rates.assign(provider_id="")
    own = []
    for k in chosen:
        offers = p.PROVIDERS[k][1]
        rows = general[general["intervention_code"].isin(offers)].sort_values(["intervention_code", "support_level", "valid_from"])
        pairs = rows[["intervention_code", "support_level"]].drop_duplicates()
        factor = pairs.assign(_f=rng.uniform(1 - p.TARIFF_SPREAD, 1 + p.TARIFF_SPREAD, len(pairs)))
        rows = rows.merge(factor, on=["intervention_code", "support_level"])
        value = np.round(rows["daily_rate_dkk"].map(float).to_numpy() * rows["_f"].to_numpy())
        own.append(rows.drop(columns="_f").assign(provider_id=providers["provider_id"].iloc[k], daily_rate_dkk=p.money(value)))
    return pd.concat([general, *own], ignore_index=True)


def actuals(grants: pd.DataFrame, assessments: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Per municipality, year and intervention: full_year_citizens (days / days in year)
    and cost_dkk at the general rates, from the assessment segments cut at 1 January."""
    a = assessments.merge(grants[["grant_id", "municipality_code", "intervention_code", "end_date"]], on="grant_id")
    a = a.sort_values(["grant_id", "assessed_on"])
    start = pd.to_datetime(a["assessed_on"])
    nxt = start.groupby(a["grant_id"]).shift(-1) - pd.Timedelta(days=1)
    last = pd.to_datetime(a["end_date"]).fillna(pd.Timestamp(str(p.DATA_CUTOFF)))
    a = a.assign(_from=start, _to=nxt.fillna(last).where(nxt.isna() | (nxt < last), last))
    general = rates[rates.get("provider_id", pd.Series("", index=rates.index)).fillna("") == ""]
    out = []
    for year in p.RATE_YEARS:
        y0, y1 = pd.Timestamp(f"{year}-01-01"), pd.Timestamp(f"{year}-12-31")
        lo, hi = a["_from"].clip(lower=y0), a["_to"].clip(upper=y1)
        days = ((hi - lo).dt.days + 1).clip(lower=0)
        seg = a.assign(days=days, year=int(year))[days > 0]
        r = general[pd.to_datetime(general["valid_from"]) == y0][["intervention_code", "support_level", "daily_rate_dkk"]]
        seg = seg.merge(r, on=["intervention_code", "support_level"], how="left")
        seg["cost_dkk"] = seg["days"] * seg["daily_rate_dkk"].map(float)
        seg["full_year_citizens"] = seg["days"] / ((y1 - y0).days + 1)
        out.append(seg.groupby(["municipality_code", "year", "intervention_code"], as_index=False)[["full_year_citizens", "cost_dkk"]].sum())
    return pd.concat(out, ignore_index=True)


def plans(seed: int, grants: pd.DataFrame, assessments: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """The budget_plan frame: actual quantity and unit price, each missed by a few percent."""
    rng = p.rng(seed, "budget_plan")
    act = actuals(grants, assessments, rates).sort_values(["municipality_code", "year", "intervention_code"], ignore_index=True)
    miss = np.clip(rng.normal(0, p.PLAN_MISS_SD, (len(act), 2)), -p.PLAN_MISS_MAX, p.PLAN_MISS_MAX)
    unit = act["cost_dkk"] / act["full_year_citizens"]
    return pd.DataFrame({
        "municipality_code": act["municipality_code"].astype(int),
        "year": act["year"].astype(int),
        "intervention_code": act["intervention_code"].astype(object),
        "planned_full_year_citizens": p.decimals(act["full_year_citizens"] * (1 + miss[:, 0]), 4),
        "planned_unit_cost_dkk": p.money(unit * (1 + miss[:, 1])),
    })
