"""One exception hierarchy for the whole suite; the CLI turns each into one clear line."""
from __future__ import annotations

from dataclasses import dataclass

MAX_REPORTED_PROBLEMS = 50


class SocialbenchError(Exception):
    """Base of every error a user can act on."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what is wrong."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class InputError(SocialbenchError):
    """Bad input: carries every problem found (file, line, column, message)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        shown = [str(p) for p in self.problems[:MAX_REPORTED_PROBLEMS]]
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            shown.append(f"... and {hidden} more problems")
        super().__init__("\n".join(shown))


class RuleError(SocialbenchError):
    """A settlement rule cannot be applied (e.g. a missing rate)."""
