"""`consult check` for issued invoices: records that cannot be read back or do not add up,
billed time changed since (version 2 records), overdue and overpaid invoices, payments that do
not reconcile. (The register's checks are consult.books.register; billed time of version 3
records is consult.invoices.billed.)"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from consult.core.records import Books, TimeEntry
from consult.errors import Problem, Source
from consult.invoices.billed import fully_credited
from consult.invoices.record import Invoice
from consult.invoices.store import load_invoices


def _hm(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h}h{m:02d}m" if m else f"{h}h"


def changed_entries(inv: Invoice, entries: Iterable[TimeEntry]) -> list[str]:
    """What differs between the entries `inv` billed and the timesheets now, day by day."""
    billed: dict[tuple[str, date], Counter[tuple[int, bool]]] = defaultdict(Counter)
    for b in inv.entries:
        billed[(b.engagement, b.date)][(b.minutes, b.billable)] += 1
    engs = {p.engagement: (p.start, p.end) for p in inv.periods if any(b.engagement == p.engagement for b in inv.entries)}
    now: dict[tuple[str, date], Counter[tuple[int, bool]]] = defaultdict(Counter)
    for e in entries:
        span = engs.get(e.engagement) if e.client == inv.client else None
        if span and span[0] <= e.date <= span[1]:
            now[(e.engagement, e.date)][(e.minutes, e.billable)] += 1
    out = []
    for key in sorted(set(billed) | set(now)):
        if billed[key] != now[key]:
            def desc(c: Counter[tuple[int, bool]]) -> str:
                return " + ".join(_hm(m) + ("" if b else " (not billable)")
                                  for (m, b), n in sorted(c.items()) for _ in range(n)) or "nothing"
            out.append(f"{key[0]} {key[1]}: billed {desc(billed[key])}, timesheet now has {desc(now[key])}")
    return out


def check_invoices(books: Books, today: date) -> list[Problem]:
    """Warnings for `consult check`: invoiced time changed since, overdue invoices, payments
    that do not reconcile; errors for issued records that cannot be read back."""
    from consult.core.fx import implausible
    from consult.invoices.accounts import Moves, accounts, overdrawn, reconcile

    moves = Moves.of(books)

    invoices, problems = load_invoices(books.root, missing=False, hashes=False)  # those: the register's check
    out = list(problems)
    credited = fully_credited(invoices)
    for inv in invoices:
        if inv.is_credit_note or not inv.entries or inv.number in credited or inv.version >= 3:
            continue
        src = Source(f"clients/{inv.client}/invoices/{inv.number}.yaml")
        for diff in changed_entries(inv, books.entries):
            out.append(Problem(src, "entries", f"time billed on {inv.number} was changed afterwards — {diff}; "
                               "restore the timesheet, or credit the invoice and bill again", "warning"))
    for a in accounts(invoices, moves, today):
        src = Source(f"clients/{a.invoice.client}/invoices/{a.number}.yaml")
        if a.status == "overdue":
            out.append(Problem(src, None, f"{a.number} is {a.days_late} days overdue: "
                               f"{a.outstanding.format(a.invoice.locale)} outstanding since {a.invoice.due_date} "
                               "(consult invoice overdue)", "warning"))
        elif a.outstanding.amount < 0:
            held = (-a.outstanding).format(a.invoice.locale)
            out.append(Problem(src, None, f"{a.number} holds {held} on account (overpaid, or paid before it was "
                               f"credited): allocate it to another invoice (consult invoice pay NUMBER AMOUNT --from "
                               f"{a.number}) or pay it back (consult invoice refund {a.number} AMOUNT)", "warning"))
    out += reconcile(invoices, moves.payments, moves)  # allocations and refunds that move nothing: errors
    out += overdrawn(invoices, moves)
    base = books.practice.base_currency
    for pay in books.payments:
        if pay.fx_rate is not None and (why := implausible(pay.amount.currency, base, pay.date, pay.fx_rate)):
            out.append(Problem(pay.source, "fx_rate", why, "warning"))
    for item in books.income:
        if item.fx_rate is not None and (why := implausible(item.amount.currency, base, item.date, item.fx_rate)):
            out.append(Problem(item.source, "fx_rate", why, "warning"))
    return out
