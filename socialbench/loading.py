"""All-or-nothing loading of tidy CSV files (and of frames from other sources).

A load is one transaction:

1. Read each file CHUNK_ROWS rows at a time and validate every row with its marshmallow
   schema (column types and ranges, plausibility bounds, no CPR number in any text).
2. Stage the valid rows of each chunk in a temporary table `_sb_in_<table>` with their
   source and line number, so memory grows with a chunk, not with the file.
3. Check keys and references in SQL, against the staged and the stored rows, and the
   structural indicators against the other municipalities' values.
4. Only if nothing anywhere is wrong, upsert every table from its stage, in dependency
   order. Any problem means nothing is written; every problem says `file:line: column`.

The loadable tables (their columns, keys, references and order of loading) are declared
in `sql/tables/<table>.yml`, marked `meta: {loadable: true}`, in dbt's vocabulary: TABLES.
"""
from __future__ import annotations

import codecs
import contextlib
import csv
import dataclasses
import difflib
import io
import re
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.engine import Connection, Engine

from socialbench import fast_validation, progress, reference, schema, warehouse
from socialbench.cpr import CPR_MESSAGE, looks_like_cpr
from socialbench.errors import InputError, Problem, SocialbenchError
from socialbench.schemas import (
    INDICATOR_MAX_SD,
    INDICATOR_MIN_PEERS,
    SCHEMAS,
    TEXT_MAX_CHARS,
)

CHUNK_ROWS = 50_000


@dataclass(frozen=True)
class Reference:
    """A declared `relationships: {to, field}` test: `column` refers to `to.field`; with
    `same: [columns]`, the row referred to has the same values in those columns; with
    `where: <condition>` (dbt's test config), only the rows it selects refer to anything."""

    column: str
    to: str
    field: str
    same: tuple[str, ...] = ()
    where: str = ""


@dataclass(frozen=True)
class DateOrder:
    """A declared `expression_is_true: {expression: "later is null or later >= earlier"}`."""

    later: str
    earlier: str


DATE_ORDER = re.compile(r"\s*(\w+) is null or \1 >= (\w+)\s*")


@dataclass(frozen=True)
class TableSpec:
    """A loadable table as `sql/tables/<name>.yml` declares it."""

    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    date_orders: tuple[DateOrder, ...] = ()
    # Columns a file may leave out (`meta: {optional: true}`): added later, so that files
    # written before them still load. Left out, the column is empty in new rows and kept
    # as stored in replaced ones.
    optional: tuple[str, ...] = ()
    # What an empty cell is stored as (`meta: {empty_as: ""}`), for a column that is part
    # of the key and so cannot be null (rates.provider_id: '' is the general rate).
    empty_as: tuple[tuple[str, str], ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def required_columns(self) -> tuple[str, ...]:
        """The columns every file of the table has (all but the optional ones)."""
        return tuple(c for c in self.columns if c not in self.optional)


def _spec(doc: dict) -> TableSpec:
    name = doc["name"]
    keys = [t["unique_combination"] for t in doc.get("tests", []) if isinstance(t, dict) and "unique_combination" in t]
    if len(keys) != 1:
        raise RuntimeError(f"sql/tables/{name}.yml: a loadable table declares one key (unique_combination), found {len(keys)}")
    references = tuple(
        Reference(
            col["name"], test["relationships"]["to"], test["relationships"]["field"],
            tuple(test["relationships"].get("same", ())), test["relationships"].get("where", ""),
        )
        for col in doc["columns"]
        for test in col.get("tests", [])
        if isinstance(test, dict) and "relationships" in test
    )
    orders = tuple(
        DateOrder(*found.groups())
        for test in doc.get("tests", [])
        if isinstance(test, dict) and "expression_is_true" in test
        for found in [DATE_ORDER.fullmatch(test["expression_is_true"]["expression"])]
        if found
    )
    optional = tuple(col["name"] for col in doc["columns"] if (col.get("meta") or {}).get("optional"))
    empty_as = tuple(
        (col["name"], (col.get("meta") or {})["empty_as"]) for col in doc["columns"] if "empty_as" in (col.get("meta") or {})
    )
    return TableSpec(name, tuple(keys[0]), tuple(col["name"] for col in doc["columns"]), references, orders, optional, empty_as)


def _in_load_order(specs: dict[str, TableSpec]) -> dict[str, TableSpec]:
    """A table after the loadable tables it refers to; otherwise by name."""
    ordered: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            raise RuntimeError(f"loadable tables refer to each other in a cycle: {' -> '.join(path + (name,))}")
        if name not in ordered:
            for ref in specs[name].references:
                if ref.to in specs and ref.to != name:
                    visit(ref.to, path + (name,))
            ordered.append(name)

    for name in sorted(specs):
        visit(name, ())
    return {name: specs[name] for name in ordered}


# Every loadable table, in dependency order (a table comes after the tables its rows refer
# to), from sql/tables/*.yml.
TABLES: dict[str, TableSpec] = _in_load_order(
    {name: _spec(doc) for name, doc in schema.docs("tables").items() if doc.get("meta", {}).get("loadable")}
)

# How an unknown reference is reported, by the table referred to (others: see unknown_reference).
UNKNOWN_REFERENCE: dict[str, Callable[[object], str]] = {
    "municipality": lambda v: f"unknown municipality code {v}",
    "intervention": lambda v: f"unknown intervention code {v!r}",
    "account_function": lambda v: f"unknown function code {v!r} (only 5.28.xx and 5.38.xx functions are known)",
    "providers": lambda v: f"unknown provider {v!r}: load it in providers.csv",
    "grants": lambda v: f"unknown grant {v!r}",
}


def unknown_reference(ref: Reference, value) -> str:
    if ref.to in UNKNOWN_REFERENCE:
        return UNKNOWN_REFERENCE[ref.to](value)
    where = f": load it in {TABLES[ref.to].filename}" if ref.to in TABLES else ""
    return f"unknown {ref.field} {value!r}{where}"


def unknown_file(path: Path) -> Problem:
    """A file whose name is no loadable table's, with the closest known name."""
    known = [spec.filename for spec in TABLES.values()]
    # Names compared without `.csv` (which every name shares), so `notes` is not `rates`.
    close = difflib.get_close_matches(path.stem, list(TABLES), n=1, cutoff=0.75)
    if close:
        return Problem(
            str(path), None, None,
            f"unknown file name: did you mean {TABLES[close[0]].filename}? (expected one of {', '.join(known)})",
        )
    return Problem(str(path), None, None, f"unknown file name: expected one of {', '.join(known)}")


@dataclass
class Rows:
    """Validated rows for one table from one source; `lines` are the source line numbers.

    `frame` is a DataFrame, or an Arrow table (the CSV fast path's typed columns).
    `description` says in data_source where the rows came from (default: `source`)."""

    table: str
    source: str
    frame: pd.DataFrame | pa.Table
    lines: Sequence[int]
    description: str | None = None
    absent: tuple[str, ...] = ()  # optional columns the source left out


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
    validator = SCHEMAS[table]()
    spec = TABLES[table]
    values, lines, problems = [], [], []
    for line, record in records:
        try:
            values.append(validator.load(record))
            lines.append(line)
        except ValidationError as error:
            for column, message in _messages(error).items():
                problems.append(Problem(source, line, column, message))
    frame = pd.DataFrame(values, columns=list(spec.columns))
    return Rows(table, source, frame, lines), problems


# ---------------------------------------------------------------- reading CSV files


def _csv_problem(source: str, line: int, error: csv.Error) -> Problem:
    """A csv module error as a sentence, at the line where the record began."""
    text = str(error)
    if "unexpected end of data" in text:
        text = "the file ends inside a quoted field: a quote opened on this line is never closed"
    elif "field larger than field limit" in text:
        text = f"a field is longer than {TEXT_MAX_CHARS} characters"
    elif "expected after" in text:
        text = 'a quote inside a quoted field must be doubled ("")'
    else:
        text = f"not valid CSV: {text}"
    return Problem(source, line, None, text)


def _undecodable_line(path: Path) -> int:
    """The line of the first byte that is not UTF-8 (read line by line: bounded memory)."""
    with path.open("rb") as raw:
        for number, line in enumerate(raw, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1


# What io.TextIOWrapper decodes before it hands out the first line: a file whose first
# 8 KB are not UTF-8 gets that one problem, even if its header is wrong too.
FIRST_DECODE_BYTES = 8192
UTF8_BOM = b"\xef\xbb\xbf"


class _LineBlocks:
    """A binary file handed out a number of whole lines at a time (a line ends with \\n)."""

    READ_BYTES = 1 << 20

    def __init__(self, raw, head: bytes):
        self.raw = raw
        self.buffer = head
        self.eof = False

    def take(self, lines: int) -> bytes:
        """The next `lines` lines (fewer at the end of the file; b"" after it)."""
        found, scanned = 0, 0  # line feeds in self.buffer[:scanned]
        while True:
            here = self.buffer.count(b"\n", scanned)
            if found + here >= lines:
                tail = np.frombuffer(self.buffer, dtype=np.uint8, offset=scanned)
                cut = scanned + int(np.flatnonzero(tail == 10)[lines - found - 1]) + 1
                break
            found, scanned = found + here, len(self.buffer)
            if self.eof:
                cut = len(self.buffer)
                break
            more = self.raw.read(max(self.READ_BYTES, len(self.buffer)))
            if more:
                self.buffer += more
            else:
                self.eof = True
        out, self.buffer = self.buffer[:cut], self.buffer[cut:]
        return out

    def at_end(self) -> bool:
        if not self.buffer and not self.eof:
            self.buffer = self.raw.read(self.READ_BYTES)
            self.eof = not self.buffer
        return not self.buffer


def _lines_in(block: bytes) -> int:
    """Lines of a block without a lone carriage return (universal newlines: \\n, \\r\\n)."""
    return block.count(b"\n") + (1 if block and not block.endswith(b"\n") else 0)


def _plain_block(block: bytes) -> bool:
    """Whether every line of the block is one record of unquoted fields: no quote, no
    carriage return but before a line feed, no byte-order mark at its start (which the
    Arrow reader would drop)."""
    return b'"' not in block and block.count(b"\r") == block.count(b"\r\n") and not block.startswith(UTF8_BOM)


def _split_plain(block: bytes, columns: int) -> list[pa.Array] | None:
    """The raw cells of a plain block, one string array per column, or None when a line
    has another number of fields (an empty line included), a field is longer than the csv
    module reads, or the bytes are not UTF-8: the block is then read by the csv module."""
    names = [str(i) for i in range(columns)]
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(block),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(
                delimiter=",", quote_char=False, double_quote=False, escape_char=False,
                newlines_in_values=False, ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False, null_values=[], check_utf8=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.num_rows != _lines_in(block):
        return None
    cells = [table.column(i).combine_chunks() for i in range(columns)]
    limit = csv.field_size_limit()
    if any(len(c) and pc.max(pc.utf8_length(c)).as_py() > limit for c in cells):
        return None
    return cells


@dataclass
class CsvChunks:
    """A tidy CSV file read and validated about CHUNK_ROWS lines at a time (iterate for Rows).

    Each chunk of lines is validated by the fast path (socialbench.fast_validation) when
    it holds plain unquoted records only; if that finds anything wrong or unusual, or the
    chunk holds quotes, the chunk is read by the csv module and validated row by row by the
    schema, which says what is wrong. Problems of the file (bad rows, a broken quote,
    bytes that are not UTF-8) collect in `problems`; a file that cannot be read at all
    (unknown name, bad header) raises InputError on the first iteration."""

    path: Path
    table: str
    chunk_rows: int = CHUNK_ROWS
    problems: list[Problem] = field(default_factory=list)

    def __iter__(self) -> Iterator[Rows]:
        source = str(self.path)
        if self.table not in TABLES:
            raise InputError([unknown_file(self.path)])
        with self.path.open("rb") as raw:
            try:
                head = raw.read(FIRST_DECODE_BYTES)
                codecs.getincrementaldecoder("utf-8-sig")().decode(head)  # as TextIOWrapper's first read
                yield from self._read(source, _LineBlocks(raw, head.removeprefix(UTF8_BOM)))
            except UnicodeDecodeError:
                # The file is not text: that one problem stands for all of it.
                self.problems[:] = [Problem(source, _undecodable_line(self.path), None, "not UTF-8 text")]

    def _check_header(self, source: str, header: list[str]) -> list[str]:
        expected = TABLES[self.table].columns
        header = [h.strip() for h in header]
        optional = TABLES[self.table].optional
        problems = [Problem(source, 1, c, "missing column") for c in expected if c not in header and c not in optional]
        problems += [Problem(source, 1, c or "(blank)", "unexpected column") for c in header if c not in expected]
        problems += [Problem(source, 1, c, "column appears twice") for c in set(header) if header.count(c) > 1]
        if problems:
            raise InputError(problems)
        return header

    def _read(self, source: str, blocks: _LineBlocks) -> Iterator[Rows]:
        header = None
        first = blocks.take(1)
        if _plain_block(first):
            # An unquoted header line: read it alone, so that the first chunk can be plain.
            try:
                row = next(csv.reader(io.StringIO(first.decode("utf-8"), newline=""), strict=True))
            except StopIteration:
                raise InputError([Problem(source, 1, None, "empty file: expected a header row")])
            except csv.Error as error:
                raise InputError([_csv_problem(source, 1, error)])
            header, block, line = self._check_header(source, row), b"", 2
        else:
            block, line = first, 1
        fast = fast_validation.supported(self.table, TABLES[self.table].columns)
        yielded = False
        while True:
            block += blocks.take(self.chunk_rows)
            if not block:
                if not yielded:  # a header alone: the file is still a source of (no) rows
                    yield validate_records(self.table, source, [])[0]
                return
            yielded = True
            if fast and header is not None and len(header) > 1 and _plain_block(block):
                rows = self._fast(source, block, header, line)
                if rows is not None:
                    yield rows
                    line += len(rows.lines)
                    block = b""
                    continue
            rows, header, lines, stop, more = self._rows(source, block, header, line, blocks.at_end())
            if more:
                continue  # the block ends inside a quoted field: read on to its end
            yield rows
            if stop:
                return
            line += lines
            block = b""

    def _fast(self, source: str, block: bytes, header: list[str], line: int) -> Rows | None:
        cells = _split_plain(block, len(header))
        if cells is None:
            return None
        values = fast_validation.validate_chunk(self.table, dict(zip(header, cells)))
        if values is None:
            return None
        return Rows(self.table, source, values, np.arange(line, line + values.num_rows, dtype=np.int64))

    def _absent(self, header: list[str]) -> tuple[str, ...]:
        return tuple(c for c in TABLES[self.table].optional if c not in header)

    def _rows(self, source: str, block: bytes, header: list[str] | None, first_line: int, at_end: bool):
        """The block read by the csv module and validated row by row (the header first, if
        not yet read): (rows, header, lines read, stop reading, block ends inside a quote)."""
        reader = csv.reader(io.StringIO(block.decode("utf-8"), newline=""), strict=True)
        if header is None:
            try:
                row = next(reader)
            except StopIteration:
                raise InputError([Problem(source, 1, None, "empty file: expected a header row")])
            except csv.Error as error:
                if "unexpected end of data" in str(error) and not at_end:
                    return None, None, 0, False, True
                raise InputError([_csv_problem(source, 1, error)])
            header = self._check_header(source, row)
        records: list[tuple[int, dict[str, str | None]]] = []
        problems: list[Problem] = []
        stop = False
        line = first_line + reader.line_num
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                if "unexpected end of data" in str(error) and not at_end:
                    return None, None, 0, False, True
                problems.append(_csv_problem(source, line, error))
                stop = True
                break  # the rest of the file cannot be read reliably
            if row and len(row) != len(header):
                problems.append(Problem(source, line, None, f"{len(row)} fields, expected {len(header)}"))
            elif row:
                records.append((line, {col: (cell.strip() or None) for col, cell in zip(header, row)}))
            line = first_line + reader.line_num
        rows, invalid = validate_records(self.table, source, records)
        rows.absent = self._absent(header)
        self.problems += problems + invalid
        return rows, header, reader.line_num, stop, False


# ---------------------------------------------------------------- the stage


def stage_table(table: str) -> str:
    return f"_sb_in_{table}"


@dataclass
class Stage:
    """Validated rows of one load, in temporary tables inside the load's transaction.

    `_sb_in_<table>` has the table's columns and types plus `_src` (which source) and
    `_line` (the source line); `sources[_src]` is the source's name and description."""

    conn: Connection
    sources: list[tuple[str, str, str | None]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # Sources whose keys were staged in strictly ascending order (so that none repeats),
    # with the last key staged (None before the first row): no duplicate check in SQL.
    ascending: dict[int, tuple | None] = field(default_factory=dict)
    # The optional columns each source left out.
    absent: dict[int, set[str]] = field(default_factory=dict)
    # The insert of the last chunk, running in a thread of its own while the next chunk is
    # read (the engine works while Python reads); at most one at a time.
    _writer: ThreadPoolExecutor | None = None
    _pending: Future | None = None

    def wait(self) -> None:
        """Wait for the chunk being inserted (raising its error, if any): before any other
        use of the connection."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        """Wait for the chunk being inserted, whatever happens to it, and end the thread."""
        try:
            self.wait()
        finally:
            if self._writer is not None:
                self._writer.shutdown()
                self._writer = None

    def source(self, table: str, source: str, description: str | None = None) -> int:
        """Register a source of rows for table; returns its number."""
        self.wait()
        if table not in self.counts:
            warehouse.create_temp_table(
                self.conn, stage_table(table), table, TABLES[table].columns, {"_src": "integer", "_line": "integer"}
            )
            self.counts[table] = 0
        self.sources.append((table, source, description))
        self.ascending[len(self.sources) - 1] = None
        return len(self.sources) - 1

    def add(self, src: int, rows: Rows) -> None:
        """Stage validated rows of a registered source."""
        columns = list(TABLES[rows.table].columns)
        # A frame without an optional column (a file or frame written before the column
        # existed) leaves it out: staged empty, and kept as stored by the upsert (store).
        arrow = isinstance(rows.frame, pa.Table)
        present = rows.frame.column_names if arrow else rows.frame.columns
        left_out = [c for c in TABLES[rows.table].optional if c not in present]
        if left_out:
            fields = SCHEMAS[rows.table]().fields
            frame = rows.frame
            for c in left_out:
                frame = (frame.append_column(c, pa.nulls(frame.num_rows, fast_validation.arrow_type(fields[c])))
                         if arrow else frame.assign(**{c: None}))
            rows = dataclasses.replace(rows, frame=frame)
        self.absent.setdefault(src, set(rows.absent) | set(left_out))
        if isinstance(rows.frame, pa.Table):
            if rows.frame.num_rows == 0:
                return
            n = rows.frame.num_rows
            if src in self.ascending:
                ascending, last = _ascending_keys(rows.frame, TABLES[rows.table].key, self.ascending[src])
                if ascending:
                    self.ascending[src] = last
                else:
                    del self.ascending[src]
            frame = rows.frame.select(columns).append_column(
                "_src", pa.array(np.full(n, src, dtype=np.int32))
            ).append_column("_line", pa.array(np.asarray(rows.lines, dtype=np.int32)))
        else:
            if rows.frame.empty:
                return
            frame = rows.frame[columns].assign(_src=src, _line=list(rows.lines))
            self.ascending.pop(src, None)  # not known: checked in SQL
        self.wait()
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="socialbench-stage")
        self._pending = self._writer.submit(warehouse.insert_frame, self.conn, stage_table(rows.table), frame)
        self.counts[rows.table] += len(frame)

    def keys_unique(self, table: str) -> bool:
        """Whether every source of table staged its keys in strictly ascending order."""
        return all(src in self.ascending for src, (t, _, _) in enumerate(self.sources) if t == table)

    def file(self, src: int) -> str:
        return self.sources[src][1]

    def drop(self) -> None:
        self.wait()
        for table in self.counts:
            self.conn.execute(sa.text(f"drop table if exists {stage_table(table)}"))

    def left_out(self, table: str) -> set[str]:
        """The optional columns of table that every source of this load left out."""
        found = [self.absent.get(src, set()) for src, (t, _, _) in enumerate(self.sources) if t == table]
        return set.intersection(*found) if found else set()

    def latest(self, table: str, columns: Iterable[str]) -> str:
        """SQL for the staged rows of table, one per key: the last source's (as an upsert
        of the sources in order would leave them)."""
        key = ", ".join(TABLES[table].key)
        empty = dict(TABLES[table].empty_as)
        cols = ", ".join(f"coalesce({c}, '{empty[c]}') as {c}" if c in empty else c for c in columns)
        if sum(t == table for t, _, _ in self.sources) == 1:
            return f"select {cols} from {stage_table(table)}"  # one source: its keys are unique once checked
        return (
            f"select {cols} from (select {', '.join(columns)}, row_number() over "
            f"(partition by {key} order by _src desc, _line desc) as _rn from {stage_table(table)}) as latest "
            "where _rn = 1"
        )


def _ascending_keys(frame: pa.Table, key: Sequence[str], before: tuple | None) -> tuple[bool, tuple | None]:
    """Whether the rows' keys are strictly ascending (and above `before`, the last key
    before them), and the last key. Strictly ascending keys cannot repeat; equal under
    Arrow's comparison (bytes of text, days, numbers) is equal for either engine's key."""
    columns = [frame.column(k).combine_chunks() for k in key]
    if before is not None:
        columns = [pa.concat_arrays([pa.array([b], c.type), c]) for b, c in zip(before, columns)]
    n = len(columns[0])
    if any(c.null_count for c in columns):
        return False, None
    if n >= 2:
        ascending = pa.array(np.zeros(n - 1, dtype=bool))
        equal = pa.array(np.ones(n - 1, dtype=bool))
        for c in columns:
            a, b = c.slice(0, n - 1), c.slice(1)
            ascending = pc.or_(ascending, pc.and_(equal, pc.less(a, b)))
            equal = pc.and_(equal, pc.equal(a, b))
        if not pc.all(ascending).as_py():
            return False, None
    return True, tuple(c[n - 1].as_py() for c in columns) if n else before


# ---------------------------------------------------------------- checks


def _query(conn: Connection, sql: str) -> list:
    return conn.execute(sa.text(sql)).fetchall()


def _shown(value) -> str:
    return "open" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _after_load(stage: Stage, table: str, columns: list[str]) -> str:
    """A select of `columns` of `table` as they will be after this load: the stored rows,
    overridden by the staged ones (by key)."""
    stored = f"select {', '.join(columns)} from {table}"
    if table not in stage.counts:
        return stored
    key = TABLES[table].key
    same_key = " and ".join(f"s.{k} = t.{k}" for k in key)
    return (
        f"{stored} as t where not exists (select 1 from {stage_table(table)} as s where {same_key}) "
        f"union all {stage.latest(table, columns)}"
    )


def check(conn: Connection, stage: Stage) -> list[Problem]:
    """Keys unique within each source; every reference known in the warehouse or in the
    stage; structural indicators plausible. Problems in the order a reader fixes them."""
    problems: list[Problem] = []
    staged = [t for t in TABLES if t in stage.counts]

    def add(sql: str, column: str, message: Callable[..., str]) -> None:
        for row in _query(conn, sql):
            problems.append(Problem(stage.file(row[0]), row[1], column, message(*row[2:])))

    for table in staged:
        if stage.keys_unique(table):
            continue  # staged in strictly ascending key order: no key repeats
        key = list(TABLES[table].key)
        keys = ", ".join(key)
        add(
            f"with repeated as (select _src, {keys} from {stage_table(table)} group by _src, {keys} "
            "having count(*) > 1) "
            f"select _src, _line, {keys}, _first from (select _src, _line, {keys}, "
            f"row_number() over (partition by _src, {keys} order by _line) as _rn, "
            f"min(_line) over (partition by _src, {keys}) as _first "
            f"from {stage_table(table)} join repeated using (_src, {keys})) as d "
            "where _rn > 1 order by _src, _line",
            ",".join(key),
            lambda *values: "duplicate key ({}), first on line {}".format(
                ", ".join(f"{c}={v}" for c, v in zip(key, values)), values[-1]
            ),
        )

    # Every declared reference: known in the warehouse or staged in this load. By the table
    # referred to (reference data first, then the loadable tables in load order), so that
    # the problems of one line come in that order.
    parents = list(reference.REFERENCE_TABLES) + list(TABLES)
    refs = sorted(
        ((table, ref) for table in staged for ref in TABLES[table].references),
        key=lambda item: parents.index(item[1].to) if item[1].to in parents else len(parents),
    )
    for table, ref in refs:
        only = f" and ({ref.where})" if ref.where else ""
        in_stage = (
            f" and not exists (select 1 from {stage_table(ref.to)} as p where p.{ref.field} = s.{ref.column})"
            if ref.to in staged else ""
        )
        add(
            f"select _src, _line, {ref.column} from {stage_table(table)} as s where s.{ref.column} is not null{only} "
            f"and not exists (select 1 from {ref.to} as r where r.{ref.field} = s.{ref.column}){in_stage} "
            "order by _src, _line",
            ref.column,
            lambda value, ref=ref: unknown_reference(ref, value),
        )
    for table, ref in refs:
        if ref.same:
            parent = _after_load(stage, ref.to, [ref.field, *ref.same])
            differs = " or ".join(f"p.{c} <> s.{c}" for c in ref.same)
            add(
                f"with p as ({parent}) select s._src, s._line, s.{ref.column}, "
                + ", ".join(f"s.{c}, p.{c}" for c in ref.same)
                + f" from {stage_table(table)} as s join p on p.{ref.field} = s.{ref.column} where {differs} "
                "order by s._src, s._line",
                ref.column,
                lambda value, *pairs, ref=ref: "{} {!r} belongs to {} in {}, not {}".format(
                    ref.column, value,
                    ", ".join(f"{c} {pairs[2 * i + 1]}" for i, c in enumerate(ref.same)),
                    TABLES[ref.to].filename if ref.to in TABLES else ref.to,
                    ", ".join(f"{c} {pairs[2 * i]}" for i, c in enumerate(ref.same)),
                ),
            )
    # Every declared order of two dates (e.g. end_date on or after start_date).
    for table in staged:
        for order in TABLES[table].date_orders:
            add(
                f"select _src, _line, {order.later}, {order.earlier} from {stage_table(table)} "
                f"where {order.later} is not null and {order.later} < {order.earlier} order by _src, _line",
                order.later,
                lambda later, earlier, order=order: f"{order.later} {later} is before {order.earlier} {earlier}",
            )
    if "assessments" in staged:
        grants = _after_load(stage, "grants", ["grant_id", "start_date", "end_date"])
        a = stage_table("assessments")
        add(
            f"with g as ({grants}) select a._src, a._line, a.assessed_on, g.start_date, g.end_date "
            f"from {a} as a join g on g.grant_id = a.grant_id "
            "where a.assessed_on < g.start_date or (g.end_date is not null and a.assessed_on > g.end_date) "
            "order by a._src, a._line",
            "assessed_on",
            lambda on, start, end: f"assessment on {on} is outside its grant's dates {_shown(start)} to {_shown(end)}",
        )
    if "structural_indicators" in staged:
        problems += implausible_indicators(conn, stage)
    return problems


def implausible_indicators(conn: Connection, stage: Stage) -> list[Problem]:
    """Staged structural indicators far outside the other municipalities' values.

    For each staged value x of an indicator and year, the other municipalities' values of
    the same indicator and year (stored rows, overridden by the stage) give their lowest
    and highest value and their sample standard deviation s; x is refused if it lies more
    than INDICATOR_MAX_SD * s below the lowest or above the highest. Leave-one-out matters:
    a value included in its own mean and deviation can never lie more than (n - 1) / sqrt(n)
    deviations from the mean (9.8 for n = 98), so a bound of 10 would never bite. Measured
    from the others' range rather than their mean, so that a real but lonely extreme
    (Frederiksberg's population density, 14 deviations above the others' mean) stays in.
    Skipped with fewer than INDICATOR_MIN_PEERS other values, or when they are all equal.
    Several absurd values of one indicator and year in one load widen each other's bound;
    the absolute bound INDICATOR_MAX_ABS (schemas) still holds for each.
    """
    s = stage_table("structural_indicators")
    columns = ["municipality_code", "year", "indicator", "value", "_src", "_line"]
    latest = stage.latest("structural_indicators", columns)
    frame = warehouse.read_frame(
        conn,
        f"with staged as ({latest}) "
        "select municipality_code, year, indicator, value, _src, _line from staged "
        "union all select i.municipality_code, i.year, i.indicator, i.value, null, null "
        "from structural_indicators as i "
        f"where exists (select 1 from {s} as s where s.indicator = i.indicator and s.year = i.year) "
        f"and not exists (select 1 from {s} as s where s.municipality_code = i.municipality_code "
        "and s.indicator = i.indicator and s.year = i.year)",
    )
    problems = []
    for (indicator, year), group in frame.groupby(["indicator", "year"], sort=True):
        values = group["value"].to_numpy(dtype=float)
        if len(values) - 1 < INDICATOR_MIN_PEERS:
            continue
        for i in np.flatnonzero(group["_src"].notna().to_numpy()):
            others = np.delete(values, i)
            with np.errstate(over="ignore", invalid="ignore"):
                sd = others.std(ddof=1)
                low, high = others.min() - INDICATOR_MAX_SD * sd, others.max() + INDICATOR_MAX_SD * sd
            if not np.isfinite(sd) or sd == 0 or low <= values[i] <= high:
                continue
            row = group.iloc[i]
            problems.append(Problem(
                stage.file(int(row["_src"])), int(row["_line"]), "value",
                f"implausible value {values[i]:g} of {indicator} in {year}: more than {INDICATOR_MAX_SD} "
                f"standard deviations ({sd:.6g}) outside the other {len(others)} municipalities' values "
                f"{others.min():.6g} to {others.max():.6g} (allowed {low:.6g} to {high:.6g})",
            ))
    return problems


# ---------------------------------------------------------------- writing


def store(conn: Connection, stage: Stage) -> dict[str, int]:
    """Upsert every staged table, in dependency order (inside the caller's transaction)."""
    counts: dict[str, int] = {}
    for table in progress.track([t for t in TABLES if t in stage.counts], label="Writing"):
        spec = TABLES[table]
        # An optional column no file of the load has: empty in new rows, as stored in replaced ones.
        # A column with `empty_as` is part of the key: never left out (stored as empty_as).
        columns = [c for c in spec.columns if c not in stage.left_out(table) or c in dict(spec.empty_as)]
        warehouse.upsert_select(conn, table, columns, spec.key, stage.latest(table, columns))
        counts[table] = stage.counts[table]
    return counts


def require_initialised(conn: Connection) -> None:
    if not sa.inspect(conn).has_table("schema_version"):
        raise SocialbenchError("the warehouse is not initialised: run `socialbench init` first")


def record_sources(conn: Connection, sources: dict[str, str], synthetic: bool) -> None:
    """Remember where the rows of each table came from ({table: source}; shown on every
    dashboard). A source that looks like a CPR number is refused."""
    refused = [Problem(src, None, "source", CPR_MESSAGE) for src in sources.values() if looks_like_cpr(src)]
    if refused:
        raise InputError(refused)
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


def _finish(
    conn: Connection,
    stage: Stage,
    problems: list[Problem],
    source: str | None,
    synthetic: bool,
    after_store: Callable[[Connection], None] | None,
) -> dict[str, int]:
    """Check the stage and, if nothing is wrong, write it (inside the load's transaction)."""
    stage.wait()
    warehouse.analyze(conn, [stage_table(t) for t in stage.counts])
    problems = problems + check(conn, stage)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    counts = store(conn, stage)
    record_sources(conn, {t: source or d or s for t, s, d in stage.sources}, synthetic)
    if after_store is not None:
        after_store(conn)
    stage.drop()
    return counts


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
    with engine.connect() as conn, warehouse.bounded_memory(conn), conn.begin():
        warehouse.tune_load_transaction(conn)
        require_initialised(conn)
        with contextlib.closing(Stage(conn)) as stage:
            for rows in batch:
                stage.add(stage.source(rows.table, rows.source, rows.description), rows)
            return _finish(conn, stage, list(problems or []), source, synthetic, after_store)


def csv_files(path: Path) -> list[tuple[Path, str]]:
    """The files a PATH names: one file, or every known file of a directory, in dependency order."""
    if not path.exists():
        raise SocialbenchError(f"{path}: no such file or directory")
    if path.is_file():
        return [(path, path.stem)]
    found = [(path / spec.filename, name) for name, spec in TABLES.items() if (path / spec.filename).is_file()]
    if not found and not unknown_csv_files(path):
        known = ", ".join(spec.filename for spec in TABLES.values())
        raise SocialbenchError(f"{path}: no known CSV files (expected some of {known})")
    return found


def unknown_csv_files(folder: Path) -> list[Path]:
    """The CSV files of a directory that are no loadable table's (a misspelt name is refused,
    never skipped)."""
    known = {spec.filename for spec in TABLES.values()}
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.name not in known and p.is_file())


def load_path(engine: Engine, path: Path, chunk_rows: int = CHUNK_ROWS) -> dict[str, int]:
    """Load one CSV file or every known CSV file in a directory, all or nothing, reading
    and staging `chunk_rows` rows at a time."""
    files = csv_files(Path(path))
    problems = [unknown_file(p) for p in unknown_csv_files(Path(path))] if Path(path).is_dir() else []
    with engine.connect() as conn, warehouse.bounded_memory(conn), conn.begin():
        warehouse.tune_load_transaction(conn)
        require_initialised(conn)
        with contextlib.closing(Stage(conn)) as stage:
            for file, table in progress.track(files, label="Reading"):
                chunks = CsvChunks(file, table, chunk_rows)
                try:
                    src = None
                    for rows in chunks:
                        src = stage.source(table, str(file)) if src is None else src
                        stage.add(src, rows)
                except InputError as error:
                    problems += error.problems
                    continue
                problems += chunks.problems
            return _finish(conn, stage, problems, None, False, None)
