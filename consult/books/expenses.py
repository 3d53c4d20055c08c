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

Writing them (`consult expense add`, `consult mileage add`) is consult.books.expense_add.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from consult.books.fields import Fields
from consult.books.files import read_list
from consult.core.categories import CATEGORY_HINT, EXPENSE_CATEGORIES
from consult.core.money import Money
from consult.core.records import PRACTICE_COSTS, Books, Expense, Practice, VatScheme, VatSettings
from consult.errors import Problem, Source

ROOT_EXPENSES = "expenses.yaml"
MILEAGE_FILE = "mileage.yaml"
RECEIPTS_DIR = "receipts"
EXPENSE_EXTRA_FIELDS = ("supplier", "capital", "goods", "reverse_charge", "receipt", "receipt_sha256", "asset")
# what a capital item is, for its tax relief (consult.tax.capital): plant and machinery (the
# default: equipment, computers, furniture, vans), a car, or land and buildings
ASSETS = ("plant", "car", "land")
ROOT_EXPENSE_FIELDS = ("date", "amount", "currency", "vat", "category", "note", *EXPENSE_EXTRA_FIELDS)
MILEAGE_FIELDS = ("date", "miles", "vehicle", "note")
VAT_FIELDS = ("scheme", "stagger", "flat_rate_percent", "flat_rate_start", "registered",
              "flat_rate_turnover", "sterling_rate")
SCHEMES: tuple[VatScheme, ...] = ("standard", "cash", "flat_rate")
TURNOVER_BASES: tuple[Literal["invoice", "cash"], ...] = ("invoice", "cash")
STERLING_SOURCES: tuple[Literal["hmrc", "ecb"], ...] = ("hmrc", "ecb")

# What consult reads at the top of the books; anything else that looks like data is reported.
# every file the top of the books may hold; the names of files read by a higher layer are written
# here (the books layer imports none of them) and pinned by tests/test_books_format_doc.py
KNOWN_ROOT_FILES = frozenset({"practice.yaml", ROOT_EXPENSES, MILEAGE_FILE, "bank_rate.yaml", "import-map.yaml",
                              "market_rates.yaml", "tax_tables.yaml", "register.tsv"})
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
    scheme = v.choice("scheme", SCHEMES, "standard")
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
    basis = v.choice("flat_rate_turnover", TURNOVER_BASES, "invoice")
    sterling = v.choice("sterling_rate", STERLING_SOURCES, "hmrc")
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
    return VatSettings(scheme, stagger, pct, start, reg, basis, sterling)


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
    receipt and its hash, asset), checked; keyword arguments for `Expense`."""
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
    if vat is not None and vat.amount < 0:
        f.error("vat", f"{vat.plain()} is below zero; the VAT paid is never negative (a refund is its own "
                       "line with the amount refunded)")
    elif amount is not None and vat is not None and vat.amount > amount.amount:
        f.error("vat", f"{vat.plain()} is more than the amount {amount.plain()}; amount includes the VAT paid")
    elif amount is not None and vat is not None and vat.amount == amount.amount:
        f.error("vat", f"{vat.plain()} is all of the amount; amount includes the VAT paid, so the VAT is less than it")
    capital = f.boolean("capital", False)
    asset = f.choice("asset", ASSETS, None)
    if asset is not None and not capital:
        f.error("asset", "says what a capital item is (plant, car or land): add capital: true, or remove asset")
    return {"supplier": f.text("supplier"), "capital": capital,
            "goods": f.boolean("goods", False), "reverse_charge": rc, "receipt": receipt, "receipt_sha256": sha,
            "asset": asset}


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
    rows = read_list(root, root / MILEAGE_FILE, problems)
    if not rows:
        return []  # most books keep no mileage: the rates table is not even loaded
    from consult.core.mileage import VEHICLES, Trip, allowances, table

    first_day = table().rates[0].start
    found: list[tuple[date, Source, Decimal, str, str | None]] = []
    for f in rows:
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
    from consult.core.mileage import Trip, allowances

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
                               "consult does not read this file (at the top of the books it reads "
                               f"{', '.join(sorted(KNOWN_ROOT_FILES - {'register.tsv'}))}); move or "
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
# dates in the future: `consult check`
# --------------------------------------------------------------------------------------------
def check_money_dates(books: Books, today: date) -> list[Problem]:
    """Every record of money that moved — expenses and mileage trips, money received against an
    invoice or without one, refunds, write-offs, allocations — dated after `today`: a warning,
    or an error beyond a year (consult.core.periods.future_date, the one rule)."""
    from consult.core.periods import future_date

    dated = [(x.date, x.source, *(("a trip", "made") if x.miles is not None else ("an expense", "paid")))
             for x in books.expenses]
    dated += [(x.date, x.source, "income", "received") for x in books.income]
    dated += [(x.date, x.source, "a payment", "received") for x in books.payments]
    dated += [(x.date, x.source, "a refund", "paid") for x in books.refunds]
    dated += [(x.date, x.source, "a write-off", "decided") for x in books.writeoffs]
    dated += [(x.date, x.source, "an allocation", "made") for x in books.allocations]
    out: list[Problem] = []
    for day, src, what, done in dated:
        if (found := future_date(day, today, what, done)) is not None:
            severity, why = found
            out.append(Problem(src, "date", why, severity))
    return out


def expenses_in(books: Books, period: Any, *, practice_only: bool = False) -> list[Expense]:
    """Expenses dated in `period` (a consult.core.periods.Period), in date then file order."""
    return sorted((x for x in books.expenses if x.date in period and (x.practice_cost or not practice_only)),
                  key=lambda x: (x.date, x.source.path, x.source.line or 0))
