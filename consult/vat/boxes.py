"""A VAT return's nine boxes (VAT Notice 700/12), as HMRC's MTD VAT API names them.

Built by `consult.vat.returns.vat_return` for a period and scheme; printed by `consult vat return`;
sent by `consult vat submit`. Boxes 1–5 are pounds and pence, boxes 6–9 whole pounds.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date
from decimal import Decimal
from typing import Any

from consult.core.record import record

# HMRC's field names, in box order (box 1 … box 9)
HMRC_FIELDS = ("vatDueSales", "vatDueAcquisitions", "totalVatDue", "vatReclaimedCurrPeriod", "netVatDue",
               "totalValueSalesExVAT", "totalValuePurchasesExVAT", "totalValueGoodsSuppliedExVAT",
               "totalAcquisitionsExVAT")


BOX_TITLES = {
    1: "VAT due on sales and other outputs",
    2: "VAT due on acquisitions of goods from the EU (Northern Ireland only)",
    3: "Total VAT due (box 1 + box 2)",
    4: "VAT reclaimed on purchases and other inputs",
    5: "Net VAT to pay to HMRC or reclaim (difference between box 3 and box 4)",
    6: "Total value of sales and all other outputs, excluding VAT",
    7: "Total value of purchases and all other inputs, excluding VAT",
    8: "Total value of supplies of goods to the EU, excluding VAT (Northern Ireland only)",
    9: "Total value of acquisitions of goods from the EU, excluding VAT (Northern Ireland only)",
}


@record
class BoxEntry:
    """One document's part in a return: what it adds to each box, in sterling pounds and pence
    (boxes 6–9 are cut to whole pounds only on the totals).

    Attributes:
        date: the date that put it in this period (tax point, payment date, expense date).
        kind: invoice, credit_note, payment, expense, reverse_charge, capital, flat_rate.
        ref: the invoice number, or the file:line of the expense or payment.
        party: the client or supplier.
        boxes: box number -> amount (negative for a credit note).
        note: how it was worked (the sterling rate and its source, the flat rate…).
    """

    date: date
    kind: str
    ref: str
    party: str
    boxes: dict[int, Decimal]
    note: str = ""

    def box(self, n: int) -> Decimal:
        return self.boxes.get(n, Decimal(0))


@record
class Correction:
    """An error found on a return already submitted, corrected on this one (VAT Notice 700/45,
    "method 1": the net value of the errors goes in box 1 when it is VAT due to HMRC, in box 4
    when it is VAT due to the practice).

    Attributes:
        start, end, period_key: the submitted period the error is on.
        record: the books' record of that submission (`vat/submitted/…yaml`).
        boxes: the error per VAT box (1, 2 and 4): the books now, less the return as submitted,
            less what later returns already corrected.
    """

    start: date
    end: date
    period_key: str
    record: str
    boxes: dict[int, Decimal]

    @property
    def net(self) -> Decimal:
        """VAT under-declared (positive: due to HMRC) or over-declared (negative)."""
        return self.boxes.get(1, Decimal(0)) + self.boxes.get(2, Decimal(0)) - self.boxes.get(4, Decimal(0))


@record
class VatReturn:
    """One return. Amounts are sterling `Decimal`s (boxes 6–9 whole pounds).

    Attributes:
        start, end: the period the return covers (inclusive).
        period_key: HMRC's key for the obligation (e.g. `26C3`), when known.
        scheme: `standard`, `cash` or `flat_rate`.
        boxes: box number (1–9) -> amount.
        due: the filing and payment date (one month and seven days after `end`).
        notes: how special cases were worked (flat-rate percentage and limited-cost test…).
        entries: (addition) the documents behind the boxes, for `consult vat return --detail`.
        exact: (addition) boxes 6–9 before the pence were left out.
        corrections: (addition) errors on returns already submitted, corrected on this one; their
            net value is in `boxes` (box 1 or box 4).
        uncorrected: (addition) the boxes of this period alone, before the corrections.
    """

    start: date
    end: date
    scheme: str
    boxes: dict[int, Decimal]
    due: date
    period_key: str | None = None
    notes: tuple[str, ...] = field(default=())
    entries: tuple[BoxEntry, ...] = field(default=())
    exact: dict[int, Decimal] = field(default_factory=dict)
    corrections: tuple[Correction, ...] = field(default=())
    uncorrected: dict[int, Decimal] = field(default_factory=dict)

    def box(self, n: int) -> Decimal:
        return self.boxes.get(n, Decimal(0))

    @property
    def repayment(self) -> bool:
        """(addition) True when HMRC owes the practice box 5 (box 4 is more than box 3)."""
        return self.box(4) > self.box(3)

    def hmrc_body(self, period_key: str, finalised: bool = True) -> dict[str, Any]:
        """The body of `POST /organisations/vat/{vrn}/returns`: boxes 1–5 as `Decimal`s with two
        places, 6–9 whole (HMRC rejects pence there). The caller writes the Decimals as JSON
        numbers from their exact text — never through a float."""
        body: dict[str, Any] = {"periodKey": period_key}
        for i, name in enumerate(HMRC_FIELDS, start=1):
            v = self.box(i)
            body[name] = v.quantize(Decimal("0.01")) if i <= 5 else v.quantize(Decimal(1))
        body["finalised"] = finalised
        return body
