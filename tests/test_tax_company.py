"""Corporation tax against HMRC's own marginal relief calculator, to the penny.

The cases are those of hmrc/marginal-relief-calculator-backend's MarginalReliefCalculatorImplSpec
(HMRC's code behind gov.uk's calculator). They are dated in financial years 2023 and 2024, whose
figures are the same as FY2024's (19%, 25%, £50,000, £250,000, 3/200: CTA 2010 Part 3A), so the
2024/25 table stands for both here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from consult.errors import UsageError
from consult.tax.company import corporation_tax, corporation_tax_due
from consult.tax.tables import NoTaxTable, table_for


def fy2023_and_2024(fy: int):
    assert fy in (2023, 2024)
    return table_for(2024)


def ct(start: date, end: date, profits: int, associated: int = 0):
    return corporation_tax(fy2023_and_2024, start, end, D(profits), associated)


class TestHmrcCalculator:
    def test_100000_in_a_year_pays_22750_after_2250_of_marginal_relief(self):
        """25% × 100,000 = 25,000; relief 3/200 × (250,000 − 100,000) = 2,250."""
        r = ct(date(2023, 4, 1), date(2024, 3, 31), 100000)
        assert (r.amount, r.parts[0].relief) == (D("22750.00"), D("2250.00"))

    def test_one_associated_company_halves_the_limits(self):
        """Upper limit 250,000 ÷ 2 = 125,000: relief 3/200 × 25,000 = 375; 25,000 − 375 = 24,625."""
        r = ct(date(2023, 4, 1), date(2024, 3, 31), 100000, associated=1)
        assert (r.amount, r.parts[0].relief) == (D("24625.00"), D("375.00"))

    @pytest.mark.parametrize(("profits", "expected"), [(300000, "75000.00"), (50000, "9500.00"), (40000, "7600.00")])
    def test_over_the_upper_limit_and_at_or_under_the_lower(self, profits, expected):
        assert ct(date(2023, 4, 1), date(2024, 3, 31), profits).amount == D(expected)

    def test_a_short_period_across_1_april_is_two_parts_with_cut_limits(self):
        """1 Jan – 30 Jun 2024, 182 days, 25,000: 91 days in each financial year, 12,500 each;
        upper limit 250,000 × 91/365 = 62,328.77; relief 3/200 × (62,328.77 − 12,500) = 747.43;
        tax 3,125.00 − 747.43 = 2,377.57 in each part."""
        r = ct(date(2024, 1, 1), date(2024, 6, 30), 25000)
        assert [(p.financial_year, p.days, p.tax, p.relief) for p in r.parts] == [
            (2023, 91, D("2377.57"), D("747.43")), (2024, 91, D("2377.57"), D("747.43"))]
        assert r.amount == D("4755.14")

    def test_a_366_day_period_with_associates_divides_by_366_and_by_the_companies(self):
        """1 Oct 2023 – 30 Sep 2024 (366 days), 60,000, 3 associates (HMRC's case: 2 in FY1, 3 in
        FY2, the larger counts): 183 days each side, 30,000 each; upper 250,000 × 183/366 ÷ 4 =
        31,250; relief 3/200 × 1,250 = 18.75; 7,500.00 − 18.75 = 7,481.25 each."""
        r = ct(date(2023, 10, 1), date(2024, 9, 30), 60000, associated=3)
        assert [(p.tax, p.relief) for p in r.parts] == [(D("7481.25"), D("18.75"))] * 2


class TestRules:
    def test_the_lines_show_the_limits_and_the_relief(self):
        r = corporation_tax(table_for, date(2026, 4, 1), date(2027, 3, 31), D(100000))
        assert [(s.op, s.label, s.money.plain() if s.money else None, s.note) for s in r.steps] == [
            ("", "taxable profits", "100000.00", "1 Apr 2026 – 31 Mar 2027, 365 days"),
            ("", "lower limit", "50000.00", "£50,000.00"), ("", "upper limit", "250000.00", "£250,000.00"),
            ("", "main rate 25% on £100,000.00", "25000.00", ""),
            ("−", "marginal relief", "2250.00", "3/200 × (£250,000.00 − £100,000.00)"),
            ("=", "corporation tax", "22750.00", "")]

    def test_a_first_short_period_cuts_the_limits(self):
        """1 Oct 2026 – 31 Mar 2027 (182 days), 40,000: lower limit 50,000 × 182/365 = 24,931.51, so
        marginal relief: upper 124,657.53; 25% × 40,000 = 10,000 − 3/200 × 84,657.53 (1,269.86) = 8,730.14."""
        r = corporation_tax(table_for, date(2026, 10, 1), date(2027, 3, 31), D(40000))
        assert (r.amount, r.parts[0].relief) == (D("8730.14"), D("1269.86"))

    def test_tax_is_due_nine_months_and_a_day_after_the_period(self):
        assert corporation_tax_due(date(2027, 3, 31)) == date(2028, 1, 1)
        assert corporation_tax_due(date(2026, 12, 31)) == date(2027, 10, 1)

    def test_a_loss_pays_nothing(self):
        assert corporation_tax(table_for, date(2026, 4, 1), date(2027, 3, 31), D(-5000)).amount == 0

    def test_a_period_over_twelve_months_is_refused(self):
        with pytest.raises(UsageError, match="longer than 12 months"):
            corporation_tax(table_for, date(2026, 4, 1), date(2027, 4, 1), D(1))

    def test_a_financial_year_with_no_table_is_refused_by_name(self):
        with pytest.raises(NoTaxTable, match="no tax table for 2027/28"):
            corporation_tax(table_for, date(2027, 1, 1), date(2027, 12, 31), D(1000))
