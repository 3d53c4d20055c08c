"""`consult time import FILE --format …`: another time tracker's export into the timesheets."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from consult.cli.common import load
from consult.clock import today

if TYPE_CHECKING:
    from consult.core.records import Books, TimeEntry
    from consult.work.ingest import Billed, Change

_FORMATS = ("toggl", "clockify", "harvest", "watson", "timewarrior")
_LABEL = {"toggl": "Toggl", "clockify": "Clockify", "harvest": "Harvest", "watson": "Watson",
          "timewarrior": "Timewarrior"}
_SHOWN = 5  # entries listed per kind of change; the rest are counted


@click.command("import")
@click.argument("file", metavar="FILE", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(_FORMATS),
              help="The tool that wrote FILE (default: told from its columns or shape).")
@click.option("--map", "maps", multiple=True, metavar="PROJECT=CLIENT/ENGAGEMENT",
              help="Which engagement a project's time goes to (repeatable; `skip` leaves it out).")
@click.option("--dry-run", is_flag=True, help="Do everything but write: say what would be added and changed.")
@click.option("--skip-unmapped", is_flag=True, help="Leave out projects that match no engagement.")
@click.option("--sync", is_flag=True,
              help="Make unbilled entries changed or deleted in the tool since they were imported match it.")
@click.option("--user", metavar="NAME|EMAIL", help="Import one person's time from a team export.")
@click.option("--period", metavar="PERIOD",
              help="The dates the export covers (e.g. 2026-10), where entries it no longer has count as "
                   "deleted in the tool (default: its first to last day; all of it for a Watson frames "
                   "file or a Timewarrior data folder).")
@click.option("--timezone", "tz_name", metavar="ZONE",
              help="Where the work was done: for Watson/Timewarrior's UTC times and for clock changes "
                   "(default: the practice country's zone, e.g. Europe/London).")
@click.option("--dates", type=click.Choice(["dmy", "mdy"]),
              help="How to read dates like 01/10/2026 when the file cannot tell.")
@click.option("--billable-values", metavar="YES,NO",
              help="The words for yes and no in the Billable column, if not a language consult knows.")
@click.pass_context
def import_cmd(ctx: click.Context, file: Path, fmt: str | None, maps: tuple[str, ...], dry_run: bool,
               skip_unmapped: bool, sync: bool, user: str | None, period: str | None, tz_name: str | None,
               dates: str | None, billable_values: str | None) -> None:
    """Add the entries of a Toggl, Clockify or Harvest CSV, Watson frames or a Timewarrior
    export to the timesheets. Entries keep their tool's id, so importing the same file
    again adds nothing; entries changed or deleted in the tool since are reported (and with
    --sync made to match, unless billed); a bad row stops the import before anything is written.

    \b
      consult time import toggl-2026-10.csv --format toggl --map "Churn=acme-analytics/churn-model"
      consult time import team-2026-10.csv --user sam@carter-ml.co.uk --sync
      consult time import ~/.config/watson/frames --format watson --dry-run
      timew export | consult time import - --format timewarrior
    """
    with _collector_paused():
        _import(ctx, file, fmt, maps, dry_run, skip_unmapped, sync, user, period, tz_name, dates, billable_values)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while an import runs, and back as it was after.

    An import of 10,000 rows makes some 100,000 objects (cells, rows, entries, lines) in
    which there are no reference cycles: reference counting frees every one of them. The
    collector, set off by their number alone, went over them some 140 times (once over
    everything the process holds) and freed nothing: ~45 ms of a 10,000-row import.
    `_import` returns before the collector comes back, so what it made is already freed."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _import(ctx: click.Context, file: Path, fmt: str | None, maps: tuple[str, ...], dry_run: bool,
            skip_unmapped: bool, sync: bool, user: str | None, period: str | None, tz_name: str | None,
            dates: str | None, billable_values: str | None) -> None:
    from consult.core.durations import format_hm
    from consult.core.periods import parse_period
    from consult.work.importers import read_export, read_export_bytes, zone
    from consult.work.ingest import import_rows, lazily, parse_maps, per_engagement, read_map_file

    books = load(ctx, timesheets=False)  # import_rows reads the timesheets itself, under the lock
    covers = None
    if period is not None:
        p = parse_period(period, tax_year_start=books.practice.tax_year_start, today=today())
        covers = (p.start or date.min, p.end or date.max)
    shown = str(file)
    mapping = {**read_map_file(books), **parse_maps(books, maps)}
    tz = zone(tz_name, books.practice.country)
    if shown == "-":
        import sys

        shown = "<stdin>"
        export = read_export_bytes(sys.stdin.buffer.read(), fmt, tz=tz, dates=dates, user=user,
                                   billable_values=billable_values)
    else:
        export = read_export(file, fmt, tz=tz, dates=dates, shown=shown, user=user,
                             billable_values=billable_values)
    done = import_rows(books, export, mapping, skip_unmapped=skip_unmapped, today=today(), period=covers,
                       sync=sync, dry_run=dry_run, billed=lazily(lambda: _billed(books)))
    plan = done.plan
    label = _LABEL[export.tool]
    total = sum(n.row.minutes for n in plan.new)
    n = len(plan.new)
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {n} entr{'y' if n == 1 else 'ies'} ({format_hm(total)}) from {shown} "
               f"[{export.tool}]" + (": nothing written (dry run)" if dry_run else ""))
    for key, count, minutes, first, last in per_engagement(plan):
        days = f"{first}" if first == last else f"{first} … {last}"
        click.echo(f"  {key:<36} {count:>5} {format_hm(minutes):>8}   {days}")
    for w in done.written:
        rel = w.path.relative_to(books.root).as_posix()
        what = [f"{w.entries} new"] if w.entries else []
        what += [f"{w.changed} changed"] if w.changed else []
        what += [f"{w.removed} removed"] if w.removed else []
        click.echo(f"  {'would write' if dry_run else 'wrote'} {rel}: {', '.join(what)}")
    if export.facts:
        click.echo("Read: " + "; ".join(export.facts))
    if plan.in_books or plan.repeated:
        click.echo(f"Already in the books: {plan.in_books}" +
                   (f"; repeated in the file: {plan.repeated}" if plan.repeated else ""))
    synced = {id(c) for c in done.synced}
    by_hand = {id(c.old) for c in done.by_hand}
    _changes(f"Changed in {label} since imported", plan.changed, synced, sync, dry_run, "applied")
    window = plan.window
    if window is not None:
        within = "its whole history" if window[0] == date.min else f"{window[0]} … {window[1]}"
        _changes(f"Gone from {label} ({within})", plan.gone, synced, sync, dry_run, "removed")
    billed = [c for c in (*plan.changed, *plan.gone) if c.billed]
    if billed:
        click.echo(f"Billed, so left as they are: {len(billed)}")
        for c in billed[:_SHOWN]:
            click.echo(f"  {_entry(c.old)} — on {c.billed}: to change it, credit that invoice "
                       f"(consult invoice credit {c.billed} --reason \"…\"), then import again with --sync")
    if by_hand:
        click.echo(f"Not changed by --sync (the line is not one entry on one line; edit it by hand): {len(by_hand)}")
        for c in done.by_hand[:_SHOWN]:
            click.echo(f"  {_entry(c.old)}")
    for project, rows, minutes in plan.left_out:
        click.echo(f"Left out: {project!r} ({rows} entr{'y' if rows == 1 else 'ies'}, {format_hm(minutes)})")
    if plan.export.skipped:
        reasons: dict[str, int] = {}
        for s in plan.export.skipped:
            why = s.rsplit(": ", 1)[-1]
            reasons[why] = reasons.get(why, 0) + 1
        click.echo("Skipped: " + ", ".join(f"{c} {why}" for why, c in sorted(reasons.items())))
    for warning in plan.warnings:
        click.echo(f"warning: {warning}", err=True)


def _billed(books: Books) -> Billed:
    """What is billed, from the issued invoices (read only when an import needs to know)."""
    from consult.errors import BooksError
    from consult.invoices.billed import entry_billed_by
    from consult.invoices.store import load_invoices

    invoices, problems = load_invoices(Path(books.root))
    if problems:
        raise BooksError(problems, "invoices cannot be read, so what is billed is not known; nothing was written")
    return entry_billed_by(invoices)


def _entry(e: TimeEntry, new: bool = False) -> str:
    """An entry as a person finds it: where, day, times (or length), engagement, note."""
    from consult.core.durations import format_hm

    when = f"{e.start:%H:%M}–{e.end:%H:%M}" if e.start and e.end else format_hm(e.minutes)
    note = f" \"{e.note}\"" if e.note else ""
    return f"{e.source}: {e.date} {when} {e.engagement}{note}"


def _changes(title: str, changes: tuple[Change, ...], synced: set[int], sync: bool, dry_run: bool,
             done_word: str) -> None:
    from consult.core.durations import format_hm

    if not changes:
        return
    made = sum(1 for c in changes if id(c) in synced)
    if sync:
        tail = f"{made} {done_word}" + (" (dry run: not written)" if dry_run else "")
    else:
        tail = f"left as they are; --sync {'applies' if done_word == 'applied' else 'removes'} the unbilled ones"
    click.echo(f"{title}: {len(changes)} — {tail}")
    for c in changes[:_SHOWN]:
        if c.new is None:
            click.echo(f"  {_entry(c.old)}")
        else:
            r = c.new.row
            when = f"{r.start:%H:%M}–{r.end:%H:%M}" if r.start and r.end else format_hm(r.minutes)
            note = f" \"{r.note}\"" if r.note else ""
            click.echo(f"  {_entry(c.old)} → {r.day} {when} {c.new.engagement}{note}")
    if len(changes) > _SHOWN:
        click.echo(f"  … and {len(changes) - _SHOWN} more")
