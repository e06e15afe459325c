"""The ledger on DuckDB and PostgreSQL: drafts, approval, refusals, previously paid."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from incentive_models import runs
from incentive_models.engine import LINE_COLUMNS
from socialbench import warehouse
from socialbench.errors import InputError, RuleError
from tests.incentive_models import builders as b

WORKED = b.assessments(("G1", "2025-01-01", 3), ("G1", "2025-02-01", 2), ("G1", "2025-06-01", 1))


@pytest.fixture
def worked(engine):
    """The worked example of the issue in the warehouse."""
    with engine.begin() as conn:
        warehouse.insert_frame(conn, "providers", _providers())
        warehouse.insert_frame(conn, "grants", b.grants(b.grant()))
        warehouse.insert_frame(conn, "assessments", WORKED)
        warehouse.insert_frame(conn, "rates", b.worked_example_rates())
    return engine


def _providers():
    import pandas as pd

    return pd.DataFrame({"provider_id": ["P1", "P2"], "provider_name": ["Bostøtten Nordvest ApS", "Støtte & Trivsel ApS"]})


def count(engine, table):
    with engine.connect() as conn:
        return conn.execute(sa.text(f"select count(*) from {table}")).scalar_one()


def test_worked_example_runs_pay_0_then_34500(worked):
    model = b.model()
    march = runs.create_draft(worked, model, "2025-03-31")
    run = runs.get_run(worked, march)
    assert (run["status"], run["line_count"], run["total_payout_dkk"]) == ("draft", 0, 0)
    june = runs.create_draft(worked, model, "2025-06-30")
    run = runs.get_run(worked, june)
    assert run["total_payout_dkk"] == D("0.5") * (120 * 400 + 30 * 700) == D("34500.00")
    assert run["total_saving_dkk"] == 120 * 400 + 30 * 700
    lines = runs.run_lines(worked, june)
    assert list(lines.columns) == ["run_id", *LINE_COLUMNS]
    line = lines.iloc[0]
    assert (line.municipality_code, line.intervention_code, line.provider_id) == (101, "SEL85", "P1")
    assert (line.qualified_on, line.days_counted, line.payout_dkk) == (b.d("2025-05-01"), 150, D("34500.00"))
    assert list(runs.list_runs(worked)["run_id"]) == [march, june]
    # The fingerprint is of the data's values, the same whichever engine stored them.
    assert run["inputs_sha256"] == runs.inputs_sha256(model, b.grants(b.grant()), WORKED, b.worked_example_rates())


def test_a_new_draft_replaces_the_draft_of_the_same_model_and_date_with_identical_lines(worked):
    first = runs.create_draft(worked, b.model(), "2025-06-30")
    before = runs.run_lines(worked, first).drop(columns="run_id")
    second = runs.create_draft(worked, b.model(), "2025-06-30")
    assert second != first
    assert list(runs.list_runs(worked)["run_id"]) == [second]
    assert count(worked, "settlement_line") == 1
    assert runs.run_lines(worked, second).drop(columns="run_id").equals(before)
    with pytest.raises(runs.RunNotFound):
        runs.run_lines(worked, first)


def test_successive_approved_runs_pay_the_difference_and_never_twice(worked):
    model = b.model()
    june = runs.create_draft(worked, model, "2025-06-30")
    runs.approve(worked, june)
    july = runs.create_draft(worked, model, "2025-07-31")
    line = runs.run_lines(worked, july).iloc[0]
    earned_july = D("0.5") * (120 * 400 + 61 * 700)  # 45,350
    assert (line.earned_dkk, line.previously_paid_dkk, line.payout_dkk) == (earned_july, D("34500.00"), earned_july - 34500)
    runs.approve(worked, july)
    august = runs.create_draft(worked, model, "2025-08-31")
    line = runs.run_lines(worked, august).iloc[0]
    assert line.previously_paid_dkk == earned_july  # 34,500 + 10,850
    assert runs.get_run(worked, june)["status"] == "approved"


def test_a_draft_of_an_approved_date_does_not_touch_the_approved_run(worked):
    june = runs.create_draft(worked, b.model(), "2025-06-30")
    runs.approve(worked, june)
    again = runs.create_draft(worked, b.model(), "2025-06-30")
    assert runs.get_run(worked, june)["status"] == "approved"
    assert runs.run_lines(worked, again)["previously_paid_dkk"].tolist() == [0]  # earlier runs only
    with pytest.raises(runs.ApprovalRefused, match=f"run {june} .* is already approved"):
        runs.approve(worked, again)


def test_approval_is_refused_if_a_later_run_is_approved(worked):
    june = runs.create_draft(worked, b.model(), "2025-06-30")
    july = runs.create_draft(worked, b.model(), "2025-07-31")
    runs.approve(worked, july)
    with pytest.raises(runs.ApprovalRefused, match="make a new run with an as-of date after 2025-07-31"):
        runs.approve(worked, june)


def test_approval_is_refused_twice(worked):
    june = runs.create_draft(worked, b.model(), "2025-06-30")
    runs.approve(worked, june)
    with pytest.raises(runs.ApprovalRefused, match="already approved"):
        runs.approve(worked, june)


def test_approval_is_refused_if_an_earlier_run_was_approved_after_the_draft(worked):
    june = runs.create_draft(worked, b.model(), "2025-06-30")
    july = runs.create_draft(worked, b.model(), "2025-07-31")
    runs.approve(worked, june)
    with pytest.raises(runs.ApprovalRefused, match="compute the draft again"):
        runs.approve(worked, july)


def test_approval_is_refused_if_inputs_changed_since_the_draft(worked):
    june = runs.create_draft(worked, b.model(), "2025-06-30")
    with worked.begin() as conn:
        conn.execute(sa.text("update rates set daily_rate_dkk = 650 where support_level = 2"))
    with pytest.raises(runs.ApprovalRefused, match="changed after the draft was computed.*settle run"):
        runs.approve(worked, june)
    assert runs.get_run(worked, june)["status"] == "draft"
    fresh = runs.create_draft(worked, b.model(), "2025-06-30")
    runs.approve(worked, fresh)
    assert runs.run_lines(worked, fresh)["payout_dkk"].tolist() == [D("0.5") * (120 * 350 + 30 * 700)]


def test_a_run_pays_a_provider_by_its_own_tariff_from_the_rates_table(worked):
    with worked.begin() as conn:
        warehouse.insert_frame(conn, "rates", b.rates((3, "2020-01-01", 1200), (2, "2020-01-01", 700), provider="P1"))
    run = runs.create_draft(worked, b.model(), "2025-06-30")
    # 0.5 x (120 x (1,200 - 700) + 30 x (1,200 - 300)); level 1 has no P1 row: the general 300
    assert runs.run_lines(worked, run)["payout_dkk"].tolist() == [D("43500.00")]


def test_a_failing_run_writes_nothing(worked):
    runs.create_draft(worked, b.model(), "2025-06-30")
    with worked.begin() as conn:
        conn.execute(sa.text("delete from rates where support_level = 1"))
    with pytest.raises(RuleError, match="SEL85 level 1 provider P1 on 2025-06-01"):
        runs.create_draft(worked, b.model(), "2025-06-30")
    assert count(worked, "settlement_run") == 1 and count(worked, "settlement_line") == 1


def test_unknown_intervention_in_the_model_is_an_input_error(worked):
    with pytest.raises(InputError, match="unknown intervention code SEL58"):
        runs.create_draft(worked, b.model(interventions=["SEL58"]), "2025-06-30")


def test_negative_due_is_recorded_as_adjustment(worked):
    june = runs.create_draft(worked, b.model(), "2025-06-30")
    runs.approve(worked, june)
    with worked.begin() as conn:  # a corrected assessment: level 2 from June, not 1
        conn.execute(sa.text("update assessments set support_level = 2 where assessed_on = :d"), {"d": b.d("2025-06-01")})
    july = runs.create_draft(worked, b.model(), "2025-07-31")
    line = runs.run_lines(worked, july).iloc[0]
    earned = D("0.5") * (181 * 400)  # 36,200
    assert (line.earned_dkk, line.payout_dkk, line.adjustment_dkk) == (earned, earned - 34500, 0)  # 1,700 more
    runs.approve(worked, july)
    with worked.begin() as conn:  # corrected again: the need never went down
        conn.execute(sa.text("update assessments set support_level = 3 where assessed_on > :d"), {"d": b.d("2025-01-01")})
    august = runs.create_draft(worked, b.model(), "2025-08-31")
    line = runs.run_lines(worked, august).iloc[0]
    paid = D("34500") + (earned - 34500)
    assert (line.qualified_on, line.previously_paid_dkk, line.payout_dkk, line.adjustment_dkk) == (None, paid, 0, -paid)
    assert runs.get_run(worked, august)["total_adjustment_dkk"] == -paid


def test_an_uninitialised_warehouse_says_to_run_init(db_url):
    from socialbench.errors import SocialbenchError

    engine = warehouse.create_engine(db_url)
    with pytest.raises(SocialbenchError, match="run `socialbench init` first"):
        runs.create_draft(engine, b.model(), "2025-06-30")
    with pytest.raises(SocialbenchError, match="run `socialbench init` first"):
        runs.list_runs(engine)
