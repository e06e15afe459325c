"""What every `socialbench` command shares: `--db`, `--no-refresh`, the engine, errors as lines.

The lowest of the CLI modules: it imports no area (`benchmarks`, `incentive_models`,
`superset_plugins`) and nothing heavy, so any module may use it. Each area's commands live
in its own CLI module (`benchmarks/cli.py`, `socialbench/dst_cli.py`, ...) as a
`register(subparsers)` function; the top-level command `socialbench.cli` assembles them.

A command's arguments are added when the command is chosen (`arguments=` of
`add_parser`, see `CommandParser`): `socialbench --help` then needs only the command
names and help texts, and imports neither pandas nor Superset.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from socialbench.errors import InputError, SocialbenchError

NO_REFRESH_HELP = "do not recompute derived tables afterwards"


class CommandParser(argparse.ArgumentParser):
    """The parser of a subcommand, given its arguments only when it is used.

    `subparsers.add_parser(name, help=..., arguments=add)` calls `add(parser)` just before
    the parser reads its part of the command line or prints its help, so the imports that
    `add` needs (defaults, choices) are made only for the command that is run.
    """

    def __init__(self, *args, arguments: Callable[[argparse.ArgumentParser], None] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._arguments = arguments

    def _add_arguments(self) -> None:
        add, self._arguments = self._arguments, None
        if add is not None:
            add(self)

    def parse_known_args(self, args=None, namespace=None):
        self._add_arguments()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        self._add_arguments()
        return super().format_usage()

    def format_help(self) -> str:
        self._add_arguments()
        return super().format_help()


def add_subcommands(parser: argparse.ArgumentParser, **kwargs) -> argparse._SubParsersAction:
    """`parser.add_subparsers(**kwargs)` whose parsers are CommandParsers."""
    return parser.add_subparsers(parser_class=CommandParser, **kwargs)


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    from socialbench import warehouse  # lazy (start-up time): the warehouse imports pandas

    parser.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help=f"warehouse SQLAlchemy URL (default: ${warehouse.ENV_VAR} or {warehouse.DEFAULT_URL})",
    )


def add_no_refresh_argument(parser: argparse.ArgumentParser, help: str = NO_REFRESH_HELP) -> None:
    parser.add_argument("--no-refresh", action="store_true", help=help)


def engine_from_args(args: argparse.Namespace):
    from socialbench import warehouse  # lazy (start-up time): the warehouse imports pandas

    return warehouse.create_engine(getattr(args, "db", None))


def refresh_after_load(engine, args: argparse.Namespace, **options) -> None:
    """Recompute the derived benchmark tables, unless --no-refresh was given.

    The recomputation is `args.refresh_derived(engine, **options)`: the top-level command
    (`socialbench.cli`) puts it there, since it is benchmarks' and socialbench does not
    import benchmarks.
    """
    if getattr(args, "no_refresh", False):
        return
    args.refresh_derived(engine, **options)
    print("refreshed derived benchmark tables")


def run(args: argparse.Namespace) -> int:
    """Run the chosen command; an error becomes lines on stderr and exit code 1."""
    try:
        return args.func(args)
    except InputError as error:
        print(str(error), file=sys.stderr)
        print(f"nothing was written ({len(error.problems)} problems)", file=sys.stderr)
        return 1
    except SocialbenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
