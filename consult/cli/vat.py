"""`consult vat …`: VAT returns, and sending them to HMRC through Making Tax Digital.

The file has one section per part of the job, each registering its commands on `vat_group`:

* the group itself (below);
* Making Tax Digital: `vat login`, `vat logout`, `vat obligations`, `vat submit`;
* the return: `vat return` (the nine boxes, consult.vat.returns).

Each command parses, makes one library call and prints (the library is `consult.vat`).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from consult.cli.common import books_root, echo_rows, format_option, load, output_path
from consult.clock import today

if TYPE_CHECKING:
    from consult.core.records import Practice
    from consult.vat.boxes import VatReturn
    from consult.vat.corrections import Difference
    from consult.vat.mtd import Obligation, VatApi
    from consult.vat.periods import VatPeriod


# ==========================================================================================
# the group
# ==========================================================================================
@click.group("vat")
def vat_group() -> None:
    """VAT returns: the nine boxes, and submitting them to HMRC (Making Tax Digital).

    \b
    consult vat login               authorise consult with HMRC (once; renews itself)
    consult vat obligations         the returns HMRC expects: period keys, due dates
    consult vat return 2026-Q3      the nine boxes of a period, with the documents behind them
    consult vat submit 2026-Q3      send a return and record HMRC's receipt in the books
    """


# ==========================================================================================
# Making Tax Digital: authorisation, obligations, submission (consult.vat.mtd, .oauth,
# .submission; docs/mtd.md)
# ==========================================================================================
BOX_LABELS = ("VAT due on sales and other outputs", "VAT due on acquisitions from the EU",
              "Total VAT due (1 + 2)", "VAT reclaimed on purchases and other inputs",
              "Net VAT to pay or reclaim |3 − 4|", "Total sales ex VAT (whole £)",
              "Total purchases ex VAT (whole £)", "Goods supplied to the EU ex VAT (whole £)",
              "Acquisitions from the EU ex VAT (whole £)")


def _api(vat_number: str | None, *, need_credentials: bool = True) -> VatApi:
    from consult.vat.mtd import connect

    return connect(vat_number, need_credentials=need_credentials)


def _open_in_browser(url: str) -> None:
    """Print the sign-in address (the way in when no browser opens, e.g. over SSH) and ask the
    desktop's browser (or the command in $BROWSER) to open it."""
    import webbrowser

    click.echo("Sign in to HMRC and grant consult access in your browser. If none opens, visit:\n"
               f"  {url}\n(waiting for HMRC's answer on this computer…)", err=True)
    webbrowser.open(url)


@vat_group.command("login")
@click.option("--timeout", type=click.IntRange(10, 3600), default=300, show_default=True,
              help="Seconds to wait for HMRC's sign-in to come back.")
@click.pass_context
def login_cmd(ctx: click.Context, timeout: int) -> None:
    """Authorise consult with HMRC for the practice's VAT number.

    Opens HMRC's sign-in page; HMRC sends the answer back to this computer (127.0.0.1), and the
    grant is kept in your config folder, never in the books. Access renews itself for 18 months.
    Sandbox unless `environment: production` is set (docs/mtd.md).
    """
    from consult.vat.oauth import authorise

    books = load(ctx, timesheets=False)
    api = _api(books.practice.vat_number)
    token = authorise(api.settings, api.tokens, open_url=_open_in_browser, timeout=timeout)
    click.echo(f"authorised with {api.settings.label} for VAT number {api.vrn}; "
               f"access until {token.expires_at:%Y-%m-%d %H:%M} UTC, renewed as needed")


@vat_group.command("logout")
@click.pass_context
def logout_cmd(ctx: click.Context) -> None:
    """Forget consult's HMRC authorisation for the practice's VAT number (on this computer).

    HMRC keeps the grant until it expires; withdraw it in your HMRC account to end it there.
    """
    books = load(ctx, timesheets=False)
    api = _api(books.practice.vat_number, need_credentials=False)
    gone = api.tokens.forget()
    click.echo(f"{'forgot' if gone else 'there was no'} authorisation with {api.settings.label} for VAT number {api.vrn}")


@vat_group.command("obligations")
@format_option
@click.pass_context
def obligations_cmd(ctx: click.Context, fmt: str) -> None:
    """The VAT returns HMRC expects: every open one and those of the last year.

    Each with its period key (give it, or the period, to `consult vat submit`), dates, due
    date, status, the day HMRC received it, and the receipt the books hold for it.
    """
    from consult.vat.submission import overview

    root = books_root(ctx)
    books = load(ctx, timesheets=False)
    api = _api(books.practice.vat_number)
    rows: list[dict[str, Any]] = []
    for ob, rec in overview(root, api, today()):
        rows.append({"period_key": ob.period_key, "start": ob.start, "end": ob.end, "due": ob.due,
                     "status": ob.status_word, "received": ob.received,
                     "receipt": (rec.receipt.get("formBundleNumber") or "recovered") if rec else None})
    if fmt == "table":
        click.echo(f"VAT obligations — {api.settings.label}, VAT number {api.vrn}\n")
    echo_rows(rows, fmt, headers={"period_key": "period key", "receipt": "receipt in the books"})


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _show_return(ret: VatReturn, ob: Obligation, label: str, err: bool) -> None:
    """The boxes as they will be sent (to stderr when stdout carries CSV or JSON)."""
    from consult.vat.boxes import HMRC_FIELDS

    body = ret.hmrc_body(ob.period_key)
    click.echo(f"VAT return {ob.period_key}: {_day(ob.start)} – {_day(ob.end)}, due {_day(ob.due)} "
               f"({ret.scheme} scheme) — to {label}\n", err=err)
    for i, (name, text) in enumerate(zip(HMRC_FIELDS, BOX_LABELS, strict=True), start=1):
        click.echo(f"  Box {i}  {text:<45} {body[name]:>16,}", err=err)
    for note in ret.notes:
        click.echo(f"  note: {note}", err=err)
    click.echo("", err=err)


@vat_group.command("submit")
@click.argument("period", metavar="PERIOD")
@click.option("--yes", "assume_yes", is_flag=True,
              help="Make the declaration without asking (for scripts: you have checked the boxes).")
@format_option
@click.pass_context
def submit_cmd(ctx: click.Context, period: str, assume_yes: bool, fmt: str) -> None:
    """Send the VAT return for PERIOD to HMRC and record HMRC's receipt in the books.

    PERIOD is an open obligation: a period (2026-Q3, 2026-07-01..2026-09-30) or HMRC's period key
    (`consult vat obligations` lists them). The boxes are shown and you make HMRC's declaration
    before anything is sent. A period the books record as submitted is refused, naming the
    receipt; so is one HMRC already holds.
    """
    from consult.vat.submission import DECLARATION, submit

    books = load(ctx)
    api = _api(books.practice.vat_number)

    def confirm(ret: VatReturn, ob: Obligation) -> bool:
        quiet = fmt != "table"
        _show_return(ret, ob, api.settings.label, quiet)
        click.echo(DECLARATION, err=quiet)
        if assume_yes:
            return True
        return click.confirm(f"Submit this return to {api.settings.label} for VAT number {api.vrn}?",
                             default=False, err=quiet)

    done = submit(books, period, api=api, today=today(), confirm=confirm,
                  now=lambda: datetime.now(timezone.utc))
    if done is None:
        click.echo("not submitted; nothing was sent")
        return
    sub = done.submitted
    rows = [{"field": k, "value": v} for k, v in sub.receipt.items()]
    if fmt == "table":
        click.echo(f"\nSubmitted to {api.settings.label}: VAT return {sub.period_key} "
                   f"({sub.start} to {sub.end}), VAT number {sub.vrn}")
        echo_rows(rows, fmt, headers={"field": "HMRC's receipt", "value": ""})
        click.echo(f"recorded in {sub.path}")
    elif fmt == "json":
        from consult.cli.output import render

        click.echo(render([{"period_key": sub.period_key, "start": sub.start, "end": sub.end,
                            "environment": sub.environment, "vrn": sub.vrn, "record": sub.path,
                            **sub.receipt}], "json"))
    else:
        echo_rows(rows, fmt)


# ==========================================================================================
# the return: the nine boxes (consult.vat.returns; docs/vat.md)
# ==========================================================================================
SCHEME_NAMES = {"standard": "standard scheme (invoice basis)", "cash": "Cash Accounting Scheme",
                "flat_rate": "Flat Rate Scheme"}


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
    from consult.vat.corrections import differences, environment_of, with_corrections
    from consult.vat.filed import find
    from consult.vat.periods import recorded_obligations, resolve
    from consult.vat.returns import load_return_records, vat_return

    root = books_root(ctx)
    pdf_path = output_path(root, pdf, "--pdf") if pdf else None  # never over a file of the books
    books = load(ctx, timesheets=False)
    on = today()
    p = resolve(period, books.practice.vat, today=on, tax_year_start=books.practice.tax_year_start,
                obligations=recorded_obligations(root))
    sent = find(root, "production", start=p.start, end=p.end) or find(root, "sandbox", start=p.start, end=p.end)
    diff = None
    if sent is not None:  # a return already sent: the books' figures beside it, never a new return
        [diff] = differences(books, sent.environment, only=(p.start, p.end))
        r = diff.now
    else:
        invoices = load_return_records(root, books, p.start, p.end)
        r = with_corrections(books, vat_return(books, invoices, p.start, p.end, period_key=p.period_key, due=p.due),
                             environment_of(root))
    if fmt == "json":
        click.echo(return_json(r, p, detail, on, diff))
    elif fmt == "csv":
        from consult.cli.output import to_csv

        if detail:
            click.echo(to_csv([entry_dict(e) for e in r.entries], ENTRY_COLUMNS))
        else:
            click.echo(to_csv(box_rows(r), ("box", "field", "title", "amount")))
    else:
        click.echo(return_text(r, p, books.practice, detail, on, diff))
    if pdf:
        from consult.render.vat import render_vat_return

        assert pdf_path is not None
        out = render_vat_return(r, p.label, books.practice, pdf_path, root, detail=detail)
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
    if not r.box(5):
        return "nothing to pay or reclaim: £0.00"
    return (f"HMRC repays you {amount_text(5, r.box(5))}" if r.repayment
            else f"you pay HMRC {amount_text(5, r.box(5))}")


def status_line(r: VatReturn, on: date, diff: Difference | None) -> str:
    """What the user has to do about this return, as of `on`: a period not yet ended is not
    filed; one already sent is never sent again; else file and pay by the due date."""
    from datetime import timedelta

    if diff is not None:
        s = diff.submitted
        when = f" on {s.submitted_on.isoformat()}" if s.submitted_on else ""
        receipt = s.receipt.get("formBundleNumber")
        return (f"Submitted to {s.label}{when}" + (f" (receipt {receipt})" if receipt else "")
                + f"; recorded in {s.path}. It is not sent again.")
    if on <= r.end:
        return (f"The period ends {r.end.isoformat()}: figures so far. The return can be filed from "
                f"{(r.end + timedelta(days=1)).isoformat()} and is due {r.due.isoformat()}; so far {_settle(r)} (box 5)")
    if on > r.due:
        return f"Was due {r.due.isoformat()}: file the return and pay now; {_settle(r)} (box 5)"
    return f"Due {r.due.isoformat()}: file the return and pay by then; {_settle(r)} (box 5)"


def submitted_text(diff: Difference) -> list[str]:
    """The return as sent beside the books now, and what to do about a difference."""
    from consult.vat.boxes import HMRC_FIELDS

    rows: list[tuple[int, str, str, str]] = [
        (n, amount_text(n, diff.submitted.box(n) + diff.corrected.get(n, Decimal(0))), amount_text(n, diff.now.box(n)),
         amount_text(n, diff.delta(n)) if diff.delta(n) else "") for n in range(1, 10)]
    w = [max(len(r[1]) for r in rows), max(len(r[2]) for r in rows), max(len(r[3]) for r in rows)]
    heads = ("as submitted", "books now", "difference")
    w = [max(a, len(h)) for a, h in zip(w, heads, strict=True)]
    fw = max(len(f) for f in HMRC_FIELDS)
    out = [f"box  {'HMRC field'.ljust(fw)}  " + "  ".join(h.rjust(x) for h, x in zip(heads, w, strict=True)),
           f"---  {'-' * fw}  " + "  ".join("-" * x for x in w)]
    for n, a, b, d in rows:
        out.append(f"{n:>3}  {HMRC_FIELDS[n - 1].ljust(fw)}  {a.rjust(w[0])}  {b.rjust(w[1])}  {d.rjust(w[2])}".rstrip())
    if diff.corrected_on:
        out += ["", "As submitted includes the corrections made since on " + ", ".join(diff.corrected_on) + "."]
    if not diff.differs:
        return [*out, "", "The books agree with the return as submitted."]
    out.append("")
    if diff.vat_differs:
        due = "more VAT due to HMRC" if diff.net > 0 else "VAT over-declared (due to you)"
        out.append(f"The books no longer agree with the return HMRC holds: {amount_text(1, abs(diff.net))} {due}. "
                   "No return declares the difference: it is an error on this return. Correct it on your next "
                   "return — `consult vat return` adds it to the next period you work out, to box 1 (due to HMRC) "
                   f"or box 4 (due to you) — if the net value of errors is no more than £10,000, or 1% of that "
                   "return's box 6 up to £50,000; above that, or if the error was deliberate, tell HMRC on form "
                   "VAT652 (VAT Notice 700/45 §4).")
    else:
        out.append("Only boxes 6–9 (values, no VAT) differ: no VAT is under- or over-declared, so there is nothing "
                   "to correct on the next return; an accountant may still tell HMRC (VAT Notice 700/45).")
    if diff.added:
        out.append("In the books' figures, not in the return sent: " + ", ".join(diff.added) + ".")
    if diff.gone:
        out.append("In the return sent, no longer in the books' figures: " + ", ".join(diff.gone) + ".")
    return out


def return_text(r: VatReturn, p: VatPeriod, practice: Practice, detail: bool = False, on: date | None = None,
                diff: Difference | None = None) -> str:
    from consult.vat.boxes import BOX_TITLES, HMRC_FIELDS

    key = f", period key {r.period_key}" if r.period_key else ""
    label = "" if p.label == f"{r.start}..{r.end}" else f" ({p.label})"
    out = [f"VAT return {r.start.isoformat()} to {r.end.isoformat()}{label}{key} — {SCHEME_NAMES[r.scheme]}",
           f"{practice.name}, VAT {practice.vat_number}",
           status_line(r, on or date.max, diff), ""]
    if diff is not None:
        out += submitted_text(diff)
    else:
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


def return_json(r: VatReturn, p: VatPeriod, detail: bool = False, on: date | None = None,
                diff: Difference | None = None) -> str:
    """The return as JSON: the nine boxes under HMRC's field names as JSON numbers written from
    their exact decimal text (never through a float), plus the period, due date, status and notes.
    For a period already submitted the boxes are the books' figures now, and `submitted` holds the
    boxes as sent and `difference` the books less them."""
    from consult.cli.output import plain
    from consult.vat.boxes import HMRC_FIELDS

    body = r.hmrc_body(r.period_key or "", finalised=False)
    data: dict[str, Any] = {"periodKey": r.period_key}
    numbers: dict[str, str] = {}

    def number(key: str, v: Decimal) -> str:
        token = f"@@{key}@@"
        numbers[json.dumps(token)] = f"{v:f}"
        return token

    for k, v in body.items():
        if isinstance(v, Decimal):
            data[k] = number(k, v)
    status = "submitted" if diff is not None else "not ended" if on is not None and on <= r.end else "to file"
    data.update({"periodStart": r.start.isoformat(), "periodEnd": r.end.isoformat(), "label": p.label,
                 "scheme": r.scheme, "due": r.due.isoformat(), "repayment": r.repayment, "status": status,
                 "notes": list(r.notes)})
    if diff is not None:
        s = diff.submitted
        data["submitted"] = {"environment": s.environment, "record": s.path, "submittedAt": s.submitted_at,
                             "receipt": dict(s.receipt),
                             **{name: number(f"s.{name}", s.box(i)) for i, name in enumerate(HMRC_FIELDS, start=1)}}
        data["difference"] = {name: number(f"d.{name}", diff.delta(i)) for i, name in enumerate(HMRC_FIELDS, start=1)}
        data["documentsSince"] = list(diff.added)
        data["documentsGone"] = list(diff.gone)
    if r.corrections:
        data["corrections"] = [{"periodStart": c.start.isoformat(), "periodEnd": c.end.isoformat(),
                                "periodKey": c.period_key, "record": c.record,
                                "net": number(f"c{i}.net", c.net)} for i, c in enumerate(r.corrections)]
    if detail:
        data["documents"] = [plain(entry_dict(e)) for e in r.entries]
    text = json.dumps(data, indent=2, ensure_ascii=False)
    for token, figure in numbers.items():
        text = text.replace(token, figure, 1)
    return text
