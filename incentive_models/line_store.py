"""A run's lines in the ledger, in bulk: written, read back and fingerprinted.

The lines travel in day numbers and whole øre (the engine's `line_frame`): DuckDB inserts
them from a DataFrame it scans itself, PostgreSQL takes them by `COPY`; they are read
back the same way (money as `amount * 100`, exact whole øre). `lines_sha256` gives the
same fingerprint as the first, row-by-row version (kept in the tests as the oracle):
every column of every line as text (ISO dates, kroner with 2 decimals, "" for none), one
JSON list per line, sorted.
"""
from __future__ import annotations

import hashlib
import io

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from incentive_models import ore, text_columns
from incentive_models.engine import LINE_COLUMNS, NO_DAY, ORE_COLUMNS
from socialbench import warehouse

NULL_TOKEN = warehouse.NULL_TOKEN
TEXT_COLUMNS = ["provider_id", "intervention_code", "grant_id", "citizen_key", "capped_by", "explanation"]
DAY_COLUMNS = ["episode_start", "qualified_on"]
WHOLE_COLUMNS = ["municipality_code", "baseline_level", "days_counted", "exit_days"]
# The statement's order of lines (and the order of every line read back).
ORDER = "order by provider_id, municipality_code, citizen_key, grant_id, episode_start"


def _iso(days: np.ndarray) -> np.ndarray:
    """Day numbers as ISO dates; NO_DAY as None."""
    return text_columns.by_unique(np.asarray(days, dtype=np.int64), lambda n: None if n == NO_DAY else str(np.datetime64(n, "D")))


def _texts(lines: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each line column as text (object arrays; None where the ledger has NULL)."""
    out = {}
    for c in LINE_COLUMNS:
        if c in ORE_COLUMNS:
            out[c] = ore.text(lines[ORE_COLUMNS[c]].to_numpy(np.int64))
        elif c in DAY_COLUMNS:
            out[c] = _iso(lines[c].to_numpy(np.int64))
        elif c in WHOLE_COLUMNS:
            out[c] = text_columns.by_unique(lines[c].to_numpy(np.int64), str)
        else:
            values = lines[c].to_numpy(dtype=object)
            out[c] = np.where(pd.isna(values), None, values)
    return out


def lines_sha256(lines: pd.DataFrame) -> str:
    """A fingerprint of a run's lines (in øre, `line_frame`): every column of every line,
    in a fixed order."""
    if not len(lines):
        return hashlib.sha256(b"").hexdigest()
    texts = _texts(lines)
    parts = ["["]
    for c in LINE_COLUMNS:
        parts += [*text_columns.json_parts(texts[c]), ", "]
    parts[-1] = "]"
    return hashlib.sha256("\n".join(sorted(text_columns.rows(parts))).encode()).hexdigest()


def totals(lines: pd.DataFrame) -> dict[str, int]:
    """{money column: its total over the lines in whole øre}."""
    return {c: int(lines[o].to_numpy(np.int64).sum()) if len(lines) else 0 for c, o in ORE_COLUMNS.items()}


def _data_error(error: Exception, what: str) -> sa.exc.DataError:
    return sa.exc.DataError(what, None, error)


def write_lines(conn: Connection, run_id: str, lines: pd.DataFrame) -> int:
    """Insert a run's lines (in øre, `line_frame`) into settlement_line."""
    if not len(lines):
        return 0
    columns = ["run_id", *LINE_COLUMNS]
    if conn.dialect.name == "duckdb":
        import duckdb

        # Whole numbers as they are; DuckDB makes the dates and exact decimals itself.
        _sb_lines = pd.DataFrame(  # noqa: F841 (scanned by name below)
            {"run_id": np.full(len(lines), run_id, dtype=object), **{c: lines[ORE_COLUMNS.get(c, c)].to_numpy() for c in LINE_COLUMNS}}
        )
        select = []
        for c in columns:
            if c in ORE_COLUMNS:
                select.append(f"cast(cast({c} as decimal(18, 0)) * 0.01 as decimal(14, 2))")
            elif c in DAY_COLUMNS:
                select.append(f"case when {c} = {int(NO_DAY)} then null else date '1970-01-01' + cast({c} as integer) end")
            else:
                select.append(c)
        try:
            conn.connection.connection.execute(f"insert into settlement_line ({', '.join(columns)}) select {', '.join(select)} from _sb_lines")
        except (duckdb.ConversionException, duckdb.OutOfRangeException) as error:
            raise _data_error(error, "insert into settlement_line") from error
        return len(lines)
    texts = _texts(lines)
    import psycopg2

    fields = []
    for c in columns:
        values = np.full(len(lines), run_id, dtype=object) if c == "run_id" else texts[c]
        missing = pd.isna(values)
        if c in TEXT_COLUMNS or c == "run_id":
            clean = np.where(missing, "", values)
            if '"' in "".join(clean.tolist()):
                clean = np.array([v.replace('"', '""') for v in clean], dtype=object)
            values = '"' + clean + '"'
        fields.append(np.where(missing, NULL_TOKEN, values) if missing.any() else values)
    buffer = io.StringIO("\n".join(text_columns.rows(fields, ",")) + "\n")
    cursor = conn.connection.cursor()
    try:
        cursor.copy_expert(
            f"copy settlement_line ({', '.join(columns)}) from stdin with (format csv, null '{NULL_TOKEN}')", buffer
        )
    except psycopg2.DataError as error:
        raise _data_error(error, "copy settlement_line") from error
    finally:
        cursor.close()
    return len(lines)


def _select(dialect: str) -> str:
    days = "cast({c} - date '1970-01-01' as bigint)" if dialect == "duckdb" else "({c} - date '1970-01-01')"
    parts = []
    for c in LINE_COLUMNS:
        if c in DAY_COLUMNS:
            parts.append(f"{days.format(c=c)} as {c}")
        elif c in ORE_COLUMNS:
            parts.append(f"cast({c} * 100 as bigint) as {ORE_COLUMNS[c]}")
        elif c == "capped_by" and dialect != "duckdb":
            parts.append("'v' || capped_by as capped_by")  # so that NULL and text stay apart in CSV
        else:
            parts.append(c)
    return ", ".join(parts)


def read_lines(conn: Connection, run_id: str) -> pd.DataFrame:
    """A run's stored lines in day numbers and whole øre (as `line_frame` has them)."""
    names = [ORE_COLUMNS.get(c, c) for c in LINE_COLUMNS]
    sql = f"select {_select(conn.dialect.name)} from settlement_line where run_id = {{run_id}} {ORDER}"
    if conn.dialect.name == "duckdb":
        frame = conn.connection.connection.execute(sql.format(run_id="?"), [run_id]).df()
    else:
        cursor = conn.connection.cursor()
        try:
            query = cursor.mogrify(sql.format(run_id="%s"), (run_id,)).decode()
            buffer = warehouse.copy_out(cursor, query)
        finally:
            cursor.close()
        if not buffer.getbuffer().nbytes:
            frame = pd.DataFrame({c: pd.Series(dtype=object) for c in names})
        else:
            frame = pd.read_csv(
                buffer, header=None, names=names, keep_default_na=False, engine="c",
                dtype={c: object for c in TEXT_COLUMNS}, na_values={"qualified_on": [NULL_TOKEN], "capped_by": [NULL_TOKEN]},
            )
            frame["capped_by"] = frame["capped_by"].str[1:]
    out = {}
    for c in names:
        values = frame[c]
        if c == "qualified_on":
            out[c] = values.fillna(NO_DAY).to_numpy().astype(np.int64)
        elif c in TEXT_COLUMNS:
            out[c] = values.astype(object).where(values.notna(), None).to_numpy()
        else:
            out[c] = values.to_numpy().astype(np.int64)
    return pd.DataFrame(out, columns=names)


PAID_ORE_COLUMNS = [
    "grant_id", "episode_start", "paid_ore", "provider_id", "municipality_code", "intervention_code",
    "citizen_key", "baseline_level",
]


def _native(conn: Connection, sql: str, params: list, names: list[str], text: list[str]) -> pd.DataFrame:
    """A query's rows read natively (`?` marks the parameters); no column may be NULL."""
    if conn.dialect.name == "duckdb":
        return conn.connection.connection.execute(sql, params).df()
    cursor = conn.connection.cursor()
    try:
        query = cursor.mogrify(sql.replace("?", "%s"), params).decode()
        buffer = warehouse.copy_out(cursor, query)  # no NULL here: the NULL mark is never written
    finally:
        cursor.close()
    if not buffer.getbuffer().nbytes:
        return pd.DataFrame({c: pd.Series(dtype=object if c in text else np.int64) for c in names})
    return pd.read_csv(buffer, header=None, names=names, keep_default_na=False, na_filter=False, engine="c",
                       dtype={c: object if c in text else np.int64 for c in names})


def read_paid(conn: Connection, model_id: str, as_of, before: int) -> pd.DataFrame:
    """What approved runs paid (see `runs._read_paid`), per (grant, first day): its
    payouts' sum in whole øre and the attributes of its latest line (PAID_ORE_COLUMNS,
    first days as day numbers); episodes paid nothing in total are left out."""
    days = "cast(l.episode_start - date '1970-01-01' as bigint)" if conn.dialect.name == "duckdb" else "(l.episode_start - date '1970-01-01')"
    sql = (
        f"select l.grant_id, {days} as episode_start, cast(l.payout_dkk * 100 as bigint) as paid_ore, l.provider_id,"
        " l.municipality_code, l.intervention_code, l.citizen_key, l.baseline_level, coalesce(a.approval_no, 0) as approval_no"
        " from settlement_line l join settlement_run r on r.run_id = l.run_id"
        " left join settlement_approval a on a.run_id = l.run_id"
        " where r.status = 'approved' and (r.model_id <> ? or r.as_of < ?) and coalesce(a.approval_no, 0) < ?"
    )
    names = [*PAID_ORE_COLUMNS, "approval_no"]
    rows = _native(conn, sql, [model_id, as_of, before], names, ["grant_id", "provider_id", "intervention_code", "citizen_key"])
    if rows.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("grant_id", "provider_id", "intervention_code", "citizen_key") else np.int64)
                             for c in PAID_ORE_COLUMNS})
    # In the order of the approval ledger: the last row of an episode is its latest line.
    rows = rows.astype({c: np.int64 for c in ("episode_start", "paid_ore", "municipality_code", "baseline_level", "approval_no")})
    rows = rows.sort_values("approval_no", kind="stable")
    keys = ["grant_id", "episode_start"]
    totals = rows.groupby(keys, sort=False)["paid_ore"].sum()
    paid = rows.drop_duplicates(keys, keep="last").drop(columns="paid_ore").set_index(keys).join(totals).reset_index()
    paid = paid.loc[paid["paid_ore"] != 0]
    return paid[PAID_ORE_COLUMNS].reset_index(drop=True)
