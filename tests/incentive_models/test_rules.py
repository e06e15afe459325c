"""One or more examples per numbered rule, with the arithmetic written out."""
from __future__ import annotations

from decimal import Decimal as D

import pandas as pd
import pytest

from incentive_models.engine import compute_lines
from incentive_models.rules import round_ore, scale
from socialbench.errors import RuleError
from tests.incentive_models import builders as b
from tests.incentive_models.reference import reference_lines

WORKED = b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-02-01", 2), ("G1", "2025-06-01", 1))


def both(model, as_of, grants, assessments, rates, paid=None):
    """Lines by the engine, checked against the day-by-day reference."""
    lines = compute_lines(model, b.d(as_of), grants, assessments, rates, paid)
    expected = reference_lines(model, b.d(as_of), grants, assessments, rates, paid)
    assert lines.reset_index(drop=True).equals(expected)
    return lines


def one(lines):
    assert len(lines) == 1
    return lines.iloc[0]


# The worked example of the issue.

def test_worked_example_pays_nothing_before_qualifying():
    lines = both(b.model(), "2025-03-31", b.grants(b.grant()), WORKED, b.worked_example_rates())
    assert lines.empty


def test_worked_example_pays_34500_as_of_end_of_june():
    line = one(both(b.model(), "2025-06-30", b.grants(b.grant()), WORKED, b.worked_example_rates()))
    assert line.episode_start == b.d("2025-02-01")
    assert line.qualified_on == b.d("2025-05-01")  # 2025-02-01 + 90 - 1
    assert line.days_counted == 28 + 31 + 30 + 31 + 30  # Feb-Jun = 150
    assert line.saving_to_date_dkk == 120 * (1000 - 600) + 30 * (1000 - 300)
    assert line.earned_dkk == D("0.5") * (120 * 400 + 30 * 700) == D("34500.00")
    assert line.payout_dkk == D("34500.00")
    assert "34.500,00 kr." in line.explanation


def test_a_grant_ending_9999_12_31_settles_like_an_open_grant():
    # Case systems write open-ended grants with this end date; pandas timestamps end in 2262.
    line = one(both(b.model(), "2025-06-30", b.grants(b.grant(end="9999-12-31")), WORKED, b.worked_example_rates()))
    assert line.earned_dkk == D("0.5") * (120 * 400 + 30 * 700) == D("34500.00")


# Rule 1: baseline is the earliest assessment; days before it count nothing.

def test_rule1_baseline_is_the_earliest_assessment_even_if_later_levels_are_higher():
    assessments = b.assessments(("G1", "2025-01-10", 2), ("G1", "2025-01-20", 3), ("G1", "2025-02-01", 1))
    line = one(both(b.model(qualifying_days=10), "2025-02-28", b.grants(b.grant()), assessments, b.worked_example_rates()))
    assert line.baseline_level == 2
    assert line.episode_start == b.d("2025-02-01")
    assert line.saving_to_date_dkk == 28 * (600 - 300)


def test_rule1_days_before_the_first_assessment_count_nothing():
    # Ended (goal achieved) on 31 Jan, first assessed on 10 Feb: exit days start 10 Feb.
    grants = b.grants(b.grant(end="2025-01-31", end_reason="goal_achieved"))
    assessments = b.assessments(("G1", "2025-02-10", 3))
    line = one(both(b.model(qualifying_days=5), "2025-02-28", grants, assessments, b.worked_example_rates()))
    assert line.episode_start == b.d("2025-02-10")
    assert line.days_counted == 19 and line.exit_days == 19
    assert line.saving_to_date_dkk == 19 * 1000


def test_rule1_grant_without_assessments_counts_nothing():
    grants = b.grants(b.grant(end="2025-01-31", end_reason="goal_achieved"))
    assert both(b.model(qualifying_days=1), "2025-12-31", grants, b.assessments(), b.worked_example_rates()).empty


# Rule 2: the level on a day is the latest assessment on or before it.

def test_rule2_level_changes_on_the_assessment_day_itself():
    assessments = b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-01-11", 2), ("G1", "2025-01-21", 3))
    line = one(both(b.model(qualifying_days=10), "2025-03-31", b.grants(b.grant()), assessments, b.worked_example_rates()))
    assert (line.episode_start, line.days_counted) == (b.d("2025-01-11"), 10)  # 11-20 January
    assert line.saving_to_date_dkk == 10 * 400


def test_rule2_assessment_before_the_grant_starts_sets_its_level():
    grants = b.grants(b.grant(start="2025-03-01"))
    assessments = b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-02-01", 1))
    line = one(both(b.model(qualifying_days=10), "2025-03-31", grants, assessments, b.worked_example_rates()))
    assert line.episode_start == b.d("2025-03-01")  # not active before its start
    assert line.saving_to_date_dkk == 31 * 700


# Rule 3: exits and relapses.

def test_rule3_exit_counts_the_baseline_rate_after_the_end():
    grants = b.grants(b.grant(end="2025-03-31", end_reason="goal_achieved"))
    line = one(both(b.model(), "2025-06-30", grants, WORKED, b.worked_example_rates()))
    # Below baseline 1 Feb - 31 Mar at level 2 (59 days), then exited 1 Apr - 30 Jun (91 days).
    assert line.days_counted == 59 + 91 and line.exit_days == 91
    assert line.saving_to_date_dkk == 59 * 400 + 91 * 1000
    assert line.earned_dkk == (59 * 400 + 91 * 1000) / D(2)


def test_rule3_other_end_reasons_are_not_exits():
    grants = b.grants(b.grant(end="2025-03-31", end_reason="moved"))
    assert both(b.model(), "2025-06-30", grants, WORKED, b.worked_example_rates()).empty  # 59 days < 90


def test_rule3_exit_reasons_come_from_the_model():
    grants = b.grants(b.grant(end="2025-03-31", end_reason="moved"))
    model = b.model(exit_reasons=["goal_achieved", "moved"])
    assert one(both(model, "2025-06-30", grants, WORKED, b.worked_example_rates())).exit_days == 91


def test_rule3_relapse_ends_the_exit_the_day_before_a_later_grant_starts():
    grants = b.grants(
        b.grant("G1", end="2025-03-31", end_reason="goal_achieved"),
        b.grant("G2", start="2025-05-11", provider="P2"),
    )
    assessments = b.assessments(*WORKED.itertuples(index=False), ("G2", "2025-05-11", 3))
    line = one(both(b.model(), "2025-06-30", grants, assessments, b.worked_example_rates()))
    # Exit 1 Apr - 10 May (40 days); the episode lasted 59 + 40 = 99 days >= 90.
    assert (line.grant_id, line.days_counted, line.exit_days) == ("G1", 99, 40)
    assert line.saving_to_date_dkk == 59 * 400 + 40 * 1000


def test_rule3_relapse_into_another_intervention_is_no_relapse():
    grants = b.grants(
        b.grant("G1", end="2025-03-31", end_reason="goal_achieved"),
        b.grant("G2", start="2025-05-11", intervention="SEL108"),
    )
    assert one(both(b.model(), "2025-06-30", grants, WORKED, b.worked_example_rates())).exit_days == 91


def test_rule3_a_parallel_grant_still_running_means_no_exit():
    grants = b.grants(
        b.grant("G1", end="2025-03-31", end_reason="goal_achieved"),
        b.grant("G2", start="2025-03-01", provider="P2"),
    )
    assessments = b.assessments(*WORKED.itertuples(index=False), ("G2", "2025-03-01", 2))
    assert both(b.model(), "2025-06-30", grants, assessments, b.worked_example_rates()).empty


def test_rule3_exit_stops_at_the_horizon():
    grants = b.grants(b.grant(end="2025-01-31", end_reason="goal_achieved"))
    assessments = b.assessments(("G1", "2025-01-01", 3))
    line = one(both(b.model(qualifying_days=30, horizon_days=100), "2026-12-31", grants, assessments, b.worked_example_rates()))
    assert (line.days_counted, line.exit_days, line.saving_to_date_dkk) == (100, 100, 100 * 1000)


# Rule 4: rates, rate changes inside an episode, missing rates.

def test_rule4_rate_change_inside_an_episode():
    rates = b.rates(
        (3, "2020-01-01", 1000), (2, "2020-01-01", 600), (1, "2020-01-01", 300),
        (3, "2025-04-01", 1100), (2, "2025-05-15", 650),
    )
    assessments = b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-02-01", 2))
    line = one(both(b.model(), "2025-06-30", b.grants(b.grant()), assessments, rates))
    feb_mar = 28 + 31  # 1000 - 600
    apr_to_may14 = 30 + 14  # 1100 - 600
    may15_to_jun = 17 + 30  # 1100 - 650
    assert line.saving_to_date_dkk == feb_mar * 400 + apr_to_may14 * 500 + may15_to_jun * 450


def test_rule4_exit_day_uses_the_rate_valid_that_day():
    rates = b.rates((3, "2020-01-01", 1000), (3, "2025-03-01", 1200))
    grants = b.grants(b.grant(end="2025-01-31", end_reason="goal_achieved"))
    line = one(both(b.model(qualifying_days=10), "2025-03-10", grants, b.assessments(("G1", "2025-01-01", 3)), rates))
    assert line.saving_to_date_dkk == 28 * 1000 + 10 * 1200


def test_rule4_missing_rate_is_an_error_naming_intervention_level_and_date():
    rates = b.rates((3, "2020-01-01", 1000), (2, "2025-03-01", 600))
    assessments = b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-02-01", 2))
    message = "no daily rate for intervention SEL85 level 2 provider P1 on 2025-02-01"
    with pytest.raises(RuleError, match=message):
        compute_lines(b.model(), b.d("2025-06-30"), b.grants(b.grant()), assessments, rates)
    with pytest.raises(RuleError, match=message):
        reference_lines(b.model(), b.d("2025-06-30"), b.grants(b.grant()), assessments, rates)


# P1's own tariff for levels 3 and 2 (not 1): 1,200 and 700 kr. a day.
P1_TARIFF = b.rates((3, "2020-01-01", 1200), (2, "2020-01-01", 700), provider="P1")


def test_rule4_a_provider_with_its_own_tariff_is_paid_by_it():
    rates = b.with_tariffs(b.worked_example_rates(), P1_TARIFF)
    g2 = b.grants(b.grant(), b.grant("G2", citizen="C2", provider="P2"))
    assessments = pd.concat([WORKED, WORKED.assign(grant_id="G2")], ignore_index=True)
    lines = both(b.model(), "2025-06-30", g2, assessments, rates).set_index("grant_id")
    # G1 (P1): 120 days at 1,200 - 700, then 30 days at 1,200 - 300 (P1 has no level-1 row: the general one)
    assert lines.loc["G1", "saving_to_date_dkk"] == 120 * (1200 - 700) + 30 * (1200 - 300)
    assert lines.loc["G1", "earned_dkk"] == D("0.5") * 87_000 == D("43500.00")
    # G2 (P2, no own tariff): the worked example's general rates
    assert lines.loc["G2", "earned_dkk"] == D("34500.00")


def test_rule4_the_worked_example_with_general_rates_still_pays_34500():
    # A general rate stored with provider_id '' is the rate of every provider without its own.
    rates = b.with_tariffs(b.worked_example_rates(), b.rates((3, "2020-01-01", 1200), provider="P2"))
    assert one(both(b.model(), "2025-06-30", b.grants(b.grant()), WORKED, rates)).payout_dkk == D("34500.00")


def test_rule4_an_own_tariff_from_a_later_day_leaves_earlier_days_without_a_rate():
    late = b.rates((3, "2025-03-01", 1200), provider="P1")
    rates = b.with_tariffs(b.worked_example_rates(), late)
    message = "no daily rate for intervention SEL85 level 3 provider P1 on 2025-02-01"
    with pytest.raises(RuleError, match=message):
        compute_lines(b.model(), b.d("2025-06-30"), b.grants(b.grant()), WORKED, rates)
    with pytest.raises(RuleError, match=message):
        reference_lines(b.model(), b.d("2025-06-30"), b.grants(b.grant()), WORKED, rates)


def test_rule4_level_zero_needs_a_rate_too():
    rates = b.rates((3, "2020-01-01", 1000))
    assessments = b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-02-01", 0))
    with pytest.raises(RuleError, match="SEL85 level 0 provider P1 on 2025-02-01"):
        compute_lines(b.model(), b.d("2025-06-30"), b.grants(b.grant()), assessments, rates)


# Rule 5: the saving on a day.

def test_rule5_saving_is_never_negative_when_a_lower_level_costs_more():
    rates = b.rates((3, "2020-01-01", 1000), (2, "2020-01-01", 600), (2, "2025-03-01", 1100))
    assessments = b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-02-01", 2))
    line = one(both(b.model(qualifying_days=10), "2025-03-31", b.grants(b.grant()), assessments, rates))
    assert line.days_counted == 28 + 31  # still below baseline in March
    assert line.saving_to_date_dkk == 28 * 400 + 31 * 0


def test_rule5_levels_above_baseline_save_nothing_and_break_the_episode():
    assessments = b.assessments(("G1", "2025-01-01", 2), ("G1", "2025-02-01", 4), ("G1", "2025-03-01", 1))
    rates = b.rates((4, "2020-01-01", 1500), (2, "2020-01-01", 600), (1, "2020-01-01", 300))
    line = one(both(b.model(qualifying_days=10), "2025-03-31", b.grants(b.grant()), assessments, rates))
    assert (line.episode_start, line.saving_to_date_dkk) == (b.d("2025-03-01"), 31 * 300)


# Rule 6: several episodes per grant.

def test_rule6_several_episodes_per_grant():
    assessments = b.assessments(
        ("G1", "2025-01-01", 3), ("G1", "2025-02-01", 2), ("G1", "2025-03-01", 3), ("G1", "2025-04-01", 1)
    )
    lines = both(b.model(qualifying_days=20), "2025-04-30", b.grants(b.grant()), assessments, b.worked_example_rates())
    assert list(lines.episode_start) == [b.d("2025-02-01"), b.d("2025-04-01")]
    assert list(lines.saving_to_date_dkk) == [28 * 400, 30 * 700]
    assert list(lines.payout_dkk) == [28 * 200, 30 * 350]


def test_rule6_an_exit_continues_the_episode_of_the_last_active_days():
    grants = b.grants(b.grant(end="2025-02-28", end_reason="goal_achieved"))
    line = one(both(b.model(qualifying_days=30), "2025-03-31", grants, WORKED, b.worked_example_rates()))
    assert (line.episode_start, line.days_counted, line.exit_days) == (b.d("2025-02-01"), 28 + 31, 31)


# Rule 7: the horizon.

def test_rule7_an_episode_counts_at_most_horizon_days():
    line = one(both(b.model(qualifying_days=30, horizon_days=100), "2025-12-31", b.grants(b.grant()), WORKED, b.worked_example_rates()))
    # 1 Feb + 100 days = 1 Feb - 11 May: 120 days would be at level 2, so all 100 are.
    assert line.days_counted == 100 and line.saving_to_date_dkk == 100 * 400
    assert "horisonten på 100 dage er nået" in line.explanation


# Rule 8: qualification.

@pytest.mark.parametrize("as_of, lines", [("2025-04-30", 0), ("2025-05-01", 1)])
def test_rule8_an_episode_qualifies_on_its_day_number_qualifying_days(as_of, lines):
    assert len(both(b.model(), as_of, b.grants(b.grant()), WORKED, b.worked_example_rates())) == lines


def test_rule8_from_qualification_all_counted_days_are_payable():
    line = one(both(b.model(), "2025-05-01", b.grants(b.grant()), WORKED, b.worked_example_rates()))
    assert line.days_counted == 90 and line.earned_dkk == 90 * 400 / 2


def test_rule8_an_episode_shorter_than_qualifying_days_never_pays():
    assessments = b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-02-01", 2), ("G1", "2025-05-01", 3))
    assert both(b.model(), "2025-12-31", b.grants(b.grant()), assessments, b.worked_example_rates()).empty  # 89 days


# Rule 9: earned, rounding, episode cap, previously paid, negative dues.

def test_rule9_earned_is_rounded_half_up_to_ore():
    rates = b.rates((3, "2020-01-01", "0.05"), (2, "2020-01-01", 0))
    assessments = b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-02-01", 2))
    line = one(both(b.model(qualifying_days=1), "2025-02-01", b.grants(b.grant()), assessments, rates))
    assert line.earned_dkk == D("0.03")  # 0.5 x 0.05 = 0.025 -> 0.03 (half-up, not half-even)


def test_rule9_cap_per_episode_limits_earned():
    model = b.model(cap_per_episode_dkk=30000)
    line = one(both(model, "2025-06-30", b.grants(b.grant()), WORKED, b.worked_example_rates()))
    assert (line.earned_dkk, line.payout_dkk, line.capped_by) == (30000, 30000, "episode")


def test_rule9_previously_paid_is_subtracted():
    paid = b.paid(("G1", "2025-02-01", "20000.00"))
    line = one(both(b.model(), "2025-06-30", b.grants(b.grant()), WORKED, b.worked_example_rates(), paid))
    assert (line.previously_paid_dkk, line.payout_dkk, line.adjustment_dkk) == (20000, 34500 - 20000, 0)


def test_rule9_negative_due_pays_nothing_and_is_flagged_for_review():
    paid = b.paid(("G1", "2025-02-01", "40000.00"))
    line = one(both(b.model(), "2025-06-30", b.grants(b.grant()), WORKED, b.worked_example_rates(), paid))
    assert (line.payout_dkk, line.adjustment_dkk) == (0, 34500 - 40000)
    assert "-5.500,00 kr." in line.explanation


def test_rule9_what_was_paid_for_a_moved_episode_is_deducted_from_the_grant():
    # A corrected assessment moved the episode's start: 1,000 was paid for an episode from
    # 15.01; today's data has the grant's episode from 01.02. The grant is paid once.
    paid = b.paid(("G1", "2025-01-15", "1000.00"))
    lines = both(b.model(), "2025-06-30", b.grants(b.grant()), WORKED, b.worked_example_rates(), paid)
    line = one(lines)
    assert (line.episode_start, line.earned_dkk, line.previously_paid_dkk) == (b.d("2025-02-01"), 34500, 1000)
    assert (line.payout_dkk, line.adjustment_dkk) == (34500 - 1000, 0)
    assert "1.000,00 kr. udbetalt for bevillingens andre forløb" in line.explanation


def test_rule9_a_grant_paid_before_without_any_qualified_episode_now_shows_as_adjustment():
    paid = b.paid(("G1", "2025-01-15", "1000.00"))
    lines = both(b.model(), "2025-03-31", b.grants(b.grant()), WORKED, b.worked_example_rates(), paid)
    gone = one(lines)  # as of 31.03 the episode from 01.02 has not qualified yet
    assert (gone.episode_start, gone.earned_dkk, gone.payout_dkk, gone.adjustment_dkk, gone.qualified_on) == (
        b.d("2025-01-15"), 0, 0, -1000, None
    )


def test_rule9_paid_for_two_episodes_fills_the_earlier_episode_first_then_stays_on_the_last():
    # Two episodes of G1: level 2 from 01.02 to 31.03 (59 days x 400 x 0.5 = 11,800),
    # back to 3 in April, level 2 again from 01.05 (61 days to 30.06: 61 x 400 x 0.5 = 12,200).
    assessments = b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-02-01", 2), ("G1", "2025-04-01", 3), ("G1", "2025-05-01", 2))
    model = b.model(qualifying_days=30)
    # Paid before: 20,000 for an episode that no longer exists, 15,000 for the second one.
    paid = b.paid(("G1", "2025-01-20", "20000.00"), ("G1", "2025-05-01", "15000.00"))
    first, second = both(model, "2025-06-30", b.grants(b.grant()), assessments, b.worked_example_rates(), paid).itertuples()
    assert (first.earned_dkk, second.earned_dkk) == (D("0.5") * 59 * 400, D("0.5") * 61 * 400)
    # (a) the second episode carries its own 15,000 up to its 12,200: 2,800 over;
    # (b) 20,000 + 2,800 fill the first episode's 11,800; (c) 11,000 stays on the last.
    assert first.previously_paid_dkk == 11800 and first.payout_dkk == 0
    assert second.previously_paid_dkk == 12200 + (20000 + 2800 - 11800)
    assert second.adjustment_dkk == -(20000 + 15000 - 11800 - 12200)
    assert first.payout_dkk + second.payout_dkk == 0


def test_rule9_payments_follow_a_grant_whose_intervention_was_corrected():
    # 20,000 was paid for G1 as a SEL85 grant; the data now says G1 is SEL107.
    grants = b.grants(b.grant(intervention="SEL107"))
    rates = b.rates((3, "2020-01-01", 1000), (2, "2020-01-01", 600), (1, "2020-01-01", 300), intervention="SEL107")
    paid = b.paid(("G1", "2025-02-01", "20000.00"))  # the paid line says SEL85
    line = one(both(b.model(interventions=["SEL107"]), "2025-06-30", grants, WORKED, rates, paid))
    assert (line.earned_dkk, line.previously_paid_dkk, line.payout_dkk) == (34500, 20000, 34500 - 20000)
    # ... and the SEL85 model no longer settles G1 at all.
    assert both(b.model(), "2025-06-30", grants, WORKED, b.worked_example_rates(), paid).empty


def test_rule9_payments_under_another_model_are_deducted_too():
    # The same episode paid 20,000 under one model and 5,000 under another (rows add up).
    paid = b.paid(("G1", "2025-02-01", "20000.00"), ("G1", "2025-02-01", "5000.00"))
    line = one(both(b.model(), "2025-06-30", b.grants(b.grant()), WORKED, b.worked_example_rates(), paid))
    assert (line.previously_paid_dkk, line.payout_dkk) == (25000, 34500 - 25000)


# Rule 10: caps per run.

def _three_grants():
    grants = b.grants(
        b.grant("G1", citizen="C1", provider="P1"),
        b.grant("G2", citizen="C2", provider="P1"),
        b.grant("G3", citizen="C3", provider="P2"),
    )
    assessments = b.assessments(
        ("G1", "2025-01-01", 3), ("G1", "2025-01-02", 2),  # 400/day
        ("G2", "2025-01-01", 3), ("G2", "2025-01-02", 1),  # 700/day
        ("G3", "2025-01-01", 2), ("G3", "2025-01-02", 1),  # 300/day
    )
    return grants, assessments


def test_rule10_provider_cap_scales_that_providers_lines_in_proportion():
    grants, assessments = _three_grants()
    model = b.model(qualifying_days=1, share=1, cap_per_provider_per_run_dkk=1000)
    lines = both(model, "2025-01-04", grants, assessments, b.worked_example_rates()).set_index("grant_id")
    # Three days each: P1 is due 1,200 + 2,100 = 3,300 > 1,000; P2 900 is untouched.
    assert lines.payout_dkk["G1"] == round_ore(D(1200) * 1000 / 3300) == D("363.64")  # 363.636...
    assert lines.payout_dkk["G2"] == round_ore(D(2100) * 1000 / 3300) == D("636.36")  # 636.363...
    assert lines.payout_dkk["G3"] == 900
    assert lines.held_back_dkk["G1"] == D("1200") - D("363.64")
    assert list(lines.capped_by) == ["provider", "provider", None]


def test_rule10_budget_scales_all_lines_after_provider_caps():
    grants, assessments = _three_grants()
    model = b.model(qualifying_days=1, share=1, cap_per_provider_per_run_dkk=1000, budget_per_run_dkk=950)
    lines = both(model, "2025-01-04", grants, assessments, b.worked_example_rates()).set_index("grant_id")
    total = D("363.64") + D("636.36") + 900  # after the provider cap: 1,900
    assert lines.payout_dkk["G1"] == scale(D("363.64"), D(950), total) == D("181.82")
    assert lines.payout_dkk["G2"] == round_ore(D("636.36") * 950 / total) == D("318.18")
    assert lines.payout_dkk["G3"] == D("450.00")
    assert lines.capped_by["G1"] == "provider,budget" and lines.capped_by["G3"] == "budget"


def test_rule10_scaled_amounts_round_half_up():
    assert scale(D("1.00"), D("1.00"), D("8.00")) == D("0.13")  # 0.125 -> 0.13
    assert round_ore(D("2.345")) == D("2.35") and round_ore(D("-2.345")) == D("-2.35")


def test_rule10_what_a_cap_holds_back_is_paid_in_a_later_run():
    model = b.model(qualifying_days=1, share=1, budget_per_run_dkk=1000)
    grants, assessments = b.grants(b.grant()), b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-01-02", 2))
    first = one(both(model, "2025-01-06", grants, assessments, b.worked_example_rates()))
    assert (first.earned_dkk, first.payout_dkk, first.held_back_dkk) == (5 * 400, 1000, 1000)
    paid = b.paid(("G1", "2025-01-02", first.payout_dkk))
    second = one(both(model, "2025-01-07", grants, assessments, b.worked_example_rates(), paid))
    # Earned 6 x 400 = 2,400 less 1,000 paid: 1,400 due, of which the budget allows 1,000.
    assert (second.payout_dkk, second.held_back_dkk) == (1000, 400)
    paid = b.paid(("G1", "2025-01-02", first.payout_dkk + second.payout_dkk))
    third = one(both(b.model(qualifying_days=1, share=1), "2025-01-07", grants, assessments, b.worked_example_rates(), paid))
    assert third.payout_dkk == 2400 - 2000


# Scope: the model's interventions.

def test_only_grants_of_the_models_interventions_count_each_with_its_own_rates():
    grants = b.grants(b.grant("G1"), b.grant("G2", citizen="C2", intervention="SEL108"), b.grant("G3", citizen="C3", intervention="SEL107"))
    assessments = b.assessments(*[(g, "2025-01-01", 3) for g in ("G1", "G2", "G3")], *[(g, "2025-01-02", 2) for g in ("G1", "G2", "G3")])
    rates = b.rates(
        ("SEL85", 3, "2020-01-01", 1000), ("SEL85", 2, "2020-01-01", 600),
        ("SEL108", 3, "2020-01-01", 3000), ("SEL108", 2, "2020-01-01", 2500),
    )
    lines = both(b.model(interventions=["SEL85", "SEL108"], qualifying_days=10), "2025-01-31", grants, assessments, rates)
    assert list(lines.grant_id) == ["G1", "G2"]  # SEL107 is out of scope (and has no rates)
    assert list(lines.saving_to_date_dkk) == [30 * 400, 30 * 500]
