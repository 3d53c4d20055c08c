"""`consult tax estimate`: the year's tax from books written inline, worked by hand to the penny."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest
import yaml

from consult.books.loader import load_books
from consult.core.money import Money
from consult.invoices.record import Invoice, InvoiceLine, Party, to_record
from consult.invoices.store import load_invoices
from consult.tax.estimate import Estimate, accounting_period, estimate, needs_payments_on_account
from consult.tax.tables import table_for

REPO = Path(__file__).resolve().parent.parent

PLATFORM = """\
name: Tube Platform
kind: platform
country: US
currency: GBP
locale: en_GB
"""

EMPLOYER = """\
name: Day Job Ltd
kind: employer
country: GB
currency: GBP
locale: en_GB
"""


def payouts(*items: tuple[str, str, str]) -> str:
    """income.yaml lines: (date, amount, stream)."""
    return "\n".join(f"- {{date: {d}, amount: {a}, stream: {s}}}" for d, a, s in items) + "\n"


def _practice(extra: str = "", subdivision: str = "ENG") -> str:
    return (f"name: Test Practice\naddress: |\n  1 Test Street\n  London\ncountry: GB\nsubdivision: {subdivision}\n"
            f"base_currency: GBP\nlocale: en_GB\n{extra}")


def invoice(number: str, issued: str, net: str) -> Invoice:
    d = date.fromisoformat(issued)
    m = Money.of(net, "GBP")
    return Invoice(number=number, kind="invoice", client="acme", issue_date=d, tax_point=d, supply_start=d,
                   supply_end=d, due_date=d + timedelta(days=30), currency="GBP", locale="en_GB",
                   seller=Party("Test Practice"), buyer=Party("Acme Ltd"),
                   lines=(InvoiceLine("Consulting", D(1), "item", m, m),), net=m, vat=Money.zero("GBP"), total=m,
                   tax_treatment="none", vat_rate=None, vat_rounding="half_up", payment_terms_days=30)


def work(root: Path, year: int = 2026, today: date = date(2027, 6, 1)) -> Estimate:
    result = load_books(root)
    assert [str(p) for p in result.errors] == []
    assert result.books is not None
    invoices, problems = load_invoices(root)
    assert problems == []
    return estimate(result.books, invoices, year, today)


def lines(e: Estimate, title: str) -> dict[str, str]:
    sec = next(s for s in e.sections if s.title.startswith(title))
    return {s.label: s.money.plain() for s in sec.steps if s.money is not None}


def dues(e: Estimate) -> list[tuple[str, str, str]]:
    return [(d.due.isoformat(), d.what, d.amount.plain()) for d in e.payments]


@pytest.fixture
def sole(make_books):
    """A sole trader whose platform paid 80,000 in 2026/27 (nothing the year before)."""
    def make(extra: str = "", subdivision: str = "ENG", income: str | None = None, files: dict | None = None):
        return make_books({
            "practice.yaml": _practice(extra, subdivision), "clients/acme/client.yaml": None,
            "clients/acme/engagements/build.yaml": None, "clients/tube/client.yaml": PLATFORM,
            "clients/tube/income.yaml": income or payouts(("2026-05-31", "30000.00", "video"),
                                                           ("2027-03-31", "50000.00", "video")),
            **(files or {})})
    return make


class TestSoleTrader:
    def test_80000_in_england_is_a_22288_60_bill_paid_in_january_and_july(self, sole):
        """Income tax 19,432.00 + Class 4 2,856.60 = 22,288.60. No bill in 2025/26 (the books are
        empty then), so no payments on account for 2026/27: all of it on 31 January 2028, with the
        first half of 2027/28's payments on account (11,144.30), the second on 31 July 2028."""
        e = work(sole())
        assert lines(e, "Self Assessment") == {"income tax": "19432.00", "Class 4 National Insurance": "2856.60",
                                               "tax deducted at source (PAYE)": "0.00",
                                               "Self Assessment bill": "22288.60"}
        assert dues(e) == [("2028-01-31", "balancing payment 2026/27", "22288.60"),
                           ("2028-01-31", "1st payment on account 2027/28", "11144.30"),
                           ("2028-07-31", "2nd payment on account 2027/28", "11144.30")]
        assert (e.status, e.basis, e.per_month.plain(), e.effective_rate) == ("final", "cash", "1857.38", D("27.9"))

    def test_80000_in_scotland_pays_scottish_rates(self, sole):
        """21,732.05 + 2,856.60 = 24,588.65 when the practice's subdivision is SCT."""
        e = work(sole(subdivision="SCT"))
        assert e.scottish and lines(e, "Self Assessment")["Self Assessment bill"] == "24588.65"
        assert lines(e, "Income tax (Scottish taxpayer)")["Scottish advanced rate 45% on £5,000.00"] == "2250.00"

    def test_a_personal_setting_overrides_the_practice_region(self, sole):
        e = work(sole("person:\n  scottish_taxpayer: false\n", subdivision="SCT"))
        assert not e.scottish and lines(e, "Self Assessment")["Self Assessment bill"] == "22288.60"

    def test_110000_loses_half_the_allowance(self, sole):
        """Income tax 33,432.00 (allowance 7,570); Class 4 2,262.00 + 59,730 × 2% = 1,194.60."""
        e = work(sole(income=payouts(("2026-06-30", "110000.00", "video"))))
        assert lines(e, "Income tax")["personal allowance left"] == "7570.00"
        assert lines(e, "Self Assessment")["Self Assessment bill"] == "36888.60"

    def test_last_years_bill_sets_the_payments_on_account(self, sole):
        """A 2025/26 bill of 10,000.01: two payments of 5,000.00 (half, rounded down) in January
        and July 2027; the balancing payment is 22,288.60 − 10,000.00 = 12,288.60."""
        e = work(sole("person:\n  self_assessment:\n    - {tax_year: 2025/26, bill: 10000.01}\n"))
        assert dues(e)[:3] == [("2027-01-31", "1st payment on account 2026/27", "5000.00"),
                               ("2027-07-31", "2nd payment on account 2026/27", "5000.00"),
                               ("2028-01-31", "balancing payment 2026/27", "12288.60")]

    def test_the_year_so_far_is_projected_at_the_same_pace(self, sole):
        """30,000 by 5 October 2026 (183 of 365 days): 30,000 × 365 ÷ 183 = 59,836.07 projected."""
        e = work(sole(), today=date(2026, 10, 5))
        assert lines(e, "Trading profit")["projected profit"] == "59836.07"
        assert e.status == "to date"
        # 59,836.07: income tax (47,266.07 taxable: 7,540 + 9,566.07 × 40% = 3,826.43) = 11,366.43;
        # Class 4 2,262.00 + 9,566.07 × 2% = 191.32; bill 13,819.75; so far × 183/365 = 6,928.81
        assert lines(e, "Set aside") == {"tax still to pay for the year": "13819.75",
                                         "set aside each month": "1151.65", "set aside by now": "6928.81"}

    def test_cash_and_accruals_count_an_unpaid_invoice_differently(self, sole):
        """An invoice of 10,000 issued 20 March 2027 and paid 10 April 2027 is 2026/27 income on
        the accruals basis and 2027/28 income on the cash basis."""
        rec = yaml.safe_dump(to_record(invoice("INV-2027-0001", "2027-03-20", "10000.00")), sort_keys=False)
        client = "name: Acme Ltd\naddress: x\ncountry: GB\ncurrency: GBP\nlocale: en_GB\n"
        files = {"clients/acme/client.yaml": client, "clients/acme/invoices/INV-2027-0001.yaml": rec,
                 "clients/acme/payments.yaml": "- {date: 2027-04-10, invoice: INV-2027-0001, amount: 10000.00}\n"}
        cash = work(sole(files=files))
        accruals = work(sole("accounting_basis: accruals\n", files=files))
        assert lines(cash, "Trading profit")["profit"] == "80000.00"
        assert lines(accruals, "Trading profit")["profit"] == "90000.00"

    def test_costs_come_off_as_earnings_counts_them(self, sole):
        files = {"clients/tube/expenses.yaml": "- {date: 2026-09-01, amount: 2000.00, rebill: false, note: Laptop}\n"}
        e = work(sole(files=files))
        assert lines(e, "Trading profit")["expenses"] == "2000.00"
        assert lines(e, "Trading profit")["profit"] == "78000.00"

    def test_a_job_and_a_personal_stream_count_with_the_trade(self, sole):
        """Pay 30,000 with 3,486 deducted (P60, practice.yaml) beside 80,000 of profit: income tax on
        110,000 = 33,432.00; Class 4 on the 80,000 = 2,856.60; bill 36,288.60 − 3,486.00 = 32,802.60."""
        e = work(sole("person:\n  employment:\n    - {tax_year: 2026/27, pay: 30000, tax_deducted: 3486, "
                      "employer: Acme Bank}\n"))
        assert lines(e, "Self Assessment") == {"income tax": "33432.00", "Class 4 National Insurance": "2856.60",
                                               "tax deducted at source (PAYE)": "3486.00",
                                               "Self Assessment bill": "32802.60"}

    def test_pay_recorded_as_employer_payouts_counts_its_withheld_tax(self, sole):
        files = {"clients/job/client.yaml": EMPLOYER,
                 "clients/job/income.yaml": "- {date: 2026-12-31, amount: 30000.00, stream: salary, withheld: 3486}\n"}
        e = work(sole(files=files))
        assert lines(e, "Other income")["pay from employers (income.yaml)"] == "30000.00"
        assert lines(e, "Self Assessment")["Self Assessment bill"] == "32802.60"


LTD = """\
structure: limited_company
company:
  year_end: 03-31
"""


class TestLimitedCompany:
    def test_a_marginal_relief_company_and_its_director(self, sole):
        """Profit 100,000 (1 Apr 2026 – 31 Mar 2027) − salary 12,570 − employer NI 7,570 × 15%
        (1,135.50) = 86,294.50 taxable. Corporation tax 21,573.63 − 3/200 × 163,705.50 = 19,118.04
        (HMRC's rounding: the part's tax once). Dividends 67,176.46: 500 at 0%, 37,200 × 10.75% =
        3,999.00, 29,476.46 × 35.75% = 10,537.83; income tax 14,536.83, all Self Assessment."""
        e = work(sole(LTD, income=payouts(("2026-06-30", "100000.00", "consulting"))))
        assert lines(e, "Company profit")["taxable profits"] == "86294.50"
        assert lines(e, "Corporation tax") == {"taxable profits": "86294.50", "lower limit": "50000.00",
                                               "upper limit": "250000.00", "main rate 25% on £86,294.50": "21573.63",
                                               "marginal relief": "2455.59", "corporation tax": "19118.04"}
        assert lines(e, "Your income")["dividends"] == "67176.46"
        assert lines(e, "Self Assessment")["Self Assessment bill"] == "14536.83"
        assert dues(e)[0] == ("2028-01-01", "corporation tax", "19118.04")
        assert (e.tax_for_year.plain(), e.per_month.plain(), e.basis) == ("33654.87", "2804.57", "accruals")

    def test_a_scottish_director_with_a_30000_salary(self, sole):
        """Employer NI 25,000 × 15% = 3,750; taxable 66,250; CT 16,562.50 − 3/200 × 183,750 = 13,806.25;
        dividends 52,443.75. Scottish salary tax 3,451.07 (PAYE); dividends from UK band 17,430:
        19,770 × 10.75% = 2,125.28, 32,173.75 × 35.75% = 11,502.12. Income tax 17,078.47; Self
        Assessment 17,078.47 − 3,451.07 = 13,627.40. Employee NI 17,430 × 8% = 1,394.40."""
        extra = LTD + "  director: {salary: 30000}\n"
        e = work(sole(extra, subdivision="SCT", income=payouts(("2026-06-30", "100000.00", "consulting"))))
        assert lines(e, "Corporation tax")["corporation tax"] == "13806.25"
        assert lines(e, "Self Assessment") == {"income tax": "17078.47", "PAYE on the director's salary": "3451.07",
                                               "Self Assessment bill": "13627.40"}
        assert lines(e, "National Insurance on the salary")["employee's National Insurance"] == "1394.40"

    def test_a_first_short_period_starts_when_the_company_did(self, make_books):
        root = make_books({"practice.yaml": _practice(LTD + "  started: 2026-10-01\n")})
        books = load_books(root).books
        assert books is not None
        assert accounting_period(books, 2026) == (date(2026, 10, 1), date(2027, 3, 31))
        assert accounting_period(books, 2025) is None

    def test_a_youtube_stream_of_the_person_is_their_own_trade(self, sole):
        """`streams: {video: person}`: the company's 100,000 is consultancy; the 20,000 of video
        is the director's self-employment: Class 4 on it, 7,430 × 6% = 445.80."""
        income = payouts(("2026-06-30", "100000.00", "consulting"), ("2026-07-31", "20000.00", "video"))
        e = work(sole(LTD + "streams:\n  video: person\n", income=income))
        assert lines(e, "Company profit")["profit"] == "100000.00"
        assert lines(e, "Your income")["video (your own)"] == "20000.00"
        assert lines(e, "National Insurance")["Class 4 National Insurance"] == "445.80"


def record(number: str, issued: str, net: str, credits: str | None = None) -> str:
    """An issued record's YAML (a credit note when it `credits` an invoice)."""
    inv = invoice(number, issued, net)
    if credits is not None:
        from dataclasses import replace

        inv = replace(inv, kind="credit_note", credits=credits)
    return yaml.safe_dump(to_record(inv), sort_keys=False)


class TestRecordsRead:
    """The command reads only the records of the years it reaches (ten years of books are
    thousands), and the figures are those that every record gives."""

    FILES = {
        "clients/acme/client.yaml": "name: Acme Ltd\naddress: x\ncountry: GB\ncurrency: GBP\nlocale: en_GB\n",
        "clients/acme/invoices/INV-2018-0001.yaml": record("INV-2018-0001", "2018-05-01", "7000.00"),
        "clients/acme/invoices/INV-2019-0001.yaml": record("INV-2019-0001", "2019-06-01", "4000.00"),
        "clients/acme/invoices/INV-2020-0001.yaml": record("INV-2020-0001", "2020-05-01", "5000.00"),
        "clients/acme/invoices/INV-2021-0001.yaml": record("INV-2021-0001", "2021-03-01", "3000.00"),
        "clients/acme/invoices/CN-2021-0001.yaml": record("CN-2021-0001", "2021-03-10", "1000.00", "INV-2021-0001"),
        "clients/acme/invoices/INV-2024-0001.yaml": record("INV-2024-0001", "2024-05-01", "10000.00"),
        "clients/acme/invoices/INV-2025-0001.yaml": record("INV-2025-0001", "2025-05-01", "20000.00"),
        "clients/acme/invoices/INV-2025-0002.yaml": record("INV-2025-0002", "2025-08-01", "500.00"),
        "clients/acme/payments.yaml": (
            "- {date: 2018-06-01, invoice: INV-2018-0001, amount: 7000.00}\n"
            "- {date: 2019-07-01, invoice: INV-2019-0001, amount: 4500.00, note: overpaid by 500}\n"
            "- {date: 2025-06-01, invoice: INV-2020-0001, amount: 5000.00, note: five years late}\n"
            "- {date: 2021-04-01, invoice: INV-2021-0001, amount: 3000.00, note: before the credit note}\n"
            "- {date: 2024-06-01, invoice: INV-2024-0001, amount: 10000.00}\n"
            "- {date: 2025-06-10, invoice: INV-2025-0001, amount: 10000.00}\n"),
        "clients/acme/allocations.yaml": "- {date: 2025-09-01, from: INV-2019-0001, to: INV-2025-0002, amount: 500.00}\n",
        "clients/acme/refunds.yaml": "- {date: 2025-07-01, from: CN-2021-0001, amount: 1000.00}\n",
        "clients/acme/writeoffs.yaml": ("- {date: 2025-12-01, invoice: INV-2025-0001, amount: 10000.00, "
                                        "reason: the client went under}\n"),
    }

    @pytest.mark.parametrize("extra", ["", "accounting_basis: accruals\n", LTD])
    def test_the_records_read_give_the_figures_every_record_gives(self, sole, extra):
        """2025/26 on the cash basis: the 2020 invoice paid in June 2025 (5,000) + 10,000 of the 2025
        invoice − the 1,000 refunded of the 2021 credit note (which stands for the 2021 invoice, read
        although it was issued years before) = 14,000; the 500 moved from the overpaid 2019 invoice
        to a 2025 one is no new money (−500 + 500), but both records are read."""
        from consult.tax.estimate import invoices_for

        root = sole(extra, income=payouts(("2026-01-31", "100.00", "video")), files=self.FILES)
        books = load_books(root).books
        assert books is not None
        every, _ = load_invoices(root)
        read, problems = invoices_for(books, 2025)
        assert problems == []
        assert "INV-2018-0001" not in {i.number for i in read}
        assert {"INV-2021-0001", "CN-2021-0001", "INV-2019-0001", "INV-2020-0001"} <= {i.number for i in read}
        for today in (date(2025, 11, 23), date(2026, 6, 1)):
            assert estimate(books, read, 2025, today) == estimate(books, every, 2025, today)
        if not extra:
            e = estimate(books, read, 2025, date(2026, 6, 1))
            assert lines(e, "Trading profit")["consulting"] == "14000.00"


class TestPaymentsOnAccount:
    def test_none_under_1000_or_when_over_80_percent_was_deducted(self):
        """TMA 1970 s.59A: a bill (tax less tax deducted) under £1,000, or more than 80% of the
        year's tax deducted at source, sets no payments on account."""
        t = table_for(2026)
        assert needs_payments_on_account(t, D("999.99"), D(0)) == (False, "its bill of £999.99 is under £1,000.00")
        assert needs_payments_on_account(t, D(1000), D(0)) == (True, "")
        assert needs_payments_on_account(t, D(10000), D("8000.01")) == \
            (False, "over 80% of its tax was deducted at source")
        assert needs_payments_on_account(t, D(10000), D(8000)) == (True, "")


class TestCommand:
    def test_the_sample_books_estimate_2026_27(self, run_cli):
        code, out, err = run_cli("tax", "estimate", "2026/27", books=REPO)
        assert code == 0, err
        assert out.splitlines()[0] == ("Tax estimate 2026/27 — limited company and its director, accruals basis, "
                                       "rest of the UK rates; projected from the books to 2026-11-22")
        assert "= corporation tax" in out and "writing (your own)" in out
        assert out.rstrip().endswith("not tax advice: check it with an accountant or HMRC before you rely on it.")
        assert "Left out: savings interest" in out

    def test_json_carries_every_line_as_exact_strings(self, run_cli):
        code, out, _ = run_cli("tax", "estimate", "2026", "--format", "json", books=REPO)
        data = json.loads(out)
        assert code == 0 and data["tax_year"] == "2026/27"
        assert data["rates"]["file"] == "consult/data/tax/2026-27.yaml"
        ct = next(s for s in data["sections"] if s["title"] == "Corporation tax")
        assert ct["steps"][-1]["item"] == "corporation tax" and "." in ct["steps"][-1]["value"]
        assert set(data["set_aside"]) == {"tax_for_year", "per_month", "so_far", "effective_rate_percent"}

    def test_a_year_with_no_table_is_refused_by_name(self, run_cli):
        code, out, err = run_cli("tax", "estimate", "2027/28", books=REPO)
        assert (code, out) == (2, "")
        assert err.startswith("error: no tax table for 2027/28: consult has 2024/25, 2025/26, 2026/27.")

    def test_a_month_is_not_a_tax_year(self, run_cli):
        code, _, err = run_cli("tax", "estimate", "2026-10", books=REPO)
        assert code == 2 and "TAX-YEAR: '2026-10' is not a tax year — e.g. 2026/27" in err

    def test_a_practice_outside_the_uk_is_refused(self, run_cli, make_books):
        root = make_books({"practice.yaml": "name: B\naddress: x\ncountry: DE\nbase_currency: EUR\nlocale: de_DE\n",
                           "clients/acme/client.yaml": None, "clients/acme/engagements/build.yaml": None})
        code, _, err = run_cli("tax", "estimate", books=root)
        assert code == 2 and "consult tax estimates UK tax; practice.yaml says the practice is in DE" in err

    def test_the_command_imports_neither_pandas_nor_reportlab(self):
        code = ("import sys\nfrom consult.cli import run\n"
                "run(['--books', sys.argv[1], 'tax', 'estimate', '2026/27'])\n"
                "print(' '.join(m for m in ('pandas', 'reportlab') if m in sys.modules))")
        out = subprocess.run([sys.executable, "-c", code, str(REPO)], capture_output=True, text=True, check=True,
                             env={"CONSULT_TODAY": "2026-11-22", "PATH": "/usr/bin:/bin",
                                  "PYTHONPATH": str(REPO)})
        assert out.stdout.splitlines()[-1] == ""


class TestSettings:
    """practice.yaml's tax settings are checked like every other field: file, line, what to write."""

    def problems(self, make_books, extra: str) -> list[str]:
        root = make_books({"practice.yaml": _practice(extra), "clients/acme/client.yaml": None,
                           "clients/acme/engagements/build.yaml": None})
        return [str(p) for p in load_books(root).problems]

    def test_a_company_cannot_use_the_cash_basis(self, make_books):
        got = self.problems(make_books, "structure: limited_company\naccounting_basis: cash\n")
        assert got == ["practice.yaml:10:19: accounting_basis: a company's accounts are on the accruals basis "
                       "(the cash basis is for sole traders and partnerships); write accruals or leave it out"]

    def test_an_unknown_structure_suggests_the_nearest(self, make_books):
        got = self.problems(make_books, "structure: sole-trader\n")
        assert got == ["practice.yaml:9:12: structure: 'sole-trader' is not one of sole_trader, limited_company "
                       "— did you mean 'sole_trader'?"]

    def test_invoiced_consulting_cannot_be_personal(self, make_books):
        got = self.problems(make_books, "streams:\n  consulting: person\n  video: someone\n")
        assert got == [
            "practice.yaml:10:15: streams.consulting: 'consulting' is invoiced by the practice, so it is the "
            "business's income",
            "practice.yaml:11:10: streams.video: 'someone' is not one of business, person"]

    def test_employment_needs_a_tax_year_and_its_figures(self, make_books):
        got = self.problems(make_books, "person:\n  employment:\n    - {tax_year: 2026, pay: 30000}\n")
        assert got == [
            "practice.yaml:11:7: person.employment[0].tax_deducted: missing — income tax deducted (the P60's tax), "
            "e.g. 3486",
            "practice.yaml:11:18: person.employment[0].tax_year: '2026' is not a tax year — write it as 2026/27"]

    def test_a_year_end_must_be_a_real_day(self, make_books):
        got = self.problems(make_books, "structure: limited_company\ncompany:\n  year_end: 02-29\n")
        assert got == ["practice.yaml:11:13: company.year_end: '02-29' is not a day every year has (29 February is "
                       "in leap years only) — write MM-DD with a day the month always has, e.g. 03-31 (the "
                       "accounting reference date)"]

    def test_a_company_block_for_a_sole_trader_is_a_warning(self, make_books):
        got = self.problems(make_books, "company:\n  year_end: 12-31\n")
        assert got == ["practice.yaml:10:3: warning: company: is only read for `structure: limited_company`; "
                       "it is ignored for a sole trader"]

    def test_the_sample_books_are_a_limited_company_with_a_personal_stream(self):
        books = load_books(REPO).books
        assert books is not None
        p = books.practice
        assert (p.structure, p.streams, p.company.salary.plain() if p.company and p.company.salary else None) == \
            ("limited_company", {"writing": "person"}, "12570.00")
