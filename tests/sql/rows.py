"""Read a view's rows and compare them with rows written by hand, column by column."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa


def view_rows(engine, view: str, key: list[str]) -> dict[tuple, dict]:
    """Every row of the view as a dict of plain Python values, by key."""
    with engine.connect() as conn:
        result = conn.execute(sa.text(f"select * from {view}"))
        columns = list(result.keys())
        rows = [dict(zip(columns, row)) for row in result.fetchall()]
    by_key = {tuple(row[k] for k in key): row for row in rows}
    assert len(by_key) == len(rows), f"{view}: duplicate keys"
    return by_key


def assert_row(actual: dict, expected: dict, where: str = "") -> None:
    """Every column of the view is written out by hand: floats to 12 significant digits,
    everything else exactly (a Decimal equals the int or Decimal written in the test)."""
    assert set(expected) == set(actual), f"{where}: columns not checked: {set(actual) - set(expected)}, unknown: {set(expected) - set(actual)}"
    for column, want in expected.items():
        got = actual[column]
        if want is None:
            assert got is None, f"{where} {column}: expected NULL, got {got!r}"
        elif isinstance(want, float):
            assert got is not None, f"{where} {column}: expected {want!r}, got NULL"
            assert float(got) == pytest.approx(want, rel=1e-12, abs=1e-9), f"{where} {column}"
        else:
            if isinstance(got, Decimal) or isinstance(want, Decimal):
                assert Decimal(str(got)) == Decimal(str(want)), f"{where} {column}: {got!r} != {want!r}"
            else:
                assert got == want, f"{where} {column}: {got!r} != {want!r}"


def assert_rows(actual: dict[tuple, dict], expected: dict[tuple, dict], view: str) -> None:
    assert sorted(actual) == sorted(expected), f"{view}: rows differ"
    for key, want in expected.items():
        assert_row(actual[key], want, f"{view} {key}")
