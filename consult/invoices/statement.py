"""A client statement: the page an accounts team asks for.

For one client and currency, as of a date (and from a date, with the balance brought forward):
every invoice, credit note, payment, tax withheld, refund and write-off in date order with a
running balance; money moved between the client's invoices shown as a note (it changes what
each invoice owes, not what the client owes); the invoices still open, aged by days past due;
and how to pay. Figures come from the client account (consult.invoices.accounts), so the
closing balance is what `invoice list`, `earnings receivables` and `invoice overdue` say.

* **The same rows in every format.** `Statement.rows` is the statement: with a first day, its
  first row is the balance brought forward; the table, CSV, JSON and PDF all print these rows.
* **Ageing sums to what is owed.** Money the client holds on account (an overpayment, a payment
  left on a credited invoice, a credit note's unused credit) is applied to the open invoices
  *oldest debt first* — by issue date (when the debt was incurred), then due date and number —
  before they are aged, so the buckets add up to the closing balance (nothing to age when the
  client is in credit). This is the presumption of English law for a running account when
  neither side appropriated the money (Devaynes v Noble, "Clayton's Case" (1816) 1 Mer 529:
  the first item on the credit side discharges the first on the debit side) and what
  accounting packages' "oldest first" allocation does. Appropriating it is the client's right
  first, then yours: `invoice pay NUMBER AMOUNT --from SOURCE` records where the money goes,
  and the ageing follows.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from consult.core.money import Money
from consult.core.record import record
from consult.core.records import Books, Client
from consult.errors import UsageError
from consult.invoices.accounts import Account, Event, Moves, accounts
from consult.invoices.record import Invoice, Party

AGEING = ("not yet due", "1-30 days", "31-60 days", "61-90 days", "over 90 days")
_KIND = {"invoice": "invoice", "credit_note": "credit note", "payment": "payment", "withheld": "tax withheld",
         "refund": "refund", "writeoff": "written off", "allocation": "allocation"}
BROUGHT_FORWARD = "brought forward"


@record
class Line:
    date: date
    kind: str
    ref: str
    detail: str
    charges: Money | None   # what adds to the balance (an invoice, a refund)
    credits: Money | None   # what takes from it (a payment, a credit note, a write-off)
    balance: Money

    @property
    def text(self) -> str:
        """The details as one cell: "payment: received, thank you"; the opening row's own words."""
        return self.detail if self.kind == BROUGHT_FORWARD else f"{self.kind}: {self.detail}"


@record
class OpenItem:
    """An invoice still owed after money on account is applied, oldest debt first."""

    number: str
    issued: date
    due: date
    total: Money
    outstanding: Money   # what the invoice itself has outstanding
    days_late: int
    bucket: str
    owed: Money          # what is left of it once money on account is applied (what is aged)


@record
class Statement:
    client: Client
    seller: Party
    currency: str
    locale: str
    start: date | None
    as_of: date
    opening: Money
    lines: tuple[Line, ...]
    closing: Money
    open_items: tuple[OpenItem, ...]
    ageing: dict[str, Money]
    bank: dict[str, str]

    @property
    def owed(self) -> bool:
        return self.closing.amount > 0

    @property
    def rows(self) -> tuple[Line, ...]:
        """Every row, as each format prints it: the balance brought forward first when the
        statement starts on a day, then the lines."""
        if self.start is None:
            return self.lines
        return (Line(self.start, BROUGHT_FORWARD, "", "balance brought forward", None, None, self.opening),
                *self.lines)


def bucket_of(days_late: int) -> str:
    if days_late <= 0:
        return AGEING[0]
    return AGEING[1] if days_late <= 30 else AGEING[2] if days_late <= 60 else AGEING[3] if days_late <= 90 else AGEING[4]


def aged(accts: list[Account], as_of: date) -> tuple[OpenItem, ...]:
    """The invoices still owed once money on account is applied to them oldest debt first (by
    issue date, due date, number), each with what is left of it and its bucket by days past
    due on `as_of` (see the module docstring)."""
    cur = accts[0].invoice.currency if accts else "GBP"
    credit = Money.total((-a.outstanding for a in accts if a.outstanding.amount < 0), cur)
    out = []
    for a in sorted((a for a in accts if a.outstanding.amount > 0),
                    key=lambda a: (a.invoice.issue_date, a.invoice.due_date, a.number)):
        applied = min(credit, a.outstanding)
        credit = credit - applied
        owed = a.outstanding - applied
        if owed.amount > 0:
            inv = a.invoice
            out.append(OpenItem(a.number, inv.issue_date, inv.due_date, inv.total, a.outstanding, a.days_late,
                                bucket_of((as_of - inv.due_date).days), owed))
    return tuple(out)


def _ref_of(e: Event, number: str) -> str:
    """The document a line is about: a payment is shown against its invoice."""
    if e.kind in ("invoice", "credit_note"):
        return e.ref
    return number


def statements(books: Books, invoices: list[Invoice], client_id: str, as_of: date,
               start: date | None = None) -> list[Statement]:
    """One statement per currency the client has been invoiced in (usually one)."""
    from consult.invoices.build import bank_block, seller_party

    if start is not None and start > as_of:
        raise UsageError(f"--from {start} is after --as-of {as_of}: a statement runs from its first day to its date; "
                         "give a --from on or before --as-of")
    client = books.client(client_id)
    mine = [i for i in invoices if i.client == client_id and i.issue_date <= as_of]
    accts = accounts(mine, Moves.of(books), as_of)
    by_cur: dict[str, list[Account]] = defaultdict(list)
    for a in accts:
        by_cur[a.invoice.currency].append(a)
    if not by_cur:
        by_cur[client.currency] = []
    out = []
    for cur, accs in sorted(by_cur.items()):
        rows: list[tuple[date, int, str, str, str, Money]] = []  # date, order, kind, ref, detail, signed amount
        moved: dict[tuple[date, str], list[Event]] = defaultdict(list)
        for a in accs:
            for e in a.events:
                if e.kind in ("allocation_in", "allocation_out"):
                    moved[(e.date, e.ref)].append(e)
                    continue
                order = 0 if e.kind == "invoice" else 1
                detail = {"invoice": f"due {a.invoice.due_date.isoformat()}",
                          "credit_note": f"credits {a.number}" + (f": {e.note}" if e.note else ""),
                          "payment": "received, thank you" + (f" ({e.note})" if e.note else ""),
                          "withheld": "tax withheld at source by you",
                          "refund": "paid back to you" + (f" ({e.note})" if e.note else ""),
                          "writeoff": e.note}[e.kind]
                rows.append((e.date, order, e.kind, _ref_of(e, a.number), detail, e.amount))
        for (d, _src), evs in moved.items():
            out_e = next((e for e in evs if e.kind == "allocation_out"), None)
            in_e = next((e for e in evs if e.kind == "allocation_in"), None)
            if out_e is not None and in_e is not None:
                amount = out_e.amount
                rows.append((d, 2, "allocation", in_e.note.removeprefix("from "),
                             f"{amount.format(client.locale)} of your credit applied to {out_e.note.removeprefix('to ')}",
                             Money.zero(cur)))
        rows.sort(key=lambda r: (r[0], r[1], r[3]))
        opening = Money.total((r[5] for r in rows if start is not None and r[0] < start), cur)
        balance = opening
        lines = []
        for d, _, kind, ref, detail, amt in rows:
            if start is not None and d < start:
                continue
            balance = balance + amt
            lines.append(Line(d, _KIND[kind], ref, detail, amt if amt.amount > 0 else None,
                              -amt if amt.amount < 0 else None, balance))
        items = aged(accs, as_of)
        ageing = {b: Money.total((i.owed for i in items if i.bucket == b), cur) for b in AGEING}
        closing = Money.total((a.outstanding for a in accs), cur)
        out.append(Statement(client, seller_party(books), cur, client.locale, start, as_of, opening, tuple(lines),
                             closing, items, ageing, bank_block(books)))
    return out
