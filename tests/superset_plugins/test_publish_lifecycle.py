"""The life of a published asset: retired assets are deleted by the next publish, and every
published asset is marked as managed externally.

The live tests (marker `superset`) use the session's Superset. The assets they retire are
their own (a dataset, two charts and a dashboard with fresh UUIDs, imported first), so the
published socialbench assets the other tests use are left as they were.
"""
from __future__ import annotations

import datetime
import sqlite3
import uuid

import pytest
import yaml

from socialbench.errors import SocialbenchError
from superset_plugins import bundle, server
from superset_plugins.bundle import chart_uuids, dashboard_slugs, dashboard_uuid, dataset_uuid, dataset_uuids
from superset_plugins.publish import (
    RETIRED_KEYS,
    PublishSummary,
    RemovedAsset,
    RetiredAsset,
    check_retired,
    load_retired,
    parse_retired,
    publish,
)

URI = "duckdb:////srv/socialbench/warehouse.duckdb"


def entry(**changes) -> dict:
    base = {
        "uuid": "87d996e5-fc7e-5d19-b032-212e5e6dee70",
        "kind": "chart",
        "name": "sagsbehandling/immediate_effort_latest",
        "retired_on": datetime.date(2026, 12, 2),
        "why": "replaced",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


def retired(kind: str, uid: str, name: str = "test asset") -> RetiredAsset:
    return RetiredAsset(uid, kind, name, "2026-12-04", "a test retires it")


# --- the retired list, without a server --------------------------------------------------


def test_a_retired_entry_is_read_with_its_uuid_normalised():
    (found,) = parse_retired({"retired": [entry(uuid="87D996E5-FC7E-5D19-B032-212E5E6DEE70", retired_on="2026-12-02")]})
    assert found == RetiredAsset(
        "87d996e5-fc7e-5d19-b032-212e5e6dee70", "chart", "sagsbehandling/immediate_effort_latest", "2026-12-02", "replaced"
    )
    assert parse_retired(None) == [] and parse_retired({"retired": []}) == [] and parse_retired({"retired": None}) == []


@pytest.mark.parametrize(
    "data, message",
    [
        ({"retired": [entry(why=...)]}, "entry 1 lacks why (each entry has uuid, kind, name, retired_on, why)"),
        ({"retired": [entry(), entry(uuid=str(uuid.uuid4()), reason="x")]}, "entry 2 has unknown keys reason"),
        ({"retired": [entry(uuid="not-a-uuid")]}, "entry 1: 'not-a-uuid' is not a UUID"),
        ({"retired": [entry(kind="database")]}, "entry 1: kind 'database' is not one of dashboard, chart, dataset"),
        ({"retired": [entry(retired_on="last week")]}, "entry 1: retired_on 'last week' is not a date (YYYY-MM-DD)"),
        ({"retired": [entry(), entry(name="again")]}, "entry 2: 87d996e5-fc7e-5d19-b032-212e5e6dee70 is listed already (entry 1)"),
        ({"charts": []}, "expected one key, `retired`"),
        ({"retired": {"uuid": "x"}}, "`retired` must be a list"),
        ({"retired": ["87d996e5-fc7e-5d19-b032-212e5e6dee70"]}, "entry 1 is not a mapping"),
    ],
)
def test_a_malformed_retired_list_is_refused_in_plain_words(data, message):
    with pytest.raises(SocialbenchError) as error:
        parse_retired(data, "retired.yml")
    assert str(error.value).startswith("retired.yml: ")
    assert message in str(error.value)


@pytest.mark.parametrize("kind", ["chart", "dataset", "dashboard"])
def test_a_retired_uuid_still_in_the_definitions_is_an_error(kind):
    contents = bundle.bundle_files(URI)
    uid = {"chart": chart_uuids()[0], "dataset": dataset_uuids()[0], "dashboard": dashboard_uuid(dashboard_slugs()[0])}[kind]
    with pytest.raises(SocialbenchError) as error:
        check_retired([retired("chart", str(uuid.uuid4())), retired(kind, uid, "old name")], contents)
    text = str(error.value)
    assert f"{kind} 'old name' ({uid}) is still in the definitions, as {kind} " in text
    assert text.endswith("or from the definitions; nothing in Superset was changed")
    check_retired([retired(kind, str(uuid.uuid4()))], contents)  # a UUID not defined is fine


def test_the_repository_retired_list_is_valid_and_retires_nothing_still_defined():
    found = load_retired()
    check_retired(found, bundle.bundle_files(URI))
    by_uuid = {r.uuid: r for r in found}
    # the one chart removed from the definitions in the git history (5ece603)
    assert by_uuid[bundle.chart_uuid("sagsbehandling", "immediate_effort_latest")].kind == "chart"


def test_a_retired_list_given_as_a_file_is_read(tmp_path):
    path = tmp_path / "retired.yml"
    path.write_text(yaml.safe_dump({"retired": [entry()]}), encoding="utf-8")
    assert [r.uuid for r in load_retired(path)] == ["87d996e5-fc7e-5d19-b032-212e5e6dee70"]
    path.write_text("retired: [", encoding="utf-8")
    with pytest.raises(SocialbenchError, match="is not valid YAML"):
        load_retired(path)
    with pytest.raises(SocialbenchError, match="no list of retired assets at"):
        load_retired(tmp_path / "missing.yml")


def test_the_summary_prints_what_was_removed_and_kept():
    summary = PublishSummary("socialbench", True, 1, 1, removed=[RemovedAsset("chart", "Old chart", "u-1")],
                             kept=["retired dataset 'x' (u-2): 1 charts still use it ('y')"])
    lines = summary.lines()
    assert "removed 1 retired assets (listed in superset_plugins/assets/retired.yml):" in lines
    assert "  chart 'Old chart' (u-1)" in lines
    assert lines[-1] == "kept retired dataset 'x' (u-2): 1 charts still use it ('y')"
    assert not any("removed" in line for line in PublishSummary("socialbench", True, 1, 1).lines())


class _RefusingClient:
    """Answers only what publish asks before the import; anything else fails the test."""

    url = "http://superset.invalid"

    def find_database(self, name):
        return None

    def __getattr__(self, name):
        raise AssertionError(f"publish touched Superset ({name}) before refusing")


def test_publish_refuses_a_retired_uuid_still_defined_before_touching_superset(superset_warehouse):
    with pytest.raises(SocialbenchError, match="is still in the definitions"):
        publish(_RefusingClient(), superset_warehouse, retired=[retired("chart", chart_uuids()[0])])


# --- managed externally, without a server ------------------------------------------------


def test_every_asset_of_the_bundle_is_marked_as_managed_externally():
    files = bundle.bundle_files(URI)
    assets = {p: c for p, c in files.items() if p != "metadata.yaml"}
    assert {p.split("/")[0] for p in assets} == set(bundle.ASSET_FOLDERS)
    assert {(c["is_managed_externally"], c["external_url"]) for c in assets.values()} == {(True, bundle.EXTERNAL_URL)}
    assert "is_managed_externally" not in files["metadata.yaml"]
    other = bundle.bundle_files(URI, external_url="https://git.example.dk/socialbench")
    assert {c["external_url"] for p, c in other.items() if p != "metadata.yaml"} == {"https://git.example.dk/socialbench"}
    # that Superset's import takes them: test_published_assets_report_that_they_are_managed_externally


# --- against a real Superset ------------------------------------------------------------


def _metadata(superset_server, sql: str, *params):
    """Rows of Superset's own metadata database (SQLite), where external_url is kept."""
    with sqlite3.connect(superset_server.home / server.METADATA_NAME) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.mark.superset
def test_published_assets_report_that_they_are_managed_externally(published, superset_client, superset_server):
    ours = {
        "chart": set(chart_uuids()),
        "dataset": set(dataset_uuids()),
        "dashboard": {dashboard_uuid(s) for s in dashboard_slugs()},
    }
    for kind, uuids in ours.items():
        flags = superset_client.managed_externally(kind)
        assert {flags.get(u) for u in uuids} == {True}, kind
    database = superset_client.find_database("socialbench")
    assert superset_client.managed_externally("database")[str(database["uuid"])] is True
    slug = dashboard_slugs()[0]
    assert superset_client.dashboard(slug)["is_managed_externally"] is True
    # external_url is stored (Superset 6.1's REST API does not return it)
    for table, uid in (("dashboards", dashboard_uuid(slug)), ("slices", chart_uuids()[0]), ("tables", dataset_uuids()[0])):
        rows = _metadata(superset_server, f"select is_managed_externally, external_url from {table} where uuid = ?",
                         uuid.UUID(uid).bytes)
        assert rows == [(1, bundle.EXTERNAL_URL)], table


def _extra_assets(superset_client, superset_server, tag: str) -> tuple[dict[str, dict], dict[str, str]]:
    """A bundle of the connection plus assets of this test only: a virtual dataset, two
    charts on it and a dashboard with the first chart; their UUIDs by role."""
    files = bundle.bundle_files(
        superset_server.warehouse_url, "socialbench", superset_client.find_database("socialbench")["uuid"], True
    )
    database_path = next(p for p in files if p.startswith("databases/"))
    database = files[database_path]
    uids = {k: str(uuid.uuid4()) for k in ("dataset", "chart", "other_chart", "dashboard")}
    url = f"https://example.invalid/{tag}"
    managed = bundle.managed_externally(url)
    dataset = {
        "table_name": f"retire_test_{tag}",
        "schema": None,
        "sql": "select 1 as n",
        "uuid": uids["dataset"],
        "columns": [{"column_name": "n", "type": "INTEGER", "is_dttm": False, "groupby": True, "filterable": True}],
        "metrics": [{"metric_name": "count", "expression": "count(*)", "verbose_name": "Antal"}],
        "version": bundle.EXPORT_VERSION,
        "database_uuid": database["uuid"],
        **managed,
    }

    def chart(key: str, title: str) -> dict:
        return {
            "slice_name": title,
            "viz_type": "big_number_total",
            "params": {"viz_type": "big_number_total", "metric": "count", "datasource": "1__table"},
            "query_context": None,
            "uuid": uids[key],
            "version": bundle.EXPORT_VERSION,
            "dataset_uuid": uids["dataset"],
            **managed,
        }

    position = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"children": ["GRID_ID"], "id": "ROOT_ID", "type": "ROOT"},
        "GRID_ID": {"children": ["ROW-1"], "id": "GRID_ID", "parents": ["ROOT_ID"], "type": "GRID"},
        "ROW-1": {"children": ["CHART-1"], "id": "ROW-1", "meta": {"background": "BACKGROUND_TRANSPARENT"},
                  "parents": ["ROOT_ID", "GRID_ID"], "type": "ROW"},
        "CHART-1": {"children": [], "id": "CHART-1", "parents": ["ROOT_ID", "GRID_ID", "ROW-1"], "type": "CHART",
                    "meta": {"chartId": 1, "height": 50, "width": 4, "uuid": uids["chart"], "sliceName": "Retire me"}},
    }
    extra = {
        "metadata.yaml": files["metadata.yaml"],
        database_path: database,
        f"datasets/socialbench/retire_test_{tag}.yaml": dataset,
        f"charts/Retire_me_{uids['chart']}.yaml": chart("chart", "Retire me"),
        f"charts/Keep_me_{uids['other_chart']}.yaml": chart("other_chart", "Keep me a while"),
        f"dashboards/Retire_me_{tag}.yaml": {
            "dashboard_title": f"Retire me ({tag})",
            "slug": f"retire-me-{tag}",
            "uuid": uids["dashboard"],
            "position": position,
            "metadata": {},
            "version": bundle.EXPORT_VERSION,
            "published": False,
            **managed,
        },
    }
    return extra, uids


def _ours(client) -> dict[str, set[tuple]]:
    """The published socialbench assets, as (id, uuid) pairs per kind."""
    dashboards = {dashboard_uuid(s) for s in dashboard_slugs()}
    return {
        "charts": {(c["id"], str(c["uuid"])) for c in client.charts() if str(c["uuid"]) in set(chart_uuids())},
        "datasets": {(d["id"], str(d["uuid"])) for d in client.datasets() if str(d["uuid"]) in set(dataset_uuids())},
        "dashboards": {(d["id"], str(d["uuid"])) for d in client.dashboards() if str(d["uuid"]) in dashboards},
    }


@pytest.mark.superset
def test_publish_deletes_the_retired_assets_superset_has(published, superset_client, superset_server):
    tag = uuid.uuid4().hex[:8]
    extra, uids = _extra_assets(superset_client, superset_server, tag)
    superset_client.import_bundle(bundle.zip_bundle(extra))
    try:
        _retire_in_two_publishes(superset_client, superset_server, tag, uids)
    finally:  # whatever a failing run left behind
        for kind, listing, key in (("dashboard", superset_client.dashboards, "dashboard"),
                                   ("chart", superset_client.charts, "chart"),
                                   ("chart", superset_client.charts, "other_chart"),
                                   ("dataset", superset_client.datasets, "dataset")):
            for row in listing():
                if str(row["uuid"]) == uids[key]:
                    superset_client.delete(kind, row["id"])


def _retire_in_two_publishes(superset_client, superset_server, tag: str, uids: dict[str, str]) -> None:
    before = _ours(superset_client)
    charts = {str(c["uuid"]): c for c in superset_client.charts()}
    assert {uids["chart"], uids["other_chart"]} <= set(charts)
    assert uids["dashboard"] in {str(d["uuid"]) for d in superset_client.dashboards()}
    # the extra assets carry their own external_url: stored as given
    rows = _metadata(superset_server, "select external_url from slices where uuid = ?", uuid.UUID(uids["chart"]).bytes)
    assert rows == [(f"https://example.invalid/{tag}",)]

    never_published = str(uuid.uuid4())
    first = [
        retired("dataset", uids["dataset"], "retire_test"),  # listed first, deleted last
        retired("chart", uids["chart"]),
        retired("dashboard", uids["dashboard"]),
        retired("chart", never_published),  # not in Superset: nothing to do
    ]
    summary = publish(superset_client, superset_server.warehouse_url, synthetic=True, retired=first)
    assert [(r.kind, r.uuid) for r in summary.removed] == [("dashboard", uids["dashboard"]), ("chart", uids["chart"])]
    assert summary.removed[0].name == f"Retire me ({tag})"
    # the dataset is kept while a chart that is not retired uses it
    assert len(summary.kept) == 1 and f"retire_test_{tag}" in summary.kept[0]
    assert "1 charts still use it ('Keep me a while')" in summary.kept[0]
    lines = summary.lines()
    assert f"  dashboard 'Retire me ({tag})' ({uids['dashboard']})" in lines
    assert f"  chart 'Retire me' ({uids['chart']})" in lines
    charts = {str(c["uuid"]) for c in superset_client.charts()}
    assert uids["chart"] not in charts and uids["other_chart"] in charts
    assert uids["dashboard"] not in {str(d["uuid"]) for d in superset_client.dashboards()}
    assert uids["dataset"] in {str(d["uuid"]) for d in superset_client.datasets()}

    second = first + [retired("chart", uids["other_chart"])]
    summary = publish(superset_client, superset_server.warehouse_url, synthetic=True, retired=second)
    assert [(r.kind, r.uuid) for r in summary.removed] == [("chart", uids["other_chart"]), ("dataset", uids["dataset"])]
    assert summary.kept == []
    assert uids["dataset"] not in {str(d["uuid"]) for d in superset_client.datasets()}
    assert uids["other_chart"] not in {str(c["uuid"]) for c in superset_client.charts()}

    # a third publish has nothing left to delete; socialbench's own assets were never touched
    assert publish(superset_client, superset_server.warehouse_url, synthetic=True, retired=second).removed == []
    assert _ours(superset_client) == before


@pytest.mark.superset
def test_a_retired_uuid_still_defined_changes_nothing_in_superset(published, superset_client, superset_server):
    before = _ours(superset_client)
    with pytest.raises(SocialbenchError, match=r"dataset 'x' \(.*\) is still in the definitions, as dataset "):
        publish(superset_client, superset_server.warehouse_url, synthetic=True,
                retired=[retired("dataset", dataset_uuid(sorted(bundle.load_assets().datasets)[0]), "x")])
    assert _ours(superset_client) == before


def test_the_retired_keys_are_documented_in_the_file():
    text = (bundle._assets_root() / "retired.yml").read_text(encoding="utf-8")
    assert all(f"#   - {key}:" in text for key in RETIRED_KEYS)
