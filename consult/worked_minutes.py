"""Billable minutes per engagement per day, for reports over years of timesheets.

Why: `consult earnings` needs only each engagement's billable minutes per calendar day (billing
turns those into days), yet ten years of timesheets are 100,000 rows whose reading dominates
the command. So each client's daily totals are kept in `<books>/.consult-cache/worked-minutes.json`,
keyed on the size and modification time (ns) of every file they depend on: the client's
timesheet files, its client.yaml and engagement files, and practice.yaml (which sets the default
hours per day and so how entries given in days read). Any change to any of them, a file added
or removed, and that client is read again through the one timesheet reader
(`timesheet_files.read_timesheets`), so the totals can never be stale. Only clients whose files
read without errors are cached; errors stop the report as `open_books` would.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from .errors import BooksError, ConsultError, Problem
from .model import Books, TimeEntry

CACHE_DIR = ".consult-cache"
CACHE_FILE = "worked-minutes.json"
FORMAT = "consult-worked-minutes-1"

# (client, engagement) -> {day: billable minutes}
Minutes = dict[tuple[str, str], dict[date, int]]


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


def worked_minutes(books: Books) -> Minutes:
    """Billable minutes per engagement per day for books loaded without their timesheets,
    from the cache where every file behind a client is unchanged, else read afresh."""
    from .store import atomic_write
    from .timesheet_files import read_timesheets

    root = Path(books.root)
    path = root / CACHE_DIR / CACHE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        old = data["clients"] if data.get("format") == FORMAT else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        old = {}
    if not isinstance(old, dict):
        old = {}
    new: dict[str, Any] = {}
    out: Minutes = {}
    changed = False
    for cid, client in sorted(books.clients.items()):
        stamp = _stamp(root, cid)
        hit = old.get(cid)
        if isinstance(hit, dict) and hit.get("stamp") == stamp:
            try:
                for eng, days in hit["minutes"].items():
                    out[(cid, eng)] = {date.fromisoformat(d): int(m) for d, m in days.items()}
                new[cid] = hit
                continue
            except (KeyError, TypeError, ValueError, AttributeError):
                pass
        problems: list[Problem] = []
        entries = read_timesheets(root, client, books.engagements, problems)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise BooksError(errors, "the books have errors; fix them first (`consult check` lists them)")
        mins = aggregate(entries)
        out.update(mins)
        new[cid] = {"stamp": stamp, "minutes": {eng: {d.isoformat(): m for d, m in days.items()}
                                                for (_, eng), days in mins.items()}}
        changed = True
    if changed or set(old) != set(new):
        try:
            (root / CACHE_DIR).mkdir(exist_ok=True)
            atomic_write(path, json.dumps({"format": FORMAT, "clients": new}, separators=(",", ":")))
        except (OSError, ConsultError):
            pass  # read-only books: the report still runs, just without the cache
    return out
