"""Peer comparison: own value against the peers' unweighted mean and median."""
import math

import pandas as pd
import pytest

from benchmarks import comparison


def peer_rows(pairs, year=2024, method="nearest"):
    return pd.DataFrame(
        [(m, year, method, p, rank) for m, ps in pairs.items() for rank, p in enumerate(ps, start=1)],
        columns=["municipality_code", "year", "method", "peer_code", "peer_rank"],
    )


def child_view(values, year=2024):
    return pd.DataFrame(
        {"municipality_code": list(values), "year": year, "cost_per_child_fixed_dkk": list(values.values())}
    )


EMPTY_ADULT = pd.DataFrame(columns=["municipality_code", "year", "cost_per_adult_fixed_dkk"])
EMPTY_UNIT = pd.DataFrame(columns=["municipality_code", "year", "intervention_code", "intervention_name", "unit_cost_fixed_dkk"])


def row(result, code, key):
    found = result[(result["municipality_code"] == code) & (result["key_figure"] == key)]
    assert len(found) == 1
    return found.iloc[0]


def test_key_figures_long_form():
    unit = pd.DataFrame(
        {"municipality_code": [101], "year": [2024], "intervention_code": ["SEL108"],
         "intervention_name": ["Længerevarende botilbud (§ 108)"], "unit_cost_fixed_dkk": [950_000.0]}
    )
    adult = pd.DataFrame({"municipality_code": [101], "year": [2024], "cost_per_adult_fixed_dkk": [None]})
    figures = comparison.key_figures(child_view({101: 10_500.0}), adult, unit)
    assert figures[["key_figure", "intervention_code", "value", "key_figure_label"]].values.tolist()[0] == [
        "cost_per_child", None, 10_500.0, "Udgift pr. 0-22-årig"
    ]
    assert figures.iloc[1]["key_figure"] == "cost_per_adult" and math.isnan(figures.iloc[1]["value"])
    assert figures.iloc[2][["key_figure", "intervention_code", "value", "key_figure_label"]].tolist() == [
        "unit_cost:SEL108", "SEL108", 950_000.0, "Enhedsudgift: Længerevarende botilbud (§ 108)"
    ]


def test_mean_median_and_differences_by_hand():
    values = {101: 12_000.0, 102: 9_000.0, 103: 10_000.0, 104: 14_000.0, 105: 11_000.0}
    figures = comparison.key_figures(child_view(values), EMPTY_ADULT, EMPTY_UNIT)
    result = comparison.peer_comparison(figures, peer_rows({101: [102, 103, 104], 102: [101, 103, 104, 105]}))
    assert len(result) == 2  # only municipalities with peers
    r = row(result, 101, "cost_per_child")
    mean = (9_000 + 10_000 + 14_000) / 3  # unweighted: every peer counts once
    assert r["own_value"] == 12_000.0
    assert r["peer_mean"] == pytest.approx(mean)
    assert r["peer_median"] == 10_000.0
    assert r["peer_count"] == 3
    assert r["difference_dkk"] == pytest.approx(12_000 - mean)
    assert r["difference_pct"] == pytest.approx(100 * (12_000 - mean) / mean)
    r = row(result, 102, "cost_per_child")
    assert r["peer_mean"] == pytest.approx((12_000 + 10_000 + 14_000 + 11_000) / 4)
    assert r["peer_median"] == pytest.approx((11_000 + 12_000) / 2)  # even count: middle two averaged
    assert r["method"] == "nearest" and r["year"] == 2024


def test_peers_without_a_value_are_left_out_and_missing_own_value_kept():
    values = {101: None, 102: 9_000.0, 103: None, 104: 15_000.0}
    figures = comparison.key_figures(child_view(values), EMPTY_ADULT, EMPTY_UNIT)
    result = comparison.peer_comparison(figures, peer_rows({101: [102, 103, 104], 103: [101]}))
    r = row(result, 101, "cost_per_child")
    assert r["peer_count"] == 2
    assert r["peer_mean"] == pytest.approx((9_000 + 15_000) / 2)
    assert math.isnan(r["own_value"]) and math.isnan(r["difference_dkk"]) and math.isnan(r["difference_pct"])
    # 103 has no value and its one peer has none either: no row
    assert 103 not in set(result["municipality_code"])


def test_zero_peer_mean_gives_null_percent():
    figures = comparison.key_figures(child_view({101: 500.0, 102: 0.0}), EMPTY_ADULT, EMPTY_UNIT)
    r = row(comparison.peer_comparison(figures, peer_rows({101: [102]})), 101, "cost_per_child")
    assert r["difference_dkk"] == 500.0
    assert math.isnan(r["difference_pct"])


def test_unit_costs_compared_per_intervention():
    unit = pd.DataFrame(
        {
            "municipality_code": [101, 102, 103, 101, 102],
            "year": 2024,
            "intervention_code": ["SEL108", "SEL108", "SEL108", "SEL85", "SEL85"],
            "intervention_name": ["§ 108"] * 3 + ["§ 85"] * 2,
            "unit_cost_fixed_dkk": [1_000_000.0, 900_000.0, 1_200_000.0, 300_000.0, 200_000.0],
        }
    )
    figures = comparison.key_figures(child_view({}), EMPTY_ADULT, unit)
    result = comparison.peer_comparison(figures, peer_rows({101: [102, 103]}))
    r = row(result, 101, "unit_cost:SEL108")
    assert r["intervention_code"] == "SEL108"
    assert r["peer_mean"] == pytest.approx((900_000 + 1_200_000) / 2)
    assert r["difference_pct"] == pytest.approx(100 * (1_000_000 - 1_050_000) / 1_050_000)
    r = row(result, 101, "unit_cost:SEL85")
    assert (r["peer_mean"], r["peer_count"], r["difference_dkk"]) == (200_000.0, 1, 100_000.0)
