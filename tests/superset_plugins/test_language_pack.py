"""Superset's interface in Danish: the socialbench catalogue, how it is built, shipped and served.

The fast tests read the catalogue files only (and build a wheel in a temporary copy of the
sources). The in-process tests (marker `superset`) ask the session's in-process Superset,
configured by the documented import line, for the language pack and the backend's strings.
The browser test is test_language_pack_browser.py.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from superset_plugins import config as plugin_config
from superset_plugins import translations

REPO = Path(__file__).resolve().parents[2]

# Printf placeholders (%s, %d, %(name)s; %% is a literal per cent) and {name} / {{name}} fields.
PLACEHOLDER = re.compile(r"%\([A-Za-z0-9_]+\)[sdif]|%[sdif]|%%|\{\{?[A-Za-z0-9_]*\}?\}")


def pack() -> dict:
    return json.loads(translations.catalogue_file("json").read_text(encoding="utf-8"))


def messages() -> dict:
    return {k: v for k, v in pack()["locale_data"]["superset"].items() if k}


def superset_installed() -> Path:
    import superset

    return Path(superset.__file__).resolve().parent


def known_msgids() -> set[str]:
    """Every msgid Superset 6.1 (frontend and backend) and Flask-AppBuilder translate.

    Superset's catalogues, plus the strings its frontend bundle passes to t() and tn(): a few
    the reader meets (the table's search placeholder "%s records...", the auto-refresh
    status) are missing from its catalogues.
    """
    folder = superset_installed() / "translations"
    known = set(json.loads((folder / "en" / "LC_MESSAGES" / "messages.json").read_text(encoding="utf-8"))["locale_data"]["superset"])
    pattern = re.compile(r'^msgid "(.+)"$', re.M)
    known |= set(pattern.findall((folder / "messages.pot").read_text(encoding="utf-8")))
    import flask_appbuilder

    for po in (Path(flask_appbuilder.__file__).parent / "translations").glob("*/LC_MESSAGES/messages.po"):
        known |= set(pattern.findall(po.read_text(encoding="utf-8")))
    called = re.compile(r'\.tn?\)\(\s*"((?:\\.|[^"\\])*)"')
    for bundle in (superset_installed() / "static" / "assets").glob("*.js"):
        known |= {_unescaped(s) for s in called.findall(bundle.read_text(encoding="utf-8", errors="replace"))}
    return known | {_unescaped(k) for k in known if "\\" in k}


def _unescaped(po_string: str) -> str:
    try:
        return json.loads(f'"{po_string}"')
    except ValueError:
        return po_string


def test_the_language_pack_is_jed_json_as_supersets_own():
    data = pack()
    assert set(data) == {"domain", "locale_data"} and data["domain"] == "superset"
    assert list(data["locale_data"]) == ["superset"]
    header = data["locale_data"]["superset"][""]
    assert header == {"domain": "superset", "plural_forms": "nplurals=2; plural=(n != 1);", "lang": "da"}
    found = messages()
    assert len(found) >= 300, "the strings a dashboard reader meets: a few hundred"
    for msgid, strings in found.items():
        assert isinstance(strings, list) and strings and all(isinstance(s, str) and s.strip() for s in strings), msgid
        assert len(strings) in (1, 2), msgid  # one form, or singular and plural (nplurals=2)


def test_the_built_files_match_the_po_source():
    """messages.json and messages.mo are what `python -m superset_plugins.translations` makes of the .po."""
    catalog = translations.read_po()
    assert translations.catalogue_file("json").read_text(encoding="utf-8") == translations.jed_json(catalog), (
        "run `python -m superset_plugins.translations` after editing messages.po"
    )
    assert translations.catalogue_file("mo").read_bytes() == translations.mo_bytes(catalog), (
        "run `python -m superset_plugins.translations` after editing messages.po"
    )
    assert len(translations.translated(catalog)) == len(messages()), "every message of the .po is translated"


def test_every_msgid_is_one_superset_uses():
    """The frontend looks each string up exactly: a msgid with a typo would never be shown."""
    known = known_msgids()
    assert "Apply filters" in known and "%s record..." in known and "Apply filter s" not in known
    assert sorted(set(messages()) - known) == []


@pytest.mark.parametrize("msgid", sorted(messages()))
def test_every_translation_keeps_the_placeholders_and_the_spacing(msgid):
    for translated in messages()[msgid]:
        assert Counter(PLACEHOLDER.findall(translated)) == Counter(PLACEHOLDER.findall(msgid)), translated
        # "Check out this dashboard: " is followed by a link: the trailing space matters.
        assert translated[: len(translated) - len(translated.lstrip())] == msgid[: len(msgid) - len(msgid.lstrip())]
        assert translated[len(translated.rstrip()):] == msgid[len(msgid.rstrip()):]


def test_the_placeholder_check_can_fail():
    assert Counter(PLACEHOLDER.findall("Søg i rækker")) != Counter(PLACEHOLDER.findall("Search %s records"))
    assert Counter(PLACEHOLDER.findall("%(rows)s rækker")) != Counter(PLACEHOLDER.findall("%(row)s rows"))
    assert Counter(PLACEHOLDER.findall("{name} og {name}")) != Counter(PLACEHOLDER.findall("{name}"))


@pytest.mark.parametrize(
    "msgid, danish",
    [
        ("Filters", "Filtre"),
        ("Apply filters", "Anvend filtre"),
        ("Clear all", "Ryd alle"),
        ("No results", "Ingen resultater"),
        ("View query", "Vis forespørgsel"),
        ("Download as image", "Download som billede"),
        ("Enter fullscreen", "Fuld skærm"),
        ("Search", "Søg"),
        ("Sign in", "Log ind"),
        ("Username", "Brugernavn"),
        ("Password", "Adgangskode"),
        ("Search %s records", "Søg i %s rækker"),
        ("Charts", "Diagrammer"),
    ],
)
def test_the_words_a_municipal_leader_reads(msgid, danish):
    assert messages()[msgid] == [danish]


def test_a_plural_message_has_both_forms():
    assert messages()["%s option"] == ["%s valgmulighed", "%s valgmuligheder"]


def test_the_config_line_makes_danish_the_default_with_english_one_click_away():
    assert plugin_config.BABEL_DEFAULT_LOCALE == "da"
    assert plugin_config.LANGUAGES == {
        "da": {"flag": "dk", "name": "Dansk"},
        "en": {"flag": "us", "name": "English"},
    }
    assert {"BABEL_DEFAULT_LOCALE", "LANGUAGES"} <= set(plugin_config.__all__)
    # Danish numbers: already the project's, and independent of the language.
    assert plugin_config.D3_FORMAT["decimal"] == "," and plugin_config.D3_FORMAT["thousands"] == "."
    assert plugin_config.D3_FORMAT["currency"] == ["", " kr."]


def test_pip_install_ships_the_catalogue(tmp_path):
    """A wheel built from the sources (copied, so the checkout stays untouched) holds all three files."""
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in ("socialbench", "benchmarks", "incentive_models", "superset_plugins", "sql"):
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    for name in ("setup.py", "README.md"):
        shutil.copy(REPO / name, source / name)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = (tmp_path / "dist").glob("socialbench-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for suffix in ("po", "json", "mo"):
        assert f"superset_plugins/translations/da/LC_MESSAGES/messages.{suffix}" in names
    assert "superset_plugins/translations/__init__.py" in names
    # and every asset definition publish reads, the list of retired assets included
    assets = {str(p.relative_to(REPO)) for p in (REPO / "superset_plugins" / "assets").rglob("*.y*ml")}
    assert "superset_plugins/assets/retired.yml" in assets
    assert assets <= names, sorted(assets - names)


# --- the plugin in a running Superset (in process) ---------------------------------------


@pytest.fixture(scope="module")
def sup():
    from tests.superset_plugins import inprocess_superset

    return inprocess_superset.superset()


@pytest.mark.superset
def test_the_language_pack_is_served_without_a_login(sup):
    """The login page needs it too; Superset's own view (login required) keeps every other language."""
    http = sup.app.test_client()
    response = http.get("/superset/language_pack/da/")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == pack()
    assert http.get("/superset/language_pack/fr/").status_code in (302, 401, 403)
    adapter = sup.app.url_map.bind("localhost")
    assert adapter.match("/superset/language_pack/da/")[0] == translations.ENDPOINT
    assert adapter.match("/superset/language_pack/fr/")[0] != translations.ENDPOINT


@pytest.mark.superset
def test_danish_is_the_default_locale_and_the_backend_speaks_it(sup):
    from flask_babel import get_locale, gettext

    with sup.app.test_request_context("/superset/welcome/"):
        assert str(get_locale()) == "da"
        assert gettext("Charts") == "Diagrammer"  # the menu bar's labels come from the backend
        assert gettext("A string no catalogue has") == "A string no catalogue has"  # English, no crash
    with sup.app.test_request_context("/superset/welcome/?_l_=en"):
        assert str(get_locale()) == "en"
        assert gettext("Charts") == "Charts"


@pytest.mark.superset
def test_the_login_page_says_danish_and_the_language_switch_works(sup):
    import html

    http = sup.app.test_client()

    def bootstrap(path: str) -> dict:
        response = http.get(path)
        assert response.status_code == 200, response.status_code
        found = re.search(r'data-bootstrap="([^"]+)"', response.get_data(as_text=True))
        return json.loads(html.unescape(found.group(1)))

    common = bootstrap("/login/")["common"]
    assert common["locale"] == "da"
    assert set(common["menu_data"]["navbar_right"]["languages"]) == {"da", "en"}
    assert http.get("/lang/en").status_code == 302
    assert bootstrap("/login/")["common"]["locale"] == "en"
    assert http.get("/lang/da").status_code == 302
    assert bootstrap("/login/")["common"]["locale"] == "da"
