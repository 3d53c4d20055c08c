"""The timesheet of an issued invoice: the work behind each itemised line, from its record.

A time line whose engagement (or client) says `invoice_detail: days` or `entries` is itemised
on the invoice's "Timesheet" (consult.render.invoice draws it). Everything comes from the
frozen record — the entries it billed (`entries`) and each day's billed fraction (`days`) — so
a copy drawn years later lists the same work, whatever the timesheets say by then:

* **days**: each date with the time logged that day and what it billed: its fraction of a day
  (daily engagements), or the hours billed once each entry is rounded up to the line's
  `increment` (hourly);
* **entries**: each entry with its date, note, time logged and time billed (an hourly entry
  rounded up to the increment; a daily engagement bills by the day, so each day's fraction
  stands on its last entry).

The totals are the line's own quantity (days or billed minutes), which the lines add up to.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, time
from fractions import Fraction

from consult.core.record import record
from consult.invoices.record import BilledEntry, Invoice, InvoiceLine
from consult.work.rules import billed_minutes


@record
class SheetRow:
    """One row: a day (mode `days`) or an entry (mode `entries`). `billed_days` is set for daily
    engagements on the day's last row, `billed_minutes` for hourly ones."""

    date: date
    note: str | None
    logged: int                    # minutes
    billed_minutes: int | None = None
    billed_days: Fraction | None = None
    first_of_day: bool = True


@record
class Sheet:
    """The timesheet of one line."""

    line: InvoiceLine
    mode: str                      # days | entries
    daily: bool
    rows: tuple[SheetRow, ...]
    logged: int                    # minutes, all rows
    billed_minutes: int | None     # hourly
    billed_days: Fraction | None   # daily
    entries: int
    days: int


def timesheets(inv: Invoice) -> list[Sheet]:
    """The itemised lines' timesheets, in line order (empty when no line asks for one or the
    record carries no entries, as a version 2 record or a report's light read)."""
    out = []
    for ln in inv.lines:
        if ln.kind != "time" or ln.detail not in ("days", "entries") or not ln.engagement:
            continue
        entries = sorted((e for e in inv.entries if e.engagement == ln.engagement), key=_order)
        if not entries:
            continue
        daily = ln.unit == "day"
        fractions = {d.date: d.fraction for d in inv.days if d.engagement == ln.engagement}
        by_day: dict[date, list[int]] = defaultdict(list)
        rows: list[SheetRow] = []
        for e in entries:
            by_day[e.date].append(len(rows))
            billed = None if daily else billed_minutes(e.minutes, ln.increment)
            rows.append(SheetRow(e.date, e.note, e.minutes, billed, None, len(by_day[e.date]) == 1))
        if daily:
            for d, idx in by_day.items():
                last = rows[idx[-1]]
                rows[idx[-1]] = SheetRow(last.date, last.note, last.logged, None, fractions.get(d), last.first_of_day)
        if ln.detail == "days":
            rows = [_day_row(d, [rows[i] for i in idx]) for d, idx in sorted(by_day.items())]
        logged = sum(r.logged for r in rows)
        billed_min = None if daily else sum(r.billed_minutes or 0 for r in rows)
        billed_d = sum((fractions.get(d, Fraction(0)) for d in by_day), Fraction(0)) if daily else None
        out.append(Sheet(ln, ln.detail, daily, tuple(rows), logged, billed_min, billed_d, len(entries), len(by_day)))
    return out


def _order(e: BilledEntry) -> tuple[object, ...]:
    """Entries by date, then start time, then where they were written (line 9 before line 10)."""
    path, _, line = e.source.rpartition(":")
    return (e.date, e.start or time.min, path, int(line) if line.isdigit() else 0, e.source)


def _day_row(d: date, rows: list[SheetRow]) -> SheetRow:
    days = next((r.billed_days for r in rows if r.billed_days is not None), None)
    billed = sum(r.billed_minutes for r in rows if r.billed_minutes is not None) if rows[0].billed_minutes is not None \
        else None
    return SheetRow(d, None, sum(r.logged for r in rows), billed, days)
