"""`consult tax estimate`: what to set aside for a tax year, from the books so far.

One call, `estimate(books, invoices, year, today)`, returns an `Estimate`: titled sections of
arithmetic (every line a `Step`), the payment dates, and the monthly amount to set aside. It
never reads the clock or prints. The rules (docs/tax.md has each with its source):

* **Which year.** The UK tax year starting 6 April of `year`, with that year's table (a year
  with no table is refused by name). Profit is counted from 6 April to `today` (or the whole
  year once it is over) and **projected** to the year's end at the same pace: to date × days
  in the year ÷ days so far. Figures from practice.yaml (a job's P60, the director's salary)
  are a year's already and are not projected.
* **Sole trader** (the tax-year basis, from 2024/25): trading profit of the tax year on the
  cash basis unless `accounting_basis: accruals`; the person's own streams are a second trade;
  employment pay beside them. Income tax, Class 4 and Class 2; the Self Assessment bill is
  that less tax already deducted at source (PAYE).
* **Limited company**: the accounting period ending in the tax year (`company.year_end`,
  cut short by `company.started`), on the accruals basis. Taxable profits = profit − the
  director's salary − employer's National Insurance on it; corporation tax on that; dividends
  are the profit left (or the amount set). The director pays income tax on salary and
  dividends (and any other income), employee's Class 1 on the salary through PAYE, and Self
  Assessment on the rest.
* **Payments** (TMA 1970 ss.59A-59B): two payments on account for a year, 31 January in it
  and 31 July after, each half the previous year's bill (rounded down to the penny), unless
  that bill was under £1,000 or over 80% of the year's tax was deducted at source; the rest
  (the balancing payment) on the 31 January after the year, with the first payment on account
  of the next year. The previous year's bill is practice.yaml's `person.self_assessment`
  figure when given, else worked from the books when that year has a table.
* **Set aside each month**: the year's tax still to pay (Self Assessment bill, plus
  corporation tax for a company) ÷ 12; and, so far, that × days so far ÷ days in the year.

Nothing here is advice: `Estimate.left_out` says what is not counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from consult.core.money import Money
from consult.core.periods import Period
from consult.core.record import record
from consult.core.records import Books
from consult.errors import Problem, UsageError
from consult.invoices.record import Invoice
from consult.tax.capital import CASH, CapitalRelief, capital_relief, route_for
from consult.tax.company import CorporationTax, add_months, corporation_tax
from consult.tax.lines import GBP, ZERO, Section, count, gbp, half_down_to_penny, money, pence, total
from consult.tax.personal import (
    Income,
    class_1_employee,
    class_1_employer,
    class_2,
    class_4,
    income_tax,
    paye_on_salary,
    scottish_taxpayer,
)
from consult.tax.profit import Profit, default_basis, read_invoices, trading_profit
from consult.tax.tables import TaxTable, table_for, tax_year_label
from consult.work.rates import Step, number_text

NOT_ADVICE = ("An estimate with the rates in force, not tax advice: check it with an accountant or HMRC "
              "before you rely on it.")
LEFT_OUT = (
    "savings interest, property income, pensions and capital gains",
    "reliefs that lower the bill: pension contributions, Gift Aid, losses, the trading allowance, "
    "capital allowances other than the Annual Investment Allowance (a car's writing-down allowances, the "
    "structures and buildings allowance) and any private use of an asset or disposal",
    "charges that raise it: student loan repayments, the High Income Child Benefit Charge",
    "credit for tax withheld abroad (foreign tax credit relief)",
    "Class 1 National Insurance on a job's pay (the employer deducts it) and voluntary Class 2 or 3",
)
LEFT_OUT_COMPANY = (
    "IR35: the company's income is taken to be outside the off-payroll rules",
    "employer pension contributions, benefits in kind and directors' loans",
    "whether the company has the reserves for its dividends; quarterly instalments for large companies",
)


@record
class Due:
    """A payment to HMRC on a date."""

    due: date
    what: str
    amount: Money
    note: str = ""


@record
class Span:
    """A year (tax year or accounting period) as of a day: how much has passed."""

    start: date
    end: date
    as_of: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def elapsed(self) -> int:
        if self.as_of < self.start:
            return 0
        return (min(self.as_of, self.end) - self.start).days + 1

    @property
    def status(self) -> str:
        if self.as_of >= self.end:
            return "final"
        return "to date" if self.as_of >= self.start else "not started"

    @property
    def to_date(self) -> Period:
        end = min(self.as_of, self.end) if self.as_of >= self.start else self.start - timedelta(days=1)
        return Period(self.start, end, f"{self.start}..{end}", "range")

    def project(self, value: Decimal) -> Decimal:
        """To date × days ÷ days so far, to the penny (the whole value once the span is over)."""
        if self.status != "to date":
            return value
        return pence(value * self.days / self.elapsed)

    def projection_steps(self, value: Decimal, label: str) -> list[Step]:
        if self.status != "to date":
            return []
        return [count("÷", "days so far", Decimal(self.elapsed), "days", f"{_day(self.start)} to {_day(self.as_of)}"),
                count("×", "days in the year", Decimal(self.days), "days", "the same pace to the end"),
                money("=", label, self.project(value))]


@record
class Estimate:
    """The tax of a year, worked line by line, with its payment dates and what to set aside."""

    tax_year: int
    structure: str
    basis: str
    scottish: bool
    as_of: date
    status: str  # final | to date | not started
    sections: tuple[Section, ...]
    payments: tuple[Due, ...]
    tax_for_year: Money  # still to pay for the year: Self Assessment (+ corporation tax)
    per_month: Money
    so_far: Money  # the share of tax_for_year earned so far
    effective_rate: Decimal | None  # tax_for_year ÷ income before tax, percent to 0.1
    table: TaxTable
    company_tax: Money | None = None
    self_assessment: Money | None = None
    notes: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return tax_year_label(self.tax_year)


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def tax_year_span(year: int, as_of: date) -> Span:
    return Span(date(year, 4, 6), date(year + 1, 4, 5), as_of)


def is_scottish(books: Books) -> bool:
    return scottish_taxpayer(books.practice)


def accounting_period(books: Books, year: int) -> tuple[date, date] | None:
    """The company's accounting period ending in the tax year starting in `year` (None when
    the company had not started by then)."""
    c = books.practice.company
    m, d = c.year_end if c is not None else (3, 31)
    first, last = date(year, 4, 6), date(year + 1, 4, 5)
    end = next(e for e in (date(year, m, d), date(year + 1, m, d)) if first <= e <= last)
    start = add_months(end + timedelta(days=1), -12)
    if c is not None and c.started is not None:
        if c.started > end:
            return None
        start = max(start, c.started)
    return start, end


def reach(books: Books, year: int) -> tuple[date, date]:
    """The first and last day any period `estimate(books, …, year, …)` counts can hold: the tax
    year and the one before it (worked for the payments on account) and, for a company, the
    accounting periods ending in them."""
    spans = []
    for y in (year - 1, year):
        spans.append((date(y, 4, 6), date(y + 1, 4, 5)))
        if books.practice.structure == "limited_company" and (ap := accounting_period(books, y)) is not None:
            spans.append(ap)
    return min(s for s, _ in spans), max(e for _, e in spans)


def invoices_for(books: Books, year: int) -> tuple[list[Invoice], list[Problem]]:
    """The issued records `estimate` for `year` reads, and any record's problems: those of the
    years it reaches (consult.tax.profit.read_invoices), not ten years' worth. `estimate` given
    these or every record gives the same figures."""
    return read_invoices(books, *reach(books, year))


# --------------------------------------------------------------------------------------------
# one year, worked
# --------------------------------------------------------------------------------------------
@dataclass
class _Year:
    table: TaxTable
    sections: list[Section]
    liability: Decimal  # income tax + Class 4 + Class 2
    deducted: Decimal  # tax deducted at source (PAYE)
    income: Decimal  # before tax, for the effective rate
    ct: CorporationTax | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def bill(self) -> Decimal:
        return self.liability - self.deducted


def _employment_settings(books: Books, year: int) -> tuple[Decimal, Decimal, list[str]]:
    jobs = [j for j in books.practice.person.employment if j.tax_year == year]
    return (total(j.pay.amount for j in jobs), total(j.tax_deducted.amount for j in jobs),
            [j.employer or "employment" for j in jobs])


def _capital_steps(relief: CapitalRelief, label: str, before: Decimal) -> list[Step]:
    """The capital items' lines, and the profit after them (none when there are no items)."""
    if not relief.steps:
        return []
    return [*relief.steps, money("=", label, before - relief.amount)]


def _income_section(title: str, p: Profit, span: Span, relief: CapitalRelief | None = None
                    ) -> tuple[Section, Decimal]:
    """The business's income and costs of a span so far, projected, less the capital items
    bought so far (`relief`, never projected); with the profit that leaves."""
    streams = list(p.by_stream.items()) or [("income", Money.zero(GBP))]
    steps = [money("+" if i else "", s, m.amount) for i, (s, m) in enumerate(streams)]
    if len(streams) > 1:
        steps.append(money("=", "turnover", p.income.amount, "net of VAT"))
    steps.append(money("−", "expenses", p.expenses.amount, "as consult earnings counts them"))
    steps.append(money("=", "profit so far" if span.status == "to date" else "profit", p.profit.amount,
                       f"{p.basis} basis"))
    steps += span.projection_steps(p.profit.amount, "projected profit")
    profit = span.project(p.profit.amount)
    notes = [f"{_day(span.start)} to {_day(span.end)}: {span.status}"
             + (f", {span.elapsed} of {span.days} days" if span.status == "to date" else "")]
    if relief is not None:
        steps += _capital_steps(relief, "profit after capital expenditure" if relief.route == CASH
                                else "profit after capital allowances", profit)
        profit -= relief.amount
        notes += relief.notes
    if p.withheld_abroad:
        steps.append(money("", "of the income, tax withheld abroad", p.withheld_abroad.amount, "not credited here"))
    return Section(title, tuple(steps), tuple(notes)), profit


def _person_lines(p: Profit, span: Span, books: Books, year: int) -> tuple[list[Step], Decimal, Decimal, Decimal, list[str]]:
    """The person's own streams and employment: (lines, trading, pay, tax deducted, warnings)."""
    steps: list[Step] = []
    warnings: list[str] = []
    trading = ZERO
    for s, m in p.personal.items():
        projected = span.project(m.amount)
        note = f"{gbp(m.amount)} so far" if span.status == "to date" else ""
        steps.append(money("+" if steps else "", f"{s} (your own)", projected, note))
        trading += projected
    pay = span.project(p.employment.amount)
    deducted = span.project(p.employment_tax.amount)
    s_pay, s_tax, names = _employment_settings(books, year)
    if s_pay and pay:
        warnings.append(f"{tax_year_label(year)}: employment is both in practice.yaml (person.employment) and "
                        "in income.yaml payouts from an employer; both are counted — keep one")
    if pay:
        steps.append(money("+" if steps else "", "pay from employers (income.yaml)", pay,
                           f"{gbp(deducted)} tax deducted"))
    if s_pay:
        steps.append(money("+" if steps else "", f"pay: {', '.join(names)} (practice.yaml)", s_pay,
                           f"{gbp(s_tax)} tax deducted"))
    return steps, trading, pay + s_pay, deducted + s_tax, warnings


def _sole_trader(books: Books, invoices: Sequence[Invoice], table: TaxTable, year: int, as_of: date,
                 basis: str, scottish: bool) -> _Year:
    span = tax_year_span(year, as_of)
    p = trading_profit(books, invoices, span.to_date, basis)
    relief = capital_relief(books, *span.to_date.days, route_for("sole_trader", basis), table)
    income_sec, profit = _income_section(f"Trading profit, {tax_year_label(year)}", p, span, relief)
    business = max(profit, ZERO)
    sections = [income_sec]
    extra, own, pay, deducted, warnings = _person_lines(p, span, books, year)
    if extra:
        sections.append(Section("Other income", tuple(extra)))
    trading = business + own
    it = income_tax(table, Income(employment=pay, trading=trading, scottish=scottish))
    sections.append(Section("Income tax" + (" (Scottish taxpayer)" if scottish else ""), it.steps))
    c4, c2 = class_4(table, trading), class_2(table, trading)
    sections.append(Section("National Insurance", c4.steps + c2.steps))
    liability = it.amount + c4.amount + c2.amount
    sa = [money("", "income tax", it.amount), money("+", "Class 4 National Insurance", c4.amount)]
    if c2.amount:
        sa.append(money("+", "Class 2 National Insurance", c2.amount))
    sa.append(money("−", "tax deducted at source (PAYE)", deducted))
    sa.append(money("=", "Self Assessment bill", liability - deducted))
    sections.append(Section("Self Assessment", tuple(sa)))
    warnings += list(p.warnings) + list(relief.warnings)
    if profit < 0:
        warnings.append(f"{tax_year_label(year)}: a trading loss of {gbp(-profit)}; counted as nil "
                        "(loss relief is not estimated)")
    return _Year(table, sections, liability, deducted, trading + pay, warnings=warnings)


def _limited_company(books: Books, invoices: Sequence[Invoice], table: TaxTable, year: int, as_of: date,
                     scottish: bool, root: Path | None) -> _Year:
    company = books.practice.company
    ap = accounting_period(books, year)
    sections: list[Section] = []
    warnings: list[str] = []
    salary = company.salary.amount if company and company.salary is not None else \
        table.class_1_primary_threshold.value
    employer_ni = class_1_employer(table, salary)
    ct = None
    after_tax = ZERO
    company_profit = ZERO
    if ap is not None:
        span = Span(ap[0], ap[1], as_of)
        p = trading_profit(books, invoices, span.to_date, "accruals")
        sec, company_profit = _income_section(f"Company profit, accounting period {_day(ap[0])} – {_day(ap[1])}",
                                              p, span)
        steps = list(sec.steps)
        steps.append(money("−", "director's salary", salary,
                           "set in practice.yaml" if company and company.salary is not None
                           else "the Class 1 primary threshold (the common split)"))
        steps += [Step("−", s.label, s.value, s.unit, s.money, s.note) for s in employer_ni.steps]
        relief = capital_relief(books, *span.to_date.days, route_for("limited_company", "accruals"), table)
        steps += relief.steps
        taxable = company_profit - salary - employer_ni.amount - relief.amount
        steps.append(money("=", "taxable profits", taxable))
        sections.append(Section(sec.title, tuple(steps), sec.notes + relief.notes))
        warnings += list(p.warnings) + list(relief.warnings)
        if taxable < 0:
            warnings.append(f"accounting period to {ap[1]}: a loss of {gbp(-taxable)}; no corporation tax "
                            "(loss relief is not estimated)")

        def fy_table(fy: int) -> TaxTable:
            return table_for(fy, root)

        ct = corporation_tax(fy_table, ap[0], ap[1], taxable, company.associated_companies if company else 0)
        sections.append(Section("Corporation tax", ct.steps,
                                (f"due {_day(ct.due)} (9 months and a day after the period ends)",)))
        after_tax = max(ZERO, taxable - ct.amount)
    # the person: their own streams and pay over the tax year (payouts count the same on either basis)
    tax_span = tax_year_span(year, as_of)
    pp = trading_profit(books, invoices, tax_span.to_date, "accruals")
    dividends = company.dividends.amount if company and company.dividends is not None else after_tax
    if company and company.dividends is not None and company.dividends.amount > after_tax:
        warnings.append(f"dividends of {gbp(dividends)} are more than the company's profit after tax "
                        f"({gbp(after_tax)}); a dividend needs distributable reserves")
    extra, own, pay, deducted, w = _person_lines(pp, tax_span, books, year)
    warnings += w
    lines = [money("", "director's salary", salary),
             money("+", "dividends", dividends, "set in practice.yaml" if company and company.dividends is not None
                   else "all the profit left after corporation tax")]
    lines += [Step("+", s.label, s.value, s.unit, s.money, s.note) for s in extra]
    sections.append(Section("Your income", tuple(lines)))
    it = income_tax(table, Income(employment=salary + pay, trading=own, dividends=dividends, scottish=scottish))
    sections.append(Section("Income tax" + (" (Scottish taxpayer)" if scottish else ""), it.steps))
    ee = class_1_employee(table, salary)
    ni = list(ee.steps)
    ni[-1] = money("=", "employee's National Insurance", ee.amount, "deducted from the salary through PAYE")
    c4 = class_4(table, own) if own else None
    if c4 is not None:
        ni += list(c4.steps)
    sections.append(Section("National Insurance on the salary" + (" and your own trade" if c4 else ""), tuple(ni)))
    paye = paye_on_salary(table, salary, scottish)
    liability = it.amount + (c4.amount if c4 else ZERO)
    sa = [money("", "income tax", it.amount)]
    if c4 is not None:
        sa.append(money("+", "Class 4 National Insurance", c4.amount))
    sa.append(money("−", "PAYE on the director's salary", paye,
                    f"tax code {'S' if scottish else ''}1257L, the salary alone"))
    if deducted:
        sa.append(money("−", "tax deducted from other pay", deducted))
    sa.append(money("=", "Self Assessment bill", liability - paye - deducted))
    sections.append(Section("Self Assessment", tuple(sa)))
    return _Year(table, sections, liability, paye + deducted, company_profit + pay + own, ct, warnings)


def _work_year(books: Books, invoices: Sequence[Invoice], year: int, as_of: date, root: Path | None) -> _Year:
    table = table_for(year, root)
    scottish = is_scottish(books)
    if books.practice.structure == "limited_company":
        return _limited_company(books, invoices, table, year, as_of, scottish, root)
    return _sole_trader(books, invoices, table, year, as_of, default_basis(books), scottish)


# --------------------------------------------------------------------------------------------
# payments and the estimate
# --------------------------------------------------------------------------------------------
def needs_payments_on_account(table: TaxTable, liability: Decimal, deducted: Decimal) -> tuple[bool, str]:
    """Whether a year's bill sets payments on account for the next, and why not (TMA 1970 s.59A)."""
    bill = liability - deducted
    below = table.poa_below.value
    if bill < below:
        return False, f"its bill of {gbp(bill)} is under {gbp(below)}"
    share = table.poa_at_source_share.value
    if liability > 0 and deducted * 100 > liability * share:
        return False, f"over {number_text(share)}% of its tax was deducted at source"
    return True, ""


def _previous_bill(books: Books, invoices: Sequence[Invoice], year: int, today: date,
                   root: Path | None) -> tuple[Decimal, Decimal, str] | None:
    """(liability, deducted, where from) for the year before `year`, or None when unknown.
    A year not over by `today` is projected like any other."""
    for b in books.practice.person.self_assessment:
        if b.tax_year == year - 1:
            return b.bill.amount, ZERO, f"practice.yaml ({b.source})"
    try:
        prev = _work_year(books, invoices, year - 1, min(today, date(year, 4, 5)), root)
    except UsageError:  # no table for that year
        return None
    return prev.liability, prev.deducted, "worked from the books"


def estimate(books: Books, invoices: Sequence[Invoice], year: int, today: date) -> Estimate:
    """The tax of the tax year starting 6 April `year`, as of `today`."""
    p = books.practice
    if p.country != "GB":
        raise UsageError(f"consult tax estimates UK tax; practice.yaml says the practice is in {p.country}")
    root = books.root
    work = _work_year(books, invoices, year, today, root)
    table = work.table
    span = tax_year_span(year, today)
    label = tax_year_label(year)
    payments: list[Due] = []
    notes: list[str] = []
    prev = _previous_bill(books, invoices, year, today, root)
    poa_made = ZERO
    if prev is None:
        notes.append(f"No bill for {tax_year_label(year - 1)} is known (no table for that year and none in "
                     "practice.yaml person.self_assessment): the balancing payment assumes no payments on "
                     "account were made.")
    else:
        liability, deducted, where = prev
        needed, why = needs_payments_on_account(table, liability, deducted)
        if needed:
            half = half_down_to_penny(liability - deducted)
            poa_made = half * 2
            payments.append(Due(date(year + 1, 1, 31), f"1st payment on account {label}", Money(half, GBP),
                                f"half the {tax_year_label(year - 1)} bill ({where})"))
            payments.append(Due(date(year + 1, 7, 31), f"2nd payment on account {label}", Money(half, GBP)))
        else:
            notes.append(f"No payments on account for {label}: {tax_year_label(year - 1)} ({where}) sets none, "
                         f"as {why}.")
    bill = work.bill
    balancing = bill - poa_made
    payments.append(Due(date(year + 2, 1, 31), f"balancing payment {label}", Money(balancing, GBP),
                        f"bill {gbp(bill)} − {gbp(poa_made)} paid on account"
                        + (" (a repayment or credit)" if balancing < 0 else "")))
    needed, why = needs_payments_on_account(table, work.liability, work.deducted)
    if needed:
        half = half_down_to_penny(bill)
        nxt = tax_year_label(year + 1)
        payments.append(Due(date(year + 2, 1, 31), f"1st payment on account {nxt}", Money(half, GBP),
                            f"half the {label} bill"))
        payments.append(Due(date(year + 2, 7, 31), f"2nd payment on account {nxt}", Money(half, GBP)))
    else:
        notes.append(f"No payments on account for {tax_year_label(year + 1)}: {label} sets none, as {why}.")
    company_tax = None
    to_pay = max(bill, ZERO)
    if work.ct is not None:
        company_tax = Money(work.ct.amount, GBP)
        payments.append(Due(work.ct.due, "corporation tax", company_tax,
                            f"accounting period to {_day(work.ct.end)}"))
        to_pay += work.ct.amount
    payments.sort(key=lambda d: d.due)
    per_month = pence(to_pay / 12)
    so_far = to_pay if span.status == "final" else pence(to_pay * span.elapsed / span.days)
    rate = (to_pay * 100 / work.income).quantize(Decimal("0.1")) if work.income > 0 else None
    set_aside = [money("", "tax still to pay for the year", to_pay,
                       "Self Assessment bill" + (" + corporation tax" if work.ct is not None else "")),
                 count("÷", "months", Decimal(12), "months"),
                 money("=", "set aside each month", per_month)]
    if span.status == "to date":
        set_aside.append(money("", "set aside by now", so_far, f"{span.elapsed} of {span.days} days of the year"))
    sections = work.sections + [Section("Set aside", tuple(set_aside))]
    if span.status == "to date":
        notes.insert(0, f"Projected: the books to {_day(today)} ({span.elapsed} of {span.days} days), carried on "
                        "at the same pace to 5 April.")
    elif span.status == "not started":
        notes.insert(0, f"The tax year has not started ({_day(span.start)}); nothing from the books is counted yet.")
    left = LEFT_OUT + (LEFT_OUT_COMPANY if p.structure == "limited_company" else ())
    return Estimate(
        tax_year=year, structure=p.structure,
        basis="accruals" if p.structure == "limited_company" else default_basis(books),
        scottish=is_scottish(books), as_of=today, status=span.status, sections=tuple(sections),
        payments=tuple(payments), tax_for_year=Money(pence(to_pay), GBP), per_month=Money(per_month, GBP),
        so_far=Money(so_far, GBP), effective_rate=rate, table=table, company_tax=company_tax,
        self_assessment=Money(bill, GBP), notes=tuple(notes), left_out=left, warnings=tuple(work.warnings),
    )
