"""`socialbench forecast`: write the budget follow-up tables (fc_*) and print the forecast per intervention.

Output: one line per (municipality, year, intervention) in Danish kroner ("1.234.567,89 kr.").
With --json: a list of objects with the fc_forecast columns; amounts are strings with the exact
stored decimal ("1234567.89"), so scripts lose no øre; null where the table has null.
"""
from __future__ import annotations

import argparse
import json
from datetime import date
from decimal import Decimal

from socialbench.cli_args import add_db_argument, engine_from_args
from socialbench.errors import SocialbenchError

COLUMNS = (
    "municipality_code", "year", "intervention_code", "as_of", "budget_dkk", "forecast_dkk",
    "deviation_dkk", "price_deviation_dkk", "quantity_deviation_dkk", "actual_to_date_dkk",
    "committed_dkk", "expected_new_dkk", "planned_full_year_citizens", "forecast_full_year_citizens",
    "planned_unit_cost_dkk", "forecast_unit_cost_dkk",
)


def parse_as_of(text: str | None) -> date | None:
    """'2026-06-30' -> date; anything else is refused before anything is written."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SocialbenchError(
            f"--as-of: ugyldig dato {text!r}, brug ÅÅÅÅ-MM-DD / invalid date, use YYYY-MM-DD"
        ) from None


def _write_forecast():
    from socialbench.forecast.store import write_forecast  # lazy (start-up time); the other area's writer

    return write_forecast


def forecast_rows(conn, municipality: int | None = None) -> list[dict]:
    from sqlalchemy import text  # lazy (start-up time)

    sql = f"select {', '.join(COLUMNS)} from fc_forecast"
    params = {}
    if municipality is not None:
        sql += " where municipality_code = :m"
        params["m"] = municipality
    sql += " order by municipality_code, year, intervention_code"
    return [dict(r._mapping) for r in conn.execute(text(sql), params)]


def as_json_value(value):
    """Decimal -> exact string; float -> number; date -> ISO string."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _amount(value) -> str:
    from incentive_models.danish import kroner  # the one Danish money format

    return "–" if value is None else kroner(Decimal(value))


def table_lines(rows: list[dict]) -> list[str]:
    lines = ["Kommune  År    Indsats          Budget                Prognose              Afvigelse"]
    for r in rows:
        lines.append(
            f"{r['municipality_code']:<8} {r['year']:<5} {r['intervention_code']:<16} "
            f"{_amount(r['budget_dkk']):>21} {_amount(r['forecast_dkk']):>21} {_amount(r['deviation_dkk']):>21}"
        )
    return lines


def cmd_forecast(args: argparse.Namespace) -> int:
    as_of = parse_as_of(args.as_of)  # before any connection: bad input writes nothing
    engine = engine_from_args(args)
    write_forecast = _write_forecast()
    with engine.begin() as conn:
        written = write_forecast(conn, as_of=as_of)
        rows = forecast_rows(conn, args.municipality)
    if args.json:
        print(json.dumps([{k: as_json_value(v) for k, v in r.items()} for r in rows], ensure_ascii=False, indent=1))
    else:
        print(f"prognose pr. {written.get('as_of')}: " + ", ".join(
            f"{k} {v} rækker" for k, v in written.items() if k != "as_of"))
        print("\n".join(table_lines(rows)))
    return 0


def _forecast_arguments(p: argparse.ArgumentParser) -> None:
    add_db_argument(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", default=None, help="forecast date (default: the writer's)")
    p.add_argument("--json", action="store_true", help="print the forecast as JSON (amounts as exact strings)")
    p.add_argument("--municipality", type=int, metavar="CODE", default=None, help="only this municipality")
    p.set_defaults(func=cmd_forecast)


def register(subparsers) -> None:
    """Add `forecast` to the `socialbench` CLI."""
    subparsers.add_parser(
        "forecast",
        help="write the budget follow-up forecast tables (fc_*) and print the forecast per intervention",
        arguments=_forecast_arguments,
    )
