"""Listings as an aligned table, CSV or JSON: every listing command takes `--format`.

Rows are dicts of plain values. `Money` prints with its currency symbol in tables (CLDR, the
given locale) and as a bare amount in CSV/JSON, where a `currency` column says what it is;
`Decimal` is written as its exact text (never a float) in JSON too.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from consult.core.money import Money

FORMATS = ("table", "csv", "json")


def plain(v: Any) -> Any:
    """A JSON-safe value: Money and Decimal as exact strings, dates as ISO text."""
    if isinstance(v, Money):
        return v.plain()
    if isinstance(v, Decimal):
        return f"{v:f}"
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    return v


def _cell(v: Any, locale: str) -> str:
    if v is None:
        return ""
    if isinstance(v, Money):
        return v.format(locale)
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(plain(v))


def _numeric(v: Any) -> bool:
    return isinstance(v, (Money, Decimal, int, float)) and not isinstance(v, bool)


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None,
          locale: str = "en_GB", headers: dict[str, str] | None = None) -> str:
    if not rows:
        return "(nothing to show)"
    cols = list(columns or rows[0].keys())
    heads = [(headers or {}).get(c, c) for c in cols]
    cells = [[_cell(r.get(c), locale) for c in cols] for r in rows]
    right = [any(_numeric(r.get(c)) for r in rows) for c in cols]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(heads)]

    def fmt(parts: Iterable[str]) -> str:
        return "  ".join(p.rjust(w) if rj else p.ljust(w)
                         for p, w, rj in zip(parts, widths, right, strict=True)).rstrip()

    lines = [fmt(heads), fmt("-" * w for w in widths)]
    lines += [fmt(row) for row in cells]
    return "\n".join(lines)


def csv_safe() -> bool:
    """Whether CSV text cells are neutralised (consult.work.export.neutralise): yes, unless
    `consult --raw-csv` or CONSULT_RAW_CSV=1 says the CSV goes to a program, not a spreadsheet."""
    import os

    import click

    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    if isinstance(obj, dict) and obj.get("raw_csv"):
        return False
    return os.environ.get("CONSULT_RAW_CSV", "") not in ("1", "true", "yes")


def _csv_cell(v: Any, safe: bool) -> Any:
    if v is None:
        return ""
    if isinstance(v, str):  # text, never a number: a negative amount stays a number
        from consult.work.export import neutralise

        return neutralise(v) if safe else v
    return plain(v)


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None, *,
           safe: bool | None = None) -> str:
    """CSV with a header row. Text cells a spreadsheet would run as a formula (`=`, `+`, `-`,
    `@`, tab, CR first) get a `'` in front — the OWASP rule — unless `safe` is False (default:
    `csv_safe()`)."""
    if safe is None:
        safe = csv_safe()
    cols = list(columns or (rows[0].keys() if rows else []))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow([_csv_cell(r.get(c), safe) for c in cols])
    return buf.getvalue().rstrip("\n")


def to_json(data: Any) -> str:
    return json.dumps(plain(data), indent=2, ensure_ascii=False)


def render(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None,
           locale: str = "en_GB", headers: dict[str, str] | None = None) -> str:
    if fmt == "csv":
        return to_csv(rows, columns)
    if fmt == "json":
        cols = list(columns) if columns else None
        return to_json([{c: r.get(c) for c in cols} if cols else r for r in rows])
    return table(rows, columns, locale, headers)
