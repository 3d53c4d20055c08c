"""`consult invoice …`: create, list, show, render, export, pay, refund, writeoff, credit, overdue,
remind. Each command parses, makes one library call and prints."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from consult.cli.common import (
    GroupWithLazy,
    books_root,
    check_id,
    complete_clients,
    complete_numbers,
    date_arg,
    decimal_arg,
    echo_rows,
    format_option,
    load,
    money_day,
    output_path,
)
from consult.clock import today
from consult.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from consult.core.money import Money
    from consult.core.records import Books, Practice
    from consult.invoices.accounts import Account
    from consult.invoices.record import Invoice


class _InvoiceGroup(GroupWithLazy):
    LAZY = {"export": "consult.cli.einvoice:export_cmd"}


@click.group("invoice", cls=_InvoiceGroup)
def invoice_group() -> None:
    """Invoices and credit notes: from a period of work to a PDF; payments; what is overdue."""




def _renderer(root: Path, *, draft: bool = False, facturx: bool = False) -> Callable[[Invoice], bytes]:
    """The PDF renderer (and the Factur-X step where the client or `--facturx` asks for it).
    Issued documents are drawn `invariant`, so the same record always gives the same bytes and
    a lost PDF can be restored exactly (`invoice render`). Whether the client wants Factur-X is
    read from its client.yaml alone (the XML itself comes from the record): reading the whole
    books again for that one field cost `invoice create` about 0.05 s."""

    def render(inv: Invoice) -> bytes:
        from consult.render.invoice import invoice_pdf  # ReportLab: only when a PDF is drawn (not --dry-run)

        pdf = invoice_pdf(inv, root, draft=draft, invariant=not draft)
        if not draft:
            from consult.books.loader import read_client

            client = read_client(root, inv.client, None, [])
            if facturx or (client is not None and client.sends_facturx):
                from consult.einvoice import facturx_pdf

                pdf = facturx_pdf(pdf, inv)
        return pdf

    return render


def _fmt(m: Money, locale: str) -> str:
    return m.format(locale)


def _line(ln: Any, loc: str) -> str:
    """`Churn model: 18.5 days × £650.00 = £12,025.00` — the line as the terminal shows it."""
    unit = ln.unit if ln.quantity == 1 or ln.unit.endswith("s") else f"{ln.unit}s"
    return f"{ln.description}: {ln.quantity.normalize():f} {unit} × {_fmt(ln.unit_price, loc)} = {_fmt(ln.net, loc)}"


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _summary(inv: Any) -> str:
    loc = inv.locale
    vat = "no VAT (" + inv.tax_treatment.replace("_", " ") + ")" if inv.tax_treatment != "standard" \
        else f"VAT {_fmt(inv.vat, loc)}"
    return (f"net {_fmt(inv.net, loc)}  {vat}  total {_fmt(inv.total, loc)}  "
            f"due {inv.due_date.isoformat()}")


def _practice(ctx: click.Context, root: Path, client: str) -> Practice:
    """The practice's settings, to read the period before the lock is taken (create_invoice
    reads the books under it); the whole books only when practice.yaml has an error, to refuse
    with every error listed."""
    from consult.books.loader import read_practice
    from consult.errors import Problem

    problems: list[Problem] = []
    practice = read_practice(root, problems)
    if practice is None or any(p.severity == "error" for p in problems):
        return load(ctx, timesheets=False, clients=[client]).practice
    return practice


@invoice_group.command("create")
@click.argument("client", shell_complete=complete_clients)
@click.option("--period", required=True, metavar="PERIOD",
              help="The work to bill: 2026-10, 2026-Q3, last-month, 2026-10-01..2026-10-15 (any period form).")
@click.option("--engagement", metavar="E", help="Bill one engagement only (default: all of the client's).")
@click.option("--date", "issued", metavar="D", help="Issue date (default: today).")
@click.option("--dry-run", is_flag=True, help="Show the invoice's figures; write nothing.")
@click.option("--preview", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write a DRAFT PDF to FILE with no number allocated; issue nothing.")
@click.option("--facturx", is_flag=True, help="Embed Factur-X (EN 16931) XML in the PDF.")
@click.option("--no-expenses", is_flag=True, help="Leave rebillable expenses for a later invoice.")
@click.option("--gbp-rate", metavar="R",
              help="GBP per 1 unit of the invoice currency, for the sterling VAT total (default: HMRC's monthly rate).")
@click.option("--force-rate", is_flag=True,
              help="Use --gbp-rate although it is more than 25% away from the ECB reference rate of the day.")
@click.pass_context
def create_cmd(ctx: click.Context, client: str, period: str, engagement: str | None, issued: str | None,
               dry_run: bool, preview: str | None, facturx: bool, no_expenses: bool, gbp_rate: str | None,
               force_rate: bool) -> None:
    """Invoice CLIENT for the work in PERIOD that is not billed yet: writes
    clients/CLIENT/invoices/NUMBER.yaml and .pdf and a line in the register.

    Work already on an issued invoice is left out, so a second run over an invoiced month
    bills only what was logged since (a supplementary invoice); with nothing left it is refused,
    naming the invoice that billed it.
    """
    from consult.core.periods import parse_period
    from consult.invoices.build import Draft, create_invoice

    check_id(client, "CLIENT")
    if engagement:
        check_id(engagement, "--engagement")
    root = books_root(ctx)
    # only a tax year written 2025/26 depends on the practice (its tax_year_start): read
    # practice.yaml for that alone, since create_invoice reads the books again under the lock
    year_start = _practice(ctx, root, client).tax_year_start if "/" in period else (4, 6)
    start, end = parse_period(period, tax_year_start=year_start, today=today()).days
    day = date_arg(issued, "--date") or today()
    preview_path = output_path(root, preview, "--preview") if preview else None
    got = create_invoice(root, client, start, end, engagement=engagement, issued=day, expenses=not no_expenses,
                         gbp_rate=decimal_arg(gbp_rate, "--gbp-rate"), force_rate=force_rate,
                         render=_renderer(root, facturx=facturx), issue_it=not (dry_run or preview))
    if isinstance(got, Draft):
        inv = got.invoice
        if preview_path is not None:
            from consult.books.store import atomic_write

            atomic_write(preview_path, _renderer(root, draft=True)(inv))
        for ln in inv.lines:
            click.echo(f"  {_line(ln, inv.locale)}")
        click.echo(f"DRAFT {client}  {_summary(inv)}")
        if preview:
            click.echo(f"preview (draft, no number allocated) written to {preview}")
        click.echo(f"nothing issued (the next number would be {got.next_number})")
        return
    click.echo(f"{got.invoice.number}  {client}  {_summary(got.invoice)}")
    click.echo(f"wrote {_rel(got.record, root)}")
    if got.pdf:
        click.echo(f"wrote {_rel(got.pdf, root)}")


def _accounts(ctx: click.Context, as_of: date) -> tuple[Books, list[Invoice], list[Account]]:
    from consult.invoices.accounts import Moves, accounts
    from consult.invoices.store import load_invoices

    books = load(ctx, timesheets=False)
    invoices, problems = load_invoices(books.root)
    if problems:
        from consult.errors import BooksError

        raise BooksError(problems, "some issued records cannot be read")
    return books, invoices, accounts(invoices, Moves.of(books), as_of)


@invoice_group.command("list")
@click.option("--status", type=click.Choice(["unpaid", "part-paid", "paid", "overdue", "credited"]),
              help="Only invoices with this status.")
@click.option("--client", metavar="C", help="Only this client's invoices.")
@click.option("--as-of", metavar="D", help="Status as of this date (default: today).")
@format_option
@click.pass_context
def list_cmd(ctx: click.Context, status: str | None, client: str | None, as_of: str | None, fmt: str) -> None:
    """Issued invoices and credit notes: what each invoice has outstanding and its status.

    A negative outstanding is money the client holds on account on that invoice (overpaid, or
    paid before it was credited): allocate it with `invoice pay NUMBER AMOUNT --from THAT`.
    Credit notes are listed as their own kind, below the invoice they credit.
    """
    day = date_arg(as_of, "--as-of") or today()
    books, invoices, accts = _accounts(ctx, day)
    if client:
        client = books.client(check_id(client, "--client")).id
    rows: list[dict[str, Any]] = []
    for a in accts:
        if (status and a.status != status) or (client and a.invoice.client != client):
            continue
        inv = a.invoice
        rows.append({"number": a.number, "kind": "invoice", "client": inv.client, "issued": inv.issue_date,
                     "due": inv.due_date, "currency": inv.currency, "net": inv.net, "vat": inv.vat, "total": inv.total,
                     "outstanding": a.outstanding, "status": a.status, "days_late": a.days_late})
        if status:
            continue
        for c in a.credit_notes:
            rows.append({"number": c.number, "kind": "credit note", "client": c.client, "issued": c.issue_date,
                         "due": None, "currency": c.currency, "net": -c.net, "vat": -c.vat, "total": -c.total,
                         "outstanding": None, "status": f"credits {c.credits}", "days_late": None})
    echo_rows(rows, fmt, locale=books.practice.locale)


@invoice_group.command("show")
@click.argument("number", shell_complete=complete_numbers)
@click.option("--as-of", metavar="D", help="Status as of this date (default: today).")
@click.pass_context
def show_cmd(ctx: click.Context, number: str, as_of: str | None) -> None:
    """Everything on one invoice or credit note, and where it stands."""
    from consult.invoices.store import find_invoice

    day = date_arg(as_of, "--as-of") or today()
    _, invoices, accts = _accounts(ctx, day)
    inv = find_invoice(invoices, number)
    loc = inv.locale
    click.echo(f"{inv.title} {inv.number}  {inv.buyer.name} ({inv.client})")
    if inv.credits:
        of = f" of {inv.credits_date}" if inv.credits_date else ""
        click.echo(f"credits invoice {inv.credits}{of}: {inv.reason}")
        click.echo(f"issued {inv.issue_date}")
    else:
        click.echo(f"issued {inv.issue_date}  tax point {inv.tax_point}  supply {inv.supply_start} to "
                   f"{inv.supply_end}  due {inv.due_date}")
    if inv.po_number:
        click.echo(f"PO {inv.po_number}")
    for ln in inv.lines:
        click.echo(f"  {_line(ln, loc)}")
    click.echo(f"net {_fmt(inv.net, loc)}")
    if inv.tax_treatment == "standard":
        click.echo(f"VAT {inv.vat_rate}% {_fmt(inv.vat, loc)}")
        if inv.vat_gbp is not None:
            click.echo(f"VAT in sterling {inv.vat_gbp.format('en_GB')} at {inv.gbp_rate} ({inv.gbp_rate_source})")
    if inv.tax_note:
        click.echo(inv.tax_note)
    click.echo(f"total {_fmt(inv.total, loc)}")
    for a in accts:
        if a.number == inv.number:
            words = {"payment": "paid", "withheld": "tax withheld", "credit_note": "credited",
                     "allocation_in": "allocated", "allocation_out": "moved", "refund": "refunded",
                     "writeoff": "written off"}
            for e in a.events:
                if e.kind == "invoice":
                    continue
                what = e.ref if e.kind == "credit_note" else e.note
                click.echo(f"{words[e.kind]} {e.date}: {_fmt(e.amount if e.amount.amount > 0 else -e.amount, loc)}"
                           + (f" ({what})" if what else ""))
            held = f"  {_fmt(a.on_account, loc)} on account" if a.outstanding.amount < 0 else ""
            click.echo(f"status {a.status}  outstanding {_fmt(a.outstanding, loc)}{held}"
                       + (f"  {a.days_late} days late" if a.days_late else ""))


@invoice_group.command("render")
@click.argument("number", shell_complete=complete_numbers)
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE",
              help="Where to write the PDF (default: NUMBER.pdf here; the books' copy is never replaced).")
@click.pass_context
def render_cmd(ctx: click.Context, number: str, output: str | None) -> None:
    """Render the PDF again from the frozen record (restores the books' copy if it is missing)."""
    from consult.books.store import atomic_write
    from consult.invoices.issue import restore_pdf
    from consult.invoices.store import client_of_number, find_invoice, invoice_dir, load_invoices

    root = books_root(ctx)
    load(ctx, timesheets=False, clients=[client_of_number(root, number)])  # refuse a client with errors
    invoices, problems = load_invoices(root)
    if problems:
        from consult.errors import BooksError

        raise BooksError(problems, "some issued records cannot be vouched for; nothing was drawn")
    inv = find_invoice(invoices, number)
    own = invoice_dir(root, inv.client) / f"{inv.number}.pdf"
    if output is None and not own.exists():
        click.echo(f"wrote {_rel(restore_pdf(root, number, _renderer(root)), root)}")
        return
    target = output_path(root, output or f"{inv.number}.pdf", "--output")
    atomic_write(target, _renderer(root)(inv))
    click.echo(f"wrote {target}")
    if inv.theme is not None:  # drawn with the theme it was issued with; say if a font or logo file changed since
        from consult.render.invoice import theme_of
        from consult.themes.theme import changed_files

        changed = changed_files(theme_of(inv, root), dict(inv.theme.files))
        if changed:
            click.echo(f"note: {', '.join(changed)} differ from the files {inv.number} was issued with, so this "
                       "copy may not match the issued PDF byte for byte", err=True)


@invoice_group.command("pay")
@click.argument("number", shell_complete=complete_numbers)
@click.argument("amount")
@click.option("--from", "source", metavar="SOURCE",
              help="Apply money on account held by SOURCE (an invoice or a credit note) instead of new money.")
@click.option("--date", "paid", metavar="D", help="Date received or applied (default: today).")
@click.option("--fx-rate", metavar="R", help="Base-currency units your bank gave per 1 unit received.")
@click.option("--withheld", metavar="W", help="Tax the client withheld at source (e.g. Indian TDS).")
@click.option("--note", help="A note kept with the payment.")
@click.option("--force", is_flag=True, help="Record an overpayment, a payment dated before the invoice, or an "
                                            "exchange rate far from the day's reference rate.")
@click.pass_context
def pay_cmd(ctx: click.Context, number: str, amount: str, source: str | None, paid: str | None,
            fx_rate: str | None, withheld: str | None, note: str | None, force: bool) -> None:
    """Record AMOUNT received against invoice NUMBER (payments.yaml), or with --from, money the
    client holds on account applied to it (allocations.yaml).

    \b
      consult invoice pay INV-2026-0005 9750.00 --date 2026-11-20
      consult invoice pay INV-2026-0005 8970.00 --from INV-2026-0001   # a payment left on a credited invoice
      consult invoice pay INV-2026-0007 100.00 --from CN-2026-0002     # a credit note's unused credit
    """
    root = books_root(ctx)
    day = money_day(paid, "--date", "an allocation" if source is not None else "a payment",
                    "made" if source is not None else "received")
    amt = decimal_arg(amount, "AMOUNT")
    if source is not None:
        from consult.invoices.payments import allocate

        if fx_rate or withheld:
            raise UsageError("--from moves money already received; --fx-rate and --withheld belong to new money")
        a = allocate(root, number, amt, source=source, on=day, note=note, force=force)
        click.echo(f"allocated {a.amount} from {a.source_doc} to {a.invoice} on {a.date} in "
                   f"clients/{a.client}/allocations.yaml")
        return
    from consult.invoices.payments import record_payment

    p = record_payment(root, number, amt, paid_on=day, fx_rate=decimal_arg(fx_rate, "--fx-rate"),
                       withheld=decimal_arg(withheld, "--withheld"), note=note, force=force)
    held = f" with {p.withheld} withheld" if p.withheld else ""
    click.echo(f"recorded {p.amount}{held} against {p.invoice} on {p.date} in clients/{p.client}/payments.yaml")


@invoice_group.command("refund")
@click.argument("source", shell_complete=complete_numbers)
@click.argument("amount")
@click.option("--date", "day", metavar="D", help="Date paid back (default: today).")
@click.option("--fx-rate", metavar="R", help="Base-currency units per 1 unit paid back.")
@click.option("--note", help="A note kept with the refund.")
@click.pass_context
def refund_cmd(ctx: click.Context, source: str, amount: str, day: str | None, fx_rate: str | None,
               note: str | None) -> None:
    """Record AMOUNT paid back to the client out of what SOURCE (an invoice or credit note) holds
    on account (refunds.yaml).

    \b
      consult invoice refund CN-2026-0001 780.00 --note "bank transfer"
    """
    from consult.invoices.payments import refund

    r = refund(books_root(ctx), source, decimal_arg(amount, "AMOUNT"), on=money_day(day, "--date", "a refund", "paid"),
               fx_rate=decimal_arg(fx_rate, "--fx-rate"), note=note)
    click.echo(f"recorded a refund of {r.amount} from {r.source_doc} on {r.date} in clients/{r.client}/refunds.yaml")


@invoice_group.command("writeoff")
@click.argument("number", shell_complete=complete_numbers)
@click.argument("amount")
@click.option("--reason", required=True, help="Why: bank charges, a disputed penny… (kept in the books).")
@click.option("--date", "day", metavar="D", help="Date of the write-off (default: today).")
@click.option("--category", default="irrecoverableDebts", show_default=True,
              help="HMRC expense category earnings count it under (financeCharges for bank charges).")
@click.pass_context
def writeoff_cmd(ctx: click.Context, number: str, amount: str, reason: str, day: str | None, category: str) -> None:
    """Clear AMOUNT of what invoice NUMBER owes without a document to the client (writeoffs.yaml).

    \b
      consult invoice writeoff INV-2026-0002 7.50 --reason "bank charges" --category financeCharges
    """
    from consult.core.categories import EXPENSE_CATEGORIES
    from consult.invoices.payments import write_off

    if category not in EXPENSE_CATEGORIES:
        raise UsageError(f"--category: '{category}' is not one of {', '.join(EXPENSE_CATEGORIES)}")
    w = write_off(books_root(ctx), number, decimal_arg(amount, "AMOUNT"), reason=reason,
                  on=money_day(day, "--date", "a write-off", "decided"), category=category)
    click.echo(f"wrote off {w.amount} of {w.invoice} on {w.date} ({w.reason}) in clients/{w.client}/writeoffs.yaml")


@invoice_group.command("credit")
@click.argument("number", shell_complete=complete_numbers)
@click.option("--amount", metavar="A", help="Net amount to credit, before VAT (default: the whole invoice).")
@click.option("--reason", required=True, help="Why: printed on the credit note.")
@click.option("--date", "issued", metavar="D", help="Issue date (default: today).")
@click.pass_context
def credit_cmd(ctx: click.Context, number: str, amount: str | None, reason: str, issued: str | None) -> None:
    """Issue a credit note (its own CN- sequence) against invoice NUMBER: --amount net of VAT, or
    whatever is left to credit. Credit notes never credit more net or VAT than the invoice
    charged, and crediting what remains clears it to the penny."""
    from consult.invoices.credit import credit_invoice

    root = books_root(ctx)
    done = credit_invoice(root, number, reason=reason, issued=date_arg(issued, "--date") or today(),
                          amount=decimal_arg(amount, "--amount"), render=_renderer(root))
    cn = done.invoice
    click.echo(f"{cn.number}  credits {cn.credits}  net {_fmt(cn.net, cn.locale)}  VAT {_fmt(cn.vat, cn.locale)}  "
               f"total {_fmt(cn.total, cn.locale)}")
    click.echo(f"wrote {_rel(done.record, root)}")
    if done.pdf:
        click.echo(f"wrote {_rel(done.pdf, root)}")


@invoice_group.command("overdue")
@click.option("--as-of", metavar="D", help="Work it out as of this date (default: today).")
@click.option("--base-rate", metavar="P", help="Bank Rate reference (percent) to use instead of the table.")
@click.option("--claims", is_flag=True, help="Also list invoices paid late: their interest to the day of payment "
                                             "and fixed sum may still be claimed.")
@format_option
@click.pass_context
def overdue_cmd(ctx: click.Context, as_of: str | None, base_rate: str | None, claims: bool, fmt: str) -> None:
    """Unpaid invoices past due, with statutory interest and fixed compensation where the Late
    Payment of Commercial Debts (Interest) Act 1998 applies (8% over the Bank Rate in force when
    interest starts, simple, daily; £40/£70/£100). A client's `late_payment:` says whether it
    does (default: statutory for UK business clients)."""
    from consult.invoices.late_payment import late_claim, reference_rates, regime

    day = date_arg(as_of, "--as-of") or today()
    books, _, accts = _accounts(ctx, day)
    table = reference_rates(books.root)
    base = decimal_arg(base_rate, "--base-rate")
    rows = []
    for a in accts:
        client = books.clients.get(a.invoice.client)
        if client is None:
            continue
        late = a.status == "overdue"
        paid_late = claims and a.outstanding.amount <= 0 and a.status != "credited"
        if not (late or paid_late):
            continue
        c = late_claim(a, client, day, table, base)
        if paid_late and c.interest is None:
            continue
        why = {"contract": "n/a (the contract sets the remedy)", "none": "n/a (the Act does not apply)"}
        rows.append({"number": a.number, "client": a.invoice.client, "due": a.invoice.due_date,
                     "days_late": a.days_late if late else (c.until - a.invoice.due_date).days if c.until else 0,
                     "status": a.status, "currency": a.invoice.currency, "outstanding": a.outstanding,
                     "rate": f"{c.rate:f}%" if c.rate is not None else why.get(regime(client), "n/a"),
                     "interest_to": c.until, "interest": c.interest, "fixed_sum": c.fixed_sum, "claim": c.claim})
    echo_rows(rows, fmt, locale=books.practice.locale)


@invoice_group.command("remind")
@click.argument("number", shell_complete=complete_numbers)
@click.option("--as-of", metavar="D", help="Date of the reminder (default: today).")
@click.option("--base-rate", metavar="P", help="Bank Rate reference (percent) to use instead of the table.")
@click.option("--formal/--polite", "formal", default=None,
              help="Force a formal claim under the Late Payment Act, or a polite reminder (default: formal from "
                   "30 days late where the Act applies).")
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False), metavar="FILE", help="Also write it as a PDF letter.")
@click.pass_context
def remind_cmd(ctx: click.Context, number: str, as_of: str | None, base_rate: str | None, formal: bool | None,
               pdf: str | None) -> None:
    """A payment reminder for invoice NUMBER: polite at first, then a formal claim for statutory
    interest and compensation under the Late Payment of Commercial Debts (Interest) Act 1998.

    \b
      consult invoice remind INV-2026-0002
      consult invoice remind INV-2026-0001 --as-of 2027-01-15 --pdf reminder.pdf
    """
    from consult.invoices.late_payment import reference_rates
    from consult.invoices.remind import reminder

    day = date_arg(as_of, "--as-of") or today()
    root = books_root(ctx)
    books, invoices, _ = _accounts(ctx, day)
    target = output_path(root, pdf, "--pdf") if pdf else None
    r = reminder(books, invoices, number, day, reference_rates(root), base_rate=decimal_arg(base_rate, "--base-rate"),
                 formal=formal)
    click.echo(r.text, nl=False)
    if target is not None:
        from consult.books.store import atomic_write
        from consult.render.letter import reminder_pdf

        atomic_write(target, reminder_pdf(r, root))
        click.echo(f"wrote {target}", err=True)
