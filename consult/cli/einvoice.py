"""`consult invoice export NUMBER --format ubl|cii`: the issued record as an e-invoice XML file.

Attached to the `invoice` group by consult.cli.invoice. The XML is built from the frozen
record plus the routing data the record lacks (participant ids, and a buyer reference or
address split only where the record has none), checked against the official XSD and the
EN 16931 / Peppol rules before anything is written (consult.einvoice). Every value taken from
the books rather than the record is listed, with its file.
"""

from __future__ import annotations

import sys

import click

from consult.cli.common import books_root, load, output_path


@click.command("export")
@click.argument("number")
@click.option("--format", "fmt", type=click.Choice(["ubl", "cii"]), default="ubl", show_default=True,
              help="ubl: UBL 2.1, Peppol BIS Billing 3.0 (for an access point); "
                   "cii: UN/CEFACT CII, the XML inside a Factur-X/ZUGFeRD PDF.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE",
              help="Where to write the XML (default: NUMBER.ubl.xml or NUMBER.cii.xml here; '-' for stdout).")
@click.pass_context
def export_cmd(ctx: click.Context, number: str, fmt: str, output: str | None) -> None:
    """Export issued invoice or credit note NUMBER as an EN 16931 e-invoice (XML)."""
    from consult.books.store import atomic_write
    from consult.einvoice import export_einvoice
    from consult.einvoice.export import SYNTAX_NAMES
    from consult.invoices.store import client_of_number, find_invoice, load_invoices

    root = books_root(ctx)
    target = None if output == "-" else output_path(root, output or f"{number}.{fmt}.xml", "--output")
    books = load(ctx, timesheets=False, clients=[client_of_number(root, number)])
    inv = find_invoice(load_invoices(books.root)[0], number)
    done = export_einvoice(inv, books, fmt)
    taken = [f"  {t}" for t in done.taken]
    if output == "-":
        click.echo(done.xml.decode("utf-8"), nl=False)
        if taken:  # the XML owns stdout; say where the routing data came from on stderr
            click.echo("\n".join(["not on the issued record, taken from the books:", *taken]), file=sys.stderr)
        return
    assert target is not None
    atomic_write(target, done.xml)
    rules = "EN 16931 and Peppol" if fmt == "ubl" else "EN 16931"
    click.echo(f"wrote {target}: {inv.title.lower()} {number} as {SYNTAX_NAMES[fmt]}; passes the official schema "
               f"and consult's {rules} rule checks")
    if taken:
        click.echo("\n".join(["not on the issued record, taken from the books:", *taken]))
