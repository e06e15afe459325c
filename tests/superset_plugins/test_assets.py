"""The datasets' saved metrics and calculated columns, run as SQL on DuckDB and PostgreSQL
over small hand-made rows: ratios of sums, right for any grouping."""
from __future__ import annotations

import datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from socialbench import warehouse
from superset_plugins import bundle


def metric(table: str, name: str) -> str:
    (found,) = [m["expression"] for m in bundle.dataset_metrics(bundle.load_assets().datasets[table]) if m["metric_name"] == name]
    return found


def column(table: str, name: str) -> str:
    (found,) = [c["expression"] for c in bundle.dataset_columns(bundle.load_assets().datasets[table]) if c["column_name"] == name]
    return found


def evaluate(db_url: str, frame: pd.DataFrame, expression: str, where: str = "1 = 1"):
    """The expression over the rows of frame, as Superset would run it on a dataset (no alias)."""
    engine = warehouse.create_engine(db_url)
    with engine.begin() as conn:
        table = f"t{len(sa.inspect(conn).get_table_names())}"
        columns = ", ".join(f"{c} {t}" for c, t in frame.attrs["types"].items())
        conn.execute(sa.text(f"create table {table} ({columns})"))
        warehouse.insert_frame(conn, table, frame)
        value = conn.execute(sa.text(f"select {expression} from {table} where {where}")).scalar_one()
    engine.dispose()
    return value


def typed(rows: list[dict], types: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(types))
    frame.attrs["types"] = types
    return frame


CHILD_TYPES = {
    "municipality_code": "integer", "year": "integer", "expenditure_dkk": "numeric(18,2)",
    "expenditure_fixed_dkk": "float8", "population_0_22": "integer", "national_cost_per_child_dkk": "float8",
}
# Two municipalities with both figures, one without population (left out of the ratio).
CHILD_ROWS = [
    {"municipality_code": 101, "year": 2024, "expenditure_dkk": 60_000_000, "expenditure_fixed_dkk": 66_000_000,
     "population_0_22": 4_500, "national_cost_per_child_dkk": 12_500.0},
    {"municipality_code": 147, "year": 2024, "expenditure_dkk": 40_000_000, "expenditure_fixed_dkk": 44_000_000,
     "population_0_22": 5_500, "national_cost_per_child_dkk": 12_500.0},
    {"municipality_code": 151, "year": 2024, "expenditure_dkk": 10_000_000, "expenditure_fixed_dkk": 11_000_000,
     "population_0_22": None, "national_cost_per_child_dkk": 12_500.0},
]


def test_cost_per_child_is_a_ratio_of_sums(db_url):
    frame = typed(CHILD_ROWS, CHILD_TYPES)
    value = evaluate(db_url, frame, metric("bm_cost_per_child", "cost_per_child_fixed"))
    assert float(value) == pytest.approx((66_000_000 + 44_000_000) / (4_500 + 5_500))
    value = evaluate(db_url, frame, metric("bm_cost_per_child", "cost_per_child"), "municipality_code = 101")
    assert float(value) == pytest.approx(60_000_000 / 4_500)


def test_index_vs_national_of_one_municipality_and_of_a_group(db_url):
    frame = typed(CHILD_ROWS, CHILD_TYPES)
    one = evaluate(db_url, frame, metric("bm_cost_per_child", "index_vs_country"), "municipality_code = 101")
    assert float(one) == pytest.approx(100 * (60_000_000 / 4_500) / 12_500)
    group = evaluate(db_url, frame, metric("bm_cost_per_child", "index_vs_country"), "municipality_code in (101, 147)")
    assert float(group) == pytest.approx(100 * (60_000_000 + 40_000_000) / (12_500 * (4_500 + 5_500)))


def test_unit_cost_ignores_zero_full_year_citizens(db_url):
    types = {"expenditure_dkk": "numeric(18,2)", "expenditure_fixed_dkk": "float8", "full_year_citizens": "numeric(14,4)"}
    frame = typed(
        [
            {"expenditure_dkk": 1_000_000, "expenditure_fixed_dkk": 1_100_000, "full_year_citizens": 2.5},
            {"expenditure_dkk": 3_000_000, "expenditure_fixed_dkk": 3_300_000, "full_year_citizens": 7.5},
            {"expenditure_dkk": 500_000, "expenditure_fixed_dkk": 550_000, "full_year_citizens": 0},
        ],
        types,
    )
    value = evaluate(db_url, frame, metric("bm_unit_cost", "unit_cost_fixed"))
    assert float(value) == pytest.approx((1_100_000 + 3_300_000) / (2.5 + 7.5))
    none = evaluate(db_url, frame, metric("bm_unit_cost", "unit_cost"), "full_year_citizens = 0")
    assert none is None


def test_budget_variance_pct(db_url):
    types = {"budget_dkk": "numeric(18,2)", "actual_dkk": "numeric(18,2)"}
    frame = typed([{"budget_dkk": 100_000, "actual_dkk": 110_000}, {"budget_dkk": 300_000, "actual_dkk": 290_000}], types)
    value = evaluate(db_url, frame, metric("bm_budget_variance", "variance_pct_of_budget"))
    assert float(value) == pytest.approx(100 * ((110_000 + 290_000) - (100_000 + 300_000)) / (100_000 + 300_000))


def test_peer_figures_show_only_at_their_own_grain(db_url):
    types = {"municipality_code": "integer", "own_value": "float8", "peer_mean": "float8"}
    frame = typed([{"municipality_code": 101, "own_value": 13_000.0, "peer_mean": 12_000.0},
                   {"municipality_code": 147, "own_value": 9_000.0, "peer_mean": 10_000.0}], types)
    assert evaluate(db_url, frame, metric("bm_peer_comparison", "own_figure"), "municipality_code = 101") == 13_000.0
    assert evaluate(db_url, frame, metric("bm_peer_comparison", "peer_mean_figure")) is None  # two rows: no figure


def test_share_need_down_is_a_ratio_of_sums(db_url):
    types = {"citizens_assessed": "integer", "citizens_need_down": "integer"}
    frame = typed([{"citizens_assessed": 3, "citizens_need_down": 1}, {"citizens_assessed": 1, "citizens_need_down": 1}], types)
    value = evaluate(db_url, frame, metric("cockpit_support_need", "share_need_down_total"))
    assert float(value) == pytest.approx((1 + 1) / (3 + 1))  # not the mean of 1/3 and 1/1


def test_net_gain_of_settlement_lines(db_url):
    types = {"saving_to_date_dkk": "numeric(14,2)", "earned_dkk": "numeric(14,2)"}
    frame = typed([{"saving_to_date_dkk": 69_000, "earned_dkk": 34_500}, {"saving_to_date_dkk": 1_000, "earned_dkk": 500}], types)
    value = evaluate(db_url, frame, metric("settlement_line", "net_gain"))
    assert float(value) == pytest.approx((69_000 + 1_000) - (34_500 + 500))


def test_period_is_the_first_of_january(db_url):
    frame = typed([{"year": 2024}], {"year": "integer"})
    value = evaluate(db_url, frame, column("bm_cost_per_child", "period"))
    assert value == datetime.date(2024, 1, 1)


def test_looked_up_names_come_from_the_reference_data(db_url):
    frame = typed([{"municipality_code": 101, "intervention_code": "SEL108"}],
                  {"municipality_code": "integer", "intervention_code": "varchar"})
    assert evaluate(db_url, frame, column("settlement_line", "municipality_name")) == "København"
    area = evaluate(db_url, frame, column("bm_peer_comparison", "intervention_area"))
    assert area == "adults"


def test_qualified_episodes_count_once_across_runs(db_url):
    types = {"run_id": "varchar", "grant_id": "varchar", "episode_start": "date", "qualified_on": "date"}
    frame = typed(
        [
            {"run_id": "r1", "grant_id": "g1", "episode_start": datetime.date(2025, 2, 1), "qualified_on": datetime.date(2025, 5, 1)},
            {"run_id": "r2", "grant_id": "g1", "episode_start": datetime.date(2025, 2, 1), "qualified_on": datetime.date(2025, 5, 1)},
            {"run_id": "r2", "grant_id": "g1", "episode_start": datetime.date(2025, 9, 1), "qualified_on": datetime.date(2025, 11, 29)},
            {"run_id": "r2", "grant_id": "g2", "episode_start": datetime.date(2025, 3, 1), "qualified_on": None},
        ],
        types,
    )
    # g1's first episode (in both runs) and g1's second episode; g2's has not qualified
    assert evaluate(db_url, frame, metric("settlement_line", "episodes_qualified")) == 2
    assert evaluate(db_url, frame, metric("settlement_line", "episodes_qualified"), "run_id = 'r1'") == 1


FORECAST_TYPES = {
    "municipality_code": "integer", "intervention_code": "varchar", "budget_dkk": "numeric(16,2)",
    "planned_full_year_citizens": "numeric(14,4)", "planned_unit_cost_dkk": "numeric(14,2)",
    "forecast_dkk": "numeric(16,2)", "deviation_dkk": "numeric(16,2)", "forecast_full_year_citizens": "float8",
}
# Two interventions with a budget plan (10 x 1.2 mio. and 5 x 0.6 mio.), one without.
FORECAST_ROWS = [
    {"municipality_code": 101, "intervention_code": "SEL108", "budget_dkk": 12_000_000, "planned_full_year_citizens": 10,
     "planned_unit_cost_dkk": 1_200_000, "forecast_dkk": 13_500_000, "deviation_dkk": 1_500_000,
     "forecast_full_year_citizens": 11.25},
    {"municipality_code": 101, "intervention_code": "SEL85", "budget_dkk": 3_000_000, "planned_full_year_citizens": 5,
     "planned_unit_cost_dkk": 600_000, "forecast_dkk": 2_400_000, "deviation_dkk": -600_000,
     "forecast_full_year_citizens": 4.0},
    {"municipality_code": 101, "intervention_code": "SEL107", "budget_dkk": None, "planned_full_year_citizens": None,
     "planned_unit_cost_dkk": None, "forecast_dkk": 500_000, "deviation_dkk": None, "forecast_full_year_citizens": 0.5},
]


def test_forecast_amounts_are_in_millions_and_the_deviation_share_counts_budgeted_rows_only(db_url):
    frame = typed(FORECAST_ROWS, FORECAST_TYPES)
    assert float(evaluate(db_url, frame, metric("fc_forecast", "budget_mio"))) == pytest.approx((12_000_000 + 3_000_000) / 1e6)
    forecast = evaluate(db_url, frame, metric("fc_forecast", "forecast_mio"))
    assert float(forecast) == pytest.approx((13_500_000 + 2_400_000 + 500_000) / 1e6)
    share = evaluate(db_url, frame, metric("fc_forecast", "deviation_pct"))
    assert float(share) == pytest.approx((1_500_000 - 600_000) / (12_000_000 + 3_000_000))
    assert evaluate(db_url, frame, metric("fc_forecast", "deviation_pct"), "budget_dkk is null") is None


def test_forecast_unit_costs_are_ratios_of_sums(db_url):
    frame = typed(FORECAST_ROWS, FORECAST_TYPES)
    planned = evaluate(db_url, frame, metric("fc_forecast", "planned_unit_cost"))
    assert float(planned) == pytest.approx((10 * 1_200_000 + 5 * 600_000) / (10 + 5))  # not the mean of the two prices
    one = evaluate(db_url, frame, metric("fc_forecast", "planned_unit_cost"), "intervention_code = 'SEL85'")
    assert float(one) == pytest.approx(600_000)
    forecast = evaluate(db_url, frame, metric("fc_forecast", "forecast_unit_cost"))
    assert float(forecast) == pytest.approx((13_500_000 + 2_400_000 + 500_000) / (11.25 + 4.0 + 0.5))
