"""`socialbench superset ...`: publish the dashboards, export the bundle, run the demo."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from socialbench.cli_args import add_db_argument, add_subcommands
from socialbench.errors import SocialbenchError

PASSWORD_ENV_VAR = "SUPERSET_PASSWORD"


def _warehouse_uri(args: argparse.Namespace) -> str:
    from socialbench import warehouse  # lazy (start-up time): pandas

    return args.warehouse_uri or warehouse.resolve_url(args.db)


def cmd_publish(args: argparse.Namespace) -> int:
    from superset_plugins.client import SupersetClient  # lazy (start-up time): requests
    from superset_plugins.publish import publish  # lazy (start-up time): pandas

    password = args.password if args.password is not None else os.environ.get(PASSWORD_ENV_VAR)
    if password is None:
        raise SocialbenchError(f"give the Superset password with --password or ${PASSWORD_ENV_VAR}")
    client = SupersetClient(args.url, args.username, password)
    summary = publish(client, _warehouse_uri(args), args.database_name, elsewhere_allowed=args.warehouse_uri is not None)
    for line in summary.lines():
        print(line)
    return 0


def cmd_export_bundle(args: argparse.Namespace) -> int:
    from superset_plugins import bundle  # lazy (start-up time): pandas
    from superset_plugins.publish import is_synthetic, superset_uri

    if (args.path is None) == (args.directory is None):
        raise SocialbenchError("give either a ZIP file PATH or --directory DIR to export-bundle")
    uri = superset_uri(_warehouse_uri(args))
    files = bundle.with_type(bundle.bundle_files(uri, args.database_name, synthetic=is_synthetic(uri)), args.type)
    if args.directory is not None:
        try:
            written = bundle.write_directory(files, args.directory)
        except bundle.DirectoryNotEmpty as exc:
            raise SocialbenchError(str(exc)) from exc
        print(
            f"wrote {len(written)} files into {args.directory}: import them with preset-cli, e.g. "
            f"`superset-cli --username USER --password PASSWORD https://superset.example.dk/ sync native "
            f"--overwrite --disable-jinja-templating {args.directory}`"
        )
        return 0
    data = bundle.zip_bundle(files)
    Path(args.path).write_bytes(data)
    if args.type == "dashboard":
        print(
            f"wrote {args.path} ({len(data):,} bytes): import it in Superset under Dashboards > Import dashboards "
            f"(the import icon above the list of dashboards), or on the server with "
            f"`superset import-dashboards -p {args.path} -u USER`"
        )
    else:
        print(
            f"wrote {args.path} ({len(data):,} bytes), an assets bundle for POST /api/v1/assets/import/ "
            "(what `socialbench superset publish` does); for Superset's Dashboards > Import dashboards "
            "or `superset import-dashboards`, export with --type dashboard"
        )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from superset_plugins.demo import run_demo  # lazy (start-up time): Superset's server

    run_demo(Path(args.home), port=args.port, seed=args.seed, host=args.host)
    return 0


def _warehouse_options(p: argparse.ArgumentParser) -> None:
    from superset_plugins.publish import DEFAULT_DATABASE_NAME  # lazy (start-up time): pandas

    add_db_argument(p)
    p.add_argument(
        "--warehouse-uri",
        metavar="URI",
        default=None,
        help="the warehouse URL as Superset should connect to it (default: --db; a DuckDB path is made absolute)",
    )
    p.add_argument(
        "--database-name",
        metavar="NAME",
        default=DEFAULT_DATABASE_NAME,
        help=f"name of the database connection in Superset (default: {DEFAULT_DATABASE_NAME}); reused if it exists",
    )


def _publish_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", required=True, help="Superset's address, e.g. http://localhost:8088")
    p.add_argument("--username", required=True)
    p.add_argument("--password", default=None, help=f"the user's password (default: ${PASSWORD_ENV_VAR})")
    _warehouse_options(p)
    p.set_defaults(func=cmd_publish)


def _export_bundle_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", metavar="PATH", nargs="?", default=None, help="the ZIP file to write")
    p.add_argument(
        "--directory",
        metavar="DIR",
        default=None,
        help="write the files into DIR instead of a ZIP, with databases/, datasets/, charts/ and dashboards/ "
        "at its top (for preset-cli's `sync native DIR`)",
    )
    p.add_argument(
        "--type",
        choices=["assets", "dashboard"],
        default="assets",
        help="assets (default): for POST /api/v1/assets/import/; dashboard: for Superset's "
        "Dashboards > Import dashboards, POST /api/v1/dashboard/import/ and `superset import-dashboards`",
    )
    _warehouse_options(p)
    p.set_defaults(func=cmd_export_bundle)


def _demo_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--home", required=True, metavar="DIR", help="folder for the warehouse, Superset's metadata and state")
    p.add_argument("--port", type=int, default=8088)
    p.add_argument("--host", default="127.0.0.1", help="interface to serve on (0.0.0.0 to serve other machines)")
    p.add_argument("--seed", type=int, default=2026, help="seed of the synthetic demo data (first run only)")
    p.set_defaults(func=cmd_demo)


def _superset_arguments(superset: argparse.ArgumentParser) -> None:
    sub = add_subcommands(superset, dest="superset_command", metavar="COMMAND", required=True)
    sub.add_parser(
        "publish", help="create or update the datasets, charts and dashboards in a running Superset",
        arguments=_publish_arguments,
    )
    sub.add_parser(
        "export-bundle", help="write the Superset import bundle (a ZIP, or a directory for preset-cli)",
        arguments=_export_bundle_arguments,
    )
    sub.add_parser(
        "demo", help="a demo warehouse and a local Superset with the dashboards (used by make demo)",
        arguments=_demo_arguments,
    )


def register(subparsers) -> None:
    """Add `socialbench superset publish|export-bundle|demo`."""
    subparsers.add_parser(
        "superset", help="publish the dashboards into Superset, or run a demo Superset", arguments=_superset_arguments
    )
