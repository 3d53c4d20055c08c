"""The invoice PDF: what a reader of the printed invoice sees, read back from the PDF with pypdf.

Invoices are built by hand here (the renderer prints the record's figures and works out none),
so each test pins down exactly what is printed for a record.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader

from consult.core.money import Money
from consult.invoices.record import Invoice, InvoiceLine, Party
from consult.render.invoice import invoice_pdf

REPO = Path(__file__).resolve().parent.parent
SELLER = Party("Northlight Machine Learning Ltd", ("Unit 4, 12 Canal Street", "Manchester", "M1 3HE"), "GB",
               "accounts@northlight-ml.co.uk", vat_number="GB980780684", company_number="11234567")
BANK = {"account_name": "Northlight Machine Learning Ltd", "sort_code": "12-34-56", "account_number": "98765432"}


def gbp(text: str) -> Money:
    return Money(Decimal(text), "GBP")


def make_invoice(**changes) -> Invoice:
    """Acme, October: 18.5 days x £650 = £12,025.00, VAT 20% £2,405.00, total £14,430.00."""
    inv = Invoice(
        number="INV-2026-0001", kind="invoice", client="acme-analytics", issue_date=date(2026, 11, 2),
        tax_point=date(2026, 11, 2), supply_start=date(2026, 10, 1), supply_end=date(2026, 10, 31),
        due_date=date(2026, 12, 2), currency="GBP", locale="en_GB", seller=SELLER,
        buyer=Party("Acme Analytics Ltd", ("Floor 3, 40 Whitfield Street", "London", "W1T 2RH"), "GB",
                    vat_number="GB434031494", contact="Priya Shah"),
        lines=(InvoiceLine("Customer churn model — build and deploy", Decimal("18.5"), "day", gbp("650.00"),
                           gbp("12025.00"), "time", "churn-model"),),
        net=gbp("12025.00"), vat=gbp("2405.00"), total=gbp("14430.00"), tax_treatment="standard",
        vat_rate=Decimal(20), vat_rounding="half_up", payment_terms_days=30, bank=dict(BANK),
        po_number="PO-88213", rules=("Daily rate: each day's hours round up to the next half day of 7.5 h.",),
    )
    return replace(inv, **changes)


def pages_of(pdf: bytes) -> list[str]:
    """Each page's text with line breaks read as spaces (table cells come out one per line)."""
    return [re.sub(r"\n+", " ", p.extract_text()) for p in PdfReader(io.BytesIO(pdf)).pages]


def text_of(pdf: bytes) -> str:
    return " ".join(pages_of(pdf))


def render(inv: Invoice, **kw) -> bytes:
    return invoice_pdf(inv, REPO, invariant=True, **kw)


class TestStandardInvoice:
    def test_prints_number_dates_and_the_three_totals(self):
        """The record's number, dates and £12,025.00 / £2,405.00 / £14,430.00 are printed."""
        text = text_of(render(make_invoice()))
        for s in ("Invoice", "INV-2026-0001", "2 November 2026", "1 October 2026 – 31 October", "2 December 2026",
                  "PO-88213", "18.5", "days", "£650.00", "£12,025.00", "VAT at 20%", "£2,405.00", "£14,430.00"):
            assert s in text, s

    def test_prints_both_vat_numbers_and_the_company_number(self):
        """Seller and buyer VAT numbers and the seller's company number are on the invoice."""
        text = text_of(render(make_invoice()))
        assert "VAT no. GB980780684" in text and "VAT no. GB434031494" in text and "Company no. 11234567" in text

    def test_prints_bank_details_and_payment_terms(self):
        """Sort code, account number and the terms with the due date and number to quote."""
        text = text_of(render(make_invoice()))
        assert "12-34-56" in text and "98765432" in text
        assert "Payment due within 30 days, by 2 December 2026. Please quote INV-2026-0001." in text

    def test_one_page_invoice_says_page_1_of_1(self):
        """The footer counts pages."""
        assert "Page 1 of 1" in text_of(render(make_invoice()))


class TestTaxTreatments:
    def test_reverse_charge_prints_the_mention_and_no_vat_amount(self):
        """EUR reverse charge: the words from the record, both VAT numbers, 1.753,75 € and no VAT line."""
        eur = Money(Decimal("1753.75"), "EUR")
        inv = make_invoice(
            currency="EUR", locale="de_DE", tax_treatment="reverse_charge", vat_rate=None,
            vat=Money(Decimal("0.00"), "EUR"), net=eur, total=eur,
            buyer=Party("Hafen Logistik GmbH", ("Am Sandtorkai 27", "20457 Hamburg"), "DE", vat_number="DE136695976"),
            lines=(InvoiceLine("Model review", Decimal("15.25"), "hour", Money(Decimal("115.00"), "EUR"), eur),),
            tax_note="Reverse charge: customer liable for VAT under Article 196, Council Directive 2006/112/EC")
        text = text_of(render(inv))
        assert "Reverse charge: customer liable for VAT under Article 196" in text
        assert "GB980780684" in text and "DE136695976" in text
        # ReportLab draws U+00A0 with the space glyph, so it reads back as a space
        assert "1.753,75 €" in text and "15,25" in text
        assert "VAT at" not in text

    def test_inr_invoice_groups_in_lakhs(self):
        """An en_IN invoice prints ₹6,91,892.00."""
        inr = Money(Decimal("691892.00"), "INR")
        inv = make_invoice(currency="INR", locale="en_IN", tax_treatment="outside_scope", vat_rate=None,
                           vat=Money(Decimal("0.00"), "INR"), net=inr, total=inr,
                           lines=(InvoiceLine("Audit", Decimal(8), "day", Money(Decimal("86486.50"), "INR"), inr),),
                           tax_note="Outside the scope of UK VAT – place of supply is the customer's country")
        text = text_of(render(inv))
        assert "₹6,91,892.00" in text and "₹86,486.50" in text
        assert "Outside the scope of UK VAT – place of supply is the customer's country" in text


    def test_french_amount_keeps_its_narrow_no_break_space(self):
        """fr_FR groups thousands with U+202F, which is drawn and read back as itself."""
        inv = make_invoice(currency="EUR", locale="fr_FR", net=Money(Decimal("691892.50"), "EUR"))
        assert "691\u202f892,50 €" in text_of(render(inv))


class TestEscaping:
    def test_user_text_prints_literally(self):
        """A client called `R&D <Labs>` prints as such, and `<b>` in a line is text."""
        inv = make_invoice(buyer=Party("R&D <Labs>", ("1 <b>Road</b>",), "GB"),
                           lines=(InvoiceLine("a<br/>b & <i>c</i>", Decimal(1), "item", gbp("650.00"), gbp("650.00")),))
        text = re.sub(r"\s+", " ", text_of(render(inv)))
        assert "R&D <Labs>" in text and "1 <b>Road</b>" in text and "a<br/>b & <i>c</i>" in text


class TestDraft:
    def test_draft_has_the_watermark_and_no_number(self):
        """A preview says "DRAFT — not an invoice" and shows no invoice number."""
        text = text_of(render(make_invoice(number=None), draft=True))
        assert "DRAFT — not an invoice" in text
        assert "INV-2026-0001" not in text


class TestForeignCurrencyVat:
    def test_usd_vat_invoice_shows_vat_in_sterling_and_the_rate(self):
        """A USD invoice charging UK VAT prints the sterling VAT and the rate and its source, from the record."""
        usd = lambda t: Money(Decimal(t), "USD")  # noqa: E731 - a one-line helper, named where it is used
        inv = make_invoice(currency="USD", locale="en_US", net=usd("10000.00"), vat=usd("2000.00"),
                           total=usd("12000.00"), vat_gbp=gbp("1480.00"), gbp_rate=Decimal("0.7400"),
                           gbp_rate_source="ECB reference rate of 2026-10-30",
                           lines=(InvoiceLine("Advisory", Decimal(10), "day", usd("1000.00"), usd("10000.00")),))
        text = text_of(render(inv))
        assert "$12,000.00" in text and "$2,000.00" in text
        assert "VAT in sterling: £1,480.00 (1 USD = 0.74 GBP, ECB reference rate of 2026-10-30)" in text


class TestCreditNote:
    def test_credit_note_names_itself_and_the_invoice_it_credits(self):
        """Title "Credit note", the credited invoice, the reason and "Total credited"; no payment block."""
        inv = make_invoice(number="CN-2026-0001", kind="credit_note", credits="INV-2026-0001",
                           reason="Agreed discount", net=gbp("100.00"), vat=gbp("20.00"), total=gbp("120.00"),
                           lines=(InvoiceLine("Credit for invoice INV-2026-0001: Agreed discount", Decimal(1), "item",
                                              gbp("100.00"), gbp("100.00"), "credit"),), rules=())
        text = text_of(render(inv))
        assert text.startswith("Credit note")
        assert "CN-2026-0001" in text and "Credits invoice INV-2026-0001" in text and "Reason: Agreed discount" in text
        assert "Total credited £120.00" in text and "Payment due" not in text


class TestCharacters:
    def test_cjk_and_accented_names_print(self):
        """A Japanese contact and a Polish address come back out of the PDF as written."""
        inv = make_invoice(buyer=Party("Café Müller Sp. z o.o.", ("ul. Piotrkowska 1", "Łódź"), "PL",
                                       contact="山田太郎"))
        text = text_of(render(inv))
        assert "Café Müller Sp. z o.o." in text and "Łódź" in text and "山田太郎" in text

    def test_every_font_is_embedded_truetype(self):
        """Each font the invoice uses carries its TrueType program (FontFile2), CJK fallback included."""
        inv = make_invoice(buyer=replace(make_invoice().buyer, contact="山田太郎"))
        reader = PdfReader(io.BytesIO(render(inv)))
        names = set()
        for page in reader.pages:
            for f in page["/Resources"]["/Font"].values():
                f = f.get_object()
                names.add(str(f["/BaseFont"]).split("+")[-1])
                assert "/FontFile2" in f["/FontDescriptor"].get_object(), f["/BaseFont"]
        assert names == {"DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback"}

    def test_metadata_names_the_document_and_the_seller(self):
        """Title, author and subject are set from the record."""
        meta = PdfReader(io.BytesIO(render(make_invoice()))).metadata
        assert meta.title == "Invoice INV-2026-0001"
        assert meta.author == "Northlight Machine Learning Ltd"
        assert meta.subject == ("Invoice INV-2026-0001 from Northlight Machine Learning Ltd to Acme Analytics Ltd: "
                                "£14,430.00, due 2026-12-02")

    def test_no_actions_links_or_javascript(self):
        """The PDF carries no /JavaScript, /URI, /OpenAction, /AA or annotations."""
        data = render(make_invoice(notes=("See https://example.com/pay",)))
        for key in (b"/JavaScript", b"/JS ", b"/URI", b"/OpenAction", b"/AA ", b"/Annots", b"/Launch"):
            assert key not in data, key


def long_invoice(n: int = 200) -> Invoice:
    """n lines of 0.5 day x £650 = £325.00: net £325 x n, VAT 20%."""
    lines = tuple(InvoiceLine(f"Line {i:03d}: model work, sprint {i // 10}", Decimal("0.5"), "day", gbp("650.00"),
                              gbp("325.00")) for i in range(1, n + 1))
    net = gbp(f"{325 * n}.00")
    return make_invoice(lines=lines, net=net, vat=gbp(f"{65 * n}.00"), total=gbp(f"{390 * n}.00"))


class TestLongInvoice:
    def test_200_lines_span_pages_with_the_header_on_each(self):
        """Every page carries the column headings; every line appears exactly once, in order."""
        pages = pages_of(render(long_invoice()))
        assert len(pages) >= 4
        for p in pages:
            assert "Description Qty Unit Unit price VAT Net" in p
        numbers = [int(m) for p in pages for m in re.findall(r"Line (\d{3}):", p)]
        assert numbers == list(range(1, 201))

    def test_pages_are_counted_on_every_page(self):
        """Page x of y on each page, y the real count."""
        pages = pages_of(render(long_invoice()))
        assert [re.search(r"Page (\d+) of (\d+)", p).groups() for p in pages] == \
            [(str(i), str(len(pages))) for i in range(1, len(pages) + 1)]

    def test_totals_stay_with_the_end_of_the_table(self):
        """Net £65,000.00, VAT £13,000.00 and total £78,000.00 are on the page that ends the table."""
        pages = pages_of(render(long_invoice()))
        last_lines = [i for i, p in enumerate(pages) if "Line 200:" in p]
        totals = [i for i, p in enumerate(pages) if "Total due" in p]
        assert last_lines == totals
        page = pages[totals[0]]
        assert page.index("Line 200:") < page.index("Net total £65,000.00") < page.index("VAT at 20% £13,000.00") \
            < page.index("Total due £78,000.00")

    def test_three_page_invoice_says_page_1_of_3(self):
        """A long enough invoice to fill three pages numbers them 1 of 3 to 3 of 3."""
        sizes = {n: len(pages_of(render(long_invoice(n)))) for n in (60, 80, 100)}
        n = next(n for n, count in sizes.items() if count == 3)
        text = text_of(render(long_invoice(n)))
        assert "Page 1 of 3" in text and "Page 3 of 3" in text
