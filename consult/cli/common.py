"""What every command shares: finding the books, `--format`, today's date, ids on the line."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import click

from consult.books.fields import id_problem
from consult.cli.output import FORMATS, render
from consult.clock import today
from consult.core.money import parse_decimal
from consult.errors import UsageError

if TYPE_CHECKING:
    from consult.core.records import Books

format_option = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                             show_default=True, help="Output as an aligned table, CSV or JSON.")


def books_root(ctx: click.Context) -> Path:
    """The books folder for this command. A change a killed command left half done
    (consult.books.journal) is finished first, under the lock, so every command — reading or
    writing — sees the books whole."""
    from consult.books.files import find_books
    from consult.books.journal import JOURNAL

    root = find_books((ctx.find_root().obj or {}).get("books"))
    if (root / JOURNAL).exists():
        from consult.books.lock import books_lock

        with books_lock(root):
            pass  # taking the lock rolls the journal forward
    return root


def load(ctx: click.Context, *, timesheets: bool = True, clients: Iterable[str] | None = None,
         timesheet_errors: bool = True) -> Books:
    """The books for a command that acts on them. A command over the whole books refuses while
    any error remains; one on some clients (`clients`) refuses on the practice's errors and
    theirs, never another client's (consult.books.loader.open_books)."""
    from consult.books.loader import open_books

    return open_books(books_root(ctx), timesheets=timesheets, clients=clients, timesheet_errors=timesheet_errors)


def client_scope(client: str | None, engagement: str | None = None) -> tuple[str, ...] | None:
    """The clients a report narrowed by `--client`/`--engagement CLIENT/ID` touches (None: all)."""
    if client:
        return (client,)
    if engagement and "/" in engagement:
        return (engagement.split("/", 1)[0],)
    return None


def date_arg(value: str | None, name: str) -> date | None:
    """A day typed on the command line: YYYY-MM-DD, today, yesterday or a weekday name."""
    if value is None:
        return None
    from consult.core.periods import parse_day

    return parse_day(value, today(), name)


def money_day(value: str | None, name: str, what: str, done: str) -> date:
    """The day money moved, typed on the command line (default today): after today it is
    written with a warning, more than a year after today it is refused (exit 2, nothing
    written) — the rule `consult check` applies to the books (consult.core.periods.future_date)."""
    from consult.core.periods import future_date
    from consult.errors import notice

    now = today()
    day = date_arg(value, name) or now
    found = future_date(day, now, what, done)
    if found is not None:
        severity, why = found
        if severity == "error":
            raise UsageError(f"{name}: {why}")
        notice(f"{name}: {why}")
    return day


@overload
def decimal_arg(value: str, name: str) -> Decimal: ...


@overload
def decimal_arg(value: str | None, name: str) -> Decimal | None: ...


def decimal_arg(value: str | None, name: str) -> Decimal | None:
    """A number typed on the command line, read from its text (`650`, `1,000.00`); a usage
    error naming the option otherwise."""
    if value is None:
        return None
    try:
        return parse_decimal(value)
    except ValueError as e:
        raise UsageError(f"{name}: {e}") from None


def output_path(root: Path, value: str, option: str) -> Path:
    """Where an output option (`--preview`, `-o`, `--pdf`) may write: anywhere but over a file
    inside the books — above all an issued document — which is refused, naming it."""
    import os

    target = Path(value).expanduser()
    real = Path(os.path.realpath(target))
    base = Path(os.path.realpath(root))
    if real == base or base in real.parents:
        rel = real.relative_to(base).as_posix() if real != base else "."
        from consult.books.files import BOOKS_FILES, BOOKS_FOLDERS

        if real.exists() or rel.split("/")[0] in BOOKS_FOLDERS or rel in BOOKS_FILES or rel.startswith("."):
            raise UsageError(f"{option}: {rel} is part of the books; write the output somewhere else "
                             "(consult never writes an output over the books)")
    if target.is_dir():
        raise UsageError(f"{option}: {value} is a folder; give a file name")
    return target


def check_id(value: str, what: str) -> str:
    if why := id_problem(value):
        raise UsageError(f"{what}: {why}")
    return value


def split_ref(ref: str, what: str = "CLIENT/ENGAGEMENT") -> tuple[str, str]:
    """`acme/churn-model` -> ("acme", "churn-model"), both checked as ids."""
    parts = ref.split("/")
    if len(parts) != 2 or not all(parts):
        raise UsageError(f"'{ref}' is not {what} — e.g. acme-analytics/churn-model")
    return check_id(parts[0], "client"), check_id(parts[1], "id")


def echo_rows(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None,
              locale: str = "en_GB", headers: dict[str, str] | None = None) -> None:
    click.echo(render(rows, fmt, columns, locale, headers))


def lazy_choice(values: Callable[[], Sequence[str]]) -> Any:  # pragma: no cover - helper
    return click.Choice(list(values()))


class GroupWithLazy(click.Group):
    """A click group some of whose commands live in their own modules, imported only when
    that command runs (so `time log` never loads the importers). `LAZY`: name -> "module:attr"."""

    LAZY: dict[str, str] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY:
            from importlib import import_module

            mod, attr = self.LAZY[name].split(":")
            cmd = getattr(import_module(mod), attr)
            assert isinstance(cmd, click.Command)
            return cmd
        return super().get_command(ctx, name)


# --------------------------------------------------------------------------------------------
# shell completion (README, "Shell completion"): ids and numbers from the books' folder names,
# never by loading the books, so a TAB answers at once
# --------------------------------------------------------------------------------------------
def _completion_root(ctx: click.Context) -> Path | None:
    from consult.books.files import find_books

    try:
        return find_books((ctx.find_root().params or {}).get("books") or (ctx.find_root().obj or {}).get("books"))
    except Exception:
        return None


def complete_clients(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Client ids (folder names under clients/) starting with what is typed."""
    from click.shell_completion import CompletionItem

    root = _completion_root(ctx)
    if root is None or not (root / "clients").is_dir():
        return []
    return [CompletionItem(d.name) for d in sorted((root / "clients").iterdir())
            if d.is_dir() and d.name.startswith(incomplete) and not d.name.startswith(".")]


def complete_engagements(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """CLIENT, then CLIENT/ENGAGEMENT from the engagement files."""
    from click.shell_completion import CompletionItem

    root = _completion_root(ctx)
    if root is None:
        return []
    if "/" not in incomplete:
        return [CompletionItem(c.value + "/") for c in complete_clients(ctx, param, incomplete)] + \
            complete_clients(ctx, param, incomplete)
    client, _, rest = incomplete.partition("/")
    folder = root / "clients" / client / "engagements"
    if not folder.is_dir():
        return []
    return [CompletionItem(f"{client}/{p.stem}") for p in sorted(folder.glob("*.yaml")) if p.stem.startswith(rest)]


def complete_numbers(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Issued invoice and credit note numbers (the record file names), any case."""
    from click.shell_completion import CompletionItem

    root = _completion_root(ctx)
    if root is None:
        return []
    return [CompletionItem(stem) for stem in sorted(p.stem for p in root.glob("clients/*/invoices/*.yaml"))
            if stem.lower().startswith(incomplete.lower())]
