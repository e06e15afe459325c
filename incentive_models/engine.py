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

EPOCH = date(1970, 1, 1)
OPEN = np.int64(1 << 40)  # a day number far beyond any real date: "no end"
NO_DAY = np.int64(-(1 << 40))  # no date (the qualification day of a line that no longer qualifies)

GRANT_COLUMNS = [
    "grant_id", "citizen_key", "municipality_code", "provider_id",
    "intervention_code", "start_date", "end_date", "end_reason",
]
ASSESSMENT_COLUMNS = ["grant_id", "assessed_on", "support_level"]
RATE_COLUMNS = ["intervention_code", "support_level", "valid_from", "daily_rate_dkk"]
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
    g = grants.loc[grants["intervention_code"].isin(model.interventions), GRANT_COLUMNS].copy()
    g = g.reset_index(drop=True)
    g["start"] = day_numbers(g["start_date"])
    g["end"] = day_numbers(g["end_date"], OPEN)
    return g


def _baselines(grants: pd.DataFrame, assessments: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rule 1: the earliest assessment of each grant; returns (assessments, grants with a0, L0)."""
    a = assessments.loc[assessments["grant_id"].isin(grants["grant_id"]), ASSESSMENT_COLUMNS].copy()
    a = a.reset_index(drop=True)
    a["on"] = day_numbers(a["assessed_on"])
    a["level"] = a["support_level"].astype(np.int64)
    a = a.sort_values(["grant_id", "on"], kind="stable").reset_index(drop=True)
    first = a.groupby("grant_id", sort=False).first().reset_index()
    first = first.rename(columns={"on": "a0", "level": "base"})[["grant_id", "a0", "base"]]
    return a, grants.merge(first, on="grant_id", how="inner")


def _active_pieces(a: pd.DataFrame, g: pd.DataFrame, as_of: int) -> pd.DataFrame:
    """Rules 2 and 6: active days below baseline, one piece per assessment."""
    a = a.copy()
    a["next_on"] = a.groupby("grant_id", sort=False)["on"].shift(-1)
    a["seg_end"] = np.where(a["next_on"].isna(), OPEN, a["next_on"].fillna(0).astype(np.int64) - 1)
    a = a.merge(g[["grant_id", "start", "end", "base"]], on="grant_id")
    a["ps"] = np.maximum(a["on"], a["start"])
    a["pe"] = np.minimum(np.minimum(a["seg_end"], a["end"]), as_of)
    keep = (a["ps"] <= a["pe"]) & (a["level"] < a["base"])
    out = a.loc[keep, ["grant_id", "ps", "pe", "level"]].copy()
    out["exit"] = False
    return out


def _exit_pieces(model: Model, scope: pd.DataFrame, g: pd.DataFrame, as_of: int) -> pd.DataFrame:
    """Rule 3: the days after an exit, until a relapse (any grant of the same citizen and
    intervention still active after the end); never before the baseline assessment."""
    ended = g.loc[g["end_reason"].isin(model.exit_reasons) & (g["end"] != OPEN)]
    ended = ended[["grant_id", "citizen_key", "intervention_code", "end", "a0"]]
    others = scope[["grant_id", "citizen_key", "intervention_code", "start", "end"]].rename(
        columns={"grant_id": "other_id", "start": "o_start", "end": "o_end"}
    )
    pairs = ended.merge(others, on=["citizen_key", "intervention_code"])
    pairs = pairs.loc[(pairs["other_id"] != pairs["grant_id"]) & (pairs["o_end"] > pairs["end"])]
    stop = np.maximum(pairs["o_start"], pairs["end"] + 1).groupby(pairs["grant_id"]).min()
    ended = ended.assign(stop=ended["grant_id"].map(stop).fillna(OPEN + 1).astype(np.int64))
    ps = np.maximum(ended["end"] + 1, ended["a0"])
    pe = np.minimum(ended["stop"] - 1, as_of)
    out = pd.DataFrame({"grant_id": ended["grant_id"], "ps": ps, "pe": pe, "level": -1, "exit": True})
    return out.loc[out["ps"] <= out["pe"]]


def _episodes(pieces: pd.DataFrame, model: Model) -> pd.DataFrame:
    """Rules 6-8: touching pieces make an episode; qualification and horizon."""
    pieces = pieces.sort_values(["grant_id", "ps"], kind="stable").reset_index(drop=True)
    prev_end = pieces.groupby("grant_id", sort=False)["pe"].shift()
    new = prev_end.isna() | (pieces["ps"] != prev_end.fillna(0).astype(np.int64) + 1)
    pieces["episode"] = new.cumsum()
    ep = pieces.groupby("episode").agg(grant_id=("grant_id", "first"), ep_start=("ps", "min"), ep_last=("pe", "max"))
    ep["qualified_on"] = ep["ep_start"] + model.qualifying_days - 1
    ep = ep.loc[ep["ep_last"] >= ep["qualified_on"]].copy()
    ep["counted_end"] = np.minimum(ep["ep_last"], ep["ep_start"] + model.horizon_days - 1)
    ep["days_counted"] = ep["counted_end"] - ep["ep_start"] + 1
    pieces = pieces.merge(ep[["counted_end"]], left_on="episode", right_index=True)
    pieces["pe"] = np.minimum(pieces["pe"], pieces["counted_end"])
    return ep, pieces.loc[pieces["ps"] <= pieces["pe"]].drop(columns="counted_end")


def _rate_table(rates: pd.DataFrame, model: Model) -> pd.DataFrame:
    r = rates.loc[rates["intervention_code"].isin(model.interventions), RATE_COLUMNS].copy()
    r = r.reset_index(drop=True)
    r["vf"] = day_numbers(r["valid_from"])
    r["support_level"] = r["support_level"].astype(np.int64)
    r["ore"] = ore.column(r["daily_rate_dkk"])
    return r[["intervention_code", "support_level", "vf", "ore"]].astype({"ore": np.int64})


def _split_at_rate_changes(pieces: pd.DataFrame, r: pd.DataFrame) -> pd.DataFrame:
    """Cut pieces wherever the rate of the baseline level or of the piece's level changes."""
    pieces = pieces.reset_index(drop=True)
    pieces["pid"] = np.arange(len(pieces))
    cuts = []
    for level_column in ("base", "level"):
        m = pieces[["pid", "intervention_code", level_column, "ps", "pe"]].merge(
            r[["intervention_code", "support_level", "vf"]],
            left_on=["intervention_code", level_column],
            right_on=["intervention_code", "support_level"],
        )
        cuts.append(m.loc[(m["vf"] > m["ps"]) & (m["vf"] <= m["pe"]), ["pid", "vf"]].rename(columns={"vf": "s"}))
    bounds = pd.concat([pieces[["pid", "ps"]].rename(columns={"ps": "s"}), *cuts])
    bounds = bounds.drop_duplicates().sort_values(["pid", "s"]).reset_index(drop=True)
    bounds = bounds.merge(pieces.drop(columns="ps"), on="pid")
    following = bounds.groupby("pid", sort=False)["s"].shift(-1)
    bounds["e"] = np.where(following.isna(), bounds["pe"], following.fillna(0).astype(np.int64) - 1)
    return bounds.drop(columns="pe")


def _lookup_rates(sub: pd.DataFrame, r: pd.DataFrame, level_column: str) -> pd.Series:
    """Rule 4: the rate (øre) of (intervention, level) with the latest valid_from <= s."""
    left = sub[["sid", "s", "intervention_code", level_column]].sort_values("s", kind="stable")
    found = pd.merge_asof(
        left,
        r.sort_values("vf", kind="stable"),
        left_on="s",
        right_on="vf",
        left_by=["intervention_code", level_column],
        right_by=["intervention_code", "support_level"],
        direction="backward",
    )
    return found.set_index("sid")["ore"].reindex(sub["sid"])


def qualified_episodes(
    model: Model, as_of: date, grants: pd.DataFrame, assessments: pd.DataFrame, rates: pd.DataFrame
) -> pd.DataFrame:
    """Rules 1-8: one row per episode qualified on or before as_of, with its saving to date
    (sum of s(d) over its counted days up to as_of), in day numbers and whole øre:
    EPISODE_COLUMNS with `episode_start` and `qualified_on` as day numbers and
    `saving_to_date_ore` for `saving_to_date_dkk`."""
    e = int(day_numbers(pd.Series([as_of]))[0])
    scope = _in_scope(model, grants)
    a, g = _baselines(scope, assessments)
    pieces = pd.concat([_active_pieces(a, g, e), _exit_pieces(model, scope, g, e)], ignore_index=True)
    if pieces.empty:
        return _no_episodes()
    ep, pieces = _episodes(pieces, model)
    if ep.empty:
        return _no_episodes()
    pieces = pieces.merge(g[["grant_id", "intervention_code", "base"]], on="grant_id")
    r = _rate_table(rates, model)
    sub = _split_at_rate_changes(pieces, r)
    sub["sid"] = np.arange(len(sub))
    base_rate = _lookup_rates(sub, r, "base").to_numpy()
    active = ~sub["exit"].to_numpy()
    level_rate = np.full(len(sub), np.nan)
    if active.any():
        level_rate[active] = _lookup_rates(sub.loc[active], r, "level").to_numpy()
    missing = np.isnan(base_rate) | (active & np.isnan(level_rate))
    if missing.any():
        found = []
        flags = zip(np.isnan(base_rate[missing]), np.isnan(level_rate[missing]) & active[missing])
        for row, (base_missing, level_missing) in zip(sub.loc[missing].itertuples(), flags):
            for level, absent in ((row.base, base_missing), (row.level, level_missing)):
                if absent:
                    found.append(rules.MissingRate(row.intervention_code, int(level), to_date(row.s), row.grant_id))
        raise rules.missing_rate(found)
    days = (sub["e"] - sub["s"] + 1).to_numpy()
    base_ore = base_rate.astype(np.int64)
    level_ore = np.where(active, np.nan_to_num(level_rate), 0).astype(np.int64)
    daily = np.where(active, np.maximum(0, base_ore - level_ore), base_ore)  # rule 5
    sub["saving_ore"] = daily * days
    sub["exit_days"] = np.where(active, 0, days)
    sums = sub.groupby("episode").agg(saving_ore=("saving_ore", "sum"), exit_days=("exit_days", "sum"))
    ep = ep.join(sums).fillna({"saving_ore": 0, "exit_days": 0})
    ep = ep.merge(g.drop(columns=["start", "end", "a0"]), on="grant_id")
    out = pd.DataFrame(
        {
            "provider_id": ep["provider_id"].to_numpy(),
            "municipality_code": ep["municipality_code"].to_numpy(np.int64),
            "intervention_code": ep["intervention_code"].to_numpy(),
            "grant_id": ep["grant_id"].to_numpy(),
            "citizen_key": ep["citizen_key"].to_numpy(),
            "episode_start": ep["ep_start"].to_numpy(np.int64),
            "baseline_level": ep["base"].to_numpy(np.int64),
            "qualified_on": ep["qualified_on"].to_numpy(np.int64),
            "days_counted": ep["days_counted"].to_numpy(np.int64),
            "exit_days": ep["exit_days"].to_numpy(np.int64),
            "saving_to_date_ore": ep["saving_ore"].to_numpy(np.int64),
        }
    )
    return out


def _no_episodes() -> pd.DataFrame:
    columns = [c for c in EPISODE_COLUMNS if c != "saving_to_date_dkk"] + ["saving_to_date_ore"]
    text = {"provider_id", "intervention_code", "grant_id", "citizen_key"}
    return pd.DataFrame({c: pd.Series(dtype=object if c in text else np.int64) for c in columns})


# Lines in whole øre (what `line_frame` returns): the line columns with day numbers for
# dates (NO_DAY: none), øre for money, and what was paid for the episode itself.
ORE_COLUMNS = {money: money.removesuffix("_dkk") + "_ore" for money in MONEY_COLUMNS}
ORE_LINE_COLUMNS = [ORE_COLUMNS.get(c, c) for c in LINE_COLUMNS if c != "explanation"] + ["paid_for_episode_ore"]


def _paid_ore(paid: pd.DataFrame) -> pd.DataFrame:
    """What was paid per episode (PAID_COLUMNS, Decimal kroner and dates), summed per
    (grant, first day) with the attributes of its last row, in day numbers and øre."""
    if not len(paid):
        return pd.DataFrame(
            {c: pd.Series(dtype=np.int64 if c in ("episode_start", "paid_ore", "municipality_code", "baseline_level") else object)
             for c in ["grant_id", "episode_start", "paid_ore", "provider_id", "municipality_code", "intervention_code", "citizen_key", "baseline_level"]}
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
        positions = lines.loc[lines["grant_id"].isin(pool.index)].groupby("grant_id", sort=False).indices
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
