"""What the books say was earned: the one place consult.tax reads income and costs.

`trading_profit` is built on `consult.earnings.rollup`, so profit for tax is the profit
`consult earnings` reports — the same rows, conversions to sterling, bases and expenses
(whatever expenses earnings counts, it counts here: this module never reads an expense file).
What it adds is *whose* each row is:

* **employment** — payouts from a client of `kind: employer` (income.yaml): a job's pay, its
  `withheld` being the income tax deducted under PAYE;
* **the person** — payouts in a stream that practice.yaml `streams:` gives to the person (a
  YouTube payout beside a company's consultancy): the person's own self-employment;
* **the business** — everything else: invoices, and payouts in streams not given away.

Expenses are the business's. Profit = business income − expenses. Tax withheld at source by a
client abroad (e.g. Indian TDS) is income, and is shown, but not credited against UK tax here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from consult.core.money import Money
from consult.core.periods import Period
from consult.core.record import record
from consult.core.records import Books
from consult.earnings import Row, rollup
from consult.errors import Problem
from consult.invoices.record import Invoice

GBP = "GBP"
BASES = {"cash": "cash", "accruals": "accrual", "accrual": "accrual"}


@record
class Profit:
    """A period's income by owner, in pounds, and the business's profit."""

    period: Period
    basis: str  # cash | accruals
    income: Money  # the business's, net of VAT
    by_stream: dict[str, Money]  # the business's income by stream
    expenses: Money
    personal: dict[str, Money]  # the person's own streams
    employment: Money  # pay from employers
    employment_tax: Money  # income tax deducted from that pay
    withheld_abroad: Money  # tax a client withheld at source on business income
    warnings: tuple[str, ...] = ()

    @property
    def profit(self) -> Money:
        return self.income - self.expenses

    @property
    def personal_income(self) -> Money:
        return Money.total(self.personal.values(), GBP)


def owner_of(books: Books, row: Row) -> str:
    """`business`, `person` or `employment` for one counted row."""
    client = books.clients.get(row.client)
    if row.kind == "payout" and client is not None and client.kind == "employer":
        return "employment"
    if row.kind == "payout" and books.practice.streams.get(row.stream) == "person":
        return "person"
    return "business"


def default_basis(books: Books) -> str:
    """practice.yaml `accounting_basis`, else cash for a sole trader (the default from 2024/25)
    and accruals for a company (the only basis a company may use)."""
    p = books.practice
    if p.accounting_basis is not None:
        return p.accounting_basis
    return "accruals" if p.structure == "limited_company" else "cash"


def trading_profit(books: Books, invoices: Sequence[Invoice], period: Period, basis: str) -> Profit:
    """Income by owner and the business's profit for `period` on `basis` (cash or accruals),
    in pounds, from the earnings rollup."""
    e = rollup(books, invoices, period, basis=BASES[basis], by="stream", currency=GBP, count_days=False)
    business: dict[str, Decimal] = {}
    personal: dict[str, Decimal] = {}
    pay = tax = abroad = Decimal(0)
    for r in e.rows:
        who = owner_of(books, r)
        if who == "employment":
            pay += r.base.amount
            tax += r.base_withheld.amount
        elif who == "person":
            personal[r.stream] = personal.get(r.stream, Decimal(0)) + r.base.amount
        else:
            business[r.stream] = business.get(r.stream, Decimal(0)) + r.base.amount
            abroad += r.base_withheld.amount
    order = {s: i for i, s in enumerate(e.streams)}  # consulting first, as earnings orders them
    by_stream = {s: Money(business[s], GBP) for s in sorted(business, key=lambda s: order.get(s, len(order)))}
    return Profit(period, "accruals" if BASES[basis] == "accrual" else "cash",
                  Money.total(by_stream.values(), GBP), by_stream, e.expenses,
                  {s: Money(v, GBP) for s, v in sorted(personal.items())}, Money(pay, GBP), Money(tax, GBP),
                  Money(abroad, GBP), e.warnings)


# --------------------------------------------------------------------------------------------
# the issued records an estimate reads
# --------------------------------------------------------------------------------------------
def records_needed(books: Books, start: date, end: date) -> Callable[[dict[str, Any]], bool]:
    """Which issued records profit over `start`..`end` can read, judged from a record as plain
    data (consult.invoices.cache `keep`): those issued in it (the accruals basis counts them on
    their issue date) and those that money moved in it names — a payment, an allocation (either
    end), a refund or a write-off (the cash basis counts receipts; a write-off costs its
    invoice's net share).

    Why: ten years of books hold thousands of records and an estimate reads two or three years
    of them; building the others is most of what the command would spend."""
    first, last = start.isoformat(), end.isoformat()
    named = {p.invoice for p in books.payments if start <= p.date <= end}
    for a in books.allocations:
        if start <= a.date <= end:
            named |= {a.source_doc, a.invoice}
    named |= {r.source_doc for r in books.refunds if start <= r.date <= end}
    named |= {w.invoice for w in books.writeoffs if start <= w.date <= end}

    def keep(rec: dict[str, Any]) -> bool:
        return first <= str(rec["issue_date"]) <= last or rec.get("number") in named

    return keep


def read_invoices(books: Books, start: date, end: date) -> tuple[list[Invoice], list[Problem]]:
    """The issued records `trading_profit` over any period inside `start`..`end` needs
    (`records_needed`), and the problems of any record that cannot be read (every record is
    still checked: the cache reads again each one that changed).

    A credit note named by money moved (a refund of it, an allocation from it) stands for the
    invoice it credits (consult.invoices.accounts), so that invoice is read too when it was
    issued outside the window. The records come back in the order the store lists them."""
    from consult.invoices.cache import load_invoices_cached

    invoices, problems = load_invoices_cached(books.root, records_needed(books, start, end))
    have = {i.number for i in invoices}
    credited = {i.credits for i in invoices if i.is_credit_note and i.credits and i.credits not in have}
    if credited:
        more, _ = load_invoices_cached(books.root, lambda rec: rec.get("number") in credited)
        invoices = sorted(invoices + [i for i in more if i.number not in have], key=lambda i: (i.client, f"{i.number}.yaml"))
    return invoices, problems
