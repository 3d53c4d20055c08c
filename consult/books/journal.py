"""All-or-nothing changes to several files: write what will be done, do it, forget it.

Issuing an invoice writes three things — the record, the PDF and a register line — and a kill
between any two would leave the books saying two things at once. So every change that writes
more than one file (and every change to the books by a command, for one rule) is a
`Transaction`: under the books lock its final bytes are first written, atomically, to one
journal file (`.consult-journal.json` at the books root); then each file is written; then the
journal is removed. The journal is the commit point:

* killed before the journal is whole: nothing happened (the journal is written atomically);
* killed after: the change *has* happened — the next command that takes the books lock rolls
  it forward (`recover`), writing whatever is missing, and says so. Rolling forward is
  idempotent: a file already holding its final bytes is left alone.

A change that fails for another reason — the disk full, permission denied — is undone: the
files it had written are put back as they were and the journal removed, so a refused command
leaves the books as it found them.

Each change is one of `new` (a write-once document: refuse if the file exists with other
bytes) or `replace` (the whole file's final bytes, atomically; appending is a replace whose
bytes are the old file plus the new lines, worked out under the lock). Paths are relative to
the books and checked to stay inside them, so a journal cannot steer a write elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from consult.core.record import record
from consult.errors import ConflictError, ConsultError

JOURNAL = ".consult-journal.json"
FORMAT = "consult-journal-1"

Mode = Literal["new", "replace"]


@record
class Change:
    path: str  # relative to the books, POSIX form
    data: bytes
    mode: Mode


def _safe(rel: str) -> PurePosixPath:
    p = PurePosixPath(rel)
    if p.is_absolute() or not p.parts or any(part in ("", ".", "..") for part in p.parts):
        raise ConsultError(f"{JOURNAL}: '{rel}' is not a path inside the books")
    return p


def _resolves_inside(root: Path, rel: str) -> None:
    """Refuse a change whose folder resolves out of the books (a linked `clients/acme/invoices/`,
    say): the lexical check above cannot see links. The loader reports such links as errors too;
    this is the last word, at the moment of writing."""
    import os

    base = os.path.realpath(root)
    folder = (Path(root) / rel).parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    real = os.path.realpath(folder)
    if real != base and not real.startswith(base.rstrip(os.sep) + os.sep):
        raise ConsultError(f"{rel}: its folder leads out of the books (to {real}) through a link; nothing was "
                           "written — replace the link with the folder itself")


@dataclass
class Transaction:
    """Changes to commit together. Build it, then `commit()` while holding `books_lock`."""

    root: Path
    what: str  # for the notice if it has to be finished later: "invoice create INV-2026-0004"
    changes: list[Change] = field(default_factory=list)

    def new(self, path: Path | str, data: bytes | str) -> None:
        self._add(path, data, "new")

    def replace(self, path: Path | str, data: bytes | str) -> None:
        self._add(path, data, "replace")

    def append(self, path: Path | str, text: str, head: str = "") -> None:
        """Append `text` to a text file (made with `head` first if missing); a replace whose
        bytes are worked out now, so rolling it forward twice cannot append twice."""
        full = self.root / self._rel(path)
        for c in self.changes:  # a file appended to twice in one transaction
            if c.path == self._rel(path):
                old = c.data
                break
        else:
            old = full.read_bytes() if full.exists() else head.encode("utf-8")
        if old and not old.endswith(b"\n"):
            old += b"\n"
        self.changes = [c for c in self.changes if c.path != self._rel(path)]
        self._add(path, old + text.encode("utf-8"), "replace")

    def _rel(self, path: Path | str) -> str:
        p = Path(path)
        if p.is_absolute():
            try:
                p = p.relative_to(self.root)
            except ValueError:
                raise ConsultError(f"{path} is outside the books folder {self.root}") from None
        return str(_safe(p.as_posix()))

    def _add(self, path: Path | str, data: bytes | str, mode: Mode) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        rel = self._rel(path)
        _resolves_inside(self.root, rel)
        if mode == "new" and (self.root / rel).exists():
            raise ConflictError(f"{rel} already exists and issued documents are never rewritten")
        self.changes.append(Change(rel, raw, mode))

    def commit(self) -> None:
        """Write the journal, apply every change, remove the journal. Call under books_lock."""
        from consult.books.store import atomic_write

        if not self.changes:
            return
        body = {"format": FORMAT, "what": self.what,
                "changes": [{"path": c.path, "mode": c.mode, "sha256": hashlib.sha256(c.data).hexdigest(),
                             "data": base64.b64encode(c.data).decode("ascii")} for c in self.changes]}
        before = {c.path: _read_or_none(self.root / c.path) for c in self.changes}
        atomic_write(self.root / JOURNAL, json.dumps(body, separators=(",", ":")))
        try:
            _apply(self.root, self.changes)
        except BaseException:
            # a write refused (disk full, permission) — not a kill: put back what was there, so a
            # failed command leaves the books as they were; if even that fails, the journal stays
            # and the next command finishes the change instead
            if _undo(self.root, self.changes, before):
                _forget(self.root)
            raise
        _forget(self.root)


def _apply(root: Path, changes: list[Change]) -> None:
    from consult.books.store import atomic_write, write_new

    for c in changes:
        target = root / c.path
        if c.mode == "new":
            if target.exists():
                if target.read_bytes() == c.data:
                    continue
                raise ConflictError(f"{c.path} already exists with other content; consult will not replace "
                                    "an issued document (restore it from git, or move it aside)")
            write_new(target, c.data)
        else:
            if target.exists() and target.read_bytes() == c.data:
                continue
            atomic_write(target, c.data)


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _undo(root: Path, changes: list[Change], before: dict[str, bytes | None]) -> bool:
    """Put every file of `changes` back as it was; whether that worked."""
    from consult.books.store import atomic_write

    ok = True
    for c in changes:
        target = root / c.path
        old = before.get(c.path)
        try:
            if old is None:
                if target.exists() and target.read_bytes() == c.data:
                    target.unlink()
            elif target.read_bytes() != old:
                atomic_write(target, old)
        except (OSError, ConsultError):
            ok = False
    return ok


def _forget(root: Path) -> None:
    try:
        os.unlink(root / JOURNAL)
    except FileNotFoundError:
        pass
    from consult.books.store import fsync_dir

    fsync_dir(root)


def pending(root: Path) -> str | None:
    """What an unfinished change was doing, if a journal is waiting to be rolled forward."""
    path = Path(root) / JOURNAL
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_bytes())
        return str(data.get("what") or "a change")
    except (OSError, ValueError, AttributeError):
        return "a change (its journal cannot be read)"


def recover(root: Path) -> str | None:
    """Finish a change a killed command left (call under books_lock); what it was, or None."""
    root = Path(root)
    path = root / JOURNAL
    if not path.exists():
        return None
    if path.is_symlink():
        raise ConsultError(f"{JOURNAL} is a link; remove it (consult only writes real files in the books)")
    try:
        data = json.loads(path.read_bytes())
        if data.get("format") != FORMAT:
            raise ValueError("format")
        changes = []
        for c in data["changes"]:
            raw = base64.b64decode(c["data"], validate=True)
            if hashlib.sha256(raw).hexdigest() != c["sha256"] or c["mode"] not in ("new", "replace"):
                raise ValueError("checksum")
            changes.append(Change(str(_safe(c["path"])), raw, c["mode"]))
        what = str(data.get("what") or "a change")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise ConsultError(f"{JOURNAL} (an unfinished change) cannot be read ({e}); it was written by consult "
                           "and must not be edited — restore it from a backup, or remove it to abandon "
                           "that change") from None
    _apply(root, changes)
    _forget(root)
    return what
