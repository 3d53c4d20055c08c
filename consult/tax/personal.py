"""A person's income tax and National Insurance for one tax year, line by line.

The rules (docs/tax.md gives each its source):

* **Income** is employment income (salaries, a director's salary), trading profits (every
  self-employment the person has) and dividends. Savings interest, property income, pensions,
  gains and reliefs (pension contributions, Gift Aid, losses) are not modelled.
* **Personal allowance**, set first against income other than dividends, then dividends.
  Over £100,000 of income it is reduced by half the excess (ITA 2007 s.35); the allowance
  is a whole number of pounds, so it is rounded *up* to the pound — £1 less for every whole
  £2 over, as HMRC words it (PolicyEngine UK does the same).
* **Bands** are on taxable income. Income other than dividends runs through the rest of the
  UK's bands, or Scotland's for a Scottish taxpayer. Dividends sit on top of it in the rest of
  the UK's bands (also for a Scottish taxpayer): the dividend allowance taxes the first £500
  at 0% but still uses up band; the rest pays the dividend rate of the band it falls in.
* **Class 4** National Insurance on trading profits: the main rate between the lower and
  upper profits limits, the upper rate above. **Class 2** is no longer payable from 2024/25
  (profits at or over the small profits threshold are credited with a qualifying year); a
  table may still name a compulsory weekly rate for an earlier year.
* **Class 1** (employee and employer) on a year's pay in one annual earnings period, as a
  company director's is worked (SI 2001/1004 reg 8); other employees pay by pay period, which
  comes to the same over a steady year.

Every band's tax is rounded half up to the penny and the totals add the rounded lines.
"""

from __future__ import annotations

from decimal import Decimal

from consult.core.record import record
from consult.core.records import Practice
from consult.tax.lines import ZERO, gbp, money, pct, pence, total, whole_pounds_up
from consult.tax.tables import Band, TaxTable
from consult.work.rates import Step

DIVIDEND_RATE_NAMES = ("ordinary rate", "upper rate", "additional rate")  # in the basic, higher, additional bands


@record
class Income:
    """What one person has in a tax year, in pounds (losses and negatives count as nothing)."""

    employment: Decimal = ZERO
    trading: Decimal = ZERO
    dividends: Decimal = ZERO
    scottish: bool = False

    @property
    def non_savings(self) -> Decimal:
        return max(self.employment, ZERO) + max(self.trading, ZERO)

    @property
    def total(self) -> Decimal:
        return self.non_savings + max(self.dividends, ZERO)


@record
class Computed:
    """Some tax and the lines that worked it out."""

    steps: tuple[Step, ...]
    amount: Decimal


@record
class IncomeTax:
    steps: tuple[Step, ...]
    allowance: Decimal
    non_dividend_tax: Decimal
    dividend_tax: Decimal

    @property
    def amount(self) -> Decimal:
        return self.non_dividend_tax + self.dividend_tax


def personal_allowance(table: TaxTable, income: Decimal) -> tuple[Decimal, list[Step]]:
    """The allowance after the taper, with its lines (none when there is no taper)."""
    full = table.personal_allowance.value
    over = income - table.taper_threshold.value
    if over <= 0:
        return full, [money("", "personal allowance", full)]
    cut = over * table.taper_rate.fraction
    allowance = max(ZERO, whole_pounds_up(full - cut))
    return allowance, [
        money("", "personal allowance", full),
        money("−", "allowance withdrawn", full - allowance,
              f"{pct(table.taper_rate.value)} of {gbp(over)} over {gbp(table.taper_threshold.value)}, "
              "in whole pounds (ITA 2007 s.35)"),
        money("=", "personal allowance left", allowance),
    ]


def _slices(bands: tuple[Band, ...], start: Decimal, amount: Decimal) -> list[tuple[int, Band, Decimal]]:
    """How `amount` of taxable income, starting at `start`, falls into `bands`: (index, band, base)."""
    out: list[tuple[int, Band, Decimal]] = []
    pos, left = start, amount
    for i, b in enumerate(bands):
        if left <= 0:
            break
        hi = b.to.value if b.to is not None else None
        if hi is not None and pos >= hi:
            continue
        room = left if hi is None else min(left, hi - pos)
        out.append((i, b, room))
        pos += room
        left -= room
    return out


def income_tax(table: TaxTable, inc: Income) -> IncomeTax:
    """Income tax on employment, trading and dividend income, every band on its own line."""
    steps: list[Step] = []
    parts = [("employment income", inc.employment), ("trading profits", inc.trading), ("dividends", inc.dividends)]
    shown = [(label, max(v, ZERO)) for label, v in parts if v]
    if not shown:
        shown = [("income", ZERO)]
    for i, (label, v) in enumerate(shown):
        steps.append(money("" if i == 0 else "+", label, v))
    income = inc.total
    if len(shown) > 1:
        steps.append(money("=", "total income", income))
    allowance, pa_steps = personal_allowance(table, income)
    steps += pa_steps
    other = inc.non_savings
    dividends = max(inc.dividends, ZERO)
    pa_other = min(allowance, other)
    pa_div = min(allowance - pa_other, dividends)
    taxable_other = other - pa_other
    taxable_div = dividends - pa_div

    # income other than dividends: Scotland's bands for a Scottish taxpayer
    bands = table.scottish_bands if inc.scottish else table.bands
    prefix = "Scottish " if inc.scottish else ""
    what = "earnings and profits" if dividends else "income"
    steps.append(money("", f"taxable {what}", taxable_other,
                       f"{gbp(other)} − {gbp(pa_other)} allowance" if pa_other else ""))
    lines = []
    for _, b, base in _slices(bands, ZERO, taxable_other):
        tax = pence(base * b.rate.fraction)
        lines.append(tax)
        steps.append(money("+" if len(lines) > 1 else "", f"{prefix}{b.name} {pct(b.rate.value)} on {gbp(base)}", tax))
    other_tax = total(lines)
    steps.append(money("=", f"tax on {what}" if dividends else "income tax", other_tax))

    div_tax = ZERO
    if dividends:
        steps.append(money("", "taxable dividends", taxable_div,
                           f"{gbp(dividends)} − {gbp(pa_div)} allowance left" if pa_div else ""))
        nil = min(table.dividend_allowance.value, taxable_div)
        dlines: list[Decimal] = []
        if nil:
            steps.append(money("", f"dividend allowance 0% on {gbp(nil)}", ZERO,
                               "uses up band like any other income"))
        # dividends sit on top of the other taxable income, in the rest of the UK's bands
        for i, _, base in _slices(table.bands, taxable_other + nil, taxable_div - nil):
            rate = table.dividend_rates[i]
            tax = pence(base * rate.fraction)
            steps.append(money("+" if dlines or nil else "", f"dividend {DIVIDEND_RATE_NAMES[i]} "
                               f"{pct(rate.value)} on {gbp(base)}", tax))
            dlines.append(tax)
        div_tax = total(dlines)
        steps.append(money("=", "tax on dividends", div_tax))
        steps.append(money("", "income tax", other_tax + div_tax, f"{gbp(other_tax)} + {gbp(div_tax)}"))
    return IncomeTax(tuple(steps), allowance, other_tax, div_tax)


def _two_rates(amount: Decimal, lo: Decimal, hi: Decimal, main_rate: Decimal,
               upper_rate: Decimal) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """National Insurance's shape: `main_rate` from `lo` to `hi`, `upper_rate` above:
    (main base, upper base, main, upper), each amount rounded half up to the penny."""
    main_base = max(ZERO, min(amount, hi) - lo)
    upper_base = max(ZERO, amount - hi)
    return main_base, upper_base, pence(main_base * main_rate), pence(upper_base * upper_rate)


def class_4(table: TaxTable, profits: Decimal) -> Computed:
    """Class 4 National Insurance on a year's trading profits (all trades together)."""
    lo, hi = table.class_4_lower.value, table.class_4_upper.value
    p = max(profits, ZERO)
    main_base, upper_base, main, upper = _two_rates(p, lo, hi, table.class_4_main_rate.fraction,
                                                    table.class_4_upper_rate.fraction)
    steps = [money("", "trading profits", p),
             money("", f"{pct(table.class_4_main_rate.value)} on {gbp(main_base)}", main,
                   f"profits from {gbp(lo)} to {gbp(hi)}"),
             money("+", f"{pct(table.class_4_upper_rate.value)} on {gbp(upper_base)}", upper,
                   f"profits over {gbp(hi)}"),
             money("=", "Class 4 National Insurance", main + upper)]
    return Computed(tuple(steps), main + upper)


def class_2(table: TaxTable, profits: Decimal) -> Computed:
    """Class 2: nothing to pay from 2024/25 (a table for an earlier year may name a weekly rate)."""
    spt = table.class_2_threshold.value
    weekly = table.class_2_compulsory_weekly
    if weekly is not None and profits >= spt:
        amount = pence(weekly.value * 52)
        return Computed((money("", f"Class 2 National Insurance, 52 weeks × {gbp(weekly.value)}", amount,
                               f"profits at or over {gbp(spt)}"),), amount)
    voluntary = table.class_2_voluntary_weekly.value
    if profits >= spt:
        note = f"none to pay: profits at or over {gbp(spt)} are credited with a qualifying year"
    else:
        note = (f"none to pay; profits under {gbp(spt)} earn no credit — voluntary Class 2 at "
                f"{gbp(voluntary)} a week keeps the year for the State Pension (not included)")
    return Computed((money("", "Class 2 National Insurance", ZERO, note),), ZERO)


def class_1_employee(table: TaxTable, pay: Decimal) -> Computed:
    """Employee Class 1 on a year's pay (one annual earnings period)."""
    pt, uel = table.class_1_primary_threshold.value, table.class_1_upper_earnings_limit.value
    main_base, upper_base, main, upper = _two_rates(max(pay, ZERO), pt, uel, table.class_1_main_rate.fraction,
                                                    table.class_1_upper_rate.fraction)
    steps = [money("", f"{pct(table.class_1_main_rate.value)} on {gbp(main_base)}", main,
                   f"pay from {gbp(pt)} to {gbp(uel)}")]
    if upper_base:
        steps.append(money("+", f"{pct(table.class_1_upper_rate.value)} on {gbp(upper_base)}", upper,
                           f"pay over {gbp(uel)}"))
    steps.append(money("=", "employee's National Insurance", main + upper))
    return Computed(tuple(steps), main + upper)


def class_1_employer(table: TaxTable, pay: Decimal) -> Computed:
    """Employer's Class 1 on a year's pay above the secondary threshold (no Employment
    Allowance: a company whose only employee is its director cannot claim it)."""
    st = table.class_1_secondary_threshold.value
    base = max(ZERO, pay - st)
    amount = pence(base * table.class_1_employer_rate.fraction)
    return Computed((money("", f"employer's National Insurance {pct(table.class_1_employer_rate.value)} "
                               f"on {gbp(base)}", amount, f"pay over {gbp(st)}"),), amount)


def scottish_taxpayer(p: Practice) -> bool:
    """practice.yaml `person.scottish_taxpayer`, else the practice's subdivision is SCT (where
    the business is; residence decides in law, so the personal setting wins)."""
    if p.person.scottish_taxpayer is not None:
        return p.person.scottish_taxpayer
    return (p.subdivision or "").upper() == "SCT"


def paye_on_salary(table: TaxTable, salary: Decimal, scottish: bool) -> Decimal:
    """Income tax PAYE takes from a salary that is the person's only pay, with the full
    allowance (tax code 1257L, or S1257L for a Scottish taxpayer) over the whole year."""
    return income_tax(table, Income(employment=salary, scottish=scottish)).amount
