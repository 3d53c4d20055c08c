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
  billable days. **Expenses** are expenses.yaml items of the period, without reclaimable VAT
  when the practice is VAT-registered; **costs** are the ones not rebilled to a client, and
  **profit** = income − all expenses (a rebilled expense is income on the invoice and an
  expense here, so it nets out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from consult.core import fx
from consult.core.money import Money
from consult.core.periods import Period, Slice, months_of, quarters_of
from consult.core.records import Books, IncomeItem, Payment
from consult.errors import UsageError
from consult.invoices.record import Invoice
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
@dataclass(frozen=True, slots=True)
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


def cash_rows(invoices: Iterable[Invoice], payments: Iterable[Payment], period: Period,
              conv: _Converter, warnings: list[str]) -> list[Row]:
    """Payments received in the period: the net part of what each settles, by stream."""
    by_number = {i.number: i for i in invoices if i.number and not i.is_credit_note}
    out: list[Row] = []
    for p in payments:
        if p.date not in period:
            continue
        withheld = p.withheld if p.withheld is not None else Money.zero(p.amount.currency)
        settled = p.amount + withheld
        r = conv.rate(p.amount.currency, p.date, p.fx_rate, str(p.source))
        inv = by_number.get(p.invoice)
        if inv is None:
            warnings.append(f"{p.source}: payment for '{p.invoice}', which was never issued: "
                            "counted whole as consulting income, no VAT taken out")
            out.append(conv.row(p.date, "payment", p.invoice, p.client, CONSULTING, settled,
                                Money.zero(settled.currency), withheld, r))
            continue
        net = (settled if inv.total.amount == 0 else
               Money.rounded(settled.amount * inv.net.amount / inv.total.amount, settled.currency))
        vat = settled - net
        parts = invoice_parts(inv)
        weights = [m.amount for _, m in parts]
        for (stream, _), n, v, w in zip(parts, allocate(net, weights), allocate(vat, weights),
                                        allocate(withheld, weights), strict=True):
            out.append(conv.row(p.date, "payment", p.invoice, p.client, stream, n, v, w, r))
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


def working_days(period: Period, country: str, subdivision: str | None) -> int:
    """Weekdays less the bank holidays on them (consult.core.workdays, from the holidays library)."""
    from consult.core.workdays import working_days as wd

    return int(wd(*period.days, country, subdivision))


# --------------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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
        rows = cash_rows(invoices, books.payments, period, conv, warnings)
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
    wd = working_days(period, practice.country, practice.subdivision) if count_days else 0
    util = (None if not wd else
            (total_days * 100 / Decimal(wd)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    consulting = by_stream.get(CONSULTING, Money.zero(cur))
    rate = Money.rounded(consulting.amount / total_days, cur) if total_days and consulting else None
    expenses, costs = _expenses(books, period, conv)
    return Earnings(period, basis, by, cur, tuple(rows), streams, tuple(groups), by_stream, income,
                    _total((r.base_vat for r in rows), cur), _total((r.base_withheld for r in rows), cur),
                    total_days, wd, util, rate, expenses, costs, income - expenses, tuple(clients),
                    tuple(by_month), tuple(warnings))


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


def _expenses(books: Books, period: Period, conv: _Converter) -> tuple[Money, Money]:
    """(all expenses, those not rebilled) of the period, without reclaimable VAT, converted."""
    registered = books.practice.vat_registered
    every: list[Money] = []
    kept: list[Money] = []
    for x in books.expenses:
        if x.date not in period:
            continue
        value = x.amount - x.vat if registered and x.vat is not None and x.vat.currency == x.amount.currency \
            else x.amount
        r = conv.rate(value.currency, x.date, None, str(x.source))
        m = value if value.currency == conv.currency else value.convert(r.rate, conv.currency)
        every.append(m)
        if not x.rebill:
            kept.append(m)
    return _total(every, conv.currency), _total(kept, conv.currency)


# --------------------------------------------------------------------------------------------
# receivables
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Receivables:
    as_of: date
    currency: str
    items: tuple[Receivable, ...]
    buckets: dict[str, Money]
    total: Money


def bucket_of(age: int) -> str:
    return BUCKETS[0] if age <= 30 else BUCKETS[1] if age <= 60 else BUCKETS[2] if age <= 90 else BUCKETS[3]


def receivables(invoices: Sequence[Invoice], payments: Sequence[Payment], as_of: date, currency: str,
                base_currency: str | None = None) -> Receivables:
    """Outstanding invoices as of `as_of`, aged 0–30, 31–60, 61–90 and 90+ days since issue,
    converted at the ECB rate of `as_of` (what the debt is worth that day)."""
    from consult.invoices.accounts import accounts

    conv = _Converter(currency, base_currency or currency)
    items: list[Receivable] = []
    for a in accounts(invoices, payments, as_of):
        if a.outstanding.amount <= 0:
            continue
        inv = a.invoice
        r = conv.rate(inv.currency, as_of, None, f"invoice {inv.number}")
        base = a.outstanding if inv.currency == currency else a.outstanding.convert(r.rate, currency)
        age = (as_of - inv.issue_date).days
        items.append(Receivable(a.number, inv.client, inv.issue_date, inv.due_date, a.outstanding, age,
                                bucket_of(age), a.days_late, r.rate, r.source, base))
    items.sort(key=lambda i: (-i.age, i.number))
    buckets = {b: _total((i.base for i in items if i.bucket == b), currency) for b in BUCKETS}
    return Receivables(as_of, currency, tuple(items), buckets, _total((i.base for i in items), currency))
