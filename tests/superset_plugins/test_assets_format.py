"""superset_plugins/assets/README.md documents every key the bundle's code reads, and the
asset files use no key the code does not read (a misspelt key would be ignored silently)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

import superset_plugins
from superset_plugins import bundle, query_context

PACKAGE = Path(superset_plugins.__file__).parent
README = PACKAGE / "assets" / "README.md"
# The variables that hold a definition (or a part of one) in the modules that read them.
DEFINITION_NAMES = {
    bundle: {"spec", "chart", "dashboard", "f", "calc", "m", "item"},
    query_context: {"chart", "spec", "o"},
}
# Mappings whose keys are not format keys but names (column: d3 format).
FREE_FORM = {"column_formats"}


def keys_read_by(module, names: set[str]) -> set[str]:
    """String keys read from those variables: x["k"], x.get("k"), "k" in x."""
    found = set()
    for node in ast.walk(ast.parse(Path(module.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in names:
            if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
                found.add(node.slice.value)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "pop")
              and isinstance(node.func.value, ast.Name) and node.func.value.id in names
              and node.args and isinstance(node.args[0], ast.Constant)):
            found.add(node.args[0].value)
        elif (isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)
              and isinstance(node.comparators[0], ast.Name) and node.comparators[0].id in names):
            found.add(node.left.value)
    return found


def code_keys() -> set[str]:
    return set().union(*(keys_read_by(module, names) for module, names in DEFINITION_NAMES.items()))


def keys_used(value) -> set[str]:
    if isinstance(value, dict):
        out = set(value)
        for key, item in value.items():
            if key not in FREE_FORM:
                out |= keys_used(item)
        return out
    if isinstance(value, list):
        return set().union(set(), *(keys_used(v) for v in value))
    return set()


def test_the_key_finder_finds_keys():
    """Guard against a refactoring that renames the variables: then nothing would be checked."""
    keys = code_keys()
    assert {"table", "metrics", "slug", "layout", "viz", "x_axis", "default_first", "ascending", "op"} <= keys
    assert len(keys) > 50


def test_every_key_the_code_reads_is_documented():
    documented = set(re.findall(r"`([a-z_]+)`", README.read_text(encoding="utf-8")))
    assert sorted(code_keys() - documented) == []


def test_every_chart_type_is_documented():
    text = README.read_text(encoding="utf-8")
    assert [viz for viz in query_context.REGISTRY if f"`{viz}`" not in text] == []


def test_the_asset_files_use_only_keys_the_code_reads():
    unknown = {}
    for path in sorted((PACKAGE / "assets").rglob("*.yaml")):
        extra = keys_used(yaml.safe_load(path.read_text(encoding="utf-8"))) - code_keys()
        if extra:
            unknown[path.name] = sorted(extra)
    assert unknown == {}
