"""Statutory late-payment interest and fixed compensation (Late Payment of Commercial Debts
(Interest) Act 1998), for `consult invoice overdue` and `consult invoice remind`.

The rules (docs/money-rules.md §9, with their sources):

* **When interest runs**: from the day after the due date (the "relevant day", s.4(2)) until
  the debt is paid — a part payment, credit note, allocation or write-off reduces it from its
  own date; a refund adds back.
* **Rate**: 8% a year over the Bank of England Bank Rate *reference value* in force at the end
  of the relevant day, fixed by the half-year in which interest *starts to run*: the rate on
  31 December for interest starting 1 January–30 June, on 30 June for 1 July–31 December
  (Late Payment of Commercial Debts (Rate of Interest) (No. 3) Order 2002, art. 4). So a debt
  due 30 June 2025, whose interest starts on 1 July 2025, takes the 30 June 2025 rate (4.25% +
  8% = 12.25%), not the one before. Reference values are dated data
  (`consult/data/bank_rate.yaml`), extended by `bank_rate.yaml` in the books; `--base-rate`
  overrides both.
* **Interest**: simple and daily on the balance outstanding each day: Σ balance × rate / 100 ×
  days / 365, rounded once, half up.
* **Fixed sum** (s.5A), once per debt when interest starts to run, by the size of the debt then:
  under £1,000 £40; £1,000 to £9,999.99 £70; £10,000 or more £100.
* **A claim outlives the payment.** Paying late stops interest on the day of payment but does not
  remove what had accrued, nor the fixed sum; `invoice overdue --claims` lists every invoice
  paid late with what may still be claimed.
* **Which debts** (our decision, written down): the Act applies to a contract governed by UK law
  between businesses, whatever its currency. A client's `late_payment:` says which:
  `statutory` (the Act), `contract` (the contract sets its own "substantial remedy", ss.8-9:
  consult claims nothing) or `none`; without it, a business client in the UK is `statutory`
  and any other is `none` (a contract under another country's law is that law's business,
  s.12). A debt in another currency accrues interest in its own currency at the statutory rate;
  the fixed sum is in sterling, its band chosen by the debt converted at the ECB reference rate
  of the day interest starts (the Act fixes the sums in pounds and says nothing on currency:
  docs/money-rules.md §9 — our reading).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from consult.core.money import Money
from consult.core.record import record
from consult.core.records import Books, Client
from consult.errors import BooksError, Problem, Source, UsageError

if TYPE_CHECKING:
    from consult.invoices.accounts import Account  # annotations only: create need not load the ledger

STATUTORY_MARGIN = Decimal(8)  # percentage points over the reference Bank Rate
DAYS_IN_YEAR = Decimal(365)
DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "bank_rate.yaml"
BOOKS_FILE = "bank_rate.yaml"

# (debt below this, fixed sum) in GBP; the last applies to anything larger
FIXED_SUMS: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal(1000), Decimal(40)),
    (Decimal(10000), Decimal(70)),
    (None, Decimal(100)),
)


@record
class ReferenceRate:
    """The Bank Rate in force on a reference day (30 June or 31 December)."""

    date: date
    bank_rate: Decimal
    source: str


@record
class LateClaim:
    """What may be claimed on one overdue invoice as of a date."""

    account: Account
    qualifies: bool
    reference: ReferenceRate | None
    rate: Decimal | None         # the statutory rate, percent a year
    interest: Money | None       # in the debt's currency
    fixed_sum: Money | None      # in sterling (s.5A)
    until: date | None = None    # the day interest stopped (paid) or the date asked about

    @property
    def claim(self) -> Money | None:
        """Interest + fixed sum when both are in one currency (a sterling debt)."""
        if self.interest is None or self.fixed_sum is None or self.interest.currency != self.fixed_sum.currency:
            return None
        return self.interest + self.fixed_sum


def regime(client: Client) -> str:
    """`statutory`, `contract` or `none`: the client's `late_payment:`, else statutory for a UK
    business client and none for others (see the module notes)."""
    if client.kind != "client":
        return "none"
    if client.late_payment is not None:
        return client.late_payment
    return "statutory" if client.country == "GB" else "none"


def qualifies(client: Client) -> bool:
    """Whether statutory interest and compensation may be claimed on this client's debts."""
    return regime(client) == "statutory"


def interest_starts(due: date) -> date:
    """Interest runs from the day after the due date (the relevant day)."""
    return due + timedelta(days=1)


def reference_day(due: date) -> date:
    """The day whose Bank Rate fixes the statutory rate for a debt due on `due`: 31 December
    when interest starts in January–June, 30 June when it starts in July–December."""
    start = interest_starts(due)
    return date(start.year - 1, 12, 31) if start.month <= 6 else date(start.year, 6, 30)


BANK_RATE_FIELDS = ("date", "bank_rate", "source")


def _shipped() -> list[ReferenceRate]:
    """The table in the package (checked by its own test; a broken one is a bug, not the books')."""
    import yaml

    data = yaml.load(DATA_FILE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    return [ReferenceRate(date.fromisoformat(r["date"]), Decimal(r["bank_rate"]),
                          r.get("source") or "consult/data/bank_rate.yaml") for r in data["reference_rates"]]


def read_bank_rates(root: Path, problems: list[Problem]) -> list[ReferenceRate]:
    """The books' own `bank_rate.yaml`: a list of `{date, bank_rate, source}`, or the shipped
    file's shape (`reference_rates:` under a mapping). Each date is a reference day (30 June or
    31 December — the only days the Act reads), each rate a percentage from 0 to 25, a date at
    most once; every problem with file, line and field."""
    from consult.books.fields import Fields
    from consult.books.files import read_yaml, rel
    from consult.books.yamlsource import YMap, YSeq

    path = Path(root) / BOOKS_FILE
    if not path.exists() and not path.is_symlink():
        return []
    value = read_yaml(Path(root), path, problems, allow_empty=True)
    where = rel(Path(root), path)
    if isinstance(value, YMap):
        top = Fields(where, value, problems)
        top.day("valid_as_of")
        top.done(("reference_rates", "valid_as_of"))
        value = value.get("reference_rates")
    if value is None:
        return []
    if not isinstance(value, YSeq):
        problems.append(Problem(Source(where, getattr(value, "line", 1)), None,
                                "expected a list of reference values, e.g. - {date: 2026-12-31, bank_rate: 3.75}"))
        return []
    out: list[ReferenceRate] = []
    seen: dict[date, Source] = {}
    for i, item in enumerate(value):
        if not isinstance(item, YMap):
            problems.append(Problem(Source(where, item.line, item.column), f"[{i}]",
                                    "expected {date: YYYY-MM-DD, bank_rate: P}, e.g. - {date: 2026-12-31, bank_rate: 3.75}"))
            continue
        f = Fields(where, item, problems, f"[{i}].")
        day = f.day("date", True, "the reference day, 30 June or 31 December, e.g. date: 2026-12-31")
        rate = f.decimal("bank_rate", True, minimum=Decimal(0), maximum=Decimal(25),
                         hint="Bank Rate in percent on that day, e.g. bank_rate: 3.75")
        source = f.text("source")
        f.done(BANK_RATE_FIELDS)
        if day is not None and (day.month, day.day) not in ((6, 30), (12, 31)):
            f.error("date", f"{day} is not a reference day; the Act reads Bank Rate on 30 June and "
                            "31 December only (e.g. date: 2026-12-31)")
            continue
        if day is not None and day in seen:
            f.error("date", f"{day} is given twice (also at line {seen[day].line}); keep one value per day")
            continue
        if day is not None and rate is not None:
            seen[day] = f.where("date")
            out.append(ReferenceRate(day, rate, source or BOOKS_FILE))
    return out


def check_bank_rates(books: Books) -> list[Problem]:
    """`consult check`: the books' bank_rate.yaml, read as `invoice overdue` and `remind` read it."""
    problems: list[Problem] = []
    read_bank_rates(books.root, problems)
    return problems


def reference_rates(books_root: Path | None = None) -> dict[date, ReferenceRate]:
    """The shipped table, with the books' own `bank_rate.yaml` (if any) added over it; a
    problem in that file stops the command with file, line and field."""
    table = {r.date: r for r in _shipped()}
    if books_root is not None:
        problems: list[Problem] = []
        rates = read_bank_rates(Path(books_root), problems)
        if errors := [p for p in problems if p.severity == "error"]:
            raise BooksError(errors)
        for r in rates:
            table[r.date] = r
    return table


def reference_for(due: date, table: dict[date, ReferenceRate], base_rate: Decimal | None = None) -> ReferenceRate:
    """The reference Bank Rate for a debt due on `due`; `base_rate` overrides the table."""
    day = reference_day(due)
    if base_rate is not None:
        return ReferenceRate(day, base_rate, "--base-rate")
    try:
        return table[day]
    except KeyError:
        raise UsageError(
            f"no Bank Rate reference value for {day} (needed for debts due {due}); add "
            f"'- {{date: {day}, bank_rate: P}}' to {BOOKS_FILE} in your books, or pass --base-rate P") from None


def fixed_sum(debt_gbp: Money) -> Money:
    """The s.5A sum for a debt of `debt_gbp` (in sterling) when interest starts to run."""
    for below, amount in FIXED_SUMS:
        if below is None or debt_gbp.amount < below:
            return Money.of(amount, "GBP")
    raise AssertionError("unreachable")  # pragma: no cover


def interest(acct: Account, rate: Decimal, until: date) -> Money:
    """Simple daily interest at `rate` % a year on the balance outstanding each day from the day
    after the due date up to `until` (days counted as `until` − due date), each change to the
    balance counting from its own date; rounded once, half up."""
    inv = acct.invoice
    due = inv.due_date
    changes = [(e.date, e.amount.amount) for e in acct.events if e.kind != "invoice"]
    balance = inv.total.amount + sum((a for d, a in changes if d <= due), Decimal(0))
    later = sorted((d, a) for d, a in changes if due < d <= until)
    acc = Decimal(0)  # Σ balance × days, the balance as it stood on each day late
    start = due
    for d, a in later:
        acc += max(balance, Decimal(0)) * (d - start).days
        balance += a
        start = d
    if until > start:
        acc += max(balance, Decimal(0)) * (until - start).days
    return Money.rounded(acc * rate / Decimal(100) / DAYS_IN_YEAR, inv.currency, ROUND_HALF_UP)


def debt_when_late(acct: Account) -> Money:
    """What was outstanding at the end of the due date (what the fixed sum is for)."""
    inv = acct.invoice
    return inv.total + Money.total((e.amount for e in acct.events if e.kind != "invoice" and e.date <= inv.due_date),
                                   inv.currency)


def late_claim(acct: Account, client: Client, as_of: date, table: dict[date, ReferenceRate],
               base_rate: Decimal | None = None) -> LateClaim:
    """Interest and fixed sum on one invoice as of `as_of`: to the day it was paid, if it was paid
    late, else to `as_of` (None figures when it was never late, or the debt does not qualify)."""
    inv = acct.invoice
    owed_when_late = debt_when_late(acct)
    if not qualifies(client) or as_of <= inv.due_date or owed_when_late.amount <= 0:
        return LateClaim(acct, qualifies(client), None, None, None, None)
    settled = acct.settled_on
    until = min(as_of, settled) if settled is not None else as_of
    ref = reference_for(inv.due_date, table, base_rate)
    rate = ref.bank_rate + STATUTORY_MARGIN
    if inv.currency == "GBP":
        in_gbp = owed_when_late
    else:
        from consult.core.fx import convert

        in_gbp = convert(owed_when_late, "GBP", interest_starts(inv.due_date)).converted
    return LateClaim(acct, True, ref, rate, interest(acct, rate, until), fixed_sum(in_gbp), until)


def claims(accts: list[Account], clients: dict[str, Client], as_of: date, table: dict[date, ReferenceRate],
           base_rate: Decimal | None = None, *, settled: bool = True) -> list[LateClaim]:
    """Every invoice with a claim under the Act as of `as_of`: still overdue, and (`settled`)
    those paid late, whose interest to the day of payment and fixed sum stay claimable."""
    out = []
    for a in accts:
        if a.status == "credited" or a.invoice.client not in clients:
            continue
        c = late_claim(a, clients[a.invoice.client], as_of, table, base_rate)
        if c.interest is None:
            continue
        if a.status == "overdue" or (settled and a.outstanding.amount <= 0):
            out.append(c)
    return out
