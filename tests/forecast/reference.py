"""A day-by-day forecast, written straight from docs/forecast.md with no shared code:
slow, obviously right, the oracle of test_forecast_oracle.py. Money in whole øre."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from fractions import Fraction

DAY = dt.timedelta(days=1)


def level_on(assessments: list[tuple[dt.date, int]], day: dt.date, as_of: dt.date) -> int:
    """Latest assessment on or before the day (known on R); before the first, the first's level."""
    known = sorted(a for a in assessments if a[0] <= as_of) or sorted(assessments)[:1]
    level = sorted(assessments)[0][1]
    for on, lvl in known:
        if on <= day:
            level = lvl
    return level


def rate_on(rates: list[tuple], intervention: str, level: int, provider: str, day: dt.date) -> int:
    """Øre a day: the provider's own row if it has any for (intervention, level), else the general."""
    own = [r for r in rates if r[0] == intervention and r[1] == level and r[2] == provider]
    rows = own or [r for r in rates if r[0] == intervention and r[1] == level and r[2] == ""]
    valid = [r for r in rows if r[3] <= day]
    if not valid:
        raise LookupError((intervention, level, provider, day))
    return max(valid, key=lambda r: r[3])[4]


def forecast(grants: list[dict], assessments: dict[str, list], rates: list[tuple], as_of: dt.date) -> dict:
    """{"grant_month": {(grant, month): (days, øre)}, "actual": {(m, i): øre}, "committed": {(m, i): øre},
    "expected": {(m, i): Fraction øre}, "gross": {(m, intervention area key...)}} as defined."""
    y0, y1 = dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 31)
    grant_month: dict = defaultdict(lambda: [0, 0])
    actual: dict = defaultdict(int)
    committed: dict = defaultdict(int)
    citizen: dict = defaultdict(int)
    started: dict = defaultdict(int)
    first90: dict = defaultdict(lambda: [0, 0])
    for g in grants:
        own = assessments.get(g["grant_id"])
        if not own or g["start_date"] > as_of:
            continue
        key = (g["municipality_code"], g["intervention_code"])
        end = g["end_date"] or dt.date.max

        def cost(day):
            return rate_on(rates, g["intervention_code"], level_on(own, day, as_of), g["provider_id"], day)

        day = max(g["start_date"], y0)
        while day <= min(end, y1):
            c = cost(day)
            if day <= as_of:
                m = grant_month[(g["grant_id"], day.replace(day=1))]
                m[0] += 1
                m[1] += c
                actual[key] += c
            else:
                committed[key] += c
            citizen[(g["municipality_code"], g["intervention_code"], g["citizen_key"])] += c
            day += DAY
        if as_of - dt.timedelta(days=365) < g["start_date"] <= as_of:
            started[key] += 1
            day = g["start_date"]
            while day <= min(g["start_date"] + dt.timedelta(days=89), end, as_of):
                first90[key][0] += cost(day)
                first90[key][1] += 1
                day += DAY
    left = (y1 - as_of).days
    expected = {
        key: Fraction(n, 365) * sum(range(1, left + 1)) * Fraction(first90[key][0], first90[key][1])
        for key, n in started.items()
    }
    return {"grant_month": dict(grant_month), "actual": dict(actual), "committed": dict(committed),
            "expected": expected, "citizen": dict(citizen)}
