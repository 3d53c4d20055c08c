"""Time per engagement per day, for reports over years of timesheets.

Why: `consult time report`, `time unbilled` and `consult earnings` need only each engagement's
time per calendar day (billing turns a day's minutes into days or hours), yet ten years of
timesheets are 100,000 rows whose reading dominates those commands. So each client's daily
totals are kept in `<books>/.consult-cache/day-totals.json`, keyed on the size and modification
time (ns) of every file they depend on: the client's timesheet files, its client.yaml and
engagement files, and practice.yaml (which sets the default hours per day and so how entries
given in days read). Any change to any of them, a file added or removed, and that client is
read again through the one timesheet reader (`timesheet_files.read_timesheets`), so the totals
can never be stale. Only clients whose files read without errors are cached; errors stop the
command as `open_books` would.

A day's totals are three whole-minute counts (`DayTotal`): all time logged, billable time, and
billable time with each entry rounded up to the engagement's `time_increment_minutes` (what an
hourly engagement bills; per entry, so it cannot be derived from the other two).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from consult.core.records import Books, Engagement, TimeEntry
from consult.errors import BooksError, ConsultError, Problem
from consult.work.rules import billed_minutes

CACHE_DIR = ".consult-cache"
CACHE_FILE = "day-totals.json"
FORMAT = "consult-day-totals-1"


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


def _stamp(root: Path, client_id: str) -> list[list[Any]]:
    cdir = root / "clients" / client_id
    files = [root / "practice.yaml", cdir / "client.yaml"]
    for sub in ("engagements", "timesheets"):
        d = cdir / sub
        if d.is_dir():
            files.extend(sorted(p for p in d.iterdir() if p.is_file()))
    out = []
    for p in files:
        try:
            st = p.stat()
        except OSError:
            continue
        out.append([p.relative_to(root).as_posix(), st.st_size, st.st_mtime_ns])
    return out


def _encode(totals: Totals) -> dict[str, list[list[int]]]:
    """Columns of ordinals and counts: compact, and fast for json to read back."""
    out: dict[str, list[list[int]]] = {}
    for (_, eng), days in totals.items():
        ds = sorted(days)
        out[eng] = [[d.toordinal() for d in ds], [days[d].minutes for d in ds],
                    [days[d].billable for d in ds], [days[d].billed for d in ds]]
    return out


def _decode(cid: str, data: Any, out: Totals) -> None:
    fromordinal = date.fromordinal
    for eng, (ords, mins, bills, billed) in data.items():
        out[(cid, eng)] = {fromordinal(o): DayTotal(m, b, r)
                           for o, m, b, r in zip(ords, mins, bills, billed, strict=True)}


def day_totals(books: Books, clients: Iterable[str] | None = None) -> Totals:
    """Day totals for books loaded without their timesheets, from the cache where every file
    behind a client is unchanged, else read afresh. `clients` limits the work to those ids."""
    from consult.books.store import atomic_write
    from consult.books.timesheets import read_timesheets

    root = Path(books.root)
    path = root / CACHE_DIR / CACHE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        old = data["clients"] if data.get("format") == FORMAT else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        old = {}
    if not isinstance(old, dict):
        old = {}
    wanted = set(books.clients) if clients is None else set(clients) & set(books.clients)
    new: dict[str, Any] = {cid: v for cid, v in old.items() if cid in books.clients and cid not in wanted}
    out: Totals = {}
    changed = False
    for cid in sorted(wanted):
        client = books.clients[cid]
        stamp = _stamp(root, cid)
        hit = old.get(cid)
        if isinstance(hit, dict) and hit.get("stamp") == stamp:
            try:
                part: Totals = {}
                _decode(cid, hit["days"], part)
                out.update(part)
                new[cid] = hit
                continue
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
                pass
        problems: list[Problem] = []
        entries = read_timesheets(root, client, books.engagements, problems)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise BooksError(errors, "the books have errors; fix them first (`consult check` lists them)")
        totals = day_totals_of(entries, books.engagements)
        out.update(totals)
        new[cid] = {"stamp": stamp, "days": _encode(totals)}
        changed = True
    if changed or set(old) != set(new):
        try:
            (root / CACHE_DIR).mkdir(exist_ok=True)
            atomic_write(path, json.dumps({"format": FORMAT, "clients": new}, separators=(",", ":")))
        except (OSError, ConsultError):
            pass  # read-only books: the report still runs, just without the cache
    return out


def worked_minutes(books: Books) -> Minutes:
    """Billable minutes per engagement per day for books loaded without their timesheets."""
    return billable_of(day_totals(books))
