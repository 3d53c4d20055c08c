"""Importing Toggl, Clockify, Harvest, Watson and Timewarrior exports, with minutes worked by hand.

The export files in tests/fixtures/imports are written from each tool's documented columns
(Toggl Track and Clockify detailed report CSV, Harvest detailed time report CSV, Watson's
`frames` file, `timew export` JSON and a Timewarrior `.data` file)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from consult.books.loader import open_books
from consult.errors import BooksError, UsageError
from consult.work.importers import date_order, day_parts, read_export

FIX = Path(__file__).parent / "fixtures" / "imports"
LONDON = ZoneInfo("Europe/London")

HAFEN_CLIENT = HAFEN = """\
name: Hafen Logistik GmbH
address: |
  Kai 1
  20457 Hamburg
country: DE
currency: EUR
locale: de_DE
tax: reverse_charge
vat_number: DE136695976
"""
FORECAST = """\
title: Demand forecast
billing: hourly
rate: 95
time_increment_minutes: 15
start: 2026-01-01
"""


@pytest.fixture
def books(make_books) -> Path:
    """acme/build ("Model build", daily) and hafen/forecast ("Demand forecast", hourly)."""
    return make_books({"clients/hafen/client.yaml": HAFEN, "clients/hafen/engagements/forecast.yaml": FORECAST})


def entries(root: Path) -> list[tuple]:
    """(client/engagement, date, minutes, start, end, billable, note, id) of every entry, sorted."""
    b = open_books(root)
    return sorted((f"{e.client}/{e.engagement}", e.date, e.minutes, e.start and f"{e.start:%H:%M}",
                   e.end and f"{e.end:%H:%M}", e.billable, e.note, e.source_id) for e in b.entries)


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
            and ".consult" not in p.as_posix()}


def imp(run_cli, root: Path, name: str, *args: str) -> tuple[int, str, str]:
    return run_cli("time", "import", str(FIX / name), *args, books=root)


# --- each tool -------------------------------------------------------------------------------
def test_toggl_detailed_csv_imports_with_local_times_rounded_and_midnight_split(books, run_cli):
    """Toggl's local times are kept; 13:15:20–17:00:40 rounds to 13:15–17:01 (226 min); a deploy
    from 22:30 to 01:15 is 90 min on the 7th and 75 min on the 8th; 'No' is non-billable."""
    code, out, err = imp(run_cli, books, "toggl-detailed-2026-10.csv", "--format", "toggl",
                         "--map", "Personal admin=skip")
    assert code == 0, err
    got = [(k, d, m, s, e, b, n) for k, d, m, s, e, b, n, _ in entries(books)]
    assert got == [
        ("acme/build", date(2026, 10, 5), 210, "09:00", "12:30", True, "Modelling: Feature review"),
        ("acme/build", date(2026, 10, 5), 226, "13:15", "17:01", True, "Modelling: Backtest, second pass"),
        ("acme/build", date(2026, 10, 6), 30, "10:00", "10:30", False, "Weekly call"),
        ("acme/build", date(2026, 10, 9), 15, "09:00", "09:15", True, "Standup"),
        ("hafen/forecast", date(2026, 10, 7), 90, None, None, True, "Late deploy"),
        ("hafen/forecast", date(2026, 10, 8), 75, "00:00", "01:15", True, "Late deploy"),
    ]
    assert "Imported 6 entries (10:46)" in out  # 210+226+30+15 + 90+75 = 646 min
    assert "acme/build" in out and "8:01" in out and "hafen/forecast" in out and "2:45" in out
    assert "Left out: 'Personal admin' (1 entry, 0:20)" in out


def test_clockify_us_dates_and_am_pm_times_are_read_month_first(books, run_cli):
    """10/13/2026 can only be month-first; 12:30 PM–04:10:29 PM is 12:30–16:10, 220 minutes."""
    code, out, err = imp(run_cli, books, "clockify-detailed-2026-10.csv", "--format", "clockify")
    assert code == 0, err
    got = [(k, d, m, s, e, b) for k, d, m, s, e, b, _, _ in entries(books)]
    assert got == [
        ("acme/build", date(2026, 10, 14), 45, "17:00", "17:45", False),
        ("hafen/forecast", date(2026, 10, 13), 165, "09:00", "11:45", True),
        ("hafen/forecast", date(2026, 10, 13), 220, "12:30", "16:10", True),
    ]
    assert "Imported 3 entries (7:10)" in out


def test_harvest_decimal_hours_become_minutes_and_identical_rows_both_count(books, run_cli):
    """1.33 h is 80 min (half up of 79.8); two identical 0.25 h stand-ups are two entries with
    distinct ids; the unmapped 'Internal' project is left out with --skip-unmapped."""
    code, out, err = imp(run_cli, books, "harvest-detailed-2026-10.csv", "--format", "harvest", "--skip-unmapped")
    assert code == 0, err
    got = entries(books)
    assert [(k, d, m, n) for k, d, m, _, _, _, n, _ in got] == [
        ("acme/build", date(2026, 10, 19), 15, "Meetings: Standup"),
        ("acme/build", date(2026, 10, 19), 15, "Meetings: Standup"),
        ("acme/build", date(2026, 10, 19), 210, "Modelling: Drift analysis"),
        ("hafen/forecast", date(2026, 10, 20), 80, "Modelling: Holiday calendar, DE states"),
    ]
    ids = [i for *_, i in got]
    assert len(set(ids)) == 4 and all(i.startswith("harvest:") for i in ids)
    assert sum(1 for i in ids if i.endswith("-2")) == 1
    assert "Left out: 'Internal' (1 entry, 0:30)" in out


def test_watson_frames_are_utc_and_land_on_the_london_day_across_the_clock_change(books, run_cli):
    """08:00Z on 23 Oct is 09:00 BST; 09:00Z on 26 Oct (after the change on the 25th) is 09:00 GMT;
    23:30Z on the 21st is 00:30 on the 22nd; a `non-billable` tag makes the frame non-billable."""
    code, out, err = imp(run_cli, books, "watson-frames.json", "--format", "watson")
    assert code == 0, err
    got = [(k, d, m, s, e, b, n) for k, d, m, s, e, b, n, _ in entries(books)]
    assert got == [
        ("acme/build", date(2026, 10, 22), 75, "00:30", "01:45", True, None),
        ("acme/build", date(2026, 10, 23), 210, "09:00", "12:30", True, None),
        ("acme/build", date(2026, 10, 26), 180, "09:00", "12:00", True, None),
        ("hafen/forecast", date(2026, 10, 27), 60, "14:00", "15:00", False, None),
    ]
    assert entries(books)[0][-1] == "watson:a1b2c3d4e5f60718293a4b5c6d7e8f90"


def test_watson_in_another_zone_moves_the_day(books, run_cli):
    """The same frames read in New York: 23:30Z on 21 Oct is 19:30 on the 21st (EDT)."""
    code, _, err = imp(run_cli, books, "watson-frames.json", "--timezone", "America/New_York")
    assert code == 0, err
    first = entries(books)[0]
    assert first[1:5] == (date(2026, 10, 21), 75, "19:30", "20:45")


def test_timewarrior_export_matches_tag_pairs_and_skips_the_running_interval(books, run_cli):
    """Tags `acme build` find acme/build and `forecast hafen` find hafen/forecast with no map;
    the interval with no end is still running and is skipped, not guessed."""
    code, out, err = imp(run_cli, books, "timew-export.json", "--format", "timewarrior")
    assert code == 0, err
    got = [(k, d, m, s, e, n, i) for k, d, m, s, e, _, n, i in entries(books)]
    assert got == [
        ("acme/build", date(2026, 10, 28), 210, "09:00", "12:30", "Drift report", "timewarrior:20261028T090000Z"),
        ("hafen/forecast", date(2026, 10, 29), 135, "13:00", "15:15", None, "timewarrior:20261029T130000Z"),
    ]
    assert "Skipped: 1 still running" in out


def test_timewarrior_data_file_is_the_same_intervals_as_its_export(books, run_cli):
    """The raw `.data` file gives the same ids, so importing it after the export adds nothing."""
    assert imp(run_cli, books, "timew-export.json")[0] == 0
    before = snapshot(books)
    code, out, _ = imp(run_cli, books, "timew-2026-10.data", "--format", "timewarrior")
    assert code == 0
    assert "Imported 0 entries (0:00)" in out and "Already in the books: 2" in out
    assert snapshot(books) == before


def test_format_is_told_from_the_file_when_not_given(tmp_path):
    """Each fixture is recognised by its columns or JSON shape."""
    want = {"toggl-detailed-2026-10.csv": "toggl", "clockify-detailed-2026-10.csv": "clockify",
            "harvest-detailed-2026-10.csv": "harvest", "watson-frames.json": "watson",
            "timew-export.json": "timewarrior", "timew-2026-10.data": "timewarrior"}
    for name, tool in want.items():
        assert read_export(FIX / name, None, tz=LONDON).tool == tool, name


# --- never twice, never half --------------------------------------------------------------------
@pytest.mark.parametrize("name", ["toggl-detailed-2026-10.csv", "clockify-detailed-2026-10.csv",
                                  "harvest-detailed-2026-10.csv", "watson-frames.json", "timew-export.json"])
def test_reimporting_the_same_file_adds_nothing(books, run_cli, name):
    """Entries keep their tool's id; the second import leaves every byte as it was."""
    extra = ("--skip-unmapped",)
    assert imp(run_cli, books, name, *extra)[0] == 0
    before = snapshot(books)
    code, out, _ = imp(run_cli, books, name, *extra)
    assert code == 0
    assert "Imported 0 entries (0:00)" in out
    assert snapshot(books) == before


@pytest.mark.parametrize(("name", "code"), [("toggl-detailed-2026-10.csv", 0), ("toggl-bad-row.csv", 1)])
@pytest.mark.parametrize("enabled", [True, False])
def test_an_import_leaves_the_cycle_collector_as_it_found_it(books, run_cli, name, code, enabled):
    """The import pauses Python's cycle collector while it runs (its objects hold no cycles);
    after it, done or refused, the collector is on or off as it was before."""
    import gc

    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        assert imp(run_cli, books, name, "--skip-unmapped")[0] == code
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_dry_run_writes_nothing_and_says_what_would_come(books, run_cli):
    before = snapshot(books)
    code, out, _ = imp(run_cli, books, "watson-frames.json", "--dry-run")
    assert code == 0
    assert out.startswith("Would import 4 entries (8:45) from ")
    assert "nothing written (dry run)" in out
    assert snapshot(books) == before


def test_import_appends_to_an_existing_month_keeping_its_comments(books, run_cli):
    """Existing lines and comments stay byte for byte; the new lines follow them."""
    sheet = books / "clients/acme/timesheets/2026-10.yaml"
    sheet.parent.mkdir(parents=True, exist_ok=True)
    old = "# my October notes\n- {date: 2026-10-01, engagement: build, hours: 2}  # kick-off\n"
    sheet.write_text(old)
    assert imp(run_cli, books, "watson-frames.json")[0] == 0
    text = sheet.read_text()
    assert text.startswith(old)
    assert text[len(old):].splitlines()[0] == ('- {date: 2026-10-22, engagement: build, start: "00:30", '
                                               'end: "01:45", id: "watson:a1b2c3d4e5f60718293a4b5c6d7e8f90"}')


def test_a_month_kept_as_csv_gets_a_yaml_file_beside_it(books, run_cli):
    """The CSV is left alone (it has no `id` column); both files are read, totals add up."""
    csv_sheet = books / "clients/acme/timesheets/2026-10.csv"
    csv_sheet.parent.mkdir(parents=True, exist_ok=True)
    csv_sheet.write_text("date,engagement,hours,note\n2026-10-01,build,2,kick-off\n")
    assert imp(run_cli, books, "watson-frames.json")[0] == 0
    assert csv_sheet.read_text() == "date,engagement,hours,note\n2026-10-01,build,2,kick-off\n"
    assert sum(m for k, _, m, *_ in entries(books) if k == "acme/build") == 120 + 75 + 210 + 180


@pytest.mark.parametrize(("name", "lines"), [
    ("toggl-bad-row.csv", [
        "toggl-bad-row.csv:3: Start time: '9.00' is not a time of day — expected HH:MM:SS (e.g. 09:30:00 or 9:30 AM)",
        "toggl-bad-row.csv:4: End date: '2026-10-32' is not a real date"]),
    ("clockify-bad-row.csv", ["clockify-bad-row.csv:2: Billable: 'Maybe' is not Yes or No"]),
    ("harvest-bad-row.csv", [
        "harvest-bad-row.csv:3: Hours: '-0.25' is not a number of hours — time worked is never below zero"]),
    ("watson-bad-frames.json", [
        "watson-bad-frames.json: frame 2 (b2c3d4e5): ends (2026-10-24 11:00) before it starts (2026-10-24 13:00);"
        " fix it in Watson and export again",
        "watson-bad-frames.json: frame 3 (c3d4e5f6): start: 'yesterday' is not a point in time"]),
    ("timew-bad.data", [
        "timew-bad.data:2: 'inc 2026-10-29 13:00 - 2026-10-29 15:15 # forecast hafen' is not a Timewarrior interval"]),
])
def test_a_malformed_row_names_file_row_and_column_and_nothing_is_written(books, run_cli, monkeypatch, name, lines):
    """Every bad row is listed with where it is; exit 1; the good rows are not imported either."""
    monkeypatch.chdir(FIX)
    before = snapshot(books)
    code, out, err = run_cli("time", "import", name, books=books)
    assert code == 1
    assert "nothing was written" in err.splitlines()[0]
    for line in lines:
        assert any(got.strip().startswith(line) for got in err.splitlines()), (line, err)
    assert "Traceback" not in err
    assert snapshot(books) == before


def test_a_timer_left_running_for_days_is_refused(books, tmp_path):
    """A 50-hour Watson frame would bill two days nobody worked: refused, with what to do."""
    frames = tmp_path / "frames"
    frames.write_text(json.dumps([[1792483200, 1792483200 + 50 * 3600, "acme", "ffff0000", ["build"], 0]]))
    with pytest.raises(BooksError, match=r"frame 1 \(ffff0000\): lasts 50.0 hours from .* a timer left running\?"):
        read_export(frames, "watson", tz=LONDON)


# --- matching ----------------------------------------------------------------------------------
def test_an_unknown_project_exits_2_listing_projects_and_the_map_syntax(books, run_cli):
    before = snapshot(books)
    code, out, err = imp(run_cli, books, "toggl-detailed-2026-10.csv")
    assert code == 2
    assert "1 project matches no engagement (nothing was written):" in err
    assert "  'Personal admin': 1 entry, 0:20" in err
    assert 'map each with --map "PROJECT=CLIENT/ENGAGEMENT"' in err
    assert "engagements: acme/build, hafen/forecast" in err
    assert snapshot(books) == before


def test_import_map_file_sends_projects_to_engagements_and_skips_on_purpose(books, run_cli):
    """import-map.yaml at the books root: `Project: client/engagement`, or `skip`."""
    (books / "import-map.yaml").write_text("# Harvest projects\nInternal: skip\n"
                                           "Model build: hafen/forecast\n")
    code, out, err = imp(run_cli, books, "harvest-detailed-2026-10.csv")
    assert code == 0, err
    assert {k for k, *_ in entries(books)} == {"hafen/forecast"}
    assert "Left out: 'Internal' (1 entry, 0:30)" in out


def test_map_on_the_command_line_beats_the_map_file(books, run_cli):
    (books / "import-map.yaml").write_text("Internal: skip\nModel build: hafen/forecast\n")
    code, _, err = imp(run_cli, books, "harvest-detailed-2026-10.csv", "--map", "Model build=acme/build")
    assert code == 0, err
    assert sorted({k for k, *_ in entries(books)}) == ["acme/build", "hafen/forecast"]


def test_a_map_to_an_engagement_that_does_not_exist_is_refused(books, run_cli):
    code, _, err = imp(run_cli, books, "harvest-detailed-2026-10.csv", "--map", "Internal=acme/admin")
    assert code == 2
    assert err.strip() == ("error: --map 'Internal=acme/admin': no engagement acme/admin in the books "
                           "(engagements: acme/build, hafen/forecast)")


def test_a_bad_line_in_the_map_file_names_its_line(books, run_cli):
    (books / "import-map.yaml").write_text("Internal: skip\nModel build: acme/nope\n")
    code, _, err = imp(run_cli, books, "harvest-detailed-2026-10.csv")
    assert code == 1
    assert "import-map.yaml:2:14: Model build: no engagement acme/nope in the books" in err


# --- dates, clocks and safety ----------------------------------------------------------------------
def test_slash_dates_that_read_both_ways_are_a_question_not_a_guess(books, run_cli, tmp_path):
    """01/10/2026 and 02/10/2026 could be October or January and February: exit 2, asks --dates."""
    f = tmp_path / "clockify.csv"
    head = (FIX / "clockify-detailed-2026-10.csv").read_text().splitlines()[0]
    row = ("Model build,Acme Ltd,Review,,Sam,,s@x.uk,,Yes,{d},09:00:00 AM,{d},10:00:00 AM,01:00:00,1.00,0,0")
    f.write_text("\n".join([head, row.format(d="01/10/2026"), row.format(d="02/10/2026")]) + "\n")
    code, _, err = run_cli("time", "import", str(f), books=books)
    assert code == 2
    assert "a date like 01/10/2026 could be day-first or month-first; say --dates dmy" in err
    code, _, err = run_cli("time", "import", str(f), "--dates", "dmy", books=books)
    assert code == 0, err
    assert [d for _, d, *_ in entries(books)] == [date(2026, 10, 1), date(2026, 10, 2)]


def test_date_order_is_told_by_a_day_over_twelve():
    assert date_order(["01/10/2026", "13/10/2026"], None, "f") == "dmy"
    assert date_order(["10/01/2026", "10/13/2026"], None, "f") == "mdy"
    assert date_order(["2026-10-01"], None, "f") == "dmy"  # no slash dates: nothing to decide
    with pytest.raises(UsageError, match="both day-first and month-first"):
        date_order(["13/10/2026", "10/13/2026"], None, "f")


def test_day_parts_round_each_end_to_the_minute_and_split_at_midnight():
    """Rounding the ends (not the length) keeps minutes equal to the written start–end span."""
    dt = datetime
    assert day_parts(dt(2026, 10, 5, 9, 0, 29), dt(2026, 10, 5, 9, 30, 30)) == [
        (date(2026, 10, 5), 31, time(9, 0), time(9, 31), dt(2026, 10, 5, 9, 0, tzinfo=timezone.utc))]
    assert day_parts(dt(2026, 10, 5, 23, 0), dt(2026, 10, 6, 0, 0)) == [
        (date(2026, 10, 5), 60, None, None, dt(2026, 10, 5, 23, 0, tzinfo=timezone.utc))]
    assert day_parts(dt(2026, 10, 5, 9, 0, 10), dt(2026, 10, 5, 9, 0, 20)) == []


def test_a_day_over_24_hours_is_refused_with_nothing_written(make_books, run_cli, tmp_path):
    """20 h already on 2 Nov (10 h per client) plus a 5-hour frame is 25:00: refused, exit 1."""
    root = make_books({"clients/hafen/client.yaml": HAFEN, "clients/hafen/engagements/forecast.yaml": FORECAST,
                       "clients/acme/timesheets/2026-11.yaml": "- {date: 2026-11-02, engagement: build, hours: 10}\n",
                       "clients/hafen/timesheets/2026-11.yaml":
                           "- {date: 2026-11-02, engagement: forecast, hours: 10}\n"})
    frames = tmp_path / "frames"
    start = 1793613600  # 2026-11-02T10:00:00Z, 10:00 GMT
    frames.write_text(json.dumps([[start, start + 5 * 3600, "acme", "0123abcd", ["build"], 0]]))
    before = snapshot(root)
    code, _, err = run_cli("time", "import", str(frames), books=root)
    assert code == 1
    assert "importing would put more than 24 hours on 1 day: 2026-11-02 (25:00)" in err
    assert "Nothing was written" in err
    assert snapshot(root) == before


def test_stdin_is_read_when_file_is_a_dash(books, monkeypatch):
    """`timew export | consult time import - --format timewarrior` works."""
    from click.testing import CliRunner

    from consult.cli import cli

    monkeypatch.setenv("CONSULT_TODAY", "2026-11-22")
    res = CliRunner().invoke(cli, ["--books", str(books), "time", "import", "-", "--format", "timewarrior"],
                             input=(FIX / "timew-export.json").read_text())
    assert res.exit_code == 0, res.output
    assert "Imported 2 entries (5:45) from <stdin> [timewarrior]" in res.output


def test_imported_books_check_clean_and_report_the_imported_minutes(books, run_cli):
    """After every fixture is imported the books check without errors and `time report` gives
    the sums of the minutes worked out in the tests above."""
    for name in ("toggl-detailed-2026-10.csv", "clockify-detailed-2026-10.csv", "harvest-detailed-2026-10.csv",
                 "watson-frames.json", "timew-export.json"):
        assert imp(run_cli, books, name, "--skip-unmapped")[0] == 0
    code, _, err = run_cli("check", books=books)
    assert code == 0, err
    code, out, _ = run_cli("time", "report", "--by", "client", "--format", "json", books=books)
    rows = {r["client"]: r["minutes"] for r in json.loads(out)}
    # acme: toggl 210+226+30+15, clockify 45, harvest 210+15+15, watson 75+210+180, timew 210
    # hafen: toggl 90+75, clockify 165+220, harvest 80, watson 60, timew 135
    assert rows == {"acme": 481 + 45 + 240 + 465 + 210, "hafen": 165 + 385 + 80 + 60 + 135}


def test_time_log_does_not_import_the_importers(tmp_path):
    """The importers load only for `time import` (start-up stays small)."""
    import subprocess
    import sys

    code = ("import sys; from consult.cli import run; run(['time', '--help']); "
            "print('consult.work.importers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"


def test_imports_of_one_file_at_once_add_it_once(books):
    """Four `time import` processes racing on one file: the lock and the re-read ids let
    exactly one of them add the four frames; the others add nothing."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "CONSULT_TODAY": "2026-11-22"}
    cmd = [sys.executable, "-m", "consult", "--books", str(books), "time", "import", str(FIX / "watson-frames.json")]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], outs
    assert len(entries(books)) == 4
    assert sorted(o.splitlines()[0].split(" (")[0] for o, _ in outs) == [
        "Imported 0 entries", "Imported 0 entries", "Imported 0 entries", "Imported 4 entries"]


def test_a_plan_carried_out_twice_adds_its_entries_once(books):
    """What another import added after this one was planned is dropped under the lock."""
    from consult.work.ingest import plan_import, write_import

    b = open_books(books)
    plan = plan_import(b, read_export(FIX / "watson-frames.json", None, tz=LONDON), {}, today=date(2026, 11, 22))
    first = write_import(b, plan)
    again = write_import(b, plan)
    assert (len(first.plan.new), sum(w.entries for w in first.written)) == (4, 4)
    assert (len(again.plan.new), again.plan.in_books, again.written) == (0, 4, ())
    assert len(entries(books)) == 4


def test_the_readme_example_imports_into_the_sample_books(sample_books, run_cli):
    """docs/examples/toggl-2026-11.csv: 'Churn model' via --map, 'demand-forecast' by its id;
    3:30 + 3:45 + 0:30 (non-billable) = 7:45 for Acme and 3:30 + 2:20 = 5:50 for Hafen."""
    example = Path(__file__).resolve().parent.parent / "docs/examples/toggl-2026-11.csv"
    code, out, err = run_cli("time", "import", str(example), "--map", "Churn model=acme-analytics/churn-model",
                             books=sample_books)
    assert code == 0, err
    assert "Imported 5 entries (13:35)" in out
    code, out, _ = run_cli("time", "report", "--period", "2026-11", "--by", "engagement", "--format", "json",
                           books=sample_books)
    got = {(r["client"], r["engagement"]): (r["minutes"], r["billable_minutes"]) for r in json.loads(out)}
    assert got == {("acme-analytics", "churn-model"): (465, 435), ("hafen-logistik", "demand-forecast"): (350, 350)}


@pytest.mark.parametrize("note", [None, "Feature review", "Café – résumé", 'Say "hi"', "back\\slash", "tab\there",
                                  "line\u2028sep", "特徴量レビュー", "colon: and # hash", "ctrl\x01"])
@pytest.mark.parametrize(("minutes", "start", "end", "billable"), [
    (90, time(9, 0), time(10, 30), True), (5, time(0, 0), time(0, 5), True), (59, time(23, 0), time(23, 59), False),
    (90, None, None, False), (45, None, None, True), (120, None, None, True)])
def test_an_imported_line_is_the_books_own_one_line_form(note, minutes, start, end, billable):
    """ingest composes its lines fast; each is exactly consult.work.log.yaml_line's."""
    from consult.errors import Source
    from consult.work.importers import Row
    from consult.work.ingest import NewEntry, _entry_line
    from consult.work.log import yaml_line

    row = Row(Source("x"), ("p",), "p", date(2026, 10, 5), minutes, start, end, note, billable, "toggl:ab12-2")
    assert _entry_line(NewEntry("acme", "build", row)) == yaml_line(
        date(2026, 10, 5), "build", minutes, note=note, billable=billable, start=start, end=end,
        source_id="toggl:ab12-2")
