"""Shared fixtures: every warehouse test runs on DuckDB and on PostgreSQL."""
from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from socialbench import schema, warehouse

PG_URL = os.environ.get("SOCIALBENCH_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
ENGINES = ["duckdb", "postgresql"]


def _pg_available() -> bool:
    try:
        with sa.create_engine(PG_URL).connect() as conn:
            conn.execute(sa.text("select 1"))
        return True
    except Exception:
        return False


@contextlib.contextmanager
def empty_warehouse_url(kind: str, folder: Path):
    """A URL of an empty warehouse: a DuckDB file in folder, or a fresh PostgreSQL schema
    (reached through search_path, dropped afterwards)."""
    if kind == "duckdb":
        yield f"duckdb:///{folder / 'warehouse.duckdb'}"
        return
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_URL}")
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"create schema {name}"))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"drop schema {name} cascade"))
        admin.dispose()


@pytest.fixture(params=ENGINES)
def db_url(request, tmp_path):
    """A URL of an empty warehouse: a DuckDB file, or a fresh PostgreSQL schema."""
    with empty_warehouse_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url):
    """An initialised, empty warehouse on each engine."""
    eng = warehouse.create_engine(db_url)
    schema.init(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def write_csv(tmp_path):
    """Write a CSV file from text lines; returns its path."""

    def write(name: str, *lines: str, folder: Path | None = None) -> Path:
        folder = folder or tmp_path / "input"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write
