"""The one writer of the budget follow-up tables: reads the inputs, computes the figures as
of R (`socialbench.forecast.calculation`) and replaces fc_grant_month, fc_forecast,
fc_expensive_cases and fc_month in the caller's transaction, all for the same R.

Called by `socialbench forecast [--as-of]` and by `socialbench refresh` (default R).
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from socialbench import warehouse
from socialbench.forecast.calculation import NEW_WINDOW_DAYS, Inputs, compute

TABLES = ("fc_grant_month", "fc_forecast", "fc_expensive_cases", "fc_month")


def reference_date(conn: Connection) -> dt.date | None:
    """The latest date in grants and assessments (the view cockpit_reference_date); None
    without grant data."""
    value = conn.execute(sa.text("select reference_date from cockpit_reference_date")).scalar()
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def read_inputs(conn: Connection, as_of: dt.date) -> Inputs:
    """What the forecast as of `as_of` reads: grants started on or before R that may have a
    day in R's year or are new (started in the 365 days ending on R), their assessments,
    all rates, and the plans and tiers of R's year."""
    read = warehouse.read_frame
    native = warehouse.read_columns
    year = as_of.year
    since = min(dt.date(year, 1, 1), as_of - dt.timedelta(days=NEW_WINDOW_DAYS - 1))
    wanted = "g.start_date <= :as_of and (g.end_date is null or g.end_date >= :since)"
    params = {"as_of": as_of, "since": since}
    return Inputs(
        grants=native(
            conn,
            "select g.grant_id, g.citizen_key, g.municipality_code, g.provider_id, g.intervention_code,"
            f" g.start_date, g.end_date from grants g where {wanted} order by g.grant_id",
            dates=("start_date", "end_date"), **params,
        ),
        assessments=native(
            conn,
            "select a.grant_id, a.assessed_on, a.support_level from assessments a join grants g"
            f" on g.grant_id = a.grant_id where {wanted}",
            dates=("assessed_on",), **params,
        ),
        rates=read(conn, "select intervention_code, support_level, provider_id, valid_from, daily_rate_dkk from rates"),
        plans=read(
            conn,
            "select municipality_code, intervention_code, planned_full_year_citizens, planned_unit_cost_dkk"
            " from budget_plan where year = :year",
            year=year,
        ),
        tiers=read(conn, "select area, threshold_dkk, refund_share from refusion_tiers where year = :year", year=year),
        areas=read(conn, "select intervention_code, area from intervention"),
    )


def write_forecast(conn: Connection, as_of: dt.date | None = None) -> dict:
    """Replace the four fc_* tables with the figures as of `as_of` (default: the reference
    date; without grant data the tables are emptied). Returns {"as_of": R, table: rows}."""
    if as_of is None:
        as_of = reference_date(conn)
    if as_of is None:
        return clear_forecast(conn)
    tables = compute(read_inputs(conn, as_of), as_of)  # a missing rate raises here, before any write
    return {"as_of": as_of, **{table: warehouse.replace_frame(conn, table, tables[table]) for table in TABLES}}


def clear_forecast(conn: Connection) -> dict:
    """Empty the four fc_* tables (no figures rather than figures of other data)."""
    for table in TABLES:
        warehouse.empty_table(conn, table)
    return {"as_of": None, **{table: 0 for table in TABLES}}
