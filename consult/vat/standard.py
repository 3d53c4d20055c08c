"""The standard scheme (invoice basis, VAT Notice 700/12): sales and credit notes by tax point,
purchases by the date they were paid.

* An invoice counts in the period holding its tax point, a credit note in the period holding
  its own date (it reduces the boxes of the period it falls in, not those of the invoice it
  corrects). Each puts its sterling net in box 6 and, where it charged UK VAT, its sterling VAT
  in box 1 (negative for a credit note).
* Sales with no UK VAT — to EU businesses under the reverse charge, to businesses outside the
  UK and EU (outside the scope of UK VAT), zero-rated and exempt — are in box 6 at their value.
* Purchases: see consult.vat.documents (box 4 UK VAT paid, box 7 value; reverse charge in
  boxes 1, 4, 6 and 7).
"""

from __future__ import annotations

from consult.invoices.record import Invoice
from consult.vat.boxes import BoxEntry
from consult.vat.documents import (
    Context,
    Sterling,
    charges_uk_vat,
    invoice_sterling,
    party_of,
    purchase_entry,
    purchases,
)

TREATMENT_NOTES = {
    "reverse_charge": "reverse charge: the EU customer accounts for the VAT; value only",
    "outside_scope": "outside the scope of UK VAT (customer abroad); value only",
    "zero": "zero-rated",
    "exempt": "exempt",
}


def sale_note(inv: Invoice, s: Sterling, extra: str = "") -> str:
    parts = [extra] if extra else []
    if inv.is_credit_note:
        parts.append(f"credits {inv.credits}")
    if (t := TREATMENT_NOTES.get(inv.tax_treatment)) is not None:
        parts.append(t)
    if s.rate is not None:
        parts.append(s.note(inv.currency))
    return "; ".join(parts)


def sales(ctx: Context) -> list[BoxEntry]:
    """Issued invoices and credit notes whose tax point falls in the period."""
    out = []
    for inv in sorted(ctx.invoices, key=lambda i: (i.tax_point, i.number or "")):
        if inv.number is None or inv.tax_treatment == "none" or not ctx.within(inv.tax_point):
            continue
        s = invoice_sterling(inv, ctx.rates)
        sign = -1 if inv.is_credit_note else 1
        boxes = {6: sign * s.net}
        if charges_uk_vat(inv):
            boxes[1] = sign * s.vat
        out.append(BoxEntry(inv.tax_point, inv.kind, inv.number, party_of(ctx.books, inv.client), boxes,
                            sale_note(inv, s)))
    return out


def purchase_entries(ctx: Context) -> list[BoxEntry]:
    return [e for x in purchases(ctx) if (e := purchase_entry(ctx, x)) is not None]


def entries(ctx: Context) -> list[BoxEntry]:
    ctx.notes.append("Standard scheme (invoice basis): sales and credit notes by tax point, purchases by the date "
                     "paid (VAT Notice 700/12).")
    return sales(ctx) + purchase_entries(ctx)
