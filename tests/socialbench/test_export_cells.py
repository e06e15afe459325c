"""Formula injection (OWASP): the one rule every CSV and XLSX writer uses."""
from __future__ import annotations

import io

import pytest

from socialbench.export_cells import csv_text, is_risky, xlsx_row


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_could_be_a_formula_is_prefixed_in_csv(text):
    assert is_risky(text) and csv_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Bo Godt ApS", "B-000001", "", "1=1", "a+b", " =x"])
def test_ordinary_text_is_left_as_it_is(text):
    assert not is_risky(text) and csv_text(text) == text


def test_xlsx_rows_hold_text_as_string_cells_and_numbers_as_numbers():
    from decimal import Decimal

    from openpyxl import Workbook, load_workbook

    book = Workbook()
    book.active.append(xlsx_row(["=1+1", "#N/A", "-2+3", Decimal("-1250.00"), -3, None, "plain"]))
    out = io.BytesIO()
    book.save(out)
    [row] = load_workbook(io.BytesIO(out.getvalue())).active.iter_rows()
    assert [(c.value, c.data_type) for c in row] == [
        ("=1+1", "s"), ("#N/A", "s"), ("-2+3", "s"), (-1250, "n"), (-3, "n"), (None, "n"), ("plain", "s"),
    ]
