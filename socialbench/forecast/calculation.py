"""The budget follow-up figures as of one date R, from the loaded inputs (pure: no
warehouse access; `socialbench.forecast.store` reads and writes). Definitions:
docs/forecast.md and sql/tables/fc_*.yml.

Money is counted in whole øre (int64) and exact fractions; every stored amount is rounded
once, half-up to øre (`socialbench.money.round_ore`), and the parts that must add up
(the months of a year, price + quantity) are split so that they do, to the øre.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd

from socialbench.forecast import pieces as pc
from socialbench.forecast.figures import COLUMNS
from socialbench.money import decimals, kroner, round_ore

# New grants are counted over the 365 days ending on R, and costed over their first 90 days.
NEW_WINDOW_DAYS = 365
FIRST_DAYS = 90
EPOCH = dt.date(1970, 1, 1)
KEY = ["municipality_code", "intervention_code"]


@dataclass
class Inputs:
    """What the forecast reads (store.read_inputs): grants that may have a day to cost,
    their assessments (all of them; those after R are ignored here), every rate, the
    budget plans and refusion tiers of R's year, and each intervention's area."""

    grants: pd.DataFrame  # grant_id, citizen_key, municipality_code, provider_id, intervention_code, start_date, end_date
    assessments: pd.DataFrame  # grant_id, assessed_on, support_level
    rates: pd.DataFrame  # intervention_code, support_level, provider_id, valid_from, daily_rate_dkk
    plans: pd.DataFrame  # municipality_code, intervention_code, planned_full_year_citizens, planned_unit_cost_dkk
    tiers: pd.DataFrame  # area, threshold_dkk, refund_share
    areas: pd.DataFrame  # intervention_code, area


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def date_of(number: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(number))


def ore_of(amount: Fraction | Decimal) -> int:
    """An exact amount of øre rounded half-up to whole øre."""
    return int(round_ore(Fraction(amount) / 100) * 100)


def split_ore(total: int, weights: list[int]) -> list[int]:
    """`total` øre split in proportion to whole-number weights, in whole øre that add up to
    `total` exactly: each part rounded down, the øre left over going to the largest
    remainders (ties: the earlier part). All weights 0: all to nothing but the total is 0."""
    whole = sum(weights)
    if whole == 0:
        if total:
            raise ValueError("cannot split a non-zero amount by zero weights")
        return [0] * len(weights)
    sign, total = (-1 if total < 0 else 1), abs(total)
    parts = [divmod(total * w, whole) for w in weights]
    left = total - sum(q for q, _ in parts)
    order = sorted(range(len(weights)), key=lambda i: (-parts[i][1], i))
    out = [q for q, _ in parts]
    for i in order[:left]:
        out[i] += 1
    return [sign * v for v in out]


@dataclass(frozen=True)
class Year:
    """R and its year as day numbers."""

    as_of: dt.date

    @property
    def year(self) -> int:
        return self.as_of.year

    @property
    def r(self) -> int:
        return day_number(self.as_of)

    @property
    def first(self) -> int:
        return day_number(dt.date(self.year, 1, 1))

    @property
    def last(self) -> int:
        return day_number(dt.date(self.year, 12, 31))

    @property
    def days(self) -> int:
        return self.last - self.first + 1

    @property
    def days_after(self) -> int:
        """D: the days of the year after R."""
        return self.last - self.r

    def months(self) -> list[dt.date]:
        return [dt.date(self.year, m, 1) for m in range(1, 13)]

    def expected_day_weights(self) -> list[int]:
        """Per month, Σ over its days t after R of (t − R): the expected new grants active on
        day t started on one of the t − R days after R. Over the year: D(D + 1) / 2."""
        out = []
        for month in self.months():
            lo = max(day_number(month), self.r + 1)
            nxt = dt.date(self.year + (month.month == 12), month.month % 12 + 1, 1)
            hi = day_number(nxt) - 1
            out.append(0 if hi < lo else sum(t - self.r for t in range(lo, hi + 1)))
        return out


def costed_pieces(inputs: Inputs, year: Year) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(grants with start, end, new as day numbers, pieces of their spans): a grant's span
    runs from 1 January (or its start, if later or if it is new) to its end or 31
    December, cut at R + 1 and at a new grant's start + 90. New: started in the 365 days
    ending on R. Grants without any assessment have no level and are not costed."""
    grants = inputs.grants.reset_index(drop=True)
    assessed = set(inputs.assessments["grant_id"])
    grants = grants[grants["grant_id"].isin(assessed)].reset_index(drop=True)
    start = pc.day_numbers(grants["start_date"].to_numpy())
    end = pc.day_numbers(grants["end_date"].to_numpy())
    end = np.where(end < 0, year.last, np.minimum(end, year.last))
    new = (start > year.r - NEW_WINDOW_DAYS) & (start <= year.r)
    lo = np.where(new, start, np.maximum(start, year.first))
    costed = (start <= year.r) & (lo <= end)
    grants = grants.assign(_start=start, _end=end, _new=new)
    position = np.flatnonzero(costed)
    spans = pc.Spans(
        grant=position, lo=lo[position], hi=end[position],
        cuts=(np.full(len(position), year.r + 1), start[position] + FIRST_DAYS),
    )
    index = pd.Series(np.arange(len(grants)), index=grants["grant_id"])
    a = inputs.assessments
    a = pd.DataFrame({
        "grant": index.reindex(a["grant_id"].to_numpy()).to_numpy(),
        "day": pc.day_numbers(a["assessed_on"].to_numpy()),
        "support_level": a["support_level"].astype("int64").to_numpy(),
    }).dropna(subset=["grant"])
    a["grant"] = a["grant"].astype("int64")
    first_of_grant = a.groupby("grant")["day"].transform("min")
    a = a[(a["day"] <= year.r) | (a["day"] == first_of_grant)]
    costed_rates = pc.rate_ore(inputs.rates)
    return grants, pc.pieces(grants, a, costed_rates, spans)


def compute(inputs: Inputs, as_of: dt.date) -> dict[str, pd.DataFrame]:
    """fc_grant_month, fc_forecast, fc_expensive_cases and fc_month as of `as_of`."""
    year = Year(as_of)
    grants, p = costed_pieces(inputs, year)
    g = grants.iloc[p["grant"].to_numpy()]
    for column in ("grant_id", "citizen_key", "municipality_code", "provider_id", "intervention_code"):
        p[column] = g[column].to_numpy()
    p["month"] = pc.month_start(p["first"].to_numpy())
    actual = p[(p["first"] >= year.first) & (p["last"] <= year.r)]
    committed = p[p["first"] > year.r]
    start = g["_start"].to_numpy()
    first_days = p[g["_new"].to_numpy() & (p["last"].to_numpy() <= np.minimum(start + FIRST_DAYS - 1, year.r))]

    grant_month = (
        actual.groupby(["grant_id", "month"], as_index=False)
        .agg(municipality_code=("municipality_code", "first"), intervention_code=("intervention_code", "first"),
             provider_id=("provider_id", "first"), citizen_key=("citizen_key", "first"),
             active_days=("days", "sum"), cost_ore=("cost_ore", "sum"))
    )
    new = grants[grants["_new"] & grants["grant_id"].isin(set(first_days["grant_id"]))]
    forecast, months = _forecast(inputs, year, actual, committed, first_days, new)
    return {
        "fc_grant_month": pd.DataFrame({
            "municipality_code": grant_month["municipality_code"].astype("int64"),
            "intervention_code": grant_month["intervention_code"],
            "provider_id": grant_month["provider_id"],
            "grant_id": grant_month["grant_id"],
            "citizen_key": grant_month["citizen_key"],
            "month": [date_of(d) for d in grant_month["month"]],
            "active_days": grant_month["active_days"].astype("int64"),
            "cost_dkk": decimals(grant_month["cost_ore"].to_numpy()),
            "as_of": as_of,
        }),
        "fc_forecast": forecast,
        "fc_expensive_cases": _expensive_cases(inputs, year, pd.concat([actual, committed])),
        "fc_month": months,
    }


def _sums(frame: pd.DataFrame, by: list[str]) -> dict[tuple, tuple[int, int]]:
    """{key: (cost øre, days)}."""
    s = frame.groupby(by)[["cost_ore", "days"]].sum()
    return {_plain(key): (int(c), int(d)) for key, c, d in zip(s.index, s["cost_ore"], s["days"])}


def _plain(key: tuple) -> tuple:
    return tuple(int(v) if isinstance(v, np.integer) else v for v in key)


def _forecast(inputs: Inputs, year: Year, actual, committed, first_days, new) -> tuple[pd.DataFrame, pd.DataFrame]:
    to_date = _sums(actual, KEY)
    after = _sums(committed, KEY)
    first = _sums(first_days, KEY)
    started = {_plain(k): int(v) for k, v in new.groupby(KEY).size().items()}
    by_month_actual = _sums(actual, [*KEY, "month"])
    by_month_committed = _sums(committed, [*KEY, "month"])
    plans = {(int(r.municipality_code), r.intervention_code): r for r in inputs.plans.itertuples()}
    keys = sorted({(int(m), i) for m, i in [*to_date, *after, *started]} | set(plans))
    d = year.days_after
    weights = year.expected_day_weights()
    rows, month_rows = [], []
    for key in keys:
        key_ = (key[0], key[1])
        actual_ore, actual_days = _get(to_date, key_)
        committed_ore, committed_days = _get(after, key_)
        n = started.get(key_, 0)
        cost90, days90 = _get(first, key_)
        expected_days = Fraction(n, NEW_WINDOW_DAYS) * d * (d + 1) / 2
        expected_ore = ore_of(expected_days * Fraction(cost90, days90)) if n and days90 else 0
        forecast_ore = actual_ore + committed_ore + expected_ore
        grant_days = actual_days + committed_days + expected_days
        fyc = grant_days / year.days
        unit = round_ore(Fraction(forecast_ore, 100) / fyc) if grant_days else None
        plan = plans.get(key_)
        budget = price = quantity = deviation = None
        q0 = p0 = None
        if plan is not None:
            q0, p0 = Decimal(plan.planned_full_year_citizens), Decimal(plan.planned_unit_cost_dkk)
            budget = round_ore(q0 * p0)
            deviation = kroner(forecast_ore) - budget
            if unit is not None:
                price = round_ore((Fraction(unit) - Fraction(p0)) * (Fraction(q0) + fyc) / 2)
                quantity = deviation - price
            else:
                quantity = deviation
        rows.append({
            "municipality_code": key[0], "year": year.year, "intervention_code": key[1], "as_of": year.as_of,
            "budget_dkk": budget, "planned_full_year_citizens": q0, "planned_unit_cost_dkk": p0,
            "actual_to_date_dkk": kroner(actual_ore), "committed_dkk": kroner(committed_ore),
            "expected_new_dkk": kroner(expected_ore), "forecast_dkk": kroner(forecast_ore),
            "deviation_dkk": deviation, "forecast_full_year_citizens": float(fyc),
            "forecast_unit_cost_dkk": unit, "price_deviation_dkk": price, "quantity_deviation_dkk": quantity,
        })
        expected_months = split_ore(expected_ore, weights)
        budget_months = split_ore(int(budget * 100), [1] * 12) if budget is not None else [None] * 12
        for i, month in enumerate(year.months()):
            m = day_number(month)
            month_rows.append({
                "municipality_code": key[0], "year": year.year, "intervention_code": key[1], "month": month,
                "as_of": year.as_of,
                "actual_dkk": kroner(_get(by_month_actual, (*key_, m))[0]),
                "forecast_dkk": kroner(_get(by_month_committed, (*key_, m))[0] + expected_months[i]),
                "budget_month_dkk": None if budget_months[i] is None else kroner(budget_months[i]),
            })
    return pd.DataFrame(rows, columns=list(COLUMNS)), pd.DataFrame(month_rows, columns=MONTH_COLUMNS)


MONTH_COLUMNS = ["municipality_code", "year", "intervention_code", "month", "as_of", "actual_dkk", "forecast_dkk",
                 "budget_month_dkk"]
CASE_COLUMNS = ["municipality_code", "year", "area", "citizen_key", "as_of", "gross_cost_dkk", "refund_dkk",
                "net_cost_dkk", "rank_in_municipality"]


def _get(sums: dict, key: tuple) -> tuple[int, int]:
    return sums.get(key, (0, 0))


def refund(gross: Fraction, tiers: list[tuple[Fraction, Fraction]]) -> Fraction:
    """Σ over the tiers (threshold, share; ascending) of share × the part of `gross` above
    the tier's threshold and below the next tier's threshold."""
    total = Fraction(0)
    for i, (threshold, share) in enumerate(tiers):
        upper = tiers[i + 1][0] if i + 1 < len(tiers) else None
        part = (gross if upper is None else min(gross, upper)) - threshold
        if part > 0:
            total += share * part
    return total


def _expensive_cases(inputs: Inputs, year: Year, costed: pd.DataFrame) -> pd.DataFrame:
    areas = dict(zip(inputs.areas["intervention_code"], inputs.areas["area"]))
    costed = costed.assign(area=costed["intervention_code"].map(areas))
    gross = costed.groupby(["municipality_code", "area", "citizen_key"], as_index=False)["cost_ore"].sum()
    gross = gross[gross["cost_ore"] > 0]
    tiers: dict[str, list] = {}
    for row in inputs.tiers.sort_values("threshold_dkk").itertuples():
        tiers.setdefault(row.area, []).append((Fraction(Decimal(row.threshold_dkk)), Fraction(Decimal(row.refund_share))))
    gross = gross.sort_values(["municipality_code", "cost_ore", "citizen_key", "area"],
                              ascending=[True, False, True, True], kind="stable")
    gross["rank"] = gross.groupby("municipality_code").cumcount() + 1
    rows = []
    for r in gross.itertuples():
        amount = kroner(r.cost_ore)
        back = round_ore(refund(Fraction(amount), tiers.get(r.area, [])))
        rows.append((int(r.municipality_code), year.year, r.area, r.citizen_key, year.as_of, amount, back,
                     amount - back, int(r.rank)))
    return pd.DataFrame(rows, columns=CASE_COLUMNS)
