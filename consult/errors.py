"""Errors that carry where they came from, and the one place they become exit codes.

Bad data in the books is not an exception to be thrown at the first sight: it is a `Problem`
with a `Source` (file, line, column) and a field path, collected so that `consult check` can
report every one of them at once (the beancount habit). Exceptions are for stopping a command:
`ConsultError` and its subclasses carry the message a user reads and the exit code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from consult.core.record import record

EXIT_OK = 0
EXIT_BOOKS = 1  # the books (or the state of the world) have a problem the message explains
EXIT_USAGE = 2  # the command line itself was wrong

Severity = Literal["error", "warning"]


@record
class Source:
    """Where a value came from: a path relative to the books root, 1-based line and column."""

    path: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


@record
class Problem:
    """One thing wrong (or worth a warning) in the books."""

    source: Source
    field: str | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.source}: "
        what = f"{self.field}: " if self.field else ""
        tag = "warning: " if self.severity == "warning" else ""
        return one_line(f"{where}{tag}{what}{self.message}")


def one_line(text: str) -> str:
    """`text` with every character that is not printable (line breaks, a lone carriage return,
    escape sequences a terminal would act on) written as an escape: a problem that quotes what
    a file holds stays one line, and a file cannot move the user's cursor."""
    if text.isprintable():
        return text
    import unicodedata

    return "".join(repr(ch)[1:-1] if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)


class ConsultError(Exception):
    """A failure the user can act on; `str(err)` is the whole message."""

    exit_code = EXIT_BOOKS


class UsageError(ConsultError):
    """The command line asked for something impossible: bad argument, unknown id."""

    exit_code = EXIT_USAGE


class NotFound(UsageError):
    """A client, engagement, invoice or proposal named on the command line does not exist."""


class BooksError(ConsultError):
    """The books have errors; carries all of them so they can be printed together."""

    def __init__(self, problems: Sequence[Problem], headline: str | None = None):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        head = headline or f"the books have {len(errors)} error{'s' if len(errors) != 1 else ''}"
        super().__init__("\n".join([head + ":"] + [f"  {p}" for p in errors]))


class ConflictError(ConsultError):
    """What was asked would break a rule of the books: bill twice, rewrite an issued record."""


class CurrencyMismatch(ConsultError):
    """Two amounts in different currencies were about to be added or compared."""


# Things a command did that the user should hear about although nothing failed (a damaged
# cache rebuilt, an interrupted change finished). The CLI prints them on stderr, once each.
notices: list[str] = []


def notice(text: str) -> None:
    if text not in notices:
        notices.append(text)
