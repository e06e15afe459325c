"""The Danish explanation of a settlement line: which rules produced its amounts.

Written from the line's own values and the model only, so that an accountant can redo the
arithmetic from the statement. Text stays within latin-1 (the PDF core fonts).

`explain` writes one line's paragraph (the day-by-day reference in the tests uses it);
`explain_lines` writes the same paragraphs for a whole run at once, a column at a time.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

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


def _days_text(numbers: np.ndarray) -> np.ndarray:
    """Day numbers (since 1970-01-01) as `day()` writes them, '01.02.2025'."""
    unique, where = np.unique(np.asarray(numbers, dtype=np.int64), return_inverse=True)
    epoch = date(1970, 1, 1)
    text = np.array([day(epoch + timedelta(days=int(n))) for n in unique], dtype=object)
    return text[where]


def _when(condition: np.ndarray, *parts) -> list:
    """Parts that appear only on the lines where condition holds (else "")."""
    if not condition.any():
        return []
    return [np.where(condition, part, "") for part in parts]


def explain_lines(lines: pd.DataFrame, model: Model, as_of: date) -> np.ndarray:
    """`explain` for every line at once, from lines in day numbers and whole øre (the
    engine's `line_frame`); the same text, sentence for sentence."""
    n = len(lines)
    if not n:
        return np.array([], dtype=object)
    from incentive_models import ore, text_columns  # engine -> explain -> ore: no cycle at import

    def amount(column: str) -> np.ndarray:
        return lines[column].to_numpy(np.int64)

    def money(column: str) -> np.ndarray:
        return ore.kroner(amount(column))

    qualified_on = amount("qualified_on")
    orphan = qualified_on == int(np.int64(-(1 << 40)))  # engine.NO_DAY: no longer qualified
    start = amount("episode_start")
    start_text = _days_text(start)
    days = amount("days_counted")
    exit_days = amount("exit_days")
    paid = money("previously_paid_ore")
    caps = lines["capped_by"].to_numpy(dtype=object)
    capped = {
        name: np.array([c is not None and c == c and name in c.split(",") for c in caps], dtype=bool)
        for name in (CAP_EPISODE, CAP_PROVIDER, CAP_BUDGET)
    }
    last = np.where(orphan, start, start + days - 1)
    parts = [
        "Forløb under udgangsniveau ", text_columns.by_unique(amount("baseline_level"), str),
        " fra ", start_text, " (regel 1, 6), kvalificeret ", _days_text(np.where(orphan, start, qualified_on)),
        f" på dag {model.qualifying_days} (regel 8). Talt med: ", text_columns.by_unique(days, str),
        " dage fra ", start_text, " til og med ", _days_text(last),
        *_when(exit_days != 0, ", heraf ", text_columns.by_unique(exit_days, str), " dage efter bevillingens afslutning (regel 3)"),
        *_when(days >= model.horizon_days, f"; horisonten på {model.horizon_days} dage er nået (regel 7)"),
        ". Besparelse ", money("saving_to_date_ore"), f" (regel 4-5) × andel {percent(model.share)} = optjent ",
        money("earned_ore"),
    ]
    if model.cap_per_episode_dkk is not None:
        parts += _when(capped[CAP_EPISODE], f", begrænset af loftet pr. forløb på {kroner(model.cap_per_episode_dkk)}")
    parts += [" (regel 9). Tidligere udbetalt ", paid]
    own, carried = amount("paid_for_episode_ore"), amount("previously_paid_ore")
    moved = own != carried
    if moved.any():
        more, less = moved & (carried > own), moved & (carried <= own)
        parts += _when(more, " Heraf er ", ore.kroner(carried - own), " udbetalt for bevillingens andre forløb og trukket fra her, "
                       "så bevillingen aldrig udbetales to gange (regel 9).")
        parts += _when(less, " For dette forløb er der udbetalt ", ore.kroner(own), "; ", ore.kroner(own - carried),
                       " heraf er trukket fra bevillingens andre forløb (regel 9).")
    adjustment = amount("adjustment_ore")
    parts += _when(adjustment < 0, " Det optjente er mindre end det tidligere udbetalte: forskellen ", ore.kroner(adjustment),
                   " kræves ikke automatisk tilbage, men er sat til gennemgang (regel 9).")
    if model.cap_per_provider_per_run_dkk is not None:
        parts += _when(capped[CAP_PROVIDER], " Nedskaleret forholdsmæssigt, fordi leverandørens tilgodehavende i kørslen oversteg "
                       f"loftet pr. leverandør på {kroner(model.cap_per_provider_per_run_dkk)} (regel 10).")
    if model.budget_per_run_dkk is not None:
        parts += _when(capped[CAP_BUDGET], " Nedskaleret forholdsmæssigt, fordi kørslens samlede tilgodehavende oversteg "
                       f"budgettet pr. kørsel på {kroner(model.budget_per_run_dkk)} (regel 10).")
    parts += _when(amount("held_back_ore") > 0, " Tilbageholdt ", money("held_back_ore"),
                   " er stadig skyldigt og indgår i senere kørsler (regel 10).")
    parts += [" Til udbetaling: ", money("payout_ore")]
    text = np.array(text_columns.rows(parts), dtype=object)
    if orphan.any():
        gone = np.flatnonzero(orphan)
        text[gone] = text_columns.rows([
            "Forløbet fra ", start_text[gone], " blev udbetalt i tidligere godkendte kørsler, men er med de "
            f"nuværende data ikke et kvalificeret forløb pr. {day(as_of)} (regel 6-8). Tidligere udbetalt ",
            paid[gone], "; forskellen ", ore.kroner(adjustment[gone]), " kræves ikke automatisk tilbage, "
            "men er sat til gennemgang (regel 9).",
        ])
    return text
