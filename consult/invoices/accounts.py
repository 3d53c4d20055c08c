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
* Money on account moves only between one client's invoices. An allocation counts at both ends
  or at neither: one that names a document not issued, a credit note as where the money goes,
  another client's document or another currency moves nothing anywhere (`reconcile` reports it
  as an error), so no listing takes money from one invoice and loses it. A refund out of
  another client's document, or in another currency, is left out the same way.
* Money leaves an invoice only when it is there: an allocation or refund dated D takes at most
  what the invoice holds on account at the end of D *and of every later day* (`holding`), so a
  move dated before the money came, or one that would make a later-dated move overdraw, is
  refused by the commands and reported by `consult check` (`overdrawn`).
* Status, in order: `credited` (credit notes cover the whole total), `paid` (nothing
  outstanding), `overdue` (something outstanding after the due date), `part-paid` (money
  received or allocated to it), else `unpaid`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Literal

from consult.core.money import Money
from consult.core.record import record
from consult.core.records import Allocation, Books, Payment, Refund, WriteOff
from consult.errors import Problem, Severity, Source
from consult.invoices.record import Invoice

STATUSES = ("unpaid", "part-paid", "paid", "overdue", "credited")
EventKind = Literal["invoice", "credit_note", "payment", "withheld", "allocation_in", "allocation_out",
                    "refund", "writeoff"]


@record
class Moves:
    """The money moves of the books (everything but the issued documents)."""

    payments: tuple[Payment, ...] = ()
    allocations: tuple[Allocation, ...] = ()
    refunds: tuple[Refund, ...] = ()
    writeoffs: tuple[WriteOff, ...] = ()

    @classmethod
    def of(cls, books: Books) -> Moves:
        return cls(books.payments, books.allocations, books.refunds, books.writeoffs)


@record
class Event:
    """One change to what an invoice is owed: `amount` adds to what the client owes (an
    invoice) or takes from it (negative: a payment, a credit)."""

    date: date
    kind: EventKind
    ref: str            # the document or file:line it comes from
    amount: Money
    note: str = ""


@record
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


_ORDER = {"invoice": 0, "credit_note": 1, "payment": 2, "withheld": 2, "allocation_in": 3, "allocation_out": 3,
          "refund": 4, "writeoff": 5}
MOVES_OUT = ("allocation_out", "refund")


def _in_order(evs: Iterable[Event]) -> list[Event]:
    return sorted(evs, key=lambda e: (e.date, _ORDER[e.kind]))


def allocation_ends(a: Allocation, by_number: dict[str, Invoice]) -> tuple[Invoice, Invoice] | None:
    """(the invoice the money leaves, the invoice it settles) when allocation `a` can move money:
    both documents issued, to an invoice (not a credit note), both the client's own and in the
    allocation's currency, and two different invoices. Otherwise None: it moves nothing, at
    either end (`reconcile` says why)."""
    src_doc, dst = by_number.get(a.source_doc), by_number.get(a.invoice)
    if src_doc is None or dst is None or dst.is_credit_note:
        return None
    src = by_number.get(_doc_invoice(a.source_doc, by_number))
    if src is None or src.is_credit_note or src.number == dst.number:
        return None
    if {src_doc.client, src.client, dst.client} != {a.client}:
        return None
    if src.currency != a.amount.currency or dst.currency != a.amount.currency:
        return None
    return src, dst


def refund_holder(r: Refund, by_number: dict[str, Invoice]) -> Invoice | None:
    """The invoice a refund takes money from (a credit note's: the invoice it credits), when it
    is the client's own and in the refund's currency; else None (it is left out)."""
    doc = by_number.get(r.source_doc)
    inv = by_number.get(_doc_invoice(r.source_doc, by_number))
    if doc is None or inv is None or inv.is_credit_note:
        return None
    if doc.client != r.client or inv.client != r.client or inv.currency != r.amount.currency:
        return None
    return inv


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
        ends = allocation_ends(a, by_number)
        if ends is not None:
            src, dst = ends
            out[src.number or ""].append(Event(a.date, "allocation_out", str(a.source), a.amount, f"to {a.invoice}"))
            out[dst.number or ""].append(Event(a.date, "allocation_in", str(a.source), -a.amount,
                                               f"from {a.source_doc}"))
    for r in moves.refunds:
        holder = refund_holder(r, by_number)
        if holder is not None:
            out[holder.number or ""].append(Event(r.date, "refund", str(r.source), r.amount, r.note or ""))
    for w in moves.writeoffs:
        add(w.invoice, Event(w.date, "writeoff", str(w.source), -w.amount, w.reason))
    for number in out:
        out[number] = _in_order(out[number])
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
    """The account of one invoice as of `as_of`, from its payments, credit notes and
    write-offs (an allocation counts only between documents given: pass them to `accounts`)."""
    m = moves or Moves(tuple(payments))
    cns = list(credit_notes)
    evs = events_of([inv, *cns], m).get(inv.number or "", [])
    return _account(inv, evs, [p for p in m.payments if p.invoice == inv.number], cns, as_of)


def day_balances(evs: Sequence[Event]) -> list[tuple[date, Decimal]]:
    """What the invoice is owed at the end of each day something happened to it (`evs` in date
    order, its own "invoice" event among them); negative is money on account."""
    out: list[tuple[date, Decimal]] = []
    balance = Decimal(0)
    for e in evs:
        balance += e.amount.amount
        if out and out[-1][0] == e.date:
            out[-1] = (e.date, balance)
        else:
            out.append((e.date, balance))
    return out


def _lowest_from(balances: Sequence[tuple[date, Decimal]], on: date, sign: int) -> Decimal:
    """The least of sign × balance at the end of `on` and of every later day, never below 0.
    sign −1: money on account (what may leave); +1: what is owed (what may be settled)."""
    at_on = Decimal(0)
    later: list[Decimal] = []
    for d, b in balances:
        if d <= on:
            at_on = b
        else:
            later.append(b)
    return max(Decimal(0), min(sign * b for b in (at_on, *later)))


@record
class Holding:
    """Money on account behind a document on a day: what may leave `holder` dated `on` —
    the least it holds at the end of `on` or of any later day, since money moved out on `on`
    is gone from every later day too — and from which later days more may (`later`)."""

    holder: Invoice
    on: date
    amount: Money
    later: tuple[tuple[date, Money], ...] = ()
    that_day: Money | None = None  # on account at the end of `on` (more than `amount` when a later move needs it)

    def more(self, wanted: Money) -> tuple[date, Money] | None:
        """The first later day from which `wanted` may leave, else the day the most may; None
        when no later day has more than `on`."""
        for d, m in self.later:
            if m >= wanted:
                return d, m
        return max(self.later, key=lambda dm: (dm[1], -dm[0].toordinal()), default=None)


def holding_of(holder: Invoice, evs: Sequence[Event], on: date) -> Holding:
    """The Holding of invoice `holder` with events `evs` (in date order) on day `on`."""
    cur = holder.currency
    balances = day_balances(evs)
    now = _lowest_from(balances, on, -1)
    later = []
    best = now
    for d, _ in balances:
        if d > on and (m := _lowest_from(balances, d, -1)) > best:
            later.append((d, Money(m, cur)))
            best = m
    upto = [b for d, b in balances if d <= on]
    that_day = max(Decimal(0), -upto[-1]) if upto else Decimal(0)
    return Holding(holder, on, Money(now, cur), tuple(later), Money(that_day, cur))


def holding(number: str, invoices: Sequence[Invoice], moves: Moves, on: date) -> Holding:
    """Money on account behind document `number` — an invoice, or a credit note whose credit sits
    on the invoice it credits — that may leave it dated `on`, with everything recorded so far."""
    by_number = {i.number: i for i in invoices if i.number}
    holder = by_number[_doc_invoice(number, by_number)]
    return holding_of(holder, events_of(invoices, moves).get(holder.number or "", []), on)


def owed_from(inv: Invoice, invoices: Sequence[Invoice], moves: Moves, on: date) -> Money:
    """What invoice `inv` owes at the end of `on` and of every later day, the least of them: the
    most a payment, allocation or write-off dated `on` may settle without leaving money on
    account on any day."""
    evs = events_of(invoices, moves).get(inv.number or "", [])
    return Money(_lowest_from(day_balances(evs), on, +1), inv.currency)


# ------------------------------------------------------------------------------------------
# money received, for cash-basis figures
# ------------------------------------------------------------------------------------------
@record
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
    """Every receipt dated from `start` to `end`, in date order. The same money as the accounts
    count (events_of): money that names no issued invoice, or is in another currency than its
    invoice, and an allocation or refund that moves nothing (`allocation_ends`,
    `refund_holder`), are left out (`reconcile` reports them)."""
    by_number = {i.number: i for i in invoices if i.number}
    out: list[Receipt] = []
    for p in moves.payments:
        inv = by_number.get(p.invoice)
        if start <= p.date <= end and inv is not None and not inv.is_credit_note and p.amount.currency == inv.currency:
            held = p.withheld if p.withheld is not None else Money.zero(inv.currency)
            out.append(Receipt(p.date, inv, p.amount + held, held, "payment", str(p.source), p.fx_rate))
    for a in moves.allocations:
        ends = allocation_ends(a, by_number) if start <= a.date <= end else None
        if ends is not None:
            zero = Money.zero(a.amount.currency)
            out.append(Receipt(a.date, ends[0], -a.amount, zero, "allocation", str(a.source)))
            out.append(Receipt(a.date, ends[1], a.amount, zero, "allocation", str(a.source)))
    for r in moves.refunds:
        holder = refund_holder(r, by_number) if start <= r.date <= end else None
        if holder is not None:
            out.append(Receipt(r.date, holder, -r.amount, Money.zero(holder.currency), "refund", str(r.source),
                               r.fx_rate))
    out.sort(key=lambda r: (r.date, r.invoice.number or "", r.source))
    return out


# ------------------------------------------------------------------------------------------
# checks
# ------------------------------------------------------------------------------------------
def _src(src: object) -> Source:
    return src if isinstance(src, Source) else Source(str(src))


def _latest(known: dict[str, Invoice], client: str, invoices_only: bool = False) -> str:
    mine = sorted(n for n, i in known.items() if i.client == client and not (invoices_only and i.is_credit_note))
    return ", ".join(mine[-3:]) or "none issued"


def reconcile(invoices: Iterable[Invoice], payments: Iterable[Payment], moves: Moves | None = None) -> list[Problem]:
    """Money that points at no invoice, at another client's invoice or in another currency.

    A payment or write-off in question is a warning (it counts on the invoice it names, or
    nowhere if there is none); an allocation or refund that moves nothing (`allocation_ends`,
    `refund_holder`) is an error: the books say money moved, and no figure can follow it."""
    known = {i.number: i for i in invoices if i.number}
    out: list[Problem] = []

    def check(number: str, client: str, cur: str, src: object, field_: str, what: str,
              kinds: str = "invoice or credit note", severity: Severity = "warning") -> None:
        inv = known.get(number)
        if inv is None:
            out.append(Problem(_src(src), field_, f"{what} '{number}', but no such {kinds} was issued "
                                                  f"(this client's latest: {_latest(known, client)})", severity))
        elif kinds == "invoice" and inv.is_credit_note:
            out.append(Problem(_src(src), field_, f"{number} is a credit note; write the invoice the money "
                                                  f"settles ({client}'s latest: {_latest(known, client, True)})",
                               severity))
        elif inv.client != client:
            file = {"payment for": "payments.yaml", "write-off of": "writeoffs.yaml",
                    "refund from": "refunds.yaml"}[what]
            noun = what.split()[0].replace("-", "")
            out.append(Problem(_src(src), field_, f"{number} was issued to '{inv.client}', not '{client}': "
                                                  f"record the {noun} in clients/{inv.client}/{file}", severity))
        elif cur != inv.currency:
            out.append(Problem(_src(src), "currency", f"{number} is in {inv.currency} but this is in {cur}: record "
                                                      f"the amount in {inv.currency} and the conversion in `fx_rate`",
                               severity))

    for p in payments:
        check(p.invoice, p.client, p.amount.currency, p.source, "invoice", "payment for", "invoice")
    if moves is None:
        return out
    for a in moves.allocations:
        out += _allocation_problems(a, known)
    for r in moves.refunds:
        check(r.source_doc, r.client, r.amount.currency, r.source, "from", "refund from", severity="error")
    for w in moves.writeoffs:
        check(w.invoice, w.client, w.amount.currency, w.source, "invoice", "write-off of", "invoice")
    return out


def _allocation_problems(a: Allocation, known: dict[str, Invoice]) -> list[Problem]:
    """Why allocation `a` moves nothing (errors), or nothing when it moves money."""
    src, dst = known.get(a.source_doc), known.get(a.invoice)
    here = f"clients/{a.client}/allocations.yaml"
    own = f"{a.client}'s latest: {_latest(known, a.client, True)}"
    if src is None:
        return [Problem(_src(a.source), "from", f"allocation from '{a.source_doc}', but no such invoice or credit "
                                                f"note was issued ({a.client}'s latest: {_latest(known, a.client)})")]
    if dst is None:
        return [Problem(_src(a.source), "to", f"allocation to '{a.invoice}', but no such invoice was issued ({own})")]
    if dst.is_credit_note:
        return [Problem(_src(a.source), "to", f"{a.invoice} is a credit note; `to:` is the invoice the money "
                                              f"settles ({own})")]
    if src.client == dst.client != a.client:
        return [Problem(_src(a.source), None, f"{a.source_doc} and {a.invoice} were issued to '{src.client}', not "
                                              f"'{a.client}': move this line to clients/{src.client}/allocations.yaml "
                                              f"(it moves nothing from {here})")]
    for doc, field_ in ((src, "from"), (dst, "to")):
        if doc.client != a.client:
            return [Problem(_src(a.source), field_,
                            f"{doc.number} was issued to '{doc.client}', not '{a.client}': money on account moves "
                            f"only between one client's invoices, so this line moves nothing. Write `{field_}:` as "
                            f"one of {a.client}'s own documents ({own}); to pass money to {doc.client}, pay it back "
                            f"(consult invoice refund) and record {doc.client}'s payment in "
                            f"clients/{doc.client}/payments.yaml")]
    holder = known.get(_doc_invoice(a.source_doc, known))
    if holder is None:
        return [Problem(_src(a.source), "from", f"{a.source_doc} credits {src.credits}, which was never issued, so "
                                                "this line moves nothing")]
    for doc in (holder, dst):
        if doc.currency != a.amount.currency:
            return [Problem(_src(a.source), "currency", f"{doc.number} is in {doc.currency} but this is in "
                                                        f"{a.amount.currency}: money on account moves in its "
                                                        "invoice's currency, so this line moves nothing; write "
                                                        f"`currency: {doc.currency}`, or pay it back and record a "
                                                        "new payment")]
    if holder.number == dst.number:
        return [Problem(_src(a.source), "to", f"{a.source_doc} credits {a.invoice}: its credit is on {a.invoice} "
                                              "already, so this line moves nothing")]
    return []


@record
class _Out:
    """Money leaving an invoice: an allocation from it or a refund out of it."""

    date: date
    amount: Money
    what: str           # "allocation" | "refund"
    doc: str            # the document named (`from:`)
    source: Source


def overdrawn(invoices: Sequence[Invoice], moves: Moves) -> list[Problem]:
    """Allocations and refunds in the books that take money an invoice did not hold on their
    date (or that would leave a later day short): errors at their file:line for `consult check`.

    The commands refuse such a move (consult.invoices.payments); a hand-written line is judged
    the same way. Each invoice's moves out are taken in date order (file order within a day),
    each against what is on account with the earlier ones taken, so the line blamed is the one
    that went past what was there; its message says what it may take beside the moves that
    stand (books the commands wrote always pass: each move they wrote left every later day
    covered)."""
    by_number = {i.number: i for i in invoices if i.number}
    evs = events_of(invoices, moves)
    outs: dict[str, list[_Out]] = defaultdict(list)
    for a in moves.allocations:
        ends = allocation_ends(a, by_number)
        if ends is not None:
            outs[ends[0].number or ""].append(_Out(a.date, a.amount, "allocation", a.source_doc, _src(a.source)))
    for r in moves.refunds:
        holder = refund_holder(r, by_number)
        if holder is not None:
            outs[holder.number or ""].append(_Out(r.date, r.amount, "refund", r.source_doc, _src(r.source)))
    problems: list[Problem] = []
    for number, items in outs.items():
        holder = by_number[number]
        loc = holder.locale
        taken: list[Event] = [e for e in evs.get(number, []) if e.kind not in MOVES_OUT]
        refused: list[_Out] = []
        for o in sorted(items, key=lambda o: (o.date, o.source.path, o.source.line or 0)):
            if o.amount <= holding_of(holder, _in_order(taken), o.date).amount:
                taken.append(Event(o.date, "refund", str(o.source), o.amount))
            else:
                refused.append(o)
        for o in refused:  # each judged against every move that stands, earlier or later
            h = holding_of(holder, _in_order(taken), o.date)
            where = number if o.doc == number else f"{o.doc} (its credit is on {number})"
            more = h.more(o.amount)
            msg = (f"{o.what} of {o.amount.format(loc)} from {where} dated {o.date}, but {number} held "
                   f"{h.amount.format(loc)} on account that day")
            if more is not None and more[1] >= o.amount:
                problems.append(Problem(o.source, "date", f"{msg} and {more[1].format(loc)} from {more[0]}: date it "
                                                          f"{more[0]} or later"))
            elif more is not None:
                problems.append(Problem(o.source, "amount", f"{msg}, and at most {more[1].format(loc)} from "
                                                            f"{more[0]}: correct the amount or the date"))
            else:
                problems.append(Problem(o.source, "amount", f"{msg} (and no more after it): write an amount of "
                                                            f"at most {h.amount.format(loc)}, or remove the line"))
    return problems
