"""Timesheet entries written out for other tools: CSV, JSON and hledger's timedot and timeclock.

Pure functions from a sequence of `TimeEntry` to text; no file is read or written here (the
`consult time export` command does that). The two hledger formats exist so that anyone can
check consult's totals with an independent tool (`hledger -f work.timedot bal -M --depth 1`).

Accounts are `client:engagement`, and `client:engagement:nonbillable` for non-billable work, so
`--depth 1` gives a client's whole time and `not:nonbillable` its billable time.

Exactness. consult holds whole minutes; hledger holds hours. The timedot writer gives every
entry in minutes (`90m`), which hledger 1.25 turns into hours to about 16 significant digits,
so a timedot balance is within 1e-9 h of the exact figure even over millions of entries and
`round(hours * 60)` of hledger's full-precision balance (`-O json`) is the minute total,
exactly. hledger's default display (two decimals of an hour, 0.6 min) is not fine enough to
compare to the minute. The timeclock writer gives whole-minute clock times, but hledger 1.25
rounds each timeclock session to 0.01 h (36 s): its totals are exact only for entries that
are multiples of 3 minutes (every `hours` value with one decimal place is). Use timedot to
check odd minutes.

Timeclock needs a clock-in and clock-out for each entry. An entry logged with `start`/`end`
keeps them; one logged as a duration gets synthetic times on its own date: entries of a day
are laid end to end from 09:00 in the order given; one that would pass midnight starts a new
run from 09:00 (or from 00:00 if it is longer than 15 h). The runs may overlap, which hledger
accepts; only the durations carry meaning, never the synthetic times.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from consult.core.durations import format_hours
from consult.core.records import TimeEntry

CSV_COLUMNS = ("date", "client", "engagement", "duration", "start", "end", "billable", "note", "id",
               "minutes", "hours")
"""Export CSV columns: the data contract's entry columns (plus `client`), then `minutes` (the
exact figure) and `hours` (decimal, two places, half up). `duration` is written in the
contract's exact form (`1h30m`, `45m`), so reading it back gives the same minutes."""

DAY_START = 9 * 60
DAY_MINUTES = 24 * 60


def account(e: TimeEntry) -> str:
    """The hledger account of an entry: `client:engagement[:nonbillable]`."""
    return f"{e.client}:{e.engagement}" + ("" if e.billable else ":nonbillable")


def duration_text(minutes: int) -> str:
    """Whole minutes in the contract's exact duration form: 90 -> `1h30m`, 45 -> `45m`, 120 -> `2h`."""
    h, m = divmod(minutes, 60)
    if not h:
        return f"{m}m"
    return f"{h}h{m}m" if m else f"{h}h"


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


# The OWASP rule for CSV injection (owasp.org/www-community/attacks/CSV_Injection): a text cell
# starting with one of these is read by Excel, LibreOffice and Google Sheets as a formula (`=`,
# `+`, `-`, `@`; a tab or carriage return first hides one), so it is written with a `'` in front,
# which the spreadsheet shows as text and does not evaluate.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A text cell a spreadsheet cannot take for a formula: `=HYPERLINK(…)` -> `'=HYPERLINK(…)`.
    Numbers are never passed here (a negative amount stays a number)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _row(e: TimeEntry) -> dict[str, object]:
    return {
        "date": e.date.isoformat(),
        "client": e.client,
        "engagement": e.engagement,
        "duration": duration_text(e.minutes),
        "start": f"{e.start:%H:%M}" if e.start else "",
        "end": f"{e.end:%H:%M}" if e.end else "",
        "billable": "true" if e.billable else "false",
        "note": e.note or "",
        "id": e.source_id or "",
        "minutes": e.minutes,
        "hours": format_hours(e.minutes),
    }


def _by_date(entries: Iterable[TimeEntry]) -> list[TimeEntry]:
    """Entries in date order; entries of one day keep the order they were given in."""
    return sorted(entries, key=lambda e: e.date)


def to_csv(entries: Iterable[TimeEntry], *, safe: bool = True) -> str:
    """One row per entry in date order, columns `CSV_COLUMNS`, `\\n` line ends. With `safe` (the
    default) text cells are `neutralise`d; `safe=False` writes them as they are, for pipelines."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for e in _by_date(entries):
        row = _row(e)
        if safe:
            row = {k: neutralise(v) if isinstance(v, str) else v for k, v in row.items()}
        w.writerow(row)
    return buf.getvalue()


def to_json(entries: Iterable[TimeEntry]) -> str:
    """A JSON list of entry objects with the CSV's keys; `minutes` a number, `hours` a decimal
    string (never a float), `billable` a boolean, empty fields null."""
    out = []
    for e in _by_date(entries):
        r = _row(e)
        r["billable"] = e.billable
        for k in ("start", "end", "note", "id"):
            r[k] = r[k] or None
        out.append(r)
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def to_timedot(entries: Iterable[TimeEntry]) -> str:
    """hledger timedot: a date line, then `account  NNm` per entry; days in date order.

    Notes are left out (timedot has no place for them that hledger 1.25 keeps).
    """
    lines: list[str] = []
    current: date | None = None
    for e in _by_date(entries):
        if e.date != current:
            if current is not None:
                lines.append("")
            current = e.date
            lines.append(current.isoformat())
        lines.append(f"{account(e)}  {e.minutes}m")
    return "\n".join(lines) + ("\n" if lines else "")


def _clock(minute_of_day: int) -> str:
    h, m = divmod(minute_of_day, 60)
    return f"{h:02d}:{m:02d}:00"


def clock_spans(day: Sequence[TimeEntry]) -> list[tuple[int, int]]:
    """(start, end) minute of the day for each entry of one day (see the module docstring)."""
    spans = []
    cursor = DAY_START
    for e in day:
        if e.start is not None and e.end is not None:
            spans.append((e.start.hour * 60 + e.start.minute, e.end.hour * 60 + e.end.minute))
            continue
        if cursor + e.minutes > DAY_MINUTES:
            cursor = DAY_START if DAY_START + e.minutes <= DAY_MINUTES else 0
        spans.append((cursor, cursor + e.minutes))
        cursor += e.minutes
    return spans


def to_timeclock(entries: Iterable[TimeEntry]) -> str:
    """hledger timeclock: `i DATE HH:MM:SS account  note` / `o DATE HH:MM:SS` per entry, a blank
    line between entries, in date order.

    An entry of 24 h (the most a day may hold) ends at 24:00, written as 00:00 of the next day
    so that hledger still reads 24 hours.
    """
    out: list[str] = []
    ordered = _by_date(entries)
    i = 0
    while i < len(ordered):
        j = i
        while j < len(ordered) and ordered[j].date == ordered[i].date:
            j += 1
        day = ordered[i:j]
        for e, (a, b) in zip(day, clock_spans(day), strict=True):
            note = _one_line(e.note)
            out.append(f"i {e.date.isoformat()} {_clock(a)} {account(e)}" + (f"  {note}" if note else ""))
            if b >= DAY_MINUTES:
                out.append(f"o {(e.date + timedelta(days=1)).isoformat()} {_clock(b - DAY_MINUTES)}")
            else:
                out.append(f"o {e.date.isoformat()} {_clock(b)}")
            out.append("")
        i = j
    return "\n".join(out)
