"""The derived-data cache can never serve a stale figure, and a bad cache never stops a command."""

from __future__ import annotations

import json
import os

import pytest

from consult.books import cache as cache_mod
from consult.books.loader import open_books
from consult.work.day_totals import day_totals

TIMESHEET = "clients/acme/timesheets/2026-10.yaml"


def _minutes(root) -> int:
    totals = day_totals(open_books(root, timesheets=False))
    return sum(t.minutes for days in totals.values() for t in days.values())


@pytest.fixture
def books(make_books):
    return make_books({TIMESHEET: "- {date: 2026-10-05, engagement: build, hours: 3}\n"})


def test_a_same_size_edit_with_the_old_mtime_restored_is_seen(books):
    """`3` -> `5` hours keeps the file's size; `touch -r` puts the old mtime back. The change
    time (set by the kernel on every write) still tells, so the report is not stale."""
    assert _minutes(books) == 180
    path = books / TIMESHEET
    st = path.stat()
    path.write_text(path.read_text().replace("hours: 3", "hours: 5"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    assert _minutes(books) == 300


def test_where_the_clock_cannot_be_trusted_the_bytes_decide(books, monkeypatch):
    """Coarse timestamps (or a ctime that is a creation time): the cache compares content."""
    monkeypatch.setattr(cache_mod, "TRUST_CTIME", False)
    assert _minutes(books) == 180
    path = books / TIMESHEET
    st = path.stat()
    path.write_text(path.read_text().replace("hours: 3", "hours: 5"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    monkeypatch.setattr(os, "stat", _frozen_stat(os.stat, path, st))
    assert _minutes(books) == 300


def _frozen_stat(real, frozen_path, st):
    """os.stat that reports `frozen_path` exactly as it was (a filesystem whose times do not move)."""
    def fake(p, *a, **k):
        got = real(p, *a, **k)
        return st if os.fspath(p) == os.fspath(frozen_path) else got
    return fake


def test_an_unchanged_file_is_served_from_the_cache(books, monkeypatch):
    _minutes(books)
    import consult.books.timesheets as ts

    monkeypatch.setattr(ts, "read_timesheets", lambda *a, **k: pytest.fail("read the timesheets again"))
    assert _minutes(books) == 180


@pytest.mark.parametrize("damage", [
    "{not json",
    json.dumps({"format": "consult-day-totals-3", "entries": []}),
    json.dumps({"format": "consult-day-totals-3", "entries": {"acme": {"made": "x", "files": [], "value": 1}}}),
])
def test_a_damaged_cache_is_ignored_rebuilt_and_noted_once(books, damage):
    _minutes(books)
    (books / ".consult-cache/day-totals.json").write_text(damage)
    cache_mod.notices.clear()
    assert _minutes(books) == 180
    assert cache_mod.notices == ["ignored a damaged cache (.consult-cache/day-totals.json); it is being rebuilt"]
    assert json.loads((books / ".consult-cache/day-totals.json").read_text())["format"] == "consult-day-totals-3"


def test_false_values_in_a_matching_entry_are_not_trusted(books):
    """An entry whose stamps match but whose totals are nonsense (negative minutes, billable
    over logged) is thrown away and the timesheets read again."""
    _minutes(books)
    path = books / ".consult-cache/day-totals.json"
    data = json.loads(path.read_text())
    cols = data["entries"]["acme"]["value"]["build"]
    cols[1] = [-999]
    path.write_text(json.dumps(data))
    cache_mod.notices.clear()
    assert _minutes(books) == 180
    assert cache_mod.notices == ["ignored a damaged entry in .consult-cache/day-totals.json; it is being rebuilt"]


def test_a_cache_folder_that_links_outside_is_never_written_through(books, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (books / ".consult-cache").symlink_to(outside)
    cache_mod.notices.clear()
    assert _minutes(books) == 180
    assert list(outside.iterdir()) == []
    assert cache_mod.notices and "not a plain folder" in cache_mod.notices[0]


def test_read_only_books_still_report(books):
    _minutes(books)
    os.chmod(books / ".consult-cache", 0o500)
    try:
        (books / TIMESHEET).write_text("- {date: 2026-10-05, engagement: build, hours: 4}\n")
        assert _minutes(books) == 240
    finally:
        os.chmod(books / ".consult-cache", 0o700)
