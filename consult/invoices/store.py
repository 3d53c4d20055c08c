"""Issued invoices and credit notes on disk: `clients/<id>/invoices/<number>.yaml` (+ `.pdf`).

Records are read with libyaml's *base* loader, which types nothing: every scalar stays the
exact string that was written, so amounts go straight to `Decimal` and no value is guessed.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from consult.errors import Problem, Source
from consult.invoices.record import Invoice, from_record

_BaseLoader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


class _RecordLoader(_BaseLoader):  # type: ignore[misc,valid-type]  # the base is chosen at run time (C or pure-Python loader)
    """The base loader plus one implicit type: a plain `null`/`~`/empty value is None.

    `to_record` writes None as `null`; without this it would read back as the text "null"
    (a PO number "null", a VAT rate that is not a number). A quoted 'null' stays text."""


_RecordLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"),
                                    ["~", "n", "N", ""])
_RecordLoader.add_constructor("tag:yaml.org,2002:null", lambda loader, node: None)


def invoice_dir(root: Path, client_id: str) -> Path:
    return Path(root) / "clients" / client_id / "invoices"


def record_paths(root: Path) -> list[Path]:
    """Every issued record under the books, in a stable order."""
    return sorted(Path(root).glob("clients/*/invoices/*.yaml"))


def read_record(path: Path, root: Path, *, entries: bool = True) -> Invoice:
    """One record; raises ValueError naming the file when it cannot be read back.

    `entries=False` leaves out the billed time entries (see `from_record`)."""
    rel = path.relative_to(root).as_posix()
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_RecordLoader)
        inv = from_record(data, entries=entries)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError, ValueError, ArithmeticError) as e:
        raise ValueError(f"{rel}: this issued record cannot be read back ({type(e).__name__}: {e}); "
                         "restore it from git — issued records are never edited") from None
    if inv.number != path.stem:
        raise ValueError(f"{rel}: the record says number {inv.number} but the file is named {path.stem}")
    return inv


def load_invoices(root: Path) -> tuple[list[Invoice], list[Problem]]:
    """All issued invoices and credit notes, and a problem for each record that cannot be read."""
    out: list[Invoice] = []
    problems: list[Problem] = []
    root = Path(root)
    for p in record_paths(root):
        try:
            out.append(read_record(p, root))
        except ValueError as e:
            problems.append(Problem(Source(p.relative_to(root).as_posix()), None, str(e).split(": ", 1)[1]))
    return out, problems
