"""Take-home pay from a day rate: a sole trader, a limited company, or through an umbrella.

`take_home(rate, days, table, structure, …)` works one year at a day rate over the billable
days given, every step a line (docs/tax.md, "Take-home from a day rate"):

* **Sole trader**: turnover (rate × days, less any platform fee) − expenses = profit; income
  tax, Class 4 (and Class 2 where a table still charges it) on it; take-home = profit − those.
* **Limited company** (outside IR35; a 12-month accounting period matching the financial
  year): turnover − expenses − the director's salary − employer's National Insurance on it =
  taxable profits; corporation tax; dividends = what is left (or the amount given). The
  director pays employee's Class 1 on the salary and income tax on salary and dividends.
  Take-home = salary − employee's NI + dividends − income tax. The common split is a salary
  at the Class 1 primary threshold (£12,570), the rest as dividends.
* **Umbrella**: the assignment income (rate × days) pays the umbrella's margin, then the
  employer's costs of employing you — employer's National Insurance above the secondary
  threshold and the Apprenticeship Levy (0.5% of pay, which umbrellas pass on) — and what is
  left is your gross pay: funds = pay + levy × pay + employer rate × (pay − threshold), so pay
  = (funds + employer rate × threshold) ÷ (1 + employer rate + levy), rounded down to the
  penny. Holiday pay (5.6 weeks, accrued at 12.07%) is part of that pay, not extra. PAYE
  income tax and employee's Class 1 come off it. Pension auto-enrolment is not included.

Each tax line is rounded half up to the penny (consult.tax.lines); nothing here is advice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from consult.core.money import Money
from consult.core.record import record
from consult.errors import UsageError
from consult.tax.company import corporation_tax
from consult.tax.lines import GBP, PENNY, ZERO, Section, count, gbp, money, pct, pence
from consult.tax.personal import Income, class_1_employee, class_1_employer, class_2, class_4, income_tax
from consult.tax.tables import TaxTable, tax_year_label
from consult.work.rates import Step

STRUCTURES = ("sole", "ltd", "umbrella")
NAMES = {"sole": "Sole trader", "ltd": "Limited company", "umbrella": "Umbrella company"}
DEFAULT_MARGIN_PER_WEEK = Decimal(25)  # an assumption, not a rule: umbrellas state theirs in a KID
WEEKS = Decimal(52)


@record
class TakeHome:
    """A year at a day rate under one structure: the working, and what reaches you."""

    structure: str
    tax_year: int
    rate: Money
    days: Decimal
    sections: tuple[Section, ...]
    turnover: Money  # rate × days
    take_home: Money
    taxes: Money  # every tax and National Insurance on the way (employer's included)
    costs: Money  # expenses, fees, the umbrella's margin and levy

    @property
    def title(self) -> str:
        return f"{NAMES[self.structure]}: take-home at {gbp(self.rate.amount)} a day, {tax_year_label(self.tax_year)}"

    @property
    def per_month(self) -> Money:
        return Money.rounded(self.take_home.amount / 12, GBP)

    @property
    def kept_percent(self) -> Decimal | None:
        if not self.turnover:
            return None
        return (self.take_home.amount * 100 / self.turnover.amount).quantize(Decimal("0.1"))


def _turnover(rate: Decimal, days: Decimal, fee: Decimal) -> tuple[list[Step], Decimal, Decimal]:
    gross = pence(rate * days)
    steps = [money("", "day rate", rate), count("×", "billable days", days, "days"),
             money("=", "turnover", gross, "before VAT")]
    kept = gross
    if fee:
        cut = pence(gross * fee / 100)
        steps.append(money("−", f"platform fee {pct(fee)}", cut))
        kept = gross - cut
        steps.append(money("=", "received", kept))
    return steps, gross, kept


def _sole(table: TaxTable, head: list[Step], gross: Decimal, received: Decimal, expenses: Decimal,
          scottish: bool) -> tuple[list[Section], Decimal, Decimal, Decimal]:
    profit = received - expenses
    s1 = head + [money("−", "business expenses", expenses), money("=", "trading profit", profit)]
    p = max(profit, ZERO)
    it = income_tax(table, Income(trading=p, scottish=scottish))
    c4, c2 = class_4(table, p), class_2(table, p)
    take = profit - it.amount - c4.amount - c2.amount
    s4 = [money("", "trading profit", profit), money("−", "income tax", it.amount),
          money("−", "Class 4 National Insurance", c4.amount)]
    if c2.amount:
        s4.append(money("−", "Class 2 National Insurance", c2.amount))
    s4.append(money("=", "take-home", take))
    sections = [Section("Profit", tuple(s1)), Section("Income tax", it.steps),
                Section("National Insurance", c4.steps + c2.steps), Section("Take-home", tuple(s4))]
    return sections, take, it.amount + c4.amount + c2.amount, gross - received + expenses


def _ltd(table: TaxTable, table_for: Callable[[int], TaxTable], head: list[Step], gross: Decimal,
         received: Decimal, expenses: Decimal, scottish: bool, salary: Decimal | None,
         dividends: Decimal | None) -> tuple[list[Section], Decimal, Decimal, Decimal]:
    sal = table.class_1_primary_threshold.value if salary is None else salary
    er = class_1_employer(table, sal)
    taxable = received - expenses - sal - er.amount
    s1 = head + [money("−", "business expenses", expenses),
                 money("−", "director's salary", sal, "the Class 1 primary threshold (the common split)"
                       if salary is None else "as given"),
                 Step("−", er.steps[0].label, er.steps[0].value, GBP, er.steps[0].money, er.steps[0].note),
                 money("=", "taxable profits", taxable)]
    fy = table.financial_year
    ct = corporation_tax(table_for, date(fy, 4, 1), date(fy + 1, 3, 31), taxable)
    left = max(ZERO, taxable - ct.amount)
    if dividends is not None and dividends > left:
        raise UsageError(f"--dividends {gbp(dividends)} is more than the company's profit after tax "
                         f"({gbp(left)}); a dividend needs distributable profits")
    div = left if dividends is None else dividends
    s3 = [money("", "taxable profits", taxable), money("−", "corporation tax", ct.amount),
          money("=", "profit after tax", left),
          money("", "dividends", div, "all of it" if dividends is None else "as given")]
    it = income_tax(table, Income(employment=sal, dividends=div, scottish=scottish))
    ee = class_1_employee(table, sal)
    take = sal - ee.amount + div - it.amount
    s6 = [money("", "salary", sal), money("−", "employee's National Insurance", ee.amount),
          money("+", "dividends", div), money("−", "income tax", it.amount, "PAYE and Self Assessment"),
          money("=", "take-home", take)]
    if dividends is not None and div < left:
        s6.append(money("", "left in the company", left - div, "profit after tax not paid out"))
    sections = [Section("Company", tuple(s1)), Section("Corporation tax", ct.steps),
                Section("Dividends", tuple(s3)), Section("Income tax", it.steps),
                Section("National Insurance on the salary", ee.steps), Section("Take-home", tuple(s6))]
    taxes = er.amount + ct.amount + ee.amount + it.amount
    return sections, take, taxes, gross - received + expenses


def umbrella_pay(table: TaxTable, funds: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(gross pay, employer's NI, levy) that `funds` pay for, pay rounded down to the penny
    and the costs half up, never together more than the funds."""
    r, lv, st = table.class_1_employer_rate.fraction, table.levy_rate.fraction, table.class_1_secondary_threshold.value
    pay = (funds + r * st) / (1 + r + lv)
    if pay <= st:
        pay = funds / (1 + lv)
    pay = max(ZERO, pay.quantize(PENNY, rounding=ROUND_FLOOR))
    while True:
        ni = pence(max(ZERO, pay - st) * r)
        levy = pence(pay * lv)
        if pay + ni + levy <= funds or pay <= 0:
            return pay, ni, levy
        pay -= PENNY


def _umbrella(table: TaxTable, head: list[Step], gross: Decimal, received: Decimal, scottish: bool,
              margin_week: Decimal) -> tuple[list[Section], Decimal, Decimal, Decimal]:
    margin = pence(margin_week * WEEKS)
    funds = received - margin
    if funds <= 0:
        raise UsageError(f"the umbrella's margin ({gbp(margin)} a year) takes all of {gbp(received)}")
    pay, ni, levy = umbrella_pay(table, funds)
    r, lv, st = table.class_1_employer_rate, table.levy_rate, table.class_1_secondary_threshold.value
    holiday = pence(pay * table.holiday_accrual_rate.value / (100 + table.holiday_accrual_rate.value))
    s1 = head + [money("−", "umbrella margin", margin, f"{gbp(margin_week)} a week × 52 (an assumption: "
                                                       "your umbrella's Key Information Document states its own)"),
                 money("=", "for your pay and the employer's costs", funds),
                 money("", "gross pay", pay, f"(funds + {pct(r.value)} × {gbp(st)}) ÷ (1 + {pct(r.value)} + "
                                             f"{pct(lv.value)}), rounded down to the penny"),
                 money("+", f"employer's National Insurance {pct(r.value)} on {gbp(max(ZERO, pay - st))}", ni,
                       f"pay over {gbp(st)}"),
                 money("+", f"Apprenticeship Levy {pct(lv.value)} on {gbp(pay)}", levy, "passed on by the umbrella")]
    if funds - pay - ni - levy:
        s1.append(money("+", "left over from rounding", funds - pay - ni - levy))
    s1.append(money("=", "paid out of the funds", funds))
    s1.append(money("", "of the gross pay, holiday pay", holiday,
                    f"5.6 weeks' leave accrued at {pct(table.holiday_accrual_rate.value)}: part of the pay, not extra"))
    it = income_tax(table, Income(employment=pay, scottish=scottish))
    ee = class_1_employee(table, pay)
    take = pay - it.amount - ee.amount
    s4 = [money("", "gross pay", pay), money("−", "income tax (PAYE)", it.amount),
          money("−", "employee's National Insurance", ee.amount), money("=", "take-home", take)]
    sections = [Section("Umbrella", tuple(s1)), Section("Income tax", it.steps),
                Section("National Insurance", ee.steps), Section("Take-home", tuple(s4))]
    return sections, take, ni + it.amount + ee.amount, gross - received + margin + levy + (funds - pay - ni - levy)


def take_home(rate: Decimal, days: Decimal, table: TaxTable, structure: str, *,
              table_for: Callable[[int], TaxTable] | None = None, day_steps: Sequence[Step] = (),
              expenses: Decimal = ZERO, platform_fee: Decimal = ZERO, scottish: bool = False,
              salary: Decimal | None = None, dividends: Decimal | None = None,
              margin_per_week: Decimal = DEFAULT_MARGIN_PER_WEEK) -> TakeHome:
    """A year at `rate` a day over `days` billable days under `structure` (sole, ltd, umbrella).

    `day_steps` are the lines that counted the days (consult.work.rates.billable_days), shown
    first; `table_for` gives a financial year's table for corporation tax (default: `table`)."""
    if structure not in STRUCTURES:
        raise UsageError(f"--structure '{structure}' is not one of {', '.join(STRUCTURES)}")
    if rate <= 0 or days <= 0:
        raise UsageError("the day rate and the billable days must be more than zero")
    for what, v in (("--expenses", expenses), ("--salary", salary), ("--dividends", dividends),
                    ("--margin", margin_per_week)):
        if v is not None and v < 0:
            raise UsageError(f"{what} must not be negative")
    if not ZERO <= platform_fee < 100:
        raise UsageError("--platform-fee must be at least 0 and below 100 (a percentage, e.g. 10)")
    if structure == "umbrella" and expenses:
        raise UsageError("--expenses: an umbrella employee's costs are not deducted from the assignment income "
                         "(drop --expenses, or compare --structure sole or ltd)")
    if structure != "ltd" and (salary is not None or dividends is not None):
        raise UsageError("--salary and --dividends are for --structure ltd")
    head, gross, received = _turnover(rate, days, platform_fee)
    head = list(day_steps) + head if day_steps else head
    if structure == "sole":
        sections, take, taxes, costs = _sole(table, head, gross, received, expenses, scottish)
    elif structure == "ltd":
        sections, take, taxes, costs = _ltd(table, table_for or (lambda _fy: table), head, gross, received,
                                            expenses, scottish, salary, dividends)
    else:
        sections, take, taxes, costs = _umbrella(table, head, gross, received, scottish, margin_per_week)
    return TakeHome(structure, table.tax_year, Money.rounded(rate, GBP), days, tuple(sections),
                    Money(gross, GBP), Money(take, GBP), Money(taxes, GBP), Money(costs, GBP))
