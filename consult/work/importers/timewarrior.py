"""Timewarrior: `timew export` JSON, one `YYYY-MM.data` file, or the data folder.

Timewarrior keeps one file of intervals per month in its data folder, `data/2026-10.data`,
one interval a line, in UTC:

    inc 20261002T090000Z - 20261002T110000Z # acme build # "Drift report"

(tags after the first `#`, a tag with a space in quotes, the annotation after the second).
The same folder holds `tags.data` (tag counts, JSON) and `undo.data` (the undo journal):
neither is intervals, so only the `YYYY-MM.data` files are read. A line with no end is the
interval still running; it is counted, never imported.

**Numbers.** Timewarrior names an interval `@N` counting back from the latest: `@1` is the
interval with the latest start in the whole database, `@2` the one before, across every
month file (Timewarrior 1.4.3, `timew summary :ids`; `timew export` writes the same number
as `id`). Messages name intervals so. A single month file is numbered with the month files
beside it (as it is in the data folder); an export without ids (Timewarrior before 1.1) is
named by its start.

An interval with no tags (other than `non-billable`) has nothing to match an engagement by: it
is *unmapped* under its number, so `--map @249=acme/build` sends it somewhere, or
`--skip-unmapped` leaves it out, or `timew tag @249 acme build` fixes it at the source.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta, tzinfo
from pathlib import Path

from consult.errors import Problem, Source, UsageError
from consult.work.importers.common import (
    EVER,
    NON_BILLABLE_TAGS,
    Bad,
    Export,
    Row,
    entry_rows,
    instant,
    one_line,
    refused,
    tag_list,
)

MONTH_FILE = re.compile(r"\d{4}-\d{2}\.data")
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


def data_line(line: str) -> dict[str, object] | None:
    """One `inc START - END # tags # "annotation"` line of a Timewarrior data file."""
    m = _DATA.fullmatch(line.strip())
    if not m:
        return None
    annotation = None
    toks = _TOKEN.findall(m[3] or "")
    if "#" in toks:
        i = toks.index("#")
        annotation = " ".join(_unquote(t) for t in toks[i + 1:]) or None
        toks = toks[:i]
    return {"start": m[1], "end": m[2], "tags": [_unquote(t) for t in toks], "annotation": annotation}


def _month_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and MONTH_FILE.fullmatch(p.name))


def _parse_files(files: list[tuple[Path, str, str]], problems: list[Problem]) -> list[tuple[Source, dict[str, object]]]:
    """(where, interval) of every line of the given (file, name shown, text)."""
    out = []
    for _, name, body in files:
        for i, line in enumerate(body.splitlines(), 1):
            if not line.strip():
                continue
            got = data_line(line)
            if got is None:
                problems.append(Problem(Source(name, i), None, f"'{line.strip()[:60]}' is not a Timewarrior "
                                        "interval (inc 20261001T090000Z - 20261001T113000Z # tags)"))
            else:
                out.append((Source(name, i), got))
    return out


def _numbered(items: list[tuple[Source, dict[str, object]]], total: int, later: int) -> list[tuple[Source, dict[str, object], str]]:
    """Each interval with its `@N`: counting back from the latest start of the database, of
    which these are `total` intervals and `later` come after them."""
    order = sorted(range(len(items)), key=lambda i: str(items[i][1]["start"]))
    number = {i: f"@{later + total - k}" for k, i in enumerate(order)}
    return [(w, item, number[i]) for i, (w, item) in enumerate(items)]


def _from_data(source: Path, text: str, path: str, problems: list[Problem]) -> list[tuple[Source, dict[str, object], str]]:
    """The intervals of a data folder (or the database folder holding `data/`) or one month file."""
    if source.is_dir():
        folder = source / "data" if (source / "data").is_dir() and not _month_files(source) else source
        files = _month_files(folder)
        if not files:
            raise UsageError(f"{path}: no Timewarrior month files (YYYY-MM.data) in this folder")
        shown = path if folder == source else f"{path}/data"
        items = _parse_files([(f, f"{shown}/{f.name}", _text(f, f"{shown}/{f.name}")) for f in files], problems)
        return _numbered(items, len(items), 0)
    side_file(source, path)
    items = _parse_files([(source, path, text)], problems)
    later = 0
    if MONTH_FILE.fullmatch(source.name):  # numbered as in its data folder: count the months after it
        for f in _month_files(source.parent):
            if f.name > source.name:
                later += sum(1 for line in _text(f, str(f)).splitlines() if data_line(line))
    return _numbered(items, len(items), later)


def _text(f: Path, shown: str) -> str:
    """One month file's text, bounded like every import (consult.work.importers.read_import)."""
    from consult.work.importers import read_import

    try:
        return read_import(f, shown).decode("utf-8")
    except UnicodeDecodeError as e:
        raise UsageError(f"{shown}: is not UTF-8 text (byte {e.start}); Timewarrior writes UTF-8") from None


def side_file(source: Path, path: str) -> None:
    """Refuse Timewarrior's `tags.data` and `undo.data`, which live beside the intervals."""
    if source.name in ("tags.data", "undo.data"):
        raise UsageError(f"{path}: Timewarrior's {source.name} holds "
                         f"{'tag counts' if source.name == 'tags.data' else 'the undo journal'}, not intervals; "
                         "give the data folder or one YYYY-MM.data file")


def read_timewarrior(source: Path, text: str, data: list[object] | None, path: str, tz: tzinfo) -> Export:
    """`timew export` JSON (`data`, parsed), one month file, or the data folder; all-or-nothing."""
    problems: list[Problem] = []
    covers = None
    if data is None:
        items = _from_data(source, text, path, problems)
        covers = EVER if source.is_dir() else _month_of(source.name)
    else:
        items = []
        for item in data:
            num = item.get("id") if isinstance(item, dict) else None
            start = item.get("start") if isinstance(item, dict) else None
            name = f"@{num}" if isinstance(num, int) and not isinstance(num, bool) else f"interval from {start}"
            items.append((Source(f"{path}: {name}"), item, name))  # type: ignore[arg-type]  # an unchecked JSON item: the reader checks its shape
    out: list[Row] = []
    skipped: list[str] = []
    for where, item, name in items:
        try:
            if not isinstance(item, dict):
                raise Bad(None, "expected an interval object {start, end, tags, annotation}")
            start_v = item.get("start")
            if not isinstance(start_v, str):
                raise Bad("start", "missing — every interval has a start")
            if item.get("end") is None:
                skipped.append(f"{where}: still running")
                continue
            tags = tag_list(item.get("tags"), "tags")
            billable = not any(t.lower() in NON_BILLABLE_TAGS for t in tags)
            kept = [t for t in tags if t.lower() not in NON_BILLABLE_TAGS]
            keys, project = (_timew_keys(kept), " ".join(kept)) if kept else ((name,), name)
            start = instant(start_v, "start")
            end = instant(item.get("end"), "end")
            ann = item.get("annotation")
            note = one_line(ann) if isinstance(ann, str) else None
            out.extend(entry_rows(where, keys, project, start, end, tz, note, billable,
                                  f"timewarrior:{start_v}", skipped, "Timewarrior", tuple(kept)))
        except Bad as e:
            problems.append(Problem(where, e.column, str(e)))
    if problems:
        raise refused(problems, path, "interval")
    return Export(path, "timewarrior", tuple(out), tuple(skipped), covers=covers)


def _month_of(name: str) -> tuple[date, date] | None:
    """The month a `YYYY-MM.data` file holds (intervals are filed by the month they start in)."""
    if not MONTH_FILE.fullmatch(name):
        return None
    y, m = int(name[:4]), int(name[5:7])
    if not 1 <= m <= 12:
        return None
    last = (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1))
    return date(y, m, 1), last
