"""`consult tax estimate [TAX-YEAR]`: what to set aside, every line of arithmetic printed.

A thin skin over `consult.tax.estimate`: find the books, read the issued invoices, make one
library call, print its sections (as `consult rate target` prints its lines) or JSON. Imports
neither pandas nor ReportLab.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from consult.cli.common import date_arg, load
from consult.clock import today

if TYPE_CHECKING:
    from consult.core.records import Books
    from consult.invoices.record import Invoice
    from consult.tax.estimate import Estimate
    from consult.tax.lines import Section
    from consult.tax.takehome import TakeHome
    from consult.work.rates import Step

format_option = click.option("--format", "fmt", type=click.Choice(("table", "json")), default="table",
                             show_default=True, help="The working as aligned lines, or as JSON.")


@click.group("tax")
def tax_group() -> None:
    """What to set aside for tax: Self Assessment and corporation tax, estimated from the books.

    \b
    consult tax estimate                  the tax year holding today, projected to 5 April
    consult tax estimate 2025/26          a past year, from the books as they stand
    consult tax estimate --format json    every line, amounts as exact strings
    consult rate takehome 525 --billable-days 240   take-home from a day rate

    An estimate, not advice: the output says what it leaves out.
    """


def tax_year_arg(text: str | None, on: date) -> int:
    """TAX-YEAR as typed (2026/27, or 2026 for the year starting 6 April 2026); none: today's."""
    from consult.core.periods import parse_period, tax_year_of
    from consult.errors import UsageError

    if text is None:
        p = tax_year_of(on)
    else:
        p = parse_period(text, year_is_tax_year=True, today=on, what="TAX-YEAR")
        if p.kind != "tax_year":
            raise UsageError(f"TAX-YEAR: '{text}' is not a tax year — e.g. 2026/27, or 2026 for the year "
                             "starting 6 April 2026")
    assert p.start is not None
    return p.start.year


def _invoices(books: Books, year: int) -> list[Invoice]:
    """The issued records the estimate of `year` reads (every record that changed is still
    read and checked)."""
    from consult.errors import BooksError
    from consult.tax.estimate import invoices_for

    invoices, problems = invoices_for(books, year)
    if problems:
        raise BooksError(problems, "issued records cannot be read; restore them from git")
    return invoices


@tax_group.command("estimate")
@click.argument("tax_year", required=False, metavar="[TAX-YEAR]")
@click.option("--as-of", "as_of", metavar="DATE", help="Count the books up to this day (default: today).")
@format_option
@click.pass_context
def estimate_cmd(ctx: click.Context, tax_year: str | None, as_of: str | None, fmt: str) -> None:
    """Income tax, National Insurance and corporation tax for TAX-YEAR (2026/27 or 2026), and
    what to set aside each month.

    A sole trader's profit is the tax year's, on the cash basis unless practice.yaml says
    `accounting_basis: accruals`; a company's is its accounting period ending in the year.
    Before the year ends the books so far are projected to its end. The rates come from
    consult/data/tax (and tax_tables.yaml in the books); a year with no table is refused.
    """
    from consult.tax.estimate import estimate

    books = load(ctx, timesheets=False)
    on = date_arg(as_of, "--as-of") or today()
    year = tax_year_arg(tax_year, on)
    result = estimate(books, _invoices(books, year), year, on)
    if fmt == "json":
        from consult.cli.output import to_json

        click.echo(to_json(estimate_json(result)))
    else:
        click.echo(estimate_text(result, books.practice.locale))
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)


# --------------------------------------------------------------------------------------------
# presentation: no arithmetic here
# --------------------------------------------------------------------------------------------
def _cells(s: Step, locale: str) -> tuple[str, str, str, str, str]:
    from consult.work.rates import number_text

    if s.money is not None:
        value, unit = s.money.format(locale), ""
    else:
        value, unit = number_text(s.value), s.unit
    return s.op or " ", s.label, value, unit, s.note


def sections_text(sections: Sequence[Section], locale: str) -> list[str]:
    """Every section's lines, aligned across sections: operator, item, amount, unit, note."""
    rows = [[_cells(s, locale) for s in sec.steps] for sec in sections]
    flat = [c for r in rows for c in r] or [(" ", "", "", "", "")]
    w_label = max(len(c[1]) for c in flat)
    w_value = max(len(c[2]) for c in flat)
    w_unit = max(len(c[3]) for c in flat)
    out: list[str] = []
    for sec, cells in zip(sections, rows, strict=True):
        out += ["", sec.title]
        for op, label, value, unit, note in cells:
            line = f"{op} {label.ljust(w_label)}  {value.rjust(w_value)}"
            if w_unit:
                line += f" {unit.ljust(w_unit)}"
            out.append(f"{line}  {note}".rstrip())
        out += [f"  ({n})" for n in sec.notes]
    return out


def estimate_text(e: Estimate, locale: str) -> str:
    from consult.cli.output import table
    from consult.tax.estimate import NOT_ADVICE

    who = "limited company and its director" if e.structure == "limited_company" else "sole trader"
    where = "Scottish taxpayer" if e.scottish else "rest of the UK rates"
    status = {"final": "the whole year", "to date": f"projected from the books to {e.as_of.isoformat()}",
              "not started": "the year has not started"}[e.status]
    out = [f"Tax estimate {e.label} — {who}, {e.basis} basis, {where}; {status}"]
    out += sections_text(e.sections, locale)
    if e.payments:
        out += ["", "Payments to HMRC", ""]
        out.append(table([{"due": p.due, "what": p.what, "amount": p.amount, "how": p.note} for p in e.payments],
                         locale=locale))
    out.append("")
    rate = f" ({e.effective_rate}% of the income before tax)" if e.effective_rate is not None else ""
    out.append(f"Set aside {e.per_month.format(locale)} a month: {e.tax_for_year.format(locale)} of tax "
               f"for {e.label}{rate}.")
    out += [f"note: {n}" for n in e.notes]
    out.append(f"Left out: {'; '.join(e.left_out)}.")
    out.append(f"Rates: {e.table.origin} (every figure with its source; docs/tax.md).")
    out.append(NOT_ADVICE)
    return "\n".join(out)


def estimate_json(e: Estimate) -> dict[str, Any]:
    from consult.tax.estimate import NOT_ADVICE

    return {
        "tax_year": e.label, "as_of": e.as_of, "status": e.status, "structure": e.structure, "basis": e.basis,
        "scottish_taxpayer": e.scottish,
        "sections": [s.as_dict() for s in e.sections],
        "payments": [{"due": p.due, "what": p.what, "amount": p.amount, "note": p.note} for p in e.payments],
        "self_assessment_bill": e.self_assessment, "corporation_tax": e.company_tax,
        "set_aside": {"tax_for_year": e.tax_for_year, "per_month": e.per_month, "so_far": e.so_far,
                      "effective_rate_percent": e.effective_rate},
        "rates": {"file": e.table.origin, "sources": dict(e.table.sources)},
        "notes": list(e.notes), "left_out": list(e.left_out), "warnings": list(e.warnings),
        "not_advice": NOT_ADVICE,
    }


def takehome_text(results: Sequence[TakeHome], locale: str) -> str:
    """One structure's working in full; several: each in full, then side by side."""
    from consult.cli.output import table
    from consult.tax.estimate import NOT_ADVICE

    out: list[str] = []
    for r in results:
        if out:
            out += ["", ""]
        out.append(r.title)
        out += sections_text(r.sections, locale)
    if len(results) > 1:
        out += ["", "Side by side", ""]
        out.append(table([{"structure": r.structure, "turnover": r.turnover, "tax and NI": r.taxes,
                           "costs": r.costs, "take-home": r.take_home, "a month": r.per_month,
                           "kept": f"{r.kept_percent}%"} for r in results], locale=locale))
    kinds = {r.structure for r in results}
    notes = []
    if "ltd" in kinds:
        notes.append("The company is taken to be outside IR35, paying out all its profit after tax unless "
                     "--dividends says less.")
    if "umbrella" in kinds:
        notes.append("The umbrella's margin is an assumption (--margin); pension auto-enrolment is not included.")
    if len(results) > 1:
        notes.append("Costs are expenses, fees, and the umbrella's margin and levy.")
    out += [""] + notes + [NOT_ADVICE]
    return "\n".join(out)


def takehome_json(results: Sequence[TakeHome]) -> dict[str, Any]:
    from consult.tax.estimate import NOT_ADVICE

    return {"results": [{
        "structure": r.structure, "tax_year": f"{r.tax_year}/{(r.tax_year + 1) % 100:02d}", "rate": r.rate,
        "billable_days": r.days, "turnover": r.turnover, "taxes": r.taxes, "costs": r.costs,
        "take_home": r.take_home, "per_month": r.per_month, "kept_percent": r.kept_percent,
        "sections": [s.as_dict() for s in r.sections]} for r in results], "not_advice": NOT_ADVICE}
