"""Hypothesis drives the loader: whatever bytes a file holds, `load_path` either writes
exactly the valid data or raises InputError with file:line problems and leaves the
warehouse unchanged. No other outcome.

The oracle is an independent, slow parse written here from the file format's rules
(UTF-8, RFC 4180 quoting, the header, each column's rule), not the loader's code.
"""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialbench import loading
from socialbench.cpr import looks_like_cpr
from socialbench.errors import InputError

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def records(data: bytes, columns: list[str]) -> list[dict[str, str]] | None:
    """The file's records by the format's rules, or None if the file is not valid CSV
    with exactly these columns."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:  # a quote left open or stray, a field over the csv limit (128 KB)
        return None
    if not rows:
        return None
    header = [h.strip() for h in rows[0]]
    if sorted(header) != sorted(columns):
        return None
    out = []
    for row in rows[1:]:
        if not row:
            continue
        if len(row) != len(header):
            return None
        out.append({c: v.strip() for c, v in zip(header, row)})
    return out


def price_index_oracle(data: bytes) -> dict[int, Decimal] | None:
    """year: whole number 1900-2100, unique; index_value: decimal, at most 6 places, > 0,
    below 10^8 (numeric(14,6))."""
    found = records(data, ["year", "index_value"])
    if found is None:
        return None
    out: dict[int, Decimal] = {}
    for r in found:
        year, value = r["year"], r["index_value"]
        # at most 4 significant digits before int(): Python refuses to convert 5,000 digits
        if not re.fullmatch(r"[+-]?0*[0-9]{1,4}", year) or not 1900 <= int(year) <= 2100 or int(year) in out:
            return None
        if not re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", value):
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            return None
        if number.as_tuple().exponent < -6 or not 0 < number < 10**8:
            return None
        out[int(year)] = number
    return out


def providers_oracle(data: bytes) -> dict[str, str] | None:
    """provider_id and provider_name: non-empty text after trimming, no NUL, at most 128 K
    characters, no CPR number; provider_id unique."""
    found = records(data, ["provider_id", "provider_name"])
    if found is None:
        return None
    out: dict[str, str] = {}
    for r in found:
        for text in r.values():
            if not text or "\x00" in text or len(text) > 128 * 1024 or looks_like_cpr(text):
                return None
            # no C0/C1 control or DEL but tab, LF, CR; no text-direction override or isolate
            if any((ord(c) < 32 and c not in "\t\n\r") or 127 <= ord(c) < 160 or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in text):
                return None
        if r["provider_id"] in out:
            return None
        out[r["provider_id"]] = r["provider_name"]
    return out


@st.composite
def mutated(draw, valid: bytes) -> bytes:
    """A valid file broken the ways files break: cut, lines repeated, quotes, NULs, huge
    numbers, foreign bytes."""
    data = valid
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["cut", "repeat", "quote", "nul", "huge", "bytes", "crlf", "bom"]))
        if op == "cut":
            data = data[:at]
        elif op == "repeat":
            lines = data.split(b"\n")
            k = draw(st.integers(0, len(lines) - 1))
            data = b"\n".join(lines[: k + 1] + [lines[k]] + lines[k + 1 :])
        elif op == "quote":
            data = data[:at] + b'"' + data[at:]
        elif op == "nul":
            data = data[:at] + b"\x00" + data[at:]
        elif op == "huge":
            number = draw(st.sampled_from([b"1e308", b"99999999999999999999", b"2147483648", b"9" * 5000, b"-1e-400"]))
            data = data[:at] + number + data[at:]
        elif op == "bytes":
            data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
        elif op == "crlf":
            data = data.replace(b"\n", b"\r\n")
        else:
            data = b"\xef\xbb\xbf" + data
    return data


def written(header: list[str], rows: list[tuple]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


price_rows = st.lists(
    st.tuples(st.integers(1890, 2110), st.decimals(Decimal("-1"), Decimal("99999999.999999"), places=6)),
    max_size=6,
)
price_files = st.one_of(
    st.binary(max_size=120),
    st.binary(max_size=60).map(lambda b: b"year,index_value\n" + b),
    price_rows.map(lambda rows: written(["year", "index_value"], rows)).flatmap(mutated),
)

name_text = st.lists(
    st.sampled_from(list("abcæøå ,\"'\n\r\t0123456789-") + ["\x00", "\u200b", "\u2013", "\u00a0", "x" * 40]),
    max_size=14,
).map("".join)
provider_files = st.one_of(
    st.binary(max_size=120),
    st.lists(st.tuples(name_text, name_text), max_size=5).map(
        lambda rows: written(["provider_id", "provider_name"], rows)
    ).flatmap(mutated),
)


def state(engine, table: str, columns: str) -> list[tuple]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.text(f"select {columns} from {table}")).fetchall())


def check_one_load(engine, path, data: bytes, oracle, table: str, columns: str):
    """Load the bytes; compare with the oracle's verdict and rows."""
    path.write_bytes(data)
    before = state(engine, table, columns)
    sources_before = state(engine, "data_source", "table_name, source")
    expected = oracle(data)
    try:
        counts = loading.load_path(engine, path)
    except InputError as error:
        assert expected is None, f"refused a valid file: {error}"
        assert error.problems
        for problem in error.problems:
            assert problem.file == str(path)
            assert problem.line is not None and problem.line >= 1
        assert state(engine, table, columns) == before
        assert state(engine, "data_source", "table_name, source") == sources_before
        return
    assert expected is not None, f"accepted an invalid file: {data!r}"
    assert counts == {table: len(expected)}
    after = dict(before)
    after.update(expected)
    assert state(engine, table, columns) == sorted(after.items())


@FUZZ
@given(data=price_files)
def test_any_price_index_file_loads_exactly_or_not_at_all(engine, tmp_path, data):
    check_one_load(engine, tmp_path / "price_index.csv", data, price_index_oracle, "price_index", "year, index_value")


@FUZZ
@given(data=provider_files)
def test_any_providers_file_loads_exactly_or_not_at_all(engine, tmp_path, data):
    check_one_load(engine, tmp_path / "providers.csv", data, providers_oracle, "providers", "provider_id, provider_name")


@pytest.mark.parametrize(
    "data",
    [
        b'year,index_value\n2024,100\n2025,"101',  # cut inside a quote
        b"year,index_value\n2024,100\n2024,100\n",  # a line repeated
        b"year,index_value\n2024,1\x0000\n",
        b"year,index_value\n2024,1e308\n",
        b"year,index_value\n2024,100\n2025,101\n",  # valid: must load
    ],
)
def test_known_mutations(engine, tmp_path, data):
    check_one_load(engine, tmp_path / "price_index.csv", data, price_index_oracle, "price_index", "year, index_value")
