"""One Superset 6.1 inside the test process, configured by the documented import line.

Its `superset_config.py` is what a user writes: `from superset_plugins.config import *`
plus their own settings. The metadata database is SQLite in a temporary folder, migrated
with `superset db upgrade` in a subprocess; then the app is created in this process and
`superset init` is done in-process (permissions and the built-in roles). The warehouse is
a small hand-made DuckDB file (see `build_warehouse`).

Started once per test session (startup is slow): every test module asks for it through
its own fixture, and `superset()` returns the same instance each time.
"""
from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from socialbench import loading, schema, warehouse

PASSWORD = "test-password-1"

# The hand-made data set. Rates for SEL85 as in the settlement issue's worked example.
CSV = {
    "providers.csv": [
        "provider_id,provider_name",
        "P1,Bo Godt ApS",
        "P2,Trinet A/S",
    ],
    "grants.csv": [
        "grant_id,citizen_key,municipality_code,provider_id,intervention_code,start_date,end_date,end_reason",
        "G1,borger-a,101,P1,SEL85,2025-01-01,,",
        "G2,borger-b,147,P2,SEL85,2025-01-01,,",
        "G3,borger-c,101,P2,SEL85,2025-04-01,,",
    ],
    "assessments.csv": [
        "grant_id,assessed_on,support_level",
        "G1,2025-01-01,3",
        "G1,2025-02-01,2",
        "G1,2025-06-01,1",
        "G2,2025-01-01,2",
        "G2,2025-03-01,1",
        "G3,2025-04-01,2",
    ],
    "rates.csv": [
        "intervention_code,support_level,valid_from,daily_rate_dkk",
        "SEL85,1,2024-01-01,300.00",
        "SEL85,2,2024-01-01,600.00",
        "SEL85,3,2024-01-01,1000.00",
    ],
    "price_index.csv": [
        "year,index_value",
        "2023,95.000000",
        "2024,98.000000",
        "2025,100.000000",
    ],
    # Cases (before the last assessment, so the reference dates stay 2025-06-01): C1 and C2 in 101, C3 in 147.
    "cases.csv": [
        "case_id,citizen_key,municipality_code,area,received_on,source,decided_on,decision,immediate_effort,closed_on,caseworker_id",
        "C1,borger-a,101,adults,2025-02-03,own_application,2025-03-01,granted,false,,",
        "C2,borger-c,101,children,2025-03-10,school_daycare,,,false,,",
        "C3,borger-b,147,adults,2025-02-14,relatives,2025-02-20,rejected,true,2025-02-21,",
    ],
    "expenditure.csv": [
        "municipality_code,year,function_code,kind,amount_dkk",
        "101,2023,5.28.22,actual,950000.00",
        "101,2024,5.28.22,actual,490000.00",
        "101,2025,5.28.22,actual,700000.00",
    ],
}

# Peers as `socialbench refresh` would write them (hand-made: the macros only read them).
PEERS = [
    # municipality_code, year, method, peer_code, peer_rank
    (101, 2024, "nearest", 153, 1),
    (101, 2024, "nearest", 147, 2),
    (101, 2024, "nearest", 151, 3),
    (101, 2025, "nearest", 159, 1),
    (101, 2025, "nearest", 157, 2),
    (101, 2025, "dst_group", 165, 1),
    (147, 2024, "nearest", 101, 1),
]

# Datasets the tests publish by hand (the bundle's own datasets are the publish tests' job).
DATASETS = ("grants", "assessments", "settlement_line", "bm_peer", "price_index")


@dataclass(frozen=True)
class Superset:
    app: object
    folder: Path
    warehouse_url: str
    database_id: int


def load_data_set(engine, folder: Path) -> None:
    """Load the hand-made data set into an initialised warehouse (CSV files written in folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in CSV.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    loading.load_path(engine, folder)
    peers = pd.DataFrame(PEERS, columns=["municipality_code", "year", "method", "peer_code", "peer_rank"])
    with engine.begin() as conn:
        warehouse.insert_frame(conn, "bm_peer", peers)


def build_warehouse(folder: Path) -> str:
    """A DuckDB warehouse with the hand-made data set; returns its URL."""
    url = f"duckdb:///{folder / 'warehouse.duckdb'}"
    engine = warehouse.create_engine(url)
    schema.init(engine)
    load_data_set(engine, folder / "csv")
    engine.dispose()
    return url


def _write_config(folder: Path, warehouse_url: str) -> Path:
    config = folder / "superset_config.py"
    config.write_text(
        "from superset_plugins.config import *\n"
        "\n"
        "# The user's own settings come after the import line.\n"
        f"SQLALCHEMY_DATABASE_URI = {'sqlite:///' + str(folder / 'superset.db')!r}\n"
        "SECRET_KEY = 'socialbench-test-secret-key-0123456789abcdef'\n"
        f"SOCIALBENCH_DB = {warehouse_url!r}\n"
        "FEATURE_FLAGS = {'DASHBOARD_RBAC': True}  # a user's flags: must not switch off the macros\n"
        "WTF_CSRF_TIME_LIMIT = None\n",
        encoding="utf-8",
    )
    return config


def _upgrade(config: Path) -> None:
    env = {**os.environ, "SUPERSET_CONFIG_PATH": str(config), "SUPERSET_LOAD_EXAMPLES": "no"}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "superset"), "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"superset db upgrade failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def _add_database(warehouse_url: str) -> int:
    from superset import db
    from superset.connectors.sqla.models import SqlaTable
    from superset.models.core import Database

    from superset_plugins.bundle import duckdb_connect_args

    # As `socialbench superset publish` connects Superset to a DuckDB warehouse: read-only,
    # without external access, its configuration locked.
    database = Database(
        database_name="socialbench",
        sqlalchemy_uri=warehouse_url,
        expose_in_sqllab=True,
        extra=json.dumps({"engine_params": {"connect_args": duckdb_connect_args()}}),
    )
    db.session.add(database)
    db.session.commit()
    engine = warehouse.create_engine(warehouse_url)
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        present = set(inspector.get_table_names()) | set(inspector.get_view_names())
    engine.dispose()
    for name in DATASETS:
        if name not in present:  # settlement_line: only once migration 003 exists
            continue
        table = SqlaTable(table_name=name, database=database, schema="main")
        db.session.add(table)
        db.session.commit()
        table.fetch_metadata()
        db.session.commit()
    return database.id


@functools.cache
def superset() -> Superset:
    if "superset.config" in sys.modules:
        raise RuntimeError("Superset was configured before these tests could set SUPERSET_CONFIG_PATH")
    folder = Path(tempfile.mkdtemp(prefix="socialbench-superset-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    warehouse_url = build_warehouse(folder)
    config = _write_config(folder, warehouse_url)
    _upgrade(config)
    os.environ["SUPERSET_CONFIG_PATH"] = str(config)

    from superset.app import create_app

    app = create_app()
    app.config["TESTING"] = True
    with app.app_context():
        from superset import appbuilder, security_manager

        # What `superset init` does.
        appbuilder.add_permissions(update_perms=True)
        security_manager.sync_role_definitions()
        security_manager.add_user("admin", "Ada", "Admin", "admin@example.org", security_manager.find_role("Admin"), PASSWORD)
        database_id = _add_database(warehouse_url)
    return Superset(app, folder, warehouse_url, database_id)


def add_user(username: str, *roles: str) -> None:
    """A user with these roles (created as empty roles if missing)."""
    from superset import db, security_manager

    found = [security_manager.find_role(r) or security_manager.add_role(r) for r in roles]
    security_manager.add_user(username, username, "Test", f"{username}@example.org", found, PASSWORD)
    db.session.commit()


class Client:
    """The Flask test client logged in with a JWT, sending the CSRF token on writes."""

    def __init__(self, app, username: str):
        self.http = app.test_client()
        login = self.http.post(
            "/api/v1/security/login",
            json={"username": username, "password": PASSWORD, "provider": "db", "refresh": False},
        )
        assert login.status_code == 200, login.get_data(as_text=True)
        self.headers = {"Authorization": f"Bearer {login.get_json()['access_token']}"}
        csrf = self.http.get("/api/v1/security/csrf_token/", headers=self.headers)
        assert csrf.status_code == 200, csrf.get_data(as_text=True)
        self.headers["X-CSRFToken"] = csrf.get_json()["result"]

    def get(self, path: str, **kwargs):
        return self.http.get(path, headers=self.headers, **kwargs)

    def post(self, path: str, **kwargs):
        return self.http.post(path, headers=self.headers, **kwargs)
