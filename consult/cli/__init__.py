"""The `consult` command: a thin skin over the library.

Each command parses its arguments, makes one library call and prints. Command groups are
imported only when used (`LazyGroup`), so `consult --help`, `consult check` and `consult rate`
never pay for pandas or ReportLab. `main()` is the one place errors become messages and exit
codes: 0 ok, 1 a problem in the books (explained), 2 bad usage. No traceback reaches a user
unless they ask with `--debug` (or CONSULT_DEBUG=1).
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
from typing import Any

import click

from consult import __version__
from consult.errors import ConsultError

# name -> "module:attribute". A group's module is imported the first time it is used.
COMMANDS: dict[str, str] = {
    "init": "consult.cli.books:init_cmd",
    "check": "consult.cli.books:check_cmd",
    "client": "consult.cli.books:client_group",
    "engagement": "consult.cli.books:engagement_group",
    "rate": "consult.cli.rate:rate_group",
    "time": "consult.cli.time:time_group",
    "invoice": "consult.cli.invoice:invoice_group",
    "quote": "consult.cli.proposal:quote_cmd",
    "proposal": "consult.cli.proposal:proposal_group",
    "earnings": "consult.cli.earnings:earnings_group",
    "register": "consult.cli.register:register_group",
    "expense": "consult.cli.expense:expense_group",
    "mileage": "consult.cli.expense:mileage_group",
    "vat": "consult.cli.vat:vat_group",
    "tax": "consult.cli.tax:tax_group",
}


class LazyGroup(click.Group):
    """A group whose subcommands live in modules imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        mod, attr = target.split(":")
        cmd = getattr(importlib.import_module(mod), attr)
        assert isinstance(cmd, click.Command)
        return cmd


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--books", "books", type=click.Path(file_okay=False), metavar="DIR",
              help="The books folder (default: $CONSULT_BOOKS, else the nearest folder upward with practice.yaml).")
@click.option("--debug", is_flag=True, help="Show the Python traceback of an unexpected error.")
@click.option("--raw-csv", is_flag=True, envvar="CONSULT_RAW_CSV",
              help="CSV for a program, not a spreadsheet: text cells starting =, +, -, @ are written as they are "
                   "(by default they get a ' in front so Excel cannot run them as formulas).")
@click.version_option(__version__, prog_name="consult")
@click.pass_context
def cli(ctx: click.Context, books: str | None, debug: bool, raw_csv: bool) -> None:
    """The money side of a consulting practice, from plain YAML and CSV files.

    \b
    Start:   consult check              validate the books (all problems, file:line)
             consult client list        who you bill
             consult time report        what you worked
             consult invoice create C   a month of work to a PDF invoice
             consult earnings 2026      how the year went
    """
    ctx.obj = {"books": books, "debug": debug, "raw_csv": raw_csv}


GC_THRESHOLD = (50_000, 20, 20)  # Python's default is (700, 10, 10)


def main(argv: list[str] | None = None) -> None:
    """The `consult` command. A command is a short process that allocates most of its objects
    while importing and reading the books, and keeps them to the end: Python's cycle collector,
    run every 700 allocations, scanned them hundreds of times an invoice for nothing. Run every
    50,000 here, which still bounds the cyclic garbage a long report can hold, it takes 2.3% fewer
    instructions of `consult invoice create` (valgrind, 30 November 2026; switched off, 4%)."""
    import gc

    gc.set_threshold(*GC_THRESHOLD)
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args or os.environ.get("CONSULT_DEBUG") == "1"
    code = run(args, debug)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_to_devnull()
    sys.exit(code)


def _stdout_to_devnull() -> None:
    """After a closed pipe, point stdout at /dev/null so the flush at exit cannot fail again
    (the recipe in Python's signal docs, "Note on SIGPIPE")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass


def run(args: list[str], debug: bool = False) -> int:
    """Run the CLI and turn every outcome into an exit code, printing errors as one message."""
    from consult import errors

    errors.notices.clear()
    try:
        return _run(args, debug)
    finally:
        _print_notices()


def _print_notices() -> None:
    """What consult did that the user should know (a cache rebuilt, an interrupted change
    finished: consult.errors.notices), one line each on stderr."""
    from consult import errors

    for text in errors.notices:
        click.echo(f"note: {text}", err=True)
    errors.notices.clear()


def global_options_first(args: list[str]) -> list[str]:
    """`consult invoice list --books DIR` works like `consult --books DIR invoice list`: the
    options of `consult` itself (`--books`, `--debug`) are moved to the front wherever they are
    typed (up to a `--`)."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest += args[i:]
            break
        if a == "--books" and i + 1 < len(args):
            front += args[i:i + 2]
            i += 2
            continue
        if a.startswith("--books=") or a == "--debug":
            front.append(a)
        else:
            rest.append(a)
        i += 1
    return front + rest


def _run(args: list[str], debug: bool) -> int:
    args = global_options_first(args)
    try:
        rv: Any = cli.main(args=args, prog_name="consult", standalone_mode=False)
        return rv if isinstance(rv, int) else 0
    except ConsultError as e:
        click.echo(f"error: {e}", err=True)
        return e.exit_code
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.ClickException as e:
        e.show()
        return 2 if isinstance(e, click.UsageError) else e.exit_code
    except click.Abort:
        click.echo("aborted", err=True)
        return 1
    except KeyboardInterrupt:
        click.echo("interrupted; nothing was half-written", err=True)
        return 130
    except BrokenPipeError:  # the reader (`| head`) has what it wanted: not a failure
        _stdout_to_devnull()
        return 0
    except SystemExit as e:
        # click answers a closed pipe (EPIPE) with exit 1; `consult … | head` is not a failure,
        # so that one case exits 0 like the BrokenPipeError above. Recognised by the error click
        # was handling, not by the name of its private stdout wrapper (renamed in click 8.5).
        cause = e.__context__
        if isinstance(cause, OSError) and cause.errno == errno.EPIPE:
            _stdout_to_devnull()
            return 0
        raise
    except Exception as e:  # the promise: no traceback for a user, ever
        if debug:
            raise
        click.echo(f"error: unexpected {type(e).__name__}: {e}\n"
                   "This is a bug in consult; run again with --debug for the traceback and report it.",
                   err=True)
        return 1
