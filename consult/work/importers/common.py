"""What every importer shares: the row it yields, the one refusal, time zones and the clock.

**The clock.** An entry's minutes are the time that really passed, measured between two
instants (UTC), never between two wall-clock readings: from 01:30 BST to 01:30 GMT on the
night the clocks go back is one hour, not nothing. The books write an entry's `start` and
`end` as local wall-clock times on one day, and the reader takes the minutes as `end - start`,
so an entry that crosses midnight or a change of the clock is split there, one written entry
per stretch of constant offset and day. Every written entry's minutes are its written
`start`–`end`, and their sum is the elapsed time:

* 00:30 GMT to 03:30 BST on 29 March 2026 (2 hours): 00:30–01:00 (30 min) and 02:00–03:30
  (90 min);
* 01:45 BST to 01:15 GMT on 25 October 2026 (30 minutes): 01:45–02:00 (15 min, BST) and
  01:00–01:15 (15 min, GMT).

A stretch that ends at midnight has no writable end (24:00 is not a time of day), so it is
written with its minutes only. Each start and end instant is rounded to the nearest minute
(30 seconds up) before it is split, so the parts add up to the rounded span exactly.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import NamedTuple

from consult.core.record import record
from consult.errors import BooksError, Problem, Source, UsageError

UTC = timezone.utc
NON_BILLABLE_TAGS = frozenset({"non-billable", "nonbillable", "unbillable", "internal"})
MAX_ENTRY = timedelta(hours=24)  # a longer entry is a timer left running: refused, not billed
_MINUTE = timedelta(minutes=1)


@record
class Row:
    """One entry as it will be written: a local day, whole minutes, not yet matched to the books."""

    where: Source
    keys: tuple[str, ...]  # names to match to CLIENT/ENGAGEMENT, most specific first
    project: str  # the name shown to the user when nothing matches
    day: date
    minutes: int
    start: time | None  # written start and end; None when only the minutes can be written
    end: time | None
    note: str | None
    billable: bool
    source_id: str
    tags: tuple[str, ...] = ()  # Watson/Timewarrior tags; those not used to match become the note
    begins: datetime = datetime.min.replace(tzinfo=timezone.utc)  # when the work began (orders the written lines)
    person: str | None = None  # whose time it is, in a team export
    aliases: tuple[str, ...] = ()  # ids the same work may carry in the books from older imports


@record
class Export:
    """What a file held: its rows, what was left out and why, and how it was read."""

    path: str
    tool: str
    rows: tuple[Row, ...]
    skipped: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()  # said in the summary: encoding, delimiter, a missing column…
    people: tuple[str, ...] = ()  # everyone whose time the file holds (before --user)
    user: str | None = None  # --user, when one person was picked out of a team export
    covers: tuple[date, date] | None = None  # the dates the file holds all of, when it says (a database)

    @property
    def span(self) -> tuple[date, date] | None:
        """The dates the export holds all the tool's time for: what it `covers` when that is
        known (a Watson frames file or Timewarrior data folder is the whole history, a month
        file its month), else its first to last day; None when it is empty."""
        if self.covers is not None:
            return self.covers
        if not self.rows:
            return None
        days = [r.day for r in self.rows]
        return min(days), max(days)


EVER = (date.min, date.max)  # what a whole database covers


class Bad(ValueError):
    """One value that cannot be read; becomes a Problem at its row and column."""

    def __init__(self, column: str | None, message: str):
        super().__init__(message)
        self.column = column


def refused(problems: list[Problem], path: str, kind: str | None = None) -> BooksError:
    """The one refusal of a file: every problem listed, and the promise that nothing was written."""
    n = len(problems)
    count = f" ({n} bad {kind}{'s' if n != 1 else ''})" if kind else ""
    return BooksError(problems, f"{path} cannot be imported{count}; nothing was written")


def one_line(text: str | None) -> str | None:
    """A note on one line (entries are one line each); blank is no note."""
    if text is None:
        return None
    s = " ".join(text.split())
    return s or None


# --- time zones -------------------------------------------------------------------------------
# Countries with one time zone (mainland), for the default --timezone; others must say it.
COUNTRY_ZONES = {
    "GB": "Europe/London", "IE": "Europe/Dublin", "DE": "Europe/Berlin", "FR": "Europe/Paris",
    "NL": "Europe/Amsterdam", "BE": "Europe/Brussels", "LU": "Europe/Luxembourg", "IT": "Europe/Rome",
    "CH": "Europe/Zurich", "AT": "Europe/Vienna", "DK": "Europe/Copenhagen", "SE": "Europe/Stockholm",
    "NO": "Europe/Oslo", "FI": "Europe/Helsinki", "PL": "Europe/Warsaw", "CZ": "Europe/Prague",
    "IN": "Asia/Kolkata", "SG": "Asia/Singapore", "JP": "Asia/Tokyo",
}


def zone(name: str | None, country: str | None) -> tzinfo | None:
    """The IANA zone `name`, else the practice country's only zone, else None (ask the user)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = name or COUNTRY_ZONES.get((country or "").upper())
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--timezone: '{name}' is not an IANA time zone — e.g. Europe/London, "
                         "America/New_York, Asia/Kolkata") from None


# --- the clock ----------------------------------------------------------------------------------
class Part(NamedTuple):
    """One written entry of a span: its day, minutes, written start/end, and the instant it began."""

    day: date
    minutes: int
    start: time | None
    end: time | None
    begins: datetime


_SECONDS = tuple(timedelta(seconds=s) for s in range(60))


def round_minute(t: datetime) -> datetime:
    """To the nearest whole minute, 30 seconds up."""
    s = t.second
    if not s and not t.microsecond:
        return t
    if t.microsecond or t.fold:
        down = t.replace(second=0, microsecond=0)
    else:  # a tracker's whole seconds: the same, without datetime.replace (see `_zoned`)
        down = t - _SECONDS[s]
    return down + _MINUTE if s >= 30 else down


def _zoned(t: datetime, tz: tzinfo | None) -> datetime:
    """`t.replace(tzinfo=tz)` (None: naive), the same value built by `datetime.combine`, at a
    fifth of the cost: datetime.replace parses its keyword arguments on every call, and an
    entry across midnight took ten of them."""
    return datetime.combine(t, t.time(), tz)


def _offset(instant: datetime, tz: tzinfo) -> timedelta:
    off = instant.astimezone(tz).utcoffset()
    return off if off is not None else timedelta()


def _change_before(a: datetime, b: datetime, off: timedelta, tz: tzinfo) -> datetime | None:
    """The first whole minute in (a, b) at which the offset is no longer `off`, if any."""
    if b - a <= _MINUTE or _offset(b - timedelta(seconds=1), tz) == off:
        return None
    lo, hi = 0, int((b - a) / _MINUTE)  # offset(a + lo min) == off; offset(a + hi min - 1 s) != off
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset(a + mid * _MINUTE, tz) == off:
            lo = mid
        else:
            hi = mid
    return a + hi * _MINUTE


def local_parts(start: datetime, end: datetime, tz: tzinfo) -> list[Part]:
    """The span between two instants (aware datetimes) as written entries in zone `tz`: split
    at local midnight and wherever the clock changes, each with its real minutes."""
    a = round_minute(start.astimezone(UTC))
    b = round_minute(end.astimezone(UTC))
    out: list[Part] = []
    if a < b:  # the common case, one stretch: same offset and same local day at both ends
        la, lb = a.astimezone(tz), b.astimezone(tz)
        if la.utcoffset() == lb.utcoffset() and la.date() == lb.date():
            return [Part(la.date(), int((b - a) / _MINUTE), la.time(), lb.time(), a)]  # .time(): naive
    while a < b:
        off = _offset(a, tz)
        wall = _zoned(a + off, None)
        midnight = datetime.combine(wall.date() + timedelta(days=1), time(0))
        stop = min(b, _zoned(midnight - off, UTC))
        change = _change_before(a, stop, off, tz)
        if change is not None:
            stop = change
        wall_stop = _zoned(stop + off, None)
        minutes = int((stop - a) / _MINUTE)
        if wall_stop == midnight:
            out.append(Part(wall.date(), minutes, None, None, a))
        else:
            out.append(Part(wall.date(), minutes, wall.time(), wall_stop.time(), a))
        a = stop
    return out


def day_parts(start: datetime, end: datetime, tz: tzinfo | None = None) -> list[Part]:
    """`local_parts` for wall-clock datetimes: naive ones are read in `tz` (None: a clock that
    never changes), aware ones as the instants they are."""
    z = tz or UTC
    s = start if start.tzinfo else _zoned(start, z)
    e = end if end.tzinfo else _zoned(end, z)
    return local_parts(s, e, z)


def wall_span(start: datetime, end: datetime, tz: tzinfo | None, seconds: int | None) -> tuple[datetime, datetime]:
    """Two local wall-clock readings (naive) as instants (UTC).

    A reading in the hour the clock repeats (01:30 on the night the clocks go back) is two
    instants; the pair whose elapsed time is the export's own duration (`seconds`) is taken, or
    without one the shortest that lasts at least half a minute."""
    if tz is None:
        return _zoned(start, UTC), _zoned(end, UTC)
    s0, e0 = _zoned(start, tz), _zoned(end, tz)
    s_two = s0.utcoffset() != s0.replace(fold=1).utcoffset()
    e_two = e0.utcoffset() != e0.replace(fold=1).utcoffset()
    if not s_two and not e_two:
        return s0.astimezone(UTC), e0.astimezone(UTC)
    pairs = [(s0.replace(fold=i).astimezone(UTC), e0.replace(fold=j).astimezone(UTC))
             for i in ((0, 1) if s_two else (0,)) for j in ((0, 1) if e_two else (0,))]

    def length(p: tuple[datetime, datetime]) -> float:
        return (p[1] - p[0]).total_seconds()

    if seconds is not None:
        return min(pairs, key=lambda p: abs(length(p) - seconds))
    fit = [p for p in pairs if length(p) >= 30] or [p for p in pairs if length(p) >= 0] or pairs
    return min(fit, key=length)


def entry_rows(where: Source, keys: tuple[str, ...], project: str, start: datetime, end: datetime,
               tz: tzinfo, note: str | None, billable: bool, sid: str, skipped: list[str], label: str,
               tags: tuple[str, ...] = (), person: str | None = None,
               aliases: tuple[str, ...] = ()) -> list[Row]:
    """The written rows of one tracked span (instants): refused when it ends before it starts or
    runs past a day; skipped (and counted) when it rounds to no time at all. The first part
    keeps the tool's id, later parts add `~2`, `~3`…"""
    a, b = start.astimezone(UTC), end.astimezone(UTC)
    if b < a:
        raise Bad(None, f"ends ({b.astimezone(tz):%Y-%m-%d %H:%M}) before it starts "
                  f"({a.astimezone(tz):%Y-%m-%d %H:%M}); fix it in {label} and export again")
    if b - a > MAX_ENTRY:
        hours = (b - a).total_seconds() / 3600
        raise Bad(None, f"lasts {hours:.1f} hours from {a.astimezone(tz):%Y-%m-%d %H:%M} — a timer left "
                  f"running? Fix it in {label} and export again")
    parts = local_parts(a, b, tz)
    if not parts:
        skipped.append(f"{where}: under half a minute")
        return []
    out = []
    for i, p in enumerate(parts):
        suffix = "" if i == 0 else f"~{i + 1}"
        out.append(Row(where, keys, project, p.day, p.minutes, p.start, p.end, note, billable, sid + suffix,
                       tags, p.begins, person, tuple(a + suffix for a in aliases)))
    return out


# --- instants written by Watson and Timewarrior -------------------------------------------------
_COMPACT = re.compile(r"\d{8}T\d{6}Z")


def _instant(value: object, what: str) -> datetime:
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str) and _COMPACT.fullmatch(value):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if isinstance(value, str):
            t = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            if t.tzinfo is None:
                raise ValueError
            return t.astimezone(UTC)
        raise ValueError
    except (ValueError, OverflowError, OSError):
        raise Bad(what, f"{value!r} is not a point in time — expected epoch seconds or "
                  "2026-10-01T09:00:00+01:00 / 20261001T080000Z") from None


def instant(value: object, what: str) -> datetime:
    """An instant as Watson/Timewarrior write it (epoch seconds, ISO 8601 with an offset, or
    20261001T090000Z), in UTC, inside the books' years (consult.core.periods: 1900–2200), so no
    zone arithmetic on it can leave what a date can hold."""
    from consult.core.periods import MAX_YEAR, MIN_YEAR

    t = _instant(value, what)
    if not MIN_YEAR <= t.year <= MAX_YEAR:
        raise Bad(what, f"{value!r} is outside the years {MIN_YEAR}–{MAX_YEAR}; check the export")
    return t


def tag_list(value: object, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise Bad(what, "expected a list of tag names")
    return [t.strip() for t in value if t.strip()]
