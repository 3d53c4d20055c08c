"""The one serialiser (consult.books.writers): any text written into the books reads back as
itself, and appending to a list file keeps every valid form of it valid.

Round trips are proved with hypothesis over all of Unicode (surrogates aside: they are not
text), read back by both readers consult has — the books' own (consult.books.yamlsource) and
the base loader issued records are read with (consult.invoices.store).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from consult.books import writers
from consult.books.yamlsource import YSeq, load_yaml
from consult.errors import UsageError

# every character but surrogates (not text), with the awkward ones drawn often
AWKWARD = st.sampled_from(list("\r\n\t\x00\x07\x1b\x7f\x85\x9f\xa0\u2028\u2029\ufeff\ufffe\uffff\"'\\#:-[]{},&*!|>%@`")
                          + ["\U0001F600", "\U0010FFFF", " "])
TEXT = st.text(st.one_of(st.characters(blacklist_categories=("Cs",)), AWKWARD), max_size=40)


def _base(text: str) -> object:
    return yaml.load(text, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))


class TestScalarsRoundTrip:
    @settings(max_examples=400, deadline=None)
    @given(TEXT)
    @example("a\rb")  # the lone carriage return that made an issued invoice unreadable
    @example("x\x85y\u2028z")  # line breaks a YAML reader folds
    @example("null")
    @example("yes")
    @example("")
    @example(" lead and trail ")
    @example("#not a comment")
    @example("key: value")
    def test_any_text_reads_back_as_itself_in_a_mapping_and_a_list(self, text):
        """`k: <scalar>` and `- {k: <scalar>}` give back exactly the text, never null or a type."""
        doc = load_yaml(f"k: {writers.scalar(text)}\n", "f")
        assert doc["k"].text == text and not doc["k"].is_null
        item = load_yaml(writers.list_item({"note": text}), "f")
        assert isinstance(item, YSeq) and item[0]["note"].text == text
        assert _base(f"k: {writers.quoted(text)}\n") == {"k": text}

    @settings(max_examples=200, deadline=None)
    @given(TEXT)
    def test_always_quoted_text_keeps_its_quotes(self, text):
        """Notes and other tools' ids are written quoted whatever they hold."""
        assert writers.scalar(writers.Quoted(text)).startswith('"')

    def test_plain_words_stay_plain_and_numbers_and_dates_are_written_as_typed(self):
        assert [writers.scalar(v) for v in ("Acme Ltd", "O'Brien & Co", "churn-model", "2026-audit", "1h30m",
                                            Decimal("525.50"), 650, date(2026, 10, 5), True, None)] == [
            "Acme Ltd", "O'Brien & Co", "churn-model", "2026-audit", "1h30m", "525.50", "650", "2026-10-05",
            "true", "null"]
        assert [writers.scalar(v) for v in ("null", "yes", "a: b", " x", "x ", "=1+1", "-1")] == [
            '"null"', '"yes"', '"a: b"', '" x"', '"x "', '"=1+1"', '"-1"']

    def test_a_lone_surrogate_is_not_text(self):
        """Bytes that were not UTF-8 reach Python as lone surrogates: refused, never written."""
        with pytest.raises(writers.NotText):
            writers.quoted("a\udcffb")
        with pytest.raises(UsageError, match="--note: this text is not UTF-8"):
            writers.one_line("a\udcffb", "--note")


class TestOneLineFields:
    @pytest.mark.parametrize("brk", list(writers.LINE_BREAKS))
    def test_every_kind_of_line_break_is_refused_naming_the_option(self, brk):
        """A typed one-line field with any line break is refused (not normalised)."""
        with pytest.raises(UsageError, match="--note: one line please"):
            writers.one_line(f"first{brk}second", "--note")

    def test_tabs_and_other_text_pass_unchanged(self):
        assert writers.one_line("a\tb — é 😀", "--note") == "a\tb — é 😀"


class TestAddressBlocks:
    @settings(max_examples=200, deadline=None)
    @given(st.lists(TEXT.filter(lambda t: t.strip() and not any(b in t for b in writers.LINE_BREAKS)),
                    min_size=1, max_size=4))
    def test_address_lines_read_back_through_the_loader(self, lines):
        from consult.books.fields import Fields

        problems: list = []
        doc = load_yaml("address: " + writers.text_block(lines), "f")
        got = Fields("f", doc, problems).lines("address")
        assert got == tuple(ln.strip() for ln in lines if ln.strip()) and not problems


class TestWholeRecords:
    @settings(max_examples=200, deadline=None)
    @given(st.dictionaries(st.sampled_from(["note", "name", "entries", "reason"]),
                           st.one_of(TEXT, st.lists(TEXT, max_size=3)), max_size=4))
    def test_a_record_dump_reads_back_with_the_record_loader(self, data):
        """dump_yaml (the issued record) reads back exactly through consult.invoices.store."""
        from consult.invoices.store import _load_bounded

        assert _load_bounded(writers.dump_yaml(data), "r.yaml") == (data or None if data else {})

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.lists(TEXT, min_size=3, max_size=3), max_size=4))
    @example([["note", "a\rb", "x"]])
    def test_csv_tables_read_back_cell_for_cell(self, rows):
        """The CSV tables inside an issued record (entries, days, expenses) survive any note."""
        text = writers.csv_text(("a", "b", "c"), rows)
        got = list(csv.reader(io.StringIO(text), strict=True))
        assert got == [["a", "b", "c"], *rows]
        # and the YAML around them: a record holding the table reads back the same
        from consult.invoices.store import _load_bounded

        assert _load_bounded(writers.dump_yaml({"entries": text}), "r.yaml") == {"entries": text}

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.lists(TEXT.filter(lambda t: "\r" not in t), min_size=2, max_size=2), max_size=4))
    def test_without_a_carriage_return_the_table_is_byte_for_byte_what_csv_writer_made(self, rows):
        """Records issued before the change read and hash the same way: only cells with a CR differ."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(("a", "b"))
        w.writerows(rows)
        assert writers.csv_text(("a", "b"), rows) == buf.getvalue()


# ------------------------------------------------------------------------------------------
# appending to a list file
# ------------------------------------------------------------------------------------------
ITEM = {"date": date(2026, 10, 5), "invoice": "INV-2026-0001", "amount": Decimal("100.00"),
        "note": writers.Quoted("paid\rlate")}
FORMS = {
    "missing": "",
    "comments only": "# payments\n",
    "empty flow list": "[]\n",
    "empty flow list with comments": "# payments received\n[]   # none yet\n",
    "block list": "- {date: 2026-10-01, invoice: INV-2026-0001, amount: 10.00}\n",
    "block list without a final newline": "- {date: 2026-10-01, invoice: INV-2026-0001, amount: 10.00}",
    "block mappings": "- date: 2026-10-01\n  invoice: INV-2026-0001\n  amount: 10.00\n",
    "indented list": "  - {date: 2026-10-01, invoice: INV-2026-0001, amount: 10.00}\n",
    "document end marker": "- {date: 2026-10-01, invoice: INV-2026-0001, amount: 10.00}\n...\n# after the end\n",
    "document start marker": "---\n- {date: 2026-10-01, invoice: INV-2026-0001, amount: 10.00}\n",
    "directive": "%YAML 1.1\n---\n- {date: 2026-10-01, invoice: INV-2026-0001, amount: 10.00}\n",
    "flow list": "[{date: 2026-10-01, invoice: INV-2026-0001, amount: 10.00},\n {date: 2026-10-02, "
                 "invoice: INV-2026-0001, amount: 5.00, note: ~}]\n",
    "crlf line ends": "- {date: 2026-10-01, invoice: INV-2026-0001, amount: 10.00}\r\n",
    "literal block last": "- date: 2026-10-01\n  invoice: INV-2026-0001\n  amount: 10.00\n  note: |\n    two\n"
                          "    lines\n",
}


@pytest.mark.parametrize("form", list(FORMS))
def test_appending_keeps_every_valid_form_of_a_list_file_valid(form):
    """The old items, then the new one, read back through the books' reader; nothing else."""
    old = FORMS[form]
    before = load_yaml(old, "f") if old.strip() else None
    new = writers.with_item(old, ITEM, header="# new file\n")
    got = load_yaml(new, "f")
    assert isinstance(got, YSeq)
    n = len(before) if before is not None else 0
    assert len(got) == n + 1
    assert {k: v.text for k, v in got[-1].items()} == {
        "date": "2026-10-05", "invoice": "INV-2026-0001", "amount": "100.00", "note": "paid\rlate"}
    if before is not None:
        for a, b in zip(before, got, strict=False):
            assert {k: (v.text if not v.is_null else None) for k, v in a.items()} == \
                   {k: (v.text if not v.is_null else None) for k, v in b.items()}


def test_appending_keeps_the_bytes_of_a_block_list_and_its_comments():
    old = "# received\n- {date: 2026-10-01, invoice: INV-2026-0001, amount: 10.00}  # first\n"
    new = writers.with_item(old, ITEM)
    assert new.startswith(old) and new.count("\n") == 3


def test_a_new_file_gets_its_header():
    assert writers.with_item("", ITEM, header="# payments\n").startswith("# payments\n- {date: 2026-10-05")


@pytest.mark.parametrize("text", ["name: Acme\n", "- just text\n", "[1, 2]\n", "- {a: [unclosed\n"])
def test_a_file_that_is_not_a_list_of_entries_is_refused(text):
    with pytest.raises(writers.CannotAppend):
        writers.with_item(text, ITEM)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(list(FORMS)), TEXT)
def test_any_note_appended_to_any_form_reads_back(form, note):
    new = writers.with_item(FORMS[form], {"date": date(2026, 10, 5), "note": writers.Quoted(note)})
    assert load_yaml(new, "f")[-1]["note"].text == note


def test_the_escape_class_is_exactly_the_complement_of_what_yaml_keeps_raw():
    """writers.NOT_RAW (a class that compiles in well under a millisecond) escapes exactly the
    characters outside YAML's raw-safe set _RAW_OK, and flowlines refuses the same ones."""
    import re

    from consult.books import flowlines, writers

    raw = re.compile(f"[{writers._RAW_OK}]")
    not_raw = re.compile(f"[{writers.NOT_RAW}]")
    for cp in [*range(0x11000), 0x1F600, 0x10FFFF]:
        c = chr(cp)
        outside = raw.fullmatch(c) is None
        assert (not_raw.fullmatch(c) is not None) == outside, hex(cp)
        assert (flowlines._UNSAFE.fullmatch(c) is not None) == outside, hex(cp)
        assert (writers._BLOCK_UNSAFE.fullmatch(c) is not None) == (outside and c != "\n"), hex(cp)
