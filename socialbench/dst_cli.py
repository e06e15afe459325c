"""`socialbench load-dst` and `socialbench fetch-dst`: Statistics Denmark's statbank exports."""
from __future__ import annotations

import argparse
from pathlib import Path

from socialbench.cli_args import add_db_argument, add_no_refresh_argument, engine_from_args, refresh_after_load


def cmd_load_dst(args: argparse.Namespace) -> int:
    from socialbench import dst  # lazy (start-up time): the loader imports pandas

    engine = engine_from_args(args)
    print(dst.load_dst(engine, Path(args.file)).summary())
    refresh_after_load(engine, args)
    return 0


def cmd_fetch_dst(args: argparse.Namespace) -> int:
    from socialbench import dst, statbank  # lazy (start-up time): pandas, requests

    years = statbank.year_range(args.from_year, args.to_year)
    files = statbank.fetch(Path(args.out), years, base=args.base_url)
    for path in files:
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    if args.load:
        engine = engine_from_args(args)
        for done in dst.load_dst_files(engine, files):
            print(done.summary())
        refresh_after_load(engine, args)
    return 0


def _load_dst_arguments(p: argparse.ArgumentParser) -> None:
    add_db_argument(p)
    add_no_refresh_argument(p)
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_load_dst)


def _fetch_dst_arguments(p: argparse.ArgumentParser) -> None:
    from socialbench import statbank  # lazy (start-up time): requests

    add_db_argument(p)
    p.add_argument("--out", metavar="DIR", default="dst", help="folder for the downloaded files (default: ./dst)")
    p.add_argument("--from-year", type=int, default=statbank.DEFAULT_FROM_YEAR, metavar="Y",
                   help=f"first year (default: {statbank.DEFAULT_FROM_YEAR})")
    p.add_argument("--to-year", type=int, default=None, metavar="Y", help="last year (default: last year)")
    p.add_argument("--base-url", metavar="URL", default=None,
                   help=f"statbank API (default: ${statbank.ENV_VAR} or {statbank.DEFAULT_BASE_URL})")
    p.add_argument("--load", action="store_true", help="load the downloaded files into the warehouse")
    add_no_refresh_argument(p, help="with --load: do not recompute derived tables")
    p.set_defaults(func=cmd_fetch_dst)


def register(subparsers) -> None:
    """Add `load-dst` and `fetch-dst` to the `socialbench` CLI."""
    subparsers.add_parser(
        "load-dst",
        help="load a Statistics Denmark statbank CSV export of REGK31 or FOLK1A (all or nothing)",
        arguments=_load_dst_arguments,
    )
    subparsers.add_parser(
        "fetch-dst",
        help="download REGK31 and FOLK1A for all municipalities from the statbank API",
        arguments=_fetch_dst_arguments,
    )
