"""The one duration parser: what people type for time worked, to whole minutes.

Accepted forms (klog's habit: every error shows the bad input and valid examples):
  7.5   7.5h   7,5h   1h30m   1h   90m   1:30   0.5d (days of the engagement's hours_per_day)
A bare number is hours. Decimal hours are taken to the nearest whole minute (half up):
1.33 h is 80 min. Minutes in `1h75m` or `1:75` must be under 60; nothing may be negative or
longer than 24 hours.
"""

from __future__ import annotations

import re
from datetime import time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

EXAMPLES = "e.g. 7.5, 7.5h, 1h30m, 90m, 1:30 or 0.5d"
DAY_MINUTES = 24 * 60

_HM = re.compile(r"(?:(\d+(?:[.,]\d+)?)\s*h)?\s*(?:(\d+)\s*m)?")
_CLOCK = re.compile(r"(\d+):(\d{1,2})")
_NUM = re.compile(r"(\d+(?:[.,]\d+)?|[.,]\d+)\s*([hd]?)")


class DurationError(ValueError):
    """A duration that cannot be read; the message shows the input and valid forms."""


def _dec(s: str) -> Decimal:
    try:
        return Decimal(s.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - regexes only pass digits
        raise DurationError(f"'{s}' is not a number") from None


def hours_to_minutes(hours: Decimal) -> int:
    """Decimal hours to whole minutes, half up (1.33 h -> 80 min)."""
    return int((hours * 60).to_integral_value(rounding=ROUND_HALF_UP))


def parse_duration(text: str, hours_per_day: Decimal | None = None) -> int:
    """Minutes in `text`. `hours_per_day` is needed only for the `d` (days) form."""
    raw = text
    s = text.strip().lower()
    if not s:
        raise DurationError(f"empty duration — {EXAMPLES}")
    if s.startswith("-"):
        raise DurationError(f"'{raw}' is negative — time worked is never below zero ({EXAMPLES})")
    if m := _CLOCK.fullmatch(s):
        h, mins = int(m[1]), int(m[2])
        if mins >= 60:
            raise DurationError(f"'{raw}': minutes must be under 60 — e.g. 1:30 for an hour and a half")
        total = h * 60 + mins
    elif m := _NUM.fullmatch(s):
        value = _dec(m[1])
        if m[2] == "d":
            if hours_per_day is None:
                raise DurationError(f"'{raw}' is in days, but no hours_per_day is known here")
            total = hours_to_minutes(value * hours_per_day)
        else:
            total = hours_to_minutes(value)
    elif (m := _HM.fullmatch(s)) and (m[1] or m[2]):
        if m[1] and ("." in m[1] or "," in m[1]) and m[2]:
            raise DurationError(f"'{raw}': use whole hours with minutes — e.g. 1h30m, or 1.5h alone")
        mins = int(m[2] or 0)
        if m[1] and mins >= 60:
            raise DurationError(f"'{raw}': minutes must be under 60 — e.g. 1h30m, 90m or 1.5h")
        total = hours_to_minutes(_dec(m[1] or "0")) + mins
    else:
        raise DurationError(f"'{raw}' is not a duration — {EXAMPLES}")
    if total > DAY_MINUTES:
        raise DurationError(f"'{raw}' is more than 24 hours — split it across days")
    return total


def span_minutes(start: time, end: time) -> int:
    """Minutes from start to end on one day; an end before the start is an error."""
    a = start.hour * 60 + start.minute
    b = end.hour * 60 + end.minute
    if b <= a:
        raise DurationError(
            f"end {end:%H:%M} is not after start {start:%H:%M} — entries cannot cross midnight; split them"
        )
    return b - a


def parse_clock(text: str) -> time:
    """`09:00` or `9:00` or `17:30` to a time of day."""
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise DurationError(f"'{text}' is not a time of day — write 09:00 or 17:30")
    return time(int(m[1]), int(m[2]))


def format_hm(minutes: int) -> str:
    """Minutes as h:mm (450 -> 7:30)."""
    sign = "-" if minutes < 0 else ""
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h}:{m:02d}"


def format_hours(minutes: int) -> str:
    """Minutes as decimal hours to two places (450 -> 7.50), exact where it can be."""
    return f"{(Decimal(minutes) / 60).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"
