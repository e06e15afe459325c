"""`make demo`: a demo warehouse and a local Superset with the dashboards, in one folder.

The folder (e.g. .demo/) holds socialbench.duckdb (the warehouse, synthetic demo data),
superset_config.py and superset.db (Superset's SQLite metadata), admin-password.txt and
demo-state.json, which records the steps done so that a second run starts quickly.
"""
from __future__ import annotations

import json
import secrets
import signal
import sys
from datetime import date
from pathlib import Path

from socialbench import schema, warehouse
from socialbench.errors import SocialbenchError
from superset_plugins import server

WAREHOUSE_NAME = "socialbench.duckdb"
STATE_NAME = "demo-state.json"
PASSWORD_NAME = "admin-password.txt"
ADMIN_USERNAME = "admin"
MODELS_DIR = Path(__file__).resolve().parent.parent / "incentive_models" / "models"


class DemoState:
    """The steps already done in a demo folder (a small JSON file)."""

    def __init__(self, home: Path):
        self.path = home / STATE_NAME
        self.done: dict[str, str] = json.loads(self.path.read_text()) if self.path.exists() else {}

    def __contains__(self, step: str) -> bool:
        return step in self.done

    def mark(self, step: str, note: str = "done") -> None:
        self.done[step] = note
        self.path.write_text(json.dumps(self.done, indent=2) + "\n")

    def forget(self, *steps: str) -> None:
        for step in steps:
            self.done.pop(step, None)
        self.path.write_text(json.dumps(self.done, indent=2) + "\n")


DATA_STEPS = ("demo_data", "refresh", "settlement")
SUPERSET_STEPS = ("superset_metadata", "admin", "roles")


def warehouse_url(home: Path) -> str:
    return f"duckdb:///{(home / WAREHOUSE_NAME).resolve()}"


def superset_config_extra(db_url: str) -> str:
    """What the demo's superset_config.py adds: the socialbench plugin and its warehouse."""
    return "\n".join(
        [
            "# The socialbench plugin: REST API, Jinja macros, Danish number format, row-level security.",
            "from superset_plugins.config import *  # noqa: F401,F403",
            f"SOCIALBENCH_DB = {db_url!r}",
        ]
    )


def settlement_model_path() -> Path:
    models = sorted(MODELS_DIR.glob("*.yml")) + sorted(MODELS_DIR.glob("*.yaml"))
    if not models:
        raise SocialbenchError(f"no example settlement model in {MODELS_DIR}")
    return models[0]


def latest_data_date(engine) -> date:
    """The last day the grant data knows about: a settlement as of then uses all of it."""
    with engine.connect() as conn:
        frame = warehouse.read_frame(conn, "select reference_date from cockpit_reference_date")
    value = frame["reference_date"].iloc[0]
    if value is None or value != value:
        raise SocialbenchError("the demo warehouse has no grants to settle")
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def say(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def prepare_warehouse(home: Path, state: DemoState, seed: int, model_path: Path | None = None) -> str:
    """Schema, demo data, derived benchmark tables and one settlement run (each once).

    The run uses `model_path`, by default the example model shipped in incentive_models/models/.
    """
    url = warehouse_url(home)
    if not (home / WAREHOUSE_NAME).exists():
        state.forget(*DATA_STEPS)
    engine = warehouse.create_engine(url)
    try:
        schema.init(engine)
        if "demo_data" not in state:
            from socialbench import demo_data

            say(f"loading synthetic demo data (seed {seed}) ...")
            demo_data.load(engine, seed)
            state.mark("demo_data", f"seed {seed}")
        if "refresh" not in state:
            from benchmarks.refresh import refresh

            say("computing peers, expected cost and savings potential ...")
            from socialbench.demo_data import params

            refresh(engine, forecast_as_of=params.FORECAST_AS_OF)  # the demo's budget follow-up date
            state.mark("refresh")
        if "settlement" not in state:
            from incentive_models import runs

            path = Path(model_path) if model_path else settlement_model_path()
            as_of = latest_data_date(engine)
            say(f"settling {path.name} as of {as_of} ...")
            run = runs.create_draft(engine, runs.load_model(path), as_of)
            state.mark("settlement", f"{path.name} as of {as_of}: {run!r}"[:200])
    finally:
        engine.dispose()
    return url


def admin_password(home: Path) -> str:
    path = home / PASSWORD_NAME
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_urlsafe(12)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


def prepare_superset(home: Path, state: DemoState, db_url: str) -> str:
    """Config, metadata database and admin user (each once); returns the admin password."""
    if not (home / server.METADATA_NAME).exists():
        state.forget(*SUPERSET_STEPS)
    server.write_config(home, superset_config_extra(db_url))
    if "superset_metadata" not in state:
        say("creating Superset's metadata database (about a minute) ...")
        server.upgrade_metadata(home)
        state.mark("superset_metadata")
    password = admin_password(home)
    if "admin" not in state:
        server.create_admin(home, ADMIN_USERNAME, password)
        state.mark("admin", ADMIN_USERNAME)
    return password


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run_demo(home: Path, port: int = 8088, seed: int = 2026, host: str = "127.0.0.1", serve: bool = True) -> None:
    """Prepare everything not yet done in `home`, publish, and serve Superset until Ctrl-C."""
    from superset_plugins.client import SupersetClient
    from superset_plugins.publish import publish

    home = Path(home).resolve()
    home.mkdir(parents=True, exist_ok=True)
    state = DemoState(home)
    db_url = prepare_warehouse(home, state, seed)
    password = prepare_superset(home, state, db_url)

    url = f"http://localhost:{port}"
    say(f"starting Superset on {url} (log: {home / server.LOG_NAME}) ...")
    process = server.start(home, port, host)
    local = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"
    try:
        server.wait_until_ready(local, process)
        summary = publish(SupersetClient(local, ADMIN_USERNAME, password), db_url, synthetic=True)
        for line in summary.lines():
            say(line.replace(local, url))
        if "roles" not in state:
            say("creating a role with row-level security per municipality (superset socialbench-roles) ...")
            server.run_command(home, "socialbench-roles", what="superset socialbench-roles")
            state.mark("roles")
        say(f"Superset is serving on {url}")
        say(f"log in as {ADMIN_USERNAME!r} with password {password!r} (saved in {home / PASSWORD_NAME})")
        if not serve:
            return
        say("press Ctrl-C to stop")
        signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops Superset too, as Ctrl-C does
        process.wait()
        if process.returncode not in (0, None):
            raise SocialbenchError(f"Superset stopped with exit code {process.returncode}; see {home / server.LOG_NAME}")
    except KeyboardInterrupt:
        print(file=sys.stderr)
        say("stopping Superset")
    finally:
        server.stop(process)
