"""Corporation tax for one accounting period, the way HMRC's marginal relief calculator works it.

The rules (Corporation Tax Act 2010 Part 3A; docs/tax.md):

* Profits up to the **lower limit** pay the small profits rate; over the **upper limit**, the
  main rate; in between, the main rate less **marginal relief** = fraction × (upper limit −
  profits) (augmented profits = taxable profits here: no dividends from other companies).
* The limits are divided by 1 + the number of **associated companies** (s.18D(3)) and cut in
  proportion for a **short accounting period** (s.18D(4)): × days ÷ 365 (÷ 366 for a 366-day
  period).
* An accounting period that **straddles 1 April** is worked as two parts, one per financial
  year, each with that year's rates and the profits apportioned by days (CTA 2010 s.1172);
  each part's limits are cut by its days ÷ 365 (÷ the financial year's days when the two
  years' limits differ). This is what HMRC's own calculator does
  (hmrc/marginal-relief-calculator-backend), so its figures are matched to the penny.
* Each part's tax is rounded once, half up to the penny (as HMRC's calculator rounds it);
  the relief printed is the main-rate tax less that, so the lines add up.
* The tax is due 9 months and a day after the period ends (TMA 1970 s.59D); companies with
  profits over £1.5m pay by quarterly instalments, which is not modelled.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Context, Decimal, localcontext
from fractions import Fraction

from consult.core.record import record
from consult.errors import UsageError
from consult.tax.lines import ZERO, gbp, money, pct, pence
from consult.tax.tables import TaxTable
from consult.work.rates import Step, number_text

_EXACT = Context(prec=50)


@record
class Part:
    """The slice of an accounting period that falls in one financial year."""

    financial_year: int
    start: date
    end: date
    days: int
    profits: Decimal  # apportioned, exact
    lower: Decimal  # limits after association and shortness, exact
    upper: Decimal
    tax: Decimal  # to the penny
    relief: Decimal  # to the penny


@record
class CorporationTax:
    start: date
    end: date
    profits: Decimal
    associated: int
    parts: tuple[Part, ...]
    steps: tuple[Step, ...]

    @property
    def amount(self) -> Decimal:
        return sum((p.tax for p in self.parts), ZERO)

    @property
    def due(self) -> date:
        return corporation_tax_due(self.end)


def financial_year_of(d: date) -> int:
    """The financial year holding `d` (FY2026 runs 1 April 2026 to 31 March 2027)."""
    return d.year if d.month >= 4 else d.year - 1


def add_months(d: date, n: int) -> date:
    """`d` moved by `n` calendar months, the day cut to the month's last (31 Jan + 1 = 28/29 Feb).

    Worked here rather than with dateutil's relativedelta (the same result) so that the tax
    command does not import dateutil."""
    months = d.month - 1 + n
    year, month = d.year + months // 12, months % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def corporation_tax_due(period_end: date) -> date:
    """Nine months and one day after the accounting period ends (TMA 1970 s.59D)."""
    return add_months(period_end, 9) + timedelta(days=1)


def fraction_text(d: Decimal) -> str:
    f = Fraction(d)
    return f"{f.numerator}/{f.denominator}" if f.denominator != 1 else str(f.numerator)


def _days(a: date, b: date) -> int:
    return (b - a).days + 1


def check_period(start: date, end: date) -> None:
    if end < start:
        raise UsageError(f"accounting period {start} to {end}: ends before it starts")
    if end > add_months(start, 12) - timedelta(days=1):
        raise UsageError(f"accounting period {start} to {end} is longer than 12 months; "
                         "a company's accounting period for corporation tax is at most 12 months")


def corporation_tax(table_for: Callable[[int], TaxTable], start: date, end: date, profits: Decimal,
                    associated: int = 0) -> CorporationTax:
    """Corporation tax on `profits` of the accounting period `start`–`end`, with its lines.

    `table_for(financial_year)` gives the table holding that financial year's rates (the one
    for the tax year starting in it); a year with no table is refused by name."""
    check_period(start, end)
    if associated < 0:
        raise UsageError("associated companies cannot be fewer than 0")
    p = max(profits, ZERO)
    total_days = _days(start, end)
    fy1 = financial_year_of(start)
    fy1_end = date(fy1 + 1, 3, 31)
    spans = [(fy1, start, min(end, fy1_end))]
    if end > fy1_end:
        spans.append((fy1 + 1, date(fy1 + 1, 4, 1), end))
    tables = [table_for(fy) for fy, _, _ in spans]
    limits_differ = len(tables) == 2 and tables[0].ct_upper_limit.value != tables[1].ct_upper_limit.value
    companies = associated + 1
    parts: list[Part] = []
    steps: list[Step] = [money("", "taxable profits", p,
                               f"{_span(start, end)}, {total_days} days")]
    for (fy, a, b), t in zip(spans, tables, strict=True):
        days = _days(a, b)
        with localcontext(_EXACT):
            share = p * days / total_days if len(spans) == 2 else p
            year_days = Decimal(_days(date(fy, 4, 1), date(fy + 1, 3, 31)))
            basis = year_days if limits_differ else Decimal(366 if total_days == 366 else 365)
            ratio = Decimal(days) / basis
            lower = t.ct_lower_limit.value * ratio / companies
            upper = t.ct_upper_limit.value * ratio / companies
        if len(spans) == 2:
            steps.append(money("", f"financial year {fy}: profits for {days} of {total_days} days", pence(share),
                               f"{_span(a, b)}; apportioned by days"))
        how = _limit_note(days, basis, companies)
        steps.append(money("", "lower limit", pence(lower), how.format(x=gbp(t.ct_lower_limit.value))))
        steps.append(money("", "upper limit", pence(upper), how.format(x=gbp(t.ct_upper_limit.value))))
        small, main = t.ct_small_profits_rate, t.ct_main_rate
        if share <= lower:
            tax = pence(share * small.fraction)
            relief = ZERO
            steps.append(money("", f"small profits rate {pct(small.value)} on {gbp(share)}", tax,
                               "profits at or under the lower limit"))
        else:
            before = pence(share * main.fraction)
            relief_exact = ZERO
            if share <= upper:
                with localcontext(_EXACT):
                    relief_exact = t.ct_marginal_fraction.value * (upper - share)
            tax = pence(share * main.fraction - relief_exact)
            relief = before - tax
            steps.append(money("", f"main rate {pct(main.value)} on {gbp(share)}", before))
            if share <= upper:
                frac = fraction_text(t.ct_marginal_fraction.value)
                steps.append(money("−", "marginal relief", relief,
                                   f"{frac} × ({gbp(upper)} − {gbp(share)})"))
            else:
                steps.append(money("−", "marginal relief", ZERO, "none: profits over the upper limit"))
        steps.append(money("=", f"corporation tax, financial year {fy}" if len(spans) == 2 else "corporation tax", tax))
        parts.append(Part(fy, a, b, days, share, lower, upper, tax, relief))
    if len(parts) == 2:
        steps.append(money("", "corporation tax", parts[0].tax + parts[1].tax,
                           f"{gbp(parts[0].tax)} + {gbp(parts[1].tax)}"))
    return CorporationTax(start, end, p, associated, tuple(parts), tuple(steps))


def _limit_note(days: int, basis: Decimal, companies: int) -> str:
    cuts = []
    if Decimal(days) != basis:
        cuts.append(f"× {days}/{number_text(basis)} days")
    if companies > 1:
        cuts.append(f"÷ {companies} (with {companies - 1} associated)")
    return "{x}" + (" " + " ".join(cuts) if cuts else "")


def _span(a: date, b: date) -> str:
    return f"{a.day} {a:%b %Y} – {b.day} {b:%b %Y}"
