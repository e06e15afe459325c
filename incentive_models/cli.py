"""`socialbench settle ...`: parse, call the settlement library, print."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from socialbench.cli_args import add_db_argument, add_subcommands, engine_from_args


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}")


def cmd_run(args: argparse.Namespace) -> int:
    from incentive_models import runs  # lazy (start-up time): pandas

    engine = engine_from_args(args)
    run_id = runs.create_draft(engine, runs.load_model(args.model), args.as_of)
    run = runs.get_run(engine, run_id)
    totals = {k: run[k] for k in ("total_saving_dkk", "total_earned_dkk", "total_payout_dkk", "total_held_back_dkk", "total_adjustment_dkk")}
    if args.json:
        print(json.dumps({
            "run_id": run_id,
            "model_id": run["model_id"],
            "as_of": args.as_of.isoformat(),
            "status": run["status"],
            "line_count": int(run["line_count"]),
            **{k: format(v, "f") for k, v in totals.items()},
        }))
        return 0
    print(f"draft run {run_id}: model {run['model_id']} as of {args.as_of.isoformat()}, {int(run['line_count'])} lines")
    for key, value in totals.items():
        print(f"  {key}: {value:,.2f}")
    print(f"approve with: socialbench settle approve {run_id}")
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from incentive_models import runs  # lazy (start-up time): pandas

    engine = engine_from_args(args)
    runs.approve(engine, args.run_id)
    number, digest = runs.ledger_head(engine)
    print(f"run {args.run_id} approved")
    print(f"approval {number}, ledger head {number}:{digest}")
    print(f"keep the head outside the warehouse: `socialbench settle verify --head {number}:{digest}` proves later that nothing up to it changed")
    return 0


def cmd_statement(args: argparse.Namespace) -> int:
    from incentive_models import statement  # lazy (start-up time): pandas

    path = statement.write_statement(engine_from_args(args), args.run_id, args.format, args.out, args.provider)
    print(f"wrote {path}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from incentive_models import runs  # lazy (start-up time): pandas

    frame = runs.list_runs(engine_from_args(args)).drop(columns=["model_yaml", "inputs_sha256"])
    if frame.empty:
        print("no settlement runs yet: see `socialbench settle run --help`")
    else:
        print(frame.to_string(index=False))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from incentive_models import runs  # lazy (start-up time): pandas

    problems, notes = runs.verify(engine_from_args(args), args.head)
    for line in notes:
        print(f"note: {line}")
    if problems:
        for line in problems:
            print(f"error: {line}", file=sys.stderr)
        print(f"the ledger is NOT intact: {len(problems)} problems", file=sys.stderr)
        return 1
    print("the ledger is intact: every approved run is chained and recomputes to its approved lines")
    return 0


def _run_arguments(p: argparse.ArgumentParser) -> None:
    add_db_argument(p)
    p.add_argument("--model", required=True, metavar="FILE", help="incentive model YAML file")
    p.add_argument("--as-of", required=True, type=_date, metavar="YYYY-MM-DD", help="settle everything up to and including this day")
    p.add_argument("--json", action="store_true", help="print run_id and totals as JSON")
    p.set_defaults(func=cmd_run)


def _approve_arguments(p: argparse.ArgumentParser) -> None:
    add_db_argument(p)
    p.add_argument("run_id", metavar="RUN_ID")
    p.set_defaults(func=cmd_approve)


def _statement_arguments(p: argparse.ArgumentParser) -> None:
    from incentive_models.statement import FORMATS  # lazy (start-up time): pandas

    add_db_argument(p)
    p.add_argument("run_id", metavar="RUN_ID")
    p.add_argument("--provider", metavar="ID", default=None, help="only this provider (default: all providers of the run)")
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("--out", required=True, metavar="PATH")
    p.set_defaults(func=cmd_statement)


def _list_arguments(p: argparse.ArgumentParser) -> None:
    add_db_argument(p)
    p.set_defaults(func=cmd_list)


def _head(text: str) -> tuple[int, str]:
    number, _, digest = text.partition(":")
    if not number.isdigit() or len(digest) != 64:
        raise argparse.ArgumentTypeError(f"not a ledger head N:SHA256 (as printed by `settle approve`): {text[:80]!r}")
    return int(number), digest


def _verify_arguments(p: argparse.ArgumentParser) -> None:
    add_db_argument(p)
    p.add_argument(
        "--head", type=_head, metavar="N:HASH", default=None,
        help="a ledger head printed by `settle approve` and kept elsewhere: the ledger must still reach it unchanged",
    )
    p.set_defaults(func=cmd_verify)


def _settle_arguments(settle: argparse.ArgumentParser) -> None:
    sub = add_subcommands(settle, dest="settle_command", metavar="SUBCOMMAND", required=True)
    sub.add_parser(
        "run", help="compute and store a draft settlement run (replaces a draft of the same model and date)",
        arguments=_run_arguments,
    )
    sub.add_parser("approve", help="approve a draft run (final: it cannot change afterwards)", arguments=_approve_arguments)
    sub.add_parser("statement", help="write a provider statement (Danish) of a run", arguments=_statement_arguments)
    sub.add_parser("list", help="list settlement runs", arguments=_list_arguments)
    sub.add_parser(
        "verify", help="check the approval ledger: hash chain, and every approved run recomputed from its kept inputs",
        arguments=_verify_arguments,
    )


def register(subparsers) -> None:
    """Add `socialbench settle run|approve|statement|list|verify`."""
    subparsers.add_parser(
        "settle", help="provider incentive settlements: draft runs, approval, statements", arguments=_settle_arguments
    )
