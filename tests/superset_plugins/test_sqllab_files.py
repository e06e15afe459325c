"""SQL Lab on a DuckDB warehouse cannot reach the server's files, nor switch that back on.

SQL Lab runs whatever SQL a user types on the connection publish creates. DuckDB can
read any file the server process can (`read_csv('/etc/passwd')`), attach other databases
and load extensions. The bundle's connection opens the warehouse read-only, with external
access off and the configuration locked (superset_plugins.bundle.DUCKDB_CONFIG). Tried
here as an attacker would: on the engine as Superset builds it (connect args from the
bundle, socialbench's `socialbench_wait` plugin), and through a real Superset's SQL Lab
as an admin.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from socialbench import schema, warehouse
from socialbench.errors import SocialbenchError
from superset_plugins import bundle

SECRET = "a line no SQL Lab user may read"
FILES_OFF = "file system operations are disabled by configuration"
LOCKED = "the configuration has been locked"


@pytest.fixture()
def server_file(tmp_path):
    """A file on the server that the Superset process could read."""
    path = tmp_path / "secret.csv"
    path.write_text(f"note\n{SECRET}\n", encoding="utf-8")
    return path


def attacks(path) -> dict[str, str]:
    """SQL that would reach outside the warehouse, and the refusal DuckDB must answer it with."""
    other = path.parent / "other.duckdb"
    return {
        f"select * from read_csv('{path}')": FILES_OFF,
        "select * from read_csv('/etc/passwd')": FILES_OFF,
        f"select * from read_text('{path}')": FILES_OFF,
        f"select * from glob('{path.parent}/*')": FILES_OFF,
        f"attach '{other}' as other": FILES_OFF,
        f"copy (select 1) to '{path.parent / 'out.csv'}'": FILES_OFF,
        "load httpfs": "Loading external extensions is disabled",
        "set enable_external_access = true": LOCKED,
        "reset enable_external_access": LOCKED,
        "set lock_configuration = false": LOCKED,
        f"set allowed_directories = ['{path.parent}']": LOCKED,
        f"set allowed_paths = ['{path}']": LOCKED,
    }


@pytest.fixture()
def warehouse_file(tmp_path) -> str:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    engine = warehouse.create_engine(url)
    schema.init(engine)
    engine.dispose()
    return url


def superset_engine(url: str, connect_args: dict) -> sa.engine.Engine:
    """An engine made the way Superset makes one for the connection: its engine params,
    NullPool, and the socialbench_wait plugin that DB_CONNECTION_MUTATOR adds."""
    return sa.create_engine(url, connect_args=connect_args, poolclass=NullPool, plugins=["socialbench_wait"])


def test_without_the_settings_duckdb_reads_the_servers_files(warehouse_file, server_file):
    """The attack is real: read-only alone does not stop it."""
    engine = superset_engine(warehouse_file, {"read_only": True})
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"select * from read_csv('{server_file}')")).all()
    engine.dispose()
    assert rows == [(SECRET,)]


def test_the_bundles_connection_refuses_every_way_out_and_still_reads_the_warehouse(warehouse_file, server_file):
    database = bundle.build_database(warehouse_file, "socialbench", bundle.database_uuid_for("socialbench"))
    engine = superset_engine(warehouse_file, database["extra"]["engine_params"]["connect_args"])
    refused = {}
    with engine.connect() as conn:
        for sql, reason in attacks(server_file).items():
            with pytest.raises(sa.exc.DBAPIError) as error:
                conn.execute(sa.text(sql)).all()
            refused[sql] = reason in str(error.value.orig)
        settings = dict(conn.execute(sa.text(
            "select name, value from duckdb_settings() "
            "where name in ('enable_external_access', 'lock_configuration', 'access_mode')"
        )).all())
        assert conn.execute(sa.text("select count(*) from grants")).scalar_one() == 0
    engine.dispose()
    assert refused == {sql: True for sql in attacks(server_file)}
    assert settings == {"enable_external_access": "false", "lock_configuration": "true", "access_mode": "read_only"}
    assert not (server_file.parent / "out.csv").exists()


# --- through a real Superset's SQL Lab ----------------------------------------------------


def _database_id(client) -> int:
    return client.find_database("socialbench")["id"]


@pytest.mark.superset
def test_sql_lab_runs_ordinary_queries_on_the_published_connection(published, superset_client, warehouse_conn):
    answer = superset_client.run_sql(_database_id(superset_client), "select count(*) as n from grants")
    expected = int(warehouse_conn("select count(*) as n from grants")["n"].iloc[0])
    assert answer["status"] == "success"
    assert answer["data"] == [{"n": expected}] and expected > 0


@pytest.mark.superset
def test_sql_lab_cannot_read_server_files_nor_unlock_the_configuration(published, superset_client, server_file):
    database_id = _database_id(superset_client)
    connection = superset_client.get(f"/api/v1/database/{database_id}/connection")["result"]
    assert connection["expose_in_sqllab"] is True and connection["allow_run_async"] is False
    refused = {}
    for sql, reason in attacks(server_file).items():
        with pytest.raises(SocialbenchError) as error:
            superset_client.run_sql(database_id, sql)
        refused[sql] = reason in str(error.value)
    assert refused == {sql: True for sql in attacks(server_file)}
    assert not (server_file.parent / "out.csv").exists()
    # and after all that, SQL Lab still answers
    assert superset_client.run_sql(database_id, "select 1 as one")["data"] == [{"one": 1}]
