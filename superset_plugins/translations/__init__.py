"""Superset's interface in Danish: the socialbench catalogue and how the plugin serves it.

Superset 6.1 ships no Danish translation. The catalogue lives here, as package data:

    da/LC_MESSAGES/messages.po    the source: Superset's own msgids, translated (edit this one)
    da/LC_MESSAGES/messages.json  the frontend's language pack (Jed format), built from the .po
    da/LC_MESSAGES/messages.mo    the backend's catalogue (Flask-Babel: menu labels), built from the .po

After editing the .po, rebuild the other two with `python -m superset_plugins.translations`
(a test fails while they are out of date).

How it reaches the browser: the page's bootstrap data carries the request's locale (from the
session, set by /lang/<code>, else BABEL_DEFAULT_LOCALE); for any locale but "en" the frontend
fetches `/superset/language_pack/<locale>/`, which Superset answers only from its own installed
translations folder. `install(app)` (called by the plugin's FLASK_APP_MUTATOR) adds a more
specific URL rule for `/superset/language_pack/da/` that answers with this catalogue, without
a login (the login page needs it too; the catalogue is public text), and adds this folder to
Flask-Babel's translation directories for the backend's strings. Nothing is written into
Superset's installed package.
"""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

DIRECTORY = Path(__file__).resolve().parent
LANGUAGE = "da"
DOMAIN = "messages"
LANGUAGE_PACK_URL = f"/superset/language_pack/{LANGUAGE}/"
ENDPOINT = "socialbench_language_pack_da"


def catalogue_file(suffix: str, language: str = LANGUAGE) -> Path:
    """da/LC_MESSAGES/messages.<suffix> of this folder."""
    return DIRECTORY / language / "LC_MESSAGES" / f"{DOMAIN}.{suffix}"


def read_po(path: Path | None = None):
    """The .po source as a babel Catalog."""
    from babel.messages.pofile import read_po as babel_read_po  # lazy: babel comes with Superset

    path = path or catalogue_file("po")
    with open(path, "rb") as handle:
        return babel_read_po(handle, locale=LANGUAGE, domain=DOMAIN)


def translated(catalog) -> list:
    """The catalogue's messages that have a translation (not the header, not fuzzy)."""
    out = []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            out.append(message)
    return out


def jed_pack(catalog) -> dict[str, Any]:
    """The frontend's language pack: Jed 1.x JSON as in superset/translations/*/LC_MESSAGES/messages.json."""
    messages: dict[str, Any] = {
        "": {
            "domain": "superset",
            "plural_forms": catalog.plural_forms,
            "lang": LANGUAGE,
        }
    }
    for message in sorted(translated(catalog), key=lambda m: m.id if isinstance(m.id, str) else m.id[0]):
        if isinstance(message.id, tuple):  # tn(singular, plural, n): keyed by the singular, every form
            messages[message.id[0]] = list(message.string)
        else:
            messages[message.id] = [message.string]
    return {"domain": "superset", "locale_data": {"superset": messages}}


def jed_json(catalog) -> str:
    return json.dumps(jed_pack(catalog), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def mo_bytes(catalog) -> bytes:
    from babel.messages.mofile import write_mo  # lazy

    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def build() -> list[Path]:
    """Write messages.json and messages.mo from messages.po; returns the files written."""
    catalog = read_po()
    json_path, mo_path = catalogue_file("json"), catalogue_file("mo")
    json_path.write_text(jed_json(catalog), encoding="utf-8")
    mo_path.write_bytes(mo_bytes(catalog))
    return [json_path, mo_path]


def language_pack_view():
    """GET /superset/language_pack/da/: the Danish language pack (public, like a static file)."""
    from flask import send_file  # lazy

    # As Superset's own view: the browser revalidates (ETag), so an upgrade shows at once.
    return send_file(catalogue_file("json"), mimetype="application/json")


def add_translation_directory(app) -> None:
    """Let Flask-Babel find da/LC_MESSAGES/messages.mo here (the backend's strings: menu labels).

    FAB builds Babel's directories from BABEL_TRANSLATION_DIRECTORIES before the mutator runs;
    appending here keeps whatever the user configured. Last in the list wins a duplicate msgid.
    """
    babel = app.extensions.get("babel")
    if babel is None:
        return
    directory = str(DIRECTORY)
    if directory not in babel.translation_directories:
        babel.translation_directories.append(directory)
        # Nothing is cached at start-up; should a request have run already, forget what it loaded.
        babel.instance.domain_instance.cache.clear()


def install(app) -> None:
    """Serve the Danish catalogue from this package: frontend language pack and backend catalogue."""
    if ENDPOINT not in app.view_functions:
        # A rule without variables wins over Superset's /superset/language_pack/<lang>/.
        app.add_url_rule(LANGUAGE_PACK_URL, endpoint=ENDPOINT, view_func=language_pack_view, methods=["GET"])
    add_translation_directory(app)


def main(argv: list[str] | None = None) -> int:
    for path in build():
        print(f"wrote {path}")
    return 0
