"""From the unbilled work of a period to a draft invoice: every figure worked here, nowhere else.

`build_invoice` is pure — books, the issued records and dates in, a frozen `Invoice` out — so
`--dry-run` and `--preview` show exactly what `invoice create` issues (consult.invoices.issue
numbers and writes it). `create_invoice` does both under the books lock: it reads the books
*after* taking the lock, so time logged while an invoice is made is either on it or still
unbilled, never lost between.

Rules written down because they are choices (each is also printed on the invoice in `rules`):

* **What is billed** is what is unbilled (consult.invoices.billed): time entries by identity,
  daily engagements by the fraction of each day not billed yet, milestones by name, expenses by
  identity. A period partly invoiced already gives a supplementary invoice for what is left; a
  period with nothing left is refused, naming the invoice that billed it.
* **Lines.** A daily engagement bills the days left (each calendar day by its `day_rounding`,
  at most one day unless `overtime: true`); an hourly one the entries left, each rounded up to
  `time_increment_minutes`; a fixed price the milestones due in the period. **Exact pricing:**
  a time line's net is rate × minutes ÷ minutes in a unit (a day of the engagement's hours, or
  an hour), worked exactly and rounded half up once — 7 h of a 7.5 h day at £612.50 is
  £571.67, never 0.933 × £612.50. Rebillable expenses dated in the period are lines at cost: a
  VAT-registered practice reclaims the VAT it paid, so it rebills `amount - vat` and charges VAT
  on the recharge like any other line (a recharge is part of the supply, not a disbursement).
* **Totals.** net = Σ lines. VAT once, per rate, on the net total (consult.core.tax): half up,
  or down with `invoice.vat_rounding: down`. total = net + VAT.
* **Tax point**: the issue date when issued within 14 days of the supply's end, else the end.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from consult.core.fx import sterling_rate
from consult.core.money import Money
from consult.core.records import Books, Client, Engagement
from consult.core.tax import tax_point, treatment, vat_on, vat_rule_text
from consult.core.tax import vat_rate as vat_rate_of
from consult.errors import ConflictError, ConsultError, UsageError
from consult.invoices.billed import Billed, Work, billed_of, unbilled_expenses, work_of
from consult.invoices.record import (
    BilledDay,
    BilledEntry,
    BilledExpense,
    BilledMilestone,
    BilledPeriod,
    Invoice,
    InvoiceLine,
    Party,
)
from consult.work.rules import rule_text

if TYPE_CHECKING:
    from consult.invoices.issue import Issued, Renderer

LATE_PAYMENT_NOTE = ("Late payment: statutory interest and fixed compensation may be claimed under the "
                     "Late Payment of Commercial Debts (Interest) Act 1998.")
QUANTITY_PLACES = 6  # a quantity that does not end sooner is printed to six places (it is priced exactly)


# --------------------------------------------------------------------------------------------
# parties
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


def late_payment_applies(client: Client) -> bool:
    """Whether statutory late-payment interest is offered for this client's debts (see late_payment)."""
    from consult.invoices.late_payment import qualifies

    return qualifies(client)


# --------------------------------------------------------------------------------------------
# quantities
# --------------------------------------------------------------------------------------------
def _terminates(q: Fraction) -> bool:
    d = q.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def decimal_of(q: Fraction, places: int = QUANTITY_PLACES) -> Decimal:
    """`q` as a decimal: exact when it ends (a whole number keeps one place: 8.0), else to
    `places` places, half up."""
    exact = Decimal(q.numerator) / Decimal(q.denominator)
    if _terminates(q):
        n = exact.normalize()
        return n.quantize(Decimal("0.1")) if n == n.to_integral_value() else n
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _time_line(w: Work, start: date, end: date) -> InvoiceLine:
    e = w.engagement
    assert e.rate is not None
    q = w.quantity
    if e.billing == "daily":
        unit, per = "day", Fraction(e.hours_per_day) * 60
    else:
        unit, per = "hour", Fraction(60)
    minutes = q * per
    return InvoiceLine(e.title, decimal_of(q), unit, e.rate, e.rate.times_exact(q), "time", e.id, start, end,
                       minutes=_exact(minutes), unit_minutes=_exact(per))


def _exact(q: Fraction) -> Decimal:
    """An exact decimal (minutes of work, minutes in a day: always ending, as minutes and hours
    per day are decimals), normalised: 259, 217.5, 450."""
    if not _terminates(q):  # pragma: no cover - minutes are sums of decimals
        raise ValueError(f"{q} has no exact decimal form")
    n = (Decimal(q.numerator) / Decimal(q.denominator)).normalize()
    return n.quantize(Decimal(1)) if n == n.to_integral_value() else n


def _billed_entries(w: Work) -> list[BilledEntry]:
    return [BilledEntry(t.engagement, t.date, t.minutes, t.billable, t.note, str(t.source), t.start, t.end,
                        t.source_id)
            for d in w.days for t in sorted(d.entries, key=lambda t: str(t.source))]


# --------------------------------------------------------------------------------------------
# building
# --------------------------------------------------------------------------------------------
def _engagements(books: Books, client: Client, engagement: str | None) -> list[Engagement]:
    if engagement is not None:
        return [books.engagement(client.id, engagement)]
    return [e for e in books.engagements_of(client.id) if e.status != "proposed"]


def _already_billed(billed: Billed, engs: list[Engagement], start: date, end: date) -> list[str]:
    """Numbers of live invoices that bill something of these engagements in the period."""
    ids = {e.id for e in engs}
    found: set[str] = set()
    for (eng, d), items in billed.entries_by_day.items():
        if eng in ids and start <= d <= end:
            found.update(n for _, n in items)
    for (eng, d), numbers in billed.day_invoices.items():
        if eng in ids and start <= d <= end:
            found.update(numbers)
    for e in engs:
        for m in e.milestones:
            if start <= m.due <= end and (e.id, m.name) in billed.milestones:
                found.add(billed.milestones[(e.id, m.name)])
        for a, b, n in billed.spans.get(e.id, ()):
            if a <= end and start <= b:
                found.add(n)
    for a, b, n in billed.spans.get("expenses", ()):
        if a <= end and start <= b:
            found.add(n)
    return sorted(found)


def build_invoice(books: Books, client_id: str, period_start: date, period_end: date, *,
                  engagement: str | None = None, issued: date, expenses: bool = True,
                  gbp_rate: Decimal | None = None, invoices: list[Invoice] | None = None,
                  force_rate: bool = False) -> Invoice:
    """The draft invoice (number None) for the client's unbilled work in the period.

    Raises NotFound for an unknown client or engagement, ConflictError when all of it is billed
    already (naming the invoice) or when a billed hourly entry was changed since, ConsultError
    when there is nothing to bill. `invoices` are the issued records with their billed entries
    (read from the books when not given).
    """
    from consult.invoices.store import load_invoices

    if gbp_rate is not None and (not gbp_rate.is_finite() or gbp_rate <= 0):
        raise UsageError(f"--gbp-rate: an exchange rate must be more than zero, got {gbp_rate}")
    client = books.client(client_id)
    if client.kind != "client":
        raise UsageError(f"'{client_id}' is a {client.kind}: its income is recorded in income.yaml, "
                         "not invoiced")
    if invoices is None:
        invoices, problems = load_invoices(books.root)
        mine = [p for p in problems if p.source.path.startswith(f"clients/{client_id}/")]
        if mine:
            from consult.errors import BooksError

            raise BooksError(mine, f"{client_id} has issued records that cannot be read back, so what is billed "
                                   "is not known; nothing was written")
    billed = billed_of(client.id, invoices)
    engs = _engagements(books, client, engagement)
    currency = client.currency
    lines: list[InvoiceLine] = []
    entries: list[BilledEntry] = []
    days: list[BilledDay] = []
    milestones: list[BilledMilestone] = []
    rules: list[str] = []
    used: list[Engagement] = []
    for eng in engs:
        w = work_of(books, eng, billed, period_start, period_end)
        if w.held:
            h = w.changed[0]
            raise ConflictError(
                f"{h.invoice} billed {h.entry.minutes // 60}h{h.entry.minutes % 60:02d}m of {eng.key} on "
                f"{h.entry.date} that the timesheet no longer has as billed ({h.entry.source}); billing that "
                f"day's time again would bill it twice. Restore the entry as billed, or credit {h.invoice} "
                "(consult invoice credit) and bill the day again; nothing was written")
        if eng.billing == "fixed":
            got = [InvoiceLine(f"{eng.title}: {m.name}", Decimal(1), "item", m.amount, m.amount, "milestone",
                               eng.id, m.due, m.due) for m in w.milestones]
            milestones += [BilledMilestone(eng.id, m.name, m.amount) for m in w.milestones]
        elif w.days:
            got = [_time_line(w, period_start, period_end)]
            entries += _billed_entries(w)
            if eng.billing == "daily":
                days += [BilledDay(eng.id, d.date, d.fraction) for d in w.days]
        else:
            got = []
        if not got:
            continue
        lines += got
        used.append(eng)
        rules.append(rule_text(eng))
    billed_expenses: list[BilledExpense] = []
    expense_engs: set[str] = set()
    if expenses:
        registered = books.practice.vat_registered
        wanted: set[str | None] = {e.id for e in engs}
        if engagement is None:
            wanted.add(None)  # expenses of no engagement go on the client's invoice
        for x in unbilled_expenses(books, client.id, billed, period_start, period_end, wanted):
            if x.amount.currency != currency:
                raise ConsultError(f"{x.source}: amount: this rebillable expense is in {x.amount.currency} "
                                   f"but {client.id} is invoiced in {currency}; record what you will "
                                   f"rebill in {currency} (or set rebill: false)")
            cost = x.amount - x.vat if (registered and x.vat is not None) else x.amount
            lines.append(InvoiceLine(x.note or "Expense", Decimal(1), "item", cost, cost, "expense",
                                     x.engagement, x.date, x.date))
            billed_expenses.append(BilledExpense(x.engagement, x.date, x.amount, x.vat, x.note))
            expense_engs.add(x.engagement or "expenses")
        if expense_engs:
            rules.append("Expenses: rebilled at cost, excluding any VAT reclaimed."
                         if registered else "Expenses: rebilled at cost.")
    if not lines:
        what = f"{client_id}/{engagement}" if engagement else client_id
        earlier = _already_billed(billed, engs, period_start, period_end)
        if earlier:
            raise ConflictError(
                f"everything billable for {what} from {period_start} to {period_end} is billed already "
                f"(on {', '.join(earlier)}); nothing was written. Work logged later shows in `consult time "
                f"unbilled`; to bill something again, credit it first: consult invoice credit {earlier[-1]} "
                "--reason \"...\"")
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
    if gbp_rate is not None:  # a rate that is not positive, or far from the reference, is refused
        from consult.core.fx import check_rate

        check_rate(currency, "GBP", tp, gbp_rate, "--gbp-rate", force=force_rate)
    if tr.charges_vat and currency != "GBP":
        rate, rate_source = (gbp_rate, "UK market rate given when the invoice was issued") if gbp_rate is not None \
            else sterling_rate(currency, tp, practice.vat.sterling_rate)
        vat_gbp = vat.convert(rate, "GBP")
    pos = sorted({e.po_number for e in used if e.po_number})
    return Invoice(
        number=None, kind="invoice", client=client.id, issue_date=issued, tax_point=tp,
        supply_start=period_start, supply_end=period_end, due_date=issued + timedelta(days=terms),
        currency=currency, locale=client.locale, seller=seller_party(books), buyer=buyer_party(client),
        lines=tuple(lines), net=net, vat=vat, total=net + vat, tax_treatment=tr.name, vat_rate=vat_rate,
        vat_rounding=practice.invoice.vat_rounding, payment_terms_days=terms, bank=bank_block(books),
        po_number=", ".join(pos) or None, buyer_reference=client.buyer_reference,
        tax_note=tr.note, vat_gbp=vat_gbp, gbp_rate=rate, gbp_rate_source=rate_source,
        rules=tuple(rules), notes=(LATE_PAYMENT_NOTE,) if late_payment_applies(client) else (),
        periods=bp, entries=tuple(entries), template=practice.invoice.template,
        days=tuple(days), milestones=tuple(milestones), expenses=tuple(billed_expenses),
    )


@dataclass(frozen=True, slots=True)
class Draft:
    """What `create_invoice` made, with the number it would take when it only previews."""

    invoice: Invoice
    next_number: str


def create_invoice(root: Path, client_id: str, period_start: date, period_end: date, *, issued: date,
                   engagement: str | None = None, expenses: bool = True, gbp_rate: Decimal | None = None,
                   render: Renderer | None = None, issue_it: bool = True, force_rate: bool = False) -> Issued | Draft:
    """Build and issue the client's invoice for the period, all under the books lock: the books
    and issued records are read after the lock is taken, so nothing another command writes in
    the meantime is missed or billed twice. Returns `consult.invoices.issue.Issued` (or a
    `Draft` when `issue_it` is False)."""
    from consult.books.loader import open_books
    from consult.books.lock import books_lock
    from consult.invoices.issue import issue, next_number

    with books_lock(root):
        from consult.invoices.issue import register_lines

        register_lines(root)  # no numbering from a register that does not verify, or from none at all
        books = open_books(root, clients=[client_id])  # another client's errors do not stop this one
        draft = build_invoice(books, client_id, period_start, period_end, engagement=engagement, issued=issued,
                              expenses=expenses, gbp_rate=gbp_rate, force_rate=force_rate)
        if not issue_it:
            return Draft(draft, next_number(books, draft))
        return issue(books, draft, render)
