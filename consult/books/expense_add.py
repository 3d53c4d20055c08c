"""Writing the practice's costs: `consult expense add` and `consult mileage add`.

Each appends one line to its file as a person would (a YAML flow mapping), checks that the file
then reads back through the same reader as `consult check` with exactly one more item and no
error, and writes it under the books lock as one transaction (consult.books.journal) with the
receipt, copied in write-once: both land or neither does, and a refused cost leaves nothing
behind.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from dataclasses import dataclass
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
from consult.core.mileage import Trip, allowances
from consult.core.records import Expense
from consult.errors import ConflictError, ConsultError, Problem, UsageError


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Added:
    """What an `add` wrote: the file, the line number and text, the record, the receipt."""

    path: Path
    line: int
    text: str
    expense: Expense
    receipt: Path | None = None
    warnings: tuple[str, ...] = ()


def _text(s: str) -> str:
    """A double-quoted YAML scalar (JSON's escapes are YAML's)."""
    return json.dumps(s, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _one_line(value: str | None, option: str) -> None:
    if value is not None and ("\n" in value or "\r" in value):
        raise UsageError(f"{option}: one line please")


def expense_line(e: NewExpense, receipt: str | None = None, sha: str | None = None) -> str:
    """One expenses.yaml item as a flow mapping on one line, in the order a person reads it."""
    parts = [f"date: {e.date.isoformat()}"]
    if e.engagement:
        parts.append(f"engagement: {e.engagement}")
    if e.supplier:
        parts.append(f"supplier: {_text(e.supplier)}")
    parts.append(f"amount: {e.amount:f}")
    if e.currency:
        parts.append(f"currency: {e.currency}")
    if e.vat is not None:
        parts.append(f"vat: {e.vat:f}")
    if e.category:
        parts.append(f"category: {e.category}")
    for flag in ("capital", "goods", "reverse_charge"):
        if getattr(e, flag):
            parts.append(f"{flag}: true")
    if e.rebill is not None and e.client:
        parts.append(f"rebill: {'true' if e.rebill else 'false'}")
    if e.note:
        parts.append(f"note: {_text(e.note)}")
    if receipt:
        parts += [f"receipt: {receipt}", f"receipt_sha256: {sha}"]
    return "- {" + ", ".join(parts) + "}\n"


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
    line = expense_line(e, receipt, sha)
    path = root / rel
    with books_lock(root):
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if not old:
            old = ("# The practice's own costs (no client): amount includes any VAT paid; see README, \"Expenses\".\n"
                   if e.client is None else "# Costs paid for this client; rebill: false keeps one off the invoice.\n")
        text = old + ("" if old.endswith("\n") else "\n") + line
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
    return Added(path, text.count("\n"), line.rstrip("\n"), got[-1], root / receipt if receipt else None)


def mileage_line(day: date, miles: Decimal, vehicle: str, note: str) -> str:
    parts = [f"date: {day.isoformat()}", f"miles: {miles:f}"]
    if vehicle != "car":
        parts.append(f"vehicle: {vehicle}")
    parts.append(f"note: {_text(note)}")
    return "- {" + ", ".join(parts) + "}\n"


def add_mileage(root: Path, day: date, miles: Decimal, note: str, vehicle: str = "car") -> tuple[Added, str]:
    """Append one trip to mileage.yaml under the books lock; the trip as priced, and how."""
    _one_line(note, "--note")
    if not note or not note.strip():
        raise UsageError("--note: say where and why (HMRC asks for a record of each business journey)")
    root = Path(root)
    open_books(root, timesheets=False, clients=[])  # the practice's own record: a client's errors do not stop it
    path = root / MILEAGE_FILE
    line = mileage_line(day, miles, vehicle, note.strip())
    with books_lock(root):
        old = path.read_text(encoding="utf-8") if path.exists() else \
            "# Business miles in your own vehicle, priced at HMRC's approved rates; see README, \"Expenses\".\n"
        text = old + ("" if old.endswith("\n") else "\n") + line
        before, _ = _scratch_read(root, MILEAGE_FILE, old, read_mileage)
        got, problems = _scratch_read(root, MILEAGE_FILE, text, read_mileage)
        _refuse(problems, len(before), len(got))
        tx = Transaction(root, "mileage add")
        tx.replace(MILEAGE_FILE, text)
        tx.commit()
    n = text.count("\n")
    mine = next(x for x in got if x.source.line == n)
    trips = sorted(got, key=lambda x: (x.date, x.source.line or 0))
    priced = allowances(Trip(x.date, x.miles or Decimal(0), x.vehicle or "car") for x in trips)
    working = next(a.working for x, a in zip(trips, priced, strict=True) if x.source == mine.source)
    return Added(path, n, line.rstrip("\n"), mine), working
