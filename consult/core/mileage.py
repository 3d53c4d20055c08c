"""Business miles in your own vehicle at HMRC's approved mileage rates.

The rates are dated data (`consult/data/mileage_rates.yaml`, with sources), never literals
here. The rule, written once:

* Cars and vans share one threshold: the first 10,000 business miles of a UK tax year
  (6 April to 5 April) at the higher rate (45p since 6 April 2011), every mile after it at the
  lower one (25p). Motorcycles (24p) and bicycles (20p) have one rate.
* Trips count in date order (then in the order they were written), so the trip that crosses
  10,000 miles is split: the miles up to 10,000 at 45p, the rest at 25p.
* A trip's allowance is worked once: miles × rate for each part, added, rounded half up to the
  penny (`Money.rounded`).

A mileage claim is not a purchase: it carries no VAT and stays out of the VAT return.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from consult.core.money import Money
from consult.core.record import record
from consult.errors import ConsultError

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "mileage_rates.yaml"
VEHICLES = ("car", "van", "motorcycle", "bicycle")
SHARED = {"car": "car/van", "van": "car/van"}  # vehicles whose miles count towards one threshold


@record
class MileageRate:
    """One row of the table: from `start`, `rate` per mile (£), `after` past the threshold."""

    start: date
    vehicle: str
    rate: Decimal
    after: Decimal | None
    source: str


@record
class Table:
    threshold: Decimal
    rates: tuple[MileageRate, ...]
    valid_as_of: date


@cache
def table() -> Table:
    """The shipped table, read once (every number from its text: no float)."""
    import yaml

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # libyaml when present: the same strings, 10x faster
    data = yaml.load(DATA_FILE.read_text(encoding="utf-8"), Loader=loader)
    rows = tuple(MileageRate(date.fromisoformat(r["from"]), r["vehicle"], Decimal(r["rate"]),
                             Decimal(r["after"]) if r.get("after") else None, r.get("source", ""))
                 for r in data["rates"])
    return Table(Decimal(data["threshold_miles"]), tuple(sorted(rows, key=lambda r: r.start)),
                 date.fromisoformat(data["valid_as_of"]))


def rate_on(vehicle: str, day: date) -> MileageRate:
    """The approved rate for `vehicle` on `day` (ConsultError before the table starts)."""
    found = [r for r in table().rates if r.vehicle == vehicle and r.start <= day]
    if not found:
        raise ConsultError(f"no approved mileage rate for a {vehicle} on {day} "
                           f"(consult/data/mileage_rates.yaml starts {table().rates[0].start})")
    return found[-1]


def tax_year_of(day: date) -> int:
    """The UK tax year (by its first calendar year) holding `day`: the threshold's year."""
    return day.year if (day.month, day.day) >= (4, 6) else day.year - 1


@record
class Trip:
    day: date
    miles: Decimal
    vehicle: str


@record
class Allowance:
    """What one trip is worth, and how it was worked."""

    trip: Trip
    amount: Money
    miles_before: Decimal  # business miles of its threshold group earlier in the tax year
    working: str           # e.g. "84 mi × £0.45" or "30 mi × £0.45 + 54 mi × £0.25"
    source: str


def _pence(rate: Decimal) -> str:
    return f"£{rate:.2f}"


def allowances(trips: Iterable[Trip]) -> list[Allowance]:
    """Each trip's allowance, in the order given (give them in date order, then file order)."""
    t = table()
    seen: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    out: list[Allowance] = []
    for trip in trips:
        r = rate_on(trip.vehicle, trip.day)
        key = (SHARED.get(trip.vehicle, trip.vehicle), tax_year_of(trip.day))
        before = seen[key]
        seen[key] = before + trip.miles
        if r.after is None:
            first, rest = trip.miles, Decimal(0)
        else:
            first = max(Decimal(0), min(trip.miles, t.threshold - before))
            rest = trip.miles - first
        value = first * r.rate + rest * (r.after or Decimal(0))
        parts = [f"{first.normalize():f} mi × {_pence(r.rate)}"] if first else []
        if rest:
            assert r.after is not None
            parts.append(f"{rest.normalize():f} mi × {_pence(r.after)}")
        out.append(Allowance(trip, Money.rounded(value, "GBP"), before, " + ".join(parts), r.source))
    return out
