"""`vat_return`: the nine boxes of one period by HMRC's rules for the practice's scheme.

One function for `consult vat return` (which prints it) and `consult vat submit` (which sends
it). The scheme modules say which documents count and what each adds to which box
(`consult.vat.standard`, `.cash`, `.flat_rate`; sterling figures and purchases in
`.documents`); the totals are made here, once, by HMRC's rules (VAT Notice 700/12):

* Boxes 1, 2 and 4 are the sums of the documents' pounds and pence (each document's figure
  already rounded once, half up). Box 2 (acquisitions of goods from the EU) is nil: since 2021
  it is for Northern Ireland goods only, and the practice supplies and buys services.
* Box 3 = box 1 + box 2. Box 5 = the difference between box 3 and box 4, always positive;
  whether it is paid to HMRC or repaid is `VatReturn.repayment`.
* Boxes 6–9 are whole pounds: the pence are left out (cut towards zero) from the total of the
  documents; `VatReturn.exact` keeps the figure before. Boxes 8 and 9 (goods to and from the EU)
  are nil for the same reason as box 2.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from consult.core.records import Books
from consult.errors import ConsultError, UsageError
from consult.invoices.record import Invoice
from consult.vat import cash, flat_rate, standard
from consult.vat.boxes import BoxEntry, VatReturn
from consult.vat.documents import Context, SterlingRates
from consult.vat.periods import due_date

SCHEMES: dict[str, Callable[[Context], list[BoxEntry]]] = {
    "standard": standard.entries, "cash": cash.entries, "flat_rate": flat_rate.entries,
}
WHOLE_POUNDS = (6, 7, 8, 9)


def vat_return(books: Books, invoices: list[Invoice], start: date, end: date, *, period_key: str | None = None,
               scheme: str | None = None, due: date | None = None) -> VatReturn:
    """The return for `start`..`end` (inclusive) from the books and the issued records.

    `scheme` overrides practice.yaml's `vat.scheme` (to compare schemes); `due` the due date
    (HMRC's obligation gives it; else one month and seven days after `end`). Raises ConsultError
    when the practice is not VAT-registered or a figure cannot be had (a missing sterling rate, a
    payment for an invoice never issued), naming the document."""
    if not books.practice.vat_registered:
        raise ConsultError("the practice is not VAT-registered (practice.yaml has no vat_number and "
                           "invoice.vat_rate), so it makes no VAT returns")
    if end < start:
        raise UsageError(f"the period ends ({end}) before it starts ({start})")
    settings = books.practice.vat
    name = scheme or settings.scheme
    if name not in SCHEMES:
        raise UsageError(f"scheme: '{name}' is not one of {', '.join(SCHEMES)}")
    ctx = Context(books, invoices, start, end, SterlingRates(settings.sterling_rate))
    entries = SCHEMES[name](ctx)
    exact = {n: sum((e.box(n) for e in entries), Decimal(0)) for n in range(1, 10)}
    exact[2] = exact[8] = exact[9] = Decimal(0)
    boxes = {n: exact[n] for n in (1, 2, 4)}
    boxes[3] = boxes[1] + boxes[2]
    boxes[5] = abs(boxes[3] - boxes[4])
    for n in WHOLE_POUNDS:
        boxes[n] = exact[n].quantize(Decimal(1), rounding=ROUND_DOWN)
    boxes = {n: boxes[n] for n in range(1, 10)}
    notes = list(ctx.notes)
    if any(exact[n] != boxes[n] for n in WHOLE_POUNDS):
        notes.append("Boxes 6–9 are in whole pounds: the pence are left out (VAT Notice 700/12).")
    return VatReturn(start=start, end=end, scheme=name, boxes=boxes, due=due or due_date(end), period_key=period_key,
                     notes=tuple(notes), entries=tuple(sorted(entries, key=lambda e: (e.date, e.kind, e.ref))),
                     exact={n: exact[n] for n in WHOLE_POUNDS})


def needed_records(books: Books, start: date, end: date) -> Callable[[dict[str, Any]], bool]:
    """Which issued records a return for `start`..`end` can need, judged from a record as plain
    data (consult.invoices.cache `keep`): those whose tax point falls in the period, and those
    that money received in the period paid. Every scheme takes its documents from these."""
    first, last = start.isoformat(), end.isoformat()
    paid = {p.invoice for p in books.payments if start <= p.date <= end}

    def keep(rec: dict[str, Any]) -> bool:
        point = str(rec.get("tax_point") or rec["issue_date"])
        return first <= point <= last or rec.get("number") in paid

    return keep
