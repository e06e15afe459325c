"""Creates and upgrades the warehouse: numbered migrations, then every view, then reference data.

Migrations are `sql/schema/NNN_name.sql`; each runs once, in order, recorded in
`schema_version`. Views (`sql/views/<name>.sql`) hold no data, so `init` drops and
recreates them every time, in dependency order. Running `init` twice changes nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Connection, Engine

from socialbench import reference, warehouse
from socialbench.forecast import tiers


def sql_root():
    """The packaged copy of the top-level sql/ folder."""
    return resources.files("socialbench.sql")


def _files(folder: str, suffix: str) -> list:
    """The files of one sql/ subfolder with that suffix (none if the folder is absent)."""
    path = sql_root().joinpath(folder)
    return [e for e in path.iterdir() if e.name.endswith(suffix)] if path.is_dir() else []


@dataclass(frozen=True)
class Migration:
    """`NNN_name.sql`, with an optional `NNN_name.<dialect>.sql` beside it that replaces it
    on that engine (dbt's adapter.dispatch: generic first, a named exception second)."""

    version: int
    name: str
    sql: str
    overrides: tuple[tuple[str, str], ...] = ()

    def sql_for(self, dialect: str) -> str:
        return dict(self.overrides).get(dialect, self.sql)


@dataclass(frozen=True)
class View:
    name: str
    sql: str


def split_statements(script: str) -> list[str]:
    """Statements of a script, split on semicolons that end a line; comments dropped.
    A semicolon inside a dollar-quoted body ($$ ... $$, e.g. a PostgreSQL function) does
    not end the statement."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    statements, current, quoted = [], [], False
    for line in lines:
        current.append(line)
        quoted ^= line.count("$$") % 2 == 1
        if not quoted and re.search(r";\s*$", line):
            statements.append(re.sub(r";\s*$", "", "\n".join(current)))
            current = []
    statements.append("\n".join(current))
    return [p.strip() for p in statements if p.strip()]


@lru_cache(maxsize=None)
def migrations() -> tuple[Migration, ...]:
    generic, overrides = {}, {}
    for entry in _files("schema", ".sql"):
        match = re.fullmatch(r"(\d{3})_(\w+?)(?:\.(duckdb|postgresql))?\.sql", entry.name)
        if not match:
            continue
        key = (int(match.group(1)), match.group(2))
        if match.group(3):
            overrides.setdefault(key, []).append((match.group(3), entry.read_text("utf-8")))
        else:
            generic[key] = entry.read_text("utf-8")
    missing = sorted(set(overrides) - set(generic))
    if missing:
        raise RuntimeError(f"migration {missing[0][0]:03d}_{missing[0][1]} has a dialect file but no generic .sql file")
    found = [Migration(v, n, sql, tuple(sorted(overrides.get((v, n), [])))) for (v, n), sql in generic.items()]
    return tuple(sorted(found, key=lambda m: m.version))


@lru_cache(maxsize=None)
def views() -> tuple[View, ...]:
    """Every view, ordered so that a view comes after the views it selects from."""
    by_name = {e.name[:-4]: e.read_text("utf-8") for e in _files("views", ".sql")}
    deps = {
        name: {other for other in by_name if other != name and re.search(rf"\b{other}\b", sql)}
        for name, sql in by_name.items()
    }
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            raise RuntimeError(f"views depend on each other in a cycle through {name}")
        visiting.add(name)
        for dep in sorted(deps[name]):
            visit(dep)
        visiting.discard(name)
        ordered.append(name)

    for name in sorted(by_name):
        visit(name)
    return tuple(View(name, by_name[name].strip().rstrip(";")) for name in ordered)


@lru_cache(maxsize=None)
def docs(kind: str = "views") -> dict[str, dict]:
    """Documentation of the views (kind='views') or tables (kind='tables'), dbt style:
    {name: {description, label, columns: [{name, description, label, tests}], tests}}."""
    out = {}
    for entry in _files(kind, ".yml"):
        doc = yaml.safe_load(entry.read_text("utf-8"))
        out[doc["name"]] = doc
    return out


def current_version(conn: Connection) -> int:
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    return conn.execute(sa.text("select coalesce(max(version), 0) from schema_version")).scalar_one()


def init(engine: Engine) -> list[str]:
    """Bring the warehouse to the current schema; returns what was done."""
    done: list[str] = []
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "create table if not exists schema_version ("
                " version integer primary key, name varchar not null, applied_at timestamp not null)"
            )
        )
        version = current_version(conn)
        for view in reversed(views()):
            conn.execute(sa.text(f"drop view if exists {view.name}"))
        for migration in migrations():
            if migration.version <= version:
                continue
            for statement in split_statements(migration.sql_for(warehouse.dialect(conn))):
                conn.execute(sa.text(statement))
            conn.execute(
                sa.text("insert into schema_version (version, name, applied_at) values (:v, :n, :t)"),
                {"v": migration.version, "n": migration.name, "t": warehouse.utc_now()},
            )
            done.append(f"applied migration {migration.version:03d}_{migration.name}")
        for view in views():
            conn.execute(sa.text(f"create view {view.name} as\n{view.sql}"))
        reference.seed(conn)
        tiers.seed(conn)  # the shipped refusion tiers, for years without any (docs/forecast.md)
    return done
