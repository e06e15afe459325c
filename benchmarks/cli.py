"""`socialbench refresh`: recompute the derived benchmark tables."""
from __future__ import annotations

import argparse

from socialbench.cli_args import add_db_argument, engine_from_args


def _indicator_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give at least one indicator name, e.g. socioeconomic_index,population_density")
    return names


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def cmd_refresh(args: argparse.Namespace) -> int:
    from benchmarks.refresh import refresh  # lazy (start-up time): pandas

    result = refresh(engine_from_args(args), method=args.method, k=args.k, indicators=args.indicators)
    for note in result["notes"]:
        print(f"note: {note}")
    for table, count in result["rows"].items():
        print(f"{table}: {count} rows")
    return 0


def _refresh_arguments(p: argparse.ArgumentParser) -> None:
    from benchmarks import peers  # lazy (start-up time): pandas, numpy

    add_db_argument(p)
    p.add_argument(
        "--method", choices=peers.METHODS, default=None,
        help="compare only with peers of this method in bm_peer_comparison (default: both methods; "
        "bm_peer always holds both, the savings potential always uses nearest)",
    )
    p.add_argument("--k", type=_positive, default=peers.DEFAULT_K, help="number of nearest peers (default 10)")
    p.add_argument(
        "--indicators", type=_indicator_list, default=None, metavar="A,B,C",
        help="structural indicators for peers and expected cost (default: every indicator loaded for the year)",
    )
    p.set_defaults(func=cmd_refresh)


def register(subparsers) -> None:
    """Add this area's subcommands to the `socialbench` CLI."""
    subparsers.add_parser(
        "refresh",
        help="recompute the derived benchmark tables (peers, peer comparison, expected cost, savings potential)",
        arguments=_refresh_arguments,
    )
