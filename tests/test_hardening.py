"""Hostile and broken input (issue 20): every attack that was tried against the books, as a test.

Each test is one attack from the issue and what consult must do instead: refuse in
milliseconds with the file and line, keep an issued record readable, never write over the
books or out of them, neutralise formulas in CSV, refuse absurd values, and report errors
honestly (no false warnings, one client's error stopping only that client). The same attacks
are cases of the bad-input corpus (tests/corpus/), and the fuzzer (tests/test_fuzz.py) tries
random ones.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from tests.support.fuzz import deadline, snapshot

POSIX = os.name == "posix"
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes (mkfifo) are POSIX only")


def _errors(out: str) -> list[str]:
    *lines, _summary = out.splitlines()
    return [ln for ln in lines if ": warning: " not in ln]


# ============================================================================================
# 1. bounded reading
# ============================================================================================
RECURSIVE = {  # file -> how the attack is written into it
    "practice.yaml": "a: &a {b: *a}\n",
    "clients/acme-analytics/client.yaml": "a: &a {b: *a}\n",
    "clients/acme-analytics/engagements/churn-model.yaml": "a: &a {b: *a}\n",
    "clients/acme-analytics/timesheets/2026-09.yaml": "- &a [*a]\n",
    "clients/acme-analytics/expenses.yaml": "- &a [*a]\n",
    "clients/acme-analytics/payments.yaml": "- &a [*a]\n",
    "clients/inkwell-press/income.yaml": "- &a [*a]\n",
    "expenses.yaml": "- &a [*a]\n",
    "mileage.yaml": "- &a [*a]\n",
    "clients/acme-analytics/proposals/mlops-platform.yaml": "a: &a {b: *a}\n",
    "clients/acme-analytics/invoices/INV-2026-0001.yaml": "a: &a {b: *a}\n",
}


@pytest.mark.parametrize("rel", list(RECURSIVE))
def test_a_value_inside_itself_is_refused_in_milliseconds_with_file_and_line(rel, sample_books, run_cli):
    """`- &a [*a]` (10 bytes) hung every command while memory grew ~120 MB/s; now it is an
    error naming the file and line, found without expanding anything."""
    p = sample_books / rel
    p.write_text(p.read_text() + RECURSIVE[rel])
    before = snapshot(sample_books)
    with deadline(60):  # the old code never returned
        code, out, err = run_cli("check", books=sample_books)
    assert code == 1
    assert any(ln.startswith(f"{rel}:") and ("a value inside itself" in ln or "cannot be read back" in ln
                                              or "not valid" in ln or "is not" in ln)
               for ln in _errors(out)), out
    assert "unexpected" not in err
    assert snapshot(sample_books) == before


def test_the_yaml_reader_refuses_an_alias_cycle_with_its_line_in_milliseconds():
    from consult.books.yamlsource import YamlProblem, load_yaml

    started = time.process_time()  # CPU time, so a busy machine does not make it look slow
    with pytest.raises(YamlProblem) as e:
        load_yaml("ok: 1\nloop: &a [1, [2, *a]]\n", "f.yaml")
    assert time.process_time() - started < 0.1
    assert str(e.value.problem).startswith("f.yaml:2:7: an alias refers to the value that contains it")


@pytest.mark.parametrize("levels", [65, 990, 5000])
def test_deep_nesting_is_an_error_with_file_and_line_not_a_crash(levels, make_books, run_cli):
    """~990 levels gave "unexpected error … this is a bug" (Python's recursion limit)."""
    root = make_books({"clients/acme/expenses.yaml": "x: " + "[" * levels + "]" * levels + "\n"})
    code, out, err = run_cli("check", books=root)
    assert code == 1 and "unexpected" not in err
    assert _errors(out) and _errors(out)[0].startswith("clients/acme/expenses.yaml:1:")
    assert "nest more than 64 levels" in out or "maximum nesting depth" in out


@needs_fifo
@pytest.mark.parametrize("rel", ["clients/acme/timesheets/2026-01.yaml", "clients/acme/invoices/INV-2026-0009.yaml",
                                 "clients/acme/payments.yaml", "register.tsv", "expenses.yaml",
                                 "templates/mine.yaml", "receipts/scan.pdf"])
def test_a_fifo_in_the_books_is_refused_not_waited_on(rel, make_books, run_cli):
    """A named pipe anywhere in the books hung every command (a read waits for a writer)."""
    root = make_books()
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(p)
    for args in (("check",), ("client", "list"), ("time", "report")):
        with deadline(60):
            code, out, err = run_cli(*args, books=root)
        assert code == 1, (args, out, err)
        assert f"{rel}: is a FIFO (named pipe), not a file" in out + err


def test_a_books_file_over_the_size_limit_is_refused_before_it_is_read(make_books, run_cli, monkeypatch):
    from consult.books import files

    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1000)
    root = make_books({"clients/acme/timesheets/2026-01.yaml": "- {date: 2026-01-05, hours: 1}\n" * 100})
    code, out, _ = run_cli("check", books=root)
    assert code == 1 and "clients/acme/timesheets/2026-01.yaml: is 0 MB, over the 0 MB a books file may be" in out


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_importing_dev_zero_stops_at_the_import_limit(make_books, run_cli):
    """`time import /dev/zero` read until the memory ran out; now it stops at 64 MB."""
    root = make_books()
    with deadline(120):  # the old code read until the memory ran out
        code, out, err = run_cli("time", "import", "/dev/zero", "--format", "toggl", books=root)
    assert code == 2 and "/dev/zero: goes on past the 64 MB an export may be" in err


@needs_fifo
def test_an_import_from_a_pipe_is_still_read(make_books, run_cli, tmp_path):
    """Bounded is not refused: `consult time import <(…)` (a pipe) reads what the writer sends."""
    root = make_books()
    pipe = tmp_path / "export.csv"
    os.mkfifo(pipe)
    rows = ("User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,"
            "Duration,Tags,Amount ()\nAda,ada@example.com,Acme,build,,Kick-off,Yes,2026-01-05,09:00:00,"
            "2026-01-05,10:30:00,01:30:00,,\n")

    def write() -> None:
        time.sleep(0.5)  # the writer comes after consult opened the pipe: that read as empty, then hung
        with open(pipe, "w") as fh:
            fh.write(rows)

    t = threading.Thread(target=write, daemon=True)
    t.start()
    with deadline(60):
        code, out, err = run_cli("time", "import", str(pipe), "--format", "toggl", "--map", "Acme/build=acme/build",
                                 "--dry-run", books=root)
    if t.is_alive():  # consult never opened the pipe: release the writer, never hang the suite
        os.close(os.open(pipe, os.O_RDONLY | os.O_NONBLOCK))
    t.join(5)
    assert code == 0, err
    assert "1 new" in out + err or "1 entr" in out + err


@pytest.mark.parametrize("args", [
    ("time", "log", "acme/build", "1h", "--date", "0001-01-01"),
    ("time", "log", "acme/build", "1h", "--date", "9999-12-31"),
    ("time", "report", "--period", "9999"),
    ("time", "report", "--period", "0001-01"),
    ("time", "report", "--from", "0001-01-01"),
    ("invoice", "create", "acme", "--period", "9999-12"),
    ("invoice", "create", "acme", "--period", "2026-01", "--date", "9999-12-31"),
    ("earnings", "9999"),
    ("vat", "return", "9999-Q4"),
])
def test_a_date_at_the_edge_of_the_calendar_is_a_usage_error(args, make_books, run_cli):
    root = make_books()
    code, out, err = run_cli(*args, books=root)
    assert code == 2 and "1900–2200" in err and "unexpected" not in err, err


@pytest.mark.parametrize("today", ["0001-01-01", "9999-12-31"])
def test_a_clock_at_the_edge_of_the_calendar_is_a_usage_error(today, make_books, run_cli):
    code, _, err = run_cli("time", "log", "acme/build", "1h", books=make_books(), today=today)
    assert code == 2 and "CONSULT_TODAY" in err and "1900–2200" in err


@pytest.mark.parametrize("entry", ["- {date: 0001-01-01, engagement: build, hours: 1}",
                                   "- {date: 9999-12-31, engagement: build, hours: 1}"])
def test_a_date_at_the_edge_in_the_books_is_an_error_with_its_line(entry, make_books, run_cli):
    root = make_books({"clients/acme/timesheets/2026-01.yaml": entry + "\n"})
    code, out, _ = run_cli("check", books=root)
    assert code == 1 and "clients/acme/timesheets/2026-01.yaml:1:10: [0].date:" in out and "1900–2200" in out


@pytest.mark.parametrize("content, fmt", [
    ("User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,"
     "Amount ()\nAda,a@x,Acme,build,,x,Yes,0001-01-01,09:00:00,0001-01-01,10:00:00,01:00:00,,\n", "toggl"),
    ('[{"start": "99991231T230000Z", "end": "99991231T233000Z", "tags": ["build"]}]', "timewarrior"),
    ('[[1e20, 1e20, "build", "a1", [], 1e20]]', "watson"),
])
def test_an_import_with_a_date_at_the_edge_is_refused_with_its_row(content, fmt, make_books, run_cli, tmp_path):
    export = tmp_path / f"export.{'csv' if fmt == 'toggl' else 'json'}"
    export.write_text(content)
    root = make_books()
    code, out, err = run_cli("time", "import", str(export), "--format", fmt, "--timezone", "Europe/London",
                             books=root)
    assert code in (1, 2) and "unexpected" not in err, err
    assert str(export) in err


# ============================================================================================
# 2. text that cannot break a record
# ============================================================================================
def test_a_note_with_a_lone_carriage_return_leaves_the_issued_invoice_readable(sample_books, run_cli):
    """The note made the record unreadable: check, invoice show/list/credit and the next invoice
    create all failed, and the cure was hand-editing a "never edit" record."""
    from consult.invoices.store import find_invoice, load_invoices

    sheet = sample_books / "clients/lotus-insights/timesheets/2026-11.yaml"
    sheet.write_text('- {date: 2026-11-03, engagement: recsys-audit, hours: 7, note: "a\\rb \\x85 \\u2028 \\x00 \\tz"}\n')
    code, out, err = run_cli("invoice", "create", "lotus-insights", "--period", "2026-11", books=sample_books)
    assert code == 0, err
    number = out.split()[0]
    code, out, _ = run_cli("check", books=sample_books)
    assert code == 0, out
    invoices, problems = load_invoices(sample_books)
    assert not problems
    inv = find_invoice(invoices, number)
    assert [e.note for e in inv.entries] == ["a\rb \x85 \u2028 \x00 \tz"]
    code, out, _ = run_cli("invoice", "show", number, books=sample_books)
    assert code == 0 and number in out
    code, _, _ = run_cli("invoice", "list", books=sample_books)
    assert code == 0
    sheet.write_text(sheet.read_text() + "- {date: 2026-11-04, engagement: recsys-audit, hours: 7, note: more}\n")
    code, _, err = run_cli("invoice", "create", "lotus-insights", "--period", "2026-11", books=sample_books)
    assert code == 0, err


@pytest.mark.parametrize("note", ["a\rb", "a\nb", "a\u2028b", "a\x85b", "a\x0bb"])
def test_a_line_break_in_a_typed_note_is_refused_saying_so(note, make_books, run_cli):
    root = make_books()
    code, _, err = run_cli("time", "log", "acme/build", "1h", "--date", "2026-01-05", "--note", note, books=root)
    assert code == 2 and "--note: one line please" in err
    assert not (root / "clients/acme/timesheets").exists()


@pytest.mark.parametrize("note", ['say "hi" \\ #not-a-comment', "key: value", "- dash", "tab\there", "=1+1",
                                  "\x07bell \x1b[31mred", "😀 é ₹ \U0010FFFF", "null", "yes"])
def test_any_one_line_note_is_logged_and_reads_back_exactly(note, make_books, run_cli):
    from consult.books.loader import load_books

    root = make_books()
    code, _, err = run_cli("time", "log", "acme/build", "1h", "--date", "2026-01-05", "--note", note, books=root)
    assert code == 0, err
    result = load_books(root)
    assert not result.errors and [e.note for e in result.books.entries] == [note]


def test_awkward_names_in_client_add_are_written_as_data_not_yaml(make_books, run_cli):
    from consult.books.loader import load_books

    root = make_books()
    name = 'Smith & "Jones": #1 Ltd'
    code, _, err = run_cli("client", "add", "smith", "--name", name, "--country", "GB", "--contact", "- Ann",
                           "--address", "1 St: #2", "--address", "null", books=root)
    assert code == 0, err
    c = load_books(root).books.clients["smith"]
    assert (c.name, c.contact, c.address) == (name, "- Ann", ("1 St: #2", "null"))
    code, _, err = run_cli("client", "add", "x", "--name", "A\ncountry: US", "--country", "GB", books=root)
    assert code == 2 and "--name: one line please" in err


def test_init_writes_any_name_as_data_and_refuses_a_line_break(tmp_path, run_cli):
    from consult.books.loader import load_books

    code, _, err = run_cli("init", str(tmp_path / "a"), "--name", "A: B # not a comment")
    assert code == 0, err
    assert load_books(tmp_path / "a").books.practice.name == "A: B # not a comment"
    code, _, err = run_cli("init", str(tmp_path / "b"), "--name", "X\ncountry: US")
    assert code == 2 and "--name: one line please" in err and not (tmp_path / "b").exists()


def test_a_client_name_cannot_turn_a_comment_of_a_new_proposal_into_fields(make_books, run_cli):
    """The proposal template puts the client's name in a comment and in example text."""
    root = make_books({"clients/acme/client.yaml": 'name: "Acme\\nvalid_until: 2099-01-01"\ncountry: GB\n'
                                                   "currency: GBP\ntax: standard\n"})
    code, _, err = run_cli("proposal", "new", "acme", "idea", "--rate", "600", books=root)
    assert code == 0, err
    text = (root / "clients/acme/proposals/idea.yaml").read_text()
    assert "\nvalid_until: 2099" not in text and "Acme valid_until: 2099-01-01" in text


# ============================================================================================
# 3. validated appends keep every form of a list file valid
# ============================================================================================
FORMS = {
    "empty flow list": "[]\n",
    "document end marker": "- {date: 2026-01-05, engagement: build, hours: 1}\n...\n",
    "indented list": "  - {date: 2026-01-05, engagement: build, hours: 1}\n",
    "flow list": "[{date: 2026-01-05, engagement: build, hours: 1}]\n",
    "block mappings": "- date: 2026-01-05\n  engagement: build\n  hours: 1\n",
    "no final newline": "- {date: 2026-01-05, engagement: build, hours: 1}",
}


@pytest.mark.parametrize("form", list(FORMS))
def test_time_log_keeps_every_valid_form_of_a_timesheet_valid(form, make_books, run_cli):
    """Appending turned `[]`, a `...` end marker and an indented list into invalid YAML."""
    from consult.books.loader import load_books

    root = make_books({"clients/acme/timesheets/2026-01.yaml": FORMS[form]})
    before = len(load_books(root).books.entries)
    code, _, err = run_cli("time", "log", "acme/build", "2h", "--date", "2026-01-06", books=root)
    assert code == 0, err
    result = load_books(root)
    assert not result.errors and len(result.books.entries) == before + 1
    code, out, _ = run_cli("check", books=root)
    assert code == 0, out


@pytest.mark.parametrize("form", ["[]\n", "- {date: 2026-09-22, miles: 8, note: x}\n...\n", "  - {date: 2026-09-22, miles: 8, note: x}\n"])
def test_mileage_and_expense_add_keep_their_files_valid(form, make_books, run_cli):
    root = make_books({"mileage.yaml": form, "expenses.yaml": form.replace("miles: 8", "amount: 8, category: adminCosts")
                       .replace("note: x", "note: x")})
    code, _, err = run_cli("mileage", "add", "12", "--note", "Client: visit", "--date", "2026-09-23", books=root)
    assert code == 0, err
    code, _, err = run_cli("expense", "add", "9.50", "--category", "carVanTravelExpenses", "--note", "Train\tticket",
                           "--date", "2026-09-23", books=root)
    assert code == 0, err
    code, out, _ = run_cli("check", books=root)
    assert code == 0 and out.splitlines()[-1].startswith("ok"), out


# ============================================================================================
# 4. outputs never overwrite the books
# ============================================================================================
OUTPUTS = [
    ("earnings", "2026", "--pdf", "{rec}.pdf"),
    ("time", "export", "-o", "{rec}.yaml"),
    ("vat", "return", "2026-Q3", "--pdf", "{rec}.pdf"),
    ("proposal", "render", "acme-analytics/mlops-platform", "--preview", "{rec}.pdf"),
    ("invoice", "export", "INV-2026-0001", "-o", "{rec}.yaml"),
    ("invoice", "create", "acme-analytics", "--period", "2026-11", "--preview", "{rec}.pdf"),
    ("invoice", "render", "INV-2026-0001", "-o", "{rec}.pdf"),
    ("time", "export", "-o", "practice.yaml"),
    ("earnings", "2026", "--pdf", "register.tsv"),
]


@pytest.mark.parametrize("args", OUTPUTS, ids=[" ".join(a[:2]) + " " + a[-1] for a in OUTPUTS])
def test_an_output_option_never_writes_over_a_file_of_the_books(args, sample_books, run_cli):
    """`--preview`, `invoice render -o`, `earnings --pdf` and `time export -o` overwrote issued
    records and PDFs without a word."""
    rec = str(sample_books / "clients/acme-analytics/invoices/INV-2026-0001")
    argv = [a.replace("{rec}", rec) if "{rec}" in a else (str(sample_books / a) if a.endswith((".yaml", ".tsv"))
                                                           and "/" not in a and a != "2026" else a) for a in args]
    before = snapshot(sample_books)
    code, out, err = run_cli(*argv, books=sample_books)
    assert code == 2, (out, err)
    assert "is part of the books; write the output somewhere else" in err
    assert snapshot(sample_books) == before


# ============================================================================================
# 5. paths: nothing out of the books
# ============================================================================================
@pytest.mark.skipif(not POSIX, reason="symbolic links need privileges on Windows")
def test_a_clients_folder_that_links_out_of_the_books_is_an_error(make_books, run_cli, tmp_path):
    root = make_books()
    elsewhere = tmp_path / "elsewhere"
    shutil.move(root / "clients", elsewhere)
    (root / "clients").symlink_to(elsewhere, target_is_directory=True)
    code, out, _ = run_cli("check", books=root)
    assert code == 1 and out.startswith(f"clients: is a link to {elsewhere}, outside the books")
    code, _, err = run_cli("time", "log", "acme/build", "1h", "--date", "2026-01-05", books=root)
    assert code == 1 and "outside the books" in err
    assert not (elsewhere / "acme/timesheets").exists()


@pytest.mark.skipif(not POSIX, reason="symbolic links need privileges on Windows")
def test_a_practice_yaml_linked_out_of_the_books_fails_check_too(make_books, run_cli, tmp_path):
    """`check` said "ok" while every other command failed."""
    root = make_books()
    outside = tmp_path / "practice.yaml"
    shutil.move(root / "practice.yaml", outside)
    (root / "practice.yaml").symlink_to(outside)
    code, out, _ = run_cli("check", books=root)
    assert code == 1 and f"practice.yaml: is a link to {outside}, outside the books" in out
    assert not out.splitlines()[-1].startswith("ok")


@pytest.mark.skipif(not POSIX, reason="symbolic links need privileges on Windows")
@pytest.mark.parametrize("name", ["market_rates.yaml", "tax_tables.yaml"])
def test_a_root_table_linked_out_of_the_books_is_an_error(make_books, run_cli, tmp_path, name):
    """The market-rate points and the tax tables are books files like the rest: a link out is refused."""
    root = make_books()
    outside = tmp_path / name
    outside.write_text("[]\n", encoding="utf-8")
    (root / name).symlink_to(outside)
    code, out, _ = run_cli("check", books=root)
    assert code == 1 and f"{name}: is a link to {outside}, outside the books" in out


@pytest.mark.skipif(not POSIX, reason="symbolic links need privileges on Windows")
def test_a_linked_lock_file_is_never_created_or_locked_through(make_books, run_cli, tmp_path):
    root = make_books()
    target = tmp_path / "elsewhere.lock"
    (root / ".consult.lock").symlink_to(target)
    code, _, err = run_cli("time", "log", "acme/build", "1h", "--date", "2026-01-05", books=root)
    assert code == 1 and ".consult.lock is a link" in err
    assert not target.exists() and not (root / "clients/acme/timesheets").exists()


def test_a_record_whose_client_is_a_path_cannot_steer_a_write(sample_books, run_cli):
    """A record's `client: ../../x` made `invoice pay` write outside the books: the record is
    now refused because it does not lie in its client's folder."""
    from consult.invoices.store import read_record

    rec = sample_books / "clients/acme-analytics/invoices/INV-2026-0001.yaml"
    rec.write_text(rec.read_text().replace("client: acme-analytics", "client: ../../x", 1))
    code, out, _ = run_cli("check", books=sample_books)
    assert code == 1 and "clients/acme-analytics/invoices/INV-2026-0001.yaml: invoice INV-2026-0001 was edited after it" in out
    with pytest.raises(ValueError, match="was issued to client '../../x' but lies in clients/acme-analytics/"):
        read_record(rec, sample_books)  # without the register's hash, the folder check still refuses it
    assert not (sample_books.parent.parent / "x").exists()


# ============================================================================================
# 7. safe CSV
# ============================================================================================
FORMULA = '=HYPERLINK("http://evil.example","click")'


def _formula_books(make_books):
    return make_books({
        "clients/acme/client.yaml": f"name: '{FORMULA}'\ncountry: GB\ncurrency: GBP\ntax: standard\n",
        "clients/acme/timesheets/2026-01.yaml": "- {date: 2026-01-05, engagement: build, hours: 7.5, note: '+cmd|x'}\n"
                                                "- {date: 2026-01-06, engagement: build, hours: 1, note: '@SUM(A1)'}\n"
                                                "- {date: 2026-01-07, engagement: build, hours: 1, note: '-2+3'}\n",
        "clients/acme/proposals/p.yaml": "title: '=1+1'\nrate: 600\nphases:\n  - {name: One, days: 1}\n",
    })


@pytest.mark.parametrize("args", [("time", "export"), ("client", "list", "--format", "csv"),
                                  ("proposal", "list", "--format", "csv"),
                                  ("time", "report", "--by", "client", "--format", "csv"),
                                  ("client", "show", "acme", "--format", "csv")])
def test_csv_cells_a_spreadsheet_would_run_are_neutralised(args, make_books, run_cli):
    """A client name or note starting with =, +, -, @ went out as-is: a formula in Excel."""
    import csv
    import io

    root = _formula_books(make_books)
    code, out, err = run_cli(*args, books=root)
    assert code == 0, err
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and not c[1:2].isdigit())]
    assert any(c.startswith("'=") or c.startswith("'+") or c.startswith("'@") for c in cells) or args[0] == "time" \
        and args[1] == "report"


def test_raw_csv_turns_it_off_for_pipelines(make_books, run_cli, monkeypatch):
    root = _formula_books(make_books)
    _, out, _ = run_cli("--raw-csv", "client", "list", "--format", "csv", books=root)
    assert f'"{FORMULA.replace(chr(34), chr(34) * 2)}"' in out
    monkeypatch.setenv("CONSULT_RAW_CSV", "1")
    _, out, _ = run_cli("time", "export", books=root)
    assert ",+cmd|x," in out and ",@SUM(A1)," in out
    monkeypatch.delenv("CONSULT_RAW_CSV")
    _, out, _ = run_cli("time", "export", books=root)
    assert ",'+cmd|x," in out and ",'@SUM(A1)," in out and ",'-2+3," in out


def test_numbers_are_never_prefixed():
    """A negative amount is a number, not text: it stays as it is."""
    from decimal import Decimal

    from consult.cli.output import to_csv
    from consult.core.money import Money

    assert to_csv([{"a": Money(Decimal("-5.00"), "GBP"), "b": Decimal("-1"), "c": -3, "d": "-x"}], safe=True) \
        == "a,b,c,d\n-5.00,-1,-3,'-x"


# ============================================================================================
# 8. sane values
# ============================================================================================
@pytest.fixture
def usd_vat_books(make_books):
    return make_books({
        "clients/acme/client.yaml": "name: Acme Inc\naddress: 1 Road\ncountry: GB\ncurrency: USD\ntax: standard\n",
        "clients/acme/timesheets/2026-10.yaml": "- {date: 2026-10-05, engagement: build, hours: 7.5}\n",
    })


@pytest.mark.parametrize("rate, message", [
    ("-1", "--gbp-rate: an exchange rate must be more than zero, got -1"),
    ("0", "--gbp-rate: an exchange rate must be more than zero, got 0"),
    ("1.27", "1.27 GBP per USD is"),
    ("7.9", "away from the ECB reference rate"),
])
def test_an_absurd_gbp_rate_is_refused(rate, message, usd_vat_books, run_cli):
    """`--gbp-rate -1` issued "VAT in sterling −£100.00"."""
    before = snapshot(usd_vat_books)
    code, _, err = run_cli("invoice", "create", "acme", "--period", "2026-10", "--gbp-rate", rate, books=usd_vat_books)
    assert code == 2 and message in err
    assert snapshot(usd_vat_books) == before


def test_a_rate_the_wrong_way_round_is_named_as_such_and_can_be_forced(usd_vat_books, run_cli):
    code, _, err = run_cli("invoice", "create", "acme", "--period", "2026-10", "--gbp-rate", "1.30",
                           "--dry-run", books=usd_vat_books)
    assert code == 2 and "it looks the wrong way round" in err and "--force-rate" in err
    code, out, err = run_cli("invoice", "create", "acme", "--period", "2026-10", "--gbp-rate", "1.30",
                             "--force-rate", "--dry-run", books=usd_vat_books)
    assert code == 0, err
    code, out, err = run_cli("invoice", "create", "acme", "--period", "2026-10", "--gbp-rate", "0.77",
                             "--dry-run", books=usd_vat_books)
    assert code == 0, err


def test_a_recorded_rate_far_from_the_reference_is_a_warning_in_check(make_books, run_cli):
    root = make_books({"clients/pub/client.yaml": "name: Pub\nkind: platform\ncurrency: USD\n",
                       "clients/pub/income.yaml": "- {date: 2026-07-31, amount: 100, stream: writing, fx_rate: 1.31}\n"})
    code, out, _ = run_cli("check", books=root)
    assert code == 0
    assert "clients/pub/income.yaml:1:3: warning: fx_rate: 1.31 GBP per USD is" in out and "wrong way round" in out


@pytest.mark.parametrize("vat, message", [("-5.00", ""), ("10.00", "is all of the amount"),
                                          ("12.00", "is more than the amount 10.00")])
def test_expense_vat_must_be_below_the_amount(vat, message, make_books, run_cli):
    """Expense VAT above the expense passed check and made a −£490 invoice line."""
    root = make_books({"clients/acme/expenses.yaml": f"- {{date: 2026-01-05, amount: 10.00, vat: {vat}, note: x}}\n"})
    code, out, _ = run_cli("check", books=root)
    expected = f"[0].vat: {vat} {message}" if message else f"[0].vat: must not be negative, got {vat}"
    assert code == 1 and f"clients/acme/expenses.yaml:1:42: {expected}" in out


# ============================================================================================
# 9. errors scoped and honest
# ============================================================================================
def test_one_typo_gives_the_real_errors_and_no_false_warnings(sample_books, run_cli):
    """`rat: 95` brought 2 real errors and warnings telling the user to credit good invoices."""
    eng = sample_books / "clients/acme-analytics/engagements/churn-model.yaml"
    eng.write_text(eng.read_text().replace("rate: 650", "rat: 95"))
    code, out, _ = run_cli("check", books=sample_books)
    assert code == 1
    assert _errors(out) == [
        "clients/acme-analytics/engagements/churn-model.yaml:1:1: rate: missing — the rate per day (daily) or per "
        "hour (hourly), e.g. rate: 650",
        "clients/acme-analytics/engagements/churn-model.yaml:3:1: rat: unknown field — did you mean 'rate'?"]
    assert not [ln for ln in out.splitlines() if "acme-analytics" in ln and ": warning: " in ln]
    assert "cross-checks of acme-analytics" in out.splitlines()[-1]


def test_five_typos_give_five_errors_and_no_cross_check_warnings(sample_books, run_cli):
    eng = sample_books / "clients/acme-analytics/engagements/churn-model.yaml"
    text = eng.read_text()
    for a, b in (("rate: 650", "rat: 95"), ("billing:", "biling:"), ("title:", "titel:"), ("start:", "strat:"),
                 ("status:", "stats:")):
        text = text.replace(a, b)
    eng.write_text(text)
    code, out, _ = run_cli("check", books=sample_books)
    assert code == 1
    assert all(ln.startswith("clients/acme-analytics/engagements/churn-model.yaml:") for ln in _errors(out)), out
    assert not [ln for ln in out.splitlines() if "acme-analytics" in ln and ": warning: " in ln]


def test_an_error_in_one_client_blocks_only_that_client(sample_books, run_cli):
    """An error in one client's timesheet blocked invoicing every other client."""
    sheet = sample_books / "clients/hafen-logistik/timesheets/2026-10.yaml"
    sheet.write_text(sheet.read_text() + "- {date: 2026-02-30, hours: 1}\n")
    code, out, err = run_cli("invoice", "create", "lotus-insights", "--period", "2026-10", "--dry-run",
                             books=sample_books)
    assert code == 0, err
    code, _, err = run_cli("time", "log", "acme-analytics/churn-model", "1h", "--date", "2026-11-02",
                           books=sample_books)
    assert code == 0, err
    code, _, err = run_cli("invoice", "create", "hafen-logistik", "--period", "2026-10", books=sample_books)
    assert code == 1 and err.startswith("error: client hafen-logistik has errors") and "2026-02-30" in err
    code, _, err = run_cli("time", "log", "hafen-logistik/demand-forecast", "1h", "--date", "2026-11-02",
                           books=sample_books)
    assert code == 1 and "client hafen-logistik has errors" in err
    code, _, err = run_cli("earnings", "2026", books=sample_books)  # the whole books: stopped, saying by whom
    assert code == 1 and "client hafen-logistik has errors" in err


def test_no_command_writes_into_books_whose_practice_has_errors(make_books, run_cli):
    """`client add` wrote into books with errors."""
    root = make_books({"practice.yaml": "name: X\naddress: a\ncountry: GB\nhours_per_day: 0\n"})
    code, _, err = run_cli("client", "add", "new-co", "--name", "New Co", "--country", "GB", books=root)
    assert code == 1 and "practice.yaml" in err and "hours_per_day" in err
    assert not (root / "clients/new-co").exists()


def test_client_add_is_not_stopped_by_another_clients_errors(make_books, run_cli):
    root = make_books({"clients/acme/timesheets/2026-01.yaml": "- {date: 2026-01-05, engagement: nope, hours: 1}\n"})
    code, _, err = run_cli("client", "add", "new-co", "--name", "New Co", "--country", "GB", books=root)
    assert code == 0, err
    code, _, err = run_cli("engagement", "add", "acme/extra", "--title", "Extra", "--billing", "daily",
                           "--rate", "100", books=root)
    assert code == 1 and "client acme has errors" in err
    assert not (root / "clients/acme/engagements/extra.yaml").exists()


def test_open_books_scopes_errors_to_the_clients_named(make_books):
    from consult.books.loader import load_books, open_books
    from consult.errors import BooksError

    root = make_books({"clients/beta/client.yaml": "name: Beta\ncountry: GB\ncurrency: GPB\n"})
    assert load_books(root).broken_clients == {"beta"}
    assert open_books(root, clients=["acme"]).clients["acme"].name == "Acme Ltd"
    assert open_books(root, clients=[]).practice.name == "Test Practice Ltd"
    with pytest.raises(BooksError, match="client beta has errors"):
        open_books(root, clients=["beta"])
    with pytest.raises(BooksError, match="client beta has errors"):
        open_books(root)  # the whole books: stopped by any client's errors


def test_init_never_overwrites_and_asks_for_a_folder(tmp_path, run_cli, monkeypatch):
    """init overwrote example-client files when practice.yaml was missing, and with no folder
    silently made the current directory into books."""
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("init")
    assert code == 2 and "give the folder for the new books" in err and list(tmp_path.iterdir()) == []
    mine = tmp_path / "b/clients/example-client/client.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("name: Mine\n")
    code, _, err = run_cli("init", str(tmp_path / "b"))
    assert code == 2 and "already holds clients" in err and "never overwrites" in err
    assert mine.read_text() == "name: Mine\n" and not (tmp_path / "b/practice.yaml").exists()
    code, _, err = run_cli("init", str(tmp_path / "c"))
    assert code == 0 and (tmp_path / "c/practice.yaml").exists()
    code, _, err = run_cli("init", str(tmp_path / "c"))
    assert code == 2 and "already has practice.yaml" in err


# ============================================================================================
# 10. portable locking
# ============================================================================================
def test_no_module_imports_fcntl_where_windows_would_load_it():
    """`fcntl` does not exist on Windows: the lock imports it only on POSIX (filelock's msvcrt
    locking there), and no other module of the core imports it at all."""
    import ast

    import consult

    pkg = Path(consult.__file__).parent
    lock = (pkg / "books/lock.py").read_text()
    tree = ast.parse(lock)
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert not [n for n in top if "fcntl" in ast.unparse(n)]  # not at import time
    assert 'if os.name == "nt"' in lock and "from filelock import FileLock" in lock
    core = [p for d in ("books", "core", "work", "invoices", "proposals", "cli") for p in (pkg / d).rglob("*.py")
            if p.name != "lock.py"]
    assert not [p for p in core if "import fcntl" in p.read_text()]


def test_folder_fsync_is_skipped_where_the_platform_has_none(tmp_path, monkeypatch):
    from consult.books import store

    calls = []
    monkeypatch.setattr(store.os, "name", "nt")
    monkeypatch.setattr(store.os, "open", lambda *a, **k: calls.append(a) or 0)
    store.fsync_dir(tmp_path)
    assert calls == []



@pytest.mark.skipif(not POSIX, reason="symbolic links need privileges on Windows")
def test_a_transaction_never_writes_through_a_folder_linked_out_of_the_books(tmp_path):
    """The last word at the moment of writing: a change whose folder resolves outside the books
    is refused, whatever the loader said."""
    from consult.books.journal import Transaction
    from consult.errors import ConsultError

    root, outside = tmp_path / "books", tmp_path / "outside"
    (root / "clients").mkdir(parents=True)
    outside.mkdir()
    (root / "clients/acme").symlink_to(outside, target_is_directory=True)
    tx = Transaction(root, "test")
    with pytest.raises(ConsultError, match="its folder leads out of the books"):
        tx.new("clients/acme/invoices/INV-1.yaml", "x")
    assert list(outside.iterdir()) == []


def test_a_name_taller_than_a_page_is_refused_and_nothing_is_issued(make_books, run_cli):
    """A client name 30,000 characters long made ReportLab's LayoutError print as "unexpected";
    now the command says what cannot be laid out and what to look for, and issues nothing."""
    root = make_books({"clients/acme/client.yaml": "name: Acme " + "x" * 30000 + "\naddress: |\n  2 Road\n  Leeds\n"
                                                   "country: GB\ncurrency: GBP\n",
                       "clients/acme/timesheets/2026-01.yaml": "- {date: 2026-01-05, engagement: build, hours: 7.5}\n"})
    code, out, err = run_cli("invoice", "create", "acme", "--period", "2026-01", "--date", "2026-02-02", books=root)
    assert code == 1, out + err
    assert "cannot be laid out: one block of it is taller than a page" in err
    assert "unexpected" not in out + err
    assert not (root / "clients/acme/invoices").exists() or not any((root / "clients/acme/invoices").iterdir())
    assert not (root / "register.tsv").exists() or "INV-" not in (root / "register.tsv").read_text()
