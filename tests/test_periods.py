"""The one period grammar: every `--period`, `--from`, `--to`, `--date` and `--as-of` reads here."""

from __future__ import annotations

from datetime import date

import pytest

from consult.core.periods import between, parse_day, parse_period, quarters_of, tax_year_of, year_or_period
from consult.errors import UsageError

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize("text, start, end, kind", [
    ("2026-10", date(2026, 10, 1), date(2026, 10, 31), "month"),
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28), "month"),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "month"),
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "quarter"),
    ("2026-q4", date(2026, 10, 1), date(2026, 12, 31), "quarter"),
    ("2026-W42", date(2026, 10, 12), date(2026, 10, 18), "week"),
    ("2026-W01", date(2025, 12, 29), date(2026, 1, 4), "week"),   # ISO week 1 starts in the old year
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "year"),
    ("2026/27", date(2026, 4, 6), date(2027, 4, 5), "tax_year"),  # the UK tax year
    ("2026-10-05", date(2026, 10, 5), date(2026, 10, 5), "day"),
    ("2026-10-01..2026-10-15", date(2026, 10, 1), date(2026, 10, 15), "range"),
    ("this-month", date(2026, 11, 1), date(2026, 11, 30), "month"),
    ("last-month", date(2026, 10, 1), date(2026, 10, 31), "month"),
    ("this-quarter", date(2026, 10, 1), date(2026, 12, 31), "quarter"),
    ("last-quarter", date(2026, 7, 1), date(2026, 9, 30), "quarter"),
    ("last-year", date(2025, 1, 1), date(2025, 12, 31), "year"),
    ("monday..today", date(2026, 11, 23), date(2026, 11, 25), "range"),
])
def test_periods_people_write_become_inclusive_dates(text, start, end, kind):
    """Month, quarter, ISO week, year, tax year, day, range and the relative words all give
    their first and last day."""
    p = parse_period(text, today=TODAY)
    assert (p.start, p.end, p.kind) == (start, end, kind)


def test_last_month_in_january_is_december_of_the_year_before():
    assert parse_period("last-month", today=date(2027, 1, 10)).days == (date(2026, 12, 1), date(2026, 12, 31))


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "2026-W54", "Oct", "next-month", "2026-10-05..",
                                  "last-month"])
def test_a_period_that_is_not_one_names_itself_and_the_forms(text):
    """A bad period is refused with the text given and examples of every accepted form (the
    relative words need today's date, so a library caller without one gets the same refusal)."""
    with pytest.raises(UsageError) as e:
        parse_period(text)
    assert f"'{text}' is not a period — e.g. 2026-10, 2026-Q3, 2026-W42" in str(e.value)


@pytest.mark.parametrize("text, message", [
    ("2026/28", "--period: '2026/28' is not a tax year — e.g. 2026/27"),
    ("2026-10-32", "--period: '2026-10-32' is not a real date (check the day and month)"),
    ("0001-01-01", "--period: '0001-01-01' is outside the years 1900–2200; check the year"),
    ("9999", "--period: '9999' is outside 1900–2200; check the year"),
    ("2026-10-15..2026-10-01", "--period: 2026-10-01 is before 2026-10-15 — write FROM..TO, earliest first"),
])
def test_a_near_miss_says_exactly_what_is_wrong(text, message):
    with pytest.raises(UsageError) as e:
        parse_period(text, today=TODAY)
    assert str(e.value) == message


@pytest.mark.parametrize("text, day", [
    ("today", date(2026, 11, 25)), ("yesterday", date(2026, 11, 24)), ("wednesday", date(2026, 11, 25)),
    ("monday", date(2026, 11, 23)), ("Mon", date(2026, 11, 23)), ("thursday", date(2026, 11, 19)),
    ("2026-10-05", date(2026, 10, 5)),
])
def test_a_day_may_be_named_as_a_person_logging_time_names_it(text, day):
    """A weekday is the latest such day on or before today (never a day in the future)."""
    assert parse_day(text, TODAY) == day


def test_an_open_period_cannot_be_billed():
    """`--from` alone is fine for a report; an invoice needs both ends."""
    p = between(date(2026, 10, 1), None)
    assert date(2030, 1, 1) in p and date(2026, 9, 30) not in p
    with pytest.raises(UsageError, match="open-ended"):
        _ = p.days


def test_a_tax_year_and_its_quarters_are_the_mtd_ones():
    p = year_or_period("2026", today=TODAY, use_tax_year=True)
    assert p.days == (date(2026, 4, 6), date(2027, 4, 5))
    assert [(q.start, q.end) for q in quarters_of(p)] == [
        (date(2026, 4, 6), date(2026, 7, 5)), (date(2026, 7, 6), date(2026, 10, 5)),
        (date(2026, 10, 6), date(2027, 1, 5)), (date(2027, 1, 6), date(2027, 4, 5))]
    assert tax_year_of(date(2026, 4, 5)).label == "2025/26"
    with pytest.raises(UsageError, match="--tax-year takes a year"):
        year_or_period("2026-Q3", today=TODAY, use_tax_year=True)


def test_every_command_reads_the_same_grammar(run_cli):
    """`time report`, `invoice create` and `earnings` all take 2026-Q3 (one parser behind them)."""
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    for args in (("time", "report", "--period", "2026-Q3"), ("earnings", "2026-Q3"),
                 ("invoice", "create", "lotus-insights", "--period", "2026-Q4", "--dry-run")):
        code, out, err = run_cli(*args, books=repo)
        assert code == 0, (args, err)


@pytest.mark.parametrize("text", ["wed", "Wednesday", "wednesday"])
def test_a_period_may_be_a_day_named_as_the_date_options_name_it(text):
    """`--period wed` is the day `--date wed` is (it was refused as not a period)."""
    p = parse_period(text, today=TODAY)
    assert (p.start, p.end) == (date(2026, 11, 25), date(2026, 11, 25))
