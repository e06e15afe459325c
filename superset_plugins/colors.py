"""Fixed series colours, the same on every dashboard whatever the selection (issue 14).

The one place of the colours: `METRICS` by saved metric name (a metric's series) and
`VALUES` by grouped column and value (e.g. each intervention). `label_colors` gives a
dashboard's json_metadata `label_colors`, for the series its charts draw: Superset 6.1's
custom label colours, which the dashboard forces on every one of its charts
(CategoricalColorNamespace) before the colour scheme, so the colour does not depend on which
series a selection happens to give or their order.

Superset 6.1's ECharts time series key a metric's colour by the metric's name (the legend's
Danish label mapped back through the dataset's verbose map) and a group's by its value; the
map also carries each metric's Danish label, for chart types that key by the label.

Kept in Python rather than a YAML file so that a plain install ships it (setup.py's package
data takes the YAML files one folder below assets/ only).
"""
from __future__ import annotations

# Tableau 10 (distinct, and apart in grey print). The selected municipality is always blue,
# its similar municipalities orange (mean) and brown (median), the whole country teal.
MUNICIPALITY = "#4E79A7"  # the selected municipality ("Kommunen", its own figures)
PEER_MEAN = "#F28E2B"  # similar municipalities, mean
PEER_MEDIAN = "#9C755F"  # similar municipalities, median
COUNTRY = "#76B7B2"  # the whole country, all municipalities
EXPECTED = "#BAB0AC"  # expected, planned, budget: what the figure is measured against
PRICE = "#E15759"  # the price part: unit cost
QUANTITY = "#B07AA1"  # the quantity part: full-year citizens
POSITIVE = "#59A14F"  # in, saved
NEGATIVE = "#EDC948"  # out, paid
FORECAST = "#FF9DA7"  # forecast

# A saved metric's series, by the metric's name.
METRICS: dict[str, str] = {
    # benchmark: the municipality, its peers and the country
    "own_figure": MUNICIPALITY,
    "peer_mean_figure": PEER_MEAN,
    "peer_median_figure": PEER_MEDIAN,
    "index_vs_country": MUNICIPALITY,
    "actual_per_capita": MUNICIPALITY,
    "expected_per_capita": EXPECTED,
    "potential_fixed": MUNICIPALITY,
    "cost_per_child_fixed": COUNTRY,
    "cost_per_adult_fixed": COUNTRY,
    "unit_cost_fixed": COUNTRY,
    # a change or a deviation split into price and quantity
    "price_effect": PRICE,
    "quantity_effect": QUANTITY,
    "price_deviation_mio": PRICE,
    "quantity_deviation_mio": QUANTITY,
    # budget against actual and forecast
    "budget": EXPECTED,
    "actual": MUNICIPALITY,
    "budget_mio": EXPECTED,
    "forecast_mio": FORECAST,
    "budget_month_mio": EXPECTED,
    "actual_month_mio": MUNICIPALITY,
    "forecast_month_mio": FORECAST,
    "actual_to_date_mio": MUNICIPALITY,
    "committed_mio": QUANTITY,
    "expected_new_mio": FORECAST,
    "planned_citizens": EXPECTED,
    "forecast_citizens": FORECAST,
    "planned_unit_cost": EXPECTED,
    "forecast_unit_cost": FORECAST,
    # flows
    "inflow": POSITIVE,
    "outflow": NEGATIVE,
    "saving_to_date": POSITIVE,
    "earned": NEGATIVE,
    "net_gain": MUNICIPALITY,
}

# A group value's series (charts with `groupby`), by the grouped column. Eleven distinct
# colours: the steering cockpit draws both areas' interventions in one chart.
VALUES: dict[str, dict[str, str]] = {
    "intervention_name": {
        "Opholdssteder for børn og unge": "#4E79A7",
        "Forebyggende foranstaltninger for børn og unge": "#A0CBE8",
        "Plejefamilier": "#59A14F",
        "Døgninstitutioner for børn og unge": "#8CD17D",
        "Sikrede døgninstitutioner": "#9C755F",
        "Socialpædagogisk støtte (§ 85)": "#F28E2B",
        "Beskyttet beskæftigelse (§ 103)": "#FFBE7D",
        "Aktivitets- og samværstilbud (§ 104)": "#B6992D",
        "Midlertidige botilbud (§ 107)": "#E15759",
        "Længerevarende botilbud (§ 108)": "#FF9DA7",
        "Krisecentre og forsorgshjem (§§ 109-110)": "#B07AA1",
    },
}


def label_colors(dashboard: dict, datasets: dict[str, dict]) -> dict[str, str]:
    """{series key: colour} for the series the dashboard's charts draw, sorted by key."""
    out: dict[str, str] = {}
    for chart in dashboard["charts"]:
        labels = {m["name"]: m["label"] for m in datasets[chart["dataset"]].get("metrics", [])}
        for name in [*chart.get("metrics", []), *chart.get("metrics_b", [])]:
            if name in METRICS:
                out[name] = METRICS[name]
                out.setdefault(labels.get(name, name), METRICS[name])
        for column in [*chart.get("groupby", []), *chart.get("groupby_b", [])]:
            out.update(VALUES.get(column, {}))
    return dict(sorted(out.items()))
