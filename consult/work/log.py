"""Appending one time entry to a month's timesheet, leaving every existing byte as it was.

Why not load the YAML, add an item and dump it again: a dump would drop the person's comments,
reorder keys and reflow lines, and a timesheet is a file they edit and keep in git. So the new
entry is composed as one line in the file's own form (a YAML flow mapping, or a CSV row in the
file's columns), the old bytes plus that line are checked to read back as exactly one more
entry, and the result replaces the file atomically under the books' lock, so two `time log`
runs at once both land and a killed run leaves the old file or the new one, never half a line.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, time
from pathlib import Path

from consult.books.writers import CannotAppend, Quoted, comment, line_of, list_item, one_line, with_item
from consult.core.durations import DurationError, parse_clock, parse_duration, span_minutes
from consult.core.record import record
from consult.core.records import Books, Client, Engagement
from consult.errors import ConsultError, Problem, UsageError
from consult.work.export import duration_text

_RANGE = re.compile(r"(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})")


@record
class Logged:
    """What `time log` wrote: the entry, where, and the engagement's month so far."""

    path: Path
    line: int
    text: str
    minutes: int
    month_minutes: int
    warnings: tuple[str, ...]


def parse_work(text: str, engagement: Engagement) -> tuple[int, time | None, time | None]:
    """DURATION on the command line: a duration (`1h30m`, `0.5d`…) or a clock range `09:00-12:30`.

    Returns (minutes, start, end); raises UsageError naming the input and the forms."""
    try:
        if m := _RANGE.fullmatch(text.strip()):
            start, end = parse_clock(m[1]), parse_clock(m[2])
            return span_minutes(start, end), start, end
        minutes = parse_duration(text, engagement.hours_per_day)
    except DurationError as e:
        raise UsageError(f"DURATION: {e}") from None
    if minutes == 0:
        raise UsageError(f"DURATION: '{text}' is no time at all — e.g. 1h30m, 90m, 0.5d or 09:00-12:30")
    return minutes, None, None


def month_file(root: Path, client: str, day: date) -> Path:
    """The month's timesheet: the existing one (CSV or YAML) or a new YAML file."""
    folder = root / "clients" / client / "timesheets"
    stem = f"{day:%Y-%m}"
    for suffix in (".yaml", ".yml", ".csv"):
        p = folder / f"{stem}{suffix}"
        if p.exists():
            return p
    return folder / f"{stem}.yaml"


def entry_item(day: date, engagement: str, minutes: int, *, note: str | None, billable: bool,
               start: time | None, end: time | None, source_id: str | None = None) -> dict[str, object]:
    """One entry's fields in the order the sample books write them (an imported entry ends with
    the `id` it had in its tool)."""
    item: dict[str, object] = {"date": day, "engagement": engagement}
    if start is not None and end is not None:
        item.update(start=start, end=end)
    else:
        item["duration"] = duration_text(minutes)
    if note:
        item["note"] = Quoted(note)
    if not billable:
        item["billable"] = False
    if source_id:
        item["id"] = Quoted(source_id)
    return item


def yaml_line(day: date, engagement: str, minutes: int, *, note: str | None, billable: bool,
              start: time | None, end: time | None, source_id: str | None = None) -> str:
    """One entry as the sample books write them: `- {date: …, engagement: …, duration: 1h30m}`,
    every value through the books' one serialiser (consult.books.writers)."""
    return list_item(entry_item(day, engagement, minutes, note=note, billable=billable, start=start, end=end,
                                source_id=source_id))


def csv_line(header: list[str], newline: str, day: date, engagement: str, minutes: int, *,
             note: str | None, billable: bool, start: time | None, end: time | None, where: str) -> str:
    """One entry as a row of an existing CSV timesheet, in its columns; UsageError when the file
    has no column for what must be written (it is never given new columns behind your back)."""
    row = dict.fromkeys(header, "")
    row["date"] = day.isoformat()

    def need(col: str, what: str) -> None:
        if col not in row:
            raise UsageError(f"{where} has no `{col}` column for {what}; add the column to its header "
                             "or log this entry by editing the file")

    if "engagement" in row:
        row["engagement"] = engagement
    if start is not None and end is not None and "start" in row and "end" in row:
        row["start"], row["end"] = f"{start:%H:%M}", f"{end:%H:%M}"
    elif "duration" in row:
        row["duration"] = duration_text(minutes)
    elif "hours" in row and minutes % 3 == 0:  # whole hundredths of an hour: exact as hours
        row["hours"] = f"{minutes / 60:.2f}".rstrip("0").rstrip(".")
    else:
        need("duration", f"{duration_text(minutes)} (hours would not be exact)")
    if note:
        need("note", "the note")
        row["note"] = note
    if not billable:
        need("billable", "--non-billable")
        row["billable"] = "false"
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerow([row[h] for h in header])
    return buf.getvalue()


def engagement_for(books: Books, client_id: str, engagement_id: str | None) -> str:
    """The engagement a `time log` entry goes to: the one named, else the client's only active
    engagement (a usage error naming them when there are several, or none)."""
    client = books.client(client_id)
    if engagement_id is not None:
        return books.engagement(client.id, engagement_id).id
    active = [e.id for e in books.engagements_of(client.id) if e.status == "active"]
    if len(active) == 1:
        return active[0]
    if not active:
        raise UsageError(f"{client.id} has no active engagement; write CLIENT/ENGAGEMENT")
    raise UsageError(f"{client.id} has {len(active)} active engagements ({', '.join(active)}); "
                     f"write CLIENT/ENGAGEMENT, e.g. {client.id}/{active[0]}")


def log_time(books: Books, client_id: str, engagement_id: str, day: date, work: str, *,
             note: str | None = None, billable: bool = True, today: date) -> Logged:
    """Append one entry (validated first; the client's timesheets must read without errors)."""
    from consult.books.lock import books_lock
    from consult.books.store import atomic_write
    from consult.books.timesheets import read_timesheets

    client = books.client(client_id)
    eng = books.engagement(client_id, engagement_id)
    minutes, start, end = parse_work(work, eng)
    one_line(note, "--note")  # refused, never normalised: a break in a typed note is a paste gone wrong
    root = Path(books.root)
    warnings = []
    if eng.start and day < eng.start:
        warnings.append(f"{day} is before {eng.key} starts ({eng.start})")
    if eng.end and day > eng.end:
        warnings.append(f"{day} is after {eng.key} ended ({eng.end})")
    if day > today:
        warnings.append(f"{day} is in the future (today is {today})")
    if eng.status != "active":
        warnings.append(f"{eng.key} is {eng.status}")
    with books_lock(root):
        problems: list[Problem] = []
        entries = read_timesheets(root, client, books.engagements, problems)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            from consult.books.loader import refusal

            raise refusal(errors)
        day_total = sum(e.minutes for e in entries if e.date == day) + minutes
        if day_total > 24 * 60:
            raise UsageError(f"that would make {duration_text(day_total)} on {day} for {client_id}, more than "
                             "a day holds; check --date")
        if start is not None and end is not None:
            for e in entries:
                if e.date == day and e.start is not None and e.end is not None and start < e.end and e.start < end:
                    warnings.append(f"{start:%H:%M}–{end:%H:%M} overlaps {e.start:%H:%M}–{e.end:%H:%M} ({e.source})")
        path = month_file(root, client_id, day)
        where = path.relative_to(root).as_posix()
        old = path.read_bytes() if path.exists() else b""
        old_text = old.decode("utf-8", errors="replace")
        sep = "" if not old_text or old_text.endswith("\n") else "\n"
        if path.suffix == ".csv":
            newline = "\r\n" if "\r\n" in old_text else "\n"
            if not old_text.strip():
                raise ConsultError(f"{where} is empty; give it a header row (date,engagement,duration,note) first")
            header = [h.strip() for h in next(csv.reader(io.StringIO(old_text)))]
            line = csv_line(header, newline, day, engagement_id, minutes, note=note, billable=billable,
                            start=start, end=end, where=where)
            sep = "" if old_text.endswith(("\n", "\r")) else newline
        else:
            item = entry_item(day, engagement_id, minutes, note=note, billable=billable, start=start, end=end)
            head = f"# {comment(client.name)}: time for {day:%B %Y}. One entry per line; see README, \"Time\".\n"
            try:  # any valid form of the file stays valid: `[]`, `...`, an indented or flow list
                new_text = with_item(old_text, item, header=head)
            except CannotAppend as e:
                raise ConsultError(f"{where}: cannot append an entry safely ({e}); nothing was written — fix the "
                                   "file, or add the entry by hand") from None
            line = list_item(item)
        if path.suffix == ".csv":
            new_text = old_text + sep + line
        check_appended(root, path, new_text, client, books, len([e for e in entries if e.source.path == where]))
        atomic_write(path, new_text.encode("utf-8"))
    month = sum(e.minutes for e in entries if e.engagement == engagement_id and
                (e.date.year, e.date.month) == (day.year, day.month)) + minutes
    line_no = line_of(new_text, line.strip())
    return Logged(path, line_no, line.rstrip("\r\n"), minutes, month, tuple(warnings))


def check_appended(root: Path, path: Path, text: str, client: Client, books: Books, before: int,
                    added: int = 1) -> None:
    """The file with the new lines must read as its old entries plus exactly those, without
    errors (a hand-written flow list `[...]` or a broken last line would otherwise swallow them)."""
    import tempfile

    from consult.books.timesheets import read_timesheets

    with tempfile.TemporaryDirectory(prefix="consult-log-") as tmp:
        scratch = Path(tmp)
        target = scratch / path.relative_to(root)
        target.parent.mkdir(parents=True)
        target.write_text(text, encoding="utf-8")
        problems: list[Problem] = []
        got = read_timesheets(scratch, client, books.engagements, problems)
    where = path.relative_to(root).as_posix()
    if problems or len(got) != before + added:
        why = problems[0].message if problems else f"it would read as {len(got)} entries, not {before + added}"
        raise ConsultError(f"{where}: cannot append {'an entry' if added == 1 else 'entries'} safely ({why}); "
                           "nothing was written — fix the file's last line, or add the entry by hand")

