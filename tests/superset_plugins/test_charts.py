"""Every chart of every published dashboard answers from the warehouse, with the right numbers.

Each chart's stored query context is run through `GET /api/v1/chart/<id>/data/` of a real
Superset. For at least one chart per dashboard the figures are recomputed here from the
warehouse's tables with our own SQL and pandas, not with the views the charts read.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pandas as pd
import pytest

from superset_plugins.bundle import chart_uuid, dashboard_slugs, load_assets

pytestmark = pytest.mark.superset

REL = 1e-9


def _charts_by_uuid(client) -> dict[str, dict]:
    return {str(c["uuid"]): c for c in client.charts()}


def _data(client, slug: str, key: str) -> pd.DataFrame:
    """The rows of one chart (first query of its query context) as a DataFrame."""
    chart = _charts_by_uuid(client)[chart_uuid(slug, key)]
    result = client.chart_data(chart["id"])["result"][0]
    assert result["status"] == "success", result
    return pd.DataFrame(result["data"], columns=result["colnames"])


def _year(epoch_ms: float) -> int:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc).year


def _day(epoch_ms: float) -> date:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc).date()


@pytest.mark.parametrize("slug", dashboard_slugs())
def test_every_chart_of_the_dashboard_returns_rows(published, superset_client, slug):
    charts = superset_client.dashboard_charts(slug)
    defined = next(d for d in load_assets().dashboards if d["slug"] == slug)["charts"]
    assert len(charts) == len(defined)
    failures = []
    for chart in charts:
        try:
            results = superset_client.chart_data(chart["id"])["result"]
        except Exception as error:  # report every failing chart, not only the first
            failures.append(f"{chart['slice_name']}: {error}")
            continue
        for result in results:
            if result.get("status") != "success" or not result.get("rowcount"):
                failures.append(f"{chart['slice_name']}: status {result.get('status')}, {result.get('rowcount')} rows")
    assert failures == []


def test_children_country_trend_equals_sums_over_the_raw_tables(published, superset_client, warehouse_conn):
    """National cost per 0-22-year-old in fixed prices = Σ expenditure × P(base)/P(year) / Σ persons 0-22."""
    chart = _data(superset_client, "boern-unge-benchmark", "country_trend")
    raw = warehouse_conn(
        """
        with spend as (
            select e.municipality_code as municipality_code, e.year as year, sum(e.amount_dkk) as amount
            from expenditure as e join account_function as f on f.function_code = e.function_code
            where e.kind = 'actual' and f.area = 'children'
            group by e.municipality_code, e.year
        ),
        persons as (
            select p.municipality_code as municipality_code, p.year as year, sum(p.persons) as persons
            from population as p where p.age between 0 and 22
            group by p.municipality_code, p.year
        )
        select s.year as year, sum(s.amount) as amount, sum(p.persons) as persons
        from spend as s join persons as p on p.municipality_code = s.municipality_code and p.year = s.year
        where p.persons > 0
        group by s.year
        """
    )
    index = warehouse_conn("select year, index_value from price_index")
    base = float(index.loc[index["year"].idxmax(), "index_value"])
    factor = {int(y): base / float(v) for y, v in zip(index["year"], index["index_value"])}
    expected = {int(y): float(a) * factor[int(y)] / float(p) for y, a, p in zip(raw["year"], raw["amount"], raw["persons"])}
    got = {_year(t): v for t, v in zip(chart["period"], chart["cost_per_child_fixed"])}
    assert set(got) == set(expected)
    for year, value in expected.items():
        assert got[year] == pytest.approx(value, rel=REL), year


def test_adults_country_trend_equals_sums_over_the_raw_tables(published, superset_client, warehouse_conn):
    """National cost per 18-64-year-old in fixed prices, from expenditure, population and the price index."""
    chart = _data(superset_client, "voksne-benchmark", "country_trend")
    raw = warehouse_conn(
        """
        with spend as (
            select e.municipality_code as municipality_code, e.year as year, sum(e.amount_dkk) as amount
            from expenditure as e join account_function as f on f.function_code = e.function_code
            where e.kind = 'actual' and f.area = 'adults'
            group by e.municipality_code, e.year
        ),
        persons as (
            select p.municipality_code as municipality_code, p.year as year, sum(p.persons) as persons
            from population as p where p.age between 18 and 64
            group by p.municipality_code, p.year
        )
        select s.year as year, sum(s.amount) as amount, sum(p.persons) as persons
        from spend as s join persons as p on p.municipality_code = s.municipality_code and p.year = s.year
        where p.persons > 0
        group by s.year
        """
    )
    index = warehouse_conn("select year, index_value from price_index")
    base = float(index.loc[index["year"].idxmax(), "index_value"])
    expected = {
        int(y): float(a) * base / float(index.loc[index["year"] == y, "index_value"].iloc[0]) / float(p)
        for y, a, p in zip(raw["year"], raw["amount"], raw["persons"])
    }
    got = {_year(t): v for t, v in zip(chart["period"], chart["cost_per_adult_fixed"])}
    assert set(got) == set(expected)
    for year, value in expected.items():
        assert got[year] == pytest.approx(value, rel=REL), year


def test_cockpit_budget_and_actual_equal_the_expenditure_table(published, superset_client, warehouse_conn):
    """Budget and actual per year = Σ amount_dkk of the expenditure rows of each kind."""
    chart = _data(superset_client, "styringscockpit", "budget_vs_actual")
    raw = warehouse_conn(
        """
        select e.year as year, e.kind as kind, sum(e.amount_dkk) as amount
        from expenditure as e join account_function as f on f.function_code = e.function_code
        group by e.year, e.kind
        """
    )
    sums = {(int(y), k): float(a) for y, k, a in zip(raw["year"], raw["kind"], raw["amount"])}
    got = {_year(t): (b, a) for t, b, a in zip(chart["period"], chart["budget"], chart["actual"])}
    assert got
    for year, (budget, actual) in got.items():
        assert budget == pytest.approx(sums[(year, "budget")], rel=REL), year
        assert actual == pytest.approx(sums[(year, "actual")], rel=REL), year


def test_cockpit_active_grants_equal_a_count_per_month_end(published, superset_client, warehouse_conn):
    """Active at a month's end: started on or before its last day and not ended on or before it."""
    chart = _data(superset_client, "styringscockpit", "active_grants")
    grants = warehouse_conn("select start_date, end_date from grants")
    start = pd.to_datetime(grants["start_date"])
    end = pd.to_datetime(grants["end_date"])
    checked = 0
    for epoch_ms, value in zip(chart["month_start"], chart["active_grants"]):
        first = pd.Timestamp(_day(epoch_ms))
        last = first + pd.offsets.MonthEnd(0)
        expected = int(((start <= last) & (end.isna() | (end > last))).sum())
        assert value == expected, first.date()
        checked += 1
    assert checked >= 12


def test_settlement_payout_per_provider_adds_up_to_the_run_totals(published, superset_client, warehouse_conn):
    """Σ payout per provider over every line = Σ total_payout_dkk of the runs (stored by the engine)."""
    chart = _data(superset_client, "incitamentsafregning", "payout_by_provider")
    lines = warehouse_conn("select provider_id, sum(payout_dkk) as payout from settlement_line group by provider_id")
    runs = warehouse_conn("select sum(total_payout_dkk) as total from settlement_run")
    expected = {str(p): float(v) for p, v in zip(lines["provider_id"], lines["payout"])}
    got = {str(p): float(v) for p, v in zip(chart["provider_id"], chart["payout"])}
    assert got == pytest.approx(expected, rel=REL)
    assert sum(got.values()) == pytest.approx(float(runs["total"].iloc[0]), rel=REL)
    assert sum(got.values()) > 0


def test_case_funnel_equals_counts_over_the_cases_and_grants(published, superset_client, warehouse_conn):
    """Per year received: cases received = count of cases; with a grant = cases some grant's case_id names;
    without = received − with; highest step k = cases whose linked grants reach ladder step k at most."""
    chart = _data(superset_client, "sagsbehandling", "funnel")
    cases = warehouse_conn("select case_id, received_on, decision from cases")
    grants = warehouse_conn("select case_id, intervention_code from grants where case_id is not null")
    steps = warehouse_conn("select intervention_code, ladder_step from intervention")
    step_of = dict(zip(steps["intervention_code"], steps["ladder_step"]))
    highest: dict[str, int] = {}
    for case_id, code in zip(grants["case_id"], grants["intervention_code"]):
        step = step_of.get(code)
        highest[case_id] = max(highest.get(case_id, 0), 0 if step is None or step != step else int(step))
    years = pd.to_datetime(cases["received_on"]).dt.year
    expected = {}
    for year in sorted(set(years)):
        ids = cases.loc[years == year, "case_id"]
        with_grant = [c for c in ids if c in highest]
        expected[int(year)] = {
            "sum_cases_received": len(ids),
            "sum_cases_decided": int(cases.loc[years == year, "decision"].notna().sum()),
            "sum_cases_with_grant": len(with_grant),
            "sum_cases_without_grant": len(ids) - len(with_grant),
            **{f"sum_highest_step_{k}": sum(1 for c in with_grant if highest[c] == k) for k in (1, 2, 3)},
        }
    got = {
        _year(t): {m: int(chart.loc[i, m]) for m in expected[next(iter(expected))]}
        for i, t in enumerate(chart["period"])
    }
    assert len(expected) >= 3 and sum(e["sum_cases_with_grant"] for e in expected.values()) > 0
    assert got == expected


def _results(client, slug: str, key: str) -> list[pd.DataFrame]:
    """The rows of every query of one chart's query context (a mixed chart has two)."""
    chart = _charts_by_uuid(client)[chart_uuid(slug, key)]
    out = []
    for result in client.chart_data(chart["id"])["result"]:
        assert result["status"] == "success", result
        out.append(pd.DataFrame(result["data"], columns=result["colnames"]))
    return out


def _sum(values: pd.Series) -> float | None:
    """SQL's SUM: None when every value is missing."""
    total = pd.to_numeric(values).astype(float).sum(min_count=1)
    return None if pd.isna(total) else float(total)


def test_forecast_against_budget_equals_sums_over_fc_forecast(published, superset_client, warehouse_conn):
    """Per intervention (all municipalities): budget and forecast in mio. kr. = Σ budget_dkk / 10^6 and
    Σ forecast_dkk / 10^6 over fc_forecast; and forecast = spent to date + committed + expected new."""
    chart = _data(superset_client, "budgetopfoelgning", "forecast_vs_budget")
    rows = warehouse_conn(
        "select f.intervention_code, f.budget_dkk, f.forecast_dkk, f.actual_to_date_dkk, f.committed_dkk, f.expected_new_dkk"
        " from fc_forecast as f"
    )
    names = warehouse_conn("select intervention_code, intervention_name from intervention")
    rows["name"] = rows["intervention_code"].map(dict(zip(names["intervention_code"], names["intervention_name"])))
    expected = {}
    for name, group in rows.groupby("name"):
        budget = _sum(group["budget_dkk"])
        expected[name] = (None if budget is None else budget / 1e6, _sum(group["forecast_dkk"]) / 1e6)
        parts = sum(_sum(group[c]) for c in ("actual_to_date_dkk", "committed_dkk", "expected_new_dkk"))
        assert _sum(group["forecast_dkk"]) == pytest.approx(parts, abs=0.005 * len(group)), name
    got = {n: (b, f) for n, b, f in zip(chart["intervention_name"], chart["budget_mio"], chart["forecast_mio"])}
    assert len(expected) >= 5 and sum(f for _, f in expected.values()) > 0
    assert set(got) == set(expected)
    for name, (budget, forecast) in expected.items():
        assert got[name][1] == pytest.approx(forecast, rel=REL), name
        assert (got[name][0] is None) if budget is None else got[name][0] == pytest.approx(budget, rel=REL), name


def test_forecast_monthly_series_equals_sums_over_fc_month(published, superset_client, warehouse_conn):
    """The mixed chart's bars (actual to the as-of date, forecast after it) and line (the monthly budget),
    per month over every municipality, in mio. kr.; over the year they add up to fc_forecast's figures."""
    bars, line = _results(superset_client, "budgetopfoelgning", "monthly")
    months = warehouse_conn("select month, actual_dkk, forecast_dkk, budget_month_dkk from fc_month")
    months["month"] = pd.to_datetime(months["month"]).dt.date
    totals = warehouse_conn(
        "select sum(actual_to_date_dkk) as actual, sum(committed_dkk + expected_new_dkk) as rest, sum(budget_dkk) as budget"
        " from fc_forecast"
    )
    expected = {
        month: (_sum(g["actual_dkk"]) / 1e6, _sum(g["forecast_dkk"]) / 1e6, _sum(g["budget_month_dkk"]))
        for month, g in months.groupby("month")
    }
    got_bars = {_day(t): (a, f) for t, a, f in zip(bars["month"], bars["actual_month_mio"], bars["forecast_month_mio"])}
    got_line = {_day(t): b for t, b in zip(line["month"], line["budget_month_mio"])}
    assert len(expected) == 12 and set(got_bars) == set(expected) == set(got_line)
    for month, (actual, forecast, budget) in expected.items():
        assert got_bars[month] == pytest.approx((actual, forecast), rel=REL, abs=1e-9), month
        assert (got_line[month] is None) if budget is None else got_line[month] == pytest.approx(budget / 1e6, rel=REL), month
    assert sum(a for a, _ in got_bars.values()) == pytest.approx(float(totals["actual"].iloc[0]) / 1e6, rel=REL)
    assert sum(f for _, f in got_bars.values()) == pytest.approx(float(totals["rest"].iloc[0]) / 1e6, rel=REL)
    assert sum(got_line.values()) == pytest.approx(float(totals["budget"].iloc[0]) / 1e6, rel=REL)


def test_expensive_cases_show_refusion_by_the_years_tiers(published, superset_client, warehouse_conn):
    """Each listed citizen's refusion = Σ over the year's tiers of share × the part of the gross cost between
    the tier's threshold and the next one (refusion_tiers, recomputed here); net = gross − refusion."""
    chart = _data(superset_client, "budgetopfoelgning", "expensive_cases")
    keys = warehouse_conn("select municipality_code, year, area, citizen_key, gross_cost_dkk, refund_dkk, net_cost_dkk from fc_expensive_cases")
    tiers = warehouse_conn("select year, area, threshold_dkk, refund_share from refusion_tiers")
    assert len(chart) > 0 and (keys["refund_dkk"].astype(float) > 0).any()
    bands = {}
    for (year, area), own in tiers.groupby(["year", "area"]):
        own = own.sort_values("threshold_dkk")
        thresholds = [float(t) for t in own["threshold_dkk"]] + [float("inf")]
        bands[(int(year), area)] = list(zip([float(x) for x in own["refund_share"]], thresholds, thresholds[1:]))
    stored: dict[tuple, list] = {}
    for row in keys.itertuples():
        gross = float(row.gross_cost_dkk)
        refund = sum(share * max(0.0, min(gross, upper) - lower) for share, lower, upper in bands[(int(row.year), row.area)])
        assert float(row.refund_dkk) == pytest.approx(refund, abs=0.005), row.citizen_key
        assert float(row.net_cost_dkk) == pytest.approx(gross - float(row.refund_dkk), abs=0.001), row.citizen_key
        area = {"children": "Børn og unge", "adults": "Voksne"}[row.area]
        stored.setdefault((row.citizen_key, area), []).append((gross, float(row.refund_dkk), float(row.net_cost_dkk)))
    for key, area, gross, refund, net in zip(chart["citizen_key"], chart["area_name"], chart["gross_cost_dkk"],
                                             chart["refund_dkk"], chart["net_cost_dkk"]):
        assert any((gross, refund, net) == pytest.approx(figures, abs=0.001) for figures in stored[(key, area)]), key
    # the list is ordered by rank: the citizens ranked first in their municipality come first
    assert list(chart["rank_in_municipality"]) == sorted(chart["rank_in_municipality"])
