"""A VAT return's nine boxes (VAT Notice 700/12), as HMRC's MTD VAT API names them.

Built by `consult.vat.vat_return` for a period and scheme; printed by `consult vat return`;
sent by `consult vat submit`. Boxes 1–5 are pounds and pence, boxes 6–9 whole pounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

# HMRC's field names, in box order (box 1 … box 9)
HMRC_FIELDS = ("vatDueSales", "vatDueAcquisitions", "totalVatDue", "vatReclaimedCurrPeriod", "netVatDue",
               "totalValueSalesExVAT", "totalValuePurchasesExVAT", "totalValueGoodsSuppliedExVAT",
               "totalAcquisitionsExVAT")


@dataclass(frozen=True, slots=True)
class VatReturn:
    """One return. Amounts are sterling `Decimal`s (boxes 6–9 whole pounds).

    Attributes:
        start, end: the period the return covers (inclusive).
        period_key: HMRC's key for the obligation (e.g. `26C3`), when known.
        scheme: `standard`, `cash` or `flat_rate`.
        boxes: box number (1–9) -> amount.
        due: the filing and payment date (one month and seven days after `end`).
        notes: how special cases were worked (flat-rate percentage and limited-cost test…).
    """

    start: date
    end: date
    scheme: str
    boxes: dict[int, Decimal]
    due: date
    period_key: str | None = None
    notes: tuple[str, ...] = field(default=())

    def box(self, n: int) -> Decimal:
        return self.boxes.get(n, Decimal(0))

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
