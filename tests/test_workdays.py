"""Working days by country and subdivision, with the figures of domain-rules.md §8."""

from __future__ import annotations

from datetime import date

import pytest

from consult.core.workdays import bank_holidays, weekday_holidays, weekdays, working_days
from consult.errors import UsageError

Y2026 = (date(2026, 1, 1), date(2026, 12, 31))


class TestWeekdays:
    @pytest.mark.parametrize(("year", "expected"), [(2024, 262), (2025, 261), (2026, 261), (2027, 261), (2028, 260)])
    def test_weekdays_per_year_match_the_calendar(self, year: int, expected: int) -> None:
        """Mondays to Fridays in a calendar year: 262 in 2024, 261 in 2025-27, 260 in 2028."""
        assert weekdays(date(year, 1, 1), date(year, 12, 31)) == expected

    def test_both_ends_of_the_range_count(self) -> None:
        """Monday to Friday of one week is five days, a single Saturday is none."""
        assert weekdays(date(2026, 11, 23), date(2026, 11, 27)) == 5
        assert weekdays(date(2026, 11, 28), date(2026, 11, 28)) == 0

    def test_tax_year_2026_27_has_261_weekdays(self) -> None:
        """6 April 2026 to 5 April 2027 has 261 weekdays (domain-rules.md §8)."""
        assert weekdays(date(2026, 4, 6), date(2027, 4, 5)) == 261


class TestWorkingDays:
    def test_england_2026_has_253_working_days(self) -> None:
        """261 weekdays less 8 bank holidays, with 28 December standing in for Boxing Day."""
        assert working_days(*Y2026, "GB", "ENG") == 253

    def test_boxing_day_2026_is_replaced_by_monday_28_december(self) -> None:
        """The Saturday holiday is listed but costs nothing; its Monday substitute costs a day."""
        on_weekdays = [d for d, _ in weekday_holidays(*Y2026, "GB", "ENG")]
        assert on_weekdays == [date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
                               date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28)]
        names = dict(bank_holidays(*Y2026, "GB", "ENG"))
        assert names[date(2026, 12, 26)] == "Boxing Day"
        assert names[date(2026, 12, 28)] == "Boxing Day (observed)"

    def test_england_2025_has_253_and_2024_has_254(self) -> None:
        """Most years fall in 252-253; 2024 had 262 weekdays and so 254."""
        assert working_days(date(2025, 1, 1), date(2025, 12, 31), "GB", "ENG") == 253
        assert working_days(date(2024, 1, 1), date(2024, 12, 31), "GB", "ENG") == 254

    def test_scotland_keeps_its_own_days(self) -> None:
        """Scotland has 2 January and St Andrew's Day, which England works."""
        sct = dict(weekday_holidays(*Y2026, "GB", "SCT"))
        assert date(2026, 1, 2) in sct and date(2026, 11, 30) in sct
        assert working_days(*Y2026, "GB", "SCT") < working_days(*Y2026, "GB", "ENG")

    def test_codes_are_read_in_any_case_and_by_name(self) -> None:
        """`gb`/`eng` and the library's alias `England` mean GB/ENG."""
        assert working_days(*Y2026, "gb", "eng") == 253
        assert working_days(*Y2026, "GB", "England") == 253

    def test_a_month_counts_its_own_holidays_only(self) -> None:
        """December 2026 in England: 23 weekdays less Christmas Day and the 28th = 21."""
        assert working_days(date(2026, 12, 1), date(2026, 12, 31), "GB", "ENG") == 21

    def test_a_range_across_new_year_uses_both_years(self) -> None:
        """28 Dec 2026 - 1 Jan 2027: five weekdays, two of them bank holidays."""
        assert working_days(date(2026, 12, 28), date(2027, 1, 1), "GB", "ENG") == 3


class TestRefusals:
    def test_unknown_country_is_a_usage_error_with_examples(self) -> None:
        """A code the library does not know names itself and suggests real ones."""
        with pytest.raises(UsageError) as e:
            working_days(*Y2026, "XX")
        assert str(e.value) == ("country 'XX': the holidays library does not know it — "
                                "use an ISO 3166 alpha-2 code such as GB, IE, DE, US, IN")
        assert e.value.exit_code == 2

    def test_unknown_subdivision_lists_the_known_ones(self) -> None:
        """`GB/ZZ` is refused with GB's four subdivisions."""
        with pytest.raises(UsageError, match=r"^subdivision 'ZZ' is not one of GB's \(ENG, NIR, SCT, WLS\)$"):
            working_days(*Y2026, "GB", "ZZ")

    def test_a_period_that_ends_before_it_starts_is_refused(self) -> None:
        """An inverted range is a usage error, not zero days."""
        with pytest.raises(UsageError, match="ends"):
            working_days(date(2026, 2, 1), date(2026, 1, 1), "GB")


def test_subdivisions_are_the_library_codes() -> None:
    """GB has four: England, Northern Ireland, Scotland, Wales."""
    from consult.core.workdays import subdivisions

    assert subdivisions("gb") == ("ENG", "NIR", "SCT", "WLS")
