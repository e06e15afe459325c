"""Golden tests in sqlglot's table-driven style: per view and per target dialect, the SQL
we expect sqlglot 28 to produce from the view (read as PostgreSQL, comments dropped).

The expected SQL lives in tests/sql/golden/<view>.<dialect>.sql, so a failure reads as a
diff. After changing a view on purpose, regenerate and REVIEW the diff before committing:

    SOCIALBENCH_UPDATE_GOLDEN=1 .venv/bin/pytest tests/sql/test_golden.py
    git diff tests/sql/golden/
"""
from __future__ import annotations

import difflib
import os
from functools import lru_cache
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from socialbench import schema

DIALECTS = ["duckdb", "postgres", "trino", "spark"]
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SOCIALBENCH_UPDATE_GOLDEN") == "1"
VIEWS = {view.name: view for view in schema.views()}


def source(view_name: str) -> str:
    """The view's SQL as the warehouse runs it, without comment lines."""
    [statement] = schema.split_statements(VIEWS[view_name].sql)
    return statement


@lru_cache(maxsize=None)
def transpile(view_name: str, dialect: str) -> str:
    [sql] = sqlglot.transpile(
        source(view_name), read="postgres", write=dialect, pretty=True,
        unsupported_level=sqlglot.ErrorLevel.RAISE,
    )
    return sql + "\n"


CASES = [(name, dialect) for name in sorted(VIEWS) for dialect in DIALECTS]


@pytest.mark.parametrize(("view_name", "dialect"), CASES, ids=[f"{v}-{d}" for v, d in CASES])
def test_transpiled_sql_matches_golden_file(view_name, dialect):
    path = GOLDEN / f"{view_name}.{dialect}.sql"
    actual = transpile(view_name, dialect)
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run with SOCIALBENCH_UPDATE_GOLDEN=1 and review it"
    expected = path.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=f"golden/{path.name}", tofile="sqlglot output",
        )
    )
    assert actual == expected, f"transpiled {view_name} for {dialect} differs from its golden file:\n{diff}"


def test_every_golden_file_belongs_to_a_view_and_dialect():
    expected = {f"{name}.{dialect}.sql" for name, dialect in CASES}
    found = {p.name for p in GOLDEN.glob("*.sql")}
    assert found - expected == set(), "stale golden files"


def _is_double_cast(node: exp.Expression) -> bool:
    return isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.DOUBLE


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_division_is_floating_point_and_safe_from_zero(dialect):
    """Integer and decimal division differ between engines, and dividing by 0 fails in
    some of them: every division in every view, in every dialect, divides by a value cast
    to DOUBLE, wrapped in NULLIF(..., 0) unless it is a constant."""
    checked = 0
    in_source = sum(len(list(sqlglot.parse_one(source(n), read="postgres").find_all(exp.Div))) for n in VIEWS)
    for name in VIEWS:
        tree = sqlglot.parse_one(transpile(name, dialect), read=dialect)
        for division in tree.find_all(exp.Div):
            denominator = division.expression
            if isinstance(denominator, exp.Paren):
                denominator = denominator.this
            if isinstance(denominator, exp.Nullif):
                assert _is_double_cast(denominator.this), f"{name}/{dialect}: {division.sql(dialect)}"
                assert denominator.expression == exp.Literal.number(0), f"{name}/{dialect}: {division.sql(dialect)}"
            else:
                assert _is_double_cast(denominator) and isinstance(denominator.this, exp.Literal), (
                    f"{name}/{dialect}: {division.sql(dialect)} divides by a value that may be 0 or not a double"
                )
            checked += 1
    assert checked == in_source > 0


def test_ranks_put_missing_values_last_in_spark():
    """Spark sorts NULLs first in ascending order, PostgreSQL last: the Spark SQL must say
    NULLS LAST so that rank 1 is the lowest cost in every engine."""
    ranking = {
        name for name in VIEWS
        if any(isinstance(w.this, exp.Rank) for w in sqlglot.parse_one(source(name), read="postgres").find_all(exp.Window))
    }
    # The cost per child, per adult and per full-year citizen rank in int_cost_benchmark,
    # which all three select from.
    assert ranking == {"int_cost_benchmark"}
    for name in sorted(ranking):
        tree = sqlglot.parse_one(transpile(name, "spark"), read="spark")
        [rank] = [w for w in tree.find_all(exp.Window) if isinstance(w.this, exp.Rank)]
        [order] = rank.args["order"].expressions
        assert order.args.get("desc") in (None, False)
        assert order.args.get("nulls_first") is False, rank.sql("spark")
        assert "NULLS LAST" in rank.sql("spark")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_no_dialect_only_constructs(dialect):
    for name in VIEWS:
        sql = transpile(name, dialect).upper()
        assert " FILTER (" not in sql and "RECURSIVE" not in sql, name
        assert "NOW()" not in sql and "CURRENT_DATE" not in sql, f"{name} depends on the day it runs"
