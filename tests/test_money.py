"""Money: Decimal with a currency, one rounding rule, never a float."""

from decimal import Decimal as D

import pytest

from consult.core.money import Money, minor_unit, parse_decimal
from consult.errors import CurrencyMismatch


class TestParseDecimal:
    def test_keeps_the_written_text_exactly(self):
        """525.50 stays 525.50, not the float 525.5."""
        assert str(parse_decimal("525.50")) == "525.50"

    def test_reads_thousands_separators(self):
        assert parse_decimal("12,025.00") == D("12025.00")
        assert parse_decimal("1_000") == D(1000)

    @pytest.mark.parametrize("text", ["1e5", "nan", "inf", "12,34", "1.2.3", "", "£5"])
    def test_refuses_what_is_not_a_plain_number(self, text):
        with pytest.raises(ValueError):
            parse_decimal(text)

    def test_refuses_absurdly_large_amounts(self):
        with pytest.raises(ValueError, match="too large"):
            parse_decimal("1" * 16)


class TestRounding:
    def test_half_up_not_half_even(self):
        """2.665 rounds to 2.67 as a spreadsheet does, not 2.66 as Python's round() does."""
        assert Money.rounded(D("2.665"), "GBP").amount == D("2.67")
        assert Money.rounded(D("2.675"), "GBP").amount == D("2.68")

    def test_vat_on_the_issue_example(self):
        """20% VAT on £12,025.00 is £2,405.00."""
        assert Money.of("12025.00", "GBP").percent(D(20)) == Money.of("2405.00", "GBP")

    def test_line_net_is_quantity_times_price_rounded_once(self):
        """18.5 days x £650 = £12,025.00; 14.25 h x €115 = €1,638.75."""
        assert Money.of(650, "GBP").times(D("18.5")) == Money.of("12025.00", "GBP")
        assert Money.of(115, "EUR").times(D("14.25")) == Money.of("1638.75", "EUR")

    def test_currencies_have_their_own_minor_units(self):
        assert (minor_unit("GBP"), minor_unit("JPY"), minor_unit("BHD")) == (2, 0, 3)
        assert Money.rounded(D("1234.5"), "JPY").amount == D("1235")


class TestSafety:
    def test_never_built_from_a_float(self):
        with pytest.raises(TypeError):
            Money.of(600.6, "GBP")  # type: ignore[arg-type]  # the float is the point of this test

    def test_refuses_more_places_than_the_currency_has(self):
        with pytest.raises(ValueError, match="decimal places"):
            Money.of("1.005", "GBP")

    def test_two_currencies_never_add(self):
        with pytest.raises(CurrencyMismatch):
            Money.of(1, "GBP") + Money.of(1, "EUR")
        with pytest.raises(CurrencyMismatch):
            Money.total([Money.of(1, "GBP"), Money.of(1, "USD")], "GBP")

    def test_total_of_nothing_is_zero(self):
        assert Money.total([], "EUR") == Money.zero("EUR")


class TestFormatting:
    def test_indian_grouping_in_lakhs(self):
        assert Money.of("691892.00", "INR").format("en_IN") == "₹6,91,892.00"

    def test_french_grouping_with_narrow_no_break_space(self):
        assert Money.of("691892.50", "EUR").format("fr_FR") == "691\u202f892,50\u00a0€"

    def test_pounds_and_dollars(self):
        assert Money.of("14430", "GBP").format("en_GB") == "£14,430.00"
        assert Money.of("18000", "USD").format("en_US") == "$18,000.00"

    def test_plain_text_for_files(self):
        assert Money.of(650, "GBP").plain() == "650.00"
