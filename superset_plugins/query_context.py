"""A chart's explore form data (Superset's `params`) and the `query_context` that Superset's
own frontend would build from it, for the few chart types the dashboards use.

Superset stores both on a chart: the dashboard re-runs the frontend's `buildQuery` on the
form data, while `GET /api/v1/chart/<id>/data/` (reports, thumbnails, our tests) replays the
stored query_context, and answers 400 without one. The shapes below mirror what Superset
6.1's plugins build (plugin-chart-echarts Timeseries/Pie/BigNumberTotal, plugin-chart-table):
saved metrics are referenced by name, a time-series x-axis is an adhoc BASE_AXIS column
carrying its time grain, and simple adhoc filters become `{col, op, val}` query filters.
"""
from __future__ import annotations

import json
from typing import Any

TIMESERIES = {"echarts_timeseries_line", "echarts_timeseries_bar", "echarts_area"}
SUPPORTED = TIMESERIES | {"table", "big_number_total", "pie"}
# Explore's default: a temporal x-axis gets a "No filter" time range.
NO_FILTER = "No filter"


def adhoc_filter(spec: dict[str, Any]) -> dict[str, Any]:
    """An explore adhoc filter from {column, op, value} (op: ==, !=, IN, NOT IN, IS NOT NULL, ...)."""
    return {
        "clause": "WHERE",
        "comparator": spec.get("value"),
        "expressionType": "SIMPLE",
        "operator": spec["op"],
        "subject": spec["column"],
    }


def query_filter(adhoc: dict[str, Any]) -> dict[str, Any]:
    """The query-object filter Superset derives from a SIMPLE adhoc filter."""
    out = {"col": adhoc["subject"], "op": adhoc["operator"]}
    if adhoc["operator"] not in ("IS NULL", "IS NOT NULL"):
        out["val"] = adhoc["comparator"]
    return out


def form_data(chart: dict[str, Any], datasource_id: int, temporal_columns: set[str]) -> dict[str, Any]:
    """The explore form data of a chart definition (see superset_plugins/assets/README)."""
    viz = chart["viz"]
    if viz not in SUPPORTED:
        raise ValueError(f"chart {chart['key']}: viz type {viz} is not supported")
    filters = [adhoc_filter(f) for f in chart.get("filters", [])]
    fmt = chart.get("format", ",.0f")
    data: dict[str, Any] = {
        "datasource": f"{datasource_id}__table",
        "viz_type": viz,
        "adhoc_filters": filters,
        "extra_form_data": {},
        "dashboards": [],
    }
    if viz in TIMESERIES:
        x_axis = chart["x_axis"]
        temporal = x_axis in temporal_columns
        if temporal:
            data["adhoc_filters"] = [
                {
                    "clause": "WHERE",
                    "comparator": NO_FILTER,
                    "expressionType": "SIMPLE",
                    "operator": "TEMPORAL_RANGE",
                    "subject": x_axis,
                }
            ] + filters
        data.update(
            {
                "x_axis": x_axis,
                "time_grain_sqla": chart.get("time_grain", "P1Y") if temporal else None,
                "xAxisForceCategorical": not temporal,
                "x_axis_time_format": "%Y" if chart.get("time_grain", "P1Y") == "P1Y" else "%Y-%m",
                "x_axis_sort_asc": chart.get("sort_ascending", True),
                "x_axis_sort_series": "name",
                "x_axis_sort_series_ascending": True,
                "metrics": list(chart["metrics"]),
                "groupby": list(chart.get("groupby", [])),
                "order_desc": True,
                "row_limit": chart.get("row_limit", 10000),
                "truncate_metric": True,
                "show_empty_columns": True,
                "comparison_type": "values",
                "annotation_layers": [],
                "forecastEnabled": False,
                "forecastPeriods": 10,
                "forecastInterval": 0.8,
                "x_axis_title": chart.get("x_axis_title", ""),
                "x_axis_title_margin": 15,
                "y_axis_title": chart.get("y_axis_title", ""),
                "y_axis_title_margin": 30 if chart.get("y_axis_title") else 15,
                "y_axis_title_position": "Left",
                "sort_series_type": "sum",
                "color_scheme": "supersetColors",
                "seriesType": "line",
                "only_total": True,
                "show_legend": True,
                "legendType": "scroll",
                "legendOrientation": "top",
                "y_axis_format": fmt,
                "truncateXAxis": True,
                "y_axis_bounds": [None, None],
                "rich_tooltip": True,
                "tooltipTimeFormat": "%Y" if chart.get("time_grain", "P1Y") == "P1Y" else "%Y-%m-%d",
                "markerEnabled": True,
                "markerSize": 6,
            }
        )
        if chart.get("sort_by_metric"):
            data["x_axis_sort"] = chart["metrics"][0]
            data["x_axis_sort_series"] = "name"
        if viz == "echarts_timeseries_bar":
            data["orientation"] = chart.get("orientation", "vertical")
            data["stack"] = "Stack" if chart.get("stack") else None
        if viz == "echarts_area":
            data["stack"] = "Stack"
            data["opacity"] = 0.2
    elif viz == "table":
        raw = "columns" in chart
        data.update(
            {
                "query_mode": "raw" if raw else "aggregate",
                "groupby": [] if raw else list(chart.get("groupby", [])),
                "metrics": [] if raw else list(chart.get("metrics", [])),
                "all_columns": list(chart["columns"]) if raw else [],
                "percent_metrics": [],
                "order_by_cols": [json.dumps([c, asc]) for c, asc in _order(chart)] if raw else [],
                "order_desc": True,
                "server_pagination": False,
                "row_limit": chart.get("row_limit", 1000),
                "server_page_length": 10,
                "table_timestamp_format": "%Y-%m-%d",
                "show_cell_bars": False,
                "color_pn": True,
                "allow_rearrange_columns": False,
                "column_config": {c: {"d3NumberFormat": f} for c, f in chart.get("column_formats", {}).items()},
                "conditional_formatting": [],
                "include_search": bool(raw),
            }
        )
        if not raw and chart.get("sort_by_metric"):
            data["timeseries_limit_metric"] = chart["metrics"][0]
    elif viz == "big_number_total":
        data.update(
            {
                "metric": chart["metrics"][0],
                "header_font_size": 0.4,
                "subheader_font_size": 0.15,
                "y_axis_format": fmt,
                "time_format": "smart_date",
                "subtitle": chart.get("subtitle", ""),
            }
        )
    elif viz == "pie":
        data.update(
            {
                "groupby": list(chart["groupby"]),
                "metric": chart["metrics"][0],
                "row_limit": chart.get("row_limit", 100),
                "sort_by_metric": True,
                "color_scheme": "supersetColors",
                "show_labels_threshold": 5,
                "show_legend": True,
                "legendType": "scroll",
                "legendOrientation": "top",
                "label_type": "key_percent",
                "number_format": fmt,
                "show_labels": True,
                "labels_outside": True,
                "outerRadius": 70,
                "innerRadius": 30,
                "donut": True,
            }
        )
    return data


def _order(chart: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(o["column"], o.get("ascending", True)) for o in chart.get("order_by", [])]


def _base_query(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "filters": [query_filter(f) for f in data["adhoc_filters"]],
        "extras": {"having": "", "where": ""},
        "applied_time_extras": {},
        "columns": [],
        "metrics": [],
        "orderby": [],
        "annotation_layers": [],
        "row_limit": data.get("row_limit", 10000),
        "series_limit": 0,
        "order_desc": True,
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
    }


def query_context(data: dict[str, Any], datasource_id: int, temporal_columns: set[str]) -> dict[str, Any]:
    """The query context Superset's frontend builds for this form data."""
    viz = data["viz_type"]
    query = _base_query(data)
    if viz in TIMESERIES:
        x_axis = data["x_axis"]
        temporal = x_axis in temporal_columns
        axis = {"columnType": "BASE_AXIS", "sqlExpression": x_axis, "label": x_axis, "expressionType": "SQL"}
        if temporal:
            axis["timeGrain"] = data["time_grain_sqla"]
        else:
            axis["isColumnReference"] = True
        metrics = data["metrics"]
        query.update(
            {
                "columns": [axis, *data["groupby"]],
                "metrics": metrics,
                "orderby": [[metrics[0], False]],
                "series_columns": data["groupby"],
                "time_offsets": [],
                "post_processing": [
                    {
                        "operation": "pivot",
                        "options": {
                            "index": [x_axis],
                            "columns": data["groupby"],
                            "aggregates": {m: {"operator": "mean"} for m in metrics},
                            "drop_missing_columns": False,
                        },
                    },
                    {"operation": "flatten"},
                ],
            }
        )
        if data["groupby"] and len(metrics) == 1:
            # one metric split by series: the series names are the group values alone
            query["post_processing"].insert(
                1, {"operation": "rename", "options": {"columns": {metrics[0]: None}, "level": 0, "inplace": True}}
            )
        if temporal:
            query["extras"]["time_grain_sqla"] = data["time_grain_sqla"]
    elif viz == "table":
        if data["query_mode"] == "raw":
            query.update(
                {
                    "columns": data["all_columns"],
                    "orderby": [_parse_order(o) for o in data["order_by_cols"]],
                    "post_processing": [],
                }
            )
            # raw records: no metrics at all (an empty list would make Superset group by)
            del query["metrics"]
        else:
            sort = data.get("timeseries_limit_metric") or (data["metrics"][0] if data["metrics"] else None)
            query.update(
                {
                    "columns": data["groupby"],
                    "metrics": data["metrics"],
                    "orderby": [[sort, False]] if sort else [],
                    "post_processing": [],
                }
            )
        query["time_offsets"] = []
    elif viz == "big_number_total":
        query.update({"metrics": [data["metric"]], "post_processing": []})
        query.pop("row_limit")
    elif viz == "pie":
        query.update(
            {
                "columns": data["groupby"],
                "metrics": [data["metric"]],
                "orderby": [[data["metric"], False]],
                "post_processing": [],
            }
        )
    datasource = {"id": datasource_id, "type": "table"}
    return {
        "datasource": datasource,
        "force": False,
        "queries": [query],
        "form_data": {**data, "force": False, "result_format": "json", "result_type": "full"},
        "result_format": "json",
        "result_type": "full",
    }


def _parse_order(text: str) -> list:
    column, ascending = json.loads(text)
    return [column, ascending]
