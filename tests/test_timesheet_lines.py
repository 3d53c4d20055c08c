"""YAML timesheets in the books' one-line form are read without YAML, to exactly what YAML reads.

`consult.books.flowlines` reads files made of `- {date: …, engagement: …}` lines, comments and
blank lines itself (a year of imported time is 10,000 such lines, and libyaml's tree cost an
import a second); the timesheet reader then takes the common entry straight to a `TimeEntry`.
These tests hold that to the YAML reading on generated files full of the forms YAML reads in
its own way (plain nulls, colons, YAML-only escapes, tabs, line separators, odd spacing,
duplicate keys, comments after `}`): the same tree with the same positions wherever the fast
path takes a file, and everywhere the same entries, sources and problems.
"""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.books import timesheets
from consult.books.flowlines import as_map, entry_lines
from consult.books.loader import open_books
from consult.books.yamlsource import Scalar, YMap, YSeq, load_yaml
from consult.errors import Problem

REPO = Path(__file__).resolve().parent.parent
TUNE = "title: Tuning\nbilling: hourly\nrate: 80\ntime_increment_minutes: 15\nstart: 2026-01-01\n"

PLAIN = ["2026-10-05", "2026-02-30", "2026-1-5", "build", "tune", "other", "gone", "null", "Null", "NULL", "~", "true",
         "false", "yes", "no", "on", "True", "1h30m", "45m", "2", "7.5", "1d", "0.5d", "1.5", "-1", "09:00", "9:00",
         "25:00", "1e1", "0x10", "=", "<<", "a b", "x#y", "12_5", "+3", "a.b-c", "NaN", "2026-10-05T09:00", "0",
         "'09:00'", "'it''s'", "[1]", "{}", "*a", "&a x", "!!str x", "|", ">", "%x", "@x", "`x", "?x", "-x"]
FRAGMENTS = ["a", " ", "é", "\\\"", "\\\\", "\\n", "\\t", "\\r", "\\b", "\\f", "\\/", "\\x41", "\\u00e9", "\\uD83D",
             "\\U0001F600", "\\0", "\\e", "\\N", "\\_", "\\ ", "\\a", "\\v", "\\L", "\\P", "#", ",", "}", "{", ":",
             ": ", " #", "\u00a0", "\u2028", "\x85", "\t", "\x01", "\x7f", "\ufeff", "日本", "null", "'", "09:30",
             "\\u0000", "\\u001f", "\U0001F600", "\u200b", "\ufffd"]
KEYS = ["date", "engagement", "hours", "duration", "days", "start", "end", "note", "billable", "id", "colour", "Date",
        "_x", "date"]

quoted = st.lists(st.sampled_from(FRAGMENTS), max_size=5).map(lambda parts: '"' + "".join(parts) + '"')
value = st.one_of(st.sampled_from(PLAIN), quoted, st.sampled_from(['"09:00"', '"17:30"', '"9:00"', '"08:15"',
                                                                   '"2026-10-05"', '"build"', '""', '" build "']))
pair = st.tuples(st.sampled_from(KEYS), st.sampled_from([": ", ":  ", ":", " : "]), value)
# the usual entries, so that most lines are ones the reader takes (and some break one rule)
usual = st.tuples(
    st.sampled_from(["2026-10-05", "2026-10-06", "2026-02-30", "2026-10-7"]),
    st.sampled_from(["build", "tune", "other", "gone", "null"]),
    st.sampled_from(['start: "09:00", end: "10:30"', 'start: "10:30", end: "09:00"', "duration: 1h30m",
                     "duration: 45m", "hours: 2", "hours: 7.5", "days: 1", "days: 0.5d", 'start: "09:00"',
                     "duration: 0m", "hours: -1", "duration: 1h, hours: 1"]),
    st.sampled_from(["", ', note: "Modelling: Task 1"', ', note: "Say \\"hi\\""', ', note: "café\\u2028x"',
                     ", note: null", ', note: ""', ', note: "tab\\there"', ", note: plain"]),
    st.sampled_from(["", ", billable: false", ", billable: true", ", billable: maybe", ', billable: "no"']),
    st.sampled_from(["", ', id: "toggl:3d9ea61d27330f13"', ', id: "watson:a~2"', ", id: toggl-1"]),
).map(lambda t: f"- {{date: {t[0]}, engagement: {t[1]}, {t[2]}{t[3]}{t[4]}{t[5]}}}")
entry = st.tuples(st.sampled_from(["- {", "-  {", "-{", " - {", "- { ", "- \t{"]),
                  st.lists(pair, min_size=0, max_size=5),
                  st.sampled_from([", ", ",", " ,", ",  ", ",\t"]),
                  st.sampled_from(["}", " }", "}  # c", "} # c: d", "}#c", "} ", "},", ", }", "}\t# c"]),
                  ).map(lambda t: t[0] + t[2].join(f"{k}{sep}{v}" for k, sep, v in t[1]) + t[3])
blank = st.sampled_from(["# a comment", "  # indented comment", "#", "", "   "])
odd = st.sampled_from(["---", "...", "- x", "-", "[", "key: v", "  - {date: 2026-10-05, engagement: build, hours: 1}",
                       "%YAML 1.1", "# \u2028", "# \x01", "\t# tab"])
ends = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"])


def as_file(lines: list[str], end: str, last: bool) -> str:
    return end.join(lines) + (end if last else "")


# files of the usual entries, comments and blank lines: mostly taken by the fast path
plain_files = st.builds(as_file, st.lists(st.one_of(usual, usual, usual, blank), min_size=1, max_size=8),
                        st.sampled_from(["\n", "\r\n"]), st.booleans())
# anything: odd lines and odd entries, which send the file (or the line) to YAML
mixed_files = st.builds(as_file, st.lists(st.one_of(usual, entry, blank, odd), min_size=1, max_size=6), ends,
                        st.booleans())


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """acme with build (daily, 7.5 h a day) and tune (hourly); `gone` counts as an engagement
    file that did not read (`broken`)."""
    from conftest import CLIENT, ENGAGEMENT, PRACTICE

    root = tmp_path_factory.mktemp("books")
    for rel, text in {"practice.yaml": PRACTICE, "clients/acme/client.yaml": CLIENT,
                      "clients/acme/engagements/build.yaml": ENGAGEMENT,
                      "clients/acme/engagements/tune.yaml": TUNE}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    books = open_books(root, timesheets=False)
    return books.client("acme"), books.engagements


def same_tree(fast: YMap, slow: object) -> bool:
    """Equal as `load_yaml` builds them: keys in order, key positions, and every Scalar (text,
    plain, line, column)."""
    return (isinstance(slow, YMap) and (fast.line, fast.column, fast.key_pos) == (slow.line, slow.column, slow.key_pos)
            and list(fast.items()) == list(slow.items()) and all(isinstance(v, Scalar) for v in slow.values()))


def read(text: str, shop, *, fast: bool) -> tuple[list[tuple[object, ...]], list[tuple[str, str]]]:
    """(entries with their sources, problems) of `text` as acme's timesheet for October."""
    client, engagements = shop
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        if not fast:
            stack.enter_context(patch.object(timesheets, "_one_line_entries", lambda root, path: None))
        path = Path(tmp) / "clients/acme/timesheets/2026-10.yaml"
        path.parent.mkdir(parents=True)
        path.write_bytes(text.encode("utf-8"))
        problems: list[Problem] = []
        got = timesheets.read_timesheets(Path(tmp), client, engagements, problems, frozenset({("acme", "gone")}))
    return ([(e.client, e.engagement, e.date, e.minutes, e.note, e.billable, e.start, e.end, e.source_id, e.source)
             for e in got], [(str(p), p.severity) for p in problems])


def check(text: str, shop) -> bool:
    """Both readings agree; True when the fast path took the file."""
    lines = entry_lines(text)
    if lines is not None:
        tree = load_yaml(text, "t.yaml")  # raises if YAML cannot read what the fast path took
        assert isinstance(tree, YSeq) and len(tree) == len(lines)
        for got, item in zip(lines, tree, strict=True):
            assert same_tree(as_map(got), item), (got, item)
            cells = got[3]
            if cells is not None:
                assert cells == {k: v.text for k, v in item.items()}
                assert not any(v.is_null for v in item.values())
            else:
                assert any(v.is_null for v in item.values())
    assert read(text, shop, fast=True) == read(text, shop, fast=False)
    return lines is not None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plain_files)
def test_files_of_one_line_entries_read_alike_with_and_without_yaml(shop, text):
    """Same tree where the fast path takes a file; same entries, sources and problems always."""
    check(text, shop)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_files)
def test_any_file_reads_alike_with_and_without_yaml(shop, text):
    """Odd entries and odd lines too: left to YAML where they must be, read alike everywhere."""
    check(text, shop)


def test_what_the_tools_write_takes_the_fast_path_and_reads_alike(shop):
    """Every timesheet an import writes (the pinned fixtures), `consult time log`'s form and
    the sample books' own October: read without YAML, to the same entries."""
    written = sorted((REPO / "tests/fixtures/imports/written").rglob("*.yaml"))
    assert len(written) > 30
    for path in written:
        text = path.read_text(encoding="utf-8").replace("engagement: forecast", "engagement: tune")
        assert check(text, shop), path
    logged = ('- {date: 2026-10-05, engagement: build, duration: 1h30m, note: "Feature review"}\n'
              '- {date: 2026-10-06, engagement: tune, start: "09:00", end: "17:30", billable: false}\n')
    assert check(logged, shop)
    assert check(logged.replace("\n", "\r\n"), shop)


@pytest.mark.parametrize(("text", "why"), [
    ("- {date: 2026-10-05, engagement: build, hours: 1, hours: 2}\n", "a duplicate key"),
    ("- {date: 2026-10-05, engagement: build, start: 09:00, end: 10:00}\n", "a plain value with a colon"),
    ("- {date: 2026-10-05, engagement: build, hours: 1, note: two words}\n", "plain text with a space"),
    ("- {date: 2026-10-05, engagement: build, hours: 1, note: \"a\\/b\"}\n", "an escape JSON has and YAML 1.1 may not"),
    ("- {date: 2026-10-05, engagement: build, hours: 1, note: \"a\u2028b\"}\n", "a YAML line break"),
    ("- {date: 2026-10-05, engagement: build, hours: 1}\n---\n", "a document marker"),
    ("- {date: 2026-10-05,\n   engagement: build, hours: 1}\n", "an entry over two lines"),
    ("- date: 2026-10-05\n  engagement: build\n  hours: 1\n", "the block form"),
    ("# only a comment\n", "no entry"),
])
def test_anything_else_is_left_to_yaml(shop, text, why):
    """Files the fast path does not read with certainty go through YAML as before."""
    assert entry_lines(text) is None, why
    check(text, shop)


def test_a_problem_on_a_line_is_reported_where_yaml_reports_it(shop):
    """A line the quick reader does not take (an unknown engagement, a bad date) is read
    through the YAML tree of that line alone: same file, line, column and message."""
    text = ("# October\n- {date: 2026-10-05, engagement: build, hours: 1}\n"
            "- {date: 2026-10-06, engagement: nope, hours: 2}\n- {date: 2026-02-30,  engagement: build, hours: 2}\n")
    entries, problems = read(text, shop, fast=True)
    assert [(e[2].isoformat(), e[3], e[9].line, e[9].column) for e in entries] == [("2026-10-05", 60, 2, 3)]
    assert [p for p, _ in problems] == [
        "clients/acme/timesheets/2026-10.yaml:3:34: [1].engagement: no engagement 'nope' for client acme "
        "(known: build, tune)",
        "clients/acme/timesheets/2026-10.yaml:4:10: [2].date: '2026-02-30' is not a real date (check the day and month)"]
    assert check(text, shop)
