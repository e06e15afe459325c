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
from decimal import Decimal

import numpy as np
import pandas as pd

from incentive_models import rules
from incentive_models.explain import explain
from incentive_models.model import Model
from socialbench.dates import as_days

EPOCH = date(1970, 1, 1)
OPEN = np.int64(1 << 40)  # a day number far beyond any real date: "no end"

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
    """Dates as whole day numbers since 1970-01-01; missing dates become open_value."""
    days = as_days(values)
    numbers = days.astype(np.int64)
    missing = np.isnat(days)
    if missing.any():
        if open_value is None:
            raise ValueError("a required date is missing")
        numbers = np.where(missing, open_value, numbers)
    return numbers


def to_date(number: int) -> date:
    return EPOCH + timedelta(days=int(number))


def _ore(amount) -> int:
    exact = Decimal(amount) * 100
    if exact != exact.to_integral_value():
        raise ValueError(f"a daily rate has more than 2 decimals: {amount}")
    return int(exact)


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
    r["ore"] = [_ore(v) for v in r["daily_rate_dkk"]]
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
    (sum of s(d) over its counted days up to as_of, exact Decimal kroner)."""
    e = int(day_numbers(pd.Series([as_of]))[0])
    scope = _in_scope(model, grants)
    a, g = _baselines(scope, assessments)
    pieces = pd.concat([_active_pieces(a, g, e), _exit_pieces(model, scope, g, e)], ignore_index=True)
    if pieces.empty:
        return pd.DataFrame(columns=EPISODE_COLUMNS)
    ep, pieces = _episodes(pieces, model)
    if ep.empty:
        return pd.DataFrame(columns=EPISODE_COLUMNS)
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
            "provider_id": ep["provider_id"],
            "municipality_code": ep["municipality_code"],
            "intervention_code": ep["intervention_code"],
            "grant_id": ep["grant_id"],
            "citizen_key": ep["citizen_key"],
            "episode_start": [to_date(n) for n in ep["ep_start"]],
            "baseline_level": ep["base"].astype(int),
            "qualified_on": [to_date(n) for n in ep["qualified_on"]],
            "days_counted": ep["days_counted"].astype(int),
            "exit_days": ep["exit_days"].astype(int),
            "saving_to_date_dkk": [(Decimal(int(n)) / 100).quantize(rules.ORE) for n in ep["saving_ore"]],
        }
    )
    return out[EPISODE_COLUMNS]


def _total(values) -> Decimal:
    return sum(values, rules.ZERO)


def allocate_paid(lines: pd.DataFrame, paid: pd.DataFrame) -> pd.DataFrame:
    """Rule 9: what was paid for each grant, under any model, carried by its lines.

    `lines` are the current episodes with `earned_dkk`; `paid` has one row per paid
    episode (grant_id, episode_start, previously_paid_dkk and the paid line's attributes).
    Returns the lines with `previously_paid_dkk` and `paid_for_episode_dkk` (what was paid
    for that very episode), plus a line for each paid episode of a grant that has no
    current episode. A grant's lines carry exactly what was paid for the grant."""
    keys = ["grant_id", "episode_start"]
    own = {k: v for k, v in zip(zip(paid["grant_id"], paid["episode_start"]), paid["previously_paid_dkk"])}
    lines = lines.assign(
        paid_for_episode_dkk=[own.get(k, rules.ZERO) for k in zip(lines["grant_id"], lines["episode_start"])]
    )
    lines["previously_paid_dkk"] = [min(e, p) for e, p in zip(lines["earned_dkk"], lines["paid_for_episode_dkk"])]
    current = set(zip(lines["grant_id"], lines["episode_start"]))
    gone_mask = np.array([k not in current for k in zip(paid["grant_id"], paid["episode_start"])], dtype=bool)
    gone = paid.loc[gone_mask]
    with_lines = set(lines["grant_id"])
    orphans = gone.loc[~gone["grant_id"].isin(with_lines)]
    pool = {g: _total(s) for g, s in gone.loc[gone["grant_id"].isin(with_lines)].groupby("grant_id")["previously_paid_dkk"]}
    excess = lines["paid_for_episode_dkk"] - lines["previously_paid_dkk"]
    for grant_id, amount in zip(lines["grant_id"], excess):
        if amount:
            pool[grant_id] = pool.get(grant_id, rules.ZERO) + amount
    if pool:
        lines = lines.sort_values(keys, kind="stable").reset_index(drop=True)
        positions = lines.groupby("grant_id", sort=False).indices
        carried = lines["previously_paid_dkk"].tolist()
        for grant_id, remaining in pool.items():
            rows = positions[grant_id]
            for i in rows:
                take = min(remaining, lines["earned_dkk"].iat[i] - carried[i])
                carried[i] += take
                remaining -= take
            carried[rows[-1]] += remaining
        lines["previously_paid_dkk"] = carried
    if len(orphans):
        orphans = orphans.assign(
            qualified_on=None, days_counted=0, exit_days=0, saving_to_date_dkk=rules.ZERO,
            earned_dkk=rules.ZERO, paid_for_episode_dkk=orphans["previously_paid_dkk"],
        )
        lines = pd.concat([lines, orphans[lines.columns]], ignore_index=True)
    whole = ["municipality_code", "baseline_level", "days_counted", "exit_days"]
    return lines.astype({c: np.int64 for c in whole})


def settle(model: Model, as_of: date, episodes: pd.DataFrame, paid: pd.DataFrame) -> pd.DataFrame:
    """Rules 9-10: earned, previously paid, payout and caps, one line per episode.

    `paid` holds, per episode paid in earlier approved runs (of any model), the sum of its
    payouts and the line's attributes (for a grant that no longer has an episode), for
    the grants of the model's scope (see `paid_in_scope`)."""
    paid = paid[PAID_COLUMNS] if len(paid) else pd.DataFrame(columns=PAID_COLUMNS)
    paid = paid.assign(previously_paid_dkk=[rules.ZERO if pd.isna(v) else Decimal(v) for v in paid["previously_paid_dkk"]])
    paid = paid.groupby(["grant_id", "episode_start"], sort=True, as_index=False).agg(
        {**{c: "last" for c in PAID_COLUMNS if c not in ("grant_id", "episode_start")}, "previously_paid_dkk": _total}
    )[PAID_COLUMNS] if len(paid) else paid
    lines = episodes.copy()
    capped = {}
    earned = []
    for i, saving in enumerate(lines["saving_to_date_dkk"]):
        amount, hit = rules.earned(model.share, saving, model.cap_per_episode_dkk)
        earned.append(amount)
        capped[(lines["grant_id"].iat[i], lines["episode_start"].iat[i])] = [rules.CAP_EPISODE] if hit else []
    lines["earned_dkk"] = earned
    lines = allocate_paid(lines, paid)
    lines["qualified_on"] = lines["qualified_on"].astype(object).where(lines["qualified_on"].notna(), None)
    if lines.empty:
        return pd.DataFrame(columns=LINE_COLUMNS)
    capped = [list(capped.get(k, [])) for k in zip(lines["grant_id"], lines["episode_start"])]

    pay = [rules.pay(e, p) for e, p in zip(lines["earned_dkk"], lines["previously_paid_dkk"])]
    lines["due"] = [p for p, _ in pay]
    lines["adjustment_dkk"] = [a for _, a in pay]
    payout = lines["due"].copy()

    if model.cap_per_provider_per_run_dkk is not None:
        cap = model.cap_per_provider_per_run_dkk
        totals = payout.groupby(lines["provider_id"]).agg(_total)
        over = lines["provider_id"].map(totals > cap).fillna(False).to_numpy(bool) & (payout > 0).to_numpy(bool)
        for i in np.flatnonzero(over):
            payout.iat[i] = rules.scale(payout.iat[i], cap, totals[lines["provider_id"].iat[i]])
            capped[i].append(rules.CAP_PROVIDER)
    if model.budget_per_run_dkk is not None:
        budget, total = model.budget_per_run_dkk, _total(payout)
        if total > budget:
            for i in np.flatnonzero((payout > 0).to_numpy(bool)):
                payout.iat[i] = rules.scale(payout.iat[i], budget, total)
                capped[i].append(rules.CAP_BUDGET)

    lines["payout_dkk"] = payout
    lines["held_back_dkk"] = [d - p for d, p in zip(lines["due"], payout)]
    lines["capped_by"] = [",".join(c) if c else None for c in capped]
    lines = lines.drop(columns="due")
    lines = lines.sort_values(
        ["provider_id", "municipality_code", "citizen_key", "grant_id", "episode_start"], kind="stable"
    ).reset_index(drop=True)
    lines["explanation"] = [explain(row, model, as_of) for row in lines.to_dict("records")]
    return lines[LINE_COLUMNS]


def paid_in_scope(model: Model, grants: pd.DataFrame, paid: pd.DataFrame) -> pd.DataFrame:
    """Rule 9's scope: what was paid for the grants the model settles today, by grant_id
    whatever intervention the paid line had (a grant whose intervention was corrected
    carries its payments along), and for grants no longer in the data whose paid line
    was of one of the model's interventions."""
    scope = set(grants.loc[grants["intervention_code"].isin(model.interventions), "grant_id"])
    known = set(grants["grant_id"])
    keep = paid["grant_id"].isin(scope) | (~paid["grant_id"].isin(known) & paid["intervention_code"].isin(model.interventions))
    return paid.loc[keep]


def compute_lines(
    model: Model,
    as_of: date,
    grants: pd.DataFrame,
    assessments: pd.DataFrame,
    rates: pd.DataFrame,
    paid: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The lines of a settlement run as of `as_of` (rules 1-10), from the warehouse's
    grants, assessments and rates and what earlier approved runs paid for the grants."""
    episodes = qualified_episodes(model, as_of, grants, assessments, rates)
    paid = paid if paid is not None else pd.DataFrame(columns=PAID_COLUMNS)
    return settle(model, as_of, episodes, paid_in_scope(model, grants, paid))
