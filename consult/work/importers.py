"""Reading other time trackers' exports into plain rows: local day, whole minutes, project, id.

Five tools, two kinds of clock:

* **Toggl Track, Clockify** (detailed report CSV) and **Harvest** (detailed time report CSV)
  write the user's local dates and times, so they are taken as they stand.
* **Watson** (its `frames` file, or `watson log --json`) and **Timewarrior** (`timew export`
  JSON, or its `data/*.data` files) store UTC instants, so each is turned into the practice's
  local time (`tz`, an IANA zone) before it gets a day: 23:30 UTC on 20 October is 00:30 on the
  21st in London (BST), and work belongs to the day it was done where it was done.

Minutes are whole (the data contract): each start and end is rounded to the nearest minute
(30 seconds up) and the entry is the difference, so an entry's minutes always equal its
written start–end span. Work that runs past local midnight is split at midnight into one entry
per day (entries never cross midnight). A still-running timer and an entry shorter than half a
minute are skipped and counted, never guessed at.

Every row gets a stable source id `tool:…` so a re-import adds nothing: Watson's frame id,
Timewarrior's start instant (intervals never share one), and for the CSV exports, which carry
no id, a digest of the row's own cells plus its occurrence number among identical rows.

Every malformed row is collected (file, line or item, column, what is wrong, what to do) and
raised together as one `BooksError` (exit 1) before anything is written.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path

from consult.core.durations import hours_to_minutes
from consult.errors import BooksError, Problem, Source, UsageError

FORMATS = ("toggl", "clockify", "harvest", "watson", "timewarrior")
NON_BILLABLE_TAGS = frozenset({"non-billable", "nonbillable", "unbillable", "internal"})
MAX_ENTRY = timedelta(hours=24)  # a longer entry is a timer left running: refused, not billed

# Columns each CSV export must have (documented column sets; extra columns are ignored).
REQUIRED = {
    "toggl": ("Project", "Description", "Billable", "Start date", "Start time", "End date", "End time"),
    "clockify": ("Project", "Description", "Billable", "Start Date", "Start Time", "End Date", "End Time"),
    "harvest": ("Date", "Project", "Notes", "Hours", "Billable?"),
}


@dataclass(frozen=True, slots=True)
class Row:
    """One entry as exported, in local time and whole minutes, not yet matched to the books."""

    where: Source
    keys: tuple[str, ...]  # names to match to CLIENT/ENGAGEMENT, most specific first
    project: str  # the name shown to the user when nothing matches
    day: date
    minutes: int
    start: time | None
    end: time | None
    note: str | None
    billable: bool
    source_id: str
    tags: tuple[str, ...] = ()  # Watson/Timewarrior tags; those not used to match become the note


@dataclass(frozen=True, slots=True)
class Export:
    """What a file held: its rows and what was left out, with reasons."""

    path: str
    tool: str
    rows: tuple[Row, ...]
    skipped: tuple[str, ...] = field(default=())


class _Bad(ValueError):
    """One cell that cannot be read; becomes a Problem at its row and column."""

    def __init__(self, column: str | None, message: str):
        super().__init__(message)
        self.column = column


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


def _refused(problems: list[Problem], path: str, kind: str | None = None) -> BooksError:
    """The one refusal of a file: every problem listed, and the promise that nothing was written."""
    n = len(problems)
    count = f" ({n} bad {kind}{'s' if n != 1 else ''})" if kind else ""
    return BooksError(problems, f"{path} cannot be imported{count}; nothing was written")


_JSON_HINT = {"watson": "give Watson's `frames` file or `watson log --json`",
              "timewarrior": "give the output of `timew export`"}


def _json_list(text: str, path: str, tool: str | None) -> list[object]:
    """A JSON export's top-level list, parsed once (detection and reading share it)."""
    hint = _JSON_HINT.get(tool or "", "give Watson's frames or the output of `timew export`")
    try:
        data = json.loads(text)
    except ValueError as e:
        raise _refused([Problem(Source(path, getattr(e, "lineno", None)), None, f"is not JSON ({e}); {hint}")],
                       path) from None
    if not isinstance(data, list):
        raise UsageError(f"{path}: expected a JSON list ({hint}); check --format")
    return data


# --- detection --------------------------------------------------------------------------------
def detect_format(path: Path, text: str, data: list[object] | None = None) -> str:
    """The tool that wrote `text` (`data`: its JSON, when it is JSON), from its header or JSON
    shape; UsageError when unclear."""
    head = text.lstrip("\ufeff").lstrip()
    if path.is_dir() or head.startswith(("inc ", "inc\t")):
        return "timewarrior"
    if data is not None:
        if data:
            first = data[0]
            if isinstance(first, list) or (isinstance(first, dict) and "project" in first):
                return "watson"
            if isinstance(first, dict) and "start" in first:
                return "timewarrior"
    else:
        header = set(next(csv.reader(io.StringIO(head)), []))
        for tool, cols in REQUIRED.items():
            if set(cols) <= header:
                return tool
    raise UsageError(f"{path}: cannot tell which tool wrote it; say --format "
                     f"{'|'.join(FORMATS)}")


# --- cells ------------------------------------------------------------------------------------
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASH = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?")
_HMS = re.compile(r"(\d+):(\d{2})(?::(\d{2}))?")


def date_order(texts: Iterable[str], given: str | None, where: str) -> str:
    """`dmy` or `mdy` for slash dates (01/10/2026): given, or told apart by a day over 12.

    A file whose every slash date reads both ways is refused with the question put to the
    user: guessing would move a day's work into another month (and onto another invoice)."""
    if given:
        return given
    day_first = month_first = ambiguous = False
    sample = ""
    for t in texts:
        m = _SLASH.fullmatch(t.strip())
        if not m:
            continue
        a, b = int(m[1]), int(m[2])
        if a > 12:
            day_first = True
        elif b > 12:
            month_first = True
        elif a != b:
            ambiguous, sample = True, sample or t.strip()
    if day_first and month_first:
        raise UsageError(f"{where}: dates are written both day-first and month-first; "
                         "export again with one date format (YYYY-MM-DD is safest)")
    if day_first:
        return "dmy"
    if month_first:
        return "mdy"
    if ambiguous:
        raise UsageError(f"{where}: a date like {sample} could be day-first or month-first; "
                         "say --dates dmy (1 October) or --dates mdy (January 10)")
    return "dmy"


def parse_day(text: str, order: str, column: str) -> date:
    s = text.strip()
    try:
        if m := _ISO.fullmatch(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _SLASH.fullmatch(s):
            a, b, y = int(m[1]), int(m[2]), int(m[3])
            return date(y, b, a) if order == "dmy" else date(y, a, b)
    except ValueError:
        raise _Bad(column, f"'{text}' is not a real date") from None
    raise _Bad(column, f"'{text}' is not a date — expected YYYY-MM-DD (or DD/MM/YYYY, MM/DD/YYYY)")


def parse_time_of_day(text: str, column: str) -> tuple[int, int, int]:
    """`09:00`, `09:00:12`, `9:00 AM`, `12:15:00 PM` -> (hour, minute, second)."""
    m = _CLOCK.fullmatch(text.strip())
    if m:
        h, mi, se = int(m[1]), int(m[2]), int(m[3] or 0)
        if m[4]:
            if not 1 <= h <= 12:
                m = None
            else:
                h = h % 12 + (12 if m[4].lower() == "pm" else 0)
        if m and h <= 23 and mi <= 59 and se <= 59:
            return h, mi, se
    raise _Bad(column, f"'{text}' is not a time of day — expected HH:MM:SS (e.g. 09:30:00 or 9:30 AM)")


def parse_hours(text: str, column: str) -> int:
    """Decimal hours (`1.5`, `0,25`) or `h:mm(:ss)` to whole minutes, half up."""
    s = text.strip()
    if m := _HMS.fullmatch(s):
        secs = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3] or 0)
        if int(m[2]) > 59 or int(m[3] or 0) > 59:
            raise _Bad(column, f"'{text}' is not a duration — expected hours like 1.5 or 1:30:00")
        return (secs + 30) // 60
    try:
        hours = Decimal(s.replace(",", "."))
    except InvalidOperation:
        raise _Bad(column, f"'{text}' is not a number of hours — expected e.g. 1.5 or 1:30:00") from None
    if not hours.is_finite() or hours < 0:
        raise _Bad(column, f"'{text}' is not a number of hours — time worked is never below zero")
    return hours_to_minutes(hours)


def parse_billable(text: str, column: str) -> bool:
    s = text.strip().lower()
    if s in ("yes", "true", "1", "y", "billable"):
        return True
    if s in ("no", "false", "0", "n", "", "non-billable"):
        return False
    raise _Bad(column, f"'{text}' is not Yes or No")


def one_line(text: str | None) -> str | None:
    """A note on one line (entries are one line each); blank is no note."""
    if text is None:
        return None
    s = " ".join(text.split())
    return s or None


def _round_minute(t: datetime) -> datetime:
    t = t.replace(microsecond=0)
    return t.replace(second=0) + (timedelta(minutes=1) if t.second >= 30 else timedelta())


def day_parts(start: datetime, end: datetime) -> list[tuple[date, int, time | None, time | None]]:
    """A local start–end span as (day, minutes, start, end) per day, rounded to the minute.

    A part that ends at midnight has no writable end (24:00), so it keeps its minutes only."""
    a, b = _round_minute(start), _round_minute(end)
    out: list[tuple[date, int, time | None, time | None]] = []
    while a < b:
        midnight = datetime.combine(a.date() + timedelta(days=1), time(0), a.tzinfo)
        stop = min(b, midnight)
        minutes = int((stop - a).total_seconds() // 60)
        if stop == midnight:
            out.append((a.date(), minutes, None, None))
        else:
            out.append((a.date(), minutes, a.time(), stop.time()))
        a = stop
    return out


# --- the rows of one entry ------------------------------------------------------------------------
def _rows_for(tool: str, where: Source, keys: tuple[str, ...], project: str, start: datetime, end: datetime,
              note: str | None, billable: bool, sid: str, skipped: list[str], label: str,
              tags: tuple[str, ...] = ()) -> list[Row]:
    if end < start:
        raise _Bad(None, f"ends ({end:%Y-%m-%d %H:%M}) before it starts ({start:%Y-%m-%d %H:%M}); fix it "
                   f"in {label} and export again")
    if end - start > MAX_ENTRY:
        hours = (end - start).total_seconds() / 3600
        raise _Bad(None, f"lasts {hours:.1f} hours from {start:%Y-%m-%d %H:%M} — a timer left running? "
                   f"Fix it in {label} and export again")
    parts = day_parts(start, end)
    if not parts:
        skipped.append(f"{where}: under half a minute")
        return []
    return [Row(where, keys, project, d, m, s, e, note, billable, sid if i == 0 else f"{sid}~{i + 1}", tags)
            for i, (d, m, s, e) in enumerate(parts)]


def _key_variants(client: str, project: str) -> tuple[str, ...]:
    keys = []
    if client and project:
        keys.append(f"{client}/{project}")
    keys.append(project)
    return tuple(keys)


# --- CSV exports --------------------------------------------------------------------------------
def _csv_rows(text: str, path: str, tool: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise _refused([Problem(Source(path), None, "is empty — export the detailed report again")],
                       path) from None
    missing = [c for c in REQUIRED[tool] if c not in header]
    if missing:
        raise UsageError(f"{path}: not a {tool.title()} export — no column {', '.join(repr(c) for c in missing)} "
                         f"(its columns: {', '.join(header)}); check --format")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        line = reader.line_num
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                why = ('a quote (") opened on this row is never closed' if "end of data" in str(e)
                       else f"cannot be read as CSV ({e})")
                raise _CsvBroken(line + 1, why) from None
            if any(c.strip() for c in cells):
                if len(cells) != len(header):
                    raise _CsvBroken(line + 1, f"has {len(cells)} cells, the header {len(header)}")
                yield line + 1, dict(zip(header, cells, strict=True))
            line = reader.line_num

    return header, rows()


class _CsvBroken(Exception):
    def __init__(self, line: int, why: str):
        super().__init__(why)
        self.line = line


def _digest(tool: str, cells: Iterable[str], seen: dict[str, int]) -> str:
    """`tool:` + 16 hex of the row's cells; the nth identical row gets `-n` (n ≥ 2)."""
    h = hashlib.sha256("\x1f".join(c.strip() for c in cells).encode("utf-8")).hexdigest()[:16]
    seen[h] = seen.get(h, 0) + 1
    return f"{tool}:{h}" + (f"-{seen[h]}" if seen[h] > 1 else "")


def read_csv_export(text: str, path: str, tool: str, dates: str | None) -> Export:
    label = {"toggl": "Toggl", "clockify": "Clockify", "harvest": "Harvest"}[tool]
    header, rows = _csv_rows(text, path, tool)
    date_cols = ("Date",) if tool == "harvest" else (
        ("Start date", "End date") if tool == "toggl" else ("Start Date", "End Date"))
    body = list(_safe(rows, path))
    order = date_order((r[c] for _, r in body for c in date_cols), dates, path)
    out: list[Row] = []
    problems: list[Problem] = []
    skipped: list[str] = []
    seen: dict[str, int] = {}
    for line, r in body:
        where = Source(path, line)
        try:
            sid = _digest(tool, (r[h] for h in header), seen)
            if tool == "harvest":
                out.extend(_harvest_row(r, where, order, sid, label))
            else:
                out.extend(_timer_row(tool, r, where, order, sid, skipped, label))
        except _Bad as e:
            problems.append(Problem(where, e.column, str(e)))
    if problems:
        raise _refused(problems, path, "row")
    return Export(path, tool, tuple(out), tuple(skipped))


def _safe(rows: Iterator[tuple[int, dict[str, str]]], path: str) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        yield from rows
    except _CsvBroken as e:
        raise _refused([Problem(Source(path, e.line), None, f"{e} — the file is damaged; export it again")],
                       path) from None


def _timer_row(tool: str, r: dict[str, str], where: Source, order: str, sid: str, skipped: list[str],
               label: str) -> list[Row]:
    """A Toggl or Clockify detailed-report row (both have start and end, date and time)."""
    sd, st, ed, et = (("Start date", "Start time", "End date", "End time") if tool == "toggl"
                      else ("Start Date", "Start Time", "End Date", "End Time"))
    if not r[et].strip() and not r[ed].strip():
        skipped.append(f"{where}: still running")
        return []
    start = datetime.combine(parse_day(r[sd], order, sd), time(*parse_time_of_day(r[st], st)))
    end = datetime.combine(parse_day(r[ed], order, ed), time(*parse_time_of_day(r[et], et)))
    project = r["Project"].strip()
    client = r.get("Client", "").strip()
    task = r.get("Task", "").strip()
    desc = r["Description"].strip()
    note = one_line(f"{task}: {desc}" if task and desc else (desc or task))
    billable = parse_billable(r["Billable"], "Billable")
    return _rows_for(tool, where, _key_variants(client, project), project or "(no project)", start, end,
                     note, billable, sid, skipped, label)


def _harvest_row(r: dict[str, str], where: Source, order: str, sid: str, label: str) -> list[Row]:
    """A Harvest detailed-time-report row: a date and decimal hours (Harvest keeps no clock times)."""
    day = parse_day(r["Date"], order, "Date")
    minutes = parse_hours(r["Hours"], "Hours")
    if minutes > 24 * 60:
        raise _Bad("Hours", f"'{r['Hours']}' is more than a day — fix it in {label} and export again")
    client = r.get("Client", "").strip()
    project = r["Project"].strip()
    keys = list(_key_variants(client, project))
    if code := r.get("Project Code", "").strip():
        keys.append(code)
    task = r.get("Task", "").strip()
    notes = r["Notes"].strip()
    note = one_line(f"{task}: {notes}" if task and notes else (notes or task))
    billable = parse_billable(r["Billable?"], "Billable?")
    if minutes == 0:
        return []
    return [Row(where, tuple(keys), project or "(no project)", day, minutes, None, None, note, billable, sid)]


# --- Watson ---------------------------------------------------------------------------------------
def _instant(value: object, what: str, tz: tzinfo) -> datetime:
    """A Watson/Timewarrior instant (epoch seconds, ISO 8601, or 20261001T090000Z) in local time."""
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int | float):
            t = datetime.fromtimestamp(value, timezone.utc)
        elif isinstance(value, str) and re.fullmatch(r"\d{8}T\d{6}Z", value):
            t = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        elif isinstance(value, str):
            t = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if t.tzinfo is None:
                raise ValueError
        else:
            raise ValueError
    except (ValueError, OverflowError, OSError):
        raise _Bad(what, f"{value!r} is not a point in time — expected epoch seconds or "
                   "2026-10-01T09:00:00+01:00 / 20261001T080000Z") from None
    return t.astimezone(tz).replace(tzinfo=None)


def _tags(value: object, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise _Bad(what, "expected a list of tag names")
    return [t.strip() for t in value if t.strip()]


def _tag_keys(head: str, tags: list[str]) -> tuple[str, ...]:
    """Watson: `project/tag` for each tag, then the project (so `acme` + tag `churn-model`
    finds acme/churn-model on its own)."""
    return tuple(f"{head}/{t}" for t in tags) + (head,)


def read_watson(data: list[object], path: str, tz: tzinfo) -> Export:
    """Watson's frames (parsed JSON): the `frames` file's lists or `watson log --json` objects."""
    out: list[Row] = []
    problems: list[Problem] = []
    skipped: list[str] = []
    for n, frame in enumerate(data, 1):
        where = Source(path, None)
        label = f"frame {n}"
        try:
            if isinstance(frame, list):  # the frames file: [start, stop, project, id, tags, updated_at(, note)]
                if len(frame) < 4:
                    raise _Bad(None, "expected [start, stop, project, id, tags, updated_at]")
                start_v, stop_v, project, fid = frame[0], frame[1], frame[2], frame[3]
                tags = _tags(frame[4] if len(frame) > 4 else [], "tags")
                note = frame[6] if len(frame) > 6 and isinstance(frame[6], str) else None
            elif isinstance(frame, dict):  # watson log --json
                start_v, stop_v, project, fid = (frame.get("start"), frame.get("stop"), frame.get("project"),
                                                 frame.get("id"))
                tags = _tags(frame.get("tags"), "tags")
                note = frame.get("note") if isinstance(frame.get("note"), str) else None
            else:
                raise _Bad(None, "expected a frame (a list or an object)")
            if not isinstance(fid, str) or not fid.strip():
                raise _Bad("id", "missing — every Watson frame has an id")
            label = f"frame {n} ({fid[:8]})"
            where = Source(f"{path}: {label}")
            if not isinstance(project, str) or not project.strip():
                raise _Bad("project", "missing — every Watson frame names a project")
            if stop_v is None:
                skipped.append(f"{where}: still running")
                continue
            start = _instant(start_v, "start", tz)
            end = _instant(stop_v, "stop", tz)
            billable = not any(t.lower() in NON_BILLABLE_TAGS for t in tags)
            kept = [t for t in tags if t.lower() not in NON_BILLABLE_TAGS]
            out.extend(_rows_for("watson", where, _tag_keys(project.strip(), kept), project.strip(), start, end,
                                 one_line(note), billable, f"watson:{fid.strip()}", skipped, "Watson",
                                 tuple(kept)))
        except _Bad as e:
            problems.append(Problem(Source(f"{path}: {label}") if where.path == path else where, e.column, str(e)))
    if problems:
        raise _refused(problems, path, "frame")
    return Export(path, "watson", tuple(out), tuple(skipped))


# --- Timewarrior ---------------------------------------------------------------------------------
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\S+')
_DATA = re.compile(r"inc\s+(\d{8}T\d{6}Z)(?:\s+-\s+(\d{8}T\d{6}Z))?\s*(?:#\s?(.*))?")


def _timew_keys(tags: list[str]) -> tuple[str, ...]:
    """Timewarrior has only tags: try each ordered pair `a/b` (client/engagement), each tag,
    then all tags as one name."""
    pairs = [f"{a}/{b}" for a in tags for b in tags if a != b]
    return tuple(pairs + tags + ([" ".join(tags)] if len(tags) > 1 else []))


def _unquote(tok: str) -> str:
    if tok.startswith('"') and tok.endswith('"') and len(tok) >= 2:
        try:
            return str(json.loads(tok))
        except ValueError:
            return tok[1:-1]
    return tok


def _data_line(line: str) -> dict[str, object] | None:
    """One `inc START - END # tags # "annotation"` line of a Timewarrior data file."""
    m = _DATA.fullmatch(line.strip())
    if not m:
        return None
    tags: list[str] = []
    annotation = None
    rest = m[3] or ""
    toks = _TOKEN.findall(rest)
    if "#" in toks:
        i = toks.index("#")
        annotation = " ".join(_unquote(t) for t in toks[i + 1:]) or None
        toks = toks[:i]
    tags = [_unquote(t) for t in toks]
    return {"start": m[1], "end": m[2], "tags": tags, "annotation": annotation}


def read_timewarrior(source: Path, text: str, data: list[object] | None, path: str, tz: tzinfo) -> Export:
    """`timew export` JSON (`data`, parsed), one `*.data` file, or the whole `data/` folder."""
    items: list[tuple[Source, object]] = []
    problems: list[Problem] = []
    if data is None:
        files = sorted(source.glob("*.data")) if source.is_dir() else [source]
        if source.is_dir() and not files:
            raise UsageError(f"{path}: no Timewarrior *.data files in this folder")
        for f in files:
            name = f"{path}/{f.name}" if source.is_dir() else path
            body = f.read_text(encoding="utf-8") if source.is_dir() else text
            for i, line in enumerate(body.splitlines(), 1):
                if not line.strip():
                    continue
                got = _data_line(line)
                if got is None:
                    problems.append(Problem(Source(name, i), None, f"'{line.strip()[:60]}' is not a Timewarrior "
                                            "interval (inc 20261001T090000Z - 20261001T113000Z # tags)"))
                else:
                    items.append((Source(name, i), got))
    else:
        items = [(Source(f"{path}: interval {n}"), v) for n, v in enumerate(data, 1)]
    out: list[Row] = []
    skipped: list[str] = []
    for where, item in items:
        try:
            if not isinstance(item, dict):
                raise _Bad(None, "expected an interval object {start, end, tags, annotation}")
            start_v = item.get("start")
            if not isinstance(start_v, str):
                raise _Bad("start", "missing — every interval has a start")
            if item.get("end") is None:
                skipped.append(f"{where}: still running")
                continue
            tags = _tags(item.get("tags"), "tags")
            billable = not any(t.lower() in NON_BILLABLE_TAGS for t in tags)
            kept = [t for t in tags if t.lower() not in NON_BILLABLE_TAGS]
            if not kept:
                raise _Bad("tags", "no tags — Timewarrior intervals are matched to engagements by their tags; "
                           "tag it (timew tag @N client engagement) and export again")
            start = _instant(start_v, "start", tz)
            end = _instant(item.get("end"), "end", tz)
            ann = item.get("annotation")
            note = one_line(ann) if isinstance(ann, str) else None
            out.extend(_rows_for("timewarrior", where, _timew_keys(kept), " ".join(kept), start, end, note,
                                 billable, f"timewarrior:{start_v}", skipped, "Timewarrior", tuple(kept)))
        except _Bad as e:
            problems.append(Problem(where, e.column, str(e)))
    if problems:
        raise _refused(problems, path, "interval")
    return Export(path, "timewarrior", tuple(out), tuple(skipped))


# --- entry point -----------------------------------------------------------------------------------
def read_export(source: Path, fmt: str | None, *, tz: tzinfo | None, dates: str | None = None,
                shown: str | None = None) -> Export:
    """Every row of one export file (or Timewarrior data folder); all-or-nothing.

    `tz` is needed only for the tools that store UTC (Watson, Timewarrior); `shown` is how the
    path is named in messages (as the user typed it)."""
    path = shown or str(source)
    if not source.exists():
        raise UsageError(f"{path}: no such file")
    text = ""
    if not source.is_dir():
        try:
            text = source.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as e:
            raise _refused([Problem(Source(path), None, f"is not UTF-8 text (byte {e.start}); "
                                    "export it again as CSV/JSON in UTF-8")], path) from None
    data = None
    if fmt in (None, "watson", "timewarrior") and text.lstrip().startswith("["):
        data = _json_list(text, path, fmt)
    tool = fmt or detect_format(source, text, data)
    if tool in ("toggl", "clockify", "harvest"):
        if source.is_dir():
            raise UsageError(f"{path} is a folder; give the {tool.title()} CSV file")
        return read_csv_export(text, path, tool, dates)
    if tool in ("watson", "timewarrior") and tz is None:
        raise UsageError(f"--timezone: {tool.title()} stores UTC times; say which zone the work was done in, "
                         "e.g. --timezone Europe/London")
    if tool == "watson":
        if data is None:
            data = _json_list(text, path, tool)
        return read_watson(data, path, tz)  # type: ignore[arg-type]  # tz is set: checked above
    if tool == "timewarrior":
        return read_timewarrior(source, text, data, path, tz)  # type: ignore[arg-type]  # tz is set: checked above
    raise UsageError(f"--format: '{fmt}' is not one of {', '.join(FORMATS)}")
