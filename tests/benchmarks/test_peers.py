"""Peer municipalities: z-scores, distances, ties, small groups, missing indicators, groups."""
from math import sqrt

import pandas as pd
import pytest

from benchmarks import peers


def long(values: dict[str, dict[int, float]], year: int = 2024) -> pd.DataFrame:
    """structural_indicators rows from {indicator: {municipality_code: value}}."""
    return pd.DataFrame(
        [(code, year, name, value) for name, by_code in values.items() for code, value in by_code.items()],
        columns=["municipality_code", "year", "indicator", "value"],
    )


# Five municipalities, two indicators.
# a: 1, 2, 3, 4, 5   mean 3, population variance (4+1+0+1+4)/5 = 2  -> z = (-2, -1, 0, 1, 2) / √2
# b: 10,10,10,10,20  mean 12, population variance (4·4 + 64)/5 = 16 -> z = (-0.5, -0.5, -0.5, -0.5, 2)
FIVE = long({"a": {101: 1, 102: 2, 103: 3, 104: 4, 105: 5}, "b": {101: 10, 102: 10, 103: 10, 104: 10, 105: 20}})
Z_A = {101: -2 / sqrt(2), 102: -1 / sqrt(2), 103: 0.0, 104: 1 / sqrt(2), 105: 2 / sqrt(2)}
Z_B = {101: -0.5, 102: -0.5, 103: -0.5, 104: -0.5, 105: 2.0}


def distance(m: int, n: int) -> float:
    return sqrt((Z_A[m] - Z_A[n]) ** 2 + (Z_B[m] - Z_B[n]) ** 2)


def peers_of(frame: pd.DataFrame, code: int) -> list[tuple[int, int, float]]:
    rows = frame[frame["municipality_code"] == code].sort_values("peer_rank")
    return list(zip(rows["peer_code"], rows["peer_rank"], rows["distance"]))


def test_zscores_use_population_standard_deviation():
    z = peers.zscores(peers.indicator_matrix(FIVE, 2024))
    assert z["a"].tolist() == pytest.approx([Z_A[c] for c in range(101, 106)])
    assert z["b"].tolist() == pytest.approx([Z_B[c] for c in range(101, 106)])


def test_indicator_with_no_spread_counts_zero():
    z = peers.zscores(peers.indicator_matrix(long({"flat": {101: 7, 102: 7, 103: 7}}), 2024))
    assert z["flat"].tolist() == [0.0, 0.0, 0.0]


def test_nearest_peers_distances_by_hand():
    result = peers.nearest_peers(FIVE, k=2)
    assert set(result["method"]) == {"nearest"}
    assert set(result["year"]) == {2024}
    # 101: 102 at |−2+1|/√2 = 1/√2, then 103 at 2/√2 = √2
    assert peers_of(result, 101) == [(102, 1, pytest.approx(1 / sqrt(2))), (103, 2, pytest.approx(sqrt(2)))]
    # 105 differs on b by 2.5 from everyone: 104 at √(1/2 + 6.25), 103 at √(2 + 6.25)
    assert peers_of(result, 105) == [(104, 1, pytest.approx(sqrt(0.5 + 6.25))), (103, 2, pytest.approx(sqrt(2 + 6.25)))]
    for code in range(101, 106):
        for peer, _, d in peers_of(result, code):
            assert d == pytest.approx(distance(code, peer))


def test_ties_go_to_the_lower_code():
    # 103 is 1/√2 from both 102 and 104: with k = 1 it gets 102; 102 is 1/√2 from 101 and 103: gets 101
    result = peers.nearest_peers(FIVE, k=1)
    assert peers_of(result, 103) == [(102, 1, pytest.approx(1 / sqrt(2)))]
    assert peers_of(result, 102) == [(101, 1, pytest.approx(1 / sqrt(2)))]
    # 104: 103 at 1/√2; then 102 at √2 beats 105 at √(1/2 + 6.25)
    assert [p for p, _, _ in peers_of(peers.nearest_peers(FIVE, k=2), 104)] == [103, 102]


def test_never_its_own_peer_and_k_peers_each():
    result = peers.nearest_peers(FIVE, k=3)
    assert (result["municipality_code"] != result["peer_code"]).all()
    assert result.groupby("municipality_code").size().tolist() == [3] * 5


def test_fewer_than_k_plus_one_municipalities_all_others_are_peers():
    result = peers.nearest_peers(long({"a": {101: 1, 102: 2, 103: 4}}), k=10)
    # z-scores of 1, 2, 4 differ by (1, 3, 2) × the same factor, so 101 is nearest 102
    assert [p for p, _, _ in peers_of(result, 101)] == [102, 103]
    assert [p for p, _, _ in peers_of(result, 102)] == [101, 103]
    assert [p for p, _, _ in peers_of(result, 103)] == [102, 101]
    assert len(result) == 3 * 2


def test_municipality_missing_an_indicator_takes_no_part():
    data = pd.concat([FIVE, long({"a": {106: 100.0}})])  # 106 has a but not b
    result = peers.nearest_peers(data, k=2)
    assert 106 not in set(result["municipality_code"]) | set(result["peer_code"])
    # the others are exactly as without 106 (z-scores over the five that have both)
    expected = peers.nearest_peers(FIVE, k=2)
    pd.testing.assert_frame_equal(result.reset_index(drop=True), expected.reset_index(drop=True))


def test_chosen_indicator_set():
    # on b alone, 101-104 are identical (distance 0): ties by code
    result = peers.nearest_peers(FIVE, k=2, names=["b"])
    assert peers_of(result, 103) == [(101, 1, 0.0), (102, 2, 0.0)]
    # 105: z_b(105) − z_b(others) = 2.5
    assert peers_of(result, 105) == [(101, 1, pytest.approx(2.5)), (102, 2, pytest.approx(2.5))]


def test_each_year_on_its_own():
    data = pd.concat([FIVE, long({"a": {101: 1, 102: 10, 103: 2}}, year=2025)])
    result = peers.nearest_peers(data, k=1)
    y2025 = result[result["year"] == 2025]
    assert dict(zip(y2025["municipality_code"], y2025["peer_code"])) == {101: 103, 102: 103, 103: 101}
    assert len(result[result["year"] == 2024]) == 5


def test_peers_are_deterministic_whatever_the_row_order():
    first = peers.nearest_peers(FIVE, k=2)
    shuffled = peers.nearest_peers(FIVE.sample(frac=1, random_state=7), k=2)
    pd.testing.assert_frame_equal(first, shuffled)


def test_k_must_be_positive():
    with pytest.raises(ValueError):
        peers.nearest_peers(FIVE, k=0)


def test_dst_group_peers():
    municipalities = pd.DataFrame(
        {"municipality_code": [101, 147, 151, 860, 787], "dst_municipality_group": [1, 1, 1, 5, 5]}
    )
    result = peers.dst_group_peers(municipalities, [2023, 2024])
    assert set(result["method"]) == {"dst_group"}
    assert result["distance"].isna().all()
    y = result[result["year"] == 2024]
    assert sorted(zip(y["municipality_code"], y["peer_code"], y["peer_rank"])) == [
        (101, 147, 1), (101, 151, 2), (147, 101, 1), (147, 151, 2), (151, 101, 1), (151, 147, 2),
        (787, 860, 1), (860, 787, 1),
    ]
    assert len(result) == 2 * 8
