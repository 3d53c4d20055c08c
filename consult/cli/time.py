"""`consult time …`: log, report, unbilled, export (and import, from consult.cli.time_import).

Each command parses, makes one library call and prints. `time log` reads only the books'
YAML heads and the one client's timesheets; reports read day totals through the cache
(consult.work.day_totals), so neither imports pandas or ReportLab.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import click

from consult.cli.common import (
    GroupWithLazy,
    books_root,
    check_id,
    client_scope,
    complete_engagements,
    date_arg,
    echo_rows,
    format_option,
    load,
    output_path,
)
from consult.clock import today
from consult.errors import UsageError


class _TimeGroup(GroupWithLazy):
    LAZY = {"import": "consult.cli.time_import:import_cmd"}


@click.group("time", cls=_TimeGroup)
def time_group() -> None:
    """Time: log work, report it by day, week, month, engagement or client, see what is unbilled."""


# --------------------------------------------------------------------------------------------
@time_group.command("log")
@click.argument("ref", metavar="CLIENT[/ENGAGEMENT]", shell_complete=complete_engagements)
@click.argument("work", metavar="DURATION")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="The day worked (default: today).")
@click.option("--note", help="What the time was for (one line).")
@click.option("--non-billable", is_flag=True, help="Time the client is not charged for.")
@click.pass_context
def log_cmd(ctx: click.Context, ref: str, work: str, day: str | None, note: str | None, non_billable: bool) -> None:
    """Append one entry to the client's timesheet for that month.

    DURATION is 7.5, 7.5h, 7,5h, 1h30m, 90m, 1:30, 0.5d (days of the engagement's
    hours_per_day) or a clock range 09:00-12:30. The engagement may be left out when the client
    has one active engagement. The day may be a date, today, yesterday or a weekday (the latest
    one). The file (clients/CLIENT/timesheets/YYYY-MM.yaml, or the month's .csv if that is what
    exists) keeps every existing line and comment.

    \b
      consult time log acme-analytics/churn-model 7.5h --note "Feature review"
      consult time log acme-analytics 3h --date yesterday
      consult time log hafen-logistik/demand-forecast 09:00-12:30 --date monday
    """
    from consult.books.lock import books_lock
    from consult.core.durations import format_hm
    from consult.work.log import engagement_for, log_time

    client, _, eng_id = ref.partition("/")
    if ref.count("/") > 1 or not client or ref.endswith("/"):
        raise UsageError(f"'{ref}' is not CLIENT[/ENGAGEMENT] — e.g. acme-analytics/churn-model")
    check_id(client, "CLIENT")
    if eng_id:
        check_id(eng_id, "ENGAGEMENT")
    now = today()
    when = date_arg(day, "--date") or now
    with books_lock(books_root(ctx)):  # read what decides the entry under the same lock that writes it
        books = load(ctx, timesheets=False, clients=[client], timesheet_errors=False)  # log_time reads them
        eng = engagement_for(books, client, eng_id or None)
        got = log_time(books, client, eng, when, work, note=note, billable=not non_billable, today=now)
    rel = got.path.relative_to(books.root).as_posix()
    kind = "" if not non_billable else " non-billable"
    click.echo(f"Logged {format_hm(got.minutes)}{kind} on {client}/{eng} for {when} "
               f"({rel}:{got.line}); {when:%B %Y} so far: {format_hm(got.month_minutes)}")
    for w in got.warnings:
        click.echo(f"warning: {w}", err=True)


# --------------------------------------------------------------------------------------------
def _period(period: str | None, start: str | None, end: str | None, books: Any) -> Any:
    from consult.core.periods import ALL_TIME, between, parse_period

    if period is not None and (start or end):
        raise UsageError("give --period or --from/--to, not both")
    if period is not None:
        return parse_period(period, tax_year_start=books.practice.tax_year_start, today=today())
    if start or end:
        return between(date_arg(start, "--from"), date_arg(end, "--to"))
    return ALL_TIME


period_options = [
    click.option("--period", metavar="PERIOD",
                 help="2026-10, 2026-Q3, 2026-W42, 2026, 2026/27 (UK tax year), a day, FROM..TO or last-month."),
    click.option("--from", "start", metavar="YYYY-MM-DD", help="First day (with or without --to)."),
    click.option("--to", "end", metavar="YYYY-MM-DD", help="Last day."),
    click.option("--client", metavar="CLIENT", help="Only this client."),
    click.option("--engagement", metavar="[CLIENT/]ENGAGEMENT", help="Only this engagement."),
]


def with_period(f: Any) -> Any:
    for opt in reversed(period_options):
        f = opt(f)
    return f


@time_group.command("report")
@with_period
@click.option("--by", "by", multiple=True, metavar="GROUP",
              help="day, week, month, engagement or client; repeat to nest (--by client --by month). "
                   "Default: engagement.")
@click.option("--billable-only", is_flag=True, help="Leave out non-billable time.")
@format_option
@click.pass_context
def report_cmd(ctx: click.Context, period: str | None, start: str | None, end: str | None, client: str | None,
               engagement: str | None, by: tuple[str, ...], billable_only: bool, fmt: str) -> None:
    """Hours, billable hours, billed time, billable days and value, grouped.

    Billed time is what the client is charged for after each engagement's rounding (hourly
    increments, half or whole days), beside the time as logged. Values are in each
    engagement's currency; rows never mix currencies. CSV and JSON carry minutes and decimal
    hours (schema in the README, "Time").

    \b
      consult time report --period 2026-10 --by engagement
      consult time report --period 2026 --by client --by month --format csv
    """
    from consult.work.day_totals import day_totals
    from consult.work.report import GROUPS, key_columns, report, report_totals, select

    for g in by:
        if g not in GROUPS:
            raise UsageError(f"--by: '{g}' is not a grouping — use {', '.join(GROUPS)}")
    books = load(ctx, timesheets=False, clients=client_scope(client, engagement))
    per = _period(period, start, end, books)
    engs = select(books, client, engagement)
    totals = day_totals(books, {e.client for e in engs})
    rows = report(books, totals, per, by=by or ("engagement",), engagements=engs, billable_only=billable_only)
    cols = key_columns(by or ("engagement",))
    if fmt != "table":
        data = [r.as_dict() for r in rows]
        schema = [*cols, "currency", "minutes", "hours", "billable_minutes", "billable_hours",
                  "billed_minutes", "billed_hours", "days", "value"]
        echo_rows(data, fmt, schema)
        return
    echo_rows(_table(rows, cols, books) + _table(report_totals(rows), cols, books, total=True) if rows else [],
              "table", [*cols, "hours", "billable", "billed", "days", "value"], books.practice.locale)
    click.echo(f"\n{per.label}; hours as h:mm. Billed = billable time after each engagement's rounding.")


class _HM(int):
    """Minutes shown as h:mm, right-aligned like the numbers they are."""

    def __str__(self) -> str:
        from consult.core.durations import format_hm

        return format_hm(self)


def _table(rows: Any, cols: list[str], books: Any, total: bool = False) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        d: dict[str, Any] = dict(r.keys)
        if total:
            d[cols[0]] = f"total {r.currency}"
        d.update(hours=_HM(r.minutes), billable=_HM(r.billable_minutes), billed=_HM(r.billed_minutes),
                 days=r.days, value=r.value)
        out.append(d)
    return out


# --------------------------------------------------------------------------------------------
@time_group.command("unbilled")
@click.option("--client", metavar="CLIENT", help="Only this client.")
@click.option("--detail", is_flag=True, help="One row per day (and its entries' time) instead of per engagement.")
@format_option
@click.pass_context
def unbilled_cmd(ctx: click.Context, client: str | None, detail: bool, fmt: str) -> None:
    """Billable work up to today on no issued invoice, per engagement, with its value.

    Billing is by entry: an entry is billed once an issued invoice (not credited in full) lists
    it, and a daily engagement's day by the fraction billed — so time logged late in an invoiced
    month, or the rest of a day billed as half, is still here. Fixed-price engagements show the
    milestones due and not yet billed.

    \b
      consult time unbilled
      consult time unbilled --client acme-analytics --detail
      consult time unbilled --format json
    """
    from consult.invoices.billed import days_text, unbilled
    from consult.invoices.store import load_invoices
    from consult.work.report import select

    books = load(ctx, clients=client_scope(client))
    engs = select(books, client)
    invoices, _ = load_invoices(books.root)
    rows = unbilled(books, invoices, today=today(), engagements=engs)
    if detail:
        days = [{"engagement": r.engagement.key, "date": d.date, "entries": len(d.entries),
                 "logged": _HM(d.logged),
                 "billed": f"{days_text(d.fraction)} day" if r.engagement.billing == "daily" else str(_HM(d.minutes)),
                 "value": (r.engagement.rate.times_exact(d.fraction if r.engagement.billing == "daily"
                                                         else Fraction(d.minutes, 60))
                           if r.engagement.rate is not None else None)}
                for r in rows for d in r.detail]
        if days or fmt != "table":
            echo_rows(days, fmt, ["engagement", "date", "entries", "logged", "billed", "value"], books.practice.locale)
            return
    if fmt != "table":
        echo_rows([r.as_dict() for r in rows], fmt,
                  ["client", "engagement", "billing", "from", "to", "currency", "billable_minutes",
                   "billable_hours", "billed_minutes", "billed_hours", "days", "value", "milestones"])
        return
    table = [{"engagement": r.engagement.key, "from": r.first, "to": r.last,
              "billable": _HM(r.billable_minutes) if r.billable_minutes else None,
              "billed": (f"{r.days} days" if r.days is not None else str(_HM(r.billed_minutes)))
              if r.billable_minutes else "; ".join(r.milestones),
              "value": r.value} for r in rows]
    if not table:
        click.echo("Nothing unbilled: every billable hour up to today is on an issued invoice.")
        return
    echo_rows(table, "table", None, books.practice.locale)
    click.echo("\nBill it with: consult invoice create CLIENT --period YYYY-MM")


# --------------------------------------------------------------------------------------------
EXPORT_FORMATS = ("csv", "json", "timedot", "timeclock")


@time_group.command("export")
@with_period
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True,
              help="csv/json (one row per entry), or hledger's timedot/timeclock.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write to FILE (atomically) instead of standard output.")
@click.pass_context
def export_cmd(ctx: click.Context, period: str | None, start: str | None, end: str | None, client: str | None,
               engagement: str | None, fmt: str, output: str | None) -> None:
    """Every entry in the period, one per row, for a spreadsheet or for hledger.

    The timedot and timeclock forms let anyone check consult's totals with hledger:

    \b
      consult time export --format timedot -o work.timedot
      hledger -f work.timedot balance -M --depth 1
    """
    from consult.work import export as time_export
    from consult.work.report import select

    target = output_path(books_root(ctx), output, "--output") if output is not None else None
    books = load(ctx, clients=client_scope(client, engagement))
    per = _period(period, start, end, books)
    keys = {(e.client, e.id) for e in select(books, client, engagement)}
    entries = [e for e in books.entries if (e.client, e.engagement) in keys and e.date in per]
    from consult.cli.output import csv_safe

    text = time_export.to_csv(entries, safe=csv_safe()) if fmt == "csv" else {
        "json": time_export.to_json, "timedot": time_export.to_timedot, "timeclock": time_export.to_timeclock}[fmt](entries)
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    from consult.books.store import atomic_write

    assert target is not None
    atomic_write(target, text)
    click.echo(f"Wrote {len(entries)} entries to {output}", err=True)


__all__ = ["time_group", "books_root"]
