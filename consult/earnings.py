"""How the year went: every invoice, payment and payout of a period in one currency, grouped.

Pure functions of the books, the issued records and a period; nothing here reads the clock
or prints. The rules are choices an accountant should be able to read, so they are here:

* **Accrual basis**: issued invoices count on their issue date at their *net* (VAT is charged
  for HMRC, not income); a credit note counts on its own issue date at minus its net, so it
  reduces the month it is dated in, not the month of the invoice it credits.
* **Cash basis**: payments count on the date received. What a payment settles (`amount` +
  `withheld`) is split pro rata into net and VAT by the invoice's net ÷ total, net rounded half
  up to the minor unit and VAT the remainder, so net + VAT = settled exactly. Tax withheld at
  source (e.g. Indian TDS) is income the client paid to a tax authority for you: it is in the
  income and also shown on its own, as a credit to claim.
* **Payouts** (`income.yaml`: platforms, salary) count on their date on both bases.
* **Streams**: an invoice's time and milestone lines are `consulting`; its expense lines are
  `rebilled expenses`; a payout has the stream written in income.yaml.
* **One currency**: each row is converted on its own (fx.py: its recorded `fx_rate`, else the
  ECB reference rate of its date) and keeps its rate and source; totals add converted rows
  only, so no total ever adds two currencies.
* **Billable days** come from the timesheets through consult.work.rules (the rounding each
  engagement bills by); **utilisation** = billable days ÷ available working days (weekdays
  less the practice country's bank holidays); **effective day rate** = consulting income ÷
  billable days. **Expenses** are the expenses of the period — every client's expenses.yaml,
  the practice's own costs (`expenses.yaml` at the root) and mileage claims — without
  reclaimable VAT when the practice is VAT-registered (under the Flat Rate Scheme VAT paid is
  not reclaimed, so it is part of the cost); **costs** are the ones not rebilled to a client,
  and **profit** = income − all expenses (a rebilled expense is income on the invoice and an
  expense here, so it nets out). **Capital items** (`capital: true`, an asset such as a laptop)
  are not running costs: they are shown apart (`capital`) and left out of expenses and profit,
  since their tax relief is a capital allowance (or, on the cash basis, a deduction the tax
  computation makes), worked where the tax is worked.
* **Costs by category** total the expenses by HMRC's self-employment categories (the MTD
  Income Tax field names, which are the SA103F boxes; consult.core.categories); an expense with
  no category counts as `otherExpenses`, with a warning. **MTD quarterly updates** (for a tax
  year): the cumulative totals from the start of the tax year to the end of each quarter —
  turnover (all income except an employer's) and each category — with the update's deadline,
  the 7th of the month after the quarter ends (SI 2021/1076 reg 7 as amended; docs/vat.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from consult.core import fx
from consult.core.money import Money
from consult.core.periods import Period, Slice, months_of, quarters_of
from consult.core.record import record
from consult.core.records import Books, Expense, IncomeItem, Payment
from consult.errors import UsageError
from consult.invoices.accounts import Moves
from consult.invoices.record import Invoice
from consult.vat.blocked import reclaimed_vat
from consult.work.day_totals import Minutes, aggregate
from consult.work.rules import day_fraction, quantity

CONSULTING = "consulting"
REBILLED = "rebilled expenses"
BASES = ("accrual", "cash")
GROUPINGS = ("month", "quarter", "client", "stream")
BUCKETS = ("0-30", "31-60", "61-90", "90+")


# --------------------------------------------------------------------------------------------
# rows: one per document, stream and event, each converted on its own
# --------------------------------------------------------------------------------------------
@record
class Row:
    """One counted event. `amount` is income in its own currency (negative for a credit note);
    `vat` is VAT charged or received with it (not income); `withheld` is the part of `amount`
    that tax at source took. `base*` are the same in the report currency at `rate`."""

    date: date
    kind: str  # invoice | credit_note | payment | payout
    ref: str
    client: str
    stream: str
    amount: Money
    vat: Money
    withheld: Money
    rate: Decimal
    source: str
    base: Money
    base_vat: Money
    base_withheld: Money


def allocate(total: Money, weights: Sequence[Decimal]) -> list[Money]:
    """`total` split in proportion to `weights`, each share half up, the last taking the rest so
    the shares add up to `total` exactly."""
    if len(weights) <= 1:
        return [total] * len(weights)
    whole = sum(weights, Decimal(0))
    if whole == 0:
        return [total] + [Money.zero(total.currency)] * (len(weights) - 1)
    shares = [Money.rounded(total.amount * w / whole, total.currency) for w in weights[:-1]]
    return shares + [total - Money.total(shares, total.currency)]


def invoice_parts(inv: Invoice) -> list[tuple[str, Money]]:
    """The invoice's net by stream: expense lines are rebilled expenses, the rest consulting."""
    cur = inv.currency
    rebilled = Money.total((ln.net for ln in inv.lines if ln.kind == "expense"), cur)
    if not rebilled:
        return [(CONSULTING, inv.net)]
    consulting = inv.net - rebilled
    return [(CONSULTING, consulting), (REBILLED, rebilled)] if consulting else [(REBILLED, rebilled)]


class _Converter:
    """Converts to the report currency, naming the record when no rate can be had."""

    def __init__(self, currency: str, base_currency: str):
        self.currency = currency
        self.base_currency = base_currency

    def rate(self, frm: str, on: date, recorded: Decimal | None, where: str) -> fx.Rate:
        try:
            return fx.rate_for(frm, self.currency, on, recorded, where, self.base_currency)
        except fx.NoRate as e:
            raise fx.NoRate(f"{where}: {e}; record `fx_rate` ({self.base_currency} per 1 {frm}) "
                            "on the item, or report in its own currency with --currency") from None

    def row(self, d: date, kind: str, ref: str, client: str, stream: str, amount: Money, vat: Money,
            withheld: Money, r: fx.Rate) -> Row:
        def conv(m: Money) -> Money:
            return m if m.currency == self.currency else m.convert(r.rate, self.currency)

        return Row(d, kind, ref, client, stream, amount, vat, withheld, r.rate, r.source,
                   conv(amount), conv(vat), conv(withheld))


def _invoice_rate(conv: _Converter, inv: Invoice) -> fx.Rate:
    """An invoice's own sterling rate (printed for its VAT) when reporting in GBP, else ECB."""
    recorded = inv.gbp_rate if conv.currency == "GBP" and inv.currency != "GBP" else None
    where = f"{inv.number}: {inv.gbp_rate_source}" if inv.gbp_rate_source else (inv.number or "")
    return conv.rate(inv.currency, inv.issue_date, recorded, f"invoice {where}")


def accrual_rows(invoices: Iterable[Invoice], period: Period, conv: _Converter) -> list[Row]:
    """Issued invoices and credit notes dated in the period, at their net, by stream."""
    out: list[Row] = []
    for inv in invoices:
        if inv.issue_date not in period:
            continue
        sign = -1 if inv.is_credit_note else 1
        parts = invoice_parts(inv)
        vats = allocate(inv.vat, [m.amount for _, m in parts])
        r = _invoice_rate(conv, inv)
        zero = Money.zero(inv.currency)
        for (stream, net), vat in zip(parts, vats, strict=True):
            if sign < 0:
                net, vat = -net, -vat
            out.append(conv.row(inv.issue_date, inv.kind, inv.number or "", inv.client, stream,
                                net, vat, zero, r))
    return out


def cash_rows(invoices: Iterable[Invoice], moves: Moves | Iterable[Payment], period: Period,
              conv: _Converter, warnings: list[str]) -> list[Row]:
    """Money received in the period (consult.invoices.accounts.receipts: payments with tax
    withheld, money allocated between invoices, refunds as negatives): the net part of what
    each settles, split by the VAT of the invoice it settles, by stream."""
    from consult.invoices.accounts import receipts

    if not isinstance(moves, Moves):
        moves = Moves(tuple(moves))
    invs = list(invoices)
    known = {i.number for i in invs if i.number}
    out: list[Row] = []
    for p in moves.payments:
        if p.date in period and p.invoice not in known:
            withheld = p.withheld if p.withheld is not None else Money.zero(p.amount.currency)
            r = conv.rate(p.amount.currency, p.date, p.fx_rate, str(p.source))
            warnings.append(f"{p.source}: payment for '{p.invoice}', which was never issued: "
                            "counted whole as consulting income, no VAT taken out")
            out.append(conv.row(p.date, "payment", p.invoice, p.client, CONSULTING, p.amount + withheld,
                                Money.zero(p.amount.currency), withheld, r))
    start, end = period.days
    for rc in receipts(invs, moves, start, end):
        inv = rc.invoice
        settled, withheld = rc.amount, rc.withheld
        r = conv.rate(settled.currency, rc.date, rc.fx_rate, rc.source)
        net = (settled if inv.total.amount == 0 else
               Money.rounded(settled.amount * inv.net.amount / inv.total.amount, settled.currency))
        vat = settled - net
        parts = invoice_parts(inv)
        weights = [m.amount for _, m in parts]
        for (stream, _), n, v, w in zip(parts, allocate(net, weights), allocate(vat, weights),
                                        allocate(withheld, weights), strict=True):
            out.append(conv.row(rc.date, rc.kind, inv.number or "", inv.client, stream, n, v, w, r))
    return out


def payout_rows(income: Iterable[IncomeItem], period: Period, conv: _Converter) -> list[Row]:
    """income.yaml payouts dated in the period (the same on both bases)."""
    out: list[Row] = []
    for item in income:
        if item.date not in period:
            continue
        where = str(item.source)
        r = conv.rate(item.amount.currency, item.date, item.fx_rate, where)
        withheld = item.withheld if item.withheld is not None else Money.zero(item.amount.currency)
        out.append(conv.row(item.date, "payout", where, item.client, item.stream, item.amount,
                            Money.zero(item.amount.currency), withheld, r))
    return out


# --------------------------------------------------------------------------------------------
# time: billable days worked and days available
# --------------------------------------------------------------------------------------------
def billable_days(books: Books, period: Period, minutes: Minutes | None = None) -> list[tuple[date, str, Decimal]]:
    """(day, client, billable days) for each engagement's working day in the period.

    Daily engagements bill by their own day rounding (consult.work.rules.day_fraction); hourly and
    fixed ones count billable hours ÷ the engagement's hours per day. `minutes` (billable
    minutes per engagement per day, consult.work.day_totals) is taken from `books.entries` when
    not given.
    """
    if minutes is None:
        minutes = aggregate(books.entries)
    out: list[tuple[date, str, Decimal]] = []
    for (client, eid), days in minutes.items():
        eng = books.engagements.get((client, eid))
        if eng is None:
            continue
        per_day = eng.hours_per_day * 60
        for d, m in days.items():
            if d not in period or m <= 0:
                continue
            if eng.billing == "daily":
                out.append((d, client, day_fraction(m, eng.hours_per_day, eng.day_rounding, eng.overtime)))
            else:
                out.append((d, client, Decimal(m) / per_day))
    return out


def working_days(period: Period, country: str, subdivision: str | None, root: Path | None = None) -> int:
    """Weekdays less the bank holidays on them (consult.core.workdays, from the holidays library;
    with the books' `root`, kept between runs by consult.books.kept: the library's first country
    imports all 250 of them, 0.2 s of every `consult earnings`)."""
    from consult.books.kept import bank_holidays
    from consult.core.workdays import working_days as wd

    start, end = period.days
    days = [d for d, _ in bank_holidays(root, start, end, country, subdivision)]
    return int(wd(start, end, country, subdivision, holidays=days))


# --------------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------------
@record
class Group:
    """One line of the rollup: a month, quarter, client or stream."""

    key: str
    label: str
    by_stream: dict[str, Money]
    income: Money
    vat: Money
    withheld: Money
    days: Decimal
    start: date | None = None
    end: date | None = None


@record
class MtdUpdate:
    """One MTD Income Tax quarterly update: cumulative figures from the tax year's first day.

    `quarter_*` are the same figures for the quarter alone (the change since the last update)."""

    number: int
    start: date
    end: date
    deadline: date
    turnover: Money
    expenses: dict[str, Money]
    quarter_start: date
    quarter_turnover: Money
    quarter_expenses: dict[str, Money]

    @property
    def total_expenses(self) -> Money:
        return Money.total(self.expenses.values(), self.turnover.currency)


@record
class Earnings:
    """The period's income in one currency, grouped, with the figures around it."""

    period: Period
    basis: str
    by: str
    currency: str
    rows: tuple[Row, ...]
    streams: tuple[str, ...]
    groups: tuple[Group, ...]
    by_stream: dict[str, Money]
    income: Money
    vat: Money
    withheld: Money
    billable_days: Decimal
    working_days: int
    utilisation: Decimal | None  # percent, one decimal
    effective_day_rate: Money | None
    expenses: Money
    costs: Money
    profit: Money
    clients: tuple[Group, ...] = ()
    months: tuple[Group, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    capital: Money | None = None                                      # addition: capital items, apart
    costs_by_category: dict[str, Money] = field(default_factory=dict)  # addition: HMRC categories
    mtd_updates: tuple[MtdUpdate, ...] = ()                            # addition: for a tax year

    def rate_notes(self) -> list[str]:
        """The rates used, by currency: how many rows each kind of source converted."""
        seen: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        ranges: dict[str, list[date]] = defaultdict(list)
        for r in self.rows:
            if r.amount.currency == self.currency:
                continue
            if r.source.startswith("recorded"):
                kind = "their recorded fx_rate"
            elif r.source.startswith("invoice"):
                kind = "the invoice's own sterling rate"
            elif "last in data" in r.source:
                kind = f"the last ECB rate in the shipped data ({r.source.split()[1]}; none yet for their date)"
            else:
                kind = "the ECB reference rate of the day"
            seen[r.amount.currency][kind] += 1
            ranges[r.amount.currency].append(r.date)
        notes = []
        for cur in sorted(seen):
            parts = ", ".join(f"{n} at {k}" for k, n in sorted(seen[cur].items()))
            lo, hi = min(ranges[cur]), max(ranges[cur])
            span = f"{lo}" if lo == hi else f"{lo} to {hi}"
            notes.append(f"{cur} → {self.currency} ({span}): {parts}; "
                         "each row's rate and source are in the CSV and JSON output.")
        return notes


def _total(ms: Iterable[Money], currency: str) -> Money:
    return Money.total(ms, currency)


def _group(key: str, label: str, rows: list[Row], days: Decimal, currency: str, streams: Sequence[str],
           start: date | None = None, end: date | None = None) -> Group:
    by = {s: _total((r.base for r in rows if r.stream == s), currency) for s in streams}
    return Group(key, label, by, _total((r.base for r in rows), currency),
                 _total((r.base_vat for r in rows), currency),
                 _total((r.base_withheld for r in rows), currency), quantity(days), start, end)


def _in(d: date, b: Slice) -> bool:
    return b.start <= d <= b.end


def rollup(books: Books, invoices: Sequence[Invoice], period: Period, *, basis: str = "accrual",
           by: str = "month", currency: str | None = None, minutes: Minutes | None = None,
           count_days: bool = True) -> Earnings:
    """The earnings of `period` on `basis`, grouped `by` month, quarter, client or stream.

    `minutes`: billable minutes per engagement per day when the books were loaded without their
    timesheets (consult.work.day_totals); else they come from `books.entries`. `count_days=False`
    leaves billable and working days at zero (a caller that needs only money, such as a tax
    estimate, skips the bank-holiday calendar)."""
    if basis not in BASES:
        raise UsageError(f"basis: '{basis}' is not one of {', '.join(BASES)}")
    if by not in GROUPINGS:
        raise UsageError(f"by: '{by}' is not one of {', '.join(GROUPINGS)}")
    practice = books.practice
    cur = currency or practice.base_currency
    conv = _Converter(cur, practice.base_currency)
    warnings: list[str] = []
    if basis == "accrual":
        rows = accrual_rows(invoices, period, conv)
    else:
        rows = cash_rows(invoices, Moves.of(books), period, conv, warnings)
    rows += payout_rows(books.income, period, conv)
    rows.sort(key=lambda r: (r.date, r.client, r.ref, r.stream))

    streams = tuple(sorted({r.stream for r in rows}, key=lambda s: (s != CONSULTING, s == REBILLED, s)))
    days = billable_days(books, period, minutes) if count_days else []
    total_days = quantity(sum((d for _, _, d in days), Decimal(0)))

    def slices(buckets: list[Slice]) -> list[Group]:
        return [_group(b.key, b.label, [r for r in rows if _in(r.date, b)],
                       sum((d for day, _, d in days if _in(day, b)), Decimal(0)), cur, streams, b.start, b.end)
                for b in buckets]

    by_month = slices(months_of(period))  # always: the PDF charts the year by month
    groups: list[Group] = []
    if by == "month":
        groups = by_month
    elif by == "quarter":
        groups = slices(quarters_of(period))
    clients = _client_groups(books, rows, days, cur, streams)
    if by == "client":
        groups = list(clients)
    elif by == "stream":
        for s in streams:
            srows = [r for r in rows if r.stream == s]
            sdays = total_days if s == CONSULTING else Decimal(0)
            groups.append(_group(s, s, srows, sdays, cur, streams))

    by_stream = {s: _total((r.base for r in rows if r.stream == s), cur) for s in streams}
    income = _total((r.base for r in rows), cur)
    wd = working_days(period, practice.country, practice.subdivision, books.root) if count_days else 0
    util = (None if not wd else
            (total_days * 100 / Decimal(wd)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    consulting = by_stream.get(CONSULTING, Money.zero(cur))
    rate = Money.rounded(consulting.amount / total_days, cur) if total_days and consulting else None
    costed = _costed(books, period, conv, basis, invoices)
    expenses = _total((c.value for c in costed if not c.expense.capital), cur)
    costs = _total((c.value for c in costed if not c.expense.capital and not c.expense.rebill), cur)
    capital = _total((c.value for c in costed if c.expense.capital), cur)
    uncategorised = [c for c in costed if not c.expense.capital and c.expense.category is None]
    if uncategorised:
        warnings.append(f"{len(uncategorised)} expense{'s have' if len(uncategorised) != 1 else ' has'} no category "
                        f"(first: {uncategorised[0].expense.source}); counted as otherExpenses — add category: "
                        "for the Self Assessment boxes and MTD updates")
    by_category = _by_category(costed, cur)
    updates = _mtd_updates(books, period, rows, costed, cur) if period.kind == "tax_year" else ()
    return Earnings(period, basis, by, cur, tuple(rows), streams, tuple(groups), by_stream, income,
                    _total((r.base_vat for r in rows), cur), _total((r.base_withheld for r in rows), cur),
                    total_days, wd, util, rate, expenses, costs, income - expenses, tuple(clients),
                    tuple(by_month), tuple(warnings), capital, by_category, updates)


def _client_groups(books: Books, rows: list[Row], days: list[tuple[date, str, Decimal]], cur: str,
                   streams: Sequence[str]) -> list[Group]:
    by_client: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_client[r.client].append(r)
    client_days: dict[str, Decimal] = defaultdict(Decimal)
    for _, c, d in days:
        client_days[c] += d
    out = []
    for c in sorted(set(by_client) | {c for c, d in client_days.items() if d}):
        name = books.clients[c].name if c in books.clients else c
        out.append(_group(c, name, by_client.get(c, []), client_days.get(c, Decimal(0)), cur, streams))
    return out


@record
class Costed:
    """An expense of the period and its value in the report currency (reclaimable VAT out)."""

    expense: Expense
    value: Money


def _costed(books: Books, period: Period, conv: _Converter, basis: str = "accrual",
            invoices: Sequence[Invoice] = ()) -> list[Costed]:
    """Every expense of the period, without reclaimable VAT, converted (ECB or same currency).

    The VAT left out is what the practice's VAT return reclaims (consult.vat.blocked.reclaimed_vat:
    UK VAT, not blocked, and on the Flat Rate Scheme only on capital goods of £2,000 or more it
    keeps); foreign VAT, blocked VAT and VAT on the scheme are part of the cost.
    On the accrual basis a write-off (`writeoffs.yaml`: income invoiced that will never come)
    is a cost too, in its category (irrecoverableDebts unless it says financeCharges…), at its
    net share — the VAT part is not income lost; on the cash basis it never was income. The
    net share is read from `invoices` (the records the rollup was given) when they hold the
    written-off invoice, else from the issued records."""
    out: list[Costed] = []
    expenses = list(books.expenses)
    if basis == "accrual":
        expenses += _writeoff_costs(books, period, invoices)
    for x in expenses:
        if x.date not in period:
            continue
        back = reclaimed_vat(books, x)  # the VAT the return reclaims: the rest is part of the cost
        value = Money(x.amount.amount - back, x.amount.currency) if back else x.amount
        r = conv.rate(value.currency, x.date, None, str(x.source))
        out.append(Costed(x, value if value.currency == conv.currency else value.convert(r.rate, conv.currency)))
    return out


def _writeoff_costs(books: Books, period: Period, given: Sequence[Invoice] = ()) -> list[Expense]:
    """The period's write-offs as costs: each at the invoice's net share of what it clears (net ÷
    total). The records are read again only when `given` lacks one (never twice per report)."""
    writeoffs = [w for w in books.writeoffs if w.date in period]
    if not writeoffs:
        return []
    invoices = {i.number: i for i in given if i.number}
    if any(w.invoice not in invoices for w in writeoffs):
        from consult.invoices.cache import load_invoices_cached

        invoices = {i.number: i for i in load_invoices_cached(books.root)[0] if i.number}
    out = []
    for w in writeoffs:
        inv = invoices.get(w.invoice)
        share = w.amount if inv is None or inv.total.amount == 0 else \
            Money.rounded(w.amount.amount * inv.net.amount / inv.total.amount, w.amount.currency)
        out.append(Expense(w.client, w.date, None, share, f"written off {w.invoice}: {w.reason}", False, None,
                           w.category, w.source))
    return out


def _by_category(costed: Sequence[Costed], cur: str) -> dict[str, Money]:
    """Running costs by HMRC category, in the categories' own order; none without a cost."""
    from consult.core.categories import EXPENSE_CATEGORIES

    sums: dict[str, Money] = {}
    for c in costed:
        if c.expense.capital:
            continue
        cat = c.expense.category or "otherExpenses"
        sums[cat] = sums.get(cat, Money.zero(cur)) + c.value
    return {k: sums[k] for k in EXPENSE_CATEGORIES if k in sums}


def _mtd_updates(books: Books, period: Period, rows: Sequence[Row], costed: Sequence[Costed],
                 cur: str) -> tuple[MtdUpdate, ...]:
    """The four quarterly updates of a tax year, each cumulative from its first day."""
    employers = {cid for cid, c in books.clients.items() if c.kind == "employer"}
    trading = [r for r in rows if r.client not in employers]
    start = period.days[0]
    out = []
    for n, q in enumerate(quarters_of(period), start=1):
        def upto(d: date, q: Slice = q) -> bool:
            return start <= d <= q.end

        cum = [c for c in costed if upto(c.expense.date)]
        alone = [c for c in cum if c.expense.date >= q.start]
        deadline_month = q.end.month % 12 + 1
        deadline = date(q.end.year + (q.end.month == 12), deadline_month, 7)
        out.append(MtdUpdate(n, start, q.end, deadline, _total((r.base for r in trading if upto(r.date)), cur),
                             _by_category(cum, cur), q.start,
                             _total((r.base for r in trading if q.start <= r.date <= q.end), cur),
                             _by_category(alone, cur)))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# receivables
# --------------------------------------------------------------------------------------------
@record
class Receivable:
    """An invoice with money still owed, aged by days since it was issued."""

    number: str
    client: str
    issued: date
    due: date
    outstanding: Money
    age: int
    bucket: str
    days_late: int
    rate: Decimal
    source: str
    base: Money


@record
class Receivables:
    """`total` is what clients owe net: the invoices outstanding less `on_account` (money
    clients hold on account, a negative amount)."""

    as_of: date
    currency: str
    items: tuple[Receivable, ...]
    buckets: dict[str, Money]
    total: Money
    on_account: Money | None = None


def bucket_of(age: int) -> str:
    return BUCKETS[0] if age <= 30 else BUCKETS[1] if age <= 60 else BUCKETS[2] if age <= 90 else BUCKETS[3]


def receivables(invoices: Sequence[Invoice], moves: Moves | Sequence[Payment], as_of: date, currency: str,
                base_currency: str | None = None) -> Receivables:
    """What clients owe as of `as_of` (consult.invoices.accounts): each invoice with something
    outstanding, aged 0–30, 31–60, 61–90 and 90+ days since issue, and money clients hold on
    account on other invoices as a credit against the total, each converted at the ECB rate of
    `as_of` (what it is worth that day)."""
    from consult.invoices.accounts import accounts

    conv = _Converter(currency, base_currency or currency)
    items: list[Receivable] = []
    credits: list[Money] = []
    for a in accounts(invoices, moves, as_of):
        inv = a.invoice
        if a.outstanding.amount == 0:
            continue
        r = conv.rate(inv.currency, as_of, None, f"invoice {inv.number}")
        base = a.outstanding if inv.currency == currency else a.outstanding.convert(r.rate, currency)
        if a.outstanding.amount < 0:
            credits.append(base)
            continue
        age = (as_of - inv.issue_date).days
        items.append(Receivable(a.number, inv.client, inv.issue_date, inv.due_date, a.outstanding, age,
                                bucket_of(age), a.days_late, r.rate, r.source, base))
    items.sort(key=lambda i: (-i.age, i.number))
    buckets = {b: _total((i.base for i in items if i.bucket == b), currency) for b in BUCKETS}
    on_account = _total(credits, currency)
    return Receivables(as_of, currency, tuple(items), buckets, _total((i.base for i in items), currency) + on_account,
                       on_account)
