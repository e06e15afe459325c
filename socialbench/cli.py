"""The `socialbench` command: parses arguments, calls the library, turns errors into lines.

Core commands live here; each area adds its own subcommands through a `register(subparsers)`
function in its own module (see AREA_MODULES), so this file holds no business logic.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from socialbench import __version__, loading, schema, warehouse
from socialbench.errors import InputError, SocialbenchError

AREA_MODULES = [
    "socialbench.dst",
    "socialbench.demo_data",
    "benchmarks.cli",
    "incentive_models.cli",
    "superset_plugins.cli",
]


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help=f"warehouse SQLAlchemy URL (default: ${warehouse.ENV_VAR} or {warehouse.DEFAULT_URL})",
    )


def engine_from_args(args: argparse.Namespace):
    return warehouse.create_engine(getattr(args, "db", None))


def refresh_after_load(engine, args: argparse.Namespace) -> None:
    """Recompute the derived benchmark tables, unless --no-refresh was given."""
    if getattr(args, "no_refresh", False):
        return
    from benchmarks.refresh import refresh

    refresh(engine)
    print("refreshed derived benchmark tables")


def cmd_init(args: argparse.Namespace) -> int:
    engine = engine_from_args(args)
    done = schema.init(engine)
    for line in done:
        print(line)
    print(f"warehouse ready at schema version {schema.migrations()[-1].version} ({warehouse.resolve_url(args.db)})")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    engine = engine_from_args(args)
    counts = loading.load_path(engine, Path(args.path))
    for table, n in counts.items():
        print(f"{table}: {n} rows loaded")
    refresh_after_load(engine, args)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="socialbench",
        description="Benchmarks and provider incentive settlements for the specialised social area.",
    )
    parser.add_argument("--version", action="version", version=f"socialbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("init", help="create or upgrade the warehouse schema and views; seed reference data")
    add_db_argument(p)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("load", help="load one CSV file, or every known CSV file in a directory (all or nothing)")
    add_db_argument(p)
    p.add_argument("path", metavar="PATH")
    p.add_argument("--no-refresh", action="store_true", help="do not recompute derived tables afterwards")
    p.set_defaults(func=cmd_load)

    for name in AREA_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as error:
        print(str(error), file=sys.stderr)
        print(f"nothing was written ({len(error.problems)} problems)", file=sys.stderr)
        return 1
    except SocialbenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
