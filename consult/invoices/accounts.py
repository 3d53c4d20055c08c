"""Where each issued invoice stands: invoiced − credited − received − withheld = outstanding.

Status is derived here and nowhere else, from the frozen records, the payments file and the
date asked about; it is never stored. Invoices, `consult invoice list`, `overdue`, earnings and
receivables all read the same `Account`, so every listing shows the same outstanding figure.

Rules (written down because they are choices):

* A credit note reduces the invoice it `credits`; it is not itself an account.
* A payment with tax withheld at source (`withheld`, e.g. Indian TDS) settles the withheld part
  too: the client paid it to the tax authority on the consultant's behalf.
* Payments are in the invoice's currency (the loader reads them in the client's currency and
  `reconcile` reports one in another currency); an overpayment leaves a negative outstanding,
  shown as such rather than hidden.
* Status, in order: `credited` (credit notes cover the whole total), `paid` (nothing
  outstanding), `overdue` (something outstanding and `as_of` is after the due date),
  `part-paid` (something received), else `unpaid`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from consult.core.money import Money
from consult.core.records import Payment
from consult.errors import Problem
from consult.invoices.record import Invoice

STATUSES = ("unpaid", "part-paid", "paid", "overdue", "credited")


@dataclass(frozen=True, slots=True)
class Account:
    """One invoice and everything settled against it, as of a date."""

    invoice: Invoice
    credited: Money
    received: Money
    withheld: Money
    outstanding: Money
    status: str
    days_late: int
    payments: tuple[Payment, ...]
    credit_notes: tuple[Invoice, ...]

    @property
    def number(self) -> str:
        return self.invoice.number or ""

    @property
    def last_paid(self) -> date | None:
        return max((p.date for p in self.payments), default=None)


def account(inv: Invoice, payments: Iterable[Payment], credit_notes: Iterable[Invoice], as_of: date) -> Account:
    """The account of one invoice as of `as_of` (payments and credit notes dated later are ignored)."""
    cur = inv.currency
    pays = tuple(sorted((p for p in payments if p.date <= as_of and p.amount.currency == cur), key=lambda p: p.date))
    cns = tuple(c for c in credit_notes if c.issue_date <= as_of and c.currency == cur)
    credited = Money.total((c.total for c in cns), cur)
    received = Money.total((p.amount for p in pays), cur)
    withheld = Money.total((p.withheld for p in pays if p.withheld is not None), cur)
    outstanding = inv.total - credited - received - withheld
    days_late = max(0, (as_of - inv.due_date).days) if outstanding.amount > 0 else 0
    if cns and credited >= inv.total:
        status = "credited"
    elif outstanding.amount <= 0:
        status = "paid"
    elif as_of > inv.due_date:
        status = "overdue"
    elif pays:
        status = "part-paid"
    else:
        status = "unpaid"
    return Account(inv, credited, received, withheld, outstanding, status, days_late, pays, cns)


def accounts(invoices: Iterable[Invoice], payments: Iterable[Payment], as_of: date) -> list[Account]:
    """The account of every invoice issued on or before `as_of` (credit notes fold into theirs)."""
    invs = [i for i in invoices if i.issue_date <= as_of]
    by_number: dict[str, list[Payment]] = defaultdict(list)
    for p in payments:
        by_number[p.invoice].append(p)
    cns: dict[str, list[Invoice]] = defaultdict(list)
    for i in invs:
        if i.is_credit_note and i.credits:
            cns[i.credits].append(i)
    return [account(i, by_number.get(i.number or "", ()), cns.get(i.number or "", ()), as_of)
            for i in sorted(invs, key=lambda i: (i.issue_date, i.number or ""))
            if not i.is_credit_note]


def reconcile(invoices: Iterable[Invoice], payments: Iterable[Payment]) -> list[Problem]:
    """Payments that point at no invoice, at another client's invoice or in another currency."""
    known = {i.number: i for i in invoices if i.number}
    out: list[Problem] = []
    for p in payments:
        inv = known.get(p.invoice)
        if inv is None:
            hint = ", ".join(sorted(n for n, i in known.items() if i.client == p.client)[-3:]) or "none issued"
            out.append(Problem(p.source, "invoice",
                               f"payment for '{p.invoice}', but no such invoice was issued "
                               f"(this client's latest: {hint})"))
        elif inv.client != p.client:
            out.append(Problem(p.source, "invoice",
                               f"{p.invoice} was issued to '{inv.client}', not '{p.client}': "
                               f"record the payment in clients/{inv.client}/payments.yaml"))
        elif p.amount.currency != inv.currency:
            out.append(Problem(p.source, "currency",
                               f"{p.invoice} is in {inv.currency} but this payment is in "
                               f"{p.amount.currency}: record the amount received in {inv.currency} "
                               "and the conversion in `fx_rate`"))
    return out
