"""Statutory late-payment interest and fixed compensation (Late Payment of Commercial Debts
(Interest) Act 1998), for `consult invoice overdue`.

The rules, as in research/domain-rules.md §2:

* **Rate**: 8% a year over the Bank of England Bank Rate *reference value*: the rate in force
  on 31 December for a debt that falls due between 1 January and 30 June, on 30 June for one
  due between 1 July and 31 December. It is fixed when the debt falls late (s.4(2): "at the
  rate prevailing ... at the end of the relevant day") and does not move while it stays unpaid.
  Reference values are dated data (`consult/data/bank_rate.yaml`), extended by `bank_rate.yaml`
  in the books; a `--base-rate` given on the command line overrides both.
* **Interest**: simple, daily, from the day after the due date to the date asked about, on what
  is still outstanding each day (a part payment or credit note reduces it from its date):
  sum(balance x rate / 100 x days / 365), rounded once, half up, to the penny.
* **Fixed sum** (s.5A), once per debt, by its size when it fell late: under £1,000 £40;
  £1,000 to £9,999.99 £70; £10,000 or more £100.
* **Which debts qualify** (our decision, written down): only a client with `country: GB`
  invoiced in GBP. consult bills businesses, which the Act covers (never consumers); debts
  governed by another country's law (s.12), or in another currency (the fixed sums are in
  sterling and we found no rule for them), are left to that country's rules, so they are
  listed as overdue without interest. The Act also gives way to a contract that sets its own
  "substantial remedy" (ss.8-9): a user with such terms should not claim these figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from consult.core.money import Money
from consult.core.records import Client
from consult.errors import ConsultError, UsageError
from consult.invoices.accounts import Account

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


@dataclass(frozen=True, slots=True)
class ReferenceRate:
    """The Bank Rate in force on a reference day (30 June or 31 December)."""

    date: date
    bank_rate: Decimal
    source: str


@dataclass(frozen=True, slots=True)
class LateClaim:
    """What may be claimed on one overdue invoice as of a date."""

    account: Account
    qualifies: bool
    reference: ReferenceRate | None
    rate: Decimal | None         # the statutory rate, percent a year
    interest: Money | None
    fixed_sum: Money | None

    @property
    def claim(self) -> Money | None:
        if self.interest is None or self.fixed_sum is None:
            return None
        return self.interest + self.fixed_sum


def qualifies(client: Client) -> bool:
    """A UK business debt in sterling (see the module notes)."""
    return client.kind == "client" and client.country == "GB" and client.currency == "GBP"


def reference_day(due: date) -> date:
    """The day whose Bank Rate fixes the statutory rate for a debt due on `due`."""
    return date(due.year - 1, 12, 31) if due.month <= 6 else date(due.year, 6, 30)


def _read(path: Path, label: str) -> list[ReferenceRate]:
    import yaml

    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
        rows = data["reference_rates"] if isinstance(data, dict) else data
        return [ReferenceRate(date.fromisoformat(r["date"]), Decimal(r["bank_rate"]),
                              r.get("source") or label) for r in rows or ()]
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, ArithmeticError) as e:
        raise ConsultError(f"{label}: cannot read the Bank Rate table ({type(e).__name__}: {e}); each item "
                           "needs date and bank_rate, e.g. - {date: 2026-06-30, bank_rate: 3.75}") from None


def reference_rates(books_root: Path | None = None) -> dict[date, ReferenceRate]:
    """The shipped table, with the books' own `bank_rate.yaml` (if any) added over it."""
    table = {r.date: r for r in _read(DATA_FILE, "consult/data/bank_rate.yaml")}
    if books_root is not None and (Path(books_root) / BOOKS_FILE).is_file():
        for r in _read(Path(books_root) / BOOKS_FILE, BOOKS_FILE):
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


def fixed_sum(debt: Money) -> Money:
    for below, amount in FIXED_SUMS:
        if below is None or debt.amount < below:
            return Money.of(amount, debt.currency)
    raise AssertionError("unreachable")  # pragma: no cover


def interest(acct: Account, rate: Decimal, as_of: date) -> Money:
    """Simple daily interest at `rate` % a year on the balance outstanding each day after the
    due date up to `as_of` (days late = as_of - due date; a payment stops interest on what it
    pays from its own date), rounded once, half up."""
    inv = acct.invoice
    due = inv.due_date
    changes: list[tuple[date, Decimal]] = [(p.date, p.amount.amount + (p.withheld.amount if p.withheld else 0))
                                           for p in acct.payments]
    changes += [(c.issue_date, c.total.amount) for c in acct.credit_notes]
    balance = inv.total.amount - sum((a for d, a in changes if d <= due), Decimal(0))
    later = sorted((d, a) for d, a in changes if due < d <= as_of)
    acc = Decimal(0)  # sum of balance x days, the balance as it stood on each day late
    start = due
    for d, a in later:
        acc += max(balance, Decimal(0)) * (d - start).days
        balance -= a
        start = d
    acc += max(balance, Decimal(0)) * (as_of - start).days
    return Money.rounded(acc * rate / Decimal(100) / DAYS_IN_YEAR, inv.currency, ROUND_HALF_UP)


def late_claim(acct: Account, client: Client, as_of: date, table: dict[date, ReferenceRate],
               base_rate: Decimal | None = None) -> LateClaim:
    """Interest and fixed sum for one overdue account (None figures when the debt does not qualify)."""
    if not qualifies(client) or acct.days_late <= 0:
        return LateClaim(acct, qualifies(client), None, None, None, None)
    ref = reference_for(acct.invoice.due_date, table, base_rate)
    rate = ref.bank_rate + STATUTORY_MARGIN
    inv = acct.invoice
    debt_when_late = inv.total - Money.total(
        [p.amount + (p.withheld or Money.zero(inv.currency)) for p in acct.payments if p.date <= inv.due_date]
        + [c.total for c in acct.credit_notes if c.issue_date <= inv.due_date], inv.currency)
    return LateClaim(acct, True, ref, rate, interest(acct, rate, as_of), fixed_sum(debt_when_late))
