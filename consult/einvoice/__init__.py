"""E-invoices: EN 16931 as CII (Factur-X) and UBL (Peppol BIS Billing 3.0), from the issued record.

The public API:

* `export_xml(inv, books, fmt)` -- `ubl` or `cii` XML bytes for an issued invoice or credit
  note, checked against the official XSD and the EN 16931 / Peppol rules (consult.einvoice.rules);
  `export_einvoice` returns the same with what it took from the books (`Export.taken`).
* `facturx_pdf(pdf, inv, books)` -- the invoice PDF with the CII embedded, PDF/A-3B.
* `check(books)` -- what the books lack for the clients set up for e-invoices (`consult check`).

Modules: `terms` (codes, VAT category, addresses), `peppol` (participant ids), `routing` (data
not printed on the invoice), `cii`, `ubl`, `schema` (XSD), `rules` (EN 16931 and Peppol rules
in code), `export`, `check`, `pdfa`. The mapping is written down in docs/einvoice.md.
"""

from consult.einvoice.check import check_einvoice as check
from consult.einvoice.export import Export, export_einvoice, export_xml, facturx_pdf, xml_from_pdf

__all__ = ["Export", "check", "export_einvoice", "export_xml", "facturx_pdf", "xml_from_pdf"]
