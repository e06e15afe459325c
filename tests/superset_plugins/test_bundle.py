"""The Superset import bundle, checked without a server: structure, references, stability."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import PurePosixPath

import pytest
import yaml

from socialbench import schema
from superset_plugins import bundle

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
URI = "duckdb:////srv/socialbench/warehouse.duckdb"

DASHBOARD_TITLES = {
    "Børn og unge med særlige behov – benchmark",
    "Voksne med særlige behov – benchmark",
    "Styringscockpit",
    "Incitamentsafregning",
    "Sagsbehandling og tilgang",
    "Budgetopfølgning",
}


def load_yaml(text: str):
    return yaml.load(text, Loader=LOADER)


def unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


@pytest.fixture(scope="module")
def files() -> dict[str, dict]:
    """The bundle's YAML files by their path below the top-level folder."""
    members = unzip(bundle.build_bundle(URI, synthetic=True))
    return {str(PurePosixPath(*PurePosixPath(n).parts[1:])): load_yaml(t) for n, t in members.items()}


def of_kind(files, kind):
    return {p: c for p, c in files.items() if p.startswith(kind + "/")}


def test_one_top_level_folder_and_assets_metadata():
    members = unzip(bundle.build_bundle(URI))
    assert {PurePosixPath(n).parts[0] for n in members} == {bundle.ROOT_FOLDER}
    metadata = load_yaml(members[f"{bundle.ROOT_FOLDER}/metadata.yaml"])
    assert metadata["version"] == "1.0.0"
    assert metadata["type"] == "assets"
    assert "timestamp" in metadata


def test_folders_hold_what_superset_expects(files):
    kinds = {PurePosixPath(p).parts[0] for p in files if "/" in p}
    assert kinds == {"databases", "datasets", "charts", "dashboards"}
    (database,) = of_kind(files, "databases").values()
    assert database["database_name"] == "socialbench"
    assert database["sqlalchemy_uri"] == URI
    for path, dataset in of_kind(files, "datasets").items():
        assert path == f"datasets/socialbench/{dataset['table_name']}.yaml"
        assert dataset["database_uuid"] == database["uuid"]
        assert dataset["sql"] is None  # physical datasets: the SQL stays in sql/
    assert all(p.isascii() for p in files)


def test_every_dashboard_chart_exists_with_uuid_and_integer_chart_id(files):
    charts = {c["uuid"]: c for c in of_kind(files, "charts").values()}
    referenced = set()
    for dashboard in of_kind(files, "dashboards").values():
        nodes = [n for n in dashboard["position"].values() if isinstance(n, dict) and n.get("type") == "CHART"]
        assert nodes, dashboard["dashboard_title"]
        for node in nodes:
            assert node["meta"]["uuid"] in charts
            assert isinstance(node["meta"]["chartId"], int) and not isinstance(node["meta"]["chartId"], bool)
            assert node["meta"]["sliceName"] == charts[node["meta"]["uuid"]]["slice_name"]
            referenced.add(node["meta"]["uuid"])
        ids = [n["meta"]["chartId"] for n in nodes]
        assert len(ids) == len(set(ids))
    # no orphan charts, and the enumeration for the publish tests agrees
    assert referenced == set(charts) == set(bundle.chart_uuids())


def test_layout_tree_is_consistent(files):
    for dashboard in of_kind(files, "dashboards").values():
        position = dashboard["position"]
        for node_id, node in position.items():
            if not isinstance(node, dict) or node_id == "HEADER_ID":
                continue
            assert node["id"] == node_id
            for child in node.get("children", []):
                assert position[child]["parents"][-1] == node_id
        for row in (n for n in position.values() if isinstance(n, dict) and n.get("type") == "ROW"):
            assert sum(position[c]["meta"]["width"] for c in row["children"]) <= 12


def test_query_context_parses_and_its_datasource_matches_the_dataset(files):
    datasource_of_dataset: dict[str, int] = {}
    for chart in of_kind(files, "charts").values():
        context = json.loads(chart["query_context"])
        ds_id = context["datasource"]["id"]
        assert context["datasource"]["type"] == "table"
        assert chart["params"]["datasource"] == f"{ds_id}__table"
        assert context["form_data"]["datasource"] == f"{ds_id}__table"
        assert context["form_data"]["viz_type"] == chart["viz_type"] == chart["params"]["viz_type"]
        assert context["queries"], chart["slice_name"]
        # the same dataset always has the same placeholder id, and different datasets differ
        assert datasource_of_dataset.setdefault(chart["dataset_uuid"], ds_id) == ds_id
    assert len(set(datasource_of_dataset.values())) == len(datasource_of_dataset)


def _names(items):
    for item in items or []:
        if isinstance(item, str):
            yield item
        elif item.get("columnType") == "BASE_AXIS":
            yield item["sqlExpression"]
        else:
            raise AssertionError(f"unexpected adhoc item {item}")


def test_every_metric_and_column_a_chart_uses_exists_in_its_dataset(files):
    datasets = {d["uuid"]: d for d in of_kind(files, "datasets").values()}
    for chart in of_kind(files, "charts").values():
        dataset = datasets[chart["dataset_uuid"]]
        metrics = {m["metric_name"] for m in dataset["metrics"]}
        columns = {c["column_name"] for c in dataset["columns"]}
        params = chart["params"]
        used_metrics = set(params.get("metrics", [])) | ({params["metric"]} if "metric" in params else set())
        used_columns = set(params.get("groupby", [])) | set(params.get("all_columns", []))
        used_columns |= {f["subject"] for f in params["adhoc_filters"]}
        if params.get("x_axis"):
            used_columns.add(params["x_axis"])
        for query in json.loads(chart["query_context"])["queries"]:
            used_metrics |= set(query.get("metrics") or [])
            used_columns |= set(_names(query["columns"])) | {f["col"] for f in query["filters"]}
            used_metrics |= {o[0] for o in query["orderby"] if o[0] not in used_columns}
        assert used_metrics <= metrics, (chart["slice_name"], used_metrics - metrics)
        assert used_columns <= columns, (chart["slice_name"], used_columns - columns)
        assert used_metrics or params.get("all_columns"), chart["slice_name"]


def test_every_dataset_is_documented():
    missing = [
        f"sql/{spec.get('docs', 'views')}/{table}.yml"
        for table, spec in bundle.load_assets().datasets.items()
        if not bundle.is_documented(spec)
    ]
    assert not missing


def test_dataset_columns_come_from_the_docs(files):
    for dataset in of_kind(files, "datasets").values():
        spec = bundle.load_assets().datasets[dataset["table_name"]]
        docs = schema.docs(spec.get("docs", "views"))
        if dataset["table_name"] not in docs:
            continue  # reported by test_every_dataset_is_documented
        documented = {c["name"]: c for c in docs[dataset["table_name"]]["columns"]}
        for column in dataset["columns"]:
            if column["expression"]:
                continue  # calculated columns (period, names looked up from reference data)
            doc = documented[column["column_name"]]
            assert column["verbose_name"] == doc.get("label")
            assert column["description"] == (doc.get("description") or "").strip()
        physical = {c["column_name"] for c in dataset["columns"] if not c["expression"]}
        assert physical == set(documented)


def test_datasets_are_certified_and_metrics_never_average_a_ratio(files):
    for dataset in of_kind(files, "datasets").values():
        assert dataset["extra"]["certification"]["certified_by"] == "socialbench"
        # a metric named like a column would make ORDER BY and labels ambiguous
        assert not {m["metric_name"] for m in dataset["metrics"]} & {c["column_name"] for c in dataset["columns"]}
        for metric in dataset["metrics"]:
            assert metric["verbose_name"] and metric["description"]
            assert "AVG(" not in metric["expression"].upper() or "duration" in metric["metric_name"], metric


def test_time_axes_are_temporal_columns(files):
    datasets = {d["uuid"]: d for d in of_kind(files, "datasets").values()}
    for chart in of_kind(files, "charts").values():
        params = chart["params"]
        if params.get("time_grain_sqla"):
            columns = {c["column_name"]: c for c in datasets[chart["dataset_uuid"]]["columns"]}
            assert columns[params["x_axis"]]["is_dttm"], chart["slice_name"]


def test_native_filters_target_datasets_by_uuid_and_scope_charts_of_the_dashboard(files):
    datasets = {d["uuid"]: d for d in of_kind(files, "datasets").values()}
    for dashboard in of_kind(files, "dashboards").values():
        chart_ids = {
            n["meta"]["chartId"] for n in dashboard["position"].values()
            if isinstance(n, dict) and n.get("type") == "CHART"
        }
        filters = dashboard["metadata"]["native_filter_configuration"]
        assert filters, dashboard["dashboard_title"]
        for native in filters:
            (target,) = native["targets"]
            columns = {c["column_name"] for c in datasets[target["datasetUuid"]]["columns"]}
            assert target["column"]["name"] in columns
            assert set(native["scope"]["excluded"]) < chart_ids  # some chart is in scope
            if native["controlValues"]["defaultToFirstItem"]:
                assert native["requiredFirst"] is True  # else Superset waits for "Apply filters"


def test_uuids_are_stable_and_the_database_uuid_can_be_given():
    first = unzip(bundle.build_bundle(URI))
    other = unzip(bundle.build_bundle("postgresql://user@host/db"))

    def uuids(members):
        return sorted(load_yaml(t)["uuid"] for n, t in members.items() if not n.endswith("metadata.yaml"))

    assert uuids(first) == uuids(other)
    given = "0b9c4f7e-1f05-4d6c-9d1a-5c1f3e1f7a10"
    reused = {PurePosixPath(n).parts[1]: load_yaml(t) for n, t in unzip(bundle.build_bundle(URI, database_uuid=given)).items()}
    assert {c["uuid"] for k, c in reused.items() if k == "databases"} == {given}
    assert {c["database_uuid"] for k, c in reused.items() if k == "datasets"} == {given}


def test_identical_inputs_give_identical_bytes():
    assert bundle.build_bundle(URI, synthetic=True) == bundle.build_bundle(URI, synthetic=True)
    assert bundle.build_bundle(URI) != bundle.build_bundle(URI, synthetic=True)


def test_danish_titles_and_slugs(files):
    dashboards = of_kind(files, "dashboards").values()
    assert {d["dashboard_title"] for d in dashboards} == DASHBOARD_TITLES
    assert [d["slug"] for d in dashboards] and set(bundle.dashboard_slugs()) == {d["slug"] for d in dashboards}
    assert all(d["slug"].isascii() for d in dashboards)
    titles = [c["slice_name"] for c in of_kind(files, "charts").values()]
    assert "Datakilder" in titles
    # Danish words, not English ones, in what users read
    assert not any(word in t.lower() for t in titles for word in ("cost", "expenditure", "municipality", "payout"))


def _markdown(files):
    out = []
    for dashboard in of_kind(files, "dashboards").values():
        out += [n["meta"]["code"] for n in dashboard["position"].values() if isinstance(n, dict) and n.get("type") == "MARKDOWN"]
    return out


def test_every_dashboard_says_where_figures_come_from_and_when_they_are_synthetic(files):
    notes = _markdown(files)
    assert len(notes) == len(DASHBOARD_TITLES)
    assert all("Kilde" in n and "syntetiske" in n for n in notes)
    plain = unzip(bundle.build_bundle(URI, synthetic=False))
    plain_notes = _markdown({str(PurePosixPath(*PurePosixPath(n).parts[1:])): load_yaml(t) for n, t in plain.items()})
    assert plain_notes and not any("syntetiske" in n for n in plain_notes)


def test_every_dashboard_shows_the_data_sources_table(files):
    datasets = {d["uuid"]: d["table_name"] for d in of_kind(files, "datasets").values()}
    charts = {c["uuid"]: c for c in of_kind(files, "charts").values()}
    for dashboard in of_kind(files, "dashboards").values():
        tables = {
            datasets[charts[n["meta"]["uuid"]]["dataset_uuid"]]
            for n in dashboard["position"].values() if isinstance(n, dict) and n.get("type") == "CHART"
        }
        assert "data_source" in tables, dashboard["dashboard_title"]


def test_superset_opens_a_duckdb_warehouse_read_only_and_other_engines_as_given():
    def database(uri):
        members = unzip(bundle.build_bundle(uri))
        return next(load_yaml(t) for n, t in members.items() if PurePosixPath(n).parts[1] == "databases")

    assert database(URI)["extra"]["engine_params"] == {
        "connect_args": {"read_only": True, "config": {"enable_external_access": False, "lock_configuration": True}}
    }
    assert database("postgresql://reader@host/db")["extra"]["engine_params"] == {}


def test_the_bundle_read_back_is_the_builders_files():
    files = bundle.bundle_files(URI, synthetic=True)
    assert bundle.read_bundle(bundle.zip_bundle(files)) == files
    assert bundle.zip_bundle(files) == bundle.build_bundle(URI, synthetic=True)
