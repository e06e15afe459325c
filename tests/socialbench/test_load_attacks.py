"""Hostile and broken input, tried as an attacker would, on both engines: every attempt is
refused with `file:line: column: message` and nothing is written; never a traceback."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa
from marshmallow import fields

from socialbench import loading, warehouse
from socialbench.cpr import CPR_MESSAGE
from socialbench.errors import InputError
from socialbench.schemas import SCHEMAS, Text
from tests.socialbench.examples import ROWS
from tests.socialbench.load_problems import problems_of

GRANTS_HEADER = "grant_id,citizen_key,municipality_code,provider_id,intervention_code,start_date,end_date,end_reason"


def rows(engine, sql):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql)).fetchall()]


def count(engine, table):
    return rows(engine, f"select count(*) from {table}")[0][0]


# ---------------------------------------------------------------- column ranges


def test_integers_beyond_the_integer_column(engine, write_csv):
    path = write_csv(
        "population.csv",
        "municipality_code,year,age,persons",
        f"101,2024,0,{2**31}",
        f"101,2024,1,{2**31 - 1}",
        f"{-(2**31) - 1},2024,2,5",
        "101,2024,3," + "9" * 5000,  # beyond Python's int() digit limit too
    )
    shown = "9" * 37 + "..."
    assert problems_of(engine, path) == [
        f"{path}:2: persons: out of range: 2147483648 (must be -2147483648 to 2147483647, integer)",
        f"{path}:4: municipality_code: out of range: -2147483649 (must be -2147483648 to 2147483647, integer)",
        f"{path}:5: persons: out of range: {shown} (must be -2147483648 to 2147483647, integer)",
    ]
    assert count(engine, "population") == 0


def test_amounts_beyond_their_numeric_columns(engine, write_csv, tmp_path):
    path = write_csv(
        "expenditure.csv",
        "municipality_code,year,function_code,kind,amount_dkk",
        "101,2024,5.28.22,actual,1e308",
        "101,2024,5.28.21,actual,99999999999999999999",
        "101,2024,5.28.20,actual,-1e99999999999",
    )
    bound = "9" * 16 + ".99"  # numeric(18, 2): 16 integer digits
    assert problems_of(engine, path) == [
        f"{path}:2: amount_dkk: out of range: '1e308' (must be -{bound} to {bound}, numeric(18,2))",
        f"{path}:3: amount_dkk: out of range: '99999999999999999999' (must be -{bound} to {bound}, numeric(18,2))",
        f"{path}:4: amount_dkk: out of range: '-1e99999999999' (must be -{bound} to {bound}, numeric(18,2))",
    ]
    rates = write_csv(
        "rates.csv",
        "intervention_code,support_level,valid_from,daily_rate_dkk",
        "SEL85,1,2025-01-01,99999999999",
        folder=tmp_path / "rates",
    )
    assert problems_of(engine, rates) == [
        f"{rates}:2: daily_rate_dkk: out of range: '99999999999' (must be 0 to 9999999999.99, numeric(12,2))"
    ]
    fyc = write_csv(
        "full_year_citizens.csv",
        "municipality_code,year,intervention_code,full_year_citizens",
        "101,2024,SEL108,10000000000",
        folder=tmp_path / "fyc",
    )
    assert problems_of(engine, fyc) == [
        f"{fyc}:2: full_year_citizens: out of range: '10000000000' (must be 0 to 9999999999.9999, numeric(14,4))"
    ]
    assert count(engine, "expenditure") + count(engine, "rates") + count(engine, "full_year_citizens") == 0


def test_dates_out_of_range(engine, write_csv, tmp_path):
    folder = tmp_path / "dates"
    write_csv("providers.csv", "provider_id,provider_name", "P1,Bo og Liv", folder=folder)
    grants = write_csv(
        "grants.csv",
        GRANTS_HEADER,
        "G1,C-1,101,P1,SEL85,0000-01-01,,",
        "G2,C-2,101,P1,SEL85,2025-01-01,10000-01-01,",
        "G3,C-3,101,P1,SEL85,2025-01-01,-2025-01-01,",
        folder=folder,
    )
    assert problems_of(engine, folder) == [
        f"{grants}:2: start_date: out of range: '0000-01-01' (dates must be 0001-01-01 to 9999-12-31)",
        f"{grants}:3: end_date: out of range: '10000-01-01' (dates must be 0001-01-01 to 9999-12-31)",
        f"{grants}:4: end_date: out of range: '-2025-01-01' (dates must be 0001-01-01 to 9999-12-31)",
    ]
    assert count(engine, "providers") == 0


# ---------------------------------------------------------------- bytes the database or csv refuses


def test_nul_bytes_are_refused_before_the_database_sees_them(engine, tmp_path):
    path = tmp_path / "providers.csv"
    path.write_bytes(b"provider_id,provider_name\nP1,Bo og\x00Liv\nP2\x00,Ok\nP3,Fint\n")
    assert problems_of(engine, path) == [
        f"{path}:2: provider_name: contains a NUL byte",
        f"{path}:3: provider_id: contains a NUL byte",
    ]
    assert count(engine, "providers") == 0


def test_terminal_escapes_and_direction_overrides_are_refused(engine, tmp_path):
    # ESC [2J clears a terminal that prints the name; U+202E shows "P1 txt.exe" reversed.
    path = tmp_path / "providers.csv"
    path.write_text("provider_id,provider_name\nP1,Bo\x1b[2J og Liv\nP2,evil\u202etxt.exe\nP3,Bo\x7f\nP4,ok\tand tab\n", encoding="utf-8")
    assert problems_of(engine, path) == [
        f"{path}:2: provider_name: contains the control character U+001B (terminal escapes and text-direction overrides are not accepted in text)",
        f"{path}:3: provider_name: contains the control character U+202E (terminal escapes and text-direction overrides are not accepted in text)",
        f"{path}:4: provider_name: contains the control character U+007F (terminal escapes and text-direction overrides are not accepted in text)",
    ]
    assert count(engine, "providers") == 0


def test_a_field_over_128_kb(engine, tmp_path):
    path = tmp_path / "providers.csv"
    path.write_text("provider_id,provider_name\nP1,ok\nP2," + "x" * (128 * 1024 + 1) + "\nP3,ok\n", encoding="utf-8")
    assert problems_of(engine, path) == [f"{path}:3: a field is longer than 131072 characters"]
    assert count(engine, "providers") == 0


def test_text_over_128_kb_from_a_frame(engine):
    frame = pd.DataFrame({"provider_id": ["P1"], "provider_name": ["x" * (128 * 1024 + 1)]})
    rows_, problems = loading.validate_records(
        "providers", "api", [(1, {"provider_id": "P1", "provider_name": frame["provider_name"][0]})]
    )
    assert [str(p) for p in problems] == ["api:1: provider_name: longer than 131072 characters"]


def test_a_file_cut_inside_an_open_quote(engine, tmp_path):
    path = tmp_path / "providers.csv"
    path.write_text('provider_id,provider_name\nP1,"Bo og Liv"\nP2,"Støtte\ncentret\nP3,x\n', encoding="utf-8")
    assert problems_of(engine, path) == [
        f"{path}:3: the file ends inside a quoted field: a quote opened on this line is never closed"
    ]
    assert count(engine, "providers") == 0
    # A quoted field over several lines that is closed loads, with its line break.
    path.write_text('provider_id,provider_name\nP1,"Bo og\nLiv"\nP2,x\n', encoding="utf-8")
    assert loading.load_path(engine, path) == {"providers": 2}
    assert rows(engine, "select provider_name from providers order by provider_id") == [("Bo og\nLiv",), ("x",)]


def test_a_stray_quote_after_a_quoted_field(engine, tmp_path):
    path = tmp_path / "providers.csv"
    path.write_text('provider_id,provider_name\nP1,"Bo" og Liv\n', encoding="utf-8")
    assert problems_of(engine, path) == [f'{path}:2: a quote inside a quoted field must be doubled ("")']


# ---------------------------------------------------------------- CPR numbers anywhere


TEXT_COLUMNS = sorted(
    (table, column)
    for table, schema in SCHEMAS.items()
    for column, f in schema().fields.items()
    if isinstance(f, Text)
)


def test_every_string_field_of_every_schema_is_checked_text():
    strings = sorted(
        (table, column) for table, schema in SCHEMAS.items() for column, f in schema().fields.items()
        if isinstance(f, fields.String)
    )
    assert strings == TEXT_COLUMNS
    assert len(TEXT_COLUMNS) >= 13


VALID = ROWS


@pytest.mark.parametrize("table,column", TEXT_COLUMNS)
@pytest.mark.parametrize("cpr", ["010190 1234", "010190\u20131234", "01-01-90-1234", "CPR0101901234", "0101\u200b901234"])
def test_a_cpr_number_in_any_text_column_is_refused(table, column, cpr):
    record = dict(VALID[table], **{column: cpr})
    _, problems = loading.validate_records(table, f"{table}.csv", [(2, {k: v or None for k, v in record.items()})])
    assert [str(p).split(": use a pseudonym")[0] for p in problems] == [f"{table}.csv:2: {column}: {CPR_MESSAGE}"]


def test_a_cpr_number_in_a_file_is_refused_and_nothing_written(engine, write_csv):
    path = write_csv("providers.csv", "provider_id,provider_name", "P1,Bo", "P2,Hos 010190\u20131234")
    assert problems_of(engine, path) == [f"{path}:3: provider_name: {CPR_MESSAGE}"]
    assert count(engine, "providers") == 0


def test_a_source_path_that_looks_like_a_cpr_number_is_refused(engine, write_csv, tmp_path):
    path = write_csv("providers.csv", "provider_id,provider_name", "P1,Bo", folder=tmp_path / "borger 010190-1234")
    assert problems_of(engine, path) == [f"{path}: source: {CPR_MESSAGE}"]
    assert count(engine, "providers") == 0
    assert count(engine, "data_source") == 0
    frame = pd.DataFrame({"provider_id": ["P1"], "provider_name": ["Bo"]})
    with pytest.raises(InputError) as info:
        loading.load_batch(engine, [loading.Rows("providers", "api", frame, [1])], source="CPR 0101901234")
    assert [str(p) for p in info.value.problems] == [f"CPR 0101901234: source: {CPR_MESSAGE}"]
    assert count(engine, "providers") == 0


# ---------------------------------------------------------------- plausibility


def indicator_file(write_csv, tmp_path, values: dict[int, float], name="x"):
    lines = [f"{code},2024,{name},{value!r}" for code, value in values.items()]
    return write_csv(
        "structural_indicators.csv", "municipality_code,year,indicator,value", *lines,
        folder=tmp_path / f"ind{len(list(tmp_path.iterdir()))}",
    )


@pytest.fixture
def municipality_codes(engine):
    return [r[0] for r in rows(engine, "select municipality_code from municipality order by municipality_code")]


def test_an_indicator_of_1e308_is_refused(engine, write_csv, tmp_path, municipality_codes):
    values = {code: 1.0 + (k % 7) / 10 for k, code in enumerate(municipality_codes)}
    values[101] = 1e308
    path = indicator_file(write_csv, tmp_path, values)
    line = 2 + municipality_codes.index(101)
    assert problems_of(engine, path) == [
        f"{path}:{line}: value: implausible value 1e+308: must not exceed 1e+12 in absolute value (a plausibility bound)"
    ]
    assert count(engine, "structural_indicators") == 0


def test_an_indicator_far_outside_the_other_municipalities_is_refused(engine, write_csv, tmp_path, municipality_codes):
    values = {code: 1.0 + (k % 7) / 10 for k, code in enumerate(municipality_codes)}  # 1.0 ... 1.6
    loading.load_path(engine, indicator_file(write_csv, tmp_path, values))
    others = pd.Series([v for c, v in values.items() if c != 147])
    sd = others.std()  # sample standard deviation of the 97 others
    high = 1.6 + 10 * sd
    # Within the bound: accepted (stored values of the other municipalities count).
    loading.load_path(engine, indicator_file(write_csv, tmp_path, {147: high - 0.01}))
    # Beyond it: refused with the value and the bound; the stored value stays.
    path = indicator_file(write_csv, tmp_path, {147: high + 0.01})
    [problem] = problems_of(engine, path)
    assert problem.startswith(f"{path}:2: value: implausible value {high + 0.01:g} of x in 2024: more than 10 standard deviations")
    assert f"the other 97 municipalities' values 1 to 1.6 (allowed {1.0 - 10 * sd:.6g} to {high:.6g})" in problem
    assert rows(engine, "select value from structural_indicators where municipality_code = 147") == [(high - 0.01,)]


def test_a_lonely_real_extreme_is_kept_and_few_values_are_not_judged(engine, write_csv, tmp_path, municipality_codes):
    # Population density: Frederiksberg (147) far above all, Copenhagen (101) next.
    values = {code: 20.0 + 5 * (k % 40) for k, code in enumerate(municipality_codes)}
    values[101], values[147] = 7000.0, 12000.0
    assert loading.load_path(engine, indicator_file(write_csv, tmp_path, values, "density")) == {
        "structural_indicators": len(municipality_codes)
    }
    few = {code: 1.0 for code in municipality_codes[:10]}
    few[municipality_codes[10]] = 1e9  # ten other values, all equal: not judged
    assert loading.load_path(engine, indicator_file(write_csv, tmp_path, few, "few")) == {"structural_indicators": 11}


def test_amount_and_rate_plausibility_bounds(engine, write_csv, tmp_path):
    exp = write_csv(
        "expenditure.csv",
        "municipality_code,year,function_code,kind,amount_dkk",
        "101,2024,5.28.22,actual,100000000000",
        "101,2024,5.28.21,actual,-100000000000.01",
        folder=tmp_path / "e",
    )
    assert problems_of(engine, exp) == [
        f"{exp}:3: amount_dkk: implausible value '-100000000000.01': must not exceed 100000000000 in absolute value (a plausibility bound)"
    ]
    rates = write_csv(
        "rates.csv",
        "intervention_code,support_level,valid_from,daily_rate_dkk",
        "SEL85,1,2025-01-01,1000000",
        "SEL85,2,2025-01-01,1000000.01",
        folder=tmp_path / "r",
    )
    assert problems_of(engine, rates) == [
        f"{rates}:3: daily_rate_dkk: implausible value '1000000.01': must not exceed 1000000 in absolute value (a plausibility bound)"
    ]


# ---------------------------------------------------------------- chunks and large loads


def test_chunked_reading_gives_the_same_rows_and_problems(engine, write_csv):
    lines = [f"101,2024,{age},{age * 10}" for age in range(7)] + ["101,2024,3,5", "101,2024,9,x"]
    path = write_csv("population.csv", "municipality_code,year,age,persons", *lines)
    expected = [
        f"{path}:9: municipality_code,year,age: duplicate key (municipality_code=101, year=2024, age=3), first on line 5",
        f"{path}:10: persons: not a whole number: 'x'",
    ]
    assert problems_of(engine, path, chunk_rows=2) == expected
    assert problems_of(engine, path) == expected
    path = write_csv("population.csv", "municipality_code,year,age,persons", *lines[:7])
    assert loading.load_path(engine, path, chunk_rows=3) == {"population": 7}
    assert rows(engine, "select sum(persons) from population") == [(sum(age * 10 for age in range(7)),)]


N_LARGE = 300_000  # more than two DuckDB row groups of 122,880 rows


def test_upsert_of_300000_rows_reloads_and_corrects(engine):
    frame = pd.DataFrame({"provider_id": [f"P{k:06d}" for k in range(N_LARGE)], "provider_name": ["Bo"] * N_LARGE})
    for _ in range(2):  # a re-load of the same rows changes nothing
        with engine.begin() as conn:
            assert warehouse.upsert_frame(conn, "providers", frame, ["provider_id"]) == N_LARGE
    assert rows(engine, "select count(*), count(distinct provider_id), min(provider_name) from providers") == [
        (N_LARGE, N_LARGE, "Bo")
    ]
    corrected = frame.iloc[::3].assign(provider_name="Ny")  # every third row, and one new
    corrected = pd.concat([corrected, pd.DataFrame({"provider_id": ["Q1"], "provider_name": ["Ny"]})])
    with engine.begin() as conn:
        warehouse.upsert_frame(conn, "providers", corrected, ["provider_id"])
    assert rows(engine, "select provider_name, count(*) from providers group by provider_name order by 1") == [
        ("Bo", N_LARGE - (N_LARGE + 2) // 3),
        ("Ny", (N_LARGE + 2) // 3 + 1),
    ]


def test_reloading_a_grants_file_beyond_a_duckdb_row_group(engine, write_csv, tmp_path):
    n = 122_880 + 1
    folder = tmp_path / "many"
    write_csv("providers.csv", "provider_id,provider_name", "P1,Bo", folder=folder)
    write_csv(
        "grants.csv", GRANTS_HEADER, *(f"G{k},C-{k},101,P1,SEL85,2025-01-01,," for k in range(n)), folder=folder
    )
    assert loading.load_path(engine, folder) == {"providers": 1, "grants": n}
    assert loading.load_path(engine, folder) == {"providers": 1, "grants": n}
    assert rows(engine, "select count(*), count(distinct grant_id), min(start_date) from grants") == [
        (n, n, dt.date(2025, 1, 1))
    ]
    path = write_csv("grants.csv", GRANTS_HEADER, "G7,C-7,101,P1,SEL85,2025-02-01,,", folder=tmp_path / "fix")
    loading.load_path(engine, path)
    assert rows(engine, "select count(*) from grants where start_date = '2025-02-01'") == [(1,)]
    assert count(engine, "grants") == n


def test_text_that_copy_could_misread_is_stored_as_written(engine, tmp_path):
    # A carriage return inside a quoted field, a text `\N` (COPY's NULL), quotes and commas.
    path = tmp_path / "providers.csv"
    path.write_bytes(b'provider_id,provider_name\nP1,"a\rb"\nP2,\\N\nP3,"say ""hi"", then"\n')
    assert loading.load_path(engine, path) == {"providers": 3}
    assert rows(engine, "select provider_id, provider_name from providers order by provider_id") == [
        ("P1", "a\rb"), ("P2", "\\N"), ("P3", 'say "hi", then'),
    ]


@pytest.mark.parametrize(
    "cell,message",
    [("1_000", "not a number: '1_000'"), ("\u0661\u0660\u0660", "not a number: '\u0661\u0660\u0660'"),
     ("Infinity", "not a number: 'Infinity'"), ("NaN", "not a number: 'NaN'")],
)
def test_numbers_are_ascii_digits_only(engine, write_csv, cell, message):
    path = write_csv("price_index.csv", "year,index_value", f"2024,{cell}")
    assert problems_of(engine, path) == [f"{path}:2: index_value: {message}"]
    path = write_csv("price_index.csv", "year,index_value", "\u0662\u0660\u0662\u0664,100")
    assert problems_of(engine, path) == [f"{path}:2: year: not a whole number: '\u0662\u0660\u0662\u0664'"]
