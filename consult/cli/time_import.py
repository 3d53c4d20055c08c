"""`consult time import FILE --format …`: another time tracker's export into the timesheets."""

from __future__ import annotations

from pathlib import Path

import click

from consult.cli.common import load
from consult.clock import today

_FORMATS = ("toggl", "clockify", "harvest", "watson", "timewarrior")


@click.command("import")
@click.argument("file", metavar="FILE", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(_FORMATS),
              help="The tool that wrote FILE (default: told from its columns or shape).")
@click.option("--map", "maps", multiple=True, metavar="PROJECT=CLIENT/ENGAGEMENT",
              help="Which engagement a project's time goes to (repeatable; `skip` leaves it out).")
@click.option("--dry-run", is_flag=True, help="Say what would be added; write nothing.")
@click.option("--skip-unmapped", is_flag=True, help="Leave out projects that match no engagement.")
@click.option("--timezone", "tz_name", metavar="ZONE",
              help="Where the work was done, for Watson/Timewarrior's UTC times "
                   "(default: the practice country's zone, e.g. Europe/London).")
@click.option("--dates", type=click.Choice(["dmy", "mdy"]),
              help="How to read slash dates like 01/10/2026 when the file cannot tell.")
@click.pass_context
def import_cmd(ctx: click.Context, file: Path, fmt: str | None, maps: tuple[str, ...], dry_run: bool,
               skip_unmapped: bool, tz_name: str | None, dates: str | None) -> None:
    """Add the entries of a Toggl, Clockify or Harvest CSV, Watson frames or a Timewarrior
    export to the timesheets. Entries keep their tool's id, so importing the same file
    again adds nothing; a bad row stops the import before anything is written.

    \b
      consult time import toggl-2026-10.csv --format toggl --map "Churn=acme-analytics/churn-model"
      consult time import ~/.config/watson/frames --format watson --dry-run
      timew export | consult time import - --format timewarrior
    """
    from consult.core.durations import format_hm
    from consult.work.importers import read_export, zone
    from consult.work.ingest import (
        Written,
        parse_maps,
        per_engagement,
        plan_import,
        read_map_file,
        write_import,
    )

    books = load(ctx)
    shown = str(file)
    if shown == "-":
        import sys
        import tempfile

        data = sys.stdin.buffer.read()
        tmp = tempfile.NamedTemporaryFile(prefix="consult-import-", delete=False)
        tmp.write(data)
        tmp.close()
        file, shown = Path(tmp.name), "<stdin>"
    try:
        mapping = {**read_map_file(books), **parse_maps(books, maps)}
        tz = zone(tz_name, books.practice.country)
        export = read_export(file, fmt, tz=tz, dates=dates, shown=shown)
    finally:
        if shown == "<stdin>":
            file.unlink(missing_ok=True)
    plan = plan_import(books, export, mapping, skip_unmapped=skip_unmapped, today=today())
    written: dict[str, Written] = {}
    if plan.new and not dry_run:
        plan, files = write_import(books, plan)
        written = {w.path.relative_to(books.root).as_posix(): w for w in files}
    total = sum(n.row.minutes for n in plan.new)
    n = len(plan.new)
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {n} entr{'y' if n == 1 else 'ies'} ({format_hm(total)}) from {shown} "
               f"[{export.tool}]" + (": nothing written (dry run)" if dry_run else ""))
    for key, count, minutes, first, last in per_engagement(plan):
        span = f"{first}" if first == last else f"{first} … {last}"
        click.echo(f"  {key:<36} {count:>5} {format_hm(minutes):>8}   {span}")
    for rel, w in sorted(written.items()):
        click.echo(f"  wrote {w.entries} to {rel}")
    if plan.in_books or plan.repeated:
        click.echo(f"Already in the books: {plan.in_books}" +
                   (f"; repeated in the file: {plan.repeated}" if plan.repeated else ""))
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
