"""CSV timesheets: the fast path for the common row reads exactly what the full path reads.

A practice's ten years of CSV rows go through a fast path (`date,engagement,hours,note`, each
date and hours text parsed once per process). It once parsed hours with `Decimal()` itself, so
`0_5` billed 5 hours and `1e1` 10 hours, while the same row with one more column was refused.
These tests hold the two paths to one reading.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from consult.books.timesheets import _read_csv
from consult.core.records import Client, Engagement, Money

CLIENT = Client(id="acme", name="Acme", kind="client", contact=None, email=None, address=(), country="GB",
                currency="GBP", locale="en_GB", vat_number=None, payment_terms_days=None, tax="standard")
ENGAGEMENTS = {("acme", "build"): Engagement(
    client="acme", id="build", title="Build", billing="daily", rate=Money.of("650", "GBP"),
    hours_per_day=Decimal("7.5"), day_rounding="exact", time_increment_minutes=None, start=None, end=None,
    po_number=None, budget=None, milestones=(), status="active", currency="GBP")}

DATES = st.sampled_from(["2026-10-05", "2026-02-30", "+026-11-03", " 2026-10-06", "2026-10-07 ", "26-10-05",
                         "2026-1-05", "20261005", "", "2026-10-05T09:00", "٢٠٢٦-١٠-٠٥", "0001-01-01"])
HOURS = st.one_of(
    st.sampled_from(["7.5", "0_5", "1e1", "1E1", "7,5", " 2", "2 ", "-1", "25", "24", "1h30m", "nan", "NaN",
                     "Infinity", "0", "0.0001", ".5", "5.", "1:30", "7.5h", "7.5H", "+3", "", "1_000", "٣",
                     "1,000", "0x10", "7.50000000001"]),
    st.decimals(min_value=0, max_value=30, places=3, allow_nan=False).map(str),
)
ENGS = st.sampled_from(["build", " build", "build ", "other", "", "BUILD"])
NOTES = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"),
                max_size=12)
ROWS = st.lists(st.tuples(DATES, ENGS, HOURS, NOTES), min_size=1, max_size=6)


def _csv(header: list[str], rows: list[tuple[str, ...]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def _read(text: str) -> tuple[list[tuple[object, ...]], list[str]]:
    problems: list = []
    entries = _read_csv(text, "t.csv", CLIENT, ENGAGEMENTS, ("build", ""), problems)
    return ([(e.date, e.engagement, e.minutes, e.note, e.billable, e.source.line) for e in entries],
            [str(p) for p in problems])


@settings(max_examples=300, deadline=None)
@given(ROWS)
def test_fast_and_full_paths_read_every_row_alike(rows):
    """The same rows with an extra (empty) `billable` column take the full path: same entries,
    or the same refusal with the same file, line, column and message."""
    fast = _read(_csv(["date", "engagement", "hours", "note"], rows))
    full = _read(_csv(["date", "engagement", "hours", "note", "billable"], [(*r, "") for r in rows]))
    assert fast == full


def test_hours_that_python_reads_but_people_do_not_write_are_refused():
    """`0_5` is not five hours and `1e1` is not ten: both are refused at their cell."""
    entries, problems = _read(_csv(["date", "engagement", "hours", "note"],
                                   [("2026-10-05", "build", "0_5", ""), ("2026-10-06", "build", "1e1", ""),
                                    ("+026-11-03", "build", "1", "")]))
    assert entries == []
    assert [p.split(": ", 1)[0] for p in problems] == ["t.csv:2:3", "t.csv:3:3", "t.csv:4:1"]


def test_a_column_named_twice_is_an_error_naming_it():
    entries, problems = _read("date,engagement,hours,hours\n2026-10-05,build,7.5,1\n")
    assert entries == []
    assert problems == ["t.csv:1:4: hours: column 'hours' appears twice (columns 3 and 4); keep one, "
                        "or rows would be read from only one of them"]


def test_consult_check_names_the_file_line_and_column(make_books, run_cli):
    root = make_books({"clients/acme/timesheets/2026-10.csv": "date,engagement,hours,note\n2026-10-05,build,0_5,x\n"})
    code, out, err = run_cli("check", books=root)
    assert code == 1
    assert "clients/acme/timesheets/2026-10.csv:2:3: hours: '0_5' is not a duration" in out + err
