"""`invoice pay`, `pay --from`, `refund` and `writeoff` append through the one serialiser
(consult.books.writers `with_item`), like `time log` and `expense add`: the usual line is the
same bytes as before, and a list file in any valid form — a hand-written `[]`, a document end
marker, CRLF line ends — stays valid, with a note that holds anything reading back exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from consult.books.loader import load_books
from consult.invoices.payments import allocate, record_payment, refund, write_off

TWO_DAYS = "- {date: 2026-09-01, engagement: build, hours: 7.5}\n- {date: 2026-09-02, engagement: build, hours: 7.5}\n"
ONE_DAY = "- {date: 2026-10-01, engagement: build, hours: 7.5}\n"


@pytest.fixture
def issued(make_books, run_cli) -> Path:
    """INV-2026-0001: 2 days × £650 = £1,300.00 + VAT £260.00 = £1,560.00; INV-2026-0002: 1 day,
    £650.00 + £130.00 = £780.00."""
    root = make_books({"clients/acme/timesheets/2026-09.yaml": TWO_DAYS, "clients/acme/timesheets/2026-10.yaml": ONE_DAY})
    for period, day in (("2026-09", "2026-10-01"), ("2026-10", "2026-11-01")):
        code, _, err = run_cli("invoice", "create", "acme", "--period", period, "--date", day, books=root)
        assert code == 0, err
    return root


def payments(root: Path) -> list:
    got = load_books(root)
    assert got.errors == []
    return got.books.payments


def test_the_usual_lines_are_the_bytes_they_always_were(issued):
    """Header on a new file, fields in their order, amounts plain, notes and reasons quoted."""
    record_payment(issued, "INV-2026-0001", D("1000.00"), paid_on=date(2026, 10, 20), note='BACS "ref 42": part')
    record_payment(issued, "INV-2026-0001", D("1210.00"), paid_on=date(2026, 10, 21), force=True)  # £650 over
    allocate(issued, "INV-2026-0002", D("600.00"), source="INV-2026-0001", on=date(2026, 11, 5), note="as agreed")
    refund(issued, "INV-2026-0001", D("50.00"), on=date(2026, 11, 6), note="overpaid")
    acme = issued / "clients/acme"
    assert (acme / "payments.yaml").read_text(encoding="utf-8") == (
        "# Money received against invoices (append-only; written by consult invoice pay).\n"
        '- {date: 2026-10-20, invoice: INV-2026-0001, amount: 1000.00, currency: GBP, note: "BACS \\"ref 42\\": part"}\n'
        "- {date: 2026-10-21, invoice: INV-2026-0001, amount: 1210.00, currency: GBP}\n")
    assert (acme / "allocations.yaml").read_text(encoding="utf-8") == (
        "# Money on account moved to another invoice (append-only; consult invoice pay --from).\n"
        '- {date: 2026-11-05, from: INV-2026-0001, to: INV-2026-0002, amount: 600.00, currency: GBP, note: "as agreed"}\n')
    assert (acme / "refunds.yaml").read_text(encoding="utf-8") == (
        "# Money paid back to the client (append-only; consult invoice refund).\n"
        '- {date: 2026-11-06, from: INV-2026-0001, amount: 50.00, currency: GBP, note: "overpaid"}\n')


def test_a_write_off_line(issued):
    record_payment(issued, "INV-2026-0001", D("1559.99"), paid_on=date(2026, 10, 20))
    write_off(issued, "INV-2026-0001", D("0.01"), reason="a disputed penny", on=date(2026, 10, 24),
              category="financeCharges")
    assert (issued / "clients/acme/writeoffs.yaml").read_text(encoding="utf-8").splitlines()[-1] == (
        '- {date: 2026-10-24, invoice: INV-2026-0001, amount: 0.01, currency: GBP, reason: "a disputed penny", '
        "category: financeCharges}")


@pytest.mark.parametrize("before", [
    "# received\n[]\n",                                  # a hand-written empty flow list
    "- {date: 2026-10-02, invoice: INV-2026-0001, amount: 10.00}\n...\n# kept after the end\n",
    "- {date: 2026-10-02, invoice: INV-2026-0001, amount: 10.00}",  # no newline at the end
    "  - {date: 2026-10-02, invoice: INV-2026-0001, amount: 10.00}\n",  # an indented block list
])
def test_any_valid_payments_file_stays_valid(issued, before):
    """Before, the line went after the file's last byte: after `[]` or `...` the file no longer
    read. Now it is one more entry, whatever the form."""
    path = issued / "clients/acme/payments.yaml"
    path.write_text(before, encoding="utf-8")
    n = len(payments(issued))
    record_payment(issued, "INV-2026-0001", D("5.00"), paid_on=date(2026, 10, 20), note="more")
    got = payments(issued)
    assert len(got) == n + 1 and got[-1].amount.amount == D("5.00") and got[-1].note == "more"


def test_crlf_line_ends_are_kept(issued):
    path = issued / "clients/acme/payments.yaml"
    path.write_bytes(b"# received\r\n- {date: 2026-10-02, invoice: INV-2026-0001, amount: 10.00}\r\n")
    record_payment(issued, "INV-2026-0001", D("5.00"), paid_on=date(2026, 10, 20))
    assert path.read_bytes() == (b"# received\r\n- {date: 2026-10-02, invoice: INV-2026-0001, amount: 10.00}\r\n"
                                 b"- {date: 2026-10-20, invoice: INV-2026-0001, amount: 5.00, currency: GBP}\r\n")


@pytest.mark.parametrize("note", ["line\u2028separator", "del\x7fchar", "bell\x07", "tab\there", "\ufeffbom",
                                  "😀 ₹6,91,892.00", "a\rlone CR"])
def test_any_note_reads_back_exactly(issued, note):
    """Before, the note was written by json.dumps, which leaves DEL raw — a character YAML does
    not allow, so the whole file stopped reading. The one serialiser escapes what YAML would not
    keep."""
    record_payment(issued, "INV-2026-0001", D("5.00"), paid_on=date(2026, 10, 20), note=note)
    assert payments(issued)[-1].note == note


def test_text_that_is_not_unicode_is_refused_and_nothing_is_written(issued):
    """A lone surrogate (a command-line byte that was not UTF-8) was a UnicodeEncodeError from
    deep in the write; now it is the books error every other writer gives, and no file."""
    from consult.errors import ConsultError

    with pytest.raises(ConsultError, match="cannot append safely"):
        record_payment(issued, "INV-2026-0001", D("5.00"), paid_on=date(2026, 10, 20), note="bad \udcff byte")
    assert not (issued / "clients/acme/payments.yaml").exists()
