"""Capital items in the books (`capital: true`: a laptop, a desk, a van) as tax relief.

`consult.earnings` leaves capital items out of expenses and profit, because their relief is
not a running cost; it is worked here, by the route the law gives the structure and basis
(docs/tax.md, "Capital items", has each rule with its source):

* **Sole trader, cash basis**: capital expenditure on plant and machinery is deducted as it is
  paid (ITTOIA 2005 s.33A; HMRC BIM70035) — except a **car** (s.33A(4)(c)) and **land**
  (s.33A(4)(d)), which are not deducted.
* **Sole trader on the accruals basis, and a company**: capital allowances. The **Annual
  Investment Allowance** gives 100% of plant and machinery expenditure in the chargeable
  period it is incurred, up to the year's maximum (£1,000,000; CAA 2001 s.51A), proportionately
  less for a shorter period (s.51A(6)); **cars** are excluded (s.38B, general exclusion 2: they
  get writing-down allowances instead) and land and buildings are not plant.
* **VAT**: relief is on the cost net of the VAT the VAT return reclaims, gross where none is
  reclaimed (HMRC Statement of Practice B1) — the same test as consult.vat: a VAT-registered
  practice reclaims the UK VAT on a sterling purchase; under the Flat Rate Scheme only on capital
  goods costing £2,000 or more VAT included; VAT on a foreign-currency purchase is foreign VAT,
  part of the cost; an unregistered practice reclaims none.

What is not relieved here is said, never dropped: a car's writing-down allowances, anything
over the AIA, the structures and buildings allowance, private use, disposals.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from consult.core import fx
from consult.core.money import Money
from consult.core.record import record
from consult.core.records import Books, Expense
from consult.errors import UsageError
from consult.tax.company import add_months
from consult.tax.lines import GBP, ZERO, gbp, money, pence
from consult.tax.tables import TaxTable
from consult.work.rates import Step

CASH = "cash"  # a sole trader's cash basis: deducted as paid
AIA = "aia"  # capital allowances: the Annual Investment Allowance


@record
class CapitalItem:
    """One capital item of the period and the cost its relief is worked on, in pounds."""

    expense: Expense
    cost: Decimal
    vat_note: str  # how VAT was treated, in words

    @property
    def kind(self) -> str:
        """plant (the default), car or land."""
        return self.expense.asset or "plant"

    @property
    def what(self) -> str:
        """`XPS 15 laptop, expenses.yaml:9`: what it is and where the books say so."""
        x = self.expense
        where = x.source.path if x.source.line is None else f"{x.source.path}:{x.source.line}"
        return f"{x.note or x.supplier or 'capital item'}, {where}"


@record
class CapitalRelief:
    """The relief a period's capital items give, as lines of the working."""

    route: str  # cash | aia
    items: tuple[CapitalItem, ...]  # relieved, in date order
    left: tuple[CapitalItem, ...]  # cars and land: not relieved here
    limit: Decimal | None  # the period's AIA maximum (aia only)
    amount: Decimal  # the relief: comes off profit
    steps: tuple[Step, ...]
    notes: tuple[str, ...]
    warnings: tuple[str, ...]


def route_for(structure: str, basis: str) -> str:
    """A sole trader on the cash basis deducts capital expenditure as paid; everyone else
    (accruals basis, a company) claims capital allowances."""
    return CASH if structure != "limited_company" and basis == "cash" else AIA


def reclaimed_vat(books: Books, x: Expense) -> tuple[Decimal, str]:
    """The VAT on `x` the VAT return reclaims (pounds), and what became of it, in words. The
    amount is consult.vat.blocked.reclaimed_vat's — the one rule, shared with the invoice that
    rebills a cost and with earnings; this adds only the words."""
    from consult.vat.blocked import CAPITAL_GOODS_MINIMUM, blocked
    from consult.vat.blocked import reclaimed_vat as reclaimed

    p = books.practice
    vat = x.vat.amount if x.vat is not None else ZERO
    if x.reverse_charge or not vat:
        return ZERO, "no VAT paid"
    back = reclaimed(books, x)
    if back:
        return back, f"net of {gbp(back)} VAT reclaimed"
    if not p.vat_registered:
        return ZERO, f"gross: {gbp(vat)} VAT not reclaimed (not VAT-registered)"
    if x.amount.currency != GBP:
        return ZERO, f"gross: its {x.amount.currency} VAT is foreign VAT, part of the cost"
    if (why := blocked(books, x)) is not None:
        return ZERO, f"gross: {gbp(vat)} VAT not reclaimed — {why}"
    if x.rebill:
        return ZERO, ("gross: rebilled to the client, so goods for resale and not capital goods — its VAT is "
                      "not reclaimed under the Flat Rate Scheme")
    return ZERO, (f"gross: under the Flat Rate Scheme no VAT is reclaimed on capital goods under "
                  f"{gbp(CAPITAL_GOODS_MINIMUM)} VAT included")


def capital_items(books: Books, start: date, end: date) -> list[CapitalItem]:
    """The capital items paid from `start` to `end` (every client's and the practice's own), each
    at its cost for tax in pounds: net of reclaimed VAT, converted at the ECB rate of its day
    when bought in another currency (as consult earnings converts costs)."""
    out = []
    for x in sorted((x for x in books.expenses if x.capital and start <= x.date <= end),
                    key=lambda x: (x.date, x.source.path, x.source.line or 0)):
        vat, note = reclaimed_vat(books, x)
        cost = x.amount - Money(vat, x.amount.currency)
        if cost.currency != GBP:
            try:
                r = fx.rate_for(cost.currency, GBP, x.date, None, str(x.source), books.practice.base_currency)
            except fx.NoRate as e:
                raise fx.NoRate(f"{x.source}: {e}") from None
            note = f"{cost.plain()} at {r.rate} ({r.source}); {note}"
            cost = cost.convert(r.rate, GBP)
        out.append(CapitalItem(x, cost.amount, note))
    return out


def aia_limit(table: TaxTable, start: date, end: date) -> Decimal:
    """The AIA maximum for a chargeable period: the year's, × days ÷ 365 when the period is
    shorter or longer than a year (CAA 2001 s.51A(6)), to the penny."""
    if table.aia_limit is None:
        raise UsageError(f"the {table.label} tax table ({table.origin}) has no capital_allowances: "
                         "annual_investment_allowance, which the capital items in the books need; add it with "
                         "its source (docs/tax.md)")
    year = table.aia_limit.value
    if end == add_months(start, 12) - timedelta(days=1):
        return year
    return pence(year * ((end - start).days + 1) / 365)


def capital_relief(books: Books, start: date, end: date, route: str, table: TaxTable) -> CapitalRelief:
    """The relief for the capital items paid from `start` to `end` (a tax year, or a company's
    accounting period so far) by `route`, as lines to take off profit."""
    items = capital_items(books, start, end)
    relieved = [i for i in items if i.kind == "plant"]
    left = tuple(i for i in items if i.kind != "plant")
    steps: list[Step] = []
    notes: list[str] = []
    warnings: list[str] = []
    limit: Decimal | None = None
    total = ZERO
    if route == CASH:
        for i in relieved:
            steps.append(money("−", f"capital expenditure: cash basis 100% on {gbp(i.cost)} ({i.what})", i.cost,
                               f"{i.vat_note}; deducted as paid (ITTOIA 2005 s.33A)"))
            total += i.cost
    else:
        limit = aia_limit(table, start, end) if relieved else None
        room = limit if limit is not None else ZERO
        for i in relieved:
            claim = min(i.cost, room)
            room -= claim
            if claim == i.cost:
                label = f"capital allowances: AIA 100% on {gbp(i.cost)} ({i.what})"
            else:
                label = f"capital allowances: AIA on {gbp(claim)} of {gbp(i.cost)} ({i.what})"
                warnings.append(f"{i.what}: {gbp(i.cost - claim)} is over the Annual Investment Allowance of "
                                f"{gbp(limit or ZERO)} for {start} to {end} and is not relieved here "
                                "(writing-down allowances, or full expensing for a company's new main-rate plant, "
                                "are not estimated)")
            if claim:
                steps.append(money("−", label, claim, f"{i.vat_note}; CAA 2001 s.51A"))
                total += claim
    for i in left:
        notes.append(_not_relieved(i, route))
    if relieved or left:
        notes.append("capital items count once, when bought: they are not projected")
    return CapitalRelief(route, tuple(relieved), left, limit, total, tuple(steps), tuple(notes), tuple(warnings))


def _not_relieved(i: CapitalItem, route: str) -> str:
    cost = f"{gbp(i.cost)} ({i.what})"
    if i.kind == "car":
        why = ("no deduction for a car on the cash basis (ITTOIA 2005 s.33A(4)(c))" if route == CASH
               else "a car gets no AIA (CAA 2001 s.38B, general exclusion 2)")
        return (f"{cost} is a car: {why}; its writing-down allowances (by the car's CO2 emissions) are not "
                "estimated")
    why = ("no deduction for land on the cash basis (ITTOIA 2005 s.33A(4)(d))" if route == CASH
           else "land and buildings are not plant and machinery: no AIA")
    return f"{cost} is land or buildings: {why}; the structures and buildings allowance is not estimated"
