"""The loader's fast path (socialbench.fast_validation, loading.CsvChunks) agrees with the
row-by-row path (the marshmallow schemas) on every input: a chunk is valid on the fast
path exactly when the schema finds no problem in any of its rows, and then its values are
the ones the schema gives; a whole load gives the same problems and stores the same rows
either way, on both engines.

The oracle is the schema itself, row by row (`SCHEMAS[table]().load(record)`), and a load
with the fast path switched off."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pyarrow as pa
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from socialbench import fast_validation, loading, warehouse
from socialbench.errors import InputError
from socialbench.schemas import SCHEMAS, TEXT_MAX_CHARS, Amount, Day, Real, Text, Whole

# Cells by the kind of field, valid and not: bounds, signs, spaces, other digits, controls,
# CPR numbers, impossible dates.
TEXTS = [
    "G-000001", "B-0071600", "P0419", "SEL85", "goal_achieved", "5.28.22", "actual", "budget", "x", "Bo og Liv",
    "Ærø Kommune", "mål nået", " padded ", "tab\tinside", "\ttab", "nul\x00", "esc\x1b[2J", "del\x7f", "evil\u202etxt",
    "0101901234", "010190-1234", "01-01-90-1234", "CPR0101901234x", "0101\u200b901234", "G0000000001234",
    "4512345678", "1234567890", "12345678901", "\u00a0nbsp", "zero\u200bwidth", "", " ", "  ", "ok,", "\\N",
    "x" * 200, "1", "0",
]
WHOLES = [
    "0", "1", "4", "5", "-1", "101", "851", "2024", "1899", "2100", "2101", "007", "+5", "-0", " 5", "5 ", "\t5",
    "2147483647", "2147483648", "-2147483648", "-2147483649", "9999999999", "99999999999", "0x10", "1e3", "1.0",
    "\u0661\u0660", "x", "", " ", "9" * 30, "130", "131",
]
DAYS = [
    "2024-01-01", "2024-02-29", "2023-02-29", "2024-02-30", "2024-13-01", "2024-00-10", "2024-01-00", "2024-1-5",
    "0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "-2024-01-01", " 2024-01-01", "2024-01-01 ",
    "2024/01/01", "20240101", "\u0662\u0660\u0662\u0664-01-01", "", "x", "1900-02-29", "2000-02-29",
]
AMOUNTS = ["0", "1", "1.5", "1.55", "1.555", "-1", "-0", "1e2", "1E-2", "NaN", "inf", "1_000", " 2", "", "x",
           "99999999999", "1000000", "1000000.01", "100000000000", "-100000000000.01", ".5", "5."]
REALS = ["0", "1.5", "-2", "1e12", "1e13", "1e308", "nan", "inf", "", "x", " 3", "0.1"]
BOOLEANS = ["true", "false", "True", "1", "0", "yes", "", "x"]


def cells_for(field) -> list[str]:
    if isinstance(field, Text):
        return TEXTS
    if isinstance(field, Whole):
        return WHOLES
    if isinstance(field, Day):
        return DAYS
    if isinstance(field, Amount):
        return AMOUNTS
    if isinstance(field, Real):
        return REALS
    return BOOLEANS


TABLES = sorted(t for t in loading.TABLES if fast_validation.supported(t, loading.TABLES[t].columns))


def test_the_fast_path_covers_the_large_tables():
    assert {"grants", "assessments", "providers", "population", "expenditure", "rates"} <= set(TABLES)
    assert not fast_validation.supported("price_index", loading.TABLES["price_index"].columns)  # @validates hook


def schema_rows(table: str, rows: list[dict[str, str]]) -> list[dict] | None:
    """The oracle: every row loaded by the schema (cells stripped, empty as None), or
    None if any row has a problem."""
    schema = SCHEMAS[table]()
    out = []
    for row in rows:
        try:
            out.append(schema.load({c: (v.strip() or None) for c, v in row.items()}))
        except ValidationError:
            return None
    return out


def fast_rows(table: str, rows: list[dict[str, str]], columns: list[str]) -> list[dict] | None:
    cells = {c: pa.array([r[c] for r in rows], pa.string()) for c in columns}
    values = fast_validation.validate_chunk(table, cells)
    return None if values is None else values.to_pylist()


@st.composite
def chunks(draw):
    table = draw(st.sampled_from(TABLES))
    columns = list(loading.TABLES[table].columns)
    fields = SCHEMAS[table]().fields
    n = draw(st.integers(1, 12))
    valid_looking = draw(st.booleans())  # mostly valid cells, so that valid chunks occur
    rows = []
    for _ in range(n):
        row = {}
        for c in columns:
            pool = cells_for(fields[c])
            if valid_looking:
                pool = pool[:6]
            row[c] = draw(st.one_of(st.sampled_from(pool), st.text(max_size=12))) if not valid_looking else draw(
                st.sampled_from(pool)
            )
        rows.append(row)
    return table, columns, rows


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunk=chunks())
def test_a_chunk_is_valid_on_the_fast_path_exactly_when_the_schema_finds_no_problem(chunk):
    table, columns, rows = chunk
    expected = schema_rows(table, rows)
    got = fast_rows(table, rows, columns)
    assert (got is None) == (expected is None), (table, rows)
    if expected is not None:
        assert got == [{c: r[c] for c in columns} for r in expected]


@pytest.mark.parametrize("table", TABLES)
def test_every_listed_cell_alone_is_decided_as_the_field_decides_it(table):
    schema = SCHEMAS[table]()
    for name, field in schema.fields.items():
        for cell in cells_for(field) + [c + "\x1f" for c in cells_for(field)[:3]]:
            try:
                expected = (True, field.deserialize(cell.strip() or None, name, None))
            except ValidationError:
                expected = (False, None)
            values = fast_validation.validate_column(field, name, pa.array([cell, cell], pa.string()))
            got = (False, None) if values is None else (True, values.to_pylist()[0])
            assert got == expected, (table, name, cell)


def test_every_day_of_the_calendar_grid_is_decided_as_strptime_decides_it():
    field = SCHEMAS["grants"]().fields["start_date"]
    for year in ("0001", "0004", "0100", "1900", "2000", "2023", "2024", "9999"):
        cells = [f"{year}-{m:02d}-{d:02d}" for m in range(0, 14) for d in range(0, 33)]
        valid = []
        for cell in cells:
            try:
                valid.append(dt.datetime.strptime(cell, "%Y-%m-%d").date())
            except ValueError:
                valid.append(None)
        for cell, day in zip(cells, valid):
            values = fast_validation.validate_column(field, "start_date", pa.array([cell], pa.string()))
            assert (values.to_pylist()[0] if values is not None else None) == day, cell
        good = [c for c, d in zip(cells, valid) if d is not None]
        assert fast_validation.validate_column(field, "start_date", pa.array(good)).to_pylist() == [
            d for d in valid if d is not None
        ]


def test_texts_of_ten_digits_or_more_go_through_the_cpr_detector():
    field = SCHEMAS["grants"]().fields["citizen_key"]
    # Plain ASCII ids with fewer than ten digits never hold a CPR number: decided at once.
    assert fast_validation.validate_column(field, "citizen_key", pa.array(["B-012345678", "B-1"])) is not None
    for cpr in ["0101901234", "B 010190-1234", "x01.01.90.1234"]:
        assert fast_validation.validate_column(field, "citizen_key", pa.array(["B-1", cpr])) is None
    long_ok = "1" * 11  # eleven digits in one group: no CPR number
    assert fast_validation.validate_column(field, "citizen_key", pa.array([long_ok])).to_pylist() == [long_ok]
    over = "x" * (TEXT_MAX_CHARS + 1)
    assert fast_validation.validate_column(field, "citizen_key", pa.array([over])) is None


# ---------------------------------------------------------------- whole loads, both paths


def written(columns: list[str], rows: list[dict[str, str]], crlf: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(columns)
    writer.writerows([[r[c] for c in columns] for r in rows])
    return buffer.getvalue().encode("utf-8")


def stored(engine, table: str) -> list[tuple]:
    columns = ", ".join(loading.TABLES[table].columns)
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.text(f"select {columns} from {table}")).fetchall())


def outcome(engine, path, monkeypatch, fast: bool):
    with monkeypatch.context() as m:
        if not fast:
            m.setattr(fast_validation, "supported", lambda table, columns: False)
        try:
            return loading.load_path(engine, path, chunk_rows=4), None
        except InputError as error:
            return None, [str(p) for p in error.problems]


LOAD_TABLES = ["providers", "grants", "assessments", "population", "expenditure", "rates", "structural_indicators"]


@st.composite
def files(draw):
    table = draw(st.sampled_from(LOAD_TABLES))
    columns = list(loading.TABLES[table].columns)
    fields = SCHEMAS[table]().fields
    rows = []
    for k in range(draw(st.integers(0, 10))):
        row = {}
        for c in columns:
            pool = cells_for(fields[c])[: draw(st.sampled_from([3, 6, 100]))]
            row[c] = draw(st.sampled_from(pool))
        rows.append(row)
    return table, written(columns, rows, draw(st.booleans()))


def seed(engine, table: str) -> None:
    """Providers and open grants with the ids the files draw (so that references can hold),
    and an empty table to load."""
    ids = TEXTS[:6]
    with engine.begin() as conn:
        warehouse.upsert_frame(conn, "providers", pd.DataFrame({"provider_id": ids, "provider_name": ids}), ["provider_id"])
        warehouse.upsert_frame(conn, "grants", pd.DataFrame({
            "grant_id": ids, "citizen_key": ids, "municipality_code": 101, "provider_id": ids,
            "intervention_code": "SEL85", "start_date": dt.date(2000, 1, 1), "end_date": None, "end_reason": None,
        }), ["grant_id"])
        conn.execute(sa.text(f"delete from {table}"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(file=files())
def test_a_load_gives_the_same_problems_and_rows_with_and_without_the_fast_path(engine, tmp_path, monkeypatch, file):
    table, data = file
    path = tmp_path / f"{table}.csv"
    path.write_bytes(data)
    seed(engine, table)
    slow = outcome(engine, path, monkeypatch, fast=False)
    slow_rows = stored(engine, table)
    seed(engine, table)
    fast = outcome(engine, path, monkeypatch, fast=True)
    assert fast == slow
    assert stored(engine, table) == slow_rows


def test_a_plain_valid_file_is_validated_without_the_schema_and_a_bad_chunk_with_it(engine, tmp_path, monkeypatch):
    rows_validated_by_schema = []
    real = loading.validate_records

    def spy(table, source, records):
        records = list(records)
        rows_validated_by_schema.extend(line for line, _ in records)
        return real(table, source, records)

    monkeypatch.setattr(loading, "validate_records", spy)
    path = tmp_path / "providers.csv"
    path.write_text("provider_id,provider_name\n" + "".join(f"P{k},Navn {k}\n" for k in range(10)), encoding="utf-8")
    assert loading.load_path(engine, path, chunk_rows=4) == {"providers": 10}
    assert rows_validated_by_schema == []
    path.write_text(
        "provider_id,provider_name\n" + "".join(f"P{k},Navn {k}\n" for k in range(5)) + "P5,\n"
        + "".join(f"P{k},Navn {k}\n" for k in range(6, 10)),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        loading.load_path(engine, path, chunk_rows=4)
    assert [str(p) for p in caught.value.problems] == [f"{path}:7: provider_name: missing value"]
    assert rows_validated_by_schema == [6, 7, 8, 9]  # lines 6-9: the chunk with the empty name
