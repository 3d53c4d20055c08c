"""The rate calculator's arithmetic, with every figure worked out by hand in the docstring."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from consult.core.money import Money
from consult.errors import UsageError
from consult.work.market import RefPoint, market_position
from consult.work.rates import (
    YearPlan,
    billable_days,
    convert,
    parse_rate,
    plan_for_year,
    salary_rate,
    target_rate,
)

GIVEN_240 = YearPlan(billable_days=D(240))


class TestParseRate:
    @pytest.mark.parametrize(("text", "expected"), [
        ("650/day", (D(650), "day")), ("90/hour", (D(90), "hour")), ("90/h", (D(90), "hour")),
        ("525.50 / d", (D("525.50"), "day")), ("£650 per day", (D(650), "day")), ("1,200/day", (D(1200), "day")),
    ])
    def test_amount_per_day_or_hour(self, text: str, expected: tuple[D, str]) -> None:
        """The usual ways of writing a rate give the amount and what it is per."""
        assert parse_rate(text) == expected

    @pytest.mark.parametrize(("text", "message"), [
        ("0/day", "rate '0/day': must be more than zero — e.g. 650/day or 90/hour"),
        ("abc/day", "rate 'abc/day': 'abc' is not a number — e.g. 650/day or 90/hour"),
        ("650/week", "rate '650/week': 'week' is not day or hour — e.g. 650/day or 90/hour"),
        ("650", "rate '650': write it as an amount per day or per hour — e.g. 650/day or 90/hour"),
        ("-5/day", "rate '-5/day': must be more than zero — e.g. 650/day or 90/hour"),
    ])
    def test_bad_rates_are_usage_errors_with_one_line(self, text: str, message: str) -> None:
        """Each refusal says what was wrong and shows the form that works."""
        with pytest.raises(UsageError) as e:
            parse_rate(text)
        assert str(e.value) == message

    def test_a_bare_number_is_per_day_when_the_command_says_so(self) -> None:
        """`consult rate market 650` means 650 a day."""
        assert parse_rate("650", default_per="day") == (D(650), "day")


class TestConvert:
    def test_525_a_day_is_70_an_hour(self) -> None:
        """525 ÷ 7.5 = 70.00 exactly."""
        r = convert(D(525), "day", D("7.5"), "GBP")
        assert (r.hour_rate, r.day_rate) == (Money.of("70.00", "GBP"), Money.of("525.00", "GBP"))

    def test_650_a_day_rounds_half_up_to_86_67(self) -> None:
        """650 ÷ 7.5 = 86.666…, which rounds half up to 86.67; the exact value is kept in the line."""
        r = convert(D(650), "day", D("7.5"), "GBP")
        assert r.hour_rate == Money.of("86.67", "GBP")
        last = r.steps[-1].as_dict()
        assert last["value"] == "86.67" and last["exact"].startswith("86.6666666")

    def test_90_an_hour_is_675_a_day(self) -> None:
        """90 × 7.5 = 675.00."""
        assert convert(D(90), "hour", D("7.5"), "GBP").day_rate == Money.of("675.00", "GBP")

    def test_an_eight_hour_day(self) -> None:
        """640 ÷ 8 = 80.00 (the US convention)."""
        assert convert(D(640), "day", D(8), "USD").hour_rate == Money.of("80.00", "USD")

    def test_breakdown_is_rate_hours_result(self) -> None:
        """The lines read: day rate, ÷ hours per day, = hourly rate."""
        steps = convert(D(650), "day", D("7.5"), "GBP").steps
        assert [(s.op, s.label, s.as_dict()["value"]) for s in steps] == [
            ("", "day rate", "650.00"), ("÷", "hours per day", "7.5"), ("=", "hourly rate", "86.67")]

    def test_zero_hours_is_refused(self) -> None:
        """A day of 0 hours has no hourly rate."""
        with pytest.raises(UsageError, match=r"^--hours-per-day 0: must be more than 0 and at most 24"):
            convert(D(650), "day", D(0), "GBP")


class TestBillableDays:
    def test_england_2026_defaults_leave_213_days(self) -> None:
        """253 working days − 25 leave − 5 sickness − 10 non-billable = 213."""
        steps, n = billable_days(plan_for_year(2026, "GB", "ENG"))
        assert n == 213
        assert [(s.op, s.label, s.value) for s in steps] == [
            ("", "working days", 253), ("−", "annual leave", 25), ("−", "sickness", 5),
            ("−", "non-billable days", 10), ("=", "billable days", 213)]
        assert steps[0].note == "2026: 261 weekdays − 8 bank holidays (GB/ENG, holidays library)"

    def test_utilisation_applies_to_the_days_left_after_leave_and_sickness(self) -> None:
        """(253 − 25 − 5) × 0.85 = 223 × 0.85 = 189.55 days."""
        _, n = billable_days(plan_for_year(2026, "GB", "ENG", utilisation=D("0.85")))
        assert n == D("189.55")

    def test_germany_counts_its_own_holidays(self) -> None:
        """DE 2026: 261 − 7 weekday holidays (Ascension, Labour Day, …) = 254 working days."""
        steps, n = billable_days(plan_for_year(2026, "DE", None, leave_days=D(30), sick_days=D(0),
                                               non_billable_days=D(0)))
        assert (steps[0].value, n) == (254, 224)

    def test_a_country_without_its_region_says_regional_days_are_missing(self) -> None:
        """GB alone has only the UK-wide days (261 − 6 = 255), and the line says so."""
        steps, _ = billable_days(plan_for_year(2026, "GB", None))
        assert steps[0].value == 255
        assert steps[0].note == ("2026: 261 weekdays − 6 bank holidays (GB, holidays library); national days "
                                 "only — give a subdivision (ENG, NIR, SCT, WLS) for regional ones")

    def test_given_days_replace_the_count(self) -> None:
        """--billable-days 240 is used as it is, with one line saying so."""
        steps, n = billable_days(GIVEN_240)
        assert n == 240 and [(s.label, s.note) for s in steps] == [("billable days", "given")]

    @pytest.mark.parametrize(("plan", "message"), [
        (YearPlan(working_days=253, utilisation=D("1.5")),
         "--utilisation 1.5: must be more than 0 and at most 1 (0.85 bills 85% of the days left after leave and sickness)"),
        (YearPlan(working_days=253, non_billable_days=D(400)),
         "--non-billable-days 400: must be from 0 to 366 days"),
        (YearPlan(working_days=253, non_billable_days=D(230)),
         "no billable days left (253 − 25 − 5 − 230 = -7); lower the deductions or give --billable-days"),
        (YearPlan(working_days=253, non_billable_days=D(5), utilisation=D("0.8")),
         "use --non-billable-days or --utilisation, not both"),
        (YearPlan(billable_days=D(200), leave_days=D(20)),
         "--billable-days replaces the whole count; drop --leave-days"),
        (YearPlan(billable_days=D(0)), "--billable-days 0: must be more than 0 and at most 366"),
    ])
    def test_impossible_plans_are_usage_errors(self, plan: YearPlan, message: str) -> None:
        """Each refusal names the option and what it must be."""
        with pytest.raises(UsageError) as e:
            billable_days(plan)
        assert str(e.value) == message


class TestTargetRate:
    def test_126000_over_240_days_is_525_a_day_and_70_an_hour(self) -> None:
        """126,000 ÷ 240 = 525.00; ÷ 7.5 = 70.00 — exactly, not a penny more."""
        r = target_rate(D(126000), GIVEN_240)
        assert (r.day_rate, r.hour_rate) == (Money.of("525.00", "GBP"), Money.of("70.00", "GBP"))

    def test_a_needed_rate_rounds_up_even_under_half_a_penny(self) -> None:
        """100,001 ÷ 240 = 416.6708…: half up would give 416.67, which falls short; it is 416.68."""
        assert target_rate(D(100001), GIVEN_240).day_rate == Money.of("416.68", "GBP")

    def test_platform_fee_grosses_the_rate_up(self) -> None:
        """525 needed, 20% fee: 525 ÷ 0.8 = 656.25 a day, ÷ 7.5 = 87.50 an hour; 656.25 × 0.8 = 525."""
        r = target_rate(D(126000), GIVEN_240, platform_fee=D(20))
        assert (r.day_rate.amount, r.hour_rate.amount) == (D("656.25"), D("87.50"))
        assert r.day_rate.amount * D("0.8") == D(525)

    def test_a_grossed_up_rate_still_meets_the_need_after_the_fee(self) -> None:
        """525 ÷ 0.9 = 583.33…: 583.33 × 0.9 = 524.997 falls short, so 583.34 (× 0.9 = 525.006)."""
        r = target_rate(D(126000), GIVEN_240, platform_fee=D(10))
        assert r.day_rate == Money.of("583.34", "GBP")
        assert r.hour_rate == Money.of("77.78", "GBP")  # 525 ÷ 0.9 ÷ 7.5 = 77.777…
        assert r.day_rate.amount * D("0.9") >= D(525) > D("583.33") * D("0.9")

    def test_income_expenses_and_fee_over_england_2026(self) -> None:
        """(100,000 + 6,000) ÷ 213 = 497.6526; ÷ 0.9 = 552.9473 → 552.95; ÷ 7.5 = 73.7263 → 73.73."""
        r = target_rate(D(100000), plan_for_year(2026, "GB", "ENG"), expenses=D(6000), platform_fee=D(10))
        assert (r.day_rate.amount, r.hour_rate.amount, r.billable_days) == (D("552.95"), D("73.73"), D(213))
        lines = [(s.op, s.label, s.as_dict()["value"]) for s in r.steps]
        assert lines[5:] == [
            ("", "target income", "100000.00"), ("+", "business expenses", "6000.00"),
            ("=", "revenue needed", "106000.00"), ("÷", "billable days", "213"),
            ("=", "day rate before the fee", "497.65"), ("÷", "share kept after the platform fee", "0.9"),
            ("=", "day rate", "552.95"), ("÷", "hours per day", "7.5"), ("=", "hourly rate", "73.73")]

    def test_the_hourly_rate_comes_from_the_exact_day_rate(self) -> None:
        """7,507.10 ÷ 100 = 75.071 → 75.08 a day; 75.071 ÷ 7.5 = 10.0095 → 10.01 (not 75.08 ÷ 7.5 → 10.02)."""
        r = target_rate(D("7507.10"), YearPlan(billable_days=D(100)))
        assert (r.day_rate.amount, r.hour_rate.amount) == (D("75.08"), D("10.01"))

    def test_minor_units_follow_the_currency(self) -> None:
        """Yen have no minor unit: 10,000,001 ÷ 240 = 41,666.67 → ¥41,667."""
        assert target_rate(D(10000001), GIVEN_240, currency="JPY").day_rate == Money.of("41667", "JPY")

    @pytest.mark.parametrize(("kwargs", "message"), [
        ({"platform_fee": D(100)}, "--platform-fee 100: must be at least 0 and below 100 (a percentage, e.g. 10)"),
        ({"expenses": D(-1)}, "--expenses -1: must not be negative"),
        ({"currency": "XYZ"}, "--currency XYZ: not an ISO 4217 currency code — e.g. GBP, EUR, USD, INR"),
    ])
    def test_bad_options_are_usage_errors(self, kwargs: dict, message: str) -> None:
        """A fee of 100% or more could never meet the need; negative costs are typos."""
        with pytest.raises(UsageError) as e:
            target_rate(D(126000), GIVEN_240, **kwargs)
        assert str(e.value) == message


class TestSalaryRate:
    def test_package_of_salary_pension_and_benefits_over_billable_days(self) -> None:
        """60,000 + 5% pension (3,000) + 2,000 benefits = 65,000; ÷ 200 = 325.00; ÷ 7.5 = 43.333… → 43.34."""
        r = salary_rate(D(60000), YearPlan(billable_days=D(200)), pension_percent=D(5), benefits=D(2000))
        assert (r.day_rate.amount, r.hour_rate.amount) == (D("325.00"), D("43.34"))
        assert [(s.op, s.label, s.as_dict()["value"]) for s in r.steps[1:5]] == [
            ("", "gross salary", "60000.00"), ("+", "employer pension", "3000.00"),
            ("+", "benefits", "2000.00"), ("=", "employee package", "65000.00")]

    def test_uk_average_ml_salary_over_england_2026(self) -> None:
        """68,750 + 5% (3,437.50) = 72,187.50 over 213 days = 338.9085… → 338.91 a day."""
        r = salary_rate(D(68750), plan_for_year(2026, "GB", "ENG"), pension_percent=D(5))
        assert r.day_rate == Money.of("338.91", "GBP")

    def test_employer_ni_is_not_counted(self) -> None:
        """The package line says what it leaves out, so the comparison is not mistaken for a cost."""
        r = salary_rate(D(50000), GIVEN_240)
        assert r.steps[4].note == "employer's NI and tax differences not included"
        assert r.day_rate.amount == D("208.34")  # 50,000 ÷ 240 = 208.333… rounded up

    def test_pension_over_100_percent_is_refused(self) -> None:
        """A pension is a percentage of salary."""
        with pytest.raises(UsageError, match=r"^--pension 150: must be a percentage of salary from 0 to 100$"):
            salary_rate(D(60000), GIVEN_240, pension_percent=D(150))


def _point(label: str, kind: str, amount: str, currency: str = "GBP", as_of: str = "2020") -> RefPoint:
    return RefPoint(label, kind, Money.of(amount, currency), "Test source", as_of)


class TestMarket:
    def test_day_rate_points_compare_directly(self) -> None:
        """650 against 525: (650 − 525) ÷ 525 = +23.8%; against 700: −50 ÷ 700 = −7.1%."""
        r = market_position(Money.of(650, "GBP"), [_point("p90", "day_rate", "700"), _point("median", "day_rate", "525")])
        assert [(c.point.label, c.day_rate.plain(), c.difference_percent) for c in r.rows] == [
            ("median", "525.00", D("23.8")), ("p90", "700.00", D("-7.1"))]
        assert r.summary == "650.00 GBP/day is above 1 of 2 reference points"

    def test_a_salary_becomes_a_day_rate_over_220_days(self) -> None:
        """68,750 ÷ 220 = 312.50 a day; 650 is 108.0% above it."""
        r = market_position(Money.of(650, "GBP"), [_point("UK ML engineer", "salary", "68750")])
        c = r.rows[0]
        assert (c.day_rate.plain(), c.difference_percent, c.how) == ("312.50", D("108.0"), "÷ 220 billable days")

    def test_an_hourly_point_is_multiplied_by_the_day(self) -> None:
        """80 an hour × 7.5 = 600.00 a day."""
        r = market_position(Money.of(600, "GBP"), [_point("hourly", "hour_rate", "80")])
        assert (r.rows[0].day_rate.plain(), r.rows[0].difference_percent) == ("600.00", D("0.0"))

    def test_a_foreign_point_is_converted_on_its_date(self) -> None:
        """$125,000 at 0.8 on 30 June 2020 (a year's mid-point) = £100,000; ÷ 220 = 454.55."""
        seen = []

        def fx(m: Money, to: str, on: date) -> tuple[Money, str]:
            seen.append(on)
            return m.convert(D("0.8"), to), "at 0.8"

        r = market_position(Money.of(500, "GBP"), [_point("US", "salary", "125000", "USD")], converter=fx)
        assert seen == [date(2020, 6, 30)]
        assert (r.rows[0].day_rate.plain(), r.rows[0].how) == ("454.55", "at 0.8; ÷ 220 billable days")

    def test_a_foreign_point_without_a_converter_is_listed_not_compared(self) -> None:
        """No rate, no comparison: the point stays in the list with the reason."""
        r = market_position(Money.of(500, "GBP"), [_point("India", "salary", "691892", "INR")])
        assert (r.rows[0].day_rate, r.rows[0].how) == (None, "in INR; no rate to GBP")
        assert r.summary == "no reference point could be compared with a GBP day rate"
