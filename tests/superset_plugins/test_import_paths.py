"""Every documented way into Superset works: the export layouts, and each import path
against the session's real Superset 6.1.

The ways (docs/superset.md, "Ways into Superset"): `publish` (POST /api/v1/assets/import/,
tested in test_publish.py); the dashboard-type ZIP through Superset's dashboard import
(POST /api/v1/dashboard/import/, what the UI's Dashboards > Import dashboards sends);
`superset import-dashboards -p ZIP -u USER` on the server; preset-cli's `sync native DIR`.

The session's Superset already holds the published dashboards (other tests rely on them,
with their ids). So that an import here really creates something, and leaves the session
as it found it, each live test imports a *twin* of the export: the files exactly as the
export command wrote them, with every dataset, chart and dashboard UUID mapped to a new one,
the slugs suffixed and a database connection of its own. Afterwards the twin is deleted.
"""
from __future__ import annotations

import fcntl
import io
import os
import shutil
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path, PurePosixPath

import prison
import sqlalchemy as sa
import pytest
import yaml

from socialbench import warehouse
from socialbench.cli import main
from superset_plugins import bundle, server

TWIN_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/socialbench/socialbench/tests/import-paths")
MISSING_WAREHOUSE = "duckdb:////nonexistent/socialbench-import-paths/warehouse.duckdb"  # not created: not synthetic


def unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def export(tmp_path, *args: str, warehouse: str = MISSING_WAREHOUSE) -> Path:
    """Run `socialbench superset export-bundle ARGS` (to a ZIP unless --directory is given)."""
    argv = ["superset", "export-bundle", *args, "--warehouse-uri", warehouse]
    assert main(argv) == 0
    return tmp_path


# --- the export layouts, without a server ----------------------------------------------------


def test_the_default_export_is_an_assets_bundle_and_says_how_to_import_it(tmp_path, capsys):
    path = tmp_path / "assets.zip"
    export(tmp_path, str(path))
    members = unzip(path.read_bytes())
    assert {PurePosixPath(n).parts[0] for n in members} == {bundle.ROOT_FOLDER}
    metadata = yaml.safe_load(members[f"{bundle.ROOT_FOLDER}/metadata.yaml"])
    assert metadata["type"] == "assets" and metadata["version"] == "1.0.0"
    out = capsys.readouterr().out
    assert "/api/v1/assets/import/" in out and "--type dashboard" in out
    assert "Settings" not in out  # Superset 6.1 has no import under Settings


def test_the_dashboard_export_has_dashboard_metadata_and_the_same_assets(tmp_path, capsys):
    assets, dashboard = tmp_path / "assets.zip", tmp_path / "dashboard.zip"
    export(tmp_path, str(assets))
    export(tmp_path, str(dashboard), "--type", "dashboard")
    a, d = bundle.read_bundle(assets.read_bytes()), bundle.read_bundle(dashboard.read_bytes())
    assert d["metadata.yaml"] == {"version": "1.0.0", "type": "Dashboard", "timestamp": bundle.TIMESTAMP}
    assert {p: c for p, c in d.items() if p != "metadata.yaml"} == {p: c for p, c in a.items() if p != "metadata.yaml"}
    assert {PurePosixPath(n).parts[0] for n in unzip(dashboard.read_bytes())} == {bundle.ROOT_FOLDER}
    out = capsys.readouterr().out.splitlines()[-1]
    assert "Dashboards > Import dashboards" in out and "superset import-dashboards -p" in out


def test_with_type_refuses_an_unknown_type():
    with pytest.raises(ValueError, match="unknown bundle type"):
        bundle.with_type(bundle.bundle_files(MISSING_WAREHOUSE), "chart")


def test_the_directory_export_has_the_asset_folders_at_its_top(tmp_path, capsys):
    zipped, directory = tmp_path / "assets.zip", tmp_path / "native"
    export(tmp_path, str(zipped))
    export(tmp_path, "--directory", str(directory))
    top = sorted(p.name for p in directory.iterdir())
    assert top == ["charts", "dashboards", "databases", "datasets", "metadata.yaml"]
    assert yaml.safe_load((directory / "metadata.yaml").read_text())["type"] == "assets"
    # the same files as the ZIP, byte for byte, without its top-level folder
    members = {str(PurePosixPath(*PurePosixPath(n).parts[1:])): t for n, t in unzip(zipped.read_bytes()).items()}
    on_disk = {p.relative_to(directory).as_posix(): p.read_text("utf-8") for p in directory.rglob("*") if p.is_file()}
    assert on_disk == members
    assert bundle.read_directory(directory) == bundle.read_bundle(zipped.read_bytes())
    out = capsys.readouterr().out.splitlines()[-1]
    assert f"sync native --overwrite --disable-jinja-templating {directory}" in out


def test_a_directory_export_replaces_an_earlier_one_and_refuses_other_files(tmp_path, capsys):
    directory = tmp_path / "native"
    export(tmp_path, "--directory", str(directory))
    stale = directory / "charts" / "a_chart_renamed_since.yaml"
    stale.write_text("uuid: 00000000-0000-0000-0000-000000000000\n")
    export(tmp_path, "--directory", str(directory), "--type", "dashboard")
    assert not stale.exists()
    assert yaml.safe_load((directory / "metadata.yaml").read_text())["type"] == "Dashboard"

    other = tmp_path / "somewhere-else"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert main(["superset", "export-bundle", "--directory", str(other), "--warehouse-uri", MISSING_WAREHOUSE]) != 0
    assert "is not empty and not an earlier export (notes.txt)" in capsys.readouterr().err
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]


def test_export_bundle_wants_a_zip_or_a_directory(tmp_path, capsys):
    assert main(["superset", "export-bundle", "--warehouse-uri", MISSING_WAREHOUSE]) != 0
    both = ["superset", "export-bundle", str(tmp_path / "x.zip"), "--directory", str(tmp_path / "d")]
    assert main([*both, "--warehouse-uri", MISSING_WAREHOUSE]) != 0
    assert capsys.readouterr().err.count("give either a ZIP file PATH or --directory DIR") == 2
    assert not any(tmp_path.iterdir())


# --- twins: the export under new identities ----------------------------------------------------


def _own_uuids() -> list[str]:
    return bundle.dataset_uuids() + bundle.chart_uuids() + [bundle.dashboard_uuid(s) for s in bundle.dashboard_slugs()]


def twin_table(name: str, tag: str) -> str:
    """The table a twin's dataset reads: a view of the published one (twin_views). Superset's
    SQLite metadata keeps UNIQUE (table_name) on its datasets from an old migration, so a
    twin dataset cannot have a published dataset's table name."""
    return f"{name}__{tag}"


def twin_views(warehouse_url: str, tag: str, drop: bool = False) -> None:
    """Create (or drop) in the warehouse a view under twin_table(name, tag) of every table
    a dataset of the bundle reads."""
    engine = warehouse.create_engine(warehouse_url)
    try:
        with engine.begin() as conn:
            for name in bundle.load_assets().datasets:
                view = twin_table(name, tag)
                conn.execute(sa.text(f"drop view if exists {view}"))
                if not drop:
                    conn.execute(sa.text(f"create view {view} as select * from {name}"))
    finally:
        engine.dispose()


def twin(files: dict[str, dict], tag: str) -> dict[str, dict]:
    """The files with every dataset, chart and dashboard UUID replaced by a new one (in
    values and file names alike), each slug suffixed with -tag and each title marked.
    (Give the export its own --database-name for a connection of its own.)"""
    mapping = {old: str(uuid.uuid5(TWIN_NAMESPACE, f"{tag}/{old}")) for old in _own_uuids()}

    def rename(value):
        if isinstance(value, dict):
            return {rename(k): rename(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rename(v) for v in value]
        if isinstance(value, str):
            for old, new in mapping.items():
                if old in value:
                    value = value.replace(old, new)
        return value

    out = {}
    for path, config in files.items():
        config = rename(config)
        if path.startswith("datasets/"):
            config["table_name"] = twin_table(config["table_name"], tag)
        if path.startswith("dashboards/"):
            config["slug"] = f"{config['slug']}-{tag}"
            config["dashboard_title"] = f"{config['dashboard_title']} ({tag})"
        out[rename(path)] = config
    return out


def expected(files: dict[str, dict]) -> dict[str, set[str]]:
    """The UUIDs of each kind in the files, and the chart UUIDs of each dashboard."""
    kinds = {k: {str(c["uuid"]) for p, c in files.items() if p.startswith(k + "/")} for k in bundle.ASSET_FOLDERS}
    kinds["by_dashboard"] = {
        str(c["uuid"]): {n["meta"]["uuid"] for n in c["position"].values() if isinstance(n, dict) and n.get("type") == "CHART"}
        for p, c in files.items()
        if p.startswith("dashboards/")
    }
    return kinds


def _delete(client, path: str, what: str, **params) -> None:
    response = client._request("DELETE", path, what, params=params or None)
    assert response.status_code < 400, f"{what}: HTTP {response.status_code} {response.text[:300]}"


def remove(client, files: dict[str, dict]) -> None:
    """Delete what the files describe from Superset, whatever of it is there."""
    want = expected(files)
    dashboards = [d["id"] for d in client.dashboards() if str(d["uuid"]) in want["dashboards"]]
    charts = [c["id"] for c in client.charts() if str(c["uuid"]) in want["charts"]]
    datasets = [d["id"] for d in client.datasets() if str(d["uuid"]) in want["datasets"]]
    databases = [d["id"] for d in client.databases() if str(d["uuid"]) in want["databases"]]
    if dashboards:
        _delete(client, "/api/v1/dashboard/", "deleting the twin dashboards", q=prison.dumps(dashboards))
    if charts:
        _delete(client, "/api/v1/chart/", "deleting the twin charts", q=prison.dumps(charts))
    if datasets:
        _delete(client, "/api/v1/dataset/", "deleting the twin datasets", q=prison.dumps(datasets))
    for pk in databases:
        _delete(client, f"/api/v1/database/{pk}", "deleting the twin connection")


@pytest.fixture
def twins(superset_client, superset_server):
    """Register the files of a twin before importing it (its views are made in the
    warehouse); it and its views are deleted after the test."""
    made: list[tuple[dict[str, dict], str]] = []

    def register(files: dict[str, dict]) -> None:
        tags = {c["slug"].rsplit("-", 1)[1] for p, c in files.items() if p.startswith("dashboards/")}
        (tag,) = tags
        twin_views(superset_server.warehouse_url, tag)
        made.append((files, tag))

    yield register
    for files, tag in made:
        remove(superset_client, files)
        twin_views(superset_server.warehouse_url, tag, drop=True)


def assert_imported(client, files: dict[str, dict], database_name: str) -> None:
    """Superset holds the files' database, datasets, charts and dashboards by UUID, each
    dashboard with exactly its charts, and a chart of each dashboard answers with data."""
    want = expected(files)
    databases = {str(d["uuid"]): d for d in client.databases()}
    (database_uuid,) = want["databases"]
    assert databases[database_uuid]["database_name"] == database_name
    datasets = {str(d["uuid"]): d for d in client.datasets()}
    assert want["datasets"] <= set(datasets)
    assert {datasets[u]["database"]["database_name"] for u in want["datasets"]} == {database_name}
    charts = {str(c["uuid"]): c for c in client.charts()}
    assert want["charts"] <= set(charts)
    dashboards = {str(d["uuid"]): d for d in client.dashboards()}
    assert want["dashboards"] <= set(dashboards)
    uuid_of_chart = {c["id"]: u for u, c in charts.items()}
    for dashboard_uuid, chart_uuids in want["by_dashboard"].items():
        found = client.dashboard_charts(dashboards[dashboard_uuid]["id"])
        assert {uuid_of_chart[c["id"]] for c in found} == chart_uuids, dashboards[dashboard_uuid]["dashboard_title"]
        first = charts[sorted(chart_uuids)[0]]
        answer = client.chart_data(first["id"])
        assert all(r.get("status") == "success" for r in answer["result"]), first["slice_name"]


def twin_zip(tmp_path, tag: str, warehouse: str) -> tuple[Path, dict[str, dict], str]:
    """The dashboard-type ZIP as `export-bundle --type dashboard` writes it, as a twin."""
    database_name = f"socialbench_{tag}"
    exported = tmp_path / "exported.zip"
    export(tmp_path, str(exported), "--type", "dashboard", "--database-name", database_name, warehouse=warehouse)
    files = twin(bundle.read_bundle(exported.read_bytes()), tag)
    assert files["metadata.yaml"]["type"] == "Dashboard"
    path = tmp_path / f"{tag}.zip"
    path.write_bytes(bundle.zip_bundle(files))
    return path, files, database_name


# --- the dashboard import: POST /api/v1/dashboard/import/ (the UI's Import dashboards) ----------


def import_dashboards(client, data: bytes, overwrite: bool):
    form = {"overwrite": "true"} if overwrite else {}
    return client._request(
        "POST", "/api/v1/dashboard/import/", "dashboard import",
        files={"formData": ("socialbench.zip", data, "application/zip")}, data=form,
    )


def assert_refused(superset_server, request, reason: str) -> None:
    """The request is refused for this reason: in its answer, or (Superset 6.1 answers a
    rejected import with HTTP 500 and no reason) in what the server logged meanwhile."""
    log = superset_server.home / server.LOG_NAME
    start = log.stat().st_size if log.exists() else 0
    response = request()
    assert response.status_code >= 400, response.text[:500]
    if reason in response.text:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(log, "rb") as f:
            f.seek(start)
            if reason in f.read().decode("utf-8", "replace"):
                return
        time.sleep(0.2)
    pytest.fail(f"refused (HTTP {response.status_code}), but {reason!r} is neither in the answer nor in {log}")


@pytest.mark.superset
def test_the_dashboard_zip_imports_through_the_dashboard_api(superset_server, superset_client, twins, tmp_path):
    path, files, database_name = twin_zip(tmp_path, "api", superset_server.warehouse_url)
    twins(files)
    # the assets bundle is what this endpoint refuses, in these words
    assets = bundle.zip_bundle(bundle.with_type(files, "assets"))
    assert_refused(superset_server, lambda: import_dashboards(superset_client, assets, overwrite=True),
                   "Must be equal to Dashboard.")

    answer = import_dashboards(superset_client, path.read_bytes(), overwrite=True)
    assert answer.status_code == 200, answer.text[:500]
    assert_imported(superset_client, files, database_name)

    # Again: without overwrite=true it is refused (the dashboards exist); with it, the
    # dashboards are updated, but charts, datasets and the connection that exist are kept
    # as they are (Superset's dashboard importer never overwrites those).
    assert_refused(superset_server, lambda: import_dashboards(superset_client, path.read_bytes(), overwrite=False),
                   "already exists and `overwrite=true` was not passed")
    changed = {}
    for p, c in files.items():
        c = dict(c)
        if p.startswith("dashboards/"):
            c["dashboard_title"] += " 2"
        if p.startswith("charts/"):
            c["slice_name"] += " 2"
        changed[p] = c
    count = len(superset_client.dashboards())
    assert import_dashboards(superset_client, bundle.zip_bundle(changed), overwrite=True).status_code == 200
    assert len(superset_client.dashboards()) == count
    want = expected(files)
    titles = {str(d["uuid"]): d["dashboard_title"] for d in superset_client.dashboards()}
    assert all(titles[u].endswith(" 2") for u in want["dashboards"])
    names = {str(c["uuid"]): c["slice_name"] for c in superset_client.charts()}
    assert not any(names[u].endswith(" 2") for u in want["charts"])


# --- superset import-dashboards -p ZIP -u USER, on the server -----------------------------------


@pytest.mark.superset
def test_the_dashboard_zip_imports_with_superset_import_dashboards(superset_server, superset_client, twins, tmp_path):
    path, files, database_name = twin_zip(tmp_path, "cli", superset_server.warehouse_url)
    twins(files)
    # The same superset_config.py (and so the same SQLite metadata) as the running server.
    command = [server.superset_executable(), "import-dashboards", "-p", str(path), "-u", superset_server.username]
    result = subprocess.run(
        command, env=server.environment(superset_server.home), cwd=superset_server.home,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert_imported(superset_client, files, database_name)

    # the assets bundle is what this command refuses
    assets = tmp_path / "assets.zip"
    assets.write_bytes(bundle.zip_bundle(bundle.with_type(files, "assets")))
    refused = subprocess.run(
        [*command[:3], str(assets), *command[4:]], env=server.environment(superset_server.home),
        cwd=superset_server.home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
    )
    assert refused.returncode != 0 and "Must be equal to Dashboard." in refused.stdout


# --- preset-cli: superset-cli ... URL sync native DIR -------------------------------------------

PRESET_CLI_REQUIREMENT = os.environ.get("SOCIALBENCH_PRESET_CLI", "preset-cli==0.3.13")


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "socialbench"


def _works(executable: Path) -> bool:
    try:
        return subprocess.run([str(executable), "--version"], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def superset_cli() -> Path:
    """preset-cli's `superset-cli` in a virtual environment of its own, cached between runs
    (~/.cache/socialbench/preset-cli-<version>); skipped when it cannot be installed."""
    name = "preset-cli-" + PRESET_CLI_REQUIREMENT.split("==")[-1].replace("/", "_")
    venv = _cache_dir() / name
    executable = venv / "bin" / "superset-cli"
    if _works(executable):
        return executable
    _cache_dir().mkdir(parents=True, exist_ok=True)
    with open(_cache_dir() / f"{name}.lock", "w") as lock:  # one installer at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _works(executable):
            return executable
        shutil.rmtree(venv, ignore_errors=True)
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             PRESET_CLI_REQUIREMENT],
        ]
        for step in steps:
            try:
                result = subprocess.run(step, capture_output=True, text=True, timeout=600)
            except subprocess.TimeoutExpired:
                shutil.rmtree(venv, ignore_errors=True)
                pytest.skip(f"installing {PRESET_CLI_REQUIREMENT} took more than 10 minutes")
            if result.returncode != 0:
                shutil.rmtree(venv, ignore_errors=True)
                tail = " ".join((result.stderr or result.stdout).strip().splitlines()[-3:])
                pytest.skip(f"cannot install {PRESET_CLI_REQUIREMENT} in a virtual environment (no registry?): {tail}")
    if not _works(executable):
        pytest.skip(f"{executable} was installed but does not run")
    return executable


@pytest.mark.superset
def test_the_directory_export_imports_with_preset_cli_sync_native(superset_server, superset_client, superset_cli, twins, tmp_path):
    database_name = "socialbench_preset"
    exported = tmp_path / "exported"
    export(tmp_path, "--directory", str(exported), "--database-name", database_name, warehouse=superset_server.warehouse_url)
    files = twin(bundle.read_directory(exported), "preset")
    directory = tmp_path / "native"
    bundle.write_directory(files, directory)
    twins(files)
    # as docs/superset.md gives it: superset-cli's options, the URL, then sync native's options and DIR
    result = subprocess.run(
        [str(superset_cli), "--username", superset_server.username, "--password", superset_server.password,
         superset_server.url + "/", "sync", "native", "--overwrite", "--disable-jinja-templating", str(directory)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert_imported(superset_client, files, database_name)
