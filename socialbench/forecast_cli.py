"""`socialbench forecast`: write the budget follow-up tables (fc_*) and print the forecast per intervention.

Output: one line per (municipality, year, intervention) with Danish headings and amounts in
Danish kroner ("1.234.567,89 kr."). With --json: a list of objects with the fc_forecast
columns and the municipality's name; amounts are strings with the exact stored decimal
("1234567.89"), so scripts lose no øre; null where the table has none (no budget plan).
The rows are read by `socialbench.forecast.figures.forecast_rows`, as the REST endpoint
reads them.

The Danish money format is `incentive_models.danish`, the project's one; socialbench does
not import another area, so the top-level command (`socialbench.cli`) hands it over as
`args.danish` (as it hands over `refresh_derived`).
"""
from __future__ import annotations

import argparse
import json
from datetime import date

from socialbench.cli_args import add_db_argument, engine_from_args
from socialbench.errors import SocialbenchError

MISSING = "–"  # an amount the table has none of (no budget plan, no days)

# (heading, column) of the printed table; amounts are right-aligned.
AMOUNTS = (
    ("Budget", "budget_dkk"),
    ("Forventet regnskab", "forecast_dkk"),
    ("Afvigelse", "deviation_dkk"),
    ("Pris", "price_deviation_dkk"),
    ("Mængde", "quantity_deviation_dkk"),
)


def parse_as_of(text: str | None) -> date | None:
    """'2026-06-30' -> date; None -> None (the writer's default); anything else is refused
    before anything is opened or written."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SocialbenchError(f"--as-of: not a date YYYY-MM-DD: {text[:40]!r}") from None


def check_municipality(code: int | None) -> None:
    """An unknown municipality code is refused before anything is written."""
    if code is None:
        return
    from socialbench import reference  # lazy (start-up time): pandas

    if code not in reference.municipality_codes():
        raise SocialbenchError(f"--municipality: unknown municipality code {code}")


def _write_forecast():
    from socialbench.forecast.store import write_forecast  # lazy (start-up time): the writer and pandas

    return write_forecast


def _rows_written(value) -> int:
    return value if isinstance(value, int) else len(value)


def table_lines(rows: list[dict], kroner) -> list[str]:
    """The forecast as a table with Danish headings; `kroner` formats an amount
    (`incentive_models.danish.kroner`)."""
    header = ["Kommune", "År", "Indsats", *(heading for heading, _ in AMOUNTS)]
    body = [
        [
            f"{r['municipality_code']} {r['municipality_name']}" if r.get("municipality_name") else str(r["municipality_code"]),
            str(r["year"]),
            str(r["intervention_code"]),
            *(MISSING if r[column] is None else kroner(r[column]) for _, column in AMOUNTS),
        ]
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    left = 3  # Kommune, År, Indsats: left-aligned; the amounts right-aligned

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(width) if i < left else cell.rjust(width) for i, (cell, width) in enumerate(zip(cells, widths))
        ).rstrip()

    return [line(header), *(line(cells) for cells in body)]


def cmd_forecast(args: argparse.Namespace) -> int:
    as_of = parse_as_of(args.as_of)  # before any connection: bad input writes nothing
    check_municipality(args.municipality)
    from socialbench.forecast.figures import forecast_rows, json_rows  # lazy (start-up time): SQLAlchemy

    write_forecast = _write_forecast()
    engine = engine_from_args(args)
    try:
        with engine.begin() as conn:  # one transaction: the writer's rows and what is printed
            written = write_forecast(conn, as_of=as_of)
            rows = forecast_rows(conn, municipality_code=args.municipality)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps(json_rows(rows), ensure_ascii=False, indent=1))
        return 0
    counts = ", ".join(f"{table} {_rows_written(n)} rækker" for table, n in written.items() if table != "as_of")
    print(f"Budgetopfølgning opgjort pr. {args.danish.day(written['as_of'])}: {counts}")
    if rows:
        print("\n".join(table_lines(rows, args.danish.kroner)))
    else:
        print("ingen rækker" + (f" for kommune {args.municipality}" if args.municipality is not None else ""))
    return 0


def _forecast_arguments(p: argparse.ArgumentParser) -> None:
    add_db_argument(p)
    p.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        default=None,
        help="the as-of date R (default: the latest date in grants and assessments)",
    )
    p.add_argument("--json", action="store_true", help="print the forecast as JSON (amounts as exact decimal strings)")
    p.add_argument("--municipality", type=int, metavar="CODE", default=None, help="print only this municipality (all are written)")
    p.set_defaults(func=cmd_forecast)


def register(subparsers) -> None:
    """Add `forecast` to the `socialbench` CLI."""
    subparsers.add_parser(
        "forecast",
        help="write the budget follow-up forecast tables (fc_*) and print the year-end forecast per intervention",
        arguments=_forecast_arguments,
    )
