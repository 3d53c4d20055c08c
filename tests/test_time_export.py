"""Export writers: exact text for CSV, JSON, hledger timedot and timeclock, and hledger's own totals."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest

from consult.books.loader import load_books
from consult.core.records import TimeEntry
from consult.work.export import clock_spans, duration_text, to_csv, to_json, to_timeclock, to_timedot

ENTRIES = [
    TimeEntry("acme", "build", date(2026, 11, 3), 20, None, True),
    TimeEntry("acme", "build", date(2026, 11, 2), 90, "Feature store, design", True),
    TimeEntry("acme", "build", date(2026, 11, 2), 45, "Admin", False),
    TimeEntry("beta", "audit", date(2026, 11, 2), 480, None, True, time(8, 15), time(16, 15), "tg-17"),
]


class TestDurationText:
    def test_minutes_hours_and_both(self) -> None:
        """Whole minutes are written in the contract's exact forms: 45m, 2h, 1h30m."""
        assert [duration_text(m) for m in (45, 120, 90, 0)] == ["45m", "2h", "1h30m", "0m"]


class TestCsv:
    def test_exact_text_in_date_order(self) -> None:
        """Rows come in date order (a day's entries as given) with minutes and two-place hours."""
        assert to_csv(ENTRIES) == (
            "date,client,engagement,duration,start,end,billable,note,id,minutes,hours\n"
            '2026-11-02,acme,build,1h30m,,,true,"Feature store, design",,90,1.50\n'
            "2026-11-02,acme,build,45m,,,false,Admin,,45,0.75\n"
            "2026-11-02,beta,audit,8h,08:15,16:15,true,,tg-17,480,8.00\n"
            "2026-11-03,acme,build,20m,,,true,,,20,0.33\n"
        )

    def test_no_entries_is_just_the_header(self) -> None:
        """An empty period exports a header line and nothing else."""
        assert to_csv([]) == "date,client,engagement,duration,start,end,billable,note,id,minutes,hours\n"

    def test_duration_column_reads_back_to_the_same_minutes(self, make_books) -> None:
        """A day's export, cut to the contract's columns, loads back with the same minutes each."""
        rows = list(csv.DictReader(io.StringIO(to_csv(ENTRIES[:3]))))
        buf = io.StringIO()
        w = csv.DictWriter(buf, ["date", "engagement", "duration", "note", "billable"], extrasaction="ignore",
                           lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        back = buf.getvalue()
        root = make_books({"clients/acme/timesheets/2026-11.csv": back})
        result = load_books(root)
        assert result.problems == []
        assert sorted((e.date, e.minutes, e.billable) for e in result.books.entries) == sorted(
            (e.date, e.minutes, e.billable) for e in ENTRIES[:3])


class TestJson:
    def test_exact_objects(self) -> None:
        """Minutes are numbers, hours decimal strings, billable a boolean, empty fields null."""
        data = json.loads(to_json(ENTRIES[2:]))
        assert data == [
            {"date": "2026-11-02", "client": "acme", "engagement": "build", "duration": "45m",
             "start": None, "end": None, "billable": False, "note": "Admin", "id": None,
             "minutes": 45, "hours": "0.75"},
            {"date": "2026-11-02", "client": "beta", "engagement": "audit", "duration": "8h",
             "start": "08:15", "end": "16:15", "billable": True, "note": None, "id": "tg-17",
             "minutes": 480, "hours": "8.00"},
        ]


class TestTimedot:
    def test_exact_text(self) -> None:
        """One block per day, `client:engagement  NNm`, non-billable under `:nonbillable`."""
        assert to_timedot(ENTRIES) == (
            "2026-11-02\n"
            "acme:build  90m\n"
            "acme:build:nonbillable  45m\n"
            "beta:audit  480m\n"
            "\n"
            "2026-11-03\n"
            "acme:build  20m\n"
        )

    def test_empty(self) -> None:
        """No entries, no text."""
        assert to_timedot([]) == ""


class TestTimeclock:
    def test_exact_text(self) -> None:
        """Logged start/end are kept; duration entries run end to end from 09:00 on their day."""
        assert to_timeclock(ENTRIES) == (
            "i 2026-11-02 09:00:00 acme:build  Feature store, design\n"
            "o 2026-11-02 10:30:00\n"
            "\n"
            "i 2026-11-02 10:30:00 acme:build:nonbillable  Admin\n"
            "o 2026-11-02 11:15:00\n"
            "\n"
            "i 2026-11-02 08:15:00 beta:audit\n"
            "o 2026-11-02 16:15:00\n"
            "\n"
            "i 2026-11-03 09:00:00 acme:build\n"
            "o 2026-11-03 09:20:00\n"
        )

    def test_a_day_longer_than_fifteen_hours_starts_new_runs(self) -> None:
        """A practice's many entries in a day never pass midnight: each overflow restarts at 09:00."""
        day = [TimeEntry("a", "b", date(2026, 1, 5), m) for m in (600, 240, 120, 960, 1440)]
        assert clock_spans(day) == [(540, 1140), (1140, 1380), (540, 660), (0, 960), (0, 1440)]

    def test_a_full_day_ends_at_midnight(self) -> None:
        """24 hours in one entry closes at 00:00 of the next day."""
        text = to_timeclock([TimeEntry("a", "b", date(2026, 1, 5), 1440)])
        assert text == "i 2026-01-05 00:00:00 a:b\no 2026-01-06 00:00:00\n"


HLEDGER = shutil.which("hledger")


def hledger_minutes(path: Path) -> dict[str, int]:
    """Account -> minutes from hledger's full-precision JSON balance."""
    out = subprocess.run([HLEDGER, "-f", str(path), "bal", "-O", "json"], capture_output=True, text=True,
                         check=True).stdout
    rows = json.loads(out)[0]
    result = {}
    for name, _full, _indent, amounts in rows:
        q = amounts[0]["aquantity"]
        hours = Decimal(q["decimalMantissa"]).scaleb(-q["decimalPlaces"])
        result[name] = int((hours * 60).to_integral_value())
    return result


@pytest.mark.skipif(HLEDGER is None, reason="hledger is not installed")
def test_hledger_timedot_balance_equals_the_minutes(tmp_path: Path) -> None:
    """hledger's balance of the timedot export equals consult's minutes per account, odd minutes too."""
    entries = ENTRIES + [TimeEntry("acme", "build", date(2026, 11, 4), m) for m in (1, 7, 13, 59, 61, 301)] * 50
    f = tmp_path / "work.timedot"
    f.write_text(to_timedot(entries))
    assert hledger_minutes(f) == {
        "acme:build": 90 + 20 + (1 + 7 + 13 + 59 + 61 + 301) * 50,
        "acme:build:nonbillable": 45,
        "beta:audit": 480,
    }


@pytest.mark.skipif(HLEDGER is None, reason="hledger is not installed")
def test_hledger_timeclock_balance_equals_the_minutes_in_whole_hundredths(tmp_path: Path) -> None:
    """hledger's timeclock balance equals the minutes when each entry is a multiple of 3 minutes.

    hledger 1.25 rounds every timeclock session to 0.01 h (36 s), so 1 minute reads as 1.2; the
    timedot export is the exact cross-check and the generator's entries are multiples of 3 minutes.
    """
    entries = ENTRIES[1:] + [TimeEntry("acme", "build", date(2026, 11, 4), m) for m in (3, 9, 21, 57, 63, 303)] * 50
    f = tmp_path / "work.timeclock"
    f.write_text(to_timeclock(entries))
    assert hledger_minutes(f) == {
        "acme:build": 90 + (3 + 9 + 21 + 57 + 63 + 303) * 50,
        "acme:build:nonbillable": 45,
        "beta:audit": 480,
    }
