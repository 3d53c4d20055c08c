"""EN 16931 terms shared by the CII and UBL builders: identifiers, the VAT category of a
record, postal addresses split from printed lines, the payee account, number formats.

Choices are written down in docs/einvoice.md (the mapping of the books onto EN 16931 business
terms); this module only holds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from consult.core.countries import address_names
from consult.core.money import Money
from consult.core.record import record
from consult.core.tax import TREATMENTS
from consult.errors import ConsultError
from consult.invoices.record import Invoice

# --------------------------------------------------------------------------------------------
# identifiers (EN 16931, Factur-X 1.0, Peppol BIS Billing 3.0)
# --------------------------------------------------------------------------------------------
CII_GUIDELINE = "urn:cen.eu:en16931:2017"  # BT-24, Factur-X EN 16931 ("COMFORT") profile
PEPPOL_CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PEPPOL_PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"  # BT-23
TYPE_CODES = {"invoice": "380", "credit_note": "381"}  # BT-3, UNTDID 1001
UNIT_CODES = {"day": "DAY", "hour": "HUR", "item": "C62"}  # BT-130, UN/ECE Rec 20
EU_COUNTRIES = frozenset("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())
EINVOICE_FORMATS = ("ubl", "cii")

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
UBL_NS = {
    "Invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "CreditNote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


@record
class VatCategory:
    """The EN 16931 VAT category of a whole invoice, and which VAT ids it must (not) carry."""

    code: str  # S, AE, O, Z, E
    rate: Decimal | None  # None: no rate may be given (category O)
    reason: str | None  # BT-120
    reason_code: str | None  # BT-121, VATEX code list
    vat_ids: bool  # False for O: neither party's VAT id may appear (BR-O-02)


def vat_category(inv: Invoice) -> VatCategory:
    """The category the record's tax treatment maps to (the table in consult.core.tax)."""
    t = TREATMENTS.get(inv.tax_treatment)
    if t is None:
        raise ConsultError(f"{inv.number}: tax treatment '{inv.tax_treatment}' has no EN 16931 VAT category")
    if t.category == "S" and inv.vat_rate is None:
        raise ConsultError(f"{inv.number}: a standard-rated record without a VAT rate cannot be an e-invoice")
    reason = inv.tax_note or t.exemption_reason if t.category == "E" else t.exemption_reason
    return VatCategory(t.category, t.category_rate(inv.vat_rate), reason, t.exemption_code, t.carries_vat_ids)


# --------------------------------------------------------------------------------------------
# postal addresses from printed lines
# --------------------------------------------------------------------------------------------
@record
class Address:
    """A postal address as EN 16931 wants it (BG-5/BG-8)."""

    street: tuple[str, ...]  # BT-35..37 / BT-50..52 (at most three lines)
    postcode: str | None  # BT-38 / BT-53
    city: str | None  # BT-37 / BT-52
    country: str | None  # BT-40 / BT-55


_GB_POSTCODE = re.compile(r"^(?P<city>.*?)[ ,]*(?P<pc>[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$")
_POSTCODE_FIRST = re.compile(
    r"^(?P<pc>(?:[A-Z]{1,3}-)?(?:\d{4,5}(?:-\d{3,4})?|\d{2}-\d{3}|\d{3} \d{2}|\d{4} ?[A-Z]{2}))\s+(?P<city>\D.*)$")
_NL_POSTCODE = re.compile(r"^(?P<pc>\d{4} ?[A-Z]{2})\s+(?P<city>.+)$")
_US_STYLE = re.compile(r"^(?P<city>.+?),?\s+(?P<state>[A-Z]{2})\s+(?P<pc>\d{5}(?:-\d{4})?)$")
_POSTCODE_LAST = re.compile(r"^(?P<city>\D.*?)[\s,-]+(?P<pc>\d{4,6})$")


def split_address(lines: Iterable[str], country: str | None) -> Address:
    """Street lines, postcode, city and country from the lines an invoice prints.

    `20457 Hamburg`, `75008 Paris`, `1012 AB Amsterdam`, `Manchester` + `M1 3HE`,
    `Austin, TX 78701` and `Bengaluru 560001` are understood; without a postcode line the last
    line is the city and there is no postcode.
    """
    ls = [ln.strip() for ln in lines if ln and ln.strip()]
    if ls and country and ls[-1].strip(" .").casefold() in address_names(country):
        ls = ls[:-1]
    for i in range(len(ls) - 1, -1, -1):
        line = ls[i]
        m = (_NL_POSTCODE.match(line) if country == "NL" else None) or _POSTCODE_FIRST.match(line) \
            or _US_STYLE.match(line) or _POSTCODE_LAST.match(line)
        if m is None and country in (None, "GB", "IE"):
            m = _GB_POSTCODE.match(line)
        if m is None:
            continue
        pc = m.group("pc")
        city = m.group("city").strip(" ,")
        if m.re is _US_STYLE:
            city = f"{m.group('city').strip(' ,')}, {m.group('state')}"
        rest = ls[:i] + ls[i + 1:]
        if not city and i > 0:  # a postcode on its own line: the city is the line above
            city, rest = ls[i - 1], ls[: i - 1] + ls[i + 1:]
        return Address(tuple(rest[:3]), pc, city or None, country)
    if len(ls) >= 2:
        return Address(tuple(ls[:-1][:3]), None, ls[-1], country)
    return Address(tuple(ls), None, None, country)


def address_problems(lines: Iterable[str], country: str | None) -> list[str]:
    """What a printed address lacks for an e-invoice's postal address, in words."""
    a = split_address(lines, country)
    out = []
    if not country:
        out.append("no country (BT-40/BT-55 are required)")
    if not a.street:
        out.append("no street line")
    if a.postcode is None or a.city is None:
        out.append("no line with postcode and city (e.g. '20457 Hamburg', or 'M1 3HE' below the town)")
    return out


# --------------------------------------------------------------------------------------------
# what both syntaxes share
# --------------------------------------------------------------------------------------------
def amount_text(m: Money) -> str:
    return m.plain()


def rate_text(d: Decimal) -> str:
    n = d.normalize()
    return f"{n:f}" if n == n.to_integral() else f"{d:f}"


def quantity_text(d: Decimal) -> str:
    n = d.normalize()
    return f"{n.quantize(Decimal(1)):f}" if n == n.to_integral() else f"{n:f}"


@record
class Payee:
    """Where the buyer pays (BG-16/BG-17)."""

    means_code: str  # BT-81: 58 SEPA credit transfer, 30 credit transfer
    account: str  # BT-84
    is_iban: bool
    account_name: str | None  # BT-85
    bic: str | None  # BT-86


def payee(inv: Invoice) -> Payee | None:
    """The practice's account as printed on the record, or None when it printed none."""
    b = inv.bank
    iban = (b.get("iban") or "").replace(" ", "")
    if iban:
        code = "58" if inv.currency == "EUR" else "30"
        return Payee(code, iban, True, b.get("account_name"), b.get("bic"))
    if b.get("account_number"):
        acct = f"{b.get('sort_code', '').replace('-', '')} {b['account_number']}".strip()
        return Payee("30", acct, False, b.get("account_name"), b.get("bic"))
    return None


def document_notes(inv: Invoice) -> list[str]:
    out = []
    if inv.is_credit_note and inv.reason:
        out.append(f"Credit note for invoice {inv.credits}: {inv.reason}")
    if inv.tax_note:
        out.append(inv.tax_note)
    out += list(inv.notes)
    return out


def terms_text(inv: Invoice) -> str:
    if inv.is_credit_note:
        return f"Credit note against invoice {inv.credits}; no payment is due from the buyer."
    return f"Payment within {inv.payment_terms_days} days of the invoice date, by {inv.due_date.isoformat()}."


def line_total(inv: Invoice) -> Money:
    """BT-106: the sum of line nets, which the record's net must equal (BR-CO-10)."""
    total = Money.total((ln.net for ln in inv.lines), inv.currency)
    if total != inv.net:
        raise ConsultError(f"{inv.number}: the lines add up to {total} but the record's net is {inv.net}; "
                           "the record is damaged — restore it from git")
    return total


def require_number(inv: Invoice) -> str:
    if not inv.number:
        raise ConsultError("a draft has no number yet; e-invoices are made from issued invoices only")
    return inv.number


def lxml_etree() -> Any:
    from lxml import etree

    return etree


# What XML 1.0 cannot carry (its Char production): C0 controls but tab, LF and CR, lone
# surrogates, U+FFFE and U+FFFF. The books keep any text exactly (a name written with an escape,
# "\x00", reads back as written); an e-invoice is where such a character must stop, with words.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def sub(parent: Any, tag: str, text: str | None = None, ns: dict[str, str] = NS, **attrs: str) -> Any:
    prefix, name = tag.split(":")
    el = lxml_etree().SubElement(parent, f"{{{ns[prefix]}}}{name}", attrs)
    if text is not None:
        if (bad := NOT_XML.search(text)) is not None:
            raise ConsultError(f"{name} '{NOT_XML.sub('?', text)[:60]}' holds the control character "
                               f"U+{ord(bad.group()):04X}, which an e-invoice cannot carry (XML 1.0) — remove it "
                               "from the books (a name, address or note written with an escape such as \\x00)")
        el.text = text
    return el
