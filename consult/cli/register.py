"""`consult register …`: the register of every number issued — start it, list it, void a number."""

from __future__ import annotations

import click

from consult.cli.common import books_root, date_arg, echo_rows, format_option
from consult.clock import today


@click.group("register")
def register_group() -> None:
    """The register: every invoice, credit note and proposal number ever allocated (register.tsv).

    consult writes a line each time it issues a document and `consult check` verifies the
    register: each line's record and PDF unchanged, every issued record registered, the hash
    chain unbroken, every series gapless.
    """


@register_group.command("init")
@click.option("--void-gaps", metavar="REASON", help="Void numbers missing between issued ones, saying why.")
@click.pass_context
def init_cmd(ctx: click.Context, void_gaps: str | None) -> None:
    """Start the register of books that already have issued documents (once).

    \b
      consult register init
      consult register init --void-gaps "never used: numbering started at 3 by mistake"
    """
    from consult.invoices.registry import init_register

    got = init_register(books_root(ctx), today=today(), void_gaps=void_gaps)
    click.echo(f"wrote register.tsv: {got.invoices} invoices, {got.credit_notes} credit notes, "
               f"{got.proposals} proposals" + (f", {got.voids} voided numbers" if got.voids else ""))


@register_group.command("list")
@format_option
@click.pass_context
def list_cmd(ctx: click.Context, fmt: str) -> None:
    """Every line of the register, oldest first."""
    from consult.books import register
    from consult.errors import BooksError

    lines, problems = register.read(books_root(ctx))
    if problems:
        raise BooksError(problems, "the register has errors (consult check lists them)")
    rows = [{"seq": ln.seq, "number": ln.number, "kind": ln.kind, "date": ln.date, "client": ln.client,
             "currency": ln.currency, "total": ln.total, "note": ln.note or None} for ln in lines]
    echo_rows(rows, fmt, ["seq", "number", "kind", "date", "client", "currency", "total", "note"])


@register_group.command("void")
@click.argument("number")
@click.option("--reason", required=True, help="Why the number is abandoned: written in the register.")
@click.option("--date", "day", metavar="D", help="Date of the void (default: today).")
@click.pass_context
def void_cmd(ctx: click.Context, number: str, reason: str, day: str | None) -> None:
    """Abandon a number that no document will ever have, so its series stays gapless.

    An issued document is never voided: it is credited (consult invoice credit).

    \b
      consult register void INV-2026-0007 --reason "reserved for a client who withdrew"
    """
    from consult.invoices.registry import void_number

    void_number(books_root(ctx), number, reason=reason, day=date_arg(day, "--date") or today())
    click.echo(f"voided {number} in register.tsv")
