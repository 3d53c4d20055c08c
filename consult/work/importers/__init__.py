"""Reading other time trackers' exports into plain rows: local day, whole minutes, project, id.

Five tools, one module each:

* **Toggl Track, Clockify** (detailed report CSV) and **Harvest** (detailed time report CSV)
  share one CSV reader (`csvspec`); each tool is a spec of its columns (`toggl`, `clockify`,
  `harvest`). They write the user's local dates and times.
* **Watson** (`watson`) and **Timewarrior** (`timewarrior`) store UTC instants; each is put in
  the practice's local time (`tz`, an IANA zone) before it gets a day: work belongs to the day
  it was done where it was done.

Minutes are the time that really passed, across midnight and clock changes
(`common.local_parts`). A still-running timer and an entry shorter than half a minute are
skipped and counted, never guessed at. Every row keeps a stable id `tool:…` so a re-import
adds nothing. Every malformed row is collected (file, line or item, column, what is wrong,
what to do) and raised together as one `BooksError` (exit 1) before anything is written.
"""

from __future__ import annotations

import json
from datetime import tzinfo
from pathlib import Path

from consult.errors import Problem, Source, UsageError
from consult.work.importers.cells import date_order, decode, parse_day
from consult.work.importers.common import Export, Part, Row, day_parts, local_parts, refused, zone
from consult.work.importers.csvspec import CsvOptions, CsvSpec, header_of, read_csv_export

FORMATS = ("toggl", "clockify", "harvest", "watson", "timewarrior")

__all__ = ["FORMATS", "CsvOptions", "Export", "Part", "Row", "date_order", "day_parts", "detect_format",
           "local_parts", "parse_day", "read_export", "spec_of", "zone"]

_JSON_HINT = {"watson": "give Watson's `frames` file or `watson log --json`",
              "timewarrior": "give the output of `timew export`"}


def spec_of(tool: str) -> CsvSpec:
    """The CSV spec of a spreadsheet tool."""
    if tool == "toggl":
        from consult.work.importers.toggl import TOGGL
        return TOGGL
    if tool == "clockify":
        from consult.work.importers.clockify import CLOCKIFY
        return CLOCKIFY
    from consult.work.importers.harvest import HARVEST
    return HARVEST


def _json_list(text: str, path: str, tool: str | None) -> list[object]:
    """A JSON export's top-level list, parsed once (detection and reading share it)."""
    hint = _JSON_HINT.get(tool or "", "give Watson's frames or the output of `timew export`")
    try:
        data = json.loads(text)
    except ValueError as e:
        raise refused([Problem(Source(path, getattr(e, "lineno", None)), None, f"is not JSON ({e}); {hint}")],
                      path) from None
    if isinstance(data, dict) and "project" in data and "start" in data:
        raise UsageError(f"{path}: this is Watson's state file — the frame still running, never imported; "
                         "give the frames file (next to it) or `watson log --json`")
    if not isinstance(data, list):
        raise UsageError(f"{path}: expected a JSON list ({hint}); check --format")
    return data


def detect_format(path: Path, text: str, data: list[object] | None = None) -> str:
    """The tool that wrote `text` (`data`: its JSON, when it is JSON), from its header or JSON
    shape; UsageError when unclear."""
    head = text.lstrip()
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
        header = header_of(head)
        for tool in ("toggl", "clockify", "harvest"):
            if spec_of(tool).told_by(header):
                return tool
    raise UsageError(f"{path}: cannot tell which tool wrote it; say --format {'|'.join(FORMATS)}")


MAX_IMPORT_BYTES = 64 * 1024 * 1024  # ten years of one person's Toggl rows is a few MB


def read_import(source: Path, path: str) -> bytes:
    """The bytes of an export the user named: a file, or a pipe (`<(…)`), never more than
    `MAX_IMPORT_BYTES` (`/dev/zero` or a runaway export is refused, not read into memory)."""
    from consult.books.files import Unreadable, read_regular

    try:
        return read_regular(source, MAX_IMPORT_BYTES, regular_only=False, what="an export")
    except Unreadable as e:
        raise UsageError(f"{path}: {e}") from None
    except OSError as e:
        raise UsageError(f"{path}: cannot be read: {e.strerror}") from None


def read_export(source: Path, fmt: str | None, *, tz: tzinfo | None, dates: str | None = None,
                shown: str | None = None, user: str | None = None,
                billable_values: str | None = None) -> Export:
    """Every row of one export file (or Timewarrior data folder); all-or-nothing.

    `tz` is the zone the work was done in: needed for the tools that store UTC (Watson,
    Timewarrior), and used for the spreadsheet tools' wall-clock times where a span crosses a
    change of the clock. `shown` is how the path is named in messages (as the user typed it);
    `user` picks one person of a team export; `billable_values` adds a YES,NO pair."""
    path = shown or str(source)
    if not source.exists():
        raise UsageError(f"{path}: no such file")
    text, encoding = "", None
    if not source.is_dir():
        if source.suffix == ".data":  # beside Timewarrior's month files: its tags and undo files
            from consult.work.importers.timewarrior import side_file

            side_file(source, path)
        try:
            text, encoding = decode(read_import(source, path))
        except ValueError as e:
            raise refused([Problem(Source(path), None, f"{e}")], path) from None
    data = None
    if fmt in (None, "watson", "timewarrior") and text.lstrip().startswith(("[", "{")):
        data = _json_list(text, path, fmt)
    tool = fmt or detect_format(source, text, data)
    if tool not in FORMATS:
        raise UsageError(f"--format: '{fmt}' is not one of {', '.join(FORMATS)}")
    if tool in ("toggl", "clockify", "harvest"):
        if source.is_dir():
            raise UsageError(f"{path} is a folder; give the {tool.title()} CSV file")
        return read_csv_export(spec_of(tool), text, path, tz, CsvOptions(dates, user, billable_values, encoding))
    if user:
        raise UsageError(f"--user: a {tool.title()} export is one person's time; leave --user out")
    if tz is None:
        raise UsageError(f"--timezone: {tool.title()} stores UTC times; say which zone the work was done in, "
                         "e.g. --timezone Europe/London")
    if tool == "watson":
        from consult.work.importers.watson import read_watson

        return read_watson(data if data is not None else _json_list(text, path, tool), path, tz)
    from consult.work.importers.timewarrior import read_timewarrior

    return read_timewarrior(source, text, data, path, tz)


def read_export_bytes(data: bytes, fmt: str | None, *, tz: tzinfo | None, shown: str = "<stdin>",
                      dates: str | None = None, user: str | None = None,
                      billable_values: str | None = None) -> Export:
    """`read_export` for an export given as bytes (a pipe: `timew export | consult time import -`):
    read through a private temporary file, removed again whatever happens."""
    import os
    import tempfile

    fd, name = tempfile.mkstemp(prefix="consult-import-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return read_export(Path(name), fmt, tz=tz, dates=dates, shown=shown, user=user,
                           billable_values=billable_values)
    finally:
        Path(name).unlink(missing_ok=True)
