"""Watson and Timewarrior, from files the programs themselves wrote, across clock changes.

tests/fixtures/imports/watson and .../timew were made by make_tool_fixtures.py with Watson
2.1 (td-watson) and Timewarrior 1.4.3 in Europe/London; their totals.json / summary.txt are
the programs' own totals. The tests that run the programs again skip where they are absent."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_importers import FIX, FORECAST, HAFEN_CLIENT, entries, snapshot

from consult.work.importers import local_parts


@pytest.fixture
def books(make_books) -> Path:
    """acme/build (daily) and hafen/forecast (hourly), as in test_importers."""
    return make_books({"clients/hafen/client.yaml": HAFEN_CLIENT, "clients/hafen/engagements/forecast.yaml": FORECAST})


LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc
WATSON = FIX / "watson"
TIMEW = FIX / "timew"

# What each tracked span is in the books, worked out by hand (London; BST = UTC+1, GMT = UTC):
ACME = [
    # 27 Oct 2024 00:45Z–01:15Z: 01:45–02:00 BST, then the clock goes back: 01:00–01:15 GMT (30 min)
    ("acme/build", date(2024, 10, 27), 15, "01:00", "01:15"),
    ("acme/build", date(2024, 10, 27), 15, "01:45", "02:00"),
    # 26 Oct 2025 00:30Z–01:30Z: 01:30 BST to 01:30 GMT, one real hour
    ("acme/build", date(2025, 10, 26), 30, "01:00", "01:30"),
    ("acme/build", date(2025, 10, 26), 30, "01:30", "02:00"),
    # 29 Mar 2026 00:30Z–02:30Z: 00:30–01:00 GMT, the clock goes forward, 02:00–03:30 BST (2 hours)
    ("acme/build", date(2026, 3, 29), 30, "00:30", "01:00"),
    ("acme/build", date(2026, 3, 29), 90, "02:00", "03:30"),
    # 24 Oct 2026 21:00Z to 25 Oct 03:00Z: 22:00–24:00 BST, 00:00–02:00 BST, 01:00–03:00 GMT (6 hours)
    ("acme/build", date(2026, 10, 24), 120, None, None),
    ("acme/build", date(2026, 10, 25), 120, "00:00", "02:00"),
    ("acme/build", date(2026, 10, 25), 120, "01:00", "03:00"),
]
HAFEN = [  # GMT: 09:00–11:00, and a late deploy 22:30–00:45 split at midnight
    ("hafen/forecast", date(2026, 11, 3), 90, None, None),
    ("hafen/forecast", date(2026, 11, 3), 120, "09:00", "11:00"),
    ("hafen/forecast", date(2026, 11, 4), 45, "00:00", "00:45"),
]


def spans(root: Path) -> list[tuple]:
    return [(k, d, m, s, e) for k, d, m, s, e, *_ in entries(root)]


def timew_total(summary: str) -> int:
    """The grand total at the foot of `timew summary`, in minutes."""
    h, m, s = map(int, re.findall(r"^\s+(\d+):(\d\d):(\d\d)\s*$", summary, re.M)[-1])
    return h * 60 + m + (1 if s >= 30 else 0)


# --- the clock -----------------------------------------------------------------------------------
def test_local_parts_split_where_the_clock_changes():
    """Elapsed time between instants, written as wall-clock stretches of one offset each."""
    t = datetime
    assert local_parts(t(2026, 3, 29, 0, 30, tzinfo=UTC), t(2026, 3, 29, 2, 30, tzinfo=UTC), LONDON) == [
        (date(2026, 3, 29), 30, t(2026, 3, 29, 0, 30).time(), t(2026, 3, 29, 1, 0).time(),
         t(2026, 3, 29, 0, 30, tzinfo=UTC)),
        (date(2026, 3, 29), 90, t(2026, 3, 29, 2, 0).time(), t(2026, 3, 29, 3, 30).time(),
         t(2026, 3, 29, 1, 0, tzinfo=UTC))]
    # 01:45 BST to 01:15 GMT: half an hour, not "ends before it starts"
    parts = local_parts(t(2026, 10, 25, 0, 45, tzinfo=UTC), t(2026, 10, 25, 1, 15, tzinfo=UTC), LONDON)
    assert [(p.minutes, f"{p.start:%H:%M}", f"{p.end:%H:%M}") for p in parts] == [(15, "01:45", "02:00"),
                                                                                 (15, "01:00", "01:15")]
    # a zone with no change that night: one stretch
    assert [p.minutes for p in local_parts(t(2026, 10, 25, 0, 45, tzinfo=UTC), t(2026, 10, 25, 1, 15, tzinfo=UTC),
                                           ZoneInfo("Asia/Kolkata"))] == [30]


# --- Watson ---------------------------------------------------------------------------------------
def test_watson_frames_take_the_real_time_across_clock_changes(books, run_cli):
    """Every frame's minutes are the time that passed; the total is Watson's own report total
    (53,100 s = 885 min = 14:45)."""
    code, out, err = run_cli("time", "import", str(WATSON / "frames"), books=books)
    assert code == 0, err
    assert spans(books) == ACME + HAFEN + [("hafen/forecast", date(2026, 11, 5), 60, "14:00", "15:00")]
    watson_total = json.loads((WATSON / "totals.json").read_text())["frames"]["seconds"]
    assert sum(m for _, _, m, *_ in spans(books)) * 60 == watson_total == 53100
    assert "Imported 13 entries (14:45)" in out


def test_watson_log_current_never_imports_the_running_frame(books, run_cli):
    """`watson log --current --json` adds the running frame as `current`: counted as running,
    not imported; the frames file afterwards adds nothing (the same frames, by id)."""
    code, out, err = run_cli("time", "import", str(WATSON / "log-current.json"), books=books)
    assert code == 0, err
    assert "Imported 13 entries (14:45)" in out and "Skipped: 1 still running" in out
    assert not any(i.endswith(":current") for *_, i in entries(books))
    code, out, _ = run_cli("time", "import", str(WATSON / "frames"), books=books)
    assert "Imported 0 entries (0:00)" in out and "Already in the books: 13" in out


def test_watson_frames_in_the_sync_form_are_the_same_frames(books, run_cli):
    """Objects with `begin_at`/`end_at` and a `urn:uuid:` id (as `watson push` sends them) are
    read, and are the frames file's frames by id."""
    code, out, err = run_cli("time", "import", str(WATSON / "frames-sync-form.json"), books=books)
    assert code == 0, err
    assert "Imported 13 entries (14:45)" in out
    code, out, _ = run_cli("time", "import", str(WATSON / "frames"), books=books)
    assert "Imported 0 entries (0:00)" in out and "Already in the books: 13" in out


def test_watson_objects_of_another_shape_are_refused_with_the_reason(books, run_cli, tmp_path):
    """Never "0 imported, exit 0": an object that is not a frame says what it has."""
    f = tmp_path / "frames"
    f.write_text(json.dumps([{"id": "a1", "project": "acme", "from": 1792742400, "to": 1792755000}] * 2))
    code, _, err = run_cli("time", "import", str(f), "--format", "watson", books=books)
    assert code == 1
    assert "frame 1: is not a Watson frame (its keys: from, id, project, to; a frame has start/stop or " \
           "begin_at/end_at)" in err


def test_more_than_one_frame_without_a_stop_is_not_watson(books, run_cli, tmp_path):
    f = tmp_path / "frames"
    f.write_text(json.dumps([{"id": f"a{i}", "project": "acme", "start": "2026-10-01T09:00:00+01:00"}
                             for i in range(146)]))
    before = snapshot(books)
    code, _, err = run_cli("time", "import", str(f), "--format", "watson", books=books)
    assert code == 1
    assert "146 frames have no stop time, but Watson keeps at most one frame running" in err
    assert snapshot(books) == before


def test_watsons_state_file_is_named_for_what_it_is(books, run_cli, tmp_path):
    f = tmp_path / "state"
    f.write_text('{"project": "acme", "start": 1795995034, "tags": ["build"]}')
    code, _, err = run_cli("time", "import", str(f), "--format", "watson", books=books)
    assert code == 2
    assert "this is Watson's state file — the frame still running, never imported" in err


# --- Timewarrior ----------------------------------------------------------------------------------
def test_timewarrior_data_folder_reads_only_its_month_files(books, run_cli):
    """tags.data and undo.data sit beside the months and are not intervals. The untagged
    interval (@2, 30 min) is mapped on the command line by its number; the total is Timewarrior's
    own summary total, 14:15 (855 min)."""
    code, out, err = run_cli("time", "import", str(TIMEW / "data"), "--map", "@2=hafen/forecast", books=books)
    assert code == 0, err
    assert spans(books) == ACME + HAFEN + [("hafen/forecast", date(2026, 11, 5), 30, "10:00", "10:30")]
    total = timew_total((TIMEW / "summary.txt").read_text())
    assert sum(m for _, _, m, *_ in spans(books)) == total == 855
    assert "Skipped: 1 still running" in out


def test_an_untagged_interval_is_unmapped_under_its_timewarrior_number(books, run_cli):
    """It blocks only as any unmapped project does (exit 2, listed as @2 — `timew summary :ids`
    calls it @2), and --skip-unmapped leaves it out while the rest imports."""
    code, _, err = run_cli("time", "import", str(TIMEW / "data"), books=books)
    assert code == 2
    assert "  '@2': 1 entry, 0:30" in err
    code, out, err = run_cli("time", "import", str(TIMEW / "data"), "--skip-unmapped", books=books)
    assert code == 0, err
    assert "Left out: '@2' (1 entry, 0:30)" in out
    summary = (TIMEW / "summary.txt").read_text().splitlines()
    assert " @2 " in next(line for line in summary if "2026-11-05" in line)  # Timewarrior's own number for it


@pytest.mark.parametrize("source", ["export.json", "data/2026-11.data"])
def test_an_export_or_one_month_file_numbers_intervals_as_timewarrior_does(books, run_cli, source):
    """`timew export` carries the number; a month file is numbered with the months beside it."""
    code, _, err = run_cli("time", "import", str(TIMEW / source), "--format", "timewarrior", books=books)
    assert code == 2
    assert "  '@2': 1 entry, 0:30" in err


def test_the_database_folder_holding_data_can_be_given(books, run_cli, tmp_path):
    db = tmp_path / "timewarrior"
    shutil.copytree(TIMEW / "data", db / "data")
    (db / "timewarrior.cfg").write_text("")
    code, out, err = run_cli("time", "import", str(db), "--skip-unmapped", books=books)
    assert code == 0, err
    assert "Imported 12 entries (13:45)" in out  # 855 - 30 min untagged


@pytest.mark.parametrize("name", ["tags.data", "undo.data"])
def test_tags_and_undo_files_are_refused_as_not_intervals(books, run_cli, name):
    code, _, err = run_cli("time", "import", str(TIMEW / "data" / name), books=books)
    assert code == 2
    assert f"Timewarrior's {name} holds" in err and "not intervals" in err


# --- one code path --------------------------------------------------------------------------------
@pytest.mark.parametrize(("source", "args"), [
    ("watson/frames", ()), ("timew/data", ("--skip-unmapped",)),
    ("toggl-late-2026-10.csv", ("--map", "Demand forecast=hafen/forecast")),
    ("clockify-late-2026-10.csv", ("--map", "Demand forecast=hafen/forecast"))])
def test_a_dry_run_says_what_the_import_then_does(books, run_cli, source, args):
    """The dry run's report is the import's, word for word but for its verbs; then the import
    writes exactly what the dry run said."""
    before = snapshot(books)
    code, dry, err = run_cli("time", "import", str(FIX / source), *args, "--dry-run", books=books)
    assert code == 0, err
    assert snapshot(books) == before
    code, real, err = run_cli("time", "import", str(FIX / source), *args, books=books)
    assert code == 0, err
    assert dry.replace("Would import", "Imported").replace(": nothing written (dry run)", "") \
              .replace("would write", "wrote") == real


# --- the programs themselves ----------------------------------------------------------------------
def _maker():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_tool_fixtures", FIX / "make_tool_fixtures.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_timewarrior_writes_the_committed_fixtures_today(tmp_path, books, run_cli):
    """Made again with Timewarrior: the same month files, and consult's minutes equal its total."""
    mk = _maker()
    if mk.timew_cmd() is None:
        pytest.skip("Timewarrior (timew) is not installed: apt-get install timewarrior")
    mk.make_timew(tmp_path / "timew")
    for f in sorted((TIMEW / "data").glob("????-??.data")):
        assert (tmp_path / "timew" / "data" / f.name).read_text() == f.read_text(), f.name
    code, out, err = run_cli("time", "import", str(tmp_path / "timew" / "data"), "--map", "@2=hafen/forecast",
                             books=books)
    assert code == 0, err
    assert sum(m for _, _, m, *_ in spans(books)) == timew_total((tmp_path / "timew" / "summary.txt").read_text())


def test_watson_writes_the_committed_fixtures_today(tmp_path, books, run_cli):
    """Made again with Watson: the same frames (ids and `updated_at` aside), and consult's minutes
    equal Watson's own report."""
    mk = _maker()
    if mk.watson_cmd() is None:
        pytest.skip("Watson is not installed: pip install td-watson")
    mk.make_watson(tmp_path / "watson")

    def frames(p: Path) -> list:
        return sorted((f[0], f[1], f[2], f[4]) for f in json.loads(p.read_text()))

    assert frames(tmp_path / "watson" / "frames") == frames(WATSON / "frames")
    assert frames(tmp_path / "watson" / "frames-after-edit") == frames(WATSON / "frames-after-edit")
    code, _, err = run_cli("time", "import", str(tmp_path / "watson" / "frames"), books=books)
    assert code == 0, err
    total = json.loads((tmp_path / "watson" / "totals.json").read_text())["frames"]["seconds"]
    assert timedelta(minutes=sum(m for _, _, m, *_ in spans(books))).total_seconds() == total
