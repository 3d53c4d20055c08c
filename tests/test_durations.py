"""The one duration parser: every form a person types, to whole minutes."""

from decimal import Decimal as D

import pytest

from consult.core.durations import DurationError, format_hm, parse_duration


@pytest.mark.parametrize("text,minutes", [
    ("7.5", 450), ("7.5h", 450), ("7,5h", 450), ("1h30m", 90), ("90m", 90), ("1:30", 90),
    ("1h", 60), ("45m", 45), ("0.5d", 225), ("1d", 450), ("1.33", 80), ("24h", 1440), ("0", 0),
])
def test_reads_every_documented_form(text, minutes):
    assert parse_duration(text, D("7.5")) == minutes


def test_a_day_is_the_engagements_day_not_24_hours():
    """0.5d on an 8-hour day is 4 hours."""
    assert parse_duration("0.5d", D(8)) == 240


@pytest.mark.parametrize("text,message", [
    ("1h75m", "minutes must be under 60 — e.g. 1h30m"),
    ("1:75", "minutes must be under 60"),
    ("-2h", "negative"),
    ("25h", "more than 24 hours"),
    ("abc", "not a duration — e.g. 7.5, 7.5h, 1h30m, 90m, 1:30 or 0.5d"),
    ("", "empty duration"),
    ("1.5h30m", "use whole hours with minutes"),
])
def test_errors_show_the_input_and_valid_forms(text, message):
    with pytest.raises(DurationError, match=message):
        parse_duration(text, D("7.5"))


def test_days_need_a_day_length():
    with pytest.raises(DurationError, match="hours_per_day"):
        parse_duration("1d")


def test_hm_format():
    assert [format_hm(m) for m in (450, 5, 0, 1440)] == ["7:30", "0:05", "0:00", "24:00"]
