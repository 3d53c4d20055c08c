"""What is billed, and what is not yet: the one definition every command uses.

An issued invoice that is not credited in full bills (its record, consult.invoices.record):

* **time entries, by identity** — an entry is the same entry while its engagement, date,
  minutes, billable flag, start, end and importer id are the same (its note and its place in the
  file may change); identical entries on one day are told apart by their order;
* **for a daily engagement, a fraction of each calendar day** — so 3 h billed as half a day,
  with 3 h more logged later, leaves the other half of that day to bill;
* **milestones, by name** (moving a milestone's due date does not make it billable again);
* **rebillable expenses, by identity** (date, engagement, amount, VAT, note).

A version 2 record (before billing by identity) bills the dates of its `periods`, as it did.
Crediting an invoice in full releases its work to be billed again.

`unbilled` lists what is left, per engagement and per day, valued as an invoice would bill it;
`invoice create` bills exactly that, and refuses (naming the earlier invoice) only when nothing
is left. A billed entry changed or deleted afterwards is a `consult check` warning with its fix,
and stops billing that engagement's day by the hour until it is restored or credited (billing
the changed entry again would bill its time twice).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from fractions import Fraction

from consult.core.money import Money
from consult.core.record import record
from consult.core.records import Books, Engagement, Expense, Milestone, TimeEntry
from consult.errors import Problem, Source
from consult.invoices.record import BilledEntry, BilledExpense, Invoice
from consult.work.rules import billed_minutes, exact_day_fraction

# identity of a time entry within its client (see the module docstring)
EntryId = tuple[str, date, int, bool, time | None, time | None, str | None]
ExpenseId = tuple[str | None, date, Decimal, Decimal | None, str | None]


def entry_id(e: TimeEntry | BilledEntry) -> EntryId:
    sid = e.source_id
    return (e.engagement, e.date, e.minutes, e.billable, e.start, e.end, sid)


def expense_id(x: Expense | BilledExpense) -> ExpenseId:
    return (x.engagement, x.date, x.amount.amount, x.vat.amount if x.vat is not None else None, x.note)


# ------------------------------------------------------------------------------------------
# live invoices
# ------------------------------------------------------------------------------------------
def fully_credited(invoices: Iterable[Invoice]) -> set[str]:
    """Numbers of invoices whose credit notes add up to their whole total."""
    invs = list(invoices)
    credited: dict[str, Money] = {}
    for i in invs:
        if i.is_credit_note and i.credits:
            credited[i.credits] = credited[i.credits] + i.total if i.credits in credited else i.total
    return {i.number for i in invs
            if i.number and not i.is_credit_note and i.number in credited
            and credited[i.number].currency == i.currency and credited[i.number] >= i.total}


def live(invoices: Iterable[Invoice]) -> list[Invoice]:
    """Issued invoices (not credit notes) that still bill their work: not credited in full."""
    invs = list(invoices)
    gone = fully_credited(invs)
    return [i for i in invs if not i.is_credit_note and i.number and i.number not in gone]


# ------------------------------------------------------------------------------------------
# the index of what live invoices bill, for one client
# ------------------------------------------------------------------------------------------
@dataclass
class Billed:
    """What the live invoices of one client bill."""

    client: str
    entries: Counter[EntryId] = field(default_factory=Counter)
    entry_invoice: dict[EntryId, str] = field(default_factory=dict)
    entries_by_day: dict[tuple[str, date], list[tuple[BilledEntry, str]]] = field(default_factory=dict)
    days: dict[tuple[str, date], Fraction] = field(default_factory=dict)
    day_invoices: dict[tuple[str, date], list[str]] = field(default_factory=dict)
    milestones: dict[tuple[str, str], str] = field(default_factory=dict)
    expenses: Counter[ExpenseId] = field(default_factory=Counter)
    expense_invoice: dict[ExpenseId, str] = field(default_factory=dict)
    spans: dict[str, list[tuple[date, date, str]]] = field(default_factory=dict)  # v2 records

    def span(self, engagement: str, day: date) -> str | None:
        """The version 2 invoice whose periods cover `day` for `engagement`, if any."""
        for a, b, number in self.spans.get(engagement, ()):
            if a <= day <= b:
                return number
        return None


def billed_of(client: str, invoices: Iterable[Invoice]) -> Billed:
    """What the live invoices among `invoices` bill for `client` (records must carry entries)."""
    out = Billed(client)
    for inv in live(invoices):
        if inv.client != client:
            continue
        number = inv.number or ""
        if inv.version < 3:
            for p in inv.periods:
                out.spans.setdefault(p.engagement, []).append((p.start, p.end, number))
            for ln in inv.lines:
                if ln.kind == "milestone" and ln.engagement and ": " in ln.description:
                    out.milestones[(ln.engagement, ln.description.split(": ", 1)[1])] = number
            continue
        for b in inv.entries:
            k = entry_id(b)
            out.entries[k] += 1
            out.entry_invoice[k] = number
            out.entries_by_day.setdefault((b.engagement, b.date), []).append((b, number))
        for d in inv.days:
            key = (d.engagement, d.date)
            out.days[key] = out.days.get(key, Fraction(0)) + d.fraction
            out.day_invoices.setdefault(key, []).append(number)
        for m in inv.milestones:
            out.milestones[(m.engagement, m.name)] = number
        for x in inv.expenses:
            xk = expense_id(x)
            out.expenses[xk] += 1
            out.expense_invoice[xk] = number
    return out


def entry_billed_by(invoices: Iterable[Invoice]) -> Callable[[TimeEntry], str | None]:
    """A function entry -> the number of the live invoice that billed it, or None (for
    `time import --sync`, which never changes a billed entry)."""
    invs = list(invoices)
    index: dict[str, Billed] = {}

    def who(e: TimeEntry) -> str | None:
        b = index.get(e.client)
        if b is None:
            b = index[e.client] = billed_of(e.client, invs)
        return b.span(e.engagement, e.date) or (b.entry_invoice.get(entry_id(e)) if b.entries[entry_id(e)] else None)

    return who


# ------------------------------------------------------------------------------------------
# what is left to bill
# ------------------------------------------------------------------------------------------
@record
class DayWork:
    """Unbilled work of one engagement on one day: the entries not billed, and what they bill.

    For a daily engagement `fraction` is the part of the day left to bill (the day's fraction
    by its rounding now, less what earlier invoices billed of it); for an hourly one `minutes`
    are the entries' minutes, each rounded up to the increment."""

    engagement: Engagement
    date: date
    entries: tuple[TimeEntry, ...]
    logged: int  # minutes of the unbilled entries, as logged
    fraction: Fraction = Fraction(0)
    minutes: int = 0


@record
class Changed:
    """A billed entry that the timesheet no longer has as it was billed."""

    entry: BilledEntry
    invoice: str


@record
class Work:
    """Everything of one engagement left to bill in a period."""

    engagement: Engagement
    days: tuple[DayWork, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    changed: tuple[Changed, ...] = ()     # billed entries changed or deleted since
    held: tuple[DayWork, ...] = ()        # hourly days not billable until `changed` is resolved

    @property
    def quantity(self) -> Fraction:
        """Days (daily) or hours (hourly) left to bill, exactly."""
        if self.engagement.billing == "daily":
            return sum((d.fraction for d in self.days), Fraction(0))
        return Fraction(sum(d.minutes for d in self.days), 60)

    @property
    def value(self) -> Money | None:
        e = self.engagement
        if e.billing == "fixed":
            return Money.total((m.amount for m in self.milestones), e.currency) if self.milestones else None
        return e.rate.times_exact(self.quantity) if e.rate is not None else None


def _split(engagement: str, day: date, entries: Sequence[TimeEntry],
           billed: Billed) -> tuple[list[TimeEntry], list[TimeEntry], list[Changed]]:
    """(billed, unbilled, changed) for one engagement-day: billed identities are matched
    against the day's entries in file order; billed ones the day no longer has are `changed`."""
    items = billed.entries_by_day.get((engagement, day), [])
    left = Counter(entry_id(b) for b, _ in items)
    done, todo = [], []
    for e in entries:
        k = entry_id(e)
        if left[k] > 0:
            left[k] -= 1
            done.append(e)
        else:
            todo.append(e)
    changed = []
    for b, number in items:
        k = entry_id(b)
        if left[k] > 0:
            left[k] -= 1
            changed.append(Changed(b, number))
    return done, todo, changed


def work_of(books: Books, engagement: Engagement, billed: Billed, start: date | None, end: date | None,
            *, expenses: bool = False) -> Work:
    """What `engagement` has left to bill from `start` to `end` (either open)."""
    e = engagement

    def within(d: date) -> bool:
        return (start is None or d >= start) and (end is None or d <= end)

    if e.billing == "fixed":
        ms = tuple(m for m in e.milestones if within(m.due) and (e.id, m.name) not in billed.milestones
                   and billed.span(e.id, m.due) is None)
        return Work(e, milestones=ms)
    by_day: dict[date, list[TimeEntry]] = defaultdict(list)
    for t in books.entries:
        if t.client == e.client and t.engagement == e.id and t.billable and within(t.date):
            by_day[t.date].append(t)
    # billed entries on days that now have no billable entry at all (deleted) are changed too
    changed: list[Changed] = []
    for (eng, d), items in billed.entries_by_day.items():
        if eng == e.id and within(d) and d not in by_day:
            changed += [Changed(b, n) for b, n in items]
    days: list[DayWork] = []
    held: list[DayWork] = []
    for d in sorted(by_day):
        entries = by_day[d]
        if billed.span(e.id, d) is not None:
            continue  # a version 2 invoice billed this whole day
        _, todo, ch = _split(e.id, d, entries, billed)
        changed += ch
        if not todo:
            continue
        logged = sum(t.minutes for t in todo)
        if e.billing == "daily":
            now = exact_day_fraction(sum(t.minutes for t in entries), e.hours_per_day, e.day_rounding, e.overtime)
            left = now - billed.days.get((e.id, d), Fraction(0))
            if left <= 0:
                continue  # the day was billed in full already (e.g. at the one-day cap)
            days.append(DayWork(e, d, tuple(todo), logged, fraction=left))
        else:
            work = DayWork(e, d, tuple(todo), logged,
                           minutes=sum(billed_minutes(t.minutes, e.time_increment_minutes) for t in todo))
            (held if ch else days).append(work)
    return Work(e, tuple(days), (), tuple(changed), tuple(held))


def unbilled_expenses(books: Books, client: str, billed: Billed, start: date, end: date,
                      engagements: set[str | None] | None = None) -> list[Expense]:
    """Rebillable expenses of `client` dated in the period and on no live invoice."""
    left = Counter(billed.expenses)
    out = []
    for x in sorted(books.expenses, key=lambda x: (x.date, str(x.source))):
        if x.client != client or not x.rebill or not start <= x.date <= end:
            continue
        if engagements is not None and x.engagement not in engagements:
            continue
        k = expense_id(x)
        if left[k] > 0:
            left[k] -= 1
            continue
        if billed.span(x.engagement or "expenses", x.date) is not None:
            continue
        out.append(x)
    return out


# ------------------------------------------------------------------------------------------
# `consult time unbilled` and `consult check`
# ------------------------------------------------------------------------------------------
@record
class Unbilled:
    """An engagement's billable work (or milestones due) not yet on an issued invoice."""

    engagement: Engagement
    first: date
    last: date
    billable_minutes: int
    billed_minutes: int
    days: Decimal | None
    value: Money | None
    milestones: tuple[str, ...] = field(default=())
    detail: tuple[DayWork, ...] = ()

    def as_dict(self) -> dict[str, object]:
        from consult.work.report import hours_text

        return {"client": self.engagement.client, "engagement": self.engagement.id,
                "billing": self.engagement.billing, "from": self.first, "to": self.last,
                "currency": self.engagement.currency,
                "billable_minutes": self.billable_minutes, "billable_hours": hours_text(self.billable_minutes),
                "billed_minutes": self.billed_minutes, "billed_hours": hours_text(self.billed_minutes),
                "days": self.days, "value": self.value.amount if self.value is not None else None,
                "milestones": "; ".join(self.milestones) or None}


def days_text(q: Fraction) -> Decimal:
    """Days to show: exact when they end within three places, else to three (half up)."""
    from consult.work.rules import quantity

    return quantity(Decimal(q.numerator) / Decimal(q.denominator))


def unbilled(books: Books, invoices: Iterable[Invoice], *, today: date,
             engagements: Iterable[Engagement] | None = None) -> list[Unbilled]:
    """Per engagement, billable work up to `today` on no live invoice, valued as it would bill
    (fixed-price engagements: milestones due by `today` and not billed)."""
    invs = list(invoices)
    index: dict[str, Billed] = {}
    out: list[Unbilled] = []
    engs = list(engagements) if engagements is not None else [e for _, e in sorted(books.engagements.items())]
    for eng in engs:
        if books.clients[eng.client].kind != "client":
            continue
        billed = index.get(eng.client) or index.setdefault(eng.client, billed_of(eng.client, invs))
        w = work_of(books, eng, billed, None, today)
        if eng.billing == "fixed":
            if w.milestones:
                out.append(Unbilled(eng, min(m.due for m in w.milestones), max(m.due for m in w.milestones), 0, 0,
                                    None, w.value, tuple(f"{m.name} ({m.due})" for m in w.milestones)))
            continue
        todo = [*w.days, *w.held]
        if not todo:
            continue
        logged = sum(d.logged for d in todo)
        if eng.billing == "daily":
            q = w.quantity
            minutes = int(round(q * Fraction(eng.hours_per_day) * 60))
            out.append(Unbilled(eng, todo[0].date, todo[-1].date, logged, minutes, days_text(q), w.value,
                                detail=tuple(todo)))
        else:
            minutes = sum(d.minutes for d in todo)
            value = eng.rate.times_exact(Fraction(minutes, 60)) if eng.rate is not None else None
            out.append(Unbilled(eng, min(d.date for d in todo), max(d.date for d in todo), logged, minutes, None,
                                value, detail=tuple(todo)))
    return out


def check_unbilled(books: Books, today: date) -> list[Problem]:
    """`consult check`: billable work from before last month that no issued invoice covers —
    work forgotten is money never asked for (last month's is still being billed, so it is left
    alone) — and billed time changed or deleted afterwards. A client whose issued records
    cannot all be read is left out: what it was billed is not known (that is an error)."""
    from consult.invoices.store import load_invoices
    from consult.work.report import hours_text

    cutoff = (today.replace(day=1) - timedelta(days=1)).replace(day=1) - timedelta(days=1)
    invoices, problems = load_invoices(books.root)  # reported by check_invoices
    unknown = {p.source.path.split("/")[1] for p in problems if p.source.path.startswith("clients/")}
    out = []
    engs = [e for _, e in sorted(books.engagements.items()) if e.client not in unknown]
    for u in unbilled(books, invoices, today=cutoff, engagements=engs):
        what = (f"{u.days} days" if u.days is not None else
                f"{hours_text(u.billed_minutes)} hours" if u.billable_minutes else "; ".join(u.milestones))
        worth = f" ({u.value.plain()} {u.value.currency})" if u.value is not None else ""
        period = f"{u.first:%Y-%m}" if (u.first.year, u.first.month) == (u.last.year, u.last.month) \
            else f"{u.first}..{u.last}"
        out.append(Problem(u.engagement.source, None,
                           f"{u.engagement.key}: {what}{worth} of work from {u.first} to {u.last} is on no "
                           f"invoice; bill it (consult invoice create {u.engagement.client} --period {period}) "
                           "or mark it billable: false", "warning"))
    out += changed_problems(books, invoices)
    return out


def changed_problems(books: Books, invoices: Iterable[Invoice]) -> list[Problem]:
    """Warnings for billed time entries the timesheets no longer hold as they were billed."""
    invs = list(invoices)
    out: list[Problem] = []
    for cid in sorted(books.clients):
        billed = billed_of(cid, invs)
        if not billed.entries_by_day:
            continue
        for eng in books.engagements_of(cid):
            if eng.billing == "fixed":
                continue
            for c in work_of(books, eng, billed, None, None).changed:
                b = c.entry
                h, m = divmod(b.minutes, 60)
                out.append(Problem(
                    Source(f"clients/{cid}/invoices/{c.invoice}.yaml"), "entries",
                    f"time billed on {c.invoice} was changed or deleted afterwards — {b.engagement} {b.date}: "
                    f"{h}h{m:02d}m{' ' + repr(b.note) if b.note else ''} (was {b.source}); restore the entry "
                    f"as billed, or credit {c.invoice} and bill the day again", "warning"))
    return out
