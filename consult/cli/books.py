"""`consult init`, `consult check`, `consult client …`, `consult engagement …`."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from consult.cli.common import (
    books_root,
    check_id,
    complete_clients,
    date_arg,
    echo_rows,
    format_option,
    load,
    output_path,
    split_ref,
)
from consult.clock import today
from consult.core.records import Books, Client, Engagement


@click.command("init")
@click.argument("folder", type=click.Path(file_okay=False), required=False)
@click.option("--name", default="Your Name", help="Your (or your company's) name for practice.yaml.")
def init_cmd(folder: str | None, name: str) -> None:
    """Make new books in FOLDER: a commented practice.yaml and one example client.

    FOLDER is required (`consult init .` for the folder you are in), and a folder that holds
    any part of books already is refused: init never overwrites anything."""
    from consult.books.init import create_books
    from consult.errors import UsageError

    if folder is None:
        raise UsageError("give the folder for the new books, e.g. `consult init ~/books` "
                         "(or `consult init .` to make them here)")

    for p in create_books(Path(folder), name, today()):
        click.echo(f"wrote {p}")
    click.echo(f"next: edit {Path(folder) / 'practice.yaml'}, then run `consult --books {folder} check`")


@click.command("check")
@click.pass_context
def check_cmd(ctx: click.Context) -> int:
    """Validate the whole books: every problem with file, line and field.

    Exits 1 when there is any error, 0 when there are none (warnings alone exit 0).
    """
    from consult.check import check_books

    root = books_root(ctx)
    result = check_books(root)
    for p in result.problems:
        click.echo(str(p))
    errors = len(result.errors)
    warnings = len(result.problems) - errors
    n_entries = len(result.books.entries) if result.books else 0
    n_clients = len(result.books.clients) if result.books else 0
    summary = (f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
               f"in {root} ({n_clients} clients, {n_entries} time entries)")
    if result.unchecked == ("practice.yaml",):
        summary += "; cross-checks (billing, unbilled time, invoices) wait until practice.yaml reads cleanly"
    elif result.unchecked:
        summary += (f"; cross-checks of {', '.join(result.unchecked)} (billing, unbilled time, invoices) wait "
                    "until its errors are fixed")
    click.echo(("ok: " if not errors else "") + summary)
    return 1 if errors else 0


def _client_row(c: Client, books: Books) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "kind": c.kind, "country": c.country, "currency": c.currency,
            "tax": c.tax if c.kind == "client" else "", "engagements": len(books.engagements_of(c.id))}


def _engagement_row(e: Engagement) -> dict[str, Any]:
    budget = ""
    if e.budget:
        parts = []
        if e.budget.days is not None:
            parts.append(f"{e.budget.days} days")
        if e.budget.hours is not None:
            parts.append(f"{e.budget.hours} h")
        if e.budget.amount is not None:
            parts.append(str(e.budget.amount))
        budget = ", ".join(parts)
    return {"engagement": e.key, "title": e.title, "billing": e.billing,
            "rate": e.rate, "currency": e.currency, "status": e.status,
            "start": e.start, "end": e.end, "po_number": e.po_number, "budget": budget}


@click.group("client")
def client_group() -> None:
    """List, show and add clients (one folder each under clients/)."""


@client_group.command("list")
@format_option
@click.pass_context
def client_list(ctx: click.Context, fmt: str) -> None:
    """Every client, with currency, VAT treatment and number of engagements."""
    books = load(ctx, timesheets=False)
    rows = [_client_row(c, books) for c in sorted(books.clients.values(), key=lambda c: c.id)]
    echo_rows(rows, fmt, locale=books.practice.locale)


@client_group.command("show")
@click.argument("client_id", metavar="CLIENT", shell_complete=complete_clients)
@format_option
@click.pass_context
def client_show(ctx: click.Context, client_id: str, fmt: str) -> None:
    """One client's record and engagements."""
    from consult.cli.output import to_json

    books = load(ctx, timesheets=False, clients=[check_id(client_id, "client")])
    c = books.client(client_id)
    record = {"id": c.id, "name": c.name, "kind": c.kind, "contact": c.contact, "email": c.email,
              "address": list(c.address), "country": c.country, "currency": c.currency,
              "locale": c.locale, "vat_number": c.vat_number, "tax": c.tax,
              "business_evidence": c.business_evidence,
              "payment_terms_days": c.payment_terms_days or books.practice.invoice.payment_terms_days}
    engs = [_engagement_row(e) for e in books.engagements_of(c.id)]
    if fmt == "json":
        click.echo(to_json({**record, "engagements": engs}))
        return
    if fmt == "csv":
        echo_rows([{"field": k, "value": "; ".join(v) if isinstance(v, list) else v}
                   for k, v in record.items()], "csv")
        return
    width = max(len(k) for k in record)
    for k, v in record.items():
        if v in (None, [], ""):
            continue
        if isinstance(v, list):
            v = "; ".join(v)
        click.echo(f"{k.ljust(width)}  {v}")
    click.echo("")
    echo_rows(engs, "table", ["engagement", "title", "billing", "rate", "status", "start", "end", "budget"],
              locale=c.locale)


@client_group.command("statement")
@click.argument("client_id", metavar="CLIENT", shell_complete=complete_clients)
@click.option("--as-of", metavar="D", help="The statement's date (default: today).")
@click.option("--from", "start", metavar="D", help="First day shown; what came before is brought forward.")
@format_option
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False), metavar="FILE", help="Also write it as a PDF.")
@click.pass_context
def client_statement(ctx: click.Context, client_id: str, as_of: str | None, start: str | None, fmt: str,
                     pdf: str | None) -> None:
    """CLIENT's statement of account: every invoice, credit note, payment, refund and write-off
    with a running balance, what is still open aged by days past due, and how to pay.

    \b
      consult client statement acme-analytics
      consult client statement hafen-logistik --from 2026-10-01 --pdf hafen.pdf
    """
    from consult.errors import BooksError
    from consult.invoices.statement import AGEING, statements
    from consult.invoices.store import load_invoices

    root = books_root(ctx)
    books = load(ctx, timesheets=False)
    day = date_arg(as_of, "--as-of") or today()
    target = output_path(root, pdf, "--pdf") if pdf else None
    invoices, problems = load_invoices(root)
    if problems:
        raise BooksError(problems, "some issued records cannot be read")
    got = statements(books, invoices, check_id(client_id, "CLIENT"), day, date_arg(start, "--from"))
    if fmt == "table":
        for s in got:
            loc = s.locale
            click.echo(f"Statement of account — {s.client.name} ({s.client.id}), {s.currency}, as of {s.as_of}")
            rows: list[dict[str, Any]] = [{"date": ln.date, "document": ln.ref, "details": ln.text,
                                           "charges": ln.charges, "credits": ln.credits, "balance": ln.balance}
                                          for ln in s.rows]
            echo_rows(rows, "table", locale=loc)
            owes = "owes" if s.closing.amount >= 0 else "is owed (credit on account)"
            click.echo(f"\n{s.client.name} {owes} {(s.closing if s.closing.amount >= 0 else -s.closing).format(loc)}")
            if s.open_items:
                click.echo("ageing (days past due): " + ", ".join(f"{b} {s.ageing[b].format(loc)}" for b in AGEING))
            if s.bank and s.owed:
                click.echo("pay to: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in s.bank.items()))
    else:
        rows = [{"currency": s.currency, "date": ln.date, "kind": ln.kind, "document": ln.ref, "details": ln.detail,
                 "charges": ln.charges, "credits": ln.credits, "balance": ln.balance} for s in got for ln in s.rows]
        echo_rows(rows, fmt)
    if target is not None:
        from consult.books.store import atomic_write
        from consult.render.letter import statement_pdf

        atomic_write(target, statement_pdf(got, root))
        click.echo(f"wrote {target}", err=True)


@client_group.command("add")
@click.argument("client_id", metavar="ID")
@click.option("--name", required=True, help="The client's legal name, as it goes on invoices.")
@click.option("--country", required=True, help="ISO 3166 two-letter code: GB, DE, US, IN…")
@click.option("--currency", help="ISO 4217 code (default: the country's currency).")
@click.option("--locale", help="How money is written for them (default: from the country, e.g. de_DE, en_IN).")
@click.option("--tax", type=click.Choice(["standard", "reverse_charge", "outside_scope", "zero", "exempt", "none"]),
              help="VAT treatment (default: standard in GB, reverse_charge in the EU, outside_scope elsewhere; "
                   "none if you are not VAT-registered).")
@click.option("--kind", type=click.Choice(["client", "platform", "employer"]), default="client", show_default=True)
@click.option("--contact", help="The person you deal with.")
@click.option("--email", help="Where invoices go.")
@click.option("--address", multiple=True, metavar="LINE", help="One address line; repeat for each line.")
@click.option("--vat-number", help="Their VAT number (checked; needed for reverse charge).")
@click.option("--terms", "terms", type=click.IntRange(0, 365), help="Payment terms in days (default: the practice's).")
@click.option("--business-evidence", help="Why they are a business, when outside the UK with no VAT number.")
@click.pass_context
def client_add(ctx: click.Context, client_id: str, name: str, country: str, currency: str | None,
               locale: str | None, tax: str | None, kind: str, contact: str | None, email: str | None,
               address: tuple[str, ...], vat_number: str | None, terms: int | None,
               business_evidence: str | None) -> None:
    """Add a client: writes clients/ID/client.yaml, checked as `consult check` would."""
    from consult.books.add import NewClient, add_client

    path = add_client(books_root(ctx), NewClient(
        id=client_id, name=name, country=country, currency=currency, locale=locale, tax=tax, kind=kind,
        contact=contact, email=email, address=address, vat_number=vat_number, payment_terms_days=terms,
        business_evidence=business_evidence))
    click.echo(f"wrote {path}")


@click.group("engagement")
def engagement_group() -> None:
    """List, show and add engagements (clients/CLIENT/engagements/ID.yaml)."""


@engagement_group.command("list")
@click.option("--client", "client_id", help="Only this client's engagements.")
@click.option("--status", type=click.Choice(["proposed", "active", "closed"]), help="Only this status.")
@format_option
@click.pass_context
def engagement_list(ctx: click.Context, client_id: str | None, status: str | None, fmt: str) -> None:
    """Every engagement: billing basis, rate, dates, PO number and budget."""
    books = load(ctx, timesheets=False, clients=[check_id(client_id, "client")] if client_id else None)
    if client_id:
        books.client(client_id)
    engs = [e for e in books.engagements.values()
            if (not client_id or e.client == client_id) and (not status or e.status == status)]
    rows = [_engagement_row(e) for e in sorted(engs, key=lambda e: e.key)]
    echo_rows(rows, fmt, locale=books.practice.locale)


@engagement_group.command("show")
@click.argument("ref", metavar="CLIENT/ID")
@format_option
@click.pass_context
def engagement_show(ctx: click.Context, ref: str, fmt: str) -> None:
    """One engagement in full, milestones included."""
    from consult.cli.output import to_json

    cid, eid = split_ref(ref)
    books = load(ctx, timesheets=False, clients=[cid])
    e = books.engagement(cid, eid)
    client = books.client(cid)
    record = _engagement_row(e)
    record.update({"hours_per_day": e.hours_per_day, "day_rounding": e.day_rounding,
                   "time_increment_minutes": e.time_increment_minutes, "overtime": e.overtime})
    ms = [{"name": m.name, "amount": m.amount, "due": m.due} for m in e.milestones]
    if fmt == "json":
        click.echo(to_json({**record, "milestones": ms}))
        return
    if fmt == "csv":
        echo_rows([{"field": k, "value": v} for k, v in record.items()], "csv")
        return
    width = max(len(k) for k in record)
    for k, v in record.items():
        if v in (None, ""):
            continue
        shown = v.format(client.locale) if hasattr(v, "format") and hasattr(v, "currency") else v
        click.echo(f"{k.ljust(width)}  {shown}")
    if ms:
        click.echo("")
        echo_rows(ms, "table", locale=client.locale)


def _decimal_opt(value: str | None, name: str) -> Decimal | None:
    from consult.core.money import parse_decimal
    from consult.errors import UsageError

    if value is None:
        return None
    try:
        return parse_decimal(value)
    except ValueError:
        raise UsageError(f"{name}: '{value}' is not a number — e.g. 650 or 87.50") from None


@engagement_group.command("add")
@click.argument("ref", metavar="CLIENT/ID")
@click.option("--title", required=True, help="What the work is.")
@click.option("--billing", type=click.Choice(["daily", "hourly", "fixed"]), required=True)
@click.option("--rate", help="Per day (daily) or per hour (hourly), in the client's currency.")
@click.option("--start", help="First day, YYYY-MM-DD.")
@click.option("--end", help="Last day, YYYY-MM-DD.")
@click.option("--day-rounding", type=click.Choice(["exact", "half", "whole"]),
              help="Daily billing: how each day's hours become days (default half).")
@click.option("--increment", "increment", type=click.IntRange(1, 60),
              help="Hourly billing: minutes each entry rounds up to (default 15).")
@click.option("--hours-per-day", help="Overrides the practice's working day.")
@click.option("--po", "po_number", help="The client's purchase order number.")
@click.option("--budget-days", help="Warn when the work passes this many days.")
@click.option("--status", type=click.Choice(["proposed", "active", "closed"]), default="active", show_default=True)
@click.pass_context
def engagement_add(ctx: click.Context, ref: str, title: str, billing: str, rate: str | None, start: str | None,
                   end: str | None, day_rounding: str | None, increment: int | None, hours_per_day: str | None,
                   po_number: str | None, budget_days: str | None, status: str) -> None:
    """Add an engagement: writes clients/CLIENT/engagements/ID.yaml, checked first, never overwriting."""
    from consult.books.add import NewEngagement, add_engagement
    from consult.cli.common import date_arg

    cid, eid = split_ref(ref)
    path = add_engagement(books_root(ctx), NewEngagement(
        client=cid, id=eid, title=title, billing=billing, rate=_decimal_opt(rate, "--rate"),
        start=date_arg(start, "--start"), end=date_arg(end, "--end"), day_rounding=day_rounding,
        time_increment_minutes=increment, hours_per_day=_decimal_opt(hours_per_day, "--hours-per-day"),
        po_number=po_number, budget_days=_decimal_opt(budget_days, "--budget-days"), status=status))
    click.echo(f"wrote {path}")
