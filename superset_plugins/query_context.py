"""A chart's explore form data (Superset's `params`) and the `query_context` that Superset's
own frontend would build from it: one registry entry per chart type.

Superset stores both on a chart: the dashboard re-runs the frontend's `buildQuery` on the
form data, while `GET /api/v1/chart/<id>/data/` (reports, thumbnails, our tests) replays the
stored query_context, and answers 400 without one. The shapes below mirror what Superset
6.1's plugins build (plugin-chart-echarts Timeseries/Pie/BigNumber, plugin-chart-table):
saved metrics are referenced by name, a time-series x-axis is an adhoc BASE_AXIS column
carrying its time grain, and simple adhoc filters become `{col, op, val}` query filters.

Each chart type is one `ChartType` subclass that owns both halves (the way sqlglot keeps
one class per dialect): `params` gives the type's form-data keys from a chart definition
(superset_plugins/assets/README.md), `query` gives its query object from that form data.
Adding a chart type is one subclass decorated with `@register`, and a test.
"""
from __future__ import annotations

import json
from typing import Any, ClassVar

# Explore's default: a temporal x-axis gets a "No filter" time range.
NO_FILTER = "No filter"

# Date labels by time grain, as d3 time formats: Superset formats them with its D3 time
# locale (D3_TIME_FORMAT, Danish month names from superset_plugins.config), so a month reads
# "jan. 2025" and a day "31. dec. 2025", never ISO. The axis and the tooltip use the same.
TIME_FORMATS = {
    "P1Y": "%Y",
    "P3M": "%b %Y",
    "P1M": "%b %Y",
    "P1W": "%-d. %b %Y",
    "P1D": "%-d. %b %Y",
}
# Dates in tables: the Danish numeric date of the D3 time locale (31-12-2025), not ISO.
TABLE_DATE_FORMAT = "%d-%m-%Y"
# Grains whose points are labelled one by one on a categorical axis. ECharts' time axis
# puts its labels on "nice" ticks (month starts, ...), not on the data: a single run dated
# 2025-12-31 got the axis padded by a day each side and its only label at the tick
# 2026-01-01, formatted "2026-01". A day is only ever labelled by its own date.
CATEGORICAL_GRAINS = frozenset({"P1W", "P1D"})


# Reference lines by saved metric: wherever a chart draws the metric, a horizontal line at a
# constant says what the figure is measured against (an index against the country: 100).
REFERENCE_LINES: dict[str, tuple[str, float]] = {
    "index_vs_country": ("Landet = 100", 100),
}
# Their colour: dark grey, apart from every series colour of superset_plugins.colors.
REFERENCE_LINE_COLOR = "#79706E"


def reference_line(label: str, value: float) -> dict[str, Any]:
    """A horizontal line at a constant: an explore FORMULA annotation layer (the formula is
    the constant), drawn by plugin-chart-echarts as a dashed series named by its label."""
    return {
        "name": label,
        "annotationType": "FORMULA",
        "sourceType": "",
        "value": f"{value:g}",
        "overrides": {"time_range": None},
        "show": True,
        "showLabel": False,
        "titleColumn": "",
        "descriptionColumns": [],
        "timeColumn": "",
        "intervalEndColumn": "",
        "color": REFERENCE_LINE_COLOR,
        "opacity": "",
        "style": "dashed",
        "width": 2,
        "showMarkers": False,
        "hideLine": False,
    }


def time_format(grain: str | None) -> str:
    """The d3 time format of a time grain's labels (months for unknown grains)."""
    return TIME_FORMATS.get(grain or "P1Y", "%b %Y")

REGISTRY: dict[str, ChartType] = {}


def register(cls: type[ChartType]) -> type[ChartType]:
    """Class decorator: make `cls` the chart type of its `viz_type`."""
    if cls.viz_type in REGISTRY:
        raise ValueError(f"viz type {cls.viz_type} is registered twice")
    REGISTRY[cls.viz_type] = cls()
    return cls


def chart_type(viz: str, key: str = "?") -> ChartType:
    try:
        return REGISTRY[viz]
    except KeyError:
        raise ValueError(
            f"chart {key}: viz type {viz} is not supported (supported: {', '.join(sorted(REGISTRY))})"
        ) from None


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


def temporal_range(column: str) -> dict[str, Any]:
    """The adhoc filter explore puts on a temporal x-axis: no time range."""
    return {
        "clause": "WHERE",
        "comparator": NO_FILTER,
        "expressionType": "SIMPLE",
        "operator": "TEMPORAL_RANGE",
        "subject": column,
    }


def base_axis(x_axis: str, temporal: bool, time_grain: str | None) -> dict[str, Any]:
    """The x-axis as the frontend sends it: an adhoc BASE_AXIS column, with its grain if temporal."""
    axis: dict[str, Any] = {"columnType": "BASE_AXIS", "sqlExpression": x_axis, "label": x_axis, "expressionType": "SQL"}
    if temporal:
        axis["timeGrain"] = time_grain
    else:
        axis["isColumnReference"] = True
    return axis


def pivot(index: str, columns: list[str], metrics: list[str]) -> dict[str, Any]:
    return {
        "operation": "pivot",
        "options": {
            "index": [index],
            "columns": columns,
            "aggregates": {m: {"operator": "mean"} for m in metrics},
            "drop_missing_columns": False,
        },
    }


def base_query(data: dict[str, Any]) -> dict[str, Any]:
    """The query object every chart type starts from (buildQueryObject's defaults)."""
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


class ChartType:
    """One Superset chart type: its explore form data and its query object."""

    viz_type: ClassVar[str]

    def params(self, chart: dict[str, Any], filters: list[dict], temporal_columns: set[str]) -> dict[str, Any]:
        """The type's form-data keys (they follow the common keys, or replace them in place)."""
        return {}

    def query(self, data: dict[str, Any], temporal_columns: set[str]) -> dict[str, Any]:
        """The main query object of the query context, from the chart's form data."""
        return base_query(data)

    def queries(self, data: dict[str, Any], temporal_columns: set[str]) -> list[dict[str, Any]]:
        """Every query object of the query context: the main one, unless the type sends more."""
        return [self.query(data, temporal_columns)]


# ---------------------------------------------------------------- time series


class Timeseries(ChartType):
    """plugin-chart-echarts Timeseries: an x-axis (temporal or categorical), metrics, series."""

    def params(self, chart, filters, temporal_columns):
        x_axis = chart["x_axis"]
        temporal = x_axis in temporal_columns
        grain = chart.get("time_grain", "P1Y")
        data: dict[str, Any] = {}
        if temporal:
            data["adhoc_filters"] = [temporal_range(x_axis)] + filters
        data.update(
            {
                "x_axis": x_axis,
                "time_grain_sqla": grain if temporal else None,
                "xAxisForceCategorical": not temporal or grain in CATEGORICAL_GRAINS,
                "x_axis_time_format": time_format(grain),
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
                "annotation_layers": [reference_line(*REFERENCE_LINES[m]) for m in chart["metrics"] if m in REFERENCE_LINES],
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
                "y_axis_format": chart.get("format", ",.0f"),
                "truncateXAxis": True,
                "y_axis_bounds": [None, None],
                "rich_tooltip": True,
                "tooltipTimeFormat": time_format(grain),
                "markerEnabled": True,
                "markerSize": 6,
            }
        )
        if chart.get("sort_by_metric"):
            data["x_axis_sort"] = chart["metrics"][0]
            data["x_axis_sort_series"] = "name"
        return data

    def query(self, data, temporal_columns):
        query = super().query(data, temporal_columns)
        x_axis = data["x_axis"]
        temporal = x_axis in temporal_columns
        metrics = data["metrics"]
        query.update(
            {
                "columns": [base_axis(x_axis, temporal, data["time_grain_sqla"]), *data["groupby"]],
                "metrics": metrics,
                "orderby": [[metrics[0], False]],
                "series_columns": data["groupby"],
                # as buildQueryObject: the form's layers (Superset drops FORMULA ones server-side)
                "annotation_layers": list(data.get("annotation_layers", [])),
                "time_offsets": [],
                "post_processing": [pivot(x_axis, data["groupby"], metrics), {"operation": "flatten"}],
            }
        )
        if data["groupby"] and len(metrics) == 1:
            # one metric split by series: the series names are the group values alone
            query["post_processing"].insert(
                1, {"operation": "rename", "options": {"columns": {metrics[0]: None}, "level": 0, "inplace": True}}
            )
        if temporal:
            query["extras"]["time_grain_sqla"] = data["time_grain_sqla"]
        return query


@register
class Line(Timeseries):
    viz_type = "echarts_timeseries_line"


@register
class Bar(Timeseries):
    viz_type = "echarts_timeseries_bar"

    def params(self, chart, filters, temporal_columns):
        data = super().params(chart, filters, temporal_columns)
        data["orientation"] = chart.get("orientation", "vertical")
        data["stack"] = "Stack" if chart.get("stack") else None
        return data


@register
class Area(Timeseries):
    viz_type = "echarts_area"

    def params(self, chart, filters, temporal_columns):
        data = super().params(chart, filters, temporal_columns)
        data["stack"] = "Stack"
        data["opacity"] = 0.2
        return data


@register
class MixedTimeseries(Timeseries):
    """plugin-chart-echarts MixedTimeseries: query A (`metrics`, `groupby`) and query B
    (`metrics_b`, `groupby_b`) on one x-axis and one y-axis, each drawn as its own series type
    (e.g. stacked bars and a line). Its buildQuery sends one query object per query, from the
    form data without and with the `_b` keys."""

    viz_type = "mixed_timeseries"

    def params(self, chart, filters, temporal_columns):
        data = super().params(chart, filters, temporal_columns)
        for key in ("seriesType", "only_total", "orientation"):
            data.pop(key, None)
        data.update(
            {
                "metrics_b": list(chart["metrics_b"]),
                "groupby_b": list(chart.get("groupby_b", [])),
                "adhoc_filters_b": list(data["adhoc_filters"]),
                "row_limit_b": data["row_limit"],
                "order_desc_b": True,
                "truncate_metric_b": True,
                "comparison_type_b": "values",
                "seriesType": chart.get("series_type", "bar"),
                "seriesTypeB": chart.get("series_type_b", "line"),
                "stack": bool(chart.get("stack")),
                "stackB": False,
                "area": False,
                "areaB": False,
                "show_value": False,
                "show_valueB": False,
                "opacity": 0.2,
                "opacityB": 0.2,
                "markerEnabled": False,
                "markerEnabledB": True,
                "markerSize": 6,
                "markerSizeB": 6,
                "yAxisIndex": 0,
                "yAxisIndexB": 0,
                "y_axis_format_secondary": data["y_axis_format"],
                "yAxisTitleSecondary": "",
                "y_axis_bounds_secondary": [None, None],
                "truncateYAxis": False,
                "logAxis": False,
                "logAxisSecondary": False,
                "minorSplitLine": False,
                "zoomable": False,
                "sort_series_type_b": "sum",
            }
        )
        return data

    def queries(self, data, temporal_columns):
        second = {
            **data,
            "metrics": data["metrics_b"],
            "groupby": data["groupby_b"],
            "adhoc_filters": data["adhoc_filters_b"],
            "row_limit": data["row_limit_b"],
        }
        return [self.query(data, temporal_columns), self.query(second, temporal_columns)]


# ---------------------------------------------------------------- table


def _order(chart: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(o["column"], o.get("ascending", True)) for o in chart.get("order_by", [])]


def _parse_order(text: str) -> list:
    column, ascending = json.loads(text)
    return [column, ascending]


@register
class Table(ChartType):
    """plugin-chart-table: aggregated (`groupby` + `metrics`) or raw records (`columns`)."""

    viz_type = "table"

    def params(self, chart, filters, temporal_columns):
        raw = "columns" in chart
        data = {
            "query_mode": "raw" if raw else "aggregate",
            "groupby": [] if raw else list(chart.get("groupby", [])),
            "metrics": [] if raw else list(chart.get("metrics", [])),
            "all_columns": list(chart["columns"]) if raw else [],
            "percent_metrics": [],
            "order_by_cols": [json.dumps([c, asc]) for c, asc in _order(chart)] if raw else [],
            "order_desc": True,
            "server_pagination": bool(chart.get("server_pagination", False)),
            "row_limit": chart.get("row_limit", 1000),
            "server_page_length": chart.get("page_length", 10),
            "table_timestamp_format": TABLE_DATE_FORMAT,
            "show_cell_bars": False,
            "color_pn": True,
            "allow_rearrange_columns": False,
            "column_config": {c: {"d3NumberFormat": f} for c, f in chart.get("column_formats", {}).items()},
            "conditional_formatting": [],
            "include_search": bool(raw),
        }
        if not raw and chart.get("sort_by_metric"):
            data["timeseries_limit_metric"] = chart["metrics"][0]
        return data

    def query(self, data, temporal_columns):
        query = super().query(data, temporal_columns)
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
        return query

    def queries(self, data, temporal_columns):
        query = self.query(data, temporal_columns)
        if not data["server_pagination"]:
            return [query]
        # As plugin-chart-table's buildQuery with server pagination: the first page, then
        # the number of rows of the whole result (up to row_limit) for the pager.
        page = {**query, "row_limit": data["server_page_length"], "row_offset": 0}
        rowcount = {**query, "time_offsets": [], "row_limit": data["row_limit"], "row_offset": 0,
                    "post_processing": [], "is_rowcount": True}
        return [page, rowcount]


# ---------------------------------------------------------------- big numbers and pie


@register
class BigNumberTotal(ChartType):
    """One figure: the first metric over the whole (filtered) dataset."""

    viz_type = "big_number_total"

    def params(self, chart, filters, temporal_columns):
        return {
            "metric": chart["metrics"][0],
            "header_font_size": 0.4,
            "subheader_font_size": 0.15,
            "y_axis_format": chart.get("format", ",.0f"),
            "time_format": "smart_date",
            "subtitle": chart.get("subtitle", ""),
        }

    def query(self, data, temporal_columns):
        query = super().query(data, temporal_columns)
        query.update({"metrics": [data["metric"]], "post_processing": []})
        query.pop("row_limit")
        return query


@register
class BigNumberWithTrendline(ChartType):
    """The latest value of the first metric, big, over its trend along a temporal x-axis
    (plugin-chart-echarts BigNumberWithTrendline); `compare_lag` periods back for the change."""

    viz_type = "big_number"

    def params(self, chart, filters, temporal_columns):
        x_axis = chart["x_axis"]
        if x_axis not in temporal_columns:
            raise ValueError(f"chart {chart['key']}: big_number needs a date column as x_axis, not {x_axis}")
        return {
            "adhoc_filters": [temporal_range(x_axis)] + filters,
            "x_axis": x_axis,
            "time_grain_sqla": chart.get("time_grain", "P1Y"),
            "metric": chart["metrics"][0],
            "show_trend_line": True,
            "start_y_axis_at_zero": True,
            "compare_lag": chart.get("compare_lag", 1),
            "compare_suffix": chart.get("compare_suffix", ""),
            "show_timestamp": False,
            "header_font_size": 0.4,
            "subheader_font_size": 0.15,
            "y_axis_format": chart.get("format", ",.0f"),
            "time_format": "smart_date",
            "subtitle": chart.get("subtitle", ""),
            "rolling_type": "None",
            "color_picker": {"r": 0, "g": 122, "b": 135, "a": 1},
        }

    def query(self, data, temporal_columns):
        query = super().query(data, temporal_columns)
        x_axis = data["x_axis"]
        metric = data["metric"]
        query.update(
            {
                "columns": [base_axis(x_axis, True, data["time_grain_sqla"])],
                "metrics": [metric],
                "post_processing": [pivot(x_axis, [], [metric]), {"operation": "flatten"}],
            }
        )
        query["extras"]["time_grain_sqla"] = data["time_grain_sqla"]
        return query


@register
class Pie(ChartType):
    viz_type = "pie"

    def params(self, chart, filters, temporal_columns):
        return {
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
            "number_format": chart.get("format", ",.0f"),
            "show_labels": True,
            "labels_outside": True,
            "outerRadius": 70,
            "innerRadius": 30,
            "donut": True,
        }

    def query(self, data, temporal_columns):
        query = super().query(data, temporal_columns)
        query.update(
            {
                "columns": data["groupby"],
                "metrics": [data["metric"]],
                "orderby": [[data["metric"], False]],
                "post_processing": [],
            }
        )
        return query


# ---------------------------------------------------------------- the two entry points


def form_data(chart: dict[str, Any], datasource_id: int, temporal_columns: set[str]) -> dict[str, Any]:
    """The explore form data of a chart definition (see superset_plugins/assets/README.md)."""
    kind = chart_type(chart["viz"], chart.get("key", "?"))
    filters = [adhoc_filter(f) for f in chart.get("filters", [])]
    data: dict[str, Any] = {
        "datasource": f"{datasource_id}__table",
        "viz_type": kind.viz_type,
        "adhoc_filters": filters,
        "extra_form_data": {},
        "dashboards": [],
    }
    data.update(kind.params(chart, filters, temporal_columns))
    return data


def query_context(data: dict[str, Any], datasource_id: int, temporal_columns: set[str]) -> dict[str, Any]:
    """The query context Superset's frontend builds for this form data."""
    queries = chart_type(data["viz_type"]).queries(data, temporal_columns)
    return {
        "datasource": {"id": datasource_id, "type": "table"},
        "force": False,
        "queries": queries,
        "form_data": {**data, "force": False, "result_format": "json", "result_type": "full"},
        "result_format": "json",
        "result_type": "full",
    }


# The chart types a definition may name (kept for callers of the former module constant).
SUPPORTED = frozenset(REGISTRY)
