"""`consult time …` as a user runs it: exact lines written, exact figures printed."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

OCT = """\
# October — keep this comment
- {date: 2026-10-05, engagement: build, hours: 3}
- {date: 2026-10-06, engagement: build, hours: 4}   # trailing comment
"""


@pytest.fixture
def books(make_books):
    return make_books({"clients/acme/timesheets/2026-10.yaml": OCT})


# --- time log ------------------------------------------------------------------------------------
def test_log_appends_one_line_and_keeps_every_existing_byte(books, run_cli):
    """The old file is a prefix of the new one; the new line is the contract's flow form."""
    sheet = books / "clients/acme/timesheets/2026-10.yaml"
    before = sheet.read_bytes()
    code, out, err = run_cli("time", "log", "acme/build", "1h30m", "--date", "2026-10-07",
                             "--note", 'Review, "final"', books=books)
    assert (code, err) == (0, "")
    after = sheet.read_bytes()
    assert after.startswith(before)
    assert after[len(before):].decode() == \
        '- {date: 2026-10-07, engagement: build, duration: 1h30m, note: "Review, \\"final\\""}\n'
    assert out == ("Logged 1:30 on acme/build for 2026-10-07 (clients/acme/timesheets/2026-10.yaml:4); "
                   "October 2026 so far: 8:30\n")


def test_logged_time_reads_back_as_written(books, run_cli):
    """Range, days and non-billable forms land as entries the report counts to the minute."""
    for args in (["09:00-12:15"], ["0.5d", "--non-billable"], ["7,5h"]):
        code, _, err = run_cli("time", "log", "acme/build", *args, "--date", "2026-10-08", books=books)
        assert code == 0, err
    code, out, _ = run_cli("time", "report", "--period", "2026-10-08", "--format", "json", books=books)
    row = json.loads(out)[0]
    # 3 h 15 + 3 h 45 (half of 7.5 h, non-billable) + 7 h 30 = 14 h 30; billable 10 h 45
    assert (row["minutes"], row["billable_minutes"], row["days"]) == (870, 645, "1.0")


def test_log_starts_a_month_file_with_a_comment_header(books, run_cli):
    """No November file yet: it is created, headed by a comment, holding the one entry."""
    code, _, _ = run_cli("time", "log", "acme/build", "2h", "--date", "2026-11-03", books=books)
    assert code == 0
    assert (books / "clients/acme/timesheets/2026-11.yaml").read_text(encoding="utf-8") == (
        '# Acme Ltd: time for November 2026. One entry per line; see README, "Time".\n'
        "- {date: 2026-11-03, engagement: build, duration: 2h}\n")


def test_log_into_a_csv_month_writes_a_row_in_its_columns(make_books, run_cli):
    """A month kept as CSV gets a CSV row: duration where it has the column, the note quoted."""
    root = make_books({"clients/acme/timesheets/2026-10.csv": "date,engagement,duration,note,billable\r\n"
                                                              "2026-10-01,build,2h,Start,\r\n"})
    code, _, err = run_cli("time", "log", "acme/build", "45m", "--date", "2026-10-02", "--note", "a, b",
                           "--non-billable", books=root)
    assert (code, err) == (0, "")
    assert (root / "clients/acme/timesheets/2026-10.csv").read_bytes() == (
        b"date,engagement,duration,note,billable\r\n2026-10-01,build,2h,Start,\r\n"
        b'2026-10-02,build,45m,"a, b",false\r\n')


def test_log_refuses_a_note_the_csv_has_no_column_for(make_books, run_cli):
    """No `note` column: exit 2 saying so, and the file is untouched."""
    root = make_books({"clients/acme/timesheets/2026-10.csv": "date,engagement,hours\n2026-10-01,build,2\n"})
    sheet = root / "clients/acme/timesheets/2026-10.csv"
    before = sheet.read_bytes()
    code, _, err = run_cli("time", "log", "acme/build", "1h", "--date", "2026-10-02", "--note", "x", books=root)
    assert code == 2
    assert "clients/acme/timesheets/2026-10.csv has no `note` column for the note" in err
    assert sheet.read_bytes() == before


def test_log_into_a_flow_list_rewrites_it_as_a_block_list_and_keeps_every_entry(make_books, run_cli):
    """A hand-written flow list `[...]` cannot take a line after its `]`: the file is written
    again in block form through the serialiser (its comment kept), with the new entry last."""
    root = make_books({"clients/acme/timesheets/2026-10.yaml":
                       "# October\n[{date: 2026-10-01, engagement: build, hours: 1}]\n"})
    sheet = root / "clients/acme/timesheets/2026-10.yaml"
    code, _, err = run_cli("time", "log", "acme/build", "1h", "--date", "2026-10-02", books=root)
    assert code == 0, err
    assert sheet.read_text() == ("# October\n- {date: 2026-10-01, engagement: build, hours: 1}\n"
                                 "- {date: 2026-10-02, engagement: build, duration: 1h}\n")


def test_log_refuses_a_day_over_24_hours_and_zero_time(books, run_cli):
    """4 h already on 6 Oct + 21 h is more than a day; `0m` is no time. Exit 2 both, nothing written."""
    sheet = books / "clients/acme/timesheets/2026-10.yaml"
    before = sheet.read_bytes()
    code, _, err = run_cli("time", "log", "acme/build", "21h", "--date", "2026-10-06", books=books)
    assert code == 2 and "that would make 25h on 2026-10-06 for acme, more than a day holds" in err
    code, _, err = run_cli("time", "log", "acme/build", "0m", books=books)
    assert code == 2 and "'0m' is no time at all" in err
    assert sheet.read_bytes() == before


def test_log_warns_about_a_future_date_but_logs_it(books, run_cli):
    """Planned work can be logged ahead, with a warning on stderr."""
    code, _, err = run_cli("time", "log", "acme/build", "1h", "--date", "2026-12-01", books=books)
    assert code == 0
    assert err == "warning: 2026-12-01 is in the future (today is 2026-11-22)\n"


def test_time_log_imports_neither_pandas_nor_reportlab(books):
    """`time log` must stay fast: the heavy libraries are never loaded."""
    code = ("import sys\nfrom consult.cli import run\n"
            f"rc = run(['--books', {str(books)!r}, 'time', 'log', 'acme/build', '1h', '--date', '2026-10-09'])\n"
            "heavy = [m for m in ('pandas', 'reportlab', 'numpy') if m in sys.modules]\n"
            "print(rc, heavy)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "CONSULT_TODAY": "2026-11-22"}, check=True)
    assert out.stdout.splitlines()[-1] == "0 []"


# --- time report -----------------------------------------------------------------------------------
def test_report_table_shows_actual_and_billed_time_side_by_side(books, run_cli):
    """3 h and 4 h on half days bill 0.5 + 1.0 = 1.5 days = 11:15 of time, £975.00."""
    code, out, err = run_cli("time", "report", "--period", "2026-10", books=books)
    assert (code, err) == (0, "")
    assert out == (
        "client     engagement  hours  billable  billed  days    value\n"
        "---------  ----------  -----  --------  ------  ----  -------\n"
        "acme       build        7:00      7:00   11:15   1.5  £975.00\n"
        "total GBP               7:00      7:00   11:15   1.5  £975.00\n"
        "\n2026-10; hours as h:mm. Billed = billable time after each engagement's rounding.\n")


def test_report_csv_schema_is_stable(books, run_cli):
    """CSV carries minutes and decimal hours for logged, billable and billed time."""
    code, out, _ = run_cli("time", "report", "--by", "client", "--by", "week", "--format", "csv", books=books)
    assert code == 0
    assert list(csv.DictReader(io.StringIO(out))) == [
        {"client": "acme", "week": "2026-W41", "currency": "GBP", "minutes": "420", "hours": "7.00",
         "billable_minutes": "420", "billable_hours": "7.00", "billed_minutes": "675", "billed_hours": "11.25",
         "days": "1.5", "value": "975.00"}]


@pytest.mark.parametrize("args, message", [
    (["--period", "2026-13"], "--period: '2026-13' is not a period"),
    (["--by", "fortnight"], "--by: 'fortnight' is not a grouping — use day, week, month, engagement, client"),
    (["--period", "2026-10", "--from", "2026-10-01"], "give --period or --from/--to, not both"),
    (["--from", "2026-10-31", "--to", "2026-10-01"], "--to 2026-10-01 is before --from 2026-10-31"),
    (["--client", "nobody"], "no client 'nobody'"),
    (["--engagement", "acme/biuld"], "no engagement 'biuld' for client 'acme' (did you mean build? engagements: build)"),
])
def test_report_refuses_bad_options_with_one_line(books, run_cli, args, message):
    """Bad usage is exit 2 with one message naming the option and the value."""
    code, out, err = run_cli("time", "report", *args, books=books)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_report_on_the_sample_books_agrees_with_the_invoice(sample_books, run_cli):
    """Acme's October: 18.5 days at £650 = £12,025.00, the net the invoice bills for time."""
    code, out, _ = run_cli("time", "report", "--period", "2026-10", "--client", "acme-analytics",
                           "--format", "json", books=sample_books)
    assert code == 0
    (row,) = json.loads(out)
    assert (row["days"], row["value"], row["currency"]) == ("18.5", "12025.00", "GBP")


# --- time unbilled ------------------------------------------------------------------------------------
def test_unbilled_lists_what_the_sample_books_have_not_invoiced(sample_books, run_cli):
    """September is invoiced for Acme, Hafen and BrightPath; October's work and milestone are not."""
    code, out, _ = run_cli("time", "unbilled", "--format", "json", books=sample_books)
    assert code == 0
    got = [(r["client"], r["from"], r["to"], r["days"], r["value"], r["currency"]) for r in json.loads(out)]
    assert got == [
        ("acme-analytics", "2026-10-01", "2026-10-28", "18.5", "12025.00", "GBP"),
        ("brightpath-ai", "2026-10-30", "2026-10-30", None, "18000.00", "USD"),
        ("hafen-logistik", "2026-10-05", "2026-10-27", None, "1753.75", "EUR"),
        ("lotus-insights", "2026-10-05", "2026-10-22", "8.0", "691892.00", "INR"),
    ]


def test_invoicing_a_month_takes_it_off_the_unbilled_list(sample_books, run_cli):
    """After `invoice create acme-analytics --period 2026-10`, Acme has nothing unbilled."""
    code, _, err = run_cli("invoice", "create", "acme-analytics", "--period", "2026-10", "--date", "2026-11-02",
                           books=sample_books)
    assert code == 0, err
    code, out, _ = run_cli("time", "unbilled", "--client", "acme-analytics", books=sample_books)
    assert code == 0
    assert out == "Nothing unbilled: every billable hour up to today is on an issued invoice.\n"


# --- time export ---------------------------------------------------------------------------------------
def test_export_timedot_is_what_hledger_reads(books, run_cli):
    """Each entry as minutes under `client:engagement`, one date heading per day."""
    code, out, _ = run_cli("time", "export", "--format", "timedot", books=books)
    assert code == 0
    assert "2026-10-05" in out and "acme:build" in out and "180m" in out and "240m" in out


def test_export_to_a_file_writes_the_period_only(books, run_cli, tmp_path: Path):
    """--period 2026-10-06 -o FILE: one CSV row, the 6th's 4 hours."""
    target = tmp_path / "out.csv"
    code, _, err = run_cli("time", "export", "--period", "2026-10-06", "-o", str(target), books=books)
    assert code == 0 and err == f"Wrote 1 entries to {target}\n"
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(r["date"], r["client"], r["engagement"], r["duration"]) for r in rows] == \
        [("2026-10-06", "acme", "build", "4h")]


def test_export_into_a_pipe_closed_early_exits_0_quietly(tmp_path):
    """`consult time export | head -1` is not a failure: exit 0, nothing on stderr."""
    import os

    from support.synth import generate

    generate(tmp_path, 3000)
    env = {**os.environ, "CONSULT_TODAY": "2026-11-22"}
    p = subprocess.Popen([sys.executable, "-m", "consult", "--books", str(tmp_path / "books"), "time", "export",
                          "--format", "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert p.stdout is not None and p.stderr is not None
    first = p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read()
    assert p.wait(timeout=60) == 0
    assert first.startswith(b"date,client,engagement")
    assert err == b""
