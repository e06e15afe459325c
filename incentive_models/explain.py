"""The Danish explanation of a settlement line: which rules produced its amounts.

Written from the line's own values and the model only, so that an accountant can redo the
arithmetic from the statement. Text stays within latin-1 (the PDF core fonts).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

from incentive_models.danish import day, kroner, percent
from incentive_models.model import Model
from incentive_models.rules import CAP_BUDGET, CAP_EPISODE, CAP_PROVIDER


def _capped(line: Mapping) -> set[str]:
    return set((line.get("capped_by") or "").split(",")) - {""}


def _sentences(parts: list[str]) -> str:
    """Join sentences, ending each with one full stop ('kr.' already ends one)."""
    return " ".join(p if p.endswith(".") else p + "." for p in parts)


def _moved(own: Decimal, carried: Decimal) -> str:
    """Rule 9: what a grant was paid is deducted per grant, so it can move between its episodes."""
    if carried > own:
        return (
            f"Heraf er {kroner(carried - own)} udbetalt for bevillingens andre forløb og trukket fra her, "
            f"så bevillingen aldrig udbetales to gange (regel 9)"
        )
    return (
        f"For dette forløb er der udbetalt {kroner(own)}; {kroner(own - carried)} heraf er trukket fra "
        f"bevillingens andre forløb (regel 9)"
    )


def explain(line: Mapping, model: Model, as_of: date) -> str:
    """One paragraph in Danish for one line (a row of the settlement_line table)."""
    start: date = line["episode_start"]
    paid: Decimal = line["previously_paid_dkk"]
    if line["qualified_on"] is None:
        return (
            f"Forløbet fra {day(start)} blev udbetalt i tidligere godkendte kørsler, men er med de "
            f"nuværende data ikke et kvalificeret forløb pr. {day(as_of)} (regel 6-8). Tidligere udbetalt "
            f"{kroner(paid)}; forskellen {kroner(line['adjustment_dkk'])} kræves ikke automatisk tilbage, "
            f"men er sat til gennemgang (regel 9)."
        )
    days = int(line["days_counted"])
    last = start + timedelta(days=days - 1)
    capped = _capped(line)
    parts = [
        f"Forløb under udgangsniveau {line['baseline_level']} fra {day(start)} (regel 1, 6), "
        f"kvalificeret {day(line['qualified_on'])} på dag {model.qualifying_days} (regel 8)."
    ]
    counted = f"Talt med: {days} dage fra {day(start)} til og med {day(last)}"
    exit_days = int(line.get("exit_days") or 0)
    if exit_days:
        counted += f", heraf {exit_days} dage efter bevillingens afslutning (regel 3)"
    if days >= model.horizon_days:
        counted += f"; horisonten på {model.horizon_days} dage er nået (regel 7)"
    parts.append(counted)
    earned = (
        f"Besparelse {kroner(line['saving_to_date_dkk'])} (regel 4-5) × andel {percent(model.share)} "
        f"= optjent {kroner(line['earned_dkk'])}"
    )
    if CAP_EPISODE in capped:
        earned += f", begrænset af loftet pr. forløb på {kroner(model.cap_per_episode_dkk)}"
    parts.append(earned + " (regel 9).")
    parts.append(f"Tidligere udbetalt {kroner(paid)}")
    own: Decimal = line.get("paid_for_episode_dkk", paid)
    if own != paid:
        parts.append(_moved(own, paid))
    adjustment: Decimal = line["adjustment_dkk"]
    if adjustment < 0:
        parts.append(
            f"Det optjente er mindre end det tidligere udbetalte: forskellen {kroner(adjustment)} "
            f"kræves ikke automatisk tilbage, men er sat til gennemgang (regel 9)."
        )
    if CAP_PROVIDER in capped:
        parts.append(
            f"Nedskaleret forholdsmæssigt, fordi leverandørens tilgodehavende i kørslen oversteg "
            f"loftet pr. leverandør på {kroner(model.cap_per_provider_per_run_dkk)} (regel 10)."
        )
    if CAP_BUDGET in capped:
        parts.append(
            f"Nedskaleret forholdsmæssigt, fordi kørslens samlede tilgodehavende oversteg "
            f"budgettet pr. kørsel på {kroner(model.budget_per_run_dkk)} (regel 10)."
        )
    held_back: Decimal = line["held_back_dkk"]
    if held_back > 0:
        parts.append(f"Tilbageholdt {kroner(held_back)} er stadig skyldigt og indgår i senere kørsler (regel 10).")
    parts.append(f"Til udbetaling: {kroner(line['payout_dkk'])}")
    return _sentences(parts)
