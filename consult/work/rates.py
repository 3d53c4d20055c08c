"""What to charge: hourly ↔ day rates, the day rate a target income needs, the day rate that
matches an employee's package, and where a rate sits against dated reference points.

Every answer is a `RateResult`: the rate *and* the lines of arithmetic that produced it
(`Step`s), so a user can check the figure with a pencil — "253 working days − 25 leave − 5 sick
− 10 non-billable = 213 billable days; (£100,000 + £6,000) ÷ 213 = …". The CLI prints those
lines; `--format json` returns them.

Rules, written down once:

* **Exact until the end.** Amounts are `Decimal`; each rate is computed as *one* division of
  an exact numerator by an exact denominator (products and sums of the inputs), so a result
  that is a whole number of pence comes out exactly (126,000 ÷ 240 = 525, not 524.99999…).
* **A needed rate rounds UP to the minor unit** (`ROUND_CEILING`): charging the printed rate
  never falls short of the target. Only the printed result is rounded; the hourly rate is
  worked from the exact day rate, not from the rounded one.
* **A conversion rounds half up** (`ROUND_HALF_UP`, as `consult.core.money`): 650/day at 7.5 h is
  86.666… → 86.67/hour; 90/hour × 7.5 = 675.00/day.
* **Billable days** = working days (weekdays less weekday bank holidays, `consult.core.workdays`)
  − leave − sickness − non-billable days; or, with a utilisation ratio instead of non-billable
  days, (working − leave − sickness) × utilisation; or a number given outright.
  Conventions, not rules (docs/money-rules.md §11): 220, 225 and 230 are the usual round figures.
* **A platform fee** is a percentage the platform keeps from what the client pays, so the rate
  is grossed up: rate × (1 − fee) must still meet the need, i.e. rate = need ÷ (1 − fee).
* **Salary equivalence** (`salary_rate`): the day rate whose billable days earn what an
  employee's package is worth *to the employee*, before tax: gross salary + the employer's
  pension contribution (a percentage of the salary) + the cash value of benefits (health
  cover, car, …). The employee is paid for leave, sickness and bank holidays; the contractor is
  not, which is why the package is divided by billable days, not by working days.
  Deliberately **not** included: employer's National Insurance (a cost to the employer, never
  in the employee's hands), and any difference in tax between employment and self-employment
  or a company (IR35, dividends): that depends on the person, and is for an accountant. Add
  your own business costs with `expenses`.
* **Market position** compares a day rate with dated reference points (each with its source
  and date). A salary point is turned into a day rate by dividing it by a stated number of
  billable days (220 by default, the usual UK convention); a point in another currency is
  converted at a rate the caller supplies (the CLI uses the ECB rate of the point's date).

Nothing here reads a file or the clock. Bad input raises `UsageError` with a one-line reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_HALF_UP, Context, Decimal, localcontext
from pathlib import Path
from typing import Literal

from consult.core.money import Money, parse_decimal
from consult.core.record import record
from consult.errors import UsageError

Per = Literal["day", "hour"]
ROUNDED_UP = "rounded up to the minor unit, so the rate never falls short"
ROUNDED_HALF_UP = "rounded half up to the minor unit"
DEFAULT_LEAVE_DAYS = Decimal(25)
DEFAULT_SICK_DAYS = Decimal(5)
DEFAULT_NON_BILLABLE_DAYS = Decimal(10)
DEFAULT_SALARY_BASIS_DAYS = Decimal(220)  # the usual UK contractor convention (docs/money-rules.md §11)
MAX_DAYS = Decimal(366)

# wide enough that one division of exact inputs is exact whenever the answer has few digits
_EXACT = Context(prec=60)

_RATE_RE = re.compile(r"\s*(?P<num>[^/\s]+)\s*(?:/|\bper\b)\s*(?P<unit>[A-Za-z]+)\s*")
_UNITS: dict[str, Per] = {"day": "day", "d": "day", "days": "day", "daily": "day",
                          "hour": "hour", "h": "hour", "hr": "hour", "hrs": "hour", "hours": "hour",
                          "hourly": "hour"}


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------
@record
class Step:
    """One line of a breakdown.

    `op` is how the line combines with what came before ("", "−", "+", "×", "÷", "="); `value`
    is exact (it is what the next line uses); `money` is the value as printed, rounded by the
    rule named in `note` (None for counts such as days or hours).
    """

    op: str
    label: str
    value: Decimal
    unit: str
    money: Money | None = None
    note: str = ""

    def as_dict(self) -> dict[str, str]:
        """JSON-ready: amounts as exact strings; `exact` only where printing rounded the value."""
        shown = self.money.plain() if self.money is not None else number_text(self.value)
        d = {"op": self.op, "item": self.label, "value": shown, "unit": self.unit}
        if self.money is not None and self.money.amount != self.value:
            d["exact"] = number_text(self.value)
        if self.note:
            d["note"] = self.note
        return d


@record
class RateResult:
    """A day and an hourly rate, with every line of arithmetic that produced them."""

    kind: Literal["convert", "target", "salary"]
    title: str
    steps: tuple[Step, ...]
    day_rate: Money
    hour_rate: Money
    rounding: str
    billable_days: Decimal | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind, "title": self.title, "currency": self.day_rate.currency,
            "day_rate": self.day_rate.plain(), "hour_rate": self.hour_rate.plain(),
            "billable_days": None if self.billable_days is None else number_text(self.billable_days),
            "rounding": self.rounding, "steps": [s.as_dict() for s in self.steps],
        }


def number_text(d: Decimal) -> str:
    """Exact text without exponent or needless trailing zeros: 253, 0.85, 497.652582…"""
    if d == d.to_integral_value():
        return f"{d.quantize(Decimal(1)):f}"
    return f"{d.normalize():f}"


def _money_step(op: str, label: str, value: Decimal, currency: str, unit: str = "",
                note: str = "", rounding: str = ROUND_HALF_UP) -> Step:
    return Step(op, label, value, unit or currency, Money.rounded(value, currency, rounding), note)


# --------------------------------------------------------------------------------------------
# parsing what a user types
# --------------------------------------------------------------------------------------------
def parse_amount(text: str, what: str, *, allow_zero: bool = False, example: str = "126000 or 126,000.00") -> Decimal:
    """A positive amount from `what`'s text (`126000`, `126,000`, `525.50`), or UsageError."""
    try:
        d = parse_decimal(str(text))
    except ValueError as e:
        raise UsageError(f"{what} '{text}': {e} — e.g. {example}") from None
    if d < 0 or (d == 0 and not allow_zero):
        raise UsageError(f"{what} '{text}': must be more than zero" if not allow_zero
                         else f"{what} '{text}': must not be negative")
    return d


def parse_rate(text: str, default_per: Per | None = None) -> tuple[Decimal, Per]:
    """`650/day`, `90/hour` (also `/d`, `/h`, `/hr`, `per day`) -> (amount, "day" | "hour").

    A bare number is accepted only when `default_per` says what it is per.
    """
    raw = str(text)
    m = _RATE_RE.fullmatch(raw)
    if m is None:
        if default_per is not None and "/" not in raw:
            return parse_amount(raw, "rate"), default_per
        raise UsageError(f"rate '{raw}': write it as an amount per day or per hour — e.g. 650/day or 90/hour")
    unit = _UNITS.get(m["unit"].lower())
    if unit is None:
        raise UsageError(f"rate '{raw}': '{m['unit']}' is not day or hour — e.g. 650/day or 90/hour")
    try:
        amount = parse_decimal(m["num"].lstrip("£$€₹"))
    except ValueError as e:
        raise UsageError(f"rate '{raw}': {e} — e.g. 650/day or 90/hour") from None
    if amount <= 0:
        raise UsageError(f"rate '{raw}': must be more than zero — e.g. 650/day or 90/hour")
    return amount, unit


def check_hours_per_day(hours: Decimal) -> Decimal:
    if not Decimal(0) < hours <= Decimal(24):
        raise UsageError(f"--hours-per-day {number_text(hours)}: must be more than 0 and at most 24 (7.5 is usual in the UK)")
    return hours


def check_currency(code: str) -> str:
    from consult.core.money import is_currency

    c = (code or "").strip().upper()
    if not is_currency(c):
        raise UsageError(f"--currency {code}: not an ISO 4217 currency code — e.g. GBP, EUR, USD, INR")
    return c


# --------------------------------------------------------------------------------------------
# hourly <-> day
# --------------------------------------------------------------------------------------------
def convert(amount: Decimal, per: Per, hours_per_day: Decimal, currency: str) -> RateResult:
    """A day rate as an hourly rate (÷ hours per day) or back (×), rounded half up."""
    check_hours_per_day(hours_per_day)
    currency = check_currency(currency)
    if amount <= 0:
        raise UsageError(f"rate {number_text(amount)}: must be more than zero — e.g. 650/day or 90/hour")
    hpd = Step("÷" if per == "day" else "×", "hours per day", hours_per_day, "hours")
    if per == "day":
        exact = _EXACT.divide(amount, hours_per_day)
        steps = (_money_step("", "day rate", amount, currency, f"{currency}/day"), hpd,
                 _money_step("=", "hourly rate", exact, currency, f"{currency}/hour", ROUNDED_HALF_UP))
        day, hour = Money.rounded(amount, currency), Money.rounded(exact, currency)
        title = "Day rate to hourly rate"
    else:
        exact = _EXACT.multiply(amount, hours_per_day)
        steps = (_money_step("", "hourly rate", amount, currency, f"{currency}/hour"), hpd,
                 _money_step("=", "day rate", exact, currency, f"{currency}/day", ROUNDED_HALF_UP))
        day, hour = Money.rounded(exact, currency), Money.rounded(amount, currency)
        title = "Hourly rate to day rate"
    return RateResult("convert", title, steps, day, hour, ROUNDED_HALF_UP)


# --------------------------------------------------------------------------------------------
# the working year
# --------------------------------------------------------------------------------------------
@record
class YearPlan:
    """How many days of a year can be billed, and why.

    Either `billable_days` is given outright, or it is worked out from `working_days` (with
    `working_note` saying where that came from) less leave, sickness, and either non-billable
    days or a utilisation ratio of what is left.
    """

    working_days: int | None = None
    working_note: str = ""
    leave_days: Decimal | None = None
    sick_days: Decimal | None = None
    non_billable_days: Decimal | None = None
    utilisation: Decimal | None = None
    billable_days: Decimal | None = None


def plan_for_year(year: int, country: str, subdiv: str | None, root: Path | None = None,
                  **deductions: Decimal | None) -> YearPlan:
    """A `YearPlan` whose working days are `year`'s weekdays less its weekday bank holidays.

    With the books' `root`, the holidays library's answers are kept between runs
    (consult.books.kept): its first country imports all 250, 0.2 s of every `consult rate target`."""
    if not 1900 <= year <= 2200:
        raise UsageError(f"--year {year}: give a calendar year such as 2026")
    from consult.books.kept import bank_holidays, subdivisions
    from consult.core.workdays import weekdays, working_days, year_bounds

    start, end = year_bounds(year)
    n = working_days(start, end, country, subdiv, holidays=[d for d, _ in bank_holidays(root, start, end, country, subdiv)])
    week = weekdays(start, end)
    where = f"{country.upper()}/{subdiv.upper()}" if subdiv else country.upper()
    note = f"{year}: {week} weekdays − {week - n} bank holidays ({where}, holidays library)"
    if not subdiv and (regions := subdivisions(root, country)):
        shown = ", ".join(regions[:4]) + (", …" if len(regions) > 4 else "")
        note += f"; national days only — give a subdivision ({shown}) for regional ones"
    return YearPlan(working_days=n, working_note=note, **deductions)


def _days_arg(value: Decimal | None, option: str, default: Decimal) -> Decimal:
    if value is None:
        return default
    if not Decimal(0) <= value <= MAX_DAYS:
        raise UsageError(f"{option} {number_text(value)}: must be from 0 to 366 days")
    return value


def billable_days(plan: YearPlan) -> tuple[tuple[Step, ...], Decimal]:
    """The billable days of `plan` and the lines that count them; UsageError if none are left."""
    if plan.billable_days is not None:
        extra = [o for o, v in (("--leave-days", plan.leave_days), ("--sick-days", plan.sick_days),
                                ("--non-billable-days", plan.non_billable_days),
                                ("--utilisation", plan.utilisation)) if v is not None]
        if extra:
            raise UsageError(f"--billable-days replaces the whole count; drop {', '.join(extra)}")
        n = plan.billable_days
        if not Decimal(0) < n <= MAX_DAYS:
            raise UsageError(f"--billable-days {number_text(n)}: must be more than 0 and at most 366")
        return (Step("", "billable days", n, "days", note="given"),), n
    if plan.working_days is None:
        raise UsageError("give --billable-days, or a year and country to count working days from")
    if plan.non_billable_days is not None and plan.utilisation is not None:
        raise UsageError("use --non-billable-days or --utilisation, not both")
    leave = _days_arg(plan.leave_days, "--leave-days", DEFAULT_LEAVE_DAYS)
    sick = _days_arg(plan.sick_days, "--sick-days", DEFAULT_SICK_DAYS)
    working = Decimal(plan.working_days)
    steps = [Step("", "working days", working, "days", note=plan.working_note),
             Step("−", "annual leave", leave, "days"),
             Step("−", "sickness", sick, "days")]
    if plan.utilisation is not None:
        u = plan.utilisation
        if not Decimal(0) < u <= Decimal(1):
            raise UsageError(f"--utilisation {number_text(u)}: must be more than 0 and at most 1 "
                             "(0.85 bills 85% of the days left after leave and sickness)")
        available = working - leave - sick
        steps.append(Step("=", "available days", available, "days"))
        steps.append(Step("×", "utilisation", u, "ratio", note=f"{number_text(u * 100)}% of available days billed"))
        n = available * u
        how = f"{number_text(working)} − {number_text(leave)} − {number_text(sick)} = {number_text(available)}, × {number_text(u)}"
    else:
        other = _days_arg(plan.non_billable_days, "--non-billable-days", DEFAULT_NON_BILLABLE_DAYS)
        steps.append(Step("−", "non-billable days", other, "days", note="admin, sales, training, gaps"))
        n = working - leave - sick - other
        how = f"{number_text(working)} − {number_text(leave)} − {number_text(sick)} − {number_text(other)}"
    if n <= 0:
        raise UsageError(f"no billable days left ({how} = {number_text(n)}); "
                         "lower the deductions or give --billable-days")
    steps.append(Step("=", "billable days", n, "days"))
    return tuple(steps), n


# --------------------------------------------------------------------------------------------
# the rate a need calls for
# --------------------------------------------------------------------------------------------
def _fee(platform_fee: Decimal | None) -> Decimal:
    fee = platform_fee or Decimal(0)
    if not Decimal(0) <= fee < Decimal(100):
        raise UsageError(f"--platform-fee {number_text(fee)}: must be at least 0 and below 100 (a percentage, e.g. 10)")
    return fee


def _needed(kind: Literal["target", "salary"], title: str, head: Sequence[Step], need: Decimal,
            expenses: Decimal, plan: YearPlan, platform_fee: Decimal | None, hours_per_day: Decimal,
            currency: str) -> RateResult:
    """(need + expenses) ÷ billable days, grossed up for a fee, rounded up; with its lines."""
    check_hours_per_day(hours_per_day)
    if expenses < 0:
        raise UsageError(f"--expenses {number_text(expenses)}: must not be negative")
    fee = _fee(platform_fee)
    day_steps, days = billable_days(plan)
    steps = list(day_steps) + list(head)
    revenue = need + expenses
    steps.append(_money_step("+", "business expenses", expenses, currency))
    steps.append(_money_step("=", "revenue needed", revenue, currency))
    keep = (Decimal(100) - fee) / Decimal(100)  # exact: fee has few digits
    with localcontext(_EXACT):
        before_fee = revenue / days
        day_exact = revenue / (days * keep)
        hour_exact = revenue / (days * keep * hours_per_day)
    steps.append(Step("÷", "billable days", days, "days"))
    if fee:
        steps.append(_money_step("=", "day rate before the fee", before_fee, currency, f"{currency}/day"))
        steps.append(Step("÷", "share kept after the platform fee", keep, "ratio",
                          note=f"1 − {number_text(fee)}%: the rate × {number_text(keep)} still meets the need"))
    day = Money.rounded(day_exact, currency, ROUND_CEILING)
    hour = Money.rounded(hour_exact, currency, ROUND_CEILING)
    steps.append(_money_step("=", "day rate", day_exact, currency, f"{currency}/day", ROUNDED_UP, ROUND_CEILING))
    steps.append(Step("÷", "hours per day", hours_per_day, "hours"))
    steps.append(_money_step("=", "hourly rate", hour_exact, currency, f"{currency}/hour", ROUNDED_UP, ROUND_CEILING))
    return RateResult(kind, title, tuple(steps), day, hour, ROUNDED_UP, days)


def target_rate(income: Decimal, plan: YearPlan, *, expenses: Decimal = Decimal(0),
                platform_fee: Decimal | None = None, hours_per_day: Decimal = Decimal("7.5"),
                currency: str = "GBP") -> RateResult:
    """The day and hourly rate that earn `income` (before tax) plus `expenses` in a year.

    126,000 over 240 billable days = 525.00/day and 70.00/hour at 7.5 h.
    """
    currency = check_currency(currency)
    if income <= 0:
        raise UsageError(f"income {number_text(income)}: must be more than zero — e.g. 100000")
    head = [_money_step("", "target income", income, currency, note="before tax")]
    return _needed("target", "Day rate for a target income", head, income, expenses, plan,
                   platform_fee, hours_per_day, currency)


def salary_rate(salary: Decimal, plan: YearPlan, *, pension_percent: Decimal = Decimal(0),
                benefits: Decimal = Decimal(0), expenses: Decimal = Decimal(0),
                platform_fee: Decimal | None = None, hours_per_day: Decimal = Decimal("7.5"),
                currency: str = "GBP") -> RateResult:
    """The day rate that matches an employee package: salary + employer pension + benefits.

    See the module docstring for what is and is not counted (employer NI is not).
    60,000 + 5% pension (3,000) + 2,000 benefits = 65,000; over 200 days = 325.00/day.
    """
    currency = check_currency(currency)
    if salary <= 0:
        raise UsageError(f"salary {number_text(salary)}: must be more than zero — e.g. 68750")
    if not Decimal(0) <= pension_percent <= Decimal(100):
        raise UsageError(f"--pension {number_text(pension_percent)}: must be a percentage of salary from 0 to 100")
    if benefits < 0:
        raise UsageError(f"--benefits {number_text(benefits)}: must not be negative")
    pension = salary * pension_percent / Decimal(100)  # exact
    package = salary + pension + benefits
    head = [_money_step("", "gross salary", salary, currency),
            _money_step("+", "employer pension", pension, currency, note=f"{number_text(pension_percent)}% of salary"),
            _money_step("+", "benefits", benefits, currency, note="cash value a year"),
            _money_step("=", "employee package", package, currency,
                        note="employer's NI and tax differences not included")]
    return _needed("salary", "Day rate that matches a salary", head, package, expenses, plan,
                   platform_fee, hours_per_day, currency)
