"""The year-end forecast as its readers get it: the one query over fc_forecast.

Used by `socialbench forecast` (a table in Danish kroner, or --json) and by the REST
endpoint `GET /api/v1/socialbench/forecast` (superset_plugins/api.py), so both read the
same rows and give the same JSON. The table is written by `socialbench.forecast.store`;
its columns are declared in sql/tables/fc_forecast.yml.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

# fc_forecast's columns in DDL order (sql/schema/012_forecast.sql).
COLUMNS = (
    "municipality_code",
    "year",
    "intervention_code",
    "as_of",
    "budget_dkk",
    "planned_full_year_citizens",
    "planned_unit_cost_dkk",
    "actual_to_date_dkk",
    "committed_dkk",
    "expected_new_dkk",
    "forecast_dkk",
    "deviation_dkk",
    "forecast_full_year_citizens",
    "forecast_unit_cost_dkk",
    "price_deviation_dkk",
    "quantity_deviation_dkk",
)
# Added from the municipality reference table (empty should a code have no name).
NAME = "municipality_name"


def forecast_rows(
    conn: Connection,
    municipality_code: int | None = None,
    year: int | None = None,
    municipality_codes: Collection[int] | None = None,
) -> list[dict]:
    """The rows of fc_forecast with the municipality's name, ordered by municipality, year
    and intervention; amounts as Decimal (exact øre), as_of as a date.

    `municipality_code`, `year`: only that municipality, that year. `municipality_codes`:
    only these municipalities (a user's row-level security; an empty collection gives no
    row); both may be given, and a row must then satisfy both.
    """
    where, params = [], {}
    if municipality_code is not None:
        where.append("f.municipality_code = :municipality_code")
        params["municipality_code"] = int(municipality_code)
    if year is not None:
        where.append("f.year = :year")
        params["year"] = int(year)
    if municipality_codes is not None:
        codes = sorted({int(c) for c in municipality_codes})
        if not codes:
            return []
        where.append("f.municipality_code in :municipality_codes")
        params["municipality_codes"] = codes
    sql = (
        f"select {', '.join('f.' + c for c in COLUMNS)}, m.municipality_name as {NAME} "
        "from fc_forecast f left join municipality m on m.municipality_code = f.municipality_code"
        + (" where " + " and ".join(where) if where else "")
        + " order by f.municipality_code, f.year, f.intervention_code"
    )
    query = sa.text(sql)
    if "municipality_codes" in params:
        query = query.bindparams(sa.bindparam("municipality_codes", expanding=True))
    return [_normalised(dict(row._mapping)) for row in conn.execute(query, params)]


def _normalised(row: dict) -> dict:
    """The same Python types from either engine: whole numbers as int, dates as date."""
    for column in ("municipality_code", "year"):
        row[column] = int(row[column])
    if isinstance(row["as_of"], dt.datetime):
        row["as_of"] = row["as_of"].date()
    if row["forecast_full_year_citizens"] is not None:
        row["forecast_full_year_citizens"] = float(row["forecast_full_year_citizens"])
    return row


def json_value(value):
    """A value of a row as JSON: a Decimal as its exact decimal text ('1234567.89', never an
    exponent), a date as ISO text, None as null; numbers and text as they are."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def json_rows(rows: list[dict]) -> list[dict]:
    """forecast_rows as JSON objects (what `socialbench forecast --json` prints and the REST
    endpoint returns)."""
    return [{key: json_value(value) for key, value in row.items()} for row in rows]
