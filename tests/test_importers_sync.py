"""Entries changed or deleted in the tool after they were imported: reported, and with --sync
made to match — never when billed, and never touching another byte of the timesheet."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from test_importers import FIX, FORECAST, HAFEN_CLIENT, entries, imp, snapshot


@pytest.fixture
def books(make_books) -> Path:
    """acme/build (daily) and hafen/forecast (hourly), as in test_importers."""
    return make_books({"clients/hafen/client.yaml": HAFEN_CLIENT, "clients/hafen/engagements/forecast.yaml": FORECAST})


WATSON = FIX / "watson"
TIMEW = FIX / "timew"
HAFEN_NOV = "clients/hafen/timesheets/2026-11.yaml"


def minutes(root: Path) -> int:
    return sum(m for _, _, m, *_ in entries(root))


def test_watson_edits_are_reported_and_nothing_changes_without_sync(books, run_cli):
    """The 09:00–11:00 frame now ends at 11:30 and the non-billable one is deleted (made with
    `watson edit` and `watson remove`): both are listed; the books stay byte for byte."""
    assert run_cli("time", "import", str(WATSON / "frames"), books=books)[0] == 0
    before = snapshot(books)
    code, out, err = run_cli("time", "import", str(WATSON / "frames-after-edit"), books=books)
    assert code == 0, err
    assert "Changed in Watson since imported: 1 — left as they are; --sync applies the unbilled ones" in out
    assert "2026-11-03 09:00–11:00 forecast → 2026-11-03 09:00–11:30 forecast" in out
    assert "Gone from Watson (its whole history): 1 — left as they are; --sync removes the unbilled ones" in out
    assert "2026-11-05 14:00–15:00 forecast" in out
    assert snapshot(books) == before


def test_watson_sync_rewrites_the_changed_line_and_removes_the_gone_one_keeping_every_other_byte(books, run_cli):
    """After --sync the books hold Watson's own total after the edits: 53,100 s + 30 min - 60 min
    = 51,300 s (855 min). A comment line and a comment after the changed entry stay."""
    assert run_cli("time", "import", str(WATSON / "frames"), books=books)[0] == 0
    sheet = books / HAFEN_NOV
    lines = sheet.read_text().splitlines(keepends=True)
    lines.insert(1, "# checked with the client on 6 Nov\n")
    lines[2] = lines[2].rstrip("\n") + "  # kick-off\n"
    sheet.write_text("".join(lines))
    old = sheet.read_text()
    code, out, err = run_cli("time", "import", str(WATSON / "frames-after-edit"), "--sync", books=books)
    assert code == 0, err
    assert "Changed in Watson since imported: 1 — 1 applied" in out
    assert "Gone from Watson (its whole history): 1 — 1 removed" in out
    assert f"wrote {HAFEN_NOV}: 1 changed, 1 removed" in out
    new = sheet.read_text().splitlines(keepends=True)
    was = old.splitlines(keepends=True)
    assert new[0:2] == was[0:2]
    assert new[2] == was[2].replace('end: "11:00"', 'end: "11:30"')
    assert new[2].endswith('}  # kick-off\n')
    assert new[3:] == [line for line in was[3:] if "14:00" not in line]
    total = json.loads((WATSON / "totals.json").read_text())["frames-after-edit"]["seconds"]
    assert minutes(books) * 60 == total == 51300
    code, out, _ = run_cli("time", "import", str(WATSON / "frames-after-edit"), "--sync", books=books)
    assert "Changed in" not in out and "Gone from" not in out  # in step now


def test_timewarrior_lengthen_and_delete_sync_to_timewarriors_total(books, run_cli):
    """`timew lengthen @4 30min` and `timew delete @2` (the untagged interval): after --sync the
    books hold Timewarrior's summary total, 14:15 (855 min)."""
    assert run_cli("time", "import", str(TIMEW / "data"), "--map", "@2=hafen/forecast", books=books)[0] == 0
    code, out, err = run_cli("time", "import", str(TIMEW / "data-after-edit"), "--sync", books=books)
    assert code == 0, err
    assert "Changed in Timewarrior since imported: 1 — 1 applied" in out
    assert "Gone from Timewarrior (its whole history): 1 — 1 removed" in out
    summary = (TIMEW / "summary-after-edit.txt").read_text()
    assert "14:15:00" in summary.strip().splitlines()[-1]
    assert minutes(books) == 14 * 60 + 15


def test_successive_harvest_exports_converge_on_harvests_total_with_sync(books, run_cli):
    """First export: 2.0 + 3.0 + 0.5 + 4.0 h = 570 min. In Harvest the 3.0 h row becomes 3.5 h,
    the 0.5 h call is deleted and 1.25 h is added: 2.0 + 3.5 + 1.25 + 4.0 = 10.75 h = 645 min.
    Without --sync the books drift to 570 + 210 + 75 = 855 (the edited row twice, the deleted one
    kept) and the two stale entries are listed; with --sync they are removed: 645."""
    maps = ("--map", "Demand forecast=hafen/forecast")
    assert imp(run_cli, books, "harvest-sync-1.csv", *maps)[0] == 0
    assert minutes(books) == 570
    code, out, err = imp(run_cli, books, "harvest-sync-2.csv", *maps)
    assert code == 0, err
    assert minutes(books) == 855
    assert "Gone from Harvest (2026-10-19 … 2026-10-23): 2" in out
    code, out, err = imp(run_cli, books, "harvest-sync-2.csv", *maps, "--sync")
    assert code == 0, err
    assert "Gone from Harvest (2026-10-19 … 2026-10-23): 2 — 2 removed" in out
    assert minutes(books) == 645


def test_period_widens_where_deleted_entries_are_looked_for(books, run_cli, tmp_path):
    """The second export lost its last day's only row (23 Oct): by its own dates it ends on the
    22nd, so the 23rd is not judged; --period 2026-10 says the export covers October."""
    maps = ("--map", "Demand forecast=hafen/forecast")
    assert imp(run_cli, books, "harvest-sync-1.csv", *maps)[0] == 0
    short = tmp_path / "harvest.csv"
    short.write_text("".join((FIX / "harvest-sync-1.csv").read_text().splitlines(keepends=True)[:-1]))
    code, out, _ = run_cli("time", "import", str(short), *maps, books=books)
    assert "Gone from" not in out
    code, out, _ = run_cli("time", "import", str(short), *maps, "--period", "2026-10", books=books)
    assert "Gone from Harvest (2026-10-01 … 2026-10-31): 1" in out and "2026-10-23 4:00 forecast" in out


def test_billed_entries_are_never_changed_and_the_fix_is_a_credit_note(books, run_cli):
    """October is invoiced after the first export; --sync with the second export leaves the two
    stale entries (billed on the invoice) as they are and says how to correct them."""
    maps = ("--map", "Demand forecast=hafen/forecast")
    assert imp(run_cli, books, "harvest-sync-1.csv", *maps)[0] == 0
    code, out, err = run_cli("invoice", "create", "hafen", "--period", "2026-10", books=books)
    assert code == 0, err
    sheet = books / "clients/hafen/timesheets/2026-10.yaml"
    old = sheet.read_text()
    code, out, err = imp(run_cli, books, "harvest-sync-2.csv", *maps, "--sync")
    assert code == 0, err
    assert "Gone from Harvest (2026-10-19 … 2026-10-23): 2 — 0 removed" in out
    assert "Billed, so left as they are: 2" in out
    assert "on INV-2026-0001: to change it, credit that invoice (consult invoice credit INV-2026-0001 " \
           "--reason \"…\"), then import again with --sync" in out
    assert sheet.read_text().startswith(old)  # nothing of the billed lines changed


def test_a_changed_entry_moving_to_another_month_leaves_its_file_for_the_new_one(books, run_cli, tmp_path):
    """A frame moved in Watson from 30 Oct to 2 Nov: its line leaves October's file and is
    appended to November's, with the same id."""
    f = tmp_path / "frames"
    oct30 = 1793354400  # 2026-10-30T09:00:00Z
    f.write_text(json.dumps([[oct30, oct30 + 3600, "acme", "77aa", ["build"], 0]]))
    assert run_cli("time", "import", str(f), books=books)[0] == 0
    nov2 = oct30 + 3 * 86400
    f.write_text(json.dumps([[nov2, nov2 + 5400, "acme", "77aa", ["build"], 0]]))
    code, out, err = run_cli("time", "import", str(f), "--sync", books=books)
    assert code == 0, err
    assert [(d, m, i) for _, d, m, *_, i in entries(books)] == [(date(2026, 11, 2), 90, "watson:77aa")]
    assert "watson:77aa" not in (books / "clients/acme/timesheets/2026-10.yaml").read_text()


def test_an_entry_kept_in_a_csv_timesheet_is_left_for_a_person_to_edit(books, run_cli, tmp_path):
    """--sync rewrites only lines it wrote (one `- {…}` entry a line); a CSV timesheet holding
    an imported id is named instead."""
    sheet = books / "clients/acme/timesheets/2026-10.csv"
    sheet.parent.mkdir(parents=True, exist_ok=True)
    sheet.write_text("date,engagement,start,end,id\n2026-10-30,build,09:00,10:00,watson:77aa\n")
    f = tmp_path / "frames"
    oct30 = 1793354400
    f.write_text(json.dumps([[oct30, oct30 + 5400, "acme", "77aa", ["build"], 0]]))
    before = snapshot(books)
    code, out, err = run_cli("time", "import", str(f), "--sync", books=books)
    assert code == 0, err
    assert "Not changed by --sync (the line is not one entry on one line; edit it by hand): 1" in out
    assert "clients/acme/timesheets/2026-10.csv:2" in out
    assert snapshot(books) == before
