"""Dialect differences, table-driven as in sqlglot's own tests: for every SQL construct the
views use, the SQL we expect sqlglot to write for each target dialect from our source
(PostgreSQL). The full transpiled views stay in the golden files (test_golden.py); this
table says per construct what differs between engines and why, and a test checks that
it covers every construct found in sql/views/.
"""
from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from socialbench import schema

DIALECTS = ("duckdb", "postgres", "trino", "spark")


def same(sql: str) -> dict[str, str]:
    """The construct is written alike in every dialect."""
    return {dialect: sql for dialect in DIALECTS}


# (construct, source as the views write it, {dialect: expected SQL})
CASES = [
    # Casts: PostgreSQL's DOUBLE PRECISION is DOUBLE elsewhere; NUMERIC is DECIMAL everywhere;
    # INTEGER is INT except in Trino; VARCHAR is TEXT in DuckDB and STRING in Spark.
    ("cast to double", "cast(x as double precision)",
     {"duckdb": "CAST(x AS DOUBLE)", "postgres": "CAST(x AS DOUBLE PRECISION)",
      "trino": "CAST(x AS DOUBLE)", "spark": "CAST(x AS DOUBLE)"}),
    ("cast to money", "cast(x as numeric(18, 2))", same("CAST(x AS DECIMAL(18, 2))")),
    ("cast to full-year citizens", "cast(x as numeric(14, 4))", same("CAST(x AS DECIMAL(14, 4))")),
    ("cast to exact units", "cast(x as numeric(18, 4))", same("CAST(x AS DECIMAL(18, 4))")),
    ("cast to FTE", "cast(x as numeric(10, 3))", same("CAST(x AS DECIMAL(10, 3))")),
    ("cast to bigint", "cast(x as bigint)", same("CAST(x AS BIGINT)")),
    ("cast to integer", "cast(x as integer)",
     {"duckdb": "CAST(x AS INT)", "postgres": "CAST(x AS INT)", "trino": "CAST(x AS INTEGER)", "spark": "CAST(x AS INT)"}),
    ("cast to text", "cast(x as varchar)",
     {"duckdb": "CAST(x AS TEXT)", "postgres": "CAST(x AS VARCHAR)", "trino": "CAST(x AS VARCHAR)",
      "spark": "CAST(x AS STRING)"}),
    ("cast to date", "cast(x as date)", same("CAST(x AS DATE)")),
    ("cast to timestamp", "cast(x as timestamp)", same("CAST(x AS TIMESTAMP)")),
    # Date arithmetic: parts of a date, and days between two dates through an interval.
    ("year of a date", "extract(year from d)", same("EXTRACT(YEAR FROM d)")),
    ("month of a date", "extract(month from d)", same("EXTRACT(MONTH FROM d)")),
    ("days between two dates", "extract(day from (cast(b as timestamp) - cast(a as timestamp)))",
     same("EXTRACT(DAY FROM (CAST(b AS TIMESTAMP) - CAST(a AS TIMESTAMP)))")),
    # Calendar arithmetic: a number of months after a date is the same day of the month, or
    # the month's last day when it has none (2025-10-31 + 4 months = 2026-02-28), in all
    # four engines; PostgreSQL writes the unit inside the string.
    ("months after a date", "cast(d + interval '4 month' as date)",
     {"duckdb": "CAST(d + INTERVAL '4' MONTH AS DATE)", "postgres": "CAST(d + INTERVAL '4 MONTH' AS DATE)",
      "trino": "CAST(d + INTERVAL '4' MONTH AS DATE)", "spark": "CAST(d + INTERVAL '4' MONTH AS DATE)"}),
    ("a month's last day", "cast(d + interval '1 month' - interval '1 day' as date)",
     {"duckdb": "CAST(d + INTERVAL '1' MONTH - INTERVAL '1' DAY AS DATE)",
      "postgres": "CAST(d + INTERVAL '1 MONTH' - INTERVAL '1 DAY' AS DATE)",
      "trino": "CAST(d + INTERVAL '1' MONTH - INTERVAL '1' DAY AS DATE)",
      "spark": "CAST(d + INTERVAL '1' MONTH - INTERVAL '1' DAY AS DATE)"}),
    ("a number of months after a date", "cast(d + n * interval '1 month' as date)",
     {"duckdb": "CAST(d + n * INTERVAL '1' MONTH AS DATE)", "postgres": "CAST(d + n * INTERVAL '1 MONTH' AS DATE)",
      "trino": "CAST(d + n * INTERVAL '1' MONTH AS DATE)", "spark": "CAST(d + n * INTERVAL '1' MONTH AS DATE)"}),
    # Strings: || concatenates in all but Trino, where sqlglot writes CONCAT of VARCHARs.
    ("pad a month number", "lpad(cast(m as varchar), 2, '0')",
     {"duckdb": "LPAD(CAST(m AS TEXT), 2, '0')", "postgres": "LPAD(CAST(m AS VARCHAR), 2, '0')",
      "trino": "LPAD(CAST(m AS VARCHAR), 2, '0')", "spark": "LPAD(CAST(m AS STRING), 2, '0')"}),
    ("concatenate text", "y || '-01'",
     {"duckdb": "y || '-01'", "postgres": "y || '-01'",
      "trino": "CONCAT(CAST(y AS VARCHAR), CAST('-01' AS VARCHAR))", "spark": "y || '-01'"}),
    # NULL handling and conditions.
    ("safe division", "x / nullif(cast(n as double precision), 0)",
     {"duckdb": "x / NULLIF(CAST(n AS DOUBLE), 0)", "postgres": "x / NULLIF(CAST(n AS DOUBLE PRECISION), 0)",
      "trino": "x / NULLIF(CAST(n AS DOUBLE), 0)", "spark": "x / NULLIF(CAST(n AS DOUBLE), 0)"}),
    ("default for a missing value", "coalesce(x, 0)", same("COALESCE(x, 0)")),
    ("condition", "case when x is null then 1 else 0 end", same("CASE WHEN x IS NULL THEN 1 ELSE 0 END")),
    ("simple case", "case a when 'children' then 1 end", same("CASE a WHEN 'children' THEN 1 END")),
    ("range, both ends included", "x between 0 and 22", same("x BETWEEN 0 AND 22")),
    ("absolute value", "abs(x)", same("ABS(x)")),
    # Windows: ascending order puts NULLs last in PostgreSQL, DuckDB and Trino but first in
    # Spark, descending the other way round; sqlglot spells out what the default leaves open.
    ("rank, lowest first", "rank() over (partition by y order by c asc nulls last)",
     {**same("RANK() OVER (PARTITION BY y ORDER BY c ASC)"),
      "spark": "RANK() OVER (PARTITION BY y ORDER BY c ASC NULLS LAST)"}),
    ("row number, latest first", "row_number() over (partition by k order by d desc)",
     {**same("ROW_NUMBER() OVER (PARTITION BY k ORDER BY d DESC NULLS FIRST)"),
      "postgres": "ROW_NUMBER() OVER (PARTITION BY k ORDER BY d DESC)"}),
    ("row number, earliest first", "row_number() over (partition by k order by d asc)",
     {**same("ROW_NUMBER() OVER (PARTITION BY k ORDER BY d ASC)"),
      "spark": "ROW_NUMBER() OVER (PARTITION BY k ORDER BY d ASC NULLS LAST)"}),
    ("the next row's value", "lead(d) over (partition by k order by d asc)",
     {**same("LEAD(d) OVER (PARTITION BY k ORDER BY d ASC)"),
      "spark": "LEAD(d) OVER (PARTITION BY k ORDER BY d ASC NULLS LAST)"}),
    ("running total", "sum(x) over (partition by k order by m rows between unbounded preceding and current row)",
     {**same("SUM(x) OVER (PARTITION BY k ORDER BY m rows BETWEEN UNBOUNDED preceding AND CURRENT ROW)"),
      "spark": "SUM(x) OVER (PARTITION BY k ORDER BY m NULLS LAST rows BETWEEN UNBOUNDED preceding AND CURRENT ROW)"}),
    ("the latest value among the earlier rows",
     "max(d) over (partition by k order by s asc, d asc rows between unbounded preceding and 1 preceding)",
     {**same("MAX(d) OVER (PARTITION BY k ORDER BY s ASC, d ASC rows BETWEEN UNBOUNDED preceding AND 1 preceding)"),
      "spark": "MAX(d) OVER (PARTITION BY k ORDER BY s ASC NULLS LAST, d ASC NULLS LAST rows BETWEEN UNBOUNDED preceding AND 1 preceding)"}),
    # Aggregates and set operations, written alike everywhere.
    ("aggregates", "sum(x) + max(x) + min(x) + count(*)", same("SUM(x) + MAX(x) + MIN(x) + COUNT(*)")),
    ("distinct rows", "select distinct a from t", same("SELECT DISTINCT a FROM t")),
    ("union", "select a from t union select a from u", same("SELECT a FROM t UNION SELECT a FROM u")),
    ("union all", "select 0 as a union all select 1 as a", same("SELECT 0 AS a UNION ALL SELECT 1 AS a")),
    ("cross join", "select a from t cross join u", same("SELECT a FROM t CROSS JOIN u")),
    ("inner join", "select a from t inner join u on u.k = t.k", same("SELECT a FROM t INNER JOIN u ON u.k = t.k")),
    ("left join", "select a from t left join u on u.k = t.k", same("SELECT a FROM t LEFT JOIN u ON u.k = t.k")),
    ("full outer join", "select a from t full outer join u on u.k = t.k",
     same("SELECT a FROM t FULL OUTER JOIN u ON u.k = t.k")),
    ("scalar subquery", "select a from t where x = (select max(y) from u)",
     same("SELECT a FROM t WHERE x = (SELECT MAX(y) FROM u)")),
]


@pytest.mark.parametrize(("construct", "source", "expected"), CASES, ids=[c[0] for c in CASES])
def test_construct_in_each_dialect(construct, source, expected):
    tree = sqlglot.parse_one(source, read="postgres")
    written = {d: tree.sql(dialect=d, unsupported_level=sqlglot.ErrorLevel.RAISE) for d in DIALECTS}
    assert written == expected, construct
    for dialect, sql in expected.items():
        # The expected SQL is what the dialect itself reads back and writes unchanged.
        assert sqlglot.parse_one(sql, read=dialect).sql(dialect=dialect) == sql, f"{construct} in {dialect}"


def constructs(tree: exp.Expression) -> set[str]:
    """The constructs of a statement whose SQL may differ between dialects: casts by target
    type, date parts, functions, window orderings and frames, joins and set operations."""
    found = set()
    for node in tree.walk():
        if isinstance(node, exp.Cast):
            found.add(f"cast to {node.to.sql('postgres').lower()}")
        elif isinstance(node, exp.Interval):
            found.add(f"interval in {node.unit.name.lower()}s")
        elif isinstance(node, exp.Extract):
            found.add(f"extract {node.this.name.lower()}")
        elif isinstance(node, exp.Window):
            found.add(f"window {type(node.this).__name__.lower()}")
            if node.args.get("spec"):
                found.add("window frame")
            for ordered in (node.args.get("order") or exp.Order()).expressions:
                found.add(f"window order {'desc' if ordered.args.get('desc') else 'asc'}")
        elif isinstance(node, exp.Union):
            found.add("union" if node.args.get("distinct") else "union all")
        elif isinstance(node, exp.Join) and node.kind:
            found.add(f"{node.kind.lower()} join")
        elif isinstance(node, exp.Subquery) and not isinstance(node.parent, (exp.From, exp.Join)):
            found.add("subquery")
        elif isinstance(node, (exp.DPipe, exp.Distinct, exp.Between, exp.Case, exp.Sub)):
            found.add(type(node).__name__.lower())
        elif isinstance(node, exp.Func) and not isinstance(node, (exp.Cast, exp.Extract, exp.Connector)):
            found.add(f"function {type(node).__name__.lower()}")
    return found


def test_the_table_covers_every_construct_the_views_use():
    used = {
        construct: view.name
        for view in schema.views()
        for construct in constructs(sqlglot.parse_one(schema.split_statements(view.sql)[0], read="postgres"))
    }
    covered = set().union(*(constructs(sqlglot.parse_one(source, read="postgres")) for _, source, _ in CASES))
    missing = {construct: view for construct, view in used.items() if construct not in covered}
    assert missing == {}, "constructs used in a view (shown with one view using it) without a case in CASES"


def test_the_coverage_check_sees_a_construct_without_a_case():
    tree = sqlglot.parse_one("select cast(x as real) as r, upper(s) as u from t as a", read="postgres")
    assert {"cast to real", "function upper"} <= constructs(tree)
