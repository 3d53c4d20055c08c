"""Issued invoices and credit notes on disk: `clients/<id>/invoices/<number>.yaml` (+ `.pdf`).

Records are read with libyaml's *base* loader, which types nothing: every scalar stays the
exact string that was written, so amounts go straight to `Decimal` and no value is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from consult.books.files import Unreadable, read_regular
from consult.books.yamlsource import YamlProblem, check_bounds
from consult.errors import NotFound, Problem, Source
from consult.invoices.record import Invoice, from_record

_BaseLoader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


class _RecordLoader(_BaseLoader):  # type: ignore[misc,valid-type]  # the base is chosen at run time (C or pure-Python loader)
    """The base loader plus one implicit type: a plain `null`/`~`/empty value is None.

    `to_record` writes None as `null`; without this it would read back as the text "null"
    (a PO number "null", a VAT rate that is not a number). A quoted 'null' stays text."""


_RecordLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"),
                                    ["~", "n", "N", ""])
_RecordLoader.add_constructor("tag:yaml.org,2002:null", lambda loader, node: None)


def _load_bounded(text: str, rel: str) -> Any:
    """The record's data through the base loader, after the node tree passed the books' bounds
    (consult.books.yamlsource.check_bounds: no alias inside itself, no alias bomb, no absurd
    nesting) — one parse, so a damaged record fails in milliseconds rather than hanging."""
    loader = _RecordLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_bounds(node, rel)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def invoice_dir(root: Path, client_id: str) -> Path:
    return Path(root) / "clients" / client_id / "invoices"


def record_paths(root: Path) -> list[Path]:
    """Every issued record under the books, in a stable order."""
    return sorted(Path(root).glob("clients/*/invoices/*.yaml"))


def _why(e: BaseException) -> str:
    """What is wrong with a record, in words (never a Python exception's name)."""
    if isinstance(e, KeyError):
        return f"it has no '{e.args[0]}'" if e.args else "a field is missing"
    if isinstance(e, UnicodeDecodeError):
        return f"it is not UTF-8 text (byte {e.start})"
    if isinstance(e, OSError):
        return e.strerror or "the file cannot be opened"
    if isinstance(e, yaml.YAMLError):
        return f"not valid YAML: {e}"
    if isinstance(e, (TypeError, AttributeError)):
        return "a field holds the wrong kind of value (a list or mapping where text was written, or the reverse)"
    if isinstance(e, ArithmeticError):
        return "a figure in it is not a number"
    if isinstance(e, RecursionError):
        return "it nests too deeply"
    return str(e)


def read_record(path: Path, root: Path, *, entries: bool = True, sha256: str | None = None) -> Invoice:
    """One record; raises ValueError naming the file when it cannot be read back, when its
    figures do not add up (lines → net → VAT → total), when it names another client than the
    folder it is in, or — given the register's `sha256` — when its bytes are not the ones issued.

    `entries=False` leaves out the billed time entries (see `from_record`)."""
    import hashlib

    from consult.invoices.record import arithmetic_problems

    rel = path.relative_to(root).as_posix()
    fix = "restore it from git — issued records are never edited (a correction is a credit note)"
    try:
        raw = read_regular(path)
        if sha256 is not None and hashlib.sha256(raw).hexdigest() != sha256:
            raise ValueError(f"{rel}: this issued record was edited after it was issued (its SHA-256 differs "
                             f"from the register's){_still_adds_up(raw)}; {fix}")
        data = _load_bounded(raw.decode("utf-8"), rel)
        inv = from_record(data, entries=entries)
    except (Unreadable, YamlProblem) as e:
        raise ValueError(f"{rel}: this issued record cannot be read back ({e}); {fix}") from None
    except ValueError as e:
        if str(e).startswith(rel):
            raise
        raise ValueError(f"{rel}: this issued record cannot be read back ({_why(e)}); {fix}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError, KeyError, TypeError, ArithmeticError, AttributeError,
            RecursionError) as e:
        raise ValueError(f"{rel}: this issued record cannot be read back ({_why(e)}); {fix}") from None
    if inv.number != path.stem:
        raise ValueError(f"{rel}: the record says number {inv.number} but the file is named {path.stem}")
    folder = path.parent.parent.name
    if inv.client != folder:
        raise ValueError(f"{rel}: the record was issued to client '{inv.client}' but lies in clients/{folder}/ — "
                         f"a client folder was renamed or a record moved; put it back in clients/{inv.client}/ "
                         "(issued documents stay where they were issued)")
    wrong = arithmetic_problems(inv)
    if wrong:
        raise ValueError(f"{rel}: this issued record does not add up ({'; '.join(wrong)}): it was edited "
                         f"afterwards; {fix}")
    return inv


def client_of_number(root: Path, number: str) -> str:
    """The client folder holding issued record `number` (case does not matter), or "" when no
    folder does — so a command on one invoice can be scoped to its client's errors."""
    want = number.strip().lower()
    for p in record_paths(root):
        if p.stem.lower() == want:
            return p.parent.parent.name
    return ""


def find_invoice(invoices: Iterable[Invoice], number: str) -> Invoice:
    """The issued invoice or credit note `number` (case does not matter), else NotFound with the
    nearest numbers."""
    invs = list(invoices)
    for i in invs:
        if i.number == number:
            return i
    for i in invs:
        if i.number and i.number.lower() == number.strip().lower():
            return i
    import difflib

    known = sorted(i.number for i in invs if i.number)
    near = difflib.get_close_matches(number.upper(), known, n=1, cutoff=0.6)
    tip = f"did you mean {near[0]}? " if near else ""
    latest = ", ".join(known[-3:]) or "none issued yet"
    raise NotFound(f"no invoice '{number}' in these books ({tip}latest: {latest}; see `consult invoice list`)")


def _still_adds_up(raw: bytes) -> str:
    """For a record that was edited: what no longer adds up in it, if anything can be said."""
    from consult.invoices.record import arithmetic_problems

    try:
        wrong = arithmetic_problems(from_record(_load_bounded(raw.decode("utf-8"), "record")))
    except Exception:
        return ""
    return f", and it no longer adds up: {'; '.join(wrong)}" if wrong else ""


def register_hashes(root: Path) -> dict[str, str]:
    """Record path -> SHA-256 as the register holds them (empty without a register)."""
    from consult.books import register

    lines, _ = register.read(root)
    return {ln.path: ln.record_sha256 for ln in lines
            if ln.path and ln.record_sha256 and ln.kind in ("invoice", "credit_note")}


def load_invoices(root: Path, *, missing: bool = True, hashes: bool = True) -> tuple[list[Invoice], list[Problem]]:
    """All issued invoices and credit notes, and a problem for each record that cannot be read,
    does not add up, or is not what the register says was issued — and (`missing`) for each
    record the register has that the books do not (`consult check` reports those through the
    register's own check instead)."""
    out: list[Invoice] = []
    problems: list[Problem] = []
    root = Path(root)
    registered = register_hashes(root)
    expected = registered if hashes else {}
    seen = set()
    for p in record_paths(root):
        rel = p.relative_to(root).as_posix()
        seen.add(rel)
        try:
            out.append(read_record(p, root, sha256=expected.get(rel)))
        except ValueError as e:
            problems.append(Problem(Source(rel), None, str(e).split(": ", 1)[1]))
    for rel in sorted(set(registered) - seen) if missing else ():
        problems.append(Problem(Source(rel), None, "this issued record is in the register but missing from the books "
                                                   "(deleted, or its client folder renamed), so what the client was "
                                                   "billed is not known; restore it from git"))
    return out, problems
