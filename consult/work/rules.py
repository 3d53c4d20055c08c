"""How logged time becomes billable quantities: the rules printed on every invoice.

Raw time is never changed; these functions derive what is billed from it.

* **Daily** engagements bill days. Each calendar day's billable minutes on the engagement
  become days by the engagement's `day_rounding`:
  - `exact`: minutes / (hours_per_day x 60);
  - `half`:  that, rounded *up* to the next half day (3 h of a 7.5 h day = 0.5; 4 h = 1.0);
  - `whole`: rounded up to the next whole day.
  A calendar day bills at most one day unless the engagement says `overtime: true`.
  The period's quantity is the sum over days, taken to `QUANTITY_PLACES` decimal places
  (half up) so that a reader can check net = quantity x rate on the printed invoice.
* **Hourly** engagements bill hours. Each entry is rounded *up* to the engagement's
  `time_increment_minutes` (6 or 15 are usual; none means the exact minute), then summed.
* **Fixed** engagements bill the milestones due in the period (in `invoicing`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from fractions import Fraction

from consult.core.record import record
from consult.core.records import Engagement, TimeEntry

QUANTITY_PLACES = Decimal("0.001")  # quantities (days, hours) carry at most three decimals
_HALF = Decimal("0.5")


@record
class DayBilling:
    """One calendar day of one engagement: time logged and the days it bills."""

    date: date
    minutes: int            # all time logged, billable or not
    billable_minutes: int
    days: Decimal           # after day_rounding and the one-day cap (unrounded for `exact`)


def day_fraction(minutes: int, hours_per_day: Decimal, rounding: str, overtime: bool = False) -> Decimal:
    """Billable days for one calendar day's billable minutes."""
    if minutes <= 0:
        return Decimal(0)
    exact = Decimal(minutes) / (hours_per_day * 60)
    if rounding == "half":
        q = (exact / _HALF).to_integral_value(rounding=ROUND_CEILING) * _HALF
    elif rounding == "whole":
        q = exact.to_integral_value(rounding=ROUND_CEILING)
    else:
        q = exact
    if not overtime and q > 1:
        q = Decimal(1)
    return q


def exact_day_fraction(minutes: int, hours_per_day: Decimal, rounding: str, overtime: bool = False) -> Fraction:
    """`day_fraction` as an exact rational: 7 h of a 7.5 h day is exactly 14/15, never 0.933.
    What invoices price (net = rate × fraction, rounded once)."""
    if minutes <= 0:
        return Fraction(0)
    exact = Fraction(minutes) / (Fraction(hours_per_day) * 60)
    if rounding == "half":
        q = Fraction(math.ceil(exact * 2), 2)
    elif rounding == "whole":
        q = Fraction(math.ceil(exact))
    else:
        q = exact
    return min(q, Fraction(1)) if not overtime else q


def daily_breakdown(entries: Iterable[TimeEntry], engagement: Engagement) -> list[DayBilling]:
    """Per calendar day: minutes logged, billable minutes, and billed days. Sorted by date."""
    total: dict[date, int] = defaultdict(int)
    billable: dict[date, int] = defaultdict(int)
    for e in entries:
        total[e.date] += e.minutes
        if e.billable:
            billable[e.date] += e.minutes
    return [DayBilling(d, total[d], billable[d],
                       day_fraction(billable[d], engagement.hours_per_day, engagement.day_rounding,
                                    engagement.overtime))
            for d in sorted(total)]


def quantity(value: Decimal) -> Decimal:
    """A billed quantity as printed: three decimal places at most, half up, trailing zeros kept
    to one place (18.5, 0.133, 15.25)."""
    q = value.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP).normalize()
    return q.quantize(Decimal("0.1")) if q == q.to_integral_value() else q


def billable_days(entries: Iterable[TimeEntry], engagement: Engagement) -> Decimal:
    """The days a daily engagement bills for these entries (a printed quantity)."""
    return quantity(sum((d.days for d in daily_breakdown(entries, engagement)), Decimal(0)))


def billed_minutes(minutes: int, increment: int | None) -> int:
    """One entry's minutes rounded up to the increment (50 min at 15 -> 60)."""
    if not increment or minutes <= 0:
        return max(minutes, 0)
    return -(-minutes // increment) * increment


def billable_hours(entries: Iterable[TimeEntry], engagement: Engagement) -> tuple[int, int, Decimal]:
    """(actual billable minutes, billed minutes, billed hours as a printed quantity)."""
    actual = billed = 0
    for e in entries:
        if e.billable:
            actual += e.minutes
            billed += billed_minutes(e.minutes, engagement.time_increment_minutes)
    return actual, billed, quantity(Decimal(billed) / 60)


def rule_text(engagement: Engagement) -> str:
    """The rounding rule in words, printed on invoices and reports."""
    if engagement.billing == "daily":
        hpd = f"{engagement.hours_per_day.normalize():f} h"
        base = {
            "exact": f"days are hours logged ÷ {hpd}",
            "half": f"each day's hours round up to the next half day of {hpd}",
            "whole": f"any work on a day bills a whole day of {hpd}",
        }[engagement.day_rounding]
        cap = "" if engagement.overtime else "; at most one day per calendar day"
        return f"Daily rate: {base}{cap}."
    if engagement.billing == "hourly":
        inc = engagement.time_increment_minutes
        return (f"Hourly rate: each entry rounds up to the next {inc} minutes." if inc
                else "Hourly rate: time billed to the minute.")
    return "Fixed price: milestones billed as they fall due."
