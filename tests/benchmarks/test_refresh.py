"""`refresh` on both engines: load a small data set through the loader, recompute, check every table."""
import math

import numpy as np
import pytest
import sqlalchemy as sa

from benchmarks.refresh import DERIVED_TABLES, refresh
from socialbench import cli, loading, reference, schema, warehouse
from socialbench.errors import SocialbenchError
from tests.sql import dbt_tests

CODES = [101, 147, 151, 153, 155]  # all in Statistics Denmark group 1
A = dict(zip(CODES, [1, 2, 3, 4, 5]))
B = dict(zip(CODES, [10, 10, 10, 10, 20]))
CHILD_SPENDING = dict(zip(CODES, [12_000_000, 9_000_000, 10_000_000, 14_000_000, 11_000_000]))
ADULT_SPENDING = dict(zip(CODES, [60_000_000, 45_000_000, 40_000_000, 22_000_000, 10_000_000]))
CITIZENS = dict(zip(CODES, [50, 50, 40, 20, 0]))
CHILDREN, ADULTS = 1000, 2000  # persons aged 10, resp. 40, in every municipality
FIXED = 110 / 100  # price index 2024 = 100, 2025 = 110: base year 2025


@pytest.fixture
def loaded(engine, write_csv, tmp_path):
    folder = tmp_path / "data"
    write_csv("price_index.csv", "year,index_value", "2024,100", "2025,110", folder=folder)
    write_csv(
        "population.csv", "municipality_code,year,age,persons",
        *[f"{c},2024,10,{CHILDREN}" for c in CODES], *[f"{c},2024,40,{ADULTS}" for c in CODES], folder=folder,
    )
    write_csv(
        "expenditure.csv", "municipality_code,year,function_code,kind,amount_dkk",
        *[f"{c},2024,5.28.22,actual,{CHILD_SPENDING[c]}" for c in CODES],
        *[f"{c},2024,5.38.50,actual,{ADULT_SPENDING[c]}" for c in CODES], folder=folder,
    )
    write_csv(
        "full_year_citizens.csv", "municipality_code,year,intervention_code,full_year_citizens",
        *[f"{c},2024,SEL108,{CITIZENS[c]}" for c in CODES], folder=folder,
    )
    write_csv(
        "structural_indicators.csv", "municipality_code,year,indicator,value",
        *[f"{c},2024,a,{A[c]}" for c in CODES], *[f"{c},2024,b,{B[c]}" for c in CODES], folder=folder,
    )
    loading.load_path(engine, folder)
    return engine


def table(engine, sql):
    with engine.connect() as conn:
        return warehouse.read_frame(conn, sql)


def one(frame, **where):
    for column, value in where.items():
        frame = frame[frame[column] == value]
    assert len(frame) == 1, where
    return frame.iloc[0]


def test_refresh_fills_every_table(loaded):
    result = refresh(loaded, k=2)

    peers = table(loaded, "select * from bm_peer")
    nearest = peers[peers["method"] == "nearest"]
    assert len(nearest) == 5 * 2
    # z-scores as in tests/benchmarks/test_peers.py: 101 is 1/√2 from 147 and √2 from 151
    p = nearest[nearest["municipality_code"] == 101].sort_values("peer_rank")
    assert p["peer_code"].tolist() == [147, 151]
    assert p["distance"].tolist() == pytest.approx([1 / math.sqrt(2), math.sqrt(2)])
    assert p["municipality_name"].tolist() == ["København"] * 2
    assert p["peer_name"].tolist() == ["Frederiksberg", "Ballerup"]
    # dst_group: every municipality of the reference table with every other of its group, for 2024
    sizes = reference.frame("municipality").groupby("dst_municipality_group").size()
    assert (peers["method"] == "dst_group").sum() == int((sizes * (sizes - 1)).sum())
    assert result["rows"]["bm_peer"] == len(peers)

    both = table(loaded, "select * from bm_peer_comparison")
    assert set(both["method"]) == {"nearest", "dst_group"}  # by default both methods
    comparison = both[both["method"] == "nearest"]
    r = one(comparison, municipality_code=101, key_figure="cost_per_child")
    own = 12_000_000 / CHILDREN * FIXED
    mean = (9_000_000 / CHILDREN + 10_000_000 / CHILDREN) / 2 * FIXED
    assert (r["year"], r["municipality_name"], r["peer_count"]) == (2024, "København", 2)
    assert r["own_value"] == pytest.approx(own)
    assert r["peer_mean"] == pytest.approx(mean)
    assert r["peer_median"] == pytest.approx(mean)
    assert r["difference_dkk"] == pytest.approx(own - mean)
    assert r["difference_pct"] == pytest.approx(100 * (own - mean) / mean)
    r = one(comparison, municipality_code=101, key_figure="cost_per_adult")
    assert r["own_value"] == pytest.approx(60_000_000 / ADULTS * FIXED)
    assert r["peer_mean"] == pytest.approx((45_000_000 + 40_000_000) / 2 / ADULTS * FIXED)
    r = one(comparison, municipality_code=101, key_figure="unit_cost:SEL108")
    assert r["intervention_code"] == "SEL108"
    assert r["key_figure_label"] == "Enhedsudgift: Længerevarende botilbud (§ 108)"
    assert r["peer_mean"] == pytest.approx((45_000_000 / 50 + 40_000_000 / 40) / 2 * FIXED)
    # 155 has no full-year citizens: no unit cost of its own, its peers (153, 151) still compared
    r = one(comparison, municipality_code=155, key_figure="unit_cost:SEL108")
    assert r["own_value"] is None or math.isnan(r["own_value"])
    assert r["peer_mean"] == pytest.approx((22_000_000 / 20 + 40_000_000 / 40) / 2 * FIXED)
    assert len(comparison) == 5 * 3

    expected = table(loaded, "select * from bm_expected_cost order by measure, municipality_code")
    assert len(expected) == 2 * 5
    # independent computation: normal equations β = (XᵀX)⁻¹ Xᵀy on X = [1, a, b]
    x = np.array([[1.0, A[c], B[c]] for c in CODES])
    for measure, spending, persons in (("cost_per_child", CHILD_SPENDING, CHILDREN), ("cost_per_adult", ADULT_SPENDING, ADULTS)):
        y = np.array([spending[c] / persons * FIXED for c in CODES])
        fitted = x @ np.linalg.solve(x.T @ x, x.T @ y)
        rows = expected[expected["measure"] == measure]
        assert rows["municipality_code"].tolist() == CODES
        assert rows["municipality_name"].tolist()[:2] == ["København", "Frederiksberg"]
        assert rows["actual"].tolist() == pytest.approx(y.tolist())
        assert rows["expected"].tolist() == pytest.approx(fitted.tolist())
        assert rows["difference"].tolist() == pytest.approx((y - fitted).tolist(), abs=1e-6)
        assert rows["excess_spending_dkk"].tolist() == pytest.approx(((y - fitted) * persons).tolist(), abs=1e-6)
        r2 = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
        assert rows["r_squared"].tolist() == pytest.approx([r2] * 5)
        assert set(rows["n_municipalities"]) == {5}

    potential = table(loaded, "select * from bm_savings_potential")
    assert len(potential) == 5
    r = one(potential, municipality_code=101)
    median = (900_000 + 1_000_000) / 2  # peers 147 and 151
    assert (r["intervention_code"], r["intervention_name"], r["year"]) == ("SEL108", "Længerevarende botilbud (§ 108)", 2024)
    assert r["unit_cost_dkk"] == pytest.approx(1_200_000)
    assert r["peer_median_unit_cost_dkk"] == pytest.approx(median)
    assert r["full_year_citizens"] == 50
    assert r["potential_dkk"] == pytest.approx((1_200_000 - median) * 50)
    assert r["potential_fixed_dkk"] == pytest.approx((1_200_000 - median) * FIXED * 50)
    assert one(potential, municipality_code=147)["potential_dkk"] == 0  # 900,000 is below its peers
    r = one(potential, municipality_code=155)
    assert r["unit_cost_dkk"] is None or math.isnan(r["unit_cost_dkk"])
    assert r["potential_dkk"] is None or math.isnan(r["potential_dkk"])

    options = table(loaded, "select comparison_methods, k, indicators from bm_refresh")
    assert options.values.tolist() == [["nearest,dst_group", 2, "all loaded (a,b)"]]
    assert result["rows"]["bm_savings_potential"] == 5


def test_refresh_replaces_and_follows_options(loaded):
    refresh(loaded, k=2)
    refresh(loaded, method="dst_group", k=1, indicators=["a"])
    peers = table(loaded, "select * from bm_peer where method = 'nearest'")
    assert len(peers) == 5  # replaced, not appended
    # on a alone, 151 is equally far from 147 and 153: the lower code wins
    assert one(peers, municipality_code=151)["peer_code"] == 147
    comparison = table(loaded, "select * from bm_peer_comparison")
    assert set(comparison["method"]) == {"dst_group"}
    # in group 1 only our five have figures: 101's peers with a cost per child are the other four
    r = one(comparison, municipality_code=101, key_figure="cost_per_child")
    assert r["peer_count"] == 4
    assert r["peer_mean"] == pytest.approx((9_000 + 10_000 + 14_000 + 11_000) / 4 * FIXED)
    assert r["peer_median"] == pytest.approx((10_000 + 11_000) / 2 * FIXED)
    # savings always against the nearest peers: 101's one peer on a is 147 (900,000)
    assert one(table(loaded, "select * from bm_savings_potential"), municipality_code=101)["potential_dkk"] == pytest.approx(
        (1_200_000 - 900_000) * 50
    )
    # expected cost on a alone: the simple regression slope Sxy / Sxx
    rows = table(loaded, "select * from bm_expected_cost where measure = 'cost_per_child' order by municipality_code")
    xs = np.array([1, 2, 3, 4, 5.0])
    ys = np.array([12_000, 9_000, 10_000, 14_000, 11_000]) * FIXED
    slope = ((xs - xs.mean()) * (ys - ys.mean())).sum() / ((xs - xs.mean()) ** 2).sum()
    assert rows["expected"].tolist() == pytest.approx((ys.mean() + slope * (xs - xs.mean())).tolist())


def test_unknown_indicator_writes_nothing(loaded):
    refresh(loaded, k=2)
    with pytest.raises(SocialbenchError, match="unknown structural indicator.*nope"):
        refresh(loaded, indicators=["a", "nope"])
    assert len(table(loaded, "select * from bm_peer where method = 'nearest'")) == 10


def test_municipalities_missing_a_chosen_indicator_are_named(loaded, write_csv):
    loading.load_path(loaded, write_csv("structural_indicators.csv", "municipality_code,year,indicator,value", "101,2024,c,1.5"))
    result = refresh(loaded, k=2)  # default: every loaded indicator, so a, b and c
    assert "2024: 4 municipalities lack a chosen indicator and have no nearest peers (147, 151, 153, 155)" in result["notes"]
    assert result["rows"]["bm_savings_potential"] == 0  # nobody has nearest peers: 101 is alone
    result = refresh(loaded, k=2, indicators=["a", "b"])
    assert result["notes"] == []
    assert len(table(loaded, "select * from bm_peer where method = 'nearest'")) == 10


def test_years_without_price_index_are_named(loaded):
    with loaded.begin() as conn:
        conn.execute(sa.text("delete from price_index"))
    result = refresh(loaded, k=2)
    assert any(note.startswith("no price index for 2024") for note in result["notes"])
    assert result["rows"]["bm_peer_comparison"] == 0  # fixed prices unknown
    assert result["rows"]["bm_savings_potential"] == 5  # current prices still known


def test_warehouse_without_the_benchmark_tables_asks_for_init(engine):
    with engine.begin() as conn:
        conn.execute(sa.text("drop table bm_savings_potential"))
    with pytest.raises(SocialbenchError, match="lacks bm_savings_potential: run `socialbench init`"):
        refresh(engine)


def test_empty_warehouse_refreshes_to_empty_tables(engine):
    result = refresh(engine)
    assert result["rows"]["bm_peer_comparison"] == 0
    assert result["rows"]["bm_expected_cost"] == 0
    assert result["rows"]["bm_savings_potential"] == 0


def test_cli_refresh(loaded, db_url, capsys):
    assert cli.main(["refresh", "--db", db_url, "--k", "3", "--indicators", "a,b"]) == 0
    out = capsys.readouterr().out
    # nearest: 5 municipalities × 3 key figures; dst_group: every municipality of group 1 has
    # peers among our five with figures, so 3 rows each, its own value NULL unless it is one of them
    group_1 = int((reference.frame("municipality")["dst_municipality_group"] == 1).sum())
    assert f"bm_peer_comparison: {5 * 3 + group_1 * 3} rows" in out
    assert table(loaded, "select k, indicators from bm_refresh").values.tolist() == [[3, "a,b"]]
    assert cli.main(["refresh", "--db", db_url, "--indicators", "zzz"]) == 1
    assert "unknown structural indicator(s) zzz" in capsys.readouterr().err
    assert cli.main(["refresh", "--db", db_url, "--method", "nearest"]) == 0
    assert "bm_peer_comparison: 15 rows" in capsys.readouterr().out
    assert table(loaded, "select distinct method from bm_peer_comparison").values.tolist() == [["nearest"]]
    with pytest.raises(SystemExit):
        cli.main(["refresh", "--db", db_url, "--method", "closest"])


TABLE_DOCS = {name: doc for name, doc in schema.docs("tables").items() if name.startswith("bm_")}


def test_every_derived_table_is_documented_in_column_order(engine):
    assert sorted(TABLE_DOCS) == sorted(DERIVED_TABLES)
    with engine.connect() as conn:
        for name, doc in TABLE_DOCS.items():
            assert [c["name"] for c in doc["columns"]] == warehouse.table_columns(conn, name), name
            assert doc["label"].strip() and doc["description"].strip()
            assert all(str(c.get("label") or "").strip() and str(c.get("description") or "").strip() for c in doc["columns"])


def test_documented_data_tests_hold_after_refresh(loaded):
    refresh(loaded, k=2)
    with loaded.connect() as conn:
        for name in TABLE_DOCS:
            assert conn.execute(sa.text(f"select count(*) from {name}")).scalar_one() > 0, name
        failures = [f for doc in TABLE_DOCS.values() for f in dbt_tests.failing(conn, doc)]
    assert failures == []
