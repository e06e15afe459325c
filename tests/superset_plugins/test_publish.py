"""Publishing into a real Superset 6.1: complete, repeatable, updating, with plain-sentence errors."""
from __future__ import annotations

import io
import json
import threading
import time
import zipfile
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
import yaml

from socialbench import schema, warehouse
from socialbench.cli import main
from socialbench.errors import SocialbenchError
from superset_plugins.bundle import (
    chart_uuids,
    dashboard_slugs,
    dashboard_titles,
    database_uuid_for,
    dataset_uuids,
)
from superset_plugins.bundle import read_bundle as bundle_contents
from superset_plugins.client import SupersetClient, error_message
from superset_plugins.publish import is_synthetic, make_bundle, publish, superset_uri


def _snapshot(client) -> dict[str, set]:
    """What Superset holds, as (id, uuid, name) triples per kind."""
    return {
        "databases": {(d["id"], str(d["uuid"]), d["database_name"]) for d in client.databases()},
        "datasets": {(d["id"], str(d["uuid"]), d["table_name"]) for d in client.datasets()},
        "charts": {(c["id"], str(c["uuid"]), c["slice_name"]) for c in client.charts()},
        "dashboards": {(d["id"], str(d["uuid"]), d["dashboard_title"]) for d in client.dashboards()},
    }


def _rezip(bundle: bytes, change) -> bytes:
    """A copy of the bundle with change(relative_path, config) applied to every YAML file."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bundle)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            config = yaml.safe_load(source.read(info))
            relative = info.filename.split("/", 1)[1]
            change(relative, config)
            target.writestr(info, yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return out.getvalue()


# --- without a server -------------------------------------------------------------------


def test_a_relative_duckdb_path_is_made_absolute_for_superset(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert superset_uri("duckdb:///data/w.duckdb") == f"duckdb:///{tmp_path / 'data' / 'w.duckdb'}"
    assert superset_uri("duckdb:////abs/w.duckdb") == "duckdb:////abs/w.duckdb"
    pg = "postgresql+psycopg2://sb:secret@db.example:5432/warehouse"
    assert superset_uri(pg) == pg


def test_a_duckdb_file_that_is_not_here_is_not_created_to_ask_whether_it_is_synthetic(tmp_path):
    path = tmp_path / "on-the-server" / "w.duckdb"
    assert is_synthetic(f"duckdb:///{path}") is False
    assert not path.exists()


def test_a_warehouse_of_demo_data_is_synthetic(superset_warehouse, tmp_path):
    assert is_synthetic(superset_warehouse) is True
    empty = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    schema.init(warehouse.create_engine(empty))
    assert is_synthetic(empty) is False


def test_the_bundle_connects_to_duckdb_read_only(tmp_path):
    contents = bundle_contents(make_bundle(f"duckdb:///{tmp_path / 'w.duckdb'}", "socialbench"))
    database = contents["databases/socialbench.yaml"]
    assert database["sqlalchemy_uri"] == f"duckdb:///{tmp_path / 'w.duckdb'}"
    assert database["extra"]["engine_params"]["connect_args"]["read_only"] is True
    assert contents["metadata.yaml"]["type"] == "assets"


def test_the_bundle_of_a_postgresql_warehouse_is_left_as_built():
    uri = "postgresql+psycopg2://sb@db.example:5432/warehouse"
    database = bundle_contents(make_bundle(uri))["databases/socialbench.yaml"]
    assert database["sqlalchemy_uri"] == uri
    assert "read_only" not in database["extra"].get("engine_params", {}).get("connect_args", {})


@pytest.mark.parametrize(
    "status, body, expected",
    [
        (401, {"message": "Not authorized"}, "Not authorized"),
        (
            422,
            {
                "errors": [
                    {
                        "message": "Error importing assets",
                        "error_type": "GENERIC_COMMAND_ERROR",
                        "extra": {
                            "charts/a.yaml": {"slice_name": ["Missing data for required field."]},
                            "issue_codes": [{"code": 1010, "message": "Issue 1010"}],
                        },
                    }
                ]
            },
            "Error importing assets; charts/a.yaml: slice_name: Missing data for required field.",
        ),
        (400, {"message": {"database_name": ["A database with the same name already exists."]}},
         "database_name: A database with the same name already exists."),
    ],
)
def test_superset_error_answers_become_one_plain_sentence(status, body, expected):
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["content-type"] = "application/json"
    assert error_message(response) == expected


def test_an_html_error_page_is_not_dumped():
    response = requests.Response()
    response.status_code = 500
    response.reason = "INTERNAL SERVER ERROR"
    response._content = b"<!doctype html><html><body><h1>Internal Server Error</h1>" + b"x" * 5000 + b"</body></html>"
    message = error_message(response)
    assert "<" not in message and "HTTP 500" in message


def test_export_bundle_writes_the_zip(superset_warehouse, tmp_path, capsys):
    path = tmp_path / "socialbench.zip"
    assert main(["superset", "export-bundle", str(path), "--db", superset_warehouse]) == 0
    contents = bundle_contents(path.read_bytes())
    assert contents["metadata.yaml"]["type"] == "assets"
    assert {c["uuid"] for p, c in contents.items() if p.startswith("charts/")} == set(chart_uuids())
    dashboards = [c for p, c in contents.items() if p.startswith("dashboards/")]
    # the demo warehouse is synthetic, so every dashboard says so in its markdown note
    for dashboard in dashboards:
        markdown = [v["meta"]["code"] for v in dashboard["position"].values() if isinstance(v, dict) and v.get("type") == "MARKDOWN"]
        assert any("syntetiske" in m.lower() for m in markdown), dashboard["dashboard_title"]
    assert "wrote" in capsys.readouterr().out


# --- against a real Superset ------------------------------------------------------------


@pytest.mark.superset
def test_publish_creates_the_connection_datasets_charts_and_dashboards(published, superset_client, superset_server):
    state = _snapshot(superset_client)
    databases = [d for d in state["databases"] if d[2] == "socialbench"]
    assert len(databases) == 1
    assert {d[1] for d in state["datasets"]} == set(dataset_uuids())
    assert {c[1] for c in state["charts"]} == set(chart_uuids())
    assert sorted(d[2] for d in state["dashboards"]) == sorted(dashboard_titles().values())
    assert sorted(d.slug for d in published.dashboards) == sorted(dashboard_slugs())
    assert (published.datasets, published.charts) == (len(dataset_uuids()), len(chart_uuids()))

    database = superset_client.get(f"/api/v1/database/{databases[0][0]}/connection")["result"]
    assert database["sqlalchemy_uri"] == superset_server.warehouse_url
    assert Path(database["sqlalchemy_uri"].removeprefix("duckdb:///")).is_absolute()
    assert json.loads(database["extra"])["engine_params"]["connect_args"]["read_only"] is True


@pytest.mark.superset
def test_publishing_twice_gives_the_same_assets(published, superset_client, superset_server):
    before = _snapshot(superset_client)
    again = publish(superset_client, superset_server.warehouse_url)
    assert again.database_reused
    assert _snapshot(superset_client) == before


@pytest.mark.superset
def test_a_dashboard_changed_in_the_repository_is_updated(published, superset_client, superset_server):
    slug = "boern-unge-benchmark"
    original = dashboard_titles()[slug]
    changed_title = original + " (ændret)"

    def retitle(path, config):
        if path.startswith("dashboards/") and config["slug"] == slug:
            config["dashboard_title"] = changed_title

    count = len(superset_client.dashboards())
    bundle = make_bundle(
        superset_server.warehouse_url, "socialbench", superset_client.find_database("socialbench")["uuid"], True
    )
    superset_client.import_bundle(_rezip(bundle, retitle))
    assert superset_client.dashboard(slug)["dashboard_title"] == changed_title
    assert len(superset_client.dashboards()) == count

    publish(superset_client, superset_server.warehouse_url, synthetic=True)  # the repository's version again
    assert superset_client.dashboard(slug)["dashboard_title"] == original
    assert len(superset_client.dashboards()) == count


@pytest.mark.superset
def test_an_existing_connection_of_that_name_is_reused(published, superset_client, superset_server):
    """The session's connection was made by hand before publishing (see conftest): same id, made read-only."""
    assert published.database_reused
    databases = [d for d in superset_client.databases() if d["database_name"] == "socialbench"]
    assert len(databases) == 1
    assert str(databases[0]["uuid"]) != database_uuid_for("socialbench")  # Superset's own, kept
    datasets = superset_client.datasets()
    assert {d["database"]["database_name"] for d in datasets if str(d["uuid"]) in dataset_uuids()} == {"socialbench"}
    connection = superset_client.get(f"/api/v1/database/{databases[0]['id']}/connection")["result"]
    assert json.loads(connection["extra"])["engine_params"]["connect_args"]["read_only"] is True


@pytest.mark.superset
def test_publishing_on_another_connection_name_is_refused_in_plain_words(published, superset_client, superset_server):
    before = _snapshot(superset_client)
    with pytest.raises(SocialbenchError) as error:
        publish(superset_client, superset_server.warehouse_url, "socialbench_other")
    assert str(error.value) == (
        "the socialbench datasets are already published on the database connection 'socialbench'; "
        "publish with --database-name 'socialbench' (or delete those datasets in Superset first)"
    )
    assert _snapshot(superset_client) == before


@pytest.mark.superset
def test_a_wrong_password_is_refused_in_plain_words(superset_server):
    client = SupersetClient(superset_server.url, superset_server.username, "not-the-password")
    with pytest.raises(SocialbenchError) as error:
        client.login()
    assert str(error.value) == (
        f"Superset at {superset_server.url} refused the login for user "
        f"'{superset_server.username}': wrong username or password"
    )


@pytest.mark.superset
def test_the_cli_prints_one_line_for_a_refused_login(superset_server, capsys):
    code = main(
        ["superset", "publish", "--url", superset_server.url, "--username", "nobody", "--password", "x",
         "--db", superset_server.warehouse_url]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err == f"error: Superset at {superset_server.url} refused the login for user 'nobody': wrong username or password\n"


@pytest.mark.superset
def test_a_rejected_bundle_is_reported_in_plain_words_and_changes_nothing(published, superset_client, superset_server):
    def break_charts(path, config):
        if path.startswith("charts/"):
            del config["slice_name"]

    before = _snapshot(superset_client)
    bundle = make_bundle(
        superset_server.warehouse_url, "socialbench", superset_client.find_database("socialbench")["uuid"], True
    )
    with pytest.raises(SocialbenchError) as error:
        superset_client.import_bundle(_rezip(bundle, break_charts))
    # Superset 6.1 keeps the reason in its log and answers with a bare HTML error page.
    assert str(error.value) == (
        f"the import failed: Superset at {superset_server.url} rejected the bundle (HTTP 500) without "
        "saying why; its server log names the file and field it could not accept. Nothing was changed."
    )
    assert _snapshot(superset_client) == before


@pytest.mark.superset
def test_the_cli_publishes(published, superset_server, capsys):
    code = main(
        ["superset", "publish", "--url", superset_server.url, "--username", superset_server.username,
         "--password", superset_server.password, "--db", superset_server.warehouse_url]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "reused the existing database connection 'socialbench'" in out
    assert f"published {len(dataset_uuids())} datasets, {len(chart_uuids())} charts, {len(dashboard_slugs())} dashboards" in out


@pytest.mark.superset
def test_writing_to_the_warehouse_while_superset_reads_it_does_not_fail(published, superset_client, superset_server):
    """Superset holds DuckDB read-only and only while querying: a writer waits for its turn,
    and with the plugin's DB_CONNECTION_MUTATOR Superset's queries wait for the writer."""
    chart = next(c for c in superset_client.charts() if str(c["uuid"]) == chart_uuids()[0])
    stop = threading.Event()
    answers: list[str] = []

    def read_charts():
        reader = superset_server.client()
        while not stop.is_set():
            try:
                reader.chart_data(chart["id"])
                answers.append("ok")
            except SocialbenchError as error:
                answers.append(str(error))

    thread = threading.Thread(target=read_charts)
    thread.start()
    try:
        engine = warehouse.create_engine(superset_server.warehouse_url)
        for _ in range(5):
            with engine.begin() as conn:
                rows = warehouse.read_frame(conn, "select * from data_source")
                warehouse.upsert_frame(conn, "data_source", rows, ["table_name"])
                time.sleep(0.5)  # hold the file as a longer load would, while charts are read
            time.sleep(0.2)
        engine.dispose()
    finally:
        stop.set()
        thread.join()
    assert answers and set(answers) == {"ok"}, [a for a in answers if a != "ok"][:3]
    superset_client.chart_data(chart["id"])  # and Superset reads again afterwards


@pytest.mark.superset
def test_a_warehouse_that_is_not_there_or_not_socialbench_is_refused_before_superset_is_touched(
        published, superset_client, superset_server, tmp_path):
    """A mistyped --db used to be published as the connection, and every chart failed."""
    connection = superset_client.find_database("socialbench")
    uri_before = superset_client.get(f"/api/v1/database/{connection['id']}/connection")["result"]["sqlalchemy_uri"]
    before = _snapshot(superset_client)
    missing = tmp_path / "typo.duckdb"
    with pytest.raises(SocialbenchError, match=f"no warehouse at {missing}: run `socialbench init"):
        publish(superset_client, f"duckdb:///{missing}")
    assert not missing.exists()  # not created by asking
    bare = tmp_path / "bare.duckdb"
    engine = warehouse.create_engine(f"duckdb:///{bare}")
    with engine.begin() as conn:
        conn.execute(sa.text("create table grants (grant_id varchar)"))
    engine.dispose()
    with pytest.raises(SocialbenchError, match="has no socialbench schema: run `socialbench init"):
        publish(superset_client, f"duckdb:///{bare}")
    assert _snapshot(superset_client) == before
    after = superset_client.get(f"/api/v1/database/{connection['id']}/connection")["result"]["sqlalchemy_uri"]
    assert after == uri_before
