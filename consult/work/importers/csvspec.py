"""One reader for the spreadsheet exports (Toggl Track, Clockify, Harvest), each tool a `CsvSpec`.

The three tools write the same kind of table: one row per time entry with a person, a client,
a project, a task, a note, a billable flag and either a start and an end (Toggl, Clockify) or
a date and hours (Harvest). A spec names each tool's columns (with the names older and newer
exports use: Toggl's `End date` became `Stop date`), which of them must be there, and which
tell the tool apart when `--format` is not given. Column names are matched without regard to
case; cells are read by `consult.work.importers.cells`.

**Identity.** These exports carry no entry id, so each row's id is a digest of what
identifies the work — the person, client, project, task, description, and the start and end
(or, for Harvest, the date and hours) — read as values, so the same work exported again with
other columns, a hidden amount, another date format or a 12-hour clock is the same entry:
`toggl:` + 16 hex digits, and `-2`, `-3`… for the second and later of identical rows. Rows
imported before this rule (a digest of every cell) are still recognised by that old id.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta, tzinfo
from hashlib import sha256
from itertools import chain
from operator import itemgetter
from typing import NamedTuple

from consult.core.record import record
from consult.errors import Problem, Source, UsageError
from consult.work.importers.cells import (
    DELIMITER_NAMES,
    billable_words,
    date_order,
    duration_seconds,
    parse_billable,
    parse_day,
    parse_hours,
    parse_time_of_day,
    sniff_delimiter,
)
from consult.work.importers.common import (
    UTC,
    Bad,
    Export,
    Row,
    entry_rows,
    one_line,
    refused,
    round_minute,
    wall_span,
)

_MINUTE = timedelta(minutes=1)

Names = tuple[str, ...]


@record
class CsvSpec:
    """One tool's export: its columns (each a tuple of accepted names) and how to tell it."""

    tool: str
    label: str
    detect: tuple[Names, ...]  # header names (exact case) that together say "this tool wrote it"
    project: Names
    client: Names = ()
    task: Names = ()
    notes: Names = ()
    billable: Names = ()
    person: Names = ()  # the person's name (Toggl/Clockify), or first name (Harvest)
    last_name: Names = ()
    email: Names = ()
    start_date: Names = ()
    start_time: Names = ()
    end_date: Names = ()
    end_time: Names = ()
    duration: Names = ()
    day: Names = ()  # Harvest: the date and decimal hours
    hours: Names = ()
    project_code: Names = ()

    @property
    def timed(self) -> bool:
        return bool(self.start_date)

    def required(self) -> tuple[Names, ...]:
        if self.timed:
            return (self.project, self.start_date, self.start_time)
        return (self.project, self.day, self.hours)

    def told_by(self, header: list[str]) -> bool:
        names = set(header)
        return all(any(n in names for n in alts) for alts in self.detect)


class _Columns:
    """Where each of a spec's columns is in this file's header (case-insensitive), or None."""

    def __init__(self, header: list[str]):
        self.header = header
        self.at: dict[str, int] = {}
        for i, h in enumerate(header):
            self.at.setdefault(h.casefold(), i)

    def find(self, names: Names) -> int | None:
        for n in names:
            i = self.at.get(n.casefold())
            if i is not None:
                return i
        return None

    def name(self, i: int | None) -> str:
        return self.header[i] if i is not None else ""


class _CsvBroken(Exception):
    def __init__(self, line: int, why: str):
        super().__init__(why)
        self.line = line


def _records(text: str, delimiter: str) -> tuple[list[tuple[int, list[str]]], _CsvBroken | None]:
    """(line, cells) of each non-blank record, read in one pass, up to the first record that is
    not CSV; and that record's error (None when every record read)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    out: list[tuple[int, list[str]]] = []
    line = 0
    try:
        for cells in reader:
            if cells and (cells[0].strip() or any(map(str.strip, cells))):
                out.append((line + 1, cells))
            line = reader.line_num
    except csv.Error as e:
        why = ('a quote (") opened on this row is never closed' if "end of data" in str(e)
               else f"cannot be read as CSV ({e})")
        return out, _CsvBroken(line + 1, why)
    return out, None


def header_of(text: str) -> list[str]:
    """The first row's cell names (for telling the tool), whatever the delimiter."""
    first = text.split("\n", 1)[0]
    return [h.strip() for h in next(csv.reader([first], delimiter=sniff_delimiter(first)), [])]


@record
class CsvOptions:
    dates: str | None = None  # dmy | mdy when the file cannot prove it
    user: str | None = None  # NAME or EMAIL: one person of a team export
    billable_values: str | None = None  # YES,NO in the user's language
    encoding: str | None = None  # how the bytes were read (None: UTF-8), named in the summary


def read_csv_export(spec: CsvSpec, text: str, path: str, tz: tzinfo | None, opts: CsvOptions) -> Export:
    """Every row of a Toggl, Clockify or Harvest export; all-or-nothing.

    `tz` is the zone the wall-clock times were written in (needed only where a span crosses a
    change of the clock; None reads them on a clock that never changes)."""
    from consult.work.importers.cells import ENCODING_NAMES

    first = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first)
    records, broken = _records(text, delimiter)
    if not records:
        if broken is not None:
            raise refused([Problem(Source(path, broken.line), None, f"{broken} — the file is damaged; export it "
                                   "again")], path)
        raise refused([Problem(Source(path), None, "is empty — export the detailed report again")], path)
    header = [h.strip() for h in records[0][1]]
    cols = _Columns(header)
    missing = [f"'{alts[0]}'" for alts in spec.required() if cols.find(alts) is None]
    if spec.timed and cols.find(spec.end_time) is None and cols.find(spec.duration) is None:
        missing.append(f"'{spec.end_time[0]}' (or '{spec.duration[0]}')")
    if missing:
        raise UsageError(f"{path}: not a {spec.label} export — no column {', '.join(missing)} "
                         f"(its columns: {', '.join(header)}); check --format")
    if broken is not None:  # after the header's own refusal, as when the records were read one by one
        raise refused([Problem(Source(path, broken.line), None, f"{broken} — the file is damaged; export it again")],
                      path)
    body = records[1:]
    width = len(header)
    for line, cells in body:
        if len(cells) != width:
            raise refused([Problem(Source(path, line), None, f"has {len(cells)} cells, the header {width} — "
                                   "the file is damaged; export it again")], path)
    facts: list[str] = []
    if opts.encoding:
        facts.append(f"{ENCODING_NAMES.get(opts.encoding, opts.encoding)} text")
    if delimiter in DELIMITER_NAMES:
        facts.append(DELIMITER_NAMES[delimiter])
    reader = _RowReader(spec, cols, path, tz, opts)
    people = reader.people(body)
    if opts.user:
        body = reader.pick(body, people)
        facts.append(f"--user {opts.user}: {len(body)} row{'s' if len(body) != 1 else ''}")
    if reader.i_bill is None:
        facts.append(f"no {spec.billable[0]} column: every entry taken as billable")
    date_cols = [i for i in (reader.i_sd, reader.i_ed, reader.i_day) if i is not None]
    # each distinct date text once (a month's rows share a few dozen), in order of appearance
    dates = map(itemgetter(*date_cols), [cells for _, cells in body])
    order = date_order(dict.fromkeys(chain.from_iterable(dates) if len(date_cols) > 1 else dates), opts.dates, path)
    out: list[Row] = []
    problems: list[Problem] = []
    skipped: list[str] = []
    reader.order = order
    reader.rows(body, order, out, skipped, problems)
    if problems:
        raise refused(problems, path, "row")
    return Export(path, spec.tool, tuple(out), tuple(skipped), tuple(facts), tuple(people), opts.user)


class _RowReader:
    """Reads one spec's rows from one file's columns (the column lookups done once).

    An export repeats itself: the same person, client, project, task and note on many rows, the
    same dates and times of day on many more. Whatever a row's cells decide alone is worked out
    once per distinct text and kept (`fixed`, `days`, `clocks`); a row then costs its own
    digest and its own times. Errors are never kept: a bad cell is read (and refused) on every
    row that holds it, so each is named at its own line."""

    def __init__(self, spec: CsvSpec, cols: _Columns, path: str, tz: tzinfo | None, opts: CsvOptions):
        self.spec, self.cols, self.path, self.tz = spec, cols, path, tz
        f = cols.find
        self.i_project, self.i_client, self.i_task = f(spec.project), f(spec.client), f(spec.task)
        self.i_notes, self.i_bill, self.i_code = f(spec.notes), f(spec.billable), f(spec.project_code)
        self.i_person, self.i_last, self.i_email = f(spec.person), f(spec.last_name), f(spec.email)
        self.i_sd, self.i_st = f(spec.start_date), f(spec.start_time)
        self.i_ed, self.i_et, self.i_dur = f(spec.end_date), f(spec.end_time), f(spec.duration)
        self.i_day, self.i_hours = f(spec.day), f(spec.hours)
        self.words = billable_words(opts.billable_values)
        self.header = cols.header
        self.seen: dict[str, int] = {}
        self.seen_old: dict[str, int] = {}
        self.user = opts.user
        self.unique = len(set(self.header)) == len(self.header)
        # cell text -> (value, its ISO text): a month's dates and times of day repeat
        self.days: dict[str, tuple[date, str]] = {}
        self.clocks: dict[str, tuple[time, str]] = {}
        self.order = "dmy"  # how day-first dates are read: the file's, set before its rows are read
        self.timed = spec.timed
        self.offsets: dict[date, timedelta | None] = {}
        self.bills: dict[str, bool] = {}
        # the cells that decide a row's note, billable flag, names and person, read together
        at = [i for i in (self.i_project, self.i_client, self.i_task, self.i_notes, self.i_code, self.i_bill,
                          self.i_person, self.i_last, self.i_email) if i is not None]
        self.fixed_cells = itemgetter(*at)
        self.fixed: dict[object, _Fixed] = {}
        self.who_of: dict[object, tuple[str, str]] = {}
        who_at = [i for i in (self.i_person, self.i_last, self.i_email) if i is not None]
        self.who_cells = itemgetter(*who_at) if who_at else None

    def cell(self, cells: list[str], i: int | None) -> str:
        return cells[i].strip() if i is not None else ""

    def who(self, cells: list[str]) -> tuple[str, str]:
        """(name, email) of the row's person ('' when the export does not say)."""
        if self.who_cells is None:
            return "", ""
        key = self.who_cells(cells)
        got = self.who_of.get(key)
        if got is None:
            name = self.cell(cells, self.i_person)
            if self.i_last is not None:
                name = f"{name} {self.cell(cells, self.i_last)}".strip()
            got = self.who_of[key] = (name, self.cell(cells, self.i_email))
        return got

    def people(self, body: list[tuple[int, list[str]]]) -> list[str]:
        """Everyone in the file, as `Name <email>` (or whichever it gives), in order of appearance."""
        out: dict[str, None] = {}
        if self.who_cells is None:
            return []
        # one row of each distinct (name, email) cells, in order of appearance: their people are
        # everyone's, in the same order
        rows = [cells for _, cells in body]
        for cells in dict(zip(map(self.who_cells, rows), rows, strict=True)).values():
            name, email = self.who(cells)
            shown = f"{name} <{email}>" if name and email else (name or email)
            if shown:
                out.setdefault(shown, None)
        return list(out)

    def pick(self, body: list[tuple[int, list[str]]], people: list[str]) -> list[tuple[int, list[str]]]:
        """The rows of --user (a name or an email, any case)."""
        want = (self.user or "").strip().casefold()
        if self.i_person is None and self.i_email is None:
            raise UsageError(f"--user: {self.path} names nobody (no user or email column); leave --user out")
        got = [(line, cells) for line, cells in body if want in {v.casefold() for v in self.who(cells) if v}]
        if not got:
            raise UsageError(f"--user {self.user}: nobody of that name or email in {self.path} "
                             f"(it holds: {', '.join(people) or 'nobody'})")
        return got

    def ids(self, head: str, tail: str, cells: list[str]) -> tuple[str, tuple[str, ...]]:
        """The row's id from what identifies the work (`head`, then `tail`: its times, already
        joined by \\x1f), and its id under the old every-cell rule."""
        tool = self.spec.tool
        h = sha256(f"{head}\x1f{tail}".encode()).hexdigest()[:16]
        n = self.seen[h] = self.seen.get(h, 0) + 1
        sid = f"{tool}:{h}-{n}" if n > 1 else f"{tool}:{h}"
        if self.unique:
            old_cells = cells
        else:
            by_name = dict(zip(self.header, cells, strict=True))
            old_cells = [by_name[k] for k in self.header]
        old = sha256("\x1f".join(map(str.strip, old_cells)).encode()).hexdigest()[:16]
        k = self.seen_old[old] = self.seen_old.get(old, 0) + 1
        return sid, (f"{tool}:{old}-{k}" if k > 1 else f"{tool}:{old}",)

    def steady(self, day: date) -> timedelta | None:
        """The zone's offset on `day` when it is the same all day (no change of the clock that
        day, a whole number of minutes), else None."""
        if day not in self.offsets:
            if self.tz is None:
                self.offsets[day] = timedelta()
            else:
                a = datetime.combine(day, time(0), self.tz).utcoffset()
                b = datetime.combine(day + timedelta(days=1), time(0), self.tz).utcoffset()
                self.offsets[day] = a if a is not None and a == b and a % _MINUTE == timedelta() else None
        return self.offsets[day]

    def day(self, text: str, i: int | None) -> tuple[date, str]:
        """The date a cell holds, with its ISO form (for the row's id)."""
        got = self.days.get(text)
        if got is None:
            d = parse_day(text, self.order, self.cols.name(i))
            got = self.days[text] = (d, d.isoformat())
        return got

    def clock(self, text: str, i: int | None) -> tuple[time, str]:
        """The time of day a cell holds, with its ISO form (for the row's id)."""
        got = self.clocks.get(text)
        if got is None:
            t = time(*parse_time_of_day(text, self.cols.name(i)))
            got = self.clocks[text] = (t, t.isoformat())
        return got

    def _fixed_of(self, cells: list[str]) -> _Fixed:
        """What the row's non-time cells decide (raises Bad for a billable flag it cannot read)."""
        cell = self.cell
        project, client, task = cell(cells, self.i_project), cell(cells, self.i_client), cell(cells, self.i_task)
        notes, code = cell(cells, self.i_notes), cell(cells, self.i_code)
        note = one_line(f"{task}: {notes}" if task and notes else (notes or task))
        billable = True
        if self.i_bill is not None:
            text = cells[self.i_bill]
            got = self.bills.get(text)
            if got is None:
                got = self.bills[text] = parse_billable(text, self.cols.name(self.i_bill), self.words)
            billable = got
        keys = ([f"{client}/{project}", project] if client and project else [project]) + ([code] if code else [])
        name, email = self.who(cells)
        ident = [self.spec.tool, (name or email).casefold(), client, project, task, " ".join(notes.split())]
        return _Fixed(note, billable, tuple(keys), project or "(no project)", name or email or None,
                      "\x1f".join(ident))

    def rows(self, body: list[tuple[int, list[str]]], order: str, out: list[Row], skipped: list[str],
             problems: list[Problem]) -> None:
        """Add each row's entries to `out` (none when it is skipped, two or more when it crosses
        midnight or a change of the clock), and a Problem for each row that cannot be read.

        One loop over the rows with what it looks up held in local names: a method call and a
        dozen attribute look-ups for each row were 3–4% of reading 10,000 rows."""
        path, label, tz, timed = self.path, self.spec.label, self.tz, self.timed
        fixed_cells, fixed, fixed_of = self.fixed_cells, self.fixed, self._fixed_of
        i_sd, i_st, i_ed, i_et, i_dur = self.i_sd, self.i_st, self.i_ed, self.i_et, self.i_dur
        days, clocks, offsets = self.days, self.clocks, self.offsets
        day, clock, steady, ids = self.day, self.clock, self.steady, self.ids
        combine, minute = datetime.combine, _MINUTE
        for line, cells in body:
            where = Source(path, line)
            try:
                key = fixed_cells(cells)
                got = fixed.get(key)
                if got is None:
                    got = fixed[key] = fixed_of(cells)
                note, billable, keys, shown, person, head = got
                if not timed:
                    out.extend(self._dated(where, cells, order, keys, shown, note, billable, person, head))
                    continue
                end_d = cells[i_ed].strip() if i_ed is not None else ""
                end_t = cells[i_et].strip() if i_et is not None else ""
                dur = cells[i_dur].strip() if i_dur is not None else ""
                if not end_t and not end_d and (i_et is not None or not dur):
                    skipped.append(f"{where}: still running")
                    continue
                sd, sd_iso = days.get(text := cells[i_sd]) or day(text, i_sd)  # type: ignore[index]  # the column is required for this tool: found when the header was read
                t0, t0_iso = clocks.get(text := cells[i_st]) or clock(text, i_st)  # type: ignore[index]  # the column is required for this tool: found when the header was read
                start = combine(sd, t0)
                # naive, whole seconds: start.isoformat() is the date's and the time's ISO forms joined by T
                start_iso = f"{sd_iso}T{t0_iso}"
                seconds = None
                if i_et is not None:
                    ed, ed_iso = (days.get(end_d) or day(end_d, i_ed)) if i_ed is not None and end_d else (sd, sd_iso)
                    t1, t1_iso = clocks.get(end_t) or clock(end_t, i_et)
                    end = combine(ed, t1)
                    if i_ed is None and end < start:  # no end date: an end before the start is the next day
                        end += timedelta(days=1)
                        tail = f"{start_iso}\x1f{end.isoformat()}"
                    else:
                        tail = f"{start_iso}\x1f{ed_iso}T{t1_iso}"
                else:  # Toggl's import form: a start and a duration
                    minutes = parse_hours(dur, self.cols.name(i_dur))
                    seconds = duration_seconds(dur)
                    seconds = seconds if seconds is not None else minutes * 60
                    end = start + timedelta(seconds=seconds)
                    tail = f"{start_iso}\x1f{seconds}s"
                sid, aliases = ids(head, tail, cells)
                off = offsets[sd] if sd in offsets else steady(sd)
                if off is not None and end.date() == sd:  # the common case: one stretch of one day, clock steady
                    a = round_minute(start) if t0.second else start
                    b = round_minute(end) if end.second or end.microsecond else end
                    if a < b:
                        ta = a.time()
                        out.append(Row(where, keys, shown, sd, (b - a) // minute, ta, b.time(), note, billable, sid,
                                       (), combine(a.date(), ta, UTC) - off, person, aliases))
                        continue
                if seconds is None and dur:
                    seconds = duration_seconds(dur)
                a, b = wall_span(start, end, tz, seconds)
                out.extend(entry_rows(where, keys, shown, a, b, tz or UTC, note, billable, sid, skipped, label,
                                      person=person, aliases=aliases))
            except Bad as e:
                problems.append(Problem(where, e.column, str(e)))

    def _dated(self, where: Source, cells: list[str], order: str, keys: tuple[str, ...], shown: str,
               note: str | None, billable: bool, person: str | None, head: str) -> list[Row]:
        """A Harvest row: a date and decimal hours (Harvest keeps no clock times)."""
        name_of = self.cols.name
        day = parse_day(cells[self.i_day], order, name_of(self.i_day))  # type: ignore[index]  # the column is required for this tool: found when the header was read
        hours_text = cells[self.i_hours]  # type: ignore[index]  # the column is required for this tool: found when the header was read
        minutes = parse_hours(hours_text, name_of(self.i_hours))
        if minutes > 24 * 60:
            raise Bad(name_of(self.i_hours), f"'{hours_text}' is more than a day — fix it in {self.spec.label} "
                      "and export again")
        sid, aliases = self.ids(head, f"{day.isoformat()}\x1f{minutes}m", cells)
        if minutes == 0:
            return []
        return [Row(where, keys, shown, day, minutes, None, None, note, billable, sid, person=person,
                    aliases=aliases, begins=datetime.combine(day, time(0), UTC))]


class _Fixed(NamedTuple):
    """What a row's non-time cells decide, kept for every row with the same cells."""

    note: str | None
    billable: bool
    keys: tuple[str, ...]
    shown: str
    person: str | None
    head: str  # the identifying values before the times, joined for the digest
