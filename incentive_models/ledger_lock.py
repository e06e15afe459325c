"""One ledger writer at a time, on every engine: drafts and approvals are serialised.

- PostgreSQL: the writer's transaction takes a self-conflicting lock on
  settlement_approval (`share row exclusive`), so concurrent writers queue in the
  database, across threads, processes and machines.
- DuckDB: an exclusive `flock` on a lock file beside the warehouse file
  (`<file>.ledger-lock`), taken before the transaction starts and released after it
  ends. flock locks belong to an open file, so two threads of one process (Superset's
  workers) block each other exactly as two processes do. The kernel queues the waiters:
  no sleeping, no polling. An in-memory DuckDB (one process only) uses a process lock.

Whatever slips past the lock (it cannot, but the ledger does not rely on it) meets the
database's own constraints: one approval number per approval, one approved run per model
and as-of date, one model per intervention.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine


_MEMORY_LOCK = threading.Lock()


def lock_file(engine: Engine) -> str | None:
    """The lock file of a DuckDB warehouse file (None for PostgreSQL or in-memory DuckDB)."""
    if engine.dialect.name != "duckdb":
        return None
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    return os.path.realpath(database) + ".ledger-lock"


@contextlib.contextmanager
def ledger_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction in which this process is the only ledger writer."""
    path = lock_file(engine)
    if engine.dialect.name == "duckdb" and path is None:
        with _MEMORY_LOCK, engine.begin() as conn:
            yield conn
        return
    if path is None:  # PostgreSQL
        with engine.begin() as conn:
            if sa.inspect(conn).has_table("settlement_approval"):
                conn.execute(sa.text("lock table settlement_approval in share row exclusive mode"))
            yield conn
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # blocks until the other writer has committed
        with engine.begin() as conn:
            yield conn
    finally:
        os.close(fd)  # closing the file releases the lock


__all__ = ["ledger_transaction", "lock_file"]
