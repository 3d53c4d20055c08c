"""Issued invoices and credit notes are never rewritten, whatever command runs.

The books get issued records (an invoice, a credit note against it, another invoice) and their
PDFs; then every command consult has runs against them — listings, reports, payments, new
invoices, credit notes, renders, even ones that must refuse — and the bytes, inode and
modification time of every issued file must be exactly what they were.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from consult.core.money import Money
from consult.invoices.record import BilledEntry, BilledPeriod, Invoice, InvoiceLine, Party, to_record

FAKE_PDF = b"%PDF-1.4\n% issued on 2026-10-01, stands in for the rendered copy\n%%EOF\n"


def _invoice(number: str, *, kind: str = "invoice", credits: str | None = None, days: str = "3.0",
             start: date = date(2026, 9, 1), end: date = date(2026, 9, 30), issued: date = date(2026, 10, 1)) -> Invoice:
    rate = Money(Decimal("650.00"), "GBP")
    net = rate.times(Decimal(days))
    vat = net.percent(Decimal(20))
    return Invoice(
        number=number, kind=kind, client="acme", issue_date=issued, tax_point=issued, supply_start=start,
        supply_end=end, due_date=date(2026, 10, 31), currency="GBP", locale="en_GB",
        seller=Party("Test Practice Ltd", ("1 Test Street", "London"), "GB", vat_number="GB980780684"),
        buyer=Party("Acme Ltd", ("2 Client Road", "Leeds"), "GB"),
        lines=(InvoiceLine("Model build", Decimal(days), "day", rate, net, "time", "build", start, end),),
        net=net, vat=vat, total=net + vat, tax_treatment="standard", vat_rate=Decimal(20), vat_rounding="half_up",
        payment_terms_days=30, credits=credits, reason="Day billed twice" if credits else None,
        periods=() if credits else (BilledPeriod("build", start, end),),
        entries=() if credits else tuple(BilledEntry("build", date(2026, 9, d), 450, True, None,
                                                     f"clients/acme/timesheets/2026-09.yaml:{i + 1}")
                                         for i, d in enumerate((1, 2, 3))),
    )


SEPT = "".join(f"- {{date: 2026-09-0{d}, engagement: build, hours: 7.5}}\n" for d in (1, 2, 3))
OCT = "".join(f"- {{date: 2026-10-0{d}, engagement: build, hours: 7.5}}\n" for d in (5, 6))


@pytest.fixture
def issued_books(make_books):
    root = make_books({"clients/acme/timesheets/2026-09.yaml": SEPT, "clients/acme/timesheets/2026-10.yaml": OCT,
                       "clients/acme/payments.yaml": "- {date: 2026-10-20, invoice: INV-2026-0001, amount: 100.00}\n"})
    folder = root / "clients/acme/invoices"
    folder.mkdir(parents=True)
    records = [_invoice("INV-2026-0001"),
               _invoice("CN-2026-0001", kind="credit_note", credits="INV-2026-0001", days="1.0",
                        issued=date(2026, 10, 15)),
               _invoice("INV-2026-0002", days="0.5", start=date(2026, 8, 1), end=date(2026, 8, 31))]
    for inv in records:
        (folder / f"{inv.number}.yaml").write_text(
            yaml.safe_dump(to_record(inv), sort_keys=False, allow_unicode=True), encoding="utf-8")
        (folder / f"{inv.number}.pdf").write_bytes(FAKE_PDF + inv.number.encode())
    from consult.invoices.registry import init_register

    init_register(root, today=date(2026, 11, 22))
    return root


def fingerprint(root: Path) -> dict[str, tuple[str, int, int]]:
    """Bytes digest, inode and mtime (ns) of every issued file: a rewrite changes at least one."""
    out = {}
    for p in sorted((root / "clients").glob("*/invoices/*")):
        st = p.stat()
        out[p.relative_to(root).as_posix()] = (hashlib.sha256(p.read_bytes()).hexdigest(), st.st_ino, st.st_mtime_ns)
    return out


# Every command, with arguments that make it act on the issued records where it can.
# {out} is a scratch folder outside the books.
COMMANDS: list[list[str]] = [
    ["check"],
    ["client", "list"],
    ["client", "show", "acme"],
    ["engagement", "list", "--format", "json"],
    ["engagement", "show", "acme/build"],
    ["client", "add", "newco", "--name", "New Co Ltd", "--country", "GB"],
    ["engagement", "add", "acme/audit", "--title", "Audit", "--billing", "daily", "--rate", "600"],
    ["init", "{out}/fresh"],
    ["invoice", "list"],
    ["invoice", "list", "--format", "json", "--as-of", "2026-12-31"],
    ["invoice", "show", "INV-2026-0001"],
    ["invoice", "show", "CN-2026-0001"],
    ["invoice", "overdue", "--as-of", "2027-01-31", "--base-rate", "4"],
    ["invoice", "pay", "INV-2026-0001", "50.00", "--date", "2026-11-01"],
    ["invoice", "pay", "INV-2026-0002", "390.00", "--date", "2026-11-02"],
    ["invoice", "create", "acme", "--period", "2026-09"],  # already billed: refused
    ["invoice", "create", "acme", "--period", "2026-10", "--dry-run"],
    ["invoice", "create", "acme", "--period", "2026-10", "--preview", "{out}/p.pdf"],
    ["invoice", "create", "acme", "--period", "2026-10"],
    ["invoice", "credit", "INV-2026-0002", "--reason", "Discount agreed"],
    ["invoice", "render", "INV-2026-0001"],
    ["invoice", "render", "INV-2026-0001", "--output", "{out}/again.pdf"],
    ["invoice", "render", "INV-2026-0001", "--output", "{books}/clients/acme/invoices/INV-2026-0001.pdf"],
    ["invoice", "export", "INV-2026-0001", "--format", "ubl", "--output", "{out}/inv.xml"],
    ["time", "log", "acme/build", "2h", "--date", "2026-09-04"],
    ["time", "report"],
    ["time", "unbilled"],
    ["time", "export", "--format", "timeclock", "-o", "{out}/work.timeclock"],
    ["time", "import", str(Path(__file__).parent / "fixtures/imports/watson-frames.json"), "--skip-unmapped"],
    ["earnings", "2026"],
    ["earnings", "2026", "--basis", "cash", "--format", "json"],
    ["earnings", "receivables", "--as-of", "2026-12-31"],
    ["earnings", "2026", "--pdf", "{out}/year.pdf"],
    ["rate", "convert", "650/day"],
    ["vat", "return", "2026-Q3", "--detail"],
    ["vat", "return", "2026-Q4", "--format", "json"],
    ["expense", "add", "12.00", "--vat", "2.00", "--category", "adminCosts", "--date", "2026-10-02"],
    ["mileage", "add", "84", "--note", "Leeds", "--date", "2026-10-03"],
    ["proposal", "list"],
    ["quote", "acme", "--days", "5", "--rate", "650", "--title", "Follow-on"],
    ["client", "statement", "acme", "--as-of", "2026-12-31"],
    ["client", "statement", "acme", "--as-of", "2026-12-31", "--pdf", "{out}/statement.pdf"],
    ["invoice", "remind", "INV-2026-0001", "--as-of", "2027-01-31", "--pdf", "{out}/reminder.pdf"],
    ["invoice", "writeoff", "INV-2026-0001", "1.00", "--date", "2027-02-01", "--reason", "bank charges"],
    ["invoice", "refund", "CN-2026-0001", "10.00", "--date", "2027-02-02"],
    ["register", "list"],
    ["register", "void", "INV-2026-0001", "--reason", "typo"],  # an issued number: refused
    ["vat", "obligations"],
    ["tax", "estimate", "2026/27"],
    ["rate", "takehome", "600"],
    ["check"],
]


def test_issued_records_are_byte_for_byte_the_same_after_every_command(issued_books, run_cli, tmp_path,
                                                                       monkeypatch):
    """Run every command in turn; no issued invoice or credit note (record or PDF) changes at all."""
    out = tmp_path / "scratch"
    out.mkdir()
    monkeypatch.chdir(out)  # `invoice render` without --output writes NUMBER.pdf here
    before = fingerprint(issued_books)
    assert len(before) == 6
    ran = []
    for args in COMMANDS:
        argv = [a.replace("{out}", str(out)).replace("{books}", str(issued_books)) for a in args]
        code, stdout, stderr = run_cli(*argv, books=issued_books)
        assert "Traceback" not in stdout + stderr and "This is a bug" not in stderr, (argv, stderr)
        ran.append((" ".join(args[:2]), code))
        now = fingerprint(issued_books)
        changed = [k for k in before if now.get(k) != before[k]]
        assert changed == [], f"`consult {' '.join(argv)}` changed {changed}"
    assert len(ran) >= 15
    # the ones that must refuse did refuse
    assert ("invoice create", 1) in ran  # the period already billed was refused
    assert ("time import", 0) in ran  # new time went in beside the issued invoices
    assert ("register void", 2) in ran or ("register void", 1) in ran  # an issued number is never voided


def test_refusing_to_bill_a_period_twice_writes_nothing(issued_books, run_cli):
    """`invoice create` for a period already invoiced exits 1, names the invoice, writes nothing."""
    from tests.test_corpus import snapshot

    before = snapshot(issued_books)
    code, out, err = run_cli("invoice", "create", "acme", "--period", "2026-09", books=issued_books)
    assert code == 1 and out == ""
    assert "INV-2026-0001" in err
    assert snapshot(issued_books) == before


def test_issued_files_are_not_writable_through_the_store(issued_books):
    """The store's write-once call refuses an existing issued name, however it is asked."""
    from consult.books.store import write_new
    from consult.errors import ConflictError

    target = issued_books / "clients/acme/invoices/INV-2026-0001.yaml"
    before = target.read_bytes()
    with pytest.raises(ConflictError, match="already exists and issued documents are never rewritten"):
        write_new(target, "tampered\n")
    assert target.read_bytes() == before
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]


def test_numbers_of_issued_records_are_never_reused(issued_books):
    """The next number after INV-2026-0001..0002 is 0003, and credit notes run their own sequence."""
    from consult.books import register

    lines, _ = register.read(issued_books)
    assert register.next_number(lines, "INV-{year}-{seq:04d}", date(2026, 12, 1)) == "INV-2026-0003"
    assert register.next_number(lines, "CN-{year}-{seq:04d}", date(2026, 12, 1)) == "CN-2026-0002"
    assert os.path.exists(issued_books / "clients/acme/invoices/INV-2026-0002.yaml")
