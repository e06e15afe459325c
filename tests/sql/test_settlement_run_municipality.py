"""settlement_run_municipality: a run's totals per municipality, on DuckDB and PostgreSQL."""
from __future__ import annotations

from decimal import Decimal as D

import pandas as pd

from incentive_models import runs
from socialbench import schema, warehouse
from tests.incentive_models import builders as b
from tests.sql import dbt_tests

TOTALS = ["total_saving_dkk", "total_earned_dkk", "total_payout_dkk", "total_held_back_dkk", "total_adjustment_dkk"]


def test_run_totals_per_municipality_add_up_to_the_run(engine):
    # G1 (101): the worked example, 0.5 x (120 x 400 + 30 x 700) = 34,500.00 as of 30 June.
    # G2 (101): 400 less from 1 Feb, 150 days x 400 x 0.5 = 30,000.00.
    # G3 (147): 1,000 -> 300 from 1 Apr, 91 days x 700 x 0.5 = 31,850.00.
    grants = b.grants(b.grant("G1"), b.grant("G2", citizen="C2"), b.grant("G3", citizen="C3", municipality=147))
    assessments = b.assessments(
        ("G1", "2025-01-01", 3), ("G1", "2025-02-01", 2), ("G1", "2025-06-01", 1),
        ("G2", "2025-01-01", 3), ("G2", "2025-02-01", 2),
        ("G3", "2025-01-01", 3), ("G3", "2025-04-01", 1),
    )
    with engine.begin() as conn:
        warehouse.insert_frame(conn, "providers", pd.DataFrame({"provider_id": ["P1"], "provider_name": ["Bo Godt ApS"]}))
        warehouse.insert_frame(conn, "grants", grants)
        warehouse.insert_frame(conn, "assessments", assessments)
        warehouse.insert_frame(conn, "rates", b.worked_example_rates())
    run_id = runs.create_draft(engine, b.model(), "2025-06-30")
    runs.approve(engine, run_id)
    with engine.connect() as conn:
        view = warehouse.read_frame(conn, "select * from settlement_run_municipality order by municipality_code")
        national = warehouse.read_frame(conn, "select * from settlement_run where run_id = :r", r=run_id).iloc[0]
        failures = dbt_tests.failing(conn, schema.docs("views")["settlement_run_municipality"])
    assert failures == []
    assert list(view["municipality_code"]) == [101, 147]
    assert list(view["line_count"]) == [2, 1]
    assert [D(str(v)) for v in view["total_payout_dkk"]] == [D("34500.00") + D("30000.00"), D("31850.00")]
    assert set(view["run_id"]) == {run_id} and set(view["status"]) == {"approved"}
    for column in TOTALS:
        assert sum((D(str(v)) for v in view[column]), D(0)) == D(str(national[column])), column
    assert int(view["line_count"].sum()) == int(national["line_count"])
