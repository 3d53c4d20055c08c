"""From a period of work to an issued invoice; credit notes; payments; the invoice checks.

Building is pure (`build_invoice`, `build_credit_note`): books + dates in, a frozen `Invoice`
out, with every figure worked here and nowhere else (the renderer only prints). Issuing
(`issue`) is the one step that writes: under the books lock it re-checks that nothing is billed
twice, allocates the next number, and writes the YAML record and the PDF, create-only.

Rules written down because they are choices (each is also printed on the invoice in `rules`):

* **Lines.** Daily engagements bill `consult.work.rules.billable_days` x rate; hourly ones
  `billable_hours` x rate (each entry rounded up to the increment); fixed ones the milestones
  whose `due` date falls in the period. Rebillable expenses dated in the period are lines too,
  at cost: a VAT-registered practice reclaims the VAT it paid, so it rebills `amount - vat` and
  charges VAT on the recharge like any other line (HMRC: a recharge is part of the supply,
  not a disbursement). Line net = quantity x unit price, half up, once.
* **Totals.** net = sum of lines. VAT is worked once, per rate, on the net total (domain rules
  §1.5): half up to the minor unit, or rounded down when `invoice.vat_rounding: down` (HMRC's
  whole-penny concession). total = net + VAT.
* **Tax point.** For services the basic tax point is the end of the supply period; an invoice
  issued within 14 days of it (or before it) becomes the tax point (VAT Notice 700, HMRC
  VATTOS5215).
* **Never bill twice.** The record lists each engagement's billed dates (`periods`) and the
  entries billed. A new invoice whose period overlaps an earlier one for the same engagement
  is refused, naming it, unless that invoice has been credited in full.
* **Numbers.** `number_format` (default `INV-{year}-{seq:04d}`) with a sequence per year of
  issue, shared by all clients, gapless: the next number is one more than the highest
  number of that year found on disk, taken under the books lock. Credit notes run their own
  sequence (`credit_note_format`, default `CN-{year}-{seq:04d}`).
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from consult.core.fx import sterling_rate
from consult.core.money import Money
from consult.core.records import Books, Client, Engagement, Payment, TimeEntry
from consult.core.tax import tax_point, treatment, vat_on, vat_rule_text
from consult.core.tax import vat_rate as vat_rate_of
from consult.errors import ConflictError, ConsultError, NotFound, Problem, Source, UsageError
from consult.invoices.billed import fully_credited, live
from consult.invoices.record import (
    BilledEntry,
    BilledPeriod,
    Invoice,
    InvoiceLine,
    Party,
    dump_record,
    to_record,
)
from consult.invoices.store import invoice_dir, load_invoices
from consult.work.rules import billable_days, billable_hours, rule_text

LATE_PAYMENT_NOTE = ("Late payment: statutory interest and fixed compensation may be claimed under the "
                     "Late Payment of Commercial Debts (Interest) Act 1998.")


# --------------------------------------------------------------------------------------------
# building an invoice
# --------------------------------------------------------------------------------------------
def seller_party(books: Books) -> Party:
    p = books.practice
    return Party(p.name, p.address, p.country, p.email, p.vat_number, p.company_number)


def buyer_party(c: Client) -> Party:
    return Party(c.name, c.address, c.country, c.email, c.vat_number, None, c.tax_id, c.contact)


def bank_block(books: Books) -> dict[str, str]:
    b = books.practice.bank
    return {k: v for k, v in (("account_name", b.account_name), ("sort_code", b.sort_code),
                              ("account_number", b.account_number), ("iban", b.iban), ("bic", b.bic)) if v}


def _engagements(books: Books, client: Client, engagement: str | None) -> list[Engagement]:
    if engagement is not None:
        return [books.engagement(client.id, engagement)]
    return [e for e in books.engagements_of(client.id) if e.status != "proposed"]


def _time_lines(eng: Engagement, entries: list[TimeEntry], start: date, end: date) -> list[InvoiceLine]:
    assert eng.rate is not None
    if eng.billing == "daily":
        qty, unit = billable_days(entries, eng), "day"
    else:
        qty, unit = billable_hours(entries, eng)[2], "hour"
    if qty <= 0:
        return []
    return [InvoiceLine(eng.title, qty, unit, eng.rate, eng.rate.times(qty), "time", eng.id, start, end)]


def _milestone_lines(eng: Engagement, start: date, end: date) -> list[InvoiceLine]:
    return [InvoiceLine(f"{eng.title}: {m.name}", Decimal(1), "item", m.amount, m.amount, "milestone",
                        eng.id, m.due, m.due)
            for m in eng.milestones if start <= m.due <= end]


def build_invoice(books: Books, client_id: str, period_start: date, period_end: date, *,
                  engagement: str | None = None, issued: date, expenses: bool = True,
                  gbp_rate: Decimal | None = None, invoices: list[Invoice] | None = None) -> Invoice:
    """The draft invoice (number None) for the client's work in the period.

    Raises NotFound for an unknown client or engagement, ConsultError when there is nothing
    to bill, ConflictError when part of it was billed already (naming that invoice).
    `invoices` are the issued records (read from the books when not given).
    """
    client = books.client(client_id)
    if client.kind != "client":
        raise UsageError(f"'{client_id}' is a {client.kind}: its income is recorded in income.yaml, "
                         "not invoiced")
    engs = _engagements(books, client, engagement)
    wanted = {e.id for e in engs}
    currency = client.currency
    lines: list[InvoiceLine] = []
    billed: list[BilledEntry] = []
    rules: list[str] = []
    used: list[Engagement] = []
    by_eng: dict[str, list[TimeEntry]] = defaultdict(list)
    for e in books.entries:
        if e.client == client.id and e.engagement in wanted and period_start <= e.date <= period_end:
            by_eng[e.engagement].append(e)
    for eng in engs:
        got = (_milestone_lines(eng, period_start, period_end) if eng.billing == "fixed"
               else _time_lines(eng, by_eng[eng.id], period_start, period_end))
        if not got:
            continue
        lines += got
        used.append(eng)
        rules.append(rule_text(eng))
        if eng.billing != "fixed":
            billed += [BilledEntry(t.engagement, t.date, t.minutes, t.billable, t.note, str(t.source))
                       for t in sorted(by_eng[eng.id], key=lambda t: (t.date, str(t.source)))]
    expense_engs: set[str] = set()
    if expenses:
        registered = books.practice.vat_registered
        for x in sorted(books.expenses, key=lambda x: (x.date, str(x.source))):
            if x.client != client.id or not x.rebill or not period_start <= x.date <= period_end:
                continue
            if x.engagement is not None and x.engagement not in wanted:
                continue
            if engagement is not None and x.engagement is None:
                continue
            if x.amount.currency != currency:
                raise ConsultError(f"{x.source}: amount: this rebillable expense is in {x.amount.currency} "
                                   f"but {client.id} is invoiced in {currency}; record what you will "
                                   f"rebill in {currency} (or set rebill: false)")
            cost = x.amount - x.vat if (registered and x.vat is not None) else x.amount
            lines.append(InvoiceLine(x.note or "Expense", Decimal(1), "item", cost, cost, "expense",
                                     x.engagement, x.date, x.date))
            expense_engs.add(x.engagement or "expenses")
        if expense_engs:
            rules.append("Expenses: rebilled at cost, excluding any VAT reclaimed."
                         if registered else "Expenses: rebilled at cost.")
    if not lines:
        what = f"{client_id}/{engagement}" if engagement else client_id
        raise ConsultError(f"nothing to invoice for {what} from {period_start} to {period_end}: no billable "
                           "time, milestones due or rebillable expenses in that period "
                           "(see `consult time report`)")
    periods = sorted({e.id for e in used} | expense_engs)
    bp = tuple(BilledPeriod(e, period_start, period_end) for e in periods)

    net = Money.total((ln.net for ln in lines), currency)
    practice = books.practice
    tr = treatment(client.tax, practice.vat_registered)
    setting = practice.invoice.vat_rounding
    vat_rate = vat_rate_of(tr, practice.invoice.vat_rate)
    vat = vat_on(net, vat_rate, setting)
    if vat_rate is not None:
        lines = [replace(ln, vat_rate=vat_rate) for ln in lines]
    if tr.charges_vat and vat_rate is not None:
        rules.append(vat_rule_text(vat_rate, setting))
    terms = client.payment_terms_days if client.payment_terms_days is not None else practice.invoice.payment_terms_days
    tp = tax_point(issued, period_end)
    vat_gbp = rate = rate_source = None
    if tr.charges_vat and currency != "GBP":
        rate, rate_source = (gbp_rate, "rate given when the invoice was issued") if gbp_rate is not None \
            else sterling_rate(currency, tp)
        vat_gbp = vat.convert(rate, "GBP")
    pos = sorted({e.po_number for e in used if e.po_number})
    inv = Invoice(
        number=None, kind="invoice", client=client.id, issue_date=issued, tax_point=tp,
        supply_start=period_start, supply_end=period_end, due_date=issued + timedelta(days=terms),
        currency=currency, locale=client.locale, seller=seller_party(books), buyer=buyer_party(client),
        lines=tuple(lines), net=net, vat=vat, total=net + vat, tax_treatment=tr.name, vat_rate=vat_rate,
        vat_rounding=practice.invoice.vat_rounding, payment_terms_days=terms, bank=bank_block(books),
        po_number=", ".join(pos) or None, buyer_reference=client.buyer_reference,
        tax_note=tr.note, vat_gbp=vat_gbp, gbp_rate=rate, gbp_rate_source=rate_source,
        rules=tuple(rules), notes=(LATE_PAYMENT_NOTE,) if late_payment_applies(client) else (),
        periods=bp, entries=tuple(billed), template=practice.invoice.template,
    )
    check_not_billed(inv, load_invoices(books.root)[0] if invoices is None else invoices)
    return inv


def late_payment_applies(client: Client) -> bool:
    """Whether statutory late-payment interest is offered for this client's debts (see late_payment)."""
    from consult.invoices.late_payment import qualifies

    return qualifies(client)


def _overlaps(a: tuple[date, date], b: tuple[date, date]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def check_not_billed(inv: Invoice, invoices: Iterable[Invoice]) -> None:
    """Raise ConflictError naming the earlier invoice if any engagement-period is billed already
    (consult.invoices.billed: an invoice credited in full no longer counts)."""
    for old in live(invoices):
        if old.client != inv.client:
            continue
        for p in inv.periods:
            for q in old.periods:
                if p.engagement == q.engagement and _overlaps((p.start, p.end), (q.start, q.end)):
                    what = "expenses" if p.engagement == "expenses" else f"{inv.client}/{p.engagement}"
                    raise ConflictError(
                        f"{what} from {q.start} to {q.end} was billed already on {old.number} "
                        f"(issued {old.issue_date}); nothing was written. To bill it again, credit it "
                        f"first: consult invoice credit {old.number} --reason \"...\"")


# --------------------------------------------------------------------------------------------
# credit notes
# --------------------------------------------------------------------------------------------
def find_invoice(invoices: Iterable[Invoice], number: str) -> Invoice:
    invs = list(invoices)
    for i in invs:
        if i.number == number:
            return i
    latest = ", ".join(sorted(i.number for i in invs if i.number)[-3:]) or "none issued yet"
    raise NotFound(f"no invoice '{number}' in these books (latest: {latest}; see `consult invoice list`)")


def build_credit_note(books: Books, invoices: list[Invoice], number: str, *, reason: str,
                      issued: date, amount: Decimal | None = None) -> Invoice:
    """A credit note for `number`: the whole invoice, or `amount` net of VAT (VAT added at the
    invoice's rate, rounded the same way). Refuses to credit more than is left uncredited."""
    if not reason or not reason.strip():
        raise UsageError("--reason: say why the invoice is credited (it is printed on the credit note)")
    inv = find_invoice(invoices, number)
    if inv.is_credit_note:
        raise UsageError(f"{number} is a credit note; credit the invoice it corrects ({inv.credits})")
    if issued < inv.issue_date:
        raise UsageError(f"the credit note date {issued} is before {number} was issued ({inv.issue_date})")
    cur = inv.currency
    done = Money.total((i.total for i in invoices if i.is_credit_note and i.credits == number), cur)
    left = inv.total - done
    if amount is None:
        if done:
            raise ConflictError(f"{number} is already credited by {done.format(inv.locale)}; give --amount "
                                f"for the rest (at most {left.format(inv.locale)} including VAT)")
        net, vat = inv.net, inv.vat
    else:
        net = Money.of(amount, cur)
        if net.amount <= 0:
            raise UsageError("--amount: give a positive amount to credit (net of VAT)")
        vat = vat_on(net, inv.vat_rate, inv.vat_rounding) if inv.tax_treatment == "standard" else Money.zero(cur)
    total = net + vat
    if total > left:
        raise ConflictError(f"crediting {total.format(inv.locale)} would take {number} below zero: "
                            f"{left.format(inv.locale)} is left to credit")
    vat_gbp = vat.convert(inv.gbp_rate, "GBP") if inv.gbp_rate is not None and inv.vat_gbp is not None else None
    line = InvoiceLine(f"Credit for invoice {number}: {reason.strip()}", Decimal(1), "item", net, net,
                       "credit", None, inv.supply_start, inv.supply_end, inv.vat_rate)
    client = books.client(inv.client)
    return replace(inv, number=None, kind="credit_note", issue_date=issued, tax_point=issued, due_date=issued,
                   seller=seller_party(books), buyer=buyer_party(client), lines=(line,), net=net, vat=vat,
                   total=total, credits=number, reason=reason.strip(), vat_gbp=vat_gbp,
                   rules=(), notes=(), periods=(), entries=())


# --------------------------------------------------------------------------------------------
# numbers and issuing
# --------------------------------------------------------------------------------------------
def _number_regex(pattern: str, year: int) -> re.Pattern[str]:
    out = ""
    for literal, name, _spec, _conv in string.Formatter().parse(pattern):
        out += re.escape(literal)
        if name == "year":
            out += str(year)
        elif name == "seq":
            out += r"(?P<seq>\d+)"
        elif name is not None:
            out += r".+?"
    return re.compile(out + r"\Z")


def next_number(root: Path, pattern: str, year: int) -> str:
    """The next number of `pattern` for `year`: one more than the highest on disk (any client)."""
    rx = _number_regex(pattern, year)
    top = 0
    for p in Path(root).glob("clients/*/invoices/*.yaml"):
        if m := rx.match(p.stem):
            top = max(top, int(m.group("seq")))
    return pattern.format(year=year, seq=top + 1)


def record_yaml(inv: Invoice) -> str:
    """The frozen record as YAML text: None values are left out, everything else is text."""
    def strip(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if x is not None}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v

    head = f"# {inv.title} {inv.number}: issued record, written once by consult. Never edit it;\n" \
           "# corrections are credit notes (consult invoice credit).\n"
    return head + dump_record(strip(to_record(inv)))


@dataclass(frozen=True, slots=True)
class Issued:
    invoice: Invoice
    record: Path
    pdf: Path | None


Renderer = Callable[[Invoice], bytes]


def issue(books: Books, draft: Invoice, render: Renderer | None = None) -> Issued:
    """Number and write a draft invoice or credit note, all under the books lock.

    Re-reads the issued records under the lock, so two processes cannot bill the same work or
    take the same number. The PDF is rendered before anything is written; if writing the PDF
    fails the record is removed again, so a failure leaves nothing behind.
    """
    from consult.books.store import books_lock, write_new

    root = Path(books.root)
    s = books.practice.invoice
    pattern = s.credit_note_format if draft.is_credit_note else s.number_format
    with books_lock(root):
        invoices, _ = load_invoices(root)
        if not draft.is_credit_note:
            check_not_billed(draft, invoices)
        number = next_number(root, pattern, draft.issue_date.year)
        inv = replace(draft, number=number)
        pdf_bytes = render(inv) if render is not None else None
        folder = invoice_dir(root, inv.client)
        rec = folder / f"{number}.yaml"
        write_new(rec, record_yaml(inv))
        pdf = None
        if pdf_bytes is not None:
            pdf = folder / f"{number}.pdf"
            try:
                write_new(pdf, pdf_bytes)
            except BaseException:
                rec.unlink(missing_ok=True)
                raise
    return Issued(inv, rec, pdf)


# --------------------------------------------------------------------------------------------
# payments
# --------------------------------------------------------------------------------------------
def payment_yaml(p: Payment) -> str:
    """One payments.yaml item as a flow mapping on one line (amounts as plain text)."""
    parts = [f"date: {p.date.isoformat()}", f"invoice: {p.invoice}", f"amount: {p.amount.plain()}",
             f"currency: {p.amount.currency}"]
    if p.fx_rate is not None:
        parts.append(f"fx_rate: {p.fx_rate:f}")
    if p.withheld is not None:
        parts.append(f"withheld: {p.withheld.plain()}")
    if p.note:
        parts.append(f"note: {json.dumps(p.note, ensure_ascii=False)}")
    return "- {" + ", ".join(parts) + "}\n"


def record_payment(root: Path, number: str, amount: Decimal, *, paid_on: date, fx_rate: Decimal | None = None,
                   withheld: Decimal | None = None, note: str | None = None, force: bool = False) -> Payment:
    """Append a payment against invoice `number` to its client's payments.yaml, under the lock.

    Refuses (ConflictError) a payment that, with tax withheld, is more than is outstanding,
    unless `force`; refuses an unknown invoice or a credit note (NotFound/UsageError)."""
    from consult.books.loader import load_books
    from consult.books.store import append_text, books_lock
    from consult.invoices.accounts import account

    root = Path(root)
    with books_lock(root):
        invoices, _ = load_invoices(root)
        inv = find_invoice(invoices, number)
        if inv.is_credit_note:
            raise UsageError(f"{number} is a credit note; record the payment against {inv.credits}")
        cur = inv.currency
        try:
            pay_amt = Money.of(amount, cur)
            held = Money.of(withheld, cur) if withheld is not None else None
        except ValueError as e:
            raise UsageError(f"amount: {e}") from None
        if pay_amt.amount <= 0:
            raise UsageError("AMOUNT: give the positive amount received")
        if paid_on < inv.issue_date and not force:
            raise UsageError(f"--date: {paid_on} is before {number} was issued ({inv.issue_date}); "
                             "use --force if it really was paid in advance")
        books = load_books(root, timesheets=False).books
        pays = [p for p in (books.payments if books else ()) if p.invoice == number]
        cns = [i for i in invoices if i.is_credit_note and i.credits == number]
        acct = account(inv, pays, cns, date.max)  # everything recorded so far, whatever its date
        settles = pay_amt + held if held is not None else pay_amt
        if settles > acct.outstanding and not force:
            raise ConflictError(
                f"{number} has {acct.outstanding.format(inv.locale)} outstanding, but this payment settles "
                f"{settles.format(inv.locale)}; check the amount, or use --force to record an overpayment")
        p = Payment(inv.client, paid_on, number, pay_amt, fx_rate, held, note,
                    Source(f"clients/{inv.client}/payments.yaml"))
        path = root / "clients" / inv.client / "payments.yaml"
        head = "" if path.exists() else "# Money received against invoices (append-only; written by consult invoice pay).\n"
        append_text(path, head + payment_yaml(p))
    return p


# --------------------------------------------------------------------------------------------
# consult check
# --------------------------------------------------------------------------------------------
def _hm(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h}h{m:02d}m" if m else f"{h}h"


def changed_entries(inv: Invoice, entries: Iterable[TimeEntry]) -> list[str]:
    """What differs between the entries `inv` billed and the timesheets now, day by day."""
    billed: dict[tuple[str, date], Counter[tuple[int, bool]]] = defaultdict(Counter)
    for b in inv.entries:
        billed[(b.engagement, b.date)][(b.minutes, b.billable)] += 1
    engs = {p.engagement: (p.start, p.end) for p in inv.periods if any(b.engagement == p.engagement for b in inv.entries)}
    now: dict[tuple[str, date], Counter[tuple[int, bool]]] = defaultdict(Counter)
    for e in entries:
        span = engs.get(e.engagement) if e.client == inv.client else None
        if span and span[0] <= e.date <= span[1]:
            now[(e.engagement, e.date)][(e.minutes, e.billable)] += 1
    out = []
    for key in sorted(set(billed) | set(now)):
        if billed[key] != now[key]:
            def desc(c: Counter[tuple[int, bool]]) -> str:
                return " + ".join(_hm(m) + ("" if b else " (not billable)")
                                  for (m, b), n in sorted(c.items()) for _ in range(n)) or "nothing"
            out.append(f"{key[0]} {key[1]}: billed {desc(billed[key])}, timesheet now has {desc(now[key])}")
    return out


def check_invoices(books: Books, today: date) -> list[Problem]:
    """Warnings for `consult check`: invoiced time changed since, overdue invoices, payments
    that do not reconcile; errors for issued records that cannot be read back."""
    from consult.invoices.accounts import accounts, reconcile

    invoices, problems = load_invoices(books.root)
    out = list(problems)
    credited = fully_credited(invoices)
    for inv in invoices:
        if inv.is_credit_note or not inv.entries or inv.number in credited:
            continue
        src = Source(f"clients/{inv.client}/invoices/{inv.number}.yaml")
        for diff in changed_entries(inv, books.entries):
            out.append(Problem(src, "entries", f"time billed on {inv.number} was changed afterwards — {diff}; "
                               "restore the timesheet, or credit the invoice and bill again", "warning"))
    for a in accounts(invoices, books.payments, today):
        src = Source(f"clients/{a.invoice.client}/invoices/{a.number}.yaml")
        if a.status == "overdue":
            out.append(Problem(src, None, f"{a.number} is {a.days_late} days overdue: "
                               f"{a.outstanding.format(a.invoice.locale)} outstanding since {a.invoice.due_date} "
                               "(consult invoice overdue)", "warning"))
        elif a.outstanding.amount < 0:
            out.append(Problem(src, None, f"{a.number} is overpaid by {(-a.outstanding).format(a.invoice.locale)}",
                               "warning"))
    out += [replace(p, severity="warning") for p in reconcile(invoices, books.payments)]
    return out
