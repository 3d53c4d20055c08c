"""Books you can trust: the register of issued numbers, and every way issued documents were
once lost, changed or billed twice — each now caught."""

from __future__ import annotations

import json
from datetime import date

import pytest

from consult.books import register

OCT = "".join(f"- {{date: 2026-10-{d:02d}, engagement: build, hours: 7.5}}\n" for d in (5, 6, 7))


@pytest.fixture
def three(make_books, run_cli):
    """Three invoices for three months of work: INV-2026-0001 (Aug), -0002 (Sep), -0003 (Oct)."""
    root = make_books({
        "clients/acme/timesheets/2026-08.yaml": "- {date: 2026-08-03, engagement: build, hours: 7.5}\n",
        "clients/acme/timesheets/2026-09.yaml": "- {date: 2026-09-07, engagement: build, hours: 7.5}\n",
        "clients/acme/timesheets/2026-10.yaml": OCT})
    for period, day in (("2026-08", "2026-09-01"), ("2026-09", "2026-10-01"), ("2026-10", "2026-11-02")):
        code, _, err = run_cli("invoice", "create", "acme", "--period", period, "--date", day, books=root)
        assert code == 0, err
    return root


def _check(run_cli, root) -> tuple[int, str]:
    code, out, err = run_cli("check", books=root)
    return code, out + err


def test_the_register_holds_a_chained_line_per_number(three):
    lines, problems = register.read(three)
    assert problems == []
    assert [(ln.seq, ln.number, ln.kind, ln.client, str(ln.total)) for ln in lines] == [
        (1, "INV-2026-0001", "invoice", "acme", "780.00"), (2, "INV-2026-0002", "invoice", "acme", "780.00"),
        (3, "INV-2026-0003", "invoice", "acme", "2340.00")]
    assert lines[0].prev_sha256 == register.sha256(register.HEADER)
    assert lines[2].prev_sha256 == register.sha256(lines[1].text)


def test_the_sample_books_check_clean_and_verify_their_register(run_cli):
    from tests.conftest import REPO

    code, out = _check(run_cli, REPO)
    assert code == 0 and "0 errors" in out


def test_deleting_the_latest_invoice_never_frees_its_number(three, run_cli):
    """INV-2026-0003's files deleted: `check` names them; the next invoice is INV-2026-0004."""
    for p in (three / "clients/acme/invoices").glob("INV-2026-0003.*"):
        p.unlink()
    code, out = _check(run_cli, three)
    assert code == 1
    assert "clients/acme/invoices/INV-2026-0003.yaml: invoice INV-2026-0003 is in the register but its record is " \
           "missing (deleted?); restore it from git" in out
    (three / "clients/acme/timesheets/2026-11.yaml").write_text("- {date: 2026-11-02, engagement: build, hours: 7.5}\n")
    code, out, err = run_cli("invoice", "create", "acme", "--period", "2026-11", "--date", "2026-11-20", books=three)
    assert code == 1 and "missing from the books" in err  # what acme was billed is not known: no billing
    # the fix is to restore it; and whatever happens, the next number is 0004, never 0003 again
    lines, _ = register.read(three)
    assert register.next_number(lines, "INV-{year}-{seq:04d}", date(2026, 11, 20)) == "INV-2026-0004"


def test_deleting_a_middle_invoice_is_an_error_not_advice_to_bill_again(three, run_cli):
    for p in (three / "clients/acme/invoices").glob("INV-2026-0002.*"):
        p.unlink()
    code, out = _check(run_cli, three)
    assert code == 1
    assert "INV-2026-0002 is in the register but its record is missing" in out
    assert "is on no invoice" not in out  # September's work is not "forgotten": its invoice is


def test_renaming_a_client_folder_cannot_bill_the_work_again(three, run_cli):
    """clients/acme → clients/acme2: every record is named as moved, billing acme2 is refused,
    and `invoice pay` never recreates the old folder."""
    (three / "clients/acme").rename(three / "clients/acme2")
    code, out = _check(run_cli, three)
    assert code == 1
    assert "invoice INV-2026-0001 was issued here but is now at clients/acme2/invoices/INV-2026-0001.yaml" in out
    code, _, err = run_cli("invoice", "create", "acme2", "--period", "2026-10", "--date", "2026-11-20", books=three)
    assert code == 1 and "lies in clients/acme2/" in err
    code, _, err = run_cli("invoice", "pay", "INV-2026-0001", "780.00", books=three)
    assert code == 1
    assert not (three / "clients/acme").exists()


def test_an_unreadable_record_stops_billing_its_client(three, run_cli):
    rec = three / "clients/acme/invoices/INV-2026-0003.yaml"
    rec.write_bytes(b"\x00\x01 not yaml")
    code, _, err = run_cli("invoice", "create", "acme", "--period", "2026-10", "--date", "2026-11-20", books=three)
    assert code == 1
    assert "acme has issued records that cannot be read back" in err and "INV-2026-0003.yaml" in err
    assert len(list((three / "clients/acme/invoices").glob("*.yaml"))) == 3


@pytest.mark.parametrize("edit, words", [
    (("total: '2340.00'", "total: '3340.00'"), "net 1950.00 + VAT 390.00 is 2340.00, not the total 3340.00"),
    (("unit_price: '650.00'", "unit_price: '750.00'"), "line 1: 3.0 × 750.00 is 2250.00, not 1950.00"),
    (("name: Acme Ltd", "name: Acme Holdings Ltd"), "was edited after it was issued"),
])
def test_an_issued_record_edited_by_hand_is_refused_everywhere(three, run_cli, edit, words):
    """A changed total or price no longer adds up; any other edit breaks its SHA-256. `check`
    exits 1 naming the file and the fix; `show` and `render` refuse to print it."""
    rec = three / "clients/acme/invoices/INV-2026-0003.yaml"
    rec.write_text(rec.read_text().replace(*edit))
    code, out = _check(run_cli, three)
    assert code == 1 and "clients/acme/invoices/INV-2026-0003.yaml" in out and words in out
    assert "restore it from git" in out
    assert run_cli("invoice", "show", "INV-2026-0003", books=three)[0] == 1
    assert run_cli("invoice", "render", "INV-2026-0003", "-o", str(three.parent / "x.pdf"), books=three)[0] == 1


def test_a_garbage_or_missing_pdf_is_named_and_a_missing_one_restored_exactly(three, run_cli):
    pdf = three / "clients/acme/invoices/INV-2026-0002.pdf"
    issued = pdf.read_bytes()
    pdf.write_bytes(b"%PDF garbage")
    code, out = _check(run_cli, three)
    assert code == 1 and "the PDF of invoice INV-2026-0002 is not the one issued" in out
    pdf.unlink()
    code, out = _check(run_cli, three)
    assert code == 1 and "consult invoice render INV-2026-0002" in out
    code, out, err = run_cli("invoice", "render", "INV-2026-0002", books=three)
    assert code == 0, err
    assert pdf.read_bytes() == issued  # byte for byte: the register's hash verifies again
    assert _check(run_cli, three)[0] == 0


def test_an_edited_register_line_breaks_the_chain(three, run_cli):
    reg = three / "register.tsv"
    reg.write_text(reg.read_text().replace("\t780.00\t", "\t680.00\t", 1))
    code, out = _check(run_cli, three)
    assert code == 1 and "register.tsv:3: prev_sha256: does not follow from the line before it" in out


def test_a_voided_number_explains_its_gap(three, run_cli):
    code, out, err = run_cli("register", "void", "INV-2026-0004", "--reason", "reserved for a withdrawn client",
                             books=three)
    assert code == 0, err
    _, out, _ = run_cli("register", "list", "--format", "json", books=three)
    assert json.loads(out)[-1] == {"seq": 4, "number": "INV-2026-0004", "kind": "void", "date": "2026-11-22",
                                   "client": None, "currency": None, "total": None,
                                   "note": "reserved for a withdrawn client"}
    code, _, err = run_cli("register", "void", "INV-2026-0003", "--reason", "x", books=three)
    assert code == 1 and "is never voided — credit it" in err


def test_books_without_a_register_are_told_to_start_one(three, run_cli):
    (three / "register.tsv").unlink()
    code, out = _check(run_cli, three)
    assert code == 1 and "run `consult register init` once" in out
    code, _, err = run_cli("invoice", "create", "acme", "--period", "2026-11", books=three)
    assert code == 1 and "consult register init" in err
    code, out, err = run_cli("register", "init", books=three)
    assert (code, out) == (0, "wrote register.tsv: 3 invoices, 0 credit notes, 0 proposals\n"), err
    assert _check(run_cli, three)[0] == 0


def test_register_init_refuses_an_unexplained_gap(three, run_cli):
    (three / "register.tsv").unlink()
    for p in (three / "clients/acme/invoices").glob("INV-2026-0002.*"):
        p.unlink()
    code, _, err = run_cli("register", "init", books=three)
    assert code == 1 and "the invoice numbers skip INV-2026-0002" in err
    assert not (three / "register.tsv").exists()
    code, out, err = run_cli("register", "init", "--void-gaps", "lost before the register", books=three)
    assert code == 0 and "1 voided numbers" in out, err


# --------------------------------------------------------------------------------------------
# billing by entry
# --------------------------------------------------------------------------------------------
def test_a_forgotten_day_is_billed_by_a_supplementary_invoice(three, run_cli):
    """October was invoiced (5–7 Oct); 29 Oct logged afterwards is unbilled, and both `--period
    2026-10` and `--period 2026-10-29..2026-10-29` bill just that day: £650 + £130 = £780."""
    ts = three / "clients/acme/timesheets/2026-10.yaml"
    ts.write_text(ts.read_text() + "- {date: 2026-10-29, engagement: build, hours: 7.5}\n")
    _, out, _ = run_cli("time", "unbilled", "--format", "json", books=three)
    (row,) = json.loads(out)
    assert (row["from"], row["to"], row["days"], row["value"]) == ("2026-10-29", "2026-10-29", "1.0", "650.00")
    code, out, err = run_cli("invoice", "create", "acme", "--period", "2026-10-29..2026-10-29", "--dry-run",
                             books=three)
    assert code == 0 and "total £780.00" in out, err
    code, out, err = run_cli("invoice", "create", "acme", "--period", "2026-10", "--date", "2026-11-20", books=three)
    assert code == 0 and out.startswith("INV-2026-0004  acme  net £650.00") and "total £780.00" in out, err
    code, _, err = run_cli("invoice", "create", "acme", "--period", "2026-10", books=three)
    assert code == 1 and "is billed already (on INV-2026-0003, INV-2026-0004)" in err


def test_the_rest_of_a_half_billed_day_is_billed_next(make_books, run_cli):
    """3 h billed as half a day (half-day rounding); 3 h more logged: 6 h is one day, so the next
    invoice bills the other half: 0.5 × £650 = £325.00."""
    root = make_books({"clients/acme/timesheets/2026-10.yaml": "- {date: 2026-10-05, engagement: build, hours: 3}\n"})
    run_cli("invoice", "create", "acme", "--period", "2026-10", "--date", "2026-11-02", books=root)
    ts = root / "clients/acme/timesheets/2026-10.yaml"
    ts.write_text(ts.read_text() + "- {date: 2026-10-05, engagement: build, hours: 3, note: evening}\n")
    code, out, err = run_cli("invoice", "create", "acme", "--period", "2026-10", "--dry-run", books=root)
    assert code == 0, err
    assert "  Model build: 0.5 days × £650.00 = £325.00" in out


def test_moving_a_billed_milestones_due_date_does_not_bill_it_again(make_books, run_cli):
    eng = "title: Fixed\nbilling: fixed\nmilestones:\n  - {name: Discovery, amount: 12000, due: 2026-09-30}\n"
    root = make_books({"clients/acme/engagements/build.yaml": eng})
    run_cli("invoice", "create", "acme", "--period", "2026-09", "--date", "2026-10-01", books=root)
    p = root / "clients/acme/engagements/build.yaml"
    p.write_text(p.read_text().replace("2026-09-30", "2026-10-01"))
    code, _, err = run_cli("invoice", "create", "acme", "--period", "2026-10", books=root)
    assert code == 1 and "is billed already (on INV-2026-0001)" in err


def test_time_logged_while_an_invoice_is_made_is_never_lost(make_books):
    """The draft is built, then time is logged on the same day, then the draft is issued: the new
    entry is not on the invoice, and it is still unbilled (its day's fraction is left to bill)."""
    from consult.books.loader import open_books
    from consult.invoices.billed import unbilled
    from consult.invoices.build import build_invoice
    from consult.invoices.issue import issue
    from consult.invoices.store import load_invoices

    root = make_books({"clients/acme/timesheets/2026-10.yaml": "- {date: 2026-10-05, engagement: build, hours: 3}\n"})
    books = open_books(root)
    draft = build_invoice(books, "acme", date(2026, 10, 1), date(2026, 10, 31), issued=date(2026, 11, 2))
    ts = root / "clients/acme/timesheets/2026-10.yaml"
    ts.write_text(ts.read_text() + "- {date: 2026-10-05, engagement: build, hours: 4}\n")
    issue(books, draft)
    (u,) = unbilled(open_books(root), load_invoices(root)[0], today=date(2026, 11, 2))
    assert (u.first, u.billable_minutes, u.days) == (date(2026, 10, 5), 240, 0.5)


# --------------------------------------------------------------------------------------------
# exact quantities
# --------------------------------------------------------------------------------------------
def test_a_part_day_is_priced_exactly(make_books, run_cli):
    """7 h of a 7.5 h day at £612.50, `day_rounding: exact`: £612.50 × 420 ÷ 450 = £571.666… →
    £571.67 (rounding the quantity to 0.933 first gave £571.46)."""
    root = make_books({"clients/acme/engagements/build.yaml": "title: Build\nbilling: daily\nrate: 612.50\n"
                                                              "day_rounding: exact\n",
                       "clients/acme/timesheets/2026-10.yaml": "- {date: 2026-10-05, engagement: build, hours: 7}\n"})
    code, out, _ = run_cli("invoice", "create", "acme", "--period", "2026-10", "--dry-run", books=root)
    assert "  Build: 0.933333 days × £612.50 = £571.67" in out


def test_minutes_are_priced_exactly_by_the_hour(make_books, run_cli):
    """259 minutes at £87.35 an hour, no increment: £87.35 × 259 ÷ 60 = £377.060… → £377.06."""
    root = make_books({"clients/acme/engagements/build.yaml": "title: Build\nbilling: hourly\nrate: 87.35\n",
                       "clients/acme/timesheets/2026-10.yaml": "- {date: 2026-10-05, engagement: build, duration: 259m}\n"})
    code, out, _ = run_cli("invoice", "create", "acme", "--period", "2026-10", "--date", "2026-11-02", books=root)
    assert code == 0 and "net £377.06" in out
    rec = (root / "clients/acme/invoices/INV-2026-0001.yaml").read_text()
    assert "minutes: '259'" in rec and "unit_minutes: '60'" in rec


def test_every_sample_invoice_pdf_is_restored_byte_for_byte_from_its_record(sample_books, run_cli):
    """The sample books' issued invoices are current records (a frozen theme): a lost PDF is drawn
    again from its record alone, to the very bytes whose SHA-256 the register holds."""
    import hashlib

    lines = [ln.split("\t") for ln in (sample_books / "register.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    invoices = [(cols[1], cols[9], cols[11]) for cols in lines if cols[2] == "invoice"]
    assert len(invoices) == 3
    for number, record, pdf_sha in invoices:
        pdf = sample_books / record.replace(".yaml", ".pdf")
        pdf.unlink()
        code, out, err = run_cli("invoice", "render", number, books=sample_books)
        assert code == 0, err
        assert hashlib.sha256(pdf.read_bytes()).hexdigest() == pdf_sha, number
    code, out, _ = run_cli("check", books=sample_books)
    assert code == 0 and "0 errors" in out
