"""E-invoices from the frozen invoice record: UBL (Peppol BIS Billing 3.0), CII, Factur-X PDF.

EU business customers increasingly want an invoice a machine can read (docs/einvoice.md
§5; Belgium requires Peppol between businesses from 2026). Both syntaxes carry the same EN 16931
invoice, built from the issued record -- the figures that were printed, never recomputed --
plus the routing data of consult.einvoice.routing (participant ids, buyer reference, address
split), each value that came from the books rather than the record named in `Export.taken`.

Nothing is returned that has not passed the official XSD (consult.einvoice.schema) and the
EN 16931 and Peppol rules re-stated in consult.einvoice.rules; missing books data is refused
first, naming the file and field to fill in.
"""

from __future__ import annotations

from consult.core.record import record
from consult.core.records import Books
from consult.einvoice.routing import PRACTICE_REL, Routing, Taken, client_rel, key_source, route
from consult.einvoice.schema import xsd_errors
from consult.einvoice.terms import EINVOICE_FORMATS, require_number
from consult.errors import ConsultError
from consult.invoices.record import Invoice

SYNTAX_NAMES = {"ubl": "UBL 2.1 (Peppol BIS Billing 3.0)", "cii": "CII (Factur-X EN 16931)"}


@record
class Export:
    """An e-invoice ready to write, and what it took from the books rather than the record."""

    xml: bytes
    syntax: str  # "ubl" or "cii"
    taken: tuple[Taken, ...]


def validate(xml: bytes, syntax: str, inv: Invoice) -> bytes:
    """`xml` if it passes the official XSD and the business rules (consult.einvoice.rules), else
    ConsultError: a rule broken by missing data names it; `consult check` names the field."""
    from consult.einvoice.rules import problems

    xsd = "cii" if syntax == "cii" else "ubl-creditnote" if inv.is_credit_note else "ubl-invoice"
    why = xsd_errors(xml, xsd)
    if why is not None:
        raise ConsultError(f"the e-invoice for {inv.number} does not pass the official schema ({why}); "
                           "nothing was written — please report this as a bug in consult")
    broken = problems(xml, syntax)
    if broken:
        raise ConsultError(f"the e-invoice for {inv.number} breaks {len(broken)} rule"
                           f"{'s' if len(broken) != 1 else ''} — {'; '.join(broken)}. Nothing was written; "
                           "`consult check` lists what the client or practice record lacks")
    return xml


def ubl_gaps(inv: Invoice, routing: Routing, books: Books | None) -> list[str]:
    """What the books must add before `inv` can be a Peppol UBL document, one line per field."""
    root = books.root if books is not None else None
    crel = client_rel(inv.client)
    out = []
    if routing.seller_endpoint is None:
        out.append(f"{key_source(root, PRACTICE_REL, 'peppol_id')}: peppol_id: missing — a Peppol invoice names the "
                   "seller's participant id (BT-34, rule PEPPOL-EN16931-R020), e.g. peppol_id: \"9932:GB980780684\" "
                   "(your UK VAT number, if that is the id your access point registered)")
    if routing.buyer_endpoint is None:
        out.append(f"{key_source(root, crel, 'peppol_id')}: peppol_id: missing — a Peppol invoice is delivered to "
                   "the buyer's participant id (BT-49, rule PEPPOL-EN16931-R010); ask the client for it, "
                   "e.g. peppol_id: \"9930:DE136695976\" (a German VAT number)")
    if not routing.buyer_reference and not inv.po_number:
        out.append(f"{key_source(root, crel, 'buyer_reference')}: buyer_reference: missing, and {inv.number} has no "
                   "order number — Peppol (rule PEPPOL-EN16931-R003) needs one of them (BT-10 or BT-13); the "
                   "client's buyer_reference is used for invoices already issued too")
    return out


def export_einvoice(inv: Invoice, books: Books | None, fmt: str) -> Export:
    """`ubl` or `cii` XML for the issued record, checked, with what it took from `books`.

    `books` (None: the record alone) supplies the routing data the record lacks: the
    participant ids always, the buyer reference and the address split only when the record
    has none (consult.einvoice.routing)."""
    from consult.einvoice.cii import cii_xml
    from consult.einvoice.ubl import ubl_xml

    require_number(inv)
    if fmt not in EINVOICE_FORMATS:
        raise ConsultError(f"unknown e-invoice format '{fmt}' (use {' or '.join(EINVOICE_FORMATS)})")
    routing = route(inv, books)
    if fmt == "cii":
        # CII writes a party's email (EM) when it has one; its Peppol id is then not used
        unused = {"seller_endpoint"} if inv.seller.email else set()
        unused |= {"buyer_endpoint"} if inv.buyer.email else set()
        return Export(validate(cii_xml(inv, routing), "cii", inv), "cii",
                      tuple(t for t in routing.taken if t.key not in unused))
    gaps = ubl_gaps(inv, routing, books)
    if gaps:
        raise ConsultError(f"{inv.number} cannot be a Peppol UBL invoice yet; nothing was written:\n  "
                           + "\n  ".join(gaps))
    return Export(validate(ubl_xml(inv, routing), "ubl", inv), "ubl", routing.taken)


def export_xml(inv: Invoice, books: Books | None, fmt: str) -> bytes:
    """`ubl` or `cii` XML for the record, checked against its official XSD and the rules."""
    return export_einvoice(inv, books, fmt).xml


def facturx_pdf(pdf: bytes, inv: Invoice, books: Books | None = None) -> bytes:
    """The invoice PDF with its CII XML embedded as Factur-X EN 16931, made PDF/A-3B
    (see consult.einvoice.pdfa.embed_facturx). Raises ConsultError for a PDF that cannot be
    PDF/A (unembedded fonts) or XML that fails the official schema or the rules.

    The embedded XML comes from the record alone (`books` is not consulted): a PDF is the
    printed document, and rendering an issued record again must give the same bytes whatever
    the books say now. `consult invoice export --format cii` completes old records instead."""
    from consult.einvoice.cii import cii_xml
    from consult.einvoice.pdfa import embed_facturx

    number = require_number(inv)
    xml = validate(cii_xml(inv, route(inv, None)), "cii", inv)
    return embed_facturx(pdf, xml, inv, number)


def xml_from_pdf(pdf: bytes) -> tuple[str, bytes]:
    """(file name, XML) of the Factur-X XML embedded in a PDF (factur-x's own reader)."""
    from facturx import get_xml_from_pdf

    name, xml = get_xml_from_pdf(pdf, check_xsd=False)
    if not xml:
        raise ConsultError("this PDF has no Factur-X XML embedded")
    return name, xml
