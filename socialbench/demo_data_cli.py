"""`socialbench demo-data`: fill the warehouse with the synthetic demo data set."""
from __future__ import annotations

import argparse

from socialbench.cli_args import add_db_argument, add_no_refresh_argument, engine_from_args, refresh_after_load


def cmd_demo_data(args: argparse.Namespace) -> int:
    from socialbench import demo_data  # lazy (start-up time): pandas, numpy

    engine = engine_from_args(args)
    counts = demo_data.load(engine, args.seed)
    for table, n in counts.items():
        print(f"{table}: {n} rows loaded")
    print(f"demo data loaded: SYNTHETIC (seed {args.seed}), not real figures for any municipality")
    refresh_after_load(engine, args)
    return 0


def _demo_data_arguments(parser: argparse.ArgumentParser) -> None:
    from socialbench.demo_data import DEFAULT_SEED  # lazy (start-up time): pandas, numpy

    add_db_argument(parser)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    add_no_refresh_argument(parser)
    parser.set_defaults(func=cmd_demo_data)


def register(subparsers) -> None:
    """Add `socialbench demo-data` to the CLI."""
    subparsers.add_parser(
        "demo-data",
        help="fill the warehouse with a deterministic synthetic demo data set (all 98 municipalities)",
        arguments=_demo_data_arguments,
    )
