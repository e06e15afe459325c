"""The chart-type registry: one entry per chart type owns its form data and its query
context; a new type is one registered class, and big_number (with trend) runs in Superset."""
from __future__ import annotations

import pandas as pd
import pytest

from superset_plugins import bundle
from superset_plugins import query_context as qc

TEMPORAL = {"period"}
TREND = {
    "key": "trend", "title": "Udgift pr. 0-22-årig", "viz": "big_number", "dataset": "bm_cost_per_child",
    "x_axis": "period", "metrics": ["cost_per_child_fixed"], "filters": [{"column": "year", "op": ">=", "value": 2020}],
}


def test_every_viz_type_of_the_dashboards_is_registered_once():
    used = {c["viz"] for d in bundle.load_assets().dashboards for c in d["charts"]}
    assert used <= set(qc.REGISTRY)
    assert all(kind.viz_type == viz for viz, kind in qc.REGISTRY.items())
    with pytest.raises(ValueError, match="registered twice"):
        qc.register(type("Again", (qc.ChartType,), {"viz_type": "pie"}))


def test_an_unknown_viz_type_is_refused_with_the_supported_ones():
    with pytest.raises(ValueError) as error:
        qc.form_data({"key": "x", "viz": "radar"}, 1, set())
    assert str(error.value).startswith("chart x: viz type radar is not supported (supported: big_number, big_number_total,")


def test_a_new_chart_type_is_one_registered_class(monkeypatch):
    monkeypatch.setattr(qc, "REGISTRY", dict(qc.REGISTRY))

    @qc.register
    class Funnel(qc.ChartType):
        viz_type = "funnel"

        def params(self, chart, filters, temporal_columns):
            return {"groupby": list(chart["groupby"]), "metric": chart["metrics"][0]}

        def query(self, data, temporal_columns):
            query = super().query(data, temporal_columns)
            query.update({"columns": data["groupby"], "metrics": [data["metric"]]})
            return query

    chart = {"key": "f", "viz": "funnel", "groupby": ["stage"], "metrics": ["n"], "filters": [{"column": "year", "op": "==", "value": 2024}]}
    data = qc.form_data(chart, 3, set())
    context = qc.query_context(data, 3, set())
    assert data["viz_type"] == "funnel" and data["datasource"] == "3__table" and data["metric"] == "n"
    (query,) = context["queries"]
    assert (query["columns"], query["metrics"]) == (["stage"], ["n"])
    assert query["filters"] == [{"col": "year", "op": "==", "val": 2024}]
    assert context["form_data"]["viz_type"] == "funnel"


def test_big_number_with_trend_queries_its_metric_along_the_time_axis():
    data = qc.form_data(TREND, 4, TEMPORAL)
    assert data["viz_type"] == "big_number" and data["metric"] == "cost_per_child_fixed"
    assert data["show_trend_line"] is True and data["compare_lag"] == 1
    # explore's "No filter" time range on the axis first, then the chart's own filters
    assert [(f["subject"], f["operator"]) for f in data["adhoc_filters"]] == [("period", "TEMPORAL_RANGE"), ("year", ">=")]
    (query,) = qc.query_context(data, 4, TEMPORAL)["queries"]
    (axis,) = query["columns"]
    assert (axis["columnType"], axis["sqlExpression"], axis["timeGrain"]) == ("BASE_AXIS", "period", "P1Y")
    assert query["metrics"] == ["cost_per_child_fixed"]
    assert [p["operation"] for p in query["post_processing"]] == ["pivot", "flatten"]
    assert query["filters"][1] == {"col": "year", "op": ">=", "val": 2020}


def test_big_number_needs_a_time_axis():
    with pytest.raises(ValueError, match="big_number needs a date column as x_axis, not municipality_name"):
        qc.form_data({**TREND, "x_axis": "municipality_name"}, 4, TEMPORAL)


MIXED = {
    "key": "monthly", "title": "Udgift pr. måned", "viz": "mixed_timeseries", "dataset": "fc_month",
    "x_axis": "month", "time_grain": "P1M", "metrics": ["actual_month_mio", "forecast_month_mio"], "stack": True,
    "metrics_b": ["budget_month_mio"], "filters": [{"column": "year", "op": "==", "value": 2025}],
}


def test_mixed_timeseries_sends_one_query_per_half_with_the_same_axis_and_filters():
    data = qc.form_data(MIXED, 5, {"month"})
    assert (data["viz_type"], data["seriesType"], data["seriesTypeB"], data["stack"]) == ("mixed_timeseries", "bar", "line", True)
    assert data["metrics_b"] == ["budget_month_mio"] and data["groupby_b"] == []
    # query B's keys carry the suffix _b, as Superset's buildQuery reads them
    assert data["adhoc_filters_b"] == data["adhoc_filters"]
    assert data["yAxisIndex"] == data["yAxisIndexB"] == 0  # one y-axis: bars and line in the same kroner
    first, second = qc.query_context(data, 5, {"month"})["queries"]
    assert first["metrics"] == ["actual_month_mio", "forecast_month_mio"]
    assert second["metrics"] == ["budget_month_mio"]
    for query in (first, second):
        (axis,) = query["columns"]
        assert (axis["columnType"], axis["sqlExpression"], axis["timeGrain"]) == ("BASE_AXIS", "month", "P1M")
        assert query["filters"] == [{"col": "month", "op": "TEMPORAL_RANGE", "val": "No filter"},
                                    {"col": "year", "op": "==", "val": 2025}]
        assert query["extras"]["time_grain_sqla"] == "P1M"


def _rows(answer) -> pd.DataFrame:
    (result,) = answer["result"]
    assert result["status"] == "success", result
    return pd.DataFrame(result["data"], columns=result["colnames"])


@pytest.mark.superset
def test_big_number_with_trend_answers_through_the_chart_data_api(published, superset_client):
    """Its series equals the country-trend line chart's (checked against the raw tables in
    test_charts.py) from 2020 on."""
    (dataset,) = [d for d in superset_client.datasets() if d["table_name"] == "bm_cost_per_child"]
    spec = bundle.load_assets().datasets["bm_cost_per_child"]
    temporal = bundle.temporal_columns(spec)
    data = qc.form_data(TREND, dataset["id"], temporal)
    trend = _rows(superset_client.post("/api/v1/chart/data", qc.query_context(data, dataset["id"], temporal)))

    line_uuid = bundle.chart_uuid("boern-unge-benchmark", "country_trend")
    (line,) = [c for c in superset_client.charts() if str(c["uuid"]) == line_uuid]
    country = _rows(superset_client.chart_data(line["id"]))
    first_2020 = pd.Timestamp("2020-01-01").value // 10**6
    expected = {t: v for t, v in zip(country["period"], country["cost_per_child_fixed"]) if t >= first_2020}
    got = dict(zip(trend["period"], trend["cost_per_child_fixed"]))
    assert expected and got == pytest.approx(expected, rel=1e-12)
