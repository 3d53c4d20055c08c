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
  £571.67, never 0.933 × £612.50. Rebillable expenses dated in the period are lines at cost:
  what was paid less the VAT the practice's return reclaims (consult.vat.blocked.reclaimed_vat),
  with VAT charged on the recharge like any other line (a recharge is part of the supply, not a
  disbursement). So a VAT-registered practice rebills `amount - vat` for UK VAT it gets back, and
  `amount`, VAT paid included, where it gets none back: on the Flat Rate Scheme from
  `vat.flat_rate_start` (VAT Notice 733), foreign VAT on a cost in another currency, and blocked
  VAT (business entertainment of a UK client, Notice 700/65).
* **Totals.** net = Σ lines. VAT once, per rate, on the net total (consult.core.tax): half up,
  or down with `invoice.vat_rounding: down`. total = net + VAT.
* **Tax point**: the issue date when issued within 14 days of the supply's end, else the end.

What the document shows is decided here too, and frozen with the record (docs/documents.md):
its language and theme (the client's `language:`/`template:`, else the practice's), the
timesheet detail of each time line (`invoice_detail:` on the engagement, else the client), a
milestone's place in its contract, the bank account of the invoice's currency, the seller's
registration, and the rules and notes as phrases the theme translates. A VAT-registered
practice's invoice is a VAT invoice, which must show the customer's address (VAT Regulations
1995 reg 14(1)(e)): without one it is refused.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from consult.core.fx import sterling_rate
from consult.core.money import Money
from consult.core.record import record
from consult.core.records import Bank, Books, Client, Engagement
from consult.core.tax import tax_point, treatment, vat_on, vat_rule_text
from consult.core.tax import vat_rate as vat_rate_of
from consult.errors import ConflictError, ConsultError, UsageError
from consult.invoices.billed import Billed, Work, billed_of, live, unbilled_expenses, work_of
from consult.invoices.record import (
    BilledDay,
    BilledEntry,
    BilledExpense,
    BilledMilestone,
    BilledPeriod,
    Invoice,
    InvoiceLine,
    MilestoneNote,
    Party,
    Phrase,
)
from consult.work.rules import rule_text

if TYPE_CHECKING:
    from consult.invoices.issue import Issued, Renderer

LATE_PAYMENT_NOTE = ("Late payment: statutory interest and fixed compensation may be claimed under the "
                     "Late Payment of Commercial Debts (Interest) Act 1998.")
LATE_PAYMENT_PHRASE = Phrase("note_late_payment")
# where a UK company is registered, from practice.yaml's subdivision (Companies House registers
# companies in England and Wales, in Scotland, or in Northern Ireland)
REGISTERED_IN = {"ENG": "england_wales", "WLS": "england_wales", "SCT": "scotland", "NIR": "northern_ireland"}
QUANTITY_PLACES = 6  # a quantity that does not end sooner is printed to six places (it is priced exactly)


# --------------------------------------------------------------------------------------------
# parties
# --------------------------------------------------------------------------------------------
def seller_party(books: Books) -> Party:
    """The seller as printed: with phone and website, and for a company where it is registered
    and its registered office (Companies Act 2006 s.82: company number, place of registration
    and registered office on its business letters and order forms)."""
    p = books.practice
    registered_in = office = None
    if p.company_number:
        registered_in = p.registered_in or (REGISTERED_IN.get(p.subdivision or "ENG") if p.country == "GB" else None)
        office = p.registered_office or ", ".join(p.address)
    return Party(p.name, p.address, p.country, p.email, p.vat_number, p.company_number, None, None,
                 p.phone, p.website, registered_in, office)


def buyer_party(c: Client) -> Party:
    return Party(c.name, c.address, c.country, c.email, c.vat_number, None, c.tax_id, c.contact)


def bank_for(books: Books, currency: str) -> Bank:
    """The account an invoice in `currency` asks to be paid into: the account listed for that
    currency, else the one listed with none (the only one, in most books)."""
    p = books.practice
    accounts = p.banks or (p.bank,)
    return next((a for a in accounts if a.currency == currency), None) or \
        next((a for a in accounts if a.currency is None), None) or p.bank


def bank_block(books: Books, currency: str | None = None) -> dict[str, str]:
    """The bank details printed on an invoice in `currency`: its account's fields. An invoice in
    another currency than sterling paid into an account that is not for that currency gets the
    IBAN and BIC only (a sort code is of no use to a payer abroad) when there is an IBAN."""
    b = bank_for(books, currency) if currency else books.practice.bank
    fields = (("account_name", b.account_name), ("bank_name", b.bank_name), ("sort_code", b.sort_code),
              ("account_number", b.account_number), ("routing_number", b.routing_number),
              ("iban", b.iban), ("bic", b.bic))
    out = {k: v for k, v in fields if v}
    if currency and currency != "GBP" and b.currency != currency and b.iban:
        out.pop("sort_code", None)
        out.pop("account_number", None)
    return out


def document_locale(client: Client) -> str:
    """The locale of the client's documents: its `locale`, unless its `language` says another
    language, then that language in the client's country (`de_DE`), or the language alone."""
    from babel import Locale

    if not client.language:
        return client.locale
    try:
        if Locale.parse(client.locale).language == client.language:
            return client.locale
    except (ValueError, LookupError):
        pass
    for candidate in (f"{client.language}_{client.country}", client.language):
        try:
            Locale.parse(candidate)
            return candidate
        except (ValueError, LookupError):
            continue
    return client.locale


def rule_phrase(e: Engagement) -> Phrase:
    """`consult.work.rules.rule_text` as a phrase the theme translates (same words in English)."""
    if e.billing == "daily":
        over = "_overtime" if e.overtime else ""
        return Phrase(f"rule_daily_{e.day_rounding}{over}", (("hours", f"{e.hours_per_day.normalize():f}"),))
    if e.billing == "hourly":
        inc = e.time_increment_minutes
        return Phrase("rule_hourly_increment", (("minutes", str(inc)),)) if inc else Phrase("rule_hourly_minute")
    return Phrase("rule_fixed")


def vat_rule_phrase(rate: Decimal, setting: str) -> Phrase:
    """`consult.core.tax.vat_rule_text` as a phrase."""
    return Phrase("rule_vat_down" if setting == "down" else "rule_vat_half_up", (("rate", f"{rate.normalize():f}"),))


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


def _time_line(w: Work, start: date, end: date, detail: str | None = None) -> InvoiceLine:
    e = w.engagement
    assert e.rate is not None
    q = w.quantity
    if e.billing == "daily":
        unit, per = "day", Fraction(e.hours_per_day) * 60
    else:
        unit, per = "hour", Fraction(60)
    minutes = q * per
    return InvoiceLine(e.title, decimal_of(q), unit, e.rate, e.rate.times_exact(q), "time", e.id, start, end,
                       minutes=_exact(minutes), unit_minutes=_exact(per),
                       detail=detail if detail in ("days", "entries") else None,
                       increment=e.time_increment_minutes if e.billing == "hourly" else None)


def _billed_milestones(invoices: list[Invoice], client: str, engagement: str, currency: str) -> Money:
    """What live invoices have billed of an engagement's milestones (records before version 3
    name no milestones: their milestone lines count)."""
    out = Money.zero(currency)
    for inv in invoices:
        if inv.client != client or inv.currency != currency:
            continue
        if inv.version < 3:
            out += Money.total((ln.net for ln in inv.lines if ln.kind == "milestone" and ln.engagement == engagement),
                               currency)
        else:
            out += Money.total((m.amount for m in inv.milestones if m.engagement == engagement), currency)
    return out


def _milestone_lines(eng: Engagement, w: Work, earlier: Money) -> list[InvoiceLine]:
    """Milestone lines, each saying which of the contract's milestones it is (by due date),
    the contract's value and what is billed of it up to and including this line."""
    order = sorted(eng.milestones, key=lambda m: (m.due, m.name))
    value = Money.total((m.amount for m in eng.milestones), eng.currency)
    out = []
    billed = earlier
    for m in sorted(w.milestones, key=lambda m: (m.due, m.name)):
        billed = billed + m.amount
        note = MilestoneNote(order.index(m) + 1, len(order), value, billed)
        out.append(InvoiceLine(f"{eng.title}: {m.name}", Decimal(1), "item", m.amount, m.amount, "milestone",
                               eng.id, m.due, m.due, milestone=note))
    return out


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
    rule_keys: list[Phrase] = []
    used: list[Engagement] = []
    if books.practice.vat_registered and not client.address:
        raise ConsultError(f"{client.source.path or f'clients/{client.id}/client.yaml'}: address: missing — a VAT "
                           "invoice must show the customer's name and address (VAT Regulations 1995 reg 14(1)(e)); "
                           "add `address: |` with their postal address; nothing was written")
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
            before = _billed_milestones(live(invoices), client.id, eng.id, currency)
            got = _milestone_lines(eng, w, before)
            milestones += [BilledMilestone(eng.id, m.name, m.amount) for m in w.milestones]
        elif w.days:
            got = [_time_line(w, period_start, period_end, eng.invoice_detail or client.invoice_detail)]
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
        rule_keys.append(rule_phrase(eng))
    billed_expenses: list[BilledExpense] = []
    expense_engs: set[str] = set()
    if expenses:
        from consult.vat.blocked import reclaimed_vat

        registered = books.practice.vat_registered
        frs_from = books.practice.vat.flat_rate_start if books.practice.vat.scheme == "flat_rate" else None
        any_reclaimed = False
        wanted: set[str | None] = {e.id for e in engs}
        if engagement is None:
            wanted.add(None)  # expenses of no engagement go on the client's invoice
        for x in unbilled_expenses(books, client.id, billed, period_start, period_end, wanted):
            if x.amount.currency != currency:
                raise ConsultError(f"{x.source}: amount: this rebillable expense is in {x.amount.currency} "
                                   f"but {client.id} is invoiced in {currency}; record what you will "
                                   f"rebill in {currency} (or set rebill: false)")
            # only the VAT the return gets back is left out (consult.vat.blocked.reclaimed_vat): VAT on
            # the Flat Rate Scheme, foreign VAT and blocked VAT (entertainment) are part of the cost
            back = reclaimed_vat(books, x)
            # the rule states the policy: a practice that reclaims VAT at all says so (a zero-rated
            # rail fare reclaims none, yet is rebilled on the same terms)
            any_reclaimed |= registered and (frs_from is None or x.date < frs_from)
            cost = Money(x.amount.amount - back, x.amount.currency)
            lines.append(InvoiceLine(x.note or "Expense", Decimal(1), "item", cost, cost, "expense",
                                     x.engagement, x.date, x.date))
            billed_expenses.append(BilledExpense(x.engagement, x.date, x.amount, x.vat, x.note))
            expense_engs.add(x.engagement or "expenses")
        if expense_engs:
            rules.append("Expenses: rebilled at cost, excluding any VAT reclaimed."
                         if any_reclaimed else "Expenses: rebilled at cost.")
            rule_keys.append(Phrase("rule_expenses_reclaimed" if any_reclaimed else "rule_expenses"))
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
        rule_keys.append(vat_rule_phrase(vat_rate, setting))
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
    late = late_payment_applies(client)
    return Invoice(
        number=None, kind="invoice", client=client.id, issue_date=issued, tax_point=tp,
        supply_start=period_start, supply_end=period_end, due_date=issued + timedelta(days=terms),
        currency=currency, locale=document_locale(client), seller=seller_party(books), buyer=buyer_party(client),
        lines=tuple(lines), net=net, vat=vat, total=net + vat, tax_treatment=tr.name, vat_rate=vat_rate,
        vat_rounding=practice.invoice.vat_rounding, payment_terms_days=terms, bank=bank_block(books, currency),
        po_number=", ".join(pos) or None, buyer_reference=client.buyer_reference,
        tax_note=tr.note, vat_gbp=vat_gbp, gbp_rate=rate, gbp_rate_source=rate_source,
        rules=tuple(rules), notes=(LATE_PAYMENT_NOTE,) if late else (),
        periods=bp, entries=tuple(entries), template=client.template or practice.invoice.template,
        days=tuple(days), milestones=tuple(milestones), expenses=tuple(billed_expenses),
        language=client.language, rule_keys=tuple(rule_keys), note_keys=(LATE_PAYMENT_PHRASE,) if late else (),
    )


@record
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
