"""The figures of the performance harness, their table, and perf/RESULTS.md.

A figure is one measurement set against its floor, measured in the same run on the same
machine: the ratio is what the targets speak of, so that the table means the same on a
faster or slower machine. A figure without a floor is a plain reading (peak memory,
a refresh) checked against an absolute target, or none.
"""
from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path


@dataclass
class Figure:
    area: str                     # settlement, load, refresh, charts, parity
    what: str                     # what was measured, in a few words
    engine: str                   # duckdb, postgresql, or "" when the engine does not matter
    value: float                  # seconds, or MB where unit says so
    unit: str = "s"
    floor: float | None = None    # the same-run floor, in the same unit
    floor_what: str = ""
    max_ratio: float | None = None   # target: value / floor at most this
    max_value: float | None = None   # target: value at most this (in unit)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.floor is None or self.floor <= 0:
            return None
        return self.value / self.floor

    @property
    def target(self) -> str:
        parts = []
        if self.max_ratio is not None:
            parts.append(f"≤ {self.max_ratio:g}×")
        if self.max_value is not None:
            parts.append(f"≤ {self.max_value:g} {self.unit}")
        return ", ".join(parts)

    @property
    def met(self) -> bool | None:
        """True or False against the target; None when there is no target."""
        checks = []
        if self.max_ratio is not None:
            checks.append(self.ratio is not None and self.ratio <= self.max_ratio)
        if self.max_value is not None:
            checks.append(self.value <= self.max_value)
        return all(checks) if checks else None


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # why a target is not met, what was left out

    def add(self, *figures: Figure) -> None:
        self.figures.extend(figures)


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "s":
        return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"
    return f"{value:,.0f} {unit}"


def rows(results: Results) -> list[list[str]]:
    out = []
    for f in results.figures:
        ratio = "" if f.ratio is None else f"{f.ratio:.2f}×"
        met = {True: "yes", False: "NO", None: ""}[f.met]
        floor = f"{_number(f.floor, f.unit)} ({f.floor_what})" if f.floor is not None else ""
        out.append([f.area, f.what, f.engine, _number(f.value, f.unit), floor, ratio, f.target, met, f.note])
    return out


HEADER = ["area", "what", "engine", "measured", "floor (same run)", "ratio", "target", "met", "note"]


def text_table(results: Results) -> str:
    table = [HEADER] + rows(results)
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|")


def markdown_table(results: Results) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(_escape(c) for c in r) + " |" for r in rows(results)]
    return "\n".join(lines)


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr).strip() else "unknown"


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import duckdb
    import sqlalchemy

    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores",
        "memory": memory,
        "system": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "postgresql": _first_line(["psql", "--version"]),
        "commit": _first_line(["git", "-C", str(Path(__file__).resolve().parents[1]), "rev-parse", "--short", "HEAD"]),
    }


def markdown(results: Results, command: str, started: datetime, seconds: float) -> str:
    info = machine()
    unmet = [f for f in results.figures if f.met is False]
    lines = [
        "# Performance results",
        "",
        "Written by `python -m perf` (`make perf`); do not edit by hand. Every ratio divides a",
        "figure by a floor measured in the same run on the same machine; the targets are those",
        "of issue 10. Nothing here is asserted by a test.",
        "",
        f"- run: `{command}`, started {started.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC, took {seconds / 60:.1f} min",
        f"- load average when written (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
        " (other work on the machine slows both sides of a ratio, not always alike)",
        *[f"- {key}: {value}" for key, value in info.items()],
        "",
        "Why a target is not met, with the profile behind it: [docs/performance.md](../docs/performance.md).",
        "",
        markdown_table(results),
        "",
        f"Targets met: {sum(f.met is True for f in results.figures)} of "
        f"{sum(f.met is not None for f in results.figures)}."
        + (" Not met: " + "; ".join(f"{f.area} {f.what} ({f.engine or 'any engine'})" for f in unmet) + "." if unmet else ""),
    ]
    if results.notes:
        lines += ["", "## Notes", "", *[f"- {note}" for note in results.notes]]
    return "\n".join(lines) + "\n"


def now() -> datetime:
    return datetime.now(timezone.utc)
