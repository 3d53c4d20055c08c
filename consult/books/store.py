"""Writing to the books without ever leaving a half-written file, and one lock for numbering.

* `atomic_write` puts the new bytes in a temporary file in the same folder, fsyncs it, renames
  it over the target with `os.replace` (atomic on POSIX) and fsyncs the folder so the rename
  itself survives a power cut. A reader sees the old file or the new one, never a mixture.
* `write_new` is the same for write-once documents: it refuses to replace an existing file
  (issued invoices and credit notes are never rewritten), using `os.link` so that two writers
  racing for one name cannot both win.
* The lock every change holds is consult.books.lock.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from consult.errors import ConflictError, ConsultError


class WriteError(ConsultError):
    """The disk refused a write (full, read-only, permission); nothing was changed."""


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in `folder` durable. POSIX only: Windows has no folder handles
    to sync (NTFS journals its metadata itself)."""
    if os.name != "posix":  # pragma: no cover - Windows
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - some filesystems cannot open folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _temp_with(path: Path, data: bytes, mode: int = 0o644) -> str:
    """A fully written, fsynced temp file beside `path`; its name. Removed again on failure."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def _make_parents(folder: Path) -> list[Path]:
    """mkdir -p `folder`; the folders it had to create, deepest first (to undo on failure)."""
    made: list[Path] = []
    p = folder
    while not p.exists():
        made.append(p)
        p = p.parent
    folder.mkdir(parents=True, exist_ok=True)
    return made


def _undo_parents(made: list[Path]) -> None:
    """Remove folders a failed write created, so a refused `client add` leaves no empty client."""
    for p in made:
        with contextlib.suppress(OSError):
            p.rmdir()  # only ever removes an empty folder


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def explain(path: Path, e: OSError) -> WriteError:
    why = {errno.ENOSPC: "the disk is full", errno.EACCES: "permission denied",
           errno.EROFS: "the file system is read-only", errno.EDQUOT: "over the disk quota"}.get(
        e.errno or 0, e.strerror or str(e))
    return WriteError(f"could not write {path}: {why}; nothing was changed")


def atomic_write(path: Path, data: bytes | str) -> None:
    """Replace (or create) `path` with `data`, all or nothing."""
    path = Path(path)
    made: list[Path] = []
    try:
        made = _make_parents(path.parent)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        tmp = _temp_with(path, _as_bytes(data), mode)
        try:
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        fsync_dir(path.parent)
    except OSError as e:
        _undo_parents(made)
        raise explain(path, e) from None


def write_new(path: Path, data: bytes | str) -> None:
    """Create `path` with `data`, all or nothing; refuse if it already exists (write-once)."""
    path = Path(path)
    made: list[Path] = []
    try:
        made = _make_parents(path.parent)
        tmp = _temp_with(path, _as_bytes(data))
        try:
            os.link(tmp, path)  # fails with EEXIST rather than replacing
        except FileExistsError:
            raise ConflictError(f"{path} already exists and issued documents are never rewritten") from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        fsync_dir(path.parent)
    except OSError as e:
        _undo_parents(made)
        raise explain(path, e) from None


def append_text(path: Path, text: str) -> None:
    """Append `text` to a text file atomically (the whole file is rewritten via a temp file),
    so an interrupted append never leaves half a line. Callers hold `books_lock` when several
    processes may append to the same file."""
    path = Path(path)
    old = path.read_bytes() if path.exists() else b""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    atomic_write(path, old + text.encode("utf-8"))
