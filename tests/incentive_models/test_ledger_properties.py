"""The ledger's invariants through the warehouse, on random inputs (DuckDB, one file)."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incentive_models import runs
from socialbench import schema, warehouse
from tests.incentive_models.test_properties import day, grants_and_assessments, models, offsets, rate_tables


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    engine = warehouse.create_engine(f"duckdb:///{tmp_path_factory.mktemp('ledger') / 'w.duckdb'}")
    schema.init(engine)
    yield engine
    engine.dispose()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(models(), grants_and_assessments(), rate_tables(always_complete=True), st.lists(offsets(0, 700), min_size=2, max_size=3, unique=True))
def test_approved_runs_pay_each_episode_its_earned_amount_less_what_caps_hold_back(ledger, model, inputs, rates, dates):
    grants, assessments = inputs
    with ledger.begin() as conn:
        for table in ("settlement_approval", "settlement_scope", "settlement_line", "settlement_run", "grants", "assessments", "rates"):
            conn.execute(sa.text(f"delete from {table}"))
        warehouse.insert_frame(conn, "grants", grants)
        warehouse.insert_frame(conn, "assessments", assessments)
        warehouse.insert_frame(conn, "rates", rates)
    paid: dict[tuple, Decimal] = {}
    for offset in sorted(dates):
        run_id = runs.create_draft(ledger, model, day(offset))
        first = runs.run_lines(ledger, run_id).drop(columns="run_id")
        again = runs.create_draft(ledger, model, day(offset))  # an unchanged draft, recomputed
        lines = runs.run_lines(ledger, again).drop(columns="run_id")
        assert lines.equals(first)
        assert runs.list_runs(ledger)["run_id"].tolist().count(run_id) == 0
        runs.approve(ledger, again)
        assert (lines["payout_dkk"] >= 0).all()
        for line in lines.to_dict("records"):
            key = (line["grant_id"], line["episode_start"])
            assert line["previously_paid_dkk"] == paid.get(key, Decimal(0))
            paid[key] = paid.get(key, Decimal(0)) + line["payout_dkk"]
            assert paid[key] == line["earned_dkk"] - line["held_back_dkk"]
        run = runs.get_run(ledger, again)
        assert run["total_payout_dkk"] == sum(lines["payout_dkk"], Decimal(0))
    # Every approved run recomputes from the inputs kept with it, line for line.
    assert runs.verify(ledger) == ([], [])
