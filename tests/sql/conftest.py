import os
import uuid

import pytest
import sqlalchemy as sa

from socialbench import schema, warehouse
from tests.conftest import ENGINES, PG_URL, _pg_available
from tests.sql import dataset


@pytest.fixture
def loaded(engine):
    """An initialised warehouse on each engine holding the hand-made data set (own copy)."""
    dataset.load(engine)
    return engine


@pytest.fixture(scope="module", params=ENGINES)
def shared(request, tmp_path_factory):
    """The hand-made data set on each engine, shared by the read-only tests of a module."""
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path_factory.mktemp('views') / 'warehouse.duckdb'}"
        admin, name = None, None
    else:
        if not _pg_available():
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL is not reachable at {PG_URL}")
            pytest.skip(f"PostgreSQL is not reachable at {PG_URL}")
        name = f"t_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(sa.text(f"create schema {name}"))
        sep = "&" if "?" in PG_URL else "?"
        url = f"{PG_URL}{sep}options=-csearch_path%3D{name}"
    engine = warehouse.create_engine(url)
    schema.init(engine)
    dataset.load(engine)
    yield engine
    engine.dispose()
    if admin is not None:
        with admin.begin() as conn:
            conn.execute(sa.text(f"drop schema {name} cascade"))
        admin.dispose()
