"""Issued invoices read fast for reports: a derived cache under `<books>/.consult-cache/`.

Why: ten years of a practice is thousands of issued records, and parsing every YAML file on
each `consult earnings` costs seconds. An entry is stamped with its record file
(consult.books.cache), so it can never be stale: a record that changes in any way (restored
from git, edited by hand) is read again through `consult.invoices.store.read_record`, the one
reader. Files that disappeared drop out.

Reports never look at the time entries an invoice billed, the bulk of a record, so the cache
keeps records without them: invoices come back with `entries == ()` (use
`invoice_store.load_invoices` when they matter). The cache is JSON of the plain records
(`to_record`), never pickle, so a cache file found in
someone else's books cannot run code; a damaged or foreign cache is ignored and rewritten. It is
written atomically (consult.books.store) and only when something changed; if it cannot be written
(read-only books) the report still runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from consult.books.cache import Cache
from consult.errors import Problem, Source
from consult.invoices.record import RECORD_VERSION, Invoice, from_record, to_record
from consult.invoices.store import read_record, record_paths

CACHE_FILE = "invoices.json"
FORMAT = f"consult-invoices-{RECORD_VERSION}-3"


def load_invoices_cached(root: Path) -> tuple[list[Invoice], list[Problem]]:
    """`consult.invoices.store.load_invoices(root)` without each record's billed entries, from
    the cache where it holds."""
    root = Path(root)
    cache = Cache(root, CACHE_FILE, FORMAT)
    out: list[Invoice] = []
    problems: list[Problem] = []
    seen = []
    for p in record_paths(root):
        rel = p.relative_to(root).as_posix()
        seen.append(rel)
        hit = cache.get(rel, [rel])
        inv: Invoice | None = None
        if hit is not None:
            try:
                inv = from_record(hit)
                if inv.number != p.stem:
                    raise ValueError("number")
            except (KeyError, TypeError, ValueError, ArithmeticError, IndexError, AttributeError):
                cache.bad(rel)
                inv = None
        if inv is None:
            try:
                inv = read_record(p, root, entries=False)
            except ValueError as e:
                problems.append(Problem(Source(rel), None, str(e).split(": ", 1)[1]))
                continue
            cache.put(rel, [rel], _plain(to_record(inv)))
        out.append(inv)
    cache.keep_only(seen)
    cache.save()
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
