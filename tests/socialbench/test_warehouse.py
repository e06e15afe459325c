import subprocess
import sys
import time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from socialbench import warehouse

HOLD_LOCK = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("select 1").fetchall()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_duckdb_writer_waits_for_a_reader_in_another_process(tmp_path):
    path = tmp_path / "w.duckdb"
    engine = warehouse.create_engine(f"duckdb:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("create table t (x integer)"))
    engine.dispose()
    reader = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path), "1.5"], stdout=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "locked"
    started = time.monotonic()
    with engine.begin() as conn:  # would fail at once on the lock without the wait
        conn.execute(sa.text("insert into t values (1)"))
    waited = time.monotonic() - started
    reader.wait(timeout=10)
    assert waited > 0.5
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from t")).scalar_one() == 1


def test_url_comes_from_argument_then_environment_then_default(monkeypatch):
    monkeypatch.delenv(warehouse.ENV_VAR, raising=False)
    assert warehouse.resolve_url(None) == "duckdb:///socialbench.duckdb"
    monkeypatch.setenv(warehouse.ENV_VAR, "postgresql://x@h/db")
    assert warehouse.resolve_url(None) == "postgresql://x@h/db"
    assert warehouse.resolve_url("duckdb:///a.duckdb") == "duckdb:///a.duckdb"


def test_insert_frame_keeps_exact_values_on_both_engines(engine):
    import datetime
    from decimal import Decimal

    import pandas as pd

    frame = pd.DataFrame(
        {
            "grant_id": ["G1", "G2", "G,3"],
            "citizen_key": ['B-"1"', "B-2", "B-3"],
            "municipality_code": [101.0, 147.0, 101.0],  # ints stored as floats, as pandas does next to NaN
            "provider_id": ["P1", "P1", "P1"],
            "intervention_code": ["SEL85", "SEL85", "SEL85"],
            "start_date": [datetime.date(2025, 1, 1)] * 3,
            "end_date": [None, datetime.date(2025, 2, 1), None],
            "end_reason": [None, "", "moved"],
        }
    )
    with engine.begin() as conn:
        assert warehouse.insert_frame(conn, "grants", frame) == 3
        warehouse.insert_frame(conn, "rates", pd.DataFrame(
            {"intervention_code": ["SEL85"], "support_level": [2], "valid_from": [datetime.date(2025, 1, 1)],
             "daily_rate_dkk": [Decimal("1234567.89")]}
        ))
    with engine.connect() as conn:
        got = [tuple(r) for r in conn.execute(sa.text(
            "select grant_id, citizen_key, municipality_code, end_date, end_reason from grants order by grant_id"))]
        rate = conn.execute(sa.text("select daily_rate_dkk from rates")).scalar_one()
    assert got == [
        ("G,3", "B-3", 101, None, "moved"),
        ("G1", 'B-"1"', 101, None, None),
        ("G2", "B-2", 147, datetime.date(2025, 2, 1), ""),
    ]
    assert rate == Decimal("1234567.89")


def _table_t(path):
    setup = warehouse.create_engine(f"duckdb:///{path}")
    with setup.begin() as conn:
        conn.execute(sa.text("create table t (x integer)"))
    setup.dispose()


def test_in_one_process_a_writer_waits_for_an_open_read_only_connection(tmp_path):
    """In Superset's process a read-only query connection blocks a read-write one: wait, don't fail."""
    import threading

    path = tmp_path / "w.duckdb"
    _table_t(path)
    reader = warehouse.create_engine(f"duckdb:///{path}", read_only=True)
    writer = warehouse.create_engine(f"duckdb:///{path}")
    held = reader.connect()
    assert held.execute(sa.text("select count(*) from t")).scalar() == 0
    with pytest.raises(sa.exc.DBAPIError, match="read-only"):
        held.execute(sa.text("insert into t values (1)"))
    threading.Timer(0.5, held.close).start()
    started = time.monotonic()
    with writer.begin() as conn:  # refused while `held` is open, then succeeds
        conn.execute(sa.text("insert into t values (1)"))
    assert time.monotonic() - started >= 0.4
    with reader.connect() as conn:
        assert conn.execute(sa.text("select count(*) from t")).scalar() == 1


WRITE_FOR = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
con.execute("insert into t values (1)")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_engines_made_elsewhere_wait_when_they_ask_for_the_plugin(tmp_path):
    """Superset makes its own engines: with the SQLAlchemy plugin `socialbench_wait` (an entry
    point of the package), a read-only engine waits for another process's writer."""
    from sqlalchemy.pool import NullPool

    path = tmp_path / "w.duckdb"
    _table_t(path)
    options = {"poolclass": NullPool, "connect_args": {"read_only": True}}
    plain = sa.create_engine(f"duckdb:///{path}", **options)
    waiting = sa.create_engine(f"duckdb:///{path}", plugins=["socialbench_wait"], **options)
    writer = subprocess.Popen([sys.executable, "-c", WRITE_FOR, str(path), "1.0"], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "locked"
    with pytest.raises(sa.exc.DBAPIError, match="lock"):
        plain.connect()
    with waiting.connect() as conn:
        assert conn.execute(sa.text("select count(*) from t")).scalar() == 1
    writer.wait(timeout=10)


def test_read_columns_gives_the_rows_read_frame_gives_on_both_engines(engine):
    """The native reader against read_frame (row by row, through SQLAlchemy): the same rows;
    dates as datetime64 with NaT for NULL, whole numbers as int64, awkward text intact."""
    import datetime as dt

    import pandas as pd
    import sqlalchemy as sa

    with engine.begin() as conn:
        conn.execute(sa.text("create table t_read (k varchar, n integer, d date, e date)"))
        conn.execute(sa.text(
            "insert into t_read values ('a, \"quoted\"', 1, date '2025-01-31', null),"
            " ('Ærø \\N', -7, date '2024-02-29', date '2025-12-31'), ('', 3, date '2020-01-01', null)"))
        sql = "select k, n, d, e from t_read where n <= :top and d >= :since order by n"
        params = {"top": 3, "since": dt.date(2021, 1, 1)}
        native = warehouse.read_columns(conn, sql, dates=("d", "e"), **params)
        slow = warehouse.read_frame(conn, sql, **params)
    assert list(native.columns) == ["k", "n", "d", "e"]
    assert native["n"].dtype == "int64" and str(native["d"].dtype) == "datetime64[ns]"
    assert native["k"].tolist() == slow["k"].tolist() == ["Ærø \\N", 'a, "quoted"']
    assert native["n"].tolist() == slow["n"].tolist() == [-7, 1]
    assert [t.date() for t in native["d"]] == slow["d"].tolist() == [dt.date(2024, 2, 29), dt.date(2025, 1, 31)]
    assert native["e"].iloc[0].date() == dt.date(2025, 12, 31) and pd.isna(native["e"].iloc[1])
    with engine.begin() as conn:
        empty = warehouse.read_columns(conn, sql, dates=("d",), top=-100, since=dt.date(2021, 1, 1))
    assert list(empty.columns) == ["k", "n", "d", "e"] and len(empty) == 0


def _definition(conn, table):
    """(column, type, nullable) of every column, and the primary key's columns."""
    columns = [(c["name"], str(c["type"]), c["nullable"]) for c in sa.inspect(conn).get_columns(table)]
    return columns, sa.inspect(conn).get_pk_constraint(table)["constrained_columns"]


def test_empty_table_removes_the_rows_and_keeps_the_definition_in_the_transaction(engine):
    """empty_table re-creates a DuckDB table from its stored definition: the key, the NOT
    NULLs, the types and the checks stay; a rollback brings the rows back."""
    with engine.begin() as conn:
        conn.execute(sa.text(
            "create table t_derived (k varchar not null, m date not null, amount numeric(16, 2) not null,"
            " note varchar, n integer check (n >= 0), primary key (k, m))"
        ))
        conn.execute(sa.text("insert into t_derived values ('a', date '2025-01-01', 1.50, null, 1), ('b', date '2025-02-01', 2.25, 'x', 2)"))
        before = _definition(conn, "t_derived")
    with engine.connect() as conn:
        with conn.begin() as tx:
            warehouse.empty_table(conn, "t_derived")
            assert conn.execute(sa.text("select count(*) from t_derived")).scalar_one() == 0
            tx.rollback()
        assert conn.execute(sa.text("select sum(amount) from t_derived")).scalar_one() == Decimal("3.75")
    with engine.begin() as conn:
        warehouse.empty_table(conn, "t_derived")
        conn.execute(sa.text("insert into t_derived values ('a', date '2025-01-01', 7.00, null, 0)"))
    with engine.connect() as conn:
        assert _definition(conn, "t_derived") == before
        assert conn.execute(sa.text("select k, amount from t_derived")).fetchall() == [("a", Decimal("7.00"))]
    for bad in (
        "insert into t_derived values ('a', date '2025-01-01', 1.00, null, 0)",  # the key
        "insert into t_derived values ('c', date '2025-01-01', null, null, 0)",  # not null
        "insert into t_derived values ('c', date '2025-01-01', 1.00, null, -1)",  # the check
    ):
        with pytest.raises(sa.exc.DBAPIError):
            with engine.begin() as conn:
                conn.execute(sa.text(bad))
