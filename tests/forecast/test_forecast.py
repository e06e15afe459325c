"""The forecast writer (socialbench/forecast/store.py) on hand-made grants, both engines.

Every expected figure is worked out by hand below from docs/forecast.md; as of R =
2026-06-30 the year 2026 has 181 days to R and D = 184 days after it."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from decimal import Decimal
from fractions import Fraction

import pytest
import sqlalchemy as sa
import yaml

from socialbench.money import round_ore
from socialbench import loading, warehouse
from socialbench.errors import RuleError
from socialbench.forecast import figures
from socialbench.forecast.calculation import split_ore
from socialbench.forecast.store import TABLES, write_forecast
from tests.forecast.test_inputs import RATES

ROOT = Path(__file__).resolve().parents[2]
R = dt.date(2026, 6, 30)
D = 184
GRANTS = "grant_id,citizen_key,municipality_code,provider_id,intervention_code,start_date,end_date,end_reason"


def load_case(engine, write_csv, folder):
    write_csv("providers.csv", "provider_id,provider_name", "P0,Almen", "P1,Egen takst", folder=folder)
    write_csv(
        "rates.csv", RATES,
        # SEL107 general: level 1 1,000 then 1,100 from 1 September 2026; level 2 2,000 then 2,100 from 1 April 2026.
        "SEL107,1,,2025-01-01,1000", "SEL107,1,,2026-09-01,1100",
        "SEL107,2,,2025-01-01,2000", "SEL107,2,,2026-04-01,2100",
        # P1's own tariff for SEL107 level 2 only.
        "SEL107,2,P1,2025-01-01,2500",
        "SEL85,1,,2025-01-01,300",
        "BU_OPHOLDSSTED,3,,2025-01-01,5000",
        folder=folder,
    )
    write_csv(
        "grants.csv", GRANTS,
        "G1,c1,101,P0,SEL107,2025-06-01,,",
        "G2,c2,101,P1,SEL107,2026-02-01,2026-10-15,goal_achieved",
        "G3,c1,101,P0,SEL107,2026-05-01,2026-05-31,other",
        "G4,c3,101,P0,SEL85,2025-12-15,,",
        "G5,c4,147,P0,SEL107,2026-07-15,,",  # starts after R: not in the forecast
        "G6,c5,147,P0,SEL107,2024-01-01,2025-12-31,other",  # over before the year, not new
        "G7,c6,101,P0,BU_OPHOLDSSTED,2025-01-01,,",
        folder=folder,
    )
    write_csv(
        "assessments.csv", "grant_id,assessed_on,support_level",
        "G1,2025-06-01,2", "G1,2026-03-01,1", "G1,2026-08-01,2",  # the August one is after R: ignored
        "G2,2026-02-01,2", "G3,2026-05-01,2",
        "G4,2026-01-10,1",  # before its first assessment, its first level
        "G5,2026-07-15,1", "G6,2024-01-01,1", "G7,2025-01-01,3",
        folder=folder,
    )
    write_csv(
        "budget_plan.csv", "municipality_code,year,intervention_code,planned_full_year_citizens,planned_unit_cost_dkk",
        "101,2026,SEL107,1.5,800000", "147,2026,SEL107,1,700000", "101,2025,SEL107,9,9",
        folder=folder,
    )
    loading.load_path(engine, folder)
    with engine.begin() as conn:  # the year's tiers, as a user would correct the shipped ones
        conn.execute(sa.text("delete from refusion_tiers where year = 2026"))
        conn.execute(sa.text(
            "insert into refusion_tiers (year, area, threshold_dkk, refund_share) values"
            " (2026, 'children', 800000, 0.25), (2026, 'children', 1600000, 0.3333), (2026, 'adults', 500000, 0.5)"
        ))


@pytest.fixture
def case(engine, write_csv, tmp_path):
    load_case(engine, write_csv, tmp_path / "case")
    with engine.begin() as conn:
        written = write_forecast(conn, as_of=R)
    return engine, written


def rows(engine, sql):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql)).fetchall()]


# By hand, grant by grant (days, kroner):
# G1 to date: 1 Jan-28 Feb 59 days at level 2 = 2,000 -> 118,000; 1 Mar-30 Jun 122 days at level 1 = 1,000
#   -> 122,000. Committed at its level on R (1): 1 Jul-31 Aug 62 x 1,000 + 1 Sep-31 Dec 122 x 1,100 = 196,200.
# G2 (P1's own level-2 tariff 2,500): 1 Feb-30 Jun 150 days = 375,000; committed 1 Jul-15 Oct 107 days = 267,500.
#   New (started in the 365 days to R); first 90 days 1 Feb-1 May: 90 x 2,500 = 225,000.
# G3: 1-31 May 31 days at 2,100 (from 1 April) = 65,100; ended before R: nothing committed; new: 31 days, 65,100.
# G4 (SEL85): 181 days x 300 = 54,300; committed 184 x 300 = 55,200; new: 15 Dec-14 Mar 90 x 300 = 27,000.
# G7 (BU_OPHOLDSSTED level 3): 181 x 5,000 = 905,000; committed 184 x 5,000 = 920,000.
EXPECTED_DAYS = Fraction(D * (D + 1), 2)  # per new grant a day: the days left of grants starting after R
SEL107_NEW = round_ore(Fraction(2, 365) * EXPECTED_DAYS * Fraction(225_000 + 65_100, 90 + 31))
SEL85_NEW = round_ore(Fraction(1, 365) * EXPECTED_DAYS * Fraction(27_000, 90))


def test_hand_worked_expected_new_amounts():
    # 2/365 x 17,020 x 290,100/121 = 1,975,000,800/8,833 = 223,593.4337...; 17,020/365 x 300 = 13,989.0410...
    assert SEL107_NEW == Decimal("223593.43")
    assert SEL85_NEW == Decimal("13989.04")


def test_grant_months_to_r(case):
    engine, written = case
    assert written["as_of"] == R
    g1 = rows(engine, "select month, active_days, cost_dkk from fc_grant_month where grant_id = 'G1' order by month")
    assert [(m.month if hasattr(m, "month") else m, d, c) for m, d, c in g1] == [
        (1, 31, Decimal("62000.00")), (2, 28, Decimal("56000.00")), (3, 31, Decimal("31000.00")),
        (4, 30, Decimal("30000.00")), (5, 31, Decimal("31000.00")), (6, 30, Decimal("30000.00"))]
    assert rows(engine, "select grant_id, sum(active_days), sum(cost_dkk) from fc_grant_month group by grant_id order by 1") == [
        ("G1", 181, Decimal("240000.00")), ("G2", 150, Decimal("375000.00")), ("G3", 31, Decimal("65100.00")),
        ("G4", 181, Decimal("54300.00")), ("G7", 181, Decimal("905000.00"))]
    assert rows(engine, "select distinct provider_id, citizen_key from fc_grant_month where grant_id = 'G2'") == [("P1", "c2")]
    assert written["fc_grant_month"] == 5 + 5 + 1 + 6 + 6 + 1  # G1's 6 months, G2's 5, G3 1, G4 6, G7 6


def forecast_row(engine, municipality, intervention) -> dict:
    with engine.connect() as conn:
        return next(r for r in figures.forecast_rows(conn, municipality) if r["intervention_code"] == intervention)


def test_forecast_of_an_intervention_with_a_plan(case):
    engine, _ = case
    row = forecast_row(engine, 101, "SEL107")
    actual, committed = Decimal("680100.00"), Decimal("463700.00")  # G1 + G2 + G3; G1 + G2
    forecast = actual + committed + SEL107_NEW
    days = Fraction(362 + 291) + Fraction(2, 365) * EXPECTED_DAYS  # 181 + 150 + 31 to R; 184 + 107 after
    fyc = days / 365
    unit = round_ore(Fraction(forecast) / fyc)
    budget = Decimal("1200000.00")  # 1.5 x 800,000
    price = round_ore((Fraction(unit) - 800_000) * (Fraction(3, 2) + fyc) / 2)
    assert row["actual_to_date_dkk"] == actual and row["committed_dkk"] == committed
    assert row["expected_new_dkk"] == SEL107_NEW and row["forecast_dkk"] == forecast
    assert row["budget_dkk"] == budget and row["deviation_dkk"] == forecast - budget
    assert row["forecast_full_year_citizens"] == pytest.approx(float(fyc), rel=1e-12)
    assert row["forecast_unit_cost_dkk"] == unit
    assert row["price_deviation_dkk"] == price
    assert row["price_deviation_dkk"] + row["quantity_deviation_dkk"] == row["deviation_dkk"]
    # the other half of the midpoint split, within the half øre rounding leaves
    quantity = (fyc - Fraction(3, 2)) * (Fraction(unit) + 800_000) / 2
    assert abs(Fraction(row["quantity_deviation_dkk"]) - quantity) <= Fraction(1, 100)
    assert row["as_of"] == R and row["year"] == 2026


def test_forecast_without_plan_and_plan_without_grants(case):
    engine, _ = case
    sel85 = forecast_row(engine, 101, "SEL85")
    assert sel85["actual_to_date_dkk"] == Decimal("54300.00") and sel85["committed_dkk"] == Decimal("55200.00")
    assert sel85["expected_new_dkk"] == SEL85_NEW
    assert sel85["budget_dkk"] is None and sel85["deviation_dkk"] is None and sel85["price_deviation_dkk"] is None
    # 147 planned SEL107 but has no grant day in 2026 (G5 starts after R, G6 ended in 2025)
    empty = forecast_row(engine, 147, "SEL107")
    assert (empty["actual_to_date_dkk"], empty["committed_dkk"], empty["expected_new_dkk"]) == (0, 0, 0)
    assert empty["budget_dkk"] == Decimal("700000.00") and empty["deviation_dkk"] == Decimal("-700000.00")
    assert empty["forecast_full_year_citizens"] == 0 and empty["forecast_unit_cost_dkk"] is None
    assert empty["price_deviation_dkk"] is None and empty["quantity_deviation_dkk"] == Decimal("-700000.00")
    keys = rows(engine, "select municipality_code, year, intervention_code from fc_forecast order by 1, 3")
    assert keys == [(101, 2026, "BU_OPHOLDSSTED"), (101, 2026, "SEL107"), (101, 2026, "SEL85"), (147, 2026, "SEL107")]


def test_months_add_up_to_the_year(case):
    engine, _ = case
    months = rows(engine, "select month, actual_dkk, forecast_dkk, budget_month_dkk from fc_month"
                          " where municipality_code = 101 and intervention_code = 'SEL107' order by month")
    assert len(months) == 12
    assert sum(m[1] for m in months) == Decimal("680100.00")
    assert sum(m[2] for m in months) == Decimal("463700.00") + SEL107_NEW
    assert sum(m[3] for m in months) == Decimal("1200000.00") and {m[3] for m in months} == {Decimal("100000.00")}
    assert [m[2] for m in months[:6]] == [0] * 6 and [m[1] for m in months[6:]] == [0] * 6
    # July: committed G1 31 x 1,000 + G2 31 x 2,500; expected new share 1 + 2 + ... + 31 = 496 of 17,020
    expected_ore = split_ore(int(SEL107_NEW * 100), [496, 1457, 2325, 3348, 4155, 5239])  # the months' weights
    assert [sum(range(a, b + 1)) for a, b in [(1, 31), (32, 62), (63, 92), (93, 123), (124, 153), (154, 184)]] == [
        496, 1457, 2325, 3348, 4155, 5239] and 496 + 1457 + 2325 + 3348 + 4155 + 5239 == D * (D + 1) // 2
    assert months[6][2] == Decimal("108500.00") + Decimal(expected_ore[0]) / 100
    # December: G1 31 x 1,100, G2 ended in October
    assert months[11][2] == Decimal("34100.00") + Decimal(expected_ore[5]) / 100
    assert rows(engine, "select count(*) from fc_month where budget_month_dkk is null") == [(24,)]  # 101 SEL85, BU


def test_split_ore_adds_up_and_gives_the_rest_to_the_largest_remainders():
    assert split_ore(100, [1, 1, 1]) == [34, 33, 33]
    assert split_ore(10, [1, 2, 7]) == [1, 2, 7]
    assert split_ore(5, [1, 1]) == [3, 2]
    assert split_ore(-5, [1, 1]) == [-3, -2]
    assert split_ore(7, [2, 3, 5]) == [1, 2, 4]  # 1.4, 2.1, 3.5: the one øre left goes to 3.5
    assert sum(split_ore(120_000_001, [1] * 12)) == 120_000_001


def test_expensive_cases_refund_by_tier(case):
    engine, _ = case
    got = rows(engine, "select citizen_key, area, gross_cost_dkk, refund_dkk, net_cost_dkk, rank_in_municipality"
                       " from fc_expensive_cases where municipality_code = 101 order by rank_in_municipality")
    # c6: 1,825,000; 0.25 x (1,600,000 - 800,000) + 0.3333 x (1,825,000 - 1,600,000) = 200,000 + 74,992.50
    # c2 (G2): 642,500, 0.5 x 142,500; c1 (G1 + G3): 240,000 + 196,200 + 65,100 = 501,300, 0.5 x 1,300;
    # c3: 109,500, below the adults' threshold.
    assert got == [
        ("c6", "children", Decimal("1825000.00"), Decimal("274992.50"), Decimal("1550007.50"), 1),
        ("c2", "adults", Decimal("642500.00"), Decimal("71250.00"), Decimal("571250.00"), 2),
        ("c1", "adults", Decimal("501300.00"), Decimal("650.00"), Decimal("500650.00"), 3),
        ("c3", "adults", Decimal("109500.00"), Decimal("0.00"), Decimal("109500.00"), 4),
    ]
    assert rows(engine, "select count(*) from fc_expensive_cases where municipality_code = 147") == [(0,)]


def test_default_as_of_is_the_reference_date_and_a_rewrite_replaces_everything(case):
    engine, _ = case
    with engine.begin() as conn:
        written = write_forecast(conn)
    # the latest date in grants and assessments: G2's end, 15 October 2026
    assert written["as_of"] == dt.date(2026, 10, 15)
    for table in TABLES:
        assert rows(engine, f"select distinct as_of from {table}") == [(dt.date(2026, 10, 15),)], table
    # G1's August assessment is now known: level 2 (2,100 since 1 April) from 1 August to R
    assert rows(engine, "select active_days, cost_dkk from fc_grant_month where grant_id = 'G1'"
                        " and month >= date '2026-07-01' order by month") == [
        (31, Decimal("31000.00")), (31, Decimal("65100.00")), (30, Decimal("63000.00")), (15, Decimal("31500.00"))]


def test_a_missing_rate_names_intervention_level_provider_and_date(engine, write_csv, tmp_path):
    load_case(engine, write_csv, tmp_path / "case")
    with engine.begin() as conn:
        conn.execute(sa.text("delete from rates where intervention_code = 'SEL85'"))
    with pytest.raises(RuleError, match="SEL85 level 1 provider P0 on 2025-12-15"):
        with engine.begin() as conn:
            write_forecast(conn, as_of=R)


def test_an_empty_warehouse_gives_empty_tables(engine):
    with engine.begin() as conn:
        written = write_forecast(conn)
    assert written == {"as_of": None, **{table: 0 for table in TABLES}}


def declared(table: str) -> list[str]:
    return [c["name"] for c in yaml.safe_load((ROOT / "sql" / "tables" / f"{table}.yml").read_text())["columns"]]


def test_declared_columns_are_the_tables_columns(engine):
    with engine.connect() as conn:
        for table in TABLES:
            assert declared(table) == warehouse.table_columns(conn, table), table
    assert list(figures.COLUMNS) == declared("fc_forecast")


def test_an_as_of_date_before_every_grant_gives_empty_tables(engine, write_csv, tmp_path):
    load_case(engine, write_csv, tmp_path / "case")
    with engine.begin() as conn:
        written = write_forecast(conn, as_of=dt.date(2020, 6, 30))
    assert written == {"as_of": dt.date(2020, 6, 30), **{table: 0 for table in TABLES}}
    # as of 31 March 2025: 101's 2025 plan (9 x 9) has its row without grants; 147's G6 ran
    # 1 January-31 March at level 1, 90 x 1,000, without a plan
    with engine.begin() as conn:
        write_forecast(conn, as_of=dt.date(2025, 3, 31))
    assert rows(engine, "select municipality_code, intervention_code, budget_dkk, actual_to_date_dkk from fc_forecast"
                        " where intervention_code = 'SEL107' order by 1") == [
        (101, "SEL107", Decimal("81.00"), Decimal("0.00")), (147, "SEL107", None, Decimal("90000.00"))]
