"""Working days: the weekdays of a period less the bank holidays that fall on them.

The holiday dates come from the `holidays` package (computed offline, by country and
subdivision), not from a table of our own: it knows that Boxing Day 2026 is a Saturday and
that its substitute is Monday 28 December, and it knows regional days such as Scotland's
2 January. See docs/money-rules.md §11 (England 2026: 261 weekdays − 8 = 253).

Rules written down once:

* Both ends of the range count (`start` and `end` are inclusive).
* A weekday is Monday to Friday. A bank holiday counts once however many names it has, and
  only when it falls on a weekday; a holiday on a Saturday is not counted itself — its
  substitute ("observed") Monday is, because the library lists the substitute as a holiday.
* Only the library's default category (public holidays) counts; optional or bank-only days in
  other countries are not deducted.
* An unknown country or subdivision is a usage error naming what the library does know, so
  `--country XX` exits 2 with one line instead of a traceback.

Nothing here reads a file or the clock: callers pass the dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Any

from consult.errors import UsageError

WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise UsageError(f"the period ends ({end.isoformat()}) before it starts ({start.isoformat()})")


def _normalise(country: str, subdiv: str | None) -> tuple[str, str | None]:
    """Upper-case the country code, and map a subdivision written in any case to the library's code."""
    import holidays

    code = (country or "").strip().upper()
    supported = holidays.list_supported_countries()
    if code not in supported:
        raise UsageError(f"country '{country}': the holidays library does not know it — "
                         f"use an ISO 3166 alpha-2 code such as GB, IE, DE, US, IN")
    if subdiv is None or not str(subdiv).strip():
        return code, None
    known = list(supported[code])
    wanted = str(subdiv).strip()
    for s in known:
        if s.upper() == wanted.upper():
            return code, s
    aliases = getattr(holidays.country_holidays(code), "subdivisions_aliases", {}) or {}
    for alias, s in aliases.items():
        if alias.upper() == wanted.upper():
            return code, s
    shown = ", ".join(known) if known else "none"
    raise UsageError(f"subdivision '{subdiv}' is not one of {code}'s ({shown})")


@lru_cache(maxsize=64)
def _calendar(country: str, subdiv: str | None, years: tuple[int, ...]) -> Any:
    import holidays

    try:
        return holidays.country_holidays(country, subdiv=subdiv, years=years)
    except NotImplementedError as e:  # pragma: no cover - _normalise already refuses these
        raise UsageError(f"{country}/{subdiv}: {e}") from None


def bank_holidays(start: date, end: date, country: str, subdiv: str | None = None) -> list[tuple[date, str]]:
    """Every public holiday from `start` to `end` inclusive, weekend ones too, oldest first.

    Names as the library gives them ("Boxing Day (observed)" marks a substitute day); a date
    with two names is one entry with the names joined by "; ".
    """
    _check_range(start, end)
    code, sub = _normalise(country, subdiv)
    cal = _calendar(code, sub, tuple(range(start.year, end.year + 1)))
    return sorted((d, str(name)) for d, name in cal.items() if start <= d <= end)


def weekdays(start: date, end: date) -> int:
    """Mondays to Fridays from `start` to `end` inclusive (2026: 261)."""
    _check_range(start, end)
    days = (end - start).days + 1
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    first = start.weekday()
    count += sum(1 for i in range(rest) if (first + i) % 7 not in WEEKEND)
    return count


def working_days(start: date, end: date, country: str, subdiv: str | None = None,
                 holidays: Iterable[date] | None = None) -> int:
    """Weekdays from `start` to `end` inclusive, less the public holidays that fall on a weekday.

    England 2026: 261 − 8 = 253 (Boxing Day is a Saturday; Monday 28 December is its substitute).
    `holidays`: `bank_holidays(start, end, country, subdiv)`'s dates when the caller has them
    already (kept between runs: consult.earnings), instead of asking the library again.
    """
    days = [d for d, _ in bank_holidays(start, end, country, subdiv)] if holidays is None else holidays
    on_weekdays = {d for d in days if start <= d <= end and d.weekday() not in WEEKEND}
    return weekdays(start, end) - len(on_weekdays)


def year_bounds(year: int) -> tuple[date, date]:
    """1 January and 31 December of `year`."""
    return date(year, 1, 1), date(year, 12, 31)


def subdivisions(country: str) -> tuple[str, ...]:
    """The subdivision codes the library knows for `country` (GB: ENG, NIR, SCT, WLS)."""
    code, _ = _normalise(country, None)
    import holidays

    return tuple(holidays.list_supported_countries()[code])


def weekday_holidays(start: date, end: date, country: str, subdiv: str | None = None) -> list[tuple[date, str]]:
    """The bank holidays that actually cost a working day (those on Monday to Friday)."""
    return [(d, n) for d, n in bank_holidays(start, end, country, subdiv) if d.weekday() not in WEEKEND]


__all__ = ["bank_holidays", "subdivisions", "weekday_holidays", "weekdays", "working_days", "year_bounds"]
