"""Statutory late-payment interest and fixed sums, worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from consult.core.money import Money
from consult.core.records import Client
from consult.errors import UsageError
from consult.invoices.accounts import account
from consult.invoices.late_payment import (
    fixed_sum,
    interest,
    late_claim,
    qualifies,
    reference_day,
    reference_for,
    reference_rates,
)
from tests.test_ledger import inv, pay


def gbp(x):
    return Money.of(x, "GBP")


def client(country="GB", currency="GBP") -> Client:
    return Client("acme", "Acme Ltd", "client", None, None, (), country, currency, "en_GB", None, 30, "standard")


class TestReferenceRate:
    def test_the_half_year_interest_starts_in_picks_the_reference_day(self):
        """Interest starts the day after the due date: due 15 March 2026 → the 31 Dec 2025 rate;
        due 30 June 2026 → interest from 1 July → the 30 Jun 2026 rate; due 31 Dec 2026 → from
        1 Jan 2027 → the 31 Dec 2026 rate."""
        assert reference_day(date(2026, 3, 15)) == date(2025, 12, 31)
        assert reference_day(date(2026, 6, 29)) == date(2025, 12, 31)
        assert reference_day(date(2026, 6, 30)) == date(2026, 6, 30)
        assert reference_day(date(2026, 7, 1)) == date(2026, 6, 30)
        assert reference_day(date(2026, 12, 31)) == date(2026, 12, 31)

    def test_shipped_table_matches_published_statutory_rates(self):
        """payontime: H1 2022 8.25%, H2 2022 9.25%, H1 2023 11.50%, H2 2023 13.00%, H1 2024 13.25%."""
        table = reference_rates()
        got = [table[date(y, m, d)].bank_rate + 8 for y, m, d in
               ((2021, 12, 31), (2022, 6, 30), (2022, 12, 31), (2023, 6, 30), (2023, 12, 31))]
        assert got == [D("8.25"), D("9.25"), D("11.50"), D("13.00"), D("13.25")]
        assert table[date(2025, 12, 31)].bank_rate == D("3.75")

    def test_missing_reference_says_how_to_add_it(self):
        """A debt due in Jan 2027 needs 31 Dec 2026, which the shipped table cannot have yet."""
        with pytest.raises(UsageError) as e:
            reference_for(date(2027, 1, 31), reference_rates())
        assert str(e.value) == ("no Bank Rate reference value for 2026-12-31 (needed for debts due 2027-01-31); "
                                "add '- {date: 2026-12-31, bank_rate: P}' to bank_rate.yaml in your books, "
                                "or pass --base-rate P")

    def test_books_can_extend_the_table(self, tmp_path):
        """bank_rate.yaml in the books adds (or corrects) reference values."""
        (tmp_path / "bank_rate.yaml").write_text("- {date: 2026-12-31, bank_rate: 3.5, source: my note}\n")
        ref = reference_for(date(2027, 3, 31), reference_rates(tmp_path))
        assert (ref.bank_rate, ref.source) == (D("3.5"), "my note")

    def test_base_rate_option_overrides(self):
        """--base-rate replaces the table's value for every debt."""
        assert reference_for(date(2026, 10, 31), {}, D("4")).bank_rate == D(4)


class TestFixedSums:
    @pytest.mark.parametrize("debt,fixed", [("999.99", 40), ("1000.00", 70), ("9999.99", 70), ("10000.00", 100)])
    def test_fixed_sum_by_debt_size(self, debt, fixed):
        """Under £1,000 £40; £1,000–£9,999.99 £70; £10,000 or more £100 (s.5A)."""
        assert fixed_sum(gbp(debt)) == gbp(fixed)


class TestInterest:
    def test_gov_uk_example(self):
        """gov.uk: £1,000 at 8.5% for 50 days: 1000 x 0.085 x 50 / 365 = 11.643... -> £11.64
        (gov.uk rounds the daily 23p first and shows about £11.50)."""
        i = inv(total="1000.00", due=date(2026, 1, 1))
        a = account(i, [], [], date(2026, 2, 20))
        assert a.days_late == 50
        assert interest(a, D("8.5"), date(2026, 2, 20)) == gbp("11.64")

    def test_part_payment_stops_interest_on_what_it_paid(self):
        """£10,000 due 1 Jan at 11.75%: 10 days on £10,000 then 20 days on £4,000 =
        (100,000 + 80,000) x 0.1175 / 365 = £57.945... -> £57.95."""
        i = inv(total="10000.00", due=date(2026, 1, 1))
        a = account(i, [pay("6000.00", date(2026, 1, 11))], [], date(2026, 1, 31))
        assert interest(a, D("11.75"), date(2026, 1, 31)) == gbp("57.95")

    def test_claim_for_acme_style_debt(self):
        """£14,430.00 due 1 Dec 2025 (H2 2025: Bank Rate 4.25% on 30 Jun 2025 -> 12.25%), unpaid
        on 9 Mar 2026 (98 days): 14430 x 0.1225 x 98 / 365 = £474.61...; fixed sum £100."""
        i = inv(issued=date(2025, 11, 1), due=date(2025, 12, 1))
        a = account(i, [], [], date(2026, 3, 9))
        c = late_claim(a, client(), date(2026, 3, 9), reference_rates())
        assert (a.days_late, c.rate) == (98, D("12.25"))
        assert (c.interest, c.fixed_sum, c.claim) == (gbp("474.61"), gbp(100), gbp("574.61"))

    def test_fixed_sum_uses_the_debt_when_it_fell_late(self):
        """£1,200 invoice, £300 paid before the due date: a £900 debt, so £40 not £70."""
        i = inv(total="1200.00", due=date(2026, 1, 31))
        a = account(i, [pay("300.00", date(2026, 1, 20))], [], date(2026, 3, 1))
        assert late_claim(a, client(), date(2026, 3, 1), reference_rates()).fixed_sum == gbp(40)


class TestWhoQualifies:
    def test_uk_business_debts_in_any_currency_unless_the_client_says_otherwise(self):
        """The Act turns on a contract under UK law, not the currency: a UK client billed in USD
        qualifies; a German client does not unless `late_payment: statutory`; `contract` and
        `none` opt a UK client out."""
        from dataclasses import replace

        assert qualifies(client()) is True
        assert qualifies(client("GB", "USD")) is True
        assert qualifies(client("DE", "EUR")) is False
        assert qualifies(replace(client("DE", "EUR"), late_payment="statutory")) is True
        assert qualifies(replace(client(), late_payment="contract")) is False
        assert qualifies(replace(client(), late_payment="none")) is False
        a = account(inv(cur="EUR", total="1322.50", due=date(2026, 10, 31)), [], [], date(2026, 11, 22))
        c = late_claim(a, client("DE", "EUR"), date(2026, 11, 22), reference_rates())
        assert (c.qualifies, c.interest, c.claim) == (False, None, None)


class TestBooksBankRates:
    """The books' bank_rate.yaml goes through the common reader: file, line and field, and check sees it."""

    @pytest.mark.parametrize("text,message", [
        ("- {date: 2026-12-31, bank_rate: 1e1}\n", "bank_rate.yaml:1:33: [0].bank_rate:"),
        ("- {date: 20261231, bank_rate: 3.5}\n", "bank_rate.yaml:1:10: [0].date:"),
        ("- {date: 2026-12-31, bank_rate: -1}\n", "[0].bank_rate: must be at least 0, got -1"),
        ("- {date: 2026-11-30, bank_rate: 3.5}\n", "2026-11-30 is not a reference day"),
        ("- {date: 2026-12-31, bank_rate: 3.5}\n- {date: 2026-12-31, bank_rate: 4}\n",
         "bank_rate.yaml:2:10: [1].date: 2026-12-31 is given twice (also at line 1)"),
        ("- {date: 2026-12-31, bank_rate: 3.5, rate: 4}\n", "[0].rate"),
    ])
    def test_a_bad_reference_value_is_refused_where_it_is(self, tmp_path, text, message):
        """Before, 1e1 read as 10%, 20261231 as a date, -1 as a rate and the second of two dates won."""
        from consult.errors import BooksError

        (tmp_path / "bank_rate.yaml").write_text(text)
        with pytest.raises(BooksError) as e:
            reference_rates(tmp_path)
        assert message in str(e.value), str(e.value)

    def test_the_shipped_shape_is_accepted_in_the_books(self, tmp_path):
        """A copy of consult/data/bank_rate.yaml (reference_rates: under a mapping) reads as well."""
        (tmp_path / "bank_rate.yaml").write_text(
            "valid_as_of: 2027-01-05\nreference_rates:\n  - {date: 2026-12-31, bank_rate: 3.5}\n")
        assert reference_for(date(2027, 3, 31), reference_rates(tmp_path)).bank_rate == D("3.5")

    def test_check_reports_the_file_before_a_reminder_needs_it(self, sample_books, run_cli):
        (sample_books / "bank_rate.yaml").write_text("- {date: 2026-12-31, bank_rate: lots}\n")
        code, out, err = run_cli("check", books=sample_books)
        assert code == 1
        assert "bank_rate.yaml:1:33: [0].bank_rate:" in out + err
        code, out, err = run_cli("invoice", "overdue", "--as-of", "2027-03-01", books=sample_books)
        assert code == 1 and "bank_rate.yaml:1:33" in err and "Traceback" not in err
