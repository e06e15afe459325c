"""A run's inputs, fast: read natively, fingerprinted and packed column by column.

A national settlement reads about a million assessments. They are read straight into
columns (DuckDB's own DataFrame export; PostgreSQL's `COPY ... TO STDOUT` parsed by
pandas' C reader), dates as datetime64, never one Python `date` per value; the daily
rates come as exact text and become Decimal (there are a few hundred).

`inputs_sha256` and `pack_inputs` give the same fingerprint and payload as the first,
row-by-row versions (kept in the tests as the oracle): each value's text is the same
(ISO dates, whole numbers, kroner with 2 decimals, "" for a missing value) and the rows
are sorted the same way (Python's str order). The kept inputs are compressed at gzip's
fastest level (any level unpacks the same).
"""
from __future__ import annotations

import gzip
import hashlib
import json
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from incentive_models import text_columns
from incentive_models.engine import ASSESSMENT_COLUMNS, GRANT_COLUMNS, PROVIDER_COLUMN, RATE_COLUMNS, rate_providers
from incentive_models.model import Model
from socialbench import warehouse
from socialbench.rate_rule import GENERAL

INPUT_COLUMNS = {"grants": GRANT_COLUMNS, "assessments": ASSESSMENT_COLUMNS, "rates": RATE_COLUMNS}
# Rates with a provider's own tariff also carry its provider_id, as a last column. General
# rates only are fingerprinted and packed without it, exactly as before tariffs existed, so
# the fingerprint of such inputs and the inputs kept with earlier approvals stay valid.
TARIFF_RATE_COLUMNS = [*RATE_COLUMNS, PROVIDER_COLUMN]
DATE_COLUMNS = {"start_date", "end_date", "assessed_on", "valid_from"}
WHOLE_COLUMNS = {"municipality_code", "support_level"}
MONEY_COLUMNS = {"daily_rate_dkk"}
NULL_TOKEN = warehouse.NULL_TOKEN

# The three queries. No `order by`: the engine orders what it needs, the fingerprint
# sorts, and sorting a million rows by a PostgreSQL collation costs a second.
QUERIES = {
    "grants": (
        "select grant_id, citizen_key, municipality_code, provider_id, intervention_code,"
        " start_date, end_date, {end_reason} as end_reason from grants where intervention_code in ({codes})"
    ),
    "assessments": (
        "select a.grant_id, a.assessed_on, a.support_level from assessments a"
        " join grants g on g.grant_id = a.grant_id where g.intervention_code in ({codes})"
    ),
    "rates": (
        "select intervention_code, support_level, valid_from, cast(daily_rate_dkk as varchar) as daily_rate_dkk,"
        " provider_id from rates where intervention_code in ({codes})"
    ),
}


def value_text(value) -> str:
    """One value as the fingerprint writes it (the rule of the first, row-by-row version)."""
    if value is None or (not isinstance(value, (str, date)) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.01")), "f")
    return str(value)


_NAT = np.datetime64("NaT", "D").astype(np.int64)


def _iso_day(number: int) -> str:
    return "" if number == _NAT else str(np.datetime64(number, "D"))


def column_text(values: pd.Series) -> np.ndarray:
    """Each value of a column as text (object array of str), as `value_text` writes it:
    by column for dates (datetime64), whole numbers and plain text, value by value
    otherwise (Decimal, date objects, mixed)."""
    array = values.to_numpy()
    if not len(array):
        return np.array([], dtype=object)
    if np.issubdtype(array.dtype, np.datetime64):
        days = array.astype("datetime64[D]").astype(np.int64)
        missing = days == _NAT
        if not missing.any():
            return text_columns.by_unique(days, _iso_day)
        text = np.full(len(days), "", dtype=object)
        text[~missing] = text_columns.by_unique(days[~missing], _iso_day)
        return text
    if np.issubdtype(array.dtype, np.integer):
        return text_columns.by_unique(array, str)
    if array.dtype == object and pd.api.types.infer_dtype(array, skipna=True) == "string":
        missing = pd.isna(array)
        return np.where(missing, "", array) if missing.any() else array.copy()
    return np.array([value_text(v) for v in array], dtype=object)


def rate_columns(rates: pd.DataFrame) -> list[str]:
    """The rates' columns as fingerprinted and packed: with provider_id only if a row is a
    provider's own tariff."""
    return TARIFF_RATE_COLUMNS if (rate_providers(rates) != GENERAL).any() else RATE_COLUMNS


def _texts(grants: pd.DataFrame, assessments: pd.DataFrame, rates: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """{table: {column: its values as text}}: the grants' and assessments' columns, and the
    rates' `rate_columns`."""
    if PROVIDER_COLUMN in rates.columns:
        rates = rates.assign(**{PROVIDER_COLUMN: rate_providers(rates)})
    columns = {"grants": grants.columns, "assessments": assessments.columns, "rates": rate_columns(rates)}
    return {
        name: {c: column_text(frame[c]) for c in columns[name]}
        for name, frame in (("grants", grants), ("assessments", assessments), ("rates", rates))
    }


def _fingerprint(model: Model, texts: dict, sizes: dict[str, int]) -> str:
    digest = hashlib.sha256(json.dumps(model.canonical(), sort_keys=True).encode())
    for name in ("grants", "assessments", "rates"):
        columns = list(texts[name].values())
        rows = sorted(text_columns.rows(columns, "\t")) if columns and sizes[name] else [""] * sizes[name]
        digest.update(f"\n[{name}] {len(rows)}\n".encode())
        digest.update("\n".join(rows).encode())
    return digest.hexdigest()


def _pack(texts: dict, sizes: dict[str, int]) -> bytes:
    tables = []
    for name in ("grants", "assessments", "rates"):
        parts = ["["]
        for c in (INPUT_COLUMNS[name] if name != "rates" else list(texts[name])):
            text = texts[name][c]
            missing = text == ""
            parts += text_columns.json_parts(np.where(missing, None, text) if missing.any() else text, null=True)
            parts.append(", ")
        parts[-1] = "]"
        body = ", ".join(text_columns.rows(parts)) if sizes[name] else ""
        tables.append(f'"{name}": [{body}]')
    return gzip.compress(("{" + ", ".join(tables) + "}").encode(), compresslevel=1, mtime=0)


def _sizes(grants, assessments, rates) -> dict[str, int]:
    return {"grants": len(grants), "assessments": len(assessments), "rates": len(rates)}


def inputs_sha256(model: Model, grants: pd.DataFrame, assessments: pd.DataFrame, rates: pd.DataFrame) -> str:
    """A fingerprint of everything a run is computed from: the model's meaning and the
    in-scope grants, assessments and rates (the same on DuckDB and PostgreSQL)."""
    return _fingerprint(model, _texts(grants, assessments, rates), _sizes(grants, assessments, rates))


def pack_inputs(grants: pd.DataFrame, assessments: pd.DataFrame, rates: pd.DataFrame) -> bytes:
    """The inputs of a run, kept with its approval so that it can be recomputed later:
    gzipped JSON, {table: [[text or null, ...] per row]}, written a column at a time."""
    frames = (grants[GRANT_COLUMNS], assessments[ASSESSMENT_COLUMNS], rates)
    return _pack(_texts(*frames), _sizes(*frames))


def fingerprint_and_pack(model: Model, grants: pd.DataFrame, assessments: pd.DataFrame, rates: pd.DataFrame) -> tuple[str, bytes]:
    """(inputs_sha256, pack_inputs) of the inputs as `read_inputs` returns them, with
    every value written as text once."""
    texts, sizes = _texts(grants, assessments, rates), _sizes(grants, assessments, rates)
    return _fingerprint(model, texts, sizes), _pack(texts, sizes)


def _dates(values) -> np.ndarray:
    """ISO text (None for missing) as datetime64[D]."""
    return np.array([None if v is None or v != v else v for v in values], dtype="datetime64[D]")


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A table's columns in the engine's types: dates datetime64 (NaT for missing), whole
    numbers int64, rates Decimal, text str (None for missing); rates' provider_id '' for
    a general rate (and for every rate of inputs kept before tariffs existed)."""
    out = {}
    columns = TARIFF_RATE_COLUMNS if name == "rates" else INPUT_COLUMNS[name]
    for c in columns:
        if c == PROVIDER_COLUMN:  # packed, '' is written as null
            out[c] = (frame[c].where(frame[c].notna(), GENERAL).astype(object) if c in frame.columns
                      else pd.Series(GENERAL, index=frame.index, dtype=object))
            continue
        values = frame[c]
        if c in DATE_COLUMNS:
            array = values.to_numpy()
            if not np.issubdtype(array.dtype, np.datetime64):
                array = _dates(array)
            out[c] = pd.Series(array.astype("datetime64[s]"), index=frame.index)
        elif c in WHOLE_COLUMNS:
            out[c] = values.astype(np.int64)
        elif c in MONEY_COLUMNS:
            out[c] = pd.Series([Decimal(v) for v in values], index=frame.index, dtype=object)
        else:
            out[c] = values.astype(object).where(values.notna(), None)
    return pd.DataFrame(out).reset_index(drop=True)


def unpack_inputs(blob: bytes) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The inputs kept with an approval (`pack_inputs`), as `read_inputs` returns them."""
    payload = json.loads(gzip.decompress(bytes(blob)))

    def columns(name: str) -> list[str]:
        rows = payload[name]
        return TARIFF_RATE_COLUMNS if name == "rates" and rows and len(rows[0]) == len(TARIFF_RATE_COLUMNS) else INPUT_COLUMNS[name]

    return tuple(
        _typed(name, pd.DataFrame(payload[name], columns=columns(name), dtype=object))
        for name in ("grants", "assessments", "rates")
    )


# Text columns that may be NULL: PostgreSQL's CSV writes a NULL as \N and a text "\N"
# quoted, which pandas cannot tell apart; so their text comes with a "v" in front.
NULLABLE_TEXT = {"end_reason"}


def _duckdb_frame(conn: Connection, sql: str, codes: list[str]) -> pd.DataFrame:
    raw = conn.connection.connection
    marks = ", ".join("?" for _ in codes)
    return raw.execute(sql.format(codes=marks, end_reason="end_reason"), codes).df()


def _postgresql_frame(conn: Connection, name: str, sql: str, codes: list[str]) -> pd.DataFrame:
    cursor = conn.connection.cursor()
    try:
        query = cursor.mogrify(sql.format(codes=", ".join("%s" for _ in codes), end_reason="'v' || end_reason"), codes).decode()
        cursor.execute("set local datestyle = 'ISO, YMD'")  # dates as YYYY-MM-DD, until the transaction ends
        buffer = warehouse.copy_out(cursor, query)
    finally:
        cursor.close()
    columns = TARIFF_RATE_COLUMNS if name == "rates" else INPUT_COLUMNS[name]
    if not buffer.getbuffer().nbytes:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    # Every field as text; \N is NULL only where a NULL can be.
    nullable = [c for c in columns if c in NULLABLE_TEXT or c == "end_date"]
    frame = pd.read_csv(
        buffer, header=None, names=columns, dtype=object, keep_default_na=False,
        na_values={c: [NULL_TOKEN] for c in nullable}, quotechar='"', engine="c",
    )
    for c in NULLABLE_TEXT & set(columns):
        frame[c] = frame[c].str[1:]
    return frame


def read_inputs(conn: Connection, model: Model) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The model's in-scope grants, their assessments, and the rates of its interventions,
    inside the connection's transaction."""
    codes = list(model.interventions)
    frames = []
    for name, sql in QUERIES.items():
        if conn.dialect.name == "duckdb":
            frame = _duckdb_frame(conn, sql, codes)
        else:
            frame = _postgresql_frame(conn, name, sql, codes)
        frames.append(_typed(name, frame))
    return tuple(frames)
