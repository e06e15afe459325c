"""Everything socialbench adds to a Superset you configure yourself, in one import line.

Put this line at the TOP of your `superset_config.py`, before your own settings:

    from superset_plugins.config import *

It defines these settings (and nothing else; see `__all__`):

- `FLASK_APP_MUTATOR`: registers the socialbench REST API (`/api/v1/socialbench/`) with
  Superset's own permissions, the `superset socialbench-roles` and
  `superset socialbench-approvers` commands, serves the Danish interface catalogue
  (`/superset/language_pack/da/` and the backend's menu labels), and makes sure the
  settings below survive your own overrides (see `socialbench_app_mutator`).
- `JINJA_CONTEXT_ADDONS`: the SQL Lab / virtual dataset macros of `jinja_macros`.
- `FEATURE_FLAGS`: `{"ENABLE_TEMPLATE_PROCESSING": True}` (the macros need it) and
  `{"RLS_IN_SQLLAB": True}`: row-level security also in SQL Lab, as a second line of
  defence only (it filters just the datasets with a filter; municipality users must not
  have SQL Lab at all, see `superset_plugins.roles`).
- `D3_FORMAT`: Danish numbers and currency (1.234.567,89 and "1.234 kr."), and
  `D3_TIME_FORMAT`: Danish dates and month names.
- `BABEL_DEFAULT_LOCALE = "da"` and `LANGUAGES` (Dansk, English): Superset's interface in
  Danish, English one click away in the menu bar. The Danish catalogue ships with
  socialbench (`superset_plugins.translations`); the mutator serves it.
- `DB_CONNECTION_MUTATOR`: Superset's DuckDB connections wait while a socialbench load
  or settlement holds the warehouse file, instead of failing the chart.
- `SOCIALBENCH_DB`: the warehouse URL the API and the macros use (default: the
  environment variable SOCIALBENCH_DB, else socialbench's default DuckDB file).

Settings you write after the import win, and the mutator merges rather than clobbers:
your own `FEATURE_FLAGS = {...}` keeps template processing and RLS_IN_SQLLAB on unless
you set them to False, your own `JINJA_CONTEXT_ADDONS` keeps the socialbench macros next to yours, and
your own `D3_FORMAT`/`D3_TIME_FORMAT` are kept as they are. Only `FLASK_APP_MUTATOR` cannot be merged for you:
if you need your own, chain it:

    FLASK_APP_MUTATOR = chain_mutators(FLASK_APP_MUTATOR, my_mutator)

Importing this module is cheap: Superset, pandas and the API are imported only when the
app is created, so `superset db upgrade` and friends are unaffected.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from superset_plugins.jinja_macros import MACROS
from superset_plugins.settings import PERMISSION_VIEW

__all__ = [
    "BABEL_DEFAULT_LOCALE",
    "D3_FORMAT",
    "D3_TIME_FORMAT",
    "DB_CONNECTION_MUTATOR",
    "FEATURE_FLAGS",
    "FLASK_APP_MUTATOR",
    "JINJA_CONTEXT_ADDONS",
    "LANGUAGES",
    "SOCIALBENCH_DB",
    "chain_mutators",
    "socialbench_app_mutator",
]

# Danish number format: 1.234.567,89 and amounts as "1.234 kr.".
D3_FORMAT: dict[str, Any] = {
    "decimal": ",",
    "thousands": ".",
    "grouping": [3],
    "currency": ["", " kr."],
}

# Danish dates in charts: d3's da-DK locale (31-12-2025, "januar", "man").
D3_TIME_FORMAT: dict[str, Any] = {
    "dateTime": "%A den %d %B %Y %X",
    "date": "%d-%m-%Y",
    "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"],
    "shortDays": ["søn", "man", "tir", "ons", "tor", "fre", "lør"],
    "months": [
        "januar", "februar", "marts", "april", "maj", "juni",
        "juli", "august", "september", "oktober", "november", "december",
    ],
    "shortMonths": ["jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."],
}

# Superset's interface in Danish by default (a person's choice in the menu bar is kept in
# their session); English one click away. Superset 6.1 has no Danish of its own: the
# catalogue is socialbench's (superset_plugins/translations/), served by the mutator.
BABEL_DEFAULT_LOCALE = "da"
LANGUAGES: dict[str, dict[str, str]] = {
    "da": {"flag": "dk", "name": "Dansk"},
    "en": {"flag": "us", "name": "English"},
}

FEATURE_FLAGS: dict[str, bool] = {"ENABLE_TEMPLATE_PROCESSING": True, "RLS_IN_SQLLAB": True}

JINJA_CONTEXT_ADDONS: dict[str, Callable[..., Any]] = dict(MACROS)

# The warehouse the API and the macros read; None means $SOCIALBENCH_DB or the default.
SOCIALBENCH_DB: str | None = os.environ.get("SOCIALBENCH_DB")


def _merge_settings(config) -> None:
    """Make the socialbench settings hold even where the user's own settings replaced ours."""
    flags = config.setdefault("FEATURE_FLAGS", {})
    for flag, value in FEATURE_FLAGS.items():
        flags.setdefault(flag, value)
    addons = config.get("JINJA_CONTEXT_ADDONS") or {}
    config["JINJA_CONTEXT_ADDONS"] = {**MACROS, **addons}
    for key, value in (("D3_FORMAT", D3_FORMAT), ("D3_TIME_FORMAT", D3_TIME_FORMAT)):
        if not config.get(key):
            config[key] = dict(value)


def _restrict_default_roles(security_manager) -> None:
    """Settlement permissions are not for every viewer.

    `superset init` gives Admin everything. Without this, it would also give Gamma
    (every dashboard viewer) and Alpha the right to approve payouts. Here: Alpha may read
    and create drafts, Gamma gets nothing, and approval stays with Admin and the roles
    you grant it to (`superset socialbench-approvers ROLE`).
    """
    security_manager.ALPHA_ONLY_VIEW_MENUS = set(security_manager.ALPHA_ONLY_VIEW_MENUS) | {PERMISSION_VIEW}
    security_manager.ADMIN_ONLY_PERMISSIONS = set(security_manager.ADMIN_ONLY_PERMISSIONS) | {"can_approve"}


def socialbench_app_mutator(app) -> None:
    """Install socialbench into a Superset app (called by Superset at start-up)."""
    _merge_settings(app.config)
    from superset.extensions import appbuilder, feature_flag_manager  # lazy: importing this module stays cheap

    feature_flag_manager.init_app(app)  # re-read the merged flags

    # lazy, so that importing this module stays cheap (see above)
    from superset_plugins import translations
    from superset_plugins.api import SocialbenchRestApi
    from superset_plugins.roles import CLI_COMMANDS

    translations.install(app)
    _restrict_default_roles(appbuilder.sm)
    appbuilder.add_api(SocialbenchRestApi)
    for command in CLI_COMMANDS:
        app.cli.add_command(command)


def chain_mutators(*mutators: Callable | None) -> Callable:
    """One FLASK_APP_MUTATOR that calls each given mutator in order (None is skipped)."""
    chain = [m for m in mutators if m is not None]

    def mutator(app) -> None:
        for each in chain:
            each(app)

    return mutator


FLASK_APP_MUTATOR = socialbench_app_mutator


def DB_CONNECTION_MUTATOR(uri, params, username, security_manager, source):  # noqa: N802 (Superset's name)
    """Superset's DuckDB engines wait while a socialbench load or settlement holds the file,
    instead of showing the chart as failed (SQLAlchemy plugin `socialbench_wait`)."""
    if uri.drivername.startswith("duckdb"):
        params = {**params, "plugins": [*params.get("plugins", []), "socialbench_wait"]}
    return uri, params

