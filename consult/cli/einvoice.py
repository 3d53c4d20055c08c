"""`consult invoice export NUMBER --format ubl|cii`: the issued record as an e-invoice XML file.

Attached to the `invoice` group by consult.cli.invoice. The XML is built from the frozen
record and checked against its official XSD before anything is written (consult.einvoice.build).
"""

from __future__ import annotations

from pathlib import Path

import click

from consult.cli.common import load


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
    from consult.einvoice.build import export_xml
    from consult.invoices.store import find_invoice, load_invoices

    books = load(ctx, timesheets=False)
    inv = find_invoice(load_invoices(books.root)[0], number)
    xml = export_xml(inv, books, fmt)
    if output == "-":
        click.echo(xml.decode("utf-8"), nl=False)
        return
    target = Path(output or f"{number}.{fmt}.xml")
    atomic_write(target, xml)
    kind = "UBL 2.1 (Peppol BIS Billing 3.0)" if fmt == "ubl" else "CII (Factur-X EN 16931)"
    click.echo(f"wrote {target}: {inv.title.lower()} {number} as {kind}, valid against the official schema")
