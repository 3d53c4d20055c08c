"""The record as UN/CEFACT CII D16B at the Factur-X EN 16931 profile (BT-24
`urn:cen.eu:en16931:2017`): the XML inside a Factur-X / ZUGFeRD PDF.

Electronic addresses (BT-34/BT-49): the party's email with scheme `EM`, which EN 16931's
EAS list allows (a Factur-X PDF travels by email); a party without an email but with a
`peppol_id` gives that instead. The mapping of every other term is in docs/einvoice.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from consult.einvoice.peppol import PeppolId
from consult.einvoice.routing import Routing
from consult.einvoice.terms import (
    CII_GUIDELINE,
    NS,
    TYPE_CODES,
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
from consult.invoices.record import Invoice, Party


def _date(parent: Any, tag: str, d: date, inner: str = "udt:DateTimeString") -> None:
    sub(sub(parent, tag), inner, d.strftime("%Y%m%d"), format="102")


def _party(parent: Any, tag: str, p: Party, a: Address, peppol: PeppolId | None, cat: VatCategory, *,
           seller: bool) -> None:
    el = sub(parent, tag)
    sub(el, "ram:Name", p.name)
    if seller and p.company_number:
        sub(sub(el, "ram:SpecifiedLegalOrganization"), "ram:ID", p.company_number)
    if p.contact and not seller:
        sub(sub(el, "ram:DefinedTradeContact"), "ram:PersonName", p.contact)
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
    elif peppol is not None:
        sub(sub(el, "ram:URIUniversalCommunication"), "ram:URIID", peppol.identifier, schemeID=peppol.scheme)
    if cat.vat_ids and p.vat_number:
        sub(sub(el, "ram:SpecifiedTaxRegistration"), "ram:ID", p.vat_number, schemeID="VA")


def cii_xml(inv: Invoice, routing: Routing) -> bytes:
    """The record as CII D16B XML at the Factur-X EN 16931 profile (UTF-8 bytes)."""
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
    _date(doc, "ram:IssueDateTime", inv.issue_date)
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
            _date(per, "ram:StartDateTime", ln.period_start)
            _date(per, "ram:EndDateTime", ln.period_end)
        sub(sub(st, "ram:SpecifiedTradeSettlementLineMonetarySummation"), "ram:LineTotalAmount",
            amount_text(ln.net))
    agr = sub(tx, "ram:ApplicableHeaderTradeAgreement")
    if routing.buyer_reference:
        sub(agr, "ram:BuyerReference", routing.buyer_reference)
    _party(agr, "ram:SellerTradeParty", inv.seller, routing.seller_address, routing.seller_endpoint, cat,
           seller=True)
    _party(agr, "ram:BuyerTradeParty", inv.buyer, routing.buyer_address, routing.buyer_endpoint, cat,
           seller=False)
    if inv.po_number:
        sub(sub(agr, "ram:BuyerOrderReferencedDocument"), "ram:IssuerAssignedID", inv.po_number)
    # BT-72: services are delivered when the supply period ends
    delivery = sub(sub(tx, "ram:ApplicableHeaderTradeDelivery"), "ram:ActualDeliverySupplyChainEvent")
    _date(delivery, "ram:OccurrenceDateTime", inv.supply_end)
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
        # the schema's order is IBANID, AccountName, ProprietaryID: a name goes between the two
        if pay.is_iban:
            sub(acct, "ram:IBANID", pay.account)
        if pay.account_name:
            sub(acct, "ram:AccountName", pay.account_name)
        if not pay.is_iban:
            sub(acct, "ram:ProprietaryID", pay.account)
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
        _date(tax, "ram:TaxPointDate", inv.tax_point, "udt:DateString")
    if cat.rate is not None:
        sub(tax, "ram:RateApplicablePercent", rate_text(cat.rate))
    per = sub(st, "ram:BillingSpecifiedPeriod")
    _date(per, "ram:StartDateTime", inv.supply_start)
    _date(per, "ram:EndDateTime", inv.supply_end)
    terms = sub(st, "ram:SpecifiedTradePaymentTerms")
    sub(terms, "ram:Description", terms_text(inv))
    if not inv.is_credit_note:
        _date(terms, "ram:DueDateDateTime", inv.due_date)
    tot = sub(st, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    sub(tot, "ram:LineTotalAmount", amount_text(line_total(inv)))
    sub(tot, "ram:TaxBasisTotalAmount", amount_text(inv.net))
    sub(tot, "ram:TaxTotalAmount", amount_text(inv.vat), currencyID=cur)
    if inv.vat_gbp is not None and cur != "GBP":
        sub(tot, "ram:TaxTotalAmount", amount_text(inv.vat_gbp), currencyID="GBP")
    sub(tot, "ram:GrandTotalAmount", amount_text(inv.total))
    sub(tot, "ram:DuePayableAmount", amount_text(inv.total))
    if inv.is_credit_note and inv.credits:
        sub(sub(st, "ram:InvoiceReferencedDocument"), "ram:IssuerAssignedID", inv.credits)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
