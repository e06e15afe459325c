"""Jinja macros for SQL Lab and virtual datasets (Superset's ENABLE_TEMPLATE_PROCESSING).

    select * from bm_cost_per_child
    where municipality_code in {{ socialbench_peers(101, 2024) }}

    select year, {{ socialbench_fixed_price('expenditure_dkk', 'year') }} as fixed_dkk
    from bm_budget_variance

Every argument is validated before anything is written into the SQL: codes and years
must be whole numbers, methods one of the known names, and column expressions plain
identifiers (`amount_dkk` or `e.amount_dkk`). What the macros write into the SQL is
either such a validated identifier or a number they read from the warehouse and format
themselves. Bad input stops the query with a message that names the argument.
"""
from __future__ import annotations

import re
from decimal import Decimal

from superset_plugins.settings import warehouse_engine

PEER_METHODS = ("nearest", "dst_group")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}$")


def _fail(message: str):
    """Superset shows a SupersetTemplateException as a clear error in SQL Lab."""
    try:
        from superset.exceptions import SupersetTemplateException
    except ImportError:  # used outside Superset
        raise ValueError(message) from None
    raise SupersetTemplateException(message)


def _whole(value, name: str) -> int:
    """A whole number given as an int or as digits, e.g. 101 or '101'."""
    if isinstance(value, bool):
        _fail(f"{name} must be a whole number, not {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}\s*", value):
        return int(value)
    _fail(f"{name} must be a whole number, not {value!r}")


def _identifier(value, name: str) -> str:
    """A column reference: a plain or dotted identifier, nothing else."""
    if isinstance(value, str) and IDENTIFIER.fullmatch(value.strip()):
        return value.strip()
    _fail(f"{name} must be a column name such as amount_dkk or e.amount_dkk, not {value!r}")


def _number(value: Decimal) -> str:
    """A number as an SQL literal, formatted here (never text from elsewhere)."""
    return format(Decimal(value), "f")


def _rows(sql: str, **params) -> list[tuple]:
    from sqlalchemy import text  # lazy: config imports this module, and importing config is cheap

    with warehouse_engine().connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql), params)]


def socialbench_peers(municipality_code, year=None, method: str = "nearest") -> str:
    """The peer municipalities of one municipality as an SQL list, e.g. `(147, 151, 153)`.

    Read from `bm_peer` (written by `socialbench refresh`); `year` defaults to the latest
    year with peers for that municipality. Use it after `in`.
    """
    code = _whole(municipality_code, "municipality_code")
    chosen_year = None if year is None or year == "" else _whole(year, "year")
    if method not in PEER_METHODS:
        _fail(f"method must be one of {', '.join(PEER_METHODS)}, not {method!r}")
    if chosen_year is None:
        latest = _rows(
            "select max(year) from bm_peer where municipality_code = :code and method = :method",
            code=code,
            method=method,
        )
        chosen_year = latest[0][0] if latest else None
    rows = []
    if chosen_year is not None:
        rows = _rows(
            "select peer_code from bm_peer where municipality_code = :code and year = :year"
            " and method = :method order by peer_code",
            code=code,
            year=int(chosen_year),
            method=method,
        )
    if not rows:
        when = "any year" if chosen_year is None else str(chosen_year)
        _fail(
            f"no peers for municipality {code} in {when} (method {method}): "
            "check the code, or run `socialbench refresh`"
        )
    return "(" + ", ".join(str(int(peer)) for (peer,) in rows) + ")"


def _price_factors() -> tuple[int | None, dict[int, float]]:
    """The base year and the fixed-price factor of each year, from the view int_price_factor:
    the one definition of fixed prices, which the benchmark views read too."""
    rows = _rows("select year, price_base_year, factor from int_price_factor")
    base = max((int(b) for _, b, _ in rows), default=None)
    return base, {int(year): float(factor) for year, _, factor in rows}  # index values are > 0: never NULL


def socialbench_base_year() -> int:
    """The base year of fixed prices: the latest year of the price index."""
    base, _ = _price_factors()
    if base is None:
        _fail("the price index is empty: load price_index.csv first")
    return base


def socialbench_fixed_price(expr, year_expr="year", base_year=None) -> str:
    """An SQL expression converting `expr` (current prices in year `year_expr`) to fixed prices.

    fixed = expr × factor(year), with the factors of the view int_price_factor
    (index(base year) / index(year), base year = the latest year of the price index). For
    another base year b the factor is factor(year) / factor(b). Years without an index give
    NULL. The factors are written into the SQL as numbers, so it runs on any engine without
    a join.
    """
    column = _identifier(expr, "expr")
    if isinstance(year_expr, int) and not isinstance(year_expr, bool):
        year_sql = str(year_expr)
    else:
        year_sql = _identifier(year_expr, "year_expr")
    latest, factors = _price_factors()
    if latest is None:
        _fail("the price index is empty: load price_index.csv first")
    base = latest if base_year is None or base_year == "" else _whole(base_year, "base_year")
    if base not in factors:
        _fail(f"base_year {base} is not in the price index ({min(factors)}-{max(factors)})")
    cases = " ".join(
        f"when {year} then {_number(Decimal(repr(factor / factors[base])))}" for year, factor in sorted(factors.items())
    )
    # As in the views: the amount as a double times the factor (a double in int_price_factor).
    return f"(cast({column} as double precision) * case {year_sql} {cases} end)"


MACROS = {
    "socialbench_peers": socialbench_peers,
    "socialbench_fixed_price": socialbench_fixed_price,
    "socialbench_base_year": socialbench_base_year,
}
