"""The forecast writer against the day-by-day oracle (tests/forecast/reference.py) on random
grants, levels, rate changes and provider tariffs, both engines, to the øre."""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from fractions import Fraction

import pytest
import sqlalchemy as sa

from socialbench.money import round_ore
from socialbench import loading
from socialbench.forecast.store import write_forecast
from tests.forecast import reference
from tests.forecast.test_forecast import GRANTS
from tests.forecast.test_inputs import RATES

AREAS = {"SEL107": "adults", "SEL85": "adults", "BU_OPHOLDSSTED": "children"}
PROVIDERS = ["P0", "P1", "P2", "P3"]
FIRST = dt.date(2024, 1, 1)


def day_between(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def scenario(seed: int):
    rng = random.Random(seed)
    rates = []  # (intervention, level, provider, valid_from, øre)
    for intervention in AREAS:
        for level in (1, 2, 3):
            for provider in ["", *rng.sample(PROVIDERS[1:], rng.randint(0, 2))]:
                days = [FIRST, *sorted({day_between(rng, dt.date(2024, 6, 1), dt.date(2026, 12, 31))
                                       for _ in range(rng.randint(0, 3))})]
                for valid_from in days:
                    rates.append((intervention, level, provider, valid_from, rng.randint(200, 9000) * 100 + rng.choice([0, 25, 50, 99])))
    grants, assessments = [], {}
    for n in range(45):
        start = day_between(rng, dt.date(2024, 3, 1), dt.date(2026, 12, 31))
        end = None if rng.random() < 0.4 else start + dt.timedelta(days=rng.randint(0, 500))
        gid = f"G{n:03d}"
        grants.append({
            "grant_id": gid, "citizen_key": f"c{rng.randint(1, 12)}", "municipality_code": rng.choice([101, 147]),
            "provider_id": rng.choice(PROVIDERS), "intervention_code": rng.choice(list(AREAS)),
            "start_date": start, "end_date": end,
        })
        first = start + dt.timedelta(days=rng.choice([0, 0, 0, rng.randint(1, 40)]))
        own = {first: rng.randint(1, 3)}
        for _ in range(rng.randint(0, 4)):
            own[day_between(rng, first, (end or dt.date(2027, 6, 30)))] = rng.randint(1, 3)
        assessments[gid] = sorted(own.items())
    as_of = day_between(rng, dt.date(2025, 1, 15), dt.date(2026, 12, 30))
    return rates, grants, assessments, as_of


def load(engine, write_csv, folder, rates, grants, assessments):
    write_csv("providers.csv", "provider_id,provider_name", *[f"{p},Leverandør {p}" for p in PROVIDERS], folder=folder)
    write_csv("rates.csv", RATES, *[f"{i},{lvl},{p},{v.isoformat()},{ore // 100}.{ore % 100:02d}"
                                    for i, lvl, p, v, ore in rates], folder=folder)
    write_csv("grants.csv", GRANTS, *[
        f"{g['grant_id']},{g['citizen_key']},{g['municipality_code']},{g['provider_id']},{g['intervention_code']},"
        f"{g['start_date'].isoformat()},{g['end_date'].isoformat() if g['end_date'] else ''},{'other' if g['end_date'] else ''}"
        for g in grants], folder=folder)
    write_csv("assessments.csv", "grant_id,assessed_on,support_level",
              *[f"{gid},{on.isoformat()},{lvl}" for gid, own in assessments.items() for on, lvl in own], folder=folder)
    loading.load_path(engine, folder)


def rows(engine, sql):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql)).fetchall()]


def kr(ore) -> object:
    return round_ore(Fraction(ore) / 100)


@pytest.mark.parametrize("seed", range(4))
def test_the_writer_agrees_with_the_day_by_day_oracle(engine, write_csv, tmp_path, seed):
    rates, grants, assessments, as_of = scenario(seed)
    load(engine, write_csv, tmp_path / "in", rates, grants, assessments)
    with engine.begin() as conn:
        write_forecast(conn, as_of=as_of)
    want = reference.forecast(grants, assessments, rates, as_of)

    got_months = {(g, m if isinstance(m, dt.date) else m.date()): (d, c)
                  for g, m, d, c in rows(engine, "select grant_id, month, active_days, cost_dkk from fc_grant_month")}
    assert got_months == {k: (d, kr(c)) for k, (d, c) in want["grant_month"].items()}

    got = {(m, i): (a, c, e) for m, i, a, c, e in rows(
        engine, "select municipality_code, intervention_code, actual_to_date_dkk, committed_dkk, expected_new_dkk from fc_forecast")}
    keys = set(want["actual"]) | set(want["committed"]) | set(want["expected"])
    assert set(got) == keys
    for key in keys:
        assert got[key] == (kr(want["actual"].get(key, 0)), kr(want["committed"].get(key, 0)),
                            kr(want["expected"].get(key, 0))), key

    gross = defaultdict(int)
    for (m, i, c), ore in want["citizen"].items():
        gross[(m, AREAS[i], c)] += ore
    got_gross = {(m, a, c): g for m, a, c, g in rows(
        engine, "select municipality_code, area, citizen_key, gross_cost_dkk from fc_expensive_cases")}
    assert got_gross == {k: kr(v) for k, v in gross.items() if v > 0}
