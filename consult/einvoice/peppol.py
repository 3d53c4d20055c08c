"""Peppol participant ids: `SCHEME:IDENTIFIER`, the electronic address of a UBL e-invoice.

A Peppol access point delivers an invoice to the buyer's *participant id* (BT-49) and says
who sent it by the seller's (BT-34); both are written in UBL as `cbc:EndpointID` with the
scheme as `schemeID`. The scheme must come from Peppol's Electronic Address Scheme list
(EAS): email (`EM`), which EN 16931 allows, is refused by Peppol (PEPPOL-EN16931-CL008).

The books write one as `peppol_id: "9930:DE136695976"` (German VAT number) on the practice
and on each client. `parse_peppol_id` checks it the way the Peppol BIS Billing 3.0.19 rules do
and more: the scheme must be on the list (`EAS_CODES`, the `eaid` list of the 3.0.19
Schematron, which a test compares with the official file), and where the identifier carries a
check digit python-stdnum verifies it (the Peppol rules verify only 0088, 0192, 0208, 0007
and 0151; a VAT number with a wrong check digit would pass them and fail at the SMP lookup).

The identifier is written into the XML exactly as the books give it (after trimming): an
access point looks the participant up as it was registered, so consult never reformats it.
"""

from __future__ import annotations

import re
from importlib import import_module
from pathlib import Path

from consult.books.identifiers import Verdict, kept, stdnum_reason
from consult.core.record import record

# The `eaid` code list of OpenPEPPOL peppol-bis-invoice-3 v3.0.19 (rules/sch/PEPPOL-EN16931-UBL.sch),
# the list rule PEPPOL-EN16931-CL008 checks. tests/test_einvoice_official.py compares it with the
# compiled rules in ../shared/einvoice-rules/ when that folder is there.
EAS_CODES = frozenset("""
0002 0007 0009 0037 0060 0088 0096 0097 0106 0130 0135 0142 0151 0177 0183 0184 0188 0190 0191
0192 0193 0195 0196 0198 0199 0200 0201 0202 0204 0208 0209 0210 0211 0212 0213 0215 0216 0218
0221 0230 0235 9910 9913 9914 9915 9918 9919 9920 9922 9923 9924 9925 9926 9927 9928 9929 9930
9931 9932 9933 9934 9935 9936 9937 9938 9939 9940 9941 9942 9943 9944 9945 9946 9947 9948 9949
9950 9951 9952 9953 9957 9959 0147 0154 0158 0170 0194 0203 0205 0217 0225 0240
""".split())


@record
class Scheme:
    """What consult knows about one EAS scheme: its name, the shape of its identifiers and the
    python-stdnum module that verifies their check digits (None where there is none)."""

    code: str
    name: str
    pattern: str | None = None  # a full-match regex for the identifier (case-insensitive)
    stdnum: str | None = None  # module under `stdnum.`, e.g. "ean", "no.orgnr"
    example: str | None = None
    vat_country: str | None = None  # 99xx VAT-number schemes: the country prefix of the number


def _vat(code: str, country: str, name: str, example: str | None = None) -> Scheme:
    return Scheme(code, f"{name} VAT number", None, "vatin", example, country)


SCHEMES: dict[str, Scheme] = {s.code: s for s in (
    Scheme("0002", "French SIREN (SIRENE)", r"\d{9}", "fr.siren", "732829320"),
    Scheme("0007", "Swedish organisation number", r"\d{10}", "se.orgnr", "5560360793"),
    Scheme("0009", "French SIRET", r"\d{14}", "fr.siret", "73282932000074"),
    Scheme("0037", "Finnish business id (LY-tunnus)"),
    Scheme("0060", "DUNS number", r"\d{9}", None, "150483782"),
    Scheme("0088", "GLN (GS1 Global Location Number)", r"\d{13}", "ean", "5790000435968"),
    Scheme("0106", "Dutch Chamber of Commerce (KvK) number", r"\d{8}", None, "17019032"),
    Scheme("0151", "Australian Business Number (ABN)", r"\d{11}", "au.abn", "51824753556"),
    Scheme("0183", "Swiss business id (UID)", r"CHE\d{9}", "ch.uid", "CHE100155212"),
    Scheme("0184", "Danish CVR number", r"(DK)?\d{8}", "dk.cvr", "DK13585628"),
    Scheme("0190", "Dutch originator's id (OIN)", r"\d{20}", None),
    Scheme("0192", "Norwegian organisation number", r"\d{9}", "no.orgnr", "988077917"),
    Scheme("0195", "Singapore UEN", None, "sg.uen"),
    Scheme("0196", "Icelandic kennitala", r"\d{10}", "is_.kennitala"),
    Scheme("0199", "Legal Entity Identifier (LEI)", r"[A-Z0-9]{20}", "lei"),
    Scheme("0204", "German Leitweg-ID (public sector)", None, "de.leitweg", "991-33333TEST-33"),
    Scheme("0208", "Belgian enterprise number", r"\d{10}", "be.vat", "0403019261"),
    Scheme("0210", "Italian codice fiscale", None, "it.codicefiscale"),
    Scheme("0211", "Italian partita IVA", r"(IT)?\d{11}", "it.iva"),
    Scheme("0212", "Finnish organisation id", None, "fi.ytunnus"),
    Scheme("0213", "Finnish VAT number", r"FI\d{8}", "fi.alv"),
    _vat("9910", "HU", "Hungarian"),
    _vat("9914", "AT", "Austrian"),
    _vat("9920", "ES", "Spanish"),
    _vat("9922", "AD", "Andorran"),
    _vat("9923", "AL", "Albanian"),
    _vat("9924", "BA", "Bosnian"),
    _vat("9925", "BE", "Belgian", "BE0403019261"),
    _vat("9926", "BG", "Bulgarian"),
    _vat("9927", "CH", "Swiss"),
    _vat("9928", "CY", "Cypriot"),
    _vat("9929", "CZ", "Czech"),
    _vat("9930", "DE", "German", "DE136695976"),
    _vat("9931", "EE", "Estonian"),
    _vat("9932", "GB", "UK", "GB980780684"),
    _vat("9933", "EL", "Greek"),
    _vat("9934", "HR", "Croatian"),
    _vat("9935", "IE", "Irish"),
    _vat("9936", "LI", "Liechtenstein"),
    _vat("9937", "LT", "Lithuanian"),
    _vat("9938", "LU", "Luxembourg"),
    _vat("9939", "LV", "Latvian"),
    _vat("9940", "MC", "Monaco"),
    _vat("9941", "ME", "Montenegrin"),
    _vat("9942", "MK", "North Macedonian"),
    _vat("9943", "MT", "Maltese"),
    _vat("9944", "NL", "Dutch"),
    _vat("9945", "PL", "Polish"),
    _vat("9946", "PT", "Portuguese"),
    _vat("9947", "RO", "Romanian"),
    _vat("9948", "RS", "Serbian"),
    _vat("9949", "SI", "Slovenian"),
    _vat("9950", "SK", "Slovak"),
    _vat("9951", "SM", "San Marino"),
    _vat("9952", "TR", "Turkish"),
    _vat("9953", "VA", "Vatican"),
    _vat("9957", "FR", "French"),
    Scheme("9959", "US Employer Identification Number (EIN)", r"\d{2}-?\d{7}", "us.ein"),
)}
COMMON = ("0088", "0060", "9932", "9930", "0208", "0009", "0192")  # the ones an error message suggests


@record
class PeppolId:
    """A checked participant id. `scheme` is the EAS code (the EndpointID's schemeID)."""

    scheme: str
    identifier: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.identifier}"


class PeppolIdError(ValueError):
    """Why a `peppol_id` value cannot be used, in words that say what to write."""


def scheme_name(code: str) -> str:
    s = SCHEMES.get(code)
    return s.name if s else f"EAS scheme {code}"


def _examples() -> str:
    return ", ".join(f"{c} {SCHEMES[c].name}" for c in COMMON)


def parse_peppol_id(text: str, root: Path | None = None) -> PeppolId:
    """The participant id written `SCHEME:IDENTIFIER`, checked; PeppolIdError says what is wrong.

    `root`: the books whose kept check-digit verdicts to use (consult.books.identifiers).

    >>> parse_peppol_id("9930:DE136695976")
    PeppolId(scheme='9930', identifier='DE136695976')
    """
    raw = str(text).strip()
    m = re.fullmatch(r"(?:iso6523-actorid-upis::)?(\w{1,8}):(\S.*)", raw)
    if m is None:
        raise PeppolIdError(f"'{raw}' is not SCHEME:IDENTIFIER — e.g. 9930:DE136695976 (a German VAT number) "
                            "or 0088:5790000435968 (a GLN)")
    code, ident = m.group(1), m.group(2).strip()
    if code.upper() == "EM":
        raise PeppolIdError(f"'{raw}': an email address is not a Peppol participant id (Peppol refuses the EM "
                            "scheme, rule PEPPOL-EN16931-CL008); ask the client for the id their access point "
                            f"registered, e.g. {_examples()}")
    if code not in EAS_CODES:
        raise PeppolIdError(f"'{code}' is not a Peppol electronic address scheme (EAS code list, Peppol BIS 3.0.19); "
                            f"common ones: {_examples()}")
    if re.search(r"\s", ident):
        raise PeppolIdError(f"'{raw}': the identifier has spaces; write it as registered, without spaces")
    s = SCHEMES.get(code)
    if s is None:
        return PeppolId(code, ident)
    if s.pattern and not re.fullmatch(s.pattern, ident, re.IGNORECASE):
        eg = f", e.g. {code}:{s.example}" if s.example else ""
        raise PeppolIdError(f"'{raw}': not a {s.name} in the form Peppol expects{eg}")
    if s.stdnum:
        status, why = kept(f"peppol:{s.stdnum}:{s.vat_country}:{ident}", lambda: _check_digits(s, ident), root)
        if status == "invalid":
            raise PeppolIdError(f"'{raw}': not a valid {s.name} ({why}) — check for a typo")
    return PeppolId(code, ident)


def _check_digits(s: Scheme, ident: str) -> Verdict:
    """python-stdnum's verdict on the identifier: ("invalid", why) or ("valid", "") (also when
    stdnum has no module for it: then only the EAS code is checked)."""
    from stdnum.exceptions import ValidationError
    from stdnum.util import get_cc_module

    number = ident
    if s.vat_country is not None:
        if get_cc_module("gr" if s.vat_country == "EL" else s.vat_country.lower(), "vat") is None:
            return "valid", ""  # python-stdnum knows no VAT number of that country: only the EAS code is checked
        number = ident if ident[:2].upper() == s.vat_country else s.vat_country + ident
    try:
        mod = import_module(f"stdnum.{s.stdnum}")
    except ImportError:  # an older python-stdnum without this module
        return "valid", ""
    try:
        if s.stdnum == "ean" and len(mod.compact(number)) != 13:
            return "invalid", "a GLN has 13 digits"
        mod.validate(number)
    except ValidationError as e:  # InvalidComponent among them
        return "invalid", stdnum_reason(e)
    return "valid", ""


def peppol_id_problem(text: str, root: Path | None = None) -> str | None:
    """None if `text` is a usable participant id, else why not."""
    try:
        parse_peppol_id(text, root)
    except PeppolIdError as e:
        return str(e)
    return None
