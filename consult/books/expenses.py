"""The practice's own costs: `expenses.yaml` and `mileage.yaml` at the books root, receipts,
the `vat:` settings, and the rule that no file at the root is silently ignored.

* **Practice costs** (`expenses.yaml` at the root) belong to no client: a laptop, insurance,
  the accountant, software. Each item is read and checked like a client's expense (every
  problem with file, line and field) and becomes an `Expense` whose `client` is
  `PRACTICE_COSTS`. It needs a `category` (HMRC's self-employment categories) unless it is
  `capital: true` (an asset, which is not a running cost).
* **Mileage** (`mileage.yaml`) records business miles; the money is *derived* from HMRC's
  approved rates (consult.core.mileage), never written, so a back-dated trip re-prices the
  trips after it correctly.
* **Receipts** are files kept in the books (`receipts/` by convention). `receipt:` names the
  file and `receipt_sha256:` the SHA-256 it had when it was recorded; `consult check` reads the
  file again and says if it is missing or has changed.
* **Root files**: a YAML or CSV file at the top of the books that consult does not read is
  reported (a near-miss of `expenses.yaml` such as `expenses.yml` or `Expenses.csv` is an error,
  since those costs would silently be left out of the VAT return and the year's figures).

`consult expense add` and `consult mileage add` append one line to those files as a person
would (a YAML flow mapping), check that the file then reads back with exactly one more item and
no error, and replace it atomically under the books lock; a receipt is copied in first, write-once.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from consult.books.fields import Fields
from consult.books.files import MAX_FILE_BYTES, read_list
from consult.core.categories import CATEGORY_HINT, EXPENSE_CATEGORIES
from consult.core.mileage import VEHICLES, Trip, allowances, table
from consult.core.money import Money
from consult.core.records import PRACTICE_COSTS, Books, Expense, Practice, VatSettings
from consult.errors import ConflictError, ConsultError, Problem, Source, UsageError

ROOT_EXPENSES = "expenses.yaml"
MILEAGE_FILE = "mileage.yaml"
RECEIPTS_DIR = "receipts"
EXPENSE_EXTRA_FIELDS = ("supplier", "capital", "goods", "reverse_charge", "receipt", "receipt_sha256")
ROOT_EXPENSE_FIELDS = ("date", "amount", "currency", "vat", "category", "note", *EXPENSE_EXTRA_FIELDS)
MILEAGE_FIELDS = ("date", "miles", "vehicle", "note")
VAT_FIELDS = ("scheme", "stagger", "flat_rate_percent", "flat_rate_start", "registered",
              "flat_rate_turnover", "sterling_rate")
SCHEMES = ("standard", "cash", "flat_rate")

# What consult reads at the top of the books; anything else that looks like data is reported.
KNOWN_ROOT_FILES = frozenset({"practice.yaml", ROOT_EXPENSES, MILEAGE_FILE, "bank_rate.yaml", "import-map.yaml"})
KNOWN_ROOT_DIRS = frozenset({"clients", "templates", RECEIPTS_DIR, "vat"})
DATA_SUFFIXES = (".yaml", ".yml", ".csv")
_NEAR_MISSES = {"expense": ROOT_EXPENSES, "expenses": ROOT_EXPENSES, "costs": ROOT_EXPENSES,
                "cost": ROOT_EXPENSES, "practiceexpenses": ROOT_EXPENSES, "purchases": ROOT_EXPENSES,
                "mileage": MILEAGE_FILE, "miles": MILEAGE_FILE, "trips": MILEAGE_FILE}
_RECEIPT_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,127}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


# --------------------------------------------------------------------------------------------
# practice.yaml `vat:`
# --------------------------------------------------------------------------------------------
def read_vat_settings(f: Fields, registered: bool) -> VatSettings:
    """The `vat:` block (defaults when absent): scheme, stagger, flat rate, sterling rates."""
    v = f.sub("vat")
    if v is None:
        return VatSettings()
    if not registered:
        v.error(None, "VAT settings need a VAT-registered practice: add vat_number and invoice.vat_rate, "
                      "or remove the vat: block")
    scheme = v.choice("scheme", SCHEMES, "standard") or "standard"
    stagger = 1
    if (s := v.scalar("stagger")) is not None:
        text = s.text.strip().lower()
        if text in ("1", "2", "3"):
            stagger = int(text)
        elif text in ("0", "monthly"):
            stagger = 0
        else:
            v.error("stagger", f"'{s.text}' is not a stagger: 1 (quarters ending Mar/Jun/Sep/Dec), "
                               "2 (Apr/Jul/Oct/Jan), 3 (May/Aug/Nov/Feb) or monthly — your VAT certificate says which")
    pct = v.decimal("flat_rate_percent", positive=True, maximum=Decimal(100))
    start = v.day("flat_rate_start")
    reg = v.day("registered")
    basis = v.choice("flat_rate_turnover", ("invoice", "cash"), "invoice") or "invoice"
    sterling = v.choice("sterling_rate", ("hmrc", "ecb"), "hmrc") or "hmrc"
    if scheme == "flat_rate":
        if pct is None and "flat_rate_percent" not in v.map:
            v.error("flat_rate_percent", "missing — the flat_rate scheme needs your sector's percentage, e.g. "
                                         "flat_rate_percent: 14.5 (Computer and IT consultancy or data "
                                         "processing; VAT Notice 733)")
        if start is None and "flat_rate_start" not in v.map:
            v.error("flat_rate_start", "missing — the day you joined the Flat Rate Scheme, e.g. "
                                       "flat_rate_start: 2024-04-01")
        if pct == Decimal("16.5"):
            v.warn("flat_rate_percent", "16.5% is the limited-cost rate, which consult applies by itself in each "
                                        "period the limited-cost test says so; give your sector's percentage")
        if reg is not None and start is not None and start < reg:
            v.error("flat_rate_start", f"{start} is before you registered for VAT ({reg})")
    else:
        for name in ("flat_rate_percent", "flat_rate_start", "flat_rate_turnover"):
            if name in v.map:
                v.warn(name, f"only the flat_rate scheme uses this; it is ignored under scheme: {scheme}")
    v.done(VAT_FIELDS)
    return VatSettings(scheme, stagger, pct, start, reg, basis, sterling)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# expense items
# --------------------------------------------------------------------------------------------
def receipt_problem(path: str) -> str | None:
    """Why `path` cannot name a receipt inside the books (relative, no `..`), or None."""
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or not all(_RECEIPT_PART.fullmatch(p) for p in parts) \
            or any(p in (".", "..") or p.endswith(".") for p in parts):
        return (f"'{path}' is not a file in the books: write a path relative to the books folder, "
                "e.g. receipts/2026-09-14-laptop.pdf")
    return None


def expense_extras(f: Fields, amount: Money | None, vat: Money | None) -> dict[str, Any]:
    """The additions every expense item may carry (supplier, capital, goods, reverse_charge,
    receipt and its hash), checked; keyword arguments for `Expense`."""
    rc = f.boolean("reverse_charge", False)
    receipt = f.text("receipt")
    sha = f.text("receipt_sha256")
    if receipt is not None and (why := receipt_problem(receipt)):
        f.error("receipt", why)
        receipt = None
    if sha is not None:
        if not _SHA256.fullmatch(sha):
            f.error("receipt_sha256", "not a SHA-256: 64 hexadecimal digits in lower case (consult expense "
                                      "add records it; `sha256sum FILE` prints it)")
            sha = None
        elif receipt is None and "receipt" not in f.map:
            f.error("receipt_sha256", "a hash with no receipt: add receipt: (the file it is the hash of)")
    if rc and vat is not None and vat.amount != 0:
        f.error("vat", "a reverse-charge purchase has no VAT paid (the supplier abroad charges none; you account "
                       "for it on the return): remove vat, or set reverse_charge: false")
    if amount is not None and vat is not None and vat.amount > amount.amount:
        f.error("vat", f"{vat.plain()} is more than the amount {amount.plain()}; amount includes the VAT paid")
    return {"supplier": f.text("supplier"), "capital": f.boolean("capital", False),
            "goods": f.boolean("goods", False), "reverse_charge": rc, "receipt": receipt, "receipt_sha256": sha}


def _not_for_root(f: Fields) -> None:
    for name in ("engagement", "rebill"):
        if name in f.map:
            line, col = f.map.key_pos.get(name, (f.map.line, f.map.column))
            f.problems.append(Problem(Source(f.path, line, col), f.name(name),
                                      "a practice cost belongs to no client; a cost you rebill goes in "
                                      "clients/<client>/expenses.yaml"))


def read_practice_expenses(root: Path, practice: Practice, problems: list[Problem]) -> list[Expense]:
    """The root `expenses.yaml`: costs of the practice itself (an optional file)."""
    out = []
    for f in read_list(root, root / ROOT_EXPENSES, problems):
        d = f.day("date", True, "the day it was paid, e.g. date: 2026-09-14")
        cur = f.currency("currency", practice.base_currency)
        amount = f.money("amount", cur, True, positive=True, hint="what you paid, VAT included, e.g. amount: 1080.00")
        vat = f.money("vat", cur)
        extras = expense_extras(f, amount, vat)
        cat = f.choice("category", EXPENSE_CATEGORIES, None)
        if cat is None and "category" not in f.map and not extras["capital"]:
            f.error("category", f"missing — HMRC's category for this cost: {CATEGORY_HINT}")
        _not_for_root(f)
        f.done((*ROOT_EXPENSE_FIELDS, "engagement", "rebill"))
        if d and amount and cur:
            out.append(Expense(PRACTICE_COSTS, d, None, amount, f.text("note"), False, vat, cat, f.where(),
                               **extras))
    return out


def read_mileage(root: Path, problems: list[Problem]) -> list[Expense]:
    """The root `mileage.yaml`: business trips, each priced at HMRC's approved rates."""
    first_day = table().rates[0].start
    found: list[tuple[date, Source, Decimal, str, str | None]] = []
    for f in read_list(root, root / MILEAGE_FILE, problems):
        d = f.day("date", True, "the day of the trip, e.g. date: 2026-10-12")
        miles = f.decimal("miles", True, positive=True, maximum=Decimal(10_000),
                          hint="business miles of the trip, e.g. miles: 84")
        if miles is not None and miles != miles.quantize(Decimal("0.1")):
            f.error("miles", f"{miles} has more than one decimal place; write miles to a tenth, e.g. 84.5")
            miles = None
        vehicle = f.choice("vehicle", VEHICLES, "car")
        note = f.text("note", True, "where and why — HMRC asks for a record of each business journey, "
                                    "e.g. note: Client workshop, Leeds (return)")
        if d is not None and d < first_day:
            f.error("date", f"{d} is before HMRC's approved mileage rates start ({first_day})")
            d = None
        f.done(MILEAGE_FIELDS)
        if d and miles and vehicle and note:
            found.append((d, f.where(), miles, vehicle, note))
    found.sort(key=lambda t: (t[0], t[1].line or 0))
    priced = allowances(Trip(d, m, v) for d, _, m, v, _ in found)
    return [Expense(PRACTICE_COSTS, d, None, a.amount, note, False, None, "carVanTravelExpenses", src,
                    miles=m, vehicle=v)
            for (d, src, m, v, note), a in zip(found, priced, strict=True)]


def mileage_working(books: Books) -> dict[Source, str]:
    """How each mileage claim was priced ("84 mi × £0.45"), by its source, for listings."""
    trips = sorted((x for x in books.expenses if x.miles is not None), key=lambda x: (x.date, x.source.line or 0))
    priced = allowances(Trip(x.date, x.miles or Decimal(0), x.vehicle or "car") for x in trips)
    return {x.source: a.working for x, a in zip(trips, priced, strict=True)}


# --------------------------------------------------------------------------------------------
# files at the root that consult does not read
# --------------------------------------------------------------------------------------------
def root_problems(root: Path) -> list[Problem]:
    """A data file at the top of the books that consult does not read is never silently
    ignored: a near-miss of expenses.yaml or mileage.yaml is an error, any other YAML or CSV
    file a warning."""
    out: list[Problem] = []
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return out
    for e in entries:
        name = e.name
        if name.startswith(".") or name in KNOWN_ROOT_FILES or name in KNOWN_ROOT_DIRS:
            continue
        stem, _, suffix = name.rpartition(".")
        if not stem or f".{suffix.lower()}" not in DATA_SUFFIXES:
            continue
        key = re.sub(r"[^a-z]", "", stem.lower())
        meant = _NEAR_MISSES.get(key)
        if meant is None:
            near = difflib.get_close_matches(key, list(_NEAR_MISSES), n=1, cutoff=0.8)
            meant = _NEAR_MISSES[near[0]] if near else None
        if meant is not None:
            out.append(Problem(Source(name), None,
                               f"consult does not read this file, so its items are in no report or VAT return; "
                               f"it reads {meant} (YAML, that exact name) — move the items there"))
        else:
            out.append(Problem(Source(name), None,
                               "consult does not read this file (at the top of the books it reads practice.yaml, "
                               "expenses.yaml, mileage.yaml, bank_rate.yaml and import-map.yaml); move or "
                               "remove it if it holds records", "warning"))
    return out


# --------------------------------------------------------------------------------------------
# receipts: `consult check`
# --------------------------------------------------------------------------------------------
def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_receipts(books: Books) -> list[Problem]:
    """Each recorded receipt is a file inside the books with the SHA-256 it was recorded with."""
    root = Path(books.root)
    base = Path(os.path.realpath(root))
    out: list[Problem] = []
    for x in books.expenses:
        if x.receipt is None:
            continue
        path = root / x.receipt
        real = Path(os.path.realpath(path))
        if base not in real.parents:
            out.append(Problem(x.source, "receipt", f"{x.receipt} leads outside the books; keep the receipt itself "
                                                   "in the books folder"))
            continue
        if not path.is_file():
            out.append(Problem(x.source, "receipt", f"{x.receipt} is not in the books: restore the file, or "
                                                   "remove receipt: if there is none"))
            continue
        try:
            got = sha256_of(path)
        except OSError as e:
            out.append(Problem(x.source, "receipt", f"{x.receipt} cannot be read: {e.strerror}"))
            continue
        if x.receipt_sha256 is None:
            out.append(Problem(x.source, "receipt_sha256", f"no hash recorded for {x.receipt}; add "
                                                          f"receipt_sha256: {got}", "warning"))
        elif got != x.receipt_sha256:
            out.append(Problem(x.source, "receipt", f"{x.receipt} has changed since it was recorded (SHA-256 now "
                                                   f"{got[:12]}…, recorded {x.receipt_sha256[:12]}…); restore "
                                                   "the original — a receipt is evidence and is never edited"))
    return out


# --------------------------------------------------------------------------------------------
# writing: consult expense add, consult mileage add
# --------------------------------------------------------------------------------------------
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
    from consult.books.loader import open_books, read_expenses
    from consult.books.store import atomic_write, books_lock, write_new

    for value, option in ((e.note, "--note"), (e.supplier, "--supplier")):
        _one_line(value, option)
    root = Path(root)
    books = open_books(root, timesheets=False)
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
        made: Path | None = None
        if blob is not None and receipt is not None:
            target = root / receipt
            if target.exists():
                if sha256_of(target) != sha:
                    raise ConflictError(f"{receipt} already exists with other content; nothing was written")
            else:
                write_new(target, blob)
                made = target
        try:
            atomic_write(path, text.encode("utf-8"))
        except BaseException:
            if made is not None:
                made.unlink(missing_ok=True)
            raise
    return Added(path, text.count("\n"), line.rstrip("\n"), got[-1], root / receipt if receipt else None)


def mileage_line(day: date, miles: Decimal, vehicle: str, note: str) -> str:
    parts = [f"date: {day.isoformat()}", f"miles: {miles:f}"]
    if vehicle != "car":
        parts.append(f"vehicle: {vehicle}")
    parts.append(f"note: {_text(note)}")
    return "- {" + ", ".join(parts) + "}\n"


def add_mileage(root: Path, day: date, miles: Decimal, note: str, vehicle: str = "car") -> tuple[Added, str]:
    """Append one trip to mileage.yaml under the books lock; the trip as priced, and how."""
    from consult.books.loader import open_books
    from consult.books.store import atomic_write, books_lock

    _one_line(note, "--note")
    if not note or not note.strip():
        raise UsageError("--note: say where and why (HMRC asks for a record of each business journey)")
    root = Path(root)
    open_books(root, timesheets=False)
    path = root / MILEAGE_FILE
    line = mileage_line(day, miles, vehicle, note.strip())
    with books_lock(root):
        old = path.read_text(encoding="utf-8") if path.exists() else \
            "# Business miles in your own vehicle, priced at HMRC's approved rates; see README, \"Expenses\".\n"
        text = old + ("" if old.endswith("\n") else "\n") + line
        before, _ = _scratch_read(root, MILEAGE_FILE, old, read_mileage)
        got, problems = _scratch_read(root, MILEAGE_FILE, text, read_mileage)
        _refuse(problems, len(before), len(got))
        atomic_write(path, text.encode("utf-8"))
    n = text.count("\n")
    mine = next(x for x in got if x.source.line == n)
    trips = sorted(got, key=lambda x: (x.date, x.source.line or 0))
    priced = allowances(Trip(x.date, x.miles or Decimal(0), x.vehicle or "car") for x in trips)
    working = next(a.working for x, a in zip(trips, priced, strict=True) if x.source == mine.source)
    return Added(path, n, line.rstrip("\n"), mine), working


def expenses_in(books: Books, period: Any, *, practice_only: bool = False) -> list[Expense]:
    """Expenses dated in `period` (a consult.core.periods.Period), in date then file order."""
    return sorted((x for x in books.expenses if x.date in period and (x.practice_cost or not practice_only)),
                  key=lambda x: (x.date, x.source.path, x.source.line or 0))
