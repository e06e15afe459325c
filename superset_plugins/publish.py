"""Publish the socialbench dashboards into a running Superset: one repeatable import.

Everything in the bundle has a stable UUID, and Superset's assets import overwrites by
UUID, so publishing twice gives the same datasets, charts and dashboards (no duplicates),
and a dashboard changed in the repository is updated in place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from socialbench import loading, warehouse
from socialbench.errors import SocialbenchError
from superset_plugins import bundle
from superset_plugins.client import SupersetClient

DEFAULT_DATABASE_NAME = "socialbench"


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

    def lines(self) -> list[str]:
        how = "reused the existing" if self.database_reused else "created the"
        out = [
            f"{how} database connection {self.database_name!r}",
            f"published {self.datasets} datasets, {self.charts} charts, {len(self.dashboards)} dashboards"
            + (" (marked as synthetic demo data)" if self.synthetic else ""),
        ]
        out += [f"  {d.title}: {d.url}" for d in self.dashboards]
        return out


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
) -> PublishSummary:
    """Create or update the database connection, datasets, charts and dashboards in Superset.

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
    existing = client.find_database(database_name)
    # The files stay dicts from the builder until the one serialisation for the import.
    contents = bundle.bundle_files(uri, database_name, existing["uuid"] if existing else None, synthetic)
    _refuse_moving_datasets(client, contents, database_name)
    client.import_bundle(bundle.zip_bundle(contents), passwords=_passwords(contents, uri))

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
    )
