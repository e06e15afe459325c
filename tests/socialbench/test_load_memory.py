"""A load keeps DuckDB's memory bounded (warehouse.bounded_memory) and leaves nothing behind.

No memory is measured here (see perf/load_memory.py): these tests check that the limit is
set and put back, and that a load much larger than the limit still loads every row and
leaves no spill files."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from socialbench import loading, warehouse
from socialbench.errors import InputError

GRANTS_HEADER = "grant_id,citizen_key,municipality_code,provider_id,intervention_code,start_date,end_date,end_reason"


def _limit(conn) -> str:
    return conn.connection.connection.execute("select current_setting('memory_limit')").fetchone()[0]


def test_bounded_memory_sets_the_limit_and_puts_it_back(engine):
    with engine.connect() as conn:
        if warehouse.dialect(conn) != "duckdb":
            with warehouse.bounded_memory(conn):  # no-op on PostgreSQL
                assert conn.execute(sa.text("select 1")).scalar() == 1
            return
        raw = conn.connection.connection
        raw.execute("set memory_limit = '3GiB'")  # a value DuckDB states exactly ("3.0 GiB")
        try:
            with warehouse.bounded_memory(conn):
                inside = _limit(conn)
            assert _limit(conn) == "3.0 GiB"
            raw.execute(f"set memory_limit = '{warehouse.LOAD_MEMORY_LIMIT}'")
            assert inside == _limit(conn) != "3.0 GiB"
        finally:
            raw.execute("reset memory_limit")


def _write(folder: Path, n: int, bad_line: int | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "providers.csv").write_text("provider_id,provider_name\nP1,Et\n", encoding="utf-8")
    with (folder / "grants.csv").open("w", encoding="utf-8") as out:
        out.write(GRANTS_HEADER + "\n")
        for k in range(n):
            provider = "P9" if k + 2 == bad_line else "P1"  # line k + 2: the header is line 1
            out.write(f"G{k:07d},C-{k},101,{provider},SEL85,2025-01-01,,\n")


@pytest.mark.parametrize("outcome", ["loaded", "refused"])
def test_a_load_larger_than_the_limit_loads_everything_or_nothing_and_leaves_no_spill(
    engine, db_url, tmp_path, monkeypatch, outcome
):
    monkeypatch.setattr(warehouse, "LOAD_MEMORY_LIMIT", "64MB")
    n = 300_000  # three of DuckDB's row groups, several chunks
    bad = n - 5 if outcome == "refused" else None
    _write(tmp_path / "in", n, bad)
    if bad is None:
        assert loading.load_path(engine, tmp_path / "in", chunk_rows=40_000) == {"providers": 1, "grants": n}
    else:
        with pytest.raises(InputError) as caught:
            loading.load_path(engine, tmp_path / "in", chunk_rows=40_000)
        assert [(p.line, p.column) for p in caught.value.problems] == [(bad, "provider_id")]
    with engine.connect() as conn:
        count = conn.execute(sa.text("select count(*) from grants")).scalar()
        last = conn.execute(sa.text(f"select citizen_key from grants where grant_id = 'G{n - 1:07d}'")).scalar()
    assert count == (n if bad is None else 0)
    assert last == (f"C-{n - 1}" if bad is None else None)
    if db_url.startswith("duckdb"):
        database = Path(db_url.removeprefix("duckdb:///"))
        assert not Path(f"{database}.tmp").exists() or not any(Path(f"{database}.tmp").iterdir())
