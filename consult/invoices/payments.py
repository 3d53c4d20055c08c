"""Money received against invoices: `payments.yaml` in each client's folder (append-only).

`record_payment` appends one line under the books lock, after reading — under the same lock —
everything that decides whether it may: the invoice, its credit notes and the payments so far.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from consult.core.money import Money
from consult.core.records import Payment
from consult.errors import ConflictError, Source, UsageError
from consult.invoices.store import find_invoice, load_invoices


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
    from consult.books.loader import open_books
    from consult.books.lock import books_lock
    from consult.books.store import append_text
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
        books = open_books(root, timesheets=False)
        books.client(inv.client)  # a record of a client no longer in the books (a renamed folder): refused
        if fx_rate is not None and fx_rate <= 0:
            raise UsageError(f"--fx-rate: {fx_rate} is not a rate; give the base-currency units your bank gave "
                             "per 1 unit received, more than zero")
        if withheld is not None and withheld < 0:
            raise UsageError(f"--withheld: {withheld} is below zero; give the tax the client kept back")
        pays = [p for p in books.payments if p.invoice == number]
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
