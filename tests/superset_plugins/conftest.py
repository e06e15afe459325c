"""A real Superset 6.1 for the tests: started once per session, over a DuckDB demo warehouse.

The warehouse holds the synthetic demo data, the refreshed benchmark tables and one
settlement run, prepared exactly as `make demo` prepares them. Superset keeps its
metadata in SQLite in a temporary folder and listens on a free port of 127.0.0.1.
Only tests that ask for these fixtures start anything.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from socialbench import warehouse

DEMO_SEED = 2026


@dataclass(frozen=True)
class RunningSuperset:
    url: str
    home: Path
    username: str
    password: str
    warehouse_url: str

    def client(self):
        from superset_plugins.client import SupersetClient

        return SupersetClient(self.url, self.username, self.password)


# For working on these tests: reuse a demo folder and a Superset already serving it
# (e.g. one left by `socialbench superset demo --home DIR --port PORT`).
REUSE_HOME_ENV_VAR = "SOCIALBENCH_TEST_SUPERSET_HOME"
REUSE_URL_ENV_VAR = "SOCIALBENCH_TEST_SUPERSET_URL"


@pytest.fixture(scope="session")
def superset_home(tmp_path_factory) -> Path:
    if os.environ.get(REUSE_HOME_ENV_VAR):
        return Path(os.environ[REUSE_HOME_ENV_VAR])
    return tmp_path_factory.mktemp("superset_home")


@pytest.fixture(scope="session")
def superset_warehouse(superset_home) -> str:
    """URL of a DuckDB warehouse with demo data, benchmarks refreshed and one settlement run."""
    from superset_plugins import demo

    return demo.prepare_warehouse(superset_home, demo.DemoState(superset_home), DEMO_SEED)


@pytest.fixture(scope="session")
def superset_server(superset_home, superset_warehouse) -> RunningSuperset:
    """A real Superset 6.1 with the socialbench plugin, serving on a free local port."""
    from superset_plugins import demo, server

    password = demo.prepare_superset(superset_home, demo.DemoState(superset_home), superset_warehouse)
    if os.environ.get(REUSE_URL_ENV_VAR):
        url = os.environ[REUSE_URL_ENV_VAR]
        server.wait_until_ready(url, timeout=10)
        yield RunningSuperset(url, superset_home, demo.ADMIN_USERNAME, password, superset_warehouse)
        return
    port = server.free_port()
    process = server.start(superset_home, port)
    url = f"http://127.0.0.1:{port}"
    try:
        server.wait_until_ready(url, process)
        yield RunningSuperset(url, superset_home, demo.ADMIN_USERNAME, password, superset_warehouse)
    except Exception:
        log = superset_home / server.LOG_NAME
        if log.exists():
            print("".join(log.read_text(errors="replace").splitlines(keepends=True)[-60:]))
        raise
    finally:
        server.stop(process)


@pytest.fixture(scope="session")
def superset_client(superset_server):
    return superset_server.client()


@pytest.fixture(scope="session")
def published(superset_server, superset_client):
    """The dashboards published once (as demo data) into the session's Superset."""
    from superset_plugins.publish import DEFAULT_DATABASE_NAME, publish

    # As in a Superset where someone already connected the warehouse by hand (its own UUID).
    if superset_client.find_database(DEFAULT_DATABASE_NAME) is None:
        superset_client.post(
            "/api/v1/database/",
            {"database_name": DEFAULT_DATABASE_NAME, "sqlalchemy_uri": superset_server.warehouse_url},
        )
    return publish(superset_client, superset_server.warehouse_url, synthetic=True)


@pytest.fixture(scope="session")
def warehouse_conn(superset_warehouse):
    """A read-only look at the session's warehouse, for computing expected figures with SQL."""

    def query(sql: str, **params):
        engine = warehouse.create_engine(superset_warehouse)
        try:
            with engine.connect() as conn:
                return warehouse.read_frame(conn, sql, **params)
        finally:
            engine.dispose()

    return query
