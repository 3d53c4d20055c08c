"""VAT returns worked by hand: the same quarter under the standard scheme, cash accounting and
the Flat Rate Scheme, each with a credit note, a reverse-charge purchase, a capital item and
foreign-currency sales — and the boxes must come out to the penny.

The quarter (1 July – 30 September 2026), as written in the books below:

Sales (issued records)
  INV-2026-0004  acme (GBP, standard)  net 2,500.00  VAT   500.00  total 3,000.00  tax point 2026-06-30 (Q2)
  INV-2026-0001  acme (GBP, standard)  net 10,000.00 VAT 2,000.00  total 12,000.00 tax point 2026-07-31
  INV-2026-0002  expat (EUR, standard) net €5,000.00 VAT €1,000.00 total €6,000.00 tax point 2026-08-31,
                 issued at 0.85 GBP/EUR: VAT in sterling £850.00 (printed), net £4,250.00
  CN-2026-0001   credits INV-2026-0001: net 1,000.00 VAT 200.00 total 1,200.00, dated 2026-09-15
  INV-2026-0003  brightpath (USD, outside the scope) net $8,000.00 tax point 2026-09-30: at HMRC's
                 September 2026 rate (USD 1.3554 per £1 → 0.73778958) £5,902.32 (8,000 × 0.73778958
                 = 5,902.31664)
Money received
  2026-07-20  £3,000.00 for INV-2026-0004 (all of it)
  2026-08-29  £5,400.00 for INV-2026-0001 (part: 5,400 of 12,000)
  2026-09-20  €6,000.00 for INV-2026-0002 (all of it)
  (INV-2026-0003 is paid on 2026-10-15, after the quarter)
Costs (expenses.yaml at the root, one client expense, one trip)
  2026-07-10  Dell laptop       2,400.00 incl. VAT 400.00, capital goods
  2026-07-15  accountant        1,200.00 incl. VAT 200.00, professionalFees
  2026-08-01  insurance           300.00, no VAT (exempt), premisesRunningCosts
  2026-08-20  Cloudy Inc (US)     150.00 software, reverse charge (no VAT charged), adminCosts
  2026-09-05  stationery           60.00 incl. VAT 10.00, goods, adminCosts
  2026-09-10  rail fare for acme  120.00, VAT 0, rebilled (clients/acme/expenses.yaml)
  2026-08-10  100 business miles (mileage.yaml): a claim, not a purchase — in no box
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D

import pytest

from consult.books.loader import open_books
from consult.core.money import Money
from consult.invoices.issue import record_yaml
from consult.invoices.record import Invoice, InvoiceLine, Party
from consult.invoices.store import load_invoices
from consult.vat.boxes import HMRC_FIELDS
from consult.vat.periods import due_date
from consult.vat.returns import vat_return
from tests.conftest import PRACTICE

Q3 = (date(2026, 7, 1), date(2026, 9, 30))


def _inv(number: str, client: str, currency: str, net: str, vat: str, tax_point: date, *,
         treatment: str = "standard", credits: str | None = None, gbp_rate: str | None = None,
         vat_gbp: str | None = None) -> Invoice:
    n, v = Money.of(net, currency), Money.of(vat, currency)
    return Invoice(
        number=number, kind="credit_note" if credits else "invoice", client=client, issue_date=tax_point,
        tax_point=tax_point, supply_start=tax_point.replace(day=1), supply_end=tax_point, due_date=tax_point,
        currency=currency, locale="en_GB", seller=Party("Test Practice Ltd"), buyer=Party(client),
        lines=(InvoiceLine("Work", D(1), "item", n, n, "time"),), net=n, vat=v, total=n + v,
        tax_treatment=treatment, vat_rate=D(20) if treatment == "standard" else None, vat_rounding="half_up",
        payment_terms_days=30, credits=credits, reason="Day billed twice" if credits else None,
        gbp_rate=D(gbp_rate) if gbp_rate else None, vat_gbp=Money.of(vat_gbp, "GBP") if vat_gbp else None,
        gbp_rate_source="rate given when the invoice was issued" if gbp_rate else None)


INVOICES = [
    _inv("INV-2026-0004", "acme", "GBP", "2500.00", "500.00", date(2026, 6, 30)),
    _inv("INV-2026-0001", "acme", "GBP", "10000.00", "2000.00", date(2026, 7, 31)),
    _inv("INV-2026-0002", "expat", "EUR", "5000.00", "1000.00", date(2026, 8, 31), gbp_rate="0.85", vat_gbp="850.00"),
    _inv("CN-2026-0001", "acme", "GBP", "1000.00", "200.00", date(2026, 9, 15), credits="INV-2026-0001"),
    _inv("INV-2026-0003", "brightpath", "USD", "8000.00", "0.00", date(2026, 9, 30), treatment="outside_scope"),
]

ROOT_EXPENSES = """\
- {date: 2026-07-10, supplier: Dell, amount: 2400.00, vat: 400.00, capital: true, goods: true, note: Laptop}
- {date: 2026-07-15, supplier: Ledger & Co, amount: 1200.00, vat: 200.00, category: professionalFees}
- {date: 2026-08-01, supplier: Hiscox, amount: 300.00, category: premisesRunningCosts, note: PI insurance}
- {date: 2026-08-20, supplier: Cloudy Inc, amount: 150.00, reverse_charge: true, category: adminCosts}
- {date: 2026-09-05, supplier: Ryman, amount: 60.00, vat: 10.00, goods: true, category: adminCosts}
"""


def books_for(make_books, vat: str = "", extra: dict[str, str] | None = None):
    files = {
        "practice.yaml": PRACTICE + vat,
        "clients/expat/client.yaml": "name: Expat Ltd\naddress: x\ncountry: GB\ncurrency: EUR\n",
        "clients/brightpath/client.yaml": ("name: BrightPath AI\naddress: x\ncountry: US\ncurrency: USD\n"
                                          "tax: outside_scope\nbusiness_evidence: MSA signed as a business\n"),
        "clients/acme/payments.yaml": ("- {date: 2026-07-20, invoice: INV-2026-0004, amount: 3000.00}\n"
                                       "- {date: 2026-08-29, invoice: INV-2026-0001, amount: 5400.00}\n"
                                       "- {date: 2026-10-05, invoice: INV-2026-0001, amount: 5400.00}\n"),
        "clients/expat/payments.yaml": "- {date: 2026-09-20, invoice: INV-2026-0002, amount: 6000.00}\n",
        "clients/brightpath/payments.yaml": "- {date: 2026-10-15, invoice: INV-2026-0003, amount: 8000.00}\n",
        "clients/acme/expenses.yaml": ("- {date: 2026-09-10, engagement: build, amount: 120.00, vat: 0, "
                                       "category: carVanTravelExpenses, note: Rail fare}\n"),
        "expenses.yaml": ROOT_EXPENSES,
        "mileage.yaml": "- {date: 2026-08-10, miles: 100, note: 'Client workshop, Leeds'}\n",
        **(extra or {}),
    }
    for inv in INVOICES:
        files[f"clients/{inv.client}/invoices/{inv.number}.yaml"] = record_yaml(inv)
    root = make_books(files)
    invoices, problems = load_invoices(root)
    assert problems == []
    return open_books(root, timesheets=False), invoices


def boxes(r) -> list[str]:
    return [f"{r.box(n):f}" for n in range(1, 10)]


class TestStandardScheme:
    def test_the_quarter_by_tax_point(self, make_books):
        """Box 1 = 2,000.00 (INV-0001) + 850.00 (INV-0002's printed sterling VAT) − 200.00 (CN-0001)
        + 30.00 (20% of the £150 reverse-charge service) = 2,680.00. INV-0004's tax point is in Q2.
        Box 4 = 400.00 (laptop) + 200.00 (accountant) + 10.00 (stationery) + 30.00 (reverse charge)
        = 640.00. Box 5 = 2,680.00 − 640.00 = 2,040.00.
        Box 6 = 10,000.00 + 4,250.00 (€5,000 × 0.85) + 5,902.32 (INV-0003) − 1,000.00 + 150.00
        = 19,302.32 → 19,302. Box 7 = 2,000 + 1,000 + 300 + 150 + 50 + 120 (rail) = 3,620."""
        books, invoices = books_for(make_books)
        r = vat_return(books, invoices, *Q3)
        assert boxes(r) == ["2680.00", "0", "2680.00", "640.00", "2040.00", "19302", "3620", "0", "0"]
        assert r.exact[6] == D("19302.32") and not r.repayment
        assert r.due == date(2026, 11, 7)

    def test_the_documents_behind_each_box(self, make_books):
        """--detail's list: the credit note takes away, the USD sale names HMRC's rate."""
        books, invoices = books_for(make_books)
        r = vat_return(books, invoices, *Q3)
        by_ref = {e.ref: e for e in r.entries}
        assert by_ref["CN-2026-0001"].boxes == {6: D("-1000.00"), 1: D("-200.00")}
        assert by_ref["INV-2026-0003"].boxes == {6: D("5902.32")}
        assert "HMRC monthly rate 2026-09 (USD 1.3554 per £1)" in by_ref["INV-2026-0003"].note
        assert by_ref["expenses.yaml:4:3"].boxes == {1: D("30.00"), 4: D("30.00"), 6: D("150.00"), 7: D("150.00")}
        assert "INV-2026-0004" not in by_ref  # tax point 30 June
        assert not any(e.ref.startswith("mileage.yaml") for e in r.entries)

    def test_hmrc_body_uses_hmrc_field_names(self, make_books):
        books, invoices = books_for(make_books)
        body = vat_return(books, invoices, *Q3).hmrc_body("26C3")
        assert body["vatDueSales"] == D("2680.00") and body["netVatDue"] == D("2040.00")
        assert body["totalValueSalesExVAT"] == D("19302") and body["periodKey"] == "26C3"


class TestCashAccounting:
    def test_the_quarter_by_money_received(self, make_books):
        """Received: £3,000 for INV-0004 (VAT 500.00, net 2,500.00); £5,400 of INV-0001's £12,000
        (net 5,400 × 10,000 ÷ 12,000 = 4,500.00, VAT 900.00); €6,000 for INV-0002 (all of its VAT:
        £850.00 as printed; net £4,250.00). The credit note moved no money; INV-0003 is paid in Q4.
        Box 1 = 500 + 900 + 850 + 30 (reverse charge, normal tax point) = 2,280.00.
        Box 6 = 2,500 + 4,500 + 4,250 + 150 = 11,400. Purchases as under the standard scheme
        (an expense's date is the day it was paid): box 4 640.00, box 7 3,620.
        Box 5 = 2,280.00 − 640.00 = 1,640.00."""
        books, invoices = books_for(make_books, "vat: {scheme: cash}\n")
        r = vat_return(books, invoices, *Q3)
        assert r.scheme == "cash"
        assert boxes(r) == ["2280.00", "0", "2280.00", "640.00", "1640.00", "11400", "3620", "0", "0"]
        part = next(e for e in r.entries if e.ref == "clients/acme/payments.yaml:2:3")
        assert part.boxes == {6: D("4500.00"), 1: D("900.00")}

    def test_withheld_tax_settles_its_part(self, make_books):
        """$7,200 received and $800 withheld at source settle all of INV-0003's $8,000: box 6 has
        its whole sterling value, £5,902.32 (the Q4 return)."""
        books, invoices = books_for(make_books, "vat: {scheme: cash}\n", {
            "clients/brightpath/payments.yaml": "- {date: 2026-10-15, invoice: INV-2026-0003, amount: 7200.00, "
                                                "withheld: 800.00}\n"})
        r = vat_return(books, invoices, date(2026, 10, 1), date(2026, 12, 31))
        entry = next(e for e in r.entries if e.kind == "payment" and "brightpath" in e.ref)
        assert entry.boxes == {6: D("5902.32")}

    def test_an_allocation_moves_no_vat_and_a_refund_gives_it_back(self, make_books, run_cli):
        """Q4 by money (VAT Notice 731: VAT follows the money; HMRC VCAS5250: a credit adjusts the
        VAT only where VAT was accounted on money received — here, when it is paid back).
        The £600 allocated from CN-2026-0001 leaves INV-2026-0001 (its VAT share: net 600 × 10,000
        ÷ 12,000 = 500.00, VAT 100.00, minus) and settles INV-2026-0005 (net 500.00, VAT 100.00):
        the two cancel, no new money. The £600 refund gives back INV-2026-0001's share: box 1
        −100.00, box 6 −500.00. The $8,000 for INV-2026-0003 (outside the scope) puts £5,902.32 in
        box 6. Box 1 = −100.00; box 4 = 0 (no costs paid in Q4); box 5 = 100.00, repaid to the
        practice; box 6 = 5,902.32 − 500.00 = 5,402.32 → 5,402.

        The command reads only the records the quarter needs: before, it left out INV-2026-0005,
        CN-2026-0001 and INV-2026-0001 (tax points in Q3) and stopped with "no such invoice was
        issued"."""
        books, invoices = books_for(make_books, "vat: {scheme: cash}\n", CREDIT_AND_REBILL)
        code, out, err = run_cli("vat", "return", "2026-Q4", "--format", "json", "--detail", books=books.root)
        assert (code, err) == (0, "")
        data = json.loads(out, parse_float=D)
        assert [D(str(data[f])) for f in HMRC_FIELDS] == [D("-100.00"), 0, D("-100.00"), D("0.00"), D("100.00"),
                                                          5402, 0, 0, 0]
        assert data["repayment"] is True
        moved = sorted((d["kind"], d["ref"], D(d["box1"]), D(d["box6"])) for d in data["documents"]
                       if d["kind"] != "payment")
        assert moved == [("allocation", "clients/acme/allocations.yaml:1:3", D("-100.00"), D("-500.00")),
                         ("allocation", "clients/acme/allocations.yaml:1:3", D("100.00"), D("500.00")),
                         ("refund", "clients/acme/refunds.yaml:1:3", D("-100.00"), D("-500.00"))]
        assert [D(str(data[f])) for f in HMRC_FIELDS] == [vat_return(books, invoices, *Q4).box(n) for n in range(1, 10)]

    def test_flat_rate_cash_turnover_counts_allocations_and_refunds(self, make_books, run_cli):
        """The Flat Rate Scheme's cash turnover reads the same money: turnover = −600.00 + 600.00
        (the allocation, VAT included) − 600.00 (the refund) = −600.00; the US sale is outside the
        scheme. Relevant goods £0 are under the £250 limit → 16.5%: box 1 = −600.00 × 16.5% = −99.00."""
        vat = FLAT.replace("}", ", flat_rate_turnover: cash}")
        books, invoices = books_for(make_books, vat, CREDIT_AND_REBILL)
        code, out, err = run_cli("vat", "return", "2026-Q4", "--format", "json", books=books.root)
        assert (code, err) == (0, "")
        data = json.loads(out, parse_float=D)
        assert data["vatDueSales"] == D("-99.00")
        assert [D(str(data[f])) for f in HMRC_FIELDS] == [vat_return(books, invoices, *Q4).box(n) for n in range(1, 10)]

    def test_a_credited_invoice_read_before_its_credit_note_is_found(self, make_books):
        """A credit note numbered to sort after the invoice it credits (ZC-2026-0001) names that
        invoice only once the invoice has been passed over; the loader reads it in a second pass.
        INV-2026-0004 (tax point and money in Q3) is not read at all."""
        from consult.vat.returns import load_return_records

        extra = {**CREDIT_AND_REBILL,
                 "clients/acme/invoices/ZC-2026-0001.yaml": record_yaml(
                     _inv("ZC-2026-0001", "acme", "GBP", "100.00", "20.00", date(2026, 9, 16), credits="INV-2026-0001")),
                 "clients/acme/refunds.yaml": "- {date: 2026-12-01, from: ZC-2026-0001, amount: 120.00}\n",
                 "clients/acme/allocations.yaml": None}
        books, _ = books_for(make_books, "vat: {scheme: cash}\n", extra)
        got = {i.number for i in load_return_records(books.root, books, *Q4)}
        assert got == {"ZC-2026-0001", "INV-2026-0001", "INV-2026-0003"}

    def test_a_payment_for_no_invoice_stops_the_return(self, make_books):
        from consult.errors import ConsultError

        books, invoices = books_for(make_books, "vat: {scheme: cash}\n", {
            "clients/expat/payments.yaml": "- {date: 2026-09-20, invoice: INV-2026-0099, amount: 10.00}\n"})
        with pytest.raises(ConsultError, match="payment for 'INV-2026-0099', but no such invoice was issued"):
            vat_return(books, invoices, *Q3)


Q4 = (date(2026, 10, 1), date(2026, 12, 31))
# Credit and re-bill, money on account: INV-2026-0001 (£12,000) is credited £1,200 by CN-2026-0001 on
# 15 September and paid £5,400 + £6,600 = £12,000 by 25 September, so £1,200 sits on account. In Q4
# £600 of it is allocated from the credit note to INV-2026-0005 (£500 + £100 VAT, tax point 30
# September, Q3) and the other £600 is paid back. Nothing the Q4 money names has its tax point in Q4.
CREDIT_AND_REBILL = {
    "clients/acme/payments.yaml": ("- {date: 2026-07-20, invoice: INV-2026-0004, amount: 3000.00}\n"
                                   "- {date: 2026-08-29, invoice: INV-2026-0001, amount: 5400.00}\n"
                                   "- {date: 2026-09-25, invoice: INV-2026-0001, amount: 6600.00}\n"),
    "clients/acme/allocations.yaml": "- {date: 2026-11-10, from: CN-2026-0001, to: INV-2026-0005, amount: 600.00}\n",
    "clients/acme/refunds.yaml": "- {date: 2026-12-01, from: CN-2026-0001, amount: 600.00}\n",
    "clients/acme/invoices/INV-2026-0005.yaml": record_yaml(
        _inv("INV-2026-0005", "acme", "GBP", "500.00", "100.00", date(2026, 9, 30))),
}


FLAT = "vat: {scheme: flat_rate, flat_rate_percent: 14.5, flat_rate_start: 2024-04-01}\n"


class TestFlatRateScheme:
    def test_a_limited_cost_quarter(self, make_books):
        """Flat-rate turnover (VAT included, by tax point): 12,000.00 (INV-0001) + 5,100.00
        (INV-0002: £4,250 + £850) − 1,200.00 (CN-0001) = 15,900.00; INV-0003 is outside the scope of
        UK VAT, so not flat-rate turnover, but its value is in box 6.
        Limited-cost test: relevant goods = the stationery, £60.00 (the laptop is capital); 2% of
        £15,900.00 = £318.00 and the quarter's limit is £250: £60 is under both → 16.5%.
        Box 1 = 15,900.00 × 16.5% = 2,623.50, + 30.00 reverse charge = 2,653.50.
        Box 4 = 400.00 (laptop: capital goods of £2,400, £2,000 or more with VAT) + 30.00 = 430.00.
        Box 5 = 2,223.50. Box 6 = 15,900.00 + 5,902.32 + 150.00 = 21,952.32 → 21,952.
        Box 7 = 2,000.00 (laptop) + 150.00 = 2,150. The accountant's £200 VAT is not reclaimed."""
        books, invoices = books_for(make_books, FLAT)
        r = vat_return(books, invoices, *Q3)
        assert boxes(r) == ["2653.50", "0", "2653.50", "430.00", "2223.50", "21952", "2150", "0", "0"]
        working = "\n".join(r.notes)
        assert ("Limited-cost test: relevant goods £60.00, VAT included; 2% of flat-rate turnover £15,900.00 is "
                "£318.00; the limit for the period is £250.00 — a limited cost business: 16.5% applies") in working
        assert "16.5% of the VAT-inclusive flat-rate turnover of £15,900.00" in working

    def test_enough_goods_keep_the_sector_rate(self, make_books):
        """£400 more stationery (goods): relevant goods £460.00 ≥ £318.00 and ≥ £250 → 14.5%:
        box 1 = 15,900.00 × 14.5% = 2,305.50 + 30.00 = 2,335.50."""
        books, invoices = books_for(make_books, FLAT, {"expenses.yaml": ROOT_EXPENSES + (
            "- {date: 2026-09-06, supplier: Ryman, amount: 400.00, vat: 66.67, goods: true, category: adminCosts}\n")})
        r = vat_return(books, invoices, *Q3)
        assert r.box(1) == D("2335.50")
        assert "not a limited cost business: the sector's rate applies" in "\n".join(r.notes)

    def test_the_first_year_reduction_ends_on_the_anniversary(self, make_books):
        """Registered 15 August 2025: 1% off until 14 August 2026. INV-0001 (31 July, £12,000.00)
        at 15.5% = 1,860.00; the rest after the anniversary (5,100.00 − 1,200.00 = 3,900.00) at
        16.5% = 643.50. Box 1 = 1,860.00 + 643.50 + 30.00 = 2,533.50."""
        books, invoices = books_for(make_books, "vat: {scheme: flat_rate, flat_rate_percent: 14.5, "
                                                "flat_rate_start: 2025-08-15, registered: 2025-08-15}\n")
        r = vat_return(books, invoices, *Q3)
        parts = sorted(e.boxes[1] for e in r.entries if e.kind == "flat_rate")
        assert parts == [D("643.50"), D("1860.00")]
        assert r.box(1) == D("2533.50")

    def test_cash_turnover(self, make_books):
        """flat_rate_turnover: cash — turnover is money received: 3,000 + 5,400 + 5,100 (€6,000 →
        £4,250 + £850) = 13,500.00; 2% is £270.00, goods £60 → 16.5%: 2,227.50 + 30.00 = 2,257.50."""
        books, invoices = books_for(make_books, FLAT.replace("}", ", flat_rate_turnover: cash}"))
        r = vat_return(books, invoices, *Q3)
        assert r.box(1) == D("2257.50") and r.box(6) == D("13650")

    def test_a_period_before_joining_is_refused(self, make_books):
        from consult.errors import UsageError

        books, invoices = books_for(make_books, FLAT.replace("2024-04-01", "2026-08-01"))
        with pytest.raises(UsageError, match="before the practice joined the Flat Rate Scheme on 2026-08-01"):
            vat_return(books, invoices, *Q3)


class TestPeriodsAndDueDates:
    @pytest.mark.parametrize("end,due", [(date(2026, 9, 30), date(2026, 11, 7)), (date(2026, 12, 31), date(2027, 2, 7)),
                                         (date(2027, 2, 28), date(2027, 4, 7)), (date(2026, 3, 31), date(2026, 5, 7))])
    def test_one_month_and_seven_days(self, end, due):
        assert due_date(end) == due

    def test_staggers_are_hmrcs(self):
        """HMRC DMBM530020: stagger 1 ends Mar/Jun/Sep/Dec, 2 Apr/Jul/Oct/Jan, 3 May/Aug/Nov/Feb."""
        from consult.vat.periods import latest_ended

        today = date(2026, 11, 22)
        assert latest_ended(today, 1) == (date(2026, 7, 1), date(2026, 9, 30))
        assert latest_ended(today, 2) == (date(2026, 8, 1), date(2026, 10, 31))
        assert latest_ended(today, 3) == (date(2026, 6, 1), date(2026, 8, 31))
        assert latest_ended(today, 0) == (date(2026, 10, 1), date(2026, 10, 31))


class TestCommand:
    def test_json_uses_hmrcs_field_names_as_numbers(self, make_books, run_cli):
        books, _ = books_for(make_books)
        code, out, err = run_cli("vat", "return", "2026-Q3", "--format", "json", books=books.root)
        assert code == 0, err
        data = json.loads(out, parse_float=D)
        assert (data["vatDueSales"], data["netVatDue"], data["totalValueSalesExVAT"]) == (D("2680.00"), D("2040.00"), 19302)
        assert '"vatDueSales": 2680.00,' in out  # a JSON number written from its exact text
        assert data["due"] == "2026-11-07" and data["periodStart"] == "2026-07-01"

    @pytest.mark.parametrize("vat", ["", "vat: {scheme: cash}\n", FLAT, FLAT.replace("}", ", flat_rate_turnover: cash}")])
    def test_the_command_reads_only_the_records_it_needs_and_agrees(self, make_books, run_cli, vat):
        """The command builds only the records a return can need (tax point in the period, or paid
        in it); its boxes are the library's over every record, for every scheme."""
        books, invoices = books_for(make_books, vat)
        code, out, _ = run_cli("vat", "return", "2026-Q3", "--format", "json", books=books.root)
        data = json.loads(out, parse_float=D)
        assert [D(str(data[f])) for f in HMRC_FIELDS] == [vat_return(books, invoices, *Q3).box(n) for n in range(1, 10)]

    def test_table_shows_boxes_due_date_and_what_to_pay(self, make_books, run_cli):
        books, _ = books_for(make_books)
        code, out, _ = run_cli("vat", "return", "2026-07-01..2026-09-30", "--detail", books=books.root,
                               today="2026-10-15")
        assert code == 0
        assert "Due 2026-11-07: file the return and pay by then; you pay HMRC £2,040.00 (box 5)" in out
        assert "  6  totalValueSalesExVAT" in out and "£19,302" in out
        assert "Box 4 (vatReclaimedCurrPeriod): 4 documents" in out

    def test_a_period_not_yet_ended_is_not_to_be_filed_yet(self, make_books, run_cli):
        """On 22 November 2026 the quarter to 31 December has not ended: the figures are so far,
        the return can be filed from 1 January and is due 7 February (one month and seven days)."""
        books, _ = books_for(make_books)
        code, out, _ = run_cli("vat", "return", "2026-Q4", books=books.root, today="2026-11-22")
        assert code == 0
        assert out.splitlines()[2] == ("The period ends 2026-12-31: figures so far. The return can be filed from "
                                       "2027-01-01 and is due 2027-02-07; so far nothing to pay or reclaim: £0.00 (box 5)")
        assert "file the return and pay by then" not in out
        code, out, _ = run_cli("vat", "return", "2026-Q4", "--format", "json", books=books.root, today="2026-11-22")
        assert json.loads(out)["status"] == "not ended"

    def test_a_return_past_its_due_date_says_so(self, make_books, run_cli):
        books, _ = books_for(make_books)
        code, out, _ = run_cli("vat", "return", "2026-Q3", books=books.root, today="2026-11-22")
        assert "Was due 2026-11-07: file the return and pay now; you pay HMRC £2,040.00 (box 5)" in out

    def test_a_period_key_is_looked_up_in_the_recorded_obligations(self, make_books, run_cli):
        books, _ = books_for(make_books, extra={"vat/obligations.yaml": (
            "- {periodKey: 26C3, start: 2026-07-01, end: 2026-09-30, due: 2026-11-07, status: O}\n")})
        code, out, _ = run_cli("vat", "return", "26C3", "--format", "json", books=books.root)
        assert code == 0 and json.loads(out)["periodKey"] == "26C3"
        code, _, err = run_cli("vat", "return", "26C4", books=books.root)
        assert code == 2 and "'26C4' looks like an HMRC period key, but no obligation" in err
        assert ("(vat/obligations.yaml, or vat/sandbox/obligations.yaml for HMRC's sandbox: `consult vat "
                "obligations` writes the one for the environment it asks)") in err

    def test_a_sandbox_period_key_is_found_in_the_sandbox_obligations(self, make_books, run_cli):
        """`vat obligations` against the sandbox records its keys beside the sandbox's records, and
        `vat return KEY` finds them there (production's file first)."""
        books, _ = books_for(make_books, extra={"vat/sandbox/obligations.yaml": (
            "- {periodKey: 26A3, start: 2026-07-01, end: 2026-09-30, due: 2026-11-07, status: O}\n")})
        code, out, err = run_cli("vat", "return", "26A3", "--format", "json", books=books.root)
        assert (code, err) == (0, "")
        assert (json.loads(out)["periodKey"], json.loads(out)["periodStart"]) == ("26A3", "2026-07-01")
        code, out, _ = run_cli("check", books=books.root)
        assert "obligations.yaml" not in out

    def test_an_irregular_period_is_worked_with_a_warning(self, make_books, run_cli):
        books, _ = books_for(make_books)
        code, _, err = run_cli("vat", "return", "2026-08", books=books.root)
        assert code == 0 and "2026-08-01..2026-08-31 is not one of your VAT periods (stagger 1" in err

    def test_not_registered_exits_1(self, make_books, run_cli):
        root = make_books({"practice.yaml": PRACTICE.replace("vat_number: GB980780684\n", "").replace(
            "invoice:\n  vat_rate: 20\n", ""), "clients/acme/client.yaml": "name: A\naddress: x\ncountry: GB\n"})
        code, _, err = run_cli("vat", "return", "2026-Q3", books=root)
        assert code == 1 and "not VAT-registered" in err

    def test_the_pdf_carries_the_boxes(self, make_books, run_cli, tmp_path):
        from pypdf import PdfReader

        books, _ = books_for(make_books)
        out = tmp_path / "vat.pdf"
        code, _, err = run_cli("vat", "return", "2026-Q3", "--pdf", str(out), books=books.root)
        assert code == 0, err
        text = PdfReader(out).pages[0].extract_text()
        for expected in ("VAT return 2026-Q3", "£2,680.00", "£2,040.00", "£19,302", "totalValuePurchasesExVAT"):
            assert expected in text, expected

    def test_on_the_sample_books(self, run_cli):
        """Q4 2026 of the sample practice: the README's example runs and balances."""
        from tests.conftest import REPO

        code, out, err = run_cli("vat", "return", "2026-Q4", books=REPO)
        assert code == 0, err
        assert out.startswith("VAT return 2026-10-01 to 2026-12-31 (2026-Q4) — standard scheme (invoice basis)")
        # the README's figures: box 1 = INV-2026-0001's £1,755.00 + £3.12 (20% of October's GitHub, $21 → £15.61);
        # box 4 = £180.00 (accountant) + £2.10 (Microsoft) + £3.12 = £185.22 — not the working lunch's £3.07:
        # business entertainment of a UK client; box 5 = £1,758.12 − £185.22 = £1,572.90
        assert "you pay HMRC £1,572.90 (box 5)" in out and "£18,842" in out
        assert "  4  vatReclaimedCurrPeriod          £185.22" in out


class TestBlockedInputTax:
    ENTERTAINING = {
        "clients/acme/expenses.yaml": ("- {date: 2026-09-10, engagement: build, amount: 120.00, vat: 0, "
                                       "category: carVanTravelExpenses, note: Rail fare}\n"
                                       "- {date: 2026-09-11, engagement: build, amount: 60.00, vat: 10.00, "
                                       "category: businessEntertainmentCosts, note: Lunch with Acme's CTO}\n"),
        "clients/brightpath/expenses.yaml": ("- {date: 2026-09-12, amount: 90.00, vat: 15.00, currency: GBP, "
                                             "category: businessEntertainmentCosts, note: 'Dinner with BrightPath''s "
                                             "founders, visiting London'}\n"),
        "expenses.yaml": ROOT_EXPENSES + ("- {date: 2026-09-13, supplier: The Ivy, amount: 240.00, vat: 40.00, "
                                          "category: businessEntertainmentCosts, note: Prospects' lunch}\n"),
    }

    def test_business_entertainment_is_not_reclaimed_except_for_an_overseas_customer(self, make_books):
        """Three entertainment costs in Q3 (VAT Notice 700/65; Input Tax Order 1992 art 5):
        the UK client Acme's lunch (£60.00, VAT £10.00) and the practice's own (£240.00, VAT
        £40.00) are blocked — no box 4, their value without VAT in box 7 (£50.00, £200.00); the US
        client BrightPath's dinner (£90.00, VAT £15.00) is an overseas customer's: reclaimed.
        Box 4 = 640.00 (the quarter's other purchases, as in TestStandardScheme) + 15.00 = 655.00;
        box 5 = 2,680.00 − 655.00 = 2,025.00; box 7 = 3,620 + 50 + 75 + 200 = 3,945."""
        books, invoices = books_for(make_books, extra=self.ENTERTAINING)
        r = vat_return(books, invoices, *Q3)
        assert boxes(r) == ["2680.00", "0", "2680.00", "655.00", "2025.00", "19302", "3945", "0", "0"]
        by_ref = {e.ref: e for e in r.entries}
        assert by_ref["clients/acme/expenses.yaml:2:3"].boxes == {7: D("50.00")}
        assert "£10.00 VAT not reclaimed — business entertainment" in by_ref["clients/acme/expenses.yaml:2:3"].note
        assert by_ref["expenses.yaml:6:3"].boxes == {7: D("200.00")}
        assert by_ref["clients/brightpath/expenses.yaml:1:3"].boxes == {4: D("15.00"), 7: D("75.00")}
        assert "overseas customer (BrightPath AI)" in by_ref["clients/brightpath/expenses.yaml:1:3"].note

    def test_a_vehicle_is_reclaimed_as_a_van_with_the_car_rule_shown(self, make_books):
        """The books cannot tell a car from a van: a capital vehicle's £4,000.00 VAT is reclaimed
        (box 4 = 640.00 + 4,000.00 = 4,640.00) and the working says a car's is blocked."""
        books, invoices = books_for(make_books, extra={"expenses.yaml": ROOT_EXPENSES + (
            "- {date: 2026-09-14, supplier: Ford, amount: 24000.00, vat: 4000.00, capital: true, "
            "category: carVanTravelExpenses, note: Transit van}\n")})
        r = vat_return(books, invoices, *Q3)
        assert r.box(4) == D("4640.00")
        van = next(e for e in r.entries if e.ref == "expenses.yaml:6:3")
        assert "if it is a car used privately too, its VAT is blocked (VAT Notice 700/64)" in van.note

    def test_cash_accounting_blocks_it_too(self, make_books):
        """Purchases are shared by the schemes: under cash accounting box 4 = 640.00 + 15.00 = 655.00."""
        books, invoices = books_for(make_books, "vat: {scheme: cash}\n", self.ENTERTAINING)
        assert vat_return(books, invoices, *Q3).box(4) == D("655.00")

    def test_earnings_count_blocked_vat_as_part_of_the_cost(self, make_books):
        """The VAT that is not reclaimed is a cost: Acme's lunch costs £60.00 and the prospects'
        lunch £240.00 with their VAT; the overseas customer's dinner £75.00 (its £15.00 comes
        back). Business entertainment in Q3: 60.00 + 240.00 + 75.00 = £375.00."""
        from consult.core.periods import parse_period
        from consult.earnings import rollup

        books, invoices = books_for(make_books, extra=self.ENTERTAINING)
        period = parse_period("2026-Q3", today=date(2026, 11, 22))
        e = rollup(books, invoices, period, count_days=False)
        assert e.costs_by_category["businessEntertainmentCosts"] == Money.of("375.00", "GBP")


class TestSterlingRates:
    def test_hmrcs_monthly_rate_is_the_default(self):
        """HMRC publishes USD 1.3456 per £1 for October 2026; GBP per USD = 1 ÷ 1.3456 to eight
        significant figures = 0.74316290, and the source names HMRC's own figure."""
        from consult.core.fx import sterling_rate

        assert sterling_rate("USD", date(2026, 10, 30)) == (D("0.74316290"), "HMRC monthly rate 2026-10 (USD 1.3456 per £1)")
        assert sterling_rate("USD", date(2026, 10, 30), "ecb")[1].startswith("ECB 2026-10-30")

    def test_a_month_hmrc_has_not_published_is_an_error_never_a_substitute(self):
        from consult.core.fx import NoRate, sterling_rate

        with pytest.raises(NoRate, match=r"HMRC's monthly rate for 2031-01 is not in the installed hmrc-rates data "
                                         r"\(2014-02 to .*\); upgrade it .* or give a UK market rate with --gbp-rate"):
            sterling_rate("USD", date(2031, 1, 15))

    def test_the_return_names_the_document_without_a_rate(self, make_books):
        from consult.errors import ConsultError

        books, invoices = books_for(make_books)
        late = _inv("INV-2031-0001", "brightpath", "USD", "10.00", "0.00", date(2031, 1, 15), treatment="outside_scope")
        with pytest.raises(ConsultError, match="invoice INV-2031-0001: no sterling rate for USD on 2031-01-15"):
            vat_return(books, [*invoices, late], date(2031, 1, 1), date(2031, 3, 31))


def test_vat_return_without_pdf_imports_neither_pandas_nor_reportlab():
    """The table and JSON paths stay light: ReportLab is loaded only for --pdf."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    code = ("import sys\nfrom consult.cli import run\n"
            "run(['--books', sys.argv[1], 'vat', 'return', '2026-Q4', '--format', 'json'])\n"
            "print(' '.join(m for m in ('pandas', 'reportlab') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(REPO)], capture_output=True, text=True, check=True,
                         env={**os.environ, "CONSULT_TODAY": "2026-11-22"})
    assert out.stdout.splitlines()[-1] == ""
