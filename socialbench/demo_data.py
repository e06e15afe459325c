"""Work in progress: subcommands are added by the area's owner."""


def register(subparsers) -> None:
    """Add this area's subcommands to the `socialbench` CLI."""
