"""scripts/compare-figures: the dumps are exact and sorted, and every changed figure is found.

The script itself builds demo warehouses (about a minute); these tests check what it does
with the dumps, and one dump of a real warehouse (the hand-made data set, both engines).
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "compare-figures"


def _load():
    loader = importlib.machinery.SourceFileLoader("compare_figures", str(SCRIPT))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(module)
    return module


figures = _load()


def test_values_are_dumped_exactly_and_rows_sorted():
    lines = figures.dump_rows("v", ["a", "b", "c", "d"], [
        (2, 0.1 + 0.2, Decimal("1.50"), "x\ty"),
        (1, None, Decimal("2"), date(2024, 5, 31)),
    ])
    assert lines == ["a\tb\tc\td", "1\tNULL\t2\t2024-05-31", "2\t0.30000000000000004\t1.50\tx\\ty"]


def test_the_refresh_time_is_left_out():
    lines = figures.dump_rows("bm_refresh", ["refreshed_at", "k"], [("2026-12-02 01:00:00", 10)])
    assert lines == ["k", "10"]


def test_a_value_changed_in_the_last_digit_is_a_difference():
    before = {"v": ["key\tvalue", "1\t0.30000000000000004", "2\t5.0"]}
    after = {"v": ["key\tvalue", "1\t0.3", "2\t5.0"]}
    assert figures.differences(before, after) == [
        "v: 2 rows before, 2 after", "v: -1\t0.30000000000000004", "v: +1\t0.3",
    ]
    [(count, absolute, relative)] = figures.column_changes(before["v"], after["v"]).values()
    assert count == 1 and absolute == (0.1 + 0.2) - 0.3 and relative == absolute / (0.1 + 0.2)
    assert figures.within(figures.column_changes(before["v"], after["v"]), 1e-15)
    assert not figures.within(figures.column_changes(before["v"], after["v"]), 1e-17)


def test_lost_rows_columns_and_relations_are_differences_new_relations_are_not():
    before = {"v": ["key\tvalue", "1\ta", "2\tb"], "gone": ["key", "1"]}
    after = {"v": ["key\tvalue\textra", "1\ta\tx"], "new": ["key", "1"]}
    found = figures.differences(before, after)
    assert "gone: only before (1 rows)" in found
    assert "v: columns before: key\tvalue" in found and "v: columns after:  key\tvalue\textra" in found
    assert "v: -2\tb" in found
    assert not any(line.startswith("new") for line in found)
    assert figures.new_relations(before, after) == ["new (1 rows)"]
    assert figures.column_changes(before["v"], after["v"]) == {}  # not pairable row by row
    assert figures.differences(before, before) == []


def test_a_text_value_that_changed_is_not_within_any_tolerance():
    changes = figures.column_changes(["k\tname", "1\tKøbenhavn"], ["k\tname", "1\tKobenhavn"])
    assert changes == {"name": (1, None, None)}
    assert not figures.within(changes, 1.0)


def test_dumps_of_a_warehouse_cover_every_view_and_derived_table(shared):
    url = shared.url.render_as_string(hide_password=False)
    found = figures.dumps(url)
    with shared.connect() as conn:
        inspector = sa.inspect(conn)
        expected = {t for t in inspector.get_table_names() if t.startswith("bm_")} | set(inspector.get_view_names())
        rows = conn.execute(sa.text("select count(*) from bm_cost_per_child")).scalar_one()
    # The shared data set holds one settlement run (tests/sql/dataset.py: 6,200 kr. for G1),
    # so the settlement tables are dumped too, without the run's id and clock times.
    assert set(found) == expected | {"settlement_run", "settlement_line"}
    assert len(found["bm_cost_per_child"]) == rows + 1 == 6 + 1
    assert "run_id" not in found["settlement_line"][0].split("\t")
    assert not {"run_id", "created_at", "approved_at"} & set(found["settlement_run"][0].split("\t"))
    line = dict(zip(found["settlement_line"][0].split("\t"), found["settlement_line"][1].split("\t")))
    assert (line["grant_id"], line["payout_dkk"]) == ("G1", "6200.00")
