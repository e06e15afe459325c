"""How the settlement rules are computed fast: with intervals, not day by day.

A grant's time is cut into pieces at every assessment, at the grant's start and end, at
the exit window's ends and at the as-of date. Pieces below baseline that touch make
episodes (rule 6); an episode's counted days are cut at the horizon (rule 7); the pieces
that remain are cut again wherever a rate changes, so that both rates are constant on each
piece and a piece's saving is (its days) x (its daily saving). Money is kept in whole
øre (int64) while summing and becomes exact Decimal kroner at the end.

The rules themselves are stated in `incentive_models.rules`; the day-by-day reference
implementation in the tests computes the same numbers the slow way.
"""
from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import pandas as pd

from incentive_models import ore, rules
from incentive_models.explain import explain_lines
from incentive_models.model import Model
from socialbench.dates import as_days
from socialbench.rate_rule import GENERAL

EPOCH = date(1970, 1, 1)
OPEN = np.int64(1 << 40)  # a day number far beyond any real date: "no end"
NO_DAY = np.int64(-(1 << 40))  # no date (the qualification day of a line that no longer qualifies)

GRANT_COLUMNS = [
    "grant_id", "citizen_key", "municipality_code", "provider_id",
    "intervention_code", "start_date", "end_date", "end_reason",
]
ASSESSMENT_COLUMNS = ["grant_id", "assessed_on", "support_level"]
RATE_COLUMNS = ["intervention_code", "support_level", "valid_from", "daily_rate_dkk"]
# Optional in a rates frame: a provider's own tariff (rule 4); without it, or '', the general rate.
PROVIDER_COLUMN = "provider_id"
PAID_COLUMNS = [
    "grant_id", "episode_start", "previously_paid_dkk", "provider_id",
    "municipality_code", "intervention_code", "citizen_key", "baseline_level",
]
EPISODE_COLUMNS = [
    "provider_id", "municipality_code", "intervention_code", "grant_id", "citizen_key",
    "episode_start", "baseline_level", "qualified_on", "days_counted", "exit_days",
    "saving_to_date_dkk",
]
MONEY_COLUMNS = [
    "saving_to_date_dkk", "earned_dkk", "previously_paid_dkk", "payout_dkk",
    "adjustment_dkk", "held_back_dkk",
]
LINE_COLUMNS = EPISODE_COLUMNS[:-1] + MONEY_COLUMNS + ["capped_by", "explanation"]


def day_numbers(values: pd.Series, open_value: np.int64 | None = None) -> np.ndarray:
    """Dates as whole day numbers since 1970-01-01; missing dates become open_value.

    A datetime64 column (as `incentive_models.inputs` reads it) converts as a whole;
    dates as objects (date, Timestamp or ISO text) one by one."""
    array = values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)
    days = array.astype("datetime64[D]") if np.issubdtype(array.dtype, np.datetime64) else as_days(array)
    numbers = days.astype(np.int64)
    missing = np.isnat(days)
    if missing.any():
        if open_value is None:
            raise ValueError("a required date is missing")
        numbers = np.where(missing, open_value, numbers)
    return numbers


def to_date(number: int) -> date:
    return EPOCH + timedelta(days=int(number))


def to_dates(numbers: np.ndarray) -> list[date | None]:
    """Day numbers as dates; NO_DAY becomes None."""
    days = np.asarray(numbers, dtype=np.int64)
    out = days.astype("datetime64[D]").astype(object)
    out[days == NO_DAY] = None
    return out.tolist()


def _in_scope(model: Model, grants: pd.DataFrame) -> pd.DataFrame:
    """The grants of the model's interventions, by grant_id: a grant's number (gid) in
    the arrays below is its row here."""
    g = grants.loc[grants["intervention_code"].isin(model.interventions), GRANT_COLUMNS]
    g = g.sort_values("grant_id", kind="stable").reset_index(drop=True)
    g["start"] = day_numbers(g["start_date"])
    g["end"] = day_numbers(g["end_date"], OPEN)
    return g


def _baselines(g: pd.DataFrame, assessments: pd.DataFrame) -> dict[str, np.ndarray]:
    """Rule 1: each grant's assessments in order (gid, day, level) and its earliest one
    (a0, base; has: whether it has any)."""
    gid = pd.Index(g["grant_id"]).get_indexer(assessments["grant_id"])
    keep = gid >= 0
    gid = gid[keep].astype(np.int64)
    on = day_numbers(assessments["assessed_on"])[keep]
    level = assessments["support_level"].to_numpy(np.int64)[keep]
    order = np.lexsort((on, gid))  # stable: by grant, then day
    gid, on, level = gid[order], on[order], level[order]
    first = np.ones(len(gid), dtype=bool)
    first[1:] = gid[1:] != gid[:-1]
    has = np.zeros(len(g), dtype=bool)
    has[gid[first]] = True
    a0 = np.zeros(len(g), dtype=np.int64)
    a0[gid[first]] = on[first]
    base = np.zeros(len(g), dtype=np.int64)
    base[gid[first]] = level[first]
    return {"gid": gid, "on": on, "level": level, "first": first, "has": has, "a0": a0, "base": base}


def _active_pieces(a: dict, g: pd.DataFrame, as_of: int) -> dict[str, np.ndarray]:
    """Rules 2 and 6: active days below baseline, one piece per assessment."""
    gid, on = a["gid"], a["on"]
    last = np.ones(len(gid), dtype=bool)
    last[:-1] = gid[1:] != gid[:-1]
    seg_end = np.full(len(gid), OPEN, dtype=np.int64)
    seg_end[~last] = on[1:][~last[:-1]] - 1
    start, end = g["start"].to_numpy(np.int64)[gid], g["end"].to_numpy(np.int64)[gid]
    ps = np.maximum(on, start)
    pe = np.minimum(np.minimum(seg_end, end), as_of)
    keep = (ps <= pe) & (a["level"] < a["base"][gid])
    return {"gid": gid[keep], "ps": ps[keep], "pe": pe[keep], "level": a["level"][keep], "exit": np.zeros(keep.sum(), dtype=bool)}


def _exit_pieces(model: Model, g: pd.DataFrame, a: dict, as_of: int) -> dict[str, np.ndarray]:
    """Rule 3: the days after an exit, until a relapse (any grant of the same citizen and
    intervention still active after the end); never before the baseline assessment."""
    end = g["end"].to_numpy(np.int64)
    ended = np.flatnonzero(a["has"] & g["end_reason"].isin(model.exit_reasons).to_numpy() & (end != OPEN))
    person = g.groupby(["citizen_key", "intervention_code"], sort=False).ngroup().to_numpy()
    others = pd.DataFrame({"person": person, "other": np.arange(len(g)), "o_start": g["start"].to_numpy(np.int64), "o_end": end})
    pairs = pd.DataFrame({"person": person[ended], "gid": ended, "end": end[ended]}).merge(others, on="person")
    pairs = pairs.loc[(pairs["other"] != pairs["gid"]) & (pairs["o_end"] > pairs["end"])]
    stop = np.full(len(g), OPEN + 1, dtype=np.int64)
    if len(pairs):
        first = np.maximum(pairs["o_start"], pairs["end"] + 1).groupby(pairs["gid"]).min()
        stop[first.index.to_numpy()] = first.to_numpy()
    ps = np.maximum(end[ended] + 1, a["a0"][ended])
    pe = np.minimum(stop[ended] - 1, as_of)
    keep = ps <= pe
    n = int(keep.sum())
    return {"gid": ended[keep].astype(np.int64), "ps": ps[keep], "pe": pe[keep], "level": np.full(n, -1, dtype=np.int64), "exit": np.ones(n, dtype=bool)}


def _episodes(pieces: dict, model: Model) -> tuple[dict, dict]:
    """Rules 6-8: touching pieces make an episode; qualification and horizon."""
    order = np.lexsort((pieces["ps"], pieces["gid"]))  # stable: by grant, then first day
    p = {k: v[order] for k, v in pieces.items()}
    gid, ps, pe = p["gid"], p["ps"], p["pe"]
    new = np.ones(len(gid), dtype=bool)
    new[1:] = (gid[1:] != gid[:-1]) | (ps[1:] != pe[:-1] + 1)
    episode = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    ep = {"gid": gid[starts], "ep_start": ps[starts], "ep_last": np.maximum.reduceat(pe, starts)}
    ep["qualified_on"] = ep["ep_start"] + model.qualifying_days - 1
    qualified = ep["ep_last"] >= ep["qualified_on"]
    number = np.full(len(starts), -1, dtype=np.int64)
    number[qualified] = np.arange(int(qualified.sum()))
    ep = {k: v[qualified] for k, v in ep.items()}
    ep["counted_end"] = np.minimum(ep["ep_last"], ep["ep_start"] + model.horizon_days - 1)
    ep["days_counted"] = ep["counted_end"] - ep["ep_start"] + 1
    p["episode"] = number[episode]
    kept = p["episode"] >= 0
    p = {k: v[kept] for k, v in p.items()}
    p["pe"] = np.minimum(p["pe"], ep["counted_end"][p["episode"]])
    counted = p["ps"] <= p["pe"]
    return ep, {k: v[counted] for k, v in p.items()}


# A rate's place in the sorted rate table: its (intervention, level, provider) group, then its day.
_GROUP = np.int64(1 << 34)
_DAY0 = np.int64(1 << 33)


def rate_providers(rates: pd.DataFrame) -> pd.Series:
    """Each rate row's provider_id ('' = the general rate; a frame without the column holds
    general rates only)."""
    if PROVIDER_COLUMN not in rates.columns:
        return pd.Series(GENERAL, index=rates.index, dtype=object)
    return rates[PROVIDER_COLUMN].fillna(GENERAL).astype(object)


def _rate_table(rates: pd.DataFrame, model: Model) -> dict:
    """The model's rates sorted by (intervention, level, provider) group and valid_from,
    with a search key per row; `_group_of` finds the group that applies to a grant.
    Providers are numbered from 1 (`providers`, in sorted order); 0 is the general rate."""
    r = rates.loc[rates["intervention_code"].isin(model.interventions)]
    code = _codes(model, r["intervention_code"])
    level = r["support_level"].to_numpy(np.int64)
    provider = rate_providers(r)
    providers = pd.Index(sorted(set(provider) - {GENERAL}))
    prov = np.where(provider.to_numpy() == GENERAL, 0, providers.get_indexer(provider) + 1).astype(np.int64)
    pairs = pd.DataFrame({"code": code, "level": level, "prov": prov})
    unique = pairs.drop_duplicates().reset_index(drop=True)
    group = pairs.merge(unique.reset_index(), on=["code", "level", "prov"], how="left")["index"].to_numpy(np.int64)
    vf = day_numbers(r["valid_from"])
    order = np.lexsort((vf, group))
    group, vf = group[order], vf[order]
    return {
        "group_code": unique["code"].to_numpy(np.int64), "group_level": unique["level"].to_numpy(np.int64),
        "group_prov": unique["prov"].to_numpy(np.int64), "providers": providers,
        "group": group, "vf": vf, "ore": ore.column(r["daily_rate_dkk"].to_numpy()[order]),
        "key": group * _GROUP + (vf + _DAY0),
    }


def _codes(model: Model, intervention_codes: pd.Series) -> np.ndarray:
    """Each intervention code's place in the model's list of interventions."""
    return pd.Index(list(dict.fromkeys(model.interventions))).get_indexer(intervention_codes).astype(np.int64)


def _provider_numbers(r: dict, provider_ids: pd.Series) -> np.ndarray:
    """Each grant provider's number in the rate table (0: the provider has no own rate)."""
    return (r["providers"].get_indexer(provider_ids.fillna(GENERAL)) + 1).astype(np.int64)


def _group_of(r: dict, code: np.ndarray, level: np.ndarray, prov: np.ndarray) -> np.ndarray:
    """Rule 4's choice of rows: the rate group of (intervention number, level, the grant's
    provider) if the provider has any row for that intervention and level, else the
    general group of (intervention, level); -1 where there is neither."""
    if not len(code) or not len(r["group_code"]):
        return np.full(len(code), -1, dtype=np.int64)
    low = min(int(level.min()), int(r["group_level"].min()))
    width = max(int(level.max()), int(r["group_level"].max())) - low + 1
    wide = len(r["providers"]) + 1

    def key(c, lv, p):
        return (c * width + (lv - low)) * wide + p

    keys = key(r["group_code"], r["group_level"], r["group_prov"])
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]

    def find(k):
        at = np.clip(np.searchsorted(sorted_keys, k), 0, len(sorted_keys) - 1)
        return np.where(sorted_keys[at] == k, order[at], -1)

    own = np.where(prov > 0, find(key(code, level, prov)), -1)
    return np.where(own >= 0, own, find(key(code, level, np.zeros_like(prov))))


def _cuts(r: dict, group: np.ndarray, ps: np.ndarray, pe: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(piece, day) for every rate change of the piece's group inside (ps, pe]."""
    valid = group >= 0
    lo = np.zeros(len(group), dtype=np.int64)
    hi = np.zeros(len(group), dtype=np.int64)
    lo[valid] = np.searchsorted(r["key"], group[valid] * _GROUP + (ps[valid] + _DAY0), side="right")
    hi[valid] = np.searchsorted(r["key"], group[valid] * _GROUP + (pe[valid] + _DAY0), side="right")
    counts = hi - lo
    piece = np.repeat(np.arange(len(group)), counts)
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return piece, r["vf"][np.repeat(lo, counts) + offset]


def _lookup(r: dict, group: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rule 4: (rate in øre, found) of the group's row with the latest valid_from <= day."""
    found = group >= 0
    at = np.zeros(len(group), dtype=np.int64)
    at[found] = np.searchsorted(r["key"], group[found] * _GROUP + (day[found] + _DAY0), side="right") - 1
    found &= at >= 0
    found[found] = r["group"][at[found]] == group[found]
    rate = np.where(found, r["ore"][at] if len(r["ore"]) else 0, 0)
    return rate.astype(np.int64), found


def qualified_episodes(
    model: Model, as_of: date, grants: pd.DataFrame, assessments: pd.DataFrame, rates: pd.DataFrame
) -> pd.DataFrame:
    """Rules 1-8: one row per episode qualified on or before as_of, with its saving to date
    (sum of s(d) over its counted days up to as_of), in day numbers and whole øre:
    EPISODE_COLUMNS with `episode_start` and `qualified_on` as day numbers and
    `saving_to_date_ore` for `saving_to_date_dkk`."""
    e = int(day_numbers(pd.Series([as_of]))[0])
    g = _in_scope(model, grants)
    a = _baselines(g, assessments)
    active, exits = _active_pieces(a, g, e), _exit_pieces(model, g, a, e)
    pieces = {k: np.concatenate([active[k], exits[k]]) for k in active}
    if not len(pieces["gid"]):
        return _no_episodes()
    ep, p = _episodes(pieces, model)
    if not len(ep["gid"]):
        return _no_episodes()
    r = _rate_table(rates, model)
    code = _codes(model, g["intervention_code"])[p["gid"]]
    base = a["base"][p["gid"]]
    prov = _provider_numbers(r, g["provider_id"])[p["gid"]]
    base_group, level_group = _group_of(r, code, base, prov), _group_of(r, code, p["level"], prov)
    # Cut the pieces wherever the rate of the baseline level or of the piece's level changes.
    active_piece = ~p["exit"]
    piece_b, day_b = _cuts(r, base_group, p["ps"], p["pe"])
    level_group_active = np.where(active_piece, level_group, -1)
    piece_l, day_l = _cuts(r, level_group_active, p["ps"], p["pe"])
    piece = np.concatenate([np.arange(len(p["ps"])), piece_b, piece_l])
    s = np.concatenate([p["ps"], day_b, day_l])
    bounds = pd.DataFrame({"piece": piece, "s": s}).drop_duplicates().sort_values(["piece", "s"], kind="stable")
    piece, s = bounds["piece"].to_numpy(np.int64), bounds["s"].to_numpy(np.int64)
    following = np.ones(len(piece), dtype=bool)
    following[:-1] = piece[1:] != piece[:-1]
    e_day = np.where(following, p["pe"][piece], np.roll(s, -1) - 1)
    active = active_piece[piece]
    base_rate, base_found = _lookup(r, base_group[piece], s)
    level_rate, level_found = _lookup(r, level_group[piece], s)
    level_missing = active & ~level_found
    missing = ~base_found | level_missing
    if missing.any():
        found = []
        for i in np.flatnonzero(missing):
            gid = p["gid"][piece[i]]
            for level, absent in ((base[piece[i]], not base_found[i]), (p["level"][piece[i]], level_missing[i])):
                if absent:
                    found.append(rules.MissingRate(g["intervention_code"].iat[gid], int(level), to_date(s[i]),
                                                   g["grant_id"].iat[gid], g["provider_id"].iat[gid]))
        raise rules.missing_rate(found)
    days = e_day - s + 1
    daily = np.where(active, np.maximum(0, base_rate - np.where(active, level_rate, 0)), base_rate)  # rule 5
    episode = p["episode"][piece]
    saving = np.zeros(len(ep["gid"]), dtype=np.int64)
    np.add.at(saving, episode, daily * days)
    exit_days = np.zeros(len(ep["gid"]), dtype=np.int64)
    np.add.at(exit_days, episode, np.where(active, 0, days))
    rows = g.iloc[ep["gid"]]
    return pd.DataFrame(
        {
            "provider_id": rows["provider_id"].to_numpy(),
            "municipality_code": rows["municipality_code"].to_numpy(np.int64),
            "intervention_code": rows["intervention_code"].to_numpy(),
            "grant_id": rows["grant_id"].to_numpy(),
            "citizen_key": rows["citizen_key"].to_numpy(),
            "episode_start": ep["ep_start"],
            "baseline_level": a["base"][ep["gid"]],
            "qualified_on": ep["qualified_on"],
            "days_counted": ep["days_counted"],
            "exit_days": exit_days,
            "saving_to_date_ore": saving,
        }
    )


def _no_episodes() -> pd.DataFrame:
    columns = [c for c in EPISODE_COLUMNS if c != "saving_to_date_dkk"] + ["saving_to_date_ore"]
    text = {"provider_id", "intervention_code", "grant_id", "citizen_key"}
    return pd.DataFrame({c: pd.Series(dtype=object if c in text else np.int64) for c in columns})


# Lines in whole øre (what `line_frame` returns): the line columns with day numbers for
# dates (NO_DAY: none), øre for money, and what was paid for the episode itself.
ORE_COLUMNS = {money: money.removesuffix("_dkk") + "_ore" for money in MONEY_COLUMNS}
ORE_LINE_COLUMNS = [ORE_COLUMNS.get(c, c) for c in LINE_COLUMNS if c != "explanation"] + ["paid_for_episode_ore"]


def _paid_ore(paid: pd.DataFrame) -> pd.DataFrame:
    """What was paid per episode (PAID_COLUMNS, Decimal kroner and dates; or as the
    ledger reads them, `line_store.PAID_ORE_COLUMNS`), summed per (grant, first day) with
    the attributes of its last row, in day numbers and øre."""
    if not len(paid):
        return pd.DataFrame(
            {c: pd.Series(dtype=np.int64 if c in ("episode_start", "paid_ore", "municipality_code", "baseline_level") else object)
             for c in ["grant_id", "episode_start", "paid_ore", "provider_id", "municipality_code", "intervention_code", "citizen_key", "baseline_level"]}
        )
    if "paid_ore" in paid.columns:  # as the ledger reads them: day numbers and øre already
        paid = paid.astype({"episode_start": np.int64, "paid_ore": np.int64})
        attributes = ["provider_id", "municipality_code", "intervention_code", "citizen_key", "baseline_level"]
        return paid.groupby(["grant_id", "episode_start"], sort=True, as_index=False).agg(
            {**{c: "last" for c in attributes}, "paid_ore": "sum"}
        )
    paid = paid[PAID_COLUMNS]
    paid = pd.DataFrame(
        {
            **{c: paid[c].to_numpy() for c in PAID_COLUMNS if c not in ("episode_start", "previously_paid_dkk")},
            "episode_start": day_numbers(paid["episode_start"]),
            "paid_ore": ore.column(paid["previously_paid_dkk"], missing_as_zero=True),
        }
    )
    attributes = ["provider_id", "municipality_code", "intervention_code", "citizen_key", "baseline_level"]
    return paid.groupby(["grant_id", "episode_start"], sort=True, as_index=False).agg(
        {**{c: "last" for c in attributes}, "paid_ore": "sum"}
    )


def allocate_paid(lines: pd.DataFrame, paid: pd.DataFrame) -> pd.DataFrame:
    """Rule 9: what was paid for each grant, under any model, carried by its lines.

    `lines` are the current episodes with `earned_ore`; `paid` (`_paid_ore`) has one row
    per paid episode. Returns the lines with `previously_paid_ore` and
    `paid_for_episode_ore` (what was paid for that very episode), plus a line for each
    paid episode of a grant that has no current episode. A grant's lines carry exactly
    what was paid for the grant."""
    keys = ["grant_id", "episode_start"]
    found = lines[keys].merge(paid[keys + ["paid_ore"]], on=keys, how="left")["paid_ore"]
    own = found.fillna(0).to_numpy(np.int64)
    earned = lines["earned_ore"].to_numpy(np.int64)
    carried = np.minimum(earned, own)
    lines = lines.assign(paid_for_episode_ore=own, previously_paid_ore=carried)
    current = paid[keys].merge(lines[keys], on=keys, how="left", indicator=True)["_merge"].to_numpy() == "both"
    gone = paid.loc[~current]
    has_lines = gone["grant_id"].isin(lines["grant_id"]).to_numpy()
    orphans = gone.loc[~has_lines]
    pool = gone.loc[has_lines].groupby("grant_id")["paid_ore"].sum()
    excess = pd.Series(own - carried, index=lines["grant_id"].to_numpy())
    pool = pool.add(excess[excess != 0].groupby(level=0).sum(), fill_value=0)
    pool = pool[pool != 0]
    if len(pool):
        lines = lines.sort_values(keys, kind="stable").reset_index(drop=True)
        # Positions in the whole (sorted) frame: .indices of a filtered frame would count
        # within the filtered rows, and a grant's paid amount would land on another grant.
        positions = lines.groupby("grant_id", sort=False).indices
        carried = lines["previously_paid_ore"].to_numpy(np.int64).copy()
        earned = lines["earned_ore"].to_numpy(np.int64)
        for grant_id, remaining in pool.items():
            remaining = int(remaining)
            rows = positions[grant_id]
            for i in rows:
                take = min(remaining, int(earned[i] - carried[i]))
                carried[i] += take
                remaining -= take
            carried[rows[-1]] += remaining
        lines["previously_paid_ore"] = carried
    if len(orphans):
        orphans = orphans.rename(columns={"paid_ore": "previously_paid_ore"}).assign(
            qualified_on=NO_DAY, days_counted=0, exit_days=0, saving_to_date_ore=0, earned_ore=0,
            paid_for_episode_ore=orphans["paid_ore"].to_numpy(), episode_capped=False,
        )
        lines = pd.concat([lines, orphans[lines.columns]], ignore_index=True)
    whole = ["municipality_code", "baseline_level", "days_counted", "exit_days", "episode_start", "qualified_on"]
    return lines.astype({c: np.int64 for c in whole})


def _round_half_up(numerator: np.ndarray, denominator: int) -> np.ndarray:
    """numerator / denominator rounded half-up, for numerator >= 0 and denominator > 0
    (Python ints in an object array if an int64 product could overflow)."""
    return (2 * numerator + denominator) // (2 * denominator)


def _scaled(amounts: np.ndarray, limit: int, total: int) -> np.ndarray:
    """Rule 10 in øre: amount x limit / total, exactly, rounded half-up (as rules.scale)."""
    if int(amounts.max(initial=0)) * 2 * limit + total < 1 << 62 and total < 1 << 61:
        return _round_half_up(amounts.astype(np.int64) * limit, total).astype(np.int64)
    exact = np.array([int(a) * limit for a in amounts], dtype=object)
    return np.array(_round_half_up(exact, total).tolist(), dtype=np.int64)


def settle(model: Model, as_of: date, episodes: pd.DataFrame, paid: pd.DataFrame) -> pd.DataFrame:
    """Rules 9-10 in whole øre: earned, previously paid, payout and caps, one line per
    episode (ORE_LINE_COLUMNS, without the explanation).

    `episodes` come from `qualified_episodes`; `paid` holds, per episode paid in earlier
    approved runs (of any model), its payouts and the line's attributes (PAID_COLUMNS,
    for the grants of the model's scope: see `paid_in_scope`)."""
    paid = _paid_ore(paid)
    lines = episodes.copy()
    share = Fraction(model.share)
    saving = lines["saving_to_date_ore"].to_numpy(np.int64)
    if int(saving.max(initial=0)) * 2 * share.numerator + share.denominator < 1 << 62:
        earned = _round_half_up(saving * share.numerator, share.denominator).astype(np.int64)
    else:
        exact = np.array([int(v) * share.numerator for v in saving], dtype=object)
        earned = np.array(_round_half_up(exact, share.denominator).tolist(), dtype=np.int64)
    capped = np.zeros(len(lines), dtype=bool)
    if model.cap_per_episode_dkk is not None:
        capped = earned > ore.of(model.cap_per_episode_dkk)
        earned = np.where(capped, ore.of(model.cap_per_episode_dkk), earned)
    lines["earned_ore"] = earned
    lines["episode_capped"] = capped
    lines = allocate_paid(lines, paid)
    if lines.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ORE_LINE_COLUMNS})

    due = lines["earned_ore"].to_numpy(np.int64) - lines["previously_paid_ore"].to_numpy(np.int64)
    adjustment = np.minimum(due, 0)
    due = np.maximum(due, 0)
    payout = due.copy()
    provider_capped = np.zeros(len(lines), dtype=bool)
    budget_capped = np.zeros(len(lines), dtype=bool)

    if model.cap_per_provider_per_run_dkk is not None:
        cap = ore.of(model.cap_per_provider_per_run_dkk)
        providers = lines["provider_id"].to_numpy()
        totals = pd.Series(payout).groupby(providers).sum()
        for provider_id, total in totals[totals > cap].items():
            rows = np.flatnonzero((providers == provider_id) & (payout > 0))
            payout[rows] = _scaled(payout[rows], cap, int(total))
            provider_capped[rows] = True
    if model.budget_per_run_dkk is not None:
        budget, total = ore.of(model.budget_per_run_dkk), int(payout.sum())
        if total > budget:
            rows = np.flatnonzero(payout > 0)
            payout[rows] = _scaled(payout[rows], budget, total)
            budget_capped[rows] = True

    lines["payout_ore"] = payout
    lines["adjustment_ore"] = adjustment
    lines["held_back_ore"] = due - payout
    lines["capped_by"] = _caps_text(lines["episode_capped"].to_numpy(bool), provider_capped, budget_capped)
    lines = lines.sort_values(
        ["provider_id", "municipality_code", "citizen_key", "grant_id", "episode_start"], kind="stable"
    ).reset_index(drop=True)
    return lines[ORE_LINE_COLUMNS]


def _caps_text(*flags: np.ndarray) -> np.ndarray:
    """capped_by: the caps that limited each line, in the order they apply (None: none)."""
    text = np.full(len(flags[0]), "", dtype=object)
    for name, flag in zip((rules.CAP_EPISODE, rules.CAP_PROVIDER, rules.CAP_BUDGET), flags):
        text = np.where(flag, np.where(text == "", name, text + "," + name), text)
    text[text == ""] = None
    return text


def paid_in_scope(model: Model, grants: pd.DataFrame, paid: pd.DataFrame) -> pd.DataFrame:
    """Rule 9's scope: what was paid for the grants the model settles today, by grant_id
    whatever intervention the paid line had (a grant whose intervention was corrected
    carries its payments along), and for grants no longer in the data whose paid line
    was of one of the model's interventions."""
    scope = set(grants.loc[grants["intervention_code"].isin(model.interventions), "grant_id"])
    known = set(grants["grant_id"])
    keep = paid["grant_id"].isin(scope) | (~paid["grant_id"].isin(known) & paid["intervention_code"].isin(model.interventions))
    return paid.loc[keep]


def line_frame(
    model: Model,
    as_of: date,
    grants: pd.DataFrame,
    assessments: pd.DataFrame,
    rates: pd.DataFrame,
    paid: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The lines of a settlement run (rules 1-10) in day numbers and whole øre
    (ORE_LINE_COLUMNS plus `explanation`): what the ledger stores and hashes."""
    episodes = qualified_episodes(model, as_of, grants, assessments, rates)
    paid = paid if paid is not None else pd.DataFrame(columns=PAID_COLUMNS)
    lines = settle(model, as_of, episodes, paid_in_scope(model, grants, paid))
    lines["explanation"] = explain_lines(lines, model, as_of)
    return lines


def as_dkk(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines in øre (`line_frame`) as LINE_COLUMNS: dates as `date` (None for none),
    money as exact Decimal kroner."""
    if lines.empty:
        return pd.DataFrame(columns=LINE_COLUMNS)
    out = {}
    for c in LINE_COLUMNS:
        if c in ORE_COLUMNS:
            out[c] = ore.decimals(lines[ORE_COLUMNS[c]].to_numpy())
        elif c in ("episode_start", "qualified_on"):
            out[c] = to_dates(lines[c].to_numpy())
        else:
            out[c] = lines[c].to_numpy()
    return pd.DataFrame(out, columns=LINE_COLUMNS)


def compute_lines(
    model: Model,
    as_of: date,
    grants: pd.DataFrame,
    assessments: pd.DataFrame,
    rates: pd.DataFrame,
    paid: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The lines of a settlement run as of `as_of` (rules 1-10), from the warehouse's
    grants, assessments and rates and what earlier approved runs paid for the grants:
    LINE_COLUMNS, money as exact Decimal kroner, dates as `date`."""
    return as_dkk(line_frame(model, as_of, grants, assessments, rates, paid))
