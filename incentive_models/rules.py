"""What the settlement rules are, in one place.

The interval engine (`incentive_models.engine`) and the day-by-day reference in the tests
both implement these rules; the small pure helpers below are shared by both.

For each grant whose intervention is in the model's scope (days are calendar dates; a
grant is active from start_date to end_date, both included, open if end_date is empty):

1. Baseline: L0 is the support_level of the grant's earliest assessment. Days before
   that assessment count nothing (active days and exit days alike).
2. Level on an active day d: the support_level of the latest assessment dated on or
   before d.
3. Exit: if the grant ended with an end_reason in `exit_reasons`, the citizen counts as
   having left support on each day after end_date, until the day before the start of
   any later grant of the same citizen with the same intervention (a relapse), and never
   beyond the horizon (rule 7). Choice: a grant of the same citizen and intervention
   that is still running after end_date also ends the exit on the day after end_date
   (the citizen never left support).
4. Rate: r(d, L) is the daily_rate_dkk of the row for (intervention, L) with the latest
   valid_from on or before d, among the grant's provider's own rows if it has any row for
   (intervention, L), else among the general rows (provider_id '';
   `socialbench.rate_rule`, shared with the forecast). A missing rate is an error naming
   intervention, level, provider and date (`missing_rate`), never a silent zero. Exit
   days use the rate valid on the exit day itself.
5. Saving on a day: s(d) = max(0, r(d, L0) - r(d, level(d))) on an active day with
   level(d) < L0; s(d) = r(d, L0) on an exit day; otherwise 0.
6. Episode: a maximal run of consecutive days on which the citizen is below baseline
   (active with level < L0, or exited). A grant can have several episodes. An episode is
   known by (grant_id, episode_start).
7. Horizon: an episode counts at most its first `horizon_days` days.
8. Qualification: an episode qualifies on its day number `qualifying_days`
   (first day + qualifying_days - 1) if it lasts that long. Before that nothing of it is
   payable; from then on all its counted days are.
9. A run is made as of a date E. For each episode that qualified on or before E:
   earned = share x sum of s(d) over its counted days up to and including E, rounded
   half-up to øre, then limited to cap_per_episode_dkk. previously_paid: what was paid
   is deducted per grant, not per episode: everything paid for a grant in earlier
   approved runs, under any model, is carried by the grant's lines, so that a grant is
   never paid twice, even when a corrected assessment moves an episode's start, a model
   is saved again under another id, or a grant's intervention is corrected (a grant
   belongs to the scope by its intervention today, and its payments go with it whatever
   intervention the paid line had; a grant no longer in the data counts by its paid
   line's intervention). The grant's payments are carried as follows:
   (a) each episode carries what was paid for that same episode (grant_id,
   episode_start), up to its earned amount; (b) the rest of the grant's payments (paid
   for episodes that today's data no longer has, or above an episode's earned amount)
   fill the grant's episodes in order of episode_start, each up to its earned amount;
   (c) whatever is still left stays on the grant's last episode. A grant with payments
   but no qualified episode today gets one line per paid episode, with earned 0, so that
   what was paid shows up as a negative adjustment instead of disappearing. due = earned
   - previously_paid; if negative, the payout is 0 and the line carries adjustment_dkk =
   due for review. Over a grant, the payouts before caps are max(0, sum of earned - sum
   of what was paid).
10. Caps per run: if a provider's dues exceed cap_per_provider_per_run_dkk, that
    provider's lines are scaled down in proportion; then, if all dues (after the
    provider caps) exceed budget_per_run_dkk, all lines are scaled down in proportion.
    Scaled amounts are rounded half-up to øre (so a scaled total can differ from the cap
    by at most half an øre per line). What a cap holds back stays owed: it is due again
    in later runs, because earned - previously_paid still includes it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from socialbench.errors import RuleError
from socialbench.money import ORE, round_ore  # noqa: F401 (the rules' rounding, shared)
from socialbench.rate_rule import missing_rate_error

ZERO = Decimal("0.00")

# Values of capped_by, in the order the caps apply.
CAP_EPISODE = "episode"
CAP_PROVIDER = "provider"
CAP_BUDGET = "budget"


def earned(share: Decimal, saving: Decimal, cap: Decimal | None) -> tuple[Decimal, bool]:
    """Rule 9: share x saving rounded half-up to øre, limited to the episode cap.

    Returns (earned, whether the cap limited it)."""
    amount = round_ore(Fraction(share) * Fraction(saving))
    if cap is not None and amount > cap:
        return cap.quantize(ORE), True
    return amount, False


def scale(amount: Decimal, limit: Decimal, total: Decimal) -> Decimal:
    """Rule 10: amount x limit / total, exactly, rounded half-up to øre."""
    return round_ore(Fraction(amount) * Fraction(limit) / Fraction(total))


@dataclass(frozen=True)
class MissingRate:
    intervention_code: str
    support_level: int
    day: date
    grant_id: str
    provider_id: str


def missing_rate(missing: Iterable[MissingRate]) -> RuleError:
    """Rule 4: the error for the earliest missing rate (by date, intervention, level, grant)."""
    first = min(missing, key=lambda m: (m.day, m.intervention_code, m.support_level, m.grant_id))
    return missing_rate_error(first.intervention_code, first.support_level, first.provider_id, first.day, first.grant_id)


def pay(earned_dkk: Decimal, previously_paid_dkk: Decimal) -> tuple[Decimal, Decimal]:
    """Rule 9: (payout before run caps, adjustment_dkk) from earned and previously paid."""
    due = earned_dkk - previously_paid_dkk
    if due < 0:
        return ZERO, due
    return due, ZERO
