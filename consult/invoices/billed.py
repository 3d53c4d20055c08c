"""What is billed: the one definition every command uses ("never bill twice").

An issued invoice that is not credited in full bills, for each engagement it names, the days of
its billed period (`periods` in the record). Crediting an invoice in full releases its work to
be billed again. `invoice create` refuses work billed already, `time unbilled` and `consult
check` list work not billed yet, and `time import --sync` never changes a billed entry: all of
them ask this module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from consult.core.money import Money
from consult.core.records import Books, Engagement, TimeEntry
from consult.errors import Problem
from consult.invoices.record import Invoice
from consult.work.day_totals import Totals
from consult.work.report import _fraction, hours_text
from consult.work.rules import quantity


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


Spans = dict[tuple[str, str], list[tuple[date, date, str]]]


def billed_spans(invoices: Iterable[Invoice]) -> Spans:
    """(client, engagement) -> [(first day, last day, invoice number)] that live invoices bill."""
    out: Spans = defaultdict(list)
    for inv in live(invoices):
        for p in inv.periods:
            out[(inv.client, p.engagement)].append((p.start, p.end, inv.number or ""))
    return out


def billed_by(invoices: Iterable[Invoice]) -> Callable[[str, str, date], str | None]:
    """A function (client, engagement, day) -> the number of the invoice that billed that
    engagement's work on that day, or None."""
    spans = billed_spans(invoices)

    def who(client: str, engagement: str, day: date) -> str | None:
        for a, b, number in spans.get((client, engagement), ()):
            if a <= day <= b:
                return number
        return None

    return who


def entry_billed_by(invoices: Iterable[Invoice]) -> Callable[[TimeEntry], str | None]:
    """A function entry -> the number of the invoice that billed it, or None."""
    who = billed_by(invoices)
    return lambda e: who(e.client, e.engagement, e.date)


# --------------------------------------------------------------------------------------------
# unbilled work
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
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

    def as_dict(self) -> dict[str, object]:
        return {"client": self.engagement.client, "engagement": self.engagement.id,
                "billing": self.engagement.billing, "from": self.first, "to": self.last,
                "currency": self.engagement.currency,
                "billable_minutes": self.billable_minutes, "billable_hours": hours_text(self.billable_minutes),
                "billed_minutes": self.billed_minutes, "billed_hours": hours_text(self.billed_minutes),
                "days": self.days, "value": self.value.amount if self.value is not None else None,
                "milestones": "; ".join(self.milestones) or None}


def unbilled(books: Books, totals: Totals, invoices: Iterable[Invoice], *, today: date,
             engagements: Iterable[Engagement] | None = None) -> list[Unbilled]:
    """Per engagement, billable work up to `today` on no issued invoice, valued as it would bill
    (fixed-price engagements: milestones due by `today` and not billed)."""
    billed = billed_spans(invoices)
    out: list[Unbilled] = []
    engs = list(engagements) if engagements is not None else [e for _, e in sorted(books.engagements.items())]
    for eng in engs:
        covered = billed.get((eng.client, eng.id), [])

        def is_billed(d: date, covered: list[tuple[date, date, str]] = covered) -> bool:
            return any(a <= d <= b for a, b, _ in covered)

        if eng.billing == "fixed":
            due = [m for m in eng.milestones if m.due <= today and not is_billed(m.due)]
            if due:
                out.append(Unbilled(eng, min(m.due for m in due), max(m.due for m in due), 0, 0, None,
                                    Money.total((m.amount for m in due), eng.currency),
                                    tuple(f"{m.name} ({m.due})" for m in due)))
            continue
        days = [(d, t) for d, t in sorted(totals.get((eng.client, eng.id), {}).items())
                if t.billable and d <= today and not is_billed(d)]
        if not days:
            continue
        billable = sum(t.billable for _, t in days)
        if eng.billing == "daily":
            q = quantity(sum((_fraction(t.billable, eng.hours_per_day, eng.day_rounding, eng.overtime)
                              for _, t in days), Decimal(0)))
            billed_min = int((q * eng.hours_per_day * 60).to_integral_value(rounding=ROUND_HALF_UP))
            n_days: Decimal | None = q
        else:
            billed_min = sum(t.billed for _, t in days)
            q = quantity(Decimal(billed_min) / 60)
            n_days = None
        value = eng.rate.times(q) if eng.rate is not None else None
        out.append(Unbilled(eng, days[0][0], days[-1][0], billable, billed_min, n_days, value))
    return out


def check_unbilled(books: Books, today: date) -> list[Problem]:
    """`consult check`: billable work from before last month that no issued invoice covers —
    work forgotten is money never asked for (last month's is still being billed, so it is
    left alone)."""
    from consult.invoices.store import load_invoices
    from consult.work.day_totals import day_totals_of


    cutoff = (today.replace(day=1) - timedelta(days=1)).replace(day=1) - timedelta(days=1)
    clients = {c for c, e in books.engagements if books.clients[c].kind == "client"}
    engs = [e for (c, _), e in sorted(books.engagements.items()) if c in clients]
    invoices, _ = load_invoices(books.root)  # unreadable records are reported by check_invoices
    out = []
    for u in unbilled(books, day_totals_of(books.entries, books.engagements), invoices, today=cutoff,
                      engagements=engs):
        what = (f"{u.days} days" if u.days is not None else
                f"{hours_text(u.billed_minutes)} hours" if u.billable_minutes else "; ".join(u.milestones))
        worth = f" ({u.value.plain()} {u.value.currency})" if u.value is not None else ""
        period = f"{u.first:%Y-%m}" if (u.first.year, u.first.month) == (u.last.year, u.last.month) \
            else f"{u.first}..{u.last}"
        out.append(Problem(u.engagement.source, None,
                           f"{u.engagement.key}: {what}{worth} of work from {u.first} to {u.last} is on no "
                           f"invoice; bill it (consult invoice create {u.engagement.client} --period {period}) "
                           "or mark it billable: false", "warning"))
    return out
