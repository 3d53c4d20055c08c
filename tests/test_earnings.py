"""Earnings rollups with figures worked out by hand: periods, bases, currencies, credit notes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from consult.books.loader import load_books
from consult.core.money import Money
from consult.core.periods import months_of as months
from consult.core.periods import quarters_of as quarters
from consult.core.periods import tax_year
from consult.core.periods import year_or_period as parse_period
from consult.earnings import accrual_rows, allocate, receivables, rollup
from consult.errors import UsageError
from consult.invoices.cache import load_invoices_cached
from consult.invoices.record import Invoice, InvoiceLine, Party, to_record
from consult.invoices.store import load_invoices


def invoice(number: str, issued: str, net: str, vat: str = "0", *, client: str = "acme", currency: str = "GBP",
            credits: str | None = None, expense: str | None = None, treatment: str = "standard") -> Invoice:
    """A hand-written issued record: one time line (and an expense line when `expense` is given)."""
    d = date.fromisoformat(issued)
    m = lambda s: Money.of(s, currency)  # noqa: E731 - a one-line helper, named where it is used
    time_net = m(net) - (m(expense) if expense else m("0"))
    lines = [InvoiceLine("Consulting", Decimal("1"), "item", time_net, time_net)]
    if expense:
        lines.append(InvoiceLine("Rail fare", Decimal("1"), "item", m(expense), m(expense), kind="expense"))
    return Invoice(number=number, kind="credit_note" if credits else "invoice", client=client, issue_date=d,
                   tax_point=d, supply_start=d, supply_end=d, due_date=d + timedelta(days=30), currency=currency,
                   locale="en_GB", seller=Party("Test Practice Ltd"), buyer=Party("Acme Ltd"), lines=tuple(lines),
                   net=m(net), vat=m(vat), total=m(net) + m(vat), tax_treatment=treatment,
                   vat_rate=Decimal(20) if vat != "0" else None, vat_rounding="half_up", payment_terms_days=30,
                   credits=credits)


def records(*invs: Invoice) -> dict[str, str]:
    return {f"clients/{i.client}/invoices/{i.number}.yaml": yaml.safe_dump(to_record(i), sort_keys=False)
            for i in invs}


def books_and_invoices(root: Path):
    result = load_books(root)
    assert [str(p) for p in result.errors] == []
    invoices, problems = load_invoices(root)
    assert problems == []
    return result.books, invoices


INKWELL = """\
name: Inkwell Press
kind: platform
country: US
currency: USD
locale: en_US
"""


class TestPeriods:
    def test_tax_year_2026_runs_6_april_to_5_april_labelled_2026_27(self):
        p = tax_year(2026)
        assert (p.start, p.end, p.label) == (date(2026, 4, 6), date(2027, 4, 5), "2026/27")

    def test_tax_year_quarters_are_the_mtd_quarters(self):
        """6 Apr–5 Jul, 6 Jul–5 Oct, 6 Oct–5 Jan, 6 Jan–5 Apr."""
        got = [(q.key, q.start, q.end) for q in quarters(tax_year(2026))]
        assert got == [("Q1", date(2026, 4, 6), date(2026, 7, 5)), ("Q2", date(2026, 7, 6), date(2026, 10, 5)),
                       ("Q3", date(2026, 10, 6), date(2027, 1, 5)), ("Q4", date(2027, 1, 6), date(2027, 4, 5))]

    def test_a_tax_year_by_month_has_thirteen_calendar_months_cut_to_the_year(self):
        ms = months(tax_year(2026))
        assert len(ms) == 13
        assert (ms[0].start, ms[0].end) == (date(2026, 4, 6), date(2026, 4, 30))
        assert (ms[-1].start, ms[-1].end) == (date(2027, 4, 1), date(2027, 4, 5))

    def test_a_range_uses_calendar_quarters_cut_to_the_range(self):
        p = parse_period("2026-02-15..2026-07-10", today=date(2026, 11, 23))
        assert [(q.key, q.start, q.end) for q in quarters(p)] == [
            ("2026-Q1", date(2026, 2, 15), date(2026, 3, 31)), ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
            ("2026-Q3", date(2026, 7, 1), date(2026, 7, 10))]

    def test_no_period_means_the_year_holding_today(self):
        today = date(2026, 3, 1)
        assert parse_period(None, today=today).label == "2026"
        assert parse_period(None, today=today, use_tax_year=True).label == "2025/26"

    def test_a_written_tax_year_is_understood(self):
        assert parse_period("2025/26", today=date(2026, 1, 1)).start == date(2025, 4, 6)

    @pytest.mark.parametrize("text, message", [
        ("26", "period: '26' is not a period — e.g. 2026-10, 2026-Q3, 2026-W42, 2026, 2026/27 (a UK tax year), "
               "2026-10-05, 2026-10-01..2026-10-15 or last-month"),
        ("2026/28", "period: '2026/28' is not a tax year — e.g. 2026/27"),
        ("2026-13-01..2026-12-31", "period: '2026-13-01' is not a real date (check the day and month)"),
        ("2026-12-31..2026-01-01", "period: 2026-01-01 is before 2026-12-31 — write FROM..TO, earliest first"),
    ])
    def test_a_bad_period_says_what_to_write(self, text, message):
        with pytest.raises(UsageError) as e:
            parse_period(text, today=date(2026, 1, 1))
        assert str(e.value) == message


class TestAccrual:
    def test_invoices_dated_5_and_6_april_fall_in_different_tax_years(self, make_books):
        """5 Apr 2026 closes 2025/26; 6 Apr 2026 opens 2026/27; calendar 2026 holds both."""
        root = make_books(records(invoice("INV-2026-0001", "2026-04-05", "1000.00", "200.00"),
                                  invoice("INV-2026-0002", "2026-04-06", "2000.00", "400.00")))
        books, invs = books_and_invoices(root)
        assert rollup(books, invs, tax_year(2025)).income == Money.of("1000.00", "GBP")
        assert rollup(books, invs, tax_year(2026)).income == Money.of("2000.00", "GBP")
        cal = rollup(books, invs, parse_period("2026", today=date(2026, 1, 1)))
        assert cal.income == Money.of("3000.00", "GBP") and cal.vat == Money.of("600.00", "GBP")

    def test_a_credit_note_reduces_the_month_it_is_dated_in(self, make_books):
        """£6,500 invoiced in May, £1,300 credited on 3 June: May +6,500, June −1,300, year 5,200."""
        root = make_books(records(
            invoice("INV-2026-0001", "2026-05-20", "6500.00", "1300.00"),
            invoice("CN-2026-0001", "2026-06-03", "1300.00", "260.00", credits="INV-2026-0001")))
        books, invs = books_and_invoices(root)
        e = rollup(books, invs, parse_period("2026", today=date(2026, 1, 1)))
        by = {g.key: g.income for g in e.groups}
        assert by["2026-05"] == Money.of("6500.00", "GBP")
        assert by["2026-06"] == Money.of("-1300.00", "GBP")
        assert e.income == Money.of("5200.00", "GBP") and e.vat == Money.of("1040.00", "GBP")

    def test_expense_lines_are_their_own_stream(self, make_books):
        """A £1,442.60 invoice with a £142.60 rail fare: £1,300 consulting, £142.60 rebilled."""
        root = make_books(records(invoice("INV-2026-0001", "2026-10-31", "1442.60", "288.52", expense="142.60")))
        books, invs = books_and_invoices(root)
        e = rollup(books, invs, parse_period("2026", today=date(2026, 1, 1)), by="stream")
        assert e.by_stream == {"consulting": Money.of("1300.00", "GBP"),
                               "rebilled expenses": Money.of("142.60", "GBP")}
        assert e.vat == Money.of("288.52", "GBP")


class TestCash:
    FILES = {
        "clients/acme/payments.yaml": """\
            - {date: 2026-04-01, invoice: INV-2026-0001, amount: 1200.00}
            - {date: 2026-12-20, invoice: INV-2026-0002, amount: 1200.00}
            """,
    }

    def test_cash_and_accrual_differ_by_exactly_what_was_unpaid_at_year_end(self, make_books):
        """Invoiced net 1,000 + 3,250 = 4,250; received 1,200 + 1,200 gross, net 1,000 + 1,000 = 2,000;
        unpaid at 31 Dec: 2,700 gross of INV-2, whose net share (3,250/3,900) is 2,250 = 4,250 − 2,000."""
        root = make_books({**records(invoice("INV-2026-0001", "2026-03-10", "1000.00", "200.00"),
                                     invoice("INV-2026-0002", "2026-12-01", "3250.00", "650.00")),
                           **self.FILES})
        books, invs = books_and_invoices(root)
        year = parse_period("2026", today=date(2026, 1, 1))
        accrual = rollup(books, invs, year, basis="accrual")
        cash = rollup(books, invs, year, basis="cash")
        assert accrual.income == Money.of("4250.00", "GBP")
        assert cash.income == Money.of("2000.00", "GBP")
        unpaid = receivables(invs, books.payments, date(2026, 12, 31), "GBP")
        assert unpaid.total == Money.of("2700.00", "GBP")
        assert accrual.income - cash.income == unpaid.total.times(Decimal("3250") / Decimal("3900"))
        assert (accrual.vat, cash.vat) == (Money.of("850.00", "GBP"), Money.of("400.00", "GBP"))

    def test_tax_withheld_at_source_is_income_and_shown_apart(self, make_books):
        """₹1,00,000 invoiced outside scope; ₹90,000 paid and ₹10,000 TDS withheld: income ₹1,00,000."""
        lotus = "name: Lotus\ncountry: IN\ncurrency: INR\nlocale: en_IN\ntax: outside_scope\nvat_number: X\n"
        root = make_books({
            "clients/lotus/client.yaml": lotus.replace("vat_number: X\n", "business_evidence: GSTIN on PO\n"),
            **records(invoice("INV-2026-0001", "2026-09-01", "100000.00", client="lotus", currency="INR",
                              treatment="outside_scope")),
            "clients/lotus/payments.yaml": "- {date: 2026-09-25, invoice: INV-2026-0001, amount: 90000.00, "
                                           "withheld: 10000.00, fx_rate: 0.0089}\n",
        })
        books, invs = books_and_invoices(root)
        e = rollup(books, invs, parse_period("2026", today=date(2026, 1, 1)), basis="cash")
        [row] = e.rows
        assert (row.amount, row.withheld) == (Money.of("100000.00", "INR"), Money.of("10000.00", "INR"))
        assert (e.income, e.withheld) == (Money.of("890.00", "GBP"), Money.of("89.00", "GBP"))


class TestCurrencies:
    def test_usd_payouts_convert_with_recorded_rate_else_the_ecb_rate_of_their_date(self, make_books):
        """512.40 at 0.7642 = £391.58; 388.15 at ECB 28 Aug 2026 (0.8572 ÷ 1.1643) = £285.77."""
        root = make_books({"clients/inkwell/client.yaml": INKWELL, "clients/inkwell/income.yaml": """\
            - {date: 2026-07-31, amount: 512.40, stream: writing, fx_rate: 0.7642}
            - {date: 2026-08-28, amount: 388.15, stream: writing}
            """})
        books, invs = books_and_invoices(root)
        e = rollup(books, invs, parse_period("2026", today=date(2026, 1, 1)))
        assert [(r.base, r.rate, r.source) for r in e.rows] == [
            (Money.of("391.58", "GBP"), Decimal("0.7642"), "recorded fx_rate (clients/inkwell/income.yaml:1:3)"),
            (Money.of("285.77", "GBP"), Decimal("0.73623637"), "ECB 2026-08-28"),
        ]
        assert e.by_stream == {"writing": Money.of("677.35", "GBP")}

    def test_no_total_adds_two_currencies(self, make_books):
        """€1,000 on 4 Sep 2026 at ECB 0.85898 is £858.98; with £650 the total is £1,508.98, all GBP."""
        hafen = "name: Hafen\ncountry: DE\ncurrency: EUR\nlocale: de_DE\ntax: reverse_charge\nvat_number: DE136695976\n"
        root = make_books({"clients/hafen/client.yaml": hafen,
                           **records(invoice("INV-2026-0001", "2026-09-04", "1000.00", client="hafen",
                                             currency="EUR", treatment="reverse_charge"),
                                     invoice("INV-2026-0002", "2026-09-04", "650.00", "130.00"))})
        books, invs = books_and_invoices(root)
        e = rollup(books, invs, parse_period("2026", today=date(2026, 1, 1)))
        assert {r.base.currency for r in e.rows} == {"GBP"}
        assert {r.amount.currency for r in e.rows} == {"EUR", "GBP"}
        assert e.income == Money.of("1508.98", "GBP")
        assert [g.income for g in e.groups if g.key == "2026-09"] == [Money.of("1508.98", "GBP")]

    def test_a_report_in_another_currency_converts_sterling_too(self, make_books):
        """£650 on 30 Oct 2026 in EUR: 650 × (1 ÷ 0.8338) = €779.56."""
        root = make_books(records(invoice("INV-2026-0001", "2026-10-30", "650.00", "130.00")))
        books, invs = books_and_invoices(root)
        e = rollup(books, invs, parse_period("2026", today=date(2026, 1, 1)), currency="EUR")
        assert e.income == Money.of("779.56", "EUR") and e.rows[0].rate == Decimal("1.1993284")


class TestTimeAndProfit:
    def test_effective_day_rate_is_consulting_income_over_billable_days(self, make_books):
        """3 full days logged, £1,950 invoiced: 3.0 days and £650.00 a day."""
        root = make_books({
            "clients/acme/timesheets/2026-10.yaml": """\
                - {date: 2026-10-05, engagement: build, hours: 7.5}
                - {date: 2026-10-06, engagement: build, hours: 7.5}
                - {date: 2026-10-07, engagement: build, hours: 7.5}
                - {date: 2026-10-07, engagement: build, hours: 1, billable: false}
                """,
            **records(invoice("INV-2026-0001", "2026-10-31", "1950.00", "390.00"))})
        books, invs = books_and_invoices(root)
        e = rollup(books, invs, parse_period("2026", today=date(2026, 1, 1)))
        assert e.billable_days == Decimal("3.0")
        assert e.effective_day_rate == Money.of("650.00", "GBP")
        assert [g.days for g in e.groups if g.key == "2026-10"] == [Decimal("3.0")]

    def test_utilisation_is_billable_days_over_working_days(self, make_books):
        """England 2026 has 253 working days (261 weekdays − 8 bank holidays); 3 days is 1.2%."""
        from tests.conftest import PRACTICE

        root = make_books({
            "practice.yaml": PRACTICE + "subdivision: ENG\n",
            "clients/acme/timesheets/2026-10.csv": "date,engagement,hours\n2026-10-05,build,7.5\n"
                                                   "2026-10-06,build,7.5\n2026-10-07,build,6\n"})
        books, invs = books_and_invoices(root)
        e = rollup(books, invs, parse_period("2026", today=date(2026, 1, 1)))
        assert (e.billable_days, e.working_days, e.utilisation) == (Decimal("3.0"), 253, Decimal("1.2"))

    def test_profit_is_income_less_expenses_without_reclaimable_vat(self, make_books):
        """£1,000 income; rail £142.60 (rebilled, no VAT) and lunch £18.40 incl. £3.07 VAT (kept):
        expenses 142.60 + 15.33 = 157.93, costs 15.33, profit 842.07."""
        root = make_books({
            "clients/acme/expenses.yaml": """\
                - {date: 2026-10-15, engagement: build, amount: 142.60, vat: 0, rebill: true}
                - {date: 2026-10-15, engagement: build, amount: 18.40, vat: 3.07, rebill: false}
                """,
            **records(invoice("INV-2026-0001", "2026-10-31", "1000.00", "200.00"))})
        books, invs = books_and_invoices(root)
        e = rollup(books, invs, parse_period("2026", today=date(2026, 1, 1)))
        assert (e.expenses, e.costs, e.profit) == (Money.of("157.93", "GBP"), Money.of("15.33", "GBP"),
                                                   Money.of("842.07", "GBP"))


class TestReceivables:
    def test_outstanding_invoices_are_aged_by_days_since_issue(self, make_books):
        """As of 23 Nov 2026: issued 1 Oct (53 days) → 31-60; issued 1 Aug, £500 of £1,200 paid
        (114 days) → 90+ with £700 left; a paid one is not listed."""
        root = make_books({**records(invoice("INV-2026-0001", "2026-08-01", "1000.00", "200.00"),
                                     invoice("INV-2026-0002", "2026-10-01", "500.00", "100.00"),
                                     invoice("INV-2026-0003", "2026-11-01", "100.00", "20.00")),
                           "clients/acme/payments.yaml": """\
                               - {date: 2026-09-01, invoice: INV-2026-0001, amount: 500.00}
                               - {date: 2026-11-10, invoice: INV-2026-0003, amount: 120.00}
                               """})
        books, invs = books_and_invoices(root)
        r = receivables(invs, books.payments, date(2026, 11, 23), "GBP")
        assert [(i.number, i.age, i.bucket, i.outstanding) for i in r.items] == [
            ("INV-2026-0001", 114, "90+", Money.of("700.00", "GBP")),
            ("INV-2026-0002", 53, "31-60", Money.of("600.00", "GBP"))]
        assert r.buckets == {"0-30": Money.of("0", "GBP"), "31-60": Money.of("600.00", "GBP"),
                             "61-90": Money.of("0", "GBP"), "90+": Money.of("700.00", "GBP")}
        assert r.total == Money.of("1300.00", "GBP")


class TestPieces:
    def test_allocate_splits_exactly(self):
        """£100 in thirds: 33.33 + 33.33 + 33.34."""
        got = allocate(Money.of("100.00", "GBP"), [Decimal(1)] * 3)
        assert got == [Money.of("33.33", "GBP"), Money.of("33.33", "GBP"), Money.of("33.34", "GBP")]

    def test_rows_outside_the_period_are_not_counted(self, make_books):
        root = make_books(records(invoice("INV-2025-0001", "2025-12-31", "1.00")))
        books, invs = books_and_invoices(root)
        from consult.earnings import _Converter
        assert accrual_rows(invs, parse_period("2026", today=date(2026, 1, 1)), _Converter("GBP", "GBP")) == []


class TestInvoiceCache:
    def test_the_cache_returns_the_same_invoices_and_never_goes_stale(self, make_books):
        """Second read comes from .consult-cache; a record rewritten with other content is read again."""
        inv = invoice("INV-2026-0001", "2026-10-31", "1000.00", "200.00")
        root = make_books(records(inv))
        first, _ = load_invoices_cached(root)
        assert (root / ".consult-cache/invoices.json").exists()
        second, _ = load_invoices_cached(root)
        assert first == second == [replace(i, entries=()) for i in load_invoices(root)[0]]
        path = root / "clients/acme/invoices/INV-2026-0001.yaml"
        changed = invoice("INV-2026-0001", "2026-10-31", "1200.00", "240.00")
        path.write_text(yaml.safe_dump(to_record(changed), sort_keys=False))
        third, _ = load_invoices_cached(root)
        assert third[0].net == Money.of("1200.00", "GBP")

    def test_a_damaged_cache_is_ignored(self, make_books):
        root = make_books(records(invoice("INV-2026-0001", "2026-10-31", "1000.00", "200.00")))
        (root / ".consult-cache").mkdir()
        (root / ".consult-cache/invoices.json").write_text("{not json")
        invs, problems = load_invoices_cached(root)
        assert problems == [] and invs[0].net == Money.of("1000.00", "GBP")


class TestWorkedMinutesCache:
    def test_cached_daily_minutes_match_the_timesheets_and_follow_edits(self, make_books):
        """Billable minutes per day from the cache equal a fresh read; an edited file is read again."""
        from consult.work.day_totals import aggregate, worked_minutes

        root = make_books({"clients/acme/timesheets/2026-10.csv":
                           "date,engagement,hours,billable\n2026-10-05,build,4,\n2026-10-05,build,2,false\n"})
        books = load_books(root).books
        cold = worked_minutes(books)
        assert cold == aggregate(books.entries) == {("acme", "build"): {date(2026, 10, 5): 240}}
        assert worked_minutes(books) == cold  # from .consult-cache
        (root / "clients/acme/timesheets/2026-10.csv").write_text("date,engagement,hours\n2026-10-05,build,7.5\n")
        assert worked_minutes(books) == {("acme", "build"): {date(2026, 10, 5): 450}}

    def test_a_timesheet_error_stops_the_report(self, make_books):
        """Books loaded without timesheets still refuse a broken one, naming file and line."""
        from consult.books.loader import load_books as lb
        from consult.errors import BooksError
        from consult.work.day_totals import worked_minutes

        root = make_books({"clients/acme/timesheets/2026-10.yaml": "- {date: 2026-10-05, engagement: build, duration: 1h75m}\n"})
        books = lb(root, timesheets=False).books
        with pytest.raises(BooksError) as e:
            worked_minutes(books)
        assert "clients/acme/timesheets/2026-10.yaml:1" in str(e.value) and "minutes must be under 60" in str(e.value)
