"""Publish the socialbench dashboards into a running Superset: one repeatable import.

Everything in the bundle has a stable UUID, and Superset's assets import overwrites by
UUID, so publishing twice gives the same datasets, charts and dashboards (no duplicates),
and a dashboard changed in the repository is updated in place.

The import never deletes what the bundle no longer holds: an asset removed from the
definitions is listed in `assets/retired.yml`, and publish deletes it from Superset.
"""
from __future__ import annotations

import datetime
import uuid as uuid_module
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import make_url

from socialbench import loading, warehouse
from socialbench.errors import SocialbenchError
from superset_plugins import bundle
from superset_plugins.client import SupersetClient

DEFAULT_DATABASE_NAME = "socialbench"
# The kinds of asset that can be retired, in the order publish deletes them: a dashboard
# before its charts, a chart before its dataset.
RETIRED_KINDS = ("dashboard", "chart", "dataset")
RETIRED_KEYS = ("uuid", "kind", "name", "retired_on", "why")
RETIRED_FILE = "retired.yml"
# The bundle's folder of each kind (bundle.ASSET_FOLDERS: "charts" holds the charts).
_FOLDERS = {folder[:-1]: folder for folder in bundle.ASSET_FOLDERS}


@dataclass(frozen=True)
class RetiredAsset:
    """An asset removed from the definitions, to be deleted from Superset (retired.yml)."""

    uuid: str
    kind: str
    name: str
    retired_on: str
    why: str


@dataclass(frozen=True)
class RemovedAsset:
    kind: str
    name: str  # its name in Superset
    uuid: str


@dataclass
class PublishedDashboard:
    title: str
    slug: str | None
    url: str


@dataclass
class PublishSummary:
    database_name: str
    database_reused: bool
    datasets: int
    charts: int
    dashboards: list[PublishedDashboard] = field(default_factory=list)
    synthetic: bool = False
    removed: list[RemovedAsset] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # retired assets not deleted, and why

    def lines(self) -> list[str]:
        how = "reused the existing" if self.database_reused else "created the"
        out = [
            f"{how} database connection {self.database_name!r}",
            f"published {self.datasets} datasets, {self.charts} charts, {len(self.dashboards)} dashboards"
            + (" (marked as synthetic demo data)" if self.synthetic else ""),
        ]
        out += [f"  {d.title}: {d.url}" for d in self.dashboards]
        if self.removed:
            out.append(f"removed {len(self.removed)} retired assets (listed in superset_plugins/assets/{RETIRED_FILE}):")
            out += [f"  {r.kind} {r.name!r} ({r.uuid})" for r in self.removed]
        out += [f"kept {line}" for line in self.kept]
        return out


# ---------------------------------------------------------------- retired assets


def parse_retired(data, source: str = RETIRED_FILE) -> list[RetiredAsset]:
    """The entries of a retired list (the YAML's content: `{retired: [...]}`), checked:
    every key present and no other, a valid UUID, a known kind, a date, no UUID twice."""
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) != {"retired"}:
        raise SocialbenchError(f"{source}: expected one key, `retired`, holding a list of retired assets")
    entries = data["retired"] or []
    if not isinstance(entries, list):
        raise SocialbenchError(f"{source}: `retired` must be a list of retired assets")
    out: list[RetiredAsset] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{source}: entry {number}"
        if not isinstance(entry, dict):
            raise SocialbenchError(f"{where} is not a mapping of {', '.join(RETIRED_KEYS)}")
        missing = [k for k in RETIRED_KEYS if entry.get(k) in (None, "")]
        unknown = sorted(set(entry) - set(RETIRED_KEYS))
        if missing or unknown:
            parts = ([f"lacks {', '.join(missing)}"] if missing else []) + (
                [f"has unknown keys {', '.join(unknown)}"] if unknown else []
            )
            raise SocialbenchError(f"{where} {' and '.join(parts)} (each entry has {', '.join(RETIRED_KEYS)})")
        try:
            uid = str(uuid_module.UUID(str(entry["uuid"])))
        except ValueError:
            raise SocialbenchError(f"{where}: {entry['uuid']!r} is not a UUID") from None
        if entry["kind"] not in RETIRED_KINDS:
            raise SocialbenchError(f"{where}: kind {entry['kind']!r} is not one of {', '.join(RETIRED_KINDS)}")
        day = entry["retired_on"]
        if not isinstance(day, datetime.date):
            try:
                day = datetime.date.fromisoformat(str(day))
            except ValueError:
                raise SocialbenchError(f"{where}: retired_on {day!r} is not a date (YYYY-MM-DD)") from None
        if uid in seen:
            raise SocialbenchError(f"{where}: {uid} is listed already (entry {seen[uid]})")
        seen[uid] = number
        out.append(RetiredAsset(uid, entry["kind"], str(entry["name"]), day.isoformat(), str(entry["why"]).strip()))
    return out


def load_retired(path: str | Path | None = None) -> list[RetiredAsset]:
    """The retired list: `path`, else superset_plugins/assets/retired.yml."""
    if path is None:
        source = resources.files("superset_plugins").joinpath("assets", RETIRED_FILE)
        name = f"superset_plugins/assets/{RETIRED_FILE}"
    else:
        source, name = Path(path), str(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SocialbenchError(f"no list of retired assets at {name}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SocialbenchError(f"{name} is not valid YAML: {exc}") from None
    return parse_retired(data, name)


def check_retired(retired: list[RetiredAsset], contents: dict[str, dict]) -> None:
    """A retired UUID must not be in the bundle: publish would import it, then delete it."""
    in_bundle = {
        str(c["uuid"]): (kind, c)
        for path, c in contents.items()
        for kind, folder in _FOLDERS.items()
        if path.startswith(folder + "/")
    }
    clashes = []
    for r in retired:
        if r.uuid in in_bundle:
            kind, c = in_bundle[r.uuid]
            title = c.get("slice_name") or c.get("dashboard_title") or c.get("table_name") or c.get("database_name")
            clashes.append(f"{r.kind} {r.name!r} ({r.uuid}) is still in the definitions, as {kind} {title!r}")
    if clashes:
        raise SocialbenchError(
            f"retired assets that are still defined: {'; '.join(clashes)}. Remove them from "
            f"superset_plugins/assets/{RETIRED_FILE} or from the definitions; nothing in Superset was changed"
        )


def remove_retired(client: SupersetClient, retired: list[RetiredAsset]) -> tuple[list[RemovedAsset], list[str]]:
    """Delete the retired assets Superset has, found by UUID: dashboards, then charts, then
    datasets. A dataset that charts not retired still use is kept (deleting it would break
    them): the second list says which and why."""
    removed: list[RemovedAsset] = []
    kept: list[str] = []
    wanted = {kind: {r.uuid for r in retired if r.kind == kind} for kind in RETIRED_KINDS}
    listings = {
        "dashboard": (client.dashboards, "dashboard_title"),
        "chart": (client.charts, "slice_name"),
        "dataset": (client.datasets, "table_name"),
    }
    for kind in RETIRED_KINDS:
        if not wanted[kind]:
            continue
        rows, name_key = listings[kind]
        for row in rows():
            uid = str(row["uuid"])
            if uid not in wanted[kind]:
                continue
            if kind == "dataset":
                users = client.dataset_charts(row["id"])
                if users:
                    names = ", ".join(repr(c["slice_name"]) for c in users[:3]) + (" ..." if len(users) > 3 else "")
                    kept.append(
                        f"retired dataset {row[name_key]!r} ({uid}): {len(users)} charts still use it ({names}); "
                        "delete or move them, and the next publish deletes it"
                    )
                    continue
            client.delete(kind, row["id"], f"deleting the retired {kind} {row[name_key]!r}")
            removed.append(RemovedAsset(kind, row[name_key], uid))
    return removed, kept


def superset_uri(warehouse_uri: str) -> str:
    """The warehouse URL as Superset should use it: a DuckDB file by its absolute path."""
    url = make_url(warehouse.resolve_url(warehouse_uri))
    if url.get_backend_name() == "duckdb":
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("md:"):
            url = url.set(database=str(Path(database).expanduser().resolve()))
    return url.render_as_string(hide_password=False)


def is_synthetic(warehouse_uri: str) -> bool:
    """True when the warehouse holds demo data (its data_source table says so).

    A DuckDB file that does not exist here (e.g. a path on the Superset server) is not
    created: it counts as not synthetic.
    """
    url = make_url(warehouse.resolve_url(warehouse_uri))
    if url.get_backend_name() == "duckdb" and url.database and not Path(url.database).exists():
        return False
    engine = warehouse.create_engine(warehouse_uri, read_only=True)
    try:
        with engine.connect() as conn:
            return loading.is_synthetic(conn)
    except sa.exc.DBAPIError as exc:
        raise SocialbenchError(f"cannot read the warehouse at {warehouse_uri}: {exc.orig}") from exc
    finally:
        engine.dispose()


def check_warehouse(warehouse_uri: str, elsewhere_allowed: bool = False) -> bool:
    """Before publish touches Superset: the warehouse opens here, read-only, and holds the
    socialbench schema; returns whether it holds demo data. A DuckDB file that is not here
    is refused rather than created (a mistyped --db would otherwise be published, and every
    chart would fail), unless `elsewhere_allowed` (an explicit --warehouse-uri: the path as
    the Superset server sees it), when it cannot be checked from here and counts as not
    synthetic."""
    url = make_url(warehouse.resolve_url(warehouse_uri))
    if url.get_backend_name() == "duckdb" and url.database and not Path(url.database).exists():
        if elsewhere_allowed:
            return False
        raise SocialbenchError(
            f"no warehouse at {url.database}: run `socialbench init --db {warehouse_uri}` and load data first "
            "(if the file is on the Superset server, not here, give its path there as --warehouse-uri); "
            "nothing in Superset was changed"
        )
    engine = warehouse.create_engine(warehouse_uri, read_only=True)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("schema_version"):
                raise SocialbenchError(
                    f"the warehouse at {warehouse_uri} has no socialbench schema: run `socialbench init --db "
                    f"{warehouse_uri}` and load data first; nothing in Superset was changed"
                )
            return loading.is_synthetic(conn)
    except sa.exc.DBAPIError as exc:
        raise SocialbenchError(f"cannot read the warehouse at {warehouse_uri}: {exc.orig}; nothing in Superset was changed") from exc
    finally:
        engine.dispose()


def make_bundle(
    warehouse_uri: str,
    database_name: str = DEFAULT_DATABASE_NAME,
    database_uuid: str | None = None,
    synthetic: bool = False,
) -> bytes:
    """The import bundle's ZIP for this warehouse, as Superset should read it."""
    return bundle.build_bundle(superset_uri(warehouse_uri), database_name, database_uuid, synthetic)


def _passwords(contents: dict[str, dict], uri: str) -> dict[str, str]:
    """The warehouse password for each database file whose URI Superset would see masked."""
    password = make_url(uri).password
    if not password:
        return {}
    return {path: str(password) for path in contents if path.startswith("databases/")}


def _refuse_moving_datasets(client: SupersetClient, contents: dict[str, dict], database_name: str) -> None:
    """Superset cannot move an imported dataset to another connection: say so before trying."""
    ours = {str(c["uuid"]) for path, c in contents.items() if path.startswith("datasets/")}
    elsewhere = sorted(
        {
            d["database"]["database_name"]
            for d in client.datasets()
            if str(d["uuid"]) in ours and d["database"]["database_name"] != database_name
        }
    )
    if elsewhere:
        raise SocialbenchError(
            f"the socialbench datasets are already published on the database connection {elsewhere[0]!r}; "
            f"publish with --database-name {elsewhere[0]!r} (or delete those datasets in Superset first)"
        )


def publish(
    client: SupersetClient,
    warehouse_uri: str,
    database_name: str = DEFAULT_DATABASE_NAME,
    synthetic: bool | None = None,
    elsewhere_allowed: bool = False,
    retired: list[RetiredAsset] | None = None,
    external_url: str | None = bundle.EXTERNAL_URL,
) -> PublishSummary:
    """Create or update the database connection, datasets, charts and dashboards in Superset,
    and delete the retired ones (`retired`, default the list in assets/retired.yml; a
    retired UUID still in the definitions is refused before Superset is touched). Every
    asset is marked as managed externally, at `external_url`.

    An existing connection named `database_name` is reused (its UUID goes into the bundle,
    so the import updates it rather than colliding with it). `synthetic=None` asks the
    warehouse whether it holds demo data. A warehouse that cannot be opened here or has no
    socialbench schema is refused before anything in Superset is touched (`check_warehouse`;
    `elsewhere_allowed` for a DuckDB path on the Superset server, given as --warehouse-uri).
    """
    uri = superset_uri(warehouse_uri)
    found_synthetic = check_warehouse(uri, elsewhere_allowed)
    if synthetic is None:
        synthetic = found_synthetic
    if retired is None:
        retired = load_retired()
    existing = client.find_database(database_name)
    # The files stay dicts from the builder until the one serialisation for the import.
    contents = bundle.bundle_files(
        uri, database_name, existing["uuid"] if existing else None, synthetic, external_url=external_url
    )
    check_retired(retired, contents)
    _refuse_moving_datasets(client, contents, database_name)
    client.import_bundle(bundle.zip_bundle(contents), passwords=_passwords(contents, uri))
    # After the import: the dashboards kept no longer hold a retired chart.
    removed, kept = remove_retired(client, retired)

    wanted = {
        str(c["uuid"]): c for path, c in contents.items() if path.startswith("dashboards/")
    }
    on_server = {str(d["uuid"]): d for d in client.dashboards()}
    dashboards = []
    for uuid, config in wanted.items():
        found = on_server.get(uuid)
        if found is None:
            raise SocialbenchError(f"the import reported success, but dashboard {config['dashboard_title']!r} is missing")
        dashboards.append(
            PublishedDashboard(
                title=found["dashboard_title"],
                slug=found.get("slug"),
                url=f"{client.url}/superset/dashboard/{found.get('slug') or found['id']}/",
            )
        )
    return PublishSummary(
        database_name=database_name,
        database_reused=existing is not None,
        datasets=sum(1 for p in contents if p.startswith("datasets/")),
        charts=sum(1 for p in contents if p.startswith("charts/")),
        dashboards=dashboards,
        synthetic=synthetic,
        removed=removed,
        kept=kept,
    )
