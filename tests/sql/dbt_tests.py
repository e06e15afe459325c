"""A small runner for the dbt-style data tests written in sql/views/*.yml.

Each test becomes one query that counts the rows breaking it (0 = the test passes),
as dbt compiles its generic tests. Supported, in dbt's vocabulary:

column tests: not_null, unique, accepted_values: {values: [...]},
  relationships: {to: TABLE, field: COLUMN} (ours: same: [COLUMNS] for columns the parent shares),
  expression_is_true: {expression: "> 0"}
  (the expression is appended to the column name, as in dbt_utils)
model tests: unique_combination: [COLUMNS], expression_is_true: {expression: "..."}
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa


@dataclass(frozen=True)
class DataTest:
    model: str
    name: str
    sql: str  # counts the failing rows

    def failures(self, conn) -> int:
        return conn.execute(sa.text(self.sql)).scalar_one()


def _literal(value) -> str:
    if isinstance(value, bool) or value is None:
        raise ValueError(f"accepted_values: use numbers or strings, not {value!r}")
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _split(test) -> tuple[str, object]:
    if isinstance(test, str):
        return test, None
    [(kind, arg)] = test.items()
    return kind, arg


def column_test(model: str, column: str, test) -> DataTest:
    kind, arg = _split(test)
    if kind == "not_null":
        sql = f"select count(*) from {model} where {column} is null"
    elif kind == "unique":
        sql = (
            f"select count(*) from (select {column} from {model} where {column} is not null"
            f" group by {column} having count(*) > 1) as duplicates"
        )
    elif kind == "accepted_values":
        values = ", ".join(_literal(v) for v in arg["values"])
        sql = f"select count(*) from {model} where {column} is not null and {column} not in ({values})"
    elif kind == "relationships":
        # `same: [columns]` (ours): the parent row also has the child's values in those columns.
        same = "".join(f" and parent.{c} = child.{c}" for c in arg.get("same", ()))
        # `where: <condition>` (dbt's test config `where`): only the child rows it selects.
        where = f" and ({arg['where']})" if arg.get("where") else ""
        sql = (
            f"select count(*) from {model} as child where child.{column} is not null{where} and not exists"
            f" (select 1 from {arg['to']} as parent where parent.{arg['field']} = child.{column}{same})"
        )
    elif kind == "expression_is_true":
        sql = f"select count(*) from {model} where not ({column} {arg['expression']})"
    else:
        raise ValueError(f"{model}.{column}: unknown test {kind!r}")
    return DataTest(model, f"{kind}({column})", sql)


def model_test(model: str, test) -> DataTest:
    kind, arg = _split(test)
    if kind == "unique_combination":
        cols = ", ".join(arg)
        sql = (
            f"select count(*) from (select {cols} from {model}"
            f" group by {cols} having count(*) > 1) as duplicates"
        )
        return DataTest(model, f"unique_combination({cols})", sql)
    if kind == "expression_is_true":
        return DataTest(model, f"expression_is_true({arg['expression']})",
                        f"select count(*) from {model} where not ({arg['expression']})")
    raise ValueError(f"{model}: unknown model test {kind!r}")


def data_tests(doc: dict) -> list[DataTest]:
    """Every data test of one YAML doc, column tests first."""
    model = doc["name"]
    found = [column_test(model, col["name"], t) for col in doc.get("columns", []) for t in col.get("tests", [])]
    return found + [model_test(model, t) for t in doc.get("tests", [])]


def failing(conn, doc: dict) -> list[str]:
    """Names of the tests of `doc` that fail, with the number of failing rows."""
    out = []
    for test in data_tests(doc):
        count = test.failures(conn)
        if count:
            out.append(f"{test.model}: {test.name} fails on {count} row(s)")
    return out
