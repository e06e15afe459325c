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
from socialbench import money
from socialbench.money import kroner, round_ore

# New grants are counted over the 365 days ending on R, and costed over their first 90 days.
NEW_WINDOW_DAYS = 365
FIRST_DAYS = 90
EPOCH = dt.date(1970, 1, 1)


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
    """fc_grant_month, fc_forecast, fc_expensive_cases and fc_month as of `as_of`.

    The pieces stay numbers (grant position, days, øre); a grant's text columns are
    attached only to the sums, and the sums are taken over whole-number keys. Amounts are
    exact: Decimal in the small tables, exact text ('1234.50', `money.text`) in the large
    ones (fc_grant_month, fc_expensive_cases), which the insert casts to numeric."""
    year = Year(as_of)
    grants, p = costed_pieces(inputs, year)
    grant, first, last = p["grant"].to_numpy(), p["first"].to_numpy(), p["last"].to_numpy()
    days, cost = p["days"].to_numpy(), p["cost_ore"].to_numpy()
    month = pc.month_start(first)
    actual = (first >= year.first) & (last <= year.r)
    committed = first > year.r
    start, new = grants["_start"].to_numpy(), grants["_new"].to_numpy()
    first_days = new[grant] & (last <= np.minimum(start[grant] + FIRST_DAYS - 1, year.r))

    key_of_grant, uniques = _factorize(grants[["municipality_code", "intervention_code"]])
    keys = list(uniques.itertuples(index=False, name=None))
    key = key_of_grant[grant]

    def sums(mask, *by) -> dict[tuple, tuple[int, int]]:
        """{(municipality, intervention[, month]): (cost øre, days)} over the pieces in mask."""
        names = [f"by{i}" for i in range(len(by))]
        frame = pd.DataFrame({"key": key[mask], **{n: b[mask] for n, b in zip(names, by)},
                              "cost": cost[mask], "days": days[mask]})
        total = frame.groupby(["key", *names], sort=False)[["cost", "days"]].sum()
        out = {}
        for index, c, d in zip(total.index, total["cost"].to_numpy(), total["days"].to_numpy()):
            k, *rest = index if isinstance(index, tuple) else (index,)
            out[(int(keys[k][0]), keys[k][1], *(int(v) for v in rest))] = (int(c), int(d))
        return out

    started = pd.Series(key_of_grant[np.unique(grant[first_days])]).value_counts()
    totals = {
        "to_date": sums(actual), "after": sums(committed), "first": sums(first_days),
        "started": {(int(keys[k][0]), keys[k][1]): int(n) for k, n in started.items()},
        "month_actual": sums(actual, month), "month_committed": sums(committed, month),
    }
    forecast, months = _forecast(inputs, year, totals)

    by_month = pd.DataFrame({"grant": grant[actual], "month": month[actual], "days": days[actual], "cost": cost[actual]})
    grant_month = by_month.groupby(["grant", "month"], as_index=False, sort=True)[["days", "cost"]].sum()
    g = grants.iloc[grant_month["grant"].to_numpy()]
    month_numbers, month_of_row = np.unique(grant_month["month"].to_numpy(), return_inverse=True)
    month_dates = np.array([date_of(m) for m in month_numbers], dtype=object)[month_of_row]
    costed = actual | committed
    return {
        "fc_grant_month": pd.DataFrame({
            "municipality_code": g["municipality_code"].astype("int64").to_numpy(),
            "intervention_code": g["intervention_code"].to_numpy(),
            "provider_id": g["provider_id"].to_numpy(),
            "grant_id": g["grant_id"].to_numpy(),
            "citizen_key": g["citizen_key"].to_numpy(),
            "month": month_dates,
            "active_days": grant_month["days"].astype("int64").to_numpy(),
            "cost_dkk": money.text(grant_month["cost"].to_numpy()),
            "as_of": np.full(len(grant_month), as_of, dtype=object),
        }),
        "fc_forecast": forecast,
        "fc_expensive_cases": _expensive_cases(inputs, year, grants, grant[costed], cost[costed]),
        "fc_month": months,
    }


def _forecast(inputs: Inputs, year: Year, totals: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    to_date, after, first, started = totals["to_date"], totals["after"], totals["first"], totals["started"]
    by_month_actual, by_month_committed = totals["month_actual"], totals["month_committed"]
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


def _factorize(frame: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """(each row's number, the distinct rows in that numbering); works for no rows too."""
    if frame.empty:
        return np.zeros(0, dtype="int64"), frame.iloc[:0]
    codes = frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy(dtype="int64")
    return codes, frame.drop_duplicates().reset_index(drop=True)


def _get(sums: dict, key: tuple) -> tuple[int, int]:
    return sums.get(key, (0, 0))


def _expensive_cases(inputs: Inputs, year: Year, grants: pd.DataFrame, grant: np.ndarray, cost: np.ndarray) -> pd.DataFrame:
    """Per municipality, area and citizen: gross (cost to R + committed, øre), the refund
    by the year's tiers of the area, net, and the rank in the municipality. Exact in whole
    numbers: a tier's share has at most 4 decimals (numeric(6,4)), so share × øre is a
    whole number of 1/10,000 øre, rounded half-up once."""
    areas = dict(zip(inputs.areas["intervention_code"], inputs.areas["area"]))
    area = grants["intervention_code"].map(areas).to_numpy(dtype=object)
    citizen_of_grant, citizens = _factorize(pd.DataFrame({
        "municipality_code": grants["municipality_code"].to_numpy(), "area": area, "citizen_key": grants["citizen_key"].to_numpy()}))
    gross = pd.Series(cost, dtype="int64").groupby(citizen_of_grant[grant]).sum()
    gross = gross[gross > 0]
    who = citizens.iloc[gross.index.to_numpy()]
    frame = pd.DataFrame({
        "municipality_code": who["municipality_code"].to_numpy(dtype="int64"),
        "area": who["area"].to_numpy(dtype=object),
        "citizen_key": who["citizen_key"].to_numpy(dtype=object),
        "gross": gross.to_numpy(dtype="int64"),
        "refund": np.zeros(len(gross), dtype="int64"),
    })
    for name, own in inputs.tiers.groupby("area"):
        own = own.sort_values("threshold_dkk")
        thresholds = [money.of(t) for t in own["threshold_dkk"]]
        shares = [_ten_thousandths(v) for v in own["refund_share"]]
        rows = (frame["area"] == name).to_numpy()
        g = frame["gross"].to_numpy()[rows]
        exact = np.zeros(len(g), dtype="int64")  # in 1/10,000 øre
        for i, (threshold, share) in enumerate(zip(thresholds, shares)):
            upper = np.minimum(g, thresholds[i + 1]) if i + 1 < len(thresholds) else g
            exact += share * np.maximum(upper - threshold, 0)
        refund = frame["refund"].to_numpy().copy()
        refund[rows] = (exact + 5_000) // 10_000
        frame["refund"] = refund
    frame = frame.sort_values(["municipality_code", "gross", "citizen_key", "area"],
                              ascending=[True, False, True, True], kind="stable")
    frame["rank"] = frame.groupby("municipality_code").cumcount() + 1
    return pd.DataFrame({
        "municipality_code": frame["municipality_code"].to_numpy(),
        "year": year.year,
        "area": frame["area"].to_numpy(),
        "citizen_key": frame["citizen_key"].to_numpy(),
        "as_of": year.as_of,
        "gross_cost_dkk": money.text(frame["gross"].to_numpy()),
        "refund_dkk": money.text(frame["refund"].to_numpy()),
        "net_cost_dkk": money.text((frame["gross"] - frame["refund"]).to_numpy()),
        "rank_in_municipality": frame["rank"].to_numpy(dtype="int64"),
    }, columns=CASE_COLUMNS)


def _ten_thousandths(share) -> int:
    """A refund share (at most 4 decimals) as a whole number of 1/10,000."""
    exact = Decimal(str(share)) * 10_000
    if exact != exact.to_integral_value():
        raise ValueError(f"a refund share has more than 4 decimals: {share}")
    return int(exact)
