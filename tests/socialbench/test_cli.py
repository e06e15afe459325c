"""The `socialbench` command as a whole: how its modules import each other, start-up, wiring.

The rules (issue 9): the top-level command `socialbench.cli` is the one module of
socialbench that imports the other areas, and nothing in the packages imports it; the
areas' CLI modules share `socialbench.cli_args`; only CLI modules use argparse; in
superset_plugins, `config` (what users `import *`) is imported by none of the modules it
imports. `socialbench --help` imports neither pandas nor Superset.
"""
from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from socialbench import cli

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("socialbench", "benchmarks", "incentive_models", "superset_plugins")
AREAS = ("benchmarks", "incentive_models", "superset_plugins")
TOP = "socialbench.cli"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(path: Path) -> str:
    """The package a relative import in this file starts from."""
    return ".".join(path.relative_to(ROOT).parent.parts)


def imports(source: str, package: str) -> list[tuple[str, bool]]:
    """(imported module, inside a function?) for every import in the source.

    `from a import b` counts as importing `a` and `a.b` (b may be a module); a relative
    import is resolved against `package`; `importlib.import_module("x")` and
    `__import__("x")` with a literal name count too.
    """
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend((alias.name, in_function) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            found.append((base, in_function))
            found.extend((f"{base}.{alias.name}", in_function) for alias in node.names)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                found.append((str(node.args[0].value), in_function))
        inside = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(ast.parse(source), False)
    return found


def package_modules() -> dict[str, list[tuple[str, bool]]]:
    return {
        module_name(path): imports(path.read_text(encoding="utf-8"), package_of(path))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def test_the_import_scanner_sees_every_kind_of_import():
    source = (
        "import benchmarks.cli\n"
        "from superset_plugins import config\n"
        "def f():\n"
        "    from socialbench.cli import add_db_argument\n"
        "    importlib.import_module('incentive_models.cli')\n"
        "    from . import cli\n"
        "from ..benchmarks import peers\n"
    )
    assert imports(source, "socialbench") == [
        ("benchmarks.cli", False),
        ("superset_plugins", False),
        ("superset_plugins.config", False),
        ("socialbench.cli", True),
        ("socialbench.cli.add_db_argument", True),
        ("incentive_models.cli", True),
        ("socialbench", True),
        ("socialbench.cli", True),
        ("benchmarks", False),
        ("benchmarks.peers", False),
    ]
    # and the rules below have something to look at: the top-level command imports the areas
    assert {"benchmarks.cli", "incentive_models.cli", "superset_plugins.cli"} <= {
        name for name, _ in package_modules()[TOP]
    }


def test_only_the_top_level_command_of_socialbench_imports_another_area():
    offending = sorted(
        f"{module} imports {name}"
        for module, found in package_modules().items()
        if module.split(".")[0] == "socialbench" and module != TOP
        for name, _ in found
        if name.split(".")[0] in AREAS
    )
    assert offending == []


def test_nothing_in_the_packages_imports_the_top_level_command():
    offending = sorted(
        f"{module} imports {name}"
        for module, found in package_modules().items()
        if module != TOP
        for name, _ in found
        if name == TOP or name.startswith(TOP + ".")
    )
    assert offending == []


def test_no_module_imports_the_top_level_command_inside_a_function():
    paths = [p for folder in (*PACKAGES, "tests", "scripts", "perf") for p in sorted((ROOT / folder).rglob("*.py"))]
    offending = sorted(
        f"{path.relative_to(ROOT)} imports {name} in a function"
        for path in paths
        for name, in_function in imports(path.read_text(encoding="utf-8"), package_of(path))
        if in_function and (name == TOP or name.startswith(TOP + "."))
    )
    assert offending == []


def is_cli_module(module: str) -> bool:
    last = module.split(".")[-1]
    return last in ("cli", "cli_args") or last.endswith("_cli")


def test_only_cli_modules_use_argparse():
    offending = sorted(
        module
        for module, found in package_modules().items()
        if not is_cli_module(module) and any(name.split(".")[0] == "argparse" for name, _ in found)
    )
    assert offending == []


def test_superset_plugins_config_is_imported_by_none_of_its_imports():
    modules = package_modules()
    offending = sorted(
        f"{module} imports superset_plugins.config"
        for module, found in modules.items()
        if module != "superset_plugins.config"
        for name, _ in found
        if name == "superset_plugins.config" or name.startswith("superset_plugins.config.")
    )
    assert offending == []
    assert not [
        name for name, _ in modules["superset_plugins.settings"] if name.split(".")[0] == "superset_plugins"
    ]


HEAVY = ("pandas", "numpy", "sqlalchemy", "superset", "flask")


@pytest.mark.parametrize("argv", [["--help"], ["settle", "--help"], ["superset", "--help"]])
def test_help_imports_neither_pandas_nor_superset(argv):
    code = (
        "import json, sys\n"
        "from socialbench.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.startswith(f"usage: socialbench {' '.join(argv[:-1])}".rstrip())
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert "socialbench" in loaded  # the list is the child's modules
    assert sorted(loaded & set(HEAVY)) == []


# The required arguments of each command that runs something: enough to parse.
REQUIRED = {
    "load": ["x"],
    "load-dst": ["x"],
    "settle run": ["--model", "m", "--as-of", "2024-01-01"],
    "settle approve": ["r"],
    "settle statement": ["r", "--format", "csv", "--out", "o"],
    "superset publish": ["--url", "u", "--username", "n"],
    "superset export-bundle": ["p"],
    "superset demo": ["--home", "h"],
}


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """Every (sub)command path and its parser, e.g. ("settle", "run")."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                sub.format_help()  # adds the command's arguments (and its subcommands)
                yield (*path, name), sub
                yield from commands(sub, (*path, name))


def test_every_command_gets_its_arguments_and_prints_its_help():
    found = {" ".join(path): sub.format_help() for path, sub in commands(cli.build_parser())}
    assert sorted(found) == sorted([
        "init", "load", "load-dst", "fetch-dst", "demo-data", "forecast", "refresh",
        "settle", "settle run", "settle approve", "settle statement", "settle list", "settle verify",
        "superset", "superset publish", "superset export-bundle", "superset demo",
    ])
    for path, text in found.items():
        assert text.startswith(f"usage: socialbench {path} "), path
    runnable = [path for path in found if not any(other.startswith(path + " ") for other in found)]
    for path in runnable:
        args = cli.build_parser().parse_args([*path.split(), *REQUIRED.get(path, [])])
        assert callable(args.func), path


def bm_refresh_rows(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("select count(*) from bm_refresh")).scalar_one()


def test_a_load_refreshes_the_derived_tables_unless_told_not_to(engine, db_url, write_csv, capsys):
    path = write_csv("price_index.csv", "year,index_value", "2024,100", "2025,110")
    assert cli.main(["load", "--db", db_url, "--no-refresh", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == ["price_index: 2 rows loaded"]
    assert bm_refresh_rows(engine) == 0
    assert cli.main(["load", "--db", db_url, str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == ["price_index: 2 rows loaded", "refreshed derived benchmark tables"]
    assert bm_refresh_rows(engine) == 1
