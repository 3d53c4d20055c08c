"""`consult earnings [YEAR | FROM..TO]` and `consult earnings receivables`: parse, one call, print."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from consult.cli.common import books_root, date_arg, echo_rows, format_option, load, output_path
from consult.clock import today
from consult.earnings import BASES, BUCKETS, GROUPINGS, Earnings, Receivables

if TYPE_CHECKING:
    from consult.invoices.record import Invoice


class PeriodGroup(click.Group):
    """A group whose optional PERIOD argument must not swallow a subcommand's name.

    `consult earnings 2026` binds 2026 to PERIOD; `consult earnings receivables …` runs the
    subcommand: everything from the subcommand's name on is left to it.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = {name for p in self.params if isinstance(p, click.Option) and not p.is_flag
                       for name in p.opts}
        i = 0
        while i < len(args):
            a = args[i]
            if a == "--":
                break
            if a in self.commands:
                click.Command.parse_args(self, ctx, args[:i])
                if hasattr(ctx, "_protected_args"):
                    ctx._protected_args = args[i:i + 1]
                else:  # pragma: no cover - click 8.1
                    ctx.protected_args = args[i:i + 1]  # type: ignore[misc,unused-ignore]  # a read-only property since click 8.2
                ctx.args = args[i + 1:]
                return ctx.args
            i += 2 if a in takes_value else 1
        return super().parse_args(ctx, args)


def _invoices(root: Path) -> list[Invoice]:
    from consult.errors import BooksError
    from consult.invoices.cache import load_invoices_cached

    invoices, problems = load_invoices_cached(root)
    if problems:
        raise BooksError(problems, "issued records cannot be read; restore them from git")
    return invoices


def _currency(code: str | None) -> str | None:
    from consult.core.money import is_currency
    from consult.errors import UsageError

    if code is None:
        return None
    if not is_currency(code.upper()):
        raise UsageError(f"--currency: '{code}' is not an ISO 4217 currency code — e.g. GBP, EUR, USD")
    return code.upper()


@click.group("earnings", cls=PeriodGroup, invoke_without_command=True,
             context_settings={"allow_interspersed_args": True})
@click.argument("period", required=False, metavar="[YEAR | FROM..TO]")
@click.option("--tax-year", "use_tax_year", is_flag=True,
              help="YEAR is the tax year starting then (2026 = 6 Apr 2026 – 5 Apr 2027, labelled 2026/27).")
@click.option("--basis", type=click.Choice(BASES), default="accrual", show_default=True,
              help="accrual: invoices by issue date; cash: payments by date received.")
@click.option("--by", "by", type=click.Choice(GROUPINGS), default="month", show_default=True,
              help="Group by month, quarter (MTD quarters in a tax year), client or stream.")
@click.option("--currency", metavar="CODE", help="Report currency (default: the practice's base currency).")
@click.option("--detail", is_flag=True, help="Table: list every invoice, payment and payout counted.")
@format_option
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write the report as a PDF with a monthly chart by stream.")
@click.pass_context
def earnings_group(ctx: click.Context, period: str | None, use_tax_year: bool, basis: str, by: str,
                   currency: str | None, detail: bool, fmt: str, pdf: str | None) -> None:
    """How the year went: income by month, client and stream in one currency.

    \b
    consult earnings 2026                    calendar year 2026, invoiced (accrual)
    consult earnings --tax-year 2026         6 Apr 2026 – 5 Apr 2027 (2026/27)
    consult earnings 2026 --basis cash       money received in 2026
    consult earnings 2026-01-01..2026-06-30 --by client
    consult earnings 2026 --format csv       every row with its rate and source
    consult earnings receivables --as-of 2026-11-30
    """
    if ctx.invoked_subcommand:
        return
    from consult.core.periods import year_or_period
    from consult.earnings import rollup
    from consult.work.day_totals import worked_minutes

    root = books_root(ctx)
    pdf_path = output_path(root, pdf, "--pdf") if pdf else None  # never over a file of the books
    books = load(ctx, timesheets=False)  # time comes as daily totals, cached (worked_minutes)
    p = year_or_period(period, today=today(), use_tax_year=use_tax_year,
                       tax_year_start=books.practice.tax_year_start)
    report = rollup(books, _invoices(root), p, basis=basis, by=by, currency=_currency(currency),
                    minutes=worked_minutes(books))
    locale = books.practice.locale
    if fmt == "json":
        from consult.cli.output import to_json

        click.echo(to_json(report_json(report)))
    elif fmt == "csv":
        echo_rows([row_dict(r) for r in report.rows], "csv", ROW_COLUMNS)
    else:
        click.echo(report_text(report, locale, detail))
    if pdf:
        from consult.render.earnings import render_earnings

        assert pdf_path is not None
        out = render_earnings(report, books.practice, pdf_path, root)
        click.echo(f"wrote {out}", err=fmt != "table")
    for w in report.warnings:
        click.echo(f"warning: {w}", err=True)


@earnings_group.command("receivables")
@click.option("--as-of", "as_of", metavar="DATE", help="Age the debts as of this date (default: today).")
@click.option("--currency", metavar="CODE", help="Convert to this currency (default: the base currency).")
@format_option
@click.pass_context
def receivables_cmd(ctx: click.Context, as_of: str | None, currency: str | None, fmt: str) -> None:
    """Invoices not yet paid, aged 0–30, 31–60, 61–90 and 90+ days since issue."""
    from consult.earnings import receivables
    from consult.invoices.accounts import Moves

    root = books_root(ctx)
    books = load(ctx, timesheets=False)
    when = date_arg(as_of, "--as-of") or today()
    cur = _currency(currency) or books.practice.base_currency
    rec = receivables(_invoices(root), Moves.of(books), when, cur, books.practice.base_currency)
    if fmt == "json":
        from consult.cli.output import to_json

        click.echo(to_json(receivables_json(rec)))
    elif fmt == "csv":
        echo_rows([receivable_dict(i, rec.currency) for i in rec.items], "csv", RECEIVABLE_COLUMNS)
    else:
        click.echo(receivables_text(rec, books.practice.locale))


# --------------------------------------------------------------------------------------------
# presentation: plain dicts and text, no arithmetic
# --------------------------------------------------------------------------------------------
ROW_COLUMNS = ("date", "kind", "ref", "client", "stream", "currency", "amount", "vat", "withheld",
               "rate", "rate_source", "base_currency", "base_amount", "base_vat", "base_withheld")


def row_dict(r: Any) -> dict[str, Any]:
    return {"date": r.date, "kind": r.kind, "ref": r.ref, "client": r.client, "stream": r.stream,
            "currency": r.amount.currency, "amount": r.amount, "vat": r.vat, "withheld": r.withheld,
            "rate": r.rate, "rate_source": r.source, "base_currency": r.base.currency,
            "base_amount": r.base, "base_vat": r.base_vat, "base_withheld": r.base_withheld}


def _group_dict(g: Any, streams: tuple[str, ...]) -> dict[str, Any]:
    d: dict[str, Any] = {"key": g.key, "label": g.label}
    if g.start:
        d.update(start=g.start, end=g.end)
    d["streams"] = {s: g.by_stream[s] for s in streams}
    d.update(income=g.income, vat=g.vat, withheld=g.withheld, billable_days=g.days)
    return d


def report_json(e: Earnings) -> dict[str, Any]:
    return {
        "period": {"label": e.period.label, "start": e.period.days[0], "end": e.period.days[1],
                   "tax_year": e.period.kind == "tax_year"},
        "basis": e.basis, "currency": e.currency, "by": e.by,
        "totals": {"streams": e.by_stream, "income": e.income, "vat_charged": e.vat, "withheld": e.withheld,
                   "billable_days": e.billable_days, "working_days": e.working_days,
                   "utilisation_percent": e.utilisation, "effective_day_rate": e.effective_day_rate,
                   "expenses": e.expenses, "costs": e.costs, "profit": e.profit},
        "capital": e.capital,
        "costs_by_category": [category_dict(k, v) for k, v in e.costs_by_category.items()],
        "mtd_updates": [mtd_dict(u) for u in e.mtd_updates],
        "groups": [_group_dict(g, e.streams) for g in e.groups],
        "clients": [_group_dict(g, e.streams) for g in e.clients],
        "rates": e.rate_notes(),
        "rows": [row_dict(r) for r in e.rows],
        "warnings": list(e.warnings),
    }


def _money(m: Any, locale: str) -> str:
    return "" if m is None else m.format(locale)


def report_text(e: Earnings, locale: str, detail: bool = False) -> str:
    from consult.cli.output import table

    basis = "invoiced (accrual basis)" if e.basis == "accrual" else "received (cash basis)"
    kind = "tax year" if e.period.kind == "tax_year" else "period"
    head = (f"Earnings {e.period.label} — {kind} {e.period.days[0].isoformat()} to {e.period.days[1].isoformat()}, "
            f"{basis}, in {e.currency}")
    first = {"month": "month", "quarter": "quarter", "client": "client", "stream": "stream"}[e.by]
    rows: list[dict[str, Any]] = []
    for g in e.groups:
        r: dict[str, Any] = {first: g.label}
        if e.by != "stream":
            r.update({s: g.by_stream[s] for s in e.streams})
        r.update(income=g.income, VAT=g.vat, days=_days(g.days))
        rows.append(r)
    total: dict[str, Any] = {first: "Total"}
    if e.by != "stream":
        total.update({s: e.by_stream[s] for s in e.streams})
    total.update(income=e.income, VAT=e.vat, days=_days(e.billable_days))
    rows.append(total)
    out = [head, "", table(rows, locale=locale)]
    util = f"{e.utilisation}%" if e.utilisation is not None else "n/a"
    wd = str(e.working_days) if e.working_days is not None else "n/a"
    facts = [
        ("Income", _money(e.income, locale)),
        ("  of which withheld at source", _money(e.withheld, locale)),
        ("VAT charged (not income)", _money(e.vat, locale)),
        ("Billable days worked", _days(e.billable_days)),
        ("Working days available", wd),
        ("Utilisation", util),
        ("Effective day rate", _money(e.effective_day_rate, locale) or "n/a"),
        ("Expenses (ex VAT)", _money(e.expenses, locale)),
        ("  of which costs not rebilled", _money(e.costs, locale)),
        ("Profit (income − expenses)", _money(e.profit, locale)),
    ]
    if e.capital:
        facts.append(("Capital items (apart: not in expenses)", _money(e.capital, locale)))
    w = max(len(k) for k, _ in facts)
    out += [""] + [f"{k.ljust(w)}  {v}" for k, v in facts]
    if e.period.kind == "tax_year":
        out += ["", *costs_text(e, locale)]
    notes = e.rate_notes()
    if notes:
        out += ["", "Rates:"] + [f"  {n}" for n in notes]
    if detail and e.rows:
        out += ["", table([{"date": r.date, "kind": r.kind, "ref": r.ref, "client": r.client,
                            "stream": r.stream, "amount": r.amount, "rate": r.rate, "source": r.source,
                            e.currency: r.base} for r in e.rows], locale=locale)]
    return "\n".join(out)


def category_dict(name: str, amount: Any) -> dict[str, Any]:
    from consult.core.categories import BY_NAME

    c = BY_NAME[name]
    return {"category": name, "sa103f_box": c.box, "label": c.label, "allowable": c.allowable, "amount": amount}


def mtd_dict(u: Any) -> dict[str, Any]:
    return {"update": u.number, "start": u.start, "end": u.end, "deadline": u.deadline,
            "turnover": u.turnover, "expenses": dict(u.expenses), "total_expenses": u.total_expenses,
            "quarter": {"start": u.quarter_start, "end": u.end, "turnover": u.quarter_turnover,
                        "expenses": dict(u.quarter_expenses)}}


def costs_text(e: Earnings, locale: str) -> list[str]:
    """The tax year's costs by HMRC category (SA103F boxes) and the MTD quarterly updates."""
    from consult.cli.output import table
    from consult.core.categories import BY_NAME

    out = [f"Costs by HMRC category (Self Assessment SA103F boxes, for a sole trader), {e.currency}"]
    if not e.costs_by_category:
        out.append("  no costs in this period")
    else:
        rows: list[dict[str, Any]] = [
            {"box": BY_NAME[k].box, "category": k, "what": BY_NAME[k].label, "amount": v}
            for k, v in e.costs_by_category.items()]
        rows.append({"box": "", "category": "Total", "what": "", "amount": e.expenses})
        out.append(table(rows, locale=locale))
    out += ["", f"Profit (income − expenses): {_money(e.profit, locale)}"]
    if e.mtd_updates:
        cats = sorted({k for u in e.mtd_updates for k in u.expenses},
                      key=lambda k: list(BY_NAME).index(k))
        rows = []
        for u in e.mtd_updates:
            r: dict[str, Any] = {"update": f"{u.number}: to {u.end.isoformat()}", "deadline": u.deadline,
                                 "turnover": u.turnover}
            r.update({k: u.expenses.get(k) for k in cats})
            r["expenses"] = u.total_expenses
            rows.append(r)
        out += ["", f"MTD Income Tax quarterly updates (cumulative from {e.period.days[0].isoformat()}; sole traders "
                    f"and landlords, not companies), {e.currency}", table(rows, locale=locale)]
    return out


def _days(d: Any) -> str:
    """Days to the three places billing uses, the same in every row (0.000, 17.708)."""
    from decimal import Decimal

    return f"{Decimal(d):.3f}"


RECEIVABLE_COLUMNS = ("number", "client", "issued", "due", "currency", "outstanding", "age_days", "bucket",
                      "days_late", "rate", "rate_source", "base_currency", "base_outstanding")


def receivable_dict(i: Any, currency: str) -> dict[str, Any]:
    return {"number": i.number, "client": i.client, "issued": i.issued, "due": i.due,
            "currency": i.outstanding.currency, "outstanding": i.outstanding, "age_days": i.age,
            "bucket": i.bucket, "days_late": i.days_late, "rate": i.rate, "rate_source": i.source,
            "base_currency": currency, "base_outstanding": i.base}


def receivables_json(r: Receivables) -> dict[str, Any]:
    return {"as_of": r.as_of, "currency": r.currency, "buckets": r.buckets, "on_account": r.on_account,
            "total": r.total, "invoices": [receivable_dict(i, r.currency) for i in r.items]}


def receivables_text(r: Receivables, locale: str) -> str:
    from consult.cli.output import table

    head = f"Receivables as of {r.as_of.isoformat()}, aged by days since issue, in {r.currency}"
    if not r.items:
        return f"{head}\n\nnothing outstanding"
    rows = [{"invoice": i.number, "client": i.client, "issued": i.issued, "due": i.due,
             "outstanding": i.outstanding, "age": i.age, "late": i.days_late, "bucket": i.bucket,
             r.currency: i.base} for i in r.items]
    foot: dict[str, Any] = {b: r.buckets[b] for b in BUCKETS}
    if r.on_account:
        foot["on account"] = r.on_account  # money clients hold against other invoices
    foot["total"] = r.total
    return "\n".join([head, "", table(rows, locale=locale), "", table([foot], locale=locale)])
