"""Safe writing: all or nothing, write-once documents, and a lock that serialises numbering."""

import errno
import multiprocessing
import os
import time

import pytest

from consult.books.lock import books_lock
from consult.books.store import WriteError, append_text, atomic_write, write_new
from consult.errors import ConflictError, ConsultError


def test_atomic_write_replaces_whole_file(tmp_path):
    p = tmp_path / "a.yaml"
    p.write_text("old\n")
    atomic_write(p, "new\n")
    assert p.read_text() == "new\n"
    assert [f.name for f in tmp_path.iterdir()] == ["a.yaml"]  # no temp file left behind


def test_a_write_failing_half_way_leaves_the_old_file_intact(tmp_path, monkeypatch):
    """The disk fills after the first bytes: the old file is untouched and no temp remains."""
    p = tmp_path / "t.yaml"
    p.write_text("- {date: 2026-01-05, hours: 1}\n")
    real_fdopen = os.fdopen

    def filling_fdopen(fd, mode="r", *a, **k):
        f = real_fdopen(fd, mode, *a, **k)
        first = f.write

        def write(data):
            first(data[:5])
            raise OSError(errno.ENOSPC, "No space left on device")

        f.write = write
        return f

    monkeypatch.setattr(os, "fdopen", filling_fdopen)
    with pytest.raises(WriteError, match="the disk is full; nothing was changed"):
        atomic_write(p, "- {date: 2026-01-06, hours: 2}\n" * 100)
    monkeypatch.undo()
    assert p.read_text() == "- {date: 2026-01-05, hours: 1}\n"
    assert sorted(f.name for f in tmp_path.iterdir()) == ["t.yaml"]


def test_permission_denied_is_explained(tmp_path, monkeypatch):
    """A folder we may not write to: one sentence, and the old file stays."""
    import tempfile

    p = tmp_path / "x.yaml"
    p.write_text("old\n")

    def denied(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(WriteError, match=r"could not write .*x.yaml: permission denied; nothing was changed"):
        atomic_write(p, "new\n")
    assert p.read_text() == "old\n"


def test_write_new_refuses_to_rewrite_an_issued_document(tmp_path):
    p = tmp_path / "INV-2026-0001.yaml"
    write_new(p, "issued\n")
    with pytest.raises(ConflictError, match="never rewritten"):
        write_new(p, "changed\n")
    assert p.read_text() == "issued\n"


def test_append_keeps_existing_text_and_comments(tmp_path):
    p = tmp_path / "2026-11.yaml"
    p.write_text("# my notes\n- {date: 2026-11-02, hours: 1}")  # no final newline
    append_text(p, "- {date: 2026-11-03, hours: 2}\n")
    assert p.read_text() == "# my notes\n- {date: 2026-11-02, hours: 1}\n- {date: 2026-11-03, hours: 2}\n"


def _count_under_lock(root, path, n):
    for _ in range(n):
        with books_lock(root):
            value = int(path.read_text())
            time.sleep(0.001)  # widen the window a lost update would need
            atomic_write(path, str(value + 1))


def test_lock_serialises_read_modify_write_across_processes(tmp_path):
    """Four processes each add 25 under the lock: no increment is lost."""
    counter = tmp_path / "seq"
    counter.write_text("0")
    procs = [multiprocessing.Process(target=_count_under_lock, args=(tmp_path, counter, 25)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    assert int(counter.read_text()) == 100


def _hold_lock(root, ready, stop):
    with books_lock(root):
        ready.set()
        stop.wait(30)


def test_a_held_lock_times_out_with_the_holder_named_and_is_free_once_released(tmp_path):
    """Another process holding the books: a command waits, then says what holds it; once the
    holder is done, the lock is taken at once (the OS dropped it)."""
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(tmp_path, ready, stop))
    holder.start()
    try:
        assert ready.wait(30)
        t = time.monotonic()
        with pytest.raises(ConsultError, match=r"another consult command has held .*\.consult\.lock for 0 s"):
            with books_lock(tmp_path, timeout=0.3):
                pass
        assert 0.25 <= time.monotonic() - t < 5
    finally:
        stop.set()
        holder.join(30)
    with books_lock(tmp_path, timeout=1):
        with books_lock(tmp_path, timeout=1):  # re-entrant in one thread
            pass
