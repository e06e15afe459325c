"""All-or-nothing loading of tidy CSV files (and of frames from other sources).

A load is: read every file, validate every row with its marshmallow schema, check keys
and references across the files and the warehouse, and only if nothing is wrong, upsert
every table in one transaction. Any problem anywhere means nothing is written.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.engine import Connection, Engine

from socialbench import progress, warehouse
from socialbench.dates import as_days
from socialbench.errors import InputError, Problem, SocialbenchError
from socialbench.schemas import SCHEMAS


@dataclass(frozen=True)
class TableSpec:
    name: str
    key: tuple[str, ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(SCHEMAS[self.name]().fields)


# In dependency order: a table comes after the tables its rows refer to.
TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in [
        TableSpec("providers", ("provider_id",)),
        TableSpec("grants", ("grant_id",)),
        TableSpec("assessments", ("grant_id", "assessed_on")),
        TableSpec("rates", ("intervention_code", "support_level", "valid_from")),
        TableSpec("population", ("municipality_code", "year", "age")),
        TableSpec("expenditure", ("municipality_code", "year", "function_code", "kind")),
        TableSpec("full_year_citizens", ("municipality_code", "year", "intervention_code")),
        TableSpec("price_index", ("year",)),
        TableSpec("structural_indicators", ("municipality_code", "year", "indicator")),
    ]
}


@dataclass
class Rows:
    """Validated rows for one table from one source; `lines` are the source line numbers.

    `description` says in data_source where the rows came from (default: `source`)."""

    table: str
    source: str
    frame: pd.DataFrame
    lines: list[int]
    description: str | None = None


def _messages(error: ValidationError) -> dict[str, str]:
    out = {}
    for column, messages in error.normalized_messages().items():
        text = messages[0] if isinstance(messages, list) else str(messages)
        if text in ("Missing data for required field.", "Field may not be null."):
            text = "missing value"
        out[column] = text
    return out


def validate_records(
    table: str, source: str, records: Iterable[tuple[int, dict[str, str | None]]]
) -> tuple[Rows, list[Problem]]:
    """Validate raw text records `(line, {column: text or None})` against the table's schema."""
    schema = SCHEMAS[table]()
    spec = TABLES[table]
    values, lines, problems = [], [], []
    for line, record in records:
        try:
            values.append(schema.load(record))
            lines.append(line)
        except ValidationError as error:
            for column, message in _messages(error).items():
                problems.append(Problem(source, line, column, message))
    frame = pd.DataFrame(values, columns=list(spec.columns))
    return Rows(table, source, frame, lines), problems


def read_csv(path: Path, table: str | None = None) -> tuple[Rows, list[Problem]]:
    """Read and validate one tidy CSV file; the table comes from the file name."""
    table = table or path.stem
    if table not in TABLES:
        known = ", ".join(spec.filename for spec in TABLES.values())
        raise InputError([Problem(str(path), None, None, f"unknown file name: expected one of {known}")])
    source = str(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([Problem(source, line, None, "not UTF-8 text")])
    expected = TABLES[table].columns
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError([Problem(source, 1, None, "empty file: expected a header row")])
    header = [h.strip() for h in header]
    problems = [Problem(source, 1, c, "missing column") for c in expected if c not in header]
    problems += [Problem(source, 1, c or "(blank)", "unexpected column") for c in header if c not in expected]
    problems += [Problem(source, 1, c, "column appears twice") for c in set(header) if header.count(c) > 1]
    if problems:
        raise InputError(problems)

    def records():
        line = reader.line_num + 1
        for row in reader:
            if row and len(row) != len(header):
                problems.append(Problem(source, line, None, f"{len(row)} fields, expected {len(header)}"))
            elif row:
                yield line, {col: (cell.strip() or None) for col, cell in zip(header, row)}
            line = reader.line_num + 1

    rows, row_problems = validate_records(table, source, records())
    return rows, problems + row_problems


def _column_problems(rows: Rows, mask, column: str, message) -> list[Problem]:
    """A problem for each row where mask is true; message is text or a function of the row."""
    return [
        Problem(rows.source, rows.lines[i], column, message(rows.frame.iloc[i]) if callable(message) else message)
        for i in np.flatnonzero(np.asarray(mask, dtype=bool))
    ]


def _stored(conn: Connection, sql: str) -> pd.DataFrame:
    return warehouse.read_frame(conn, sql)


def check(conn: Connection, batch: list[Rows]) -> list[Problem]:
    """Keys unique within each source; every reference known in the warehouse or in the batch."""
    problems: list[Problem] = []
    by_table: dict[str, list[Rows]] = {}
    for rows in batch:
        by_table.setdefault(rows.table, []).append(rows)
        key = list(TABLES[rows.table].key)
        frame = rows.frame
        repeated = frame.duplicated(key, keep="first").to_numpy()
        if repeated.any():
            positions = frame[key].assign(_position=np.arange(len(frame)))
            first_of = positions.groupby(key, sort=False, dropna=False)["_position"].transform("first").to_numpy()
            for i in np.flatnonzero(repeated):
                shown = ", ".join(f"{c}={v}" for c, v in zip(key, frame[key].iloc[i]))
                first = rows.lines[first_of[i]]
                problems.append(
                    Problem(rows.source, rows.lines[i], ",".join(key), f"duplicate key ({shown}), first on line {first}")
                )

    municipalities = set(_stored(conn, "select municipality_code from municipality")["municipality_code"])
    interventions = set(_stored(conn, "select intervention_code from intervention")["intervention_code"])
    functions = set(_stored(conn, "select function_code from account_function")["function_code"])

    def new_values(table: str, column: str) -> set:
        return {v for rows in by_table.get(table, []) for v in rows.frame[column]}

    providers = set(_stored(conn, "select provider_id from providers")["provider_id"]) | new_values("providers", "provider_id")

    # Grants as they will be after this load: stored ones, overridden by the batch.
    grants = _stored(conn, "select grant_id, start_date, end_date from grants")
    for rows in by_table.get("grants", []):
        grants = pd.concat([grants[~grants["grant_id"].isin(rows.frame["grant_id"])], rows.frame[grants.columns]])
    grants = grants.drop_duplicates("grant_id", keep="last")
    grant_dates = {g: (s, e) for g, s, e in grants.itertuples(index=False, name=None)}

    for rows in batch:
        f = rows.frame
        if f.empty:
            continue
        if "municipality_code" in f:
            problems += _column_problems(
                rows, ~f["municipality_code"].isin(municipalities), "municipality_code",
                lambda r: f"unknown municipality code {r['municipality_code']}",
            )
        if "intervention_code" in f:
            problems += _column_problems(
                rows, ~f["intervention_code"].isin(interventions), "intervention_code",
                lambda r: f"unknown intervention code {r['intervention_code']!r}",
            )
        if rows.table == "expenditure":
            problems += _column_problems(
                rows, ~f["function_code"].isin(functions), "function_code",
                lambda r: f"unknown function code {r['function_code']!r} (only 5.28.xx and 5.38.xx functions are known)",
            )
        if rows.table == "grants":
            problems += _column_problems(
                rows, ~f["provider_id"].isin(providers), "provider_id",
                lambda r: f"unknown provider {r['provider_id']!r}: load it in providers.csv",
            )
            ends = f["end_date"].notna()
            before = ends & (f["end_date"].where(ends, f["start_date"]) < f["start_date"])
            problems += _column_problems(
                rows, before, "end_date", lambda r: f"end_date {r['end_date']} is before start_date {r['start_date']}"
            )
        if rows.table == "assessments":
            known = f["grant_id"].isin(grant_dates.keys())
            problems += _column_problems(rows, ~known, "grant_id", lambda r: f"unknown grant {r['grant_id']!r}")

            dates = f[["grant_id"]].merge(grants, on="grant_id", how="left")
            start, end, day = as_days(dates["start_date"]), as_days(dates["end_date"]), as_days(f["assessed_on"])
            mask = known.to_numpy() & ((day < start) | (~np.isnat(end) & (day > end)))
            problems += _column_problems(
                rows, mask, "assessed_on",
                lambda r: "assessment on {} is outside its grant's dates {} to {}".format(
                    r["assessed_on"], *[("open" if d is None or pd.isna(d) else d) for d in grant_dates[r["grant_id"]]]
                ),
            )
    return problems


def store(conn: Connection, batch: list[Rows]) -> dict[str, int]:
    """Upsert every table of the batch, in dependency order (inside the caller's transaction)."""
    counts: dict[str, int] = {}
    order = list(TABLES)
    for rows in progress.track(sorted(batch, key=lambda r: order.index(r.table)), label="Writing"):
        written = warehouse.upsert_frame(conn, rows.table, rows.frame, TABLES[rows.table].key)
        counts[rows.table] = counts.get(rows.table, 0) + written
    return counts


def require_initialised(conn: Connection) -> None:
    if not sa.inspect(conn).has_table("schema_version"):
        raise SocialbenchError("the warehouse is not initialised: run `socialbench init` first")


def record_sources(conn: Connection, sources: dict[str, str], synthetic: bool) -> None:
    """Remember where the rows of each table came from ({table: source}; shown on every dashboard)."""
    now = warehouse.utc_now()
    frame = pd.DataFrame(
        [{"table_name": t, "source": src, "synthetic": synthetic, "loaded_at": now} for t, src in sorted(sources.items())]
    )
    warehouse.upsert_frame(conn, "data_source", frame, ["table_name"])


def is_synthetic(conn: Connection, table: str | None = None) -> bool:
    """Whether data_source marks the table (with no table: any table) as synthetic demo data."""
    if not sa.inspect(conn).has_table("data_source"):
        return False
    sql = "select synthetic from data_source" + (" where table_name = :t" if table else "")
    flags = warehouse.read_frame(conn, sql, **({"t": table} if table else {}))["synthetic"]
    return bool(flags.fillna(False).astype(bool).any())


def load_batch(
    engine: Engine,
    batch: list[Rows],
    problems: list[Problem] | None = None,
    source: str | None = None,
    synthetic: bool = False,
    after_store: Callable[[Connection], None] | None = None,
) -> dict[str, int]:
    """Check the batch and write it in one transaction, or raise InputError and write nothing.

    `source` describes where the rows came from (default: the files' names); `synthetic`
    marks generated demo data; `after_store(conn)` runs inside the same transaction.
    """
    problems = list(problems or [])
    with engine.begin() as conn:
        require_initialised(conn)
        problems += check(conn, batch)
        if problems:
            raise InputError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
        counts = store(conn, batch)
        record_sources(conn, {r.table: source or r.description or r.source for r in batch}, synthetic)
        if after_store is not None:
            after_store(conn)
        return counts


def csv_files(path: Path) -> list[tuple[Path, str]]:
    """The files a PATH names: one file, or every known file of a directory, in dependency order."""
    if not path.exists():
        raise SocialbenchError(f"{path}: no such file or directory")
    if path.is_file():
        return [(path, path.stem)]
    found = [(path / spec.filename, name) for name, spec in TABLES.items() if (path / spec.filename).is_file()]
    if not found:
        known = ", ".join(spec.filename for spec in TABLES.values())
        raise SocialbenchError(f"{path}: no known CSV files (expected some of {known})")
    return found


def load_path(engine: Engine, path: Path) -> dict[str, int]:
    """Load one CSV file or every known CSV file in a directory, all or nothing."""
    batch, problems = [], []
    files = csv_files(Path(path))
    for file, table in progress.track(files, label="Reading"):
        try:
            rows, file_problems = read_csv(file, table)
        except InputError as error:
            problems += error.problems
            continue
        batch.append(rows)
        problems += file_problems
    return load_batch(engine, batch, problems)
