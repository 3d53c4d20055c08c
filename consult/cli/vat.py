"""`consult vat …`: the VAT return's nine boxes (and, with `vat submit`, sending them to HMRC).

`consult vat return [PERIOD]` parses, makes one library call (`consult.vat.returns.vat_return`)
and prints the boxes as a table, CSV, JSON in HMRC's field names, or a PDF."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from consult.cli.common import books_root, format_option, load
from consult.clock import today

if TYPE_CHECKING:
    from consult.core.records import Practice
    from consult.vat.boxes import VatReturn
    from consult.vat.periods import VatPeriod

SCHEME_NAMES = {"standard": "standard scheme (invoice basis)", "cash": "Cash Accounting Scheme",
                "flat_rate": "Flat Rate Scheme"}


@click.group("vat")
def vat_group() -> None:
    """VAT returns: the nine boxes for a period, by your scheme's rules (see README, "VAT")."""


@vat_group.command("return")
@click.argument("period", required=False, metavar="[PERIOD]")
@click.option("--detail", is_flag=True, help="List the documents behind each box.")
@format_option
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False), metavar="FILE", help="Also write the return as a PDF.")
@click.pass_context
def return_cmd(ctx: click.Context, period: str | None, detail: bool, fmt: str, pdf: str | None) -> None:
    """The VAT return for PERIOD: the nine boxes, the due date and how they were worked.

    \b
    PERIOD is any period (2026-Q3, 2026-07-01..2026-09-30, last-quarter) or the return's
    HMRC period key; none means the latest VAT period that has ended (by vat.stagger).
    \b
    consult vat return 2026-Q3
    consult vat return 2026-Q3 --detail        the invoices, payments and costs in each box
    consult vat return 2026-Q3 --format json   HMRC's field names (vatDueSales, …)
    """
    from consult.errors import BooksError
    from consult.invoices.cache import load_invoices_cached
    from consult.vat.periods import recorded_obligations, resolve
    from consult.vat.returns import needed_records, vat_return

    root = books_root(ctx)
    books = load(ctx, timesheets=False)
    p = resolve(period, books.practice.vat, today=today(), tax_year_start=books.practice.tax_year_start,
                obligations=recorded_obligations(root))
    invoices, problems = load_invoices_cached(root, needed_records(books, p.start, p.end))
    if problems:
        raise BooksError(problems, "issued records cannot be read; restore them from git")
    r = vat_return(books, invoices, p.start, p.end, period_key=p.period_key, due=p.due)
    if fmt == "json":
        click.echo(return_json(r, p, detail))
    elif fmt == "csv":
        from consult.cli.output import to_csv

        if detail:
            click.echo(to_csv([entry_dict(e) for e in r.entries], ENTRY_COLUMNS))
        else:
            click.echo(to_csv(box_rows(r), ("box", "field", "title", "amount")))
    else:
        click.echo(return_text(r, p, books.practice, detail))
    if pdf:
        from consult.render.vat import render_vat_return

        out = render_vat_return(r, p.label, books.practice, Path(pdf), root, detail=detail)
        click.echo(f"wrote {out}", err=fmt != "table")
    if not p.regular:
        from consult.vat.periods import stagger_text

        click.echo(f"warning: {p.start}..{p.end} is not one of your VAT periods "
                   f"({stagger_text(books.practice.vat.stagger)}; vat.stagger in practice.yaml)", err=True)


# --------------------------------------------------------------------------------------------
# presentation: plain rows and text, no arithmetic
# --------------------------------------------------------------------------------------------
def amount_text(n: int, v: Decimal) -> str:
    """£1,755.00 for boxes 1–5; £18,826 (whole pounds) for boxes 6–9."""
    sign = "-" if v < 0 else ""
    return f"{sign}£{abs(v):,.2f}" if n <= 5 else f"{sign}£{abs(v):,.0f}"


def box_rows(r: VatReturn) -> list[dict[str, Any]]:
    from consult.vat.boxes import BOX_TITLES, HMRC_FIELDS

    return [{"box": n, "field": HMRC_FIELDS[n - 1], "title": BOX_TITLES[n], "amount": r.box(n)}
            for n in range(1, 10)]


ENTRY_COLUMNS = ("date", "kind", "ref", "party", *(f"box{n}" for n in range(1, 10)), "note")


def entry_dict(e: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"date": e.date, "kind": e.kind, "ref": e.ref, "party": e.party}
    d.update({f"box{n}": e.boxes.get(n) for n in range(1, 10)})
    d["note"] = e.note
    return d


def _settle(r: VatReturn) -> str:
    return (f"HMRC repays you {amount_text(5, r.box(5))}" if r.repayment
            else f"you pay HMRC {amount_text(5, r.box(5))}")


def return_text(r: VatReturn, p: VatPeriod, practice: Practice, detail: bool = False) -> str:
    from consult.vat.boxes import BOX_TITLES, HMRC_FIELDS

    key = f", period key {r.period_key}" if r.period_key else ""
    label = "" if p.label == f"{r.start}..{r.end}" else f" ({p.label})"
    out = [f"VAT return {r.start.isoformat()} to {r.end.isoformat()}{label}{key} — {SCHEME_NAMES[r.scheme]}",
           f"{practice.name}, VAT {practice.vat_number}",
           f"Due {r.due.isoformat()}: file the return and pay by then; {_settle(r)} (box 5)", ""]
    amounts = [amount_text(n, r.box(n)) for n in range(1, 10)]
    w = max(len(a) for a in amounts)
    fw = max(len(f) for f in HMRC_FIELDS)
    out.append(f"box  {'HMRC field'.ljust(fw)}  {'amount'.rjust(w)}  what")
    out.append(f"---  {'-' * fw}  {'-' * w}  ----")
    for n in range(1, 10):
        out.append(f"{n:>3}  {HMRC_FIELDS[n - 1].ljust(fw)}  {amounts[n - 1].rjust(w)}  {BOX_TITLES[n]}")
    if r.notes:
        out += ["", "How it was worked:"] + [f"  {t}" for t in r.notes]
    if detail:
        for n in range(1, 10):
            rows = [e for e in r.entries if n in e.boxes]
            if not rows:
                continue
            out += ["", f"Box {n} ({HMRC_FIELDS[n - 1]}): {len(rows)} document{'s' if len(rows) != 1 else ''}"]
            for e in rows:
                note = f"  {e.note}" if e.note else ""
                out.append(f"  {e.date.isoformat()}  {e.kind:<14} {e.ref:<40} {e.party[:28]:<28} "
                           f"{amount_text(1, e.boxes[n]):>12}{note}")
        if not r.entries:
            out += ["", "No documents in this period."]
    return "\n".join(out)


def return_json(r: VatReturn, p: VatPeriod, detail: bool = False) -> str:
    """The return as JSON: the nine boxes under HMRC's field names as JSON numbers written from
    their exact decimal text (never through a float), plus the period, due date and notes."""
    from consult.cli.output import plain

    body = r.hmrc_body(r.period_key or "", finalised=False)
    data: dict[str, Any] = {"periodKey": r.period_key}
    numbers: dict[str, str] = {}
    for k, v in body.items():
        if isinstance(v, Decimal):
            token = f"@@{k}@@"
            numbers[json.dumps(token)] = f"{v:f}"
            data[k] = token
    data.update({"periodStart": r.start.isoformat(), "periodEnd": r.end.isoformat(), "label": p.label,
                 "scheme": r.scheme, "due": r.due.isoformat(), "repayment": r.repayment,
                 "notes": list(r.notes)})
    if detail:
        data["documents"] = [plain(entry_dict(e)) for e in r.entries]
    text = json.dumps(data, indent=2, ensure_ascii=False)
    for token, number in numbers.items():
        text = text.replace(token, number, 1)
    return text
