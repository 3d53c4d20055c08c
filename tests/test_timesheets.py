"""Time reports, unbilled work and timesheet checks, with figures worked out by hand."""

from __future__ import annotations

import csv
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from support.synth import generate

from consult.books.loader import open_books
from consult.core.money import Money
from consult.core.periods import parse_period
from consult.errors import UsageError
from consult.invoices.billed import check_unbilled, unbilled
from consult.work.day_totals import day_totals, day_totals_of
from consult.work.report import check_timesheets, report, report_totals, select

# acme/build: daily £650, 7.5 h day, half-day rounding. acme/tune: hourly £80, 15-minute steps.
TUNE = """\
title: Tuning
billing: hourly
rate: 80
time_increment_minutes: 15
start: 2026-01-01
"""
OCT = """\
# October: a comment that must survive every write
- {date: 2026-10-05, engagement: build, hours: 3}          # 0.5 day (half up of 0.4)
- {date: 2026-10-06, engagement: build, hours: 4}          # 1.0 day (0.533 -> 1.0)
- {date: 2026-10-07, engagement: build, hours: 9}          # 1.2 -> capped at 1.0 day
- {date: 2026-10-08, engagement: build, hours: 2, billable: false}
- {date: 2026-10-05, engagement: tune, duration: 50m}      # bills 60 min
- {date: 2026-10-12, engagement: tune, duration: 20m}      # bills 30 min
"""
HAFEN = """\
name: Hafen GmbH
address: Kai 1, Hamburg
country: DE
currency: EUR
locale: de_DE
tax: reverse_charge
vat_number: DE136695976
"""
HAFEN_ENG = """\
title: Forecast
billing: hourly
rate: 95
time_increment_minutes: 15
"""


@pytest.fixture
def books(make_books):
    root = make_books({"clients/acme/engagements/tune.yaml": TUNE,
                       "clients/acme/timesheets/2026-10.yaml": OCT,
                       "clients/hafen/client.yaml": HAFEN,
                       "clients/hafen/engagements/forecast.yaml": HAFEN_ENG,
                       "clients/hafen/timesheets/2026-10.csv":
                           "date,engagement,duration,note\n2026-10-06,forecast,1h10m,Kick-off\n"})
    return open_books(root, timesheets=False)


def _rows(rows):
    return [r.as_dict() for r in rows]


# --- periods ---------------------------------------------------------------------------------
# --- the report --------------------------------------------------------------------------------
def test_report_by_engagement_shows_logged_billable_billed_days_and_value(books):
    """3 h + 4 h + 9 h (+2 h non-billable) on half days = 2.5 days = £1,625.00; 50 + 20 min at
    15-minute steps bill 90 min = 1.5 h × £80 = £120.00; Hafen 70 min bills 75 min = €118.75."""
    rows = _rows(report(books, day_totals(books), parse_period("2026-10")))
    assert rows == [
        {"client": "acme", "engagement": "build", "currency": "GBP", "minutes": 1080, "hours": Decimal("18.00"),
         "billable_minutes": 960, "billable_hours": Decimal("16.00"), "billed_minutes": 1125,
         "billed_hours": Decimal("18.75"), "days": Decimal("2.5"), "value": Decimal("1625.00")},
        {"client": "acme", "engagement": "tune", "currency": "GBP", "minutes": 70, "hours": Decimal("1.17"),
         "billable_minutes": 70, "billable_hours": Decimal("1.17"), "billed_minutes": 90,
         "billed_hours": Decimal("1.50"), "days": None, "value": Decimal("120.00")},
        {"client": "hafen", "engagement": "forecast", "currency": "EUR", "minutes": 70, "hours": Decimal("1.17"),
         "billable_minutes": 70, "billable_hours": Decimal("1.17"), "billed_minutes": 75,
         "billed_hours": Decimal("1.25"), "days": None, "value": Decimal("118.75")},
    ]


def test_report_by_week_splits_at_iso_weeks_and_never_adds_currencies(books):
    """W41 (5–11 Oct) holds all of build, tune's 50 min and Hafen; W42 holds tune's 20 min.
    GBP and EUR in one week are two rows."""
    rows = report(books, day_totals(books), parse_period("2026-10"), by=["week"])
    got = [(dict(r.keys)["week"], r.currency, r.minutes, r.billed_minutes, r.value) for r in rows]
    assert got == [
        ("2026-W41", "EUR", 70, 75, Money.of("118.75", "EUR")),
        ("2026-W41", "GBP", 1080 + 50, 1125 + 60, Money.of("1705.00", "GBP")),  # 1625 + 1 h × 80
        ("2026-W42", "GBP", 20, 30, Money.of("40.00", "GBP")),
    ]


def test_report_by_day_rounds_each_day_as_the_invoice_does(books):
    """By day, build's days are 0.5, 1.0, 1.0 and 0 (non-billable only), each at £650."""
    rows = report(books, day_totals(books), parse_period("2026-10"), by=["day"],
                  engagements=select(books, engagement="acme/build"))
    assert [(dict(r.keys)["date"], r.days, r.value) for r in rows] == [
        ("2026-10-05", Decimal("0.5"), Money.of("325.00", "GBP")),
        ("2026-10-06", Decimal("1.0"), Money.of("650.00", "GBP")),
        ("2026-10-07", Decimal("1.0"), Money.of("650.00", "GBP")),
        ("2026-10-08", Decimal("0.0"), Money.of("0.00", "GBP")),
    ]


def test_billable_only_leaves_out_non_billable_time(books):
    """--billable-only: build's 2 h non-billable on 8 Oct is gone from the logged minutes."""
    rows = report(books, day_totals(books), parse_period("2026-10"), by=["client"], billable_only=True)
    assert [(dict(r.keys)["client"], r.minutes, r.billable_minutes) for r in rows] == [
        ("acme", 960 + 70, 960 + 70), ("hafen", 70, 70)]


def test_totals_per_currency_add_the_rows(books):
    """The table's foot: one total per currency, never a sum across them."""
    rows = report(books, day_totals(books), parse_period("2026-10"))
    totals = report_totals(rows)
    assert [(t.currency, t.minutes, t.billed_minutes, t.days, t.value) for t in totals] == [
        ("EUR", 70, 75, None, Money.of("118.75", "EUR")),
        ("GBP", 1150, 1215, Decimal("2.5"), Money.of("1745.00", "GBP")),
    ]


def test_a_period_outside_the_work_gives_no_rows(books):
    """Nothing logged in September: no rows, not zero rows of noise."""
    assert report(books, day_totals(books), parse_period("2026-09")) == []


def test_unknown_grouping_and_engagement_are_refused(books):
    """--by fortnight and an engagement nobody has name what was asked and what exists."""
    with pytest.raises(UsageError, match="'fortnight' is not a grouping — use day, week, month"):
        report(books, {}, by=["fortnight"])
    with pytest.raises(UsageError, match=r"no engagement 'nope' \(engagements: acme/build, acme/tune, hafen/forecast\)"):
        select(books, engagement="nope")


# --- the cache ---------------------------------------------------------------------------------
def test_cached_totals_follow_every_edit(books):
    """A timesheet edited after a report (same size even) is read again, never served stale."""
    first = day_totals(books)
    assert first[("acme", "build")][date(2026, 10, 5)].minutes == 180
    sheet = books.root / "clients/acme/timesheets/2026-10.yaml"
    text = sheet.read_text(encoding="utf-8").replace("hours: 3}", "hours: 5}")  # same length
    st = sheet.stat()
    sheet.write_text(text, encoding="utf-8")
    os.utime(sheet, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert day_totals(books)[("acme", "build")][date(2026, 10, 5)].minutes == 300


def test_cached_totals_equal_a_fresh_read_and_survive_a_corrupt_cache(books):
    """From the cache, from scratch and after the cache file is garbage: the same totals."""
    full = open_books(books.root)
    truth = day_totals_of(full.entries, full.engagements)
    assert day_totals(books) == truth                      # cold: written
    assert day_totals(books) == truth                      # warm: read
    (books.root / ".consult-cache/day-totals.json").write_text("{not json", encoding="utf-8")
    assert day_totals(books) == truth


def test_report_totals_equal_the_synthetic_historys_expected_csv(tmp_path: Path):
    """Client-month minutes and billable minutes over 3,000 generated entries equal expected.csv."""
    generate(tmp_path, 3000, seed=11)
    b = open_books(tmp_path / "books", timesheets=False)
    rows = report(b, day_totals(b), by=["client", "month"])
    got = {(dict(r.keys)["client"], dict(r.keys)["month"]): (r.minutes, r.billable_minutes) for r in rows}
    with open(tmp_path / "expected.csv", encoding="utf-8") as f:
        want = {(r["client"], r["month"]): (int(r["minutes"]), int(r["billable_minutes"]))
                for r in csv.DictReader(f)}
    assert got == want and sum(m for m, _ in got.values()) > 100_000


# --- unbilled ------------------------------------------------------------------------------------
def test_unbilled_values_work_on_no_invoice_up_to_today(books):
    """Before any invoice, all October work is unbilled: build 2.5 days £1,625.00, tune £120.00."""
    rows = unbilled(books, day_totals(books), [], today=date(2026, 11, 22))
    got = [(u.engagement.key, u.first, u.last, u.billable_minutes, u.days, u.value) for u in rows]
    assert got == [
        ("acme/build", date(2026, 10, 5), date(2026, 10, 7), 960, Decimal("2.5"), Money.of("1625.00", "GBP")),
        ("acme/tune", date(2026, 10, 5), date(2026, 10, 12), 70, None, Money.of("120.00", "GBP")),
        ("hafen/forecast", date(2026, 10, 6), date(2026, 10, 6), 70, None, Money.of("118.75", "EUR")),
    ]


def test_work_after_today_is_not_yet_unbilled(books):
    """As of 6 October only the 5th's and 6th's work is due to be billed."""
    rows = unbilled(books, day_totals(books), [], today=date(2026, 10, 6))
    assert [(u.engagement.key, u.last, u.days) for u in rows][:1] == [("acme/build", date(2026, 10, 6), Decimal("1.5"))]


# --- consult check ---------------------------------------------------------------------------------
def test_check_warns_about_time_that_reads_but_looks_wrong(make_books):
    """Outside the engagement, in the future, over 24 h a day across clients, overlapping, over budget,
    and September's work still on no invoice in late November."""
    root = make_books({
        "clients/acme/engagements/build.yaml": "title: B\nbilling: daily\nrate: 650\nday_rounding: half\n"
                                               "start: 2026-10-01\nend: 2026-10-31\nbudget:\n  days: 1\n",
        "clients/acme/timesheets/2026-09.yaml": "- {date: 2026-09-30, engagement: build, hours: 1}\n",
        "clients/acme/timesheets/2026-10.yaml":
            "- {date: 2026-10-05, engagement: build, start: '09:00', end: '12:00'}\n"
            "- {date: 2026-10-05, engagement: build, start: '11:30', end: '13:00'}\n"
            "- {date: 2026-10-06, engagement: build, hours: 20}\n",
        "clients/beta/client.yaml": "name: Beta\naddress: x\ncountry: GB\ncurrency: GBP\nlocale: en_GB\ntax: standard\n",
        "clients/beta/engagements/run.yaml": "title: R\nbilling: hourly\nrate: 50\n",
        "clients/beta/timesheets/2026-10.yaml": "- {date: 2026-10-06, engagement: run, hours: 5}\n",
        "clients/beta/timesheets/2026-12.yaml": "- {date: 2026-12-01, engagement: run, hours: 1}\n",
    })
    books = open_books(root)
    msgs = [f"{p.source}: {p.message}" for p in check_timesheets(books, today=date(2026, 11, 22))
            + check_unbilled(books, today=date(2026, 11, 22))]
    assert msgs == [
        "clients/acme/timesheets/2026-09.yaml:1:3: 2026-09-30 is before engagement acme/build starts "
        "(2026-10-01); check the date or the engagement's start",
        "clients/beta/timesheets/2026-12.yaml:1:3: 2026-12-01 is in the future (today is 2026-11-22); "
        "time is logged when it is worked",
        "clients/acme/timesheets/2026-10.yaml:2:3: 11:30–13:00 overlaps 09:00–12:00 "
        "(clients/acme/timesheets/2026-10.yaml:1:3) on 2026-10-05",
        "clients/beta/timesheets/2026-10.yaml:1:3: 25h00m logged on 2026-10-06 across all clients — more than "
        "a day holds; look for an entry on the wrong date",
        "clients/acme/engagements/build.yaml:1:1: acme/build: 2.5 billable days logged, over the budget of 1 day; "
        "agree more with the client or stop here",
        "clients/acme/engagements/build.yaml:1:1: acme/build: 0.5 days (325.00 GBP) of work from 2026-09-30 to "
        "2026-09-30 is on no invoice; bill it (consult invoice create acme --period 2026-09) or mark it "
        "billable: false",
    ]
    assert all(p.severity == "warning" for p in check_timesheets(open_books(root), today=date(2026, 11, 22)))


def test_check_reminds_of_work_older_than_last_month_on_no_invoice(make_books):
    """On 22 Nov, September's 3 h (0.5 day, £325.00) is forgotten money; October's is still being billed."""
    root = make_books({"clients/acme/timesheets/2026-09.yaml": "- {date: 2026-09-14, engagement: build, hours: 3}\n",
                       "clients/acme/timesheets/2026-10.yaml": "- {date: 2026-10-14, engagement: build, hours: 3}\n"})
    msgs = [p.message for p in check_unbilled(open_books(root), today=date(2026, 11, 22))]
    assert msgs == ["acme/build: 0.5 days (325.00 GBP) of work from 2026-09-14 to 2026-09-14 is on no invoice; "
                    "bill it (consult invoice create acme --period 2026-09) or mark it billable: false"]


def test_an_invoice_for_the_month_silences_the_reminder(make_books, run_cli):
    """Once September is invoiced, `consult check` no longer mentions it."""
    root = make_books({"clients/acme/timesheets/2026-09.yaml": "- {date: 2026-09-14, engagement: build, hours: 3}\n"})
    code, _, err = run_cli("invoice", "create", "acme", "--period", "2026-09", "--date", "2026-10-01", books=root)
    assert code == 0, err
    assert check_unbilled(open_books(root), today=date(2026, 11, 22)) == []
