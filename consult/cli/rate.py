"""`consult rate …`: what to charge, with the arithmetic printed line by line.

A thin skin over `consult.work.rates`: parse the options, take defaults from practice.yaml when
there are books (hours per day, currency, country, subdivision, locale) or the UK ones when
there are none, make one library call, print its breakdown. Imports neither pandas nor
ReportLab.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from consult.cli.common import books_root
from consult.cli.output import table, to_json
from consult.clock import today
from consult.core.money import Money
from consult.core.record import record
from consult.errors import BooksError, Problem, UsageError

if TYPE_CHECKING:
    from consult.core.records import Practice
from consult.work.market import MarketResult, ecb_converter, market_position, reference_points
from consult.work.rates import (
    RateResult,
    Step,
    YearPlan,
    check_currency,
    check_hours_per_day,
    convert,
    parse_amount,
    parse_rate,
    plan_for_year,
    salary_rate,
    target_rate,
)


# --------------------------------------------------------------------------------------------
# defaults: the practice's, else the UK's
# --------------------------------------------------------------------------------------------
@record
class Defaults:
    hours_per_day: Decimal = Decimal("7.5")
    currency: str = "GBP"
    country: str = "GB"
    subdivision: str | None = "ENG"
    locale: str = "en_GB"
    root: Path | None = None
    practice: Practice | None = None  # for `takehome`: whether the person is a Scottish taxpayer


def practice_defaults(ctx: click.Context) -> Defaults:
    """practice.yaml's settings when books are found; the UK defaults when none are.

    Books named with --books or CONSULT_BOOKS must exist; a practice.yaml with errors stops the
    command (exit 1), since its figures would be guesses.
    """
    from consult.books.loader import read_practice

    explicit = (ctx.find_root().obj or {}).get("books") or os.environ.get("CONSULT_BOOKS")
    try:
        root = books_root(ctx)
    except UsageError:
        if explicit:
            raise
        return Defaults()
    problems: list[Problem] = []
    p = read_practice(root, problems)
    if p is None or any(x.severity == "error" for x in problems):
        raise BooksError(problems, "practice.yaml has errors (the rate defaults come from it)")
    return Defaults(p.hours_per_day, p.base_currency, p.country, p.subdivision, p.locale, root, p)


EXAMPLES = {"--hours-per-day": "7.5", "--utilisation": "0.85", "--pension": "5", "--platform-fee": "10",
            "--expenses": "6000", "--benefits": "2000"}


def _dec(value: str | None, option: str, *, allow_zero: bool = True) -> Decimal | None:
    if value is None:
        return None
    example = EXAMPLES.get(option, "25" if option.endswith("days") else "126000 or 126,000.00")
    return parse_amount(value, option, allow_zero=allow_zero, example=example)


# --------------------------------------------------------------------------------------------
# printing a breakdown
# --------------------------------------------------------------------------------------------
def _value_text(s: Step, locale: str) -> tuple[str, str]:
    """(value, unit suffix) as a user reads them: £552.95 /day, 253 days."""
    from consult.work.rates import number_text

    if s.money is not None:
        suffix = s.unit.partition("/")[2]
        return s.money.format(locale), f"/{suffix}" if suffix else ""
    unit = "" if s.unit == "ratio" else s.unit
    return number_text(s.value), unit


def breakdown_text(r: RateResult, locale: str) -> str:
    """The result's lines, aligned: operator, item, value, unit, note; then one sentence."""
    cells = [(s.op, s.label, *_value_text(s, locale), s.note) for s in r.steps]
    w_label = max(len(c[1]) for c in cells)
    w_value = max(len(c[2]) for c in cells)
    w_unit = max(len(c[3]) for c in cells)
    lines = [r.title, ""]
    for op, label, value, unit, note in cells:
        line = f"{op or ' '} {label.ljust(w_label)}  {value.rjust(w_value)} {unit.ljust(w_unit)}"
        lines.append(f"{line}  {note}".rstrip())
    day, hour = r.day_rate.format(locale), r.hour_rate.format(locale)
    lines.append("")
    if r.kind == "convert":
        hpd = next(s.value for s in r.steps if s.label == "hours per day")
        from consult.work.rates import number_text

        lines.append(f"{day} a day = {hour} an hour at {number_text(hpd)} hours a day ({r.rounding}).")
    else:
        lines.append(f"Charge at least {day} a day or {hour} an hour.")
    return "\n".join(lines)


def _emit(result: RateResult, fmt: str, locale: str) -> None:
    click.echo(to_json(result.as_dict()) if fmt == "json" else breakdown_text(result, locale))


format_option = click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table",
                             show_default=True, help="The breakdown as aligned lines or as JSON.")
hours_option = click.option("--hours-per-day", "hours", metavar="H",
                            help="Hours in a billed day (default: practice.yaml, else 7.5).")
currency_option = click.option("--currency", metavar="CODE",
                               help="ISO 4217 currency (default: practice.yaml base_currency, else GBP).")


def _common(d: Defaults, hours: str | None, currency: str | None) -> tuple[Decimal, str]:
    hpd = check_hours_per_day(_dec(hours, "--hours-per-day") or Decimal(0)) if hours is not None \
        else d.hours_per_day
    return hpd, check_currency(currency) if currency is not None else d.currency


def year_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The options that count billable days (shared by `target` and `salary`)."""
    opts = [
        click.option("--year", type=int, help="Calendar year whose working days count (default: this year)."),
        click.option("--country", help="ISO 3166 code for bank holidays (default: practice.yaml, else GB)."),
        click.option("--subdiv", help="Region for bank holidays, e.g. ENG, SCT, WLS, NIR (default: practice.yaml)."),
        click.option("--leave-days", metavar="N", help="Days of holiday you take, besides bank holidays [25]."),
        click.option("--sick-days", metavar="N", help="Days of sickness to allow for [5]."),
        click.option("--non-billable-days", metavar="N",
                     help="Working days spent unpaid: admin, sales, training, gaps [10]."),
        click.option("--utilisation", metavar="R",
                     help="Instead of --non-billable-days: share of the days left that you bill, e.g. 0.85."),
        click.option("--billable-days", metavar="N", help="Skip the count: bill exactly N days a year."),
        click.option("--expenses", metavar="AMOUNT", help="Business costs a year to cover as well [0]."),
        click.option("--platform-fee", metavar="PCT",
                     help="Percent a platform or agency keeps of what the client pays [0]."),
        hours_option, currency_option, format_option,
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _plan(d: Defaults, kw: dict[str, Any], on: date) -> YearPlan:
    leave = _dec(kw["leave_days"], "--leave-days")
    sick = _dec(kw["sick_days"], "--sick-days")
    other = _dec(kw["non_billable_days"], "--non-billable-days")
    utilisation = _dec(kw["utilisation"], "--utilisation")
    if kw["billable_days"] is not None:
        return YearPlan(billable_days=_dec(kw["billable_days"], "--billable-days", allow_zero=False),
                        leave_days=leave, sick_days=sick, non_billable_days=other, utilisation=utilisation)
    country = kw["country"] or d.country
    subdiv = kw["subdiv"] if kw["country"] else (kw["subdiv"] or d.subdivision)
    return plan_for_year(kw["year"] or on.year, country, subdiv, d.root, leave_days=leave, sick_days=sick,
                         non_billable_days=other, utilisation=utilisation)


# --------------------------------------------------------------------------------------------
# the commands
# --------------------------------------------------------------------------------------------
@click.group("rate")
def rate_group() -> None:
    """What to charge: hourly <-> day rates, a target income, a salary, the market.

    \b
    consult rate convert 650/day            the hourly rate (and 90/hour -> the day rate)
    consult rate target 100000              the day rate that earns it, this year's working days
    consult rate salary 68750 --pension 5   the day rate that matches an employee package
    consult rate market 650                 against dated reference points
    consult rate takehome 525 --billable-days 240   what reaches you: sole, ltd, umbrella
    """


@rate_group.command("convert")
@click.argument("rate")
@hours_option
@currency_option
@format_option
@click.pass_context
def convert_cmd(ctx: click.Context, rate: str, hours: str | None, currency: str | None, fmt: str) -> None:
    """A day rate as an hourly rate (650/day) or an hourly rate as a day rate (90/hour)."""
    amount, per = parse_rate(rate)
    d = practice_defaults(ctx)
    hpd, cur = _common(d, hours, currency)
    _emit(convert(amount, per, hpd, cur), fmt, d.locale)


@rate_group.command("target")
@click.argument("income")
@year_options
@click.pass_context
def target_cmd(ctx: click.Context, /, income: str, **kw: Any) -> None:
    """The day and hourly rate that earn INCOME a year (before tax), plus expenses."""
    need = parse_amount(income, "income")
    d = practice_defaults(ctx)
    hpd, cur = _common(d, kw["hours"], kw["currency"])
    result = target_rate(need, _plan(d, kw, today()), expenses=_dec(kw["expenses"], "--expenses") or Decimal(0),
                         platform_fee=_dec(kw["platform_fee"], "--platform-fee"), hours_per_day=hpd, currency=cur)
    _emit(result, kw["fmt"], d.locale)


@rate_group.command("salary")
@click.argument("salary")
@click.option("--pension", metavar="PCT", help="Employer pension contribution, percent of salary [0].")
@click.option("--benefits", metavar="AMOUNT", help="Cash value of benefits a year (health cover, car …) [0].")
@year_options
@click.pass_context
def salary_cmd(ctx: click.Context, /, salary: str, pension: str | None, benefits: str | None, **kw: Any) -> None:
    """The day rate that matches an employee package: SALARY + employer pension + benefits.

    Employer's National Insurance and tax differences are not counted (see the README).
    """
    gross = parse_amount(salary, "salary")
    d = practice_defaults(ctx)
    hpd, cur = _common(d, kw["hours"], kw["currency"])
    result = salary_rate(gross, _plan(d, kw, today()), pension_percent=_dec(pension, "--pension") or Decimal(0),
                         benefits=_dec(benefits, "--benefits") or Decimal(0),
                         expenses=_dec(kw["expenses"], "--expenses") or Decimal(0),
                         platform_fee=_dec(kw["platform_fee"], "--platform-fee"), hours_per_day=hpd, currency=cur)
    _emit(result, kw["fmt"], d.locale)


@rate_group.command("market")
@click.argument("rate")
@click.option("--basis-days", metavar="N", default="220", show_default=True,
              help="Billable days a year that turn a salary into a day rate.")
@hours_option
@currency_option
@format_option
@click.pass_context
def market_cmd(ctx: click.Context, rate: str, basis_days: str, hours: str | None, currency: str | None,
               fmt: str) -> None:
    """Where a day RATE (650 or 650/day; 90/hour works too) sits against dated reference points."""
    amount, per = parse_rate(rate, default_per="day")
    d = practice_defaults(ctx)
    hpd, cur = _common(d, hours, currency)
    day = Money.rounded(amount * hpd if per == "hour" else amount, cur)
    basis = _dec(basis_days, "--basis-days", allow_zero=False) or Decimal(220)
    result = market_position(day, reference_points(d.root), hours_per_day=hpd, basis_days=basis,
                             converter=ecb_converter)
    click.echo(to_json(result.as_dict()) if fmt == "json" else market_text(result, d.locale))


@rate_group.command("takehome")
@click.argument("rate")
@click.option("--structure", type=click.Choice(("sole", "ltd", "umbrella")),
              help="One structure in full (default: all three, then side by side).")
@click.option("--tax-year", "tax_year", metavar="YEAR", help="Tax year of the rates, e.g. 2026/27 (default: today's).")
@click.option("--salary", metavar="AMOUNT", help="ltd: the director's salary a year [the primary threshold, £12,570].")
@click.option("--dividends", metavar="AMOUNT", help="ltd: dividends a year [all the profit after corporation tax].")
@click.option("--margin", metavar="AMOUNT", help="umbrella: its margin a week [25; see its Key Information Document].")
@click.option("--scottish/--rest-of-uk", "scottish", default=None,
              help="Scottish income tax bands (default: practice.yaml person.scottish_taxpayer, else subdivision SCT).")
@year_options
@click.pass_context
def takehome_cmd(ctx: click.Context, /, rate: str, structure: str | None, tax_year: str | None, salary: str | None,
                 dividends: str | None, margin: str | None, scottish: bool | None, **kw: Any) -> None:
    """What reaches you from a day RATE (525 or 525/day) over a year's billable days: as a sole
    trader, through your limited company (salary and dividends) and through an umbrella.

    Every step is printed: turnover, costs, corporation tax, income tax band by band, National
    Insurance, and take-home. An estimate with the year's rates (consult/data/tax), not advice.
    """
    from consult.cli.tax import takehome_json, takehome_text, tax_year_arg
    from consult.tax.personal import scottish_taxpayer
    from consult.tax.tables import table_for
    from consult.tax.takehome import DEFAULT_MARGIN_PER_WEEK, STRUCTURES, take_home
    from consult.work.rates import billable_days

    amount, per = parse_rate(rate, default_per="day")
    d = practice_defaults(ctx)
    hpd, cur = _common(d, kw["hours"], kw["currency"])
    if cur != "GBP":
        raise UsageError(f"--currency {cur}: take-home is worked in pounds under UK tax; use GBP")
    day = amount * hpd if per == "hour" else amount
    on = today()
    table = table_for(tax_year_arg(tax_year, on), d.root)
    steps, days = billable_days(_plan(d, kw, on))

    def fy_table(fy: int) -> Any:
        return table_for(fy, d.root)

    week_margin = DEFAULT_MARGIN_PER_WEEK if margin is None else (_dec(margin, "--margin") or Decimal(0))

    results = [take_home(day, days, table, s, table_for=fy_table, day_steps=steps if kw["billable_days"] is None else (),
                         expenses=_dec(kw["expenses"], "--expenses") or Decimal(0),
                         platform_fee=_dec(kw["platform_fee"], "--platform-fee") or Decimal(0),
                         scottish=(d.practice is not None and scottish_taxpayer(d.practice)) if scottish is None
                         else scottish,
                         salary=_dec(salary, "--salary") if s == "ltd" or structure else None,
                         dividends=_dec(dividends, "--dividends") if s == "ltd" or structure else None,
                         margin_per_week=week_margin)
               for s in ((structure,) if structure else STRUCTURES)]
    if kw["fmt"] == "json":
        click.echo(to_json(takehome_json(results)))
    else:
        click.echo(takehome_text(results, d.locale))


# --------------------------------------------------------------------------------------------
# market: reading the points, converting, printing
# --------------------------------------------------------------------------------------------
def market_text(r: MarketResult, locale: str) -> str:
    rows = []
    for c in r.rows:
        p = c.point
        diff = "" if c.difference_percent is None else f"{c.difference_percent:+}%"
        rows.append({
            "point": p.label, "statistic": p.statistic, "as stated": p.amount,
            "as a day rate": c.day_rate if c.day_rate is not None else "—",
            "you vs it": diff, "source": f"{p.source}, {p.as_of}", "how": c.how,
        })
    head = f"Market position of {r.rate.format(locale)} a day"
    out = [head, "", table(rows, locale=locale), "", r.summary + "."]
    out += [f"note: {n}" for n in r.notes]
    out.append("Reference points are dated: see consult/data/market_rates.yaml; add your own in "
               "market_rates.yaml at the books root.")
    return "\n".join(out)
