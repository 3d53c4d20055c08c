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
from datetime import date

from consult.core.money import Money
from consult.core.records import TimeEntry
from consult.invoices.record import Invoice


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
