"""The oracle: the settlement rules computed the slow, obvious way, one day at a time.

Written from the rules as stated in `incentive_models.rules` (not from the engine): for
every day it asks "is the citizen below baseline today, and what is today's saving?".
It shares only the arithmetic helpers (rounding to øre, cap scaling) and the wording of
the explanation with the engine.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

from incentive_models import rules
from incentive_models.engine import LINE_COLUMNS
from incentive_models.explain import explain
from incentive_models.model import Model

ONE_DAY = timedelta(days=1)


def _as_date(value) -> date | None:
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return None
    return value.date() if isinstance(value, pd.Timestamp) else value


def _rate(rates: list[dict], intervention: str, level: int, provider: str, day: date) -> Decimal | None:
    """Rule 4: the rate row with the latest valid_from on or before the day, among the
    provider's own rows for (intervention, level) if it has any, else the general rows."""
    same = [r for r in rates if r["intervention_code"] == intervention and r["support_level"] == level]
    own = [r for r in same if (r.get("provider_id") or "") == provider and provider]
    rows = [r for r in (own or [r for r in same if not r.get("provider_id")]) if _as_date(r["valid_from"]) <= day]
    if not rows:
        return None
    return Decimal(max(rows, key=lambda r: _as_date(r["valid_from"]))["daily_rate_dkk"])


def _days_of_grant(model: Model, grant: dict, grants: list[dict], assessments: list[dict], as_of: date):
    """Each day from the baseline assessment to as_of: (day, below baseline?, level or 'exit')."""
    own = sorted((_as_date(a["assessed_on"]), int(a["support_level"])) for a in assessments if a["grant_id"] == grant["grant_id"])
    if not own:
        return None, []
    first_day, baseline = own[0]  # rule 1
    start, end = _as_date(grant["start_date"]), _as_date(grant["end_date"])
    exited = end is not None and grant["end_reason"] in model.exit_reasons
    others = [
        (_as_date(h["start_date"]), _as_date(h["end_date"]))
        for h in grants
        if h["grant_id"] != grant["grant_id"]
        and h["citizen_key"] == grant["citizen_key"]
        and h["intervention_code"] == grant["intervention_code"]
    ]
    out = []
    day = first_day
    while day <= as_of:
        if start <= day and (end is None or day <= end):
            level = [lvl for on, lvl in own if on <= day][-1]  # rule 2
            out.append((day, level < baseline, level))
        elif exited and day > end:
            # rule 3: left support until a grant of the same citizen and intervention that
            # runs after this one's end has started (a relapse, or one still running)
            back = any(o_start <= day and (o_end is None or o_end > end) for o_start, o_end in others)
            out.append((day, not back, "exit"))
        else:
            out.append((day, False, None))
        day += ONE_DAY
    return baseline, out


def reference_episodes(model: Model, as_of: date, grants: pd.DataFrame, assessments: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Rules 1-8, day by day: one row per episode qualified on or before as_of."""
    scope = [g for g in grants.to_dict("records") if g["intervention_code"] in model.interventions]
    all_assessments = assessments.to_dict("records")
    all_rates = rates.to_dict("records")
    rows, missing = [], []
    for grant in scope:
        baseline, days = _days_of_grant(model, grant, scope, all_assessments, as_of)
        episodes, current = [], []
        for day, below, level in days:  # rule 6: maximal runs of days below baseline
            if below:
                current.append((day, level))
            elif current:
                episodes.append(current)
                current = []
        if current:
            episodes.append(current)
        for episode in episodes:
            if len(episode) < model.qualifying_days:  # rule 8 (only days up to as_of are known)
                continue
            counted = episode[: model.horizon_days]  # rule 7
            saving, exit_days = Decimal(0), 0
            for day, level in counted:
                base_rate = _rate(all_rates, grant["intervention_code"], baseline, grant["provider_id"], day)
                if base_rate is None:
                    missing.append(rules.MissingRate(grant["intervention_code"], baseline, day, grant["grant_id"], grant["provider_id"]))
                if level == "exit":
                    exit_days += 1
                    if base_rate is not None:
                        saving += base_rate  # rule 5, exit day
                    continue
                level_rate = _rate(all_rates, grant["intervention_code"], level, grant["provider_id"], day)
                if level_rate is None:
                    missing.append(rules.MissingRate(grant["intervention_code"], level, day, grant["grant_id"], grant["provider_id"]))
                elif base_rate is not None:
                    saving += max(Decimal(0), base_rate - level_rate)  # rule 5, active day
            rows.append(
                {
                    "provider_id": grant["provider_id"],
                    "municipality_code": grant["municipality_code"],
                    "intervention_code": grant["intervention_code"],
                    "grant_id": grant["grant_id"],
                    "citizen_key": grant["citizen_key"],
                    "episode_start": episode[0][0],
                    "baseline_level": baseline,
                    "qualified_on": episode[0][0] + (model.qualifying_days - 1) * ONE_DAY,
                    "days_counted": len(counted),
                    "exit_days": exit_days,
                    "saving_to_date_dkk": saving.quantize(rules.ORE),
                }
            )
    if missing:
        raise rules.missing_rate(missing)
    return rows


def reference_lines(
    model: Model,
    as_of: date,
    grants: pd.DataFrame,
    assessments: pd.DataFrame,
    rates: pd.DataFrame,
    paid: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rules 1-10 with plain loops."""
    lines = reference_episodes(model, as_of, grants, assessments, rates)
    paid_rows = [] if paid is None else paid.to_dict("records")
    paid_by_key: dict[tuple, dict] = {}
    intervention_of = {g["grant_id"]: g["intervention_code"] for g in grants.to_dict("records")}
    for p in paid_rows:  # several rows of one episode (e.g. under two models) add up
        # a grant of the model's scope today, whatever the paid line's intervention was;
        # a grant gone from the data counts by its paid line's intervention
        if intervention_of.get(p["grant_id"], p["intervention_code"]) not in model.interventions:
            continue
        key = (p["grant_id"], p["episode_start"])
        before = paid_by_key.get(key, {}).get("previously_paid_dkk", rules.ZERO)
        paid_by_key[key] = {**p, "previously_paid_dkk": before + Decimal(p["previously_paid_dkk"])}
    for line in lines:
        line["earned_dkk"], hit = rules.earned(model.share, line["saving_to_date_dkk"], model.cap_per_episode_dkk)
        line["capped_by"] = [rules.CAP_EPISODE] if hit else []
    # Rule 9: what was paid is deducted per grant. (a) each episode carries what was paid
    # for itself, up to its earned amount; (b) the rest of the grant's payments fill its
    # episodes in order of start, each up to its earned amount; (c) what is still left
    # stays on the grant's last episode.
    for grant_id in sorted({line["grant_id"] for line in lines}):
        own = sorted((l for l in lines if l["grant_id"] == grant_id), key=lambda l: l["episode_start"])
        for line in own:
            previous = paid_by_key.pop((grant_id, line["episode_start"]), None)
            line["paid_for_episode_dkk"] = previous["previously_paid_dkk"] if previous else rules.ZERO
            line["previously_paid_dkk"] = min(line["earned_dkk"], line["paid_for_episode_dkk"])
        rest = sum((line["paid_for_episode_dkk"] - line["previously_paid_dkk"] for line in own), rules.ZERO)
        for key in [k for k in paid_by_key if k[0] == grant_id]:
            rest += paid_by_key.pop(key)["previously_paid_dkk"]
        for line in own:
            take = min(rest, line["earned_dkk"] - line["previously_paid_dkk"])
            line["previously_paid_dkk"] += take
            rest -= take
        own[-1]["previously_paid_dkk"] += rest
    for previous in paid_by_key.values():  # paid before; the grant has no qualified episode now
        lines.append(
            {
                **{k: previous[k] for k in ("provider_id", "municipality_code", "intervention_code", "grant_id", "citizen_key", "episode_start", "baseline_level")},
                "qualified_on": None,
                "days_counted": 0,
                "exit_days": 0,
                "saving_to_date_dkk": rules.ZERO,
                "previously_paid_dkk": previous["previously_paid_dkk"],
                "paid_for_episode_dkk": previous["previously_paid_dkk"],
                "earned_dkk": rules.ZERO,
                "capped_by": [],
            }
        )
    for line in lines:  # rule 9
        due = line["earned_dkk"] - line["previously_paid_dkk"]
        line["due"] = max(due, rules.ZERO)
        line["adjustment_dkk"] = min(due, rules.ZERO) if due < 0 else rules.ZERO
        line["payout_dkk"] = line["due"]
    if model.cap_per_provider_per_run_dkk is not None:  # rule 10, per provider
        cap = model.cap_per_provider_per_run_dkk
        for provider in {line["provider_id"] for line in lines}:
            own = [line for line in lines if line["provider_id"] == provider]
            total = sum((line["payout_dkk"] for line in own), rules.ZERO)
            if total > cap:
                for line in own:
                    if line["payout_dkk"] > 0:
                        line["payout_dkk"] = rules.scale(line["payout_dkk"], cap, total)
                        line["capped_by"].append(rules.CAP_PROVIDER)
    if model.budget_per_run_dkk is not None:  # rule 10, the whole run
        total = sum((line["payout_dkk"] for line in lines), rules.ZERO)
        if total > model.budget_per_run_dkk:
            for line in lines:
                if line["payout_dkk"] > 0:
                    line["payout_dkk"] = rules.scale(line["payout_dkk"], model.budget_per_run_dkk, total)
                    line["capped_by"].append(rules.CAP_BUDGET)
    for line in lines:
        line["held_back_dkk"] = line.pop("due") - line["payout_dkk"]
        line["capped_by"] = ",".join(line["capped_by"]) or None
        line["explanation"] = explain(line, model, as_of)
        del line["paid_for_episode_dkk"]
    lines.sort(key=lambda l: (l["provider_id"], l["municipality_code"], l["citizen_key"], l["grant_id"], l["episode_start"]))
    return pd.DataFrame(lines, columns=LINE_COLUMNS)
