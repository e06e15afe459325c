"""Every column of the benchmark views on the hand-made data set (tests/sql/dataset.py),
with the expected values computed by hand below, on DuckDB and PostgreSQL.

Price index: 2023 = 100, 2024 = 104, 2025 = 110, so the base year is 2025 and a 2023
amount in fixed prices is amount × 110 / 100, a 2024 amount × 110 / 104.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.sql import dataset
from tests.sql.rows import assert_rows, view_rows

F23 = 110 / 100  # fixed-price factor 2023 -> 2025
F24 = 110 / 104  # fixed-price factor 2024 -> 2025

NAMES = {
    101: ("København", "Region Hovedstaden", 1),
    147: ("Frederiksberg", "Region Hovedstaden", 1),
    151: ("Ballerup", "Region Hovedstaden", 1),
    153: ("Brøndby", "Region Hovedstaden", 1),
    157: ("Gentofte", "Region Hovedstaden", 1),
}


def municipality(code):
    name, region, group = NAMES[code]
    return {"municipality_code": code, "municipality_name": name, "region_name": region, "dst_municipality_group": group}


def area_row(code, year, expenditure, population, factor, national, rank, measure, population_column):
    cost = None if population is None else float(expenditure) / population
    return {
        **municipality(code),
        "year": year,
        "expenditure_dkk": Decimal(str(expenditure)),
        "expenditure_fixed_dkk": float(expenditure) * factor,
        population_column: population,
        f"{measure}_dkk": cost,
        f"{measure}_fixed_dkk": None if cost is None else cost * factor,
        "price_base_year": 2025,
        f"national_{measure}_dkk": national,
        "index_vs_national": None if cost is None else 100 * cost / national,
        "rank_in_year": rank,
    }


def test_cost_per_child(shared):
    # 0-22-year-olds: 101 in 2023 = ages 0, 17 and 22; age 23 and 65 do not count.
    pop_101_2023 = 10_000 + 5_000 + 8_000
    pop_101_2024 = 10_000 + 13_500
    # Children's functions: 5.28.22 (foster families) and 5.28.25 (no intervention) both count.
    exp_101_2023 = 60_000_000 + 40_000_000
    exp_101_2024 = 66_000_000 + 40_000_000
    # 157 has expenditure but no population: left out of the national figure.
    national_2023 = (exp_101_2023 + 30_000_000 + 16_000_000 + 8_000_000) / (pop_101_2023 + 7_000 + 4_000 + 2_000)
    national_2024 = exp_101_2024 / pop_101_2024
    # Costs 2023: 151 = 153 = 4,000 (tie: both rank 1), 147 = 4,285.71 (rank 3), 101 = 4,347.83 (rank 4).
    expected = {
        (101, 2023): area_row(101, 2023, exp_101_2023, pop_101_2023, F23, national_2023, 4, "cost_per_child", "population_0_22"),
        (147, 2023): area_row(147, 2023, 30_000_000, 7_000, F23, national_2023, 3, "cost_per_child", "population_0_22"),
        (151, 2023): area_row(151, 2023, 16_000_000, 4_000, F23, national_2023, 1, "cost_per_child", "population_0_22"),
        (153, 2023): area_row(153, 2023, 8_000_000, 2_000, F23, national_2023, 1, "cost_per_child", "population_0_22"),
        (157, 2023): area_row(157, 2023, 1_000_000, None, F23, national_2023, None, "cost_per_child", "population_0_22"),
        (101, 2024): area_row(101, 2024, exp_101_2024, pop_101_2024, F24, national_2024, 1, "cost_per_child", "population_0_22"),
    }
    # No row for 147 in 2024 (population, no expenditure) nor for the budget-only year 2025.
    assert_rows(view_rows(shared, "bm_cost_per_child", ["municipality_code", "year"]), expected, "bm_cost_per_child")
    assert expected[(101, 2023)]["cost_per_child_dkk"] == pytest.approx(4_347.826, abs=0.001)


def test_cost_per_adult(shared):
    # 18-64-year-olds: ages 22, 23 and 64 (age 22 counts in both areas; 17 and 65 in neither).
    pop_101_2023 = 8_000 + 90_000 + 200_000
    pop_101_2024 = 13_500 + 290_000
    # Adults' functions: 5.38.50 (§ 108), 5.38.59 (§ 104) and 5.38.35 (no intervention).
    exp_101_2023 = 50_000_000 + 12_000_000 + 10_000_000
    exp_101_2024 = 54_000_000 + 13_000_000 + 10_000_000
    national_2023 = (exp_101_2023 + 20_000_000 + 3_000_000.50) / (pop_101_2023 + 60_000 + 30_000)
    national_2024 = exp_101_2024 / pop_101_2024
    expected = {
        (101, 2023): area_row(101, 2023, exp_101_2023, pop_101_2023, F23, national_2023, 2, "cost_per_adult", "population_18_64"),
        (147, 2023): area_row(147, 2023, 20_000_000, 60_000, F23, national_2023, 3, "cost_per_adult", "population_18_64"),
        (151, 2023): area_row(151, 2023, Decimal("3000000.50"), 30_000, F23, national_2023, 1, "cost_per_adult", "population_18_64"),
        (101, 2024): area_row(101, 2024, exp_101_2024, pop_101_2024, F24, national_2024, 1, "cost_per_adult", "population_18_64"),
    }
    assert expected[(151, 2023)]["cost_per_adult_dkk"] == 3_000_000.50 / 30_000
    assert_rows(view_rows(shared, "bm_cost_per_adult", ["municipality_code", "year"]), expected, "bm_cost_per_adult")


INTERVENTIONS = {
    "BU_PLEJEFAMILIE": ("Plejefamilier", "children"),
    "SEL108": ("Længerevarende botilbud (§ 108)", "adults"),
    "SEL104": ("Aktivitets- og samværstilbud (§ 104)", "adults"),
    "SEL85": ("Socialpædagogisk støtte (§ 85)", "adults"),
}


def unit_row(code, year, intervention, expenditure, citizens, factor, national, rank):
    name, area = INTERVENTIONS[intervention]
    unit = None if expenditure is None or not citizens else float(expenditure) / float(citizens)
    return {
        **municipality(code),
        "year": year,
        "intervention_code": intervention,
        "intervention_name": name,
        "area": area,
        "expenditure_dkk": None if expenditure is None else Decimal(str(expenditure)),
        "expenditure_fixed_dkk": None if expenditure is None else float(expenditure) * factor,
        "full_year_citizens": None if citizens is None else Decimal(str(citizens)),
        "unit_cost_dkk": unit,
        "unit_cost_fixed_dkk": None if unit is None else unit * factor,
        "price_base_year": 2025,
        "national_unit_cost_dkk": national,
        "national_unit_cost_fixed_dkk": None if national is None else national * factor,
        "index_vs_national": None if unit is None else 100 * unit / national,
        "rank_in_year": rank,
    }


def test_unit_cost(shared):
    # Foster families 2023: 153 and 157 have expenditure but no count, so they are left out.
    national_bu_2023 = (60_000_000 + 30_000_000 + 16_000_000) / (150 + 75 + 32)
    national_108_2023 = (50_000_000 + 20_000_000 + 3_000_000.50) / (100 + 50 + 7.5)
    expected = {
        # unit costs 2023: 101 = 147 = 400,000 share rank 1; 151 = 500,000 is rank 3
        (101, 2023, "BU_PLEJEFAMILIE"): unit_row(101, 2023, "BU_PLEJEFAMILIE", 60_000_000, 150, F23, national_bu_2023, 1),
        (147, 2023, "BU_PLEJEFAMILIE"): unit_row(147, 2023, "BU_PLEJEFAMILIE", 30_000_000, 75, F23, national_bu_2023, 1),
        (151, 2023, "BU_PLEJEFAMILIE"): unit_row(151, 2023, "BU_PLEJEFAMILIE", 16_000_000, 32, F23, national_bu_2023, 3),
        (153, 2023, "BU_PLEJEFAMILIE"): unit_row(153, 2023, "BU_PLEJEFAMILIE", 8_000_000, None, F23, national_bu_2023, None),
        (157, 2023, "BU_PLEJEFAMILIE"): unit_row(157, 2023, "BU_PLEJEFAMILIE", 1_000_000, None, F23, national_bu_2023, None),
        (101, 2024, "BU_PLEJEFAMILIE"): unit_row(101, 2024, "BU_PLEJEFAMILIE", 66_000_000, 160, F24, 66_000_000 / 160, 1),
        # § 108 2023: 147 = 400,000 < 151 = 400,000.07 < 101 = 500,000
        (101, 2023, "SEL108"): unit_row(101, 2023, "SEL108", 50_000_000, 100, F23, national_108_2023, 3),
        (147, 2023, "SEL108"): unit_row(147, 2023, "SEL108", 20_000_000, 50, F23, national_108_2023, 1),
        (151, 2023, "SEL108"): unit_row(151, 2023, "SEL108", Decimal("3000000.50"), Decimal("7.5"), F23, national_108_2023, 2),
        (101, 2024, "SEL108"): unit_row(101, 2024, "SEL108", 54_000_000, Decimal("105.5"), F24, 54_000_000 / 105.5, 1),
        (101, 2023, "SEL104"): unit_row(101, 2023, "SEL104", 12_000_000, 40, F23, 12_000_000 / 40, 1),
        # zero full-year citizens: unit cost NULL; the national figure 13,000,000 / 0 is NULL too
        (101, 2024, "SEL104"): unit_row(101, 2024, "SEL104", 13_000_000, 0, F24, None, None),
        # full-year citizens but nothing booked on function 5.38.38
        (147, 2023, "SEL85"): unit_row(147, 2023, "SEL85", None, Decimal("12.5"), F23, None, None),
    }
    assert_rows(
        view_rows(shared, "bm_unit_cost", ["municipality_code", "year", "intervention_code"]), expected, "bm_unit_cost"
    )
    assert expected[(151, 2023, "SEL108")]["unit_cost_dkk"] == pytest.approx(400_000.0667, abs=0.0001)


def test_zero_or_missing_full_year_citizens_give_null_unit_cost_not_an_error(shared):
    rows = view_rows(shared, "bm_unit_cost", ["municipality_code", "year", "intervention_code"])
    assert rows[(101, 2024, "SEL104")]["full_year_citizens"] == 0
    assert rows[(101, 2024, "SEL104")]["unit_cost_dkk"] is None
    assert rows[(153, 2023, "BU_PLEJEFAMILIE")]["full_year_citizens"] is None
    assert rows[(153, 2023, "BU_PLEJEFAMILIE")]["unit_cost_dkk"] is None


def pq_row(intervention, p_prev, p_cur, q_prev, q_cur):
    name, area = INTERVENTIONS[intervention]
    both = p_prev is not None and p_cur is not None
    return {
        **municipality(101),
        "intervention_code": intervention,
        "intervention_name": name,
        "area": area,
        "year": 2024,
        "previous_year": 2023,
        "price_base_year": 2025,
        "unit_cost_fixed_previous_dkk": p_prev,
        "unit_cost_fixed_dkk": p_cur,
        "full_year_citizens_previous": q_prev,
        "full_year_citizens": q_cur,
        "expenditure_fixed_previous_dkk": None if p_prev is None else p_prev * q_prev,
        "expenditure_fixed_dkk": None if p_cur is None else p_cur * q_cur,
        "expenditure_change_fixed_dkk": p_cur * q_cur - p_prev * q_prev if both else None,
        "price_effect_dkk": (p_cur - p_prev) * (q_cur + q_prev) / 2 if both else None,
        "quantity_effect_dkk": (q_cur - q_prev) * (p_cur + p_prev) / 2 if both else None,
    }


def test_price_quantity(shared):
    p_bu_2023 = 60_000_000 / 150 * F23  # 440,000 in 2025 prices
    p_bu_2024 = 66_000_000 / 160 * F24  # 412,500 × 110/104 = 436,298.08
    p_108_2023 = 50_000_000 / 100 * F23
    p_108_2024 = 54_000_000 / 105.5 * F24
    expected = {
        (101, "BU_PLEJEFAMILIE", 2024): pq_row("BU_PLEJEFAMILIE", p_bu_2023, p_bu_2024, 150.0, 160.0),
        (101, "SEL108", 2024): pq_row("SEL108", p_108_2023, p_108_2024, 100.0, 105.5),
        # 2024 has no unit cost (0 full-year citizens): change and effects are NULL
        (101, "SEL104", 2024): pq_row("SEL104", 12_000_000 / 40 * F23, None, 40.0, 0.0),
    }
    # Only 101 has two consecutive years; 2023 has no 2022 to compare with.
    actual = view_rows(shared, "bm_price_quantity", ["municipality_code", "intervention_code", "year"])
    assert_rows(actual, expected, "bm_price_quantity")
    # Foster families: the unit cost fell 3,701.92 kr. in fixed prices while 10 more
    # full-year citizens came: price effect (436,298.08 − 440,000) × 310 / 2 < 0 < quantity effect.
    bu = actual[(101, "BU_PLEJEFAMILIE", 2024)]
    assert bu["price_effect_dkk"] == pytest.approx((p_bu_2024 - 440_000) * (160 + 150) / 2)
    assert bu["price_effect_dkk"] < 0 < bu["quantity_effect_dkk"]


def test_price_and_quantity_effects_add_up_to_the_change(shared):
    with shared.connect() as conn:
        from socialbench import warehouse

        frame = warehouse.read_frame(
            conn,
            "select expenditure_change_fixed_dkk as change, price_effect_dkk as price, quantity_effect_dkk as quantity,"
            " expenditure_fixed_dkk - expenditure_fixed_previous_dkk as difference"
            " from bm_price_quantity where price_effect_dkk is not null",
        )
    assert len(frame) == 2
    for row in frame.itertuples():
        assert row.price + row.quantity == pytest.approx(row.change, rel=1e-12)
        assert row.change == pytest.approx(row.difference, rel=1e-12)


def test_fixed_prices_use_the_latest_year_of_the_price_index_as_base(loaded):
    # A new index year moves the base: 2023 amounts are now × 121 / 100.
    dataset.load(loaded, price_index={2026: 121})
    child = view_rows(loaded, "bm_cost_per_child", ["municipality_code", "year"])[(151, 2023)]
    assert child["price_base_year"] == 2026
    assert child["cost_per_child_fixed_dkk"] == pytest.approx(16_000_000 / 4_000 * 121 / 100, rel=1e-12)
    unit = view_rows(loaded, "bm_unit_cost", ["municipality_code", "year", "intervention_code"])[(101, 2024, "SEL108")]
    assert unit["unit_cost_fixed_dkk"] == pytest.approx(54_000_000 / 105.5 * 121 / 104, rel=1e-12)
    assert unit["unit_cost_dkk"] == pytest.approx(54_000_000 / 105.5, rel=1e-12)


def budget_row(code, year, area, budget, actual):
    variance = None if budget is None or actual is None else actual - budget
    return {
        **municipality(code),
        "year": year,
        "area": area,
        "area_name": {"children": "Børn og unge med særlige behov", "adults": "Voksne med særlige behov"}[area],
        "budget_dkk": budget,
        "actual_dkk": actual,
        "variance_dkk": variance,
        "variance_pct": None if variance is None or budget == 0 else float(100 * variance / budget),
    }


def test_budget_variance(shared):
    expected = {
        # budget 55 + 40 mio., actual 60 + 40 mio.: 5 mio. (5.26 %) over budget
        (101, 2023, "children"): budget_row(101, 2023, "children", 55_000_000 + 40_000_000, 60_000_000 + 40_000_000),
        (101, 2023, "adults"): budget_row(101, 2023, "adults", 70_000_000 + 2_000_000, 50_000_000 + 12_000_000 + 10_000_000),
        (101, 2024, "children"): budget_row(101, 2024, "children", None, 66_000_000 + 40_000_000),
        (101, 2024, "adults"): budget_row(101, 2024, "adults", None, 54_000_000 + 13_000_000 + 10_000_000),
        (101, 2025, "children"): budget_row(101, 2025, "children", 70_000_000, None),
        # a budget of 0: the variance in kroner is known, the percentage is NULL
        (147, 2023, "children"): budget_row(147, 2023, "children", 0, 30_000_000),
        (147, 2023, "adults"): budget_row(147, 2023, "adults", None, 20_000_000),
        (151, 2023, "children"): budget_row(151, 2023, "children", None, 16_000_000),
        (151, 2023, "adults"): budget_row(151, 2023, "adults", None, Decimal("3000000.50")),
        (153, 2023, "children"): budget_row(153, 2023, "children", None, 8_000_000),
        (157, 2023, "children"): budget_row(157, 2023, "children", None, 1_000_000),
    }
    actual = view_rows(shared, "bm_budget_variance", ["municipality_code", "year", "area"])
    assert_rows(actual, expected, "bm_budget_variance")
    assert actual[(101, 2023, "children")]["variance_pct"] == pytest.approx(100 * 5 / 95)
    assert actual[(147, 2023, "children")]["variance_dkk"] == 30_000_000
