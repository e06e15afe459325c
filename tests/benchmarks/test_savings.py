"""Savings potential: max(0, unit cost − peer median) × full-year citizens."""
import math

import pandas as pd
import pytest

from benchmarks import savings


def peer_rows(pairs, year=2024):
    return pd.DataFrame(
        [(m, year, "nearest", p) for m, ps in pairs.items() for p in ps],
        columns=["municipality_code", "year", "method", "peer_code"],
    )


def unit_costs(rows, factor=1.1):
    """rows: (code, intervention, expenditure, full-year citizens); unit cost = expenditure / citizens,
    NULL when citizens are 0 (as in the view); fixed prices = current × factor."""
    out = []
    for code, intervention, spent, citizens in rows:
        unit = spent / citizens if citizens else None
        out.append((code, 2024, intervention, f"name {intervention}", citizens, unit, None if unit is None else unit * factor))
    return pd.DataFrame(out, columns=["municipality_code", "year", "intervention_code", "intervention_name",
                                      "full_year_citizens", "unit_cost_dkk", "unit_cost_fixed_dkk"])


def row(result, code, intervention="SEL108"):
    found = result[(result["municipality_code"] == code) & (result["intervention_code"] == intervention)]
    assert len(found) == 1
    return found.iloc[0]


COSTS = unit_costs([
    (101, "SEL108", 60_000_000, 50),   # 1,200,000 per full-year citizen
    (102, "SEL108", 45_000_000, 50),   #   900,000
    (103, "SEL108", 40_000_000, 40),   # 1,000,000
    (104, "SEL108", 22_000_000, 20),   # 1,100,000
    (105, "SEL108", 10_000_000, 0),    # no full-year citizens: NULL unit cost
    (106, "SEL108", 0, 10),            # zero expenditure: unit cost 0
])


def test_potential_by_hand():
    result = savings.savings_potential(COSTS, peer_rows({101: [102, 103, 104]}))
    r = row(result, 101)
    median = 1_000_000  # of 900,000, 1,000,000, 1,100,000
    assert r["unit_cost_dkk"] == 60_000_000 / 50
    assert r["peer_median_unit_cost_dkk"] == median
    assert r["full_year_citizens"] == 50
    assert r["potential_dkk"] == pytest.approx((1_200_000 - median) * 50)
    assert r["potential_fixed_dkk"] == pytest.approx((1_200_000 * 1.1 - median * 1.1) * 50)
    assert r["peer_count"] == 3
    assert r["intervention_name"] == "name SEL108"


def test_below_peer_median_gives_zero():
    r = row(savings.savings_potential(COSTS, peer_rows({102: [101, 103]})), 102)
    assert r["peer_median_unit_cost_dkk"] == (1_200_000 + 1_000_000) / 2
    assert r["potential_dkk"] == 0


def test_null_unit_cost_gives_no_potential_and_no_error():
    result = savings.savings_potential(COSTS, peer_rows({105: [101, 102], 101: [105, 102]}))
    r = row(result, 105)
    assert math.isnan(r["unit_cost_dkk"]) and math.isnan(r["potential_dkk"])
    # a peer without unit cost is left out of the median
    r = row(result, 101)
    assert (r["peer_median_unit_cost_dkk"], r["peer_count"]) == (900_000, 1)
    assert r["potential_dkk"] == pytest.approx((1_200_000 - 900_000) * 50)


def test_zero_unit_cost_and_peers_without_any_value():
    result = savings.savings_potential(COSTS, peer_rows({106: [101, 102], 104: [105]}))
    assert row(result, 106)["potential_dkk"] == 0
    r = row(result, 104)
    assert r["peer_count"] == 0 and math.isnan(r["peer_median_unit_cost_dkk"]) and math.isnan(r["potential_dkk"])


def test_only_municipalities_with_peers_and_per_intervention():
    costs = pd.concat([COSTS, unit_costs([(101, "SEL85", 3_000_000, 10), (102, "SEL85", 5_000_000, 10)])])
    result = savings.savings_potential(costs, peer_rows({102: [101]}))
    assert sorted(zip(result["municipality_code"], result["intervention_code"])) == [(102, "SEL108"), (102, "SEL85")]
    assert row(result, 102, "SEL85")["potential_dkk"] == pytest.approx((500_000 - 300_000) * 10)


def test_no_row_when_nobody_has_a_unit_cost():
    costs = unit_costs([(101, "BU_PLEJEFAMILIE", 5_000_000, 0), (102, "BU_PLEJEFAMILIE", 4_000_000, 0)])
    assert savings.savings_potential(costs, peer_rows({101: [102]})).empty
