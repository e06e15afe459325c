"""The declarations of the loadable input tables (sql/tables/<table>.yml) agree with the
warehouse, the loader and the marshmallow schemas, and their data tests hold and bite.

The warehouse is inspected live on both engines: the declared key is the DDL's primary
key, every declared column exists with a compatible type and nullability, in DDL order.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from socialbench.forecast import tiers

from socialbench import cli, demo_data, loading, schema, schemas
from socialbench.errors import InputError
from tests.socialbench.examples import ROWS
from tests.sql import dbt_tests

INPUT_TABLES = list(loading.TABLES)
DOCS = schema.docs("tables")

# The SQLAlchemy type a declared SQL type reflects as (duckdb_engine reflects DOUBLE as
# FLOAT, so float8 is only "a float" here; test_schemas_match_ddl checks the exact type).
REFLECTED = {"integer": sa.Integer, "varchar": sa.String, "date": sa.Date, "float8": sa.Float, "boolean": sa.Boolean}


def declared_key(doc: dict) -> list[str]:
    keys = [t["unique_combination"] for t in doc.get("tests", []) if isinstance(t, dict) and "unique_combination" in t]
    assert len(keys) == 1, f"{doc['name']}: expected exactly one unique_combination (the key), found {keys}"
    return list(keys[0])


def relationships(doc: dict) -> list[tuple[str, str, str]]:
    """(column, parent table, parent column) of every declared relationship."""
    return [
        (col["name"], t["relationships"]["to"], t["relationships"]["field"])
        for col in doc["columns"]
        for t in col.get("tests", [])
        if isinstance(t, dict) and "relationships" in t
    ]


def primary_key(conn, table: str) -> list[str]:
    found = sa.inspect(conn).get_pk_constraint(table)["constrained_columns"]
    if not found and conn.dialect.name == "duckdb":
        # duckdb_engine's inspector names the constraint but lists no columns.
        found = conn.execute(
            sa.text(
                "select constraint_column_names from duckdb_constraints() where constraint_type = 'PRIMARY KEY'"
                " and table_name = :t and database_name = current_database() and schema_name = current_schema()"
            ),
            {"t": table},
        ).scalar_one()
    return list(found)


def compatible(declared: str, reflected) -> bool:
    numeric = re.fullmatch(r"numeric\((\d+),\s*(\d+)\)", declared)
    if numeric:
        return (
            isinstance(reflected, sa.Numeric)
            and not isinstance(reflected, sa.Float)
            and (reflected.precision, reflected.scale) == (int(numeric.group(1)), int(numeric.group(2)))
        )
    return isinstance(reflected, REFLECTED[declared])


def test_the_loadable_tables_are_the_declared_ones_and_have_a_schema():
    declared = {name for name, doc in DOCS.items() if doc.get("meta", {}).get("loadable")}
    assert declared == set(INPUT_TABLES) == set(schemas.SCHEMAS) == {
        "providers", "grants", "assessments", "rates", "population", "expenditure", "full_year_citizens",
        "price_index", "structural_indicators", "cases", "investigations", "caseworkers", "housing_places",
        "budget_plan", "refusion_tiers",
    }


@pytest.mark.parametrize("table", INPUT_TABLES)
def test_declaration_agrees_with_the_loader_and_the_marshmallow_schema(table):
    doc = DOCS[table]
    columns = [c["name"] for c in doc["columns"]]
    assert columns == list(schemas.SCHEMAS[table]().fields)
    assert columns == list(loading.TABLES[table].columns)
    assert declared_key(doc) == list(loading.TABLES[table].key)
    assert doc["label"].strip() and doc["description"].strip()
    for col in doc["columns"]:
        assert col["label"].strip() and col["description"].strip(), f"{table}.{col['name']}"
        assert col["type"] in REFLECTED or re.fullmatch(r"numeric\(\d+,\s*\d+\)", col["type"]), col


@pytest.mark.parametrize("table", INPUT_TABLES)
def test_declared_key_columns_and_types_are_the_ddls(engine, table):
    doc = DOCS[table]
    with engine.connect() as conn:
        key = primary_key(conn, table)
        reflected = sa.inspect(conn).get_columns(table)
    assert declared_key(doc) == key
    assert [c["name"] for c in doc["columns"]] == [c["name"] for c in reflected]
    for col, live in zip(doc["columns"], reflected):
        assert compatible(col["type"], live["type"]), f"{table}.{col['name']}: {col['type']} vs {live['type']!r}"
        not_null = "not_null" in col.get("tests", [])
        assert not_null == (not live["nullable"]) or col["name"] in key, f"{table}.{col['name']}: nullability"
        if col["name"] in key:
            assert not_null, f"{table}.{col['name']}: a key column is not null"


# ---------------------------------------------------------------- a small hand-made load

RECORDS = ROWS


def batch(records: dict[str, dict]) -> list[loading.Rows]:
    rows = []
    for table, record in records.items():
        validated, problems = loading.validate_records(table, f"{table}.csv", [(2, dict(record))])
        assert problems == [], problems
        rows.append(validated)
    return rows


def test_the_hand_made_load_covers_every_table_and_column():
    assert set(RECORDS) == set(INPUT_TABLES)
    assert all(list(RECORDS[t]) == list(loading.TABLES[t].columns) for t in INPUT_TABLES)


def test_declared_data_tests_hold_on_a_hand_made_load(engine):
    loading.load_batch(engine, batch(RECORDS), source="test")
    with engine.connect() as conn:
        for table in INPUT_TABLES:
            seeded = len(tiers.shipped()) if table == "refusion_tiers" else 0  # shipped by init
            assert conn.execute(sa.text(f"select count(*) from {table}")).scalar_one() == 1 + seeded, table
            assert dbt_tests.failing(conn, DOCS[table]) == []


RELATIONSHIPS = [(table, *rel) for table in INPUT_TABLES for rel in relationships(DOCS[table])]


def test_the_declared_relationships_are_the_references_the_loader_checks():
    # Written out by hand from the loader's checks (every municipality_code and
    # intervention_code, function codes, providers of grants, grants of assessments).
    assert sorted(RELATIONSHIPS) == sorted([
        ("assessments", "grant_id", "grants", "grant_id"),
        ("budget_plan", "intervention_code", "intervention", "intervention_code"),
        ("budget_plan", "municipality_code", "municipality", "municipality_code"),
        ("rates", "provider_id", "providers", "provider_id"),
        ("cases", "caseworker_id", "caseworkers", "caseworker_id"),
        ("cases", "municipality_code", "municipality", "municipality_code"),
        ("cases", "source", "case_source", "source_code"),
        ("caseworkers", "municipality_code", "municipality", "municipality_code"),
        ("expenditure", "function_code", "account_function", "function_code"),
        ("expenditure", "municipality_code", "municipality", "municipality_code"),
        ("full_year_citizens", "intervention_code", "intervention", "intervention_code"),
        ("full_year_citizens", "municipality_code", "municipality", "municipality_code"),
        ("grants", "case_id", "cases", "case_id"),
        ("grants", "intervention_code", "intervention", "intervention_code"),
        ("grants", "municipality_code", "municipality", "municipality_code"),
        ("grants", "provider_id", "providers", "provider_id"),
        ("housing_places", "intervention_code", "intervention", "intervention_code"),
        ("housing_places", "provider_id", "providers", "provider_id"),
        ("investigations", "case_id", "cases", "case_id"),
        ("population", "municipality_code", "municipality", "municipality_code"),
        ("providers", "owner_municipality_code", "municipality", "municipality_code"),
        ("rates", "intervention_code", "intervention", "intervention_code"),
        ("structural_indicators", "municipality_code", "municipality", "municipality_code"),
    ])


@pytest.mark.parametrize(("table", "column", "parent", "field"), RELATIONSHIPS)
def test_a_load_breaking_a_declared_relationship_is_refused(engine, table, column, parent, field):
    unknown = "9.99.99" if column == "function_code" else (
        "999" if DOCS[table]["columns"][list(RECORDS[table]).index(column)]["type"] == "integer" else "UKENDT"
    )
    records = {t: dict(r) for t, r in RECORDS.items()}
    records[table][column] = unknown
    with pytest.raises(InputError) as raised:
        loading.load_batch(engine, batch(records), source="test")
    assert [(p.file, p.line, p.column) for p in raised.value.problems] == [(f"{table}.csv", 2, column)]
    with engine.connect() as conn:
        assert conn.execute(sa.text(f"select count(*) from {table}")).scalar_one() == 0


def test_declared_data_tests_find_rows_written_past_the_loader(engine):
    loading.load_batch(engine, batch(RECORDS), source="test")
    with engine.begin() as conn:
        conn.execute(sa.text(
            "insert into grants (grant_id, citizen_key, municipality_code, provider_id, intervention_code, start_date,"
            " end_date, end_reason) values ('G2', 'B-2', 999, 'PX', 'UKENDT', date '2024-02-01', date '2024-01-01', null)"
        ))
        conn.execute(sa.text("insert into assessments values ('G9', date '2024-01-01', 5)"))
        conn.execute(sa.text("insert into expenditure values (101, 2024, '9.99.99', 'forecast', 1)"))
    with engine.connect() as conn:
        found = sorted(dbt_tests.failing(conn, DOCS["grants"]) + dbt_tests.failing(conn, DOCS["assessments"])
                       + dbt_tests.failing(conn, DOCS["expenditure"]))
    assert found == sorted([
        "grants: relationships(municipality_code) fails on 1 row(s)",
        "grants: relationships(provider_id) fails on 1 row(s)",
        "grants: relationships(intervention_code) fails on 1 row(s)",
        "grants: expression_is_true(end_date is null or end_date >= start_date) fails on 1 row(s)",
        "assessments: relationships(grant_id) fails on 1 row(s)",
        "assessments: accepted_values(support_level) fails on 1 row(s)",
        "expenditure: relationships(function_code) fails on 1 row(s)",
        "expenditure: accepted_values(kind) fails on 1 row(s)",
    ])


def test_declared_data_tests_hold_on_the_demo_data(engine):
    demo_data.load(engine)
    with engine.connect() as conn:
        for table in INPUT_TABLES:
            assert conn.execute(sa.text(f"select count(*) from {table}")).scalar_one() > 0, table
            assert dbt_tests.failing(conn, DOCS[table]) == []


# ---------------------------------------------------------------- the loader reads the declarations


def test_load_help_lists_every_declared_file_with_its_columns_and_key(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["load", "--help"])
    assert done.value.code == 0
    listed = [line.strip() for line in capsys.readouterr().out.splitlines() if line.startswith("  ") and ".csv:" in line]
    expected = []
    for name in INPUT_TABLES:
        doc = DOCS[name]
        columns = ", ".join(c["name"] for c in doc["columns"])
        expected.append(f"{name}.csv: {columns}; key {', '.join(declared_key(doc))}")
    assert sorted(listed) == sorted(expected)
    assert "population.csv: municipality_code, year, age, persons; key municipality_code, year, age" in listed


def test_the_load_order_puts_a_table_after_the_tables_it_refers_to():
    order = list(loading.TABLES)
    assert order.index("providers") < order.index("grants") < order.index("assessments")
    for table, column, parent, _ in RELATIONSHIPS:
        if parent in loading.TABLES:
            assert order.index(parent) < order.index(table), (table, column)


def test_a_misspelt_file_beside_good_files_is_refused_with_the_closest_name(engine, write_csv, tmp_path):
    folder = tmp_path / "input"
    write_csv("providers.csv", "provider_id,provider_name", "P1,Bo og Liv", folder=folder)
    write_csv("populaton.csv", "municipality_code,year,age,persons", "101,2024,0,7105", folder=folder)
    write_csv("notes.csv", "a,b", "1,2", folder=folder)
    (folder / "README.txt").write_text("not a CSV file: not looked at\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        loading.load_path(engine, folder)
    problems = sorted(raised.value.problems, key=lambda p: p.file)
    assert [(p.file, p.line, p.column) for p in problems] == [
        (str(folder / "notes.csv"), None, None), (str(folder / "populaton.csv"), None, None),
    ]
    assert problems[1].message.startswith("unknown file name: did you mean population.csv? (expected one of ")
    assert problems[0].message.startswith("unknown file name: expected one of ")
    for name in INPUT_TABLES:
        assert f"{name}.csv" in problems[0].message and f"{name}.csv" in problems[1].message
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from providers")).scalar_one() == 0


def test_a_directory_holding_only_a_misspelt_file_names_it(engine, write_csv, tmp_path):
    folder = tmp_path / "input"
    write_csv("grant.csv", "grant_id", "G1", folder=folder)
    with pytest.raises(InputError) as raised:
        loading.load_path(engine, folder)
    assert [str(p) for p in raised.value.problems] == [
        f"{folder / 'grant.csv'}: unknown file name: did you mean grants.csv? (expected one of providers.csv, "
        "caseworkers.csv, cases.csv, grants.csv, assessments.csv, budget_plan.csv, expenditure.csv, "
        "full_year_citizens.csv, housing_places.csv, investigations.csv, population.csv, price_index.csv, rates.csv, "
        "refusion_tiers.csv, structural_indicators.csv)"
    ]
