"""Row-level security: a municipality's users see only their own grant and settlement rows.

`superset socialbench-roles [--municipality CODE ...]` (or `municipality_roles()`) makes,
for each municipality, a role "Kommune 101 København" and Superset row-level-security
filters (type Regular) on every dataset that holds citizen-level data:

- a dataset with a `municipality_code` column gets the clause `municipality_code = 101`;
- a dataset with a `grant_id` column but no `municipality_code` (e.g. settlement_line,
  assessments) gets `grant_id in (select grant_id from grants where municipality_code = 101)`;
- the national run totals (`settlement_run`) get `1 = 0`: a municipality's users see no
  row of them, and read their own municipality's totals per run in
  `settlement_run_municipality` (filtered by municipality_code like the others).

Open to all (no filter): the benchmark views and tables (`bm_*`) and the public statistics
they are made from (municipality, population, expenditure, full_year_citizens,
structural_indicators, price_index). Filters of the same municipality share the group
key `municipality`, so a user with two Kommune roles sees both municipalities.

Running it again changes nothing, except that datasets added since are included, and
that any SQL Lab permission someone gave a Kommune role is taken away again (and said so).
`superset socialbench-approvers ROLE` gives a role the right to read and approve
settlement runs through the REST API.

What row-level security does NOT cover (the operator's job):

- **SQL Lab ignores row-level security** unless the feature flag `RLS_IN_SQLLAB` is on
  (`superset_plugins.config` switches it on unless you set it to False), and even then
  it only filters tables that are datasets with a filter: a SQL Lab user can still read
  other tables, views and (on DuckDB) table functions. So a municipality's users must
  never get SQL Lab. The Kommune roles carry no permission at all besides their filters
  (none of Superset's SQL Lab permissions: `can_execute_sql_query`, `can_get_results`,
  `can_read`, `can_format_sql`, `can_estimate_query_cost`, `can_export_csv` on `SQLLab`,
  `can_sqllab` and `can_sqllab_history` on `Superset`, `menu_access` on `SQL Lab` /
  `SQL Editor`, ...: `SupersetSecurityManager.SQLLAB_ONLY_PERMISSIONS`).
- A municipality user needs, besides the Kommune role: the built-in role **Gamma** (read
  dashboards and charts; Gamma has no SQL Lab) and read access to the datasets
  (`datasource_access` on each, or dashboard access with DASHBOARD_RBAC). Never give such
  a user the `sql_lab`, Alpha or Admin role: SQL Lab bypasses the filters, and Alpha can
  create a virtual dataset (its own SQL) that no filter covers.
- A filter protects a dataset, not the database: anyone who can reach the warehouse
  otherwise (its file, a database login) is not filtered.
"""
from __future__ import annotations

from collections.abc import Iterable

import click
from flask.cli import with_appcontext

from socialbench import reference
from socialbench.errors import SocialbenchError
from superset_plugins.settings import PERMISSION_VIEW

OPEN_DATASETS = frozenset(
    {"municipality", "population", "expenditure", "full_year_citizens", "structural_indicators", "price_index"}
)
OPEN_PREFIX = "bm_"
# Datasets of national totals: no row for a municipality's users (their totals per
# municipality are in settlement_run_municipality).
NATIONAL_TOTALS = frozenset({"settlement_run"})
HIDE_ALL = "1 = 0"
# The approval ledger keeps every run's inputs (all municipalities' grants): never for a
# municipality's users, should anyone make a dataset of it.
LEDGER_TABLES = frozenset({"settlement_approval", "settlement_scope", "settlement_ledger_origin", "settlement_legacy_duplicate"})
FILTER_PREFIX = "socialbench"
GROUP_KEY = "municipality"


def role_name(code: int, name: str) -> str:
    return f"Kommune {code} {name}"


def restriction(code: int, columns: Iterable[str], table_name: str = "") -> tuple[str, str] | None:
    """(kind, clause) restricting a dataset with these columns to one municipality, or None."""
    columns = set(columns)
    code = int(code)  # the clause is built from a whole number only
    if table_name.lower() in NATIONAL_TOTALS:
        return "national totals", HIDE_ALL
    if table_name.lower() in LEDGER_TABLES:
        return "approval ledger", HIDE_ALL
    if "municipality_code" in columns:
        return "municipality_code", f"municipality_code = {code}"
    if "grant_id" in columns:
        return "grant_id", f"grant_id in (select grant_id from grants where municipality_code = {code})"
    return None


def is_open(table_name: str) -> bool:
    name = table_name.lower()
    return name.startswith(OPEN_PREFIX) or name in OPEN_DATASETS


def _municipalities(codes: Iterable[int] | None) -> list[tuple[int, str]]:
    known = {int(c): str(n) for c, n in reference.frame("municipality")[["municipality_code", "municipality_name"]].values}
    if not codes:
        return sorted(known.items())
    unknown = sorted(set(int(c) for c in codes) - set(known))
    if unknown:
        raise SocialbenchError(f"unknown municipality code(s): {', '.join(map(str, unknown))}")
    return [(int(c), known[int(c)]) for c in sorted(set(int(c) for c in codes))]


def municipality_roles(codes: Iterable[int] | None = None) -> dict[str, list[str]]:
    """Create or update the role and RLS filters of each municipality (all 98 if none given).

    Returns {role name: [names of the datasets it filters]}. Runs in the app context and
    commits once at the end.
    """
    from superset import db, security_manager
    from superset.connectors.sqla.models import RowLevelSecurityFilter, SqlaTable
    from superset.utils.core import RowLevelSecurityFilterType

    datasets = [
        (table, {column.column_name for column in table.columns})
        for table in db.session.query(SqlaTable).order_by(SqlaTable.id).all()
        if not is_open(table.table_name)
    ]
    done: dict[str, list[str]] = {}
    for code, name in _municipalities(codes):
        role = security_manager.find_role(role_name(code, name)) or security_manager.add_role(role_name(code, name))
        by_clause: dict[tuple[str, str], list] = {}
        for table, columns in datasets:
            found = restriction(code, columns, table.table_name)
            if found:
                by_clause.setdefault(found, []).append(table)
        for (kind, clause), tables in by_clause.items():
            filter_name = f"{FILTER_PREFIX}: {role.name} ({kind})"
            rls = db.session.query(RowLevelSecurityFilter).filter_by(name=filter_name).one_or_none()
            if rls is None:
                rls = RowLevelSecurityFilter(name=filter_name)
                db.session.add(rls)
            rls.filter_type = RowLevelSecurityFilterType.REGULAR
            rls.clause = clause
            rls.group_key = GROUP_KEY
            rls.description = f"socialbench: users of {name} see only {name}'s citizen-level rows"
            rls.roles = [role]
            rls.tables = tables
        done[role.name] = sorted(t.table_name for tables in by_clause.values() for t in tables)
    db.session.commit()
    return done


def sql_lab_permissions(role) -> list:
    """The role's permissions that belong to SQL Lab (Superset's own list of them)."""
    from superset import security_manager

    sql_lab = set(security_manager.SQLLAB_ONLY_PERMISSIONS) | set(security_manager.SQLLAB_EXTRA_PERMISSION_VIEWS)
    return [p for p in role.permissions if (p.permission.name, p.view_menu.name) in sql_lab]


def remove_sql_lab(codes: Iterable[int] | None = None) -> dict[str, list[str]]:
    """Take every SQL Lab permission away from the Kommune roles (SQL Lab bypasses their
    row-level security); returns {role: ["can_x on View", ...]} of what was removed."""
    from superset import db, security_manager

    removed: dict[str, list[str]] = {}
    for code, name in _municipalities(codes):
        role = security_manager.find_role(role_name(code, name))
        if role is None:
            continue
        found = sql_lab_permissions(role)
        for pvm in found:
            role.permissions.remove(pvm)
        if found:
            removed[role.name] = sorted(f"{p.permission.name} on {p.view_menu.name}" for p in found)
    db.session.commit()
    return removed


def grant_approval(role: str) -> None:
    """Let a role read and approve settlement runs (creating the role if needed)."""
    from superset import db, security_manager

    found = security_manager.find_role(role) or security_manager.add_role(role)
    for permission in ("can_read", "can_approve"):
        pvm = security_manager.find_permission_view_menu(permission, PERMISSION_VIEW)
        if pvm is None:
            pvm = security_manager.add_permission_view_menu(permission, PERMISSION_VIEW)
        if pvm not in found.permissions:
            found.permissions.append(pvm)
    db.session.commit()


@click.command("socialbench-roles")
@click.option("--municipality", "codes", multiple=True, type=int, help="Municipality code; all 98 if omitted.")
@with_appcontext
def roles_command(codes: tuple[int, ...]) -> None:
    """Create a role and row-level-security filters per municipality (idempotent)."""
    try:
        done = municipality_roles(codes or None)
        removed = remove_sql_lab(codes or None)
    except SocialbenchError as error:
        raise click.ClickException(str(error)) from None
    for role, tables in done.items():
        click.echo(f"{role}: {', '.join(tables) if tables else 'no restricted datasets yet'}")
    for role, permissions in removed.items():
        click.echo(f"{role}: removed SQL Lab permissions (SQL Lab bypasses row-level security): {', '.join(permissions)}")


@click.command("socialbench-approvers")
@click.argument("role")
@with_appcontext
def approvers_command(role: str) -> None:
    """Let ROLE read and approve settlement runs through the socialbench REST API."""
    grant_approval(role)
    click.echo(f"{role}: can_read, can_approve on {PERMISSION_VIEW}")


CLI_COMMANDS = (roles_command, approvers_command)
