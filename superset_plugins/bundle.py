"""Dashboards as code: the Superset 6.1 assets import bundle, built from readable definitions.

The definitions live in `superset_plugins/assets/` (see its README.md):
- `datasets/<table>.yaml`: a physical dataset over a view or table of the warehouse, with
  saved metrics (ratios as ratios of sums) and calculated columns. Its columns, their Danish
  labels and descriptions come from the view documentation (`socialbench.schema.docs`),
  never pasted into the asset file; the SQL stays in `sql/`.
- `dashboards/<slug>.yaml`: a dashboard, its native filters, its charts and their layout.

`bundle_files` is a pure function of these files and its arguments, giving every file of
the bundle as a dict; `zip_bundle` serialises them once (`build_bundle` does both): the
same inputs give the same ZIP bytes. UUIDs are uuid5 of the asset's name, so that importing again (with
overwrite) updates the assets instead of duplicating them.
"""
from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from socialbench import reference, schema
from superset_plugins import colors
from superset_plugins import query_context as qc

EXPORT_VERSION = "1.0.0"
ROOT_FOLDER = "socialbench_assets"
# metadata.yaml's `type` by bundle kind: `assets` for POST /api/v1/assets/import/ (what
# publish uses); `Dashboard` (the model's class name, checked by Superset's dashboard
# importer) for the UI's Dashboards > Import dashboards, POST /api/v1/dashboard/import/ and
# `superset import-dashboards -p FILE.zip`, which refuse any other type.
BUNDLE_TYPES = {"assets": "assets", "dashboard": "Dashboard"}
# The folders of a bundle's asset files (below the top-level folder of a ZIP, or directly
# in an exported directory).
ASSET_FOLDERS = ("databases", "datasets", "charts", "dashboards")
# Fixed, so that identical inputs give identical bytes (Superset only checks it is a date).
TIMESTAMP = "2026-01-01T00:00:00+00:00"
ZIP_DATE = (2026, 1, 1, 0, 0, 0)
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/socialbench/socialbench/superset-assets")
CERTIFIED_BY = "socialbench"
# Every asset of the bundle says it is managed outside Superset (`is_managed_externally`,
# which Superset's importers take from the YAML): Superset's UI then refuses to save its
# properties ("This dashboard is managed externally, and can't be edited in Superset"),
# since the next publish would overwrite them. `external_url` (where it is managed) is
# stored with the asset; Superset 6.1's UI and REST API do not show it. None by default:
# socialbench has no public address of its own to invent; a municipality that keeps its
# definitions in its own repository passes that address (`external_url=`).
EXTERNAL_URL: str | None = None
# Calculated columns that give every dataset a readable name for a code, so that one
# native filter (on the name) works across all datasets of a dashboard.
NAME_LOOKUPS = {
    "municipality_name": ("municipality_code", "municipality", "municipality_name", "Kommune", False),
    "intervention_name": ("intervention_code", "intervention", "intervention_name", "Indsats", True),
    "intervention_area": ("intervention_code", "intervention", "area", "Område (children/adults)", True),
}
GRID_WIDTH = 12
# libyaml when present: the same YAML, many times faster.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def asset_uuid(kind: str, name: str) -> str:
    """The stable UUID of an asset: uuid5 of its kind and name."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}/{name}"))


def database_uuid_for(database_name: str) -> str:
    return asset_uuid("database", database_name)


def dataset_uuid(table: str) -> str:
    return asset_uuid("dataset", table)


def chart_uuid(slug: str, key: str) -> str:
    return asset_uuid("chart", f"{slug}/{key}")


def dashboard_uuid(slug: str) -> str:
    return asset_uuid("dashboard", slug)


# ---------------------------------------------------------------- definitions


@dataclass(frozen=True)
class Assets:
    """The asset definitions as read from superset_plugins/assets."""

    datasets: dict[str, dict]  # by table name
    dashboards: list[dict]  # in file-name order


def _assets_root():
    return resources.files("superset_plugins").joinpath("assets")


@lru_cache(maxsize=None)
def load_assets() -> Assets:
    root = _assets_root()
    datasets = {}
    for entry in sorted(root.joinpath("datasets").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            spec = yaml.load(entry.read_text("utf-8"), Loader=Loader)
            datasets[spec["table"]] = spec
    dashboards = []
    for entry in sorted(root.joinpath("dashboards").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            dashboards.append(yaml.load(entry.read_text("utf-8"), Loader=Loader))
    return Assets(datasets, dashboards)


def dashboard_slugs() -> list[str]:
    return [d["slug"] for d in load_assets().dashboards]


def dashboard_titles() -> dict[str, str]:
    return {d["slug"]: d["title"] for d in load_assets().dashboards}


def chart_uuids() -> list[str]:
    return [chart_uuid(d["slug"], c["key"]) for d in load_assets().dashboards for c in d["charts"]]


def charts_by_dashboard() -> dict[str, list[str]]:
    """The chart UUIDs of each dashboard, by slug, in definition order."""
    return {d["slug"]: [chart_uuid(d["slug"], c["key"]) for c in d["charts"]] for d in load_assets().dashboards}


def dataset_uuids() -> list[str]:
    return [dataset_uuid(t) for t in load_assets().datasets]


def is_documented(spec: dict) -> bool:
    return spec["table"] in schema.docs(spec.get("docs", "views"))


def table_docs(spec: dict) -> dict:
    """The dbt-style documentation of a dataset's view or table.

    While a table's documentation has not landed yet, the asset file's
    `undocumented_columns` (names only) stand in, so the bundle still builds; the tests
    insist on the documentation.
    """
    kind = spec.get("docs", "views")
    found = schema.docs(kind)
    if spec["table"] in found:
        return found[spec["table"]]
    if "undocumented_columns" in spec:
        return {"name": spec["table"], "columns": [{"name": c} for c in spec["undocumented_columns"]]}
    raise KeyError(f"no documentation for {spec['table']} in sql/{kind}/*.yml")


# ---------------------------------------------------------------- datasets


def _lookup_expression(code_column: str, table: str, name_column: str, quoted: bool) -> str:
    frame = reference.frame(table).sort_values(code_column)
    whens = []
    for code, name in zip(frame[code_column], frame[name_column]):
        key = "'" + str(code).replace("'", "''") + "'" if quoted else str(int(code))
        whens.append(f"WHEN {key} THEN '" + str(name).replace("'", "''") + "'")
    return f"CASE {code_column} " + " ".join(whens) + f" ELSE CAST({code_column} AS VARCHAR) END"


def _column(name, label, description, *, expression=None, is_dttm=False, type_=None) -> dict:
    return {
        "advanced_data_type": None,
        "column_name": name,
        "description": description,
        "expression": expression,
        "extra": {},
        "filterable": True,
        "groupby": True,
        "is_active": True,
        "is_dttm": is_dttm,
        "python_date_format": None,
        "type": type_,
        "verbose_name": label,
    }


PERIOD_EXPRESSION = "CAST(CAST({year} AS VARCHAR) || '-01-01' AS DATE)"


def calculated_columns(spec: dict) -> list[dict]:
    """The asset file's calculated columns, with `period: <year column>` spelled out as a
    date column (1 January of the year) for time-series x-axes; valid on DuckDB and PostgreSQL."""
    out = []
    if "period" in spec:
        out.append(
            {
                "name": "period",
                "label": "År (dato)",
                "description": f"1 January of {spec['period']}, as a date, for time axes.",
                "expression": PERIOD_EXPRESSION.format(year=spec["period"]),
                "is_dttm": True,
                "type": "DATE",
            }
        )
    return out + list(spec.get("calculated_columns", []))


def dataset_columns(spec: dict) -> list[dict]:
    """The dataset's columns: every documented column of the view, then the calculated ones."""
    docs = table_docs(spec)
    documented = {c["name"] for c in docs["columns"]}
    columns = [
        _column(c["name"], c.get("label"), (c.get("description") or "").strip() or None,
                is_dttm=c["name"] in spec.get("temporal_columns", []))
        for c in docs["columns"]
    ]
    for name in spec.get("lookups", []):
        if name in documented:
            continue
        code_column, table, name_column, label, quoted = NAME_LOOKUPS[name]
        if code_column not in documented:
            raise KeyError(f"dataset {spec['table']}: lookup {name} needs column {code_column}")
        columns.append(
            _column(name, label, f"Name of {code_column}, from socialbench's reference table {table}.",
                    expression=_lookup_expression(code_column, table, name_column, quoted), type_="VARCHAR")
        )
    for calc in calculated_columns(spec):
        columns.append(
            _column(calc["name"], calc["label"], calc["description"].strip(), expression=calc["expression"].strip(),
                    is_dttm=calc.get("is_dttm", False), type_=calc.get("type"))
        )
    return columns


def dataset_metrics(spec: dict) -> list[dict]:
    return [
        {
            "currency": None,
            "d3format": m.get("format", ",.0f"),
            "description": m["description"].strip(),
            "expression": " ".join(m["expression"].split()),
            "extra": {},
            "metric_name": m["name"],
            "metric_type": None,
            "verbose_name": m["label"],
            "warning_text": None,
        }
        for m in spec["metrics"]
    ]


def build_dataset(spec: dict, db_uuid: str) -> dict:
    docs = table_docs(spec)
    description = (docs.get("description") or "").strip()
    return {
        "table_name": spec["table"],
        "main_dttm_col": spec.get("main_dttm_col"),
        "description": description or None,
        "default_endpoint": None,
        "offset": 0,
        "cache_timeout": None,
        "catalog": None,
        "schema": None,
        "sql": None,
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": {
            "certification": {
                "certified_by": CERTIFIED_BY,
                "details": f"Columns and definitions documented in sql/{spec.get('docs', 'views')}/{spec['table']}.yml",
            }
        },
        "normalize_columns": False,
        "always_filter_main_dttm": False,
        "uuid": dataset_uuid(spec["table"]),
        "metrics": dataset_metrics(spec),
        "columns": dataset_columns(spec),
        "version": EXPORT_VERSION,
        "database_uuid": db_uuid,
    }


# ---------------------------------------------------------------- charts


def _placeholder_ids(assets: Assets) -> tuple[dict[str, int], dict[str, int]]:
    """Integer ids as in an export (Superset replaces them on import)."""
    dataset_ids = {table: i for i, table in enumerate(sorted(assets.datasets), start=1)}
    chart_ids = {}
    for dashboard in assets.dashboards:
        for chart in dashboard["charts"]:
            chart_ids[chart_uuid(dashboard["slug"], chart["key"])] = len(chart_ids) + 1
    return dataset_ids, chart_ids


def temporal_columns(spec: dict) -> set[str]:
    out = set(spec.get("temporal_columns", []))
    out |= {c["name"] for c in calculated_columns(spec) if c.get("is_dttm")}
    return out


def build_chart(dashboard: dict, chart: dict, assets: Assets, dataset_ids, chart_ids, dashboard_id: int) -> dict:
    spec = assets.datasets[chart["dataset"]]
    ds_id = dataset_ids[chart["dataset"]]
    uid = chart_uuid(dashboard["slug"], chart["key"])
    temporal = temporal_columns(spec)
    params = qc.form_data(chart, ds_id, temporal)
    params["slice_id"] = chart_ids[uid]
    params["dashboards"] = [dashboard_id]
    context = qc.query_context(params, ds_id, temporal)
    return {
        "slice_name": chart["title"],
        "description": (chart.get("description") or "").strip() or None,
        "certified_by": CERTIFIED_BY,
        "certification_details": "Built from socialbench's documented views",
        "viz_type": params["viz_type"],
        "params": params,
        "query_context": json.dumps(context, sort_keys=True, ensure_ascii=False),
        "cache_timeout": None,
        "uuid": uid,
        "version": EXPORT_VERSION,
        "dataset_uuid": dataset_uuid(chart["dataset"]),
    }


# ---------------------------------------------------------------- dashboards


def note_markdown(dashboard: dict, synthetic: bool) -> str:
    text = dashboard["note"].strip()
    if synthetic:
        text += (
            "\n\n**Bemærk: tallene er syntetiske demonstrationsdata**, dannet af socialbench's "
            "`demo-data`. De beskriver ingen virkelig kommune."
        )
    return text


def _short_id(prefix: str, *names: str) -> str:
    return f"{prefix}-" + uuid.uuid5(NAMESPACE, "/".join(names)).hex[:10]


def build_position(dashboard: dict, synthetic: bool, chart_ids: dict[str, int]) -> dict:
    """The dashboard's layout tree (position_json): rows of charts and markdown under one grid."""
    slug = dashboard["slug"]
    charts = {c["key"]: c for c in dashboard["charts"]}
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"children": ["GRID_ID"], "id": "ROOT_ID", "type": "ROOT"},
        "GRID_ID": {"children": [], "id": "GRID_ID", "parents": ["ROOT_ID"], "type": "GRID"},
        "HEADER_ID": {"id": "HEADER_ID", "meta": {"text": dashboard["title"]}, "type": "HEADER"},
    }
    for r, row in enumerate(dashboard["layout"]):
        row_id = _short_id("ROW", slug, str(r))
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {
            "children": [],
            "id": row_id,
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
            "parents": ["ROOT_ID", "GRID_ID"],
            "type": "ROW",
        }
        for item in row:
            key, width = (item, None) if isinstance(item, str) else (item["key"], item.get("width"))
            parents = ["ROOT_ID", "GRID_ID", row_id]
            if key == "note":
                node_id = _short_id("MARKDOWN", slug, "note")
                position[node_id] = {
                    "children": [],
                    "id": node_id,
                    "meta": {"code": note_markdown(dashboard, synthetic), "height": 50, "width": width or 4},
                    "parents": parents,
                    "type": "MARKDOWN",
                }
            else:
                chart = charts[key]
                uid = chart_uuid(slug, key)
                node_id = _short_id("CHART", slug, key)
                position[node_id] = {
                    "children": [],
                    "id": node_id,
                    "meta": {
                        "chartId": chart_ids[uid],
                        "height": chart.get("height", 50),
                        "sliceName": chart["title"],
                        "uuid": uid,
                        "width": width or chart.get("width", 6),
                    },
                    "parents": parents,
                    "type": "CHART",
                }
            position[row_id]["children"].append(node_id)
        used = sum(position[c]["meta"]["width"] for c in position[row_id]["children"])
        if used > GRID_WIDTH:
            raise ValueError(f"dashboard {slug}: row {r + 1} is {used} columns wide (at most {GRID_WIDTH})")
    return position


def dataset_column_names(spec: dict) -> set[str]:
    return {c["column_name"] for c in dataset_columns(spec)}


def native_filters(dashboard: dict, assets: Assets, chart_ids: dict[str, int]) -> list[dict]:
    """Native filters targeting datasets by UUID; a chart is out of a filter's scope when its
    dataset lacks the filtered column or the chart says it ignores that filter."""
    slug = dashboard["slug"]
    out = []
    for f in dashboard.get("filters", []):
        target_table = f["dataset"]
        column = f["column"]
        excluded = []
        for chart in dashboard["charts"]:
            spec = assets.datasets[chart["dataset"]]
            if column not in dataset_column_names(spec) or f["key"] in chart.get("ignore_filters", []):
                excluded.append(chart_ids[chart_uuid(slug, chart["key"])])
        required = f.get("required", False)
        out.append(
            {
                "id": "NATIVE_FILTER-" + uuid.uuid5(NAMESPACE, f"{slug}/filter/{f['key']}").hex[:20],
                "name": f["label"],
                "description": f.get("description", ""),
                "filterType": "filter_select",
                "type": "NATIVE_FILTER",
                "targets": [{"column": {"name": column}, "datasetUuid": dataset_uuid(target_table)}],
                "controlValues": {
                    "enableEmptyFilter": required,
                    "defaultToFirstItem": f.get("default_first", False),
                    "multiSelect": f.get("multiple", True),
                    # Superset's default lets typed text + Enter become a value that matches no row
                    "creatable": False,
                    "searchAllOptions": False,
                    "inverseSelection": False,
                    "sortAscending": f.get("ascending", True),
                },
                "defaultDataMask": {"extraFormData": {}, "filterState": {}, "ownState": {}},
                # with a default of the first value, apply it on load (as Superset's filter modal does)
                "requiredFirst": True if f.get("default_first") else None,
                "cascadeParentIds": [],
                "scope": {"rootPath": ["ROOT_ID"], "excluded": sorted(excluded)},
                "sortMetric": None,
            }
        )
    return out


def build_dashboard(dashboard: dict, assets: Assets, synthetic: bool, chart_ids: dict[str, int]) -> dict:
    slug = dashboard["slug"]
    metadata = {
        "color_scheme": "supersetColors",
        "refresh_frequency": 0,
        "expanded_slices": {},
        "label_colors": colors.label_colors(dashboard, assets.datasets),  # fixed per series: colors.py
        "shared_label_colors": [],
        "map_label_colors": {},
        "color_scheme_domain": [],
        "cross_filters_enabled": False,
        "native_filter_configuration": native_filters(dashboard, assets, chart_ids),
        "chart_configuration": {},
        "global_chart_configuration": {"scope": {"rootPath": ["ROOT_ID"], "excluded": []}, "chartsInScope": []},
        "timed_refresh_immune_slices": [],
        "default_filters": "{}",
    }
    return {
        "dashboard_title": dashboard["title"],
        "description": None,
        "css": "",
        "slug": slug,
        "certified_by": CERTIFIED_BY,
        "certification_details": "Definitions in superset_plugins/assets; figures from socialbench's views",
        "published": True,
        "uuid": dashboard_uuid(slug),
        "position": build_position(dashboard, synthetic, chart_ids),
        "metadata": metadata,
        "version": EXPORT_VERSION,
    }


# ---------------------------------------------------------------- database and bundle


# DuckDB settings of Superset's connection (DuckDB's own `config`, applied when the file is
# opened). SQL Lab runs any SQL a user types, and DuckDB can read files on the server
# (`read_csv('/etc/passwd')`), attach other databases and load extensions: with external
# access off none of this works, and the locked configuration refuses every `SET` that
# would switch it back on. The warehouse file itself is opened before the lock applies.
# Superset releases after 6.1 refuse DuckDB connections altogether under
# PREVENT_UNSAFE_DB_CONNECTIONS for this reason (apache/superset#40402).
DUCKDB_CONFIG = {"enable_external_access": False, "lock_configuration": True}


def duckdb_connect_args() -> dict:
    """How Superset opens a DuckDB warehouse: read-only, no external access, configuration locked."""
    return {"read_only": True, "config": dict(DUCKDB_CONFIG)}


def build_database(warehouse_uri: str, database_name: str, db_uuid: str) -> dict:
    """The connection to the warehouse. DuckDB lets many processes read a file or one write
    it: Superset only reads, so it opens a DuckDB file read-only and never takes the lock
    that `socialbench load` or a settlement run needs; and it cannot reach any other file
    (see DUCKDB_CONFIG). The connection is exposed in SQL Lab, synchronous, without DML."""
    engine_params = {"connect_args": duckdb_connect_args()} if warehouse_uri.startswith("duckdb") else {}
    return {
        "database_name": database_name,
        "sqlalchemy_uri": warehouse_uri,
        "cache_timeout": None,
        "expose_in_sqllab": True,
        "allow_run_async": False,
        "allow_ctas": False,
        "allow_cvas": False,
        "allow_dml": False,
        "allow_file_upload": False,
        "extra": {
            "allows_virtual_table_explore": True,
            "metadata_params": {},
            "engine_params": engine_params,
            "schemas_allowed_for_file_upload": [],
        },
        "impersonate_user": False,
        "uuid": db_uuid,
        "version": EXPORT_VERSION,
    }


DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def _file_name(name: str) -> str:
    """A file name like Superset's exports (words joined by _), kept to plain ASCII."""
    ascii_name = name.translate(DANISH_LETTERS).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9\-]+", "_", ascii_name).strip("_")


def managed_externally(external_url: str | None = EXTERNAL_URL) -> dict:
    """The fields that mark an asset as managed outside Superset (see EXTERNAL_URL)."""
    return {"is_managed_externally": True, "external_url": external_url}


def bundle_files(
    warehouse_uri: str,
    database_name: str = "socialbench",
    database_uuid: str | None = None,
    synthetic: bool = False,
    external_url: str | None = EXTERNAL_URL,
) -> dict[str, dict]:
    """Every file of the bundle as {path inside the top-level folder: content as a dict}.
    Each asset (connection, dataset, chart, dashboard) is marked as managed externally,
    at `external_url`."""
    assets = load_assets()
    db_uuid = database_uuid or database_uuid_for(database_name)
    dataset_ids, chart_ids = _placeholder_ids(assets)
    files: dict[str, dict] = {
        "metadata.yaml": {"version": EXPORT_VERSION, "type": "assets", "timestamp": TIMESTAMP},
        f"databases/{_file_name(database_name)}.yaml": build_database(warehouse_uri, database_name, db_uuid),
    }
    for table, spec in assets.datasets.items():
        files[f"datasets/{_file_name(database_name)}/{table}.yaml"] = build_dataset(spec, db_uuid)
    for d_index, dashboard in enumerate(assets.dashboards, start=1):
        for chart in dashboard["charts"]:
            content = build_chart(dashboard, chart, assets, dataset_ids, chart_ids, d_index)
            files[f"charts/{_file_name(chart['title'])}_{content['uuid']}.yaml"] = content
        files[f"dashboards/{_file_name(dashboard['title'])}_{d_index}.yaml"] = build_dashboard(
            dashboard, assets, synthetic, chart_ids
        )
    for path, content in files.items():
        if path != "metadata.yaml":
            content.update(managed_externally(external_url))
    return files


def with_type(files: dict[str, dict], bundle_type: str) -> dict[str, dict]:
    """The same files with metadata.yaml of this bundle kind (a key of BUNDLE_TYPES):
    `dashboard` for Superset's dashboard import, which refuses an assets bundle
    (`metadata.yaml: {'type': ['Must be equal to Dashboard.']}`). The other files are the
    same: Superset's dashboard importer takes the databases, datasets and charts the
    dashboards use from the same folders."""
    if bundle_type not in BUNDLE_TYPES:
        raise ValueError(f"unknown bundle type {bundle_type!r} (one of {', '.join(BUNDLE_TYPES)})")
    out = dict(files)
    out["metadata.yaml"] = {**files["metadata.yaml"], "type": BUNDLE_TYPES[bundle_type]}
    return out


def _yaml_text(content: dict) -> bytes:
    return yaml.dump(content, Dumper=Dumper, sort_keys=False, allow_unicode=True).encode("utf-8")


def zip_bundle(files: dict[str, dict]) -> bytes:
    """The ZIP bytes of a Superset 6.1 import bundle (POST /api/v1/assets/import/, or with
    `with_type(files, "dashboard")` the dashboard import) from `bundle_files`: each file as
    YAML under one top-level folder, in a fixed order and with a fixed date, so that the
    same files give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in sorted(files.items()):
            info = zipfile.ZipInfo(f"{ROOT_FOLDER}/{path}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, _yaml_text(content))
    return buffer.getvalue()


class DirectoryNotEmpty(ValueError):
    """The export directory holds files that are not a bundle: nothing was written."""


def write_directory(files: dict[str, dict], directory) -> list[Path]:
    """Write the bundle's files as YAML directly into `directory`: metadata.yaml and
    databases/, datasets/, charts/, dashboards/ at its top, with no top-level folder (the
    layout `preset-cli ... sync native DIR` reads; a ZIP's top folder would hide them from
    it). Returns the files written, in order.

    A directory that holds an earlier export is refreshed: its YAML files in those folders
    are removed first, so that a chart renamed since does not linger. A directory holding
    anything else is refused (DirectoryNotEmpty), and nothing is written."""
    directory = Path(directory)
    if directory.exists():
        if not directory.is_dir():
            raise DirectoryNotEmpty(f"{directory} exists and is not a directory")
        allowed = {"metadata.yaml", *ASSET_FOLDERS}
        others = sorted(p.name for p in directory.iterdir() if p.name not in allowed)
        stale = [p for folder in ASSET_FOLDERS for p in (directory / folder).rglob("*") if p.is_file()]
        foreign = [p for p in stale if p.suffix not in (".yaml", ".yml")]
        if others or foreign or (stale and not (directory / "metadata.yaml").is_file()):
            shown = others or [str(p.relative_to(directory)) for p in foreign] or ["files without metadata.yaml"]
            raise DirectoryNotEmpty(
                f"{directory} is not empty and not an earlier export ({', '.join(shown[:3])}): "
                "give a new or empty directory"
            )
        for path in stale:
            path.unlink()
    written = []
    for path, content in sorted(files.items()):
        target = directory.joinpath(*PurePosixPath(path).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_yaml_text(content))
        written.append(target)
    return written


def read_directory(directory) -> dict[str, dict]:
    """The files of an exported directory as `bundle_files` gives them (the inverse of
    write_directory)."""
    directory = Path(directory)
    return {
        path.relative_to(directory).as_posix(): yaml.load(path.read_bytes(), Loader=Loader)
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.suffix in (".yaml", ".yml")
    }


def read_bundle(data: bytes) -> dict[str, dict]:
    """The files of a bundle's ZIP as `bundle_files` gives them (the inverse of zip_bundle),
    e.g. to inspect an exported bundle."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.split("/", 1)[1]: yaml.load(archive.read(name), Loader=Loader)
            for name in archive.namelist()
            if "/" in name and name.endswith((".yaml", ".yml"))
        }


def build_bundle(
    warehouse_uri: str,
    database_name: str = "socialbench",
    database_uuid: str | None = None,
    synthetic: bool = False,
) -> bytes:
    """The ZIP bytes of a Superset 6.1 assets import bundle (POST /api/v1/assets/import/).

    The database connection's URI is written as given; pass the password separately to the
    import (`passwords` form field, keyed by `databases/<database_name>.yaml`).
    `database_uuid` reuses an existing connection; `synthetic` adds a note that the figures
    are synthetic demo data to every dashboard.
    """
    return zip_bundle(bundle_files(warehouse_uri, database_name, database_uuid, synthetic))
