"""Where a day rate stands against the market: dated reference points, each with its source.

The points shipped with consult (`consult/data/market_rates.yaml`: IT Jobs Watch and PayScale
figures, each with its source and the date it was true) and the books' own (`market_rates.yaml`
at the books root, or `market_rates:` in practice.yaml) are read here; `market_position` compares
a rate with each, converting a point in another currency at the ECB reference rate of its date
(consult.core.fx) and a salary to a day rate over `basis_days`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from consult.core.money import Money
from consult.core.record import record
from consult.errors import BooksError, Problem, Source, UsageError
from consult.work.rates import _EXACT, DEFAULT_SALARY_BASIS_DAYS, MAX_DAYS, check_hours_per_day, number_text

if TYPE_CHECKING:
    from consult.books.fields import Fields

MARKET_FILE = "market_rates.yaml"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent  # so sources read consult/data/…


PointKind = Literal["day_rate", "hour_rate", "salary"]
POINT_KINDS: tuple[PointKind, ...] = ("day_rate", "hour_rate", "salary")


@record
class RefPoint:
    """A dated reference figure: what someone reported a rate or salary to be, and when."""

    label: str
    kind: PointKind
    amount: Money
    source: str
    as_of: str  # YYYY, YYYY-MM or YYYY-MM-DD: when the figure was true
    statistic: str = ""  # median, 90th percentile, average, typical
    region: str = ""
    origin: str = ""  # file:line it was read from
    note: str = ""

    @property
    def on(self) -> date:
        """The date a currency conversion uses: the day given, else mid-month, else 30 June."""
        parts = [int(p) for p in self.as_of.split("-")]
        if len(parts) == 3:
            return date(parts[0], parts[1], parts[2])
        if len(parts) == 2:
            return date(parts[0], parts[1], 15)
        return date(parts[0], 6, 30)


AS_OF_RE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")


@record
class Comparison:
    """One reference point against the rate: as a day rate in the rate's currency."""

    point: RefPoint
    day_rate: Money | None  # None when it could not be converted
    how: str  # how the point became a day rate (salary ÷ days, FX rate and source)
    difference_percent: Decimal | None  # (rate − point) ÷ point × 100, half up to 1 place


@record
class MarketResult:
    rate: Money
    rows: tuple[Comparison, ...]
    basis_days: Decimal
    hours_per_day: Decimal
    summary: str
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        return {
            "rate": self.rate.plain(), "currency": self.rate.currency,
            "salary_basis_days": number_text(self.basis_days), "hours_per_day": number_text(self.hours_per_day),
            "summary": self.summary,
            "points": [{
                "label": c.point.label, "kind": c.point.kind, "statistic": c.point.statistic,
                "region": c.point.region, "amount": c.point.amount.plain(),
                "currency": c.point.amount.currency, "as_of": c.point.as_of, "source": c.point.source,
                "origin": c.point.origin,
                "day_rate": None if c.day_rate is None else c.day_rate.plain(), "how": c.how,
                "difference_percent": None if c.difference_percent is None else number_text(c.difference_percent),
            } for c in self.rows],
            "notes": list(self.notes),
        }


Converter = Callable[[Money, str, date], tuple[Money, str]]


def market_position(rate: Money, points: Sequence[RefPoint], *, hours_per_day: Decimal = Decimal("7.5"),
                    basis_days: Decimal = DEFAULT_SALARY_BASIS_DAYS,
                    converter: Converter | None = None) -> MarketResult:
    """Where `rate` (a day rate) sits against `points`, each turned into a day rate.

    A salary point ÷ `basis_days`; an hourly point × `hours_per_day`; a point in another
    currency through `converter(amount, to_currency, on) -> (converted, how)` (left out,
    with a note, when there is no converter or it fails).
    """
    check_hours_per_day(hours_per_day)
    if not Decimal(0) < basis_days <= MAX_DAYS:
        raise UsageError(f"--basis-days {number_text(basis_days)}: must be more than 0 and at most 366")
    cur = rate.currency
    rows: list[Comparison] = []
    notes: list[str] = []
    for p in points:
        amount, how = p.amount, ""
        if amount.currency != cur:
            if converter is None:
                rows.append(Comparison(p, None, f"in {amount.currency}; no rate to {cur}", None))
                continue
            try:
                amount, how = converter(amount, cur, p.on)
            except Exception as e:  # a missing FX rate leaves the point out, it does not stop the report
                rows.append(Comparison(p, None, f"not converted: {e}", None))
                continue
        if p.kind == "salary":
            exact = _EXACT.divide(amount.amount, basis_days)
            how = "; ".join(x for x in (how, f"÷ {number_text(basis_days)} billable days") if x)
        elif p.kind == "hour_rate":
            exact = _EXACT.multiply(amount.amount, hours_per_day)
            how = "; ".join(x for x in (how, f"× {number_text(hours_per_day)} hours") if x)
        else:
            exact = amount.amount
        as_day = Money.rounded(exact, cur)
        diff = ((rate.amount - as_day.amount) * 100 / as_day.amount).quantize(Decimal("0.1"), ROUND_HALF_UP) \
            if as_day.amount else None
        rows.append(Comparison(p, as_day, how, diff))
    compared = [c for c in rows if c.day_rate is not None]
    compared.sort(key=lambda c: c.day_rate.amount if c.day_rate else Decimal(0))
    rows = compared + [c for c in rows if c.day_rate is None]
    below = sum(1 for c in compared if c.day_rate is not None and c.day_rate.amount < rate.amount)
    if not compared:
        summary = f"no reference point could be compared with a {cur} day rate"
    else:
        summary = f"{rate.plain()} {cur}/day is above {below} of {len(compared)} reference points"
    if any(c.point.kind == "salary" for c in compared):
        notes.append(f"salaries are shown as salary ÷ {number_text(basis_days)} billable days: the day rate that "
                     "earns the salary alone (no pension, benefits or expenses; see `consult rate salary`)")
    return MarketResult(rate, tuple(rows), basis_days, hours_per_day, summary, tuple(notes))


POINT_FIELDS = ("label", "kind", "amount", "currency", "source", "as_of", "statistic", "region", "note")


def read_points(items: Sequence[Fields]) -> list[RefPoint]:
    """Reference points from parsed YAML entries; every problem goes to the entries' problem list."""
    out: list[RefPoint] = []
    for f in items:
        label = f.text("label", True, "what was measured, e.g. UK contract ML engineer day rate")
        kind = f.choice("kind", POINT_KINDS, required=True)
        currency = f.currency("currency", required=True)
        amount = f.money("amount", currency, True, positive=True) if currency else None
        source = f.text("source", True, "who published the figure, e.g. IT Jobs Watch")
        as_of = f.text("as_of", True, "when the figure was true: 2020, 2020-04 or 2020-04-03")
        if as_of is not None and not AS_OF_RE.fullmatch(as_of):
            f.error("as_of", f"'{as_of}' is not a year, month or date — e.g. 2020, 2020-04 or 2020-04-03")
            as_of = None
        statistic, region, note = f.text("statistic") or "", f.text("region") or "", f.text("note") or ""
        f.done(POINT_FIELDS)
        if None in (label, kind, amount, source, as_of):
            continue
        assert label and kind and amount and source and as_of
        origin = f"{f.path}:{f.map.line}" if f.map.line else f.path
        out.append(RefPoint(label, kind, amount, source, as_of, statistic, region, origin, note))
    return out


def _point_entries(root: Path, path: Path, problems: list[Problem]) -> list[Any]:
    """The entries of a points file: a mapping with `points:`, or a bare list."""
    from consult.books.fields import Fields
    from consult.books.files import read_yaml, rel
    from consult.books.yamlsource import YMap, YSeq

    if not path.is_file():
        return []
    value = read_yaml(root, path, problems, allow_empty=True)
    r = rel(root, path)
    if isinstance(value, YMap):
        f = Fields(r, value, problems)
        items = f.items("points")
        f.done(("points", "valid_as_of"))
        return items
    if isinstance(value, YSeq):
        return Fields(r, YMap({"points": value}), problems).items("points")
    if value is not None:
        problems.append(Problem(_source(r, value), None, "expected `points:` with a list of reference points"))
    return []


def _source(path: str, value: Any) -> Source:
    return Source(path, getattr(value, "line", None))


def reference_points(books: Path | None) -> list[RefPoint]:
    """The shipped points, then the books' own (market_rates.yaml, practice.yaml `market_rates:`)."""
    from consult.books.files import PRACTICE_FILE, read_mapping

    problems: list[Problem] = []
    entries = _point_entries(PACKAGE_ROOT, PACKAGE_ROOT / "consult" / "data" / MARKET_FILE, problems)
    if books is not None:
        entries += _point_entries(books, books / MARKET_FILE, problems)
        practice = read_mapping(books, books / PRACTICE_FILE, problems)
        if practice is not None:
            entries += practice.items("market_rates")
    points = read_points(entries)
    if any(p.severity == "error" for p in problems):
        raise BooksError(problems, "the market reference points have errors")
    return points


def check_market_rates(root: Path) -> list[Problem]:
    """`consult check`: the books' own reference points — `market_rates.yaml` and practice.yaml's
    `market_rates:` — read as `consult rate market` reads them, every problem with file, line
    and field. (The points consult ships are its own tests' business.)"""
    from consult.books.fields import Fields
    from consult.books.files import PRACTICE_FILE, read_mapping

    root = Path(root)
    problems: list[Problem] = []
    entries = _point_entries(root, root / MARKET_FILE, problems)
    practice = read_mapping(root, root / PRACTICE_FILE, [])  # what is wrong with it otherwise is the loader's
    if practice is not None:
        entries += Fields(practice.path, practice.map, problems).items("market_rates")
    read_points(entries)
    return problems


def ecb_converter(amount: Money, to: str, on: date) -> tuple[Money, str]:
    """`amount` in `to` at the ECB reference rate of `on` (consult.core.fx), with the rate and its source."""
    from consult.core.fx import convert as fx_convert

    c = fx_convert(amount, to, on)
    return c.converted, f"{amount.plain()} {amount.currency} × {c.rate} ({c.source}) = {c.converted.plain()} {to}"
