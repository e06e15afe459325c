"""Synthetic case work: cases of both areas, child investigations, caseworkers in teams, and
the places of the housing providers (docs/demo-data.md explains how they are drawn).

Dates are numpy datetime64[D] while generating (NaT = empty) and datetime.date in the
frames; every date lies on or before the extract date (params.DATA_CUTOFF).
"""
from __future__ import annotations

import bisect
from decimal import Decimal

import numpy as np
import pandas as pd

from socialbench import reference
from socialbench.demo_data import params as p

NAT = np.datetime64("NaT", "D")
AREAS = ("children", "adults")


def _days(rng, low: int, high: int, n: int) -> np.ndarray:
    return rng.integers(low, high, n, endpoint=True).astype("timedelta64[D]")


def _received(rng, municipalities: pd.DataFrame, population: dict[str, np.ndarray]):
    """(area, municipality row, day received) of every case, Poisson per municipality and year."""
    years = np.arange(int(str(p.CASE_FIRST_DAY)[:4]), int(str(p.DATA_CUTOFF)[:4]) + 1)
    columns = np.searchsorted(p.YEARS, years)
    sei = municipalities["sei_2025"].to_numpy()
    areas, rows, days = [], [], []
    for area in AREAS:
        expected = population[area][:, columns] * p.CASES_PER_PERSON[area] * sei[:, None]
        counts = rng.poisson(expected)
        row, year = np.nonzero(counts)
        repeat = counts[row, year]
        row, year = np.repeat(row, repeat), np.repeat(years[year], repeat)
        first = np.array([f"{y}-01-01" for y in year], dtype="datetime64[D]")
        length = np.where((year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0)), 366, 365)
        day = first + (rng.random(len(year)) * length).astype(int).astype("timedelta64[D]")
        areas.append(np.full(len(row), area, dtype=object))
        rows.append(row)
        days.append(day)
    area, row, day = np.concatenate(areas), np.concatenate(rows), np.concatenate(days)
    keep = day <= p.DATA_CUTOFF
    order = np.lexsort((row[keep], day[keep]))
    return area[keep][order], row[keep][order], day[keep][order]


def _immediate_effort(rng, municipalities: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per municipality: the share of adult cases in immediate effort, and the share of those
    closed within 12 weeks without a grant (0 and 0 where it is not run)."""
    codes = municipalities["municipality_code"].to_numpy()
    share, success = np.zeros(len(codes)), np.zeros(len(codes))
    others = np.flatnonzero(~np.isin(codes, list(p.IMMEDIATE_EFFORT_KNOWN)))
    chosen = rng.choice(others, p.IMMEDIATE_EFFORT_MUNICIPALITIES, replace=False)
    share[chosen] = rng.uniform(*p.IMMEDIATE_EFFORT_SHARE, len(chosen))
    success[chosen] = rng.uniform(*p.IMMEDIATE_EFFORT_SUCCESS, len(chosen))
    for code, known in p.IMMEDIATE_EFFORT_KNOWN.items():
        at = np.flatnonzero(codes == code)
        share[at], success[at] = max(p.IMMEDIATE_EFFORT_SHARE), known
    return share, success


def _decisions(rng, area, row, received, municipalities):
    """decided_on, decision, immediate_effort, closed_on of every case."""
    n = len(area)
    share, success = _immediate_effort(rng, municipalities)
    immediate = (area == "adults") & (rng.random(n) < share[row])
    succeeded = immediate & (rng.random(n) < success[row])

    decided = np.full(n, NAT)
    decision = np.full(n, None, dtype=object)
    for a in AREAS:
        at = np.flatnonzero((area == a) & ~succeeded)
        decided[at] = received[at] + _days(rng, *p.CASE_DECISION_DAYS[a], len(at))
        decision[at] = rng.choice(np.array(p.CASE_DECISIONS, dtype=object), len(at), p=p.CASE_DECISION_SHARES[a])
    # Immediate effort: failures take longer than the 12 weeks before a decision.
    late = np.flatnonzero(immediate & ~succeeded)
    decided[late] = received[late] + _days(rng, 85, 160, len(late))
    closed = np.full(n, NAT)
    ok = np.flatnonzero(succeeded)
    closed[ok] = received[ok] + _days(rng, *p.IMMEDIATE_EFFORT_CLOSE_DAYS, len(ok))
    decided[ok] = closed[ok]
    decision[ok] = rng.choice(np.array(["other_offer", "withdrawn"], dtype=object), len(ok), p=(0.75, 0.25))

    granted = np.flatnonzero(~succeeded & (decision == "granted"))
    closed[granted] = decided[granted] + _days(rng, *p.GRANTED_CASE_OPEN_DAYS, len(granted))
    other = np.flatnonzero(~succeeded & (decision != "granted"))
    closed[other] = decided[other] + _days(rng, *p.CLOSED_AFTER_DECISION_DAYS, len(other))

    undecided = (decided > p.DATA_CUTOFF) | (~succeeded & (rng.random(n) < p.CASE_UNDECIDED_SHARE))
    decided[undecided], decision[undecided], closed[undecided] = NAT, None, NAT
    closed[closed > p.DATA_CUTOFF] = NAT
    return decided, decision, immediate, closed


def _positions(rng, municipalities, area, row, received, closed):
    """Caseworker positions per municipality and team, sized to the open cases in mid-2024."""
    midpoint = np.datetime64("2024-06-30")
    open_mid = (received <= midpoint) & (np.isnat(closed) | (closed > midpoint))
    population = municipalities["population_2026"].to_numpy()
    positions = []  # (municipality row, area, team, fte)
    for a in AREAS:
        counts = np.bincount(row[(area == a) & open_mid], minlength=len(municipalities))
        load = rng.uniform(*p.CASES_PER_FTE[a], len(municipalities))
        fte_needed = counts / load
        for m in range(len(municipalities)):
            ftes = []
            while sum(ftes) < fte_needed[m] or not ftes:
                ftes.append(float(rng.choice(p.FTE_VALUES, p=p.FTE_SHARES)))
            teams = p.CASE_TEAMS[a] if len(ftes) >= 4 and population[m] > 40_000 else p.CASE_TEAMS[a][:1]
            for k, fte in enumerate(ftes):
                positions.append((m, a, teams[k % len(teams)], fte))
    return positions


def _holders(rng, positions) -> pd.DataFrame:
    """Who holds each position when: one caseworker after another, changing hands with the
    yearly turnover; the last holder is still employed."""
    rows = []
    first, cutoff = np.datetime64("2015-01-01"), p.DATA_CUTOFF
    for index, (m, area, team, fte) in enumerate(positions):
        start = first - rng.integers(0, 3650).astype("timedelta64[D]")
        while True:
            stay = int(np.ceil(rng.exponential(365 / p.CASEWORKER_TURNOVER)))
            end = start + np.timedelta64(stay, "D")
            if end > cutoff:
                rows.append((index, m, area, team, fte, start, NAT))
                break
            rows.append((index, m, area, team, fte, start, end))
            start = end + np.timedelta64(1, "D")
    frame = pd.DataFrame(rows, columns=["position", "row", "area", "team", "fte", "employed_from", "employed_to"])
    frame["caseworker_id"] = [f"S{k:05d}" for k in range(1, len(frame) + 1)]
    return frame


def _assign(rng, holders: pd.DataFrame, area, row, received) -> np.ndarray:
    """Each case's caseworker: a position of the case's municipality and area, drawn at
    random, and whoever held it the day the case was received."""
    caseworker = np.full(len(area), None, dtype=object)
    positions = holders.drop_duplicates("position")
    by_team = positions.groupby(["row", "area"])["position"].apply(np.asarray).to_dict()
    chosen = np.full(len(area), -1)
    for (m, a), options in by_team.items():
        at = np.flatnonzero((row == m) & (area == a))
        chosen[at] = rng.choice(options, len(at))
    for position, held in holders.groupby("position"):
        at = np.flatnonzero(chosen == position)
        starts = held["employed_from"].to_numpy().astype("datetime64[D]")
        which = np.searchsorted(starts, received[at], side="right") - 1
        caseworker[at] = held["caseworker_id"].to_numpy()[np.maximum(which, 0)]
    return caseworker


def _add_months(days: np.ndarray, months: int) -> np.ndarray:
    """The same day of the month `months` later, or that month's last day when it has none."""
    month = days.astype("datetime64[M]")
    target = month + np.timedelta64(months, "M")
    day_of_month = (days - month.astype("datetime64[D]")).astype(int)
    last = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(int) - 1
    return target.astype("datetime64[D]") + np.minimum(day_of_month, last).astype("timedelta64[D]")


def _investigations(rng, municipalities, case_ids, area, row, received) -> pd.DataFrame:
    """Child investigations of a share of the children's cases, on time with a municipality's
    own probability (Varde: improving year by year), late by 1-90 days otherwise."""
    pick = np.flatnonzero((area == "children") & (rng.random(len(area)) < p.INVESTIGATION_SHARE))
    started = received[pick] + _days(rng, *p.INVESTIGATION_START_DAYS, len(pick))
    keep = started <= p.DATA_CUTOFF
    pick, started = pick[keep], started[keep]
    on_time_p = rng.uniform(*p.INVESTIGATION_ON_TIME, len(municipalities))[row[pick]]
    codes = municipalities["municipality_code"].to_numpy()[row[pick]]
    year = started.astype("datetime64[Y]").astype(int) + 1970
    varde = np.array([p.VARDE_ON_TIME.get(y, max(p.VARDE_ON_TIME.values())) for y in year])
    on_time_p = np.where(codes == p.VARDE, varde, on_time_p)
    on_time = rng.random(len(pick)) < on_time_p
    deadline = _add_months(started, 4)
    completed = np.where(
        on_time,
        np.minimum(started + _days(rng, *p.INVESTIGATION_DAYS_ON_TIME, len(pick)), deadline),
        deadline + _days(rng, *p.INVESTIGATION_DAYS_LATE, len(pick)),
    )
    completed[completed > p.DATA_CUTOFF] = NAT
    return pd.DataFrame(
        {
            "investigation_id": [f"U-{k:06d}" for k in range(1, len(pick) + 1)],
            "case_id": case_ids[pick],
            "started_on": p.dates(started),
            "completed_on": p.dates(completed),
        }
    )


def _housing_places(rng, grants: pd.DataFrame) -> pd.DataFrame:
    """Places of every provider with § 107 or § 108 grants, declared for each quarter from
    the quarter of its first grant: the mean over the quarter's month ends of the grants
    active there, divided by an occupancy drawn in params.PLACES_OCCUPANCY and rounded up
    (at least one place); a row only when the number changes."""
    housing = grants[grants["intervention_code"].isin(p.HOUSING)]
    months = np.arange(p.FIRST_GRANT_DAY.astype("datetime64[M]"), p.DATA_CUTOFF.astype("datetime64[M]") + 1)
    month_ends = pd.DatetimeIndex((months + 1).astype("datetime64[D]") - np.timedelta64(1, "D"))
    rows = []
    for (provider, code), held in housing.groupby(["provider_id", "intervention_code"], sort=True):
        starts = pd.to_datetime(held["start_date"]).to_numpy()[:, None]
        ends = pd.to_datetime(held["end_date"]).to_numpy()[:, None]
        active = pd.Series(((starts <= month_ends.to_numpy()) & (np.isnat(ends) | (ends > month_ends.to_numpy()))).sum(axis=0),
                           index=month_ends)
        quarter = active.index.to_period("Q")
        places = None
        for q in quarter.unique():
            if q.start_time < pd.Timestamp(starts.min()).to_period("Q").start_time:
                continue
            mean = active[quarter == q].mean()
            declared = max(1, int(np.floor(mean / rng.uniform(*p.PLACES_OCCUPANCY) + 0.5)))
            if declared != places:
                rows.append((provider, code, q.start_time.date(), declared))
                places = declared
    return pd.DataFrame(rows, columns=["provider_id", "intervention_code", "valid_from", "places"])


def _link(cases: pd.DataFrame, grants: pd.DataFrame) -> pd.Series:
    """Each grant's case: in start order, the latest granted case of the same municipality
    and area not yet taken, decided on or before the grant's start and at most
    CASE_GRANT_DAYS before it; None when there is none."""
    area_of = dict(zip(reference.frame("intervention")["intervention_code"], reference.frame("intervention")["area"]))
    area = grants["intervention_code"].map(area_of)
    out = pd.Series([None] * len(grants), index=grants.index, dtype=object)
    granted = cases[cases["decision"] == "granted"]
    window = np.timedelta64(p.CASE_GRANT_DAYS, "D")
    for (code, a), held in granted.groupby(["municipality_code", "area"]):
        held = held.sort_values(["decided_on", "case_id"])
        decided = list(held["decided_on"].to_numpy().astype("datetime64[D]"))
        ids = list(held["case_id"])
        mine = grants[(grants["municipality_code"] == code) & (area == a)].sort_values(["start_date", "grant_id"])
        for index, start in zip(mine.index, mine["start_date"].to_numpy().astype("datetime64[D]")):
            at = bisect.bisect_right(decided, start) - 1
            if at >= 0 and start - decided[at] <= window:
                out.loc[index] = ids.pop(at)
                decided.pop(at)
    return out


def generate(seed: int, municipalities: pd.DataFrame, population: dict[str, np.ndarray], grants: pd.DataFrame,
             providers: pd.DataFrame):
    """cases, investigations, caseworkers and housing_places frames, and the grants and
    providers frames with their case and owner. `population` holds the persons of each
    area's age band, [municipality row, year of params.YEARS]."""
    rng = p.rng(seed, "cases")
    area, row, received = _received(rng, municipalities, population)
    decided, decision, immediate, closed = _decisions(rng, area, row, received, municipalities)
    case_ids = np.array([f"K-{k:06d}" for k in range(1, len(area) + 1)], dtype=object)

    staff_rng = p.rng(seed, "caseworkers")
    holders = _holders(staff_rng, _positions(staff_rng, municipalities, area, row, received, closed))
    caseworker = _assign(staff_rng, holders, area, row, received)
    codes = municipalities["municipality_code"].to_numpy()

    cases = pd.DataFrame(
        {
            "case_id": case_ids,
            "citizen_key": [f"SB-{k:06d}" for k in range(1, len(area) + 1)],
            "municipality_code": codes[row].astype(int),
            "area": area,
            "received_on": p.dates(received),
            "source": _sources(rng, area),
            "decided_on": p.dates(decided),
            "decision": decision,
            "immediate_effort": immediate.astype(bool),
            "closed_on": p.dates(closed),
            "caseworker_id": caseworker,
        }
    )
    caseworkers = pd.DataFrame(
        {
            "caseworker_id": holders["caseworker_id"],
            "municipality_code": codes[holders["row"].to_numpy()].astype(int),
            "team": holders["team"],
            "fte": [Decimal(f"{v:.3f}") for v in holders["fte"]],
            "employed_from": p.dates(holders["employed_from"].to_numpy().astype("datetime64[D]")),
            "employed_to": p.dates(holders["employed_to"].to_numpy().astype("datetime64[D]")),
        }
    )
    linked = grants.assign(case_id=_link(cases, grants))
    # A case with a grant is the grant's citizen's case.
    citizen_of = linked.dropna(subset=["case_id"]).drop_duplicates("case_id").set_index("case_id")["citizen_key"]
    cases["citizen_key"] = cases["case_id"].map(citizen_of).fillna(cases["citizen_key"])
    return {
        "cases": cases,
        "grants": linked,
        "providers": providers,
        "investigations": _investigations(rng, municipalities, case_ids, area, row, received),
        "caseworkers": caseworkers,
        "housing_places": _housing_places(p.rng(seed, "housing_places"), grants),
    }


def _sources(rng, area: np.ndarray) -> np.ndarray:
    out = np.empty(len(area), dtype=object)
    for a in AREAS:
        at = np.flatnonzero(area == a)
        codes = np.array(list(p.CASE_SOURCES[a]), dtype=object)
        shares = np.array(list(p.CASE_SOURCES[a].values()))
        out[at] = rng.choice(codes, len(at), p=shares / shares.sum())
    return out
