"""Issue 14, dashboards a leader reads without help: what the definitions decide.

Date labels in Danish with the chart's own grain (never ISO, and a run dated 2025-12-31
never labelled as the next month), fixed series colours, select filters that create no
values, the reference line at 100; test_reader_fixes_browser.py checks what Chromium draws.
"""
from __future__ import annotations

import json

import pytest

from superset_plugins import query_context as qc
from superset_plugins.bundle import bundle_files, load_assets

WAREHOUSE = "duckdb:////tmp/socialbench-test.duckdb"


@pytest.fixture(scope="module")
def files():
    return bundle_files(WAREHOUSE)


def chart_params(files, slug: str, key: str) -> dict:
    dashboard = next(d for d in load_assets().dashboards if d["slug"] == slug)
    title = next(c["title"] for c in dashboard["charts"] if c["key"] == key)
    return next(c for p, c in files.items() if p.startswith("charts/") and c["slice_name"] == title)["params"]


def test_time_labels_follow_the_grain_with_danish_month_names():
    temporal = {"period", "month", "as_of"}
    year = qc.form_data({"key": "y", "viz": "echarts_timeseries_line", "x_axis": "period", "metrics": ["m"]}, 1, temporal)
    month = qc.form_data(
        {"key": "m", "viz": "echarts_timeseries_bar", "x_axis": "month", "time_grain": "P1M", "metrics": ["m"]}, 1, temporal
    )
    day = qc.form_data(
        {"key": "d", "viz": "echarts_timeseries_bar", "x_axis": "as_of", "time_grain": "P1D", "metrics": ["m"]}, 1, temporal
    )
    assert (year["x_axis_time_format"], year["tooltipTimeFormat"]) == ("%Y", "%Y")
    # %b is the D3 time locale's short month name: "jan. 2025" with superset_plugins.config
    assert (month["x_axis_time_format"], month["tooltipTimeFormat"]) == ("%b %Y", "%b %Y")
    assert (day["x_axis_time_format"], day["tooltipTimeFormat"]) == ("%-d. %b %Y", "%-d. %b %Y")
    # years and months on a time axis; days (settlement runs) one label per point
    assert not year["xAxisForceCategorical"] and not month["xAxisForceCategorical"]
    assert day["xAxisForceCategorical"]


def test_no_chart_of_the_bundle_labels_dates_in_iso(files):
    for path, chart in files.items():
        if not path.startswith("charts/"):
            continue
        params = chart["params"]
        for key in ("x_axis_time_format", "tooltipTimeFormat"):
            if key in params:
                assert "%m" not in params[key] and "%Y-" not in params[key], (chart["slice_name"], key, params[key])
        assert json.loads(chart["query_context"])["form_data"].get("x_axis_time_format") == params.get("x_axis_time_format")


def test_the_settlement_runs_are_labelled_by_their_own_date(files):
    """The root of "2025-12-31 labelled 2026-01": ECharts' time axis labels its nice ticks (a
    single run: the axis padded a day each side, its only tick 1 January), not the run."""
    params = chart_params(files, "incitamentsafregning", "payout_by_date")
    assert params["time_grain_sqla"] == "P1D"
    assert params["xAxisForceCategorical"] is True
    assert params["x_axis_time_format"] == "%-d. %b %Y"


def test_monthly_charts_say_the_month_in_danish(files):
    for slug, key in [("styringscockpit", "active_grants"), ("sagsbehandling", "caseworker_load"),
                      ("budgetopfoelgning", "monthly")]:
        params = chart_params(files, slug, key)
        assert params["time_grain_sqla"] == "P1M"
        assert params["x_axis_time_format"] == "%b %Y", (slug, key)


def dashboards_metadata(files) -> dict[str, dict]:
    return {c["slug"]: c["metadata"] for p, c in files.items() if p.startswith("dashboards/")}


def test_every_dashboard_fixes_the_colours_of_its_series(files):
    from superset_plugins import colors

    metadata = dashboards_metadata(files)
    for slug, meta in metadata.items():
        assert meta["label_colors"], slug
        for key, colour in meta["label_colors"].items():
            assert colour.startswith("#") and len(colour) == 7, (slug, key, colour)
    boern, voksne = metadata["boern-unge-benchmark"]["label_colors"], metadata["voksne-benchmark"]["label_colors"]
    # the selected municipality, its peers: one colour each, on both benchmark dashboards,
    # by the metric's name (Superset 6.1's key) and its Danish label
    for key, colour in [("own_figure", colors.MUNICIPALITY), ("Kommunen", colors.MUNICIPALITY),
                        ("peer_mean_figure", colors.PEER_MEAN), ("Sammenligningskommuner, gennemsnit", colors.PEER_MEAN),
                        ("peer_median_figure", colors.PEER_MEDIAN), ("Sammenligningskommuner, median", colors.PEER_MEDIAN)]:
        assert boern[key] == voksne[key] == colour, key
    assert len({boern["own_figure"], boern["peer_mean_figure"], boern["peer_median_figure"]}) == 3
    # price and quantity: the same colours for the effect (voksne) and the deviation (budget)
    budget = metadata["budgetopfoelgning"]["label_colors"]
    assert voksne["price_effect"] == voksne["Priseffekt (kr.)"] == budget["price_deviation_mio"] == colors.PRICE
    assert voksne["quantity_effect"] == voksne["Mængdeeffekt (kr.)"] == budget["quantity_deviation_mio"] == colors.QUANTITY
    assert colors.PRICE != colors.QUANTITY
    # each intervention one colour wherever it is grouped by, all eleven apart
    cockpit = metadata["styringscockpit"]["label_colors"]
    interventions = colors.VALUES["intervention_name"]
    assert all(cockpit[name] == voksne[name] == colour for name, colour in interventions.items())
    assert len(set(interventions.values())) == len(interventions)


def test_every_intervention_has_a_colour():
    from socialbench import reference
    from superset_plugins import colors

    assert set(colors.VALUES["intervention_name"]) == set(reference.frame("intervention")["intervention_name"])


def test_the_colour_map_names_only_metrics_the_datasets_have():
    from superset_plugins import colors

    metrics = {m["name"] for spec in load_assets().datasets.values() for m in spec.get("metrics", [])}
    assert set(colors.METRICS) <= metrics, sorted(set(colors.METRICS) - metrics)


def test_no_select_filter_creates_values(files):
    """Superset's filter_select defaults to `creatable: true`: typed text + Enter became a value."""
    for meta in dashboards_metadata(files).values():
        for native in meta["native_filter_configuration"]:
            assert native["filterType"] == "filter_select"
            assert native["controlValues"]["creatable"] is False, native["name"]


def test_the_index_against_the_country_has_a_reference_line_at_100(files):
    params = chart_params(files, "boern-unge-benchmark", "index_trend")
    layers = params["annotation_layers"]
    assert len(layers) == 1
    layer = layers[0]
    assert (layer["annotationType"], layer["value"], layer["show"], layer["name"]) == ("FORMULA", "100", True, "Landet = 100")
    # as the frontend's buildQueryObject sends it (Superset drops formula layers from the query)
    chart = next(c for p, c in files.items() if p.startswith("charts/") and c["params"] is params)
    assert json.loads(chart["query_context"])["queries"][0]["annotation_layers"] == layers
    # no other chart draws one
    others = [c["slice_name"] for p, c in files.items()
              if p.startswith("charts/") and c["params"].get("annotation_layers") and c["params"] is not params]
    assert others == []


def test_tables_show_danish_dates(files):
    tables = [c for p, c in files.items() if p.startswith("charts/") and c["viz_type"] == "table"]
    assert tables and {c["params"]["table_timestamp_format"] for c in tables} == {"%d-%m-%Y"}
