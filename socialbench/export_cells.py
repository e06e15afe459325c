"""Cells of the spreadsheets socialbench writes (CSV and XLSX), safe from formula injection.

A spreadsheet program runs a cell that begins with `=`, `+`, `-` or `@` as a formula
(and some treat a leading tab or carriage return the same way), so a provider name or a
citizen key such as `=HYPERLINK("http://x","y")` would become a live link or worse.
Following OWASP's advice on CSV injection, every TEXT cell that begins with one of
those characters is written as text:

- CSV: prefixed with a single quote `'` (`'=HYPERLINK(...)`), which the spreadsheet
  shows as text;
- XLSX: a string cell (data type `s`), never a formula, whatever it begins with.

The decision is taken by the column's kind, not by the value's first character: a
negative amount (`-1250,00` in the Danish CSV, a number in the XLSX) is a number and
stays one. Every writer of an export goes through `csv_text` (text columns) and `xlsx_row`.
"""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_PREFIX = "'"


def is_risky(text: str) -> bool:
    """True if a spreadsheet could read this text as a formula."""
    return text.startswith(FORMULA_STARTS)


def csv_text(text: str) -> str:
    """A text value as a CSV field: prefixed with ' if it could be read as a formula."""
    return CSV_PREFIX + text if is_risky(text) else text


def xlsx_row(values) -> list:
    """A row for openpyxl's `sheet.append`: every text as a string cell (openpyxl would
    otherwise turn a str beginning with '=' into a formula, and '#N/A' into an error),
    anything else (numbers, dates, None) as given."""
    from openpyxl.cell.cell import Cell

    row = []
    for value in values:
        if isinstance(value, str):
            cell = Cell(None, value=value)
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    return row
