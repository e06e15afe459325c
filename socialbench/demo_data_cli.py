"""`socialbench demo-data`: fill the warehouse with the synthetic demo data set."""
from __future__ import annotations

import argparse
from pathlib import Path

from socialbench.cli_args import add_db_argument, add_no_refresh_argument, engine_from_args, refresh_after_load
from socialbench.errors import SocialbenchError

SCALES = ("demo", "national")


def cmd_demo_data(args: argparse.Namespace) -> int:
    if args.scale != "national" and (args.out is not None or args.grants is not None):
        raise SocialbenchError("--out and --grants need --scale national")
    if args.grants is not None and args.grants < 1:
        raise SocialbenchError(f"--grants: must be at least 1, not {args.grants}")
    if args.scale == "national":
        return _national(args)
    from socialbench import demo_data  # lazy (start-up time): pandas, numpy

    engine = engine_from_args(args)
    counts = demo_data.load(engine, args.seed)
    for table, n in counts.items():
        print(f"{table}: {n} rows loaded")
    print(f"demo data loaded: SYNTHETIC (seed {args.seed}), not real figures for any municipality")
    # The demo's budget follow-up as of demo_data.params.FORECAST_AS_OF, not the reference date.
    refresh_after_load(engine, args, forecast_as_of=demo_data.params.FORECAST_AS_OF)
    if not args.no_refresh:
        print(f"budget follow-up (fc_*) written as of {demo_data.params.FORECAST_AS_OF.isoformat()}")
    return 0


def _national(args: argparse.Namespace) -> int:
    from socialbench.demo_data import national, params  # lazy (start-up time): pandas, numpy

    grants = params.NATIONAL_GRANTS if args.grants is None else args.grants
    if args.out is not None:
        counts = national.write(args.out, args.seed, grants)
        for table, n in counts.items():
            print(f"{args.out / f'{table}.csv'}: {n} rows")
        print(f"national demo data written: SYNTHETIC (seed {args.seed}), not real figures for any municipality")
        return 0
    engine = engine_from_args(args)
    counts = national.load(engine, args.seed, grants)
    for part, loaded in counts.items():
        for table, n in loaded.items():
            print(f"{table}: {n} rows loaded ({part})")
    print(f"national demo data loaded: SYNTHETIC (seed {args.seed}), not real figures for any municipality")
    refresh_after_load(engine, args)
    return 0


def _demo_data_arguments(parser: argparse.ArgumentParser) -> None:
    from socialbench.demo_data import DEFAULT_SEED, params  # lazy (start-up time): pandas, numpy

    add_db_argument(parser)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument(
        "--scale",
        choices=SCALES,
        default="demo",
        help="demo: the demo data set (default); national: the demo data plus about "
        f"{params.NATIONAL_GRANTS:,} grants of SEL85, SEL104, SEL107 and SEL108 over 2016-2025",
    )
    parser.add_argument(
        "--grants",
        type=int,
        metavar="N",
        default=None,
        help=f"with --scale national: about N national grants (default {params.NATIONAL_GRANTS})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        default=None,
        help="with --scale national: only write the national CSV files (providers, grants, assessments, rates) "
        "into DIR, load nothing",
    )
    add_no_refresh_argument(parser)
    parser.set_defaults(func=cmd_demo_data)


def register(subparsers) -> None:
    """Add `socialbench demo-data` to the CLI."""
    subparsers.add_parser(
        "demo-data",
        help="fill the warehouse with a deterministic synthetic demo data set (all 98 municipalities)",
        arguments=_demo_data_arguments,
    )
