"""Money that moved: what cash accounting (VAT Notice 731) and the Flat Rate Scheme's cash
turnover count, in one place.

`money_received(books, invoices, start, end)` answers one question: which money was received
(or paid back) in the period, and which invoice's VAT each part carries. Today the books'
only money movements are payments (`payments.yaml`), each against one invoice; tax the client
withheld at source settles its part of the invoice like money received (the debt is paid, to a
tax authority on the practice's behalf). When the books gain allocations (money on account
moved from one invoice to another), refunds and write-offs, they become more `Receipt`s here —
an allocation a negative part for one invoice and a positive part for another on its date, a
refund a negative part — and every scheme that counts money follows without change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from consult.core.money import Money
from consult.core.records import Books
from consult.errors import ConsultError
from consult.invoices.record import Invoice

ReceiptKind = Literal["payment", "allocation", "refund"]


@dataclass(frozen=True, slots=True)
class Receipt:
    """Money that moved on `date` against one invoice.

    Attributes:
        invoice: the invoice whose VAT this money carries (never a credit note).
        amount: what it settles of that invoice, in the invoice's currency (amount received plus
            tax withheld); negative when money went back.
        kind: payment (allocation and refund: when the books record them).
        source: where it is written (file:line).
    """

    date: date
    invoice: Invoice
    amount: Money
    kind: ReceiptKind
    source: str


def money_received(books: Books, invoices: list[Invoice], start: date, end: date) -> list[Receipt]:
    """Money received against invoices from `start` to `end` inclusive, in date order.

    Raises ConsultError when a payment names no issued invoice or is in another currency than
    its invoice: a VAT return cannot say which VAT such money carries (`consult check` lists it)."""
    by_number = {i.number: i for i in invoices if i.number and not i.is_credit_note}
    out: list[Receipt] = []
    for p in books.payments:
        if not start <= p.date <= end:
            continue
        inv = by_number.get(p.invoice)
        if inv is None:
            raise ConsultError(f"{p.source}: a payment for '{p.invoice}', which was never issued (or is a credit "
                               "note): cash accounting cannot tell which VAT it carries; correct payments.yaml")
        if p.amount.currency != inv.currency:
            raise ConsultError(f"{p.source}: a payment in {p.amount.currency} for {inv.number}, which is in "
                               f"{inv.currency}; record it in {inv.currency} (what it settled)")
        settled = p.amount + p.withheld if p.withheld is not None else p.amount
        out.append(Receipt(p.date, inv, settled, "payment", str(p.source)))
    out.sort(key=lambda r: (r.date, r.invoice.number or "", r.source))
    return out
