"""A person's income tax and National Insurance, worked by hand from HMRC's rates, to the penny.

Every expected figure is worked in the test's docstring from the tables in consult/data/tax
(HMRC's and the Scottish Government's published rates). The 80,000 and director cases are
those of domain-rules.md §10.4, which PolicyEngine UK agrees with (tests/test_tax_policyengine.py).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from consult.tax.personal import (
    Income,
    class_1_employee,
    class_1_employer,
    class_2,
    class_4,
    income_tax,
    paye_on_salary,
    personal_allowance,
)
from consult.tax.tables import table_for

Y26 = table_for(2026)


def tax(**kw: object) -> D:
    return income_tax(Y26, Income(**kw)).amount  # type: ignore[arg-type]  # keyword figures straight into the record


class TestRestOfTheUK:
    def test_80000_of_trading_profit_pays_19432_income_tax(self):
        """80,000 − 12,570 = 67,430 taxable: 37,700 × 20% = 7,540.00; 29,730 × 40% = 11,892.00."""
        assert tax(trading=D(80000)) == D("19432.00")

    def test_the_lines_show_each_band(self):
        r = income_tax(Y26, Income(trading=D(80000)))
        assert [(s.op, s.label, s.money.plain() if s.money else None) for s in r.steps] == [
            ("", "trading profits", "80000.00"), ("", "personal allowance", "12570.00"),
            ("", "taxable income", "67430.00"), ("", "basic rate 20% on £37,700.00", "7540.00"),
            ("+", "higher rate 40% on £29,730.00", "11892.00"), ("=", "income tax", "19432.00")]

    def test_below_the_allowance_there_is_no_tax(self):
        assert tax(employment=D(12570)) == D("0.00")


class TestTheTaper:
    """ITA 2007 s.35: the allowance falls by half the income over £100,000 (gov.uk: £1 for every £2)."""

    def test_110000_keeps_7570_of_allowance(self):
        """110,000 − 100,000 = 10,000 over; half is 5,000; 12,570 − 5,000 = 7,570. Taxable 102,430:
        37,700 × 20% = 7,540; 64,730 × 40% = 25,892; total 33,432.00."""
        assert personal_allowance(Y26, D(110000))[0] == D(7570)
        assert tax(employment=D(110000)) == D("33432.00")

    def test_the_allowance_is_gone_at_125140(self):
        """25,140 over; half 12,570: nothing left. 37,700 × 20% + 87,440 × 40% = 7,540 + 34,976 = 42,516.00."""
        assert personal_allowance(Y26, D(125140))[0] == D(0)
        assert tax(employment=D(125140)) == D("42516.00")

    def test_the_allowance_falls_a_whole_pound_for_each_whole_2_pounds(self):
        """£1 over takes nothing; £3 over takes £1 (the allowance is rounded up to the pound)."""
        assert personal_allowance(Y26, D(100001))[0] == D(12570)
        assert personal_allowance(Y26, D(100003))[0] == D(12569)
        assert personal_allowance(Y26, D("100002.50"))[0] == D(12569)

    def test_the_taper_is_printed_with_its_arithmetic(self):
        steps = personal_allowance(Y26, D(110000))[1]
        assert [(s.op, s.label, s.money.plain() if s.money else None, s.note) for s in steps] == [
            ("", "personal allowance", "12570.00", ""),
            ("−", "allowance withdrawn", "5000.00", "50% of £10,000.00 over £100,000.00, in whole pounds (ITA 2007 s.35)"),
            ("=", "personal allowance left", "7570.00", "")]


class TestScotland:
    def test_80000_pays_21732_05_in_scotland(self):
        """Taxable 67,430: starter 3,967 × 19% = 753.73; basic 12,989 × 20% = 2,597.80; intermediate
        14,136 × 21% = 2,968.56; higher 31,338 × 42% = 13,161.96; advanced 5,000 × 45% = 2,250.00."""
        assert tax(trading=D(80000), scottish=True) == D("21732.05")

    def test_the_taper_applies_in_scotland_too(self):
        """110,000: allowance 7,570, taxable 102,430: 753.73 + 2,597.80 + 2,968.56 + 13,161.96 +
        40,000 × 45% = 18,000.00; total 37,482.05."""
        assert tax(employment=D(110000), scottish=True) == D("37482.05")

    def test_the_top_rate_is_48_percent_over_125140(self):
        """200,000, no allowance: 753.73 + 2,597.80 + 2,968.56 + 13,161.96 + 62,710 × 45% (28,219.50)
        + 74,860 × 48% (35,932.80) = 83,634.35."""
        assert tax(employment=D(200000), scottish=True) == D("83634.35")

    def test_2024_25_scottish_bands(self):
        """2024/25, 30,000 of pay: taxable 17,430: starter 2,306 × 19% = 438.14; basic 11,685 × 20% =
        2,337.00; intermediate 3,439 × 21% = 722.19; total 3,497.33."""
        assert income_tax(table_for(2024), Income(employment=D(30000), scottish=True)).amount == D("3497.33")


class TestDividends:
    def test_a_director_with_12570_salary_and_50000_of_dividends_pays_8396_25(self):
        """The salary uses the allowance; dividends 50,000: 500 at 0%, 37,200 × 10.75% = 3,999.00,
        12,300 × 35.75% = 4,397.25 (the 500 uses basic band, so the upper rate starts at 37,700)."""
        assert tax(employment=D(12570), dividends=D(50000)) == D("8396.25")

    def test_a_scottish_director_pays_the_same_on_dividends(self):
        """Dividends are taxed at the UK's rates in the UK's bands for a Scottish taxpayer too."""
        assert tax(employment=D(12570), dividends=D(50000), scottish=True) == D("8396.25")

    def test_a_scottish_salary_above_the_allowance_pushes_dividends_up_the_uk_bands(self):
        """Salary 30,000 (Scottish): taxable 17,430: 753.73 + 2,597.80 + 474 × 21% = 99.54 → 3,451.07.
        Dividends 20,000 from UK band position 17,430: 500 at 0%, 19,500 × 10.75% = 2,096.25.
        Total 5,547.32."""
        assert tax(employment=D(30000), dividends=D(20000), scottish=True) == D("5547.32")

    def test_2025_26_dividend_rates_were_8_75_and_33_75(self):
        """The same director in 2025/26: 37,200 × 8.75% = 3,255.00; 12,300 × 33.75% = 4,151.25."""
        assert income_tax(table_for(2025), Income(employment=D(12570), dividends=D(50000))).amount == D("7406.25")

    def test_an_unused_allowance_covers_dividends(self):
        """No salary: 12,570 of the dividends fall in the allowance, 500 more at 0%, 6,930 × 10.75%
        = 744.975 → 744.98 (half up)."""
        assert tax(dividends=D(20000)) == D("744.98")


class TestNationalInsurance:
    def test_class_4_on_80000_is_2856_60(self):
        """37,700 × 6% = 2,262.00; 29,730 × 2% = 594.60."""
        assert class_4(Y26, D(80000)).amount == D("2856.60")

    def test_class_4_below_the_lower_limit_is_nothing(self):
        assert class_4(Y26, D(12570)).amount == D("0.00")

    def test_class_2_is_not_payable_and_says_why(self):
        over, under = class_2(Y26, D(30000)), class_2(Y26, D(5000))
        assert over.amount == under.amount == 0
        assert over.steps[0].note == "none to pay: profits at or over £7,105.00 are credited with a qualifying year"
        assert "voluntary Class 2 at £3.65 a week" in under.steps[0].note

    def test_employee_class_1_is_8_and_2_percent(self):
        """2026/27, 60,000: 37,700 × 8% = 3,016.00; 9,730 × 2% = 194.60."""
        assert class_1_employee(Y26, D(60000)).amount == D("3210.60")

    @pytest.mark.parametrize(("year", "expected"), [(2024, "2884.20"), (2025, "3750.00"), (2026, "3750.00")])
    def test_employer_class_1_changed_in_april_2025(self, year, expected):
        """30,000 of pay: 2024/25 (30,000 − 9,100) × 13.8% = 2,884.20; then (30,000 − 5,000) × 15% = 3,750.00."""
        assert class_1_employer(table_for(year), D(30000)).amount == D(expected)

    def test_paye_on_a_salary_at_the_allowance_is_nothing(self):
        assert paye_on_salary(Y26, D(12570), False) == D("0.00")
