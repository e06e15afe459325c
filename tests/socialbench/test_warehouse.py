import subprocess
import sys
import time

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
