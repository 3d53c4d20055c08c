"""The printed lines of a tax computation, and the one rounding rule they share.

Every figure consult's tax pages print is a `Step` (consult.work.rates: the same lines `consult
rate target` prints) so that a user can follow the arithmetic with a pencil. A `Section` is a
titled run of them. Money here is pounds sterling.

Rounding (docs/tax.md, "Rounding"): each line of tax — one band, one class of National
Insurance, one slice of corporation tax — is worked exactly in `Decimal` and rounded once, half
up, to the penny; a total is the sum of the lines printed above it, so the lines always add up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from consult.core.money import Money
from consult.core.record import record
from consult.work.rates import Step, number_text

GBP = "GBP"
ZERO = Decimal(0)
PENNY = Decimal("0.01")


def pence(value: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    """`value` to the penny (half up unless a rule names another way)."""
    return value.quantize(PENNY, rounding=rounding)


def whole_pounds_up(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_CEILING)


def half_down_to_penny(value: Decimal) -> Decimal:
    """Half of `value`, rounded down to the penny (a payment on account)."""
    return (value / 2).quantize(PENNY, rounding=ROUND_FLOOR)


def gbp(value: Decimal) -> str:
    """£12,570.00 — money inside a label (the table's own column uses the practice locale)."""
    sign = "−" if value < 0 else ""
    return f"{sign}£{abs(pence(value)):,.2f}"


def pct(rate: Decimal) -> str:
    return f"{number_text(rate)}%"


def money(op: str, label: str, value: Decimal, note: str = "") -> Step:
    """A line worth `value` pounds (already at the penny when it is tax)."""
    return Step(op, label, value, GBP, Money.rounded(value, GBP), note)


def count(op: str, label: str, value: Decimal, unit: str, note: str = "") -> Step:
    return Step(op, label, value, unit, None, note)


def total(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


@record
class Section:
    """A titled run of lines, e.g. "Income tax" or "Corporation tax, 1 Apr 2026 – 31 Mar 2027"."""

    title: str
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {"title": self.title, "steps": [s.as_dict() for s in self.steps], "notes": list(self.notes)}
