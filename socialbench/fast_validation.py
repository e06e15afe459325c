"""The loader's fast path: a whole chunk of CSV cells validated column by column.

`validate_chunk(table, cells)` takes the raw text cells of a chunk, one Arrow string array
per column (as the CSV file holds them: not yet stripped, empty cells as ""), and returns
the values that the table's marshmallow schema (socialbench.schemas.SCHEMAS) would give
row by row, as an Arrow table, if every row is valid; otherwise None, and the caller
validates the chunk row by row with the schema to say what is wrong (so that every
message comes from the schema itself).

Exactly as strict as the schema, by construction where it matters: each column's
*distinct* cells are checked once, and a distinct cell is decided either

- by the column's own marshmallow field (`field.deserialize(cell.strip() or None)`, what
  Schema.load does for that column): every cell outside the plain ASCII below, every
  empty cell, every column whose field or validators have no vectorised form here, and
  every text with ten digits or more (the CPR detector then runs on it); or
- vectorised, for the kinds of column with many distinct values (ids, counts, days):
  Text (socialbench.schemas.Text), Whole and Day, on cells of printable ASCII without a
  space at either end (so that strip() leaves them as they are). For such a cell the
  field's rules reduce to what is computed here: a text has no NUL, no control
  character, at most TEXT_MAX_CHARS characters, and fewer than ten digits cannot hold a
  CPR number (socialbench.cpr); a whole number is `-?[0-9]{1,10}` within the SQL integer
  range; a day `YYYY-MM-DD` from year 0001 that the calendar has; plus the field's
  Length, OneOf and Range validators.

A schema with its own hooks (`@validates`, `@validates_schema`, pre/post-load), a field of
another kind, or fields other than the table's columns is not handled: `supported(table)`
is False and the loader validates that table row by row. tests/socialbench/
test_fast_validation.py checks, for random valid and invalid cells, that a chunk is
valid here exactly when the schema finds no problem, with identical values.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from marshmallow import Schema, ValidationError, fields, validate

from socialbench.cpr import CPR_DIGITS
from socialbench.schemas import SCHEMAS, TEXT_MAX_CHARS, Amount, Day, Flag, Real, Text, Whole

# A whole number whose int() fits in int64 without question (10 digits at most).
PLAIN_WHOLE = r"^-?[0-9]{1,10}$"
PLAIN_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _per_string(strings: pa.Array, byte_mask) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each string of a string array without nulls: how many of its bytes `byte_mask`
    (a function of a uint8 array) marks, its first and its last byte (0 if empty)."""
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32)[strings.offset : strings.offset + len(strings) + 1]
    data = strings.buffers()[2]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    marked = np.concatenate([[0], np.cumsum(byte_mask(data), dtype=np.int64)])
    starts, ends = offsets[:-1], offsets[1:]
    padded = np.concatenate([data, [0]])
    empty = ends == starts
    first = np.where(empty, 0, padded[np.minimum(starts, len(data))])
    last = np.where(empty, 0, padded[np.maximum(ends - 1, 0)])
    return marked[ends] - marked[starts], first, last


def _plain(strings: pa.Array) -> np.ndarray:
    """Which strings are PLAIN: non-empty printable ASCII with no space at either end."""
    outside, first, last = _per_string(strings, lambda b: (b < 0x20) | (b > 0x7E))
    return (outside == 0) & (first > 0x20) & (last > 0x20)


def _digits(strings: pa.Array) -> np.ndarray:
    """How many ASCII digits each string holds."""
    return _per_string(strings, lambda b: (b >= 0x30) & (b <= 0x39))[0]


def arrow_type(field: fields.Field) -> pa.DataType | None:
    """The Arrow type of a field's values, or None: a field the fast path does not know."""
    if isinstance(field, Text):
        return pa.string()
    if isinstance(field, Whole):
        return pa.int64()
    if isinstance(field, Day):
        return pa.date32()
    if isinstance(field, Amount):
        return pa.decimal128(field.sql_type.precision, field.sql_type.scale)
    if isinstance(field, Real):
        return pa.float64()
    if type(field) is fields.Boolean or isinstance(field, Flag):
        return pa.bool_()
    return None


@lru_cache(maxsize=None)
def _schema(table: str) -> Schema:
    return SCHEMAS[table]()


def supported(table: str, columns: tuple[str, ...]) -> bool:
    """Whether the fast path decides chunks of this table exactly as its schema."""
    if table not in SCHEMAS:
        return False
    schema = _schema(table)
    if any(schema._hooks.get(tag) for tag in list(schema._hooks)):
        return False  # @validates, @validates_schema, pre/post-load: the row path only
    if sorted(schema.fields) != sorted(columns) or set(schema.load_fields) != set(schema.fields):
        return False
    return all(
        arrow_type(f) is not None and f.data_key is None and f.attribute is None for f in schema.fields.values()
    )


def _exact(field: fields.Field, name: str, cell: str | None):
    """(valid, value) of one cell as Schema.load reads it: stripped, empty as None."""
    value = cell.strip() if cell is not None else None
    try:
        return True, field.deserialize(value or None, name, None)
    except ValidationError:
        return False, None


def _length_ok(validator: validate.Length, lengths: pa.Array) -> pa.Array:
    ok = pa.array(np.ones(len(lengths), dtype=bool))
    if validator.equal is not None:
        return pc.equal(lengths, validator.equal)
    if validator.min is not None:
        ok = pc.and_(ok, pc.greater_equal(lengths, validator.min))
    if validator.max is not None:
        ok = pc.and_(ok, pc.less_equal(lengths, validator.max))
    return ok


def _range_ok(validator: validate.Range, values: pa.Array) -> pa.Array:
    ok = pa.array(np.ones(len(values), dtype=bool))
    if validator.min is not None:
        compare = pc.greater_equal if validator.min_inclusive else pc.greater
        ok = pc.and_(ok, compare(values, int(validator.min)))
    if validator.max is not None:
        compare = pc.less_equal if validator.max_inclusive else pc.less
        ok = pc.and_(ok, compare(values, int(validator.max)))
    return ok


def _vectorisable(field: fields.Field) -> bool:
    """Whether the field's rules on a plain cell are all computed by _vectorised."""
    if isinstance(field, Text) and type(field)._deserialize is Text._deserialize:
        return all(
            type(v) is validate.Length
            or (type(v) is validate.OneOf and all(isinstance(c, str) for c in v.choices))
            for v in field.validators
        )
    if isinstance(field, Day) and type(field)._deserialize is Day._deserialize:
        return not field.validators
    if isinstance(field, Whole) and type(field)._deserialize is Whole._deserialize:
        return all(
            type(v) is validate.Range
            and all(b is None or (isinstance(b, int) and not isinstance(b, bool)) for b in (v.min, v.max))
            for v in field.validators
        )
    return False


def _vectorised(field: fields.Field, plain: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(decided, valid, values) for plain cells (non-empty printable ASCII, no space at
    either end). Undecided cells go to the field itself."""
    if isinstance(field, Text):
        lengths = pc.utf8_length(plain)  # ASCII: characters = bytes
        valid = pc.less_equal(lengths, TEXT_MAX_CHARS)
        for v in field.validators:
            if type(v) is validate.Length:
                valid = pc.and_(valid, _length_ok(v, lengths))
            else:  # OneOf of texts
                valid = pc.and_(valid, pc.is_in(plain, value_set=pa.array(list(v.choices), pa.string())))
        # Fewer than ten digits hold no CPR number (socialbench.cpr: printable ASCII is
        # searched as it is); texts with more are left to the field, which runs the detector.
        decided = pa.array(_digits(plain) < CPR_DIGITS)
        return decided, valid, plain
    if isinstance(field, Day):
        # YYYY-MM-DD with a year from 0001: Day reads it with strptime, a date if the
        # calendar has it; so does Arrow's cast (an impossible date fails the whole cast,
        # and the field then decides each one).
        decided = pc.and_(pc.match_substring_regex(plain, PLAIN_DATE), pc.invert(pc.starts_with(plain, "0000")))
        try:
            days = pc.cast(pc.if_else(decided, plain, "2000-01-01"), pa.date32())
        except pa.ArrowInvalid:
            return pa.array(np.zeros(len(plain), dtype=bool)), pa.array(np.ones(len(plain), dtype=bool)), pa.nulls(len(plain), pa.date32())
        return decided, pa.array(np.ones(len(plain), dtype=bool)), days
    # Whole
    decided = pc.match_substring_regex(plain, PLAIN_WHOLE)
    numbers = pc.cast(pc.if_else(decided, plain, "0"), pa.int64())
    valid = pc.and_(
        pc.greater_equal(numbers, field.sql_type.lowest), pc.less_equal(numbers, field.sql_type.highest)
    )
    for v in field.validators:
        valid = pc.and_(valid, _range_ok(v, numbers))
    return decided, valid, numbers


def validate_column(field: fields.Field, name: str, cells: pa.Array) -> pa.Array | None:
    """The column's values (Arrow, type arrow_type(field)) if every cell is valid, else None."""
    kind = arrow_type(field)
    encoded = pc.dictionary_encode(cells)
    distinct, indices = encoded.dictionary, encoded.indices
    n = len(distinct)
    decided = np.zeros(n, dtype=bool)
    values = pa.nulls(n, kind)
    if _vectorisable(field):
        where = np.flatnonzero(_plain(distinct))
        if len(where):
            cells_plain = distinct.take(pa.array(where))
            ok, valid, typed = _vectorised(field, cells_plain)
            ok = ok.to_numpy(zero_copy_only=False)
            if not pc.all(pc.or_(pc.invert(pa.array(ok)), valid)).as_py():
                return None  # a plain cell the field refuses
            decided[where[ok]] = True
            full = np.zeros(n, dtype=np.int64)
            full[where] = np.arange(len(where))
            typed_all = typed.take(pa.array(full))
            values = pc.if_else(pa.array(decided), typed_all, values)
    rest = np.flatnonzero(~decided)
    if len(rest):
        cells_rest = distinct.take(pa.array(rest)).to_pylist()
        exact = []
        for cell in cells_rest:
            ok, value = _exact(field, name, cell)
            if not ok:
                return None
            exact.append(value)
        mask = np.zeros(n, dtype=bool)
        mask[rest] = True
        values = pc.replace_with_mask(values, pa.array(mask), pa.array(exact, kind))
    return values.take(indices)


def validate_chunk(table: str, cells: dict[str, pa.Array]) -> pa.Table | None:
    """The chunk's values as the schema loads them (columns in the order of `cells`), if
    every row is valid; else None (validate it row by row to see why)."""
    schema = _schema(table)
    out = {}
    for name, column in cells.items():
        values = validate_column(schema.fields[name], name, column)
        if values is None:
            return None
        out[name] = values
    return pa.table(out)
