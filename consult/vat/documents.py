"""Documents in sterling, and the box entries every scheme shares.

* **Sterling figures** (VAT Regulations reg 14(1)(l); VAT Notice 700 §7.5): a foreign-currency
  invoice that charged UK VAT carries its VAT in sterling and the rate used (`vat_gbp`,
  `gbp_rate`); the return takes that VAT as printed and the net at the same rate. A
  foreign-currency document without a sterling rate (an outside-the-scope or reverse-charge
  sale, a purchase abroad) is converted at HMRC's monthly rate for the month of its date (or the
  ECB rate, when the practice chose `vat.sterling_rate: ecb`). Each amount is rounded once, half
  up, to the penny.
* **Purchases**: an expense counts on its date (the day it was paid). UK VAT paid is input tax
  (box 4) and the rest the purchase's value (box 7) — except VAT that is never input tax
  (business entertainment of anyone but an overseas customer: consult.vat.blocked), which is
  left out of box 4. VAT written on an expense in another
  currency is foreign VAT: it is part of the cost, never UK input tax. Wages, depreciation and
  bad debts are not purchases and stay out of box 7 (VAT Notice 700/12 [S]); a mileage claim is
  not a purchase at all.
* **Reverse charge** (a service bought from a supplier abroad, VAT Notice 741A): the practice
  accounts for the VAT as if it had supplied the service to itself — VAT at the standard rate on
  the sterling value in box 1 and, fully reclaimable for a business making taxable supplies, in
  box 4; the value in box 6 and box 7. It keeps its normal tax point under every scheme (Notice
  731 excludes it from cash accounting; Notice 733 accounts for it outside the flat rate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from consult.core import fx
from consult.core.money import round_money
from consult.core.record import record
from consult.core.records import Books, Expense
from consult.errors import ConsultError
from consult.invoices.record import Invoice
from consult.vat import blocked
from consult.vat.boxes import BoxEntry

NOT_PURCHASES = frozenset({"wagesAndStaffCosts", "depreciation", "irrecoverableDebts"})
ZERO = Decimal(0)


def pence(value: Decimal) -> Decimal:
    """The one rounding step: half up to the penny."""
    return round_money(value, "GBP")


class SterlingRates:
    """The sterling rate of a foreign-currency document, one look-up per currency and month (or
    day, for ECB), naming the document when no rate can be had."""

    def __init__(self, source: str):
        self.source = source
        self._seen: dict[tuple[str, date], tuple[Decimal, str]] = {}

    def rate(self, currency: str, on: date, what: str) -> tuple[Decimal, str]:
        key = (currency, on.replace(day=1) if self.source == "hmrc" else on)
        got = self._seen.get(key)
        if got is None:
            try:
                got = fx.sterling_rate(currency, on, self.source)
            except fx.NoRate as e:
                msg = str(e).replace("; give the rate with --gbp-rate", "").replace(
                    "give a UK market rate with --gbp-rate", "set vat.sterling_rate: ecb in practice.yaml")
                raise ConsultError(f"{what}: no sterling rate for {currency} on {on}: {msg}") from None
            self._seen[key] = got
        return got


@record
class Sterling:
    """A document's net and VAT in sterling, and the rate that made them (None for GBP)."""

    net: Decimal
    vat: Decimal
    rate: Decimal | None = None
    source: str = ""

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat

    def note(self, currency: str) -> str:
        return "" if self.rate is None else f"{currency} at {self.rate:f} ({self.source})"


@dataclass
class Context:
    """What a scheme works from: the books, the issued records, the period, the rates."""

    books: Books
    invoices: list[Invoice]
    start: date
    end: date
    rates: SterlingRates
    notes: list[str] = field(default_factory=list)

    @property
    def vat_rate(self) -> Decimal:
        rate = self.books.practice.invoice.vat_rate
        return rate if rate is not None else Decimal(20)

    def within(self, d: date) -> bool:
        return self.start <= d <= self.end


def invoice_sterling(inv: Invoice, rates: SterlingRates) -> Sterling:
    """The invoice's (or credit note's) net and VAT in sterling, unsigned."""
    if inv.currency == "GBP":
        return Sterling(inv.net.amount, inv.vat.amount)
    if inv.gbp_rate is not None:
        vat = inv.vat_gbp.amount if inv.vat_gbp is not None else pence(inv.vat.amount * inv.gbp_rate)
        return Sterling(pence(inv.net.amount * inv.gbp_rate), vat, inv.gbp_rate,
                        f"the invoice's own rate: {inv.gbp_rate_source or 'as printed'}")
    rate, source = rates.rate(inv.currency, inv.tax_point, f"{inv.title.lower()} {inv.number}")
    return Sterling(pence(inv.net.amount * rate), pence(inv.vat.amount * rate), rate, source)


def charges_uk_vat(inv: Invoice) -> bool:
    return inv.tax_treatment == "standard"


def expense_sterling(x: Expense, rates: SterlingRates) -> Sterling:
    """An expense's value and UK input VAT in sterling (`net` = amount less UK VAT)."""
    if x.amount.currency == "GBP":
        vat = x.vat.amount if x.vat is not None else ZERO
        return Sterling(x.amount.amount - vat, vat)
    rate, source = rates.rate(x.amount.currency, x.date, f"{x.source}")
    return Sterling(pence(x.amount.amount * rate), ZERO, rate, source)


def party_of(books: Books, client: str) -> str:
    c = books.clients.get(client)
    return c.name if c is not None else client


def expense_party(x: Expense) -> str:
    return x.supplier or x.note or ("practice cost" if x.practice_cost else x.client)


def purchases(ctx: Context) -> list[Expense]:
    """Expenses paid in the period that are purchases (not mileage claims), in date order."""
    return sorted((x for x in ctx.books.expenses if ctx.within(x.date) and x.miles is None),
                  key=lambda x: (x.date, x.source.path, x.source.line or 0))


def reverse_charge_entry(ctx: Context, x: Expense) -> BoxEntry:
    """A service bought from abroad: VAT accounted both ways (boxes 1 and 4), value in 6 and 7."""
    s = expense_sterling(x, ctx.rates)
    vat = pence(s.net * ctx.vat_rate / 100)
    note = f"reverse charge: {ctx.vat_rate.normalize():f}% of £{s.net:,.2f} due and reclaimed"
    if s.rate is not None:
        note += f"; {s.note(x.amount.currency)}"
    return BoxEntry(x.date, "reverse_charge", str(x.source), expense_party(x), {1: vat, 4: vat, 6: s.net, 7: s.net},
                    note)


def purchase_entry(ctx: Context, x: Expense) -> BoxEntry | None:
    """A purchase under normal VAT accounting: UK VAT paid in box 4, the value in box 7."""
    if x.reverse_charge:
        return reverse_charge_entry(ctx, x)
    s = expense_sterling(x, ctx.rates)
    notes = []
    boxes = {}
    if s.vat and (why := blocked.blocked(ctx.books, x)) is not None:
        notes.append(f"£{s.vat:,.2f} VAT not reclaimed — {why}")
    elif s.vat:
        boxes[4] = s.vat
        if (condition := blocked.note(ctx.books, x)) is not None:
            notes.append(condition)
    if x.category in NOT_PURCHASES:
        notes.append(f"{x.category}: not a purchase, so not in box 7")
    else:
        boxes[7] = s.net
    if s.rate is not None:
        notes.append(s.note(x.amount.currency))
        if x.vat is not None and x.vat.amount:
            notes.append(f"the {x.vat.currency} VAT on it is foreign VAT: part of the cost, not UK input tax")
    if not boxes:
        return None
    return BoxEntry(x.date, "capital" if x.capital else "expense", str(x.source), expense_party(x), boxes,
                    "; ".join(notes))
