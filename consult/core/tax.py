"""VAT treatments: one table of what each client `tax:` value means, and the VAT rules that go
with it (rate, rounding, tax point). Invoices, credit notes, proposals, e-invoices and VAT
returns all read this table, so a treatment prints the same words everywhere.

Sources (docs/money-rules.md, "VAT"): VAT Regulations 1995 reg 14(1)(o) requires the words
"reverse charge" where the customer accounts for the tax, and Directive 2006/112/EC Art
226(11a) the mention "Reverse charge"; Art 196 is the article that makes an EU business
customer liable. Supplies of services to business customers outside the UK are outside the
scope of UK VAT (VAT Notice 741A, s.7A VATA 1994). VAT rounding: HMRC VATREC12010/12030
(Notice 700 §17.5): the default rule is half up to the penny; an invoice trader may round the
total VAT on an invoice *down* to a whole penny. Tax point: the end of the supply period for
continuous services, or the invoice date when the invoice is issued within 14 days of it
(VAT Notice 700 §14; HMRC VATTOS5215).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Literal

from consult.core.money import Money
from consult.core.record import record

TreatmentName = Literal["standard", "reverse_charge", "outside_scope", "zero", "exempt", "none"]
VatRounding = Literal["half_up", "down"]
TAX_POINT_DAYS = 14  # an invoice issued within 14 days of the basic tax point becomes the tax point


@record
class Treatment:
    """What one `tax:` value means.

    Attributes:
        name: the books' word (`standard`, `reverse_charge`, …).
        rate: `practice` (the practice's VAT rate), `zero` (0%, printed) or None (no rate is
            printed: the note says why no VAT is charged).
        note: the sentence printed on invoices, credit notes and quotes (None for standard VAT,
            whose rate and amount say it all). Themes translate it by `name` (labels `tax_<name>`).
        category: the EN 16931 VAT category code (BT-151/BT-118).
        exemption_reason, exemption_code: BT-120/BT-121 where the category needs one.
        carries_vat_ids: False where EN 16931 forbids VAT ids (category O, BR-O-02).
    """

    name: TreatmentName
    rate: Literal["practice", "zero"] | None
    note: str | None
    category: str
    exemption_reason: str | None = None
    exemption_code: str | None = None
    carries_vat_ids: bool = True

    @property
    def charges_vat(self) -> bool:
        return self.rate == "practice"

    def category_rate(self, practice_rate: Decimal | None) -> Decimal | None:
        """The EN 16931 category rate (BT-119): the VAT rate for S, 0 for AE, Z and E, none for O."""
        if self.category == "S":
            return practice_rate
        return None if self.category == "O" else Decimal(0)


TREATMENTS: dict[str, Treatment] = {t.name: t for t in (
    Treatment("standard", "practice", None, "S"),
    Treatment("reverse_charge", None,
              "Reverse charge: customer liable for VAT under Article 196, Council Directive 2006/112/EC",
              "AE", "Reverse charge", "VATEX-EU-AE"),
    Treatment("outside_scope", None,
              "Outside the scope of UK VAT – place of supply is the customer's country",
              "O", "Not subject to VAT", "VATEX-EU-O", carries_vat_ids=False),
    Treatment("zero", "zero", "Zero-rated supply: VAT at 0%", "Z"),
    Treatment("exempt", None, "Exempt from VAT", "E", "Exempt from VAT"),
    Treatment("none", None, "No VAT charged: the supplier is not registered for VAT",
              "O", "Not subject to VAT", "VATEX-EU-O", carries_vat_ids=False),
)}
TREATMENT_NAMES: tuple[TreatmentName, ...] = ("standard", "reverse_charge", "outside_scope", "zero", "exempt", "none")


def treatment(name: str, vat_registered: bool = True) -> Treatment:
    """The treatment a client's `tax:` gives; a practice that is not VAT-registered charges none."""
    return TREATMENTS[name if vat_registered else "none"]


def vat_rate(t: Treatment, practice_rate: Decimal | None) -> Decimal | None:
    """The VAT rate printed for a supply under `t` (None where no rate applies)."""
    if t.rate == "practice":
        return practice_rate
    if t.rate == "zero":
        return Decimal(0)
    return None


def rounding_mode(setting: str) -> str:
    """The `decimal` rounding of `invoice.vat_rounding`: `down` is HMRC's whole-penny option."""
    return ROUND_DOWN if setting == "down" else ROUND_HALF_UP


def vat_on(net: Money, rate: Decimal | None, setting: str = "half_up") -> Money:
    """VAT at `rate` percent on a net total, rounded once to the minor unit."""
    if not rate:
        return Money.zero(net.currency)
    return net.percent(rate, rounding_mode(setting))


def vat_rule_text(rate: Decimal, setting: str) -> str:
    """The VAT rule in words, printed on the invoice."""
    how = ("rounded down to the minor unit (HMRC's whole-penny option)" if setting == "down"
           else "rounded half up to the minor unit")
    return f"VAT: {rate.normalize():f}% of the net total, {how}."


def tax_point(issued: date, supply_end: date) -> date:
    """The invoice date if issued before or within 14 days after the supply ends, else the end."""
    return issued if issued <= supply_end + timedelta(days=TAX_POINT_DAYS) else supply_end
