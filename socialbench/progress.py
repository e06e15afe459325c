"""A progress bar on a terminal; silence in logs and CI."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def enabled() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def track(items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
    """Yield the items, drawing `label [#####     ] 5/10` on stderr when it is a terminal."""
    if not enabled():
        yield from items
        return
    items = list(items) if total is None and not hasattr(items, "__len__") else items
    total = total if total is not None else len(items)  # type: ignore[arg-type]
    width = 30
    for done, item in enumerate(items, start=1):
        yield item
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r{label} [{'#' * filled}{' ' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()
    sys.stderr.write("\n")
