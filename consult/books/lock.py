"""The books lock: one change at a time, and a killed change finished before the next.

`books_lock` is an exclusive lock on `<books>/.consult.lock` (`flock` on POSIX, through the
standard library's `fcntl`; on Windows the `filelock` library's `msvcrt.locking`), held by every
command from before it reads what it decides on until it has written, so concurrent runs get
distinct, gapless numbers and never act on what another is changing. The operating system drops the lock if the process dies, so
a crash never wedges it. Taking it first finishes any change a killed command left
(consult.books.journal). It is re-entrant within a process: library calls that lock may be
made by a caller (the same thread) already holding it.

Why not `filelock` everywhere: importing it (with its logging, secrets and registry modules)
took 20 ms of every writing command (measured 30 November 2026, filelock 3.2x, on the 0.69 s
`invoice create`), for the one `flock` call POSIX needs. Windows, where consult is not tested,
keeps the library's tested `msvcrt` locking.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from consult.books.store import explain
from consult.errors import ConsultError, notice

LOCK_NAME = ".consult.lock"
_held: dict[tuple[str, int], int] = {}  # (books folder, thread) -> depth of books_lock held


@contextlib.contextmanager
def books_lock(root: Path, timeout: float = 120.0) -> Iterator[None]:
    """Hold the books' exclusive lock; wait up to `timeout` seconds for another holder.

    On first taking it, an unfinished change left by a killed command is rolled forward."""
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
    try:
        release = _acquire(lock_path, timeout)
    except TimeoutError:
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
        release()


POLL = 0.05  # seconds between tries while another process holds the lock


def _acquire(path: Path, timeout: float) -> Callable[[], None]:
    """Take the exclusive lock on `path` (created if missing); return what releases it.

    TimeoutError after `timeout` seconds of another holder; OSError when the file cannot be
    opened or locked."""
    if os.name == "nt":  # pragma: no cover - Windows is not tested (README, Platforms)
        from filelock import FileLock, Timeout

        lock = FileLock(str(path), timeout=timeout)
        try:
            lock.acquire()
        except Timeout:
            raise TimeoutError from None
        release_lock: Callable[[], None] = lock.release  # filelock is installed on Windows only
        return release_lock
    import fcntl

    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise TimeoutError from None
                    time.sleep(POLL)
            # Locked what we opened; if the file was removed or replaced meanwhile, the next
            # command would lock a different file: take the one now at the path instead.
            if _still_at(fd, path):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)

    def release() -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    return release


def _still_at(fd: int, path: Path) -> bool:
    """True when the open file `fd` is the file at `path` (not removed or replaced since)."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
    except FileNotFoundError:
        return False
