"""Each schema field's declared SQL type is the column's type in the DDL, on both engines,
so that the ranges the loader enforces are the ones the database holds."""
from __future__ import annotations

from decimal import Decimal

import pytest
from marshmallow import fields

from socialbench import loading, schemas, warehouse

# How each engine states a type of sql/schema/001_core.sql.
STATED = {
    "duckdb": {"integer": "INTEGER", "varchar": "VARCHAR", "date": "DATE", "float8": "DOUBLE",
               "numeric": "DECIMAL({p},{s})", "boolean": "BOOLEAN"},
    "postgresql": {"integer": "integer", "varchar": "character varying", "date": "date",
                   "float8": "double precision", "numeric": "numeric({p},{s})", "boolean": "boolean"},
}


def declared(field: fields.Field) -> tuple[str, int | None, int | None]:
    if isinstance(field, schemas.Amount):
        return "numeric", field.sql_type.precision, field.sql_type.scale
    if isinstance(field, schemas.Whole):
        assert field.sql_type == schemas.INTEGER
        return "integer", None, None
    if isinstance(field, schemas.Real):
        return "float8", None, None
    if isinstance(field, schemas.Day):
        return "date", None, None
    if isinstance(field, schemas.Text):
        return "varchar", None, None
    if isinstance(field, schemas.Flag):
        return "boolean", None, None
    raise AssertionError(f"field of no declared SQL type: {field!r}")


@pytest.mark.parametrize("table", list(loading.TABLES))
def test_every_field_has_its_columns_type(engine, table):
    with engine.connect() as conn:
        stated = warehouse.column_types(conn, table)
    expected = {}
    for column, field in schemas.SCHEMAS[table]().fields.items():
        kind, p, s = declared(field)
        expected[column] = STATED[engine.dialect.name][kind].format(p=p, s=s)
    assert stated == expected


def test_the_integer_range_is_four_bytes():
    assert (schemas.INTEGER.lowest, schemas.INTEGER.highest) == (-2_147_483_648, 2_147_483_647)
    assert schemas.NumericType(18, 2).highest == Decimal("9999999999999999.99")
    assert schemas.NumericType(14, 6).highest == Decimal("99999999.999999")
