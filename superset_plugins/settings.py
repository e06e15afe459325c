"""What the Superset side of socialbench shares: the API's permission view and the warehouse.

`config` (the file users `import *`), `api`, `roles` and `jinja_macros` all import from
here, and this module imports none of them, so the imports point one way. Cheap to
import: Flask and the warehouse are imported when an engine is first asked for.
"""
from __future__ import annotations

from typing import Any

# Permission view (Superset "view menu") of the REST API: can_read, can_write, can_approve.
PERMISSION_VIEW = "SocialbenchSettlement"


def warehouse_engine(read_only: bool = True):
    """The warehouse of the running app (config SOCIALBENCH_DB, else the environment).

    Reads use a read-only engine, writes (a draft run, an approval) ask for read_only=False.
    """
    # lazy: Flask only inside a running app; the warehouse imports pandas
    from flask import current_app

    from socialbench import warehouse

    url = warehouse.resolve_url(current_app.config.get("SOCIALBENCH_DB"))
    key = (url, read_only)
    if key not in _ENGINES:
        _ENGINES[key] = warehouse.create_engine(url, read_only=read_only)
    return _ENGINES[key]


_ENGINES: dict[tuple[str, bool], Any] = {}
