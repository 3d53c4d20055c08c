"""Capital items in the estimate: deducted as paid on the cash basis, the Annual Investment
Allowance otherwise, cars and land left out with a note, VAT as the VAT return treats it.

Every figure is worked by hand in the test's docstring (docs/tax.md, "Capital items", has the
rules and their sources). The laptop is the sample books' own: £2,399.00 paid, £399.83 of it VAT,
so £1,999.17 net.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from consult.books.loader import load_books, open_books
from consult.core import fx
from consult.errors import UsageError
from consult.invoices.store import load_invoices
from consult.tax.estimate import Estimate, estimate
from consult.vat.returns import vat_return
from tests.conftest import PRACTICE

REPO = Path(__file__).resolve().parent.parent
PLATFORM = "name: Tube Platform\nkind: platform\ncountry: US\ncurrency: GBP\nlocale: en_GB\n"
LAPTOP = ("- {date: 2026-09-14, supplier: Dell, amount: 2399.00, vat: 399.83, capital: true, goods: true, "
          "note: XPS 15 laptop}\n")
UNREGISTERED = "name: Test Practice\naddress: |\n  1 Test Street\n  London\ncountry: GB\nbase_currency: GBP\n" \
               "locale: en_GB\n"
LTD = "structure: limited_company\ncompany:\n  year_end: 03-31\n"


def payouts(*items: tuple[str, str]) -> str:
    return "".join(f"- {{date: {d}, amount: {a}, stream: consulting}}\n" for d, a in items)


@pytest.fixture
def books(make_books):
    """A practice (VAT-registered unless `practice` says otherwise) paid 80,000 by a platform
    in 2026/27, with `expenses` as its root expenses.yaml."""
    def make(expenses: str = LAPTOP, extra: str = "", practice: str = PRACTICE,
             income: str = payouts(("2026-05-31", "30000.00"), ("2027-03-31", "50000.00"))) -> Path:
        return make_books({"practice.yaml": practice + extra, "clients/acme/client.yaml": None,
                           "clients/acme/engagements/build.yaml": None, "clients/tube/client.yaml": PLATFORM,
                           "clients/tube/income.yaml": income, "expenses.yaml": expenses})
    return make


def work(root: Path, today: date = date(2027, 6, 1), year: int = 2026) -> Estimate:
    result = load_books(root)
    assert [str(p) for p in result.errors] == []
    assert result.books is not None
    return estimate(result.books, load_invoices(root)[0], year, today)


def section(e: Estimate, title: str):
    return next(s for s in e.sections if s.title.startswith(title))


def lines(e: Estimate, title: str) -> dict[str, str]:
    return {s.label: s.money.plain() for s in section(e, title).steps if s.money is not None}


class TestCashBasis:
    """A sole trader on the cash basis deducts plant and machinery as it is paid (ITTOIA 2005
    s.33A; BIM70035)."""

    def test_the_laptop_comes_off_profit_net_of_the_vat_reclaimed(self, books):
        """80,000 − 1,999.17 = 78,000.83. Income tax: 65,430.83 taxable; 37,700 × 20% = 7,540.00 +
        27,730.83 × 40% = 11,092.33 → 18,632.33. Class 4: 37,700 × 6% = 2,262.00 + 27,730.83 × 2%
        = 554.62 → 2,816.62. Bill 21,448.95 (22,288.60 without the laptop)."""
        e = work(books())
        got = lines(e, "Trading profit")
        assert got["capital expenditure: cash basis 100% on £1,999.17 (XPS 15 laptop, expenses.yaml:1)"] == "1999.17"
        assert got["profit after capital expenditure"] == "78000.83"
        step = next(s for s in section(e, "Trading profit").steps if s.label.startswith("capital expenditure"))
        assert step.op == "−" and step.note.startswith("net of £399.83 VAT reclaimed; deducted as paid (ITTOIA")
        assert lines(e, "Self Assessment") == {"income tax": "18632.33", "Class 4 National Insurance": "2816.62",
                                               "tax deducted at source (PAYE)": "0.00",
                                               "Self Assessment bill": "21448.95"}

    def test_a_trader_not_registered_for_vat_deducts_what_was_paid(self, books):
        """No VAT reclaimed, so 2,399.00 comes off: 77,601.00. Income tax 7,540.00 + 27,331.00 × 40%
        = 10,932.40 → 18,472.40; Class 4 2,262.00 + 27,331.00 × 2% = 546.62 → 2,808.62."""
        e = work(books(practice=UNREGISTERED))
        assert lines(e, "Trading profit")["profit after capital expenditure"] == "77601.00"
        step = next(s for s in section(e, "Trading profit").steps if s.label.startswith("capital expenditure"))
        assert step.label == "capital expenditure: cash basis 100% on £2,399.00 (XPS 15 laptop, expenses.yaml:1)"
        assert step.note.startswith("gross: £399.83 VAT not reclaimed (not VAT-registered)")
        assert lines(e, "Self Assessment")["Self Assessment bill"] == "21281.02"

    def test_a_car_is_not_deducted_and_says_why(self, books):
        """A car is excluded from the cash basis deduction (s.33A(4)(c)): profit stays 80,000 and
        the bill 22,288.60; the note names the car and what is left out."""
        car = "- {date: 2026-07-01, supplier: Dealer, amount: 18000.00, capital: true, asset: car, note: Estate car}\n"
        e = work(books(expenses=car))
        assert not any(s.label.startswith("capital") for s in section(e, "Trading profit").steps)
        assert lines(e, "Self Assessment")["Self Assessment bill"] == "22288.60"
        assert ("£18,000.00 (Estate car, expenses.yaml:1) is a car: no deduction for a car on the cash basis "
                "(ITTOIA 2005 s.33A(4)(c)); its writing-down allowances (by the car's CO2 emissions) are not "
                "estimated") in section(e, "Trading profit").notes

    def test_land_is_not_deducted_either(self, books):
        land = "- {date: 2026-07-01, amount: 40000.00, capital: true, asset: land, note: Garden office plot}\n"
        e = work(books(expenses=land))
        assert lines(e, "Self Assessment")["Self Assessment bill"] == "22288.60"
        assert any("is land or buildings: no deduction for land on the cash basis (ITTOIA 2005 s.33A(4)(d))" in n
                   for n in section(e, "Trading profit").notes)

    def test_a_capital_item_is_not_projected(self, books):
        """As of 5 October 2026 (183 of 365 days): 30,000 × 365 ÷ 183 = 59,836.07 projected, then
        the laptop once: 59,836.07 − 1,999.17 = 57,836.90."""
        e = work(books(), today=date(2026, 10, 5))
        got = lines(e, "Trading profit")
        assert (got["projected profit"], got["profit after capital expenditure"]) == ("59836.07", "57836.90")
        assert "capital items count once, when bought: they are not projected" in section(e, "Trading profit").notes

    def test_an_item_bought_after_the_day_counted_to_is_not_in(self, books):
        e = work(books(), today=date(2026, 9, 13))
        assert "profit after capital expenditure" not in lines(e, "Trading profit")


class TestAnnualInvestmentAllowance:
    """On the accruals basis and for a company: 100% in the period bought, up to the maximum
    (CAA 2001 s.51A); cars excluded (s.38B)."""

    def test_a_sole_trader_on_accruals_claims_the_aia(self, books):
        """The same 1,999.17 off, as a capital allowance: the bill is the cash basis's 21,448.95."""
        e = work(books(extra="accounting_basis: accruals\n"))
        got = lines(e, "Trading profit")
        assert got["capital allowances: AIA 100% on £1,999.17 (XPS 15 laptop, expenses.yaml:1)"] == "1999.17"
        assert got["profit after capital allowances"] == "78000.83"
        assert lines(e, "Self Assessment")["Self Assessment bill"] == "21448.95"

    def test_a_company_takes_it_off_its_taxable_profits(self, books):
        """Profit 100,000 − salary 12,570 − employer NI 1,135.50 − AIA 1,999.17 = 84,295.33.
        Corporation tax: 25% = 21,073.8325; marginal relief 3/200 × (250,000 − 84,295.33) =
        2,485.57005; tax 18,588.26245 → 18,588.26 (21,073.83 printed, relief 2,485.57). Dividends
        84,295.33 − 18,588.26 = 65,707.07: 500 at 0%, 37,200 × 10.75% = 3,999.00, 28,007.07 ×
        35.75% = 10,012.53 → income tax 14,011.53."""
        e = work(books(extra=LTD, income=payouts(("2026-06-30", "100000.00"))))
        got = lines(e, "Company profit")
        assert got["capital allowances: AIA 100% on £1,999.17 (XPS 15 laptop, expenses.yaml:1)"] == "1999.17"
        assert got["taxable profits"] == "84295.33"
        assert lines(e, "Corporation tax") == {"taxable profits": "84295.33", "lower limit": "50000.00",
                                               "upper limit": "250000.00", "main rate 25% on £84,295.33": "21073.83",
                                               "marginal relief": "2485.57", "corporation tax": "18588.26"}
        assert lines(e, "Your income")["dividends"] == "65707.07"
        assert lines(e, "Self Assessment")["Self Assessment bill"] == "14011.53"

    def test_a_short_first_period_has_a_smaller_maximum(self, books):
        """A company started 1 October 2026: its period to 31 March 2027 is 182 days, so the
        maximum is 1,000,000 × 182 ÷ 365 = 498,630.136… → 498,630.14 (s.51A(6)); of a 600,000.00
        purchase the rest, 101,369.86, is not relieved here, and a warning says so."""
        rig = "- {date: 2026-11-02, supplier: Rack Ltd, amount: 600000.00, capital: true, note: GPU cluster}\n"
        e = work(books(expenses=rig, extra=LTD + "  started: 2026-10-01\n",
                       income=payouts(("2026-12-31", "900000.00"))))
        got = lines(e, "Company profit")
        assert got["capital allowances: AIA on £498,630.14 of £600,000.00 (GPU cluster, expenses.yaml:1)"] == \
            "498630.14"
        assert any(w.startswith("GPU cluster, expenses.yaml:1: £101,369.86 is over the Annual Investment Allowance "
                                "of £498,630.14 for 2026-10-01 to 2027-03-31") for w in e.warnings)

    def test_a_companys_car_gets_no_aia(self, books):
        car = "- {date: 2026-07-01, amount: 30000.00, vat: 5000.00, capital: true, asset: car, note: Saloon}\n"
        e = work(books(expenses=car, extra=LTD, income=payouts(("2026-06-30", "100000.00"))))
        assert lines(e, "Company profit")["taxable profits"] == "86294.50"
        assert any("is a car: a car gets no AIA (CAA 2001 s.38B, general exclusion 2)" in n
                   for n in section(e, "Company profit").notes)

    def test_the_sample_books_laptop(self, run_cli):
        """The sample company's 2026/27 period: the Dell laptop (expenses.yaml:9) comes off as AIA."""
        code, out, err = run_cli("tax", "estimate", "2026/27", "--as-of", "2027-04-30", books=REPO)
        assert code == 0, err
        line = next(ln for ln in out.splitlines() if "capital allowances" in ln)
        assert line.startswith("− capital allowances: AIA 100% on £1,999.17 (XPS 15 laptop, expenses.yaml:9)")
        assert "£1,999.17" in line.split(")", 1)[1] and "net of £399.83 VAT reclaimed; CAA 2001 s.51A" in line


class TestVat:
    """Relief is on what the VAT return leaves as cost (HMRC Statement of Practice B1)."""

    FLAT = "vat:\n  scheme: flat_rate\n  flat_rate_percent: 14.5\n  flat_rate_start: 2024-04-01\n"

    def test_under_the_flat_rate_scheme_a_small_item_keeps_its_vat(self, books):
        """A 1,500.00 monitor (250.00 VAT) is under £2,000 VAT included: no VAT reclaimed, 1,500.00
        off; the 2,399.00 laptop is over it: 1,999.17 off."""
        monitor = "- {date: 2026-08-01, amount: 1500.00, vat: 250.00, capital: true, note: Monitors}\n"
        e = work(books(expenses=LAPTOP + monitor, extra=self.FLAT))
        got = lines(e, "Trading profit")
        assert got["capital expenditure: cash basis 100% on £1,500.00 (Monitors, expenses.yaml:2)"] == "1500.00"
        assert got["capital expenditure: cash basis 100% on £1,999.17 (XPS 15 laptop, expenses.yaml:1)"] == "1999.17"
        assert got["profit after capital expenditure"] == "76500.83"

    def test_the_vat_return_reclaims_exactly_what_the_estimate_takes_out(self, books):
        """2026-Q3's return puts the laptop's 399.83 in box 4; the estimate relieves 2,399.00 − 399.83."""
        root = books()
        b = open_books(root, timesheets=False)
        r = vat_return(b, load_invoices(root)[0], date(2026, 7, 1), date(2026, 9, 30))
        (entry,) = [x for x in r.entries if x.kind == "capital"]
        assert entry.box(4) == D("399.83")
        relieved = lines(work(root), "Trading profit")
        assert D(relieved["capital expenditure: cash basis 100% on £1,999.17 (XPS 15 laptop, expenses.yaml:1)"]) \
            == D("2399.00") - entry.box(4)

    def test_vat_on_a_purchase_in_another_currency_is_part_of_its_cost(self, books):
        """€1,200.00 with €200.00 of (foreign) VAT: all 1,200 at the ECB rate of the day."""
        item = "- {date: 2026-07-15, amount: 1200.00, currency: EUR, vat: 200.00, capital: true, note: Camera}\n"
        e = work(books(expenses=item))
        rate = fx.ecb_rate("EUR", "GBP", date(2026, 7, 15)).rate
        pounds = (D("1200.00") * rate).quantize(D("0.01"))
        step = next(s for s in section(e, "Trading profit").steps if s.label.startswith("capital expenditure"))
        assert step.value == pounds and "its EUR VAT is foreign VAT, part of the cost" in step.note


class TestBooks:
    def test_asset_needs_a_capital_item(self, books):
        bad = "- {date: 2026-07-01, amount: 100.00, category: adminCosts, asset: car}\n"
        msgs = [str(p) for p in load_books(books(expenses=bad)).errors]
        assert msgs == ["expenses.yaml:1:67: [0].asset: says what a capital item is (plant, car or land): add "
                        "capital: true, or remove asset"]

    def test_asset_is_one_of_three(self, books):
        bad = "- {date: 2026-07-01, amount: 100.00, capital: true, asset: truck}\n"
        msgs = [str(p) for p in load_books(books(expenses=bad)).errors]
        assert msgs == ["expenses.yaml:1:60: [0].asset: 'truck' is not one of plant, car, land"]

    def test_a_books_table_without_the_aia_is_refused_when_it_is_needed(self, books):
        """A 2026/27 table in the books that leaves out capital_allowances: fine until a capital
        item needs the AIA, then refused by name."""
        shipped = (REPO / "consult/data/tax/2026-27.yaml").read_text()
        table = shipped.split("\ncapital_allowances:")[0] + "\n"
        root = books(extra="accounting_basis: accruals\n")
        (root / "tax_tables.yaml").write_text(table)
        with pytest.raises(UsageError, match=r"the 2026/27 tax table \(tax_tables.yaml\) has no capital_allowances"):
            work(root)
        (root / "expenses.yaml").write_text("")
        assert lines(work(root), "Self Assessment")["Self Assessment bill"] == "22288.60"
