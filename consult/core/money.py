"""Money: a `Decimal` amount with an ISO 4217 currency, at that currency's minor unit.

Rules written down once (and tested with figures worked by hand):

* An amount is never built from a float. YAML and CSV numbers are read from their *text*
  (`parse_decimal`), so `rate: 525.50` is `Decimal("525.50")`.
* `Money` always holds an amount already at the currency's minor unit (2 places for GBP,
  0 for JPY, 3 for BHD). Arithmetic that can make more places (`times`, `ratio`) rounds
  exactly once, with `ROUND_HALF_UP` unless the caller names another rule: the way a
  spreadsheet and HMRC's default rule round (2.665 -> 2.67), not Python's `round()` which
  rounds half to even.
* Two currencies never meet: adding or comparing GBP with EUR raises `CurrencyMismatch`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from functools import cache

from consult.core.record import record
from consult.errors import CurrencyMismatch

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
MAX_INTEGER_DIGITS = 15  # a trillion pounds is a typo, not a fee


def parse_decimal(text: str) -> Decimal:
    """Decimal from the text a person wrote: `650`, `525.50`, `-3.5`, `1_000` or `1,000.00`.

    Refuses exponents, NaN and infinities, and anything over 15 integer digits, raising
    ValueError with the reason. Commas are accepted only as thousands separators.
    """
    s = text.strip().replace("_", "")
    if "," in s:
        if not re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", s):
            raise ValueError(f"'{text}' is not a number (use a point for decimals, e.g. 525.50)")
        s = s.replace(",", "")
    if not _NUMBER.fullmatch(s):
        raise ValueError(f"'{text}' is not a number")
    try:
        d = Decimal(s)
    except InvalidOperation:  # pragma: no cover - the regex already excludes these
        raise ValueError(f"'{text}' is not a number") from None
    if d.adjusted() >= MAX_INTEGER_DIGITS:
        raise ValueError(f"'{text}' is too large (more than {MAX_INTEGER_DIGITS} digits)")
    return d


@cache
def _currencies() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    """True for an ISO 4217 code that CLDR knows (upper case only: `gbp` is refused)."""
    return len(code) == 3 and code.isupper() and code in _currencies()


@cache
def minor_unit(currency: str) -> int:
    """Digits after the decimal point for the currency, from CLDR (GBP 2, JPY 0, BHD 3)."""
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(currency))


@cache
def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def round_money(value: Decimal, currency: str, rounding: str = ROUND_HALF_UP) -> Decimal:
    """The one rounding step: to the currency's minor unit, half up unless told otherwise."""
    return value.quantize(quantum(currency), rounding=rounding)


@record
class Money:
    """An amount at its currency's minor unit. Build with `Money.of` or `Money.rounded`."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money amount must be Decimal, not {type(self.amount).__name__}")
        if self.amount != self.amount.quantize(quantum(self.currency)):
            raise ValueError(
                f"{self.amount} has more decimal places than {self.currency} allows "
                f"({minor_unit(self.currency)})"
            )
        # normalise the exponent so that equal amounts print alike: 650 -> 650.00
        object.__setattr__(self, "amount", self.amount.quantize(quantum(self.currency)))

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Exact construction: refuses an amount with more places than the currency has."""
        if isinstance(amount, float):
            raise TypeError("Money is never built from a float")
        d = amount if isinstance(amount, Decimal) else parse_decimal(str(amount))
        return cls(d, currency)

    @classmethod
    def rounded(cls, value: Decimal, currency: str, rounding: str = ROUND_HALF_UP) -> Money:
        return cls(round_money(value, currency, rounding), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def total(cls, items: Iterable[Money], currency: str) -> Money:
        """Sum of amounts that must all be in `currency` (an empty sum is zero)."""
        acc = Decimal(0)
        for m in items:
            if m.currency != currency:
                raise CurrencyMismatch(f"cannot add {m.currency} to a {currency} total")
            acc += m.amount
        return cls(acc, currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return self.amount != 0

    def times(self, quantity: Decimal, rounding: str = ROUND_HALF_UP) -> Money:
        """quantity x this amount, rounded once to the minor unit (an invoice line's net)."""
        return Money.rounded(self.amount * quantity, self.currency, rounding)

    def times_exact(self, quantity: Fraction) -> Money:
        """quantity x this amount for an exact rational quantity (7 h of a 7.5 h day is 14/15),
        rounded once, half up: worked in integers, so no digit is lost before the rounding."""
        q = quantum(self.currency)  # 0.01
        scale = Fraction(1) / Fraction(q)  # 100
        exact = Fraction(self.amount) * quantity * scale
        n, d = exact.numerator, exact.denominator
        units = (abs(n) * 2 + d) // (2 * d)  # half away from zero, as ROUND_HALF_UP
        return Money((Decimal(units if n >= 0 else -units) * q).quantize(q), self.currency)

    def percent(self, rate: Decimal, rounding: str = ROUND_HALF_UP) -> Money:
        """`rate` percent of this amount (20 -> VAT at 20%), rounded once."""
        return Money.rounded(self.amount * rate / Decimal(100), self.currency, rounding)

    def convert(self, rate: Decimal, to: str, rounding: str = ROUND_HALF_UP) -> Money:
        """This amount in `to`, where `rate` is units of `to` per one unit of this currency."""
        return Money.rounded(self.amount * rate, to, rounding)

    def format(self, locale: str = "en_GB") -> str:
        """As CLDR writes it for the locale: £12,025.00, ₹6,91,892.00, 691 892,50 €."""
        from babel.numbers import format_currency

        return str(format_currency(self.amount, self.currency, locale=locale))

    def plain(self) -> str:
        """Amount text with no symbol or grouping, for CSV, JSON and YAML: '12025.00'."""
        return f"{self.amount:f}"

    def __str__(self) -> str:
        return f"{self.plain()} {self.currency}"
