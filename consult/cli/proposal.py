"""`consult quote` and `consult proposal …`: day-rate proposals to PDF, and accepting one.

Each command parses, makes one call into `consult.proposals.proposal`, and prints. ReportLab is
imported only when a PDF is actually made (`_renderer`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from consult.cli.common import (
    books_root,
    check_id,
    client_scope,
    date_arg,
    decimal_arg,
    echo_rows,
    format_option,
    load,
    output_path,
    split_ref,
)
from consult.clock import today
from consult.core.money import Money
from consult.errors import ConsultError


def _renderer(root: Path, *, draft: bool = False) -> Any:
    """The PDF renderer, imported only when a PDF is made."""
    try:
        from consult.render.proposal import proposal_pdf
    except ModuleNotFoundError as e:  # pragma: no cover - a build without the renderer
        if e.name and e.name.startswith("consult.render"):
            raise ConsultError("the PDF renderer (consult.render.proposal) is not installed in this "
                               "version of consult") from None
        raise

    def render(doc: Any) -> bytes:
        return proposal_pdf(doc, root, draft=draft)

    return render


def _rel(path: Path | None, root: Path) -> str:
    if path is None:
        return "(no file)"
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _fmt(m: Money, locale: str) -> str:
    return m.format(locale)


def _summary(issued: Any) -> str:
    doc = issued.document
    p, f, loc = doc.proposal, doc.fees, doc.locale
    vat = f"VAT {_fmt(f.vat, loc)}" if f.vat_rate is not None else "no VAT"
    extra = f"  (+ optional {_fmt(f.optional_net, loc)})" if f.optional_days else ""
    return (f"{p.number}  {p.key}  {f.days.normalize():f} days  net {_fmt(f.net, loc)}  {vat}  "
            f"total {_fmt(f.total, loc)}  valid until {p.valid_until}{extra}")


@click.command("quote")
@click.argument("client")
@click.option("--days", required=True, metavar="N", help="Working days quoted, e.g. 20 or 12.5.")
@click.option("--rate", required=True, metavar="AMOUNT", help="Day rate in the client's currency, e.g. 650.")
@click.option("--title", required=True, metavar="TEXT", help="What the work is, as the client would say it.")
@click.option("--start", metavar="DATE", help="First day of work (YYYY-MM-DD).")
@click.option("--valid-days", type=int, default=30, show_default=True, help="Days the quote can be accepted in.")
@click.option("--date", "day", metavar="DATE", help="Date of the quote (default: today).")
@click.option("--id", "pid", metavar="ID", help="File name under proposals/ (default: from the title).")
@click.option("--summary", metavar="TEXT", help="A sentence or two about the work, printed under the title.")
@click.pass_context
def quote_cmd(ctx: click.Context, client: str, days: str, rate: str, title: str, start: str | None,
              valid_days: int, day: str | None, pid: str | None, summary: str | None) -> None:
    """A one-page day-rate quote: writes proposals/ID.yaml and .pdf with its number.

    \b
    consult quote acme-analytics --days 20 --rate 650 --title "Churn model review"
    """
    from consult.proposals.proposal import quote

    check_id(client, "client")
    books = load(ctx, timesheets=False, clients=[client])
    issued = quote(books, client, title=title.strip(), days=decimal_arg(days, "--days"),
                   rate=decimal_arg(rate, "--rate"), day=date_arg(day, "--date") or today(),
                   start=date_arg(start, "--start"), valid_days=valid_days, pid=pid, summary=summary,
                   render=_renderer(books.root))
    click.echo(_summary(issued))
    click.echo(f"wrote {_rel(issued.record, books.root)} and {_rel(issued.pdf, books.root)}")


@click.group("proposal")
def proposal_group() -> None:
    """Proposals: a commented template to fill in, the PDF, the list, accepting one."""


@proposal_group.command("new")
@click.argument("client")
@click.argument("proposal_id", metavar="ID")
@click.option("--title", metavar="TEXT", help="The title (default: from the id).")
@click.option("--rate", metavar="AMOUNT", help="Day rate (default: the client's latest daily engagement rate).")
@click.pass_context
def new_cmd(ctx: click.Context, client: str, proposal_id: str, title: str | None, rate: str | None) -> None:
    """Write clients/CLIENT/proposals/ID.yaml, a commented proposal to fill in by hand."""
    from consult.proposals.proposal import new_proposal

    check_id(client, "client")
    check_id(proposal_id, "proposal id")
    books = load(ctx, timesheets=False, clients=[client])
    path = new_proposal(books, client, proposal_id, title=title, rate=decimal_arg(rate, "--rate"))
    click.echo(f"wrote {_rel(path, books.root)}; fill it in, then `consult proposal render {client}/{proposal_id}`")


@proposal_group.command("render")
@click.argument("ref", metavar="CLIENT/ID")
@click.option("--preview", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write a DRAFT PDF to FILE; allocate no number and change nothing in the books.")
@click.pass_context
def render_cmd(ctx: click.Context, ref: str, preview: str | None) -> None:
    """Make the PDF (proposals/ID.pdf); the first time, give the proposal its number."""
    from consult.proposals.proposal import issue_proposal

    client, pid = split_ref(ref, "CLIENT/ID")
    books = load(ctx, timesheets=False, clients=[client])
    if preview is not None:
        from consult.books.store import atomic_write
        from consult.proposals.proposal import preview as preview_doc

        target = output_path(books.root, preview, "--preview")
        doc = preview_doc(books, client, pid, today=today())
        atomic_write(target, _renderer(books.root, draft=doc.proposal.number is None)(doc))
        click.echo(f"preview written to {preview}" + ("" if doc.proposal.number else " (draft: no number allocated)"))
        return
    issued = issue_proposal(books, client, pid, today=today(), render=_renderer(books.root))
    click.echo(_summary(issued) + ("  (number allocated now)" if issued.numbered else ""))
    click.echo(f"wrote {_rel(issued.pdf, books.root)}")


@proposal_group.command("list")
@click.option("--status", type=click.Choice(["draft", "sent", "expired", "accepted"]),
              help="Only proposals with this status.")
@click.option("--client", metavar="CLIENT", help="Only this client's proposals.")
@format_option
@click.pass_context
def list_cmd(ctx: click.Context, status: str | None, client: str | None, fmt: str) -> None:
    """Every proposal with its figures and status (draft, sent, expired, accepted)."""
    from consult.errors import BooksError
    from consult.proposals.proposal import list_rows

    books = load(ctx, timesheets=False, clients=client_scope(client))
    rows, problems = list_rows(books, today(), status=status, client=client)
    if [p for p in problems if p.severity == "error"]:
        raise BooksError(problems, "some proposals have errors; fix them first (`consult check` lists them)")
    echo_rows(rows, fmt, locale=books.practice.locale)


@proposal_group.command("accept")
@click.argument("ref", metavar="CLIENT/ID")
@click.option("--include", "include", multiple=True, metavar="PHASE",
              help="Also take this optional phase (repeat for more).")
@click.option("--force", is_flag=True, help="Accept an expired (or never sent) proposal anyway.")
@click.pass_context
def accept_cmd(ctx: click.Context, ref: str, include: tuple[str, ...], force: bool) -> None:
    """Turn the proposal into engagements/ID.yaml (daily, quoted rate, budget = quoted days)."""
    from consult.proposals.proposal import accept

    client, pid = split_ref(ref, "CLIENT/ID")
    books = load(ctx, timesheets=False, clients=[client])
    done = accept(books, client, pid, today=today(), force=force, include=include)
    p = done.proposal
    names = ", ".join(x.name for x in done.phases)
    click.echo(f"accepted {p.number or p.key}: wrote {_rel(done.engagement, books_root(ctx))} — daily at "
               f"{_fmt(p.rate, books.client(client).locale)}, budget {done.days.normalize():f} days "
               f"({_fmt(done.net, books.client(client).locale)} net; {names})")
