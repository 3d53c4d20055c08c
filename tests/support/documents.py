"""Documents built by hand for the rendering tests, and what a reader sees in their PDFs.

Every document kind (invoice, credit note, timesheet, proposal, earnings report, VAT return)
in every language consult ships, with the widest amounts an accounts team will meet:
₹99,99,99,999.99 (en_IN), 9 999 999,99 € (fr_FR) and $9,999,999.99 (en_US). The PDF helpers
read text back with pypdf, as a person would, and measure where each piece of text lies, so a
test can say "the total stands clear of its label" in points.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from consult.core.money import Money
from consult.invoices.record import BilledDay, BilledEntry, Invoice, InvoiceLine, MilestoneNote, Party, Phrase

REPO = Path(__file__).resolve().parents[2]

SELLER = Party("Northlight Machine Learning Ltd", ("Unit 4, 12 Canal Street", "Manchester", "M1 3HE"), "GB",
               "accounts@northlight-ml.co.uk", "GB980780684", "11234567", None, None, "+44 161 496 0000",
               "northlight-ml.co.uk", "england_wales", "Unit 4, 12 Canal Street, Manchester M1 3HE")
BUYERS = {
    "GB": Party("Acme Analytics Ltd", ("Floor 3, 40 Whitfield Street", "London", "W1T 2RH"), "GB",
                "payables@acme-analytics.co.uk", "GB434031494", contact="Priya Shah"),
    "DE": Party("Hafen Logistik GmbH", ("Am Sandtorkai 27", "20457 Hamburg"), "DE", "rechnungen@hafen-logistik.de",
                "DE136695976", contact="Jonas Becker"),
    "FR": Party("Lumière Analytique SAS", ("12 rue de la Paix", "75002 Paris"), "FR", "factures@lumiere.fr",
                "FR40303265045", contact="Claire Martin"),
    "US": Party("BrightPath AI, Inc.", ("575 Market Street, Suite 1200", "San Francisco, CA 94105"), "US",
                "ap@brightpath.ai", contact="Dana Whitfield"),
    "IN": Party("Lotus Insights Private Limited", ("7th Floor, Bandra Kurla Complex", "Mumbai 400051"), "IN",
                "finance@lotusinsights.in", tax_id="27AAPFU0939F1ZV", contact="Arjun Mehta"),
}
TREATMENT_NOTES = {
    "reverse_charge": "Reverse charge: customer liable for VAT under Article 196, Council Directive 2006/112/EC",
    "outside_scope": "Outside the scope of UK VAT – place of supply is the customer's country",
}
WIDEST = {  # the widest amount in each currency's locale, and where it is met
    "INR": ("999999999.99", "en_IN", "IN", "outside_scope", "₹99,99,99,999.99"),
    "EUR": ("9999999.99", "fr_FR", "FR", "reverse_charge", "9\u202f999\u202f999,99\u00a0€"),
    "USD": ("9999999.99", "en_US", "US", "outside_scope", "$9,999,999.99"),
}


def money(text: str, currency: str = "GBP") -> Money:
    return Money(Decimal(text), currency)


def gbp(text: str) -> Money:
    return money(text)


def base_invoice(**changes: object) -> Invoice:
    """Acme, October: 18.5 days x £650 = £12,025.00, VAT 20% £2,405.00, total £14,430.00."""
    inv = Invoice(
        number="INV-2026-0001", kind="invoice", client="acme-analytics", issue_date=date(2026, 11, 2),
        tax_point=date(2026, 11, 2), supply_start=date(2026, 10, 1), supply_end=date(2026, 10, 31),
        due_date=date(2026, 12, 2), currency="GBP", locale="en_GB", seller=SELLER, buyer=BUYERS["GB"],
        lines=(InvoiceLine("Customer churn model — build and deploy", Decimal("18.5"), "day", gbp("650.00"),
                           gbp("12025.00"), "time", "churn-model", vat_rate=Decimal(20)),),
        net=gbp("12025.00"), vat=gbp("2405.00"), total=gbp("14430.00"), tax_treatment="standard",
        vat_rate=Decimal(20), vat_rounding="half_up", payment_terms_days=30,
        bank={"account_name": "Northlight Machine Learning Ltd", "sort_code": "12-34-56", "account_number": "98765432"},
        po_number="PO-88213", rules=("Daily rate: each day's hours round up to the next half day of 7.5 h; at most one "
                                     "day per calendar day.",),
        rule_keys=(Phrase("rule_daily_half", (("hours", "7.5"),)),),
        notes=("Late payment: statutory interest and fixed compensation may be claimed under the Late Payment of "
               "Commercial Debts (Interest) Act 1998.",), note_keys=(Phrase("note_late_payment"),),
    )
    return replace(inv, **changes)  # type: ignore[arg-type]  # any Invoice field, by name


def widest_invoice(currency: str, language: str | None = None, **changes: object) -> Invoice:
    """One line of the widest amount in `currency`, at the treatment its customer gets: net,
    total and unit price all that wide (no VAT, so the total is as wide as the line)."""
    amount, locale, country, treatment, _ = WIDEST[currency]
    m = money(amount, currency)
    zero = Money.zero(currency)
    return base_invoice(
        currency=currency, locale=locale, buyer=BUYERS[country], language=language,
        lines=(InvoiceLine("Platform build — phase one", Decimal(1), "item", m, m, "milestone", "platform"),),
        net=m, vat=zero, total=m, tax_treatment=treatment, vat_rate=None, tax_note=TREATMENT_NOTES[treatment],
        bank={"account_name": "Northlight Machine Learning Ltd", "iban": "GB82 WEST 1234 5698 7654 32",
              "bic": "WESTGB2L"}, notes=(), note_keys=(),
    )


def widest_vat_invoice(language: str | None = None) -> Invoice:
    """$9,999,999.99 net with UK VAT: $1,999,999.99 VAT... every amount column at its widest."""
    net, vat = money("9999999.99", "USD"), money("1999999.99", "USD")
    return base_invoice(
        currency="USD", locale="en_US", buyer=BUYERS["US"], language=language,
        lines=(InvoiceLine("Advisory retainer", Decimal(1), "item", net, net, "milestone", "retainer",
                           vat_rate=Decimal(20)),),
        net=net, vat=vat, total=net + vat, vat_gbp=gbp("1479999.99"), gbp_rate=Decimal("0.74"),
        gbp_rate_source="HMRC monthly rate for November 2026")


def credit_note(inv: Invoice, **changes: object) -> Invoice:
    """A full credit of `inv`, dated 20 November 2026."""
    return replace(inv, number="CN-2026-0001", kind="credit_note", issue_date=date(2026, 11, 20),
                   tax_point=date(2026, 11, 20), due_date=date(2026, 11, 20), credits=inv.number,
                   credits_date=inv.issue_date, reason="Work not delivered as agreed", rules=(), notes=(),
                   rule_keys=(), note_keys=(), invoice_total=inv.total, credited_before=Money.zero(inv.currency),
                   balance_after=Money.zero(inv.currency), **changes)


def timesheet_invoice(language: str | None = None, detail: str = "entries", days: int = 22) -> Invoice:
    """Acme, October, `days` working days of 7.5 h in two entries each, itemised by `detail`:
    22 days x £650 = £14,300.00, VAT £2,860.00, total £17,160.00."""
    entries, billed_days = [], []
    d = date(2026, 10, 1)
    from datetime import timedelta

    while len(billed_days) < days:
        if d.weekday() < 5:
            entries += [BilledEntry("churn-model", d, 240, True, f"Feature pipeline, part {len(billed_days) + 1}",
                                    f"clients/acme/timesheets/2026-10.yaml:{2 * len(billed_days) + 1}"),
                        BilledEntry("churn-model", d, 210, True, "Review with the data team",
                                    f"clients/acme/timesheets/2026-10.yaml:{2 * len(billed_days) + 2}")]
            billed_days.append(BilledDay("churn-model", d, Fraction(1)))
        d += timedelta(days=1)
    net = gbp(f"{650 * days}.00")
    vat = gbp(f"{130 * days}.00")
    line = InvoiceLine("Customer churn model — build and deploy", Decimal(days), "day", gbp("650.00"), net, "time",
                       "churn-model", date(2026, 10, 1), date(2026, 10, 31), Decimal(20), Decimal(450 * days),
                       Decimal(450), detail)
    return base_invoice(lines=(line,), net=net, vat=vat, total=net + vat, entries=tuple(entries),
                        days=tuple(billed_days), language=language)


def milestone_invoice() -> Invoice:
    """Milestone 2 of 4 of a £48,000.00 contract: £12,000.00, billed to date £24,000.00."""
    m = gbp("12000.00")
    line = InvoiceLine("MLOps platform: Feature pipeline and registry", Decimal(1), "item", m, m, "milestone",
                       "mlops", date(2026, 10, 30), date(2026, 10, 30), Decimal(20),
                       milestone=MilestoneNote(2, 4, gbp("48000.00"), gbp("24000.00")))
    return base_invoice(lines=(line,), net=m, vat=gbp("2400.00"), total=gbp("14400.00"),
                        rules=("Fixed price: milestones billed as they fall due.",),
                        rule_keys=(Phrase("rule_fixed"),))


# --------------------------------------------------------------------------------------------
# reading PDFs back
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    """One piece of text as drawn: where it starts, its baseline, font and size, its width."""

    text: str
    x: float
    y: float
    font: str
    size: float
    width: float

    @property
    def right(self) -> float:
        return self.x + self.width


def _font_name(base_font: str) -> str:
    """The ReportLab name of an embedded subset (`/AAAAAA+DejaVuSans-Bold` -> consult's)."""
    from consult.render.fonts import register

    stem = base_font.split("+")[-1]
    path = REPO / "consult" / "fonts" / f"{stem}.ttf"
    return register(path)


def _page_runs(page: object) -> list[Run]:
    """The text runs of one pypdf page, in drawing order."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    found: list[Run] = []
    last: list[tuple[float, float, float]] = []  # the previous run's start and where it ended

    def visit(text: str, cm: list[float], tm: list[float], font: dict | None, size: float) -> None:
        t = text.rstrip("\n")
        if font is None or not t:
            return
        name = _font_name(str(font.get("/BaseFont")))
        scale = cm[0] * tm[0] if tm[0] else cm[0]
        width = stringWidth(t, name, size) * scale
        x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
        if last and abs(last[0][0] - x) < 0.01 and abs(last[0][1] - y) < 0.01:
            x = last[0][2]  # a second show on the same line carries on from where the first ended
        else:
            last[:] = [(x, y, x)]
        last[0] = (last[0][0], y, x + width)
        if t.strip():
            found.append(Run(t, x, y, name, size * scale, width))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]  # a pypdf PageObject
    return found


def runs_of(pdf: bytes, page: int | None = None) -> list[list[Run]]:
    """Every text run on each page (or on `page` only), with its measured width."""
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(pdf)).pages
    return [_page_runs(p) for i, p in enumerate(pages) if page is None or i == page]


AMOUNT = re.compile(r"[₹$£€]|\d[\d.,\u202f\u00a0 ]*\d\s?€")


def collisions(pdf: bytes, min_gap: float = 4.0) -> list[str]:
    """Text that touches or overlaps its neighbour on a line: any two runs on one baseline that
    overlap, and any amount closer than `min_gap` points to the text on its left."""
    bad = []
    for n, page in enumerate(runs_of(pdf), 1):
        lines: dict[int, list[Run]] = {}
        for r in page:
            lines.setdefault(round(r.y), []).append(r)
        for y, rs in lines.items():
            rs.sort(key=lambda r: r.x)
            for a, b in zip(rs, rs[1:], strict=False):
                gap = b.x - a.right
                if gap < -0.5 or (AMOUNT.search(b.text) and gap < min_gap and not a.text.endswith(" ")):
                    bad.append(f"page {n}, y {y}: {a.text!r} and {b.text!r} are {gap:.1f} pt apart")
    return bad


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text with line breaks read as spaces."""
    from pypdf import PdfReader

    return [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]


def text_of(pdf: bytes) -> str:
    return " ".join(pages_text(pdf))


def font_names(pdf: bytes) -> dict[str, bool]:
    """Every font a PDF names, and whether its program is embedded."""
    from pypdf import PdfReader

    out: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get("/Font") or {}
        for f in fonts.values():
            f = f.get_object()
            desc = f["/DescendantFonts"][0].get_object() if "/DescendantFonts" in f else f
            fd = desc.get("/FontDescriptor")
            embedded = fd is not None and any(k in fd.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            out[str(f["/BaseFont"]).split("+")[-1]] = embedded
    return out


# --------------------------------------------------------------------------------------------
# proposals, the earnings report, the VAT return
# --------------------------------------------------------------------------------------------
def widest_proposal(currency: str, language: str | None = None):  # -> ProposalDocument
    """A quote of one day at the widest rate in `currency` (and a second phase, optional), to
    a customer who is charged no UK VAT: fee, net and total all at their widest."""
    from consult.proposals.proposal import Fees, Phase, Proposal, ProposalDocument

    amount, locale, country, treatment, _ = WIDEST[currency]
    rate = money(amount, currency)
    p = Proposal(client="x", id="platform", title="Platform build", rate=rate,
                 phases=(Phase("Build", Decimal(1), rate, "Build, test and document the platform.",
                               ("Code with tests",)), Phase("Training", Decimal(1), rate, optional=True)),
                 summary=("What the client will have at the end.",), number="P-2026-0001", date=date(2026, 11, 23),
                 start=date(2027, 1, 11), assumptions=("A day is 7.5 hours of work.",),
                 payment_schedule=("Invoiced monthly in arrears.",), terms=("Either party may end the work.",))
    fees = Fees(Decimal(1), rate, None, Money.zero(currency), rate, treatment, TREATMENT_NOTES[treatment],
                Decimal(1), rate)
    return ProposalDocument(p, fees, SELLER, BUYERS[country], locale, Decimal("7.5"), "default", language)


def widest_earnings(currency: str = "GBP", amount: str = "9999999.99"):  # -> Earnings
    """A tax year whose every figure is seven figures wide (and one month of nothing)."""
    from consult.core.periods import months_of, tax_year
    from consult.earnings import Earnings, Group, Row

    period = tax_year(2026)
    big = money(amount, currency)
    zero = Money.zero(currency)
    streams = ("consulting", "rebilled expenses", "writing")
    months = tuple(Group(s.key, s.label, {st: (big if i % 2 else zero) for st in streams}, big if i % 2 else zero,
                         big if i % 2 else zero, zero, Decimal("21.25") if i % 2 else Decimal(0), s.start, s.end)
                   for i, s in enumerate(months_of(period)))
    clients = (Group("acme", "Acme Analytics Ltd", {st: big for st in streams}, big, big, zero, Decimal("212.5")),)
    rows = (Row(date(2026, 10, 1), "invoice", "INV-2026-0002", "hafen", "consulting", money("1322.50", "EUR"),
                money("0", "EUR"), money("0", "EUR"), Decimal("0.85373"), "ECB 2026-10-01", big, zero, zero),)
    return Earnings(period, "accrual", "month", currency, rows, streams, months, {st: big for st in streams}, big, big,
                    zero, Decimal("212.345"), 252, Decimal("84.3"), big, big, big, big, clients, months)


def widest_vat_return():  # -> VatReturn
    """Every box at £9,999,999.99 (boxes 6–9 whole pounds)."""
    from consult.vat.boxes import BoxEntry, VatReturn

    boxes = {n: Decimal("9999999.99") if n <= 5 else Decimal("9999999") for n in range(1, 10)}
    entry = BoxEntry(date(2026, 9, 30), "invoice", "INV-2026-0001", "Acme Analytics Ltd", {1: Decimal("9999999.99"),
                                                                                          6: Decimal("9999999")})
    return VatReturn(date(2026, 7, 1), date(2026, 9, 30), "standard", boxes, date(2026, 11, 7), "26C3",
                     entries=(entry,))
