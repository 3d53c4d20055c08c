"""`consult init`, `consult check`, `consult client …`, `consult engagement …`."""

from __future__ import annotations

from pathlib import Path

import click

from ..model import Client, Engagement
from .common import books_root, check_id, echo_rows, format_option, load, split_ref


@click.command("init")
@click.argument("folder", type=click.Path(file_okay=False), default=".")
@click.option("--name", default="Your Name", help="Your (or your company's) name for practice.yaml.")
def init_cmd(folder: str, name: str) -> None:
    """Make new books in FOLDER: a commented practice.yaml and one example client."""
    from ..books_init import create_books

    for p in create_books(Path(folder), name):
        click.echo(f"wrote {p}")
    click.echo(f"next: edit {Path(folder) / 'practice.yaml'}, then run `consult --books {folder} check`")


@click.command("check")
@click.pass_context
def check_cmd(ctx: click.Context) -> int:
    """Validate the whole books: every problem with file, line and field.

    Exits 1 when there is any error, 0 when there are none (warnings alone exit 0).
    """
    from ..checks import check_books

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
    click.echo(("ok: " if not errors else "") + summary)
    return 1 if errors else 0


def _client_row(c: Client, books) -> dict:
    return {"id": c.id, "name": c.name, "kind": c.kind, "country": c.country, "currency": c.currency,
            "tax": c.tax if c.kind == "client" else "", "engagements": len(books.engagements_of(c.id))}


def _engagement_row(e: Engagement) -> dict:
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
    """List and show clients (one folder each under clients/)."""


@client_group.command("list")
@format_option
@click.pass_context
def client_list(ctx: click.Context, fmt: str) -> None:
    """Every client, with currency, VAT treatment and number of engagements."""
    books = load(ctx, timesheets=False)
    rows = [_client_row(c, books) for c in sorted(books.clients.values(), key=lambda c: c.id)]
    echo_rows(rows, fmt, locale=books.practice.locale)


@client_group.command("show")
@click.argument("client_id", metavar="CLIENT")
@format_option
@click.pass_context
def client_show(ctx: click.Context, client_id: str, fmt: str) -> None:
    """One client's record and engagements."""
    from ..output import to_json

    books = load(ctx, timesheets=False)
    c = books.client(check_id(client_id, "client"))
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


@click.group("engagement")
def engagement_group() -> None:
    """List and show engagements (clients/CLIENT/engagements/ID.yaml)."""


@engagement_group.command("list")
@click.option("--client", "client_id", help="Only this client's engagements.")
@click.option("--status", type=click.Choice(["proposed", "active", "closed"]), help="Only this status.")
@format_option
@click.pass_context
def engagement_list(ctx: click.Context, client_id: str | None, status: str | None, fmt: str) -> None:
    """Every engagement: billing basis, rate, dates, PO number and budget."""
    books = load(ctx, timesheets=False)
    if client_id:
        books.client(check_id(client_id, "client"))
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
    from ..output import to_json

    books = load(ctx, timesheets=False)
    cid, eid = split_ref(ref)
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
