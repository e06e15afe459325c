"""An input table declared only in sql/tables/<table>.yml still gets a full schema: each
column's SQL type, not_null and accepted_values become its field (socialbench.schemas)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from marshmallow import ValidationError

from socialbench import schemas
from socialbench.schema import docs
from tests.socialbench.examples import ROWS

LOADABLE = {name: doc for name, doc in docs("tables").items() if (doc.get("meta") or {}).get("loadable")}

VALID = ROWS  # one valid row of each table, as CSV text


def test_every_loadable_table_has_a_schema_and_a_valid_example():
    assert sorted(schemas.SCHEMAS) == sorted(LOADABLE) == sorted(VALID)


@pytest.mark.parametrize("table", sorted(VALID))
def test_the_declared_schema_reads_a_valid_row_as_the_hand_written_one_does(table):
    declared = schemas.schema_from_doc(LOADABLE[table])()
    assert list(declared.fields) == list(schemas.SCHEMAS[table]().fields)
    assert declared.load(VALID[table]) == schemas.SCHEMAS[table]().load(VALID[table])


@pytest.mark.parametrize("table", sorted(VALID))
def test_the_declared_schema_requires_what_is_not_null_and_keeps_each_type_in_range(table):
    declared = schemas.schema_from_doc(LOADABLE[table])()
    for column in LOADABLE[table]["columns"]:
        if "not_null" in (column.get("tests") or []):
            with pytest.raises(ValidationError) as caught:
                declared.load({**VALID[table], column["name"]: None})
            assert column["name"] in caught.value.messages
        if column["type"] == "integer":
            with pytest.raises(ValidationError, match=r"out of range: 2147483648 \(must be -2147483648 to 2147483647, integer\)"):
                declared.load({**VALID[table], column["name"]: "2147483648"})


def test_accepted_values_and_numeric_precision_come_from_the_declaration():
    declared = schemas.schema_from_doc(LOADABLE["expenditure"])()
    with pytest.raises(ValidationError, match="must be one of actual, budget"):
        declared.load({**VALID["expenditure"], "kind": "forecast"})
    with pytest.raises(ValidationError, match="more than 2 decimals"):
        declared.load({**VALID["expenditure"], "amount_dkk": "1.005"})
    assert declared.load(VALID["expenditure"])["amount_dkk"] == Decimal("-12.50")


def test_a_new_table_declared_only_in_yml_gets_its_fields():
    doc = {
        "name": "caseworkers",
        "columns": [
            {"name": "caseworker_id", "type": "varchar", "tests": ["not_null"]},
            {"name": "fte", "type": "numeric(4,3)", "tests": ["not_null"]},
            {"name": "employed_to", "type": "date"},
        ],
    }
    schema = schemas.schema_from_doc(doc)()
    assert schema.load({"caseworker_id": "K1", "fte": "0.5", "employed_to": None}) == {
        "caseworker_id": "K1", "fte": Decimal("0.5"), "employed_to": None,
    }
    with pytest.raises(ValidationError, match="looks like a CPR number"):
        schema.load({"caseworker_id": "010190-1234", "fte": "1"})
    with pytest.raises(ValidationError, match=r"out of range: '10' \(must be -9.999 to 9.999, numeric\(4,3\)\)"):
        schema.load({"caseworker_id": "K1", "fte": "10"})
