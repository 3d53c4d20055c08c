"""Periods and days as people write them: the one grammar behind every `--period`, `--from`,
`--to`, `--date` and `--as-of`.

Every command that takes a period reads it here, so `consult time report --period 2026-Q3`,
`consult invoice create acme --period 2026-Q3` and `consult vat return 2026-Q3` mean the same
dates. The forms (docs/books-format.md, "Periods and dates"):

========================  ==========================================================
``2026-10``               a calendar month
``2026-Q3``               a calendar quarter (Q1 January–March)
``2026-W42``              an ISO week, Monday to Sunday
``2026``                  a calendar year (a tax year where the command asks for one)
``2026/27``               the tax year that starts in 2026 (UK: 6 April 2026–5 April 2027)
``2026-10-05``            one day
``FROM..TO``              inclusive days; either end may be any day form
``this-month``, ``last-month``, ``this-quarter``, ``last-quarter``, ``this-year``,
``last-year``             relative to today
========================  ==========================================================

A day is ``YYYY-MM-DD``, ``today``, ``yesterday`` or a weekday name (``monday`` or ``mon``:
the latest such day on or before today, as a person logging time means it). Years run from
1900 to 2200: a date outside that range is a typo, and refusing it keeps every later date sum
(a due date, a tax year's end) inside what Python's `date` can hold.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal

from consult.core.record import record
from consult.errors import UsageError

MIN_YEAR, MAX_YEAR = 1900, 2200
PERIOD_EXAMPLES = ("2026-10, 2026-Q3, 2026-W42, 2026, 2026/27 (a UK tax year), 2026-10-05, "
                   "2026-10-01..2026-10-15 or last-month")
DAY_EXAMPLES = "2026-10-05, today, yesterday or a weekday such as monday"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

Kind = Literal["day", "week", "month", "quarter", "year", "tax_year", "range", "open"]


@record
class Period:
    """Inclusive days; None at either end means open (all time before or after).

    `kind` says how it was written: quarters of a `year` or `tax_year` step three months from
    its first day (so a UK tax year's quarters are the Making Tax Digital ones); any other
    period is cut into calendar quarters.
    """

    start: date | None
    end: date | None
    label: str = "all time"
    kind: Kind = "open"

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and (self.start is None or d >= self.start) and \
            (self.end is None or d <= self.end)

    @property
    def bounded(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def days(self) -> tuple[date, date]:
        """(first, last) of a bounded period; a usage error for an open one."""
        if self.start is None or self.end is None:
            raise UsageError(f"the period '{self.label}' is open-ended; give both ends — e.g. {PERIOD_EXAMPLES}")
        return self.start, self.end

    def overlaps(self, start: date, end: date) -> bool:
        return (self.start is None or end >= self.start) and (self.end is None or start <= self.end)


ALL_TIME = Period(None, None)


# ------------------------------------------------------------------------------------------
# building blocks
# ------------------------------------------------------------------------------------------
def _check_year(y: int, text: str, what: str) -> int:
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise UsageError(f"{what}: '{text}' is outside {MIN_YEAR}–{MAX_YEAR}; check the year")
    return y


def month_end(y: int, m: int) -> date:
    return date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)


def month(y: int, m: int) -> Period:
    return Period(date(y, m, 1), month_end(y, m), f"{y}-{m:02d}", "month")


def quarter(y: int, q: int) -> Period:
    return Period(date(y, 3 * q - 2, 1), month_end(y, 3 * q), f"{y}-Q{q}", "quarter")


def calendar_year(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), str(year), "year")


def tax_year(year: int, start: tuple[int, int] = (4, 6)) -> Period:
    """The tax year that starts in `year` (UK: 6 April `year` to 5 April next year, `2026/27`).
    A practice whose tax year starts on 1 January gets the calendar year."""
    mo, dd = start
    if (mo, dd) == (1, 1):
        return Period(date(year, 1, 1), date(year, 12, 31), str(year), "tax_year")
    first = date(year, mo, dd)
    last = date(year + 1, mo, dd) - timedelta(days=1)
    return Period(first, last, f"{year}/{(year + 1) % 100:02d}", "tax_year")


def tax_year_of(day: date, start: tuple[int, int] = (4, 6)) -> Period:
    """The tax year holding `day`."""
    return tax_year(day.year if (day.month, day.day) >= start else day.year - 1, start)


def between(start: date | None, end: date | None) -> Period:
    """`--from`/`--to`: either end may be open."""
    if start and end and end < start:
        raise UsageError(f"--to {end} is before --from {start}")
    if start is None and end is None:
        return ALL_TIME
    return Period(start, end, f"{start or '…'}..{end or '…'}", "range")


# ------------------------------------------------------------------------------------------
# days
# ------------------------------------------------------------------------------------------
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_iso_day(text: str) -> date:
    """A `YYYY-MM-DD` day, years 1900–2200; ValueError says whether the form, the calendar or
    the year is wrong (the one date rule: the books' dates and the command line's)."""
    m = _ISO_DAY.fullmatch(text.strip())
    if not m:
        raise ValueError(f"'{text}' is not a date — write YYYY-MM-DD, e.g. 2026-10-31")
    if not MIN_YEAR <= int(m[1]) <= MAX_YEAR:
        raise ValueError(f"'{text}' is outside the years {MIN_YEAR}–{MAX_YEAR}; check the year")
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise ValueError(f"'{text}' is not a real date (check the day and month)") from None


def iso_day(text: str, what: str = "date") -> date:
    """`parse_iso_day` for the command line: a UsageError naming the option."""
    try:
        return parse_iso_day(text)
    except ValueError as e:
        raise UsageError(f"{what}: {e}") from None


def parse_day(text: str, today: date | None = None, what: str = "date") -> date:
    """A day as typed on the command line: ISO, `today`, `yesterday`, or a weekday name."""
    t = text.strip().lower()
    if today is not None:
        if t == "today":
            return today
        if t == "yesterday":
            return today - timedelta(days=1)
        for i, name in enumerate(WEEKDAYS):
            if t in (name, name[:3]):
                return today - timedelta(days=(today.weekday() - i) % 7)
    if _ISO_DAY.fullmatch(t):
        return iso_day(t, what)
    raise UsageError(f"{what}: '{text}' is not a day — e.g. {DAY_EXAMPLES if today else '2026-10-05'}")


# ------------------------------------------------------------------------------------------
# the grammar
# ------------------------------------------------------------------------------------------
def _relative(t: str, today: date) -> Period | None:
    which, _, unit = t.partition("-")
    if which not in ("this", "last") or unit not in ("month", "quarter", "year"):
        return None
    y, m = today.year, today.month
    if unit == "month":
        if which == "last":
            y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        return month(y, m)
    if unit == "quarter":
        q = (m - 1) // 3 + 1
        if which == "last":
            y, q = (y - 1, 4) if q == 1 else (y, q - 1)
        return quarter(y, q)
    return calendar_year(y - (which == "last"))


def parse_period(text: str, *, tax_year_start: tuple[int, int] = (4, 6), today: date | None = None,
                 year_is_tax_year: bool = False, what: str = "--period") -> Period:
    """A period as people write it (see the module docstring); UsageError showing the forms.

    `year_is_tax_year`: a bare year (`2026`) means the tax year starting in it (`earnings
    --tax-year 2026`, `tax estimate 2026`)."""
    t = text.strip()
    low = t.lower()
    try:
        if today is not None and (rel := _relative(low, today)) is not None:
            return rel
        if m := re.fullmatch(r"(\d{4})-(\d{2})", t):
            y, mo = _check_year(int(m[1]), t, what), int(m[2])
            if not 1 <= mo <= 12:
                raise ValueError(t)
            return month(y, mo)
        if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", t):
            return quarter(_check_year(int(m[1]), t, what), int(m[2]))
        if m := re.fullmatch(r"(\d{4})-[Ww](\d{1,2})", t):
            y, w = _check_year(int(m[1]), t, what), int(m[2])
            monday = date.fromisocalendar(y, w, 1)
            return Period(monday, monday + timedelta(days=6), f"{y}-W{w:02d}", "week")
        if m := re.fullmatch(r"(\d{4})", t):
            y = _check_year(int(m[1]), t, what)
            return tax_year(y, tax_year_start) if year_is_tax_year else calendar_year(y)
        if m := re.fullmatch(r"(\d{4})/(\d{2})", t):
            y = _check_year(int(m[1]), t, what)
            if int(m[2]) != (y + 1) % 100:
                raise UsageError(f"{what}: '{t}' is not a tax year — e.g. {y}/{(y + 1) % 100:02d}")
            return tax_year(y, tax_year_start)
        if ".." in t:
            a, b = (s.strip() for s in t.split("..", 1))
            if not a or not b:
                raise ValueError(t)
            start, end = parse_day(a, today, what), parse_day(b, today, what)
            if end < start:
                raise UsageError(f"{what}: {end} is before {start} — write FROM..TO, earliest first")
            return Period(start, end, f"{start}..{end}", "range")
        if _ISO_DAY.fullmatch(t) or (today is not None and low in ("today", "yesterday", *WEEKDAYS,
                                                                  *(w[:3] for w in WEEKDAYS))):
            d = parse_day(t, today, what)
            return Period(d, d, d.isoformat(), "day")
    except ValueError:
        pass
    raise UsageError(f"{what}: '{text}' is not a period — e.g. {PERIOD_EXAMPLES}")


# ------------------------------------------------------------------------------------------
# slicing a period for reports
# ------------------------------------------------------------------------------------------
@record
class Slice:
    """A month or a quarter of a period (inclusive days) with its label."""

    key: str
    label: str
    start: date
    end: date

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.start <= d <= self.end


def months_of(p: Period) -> list[Slice]:
    """Calendar months touching `p`, each clipped to it."""
    start, end = p.days
    out = []
    y, m = start.year, start.month
    while date(y, m, 1) <= end:
        a, b = max(date(y, m, 1), start), min(month_end(y, m), end)
        out.append(Slice(f"{y}-{m:02d}", f"{date(y, m, 1):%b %Y}", a, b))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def quarters_of(p: Period) -> list[Slice]:
    """Quarters of `p`: three-month steps from its first day for a year or tax year (a UK tax
    year's quarters are then MTD's: 6 Apr–5 Jul, …), calendar quarters for anything else."""
    start, end = p.days
    out = []
    if p.kind in ("year", "tax_year"):
        a, n = start, 1
        while a <= end:
            nxt = _add_months(start, 3 * n)
            b = min(nxt - timedelta(days=1), end)
            out.append(Slice(f"Q{n}", f"Q{n} {_short(a)}–{_short(b)}", a, b))
            a, n = nxt, n + 1
        return out
    y, q = start.year, (start.month - 1) // 3 + 1
    while True:
        qp = quarter(y, q)
        assert qp.start is not None and qp.end is not None
        if qp.start > end:
            break
        a, b = max(qp.start, start), min(qp.end, end)
        out.append(Slice(f"{y}-Q{q}", f"{y} Q{q}", a, b))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    y += d.year
    m += 1
    return date(y, m, min(d.day, month_end(y, m).day))


def _short(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def year_or_period(text: str | None, *, today: date, use_tax_year: bool = False,
                   tax_year_start: tuple[int, int] = (4, 6), what: str = "period") -> Period:
    """A report's period: none means the year holding `today` (the tax year with
    `use_tax_year`); with `use_tax_year` a bare year is the tax year starting in it, and only
    a year or tax year is accepted."""
    if text is None:
        return tax_year_of(today, tax_year_start) if use_tax_year else calendar_year(today.year)
    p = parse_period(text, tax_year_start=tax_year_start, today=today, year_is_tax_year=use_tax_year, what=what)
    if use_tax_year and p.kind != "tax_year":
        raise UsageError(f"--tax-year takes a year (2026 or 2026/27), not '{text}'")
    return p


# --------------------------------------------------------------------------------------------
# a record of something that happened is not dated after today
def a_year_after(day: date) -> date:
    """The same day a year later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def future_date(day: date, today: date, what: str, done: str) -> tuple[Literal["warning", "error"], str] | None:
    """The one rule for a record of money that moved (an expense or trip, money received, a
    refund, a write-off, an allocation): it is dated the day it happened, so a day after `today`
    is not a record of something that happened.

    None when `day` is today or earlier; ("warning", why) when it is after today (recorded early:
    nothing is wrong once the day comes); ("error", why) when it is more than a year after today
    — a typo in the year (`2062-10-14`) that would put the money in a tax year and VAT return
    decades away and leave it out of this one's. `what` names the record ("a payment"), `done`
    what happened on its day ("received")."""
    if day <= today:
        return None
    if day > a_year_after(today):
        return "error", (f"{day} is more than a year after today ({today}); {what} is dated the day it was "
                         f"{done} — check the year")
    return "warning", f"{day} is after today ({today}); {what} is dated the day it was {done} — record it once it is {done}"
