"""Money that moved: what cash accounting (VAT Notice 731) and the Flat Rate Scheme's cash
turnover count, in one place.

`money_received(books, invoices, start, end)` answers one question: which money was received
(or paid back) in the period, and which invoice's VAT each part carries. Payments
(`payments.yaml`) count on the day received, tax the client withheld at source settling its
part of the invoice like money received (the debt is paid, to a tax authority on the practice's
behalf); an allocation of money on account (`allocations.yaml`) is a negative part for the
invoice it leaves and a positive part for the one it settles, on its date; a refund
(`refunds.yaml`) a negative part. Write-offs are no money and are not here. The receipts
themselves are `consult.invoices.accounts.receipts`, which cash-basis earnings read too.
"""

from __future__ import annotations

from datetime import date

from consult.core.records import Books
from consult.errors import ConsultError
from consult.invoices.accounts import Moves, Receipt, receipts, reconcile
from consult.invoices.record import Invoice

__all__ = ["Receipt", "money_received"]

def money_received(books: Books, invoices: list[Invoice], start: date, end: date) -> list[Receipt]:
    """Money received (or paid back, or moved between invoices) from `start` to `end`
    inclusive, in date order, each part with the invoice whose VAT it carries
    (consult.invoices.accounts.receipts).

    Raises ConsultError when money in the period names no issued invoice or is in another
    currency than its invoice: a VAT return cannot say which VAT such money carries (`consult
    check` lists it)."""
    moves = Moves.of(books)
    inside = Moves(tuple(p for p in moves.payments if start <= p.date <= end),
                   tuple(a for a in moves.allocations if start <= a.date <= end),
                   tuple(r for r in moves.refunds if start <= r.date <= end), ())
    problems = reconcile(invoices, inside.payments, inside)
    if problems:
        p = problems[0]
        raise ConsultError(f"{p.source}: {p.message} — cash accounting cannot tell which VAT this money carries; "
                           "correct it first")
    return receipts(invoices, moves, start, end)
