"""A scratch PostgreSQL schema for a measurement: made fresh, dropped afterwards."""
from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import sqlalchemy as sa

PG_URL = os.environ.get("SOCIALBENCH_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")


@contextlib.contextmanager
def postgresql_schema(prefix: str = "perf", keep: bool = False) -> Iterator[tuple[str, str]]:
    """(warehouse URL with the schema as search path, schema name) of a new empty schema in
    $SOCIALBENCH_TEST_PG; dropped afterwards unless `keep`."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"create schema {name}"))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{name}", name
    finally:
        if keep:
            print(f"kept PostgreSQL schema {name}")
        else:
            with admin.begin() as conn:
                conn.execute(sa.text(f"drop schema {name} cascade"))
        admin.dispose()
