"""Invoices built from the books: lines, totals, VAT words, numbering, never billing twice.

Every figure here is worked by hand from the sample books (see the comments)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from consult.books.loader import open_books
from consult.core.fx import sterling_rate
from consult.core.money import Money
from consult.core.periods import parse_period
from consult.core.tax import tax_point
from consult.errors import ConflictError, ConsultError, NotFound, UsageError
from consult.invoices.build import build_invoice
from consult.invoices.check import check_invoices
from consult.invoices.credit import build_credit_note
from consult.invoices.issue import issue
from consult.invoices.payments import record_payment
from consult.invoices.store import load_invoices

OCT = parse_period("2026-10").days
SEP = parse_period("2026-09").days
ISSUED = date(2026, 11, 2)


@pytest.fixture
def sample_books(unissued_books):
    """The sample books before anything was invoiced or paid."""
    return unissued_books


def fake_pdf(inv):
    return f"%PDF fake {inv.number}".encode()


def gbp(x):
    return Money.of(x, "GBP")


@pytest.fixture
def books(sample_books):
    return open_books(sample_books)


class TestSampleInvoices:
    def test_acme_october_is_18_5_days_at_650(self, books):
        """Acme, Oct: 17 full days, 16 Oct's 3 h rounds up to a half day, 8 Oct's 9 h caps at one day,
        27 Oct is not billable: 18.5 days x £650 = £12,025.00 on the time line."""
        inv = build_invoice(books, "acme-analytics", *OCT, issued=ISSUED, expenses=False)
        (line,) = inv.lines
        assert (line.quantity, line.unit, line.unit_price, line.net) == (D("18.5"), "day", gbp(650), gbp("12025.00"))
        assert (inv.net, inv.vat, inv.total) == (gbp("12025.00"), gbp("2405.00"), gbp("14430.00"))
        assert inv.due_date == date(2026, 12, 2)  # 30 days after issue
        assert inv.vat_rate == D(20) and inv.tax_treatment == "standard" and inv.tax_note is None
        assert inv.seller.vat_number == "GB980780684" and inv.buyer.vat_number == "GB434031494"
        assert inv.po_number == "PO-88213"
        assert inv.rules[0] == ("Daily rate: each day's hours round up to the next half day of 7.5 h; "
                                "at most one day per calendar day.")

    def test_acme_october_rebills_the_rail_fare_with_vat(self, books):
        """The rebillable £142.60 rail fare (15 Oct) is a line: net £12,167.60, VAT 20% = £2,433.52
        (2,433.52 exactly), total £14,601.12; the working lunch (rebill: false) is not."""
        inv = build_invoice(books, "acme-analytics", *OCT, issued=ISSUED)
        assert [(ln.kind, ln.net) for ln in inv.lines] == [("time", gbp("12025.00")), ("expense", gbp("142.60"))]
        assert inv.lines[1].description == "Rail, Manchester–London return (A/B launch)"
        assert (inv.net, inv.vat, inv.total) == (gbp("12167.60"), gbp("2433.52"), gbp("14601.12"))
        assert "Expenses: rebilled at cost, excluding any VAT reclaimed." in inv.rules

    def test_acme_september_is_13_5_days(self, books):
        """Sep: 13 full days + 11 Sep's 3.5 h as a half day; 16 Sep is admin: 13.5 x £650 = £8,775.00."""
        inv = build_invoice(books, "acme-analytics", *SEP, issued=date(2026, 10, 1))
        assert (inv.net, inv.vat, inv.total) == (gbp("8775.00"), gbp("1755.00"), gbp("10530.00"))

    def test_hafen_october_is_reverse_charged(self, books):
        """Per entry up to 15 min: 135+180+75+270+45+150+60 = 915 min = 15.25 h x €115 = €1,753.75; no VAT."""
        inv = build_invoice(books, "hafen-logistik", *OCT, issued=ISSUED)
        (line,) = inv.lines
        assert (line.quantity, line.unit, line.net) == (D("15.25"), "hour", Money.of("1753.75", "EUR"))
        assert (inv.net, inv.vat, inv.total) == (Money.of("1753.75", "EUR"), Money.zero("EUR"),
                                                 Money.of("1753.75", "EUR"))
        assert inv.tax_treatment == "reverse_charge" and inv.vat_rate is None
        assert inv.tax_note.startswith("Reverse charge")
        assert (inv.seller.vat_number, inv.buyer.vat_number) == ("GB980780684", "DE136695976")
        assert inv.total.format(inv.locale) == "1.753,75\xa0€"
        assert inv.buyer_reference == "HL-DS-2026"

    def test_lotus_october_prints_lakh_grouping(self, books):
        """8 days (21 Oct's 6 h bills a whole day; 23 Oct is not billable) x ₹86,486.50 = ₹6,91,892.00."""
        inv = build_invoice(books, "lotus-insights", *OCT, issued=ISSUED)
        assert inv.lines[0].quantity == D(8)
        assert inv.total == Money.of("691892.00", "INR") and inv.total.format("en_IN") == "₹6,91,892.00"
        assert inv.tax_note == "Outside the scope of UK VAT – place of supply is the customer's country"
        assert inv.due_date == date(2026, 12, 17)  # Lotus has 45-day terms

    def test_brightpath_october_bills_the_milestone_due(self, books):
        """Fixed price: only the milestone due on 30 Oct ($18,000.00), outside the scope of UK VAT."""
        inv = build_invoice(books, "brightpath-ai", *OCT, issued=ISSUED)
        (line,) = inv.lines
        assert (line.description, line.net) == ("LLM evaluation harness — fixed price: Evaluation harness delivered",
                                                Money.of("18000.00", "USD"))
        assert inv.total.format("en_US") == "$18,000.00" and inv.tax_treatment == "outside_scope"
        assert inv.entries == ()  # fixed price bills milestones, not time

    def test_nothing_to_bill_is_refused(self, books):
        """Lotus did no work in September: the message says so and where to look."""
        with pytest.raises(ConsultError, match="nothing to invoice for lotus-insights from 2026-09-01 to 2026-09-30"):
            build_invoice(books, "lotus-insights", *SEP, issued=ISSUED)

    def test_platform_clients_are_not_invoiced(self, books):
        """Inkwell is a platform that pays without an invoice."""
        with pytest.raises(UsageError, match="'inkwell-press' is a platform"):
            build_invoice(books, "inkwell-press", *OCT, issued=ISSUED)

    def test_unknown_client_names_the_known_ones(self, books):
        """An unknown client is a usage error listing the clients there are."""
        with pytest.raises(NotFound, match="no client 'acme'"):
            build_invoice(books, "acme", *OCT, issued=ISSUED)


class TestVat:
    def test_vat_rounds_half_up_on_the_net_total(self, make_books):
        """1.5 h x £10.05 = £15.075 -> £15.08 (half up); VAT 20% = £3.016 -> £3.02; total £18.10."""
        root = make_books({
            "clients/acme/engagements/build.yaml": "title: T\nbilling: hourly\nrate: 10.05\n",
            "clients/acme/timesheets/t.yaml": "- {date: 2026-10-01, engagement: build, hours: 1.5}\n",
        })
        inv = build_invoice(open_books(root), "acme", *OCT, issued=ISSUED)
        assert (inv.lines[0].net, inv.vat, inv.total) == (gbp("15.08"), gbp("3.02"), gbp("18.10"))

    def test_vat_rounding_down_is_hmrc_whole_penny_option(self, make_books):
        """With vat_rounding: down, 20% of £15.08 = £3.016 -> £3.01."""
        from tests.conftest import PRACTICE

        root = make_books({
            "practice.yaml": PRACTICE.replace("  vat_rate: 20\n", "  vat_rate: 20\n  vat_rounding: down\n"),
            "clients/acme/engagements/build.yaml": "title: T\nbilling: hourly\nrate: 10.05\n",
            "clients/acme/timesheets/t.yaml": "- {date: 2026-10-01, engagement: build, hours: 1.5}\n",
        })
        inv = build_invoice(open_books(root), "acme", *OCT, issued=ISSUED)
        assert inv.vat == gbp("3.01") and inv.vat_rounding == "down"
        assert "rounded down to the minor unit" in inv.rules[-1]

    def test_foreign_currency_vat_invoice_shows_sterling_vat(self, make_books):
        """A EUR invoice with UK VAT: 1 day x €1,000 = VAT €200.00 -> at 0.85 GBP/EUR £170.00."""
        root = make_books({"clients/acme/client.yaml": "name: Expat Ltd\naddress: x\ncountry: GB\ncurrency: EUR\n",
                           "clients/acme/engagements/build.yaml": "title: T\nbilling: daily\nrate: 1000\n",
                           "clients/acme/timesheets/t.yaml": "- {date: 2026-10-01, engagement: build, days: 1}\n"})
        inv = build_invoice(open_books(root), "acme", *OCT, issued=ISSUED, gbp_rate=D("0.85"))
        assert (inv.vat, inv.vat_gbp, inv.gbp_rate) == (Money.of(200, "EUR"), gbp(170), D("0.85"))
        assert inv.gbp_rate_source == "UK market rate given when the invoice was issued"
        inv = build_invoice(open_books(root), "acme", *OCT, issued=ISSUED)
        # HMRC's monthly rate for the tax point's month (November 2026: EUR 1.1930 per £1), the
        # rate HMRC accepts without asking (VAT Notice 700 §7.5); 1 ÷ 1.1930 = 0.83822297 (8 s.f.)
        assert (inv.gbp_rate, inv.gbp_rate_source) == (D("0.83822297"), "HMRC monthly rate 2026-11 (EUR 1.1930 per £1)")
        assert inv.vat_gbp == gbp("167.64")  # €200.00 × 0.83822297 = £167.644594 -> £167.64

    def test_the_ecb_rate_only_when_the_practice_chooses_it(self, make_books):
        """vat.sterling_rate: ecb takes the ECB reference rate instead (€200 × 0.8338 = £166.76)."""
        from tests.conftest import PRACTICE

        root = make_books({"practice.yaml": PRACTICE + "vat: {sterling_rate: ecb}\n",
                           "clients/acme/client.yaml": "name: Expat Ltd\naddress: x\ncountry: GB\ncurrency: EUR\n",
                           "clients/acme/engagements/build.yaml": "title: T\nbilling: daily\nrate: 1000\n",
                           "clients/acme/timesheets/t.yaml": "- {date: 2026-10-01, engagement: build, days: 1}\n"})
        inv = build_invoice(open_books(root), "acme", *OCT, issued=ISSUED)
        assert (inv.gbp_rate, inv.gbp_rate_source) == (D("0.8338"), "ECB 2026-10-30 (last in data; none yet for 2026-11-02)")
        assert inv.vat_gbp == gbp("166.76")  # €200.00 × 0.8338, the ECB's published GBP per EUR

    def test_sterling_vat_uses_the_one_conversion_rule(self):
        """₹10,00,000 of VAT in sterling at the ECB rate: the invoice and earnings convert through
        one reader at eight significant figures (they once disagreed: £9,463.00 against £9,462.77)."""
        from consult.core import fx

        rate, src = sterling_rate("INR", date(2026, 10, 30), "ecb")
        assert rate == fx.ecb_rate("INR", "GBP", date(2026, 10, 30)).rate
        assert Money.of(1_000_000, "INR").convert(rate, "GBP") == \
            fx.convert(Money.of(1_000_000, "INR"), "GBP", date(2026, 10, 30)).converted

    def test_tax_point_is_the_issue_date_within_14_days(self):
        """Issued within 14 days of the supply's end, the invoice date is the tax point."""
        assert tax_point(date(2026, 11, 14), date(2026, 10, 31)) == date(2026, 11, 14)
        assert tax_point(date(2026, 11, 15), date(2026, 10, 31)) == date(2026, 10, 31)


class TestIssuing:
    def test_numbers_are_sequential_per_year_across_clients(self, books):
        """INV-2026-0001, -0002, then a January invoice starts INV-2027-0001."""
        a = issue(books, build_invoice(books, "acme-analytics", *SEP, issued=date(2026, 10, 1)), fake_pdf)
        b = issue(books, build_invoice(books, "hafen-logistik", *SEP, issued=date(2026, 10, 1)), fake_pdf)
        c = issue(books, build_invoice(books, "lotus-insights", *OCT, issued=date(2027, 1, 2)), fake_pdf)
        assert [a.invoice.number, b.invoice.number, c.invoice.number] == ["INV-2026-0001", "INV-2026-0002",
                                                                         "INV-2027-0001"]
        assert a.record == books.root / "clients/acme-analytics/invoices/INV-2026-0001.yaml"
        assert a.pdf.read_bytes() == b"%PDF fake INV-2026-0001"

    def test_record_reads_back_with_the_same_figures(self, books):
        """The YAML record is the invoice: read back it is equal, field for field."""
        done = issue(books, build_invoice(books, "acme-analytics", *OCT, issued=ISSUED))
        (back,), problems = load_invoices(books.root)
        assert problems == [] and back == done.invoice
        text = done.record.read_text()
        assert "net: '12167.60'" in text and "vat: '2433.52'" in text and "total: '14601.12'" in text

    def test_second_invoice_for_the_same_period_is_refused(self, books):
        """Overlap on the same engagement names the earlier invoice; nothing is written."""
        issue(books, build_invoice(books, "acme-analytics", *OCT, issued=ISSUED))
        with pytest.raises(ConflictError) as e:
            build_invoice(books, "acme-analytics", date(2026, 10, 15), date(2026, 11, 15), issued=ISSUED)
        assert str(e.value).startswith("everything billable for acme-analytics from 2026-10-15 to 2026-11-15 is "
                                       "billed already (on INV-2026-0001); nothing was written")
        assert len(list((books.root / "clients/acme-analytics/invoices").iterdir())) == 1

    def test_credited_invoice_can_be_billed_again(self, books):
        """A credit note for the whole invoice (CN- sequence) frees its period to be billed again."""
        inv = issue(books, build_invoice(books, "hafen-logistik", *OCT, issued=ISSUED)).invoice
        cn = issue(books, build_credit_note(books, [inv], inv.number, reason="Wrong PO", issued=ISSUED)).invoice
        assert cn.number == "CN-2026-0001" and cn.credits == "INV-2026-0001" and cn.total == inv.total
        invoices, _ = load_invoices(books.root)
        again = issue(books, build_invoice(books, "hafen-logistik", *OCT, issued=ISSUED, invoices=invoices))
        assert again.invoice.number == "INV-2026-0002"

    def test_next_number_ignores_other_years_and_series(self):
        """The sequence is per series (number format) and per year of issue; voids count."""
        from consult.books import register

        lines: list = []
        for n, kind in (("INV-2026-0007", "invoice"), ("INV-2025-0012", "invoice"), ("CN-2026-0003", "credit_note"),
                        ("INV-2026-0008", "void")):
            lines.append(register.parse_line(register.make_line(lines, number=n, kind=kind, day=date(2026, 1, 1))))
        assert register.next_number(lines, "INV-{year}-{seq:04d}", date(2026, 5, 1)) == "INV-2026-0009"
        assert register.next_number(lines, "CN-{year}-{seq:04d}", date(2026, 5, 1)) == "CN-2026-0004"
        assert register.next_number(lines, "{year}-{seq}", date(2027, 1, 1)) == "2027-1"


class TestCreditNotes:
    def test_partial_credit_adds_vat_at_the_invoice_rate(self, books):
        """Credit £650.00 net (one day) on a 20% invoice: VAT £130.00, total £780.00; the line is
        the invoice's own, in its terms: 1 day x £650.00 (650.00 / 650.00 = 1, exactly)."""
        inv = issue(books, build_invoice(books, "acme-analytics", *OCT, issued=ISSUED)).invoice
        cn = build_credit_note(books, [inv], inv.number, reason="One day not worked", issued=ISSUED, amount=D(650))
        assert (cn.net, cn.vat, cn.total) == (gbp(650), gbp(130), gbp(780))
        ln = cn.lines[0]
        assert (ln.description, ln.quantity, ln.unit, ln.unit_price) == (inv.lines[0].description, D("1.0"), "day",
                                                                         gbp(650))
        assert (cn.credits, cn.credits_date, cn.reason) == ("INV-2026-0001", ISSUED, "One day not worked")

    def test_a_full_credit_repeats_the_invoices_own_lines(self, books):
        """Acme's October invoice has two lines — 18.5 days × £650.00 = £12,025.00 and the rail
        fare 1 × £142.60 — net £12,167.60 + VAT £2,433.52. Its full credit repeats both lines
        as they were (not one "1 item" line of £12,167.60) and mirrors every total."""
        inv = issue(books, build_invoice(books, "acme-analytics", *OCT, issued=ISSUED)).invoice
        cn = build_credit_note(books, [inv], inv.number, reason="Wrong PO", issued=ISSUED)

        def terms(lines):
            return [(ln.description, ln.quantity, ln.unit, ln.unit_price, ln.net, ln.kind) for ln in lines]

        assert terms(cn.lines) == terms(inv.lines)
        assert [(ln.quantity, ln.unit, ln.net) for ln in cn.lines] == [(D("18.5"), "day", gbp("12025.00")),
                                                                      (D("1"), "item", gbp("142.60"))]
        assert (cn.net, cn.vat, cn.total) == (gbp("12167.60"), gbp("2433.52"), gbp("14601.12"))

    def test_credit_beyond_what_is_left_is_refused(self, books):
        """Crediting more than the invoice total is refused, showing what is left."""
        inv = issue(books, build_invoice(books, "hafen-logistik", *OCT, issued=ISSUED)).invoice
        with pytest.raises(ConflictError, match="1.753,75"):
            build_credit_note(books, [inv], inv.number, reason="x", issued=ISSUED, amount=D(2000))

    def test_reason_is_required(self, books):
        """A credit note without a reason is refused before anything is looked up."""
        with pytest.raises(UsageError, match="--reason"):
            build_credit_note(books, [], "INV-2026-0001", reason=" ", issued=ISSUED)


class TestPayments:
    def test_payment_is_appended_and_read_back(self, books):
        """Lotus pays ₹6,91,892.00 less 10% TDS: ₹6,22,702.80 received, ₹69,189.20 withheld."""
        inv = issue(books, build_invoice(books, "lotus-insights", *OCT, issued=ISSUED)).invoice
        p = record_payment(books.root, inv.number, D("622702.80"), paid_on=date(2026, 12, 10),
                           withheld=D("69189.20"), note="TDS 10% withheld")
        assert p.withheld == Money.of("69189.20", "INR")
        again = open_books(books.root)
        (back,) = again.payments
        assert (back.invoice, back.amount, back.withheld, back.note) == (
            "INV-2026-0001", Money.of("622702.80", "INR"), Money.of("69189.20", "INR"), "TDS 10% withheld")

    def test_overpayment_is_refused_unless_forced(self, books):
        """€1,800 against €1,753.75 outstanding is refused (nothing written) unless --force."""
        inv = issue(books, build_invoice(books, "hafen-logistik", *OCT, issued=ISSUED)).invoice
        with pytest.raises(ConflictError, match=r"INV-2026-0001 has 1.753,75\xa0€ outstanding, but this payment "
                                                r"settles 1.800,00\xa0€"):
            record_payment(books.root, inv.number, D(1800), paid_on=ISSUED)
        assert not (books.root / "clients/hafen-logistik/payments.yaml").exists()
        record_payment(books.root, inv.number, D(1800), paid_on=ISSUED, force=True)
        assert len(open_books(books.root).payments) == 1

    def test_payment_for_unknown_invoice_is_refused(self, books):
        """A payment must name an issued invoice."""
        with pytest.raises(NotFound, match="no invoice 'INV-2026-0099'"):
            record_payment(books.root, "INV-2026-0099", D(1), paid_on=ISSUED)


class TestChecks:
    def test_changed_timesheet_after_invoicing_is_a_warning(self, books):
        """Editing 16 Oct from 3 h to 5 h after billing names the invoice, the day and both figures."""
        issue(books, build_invoice(books, "acme-analytics", *OCT, issued=ISSUED))
        ts = books.root / "clients/acme-analytics/timesheets/2026-10.csv"
        ts.write_text(ts.read_text().replace("2026-10-16,churn-model,3,", "2026-10-16,churn-model,5,"))
        from consult.invoices.billed import changed_problems

        (p,) = changed_problems(open_books(books.root), load_invoices(books.root)[0])
        assert p.severity == "warning"
        assert str(p) == ("clients/acme-analytics/invoices/INV-2026-0001.yaml: warning: entries: time billed on "
                          "INV-2026-0001 was changed or deleted afterwards — churn-model 2026-10-16: 3h00m 'Handover notes "
                          "(half day)' (was clients/acme-analytics/timesheets/2026-10.csv:15); restore the entry as "
                          "billed, or credit "
                          "INV-2026-0001 and bill the day again")

    def test_overdue_invoice_is_a_warning(self, books):
        """Hafen's September invoice, due 31 Oct, is 22 days overdue on 22 Nov."""
        issue(books, build_invoice(books, "hafen-logistik", *SEP, issued=date(2026, 10, 1)))
        (p,) = check_invoices(open_books(books.root), today=date(2026, 11, 22))
        assert p.message == ("INV-2026-0001 is 22 days overdue: 1.322,50\xa0€ outstanding since 2026-10-31 "
                             "(consult invoice overdue)")

    def test_payment_for_missing_invoice_is_a_warning(self, books):
        """A payment naming no issued invoice is reported at its line, as a warning."""
        (books.root / "clients/acme-analytics/payments.yaml").write_text(
            "- {date: 2026-10-28, invoice: INV-2026-0042, amount: 100}\n")
        (p,) = check_invoices(open_books(books.root), today=ISSUED)
        assert p.severity == "warning" and p.source.line == 1
        assert "payment for 'INV-2026-0042', but no such invoice was issued" in p.message
