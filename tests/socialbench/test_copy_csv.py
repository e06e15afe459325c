"""warehouse.copy_csv (the COPY body of a DataFrame, built column by column) writes exactly
what the row-by-row serialiser it replaced wrote: the oracle below is that code, kept here."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from socialbench import warehouse


def old_copy_csv(frame: pd.DataFrame) -> bytes:
    """The serialiser before the fast path: rows as dicts of Python values, one value at a time."""
    clean = frame.astype(object).where(frame.notna(), None)
    records = clean.to_dict("records")
    for row in records:
        for key, value in row.items():
            if hasattr(value, "item") and not isinstance(value, Decimal):
                row[key] = value.item()
            elif isinstance(value, pd.Timestamp):
                row[key] = value.date()

    def text(value) -> str:
        if value is None:
            return "\\N"
        if isinstance(value, str):
            return '"' + value.replace('"', '""') + '"'
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return "".join(",".join(text(row[c]) for c in frame.columns) + "\n" for row in records).encode("utf-8")


texts = st.one_of(st.none(), st.text(max_size=8), st.sampled_from(['"', '\\N', "a,b", "x\r\ny", ""]))
column = st.sampled_from(["text", "int", "float", "nullable_int", "decimal", "date", "timestamp", "bool", "mixed"])


@st.composite
def frames(draw):
    n = draw(st.integers(1, 6))
    out = {}
    for k in range(draw(st.integers(1, 4))):
        kind = draw(column)
        if kind == "text":
            values = draw(st.lists(texts, min_size=n, max_size=n))
        elif kind == "int":
            values = np.array(draw(st.lists(st.integers(-(2**40), 2**40), min_size=n, max_size=n)), dtype=np.int64)
        elif kind == "float":
            values = draw(st.lists(st.one_of(st.floats(allow_infinity=False), st.integers(-5, 5).map(float)), min_size=n, max_size=n))
        elif kind == "nullable_int":
            values = pd.array(draw(st.lists(st.one_of(st.none(), st.integers(-9, 9)), min_size=n, max_size=n)), dtype="Int64")
        elif kind == "decimal":
            values = draw(st.lists(st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False, places=2)), min_size=n, max_size=n))
        elif kind == "date":
            values = draw(st.lists(st.one_of(st.none(), st.dates()), min_size=n, max_size=n))
        elif kind == "timestamp":
            values = pd.to_datetime(draw(st.lists(st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 1, 1)), min_size=n, max_size=n)))
        elif kind == "bool":
            values = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
        else:
            values = draw(st.lists(st.one_of(st.none(), st.integers(-9, 9), st.text(max_size=3), st.dates()), min_size=n, max_size=n))
        out[f"c{k}"] = values
    return pd.DataFrame(out)


@settings(max_examples=300, deadline=None)
@given(frame=frames())
def test_copy_csv_writes_what_the_row_by_row_serialiser_wrote(frame):
    assert warehouse.copy_csv(frame) == old_copy_csv(frame)


def test_copy_csv_of_known_values():
    frame = pd.DataFrame({"t": ['say "hi"', None, "\\N"], "n": [1.0, np.nan, 2.5], "d": [dt.date(2024, 1, 2), None, None]})
    assert warehouse.copy_csv(frame) == b'"say ""hi""",1,2024-01-02\n\\N,\\N,\\N\n"\\N",2.5,\\N\n'
