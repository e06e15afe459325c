"""The `socialbench` command: assembles the areas' commands and runs the one chosen.

The only module of socialbench that imports the other areas. Each area adds its
subcommands through a `register(subparsers)` function in its own CLI module (AREAS); what
the commands share (`--db`, `--no-refresh`, the engine, errors as lines) is in
`socialbench.cli_args`. This file holds the core commands `init` and `load` and no
business logic.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import benchmarks.cli
import incentive_models.cli
import incentive_models.danish
import superset_plugins.cli
from socialbench import __version__, demo_data_cli, dst_cli, forecast_cli
from socialbench.cli_args import (
    add_db_argument,
    add_no_refresh_argument,
    add_subcommands,
    engine_from_args,
    refresh_after_load,
    run,
)

AREAS = [dst_cli, demo_data_cli, forecast_cli, benchmarks.cli, incentive_models.cli, superset_plugins.cli]


def refresh_derived(engine, **options) -> None:
    """What a load is followed by (`cli_args.refresh_after_load`): benchmarks' refresh
    (options as `benchmarks.refresh.refresh` takes them)."""
    from benchmarks.refresh import refresh  # lazy (start-up time): pandas, only after a load

    for note in refresh(engine, **options)["notes"]:
        print(f"note: {note}")


def cmd_init(args: argparse.Namespace) -> int:
    from socialbench import schema, warehouse  # lazy (start-up time): SQLAlchemy and pandas

    engine = engine_from_args(args)
    done = schema.init(engine)
    for line in done:
        print(line)
    print(f"warehouse ready at schema version {schema.migrations()[-1].version} ({warehouse.resolve_url(args.db)})")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from socialbench import loading  # lazy (start-up time): pandas

    engine = engine_from_args(args)
    counts = loading.load_path(engine, Path(args.path))
    for table, n in counts.items():
        print(f"{table}: {n} rows loaded")
    refresh_after_load(engine, args)
    return 0


def _init_arguments(p: argparse.ArgumentParser) -> None:
    add_db_argument(p)
    p.set_defaults(func=cmd_init)


def _load_arguments(p: argparse.ArgumentParser) -> None:
    from socialbench import loading  # lazy (start-up time): pandas; only for the load command

    add_db_argument(p)
    p.add_argument("path", metavar="PATH", help="a CSV file, or a directory of them (any other CSV file in it is refused)")
    add_no_refresh_argument(p)
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = "accepted files, in load order (columns; key), from sql/tables/*.yml:\n" + "\n".join(
        f"  {spec.filename}: {', '.join(spec.columns)}; key {', '.join(spec.key)}" for spec in loading.TABLES.values()
    )
    p.set_defaults(func=cmd_load)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="socialbench",
        description="Benchmarks and provider incentive settlements for the specialised social area.",
    )
    parser.add_argument("--version", action="version", version=f"socialbench {__version__}")
    # What socialbench's own commands need of other areas, handed over (socialbench imports no area).
    parser.set_defaults(refresh_derived=refresh_derived, danish=incentive_models.danish)
    sub = add_subcommands(parser, dest="command", metavar="COMMAND", required=True)

    sub.add_parser(
        "init",
        help="create or upgrade the warehouse schema and views; seed reference data",
        arguments=_init_arguments,
    )
    sub.add_parser(
        "load",
        help="load one CSV file, or every known CSV file in a directory (all or nothing)",
        arguments=_load_arguments,
    )
    for area in AREAS:
        area.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
