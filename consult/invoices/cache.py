"""Issued invoices read fast for reports: a derived cache under `<books>/.consult-cache/`.

Why: ten years of a practice is thousands of issued records, and parsing every YAML file on
each `consult earnings` costs seconds. Each issued record is write-once, so a cache entry keyed
on the file's path, size and modification time (nanoseconds) can never be stale: a record that
changes in any way (restored from git, edited by hand) has another size or mtime and is read
again through `invoice_store.read_record`, the one reader. Files that disappeared drop out.

Reports never look at the time entries an invoice billed, the bulk of a record, so the cache
keeps records without them: invoices come back with `entries == ()` (use
`invoice_store.load_invoices` when they matter). The cache is JSON of the plain records
(`to_record`), never pickle, so a cache file found in
someone else's books cannot run code; a damaged or foreign cache is ignored and rewritten. It is
written atomically (consult.books.store) and only when something changed; if it cannot be written
(read-only books) the report still runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from consult.errors import ConsultError, Problem, Source
from consult.invoices.record import RECORD_VERSION, Invoice, from_record, to_record
from consult.invoices.store import read_record, record_paths

CACHE_DIR = ".consult-cache"
CACHE_FILE = "invoices.json"
FORMAT = f"consult-invoices-{RECORD_VERSION}-2"


def _read_cache(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
        return {}
    files: dict[str, Any] = data["files"]
    return files


def load_invoices_cached(root: Path) -> tuple[list[Invoice], list[Problem]]:
    """`invoice_store.load_invoices(root)` without each record's billed entries, from the cache
    where it holds."""
    from consult.books.store import atomic_write

    root = Path(root)
    cache_path = root / CACHE_DIR / CACHE_FILE
    old = _read_cache(cache_path)
    new: dict[str, Any] = {}
    out: list[Invoice] = []
    problems: list[Problem] = []
    changed = False
    for p in record_paths(root):
        rel = p.relative_to(root).as_posix()
        try:
            st = p.stat()
        except OSError:
            continue
        key = [st.st_size, st.st_mtime_ns]
        hit = old.get(rel)
        inv: Invoice | None = None
        if hit is not None and hit[:2] == key:
            try:
                inv = from_record(hit[2])
                new[rel] = hit
            except (KeyError, TypeError, ValueError, ArithmeticError, IndexError):
                inv = None
        if inv is None:
            try:
                inv = read_record(p, root, entries=False)
            except ValueError as e:
                problems.append(Problem(Source(rel), None, str(e).split(": ", 1)[1]))
                changed = True
                continue
            new[rel] = key + [_plain(to_record(inv))]
            changed = True
        out.append(inv)
    if changed or set(old) != set(new):
        try:
            (root / CACHE_DIR).mkdir(exist_ok=True)
            atomic_write(cache_path, json.dumps({"format": FORMAT, "files": new},
                                                separators=(",", ":")).encode("utf-8"))
        except (OSError, ConsultError):
            pass  # a cache that cannot be written (read-only books) is no error: the report still runs
    return out, problems


def _plain(rec: Any) -> Any:
    """The record as read back by the base loader: every scalar a string (None stays None)."""
    if isinstance(rec, dict):
        return {k: _plain(v) for k, v in rec.items()}
    if isinstance(rec, list):
        return [_plain(v) for v in rec]
    if rec is None or isinstance(rec, str):
        return rec
    if isinstance(rec, bool):
        return "true" if rec else "false"
    return str(rec)
