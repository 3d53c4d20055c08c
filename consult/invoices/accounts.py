"""The client account: what each invoice, and each client, owes — derived, never stored.

Every money event of a client is in the books: invoices and credit notes (issued records),
payments (`payments.yaml`), allocations of money on account (`allocations.yaml`), refunds
(`refunds.yaml`) and write-offs (`writeoffs.yaml`). For each invoice, as of a date:

    outstanding = total − credited − received − withheld − written off
                  − allocated to it + allocated from it + refunded from it

and a client owes the sum over its invoices, per currency. Negative means money on account:
the client has paid more than it owes on that invoice (an overpayment, or a payment left on an
invoice later credited) — money that can be allocated to another invoice or paid back. Every
listing (`invoice list`, `client statement`, `earnings receivables`, `invoice overdue`,
cash-basis earnings, cash accounting VAT, `consult check`) reads these accounts, so they all
agree on what is owed.

Rules written down because they are choices:

* A credit note reduces the invoice it credits; it is not itself an account. An allocation or
  refund "from" a credit note takes the credit it left on that invoice.
* Tax withheld at source by the client (Indian TDS) settles its part: the client paid it to a
  tax authority on the practice's behalf.
* Money moves in one currency: a payment, allocation, refund or write-off is in its
  invoice's currency (`reconcile` reports one that is not, and it is left out).
* Status, in order: `credited` (credit notes cover the whole total), `paid` (nothing
  outstanding), `overdue` (something outstanding after the due date), `part-paid` (money
  received or allocated to it), else `unpaid`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from consult.core.money import Money
from consult.core.records import Allocation, Books, Payment, Refund, WriteOff
from consult.errors import Problem
from consult.invoices.record import Invoice

STATUSES = ("unpaid", "part-paid", "paid", "overdue", "credited")
EventKind = Literal["invoice", "credit_note", "payment", "withheld", "allocation_in", "allocation_out",
                    "refund", "writeoff"]


@dataclass(frozen=True, slots=True)
class Moves:
    """The money moves of the books (everything but the issued documents)."""

    payments: tuple[Payment, ...] = ()
    allocations: tuple[Allocation, ...] = ()
    refunds: tuple[Refund, ...] = ()
    writeoffs: tuple[WriteOff, ...] = ()

    @classmethod
    def of(cls, books: Books) -> Moves:
        return cls(books.payments, books.allocations, books.refunds, books.writeoffs)


@dataclass(frozen=True, slots=True)
class Event:
    """One change to what an invoice is owed: `amount` adds to what the client owes (an
    invoice) or takes from it (negative: a payment, a credit)."""

    date: date
    kind: EventKind
    ref: str            # the document or file:line it comes from
    amount: Money
    note: str = ""


@dataclass(frozen=True, slots=True)
class Account:
    """One invoice and everything settled against it, as of a date."""

    invoice: Invoice
    credited: Money
    received: Money
    withheld: Money
    written_off: Money
    allocated_in: Money
    allocated_out: Money
    refunded: Money
    outstanding: Money
    status: str
    days_late: int
    payments: tuple[Payment, ...]
    credit_notes: tuple[Invoice, ...]
    events: tuple[Event, ...] = field(default=())

    @property
    def number(self) -> str:
        return self.invoice.number or ""

    @property
    def last_paid(self) -> date | None:
        return max((p.date for p in self.payments), default=None)

    @property
    def settled_on(self) -> date | None:
        """The day the balance first fell to nothing (None while something is owed)."""
        balance = self.invoice.total.amount
        for e in self.events:
            if e.kind == "invoice":
                continue
            balance += e.amount.amount
            if balance <= 0:
                return e.date
        return None

    @property
    def on_account(self) -> Money:
        """Money the client has on account on this invoice (0 when it owes)."""
        return -self.outstanding if self.outstanding.amount < 0 else Money.zero(self.invoice.currency)


def _doc_invoice(number: str, by_number: dict[str, Invoice]) -> str:
    """The invoice a document number stands for: itself, or the invoice a credit note credits."""
    doc = by_number.get(number)
    if doc is not None and doc.is_credit_note and doc.credits:
        return doc.credits
    return number


def events_of(invoices: Sequence[Invoice], moves: Moves) -> dict[str, list[Event]]:
    """Invoice number -> its events, in date order (credit notes folded into their invoice)."""
    by_number = {i.number: i for i in invoices if i.number}
    out: dict[str, list[Event]] = defaultdict(list)

    def add(number: str, e: Event) -> None:
        inv = by_number.get(number)
        if inv is not None and not inv.is_credit_note and e.amount.currency == inv.currency:
            out[number].append(e)

    for i in invoices:
        if not i.number:
            continue
        if i.is_credit_note:
            if i.credits:
                add(i.credits, Event(i.issue_date, "credit_note", i.number, -i.total, i.reason or ""))
        else:
            add(i.number, Event(i.issue_date, "invoice", i.number, i.total))
    for p in moves.payments:
        add(p.invoice, Event(p.date, "payment", str(p.source), -p.amount, p.note or ""))
        if p.withheld is not None and p.withheld.amount:
            add(p.invoice, Event(p.date, "withheld", str(p.source), -p.withheld, "tax withheld at source"))
    for a in moves.allocations:
        src = _doc_invoice(a.source_doc, by_number)
        add(src, Event(a.date, "allocation_out", str(a.source), a.amount, f"to {a.invoice}"))
        add(a.invoice, Event(a.date, "allocation_in", str(a.source), -a.amount, f"from {a.source_doc}"))
    for r in moves.refunds:
        add(_doc_invoice(r.source_doc, by_number), Event(r.date, "refund", str(r.source), r.amount, r.note or ""))
    for w in moves.writeoffs:
        add(w.invoice, Event(w.date, "writeoff", str(w.source), -w.amount, w.reason))
    order = {"invoice": 0, "credit_note": 1, "payment": 2, "withheld": 2, "allocation_in": 3, "allocation_out": 3,
             "refund": 4, "writeoff": 5}
    for evs in out.values():
        evs.sort(key=lambda e: (e.date, order[e.kind]))
    return out


def _account(inv: Invoice, evs: Sequence[Event], payments: Sequence[Payment], cns: Sequence[Invoice],
             as_of: date) -> Account:
    cur = inv.currency
    upto = tuple(e for e in evs if e.date <= as_of and e.kind != "invoice")

    def total(*kinds: str) -> Money:
        return Money.total((e.amount for e in upto if e.kind in kinds), cur)

    credited = -total("credit_note")
    received = -total("payment")
    withheld = -total("withheld")
    written_off = -total("writeoff")
    allocated_in = -total("allocation_in")
    allocated_out = total("allocation_out")
    refunded = total("refund")
    outstanding = inv.total + Money.total((e.amount for e in upto), cur)
    days_late = max(0, (as_of - inv.due_date).days) if outstanding.amount > 0 else 0
    pays = tuple(sorted((p for p in payments if p.date <= as_of and p.amount.currency == cur), key=lambda p: p.date))
    mine = tuple(c for c in cns if c.issue_date <= as_of and c.currency == cur)
    if mine and credited >= inv.total:
        status = "credited"
    elif outstanding.amount <= 0:
        status = "paid"
    elif as_of > inv.due_date:
        status = "overdue"
    elif any(e.kind in ("payment", "withheld", "allocation_in") for e in upto):
        status = "part-paid"
    else:
        status = "unpaid"
    return Account(inv, credited, received, withheld, written_off, allocated_in, allocated_out, refunded,
                   outstanding, status, days_late, pays, mine,
                   (Event(inv.issue_date, "invoice", inv.number or "", inv.total), *upto))


def accounts(invoices: Iterable[Invoice], moves: Moves | Iterable[Payment], as_of: date) -> list[Account]:
    """The account of every invoice issued on or before `as_of`, oldest first (credit notes
    fold into theirs). `moves` may be bare payments (books with no allocations)."""
    if not isinstance(moves, Moves):
        moves = Moves(tuple(moves))
    invs = [i for i in invoices if i.issue_date <= as_of]
    evs = events_of(invs, moves)
    by_number: dict[str, list[Payment]] = defaultdict(list)
    for p in moves.payments:
        by_number[p.invoice].append(p)
    cns: dict[str, list[Invoice]] = defaultdict(list)
    for i in invs:
        if i.is_credit_note and i.credits:
            cns[i.credits].append(i)
    return [_account(i, evs.get(i.number or "", []), by_number.get(i.number or "", []), cns.get(i.number or "", []),
                     as_of)
            for i in sorted(invs, key=lambda i: (i.issue_date, i.number or "")) if not i.is_credit_note]


def account(inv: Invoice, payments: Iterable[Payment], credit_notes: Iterable[Invoice], as_of: date,
            moves: Moves | None = None) -> Account:
    """The account of one invoice as of `as_of`."""
    m = moves or Moves(tuple(payments))
    cns = list(credit_notes)
    evs = events_of([inv, *cns], m).get(inv.number or "", [])
    return _account(inv, evs, [p for p in m.payments if p.invoice == inv.number], cns, as_of)


def available_credit(number: str, invoices: Sequence[Invoice], moves: Moves) -> tuple[Invoice, Money]:
    """(the invoice holding it, money on account) behind document `number` — an invoice, or a
    credit note whose credit sits on the invoice it credits — with everything recorded so far."""
    by_number = {i.number: i for i in invoices if i.number}
    target = by_number[_doc_invoice(number, by_number)]
    (acct,) = [a for a in accounts(invoices, moves, date.max) if a.number == target.number]
    return target, acct.on_account


# ------------------------------------------------------------------------------------------
# money received, for cash-basis figures
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Receipt:
    """Money that moved on `date` and which invoice's VAT it carries: a payment (with tax
    withheld), money allocated to or from an invoice, a refund (negative). Cash-basis earnings
    and cash accounting VAT count these, so money moved from a credited invoice to its
    replacement carries the replacement's VAT from the day it moved."""

    date: date
    invoice: Invoice
    amount: Money
    withheld: Money
    kind: Literal["payment", "allocation", "refund"]
    source: str
    fx_rate: Decimal | None = None  # the payment's recorded rate, when it has one


def receipts(invoices: Sequence[Invoice], moves: Moves, start: date, end: date) -> list[Receipt]:
    """Every receipt dated from `start` to `end`, in date order. Money that names no issued
    invoice, or is in another currency than its invoice, is left out (`reconcile` reports it)."""
    by_number = {i.number: i for i in invoices if i.number}
    out: list[Receipt] = []

    def inv_of(number: str) -> Invoice | None:
        inv = by_number.get(_doc_invoice(number, by_number))
        return inv if inv is not None and not inv.is_credit_note else None

    for p in moves.payments:
        inv = inv_of(p.invoice)
        if start <= p.date <= end and inv is not None and p.amount.currency == inv.currency:
            held = p.withheld if p.withheld is not None else Money.zero(inv.currency)
            out.append(Receipt(p.date, inv, p.amount + held, held, "payment", str(p.source), p.fx_rate))
    for a in moves.allocations:
        src, dst = inv_of(a.source_doc), inv_of(a.invoice)
        if start <= a.date <= end and src is not None and dst is not None and a.amount.currency == dst.currency:
            zero = Money.zero(a.amount.currency)
            out.append(Receipt(a.date, src, -a.amount, zero, "allocation", str(a.source)))
            out.append(Receipt(a.date, dst, a.amount, zero, "allocation", str(a.source)))
    for r in moves.refunds:
        inv = inv_of(r.source_doc)
        if start <= r.date <= end and inv is not None and r.amount.currency == inv.currency:
            out.append(Receipt(r.date, inv, -r.amount, Money.zero(inv.currency), "refund", str(r.source), r.fx_rate))
    out.sort(key=lambda r: (r.date, r.invoice.number or "", r.source))
    return out


# ------------------------------------------------------------------------------------------
# checks
# ------------------------------------------------------------------------------------------
def reconcile(invoices: Iterable[Invoice], payments: Iterable[Payment], moves: Moves | None = None) -> list[Problem]:
    """Money that points at no invoice, at another client's invoice or in another currency."""
    known = {i.number: i for i in invoices if i.number}
    out: list[Problem] = []

    def check(number: str, client: str, cur: str, src: object, field_: str, what: str,
              kinds: str = "invoice or credit note") -> None:
        from consult.errors import Source

        source = src if isinstance(src, Source) else Source(str(src))
        inv = known.get(number)
        if inv is None:
            hint = ", ".join(sorted(n for n, i in known.items() if i.client == client)[-3:]) or "none issued"
            out.append(Problem(source, field_, f"{what} '{number}', but no such {kinds} was issued "
                                               f"(this client's latest: {hint})"))
        elif inv.client != client:
            file = {"payment for": "payments.yaml", "write-off of": "writeoffs.yaml",
                    "refund from": "refunds.yaml"}.get(what, "allocations.yaml")
            noun = what.split()[0].replace("-", "")
            out.append(Problem(source, field_, f"{number} was issued to '{inv.client}', not '{client}': "
                                               f"record the {noun} in clients/{inv.client}/{file}"))
        elif cur != inv.currency:
            out.append(Problem(source, "currency", f"{number} is in {inv.currency} but this is in {cur}: record the "
                                                   f"amount in {inv.currency} and the conversion in `fx_rate`"))

    for p in payments:
        check(p.invoice, p.client, p.amount.currency, p.source, "invoice", "payment for", "invoice")
    if moves is not None:
        for a in moves.allocations:
            check(a.source_doc, a.client, a.amount.currency, a.source, "from", "allocation from")
            check(a.invoice, a.client, a.amount.currency, a.source, "to", "allocation to", "invoice")
        for r in moves.refunds:
            check(r.source_doc, r.client, r.amount.currency, r.source, "from", "refund from")
        for w in moves.writeoffs:
            check(w.invoice, w.client, w.amount.currency, w.source, "invoice", "write-off of", "invoice")
    return out
