"""Recomputes every derived table from what is loaded.

This is the one place where the benchmark calculations read from and write to the
warehouse: it reads the reference tables, the structural indicators and the key-figure
views, calls the pure calculations, and replaces the derived tables in one transaction.
In the same transaction it stores the rows of the cockpit and case-work views that would otherwise
recompute, on every dashboard query, what only changes when data are loaded
(`STORED_VIEWS`: each `<view>_stored` table gets exactly the view's rows).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import time

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from benchmarks import comparison, expected, peers, savings
from socialbench import loading, warehouse
from socialbench.errors import RuleError, SocialbenchError
from socialbench.forecast import store as forecast_store

INPUT_VIEWS = ("bm_cost_per_child", "bm_cost_per_adult", "bm_unit_cost")
DERIVED_TABLES = ("bm_peer", "bm_peer_comparison", "bm_expected_cost", "bm_savings_potential", "bm_refresh")
# Cockpit and case-work views whose rows are stored at refresh (sql/schema/006_cockpit_stored.sql,
# 013_case_stored.sql), by stored table: the dashboards read the table, the view stays the definition.
STORED_VIEWS = {
    "cockpit_support_need_stored": "cockpit_support_need",
    "cockpit_grant_month_stored": "cockpit_grant_month",
    "cockpit_grant_duration_stored": "cockpit_grant_duration",
    "case_own_home_share_stored": "case_own_home_share",
    "case_occupancy_stored": "case_occupancy",
    "case_caseworker_load_stored": "case_caseworker_load",
}
# PostgreSQL sorts the support-need windows in memory with this much (not on disk).
POSTGRESQL_WORK_MEM = "256MB"


@dataclass(frozen=True)
class Options:
    """How peers are chosen: the peer methods compared in bm_peer_comparison (default
    both), k and the indicator set (None = every indicator loaded for the year) for the
    `nearest` method."""

    methods: tuple[str, ...] = peers.METHODS
    k: int = peers.DEFAULT_K
    indicators: tuple[str, ...] | None = None

    def __post_init__(self):
        for method in self.methods:
            if method not in peers.METHODS:
                raise SocialbenchError(f"unknown peer method {method!r}: use one of {', '.join(peers.METHODS)}")
        if self.k < 1:
            raise SocialbenchError(f"k must be at least 1, got {self.k}")
        if self.indicators is not None and not self.indicators:
            raise SocialbenchError("the indicator set is empty")


@dataclass
class Inputs:
    municipalities: pd.DataFrame
    indicators: pd.DataFrame
    cost_per_child: pd.DataFrame
    cost_per_adult: pd.DataFrame
    unit_cost: pd.DataFrame


def _numeric(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Decimal columns from the warehouse as floats (None -> NaN)."""
    frame = frame.copy()
    for column in columns:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def read_inputs(conn: Connection) -> Inputs:
    read = warehouse.read_frame
    return Inputs(
        municipalities=read(
            conn, "select municipality_code, municipality_name, dst_municipality_group from municipality"
        ),
        indicators=_numeric(
            read(conn, "select municipality_code, year, indicator, value from structural_indicators"), ["value"]
        ),
        cost_per_child=_numeric(
            read(
                conn,
                "select municipality_code, year, population_0_22, cost_per_child_dkk, cost_per_child_fixed_dkk"
                " from bm_cost_per_child",
            ),
            ["population_0_22", "cost_per_child_dkk", "cost_per_child_fixed_dkk"],
        ),
        cost_per_adult=_numeric(
            read(conn, "select municipality_code, year, population_18_64, cost_per_adult_fixed_dkk from bm_cost_per_adult"),
            ["population_18_64", "cost_per_adult_fixed_dkk"],
        ),
        unit_cost=_numeric(
            read(
                conn,
                "select municipality_code, year, intervention_code, intervention_name, full_year_citizens,"
                " unit_cost_dkk, unit_cost_fixed_dkk from bm_unit_cost",
            ),
            ["full_year_citizens", "unit_cost_dkk", "unit_cost_fixed_dkk"],
        ),
    )


def with_names(frame: pd.DataFrame, municipalities: pd.DataFrame, code: str = "municipality_code",
               name: str = "municipality_name") -> pd.DataFrame:
    """The frame with the municipality's name in column `name`, placed right after `code`."""
    names = dict(zip(municipalities["municipality_code"].astype(int), municipalities["municipality_name"]))
    out = frame.copy()
    out.insert(out.columns.get_loc(code) + 1, name, [names.get(int(c)) for c in out[code]])
    return out


def compute(inputs: Inputs, options: Options) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Every derived table from the inputs (pure: no warehouse access)."""
    notes: list[str] = []
    if options.indicators is not None:
        loaded = set(inputs.indicators["indicator"])
        unknown = [name for name in options.indicators if name not in loaded]
        if unknown:
            raise SocialbenchError(
                f"unknown structural indicator(s) {', '.join(unknown)}; loaded: {', '.join(sorted(loaded)) or 'none'}"
            )
    years = (
        set(inputs.indicators["year"]) | set(inputs.cost_per_child["year"])
        | set(inputs.cost_per_adult["year"]) | set(inputs.unit_cost["year"])
    )
    nearest = peers.nearest_peers(inputs.indicators, options.k, options.indicators)
    by_group = peers.dst_group_peers(inputs.municipalities, years)
    all_peers = pd.concat([nearest, by_group], ignore_index=True)

    for year in sorted(set(inputs.indicators["year"])):
        taking_part = set(peers.indicator_matrix(inputs.indicators, int(year), options.indicators).index)
        missing = sorted(set(inputs.indicators.loc[inputs.indicators["year"] == year, "municipality_code"]) - taking_part)
        if missing:
            notes.append(
                f"{year}: {len(missing)} municipalities lack a chosen indicator and have no nearest peers "
                f"({', '.join(str(m) for m in missing[:10])}{' ...' if len(missing) > 10 else ''})"
            )

    unpriced = sorted(
        set(inputs.cost_per_child.loc[inputs.cost_per_child["cost_per_child_fixed_dkk"].isna()
                                      & inputs.cost_per_child["cost_per_child_dkk"].notna(), "year"])
        | set(inputs.unit_cost.loc[inputs.unit_cost["unit_cost_fixed_dkk"].isna()
                                   & inputs.unit_cost["unit_cost_dkk"].notna(), "year"])
    )
    if unpriced:
        notes.append(
            f"no price index for {', '.join(str(int(y)) for y in unpriced)}: fixed-price figures "
            "(peer comparison, expected cost) are empty for those years; load price_index.csv"
        )

    figures = comparison.key_figures(inputs.cost_per_child, inputs.cost_per_adult, inputs.unit_cost)
    chosen = all_peers[all_peers["method"].isin(options.methods)]
    compared = comparison.peer_comparison(figures, chosen)

    measures = expected.measures_from_views(inputs.cost_per_child, inputs.cost_per_adult)
    expected_cost = expected.expected_cost(measures, inputs.indicators, options.indicators)

    potential = savings.savings_potential(inputs.unit_cost, nearest)

    m = inputs.municipalities
    used = ",".join(options.indicators) if options.indicators else ",".join(sorted(set(inputs.indicators["indicator"])))
    tables = {
        "bm_peer": with_names(with_names(all_peers, m), m, code="peer_code", name="peer_name"),
        "bm_peer_comparison": with_names(compared, m),
        "bm_expected_cost": with_names(expected_cost, m),
        "bm_savings_potential": with_names(potential, m),
        "bm_refresh": pd.DataFrame(
            [{
                "refreshed_at": warehouse.utc_now(),
                "comparison_methods": ",".join(options.methods),
                "k": options.k,
                "indicators": used if options.indicators else f"all loaded ({used})" if used else "all loaded",
            }]
        ),
    }
    return tables, notes


def store_views(conn: Connection) -> dict[str, int]:
    """Replace the rows of every stored cockpit table with its view's rows; {table: rows}."""
    if warehouse.dialect(conn) == "postgresql":
        conn.execute(sa.text(f"set local work_mem = '{POSTGRESQL_WORK_MEM}'"))
    rows = {}
    for table, view in STORED_VIEWS.items():
        columns = ", ".join(warehouse.table_columns(conn, table))
        warehouse.empty_table(conn, table)
        conn.execute(sa.text(f"insert into {table} ({columns}) select {columns} from {view}"))
        rows[table] = conn.execute(sa.text(f"select count(*) from {table}")).scalar_one()
    return rows


def refresh(engine: Engine, **options) -> dict:
    """Recompute bm_peer, bm_peer_comparison, bm_expected_cost, bm_savings_potential and
    bm_refresh from what is loaded, store the rows of the cockpit and case-work views (STORED_VIEWS) and
    write the budget follow-up (fc_*) as of the reference date, in one transaction. If the
    forecast cannot be computed (a missing rate), the fc_* tables are emptied and a note
    says why; `socialbench forecast` then shows the error itself.

    Options: method ('nearest' or 'dst_group': compare with these peers only in
    bm_peer_comparison; default None = both methods, each row saying which; bm_peer always
    holds both methods and bm_savings_potential always uses `nearest`),
    k (default 10) and indicators (a list of structural indicator names; default every
    indicator loaded for the year), forecast_as_of (the budget follow-up's as-of date;
    default None = the reference date). Returns {"rows": {table: count}, "notes": [...],
    "seconds": {"benchmarks": s, "stored_views": s, "forecast": s}}.
    """
    unknown = set(options) - {"method", "k", "indicators", "forecast_as_of"}
    if unknown:
        raise TypeError(f"unknown refresh option(s): {', '.join(sorted(unknown))}")
    method, k, indicators = options.get("method"), options.get("k"), options.get("indicators")
    chosen = Options(
        methods=peers.METHODS if method is None else (method,),
        k=peers.DEFAULT_K if k is None else int(k),
        indicators=None if indicators is None else tuple(indicators),
    )
    rows: dict[str, int] = {}
    seconds: dict[str, float] = {}
    with engine.begin() as conn:
        loading.require_initialised(conn)
        inspector = sa.inspect(conn)
        present = set(inspector.get_table_names()) | set(inspector.get_view_names())
        wanted = INPUT_VIEWS + DERIVED_TABLES + tuple(STORED_VIEWS) + tuple(STORED_VIEWS.values()) + forecast_store.TABLES
        missing = [name for name in wanted if name not in present]
        if missing:
            raise SocialbenchError(
                f"the warehouse lacks {', '.join(missing)}: run `socialbench init` to upgrade it"
            )
        started = time.perf_counter()
        tables, notes = compute(read_inputs(conn), chosen)
        for table in DERIVED_TABLES:
            rows[table] = warehouse.replace_frame(conn, table, tables[table])
        seconds["benchmarks"] = time.perf_counter() - started
        started = time.perf_counter()
        rows.update(store_views(conn))
        seconds["stored_views"] = time.perf_counter() - started
        started = time.perf_counter()
        try:
            written = forecast_store.write_forecast(conn, as_of=options.get("forecast_as_of"))
        except RuleError as error:  # e.g. a missing rate: the benchmarks stand, the forecast is emptied
            written = forecast_store.clear_forecast(conn)
            notes.append(f"budget follow-up (fc_*) emptied, not written: {error}")
        rows.update({table: written[table] for table in forecast_store.TABLES})
        seconds["forecast"] = time.perf_counter() - started
    return {"rows": rows, "notes": notes, "seconds": seconds}
