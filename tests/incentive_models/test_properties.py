"""The interval engine against the day-by-day reference on random inputs, and invariants."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive_models.engine import PAID_COLUMNS, compute_lines
from incentive_models.model import Model
from socialbench.errors import RuleError
from tests.incentive_models import builders as b
from tests.incentive_models.reference import reference_lines

DAY0 = date(2024, 1, 1)
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(SETTINGS, max_examples=40)


def day(offset: int) -> date:
    return DAY0 + timedelta(days=offset)


def offsets(low: int, high: int):
    """Day offsets on a coarse grid with a day's jitter, so that assessments, rate changes,
    grant ends and as-of dates often fall on, or next to, one another."""
    return st.tuples(st.integers(low // 10, high // 10), st.sampled_from([-1, 0, 0, 1])).map(lambda t: t[0] * 10 + t[1])


AS_OF = st.one_of(offsets(0, 700), offsets(250, 700), offsets(250, 700))


@st.composite
def grants_and_assessments(draw):
    """1-5 grants of 1-2 citizens (often the same one: relapses, parallel grants), two
    providers, one out-of-scope intervention; 0-5 assessments per grant."""
    grant_rows, assessment_rows = [], []
    for i in range(draw(st.integers(1, 5))):
        start = draw(offsets(0, 300))
        length = draw(st.one_of(st.none(), offsets(0, 250).map(abs)))
        end = None if length is None else start + length
        grant_rows.append(
            b.grant(
                grant_id=f"G{i}",
                start=day(start).isoformat(),
                end=None if end is None else day(end).isoformat(),
                end_reason=None if end is None else draw(st.sampled_from(["goal_achieved", "goal_achieved", "moved", None])),
                citizen=draw(st.sampled_from(["C1", "C1", "C2"])),
                provider=draw(st.sampled_from(["P1", "P2"])),
                intervention=draw(st.sampled_from(["SEL85", "SEL85", "SEL85", "SEL108"])),
            )
        )
        if draw(st.integers(0, 9)) == 0:
            continue  # a grant never assessed counts nothing
        first = draw(offsets(-20, 40))
        assessment_rows.append((f"G{i}", day(start + first).isoformat(), draw(st.integers(2, 4))))
        later = [o for o in draw(st.lists(offsets(0, 320), min_size=1, max_size=6, unique=True)) if o > first]
        for offset in later:
            assessment_rows.append((f"G{i}", day(start + offset).isoformat(), draw(st.integers(0, 4))))
    return b.grants(*grant_rows), b.assessments(*assessment_rows)


@st.composite
def rate_tables(draw, always_complete: bool = False):
    """Tiered daily rates with changes inside the period; sometimes a level has no rate
    (or none yet at the start), which must raise the same error in both implementations."""
    rows = []
    for level in range(5):
        if always_complete or draw(st.integers(0, 19)) > 0:
            first = -400 if always_complete else draw(st.sampled_from([-400, -400, -400, 30]))
            rows.append((level, day(first).isoformat(), Decimal(draw(st.integers(0, 200_000))) / 100))
        for change in draw(st.lists(offsets(-100, 600), max_size=3, unique=True)):
            if change != -400:
                rows.append((level, day(change).isoformat(), Decimal(draw(st.integers(0, 200_000))) / 100))
    rows = list({(lvl, vf): (lvl, vf, r) for lvl, vf, r in rows}.values())
    rows += [("SEL108", lvl, day(-400).isoformat(), 1000 * (lvl + 1)) for lvl in range(5)]
    # Rule 4: P2 often has its own tariff for some levels (from the start, or only from a
    # later day, before which it has no rate: the general rate does not fill in).
    own = []
    for level in draw(st.lists(st.integers(0, 4), max_size=3, unique=True)):
        first = -400 if always_complete else draw(st.sampled_from([-400, -400, -400, 30]))
        for change in [first, *draw(st.lists(offsets(-100, 600), max_size=2, unique=True))]:
            own.append((level, day(change).isoformat(), Decimal(draw(st.integers(0, 200_000))) / 100))
    own = list({(lvl, vf): (lvl, vf, r) for lvl, vf, r in own}.values())
    if not own:
        return b.rates(*rows)
    return b.with_tariffs(b.rates(*rows), b.rates(*own, provider="P2"))


@st.composite
def models(draw, caps: bool = True) -> Model:
    qualifying = draw(st.one_of(st.integers(1, 45), offsets(10, 60)))
    fields = {
        "interventions": draw(st.sampled_from([["SEL85"], ["SEL85"], ["SEL85", "SEL108"]])),
        "share": draw(st.sampled_from(["0.5", "1", "0.3333", "0.25", "0.07", "0.999"])),
        "qualifying_days": qualifying,
        "horizon_days": max(qualifying, draw(st.one_of(st.integers(qualifying, 200), offsets(qualifying, 200)))),
        "exit_reasons": draw(st.sampled_from([["goal_achieved"], ["goal_achieved", "moved"], []])),
    }
    if caps:
        for name, high in (("cap_per_episode_dkk", 80_000), ("cap_per_provider_per_run_dkk", 150_000), ("budget_per_run_dkk", 200_000)):
            fields[name] = draw(st.one_of(st.none(), st.integers(0, high * 100).map(lambda n: Decimal(n) / 100)))
    return b.model(**fields)


def _outcome(compute, *args):
    try:
        return compute(*args)
    except RuleError as error:
        return f"RuleError: {error}"


@SETTINGS
@given(models(), grants_and_assessments(), rate_tables(), AS_OF)
def test_engine_equals_day_by_day_reference(model, inputs, rates, as_of_offset):
    grants, assessments = inputs
    args = (model, day(as_of_offset), grants, assessments, rates)
    expected = _outcome(reference_lines, *args)
    actual = _outcome(compute_lines, *args)
    if isinstance(expected, str) or isinstance(actual, str):
        assert actual == expected
    else:
        pd.testing.assert_frame_equal(actual.reset_index(drop=True), expected, check_dtype=False)


@FEWER
@given(models(), grants_and_assessments(), rate_tables(), AS_OF)
def test_engine_equals_reference_with_earlier_payouts(model, inputs, rates, as_of_offset):
    """Previously paid amounts, including for episodes that no longer qualify."""
    grants, assessments = inputs
    as_of = day(as_of_offset)
    earlier = _outcome(compute_lines, model, as_of - timedelta(days=30), grants, assessments, rates)
    if isinstance(earlier, str):
        return
    paid = earlier.assign(previously_paid_dkk=earlier["payout_dkk"] + Decimal("10.00"))[PAID_COLUMNS]
    ghost = b.paid(("G0", "2023-06-01", "99.99"))  # an episode the data no longer has
    paid = pd.concat([paid, ghost], ignore_index=True)
    expected = _outcome(reference_lines, model, as_of, grants, assessments, rates, paid)
    actual = _outcome(compute_lines, model, as_of, grants, assessments, rates, paid)
    if isinstance(expected, str) or isinstance(actual, str):
        assert actual == expected
    else:
        pd.testing.assert_frame_equal(actual.reset_index(drop=True), expected, check_dtype=False)


@FEWER
@given(models(), grants_and_assessments(), rate_tables(always_complete=True), st.lists(offsets(0, 700), min_size=1, max_size=4, unique=True))
def test_successive_runs_pay_what_is_earned_less_what_caps_hold_back(model, inputs, rates, offsets):
    """Approving runs in date order: payouts are never negative, and what has been paid
    for an episode over all runs equals its latest earned amount less what caps hold back."""
    grants, assessments = inputs
    paid_so_far: dict[tuple, Decimal] = {}
    attributes: dict[tuple, dict] = {}
    for offset in sorted(offsets):
        paid = pd.DataFrame(
            [{**attributes[k], "previously_paid_dkk": v} for k, v in paid_so_far.items()], columns=PAID_COLUMNS
        )
        lines = compute_lines(model, day(offset), grants, assessments, rates, paid)
        assert (lines["payout_dkk"] >= 0).all()
        assert (lines["adjustment_dkk"] == 0).all()  # inputs unchanged: earned never falls
        for line in lines.to_dict("records"):
            key = (line["grant_id"], line["episode_start"])
            assert line["previously_paid_dkk"] == paid_so_far.get(key, Decimal(0))
            paid_so_far[key] = paid_so_far.get(key, Decimal(0)) + line["payout_dkk"]
            attributes[key] = {c: line[c] for c in PAID_COLUMNS if c != "previously_paid_dkk"}
            assert paid_so_far[key] == line["earned_dkk"] - line["held_back_dkk"]
            assert line["held_back_dkk"] >= 0


@settings(FEWER, max_examples=30)
@given(models(), grants_and_assessments(), rate_tables(always_complete=True), AS_OF)
def test_caps_are_respected_up_to_half_an_ore_per_line(model, inputs, rates, as_of_offset):
    grants, assessments = inputs
    lines = compute_lines(model, day(as_of_offset), grants, assessments, rates)
    slack = Decimal("0.005") * len(lines)
    if model.cap_per_episode_dkk is not None:
        assert (lines["earned_dkk"] <= model.cap_per_episode_dkk).all()
    if model.cap_per_provider_per_run_dkk is not None:
        for total in lines.groupby("provider_id")["payout_dkk"].agg(lambda s: sum(s, Decimal(0))):
            assert total <= model.cap_per_provider_per_run_dkk + slack
    if model.budget_per_run_dkk is not None:
        assert sum(lines["payout_dkk"], Decimal(0)) <= model.budget_per_run_dkk + slack


@pytest.mark.parametrize("seed", range(3))
def test_the_same_inputs_give_identical_lines(seed):
    grants = b.grants(b.grant("G1", end="2025-04-30", end_reason="goal_achieved"), b.grant("G2", provider="P2"))
    assessments = b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-01-20", 1), ("G2", "2025-01-01", 2), ("G2", "2025-01-02", 1))
    model = b.model(qualifying_days=10)
    first = compute_lines(model, b.d("2025-06-30"), grants, assessments, b.worked_example_rates())
    shuffled = compute_lines(
        model, b.d("2025-06-30"), grants.sample(frac=1, random_state=seed), assessments.sample(frac=1, random_state=seed), b.worked_example_rates()
    )
    pd.testing.assert_frame_equal(first, shuffled)
    assert len(first) == 2
