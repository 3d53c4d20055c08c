"""Writing the practice's costs: `consult expense add` and `consult mileage add`.

Each appends one line to its file as a person would (a YAML flow mapping), checks that the file
then reads back through the same reader as `consult check` with exactly one more item and no
error, and writes it under the books lock as one transaction (consult.books.journal) with the
receipt, copied in write-once: both land or neither does, and a refused cost leaves nothing
behind.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from consult.books.expenses import (
    MILEAGE_FILE,
    RECEIPTS_DIR,
    ROOT_EXPENSES,
    read_mileage,
    read_practice_expenses,
    sha256_of,
)
from consult.books.files import MAX_FILE_BYTES
from consult.books.journal import Transaction
from consult.books.loader import open_books, read_expenses
from consult.books.lock import books_lock
from consult.books.writers import CannotAppend, Quoted, line_of, list_item, one_line, with_item
from consult.core.mileage import Trip, allowances
from consult.core.record import record
from consult.core.records import Expense
from consult.errors import ConflictError, ConsultError, Problem, UsageError


@record
class NewExpense:
    """An expense as given on the command line (amounts as the exact Decimals typed)."""

    date: date
    amount: Decimal
    category: str | None = None
    currency: str | None = None
    vat: Decimal | None = None
    supplier: str | None = None
    note: str | None = None
    capital: bool = False
    goods: bool = False
    reverse_charge: bool = False
    client: str | None = None
    engagement: str | None = None
    rebill: bool | None = None


@record
class Added:
    """What an `add` wrote: the file, the line number and text, the record, the receipt."""

    path: Path
    line: int
    text: str
    expense: Expense
    receipt: Path | None = None
    warnings: tuple[str, ...] = ()


def _one_line(value: str | None, option: str) -> None:
    one_line(value, option)


def expense_item(e: NewExpense, receipt: str | None = None, sha: str | None = None) -> dict[str, object]:
    """One expenses.yaml item's fields, in the order a person reads them."""
    item: dict[str, object] = {"date": e.date}
    if e.engagement:
        item["engagement"] = e.engagement
    if e.supplier:
        item["supplier"] = Quoted(e.supplier)
    item["amount"] = e.amount
    if e.currency:
        item["currency"] = e.currency
    if e.vat is not None:
        item["vat"] = e.vat
    if e.category:
        item["category"] = e.category
    for flag in ("capital", "goods", "reverse_charge"):
        if getattr(e, flag):
            item[flag] = True
    if e.rebill is not None and e.client:
        item["rebill"] = e.rebill
    if e.note:
        item["note"] = Quoted(e.note)
    if receipt:
        item.update(receipt=receipt, receipt_sha256=sha)
    return item


def expense_line(e: NewExpense, receipt: str | None = None, sha: str | None = None) -> str:
    """One expenses.yaml item as a flow mapping on one line (consult.books.writers)."""
    return list_item(expense_item(e, receipt, sha))


OPTION_FOR = {"date": "--date", "amount": "AMOUNT", "currency": "--currency", "vat": "--vat",
              "category": "--category", "supplier": "--supplier", "note": "--note", "engagement": "--engagement",
              "reverse_charge": "--reverse-charge", "miles": "MILES", "vehicle": "--vehicle"}


def _refuse(problems: list[Problem], before: int, got: int) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        p = errors[-1]
        field = (p.field or "").split(".")[-1].split("]")[-1]
        raise UsageError(f"{OPTION_FOR.get(field, field or 'options')}: {p.message}")
    if got != before + 1:
        raise ConsultError(f"cannot append safely (the file would read as {got} items, not {before + 1}); "
                           "nothing was written — fix the file's last line, or add the item by hand")


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:40].strip("-") or "receipt"


def _receipt_name(day: date, label: str, sha: str, source: Path) -> str:
    suffix = source.suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = ""
    return f"{RECEIPTS_DIR}/{day.isoformat()}-{_slug(label)}-{sha[:8]}{suffix}"


def _read_receipt(path: Path) -> bytes:
    try:
        if not path.is_file():
            raise UsageError(f"--receipt: {path} is not a file")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UsageError(f"--receipt: {path} is over {MAX_FILE_BYTES // 1048576} MB; keep a smaller scan")
        return path.read_bytes()
    except OSError as e:
        raise UsageError(f"--receipt: {path} cannot be read: {e.strerror}") from None


def _scratch_read(root: Path, rel: str, text: str, reader: Any) -> tuple[list[Any], list[Problem]]:
    """Read `text` as the books file `rel` through `reader(scratch_root, problems)`."""
    with tempfile.TemporaryDirectory(prefix="consult-add-") as tmp:
        scratch = Path(tmp)
        target = scratch / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        problems: list[Problem] = []
        got = reader(scratch, problems)
    return got, problems


def add_expense(root: Path, e: NewExpense, receipt_from: Path | None = None) -> Added:
    """Append one expense to the root expenses.yaml (or a client's, with `client`), copying the
    receipt into the books first; all under the books lock, nothing written on any error."""
    for value, option in ((e.note, "--note"), (e.supplier, "--supplier")):
        _one_line(value, option)
    root = Path(root)
    books = open_books(root, timesheets=False, clients=[e.client] if e.client is not None else [])
    if e.client is not None:
        client = books.client(e.client)
        if e.engagement is not None:
            books.engagement(e.client, e.engagement)
        rel = f"clients/{client.id}/{ROOT_EXPENSES}"

        def reader(scratch: Path, problems: list[Problem]) -> list[Expense]:
            return read_expenses(scratch, client, books.engagements, problems)
    else:
        if e.engagement is not None or e.rebill is not None:
            raise UsageError("--engagement/--rebill: a practice cost belongs to no client; give --client to "
                             "record a cost you rebill")
        rel = ROOT_EXPENSES

        def reader(scratch: Path, problems: list[Problem]) -> list[Expense]:
            return read_practice_expenses(scratch, books.practice, problems)
    blob = _read_receipt(receipt_from) if receipt_from is not None else None
    sha = hashlib.sha256(blob).hexdigest() if blob is not None else None
    receipt = (_receipt_name(e.date, e.supplier or e.note or "receipt", sha, receipt_from)
               if sha is not None and receipt_from is not None else None)
    item = expense_item(e, receipt, sha)
    line = list_item(item)
    path = root / rel
    with books_lock(root):
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        header = ("# The practice's own costs (no client): amount includes any VAT paid; see README, \"Expenses and mileage\".\n"
                  if e.client is None else "# Costs paid for this client; rebill: false keeps one off the invoice.\n")
        text = _appended(old, item, header, rel)
        before, problems = _scratch_read(root, rel, old, reader)
        got, problems = _scratch_read(root, rel, text, reader)
        _refuse(problems, len(before), len(got))
        tx = Transaction(root, f"expense add ({rel})")
        if blob is not None and receipt is not None:
            target = root / receipt
            if target.exists():
                if sha256_of(target) != sha:
                    raise ConflictError(f"{receipt} already exists with other content; nothing was written")
            else:
                tx.new(receipt, blob)
        tx.replace(rel, text)
        tx.commit()
    return Added(path, line_of(text, line.strip()), line.rstrip("\n"), got[-1], root / receipt if receipt else None)


def mileage_item(day: date, miles: Decimal, vehicle: str, note: str) -> dict[str, object]:
    item: dict[str, object] = {"date": day, "miles": miles}
    if vehicle != "car":
        item["vehicle"] = vehicle
    item["note"] = Quoted(note)
    return item


def mileage_line(day: date, miles: Decimal, vehicle: str, note: str) -> str:
    return list_item(mileage_item(day, miles, vehicle, note))


def _appended(old: str, item: dict[str, object], header: str, rel: str) -> str:
    """`old` with `item` last, in any valid form of a list file (consult.books.writers.with_item)."""
    try:
        return with_item(old, item, header=header)
    except CannotAppend as e:
        raise ConsultError(f"{rel}: cannot append safely ({e}); nothing was written — fix the file, or add "
                           "the item by hand") from None


def add_mileage(root: Path, day: date, miles: Decimal, note: str, vehicle: str = "car") -> tuple[Added, str]:
    """Append one trip to mileage.yaml under the books lock; the trip as priced, and how."""
    _one_line(note, "--note")
    if not note or not note.strip():
        raise UsageError("--note: say where and why (HMRC asks for a record of each business journey)")
    root = Path(root)
    open_books(root, timesheets=False, clients=[])  # the practice's own record: a client's errors do not stop it
    path = root / MILEAGE_FILE
    item = mileage_item(day, miles, vehicle, note.strip())
    line = list_item(item)
    with books_lock(root):
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        header = "# Business miles in your own vehicle, priced at HMRC's approved rates; see README, \"Expenses and mileage\".\n"
        text = _appended(old, item, header, MILEAGE_FILE)
        before, _ = _scratch_read(root, MILEAGE_FILE, old, read_mileage)
        got, problems = _scratch_read(root, MILEAGE_FILE, text, read_mileage)
        _refuse(problems, len(before), len(got))
        tx = Transaction(root, "mileage add")
        tx.replace(MILEAGE_FILE, text)
        tx.commit()
    n = line_of(text, line.strip())
    mine = next(x for x in got if x.source.line == n)
    trips = sorted(got, key=lambda x: (x.date, x.source.line or 0))
    priced = allowances(Trip(x.date, x.miles or Decimal(0), x.vehicle or "car") for x in trips)
    working = next(a.working for x, a in zip(trips, priced, strict=True) if x.source == mine.source)
    return Added(path, n, line.rstrip("\n"), mine), working
