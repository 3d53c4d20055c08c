"""Credit notes: correcting an issued invoice, to the penny.

An issued invoice is never edited; a credit note reduces it. Rules (VAT Notice 700 §18.2 asks
that a credit note show the number and date of the invoice it corrects, and the credited
amounts and VAT):

* **Never more than was charged.** The credit notes of an invoice never credit more net or
  more VAT than the invoice charged.
* **A partial credit** of a net amount carries VAT at the invoice's rate, rounded as the invoice
  was — but never more than the VAT still uncredited; crediting exactly the net that remains
  credits exactly the VAT that remains. So two credits of £500.02 on £1,000.04 + £200.01 VAT
  credit £100.00 and then £100.01: the invoice is cleared to the penny.
* **VAT in sterling** (an invoice in another currency that charged UK VAT) follows the same
  rule: a credit's sterling VAT is its VAT converted at the invoice's own rate, capped at the
  sterling VAT still uncredited, and a credit that takes all the VAT that remains takes all the
  sterling VAT that remains. Every figure is split this way — net, VAT, VAT in sterling — so
  the credit notes of an invoice add up to at most what it carried, and to exactly that once
  it is credited in full (two halves of €2,433.52 VAT, £2,039.83 in sterling, carry £1,019.92
  and £1,019.91, not £1,019.92 twice).
* **A full credit** (no amount) credits whatever remains: on an invoice not credited before it
  mirrors the invoice exactly.
* A credit note is dated on or after its invoice, names it and its date, and has no due date.
* **In the original's terms.** A full credit of an invoice not credited before repeats its
  lines (description, quantity, unit, price, net); a partial credit that is a whole number of
  one line's units (or an exact part of one) is that line with the quantity credited (£1,300.00
  of a line at £650.00 a day is 2 days × £650.00); any other credit is one line with its reason.
* It shows the invoice's total, what was credited before, and the balance of the invoice
  after it (amounts invoiced and credited; payments are the accounts' business).
* It is drawn in the invoice's language and theme.

Crediting an invoice in full releases its work to be billed again (consult.invoices.billed).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from consult.core.money import Money
from consult.core.records import Books
from consult.core.tax import vat_on
from consult.errors import ConflictError, UsageError
from consult.invoices.build import buyer_party, seller_party
from consult.invoices.issue import Issued, Renderer, issue
from consult.invoices.record import RECORD_VERSION, Invoice, InvoiceLine
from consult.invoices.store import find_invoice


def credited_so_far(invoices: list[Invoice], number: str, currency: str) -> tuple[Money, Money]:
    """(net, VAT) the credit notes of invoice `number` have credited."""
    cns = [i for i in invoices if i.is_credit_note and i.credits == number]
    return (Money.total((c.net for c in cns), currency), Money.total((c.vat for c in cns), currency))


def sterling_vat_credited(invoices: list[Invoice], number: str) -> Money:
    """The VAT in sterling the credit notes of invoice `number` have credited."""
    return Money.total((c.vat_gbp for c in invoices
                        if c.is_credit_note and c.credits == number and c.vat_gbp is not None), "GBP")


def sterling_vat(inv: Invoice, invoices: list[Invoice], vat: Money, left_vat: Money) -> Money | None:
    """A credit's VAT in sterling (None when the invoice shows none): its VAT at the invoice's
    own rate, never more than the sterling VAT still uncredited, and all of that when the
    credit takes all the VAT that remains (see the module docstring)."""
    if inv.gbp_rate is None or inv.vat_gbp is None:
        return None
    left = max(inv.vat_gbp - sterling_vat_credited(invoices, inv.number or ""), Money.zero("GBP"))
    if vat == left_vat:
        return left
    return min(vat.convert(inv.gbp_rate, "GBP"), left)


def credit_lines(inv: Invoice, net: Money, reason: str, whole: bool) -> tuple[InvoiceLine, ...]:
    """The credited lines in the invoice's terms (see the module docstring)."""
    if whole:
        return tuple(replace(ln, detail=None, milestone=None) for ln in inv.lines)
    for ln in inv.lines:
        if ln.unit_price.amount <= 0 or net > ln.net:
            continue
        q = net.amount / ln.unit_price.amount
        exact = q.quantize(Decimal("0.000001"))
        if q == exact and 0 < q <= ln.quantity and ln.unit_price.times_exact(Fraction(exact)) == net:
            qty = exact.normalize()
            return (InvoiceLine(ln.description, qty.quantize(Decimal("0.1")) if qty == qty.to_integral_value() else qty,
                                ln.unit, ln.unit_price, net, ln.kind, ln.engagement, ln.period_start, ln.period_end,
                                ln.vat_rate),)
    return (InvoiceLine(reason, Decimal(1), "item", net, net, "credit", None, inv.supply_start, inv.supply_end,
                        inv.vat_rate),)


def build_credit_note(books: Books, invoices: list[Invoice], number: str, *, reason: str,
                      issued: date, amount: Decimal | None = None) -> Invoice:
    """A draft credit note for invoice `number`: `amount` net of VAT, or everything left."""
    if not reason or not reason.strip():
        raise UsageError("--reason: say why the invoice is credited (it is printed on the credit note)")
    inv = find_invoice(invoices, number)
    number = inv.number or number
    if inv.is_credit_note:
        raise UsageError(f"{number} is a credit note; credit the invoice it corrects ({inv.credits})")
    if issued < inv.issue_date:
        raise UsageError(f"the credit note date {issued} is before {number} was issued ({inv.issue_date})")
    cur = inv.currency
    done_net, done_vat = credited_so_far(invoices, number, cur)
    left_net, left_vat = inv.net - done_net, inv.vat - done_vat
    if left_net.amount <= 0 and left_vat.amount <= 0:
        raise ConflictError(f"{number} is credited in full already; there is nothing left to credit")
    if amount is None:
        net, vat = left_net, left_vat
    else:
        try:
            net = Money.of(amount, cur)
        except ValueError as e:
            raise UsageError(f"--amount: {e}") from None
        if net.amount <= 0:
            raise UsageError("--amount: give a positive amount to credit (net of VAT)")
        if net > left_net:
            raise ConflictError(f"crediting {net.format(inv.locale)} net would credit more than {number} charged: "
                                f"{left_net.format(inv.locale)} net is left to credit")
        if net == left_net:
            vat = left_vat
        else:
            vat = vat_on(net, inv.vat_rate, inv.vat_rounding) if inv.tax_treatment == "standard" \
                else Money.zero(cur)
            vat = min(vat, left_vat)
    total = net + vat
    vat_gbp = sterling_vat(inv, invoices, vat, left_vat)
    whole = not done_net and not done_vat and net == inv.net and vat == inv.vat
    lines = credit_lines(inv, net, reason.strip(), whole)
    client = books.client(inv.client)
    done_total = done_net + done_vat
    return replace(inv, number=None, kind="credit_note", issue_date=issued, tax_point=issued, due_date=issued,
                   seller=seller_party(books), buyer=buyer_party(client), lines=lines, net=net, vat=vat,
                   total=total, credits=number, credits_date=inv.issue_date, reason=reason.strip(),
                   vat_gbp=vat_gbp, rules=(), notes=(), periods=(), entries=(), days=(), milestones=(),
                   expenses=(), theme=None, rule_keys=(), note_keys=(), invoice_total=inv.total,
                   credited_before=done_total, balance_after=inv.total - done_total - total,
                   version=RECORD_VERSION)


def credit_invoice(root: Path, number: str, *, reason: str, issued: date, amount: Decimal | None = None,
                   render: Renderer | None = None) -> Issued:
    """Build and issue a credit note under the books lock: what was credited before is read
    under it, so credit notes issued at once can never together credit more than the invoice."""
    from consult.books.loader import open_books
    from consult.books.lock import books_lock
    from consult.invoices.store import load_invoices

    with books_lock(root):
        books = open_books(root, timesheets=False)
        invoices, _ = load_invoices(root)
        draft = build_credit_note(books, invoices, number, reason=reason, issued=issued, amount=amount)
        return issue(books, draft, render)
