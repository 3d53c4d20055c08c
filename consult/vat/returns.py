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
from pathlib import Path
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


def named_documents(books: Books, start: date, end: date) -> set[str]:
    """The document numbers money moved in `start`..`end` names: payments' invoices, both ends
    of an allocation (money on account moved from a credit note or overpaid invoice to another
    invoice) and the document a refund comes from. Cash accounting and the Flat Rate Scheme's
    cash turnover count that money, so the documents must be read whatever their tax point."""
    named = {p.invoice for p in books.payments if start <= p.date <= end}
    for a in books.allocations:
        if start <= a.date <= end:
            named.update((a.source_doc, a.invoice))
    named.update(r.source_doc for r in books.refunds if start <= r.date <= end)
    return named


def needed_records(books: Books, start: date, end: date) -> Callable[[dict[str, Any]], bool]:
    """Which issued records a return for `start`..`end` can need, judged from a record as plain
    data (consult.invoices.cache `keep`): those whose tax point falls in the period, those that
    money moved in the period names (`named_documents`), and the invoice a named credit note
    credits (an allocation or refund "from" a credit note takes the credit it left on that
    invoice). Every scheme takes its documents from these.

    A credit note is usually read before the invoice it credits (`CN-…` sorts before `INV-…` in
    a client's folder); `load_return_records` reads the rest when it was not."""
    first, last = start.isoformat(), end.isoformat()
    named = named_documents(books, start, end)

    def keep(rec: dict[str, Any]) -> bool:
        number = rec.get("number")
        if number in named:
            if rec.get("credits"):
                named.add(str(rec["credits"]))
            return True
        point = str(rec.get("tax_point") or rec["issue_date"])
        return first <= point <= last

    return keep


def load_return_records(root: Path, books: Books, start: date, end: date) -> list[Invoice]:
    """The issued records a return for `start`..`end` needs (`needed_records`), read through the
    cache. Raises BooksError when a record cannot be read."""
    from consult.errors import BooksError
    from consult.invoices.cache import load_invoices_cached

    invoices, problems = load_invoices_cached(root, needed_records(books, start, end))
    have = {i.number for i in invoices}
    missing = {i.credits for i in invoices if i.is_credit_note and i.credits and i.credits not in have}
    if missing and not problems:  # a credited invoice read before its credit note was seen: read it now
        more, problems = load_invoices_cached(root, lambda rec: rec.get("number") in missing)
        invoices += [i for i in more if i.number in missing]
    if problems:
        raise BooksError(problems, "issued records cannot be read; restore them from git")
    return invoices
