"""The spreadsheet exports people really have: languages, delimiters, encodings, date forms,
team exports, newer headers, re-exports with other columns, and the crash on late entries.

Each fixture in tests/fixtures/imports is written by hand from the tool's documented columns
(see docs/importing.md for the sources); the minutes each test expects are worked out by hand
in its docstring."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_importers import FIX, FORECAST, HAFEN_CLIENT, entries, imp, snapshot

from consult.work.importers import read_export
from consult.work.importers.cells import billable_words, date_order, decode, parse_billable, parse_day


@pytest.fixture
def books(make_books) -> Path:
    """acme/build (daily) and hafen/forecast (hourly), as in test_importers."""
    return make_books({"clients/hafen/client.yaml": HAFEN_CLIENT, "clients/hafen/engagements/forecast.yaml": FORECAST})


LONDON = ZoneInfo("Europe/London")
MAPS = ("--map", "Demand forecast=hafen/forecast", "--map", "Model build=acme/build")


def got(root, *fields):
    """(client/engagement, date, minutes, start, end, billable, note) of every entry."""
    return [(k, d, m, s, e, b, n) for k, d, m, s, e, b, n, _ in entries(root)]


# --- the crash: a day with the before-midnight part of a late entry and another entry -----------
@pytest.mark.parametrize("name", ["toggl-late-2026-10.csv", "clockify-late-2026-10.csv"])
def test_a_late_entry_beside_another_on_its_day_imports(books, run_cli, name):
    """09:00–11:00 (120 min) and a deploy from 22:30 to 01:15 on the same day: 90 min before
    midnight (written as a duration: 24:00 is not a time) and 75 after; 285 in all. The old
    importer crashed sorting that day's lines; its dry run passed."""
    code, out, err = imp(run_cli, books, name, *MAPS)
    assert code == 0, err
    first = date(2026, 10, 12) if name.startswith("toggl") else date(2026, 10, 15)
    nxt = date.fromordinal(first.toordinal() + 1)
    assert [(d, m, s, e) for _, d, m, s, e, _, _ in got(books)] == [
        (first, 90, None, None), (first, 120, "09:00", "11:00"), (nxt, 75, "00:00", "01:15")]
    assert "Imported 3 entries (4:45)" in out
    text = (books / "clients/hafen/timesheets/2026-10.yaml").read_text()
    assert text.index('"09:00"') < text.index("duration: 1h30m")  # the day's lines in the order worked


# --- Billable in the user's language ---------------------------------------------------------------
def test_billable_in_japanese_from_a_utf16_tab_separated_export(books, run_cli):
    """Excel's "Unicode text": UTF-16 with a byte-order mark, tabs, dates 2026/10/19; はい is
    yes (09:00–12:00, 180 min), いいえ is no (10:00–10:30, 30 min). The summary names the encoding
    and the delimiter."""
    code, out, err = imp(run_cli, books, "toggl-ja-utf16-2026-10.txt", *MAPS)
    assert code == 0, err
    assert got(books) == [
        ("acme/build", date(2026, 10, 19), 180, "09:00", "12:00", True, "特徴量レビュー"),
        ("acme/build", date(2026, 10, 20), 30, "10:00", "10:30", False, "定例会議"),
    ]
    assert "Read: UTF-16 text; tab-separated" in out


def test_german_semicolon_export_with_day_first_dashed_dates(books, run_cli):
    """`;`-separated (Excel in most of Europe), dates 13-10-2026 (DD-MM-YYYY, proved by 13),
    Ja/Nein; a quoted description holding `;` and `,` stays whole. 09:00–11:15 is 135 min,
    16:00–16:45 45 min non-billable."""
    code, out, err = imp(run_cli, books, "toggl-de-semicolon-2026-10.csv", *MAPS)
    assert code == 0, err
    assert got(books) == [
        ("hafen/forecast", date(2026, 10, 13), 135, "09:00", "11:15", True, "Feiertage; Bundesländer, Teil 1"),
        ("hafen/forecast", date(2026, 10, 14), 45, "16:00", "16:45", False, "Abstimmung"),
    ]
    assert "Read: semicolon-separated" in out


@pytest.mark.parametrize(("text", "want"), [("Ja", True), ("Nein", False), ("いいえ", False), ("はい", True),
                                             ("Oui", True), ("Non", False), ("Sí", True), ("Não", False),
                                             ("Tak", True), ("Nie", False), ("Kyllä", True), ("Ei", False),
                                             ("是", True), ("否", False), ("예", True), ("아니요", False),
                                             ("YES", True), ("", False)])
def test_yes_and_no_in_common_languages(text, want):
    assert parse_billable(text, "Billable", billable_words(None)) is want


def test_billable_values_names_the_words_of_another_language(books, run_cli):
    """Welsh is not in the list: `Ie` is refused with the option to use, then read with
    --billable-values Ie,Na (60 min billable, 30 min not)."""
    before = snapshot(books)
    code, _, err = imp(run_cli, books, "toggl-cy-2026-10.csv", *MAPS)
    assert code == 1
    assert "toggl-cy-2026-10.csv:2: Billable: 'Ie' is not Yes or No — if it is yes or no in your language, " \
           "say --billable-values YES,NO" in err
    assert snapshot(books) == before
    code, _, err = imp(run_cli, books, "toggl-cy-2026-10.csv", *MAPS, "--billable-values", "Ie,Na")
    assert code == 0, err
    assert [(m, b) for _, _, m, _, _, b, _ in got(books)] == [(60, True), (30, False)]


def test_billable_values_must_be_two_words(books, run_cli):
    code, _, err = imp(run_cli, books, "toggl-cy-2026-10.csv", "--billable-values", "Ie")
    assert code == 2
    assert "--billable-values 'Ie': expected the two words for yes and no" in err


# --- columns ----------------------------------------------------------------------------------------
def test_clockify_without_a_billable_column_is_billable_and_says_so_read_from_windows_1252(books, run_cli):
    """A Windows-1252 file (é, the en dash) with no Billable column and two-digit years
    (03/10/26, 14/10/26: day-first, proved by 14): 09:00–10:30 is 90 min, 13:00–15:00 120 min,
    both billable."""
    code, out, err = imp(run_cli, books, "clockify-cp1252-no-billable-2026-10.csv", *MAPS)
    assert code == 0, err
    assert got(books) == [
        ("hafen/forecast", date(2026, 10, 3), 90, "09:00", "10:30", True, "Café – résumé des features"),
        ("hafen/forecast", date(2026, 10, 14), 120, "13:00", "15:00", True, "Prévisions"),
    ]
    assert "Read: Windows-1252 text; no Billable column: every entry taken as billable" in out


def test_toggl_stop_date_and_stop_time(books, run_cli):
    """The newer Toggl header (Duration first, `Stop date`/`Stop time`): 09:00–12:30 is 210 min,
    10:00–10:30 30 min non-billable."""
    code, out, err = imp(run_cli, books, "toggl-stop-columns-2026-10.csv", *MAPS)
    assert code == 0, err
    assert got(books) == [
        ("acme/build", date(2026, 10, 21), 210, "09:00", "12:30", True, "Feature review"),
        ("acme/build", date(2026, 10, 22), 30, "10:00", "10:30", False, "Weekly call"),
    ]
    assert read_export(FIX / "toggl-stop-columns-2026-10.csv", None, tz=LONDON).tool == "toggl"


def test_toggl_import_form_has_a_start_and_a_duration(books, run_cli, tmp_path):
    """Toggl's CSV import columns have no end: 09:15 + 01:30:00 is 09:15–10:45 (90 min)."""
    f = tmp_path / "toggl.csv"
    f.write_text("User,Email,Client,Project,Task,Description,Billable,Start date,Start time,Duration,Tags\n"
                 "Sam Carter,sam@carter-ml.co.uk,Acme Ltd,Model build,,Review,Yes,2026-10-06,09:15:00,01:30:00,\n")
    code, _, err = run_cli("time", "import", str(f), "--format", "toggl", *MAPS, books=books)
    assert code == 0, err
    assert got(books) == [("acme/build", date(2026, 10, 6), 90, "09:15", "10:45", True, "Review")]


def test_clockify_semicolon_export_with_format_clockify(books, run_cli):
    """The `;` copy of clockify-detailed-2026-10.csv (decimal commas) read as Clockify: the same
    three entries as the comma file (165 + 220 + 45 = 430 min), with the same ids."""
    code, out, err = imp(run_cli, books, "clockify-semicolon-2026-10.csv", "--format", "clockify")
    assert code == 0, err
    assert "Imported 3 entries (7:10)" in out
    code, out, _ = imp(run_cli, books, "clockify-detailed-2026-10.csv")
    assert code == 0
    assert "Imported 0 entries (0:00)" in out and "Already in the books: 3" in out


# --- dates ----------------------------------------------------------------------------------------
def test_day_first_dashes_and_two_digit_years_follow_the_day_over_12_rule():
    """13-10-2026 and 13/10/26 prove day-first; 10/13/26 month-first; 01/10/26 alone asks."""
    assert date_order(["01-10-2026", "13-10-2026"], None, "f") == "dmy"
    assert date_order(["01/10/26", "10/13/26"], None, "f") == "mdy"
    assert parse_day("13-10-2026", "dmy", "d") == date(2026, 10, 13)
    assert parse_day("10/13/26", "mdy", "d") == date(2026, 10, 13)
    assert parse_day("13.10.26", "dmy", "d") == date(2026, 10, 13)
    assert parse_day("2026/10/13", "mdy", "d") == date(2026, 10, 13)
    from consult.errors import UsageError

    with pytest.raises(UsageError, match="a date like 01/10/26 could be day-first or month-first"):
        date_order(["01/10/26", "02/10/26"], None, "f")


def test_two_digit_years_that_read_both_ways_are_a_question(books, run_cli):
    """Harvest dates 01/10/26 and 02/10/26: refused with --dates asked for (exit 2, nothing
    written); --dates dmy reads 1 and 2 October 2026 (120 + 195 min)."""
    before = snapshot(books)
    code, _, err = imp(run_cli, books, "harvest-two-digit-years.csv", *MAPS)
    assert code == 2
    assert "a date like 01/10/26 could be day-first or month-first; say --dates dmy" in err
    assert snapshot(books) == before
    code, _, err = imp(run_cli, books, "harvest-two-digit-years.csv", *MAPS, "--dates", "dmy")
    assert code == 0, err
    assert [(d, m) for _, d, m, *_ in got(books)] == [(date(2026, 10, 1), 120), (date(2026, 10, 2), 195)]


# --- encodings ------------------------------------------------------------------------------------
def test_encodings_are_told_from_the_bytes():
    text = "Café – ok\n"
    assert decode(text.encode("utf-8")) == (text, None)
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, None)
    assert decode(text.encode("utf-16")) == (text, "utf-16")
    assert decode(text.encode("utf-16-le")) == (text, "utf-16-le")
    assert decode(text.encode("cp1252")) == (text, "cp1252")
    with pytest.raises(ValueError, match="is not text in UTF-8, UTF-16 or Windows-1252"):
        decode(b"ok \x81\x8d\x8f")


# --- team exports ----------------------------------------------------------------------------------
def test_a_team_export_over_24_hours_names_the_people_and_suggests_user(books, run_cli):
    """On 20 October Sam has 08:00–20:00 (12 h) and Alex 07:00–20:00 (13 h): 25:00 in one day.
    Refused (exit 1) naming both and --user; the dry run refuses the same way."""
    before = snapshot(books)
    for extra in ((), ("--dry-run",)):
        code, _, err = imp(run_cli, books, "clockify-team-2026-10.csv", *MAPS, *extra)
        assert code == 1
        assert ("importing would put more than 24 hours on 1 day: 2026-10-20 (25:00); the file holds the time "
                "of 2 people (Sam Carter <sam@carter-ml.co.uk>, Alex Moreau <alex@carter-ml.co.uk>); import "
                "one person's with --user NAME or --user EMAIL. Nothing was written") in err
    assert snapshot(books) == before


@pytest.mark.parametrize("who", ["sam@carter-ml.co.uk", "SAM CARTER"])
def test_user_picks_one_person_by_email_or_name(books, run_cli, who):
    """Sam's rows only: 12 h on the 20th and 09:00–10:00 on the 21st, 780 min."""
    code, out, err = imp(run_cli, books, "clockify-team-2026-10.csv", *MAPS, "--user", who)
    assert code == 0, err
    assert [(d, m) for _, d, m, *_ in got(books)] == [(date(2026, 10, 20), 720), (date(2026, 10, 21), 60)]
    assert "Imported 2 entries (13:00)" in out
    assert f"--user {who}: 2 rows" in out


def test_user_nobody_in_the_file_lists_who_is(books, run_cli):
    code, _, err = imp(run_cli, books, "clockify-team-2026-10.csv", "--user", "kim@x.org")
    assert code == 2
    assert ("--user kim@x.org: nobody of that name or email in" in err
            and "(it holds: Sam Carter <sam@carter-ml.co.uk>, Alex Moreau <alex@carter-ml.co.uk>)" in err)


# --- identity -------------------------------------------------------------------------------------
def test_the_same_work_exported_with_other_columns_is_the_same_entry(books, run_cli):
    """clockify-detailed-2026-10-reexport.csv is the same three entries with the amounts hidden,
    a 24-hour clock and day-first dates: nothing new, all three already in the books."""
    assert imp(run_cli, books, "clockify-detailed-2026-10.csv")[0] == 0
    before = snapshot(books)
    code, out, err = imp(run_cli, books, "clockify-detailed-2026-10-reexport.csv")
    assert code == 0, err
    assert "Imported 0 entries (0:00)" in out and "Already in the books: 3" in out
    assert "Gone from" not in out
    assert snapshot(books) == before


def test_an_id_is_made_from_what_identifies_the_work():
    """Person, client, project, task, description, start and end: the amount is not in it."""
    a = read_export(FIX / "clockify-detailed-2026-10.csv", None, tz=LONDON).rows[0]
    parts = ["clockify", "sam carter", "Hafen Logistik GmbH", "Demand forecast", "", "Feature store review",
             datetime(2026, 10, 13, 9, 0).isoformat(), datetime(2026, 10, 13, 11, 45).isoformat()]
    assert a.source_id == "clockify:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def test_entries_imported_under_the_old_every_cell_id_are_recognised(make_books, run_cli):
    """Books that imported the Harvest file before the id rule changed hold ids digesting every
    cell; importing the file again adds nothing and reports nothing gone."""
    import csv

    rows = list(csv.reader((FIX / "harvest-detailed-2026-10.csv").open(encoding="utf-8")))
    seen: dict[str, int] = {}
    ids = []
    for r in rows[1:]:
        h = hashlib.sha256("\x1f".join(c.strip() for c in r).encode()).hexdigest()[:16]
        seen[h] = seen.get(h, 0) + 1
        ids.append(f"harvest:{h}" + (f"-{seen[h]}" if seen[h] > 1 else ""))
    sheet = "".join(f'- {{date: 2026-10-19, engagement: build, duration: {d}, note: "{n}", id: "{i}"}}\n'
                    for d, n, i in [("3h30m", "Modelling: Drift analysis", ids[0]),
                                    ("15m", "Meetings: Standup", ids[1]), ("15m", "Meetings: Standup", ids[2])])
    root = make_books({"clients/acme/timesheets/2026-10.yaml": sheet})
    before = snapshot(root)
    code, out, err = run_cli("time", "import", str(FIX / "harvest-detailed-2026-10.csv"), "--skip-unmapped",
                             "--map", "Demand forecast=skip", books=root)
    assert code == 0, err
    assert "Imported 0 entries (0:00)" in out and "Already in the books: 3" in out
    assert "Gone from" not in out
    assert snapshot(root) == before


# --- clocks in the spreadsheet exports --------------------------------------------------------------
def test_wall_clock_times_across_the_change_take_the_elapsed_time(books, run_cli, tmp_path):
    """Toggl writes local wall-clock times. 00:30 to 02:30 on 25 Oct 2026 (clocks back at 02:00
    BST) is 3 hours: 00:30–02:00 BST (90) and 01:00–02:30 GMT (90). 01:30 to 01:30 with Toggl's
    own Duration 01:00:00 is 01:30 BST to 01:30 GMT: 01:30–02:00 (30) and 01:00–01:30 (30)."""
    f = tmp_path / "toggl.csv"
    head = "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration\n"
    f.write_text(head + "Sam,s@x.uk,Acme Ltd,Model build,,Job,Yes,2026-10-25,00:30:00,2026-10-25,02:30:00,03:00:00\n"
                 "Sam,s@x.uk,Acme Ltd,Model build,,Job,Yes,2025-10-26,01:30:00,2025-10-26,01:30:00,01:00:00\n")
    code, out, err = run_cli("time", "import", str(f), *MAPS, books=books)
    assert code == 0, err
    assert [(d, m, s, e) for _, d, m, s, e, _, _ in got(books)] == [
        (date(2025, 10, 26), 30, "01:00", "01:30"), (date(2025, 10, 26), 30, "01:30", "02:00"),
        (date(2026, 10, 25), 90, "00:30", "02:00"), (date(2026, 10, 25), 90, "01:00", "02:30")]  # sorted
    assert "Imported 4 entries (4:00)" in out


def test_the_two_parts_of_a_span_across_the_change_are_not_an_overlap(books, run_cli, tmp_path):
    """00:30–02:00 BST and 01:00–02:30 GMT overlap on the clock but are one span of three hours:
    check must not tell the user to look for double-logged time there (it still would for two
    separate entries, as the second import shows)."""
    f = tmp_path / "toggl.csv"
    head = "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration\n"
    f.write_text(head + "Sam,s@x.uk,Acme Ltd,Model build,,Job,Yes,2026-10-25,00:30:00,2026-10-25,02:30:00,03:00:00\n")
    code, out, err = run_cli("time", "import", str(f), *MAPS, books=books)
    assert code == 0, err
    code, out, err = run_cli("check", books=books)
    assert "overlaps" not in out + err
    f.write_text(head + "Sam,s@x.uk,Acme Ltd,Model build,,Other,Yes,2026-10-25,01:15:00,2026-10-25,01:45:00,00:30:00\n")
    code, out, err = run_cli("time", "import", str(f), *MAPS, books=books)
    assert code == 0, err
    code, out, err = run_cli("check", books=books)
    assert "overlaps" in out + err
