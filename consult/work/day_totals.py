"""Time per engagement per day, for reports over years of timesheets.

Why: `consult time report`, `time unbilled` and `consult earnings` need only each engagement's
time per calendar day (billing turns a day's minutes into days or hours), yet ten years of
timesheets are 100,000 rows whose reading dominates those commands. So each client's daily
totals are kept in `<books>/.consult-cache/day-totals.json` (consult.books.cache), stamped
with every file they depend on: the client's timesheet files, its client.yaml and engagement
files, and practice.yaml (which sets the default hours per day and so how entries given in days
read). Any change to any of them, a file added or removed, and that client is read again
through the one timesheet reader (`consult.books.timesheets.read_timesheets`), so the totals
can never be stale. Only clients whose files read without errors are cached; errors stop the
command as `open_books` would.

A day's totals are three whole-minute counts (`DayTotal`): all time logged, billable time, and
billable time with each entry rounded up to the engagement's `time_increment_minutes` (what an
hourly engagement bills; per entry, so it cannot be derived from the other two).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from consult.core.records import Books, Engagement, TimeEntry
from consult.errors import Problem
from consult.work.rules import billed_minutes

CACHE_FILE = "day-totals.json"
FORMAT = "consult-day-totals-3"  # 3: booleans read by the one rule (true/yes, false/no)


class DayTotal(NamedTuple):
    """One engagement's time on one calendar day, in whole minutes."""

    minutes: int    # all time logged, billable or not
    billable: int   # billable time as logged
    billed: int     # billable time, each entry rounded up to the engagement's increment


# (client, engagement) -> {day: DayTotal}
Totals = dict[tuple[str, str], dict[date, DayTotal]]
# (client, engagement) -> {day: billable minutes}; days with no billable time left out
Minutes = dict[tuple[str, str], dict[date, int]]


def day_totals_of(entries: Iterable[TimeEntry], engagements: dict[tuple[str, str], Engagement]) -> Totals:
    """Per engagement per day totals from time entries (the uncached path and the tests' oracle)."""
    acc: dict[tuple[str, str], dict[date, list[int]]] = defaultdict(dict)
    inc: dict[tuple[str, str], int | None] = {}
    for e in entries:
        key = (e.client, e.engagement)
        step = inc.get(key, 0)
        if step == 0:
            eng = engagements.get(key)
            step = inc[key] = eng.time_increment_minutes if eng is not None else None
        days = acc[key]
        day = days.get(e.date)
        if day is None:
            day = days[e.date] = [0, 0, 0]
        m = e.minutes
        day[0] += m
        if e.billable:
            day[1] += m
            day[2] += billed_minutes(m, step) if step else m
    return {k: {d: DayTotal(*v) for d, v in days.items()} for k, days in acc.items()}


def billable_of(totals: Totals) -> Minutes:
    """Billable minutes per engagement per day (what earnings values), from day totals."""
    out: Minutes = {}
    for key, days in totals.items():
        got = {d: t.billable for d, t in days.items() if t.billable}
        if got:
            out[key] = got
    return out


def aggregate(entries: list[TimeEntry] | tuple[TimeEntry, ...]) -> Minutes:
    """Billable minutes per engagement per day from time entries."""
    out: Minutes = defaultdict(lambda: defaultdict(int))
    for e in entries:
        if e.billable:
            out[(e.client, e.engagement)][e.date] += e.minutes
    return {k: dict(v) for k, v in out.items()}


def _files(root: Path, client_id: str) -> list[str]:
    """Every file a client's day totals depend on (relative paths)."""
    cdir = root / "clients" / client_id
    files = [root / "practice.yaml", cdir / "client.yaml"]
    for sub in ("engagements", "timesheets"):
        d = cdir / sub
        if d.is_dir():
            files.extend(sorted(p for p in d.iterdir() if p.is_file()))
    return [p.relative_to(root).as_posix() for p in files if p.exists()]


def _encode(totals: Totals) -> dict[str, list[list[int]]]:
    """Columns of ordinals and counts: compact, and fast for json to read back."""
    out: dict[str, list[list[int]]] = {}
    for (_, eng), days in totals.items():
        ds = sorted(days)
        out[eng] = [[d.toordinal() for d in ds], [days[d].minutes for d in ds],
                    [days[d].billable for d in ds], [days[d].billed for d in ds]]
    return out


def _decode(cid: str, data: Any, out: Totals) -> None:
    """Back from `_encode`; ValueError for anything that is not what `_encode` writes."""
    if not isinstance(data, dict):
        raise ValueError("not a mapping")
    fromordinal = date.fromordinal
    for eng, cols in data.items():
        ords, mins, bills, billed = cols
        days: dict[date, DayTotal] = {}
        for o, m, b, r in zip(ords, mins, bills, billed, strict=True):
            if not all(type(x) is int for x in (o, m, b, r)) or not (0 <= r and 0 <= b <= m):
                raise ValueError("not day totals")
            days[fromordinal(o)] = DayTotal(m, b, r)
        out[(cid, eng)] = days


def day_totals(books: Books, clients: Iterable[str] | None = None) -> Totals:
    """Day totals for books loaded without their timesheets, from the cache where every file
    behind a client is unchanged (consult.books.cache), else read afresh. `clients` limits the
    work to those ids."""
    from consult.books.cache import Cache
    from consult.books.timesheets import read_timesheets

    root = Path(books.root)
    cache = Cache(root, CACHE_FILE, FORMAT)
    wanted = set(books.clients) if clients is None else set(clients) & set(books.clients)
    out: Totals = {}
    for cid in sorted(wanted):
        client = books.clients[cid]
        files = _files(root, cid)
        hit = cache.get(cid, files)
        if hit is not None:
            try:
                part: Totals = {}
                _decode(cid, hit, part)
                out.update(part)
                continue
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
                cache.bad(cid)
        problems: list[Problem] = []
        entries = read_timesheets(root, client, books.engagements, problems)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            from consult.books.loader import refusal

            raise refusal(errors)
        totals = day_totals_of(entries, books.engagements)
        out.update(totals)
        cache.put(cid, files, _encode(totals))
    if clients is None:
        cache.keep_only(books.clients)
    cache.save()
    return out


def worked_minutes(books: Books) -> Minutes:
    """Billable minutes per engagement per day for books loaded without their timesheets."""
    return billable_of(day_totals(books))
