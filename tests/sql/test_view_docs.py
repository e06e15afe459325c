"""The YAML docs beside each view: complete, and their dbt-style data tests hold on the
hand-made data set on both engines."""
from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from socialbench import schema, warehouse
from tests.sql import dbt_tests

DOCS = schema.docs("views")
VIEW_NAMES = sorted(view.name for view in schema.views())


def test_every_view_has_a_doc_and_every_doc_a_view():
    assert sorted(DOCS) == VIEW_NAMES


@pytest.mark.parametrize("name", VIEW_NAMES)
def test_doc_has_danish_label_and_english_description_for_view_and_columns(name):
    doc = DOCS[name]
    assert doc["label"].strip() and doc["description"].strip()
    for column in doc["columns"]:
        assert str(column.get("label") or "").strip(), f"{name}.{column['name']} has no Danish label"
        assert str(column.get("description") or "").strip(), f"{name}.{column['name']} has no description"
    assert doc.get("tests"), f"{name} has no model-level data test"


def test_every_column_a_view_returns_is_documented_in_order(shared):
    with shared.connect() as conn:
        for name in VIEW_NAMES:
            returned = list(conn.execute(sa.text(f"select * from {name} where 1 = 0")).keys())
            documented = [c["name"] for c in DOCS[name]["columns"]]
            assert documented == returned, name


def test_data_tests_hold_on_the_hand_made_data(shared):
    with shared.connect() as conn:
        for name in VIEW_NAMES:
            count = conn.execute(sa.text(f"select count(*) from {name}")).scalar_one()
            assert count > 0, f"{name} is empty on the test data: its data tests would prove nothing"
        failures = [f for name in VIEW_NAMES for f in dbt_tests.failing(conn, DOCS[name])]
    assert failures == []


def test_runner_reports_each_kind_of_broken_rule(engine):
    """The runner itself can fail: every kind of test catches a row that breaks it."""
    frame = pd.DataFrame(
        {
            "municipality_code": [101, 101, 999],
            "area": ["children", "children", "elderly"],
            "amount": [1.0, None, -5.0],
        }
    )
    doc = {
        "name": "broken",
        "columns": [
            {"name": "municipality_code", "tests": ["unique", {"relationships": {"to": "municipality", "field": "municipality_code"}}]},
            {"name": "area", "tests": [{"accepted_values": {"values": ["children", "adults"]}}]},
            {"name": "amount", "tests": ["not_null", {"expression_is_true": {"expression": ">= 0"}}]},
        ],
        "tests": [
            {"unique_combination": ["municipality_code", "area"]},
            {"expression_is_true": {"expression": "amount > 0"}},
        ],
    }
    with engine.begin() as conn:
        conn.execute(sa.text("create table broken (municipality_code integer, area varchar, amount float8)"))
        warehouse.insert_frame(conn, "broken", frame)
        failures = dbt_tests.failing(conn, doc)
    assert failures == [
        "broken: unique(municipality_code) fails on 1 row(s)",
        "broken: relationships(municipality_code) fails on 1 row(s)",
        "broken: accepted_values(area) fails on 1 row(s)",
        "broken: not_null(amount) fails on 1 row(s)",
        "broken: expression_is_true(amount) fails on 1 row(s)",
        "broken: unique_combination(municipality_code, area) fails on 1 row(s)",
        "broken: expression_is_true(amount > 0) fails on 1 row(s)",
    ]
