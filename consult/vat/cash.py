"""The Cash Accounting Scheme (VAT Notice 731): sales by the dates money was received,
purchases by the dates they were paid.

* Each receipt (consult.vat.money) is the part of one invoice it settles. That part is split
  into net and VAT as earnings splits it: net = settled × invoice net ÷ invoice total, half up,
  VAT = the rest; in sterling, each is that share of the invoice's own sterling figure, half up
  (for a sterling invoice, exactly the split). VAT goes in box 1 where the invoice charged UK
  VAT, the net in box 6.
* A credit note moves no money: it lowers what the customer pays, so the receipts carry it. Where
  the money was already received (and its VAT accounted), the VAT comes back when the money is
  paid back: a refund is a negative receipt on its date, carrying the VAT share of the invoice it
  comes from (HMRC VCAS5250). An allocation of money on account to another invoice is no new
  money: it is a negative receipt on the invoice it leaves and a positive one on the invoice it
  settles, on its date — the same amount at the same VAT fraction cancels to the penny, so only a
  difference of rate or sterling rate between the two invoices moves a box.
* Purchases count on the date paid, which is an expense's `date`, as under the standard
  scheme. Reverse-charge services keep their normal tax point (Notice 731 excludes them).
"""

from __future__ import annotations

from decimal import Decimal

from consult.core.money import round_money
from consult.vat.boxes import BoxEntry
from consult.vat.documents import Context, charges_uk_vat, invoice_sterling, party_of, pence
from consult.vat.money import Receipt, money_received
from consult.vat.standard import purchase_entries, sale_note

ZERO = Decimal(0)


def receipt_sterling(ctx: Context, r: Receipt) -> tuple[Decimal, Decimal, str]:
    """(net, VAT) in sterling of what receipt `r` settles of its invoice, and a note."""
    inv = r.invoice
    total = inv.total.amount
    if total == 0:
        return ZERO, ZERO, "an invoice of nothing"
    net_part = round_money(r.amount.amount * inv.net.amount / total, inv.currency)
    vat_part = r.amount.amount - net_part
    s = invoice_sterling(inv, ctx.rates)
    net = pence(s.net * net_part / inv.net.amount) if inv.net.amount else ZERO
    vat = pence(s.vat * vat_part / inv.vat.amount) if inv.vat.amount else ZERO
    share = f"{r.amount.plain()} {inv.currency} of {inv.number}'s {inv.total.plain()}"
    return net, vat, sale_note(inv, s, share)


def sales(ctx: Context) -> list[BoxEntry]:
    out = []
    for r in money_received(ctx.books, ctx.invoices, ctx.start, ctx.end):
        if r.invoice.tax_treatment == "none":  # issued before VAT registration: no supply for VAT
            continue
        net, vat, note = receipt_sterling(ctx, r)
        boxes = {6: net}
        if charges_uk_vat(r.invoice):
            boxes[1] = vat
        out.append(BoxEntry(r.date, r.kind, r.source, party_of(ctx.books, r.invoice.client), boxes, note))
    return out


def entries(ctx: Context) -> list[BoxEntry]:
    ctx.notes.append("Cash accounting: sales by the dates money was received or paid back (payments, allocations of "
                     "money on account, refunds), purchases by the date paid; reverse-charge services at their normal "
                     "tax point (VAT Notice 731).")
    return sales(ctx) + purchase_entries(ctx)
