"""Loaders: good files, every kind of bad input, re-load, correction; on both engines."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from socialbench import loading
from socialbench.errors import InputError
from tests.socialbench.load_problems import problems_of


def rows(engine, sql):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql)).fetchall()]


def grants_folder(write_csv, tmp_path):
    folder = tmp_path / "grants_input"
    write_csv("providers.csv", "provider_id,provider_name", "P1,Bo og Liv ApS", "P2,Støttecentret", folder=folder)
    write_csv(
        "grants.csv",
        "grant_id,citizen_key,municipality_code,provider_id,intervention_code,start_date,end_date,end_reason",
        "G1,C-001,101,P1,SEL85,2025-01-01,,",
        "G2,C-002,147,P2,SEL108,2024-06-01,2025-05-31,goal_achieved",
        folder=folder,
    )
    write_csv(
        "assessments.csv",
        "grant_id,assessed_on,support_level",
        "G1,2025-01-01,3",
        "G1,2025-02-01,2",
        "G2,2024-06-01,4",
        folder=folder,
    )
    write_csv(
        "rates.csv",
        "intervention_code,support_level,valid_from,daily_rate_dkk",
        "SEL85,3,2025-01-01,1000.00",
        "SEL85,2,2025-01-01,600",
        folder=folder,
    )
    return folder


def test_load_directory_in_dependency_order(engine, write_csv, tmp_path):
    counts = loading.load_path(engine, grants_folder(write_csv, tmp_path))
    assert counts == {"providers": 2, "grants": 2, "assessments": 3, "rates": 2}
    assert rows(engine, "select grant_id, end_date, end_reason from grants order by grant_id") == [
        ("G1", None, None),
        ("G2", __import__("datetime").date(2025, 5, 31), "goal_achieved"),
    ]
    assert rows(engine, "select daily_rate_dkk from rates order by support_level") == [(Decimal("600.00"),), (Decimal("1000.00"),)]


def test_each_table_loads_exact_values(engine, write_csv):
    loading.load_path(engine, write_csv("population.csv", "municipality_code,year,age,persons", "101,2024,0,7105", "101,2024,1,6890"))
    loading.load_path(
        engine,
        write_csv(
            "expenditure.csv",
            "municipality_code,year,function_code,kind,amount_dkk",
            "101,2024,5.28.22,actual,123456789.55",
            "101,2024,5.28.22,budget,-12.30",
        ),
    )
    loading.load_path(engine, write_csv("full_year_citizens.csv", "municipality_code,year,intervention_code,full_year_citizens", "101,2024,SEL108,412.25"))
    loading.load_path(engine, write_csv("price_index.csv", "year,index_value", "2024,100", "2023,97.3"))
    loading.load_path(engine, write_csv("structural_indicators.csv", "municipality_code,year,indicator,value", "101,2024,socioeconomic_index,1.0712"))
    assert rows(engine, "select sum(persons) from population") == [(7105 + 6890,)]
    assert rows(engine, "select kind, amount_dkk from expenditure order by kind") == [
        ("actual", Decimal("123456789.55")),
        ("budget", Decimal("-12.30")),
    ]
    assert rows(engine, "select full_year_citizens from full_year_citizens") == [(Decimal("412.2500"),)]
    assert rows(engine, "select year, index_value from price_index order by year") == [
        (2023, Decimal("97.300000")),
        (2024, Decimal("100.000000")),
    ]
    assert rows(engine, "select value from structural_indicators") == [(1.0712,)]


def test_reload_changes_nothing_and_correction_replaces_by_key(engine, write_csv):
    path = write_csv("price_index.csv", "year,index_value", "2023,97.3", "2024,100")
    loading.load_path(engine, path)
    loading.load_path(engine, path)
    assert rows(engine, "select count(*) from price_index") == [(2,)]
    loading.load_path(engine, write_csv("price_index.csv", "year,index_value", "2024,101.5"))
    assert rows(engine, "select year, index_value from price_index order by year") == [
        (2023, Decimal("97.300000")),  # not in the corrected file: kept
        (2024, Decimal("101.500000")),
    ]


def test_bad_rows_report_file_line_and_column_and_write_nothing(engine, write_csv):
    loading.load_path(engine, write_csv("population.csv", "municipality_code,year,age,persons", "101,2023,0,10"))
    path = write_csv(
        "population.csv",
        "municipality_code,year,age,persons",
        "101,2024,0,7105",
        "999,2024,1,10",
        "101,2024,2,-5",
        "101,2024,3,ten",
        "101,2024,0,7000",
        "101,2024,4",
    )
    assert problems_of(engine, path) == [
        f"{path}:3: municipality_code: unknown municipality code 999",
        f"{path}:4: persons: must not be negative",
        f"{path}:5: persons: not a whole number: 'ten'",
        f"{path}:6: municipality_code,year,age: duplicate key (municipality_code=101, year=2024, age=0), first on line 2",
        f"{path}:7: 3 fields, expected 4",
    ]
    # Nothing written, nothing lost.
    assert rows(engine, "select year, persons from population") == [(2023, 10)]


def test_missing_and_extra_columns(engine, write_csv):
    path = write_csv("price_index.csv", "year,value,comment", "2024,100,x")
    assert problems_of(engine, path) == [
        f"{path}:1: index_value: missing column",
        f"{path}:1: value: unexpected column",
        f"{path}:1: comment: unexpected column",
    ]


def test_unknown_codes_and_bad_values(engine, write_csv):
    exp = write_csv(
        "expenditure.csv",
        "municipality_code,year,function_code,kind,amount_dkk",
        "101,2024,5.22.01,actual,100",
        "101,2024,5.28.22,forecast,100",
        "101,2024,5.28.22,actual,1.005",
        "101,2024,5.28.21,actual,",
    )
    assert problems_of(engine, exp) == [
        f"{exp}:2: function_code: unknown function code '5.22.01' (only 5.28.xx and 5.38.xx functions are known)",
        f"{exp}:3: kind: must be actual or budget",
        f"{exp}:4: amount_dkk: more than 2 decimals: '1.005'",
        f"{exp}:5: amount_dkk: missing value",
    ]
    fyc = write_csv("full_year_citizens.csv", "municipality_code,year,intervention_code,full_year_citizens", "101,2024,SEL999,3", "101,2024,SEL108,-1")
    assert problems_of(engine, fyc) == [
        f"{fyc}:2: intervention_code: unknown intervention code 'SEL999'",
        f"{fyc}:3: full_year_citizens: must not be below 0: '-1'",
    ]


def test_grant_rules(engine, write_csv, tmp_path):
    loading.load_path(engine, grants_folder(write_csv, tmp_path))
    bad = tmp_path / "bad"
    grants = write_csv(
        "grants.csv",
        "grant_id,citizen_key,municipality_code,provider_id,intervention_code,start_date,end_date,end_reason",
        "G3,010190-1234,101,P1,SEL85,2025-01-01,,",
        "G4,0101901234,101,P1,SEL85,2025-01-01,,",
        "G5,C-005,101,P9,SEL85,2025-01-01,,",
        "G6,C-006,101,P1,SEL85,2025-03-01,2025-02-01,moved",
        "G7,C-007,101,P1,SEL85,2025-02-30,,",
        folder=bad,
    )
    assessments = write_csv(
        "assessments.csv",
        "grant_id,assessed_on,support_level",
        "G1,2024-12-31,3",
        "G2,2025-06-01,3",
        "G9,2025-01-01,2",
        "G1,2025-03-01,5",
        folder=bad,
    )
    assert problems_of(engine, bad) == [
        f"{assessments}:2: assessed_on: assessment on 2024-12-31 is outside its grant's dates 2025-01-01 to open",
        f"{assessments}:3: assessed_on: assessment on 2025-06-01 is outside its grant's dates 2024-06-01 to 2025-05-31",
        f"{assessments}:4: grant_id: unknown grant 'G9'",
        f"{assessments}:5: support_level: support level must be 0-4",
        f"{grants}:2: citizen_key: looks like a CPR number: use a pseudonym, never a CPR number",
        f"{grants}:3: citizen_key: looks like a CPR number: use a pseudonym, never a CPR number",
        f"{grants}:4: provider_id: unknown provider 'P9': load it in providers.csv",
        f"{grants}:5: end_date: end_date 2025-02-01 is before start_date 2025-03-01",
        f"{grants}:6: start_date: not a date YYYY-MM-DD",
    ]
    assert rows(engine, "select count(*) from grants") == [(2,)]
    assert rows(engine, "select count(*) from assessments") == [(3,)]


def test_a_bad_file_in_a_directory_writes_none_of_the_others(engine, write_csv, tmp_path):
    folder = grants_folder(write_csv, tmp_path)
    write_csv("rates.csv", "intervention_code,support_level,valid_from,daily_rate_dkk", "SEL85,1,2025-01-01,-3", folder=folder)
    problems = problems_of(engine, folder)
    assert problems == [f"{folder / 'rates.csv'}:2: daily_rate_dkk: must not be below 0: '-3'"]
    for table in ("providers", "grants", "assessments", "rates"):
        assert rows(engine, f"select count(*) from {table}") == [(0,)]


def test_not_utf8_and_unknown_file_names(engine, tmp_path):
    path = tmp_path / "providers.csv"
    path.write_bytes("provider_id,provider_name\nP1,Bo og Liv\nP2,Støtte\n".encode("latin-1"))
    assert problems_of(engine, path) == [f"{path}:3: not UTF-8 text"]
    other = tmp_path / "people.csv"
    other.write_text("a,b\n", encoding="utf-8")
    assert problems_of(engine, other)[0].startswith(f"{other}: unknown file name")


def test_byte_order_mark_is_accepted(engine, tmp_path):
    path = tmp_path / "providers.csv"
    path.write_bytes("\ufeffprovider_id,provider_name\nP1,Bo og Liv\n".encode("utf-8"))
    assert loading.load_path(engine, path) == {"providers": 1}


def test_problems_are_capped_in_the_message(engine, write_csv):
    lines = [f"101,2024,{age},-1" for age in range(80)]
    path = write_csv("population.csv", "municipality_code,year,age,persons", *lines)
    with pytest.raises(InputError) as info:
        loading.load_path(engine, path)
    assert len(info.value.problems) == 80
    assert str(info.value).splitlines()[-1] == "... and 30 more problems"


def test_loads_record_their_source(engine, write_csv):
    path = write_csv("price_index.csv", "year,index_value", "2024,100")
    loading.load_path(engine, path)
    assert rows(engine, "select table_name, source, synthetic from data_source") == [("price_index", str(path), False)]


def test_open_ended_grants_written_as_9999_12_31_load(engine, write_csv, tmp_path):
    folder = tmp_path / "far"
    write_csv("providers.csv", "provider_id,provider_name", "P1,Bo og Liv ApS", folder=folder)
    write_csv(
        "grants.csv",
        "grant_id,citizen_key,municipality_code,provider_id,intervention_code,start_date,end_date,end_reason",
        "G1,C-001,101,P1,SEL85,2025-01-01,9999-12-31,",
        folder=folder,
    )
    write_csv("assessments.csv", "grant_id,assessed_on,support_level", "G1,2025-01-01,3", "G1,2024-12-31,2", folder=folder)
    assert problems_of(engine, folder) == [
        f"{folder / 'assessments.csv'}:3: assessed_on: assessment on 2024-12-31 is outside its grant's dates 2025-01-01 to 9999-12-31"
    ]
    write_csv("assessments.csv", "grant_id,assessed_on,support_level", "G1,2025-01-01,3", folder=folder)
    assert loading.load_path(engine, folder) == {"providers": 1, "grants": 1, "assessments": 1}
