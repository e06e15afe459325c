"""Expected spending: OLS with intercept per year and measure, checked by hand and by the normal equations."""
import math

import numpy as np
import pandas as pd
import pytest

from benchmarks import expected


def indicators(values: dict[str, dict[int, float]], year=2024) -> pd.DataFrame:
    return pd.DataFrame(
        [(c, year, n, v) for n, by_code in values.items() for c, v in by_code.items()],
        columns=["municipality_code", "year", "indicator", "value"],
    )


def measures(actual: dict[int, float], population: dict[int, float], measure="cost_per_child", year=2024):
    return pd.DataFrame(
        {"municipality_code": list(actual), "year": year, "measure": measure,
         "actual": list(actual.values()), "population": [population[c] for c in actual]}
    )


def test_simple_regression_by_hand():
    # x = 1, 2, 3, 4; y = 2, 4, 5, 9.  x̄ = 2.5, ȳ = 5
    # Sxy = (−1.5)(−3) + (−0.5)(−1) + (0.5)(0) + (1.5)(4) = 11, Sxx = 2.25 + 0.25 + 0.25 + 2.25 = 5
    slope = 11 / 5
    intercept = 5 - slope * 2.5
    fitted = [intercept + slope * x for x in (1, 2, 3, 4)]  # 1.7, 3.9, 6.1, 8.3
    ss_res = sum((y - f) ** 2 for y, f in zip((2, 4, 5, 9), fitted))  # 0.09 + 0.01 + 1.21 + 0.49
    ss_tot = 9 + 1 + 0 + 16
    ind = indicators({"socioeconomic_index": {101: 1, 102: 2, 103: 3, 104: 4}})
    pop = {101: 1000, 102: 2000, 103: 3000, 104: 4000}
    result = expected.expected_cost(measures({101: 2, 102: 4, 103: 5, 104: 9}, pop), ind)
    assert result["municipality_code"].tolist() == [101, 102, 103, 104]
    assert result["expected"].tolist() == pytest.approx(fitted)
    assert result["difference"].tolist() == pytest.approx([2 - 1.7, 4 - 3.9, 5 - 6.1, 9 - 8.3])
    assert result["excess_spending_dkk"].tolist() == pytest.approx([0.3 * 1000, 0.1 * 2000, -1.1 * 3000, 0.7 * 4000])
    assert result["r_squared"].tolist() == pytest.approx([1 - ss_res / ss_tot] * 4)
    assert ss_res == pytest.approx(1.8)
    assert set(result["n_municipalities"]) == {4}
    assert set(result["measure"]) == {"cost_per_child"} and set(result["year"]) == {2024}


def test_exactly_solvable_fit():
    # y = 1000 + 200·a − 50·b exactly: expected = actual, difference 0, R² = 1
    a = {101: 1.0, 102: 2.0, 103: 0.5, 104: 3.0, 105: 1.5}
    b = {101: 4.0, 102: 1.0, 103: 2.0, 104: 0.0, 105: 3.0}
    y = {c: 1000 + 200 * a[c] - 50 * b[c] for c in a}
    result = expected.expected_cost(measures(y, {c: 10 for c in a}), indicators({"a": a, "b": b}))
    assert result["expected"].tolist() == pytest.approx([y[c] for c in sorted(y)])
    assert result["difference"].abs().max() < 1e-9
    assert result["r_squared"].tolist() == pytest.approx([1.0] * 5)


def test_two_indicators_against_normal_equations():
    rng = np.random.default_rng(3)
    codes = list(range(101, 111))
    a = dict(zip(codes, rng.normal(1, 0.2, 10)))
    b = dict(zip(codes, rng.normal(50, 10, 10)))
    y = dict(zip(codes, rng.normal(10_000, 1_500, 10)))
    result = expected.expected_cost(measures(y, {c: 100 for c in codes}), indicators({"a": a, "b": b}))
    # independent computation: β = (XᵀX)⁻¹ Xᵀy
    x = np.array([[1.0, a[c], b[c]] for c in codes])
    target = np.array([y[c] for c in codes])
    beta = np.linalg.solve(x.T @ x, x.T @ target)
    fitted = x @ beta
    r2 = 1 - ((target - fitted) ** 2).sum() / ((target - target.mean()) ** 2).sum()
    assert result["expected"].tolist() == pytest.approx(fitted.tolist())
    assert result["r_squared"].iloc[0] == pytest.approx(r2)


def test_each_year_and_measure_its_own_fit_and_chosen_indicators():
    ind = pd.concat([
        indicators({"a": {101: 1, 102: 2, 103: 3}, "b": {101: 5, 102: 1, 103: 7}}, year=2023),
        indicators({"a": {101: 1, 102: 2, 103: 3}, "b": {101: 5, 102: 1, 103: 7}}, year=2024),
    ])
    data = pd.concat([
        measures({101: 10, 102: 20, 103: 30}, {101: 1, 102: 1, 103: 1}, year=2023),  # y = 10·a exactly
        measures({101: 10, 102: 40, 103: 40}, {101: 1, 102: 1, 103: 1}, year=2024),
        measures({101: 7, 102: 7, 103: 7}, {101: 1, 102: 1, 103: 1}, measure="cost_per_adult", year=2024),
    ])
    result = expected.expected_cost(data, ind, names=["a"])
    y2023 = result[result["year"] == 2023]
    assert y2023["expected"].tolist() == pytest.approx([10, 20, 30])
    fit = result[(result["year"] == 2024) & (result["measure"] == "cost_per_child")]
    # y = 10, 40, 40 on a = 1, 2, 3: slope = Sxy/Sxx = ((−1)(−20) + 0 + (1)(10)) / 2 = 15, intercept 30 − 30 = 0
    assert fit["expected"].tolist() == pytest.approx([15, 30, 45])
    flat = result[result["measure"] == "cost_per_adult"]
    assert flat["expected"].tolist() == pytest.approx([7, 7, 7])
    assert flat["r_squared"].isna().all()  # all actual values equal: R² undefined


def test_too_few_municipalities_or_missing_data_give_no_rows():
    ind = indicators({"a": {101: 1, 102: 2, 103: 3}, "b": {101: 1, 102: 5}})
    # with a and b: only 101 and 102 have both: 2 municipalities < 3 coefficients + 1
    assert expected.expected_cost(measures({101: 1, 102: 2, 103: 4}, {101: 1, 102: 1, 103: 1}), ind).empty
    # a municipality without population takes no part
    result = expected.expected_cost(
        measures({101: 1, 102: 2, 103: 4, 104: 5}, {101: 1, 102: 1, 103: 1, 104: math.nan}),
        pd.concat([ind, indicators({"a": {104: 4}})]), names=["a"],
    )
    assert result["municipality_code"].tolist() == [101, 102, 103]


def test_measures_from_views():
    child = pd.DataFrame({"municipality_code": [101], "year": [2024], "cost_per_child_fixed_dkk": [10_500.0], "population_0_22": [1000]})
    adult = pd.DataFrame({"municipality_code": [101], "year": [2024], "cost_per_adult_fixed_dkk": [21_000.0], "population_18_64": [3000]})
    result = expected.measures_from_views(child, adult)
    assert result.values.tolist() == [[101, 2024, "cost_per_child", 10_500.0, 1000.0], [101, 2024, "cost_per_adult", 21_000.0, 3000.0]]
