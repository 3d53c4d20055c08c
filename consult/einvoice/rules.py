"""The EN 16931 and Peppol business rules that matter for consult's invoices, checked offline.

The official rules are Schematron compiled to XSLT 2.0, which needs an XSLT 2.0 processor
(Saxon); lxml runs only XSLT 1.0, and consult does not make Saxon a dependency of the
product. So the rules that can go wrong for a consultant's invoice -- totals, the VAT
breakdown per category, the VAT ids each category needs or forbids (BR-AE-*, BR-O-*, ...),
payment account, electronic addresses and their schemes, Peppol's extra rules -- are
re-stated here in code, from the rule texts of ConnectingEurope/eInvoicing-EN16931 (release
1.3.16) and Peppol BIS Billing 3.0.19. Both syntaxes are first read into one neutral
`Parsed` record (business terms by number), then checked by the same code.

`consult invoice export`, the Factur-X step and `consult check` run these checks; the tests
run the official Schematron itself (Saxon-HE, `saxonche`, a test dependency) over every
e-invoice they make, so a rule re-stated wrongly here, or one not re-stated, shows there.
"""

from __future__ import annotations

import re
from dataclasses import field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from consult.core.record import record
from consult.einvoice.peppol import EAS_CODES, PeppolIdError, parse_peppol_id
from consult.einvoice.terms import NS, UBL_NS

TWO = Decimal("0.01")


@record
class Line:
    id: str  # BT-126
    quantity: Decimal  # BT-129
    unit: str  # BT-130
    net: Decimal  # BT-131
    price: Decimal  # BT-146
    base_quantity: Decimal  # BT-149
    category: str  # BT-151
    rate: Decimal | None  # BT-152
    name: str  # BT-153
    period: tuple[str, str] | None = None  # BT-134, BT-135 (ISO dates)


@record
class Breakdown:
    basis: Decimal  # BT-116
    tax: Decimal  # BT-117
    category: str  # BT-118
    rate: Decimal | None  # BT-119
    reason: str | None  # BT-120
    reason_code: str | None  # BT-121


@record
class Parsed:
    """An e-invoice read back into EN 16931 business terms (the ones consult writes)."""

    syntax: str  # "cii" or "ubl"
    spec: str | None  # BT-24
    process: str | None  # BT-23
    number: str | None  # BT-1
    issue_date: str | None  # BT-2 (ISO)
    type_code: str | None  # BT-3
    currency: str | None  # BT-5
    tax_currency: str | None  # BT-6
    due_date: str | None  # BT-9
    buyer_reference: str | None  # BT-10
    order_reference: str | None  # BT-13
    preceding_invoice: str | None  # BT-25
    notes: tuple[str, ...]  # BT-22
    seller_name: str | None  # BT-27
    seller_legal_id: str | None  # BT-30
    seller_vat: str | None  # BT-31
    seller_endpoint: str | None  # BT-34
    seller_country: str | None  # BT-40
    buyer_name: str | None  # BT-44
    buyer_vat: str | None  # BT-48
    buyer_endpoint: str | None  # BT-49
    buyer_country: str | None  # BT-55
    payment_means: str | None  # BT-81
    account: str | None  # BT-84
    bic: str | None  # BT-86
    payment_terms: str | None  # BT-20
    line_total: Decimal | None  # BT-106
    tax_exclusive: Decimal | None  # BT-109
    tax_total: Decimal | None  # BT-110
    tax_total_accounting: Decimal | None  # BT-111
    tax_inclusive: Decimal | None  # BT-112
    payable: Decimal | None  # BT-115
    period: tuple[str, str] | None  # BG-14
    lines: tuple[Line, ...]
    breakdown: tuple[Breakdown, ...]
    amounts: tuple[str, ...] = field(default=())  # every amount's text, for BR-DEC-*
    currency_ids: tuple[str, ...] = field(default=())  # every currencyID attribute
    seller_endpoint_scheme: str | None = None  # BT-34-1
    buyer_endpoint_scheme: str | None = None  # BT-49-1
    delivery_date: str | None = None  # BT-72 (ISO)
    empty_elements: tuple[str, ...] = field(default=())  # elements with neither children nor text


def _dec(text: str | None, default: Decimal | None = None) -> Decimal | None:
    if text is None:
        return default
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return default


def _num(text: str | None, default: Decimal) -> Decimal:
    got = _dec(text, default)
    return default if got is None else got


def _empty(root: Any) -> tuple[str, ...]:
    """Elements with no child and no text (Peppol R008 forbids them; the CII XSD wants some)."""
    from lxml import etree

    return tuple(etree.QName(e).localname for e in root.iter()
                 if isinstance(e.tag, str) and len(e) == 0 and not (e.text or "").strip())


def _iso(text: str | None) -> str | None:
    if text is None:
        return None
    t = text.strip()
    return f"{t[:4]}-{t[4:6]}-{t[6:8]}" if re.fullmatch(r"\d{8}", t) else t


# --------------------------------------------------------------------------------------------
# reading CII
# --------------------------------------------------------------------------------------------
def read_cii(xml: bytes) -> Parsed:
    from lxml import etree

    root = etree.fromstring(xml)

    def one(path: str, node: Any = root) -> str | None:
        got = node.xpath(path, namespaces=NS)
        if not got:
            return None
        v = got[0]
        return str(v).strip() if isinstance(v, str) else (v.text or "").strip()

    tx = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction"
    agr, st = f"{tx}/ram:ApplicableHeaderTradeAgreement", f"{tx}/ram:ApplicableHeaderTradeSettlement"
    tot = f"{st}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    cur = one(f"{st}/ram:InvoiceCurrencyCode")
    taxcur = one(f"{st}/ram:TaxCurrencyCode")
    lines = []
    for it in root.xpath(f"{tx}/ram:IncludedSupplyChainTradeLineItem", namespaces=NS):
        ps, pe = one("ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString", it), \
            one("ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString", it)
        lines.append(Line(
            one("ram:AssociatedDocumentLineDocument/ram:LineID", it) or "",
            _num(one("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", it), Decimal(0)),
            one("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode", it) or "",
            _num(one("ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/"
                     "ram:LineTotalAmount", it), Decimal(0)),
            _num(one("ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount", it), Decimal(0)),
            _num(one("ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:BasisQuantity", it), Decimal(1)),
            one("ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode", it) or "",
            _dec(one("ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent", it)),
            one("ram:SpecifiedTradeProduct/ram:Name", it) or "",
            (_iso(ps) or "", _iso(pe) or "") if ps and pe else None,
        ))
    breakdown = tuple(
        Breakdown(_num(one("ram:BasisAmount", t), Decimal(0)), _num(one("ram:CalculatedAmount", t), Decimal(0)),
                  one("ram:CategoryCode", t) or "", _dec(one("ram:RateApplicablePercent", t)),
                  one("ram:ExemptionReason", t), one("ram:ExemptionReasonCode", t))
        for t in root.xpath(f"{st}/ram:ApplicableTradeTax", namespaces=NS))
    tax_totals = {e.get("currencyID"): _dec(e.text) for e in root.xpath(f"{tot}/ram:TaxTotalAmount", namespaces=NS)}
    amount_tags = ("ChargeAmount", "LineTotalAmount", "BasisAmount", "CalculatedAmount", "TaxBasisTotalAmount",
                   "TaxTotalAmount", "GrandTotalAmount", "DuePayableAmount")
    amounts = tuple((e.text or "").strip() for tag in amount_tags for e in root.iter(f"{{{NS['ram']}}}{tag}")
                    if tag != "ChargeAmount")
    ps, pe = one(f"{st}/ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString"), \
        one(f"{st}/ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString")
    regs = {(p, r.get("schemeID")): r.text for p in ("Seller", "Buyer")
            for r in root.xpath(f"{agr}/ram:{p}TradeParty/ram:SpecifiedTaxRegistration/ram:ID", namespaces=NS)}
    means = one(f"{st}/ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode")
    acct = one(f"{st}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:IBANID") \
        or one(f"{st}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID")
    return Parsed(
        syntax="cii",
        spec=one("/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/"
                 "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"),
        process=one("/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/"
                    "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"),
        number=one("/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID"),
        issue_date=_iso(one("/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString")),
        type_code=one("/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode"),
        currency=cur, tax_currency=taxcur,
        due_date=_iso(one(f"{st}/ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString")),
        buyer_reference=one(f"{agr}/ram:BuyerReference"),
        order_reference=one(f"{agr}/ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        preceding_invoice=one(f"{st}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
        notes=tuple(e.text or "" for e in root.xpath(
            "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IncludedNote/ram:Content", namespaces=NS)),
        seller_name=one(f"{agr}/ram:SellerTradeParty/ram:Name"),
        seller_legal_id=one(f"{agr}/ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID"),
        seller_vat=regs.get(("Seller", "VA")),
        seller_endpoint=one(f"{agr}/ram:SellerTradeParty/ram:URIUniversalCommunication/ram:URIID"),
        seller_country=one(f"{agr}/ram:SellerTradeParty/ram:PostalTradeAddress/ram:CountryID"),
        buyer_name=one(f"{agr}/ram:BuyerTradeParty/ram:Name"),
        buyer_vat=regs.get(("Buyer", "VA")),
        buyer_endpoint=one(f"{agr}/ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID"),
        buyer_country=one(f"{agr}/ram:BuyerTradeParty/ram:PostalTradeAddress/ram:CountryID"),
        payment_means=means, account=acct,
        bic=one(f"{st}/ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
        payment_terms=one(f"{st}/ram:SpecifiedTradePaymentTerms/ram:Description"),
        line_total=_dec(one(f"{tot}/ram:LineTotalAmount")),
        tax_exclusive=_dec(one(f"{tot}/ram:TaxBasisTotalAmount")),
        tax_total=tax_totals.get(cur), tax_total_accounting=tax_totals.get(taxcur) if taxcur else None,
        tax_inclusive=_dec(one(f"{tot}/ram:GrandTotalAmount")),
        payable=_dec(one(f"{tot}/ram:DuePayableAmount")),
        period=(_iso(ps) or "", _iso(pe) or "") if ps and pe else None,
        lines=tuple(lines), breakdown=breakdown, amounts=amounts,
        currency_ids=tuple(str(k) for k in tax_totals),
        seller_endpoint_scheme=one(f"{agr}/ram:SellerTradeParty/ram:URIUniversalCommunication/ram:URIID/@schemeID"),
        buyer_endpoint_scheme=one(f"{agr}/ram:BuyerTradeParty/ram:URIUniversalCommunication/ram:URIID/@schemeID"),
        delivery_date=_iso(one(f"{tx}/ram:ApplicableHeaderTradeDelivery/ram:ActualDeliverySupplyChainEvent/"
                               "ram:OccurrenceDateTime/udt:DateTimeString")),
        empty_elements=_empty(root),
    )


# --------------------------------------------------------------------------------------------
# reading UBL
# --------------------------------------------------------------------------------------------
def read_ubl(xml: bytes) -> Parsed:
    from lxml import etree

    root = etree.fromstring(xml)
    ns = {"cac": UBL_NS["cac"], "cbc": UBL_NS["cbc"]}
    credit = etree.QName(root).localname == "CreditNote"

    def one(path: str, node: Any = root) -> str | None:
        got = node.xpath(path, namespaces=ns)
        if not got:
            return None
        v = got[0]
        return str(v).strip() if isinstance(v, str) else (v.text or "").strip()

    cur = one("cbc:DocumentCurrencyCode")
    taxcur = one("cbc:TaxCurrencyCode")
    line_tag, qty_tag = ("cac:CreditNoteLine", "cbc:CreditedQuantity") if credit else ("cac:InvoiceLine",
                                                                                        "cbc:InvoicedQuantity")
    lines = []
    for ln in root.xpath(line_tag, namespaces=ns):
        ps, pe = one("cac:InvoicePeriod/cbc:StartDate", ln), one("cac:InvoicePeriod/cbc:EndDate", ln)
        lines.append(Line(
            one("cbc:ID", ln) or "", _num(one(qty_tag, ln), Decimal(0)), one(f"{qty_tag}/@unitCode", ln) or "",
            _num(one("cbc:LineExtensionAmount", ln), Decimal(0)), _num(one("cac:Price/cbc:PriceAmount", ln), Decimal(0)),
            _num(one("cac:Price/cbc:BaseQuantity", ln), Decimal(1)),
            one("cac:Item/cac:ClassifiedTaxCategory/cbc:ID", ln) or "",
            _dec(one("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", ln)), one("cac:Item/cbc:Name", ln) or "",
            (ps, pe) if ps and pe else None,
        ))
    totals = root.xpath("cac:TaxTotal", namespaces=ns)
    tax_by_cur = {t.find(f"{{{ns['cbc']}}}TaxAmount").get("currencyID"): _dec(one("cbc:TaxAmount", t)) for t in totals}
    breakdown = tuple(
        Breakdown(_num(one("cbc:TaxableAmount", s), Decimal(0)), _num(one("cbc:TaxAmount", s), Decimal(0)),
                  one("cac:TaxCategory/cbc:ID", s) or "", _dec(one("cac:TaxCategory/cbc:Percent", s)),
                  one("cac:TaxCategory/cbc:TaxExemptionReason", s), one("cac:TaxCategory/cbc:TaxExemptionReasonCode", s))
        for s in root.xpath("cac:TaxTotal/cac:TaxSubtotal", namespaces=ns))
    sup, cus = "cac:AccountingSupplierParty/cac:Party", "cac:AccountingCustomerParty/cac:Party"

    def vat(party: str) -> str | None:
        for pts in root.xpath(f"{party}/cac:PartyTaxScheme", namespaces=ns):
            if one("cac:TaxScheme/cbc:ID", pts) == "VAT":
                return one("cbc:CompanyID", pts)
        return None

    ps, pe = one("cac:InvoicePeriod/cbc:StartDate"), one("cac:InvoicePeriod/cbc:EndDate")
    mt = "cac:LegalMonetaryTotal"
    return Parsed(
        syntax="ubl", spec=one("cbc:CustomizationID"), process=one("cbc:ProfileID"), number=one("cbc:ID"),
        issue_date=one("cbc:IssueDate"),
        type_code=one("cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode"),
        currency=cur, tax_currency=taxcur,
        due_date=one("cbc:DueDate") or one("cac:PaymentMeans/cbc:PaymentDueDate"),
        buyer_reference=one("cbc:BuyerReference"), order_reference=one("cac:OrderReference/cbc:ID"),
        preceding_invoice=one("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
        notes=tuple(e.text or "" for e in root.xpath("cbc:Note", namespaces=ns)),
        seller_name=one(f"{sup}/cac:PartyLegalEntity/cbc:RegistrationName"),
        seller_legal_id=one(f"{sup}/cac:PartyLegalEntity/cbc:CompanyID"), seller_vat=vat(sup),
        seller_endpoint=one(f"{sup}/cbc:EndpointID"),
        seller_country=one(f"{sup}/cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
        buyer_name=one(f"{cus}/cac:PartyLegalEntity/cbc:RegistrationName"), buyer_vat=vat(cus),
        buyer_endpoint=one(f"{cus}/cbc:EndpointID"),
        buyer_country=one(f"{cus}/cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
        payment_means=one("cac:PaymentMeans/cbc:PaymentMeansCode"),
        account=one("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID"),
        bic=one("cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
        payment_terms=one("cac:PaymentTerms/cbc:Note"),
        line_total=_dec(one(f"{mt}/cbc:LineExtensionAmount")), tax_exclusive=_dec(one(f"{mt}/cbc:TaxExclusiveAmount")),
        tax_total=tax_by_cur.get(cur), tax_total_accounting=tax_by_cur.get(taxcur) if taxcur else None,
        tax_inclusive=_dec(one(f"{mt}/cbc:TaxInclusiveAmount")), payable=_dec(one(f"{mt}/cbc:PayableAmount")),
        period=(ps, pe) if ps and pe else None, lines=tuple(lines), breakdown=breakdown,
        amounts=tuple((e.text or "").strip() for e in root.iter() if e.get("currencyID") is not None),
        currency_ids=tuple(e.get("currencyID") for e in root.iter() if e.get("currencyID") is not None),
        seller_endpoint_scheme=one(f"{sup}/cbc:EndpointID/@schemeID"),
        buyer_endpoint_scheme=one(f"{cus}/cbc:EndpointID/@schemeID"),
        delivery_date=one("cac:Delivery/cbc:ActualDeliveryDate"),
        empty_elements=_empty(root),
    )


# --------------------------------------------------------------------------------------------
# the rules
# --------------------------------------------------------------------------------------------
_CATEGORY_REASON = {"AE": "Reverse charge", "O": "Not subject to VAT"}
# The Peppol rules that verify an identifier's form and check digits, by EAS scheme
_CHECK_DIGIT_RULES = {"0088": "PEPPOL-COMMON-R040", "0192": "PEPPOL-COMMON-R041", "0184": "PEPPOL-COMMON-R042",
                      "0208": "PEPPOL-COMMON-R043", "0007": "PEPPOL-COMMON-R049", "0151": "PEPPOL-COMMON-R050"}


def en16931_problems(p: Parsed) -> list[str]:
    """The EN 16931 rules consult's invoices can break, each as 'RULE: what is wrong'."""
    out: list[str] = []

    def rule(ok: bool, name: str, text: str) -> None:
        if not ok:
            out.append(f"{name}: {text}")

    for name, value, bt in (("BR-01", p.spec, "BT-24"), ("BR-02", p.number, "BT-1"), ("BR-03", p.issue_date, "BT-2"),
                            ("BR-04", p.type_code, "BT-3"), ("BR-05", p.currency, "BT-5"),
                            ("BR-06", p.seller_name, "BT-27"), ("BR-07", p.buyer_name, "BT-44"),
                            ("BR-09", p.seller_country, "BT-40"), ("BR-11", p.buyer_country, "BT-55"),
                            ("BR-12", p.line_total, "BT-106"), ("BR-13", p.tax_exclusive, "BT-109"),
                            ("BR-14", p.tax_inclusive, "BT-112"), ("BR-15", p.payable, "BT-115")):
        rule(value not in (None, ""), name, f"{bt} is missing")
    rule(bool(p.lines), "BR-16", "an invoice needs at least one line")
    rule(p.type_code in ("380", "381"), "BR-CL-01", f"type code {p.type_code} is not 380 or 381")
    if p.type_code == "381":
        rule(bool(p.preceding_invoice), "BR-55", "a credit note names the invoice it credits (BT-25)")
    for ln in p.lines:
        rule(bool(ln.unit), "BR-23", f"line {ln.id} has no unit code")
        rule(bool(ln.name), "BR-25", f"line {ln.id} has no item name")
        rule(ln.price >= 0, "BR-27", f"line {ln.id} has a negative price")
        rule(bool(ln.category), "BR-CO-04", f"line {ln.id} has no VAT category")
        if ln.period:
            rule(ln.period[0] <= ln.period[1], "BR-30", f"line {ln.id}'s period ends before it starts")
    if p.period:
        rule(p.period[0] <= p.period[1], "BR-29", "the invoice period ends before it starts")
    s_lines = sum((ln.net for ln in p.lines), Decimal(0))
    rule(p.line_total == s_lines, "BR-CO-10", f"BT-106 {p.line_total} != sum of line nets {s_lines}")
    rule(p.tax_exclusive == p.line_total, "BR-CO-13", f"BT-109 {p.tax_exclusive} != BT-106 {p.line_total} "
         "(no allowances or charges)")
    s_tax = sum((b.tax for b in p.breakdown), Decimal(0))
    rule(p.tax_total == s_tax, "BR-CO-14", f"BT-110 {p.tax_total} != sum of category VAT {s_tax}")
    if p.tax_exclusive is not None and p.tax_total is not None:
        rule(p.tax_inclusive == p.tax_exclusive + p.tax_total, "BR-CO-15",
             f"BT-112 {p.tax_inclusive} != BT-109 {p.tax_exclusive} + BT-110 {p.tax_total}")
    rule(p.payable == p.tax_inclusive, "BR-CO-16", f"BT-115 {p.payable} != BT-112 {p.tax_inclusive} (nothing prepaid)")
    rule(bool(p.breakdown), "BR-CO-18", "no VAT breakdown (BG-23)")
    if p.payable is not None and p.payable > 0:
        rule(bool(p.due_date or p.payment_terms), "BR-CO-25", "an amount is due but there is no due date or terms")
    if p.tax_currency:
        rule(p.tax_total_accounting is not None, "BR-53", f"BT-6 is {p.tax_currency} but BT-111 is missing")
    for vid, who in ((p.seller_vat, "seller"), (p.buyer_vat, "buyer")):
        if vid:
            rule(bool(re.fullmatch(r"[A-Z]{2}.+", vid)), "BR-CO-09", f"the {who} VAT id {vid} has no country prefix")
    rule(bool(p.seller_legal_id or p.seller_vat), "BR-CO-26", "the seller has neither a legal id nor a VAT id")
    for addr, scheme, rule_id, bt in ((p.seller_endpoint, p.seller_endpoint_scheme, "BR-62", "BT-34"),
                                      (p.buyer_endpoint, p.buyer_endpoint_scheme, "BR-63", "BT-49")):
        if addr:
            rule(bool(scheme), rule_id, f"the electronic address {bt} has no scheme identifier")
            if scheme:
                rule(scheme == "EM" or scheme in EAS_CODES, "BR-CL-25",
                     f"electronic address scheme {scheme} is not on the EAS code list")
    if p.payment_means in ("30", "58"):
        rule(bool(p.account), "BR-61", "a credit transfer needs the payee's account (BT-84)")
    for a in p.amounts:
        rule(bool(re.fullmatch(r"-?\d+(\.\d{1,2})?", a)), "BR-DEC", f"amount {a} has more than 2 decimals")

    cats = {b.category for b in p.breakdown}
    for b in p.breakdown:
        mine = [ln for ln in p.lines if ln.category == b.category and ln.rate == b.rate]
        basis = sum((ln.net for ln in mine), Decimal(0))
        c = b.category
        rule(b.basis == basis, f"BR-{c}-08", f"category {c} taxable amount {b.basis} != sum of its lines {basis}")
        if c == "S":
            exact = b.basis * (b.rate or 0) / 100
            want = exact.quantize(TWO, ROUND_HALF_UP)
            # half up, or down to the penny when the practice uses HMRC's whole-penny option
            rule(b.tax in (want, exact.quantize(TWO, ROUND_DOWN)), "BR-S-09",
                 f"VAT {b.tax} != {b.basis} x {b.rate}% = {want}")
            rule(b.rate is not None and b.rate > 0, "BR-S-05", "standard rate must be above zero")
        else:
            rule(b.tax == 0, f"BR-{c}-09", f"category {c} VAT must be 0, is {b.tax}")
        if c in ("AE", "E", "O"):
            rule(bool(b.reason or b.reason_code), f"BR-{c}-10", f"category {c} needs an exemption reason")
        if c in ("AE", "O"):
            rule(b.reason == _CATEGORY_REASON[c] or b.reason_code == f"VATEX-EU-{c}", f"BR-{c}-10",
                 f"category {c}'s reason should be '{_CATEGORY_REASON[c]}' / VATEX-EU-{c}")
        if c == "Z":
            rule(not (b.reason or b.reason_code), "BR-Z-10", "zero-rated VAT has no exemption reason")
        if c in ("S", "Z", "E", "AE"):
            rule(bool(p.seller_vat), f"BR-{c}-02", f"category {c} needs the seller's VAT id (BT-31)")
        if c in ("AE", "Z", "E"):
            rule(b.rate == 0, f"BR-{c}-06", f"category {c} rate must be 0")
    if "AE" in cats:
        rule(bool(p.buyer_vat), "BR-AE-02", "reverse charge needs the buyer's VAT id (BT-48)")
        rule(all(ln.rate == 0 for ln in p.lines if ln.category == "AE"), "BR-AE-05", "reverse-charge lines are 0 %")
        rule(len([b for b in p.breakdown if b.category == "AE"]) == 1, "BR-AE-01", "exactly one AE breakdown")
    if "O" in cats:
        rule(not (p.seller_vat or p.buyer_vat), "BR-O-02", "category O carries neither party's VAT id")
        rule(all(ln.rate is None for ln in p.lines), "BR-O-05", "category O lines carry no VAT rate")
        rule(cats == {"O"}, "BR-O-11", "category O cannot be mixed with other categories")
        rule(all(b.rate is None for b in p.breakdown), "BR-O-12", "the O breakdown carries no VAT rate")
    return out


def peppol_problems(p: Parsed) -> list[str]:
    """Peppol BIS Billing 3.0's extra rules that consult's UBL could break."""
    out: list[str] = []

    def rule(ok: bool, name: str, text: str) -> None:
        if not ok:
            out.append(f"{name}: {text}")

    rule(bool(p.process and re.fullmatch(r"urn:fdc:peppol\.eu:2017:poacc:billing:\d\d:1\.0", p.process)),
         "PEPPOL-EN16931-R001/R007", f"ProfileID {p.process!r}")
    rule(p.spec == "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
         "PEPPOL-EN16931-R004", f"CustomizationID {p.spec!r}")
    rule(len(p.notes) <= 1, "PEPPOL-EN16931-R002", f"{len(p.notes)} document notes (at most one)")
    rule(bool(p.buyer_reference or p.order_reference), "PEPPOL-EN16931-R003",
         "a buyer reference (BT-10) or order reference (BT-13) is required")
    rule(bool(p.buyer_endpoint), "PEPPOL-EN16931-R010", "the buyer's electronic address (BT-49) is required")
    rule(bool(p.seller_endpoint), "PEPPOL-EN16931-R020", "the seller's electronic address (BT-34) is required")
    for addr, scheme, who in ((p.seller_endpoint, p.seller_endpoint_scheme, "seller"),
                              (p.buyer_endpoint, p.buyer_endpoint_scheme, "buyer")):
        if not addr or not scheme:
            continue
        if scheme not in EAS_CODES:
            out.append(f"PEPPOL-EN16931-CL008: the {who}'s electronic address scheme {scheme} is not on Peppol's "
                       "EAS code list (an email address, EM, is not allowed)")
            continue
        try:
            parse_peppol_id(f"{scheme}:{addr}")
        except PeppolIdError as e:
            out.append(f"{_CHECK_DIGIT_RULES.get(scheme, 'EAS identifier check (python-stdnum)')}: the {who}'s "
                       f"electronic address {e}")
    rule(not p.empty_elements, "PEPPOL-EN16931-R008", f"empty elements: {', '.join(sorted(set(p.empty_elements)))}")
    if p.tax_currency and p.tax_total is not None and p.tax_total_accounting is not None:
        rule((p.tax_total > 0) == (p.tax_total_accounting > 0) and (p.tax_total < 0) == (p.tax_total_accounting < 0),
             "PEPPOL-EN16931-R055", "the VAT totals in the invoice and the accounting currency differ in sign")
    if p.tax_currency:
        rule(p.tax_currency != p.currency, "PEPPOL-EN16931-R005", "BT-6 must differ from BT-5")
    others = [c for c in p.currency_ids if c != p.currency]
    rule(all(c == p.tax_currency for c in others), "PEPPOL-EN16931-R051",
         f"amounts in {sorted(set(others))} besides the invoice currency {p.currency}")
    for ln in p.lines:
        want = (ln.quantity * ln.price / ln.base_quantity).quantize(TWO, ROUND_HALF_UP)
        rule(ln.net == want, "PEPPOL-EN16931-R120", f"line {ln.id}: {ln.net} != {ln.quantity} x {ln.price} = {want}")
        rule(ln.base_quantity > 0, "PEPPOL-EN16931-R121", f"line {ln.id}: base quantity must be positive")
        if ln.period and p.period:
            rule(p.period[0] <= ln.period[0] <= p.period[1], "PEPPOL-EN16931-R110", f"line {ln.id} starts outside")
            rule(p.period[0] <= ln.period[1] <= p.period[1], "PEPPOL-EN16931-R111", f"line {ln.id} ends outside")
    return out


def problems(xml: bytes, syntax: str) -> list[str]:
    """Every rule broken by `xml` ("cii": EN 16931; "ubl": EN 16931 + Peppol BIS 3)."""
    if syntax == "cii":
        return en16931_problems(read_cii(xml))
    parsed = read_ubl(xml)
    return en16931_problems(parsed) + peppol_problems(parsed)
