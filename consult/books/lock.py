"""The books lock: one change at a time, and a killed change finished before the next.

`books_lock` is an exclusive lock on `<books>/.consult.lock` (the `filelock` library: `flock`
on POSIX, `msvcrt.locking` on Windows), held by every command from before it reads what it
decides on until it has written, so concurrent runs get distinct, gapless numbers and never
act on what another is changing. The operating system drops the lock if the process dies, so
a crash never wedges it. Taking it first finishes any change a killed command left
(consult.books.journal). It is re-entrant within a process: library calls that lock may be
made by a caller (the same thread) already holding it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from consult.books.store import explain
from consult.errors import ConsultError, notice

LOCK_NAME = ".consult.lock"
_held: dict[tuple[str, int], int] = {}  # (books folder, thread) -> depth of books_lock held


@contextlib.contextmanager
def books_lock(root: Path, timeout: float = 120.0) -> Iterator[None]:
    """Hold the books' exclusive lock; wait up to `timeout` seconds for another holder.

    On first taking it, an unfinished change left by a killed command is rolled forward."""
    from filelock import FileLock, Timeout

    key = (os.path.realpath(root), threading.get_ident())
    if _held.get(key):
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    lock_path = Path(root) / LOCK_NAME
    if lock_path.is_symlink():
        raise ConsultError(f"{lock_path} is a link; consult will not create or lock a file through it "
                           "(remove the link: consult makes the lock file itself)")
    lock = FileLock(str(lock_path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise ConsultError(f"another consult command has held {lock_path} for {timeout:.0f} s; "
                           "wait for it to finish and try again") from None
    except OSError as e:
        raise explain(lock_path, e) from None
    _held[key] = 1
    try:
        from consult.books.journal import recover

        done = recover(Path(root))
        if done:
            notice(f"finished {done}, which was interrupted before it completed")
        yield
    finally:
        _held.pop(key, None)
        lock.release()
