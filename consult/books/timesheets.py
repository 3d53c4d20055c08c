"""Timesheet files (YAML lists or CSV tables) to `TimeEntry` records.

Both forms share one set of columns: `date`, `engagement`, one of `hours` / `duration` /
`days` / `start`+`end`, `note`, `billable`, and `id` (the source id an importer keeps so that a
re-import adds nothing). CSV is read with the csv module, row by row, because a practice with
ten years of history has 100,000 rows and the common row (`date,engagement,hours,note`) must
cost microseconds; anything unusual falls through to the same checks as YAML.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import date, time
from decimal import Decimal
from pathlib import Path

from consult.books.fields import Fields, boolean_problem, parse_boolean, parse_date
from consult.books.files import read_list, read_text, rel
from consult.books.flowlines import Line, as_map, entry_lines
from consult.core.durations import DurationError, parse_clock, parse_duration, span_minutes
from consult.core.records import Client, Engagement, TimeEntry
from consult.errors import Problem, Source

ENTRY_FIELDS = ("date", "engagement", "hours", "duration", "days", "start", "end", "note",
                "billable", "id")
# text -> value memos for the CSV fast path (dates and hours repeat across 100,000 rows)
_FAST_DATES: dict[str, date] = {}
_FAST_MINUTES: dict[str, int] = {}


def timesheet_paths(client_dir: Path) -> list[Path]:
    d = client_dir / "timesheets"
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml", ".csv") and not p.name.startswith("."))


def default_engagement(client: Client, engagements: dict[tuple[str, str], Engagement]) -> tuple[str | None, str]:
    """The engagement an entry without one belongs to, or None and the reason."""
    active = [e for (c, e), eng in sorted(engagements.items()) if c == client.id and eng.status == "active"]
    if len(active) == 1:
        return active[0], ""
    if not active:
        return None, f"missing — client {client.id} has no active engagement to default to"
    return None, f"missing — client {client.id} has {len(active)} active engagements ({', '.join(active)}); name one"


def read_timesheets(root: Path, client: Client, engagements: dict[tuple[str, str], Engagement],
                    problems: list[Problem], broken: AbstractSet[tuple[str, str]] = frozenset()) -> list[TimeEntry]:
    """Every entry of one client. Entries naming an engagement in `broken` (its file exists
    but has errors, already reported) are dropped without a second, misleading error."""
    out: list[TimeEntry] = []
    fallback = default_engagement(client, engagements)
    for path in timesheet_paths(root / "clients" / client.id):
        r = rel(root, path)
        if path.suffix == ".csv":
            text = read_text(root, path, problems)
            if text is not None:
                out.extend(_read_csv(text, r, client, engagements, fallback, problems, broken))
            continue
        lines = _one_line_entries(root, path)
        if lines is not None:  # the books' one-line form: read without YAML, to the same entries
            out.extend(_read_lines(lines, r, client, engagements, fallback, problems, broken))
            continue
        for f in read_list(root, path, problems):
            e = _from_fields(f, client, engagements, fallback, problems, broken)
            if e is not None:
                out.append(e)
    return out


def _from_fields(f: Fields, client: Client, engagements: dict[tuple[str, str], Engagement],
                 fallback: tuple[str | None, str], problems: list[Problem],
                 broken: AbstractSet[tuple[str, str]]) -> TimeEntry | None:
    """One YAML entry, every problem recorded."""
    def get(name: str) -> str | None:
        return f.text(name)

    unknown = [k for k in f.map if k not in ENTRY_FIELDS]
    f.done(ENTRY_FIELDS)
    if unknown or (client.id, f.text("engagement")) in broken:
        return None
    return _entry(get, f.where, f.prefix, client, engagements, fallback, problems)


def _one_line_entries(root: Path, path: Path) -> list[Line] | None:
    """The file's entries when it is all in the one-line form (consult.books.flowlines), else
    None: then `read_list` reads it, and reports whatever `read_text` refuses."""
    text = read_text(root, path, [])
    return entry_lines(text) if text is not None else None


_QUICK = frozenset(ENTRY_FIELDS)
_CLOCKS: dict[str, time] = {}
_DURATIONS: dict[tuple[str, Decimal], int] = {}


def _read_lines(lines: list[Line], r: str, client: Client, engagements: dict[tuple[str, str], Engagement],
                fallback: tuple[str | None, str], problems: list[Problem],
                broken: AbstractSet[tuple[str, str]]) -> list[TimeEntry]:
    """The entries of one-line form lines: what `_from_fields` gives for each, without building
    its tree where the line is an entry it would take without a problem (each date, time and
    duration text parsed once per process by the same functions); any other line goes through
    `_from_fields` itself."""
    out: list[TimeEntry] = []
    cid = client.id
    dates, clocks, durations, minutes_of = _FAST_DATES, _CLOCKS, _DURATIONS, _FAST_MINUTES
    for memo in (dates, clocks, durations, minutes_of):
        if len(memo) > 100_000:  # bound the memo on odd inputs
            memo.clear()
    for i, line in enumerate(lines):
        cells = line[3]
        entry = None
        if cells is not None and cells.keys() <= _QUICK:
            entry = _quick(cells, cid, engagements, broken, dates, clocks, durations, minutes_of,
                           Source(r, line[0], line[2]))
        if entry is None:
            entry = _from_fields(Fields(r, as_map(line), problems, f"[{i}]."), client, engagements, fallback,
                                 problems, broken)
        if entry is not None:
            out.append(entry)
    return out


def _clock(memo: dict[str, time], text: str) -> time:
    got = memo.get(text)
    if got is None:
        got = memo[text] = parse_clock(text)
    return got


def _quick(cells: dict[str, str], cid: str, engagements: dict[tuple[str, str], Engagement],
           broken: AbstractSet[tuple[str, str]], dates: dict[str, date], clocks: dict[str, time],
           durations: dict[tuple[str, Decimal], int], minutes_of: dict[str, int], where: Source) -> TimeEntry | None:
    """`_entry` for a line that reads without a problem (no null value, no unknown field); None
    for anything it would report or treat otherwise (left to `_from_fields`)."""
    ds, eid = cells.get("date"), cells.get("engagement")
    if ds is None or eid is None:
        return None
    ds, eid = ds.strip(), eid.strip()
    eng = engagements.get((cid, eid))
    if eng is None or (cid, eid) in broken:
        return None
    d = dates.get(ds)
    if d is None:
        try:
            d = dates[ds] = parse_date(ds)
        except ValueError:
            return None
    start = end = None
    try:
        if "start" in cells or "end" in cells:
            s, e = cells.get("start"), cells.get("end")
            if s is None or e is None or "hours" in cells or "duration" in cells or "days" in cells:
                return None
            s, e = s.strip(), e.strip()
            start, end = _clock(clocks, s), _clock(clocks, e)
            minutes = span_minutes(start, end)
        elif "duration" in cells:
            if "hours" in cells or "days" in cells:
                return None
            key = (cells["duration"].strip(), eng.hours_per_day)
            got = durations.get(key)
            minutes = got if got is not None else durations.setdefault(key, parse_duration(key[0], key[1]))
        elif "hours" in cells:
            if "days" in cells:
                return None
            h = cells["hours"].strip()
            got = minutes_of.get(h)
            minutes = got if got is not None else minutes_of.setdefault(h, hours_minutes(h))
        elif "days" in cells:
            minutes = parse_duration(cells["days"].strip().rstrip("dD") + "d", eng.hours_per_day)
        else:
            return None
    except DurationError:
        return None
    b = cells.get("billable")
    billable = True
    if b is not None:
        got = parse_boolean(b)
        if got is None:
            return None
        billable = got
    note, sid = cells.get("note"), cells.get("id")
    return TimeEntry(cid, eid, d, minutes, note.strip() if note is not None else None, billable, start, end,
                     sid.strip() if sid is not None else None, where)


def _read_csv(text: str, r: str, client: Client, engagements: dict[tuple[str, str], Engagement],
              fallback: tuple[str | None, str], problems: list[Problem],
              broken: AbstractSet[tuple[str, str]] = frozenset()) -> list[TimeEntry]:
    out: list[TimeEntry] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)  # strict: an unclosed quote is an error, not a note eating rows
    try:
        header = next(reader)
    except StopIteration:
        return out
    except csv.Error as e:
        problems.append(Problem(Source(r, 1), None, f"not valid CSV: {e}"))
        return out
    header = [h.strip() for h in header]
    seen: dict[str, int] = {}
    dup = False
    for i, h in enumerate(header):
        if h in seen:
            problems.append(Problem(Source(r, 1, i + 1), h, f"column '{h}' appears twice (columns {seen[h] + 1} "
                                    f"and {i + 1}); keep one, or rows would be read from only one of them"))
            dup = True
        else:
            seen[h] = i
    if dup:
        return out
    bad = [h for h in header if h not in ENTRY_FIELDS]
    if bad:
        import difflib

        for h in bad:
            near = difflib.get_close_matches(h, ENTRY_FIELDS, n=1)
            tip = f" — did you mean '{near[0]}'?" if near else f" (columns: {', '.join(ENTRY_FIELDS)})"
            problems.append(Problem(Source(r, 1, header.index(h) + 1), h, f"unknown column{tip}"))
        return out
    if "date" not in header:
        problems.append(Problem(Source(r, 1), None, "no `date` column; the header must name date and hours (or duration, days, start/end)"))
        return out
    cols = {h: i for i, h in enumerate(header)}
    i_date, i_eng, i_hours = cols["date"], cols.get("engagement"), cols.get("hours")
    i_note, i_bill = cols.get("note"), cols.get("billable")
    simple = set(header) <= {"date", "engagement", "hours", "note"} and i_hours is not None and i_eng is not None
    j_eng, j_hours = (i_eng or 0), (i_hours or 0)  # used only when `simple`, where both are set
    width = len(header)
    line = 1
    mine = {e for (c, e) in engagements if c == client.id}
    dates, minutes_of = _FAST_DATES, _FAST_MINUTES
    if len(dates) > 100_000 or len(minutes_of) > 100_000:  # bound the memo on odd inputs
        dates.clear()
        minutes_of.clear()
    try:
        for row in reader:
            line = reader.line_num
            if not row or (not row[0].strip() and all(not c.strip() for c in row)):
                continue
            if len(row) != width:
                problems.append(Problem(Source(r, line), None,
                                        f"has {len(row)} cells but the header has {width}; "
                                        "quote a note that contains a comma"))
                continue
            if simple:
                # fast path: the common row, each date and hours text parsed once per process by
                # the same functions as the full path (so both read a row alike, a property test
                # holds them to it). Anything else falls through to the full checks.
                ds, eng, hs = row[i_date], row[j_eng].strip(), row[j_hours]
                if eng in mine:
                    d = dates.get(ds)
                    if d is None:
                        try:
                            d = dates[ds] = parse_date(ds)
                        except ValueError:
                            d = None
                    m = minutes_of.get(hs)
                    if m is None:
                        try:
                            m = minutes_of[hs] = hours_minutes(hs)
                        except DurationError:
                            m = None
                    if d is not None and m is not None:
                        note = row[i_note].strip() if i_note is not None else None
                        out.append(TimeEntry(client.id, eng, d, m, note or None, True, source=Source(r, line)))
                        continue
            cells = {h: row[i].strip() for h, i in cols.items()}
            if (client.id, cells.get("engagement")) in broken:
                continue

            def get(name: str, cells: dict[str, str] = cells) -> str | None:
                v = cells.get(name)
                return v if v else None

            def where(name: str | None, line: int = line) -> Source:
                return Source(r, line, cols[name] + 1 if name in cols else None)

            entry = _entry(get, where, "", client, engagements, fallback, problems)
            if entry is not None:
                out.append(entry)
    except csv.Error as e:
        if "unexpected end of data" in str(e):
            msg = ('a quote (") opened on this row is never closed, so every row after it would be read '
                   'as one note; close it, or write a quote inside a quoted note as ""')
        else:
            msg = f"not valid CSV: {e}; a note with commas or quotes goes in quotes, inner quotes doubled (\"\")"
        problems.append(Problem(Source(r, line + 1), None, msg))
    del i_bill
    return out


def hours_minutes(text: str) -> int:
    """Minutes in an `hours` cell: a number of hours (`7.5`, `7,5`), or any duration form
    (`1h30m`, `1:30`). The one reading of `hours`, for the fast path and the full one."""
    t = text.strip()
    if t.startswith("-"):
        raise DurationError(f"'{text}' is negative — time worked is never below zero")
    if not t[-1:].isdigit():
        return parse_duration(t)
    try:
        return parse_duration(t + "h")
    except DurationError as e:
        raise DurationError(str(e).replace(f"'{t}h'", f"'{t}'", 1)) from None


def _entry(get: Callable[[str], str | None], where: Callable[[str | None], Source], prefix: str,
           client: Client, engagements: dict[tuple[str, str], Engagement],
           fallback: tuple[str | None, str], problems: list[Problem]) -> TimeEntry | None:
    """One entry from its cells; every problem recorded, None unless the entry is whole."""

    def err(field: str | None, msg: str) -> None:
        problems.append(Problem(where(field), f"{prefix}{field}" if field else (prefix.rstrip(".") or None), msg))

    ok = True
    ds = get("date")
    d = None
    if ds is None:
        err(None, "missing date — every entry needs `date: YYYY-MM-DD`")
        ok = False
    else:
        try:
            d = parse_date(ds)
        except ValueError as e:
            err("date", str(e))
            ok = False
    eid = get("engagement")
    if eid is None:
        eid, why = fallback
        if eid is None:
            err("engagement", why)
            ok = False
    elif (client.id, eid) not in engagements:
        known = ", ".join(e for (c, e) in sorted(engagements) if c == client.id) or "none"
        err("engagement", f"no engagement '{eid}' for client {client.id} (known: {known})")
        ok = False
    eng = engagements.get((client.id, eid)) if eid else None
    forms = [k for k in ("hours", "duration", "days") if get(k) is not None]
    start_s, end_s = get("start"), get("end")
    if start_s is not None or end_s is not None:
        forms.append("start/end")
    minutes = None
    start = end = None
    if len(forms) != 1:
        err(None if not forms else forms[1].split("/")[0],
            "give exactly one of hours, duration, days or start+end" +
            (f" (found {', '.join(forms)})" if forms else " — e.g. hours: 7.5"))
        ok = False
    else:
        form = forms[0]
        try:
            if form == "hours":
                minutes = hours_minutes(get("hours") or "")
            elif form == "duration":
                minutes = parse_duration(get("duration") or "", eng.hours_per_day if eng else None)
            elif form == "days":
                text = get("days") or ""
                if eng is None:
                    ok = False
                else:
                    minutes = parse_duration(text.rstrip("dD") + "d", eng.hours_per_day)
            else:
                if start_s is None or end_s is None:
                    raise DurationError("give both start and end (e.g. start: 09:00, end: 17:30)")
                form = "start" if start_s is not None else "end"
                start = parse_clock(start_s)
                form = "end"
                end = parse_clock(end_s)
                minutes = span_minutes(start, end)
        except DurationError as e:
            err(form if form != "start/end" else "end", str(e))
            ok = False
    billable = True
    b = get("billable")
    if b is not None:
        got = parse_boolean(b)
        if got is None:
            err("billable", boolean_problem(b))
            ok = False
        else:
            billable = got
    if not ok or d is None or eid is None or minutes is None:
        return None
    return TimeEntry(client.id, eid, d, minutes, get("note"), billable, start, end, get("id"), where(None))
