"""The official e-invoice rules, run in-process: CEN EN 16931 (CII and UBL) and Peppol BIS
Billing 3.0, as compiled Schematron (XSLT), with Saxon-HE from PyPI (`saxonche`).

The compiled rules are test data beside the project, not part of it: they are read from
`../shared/einvoice-rules/` (next to the repository) or from the folder named by
`CONSULT_EINVOICE_RULES`; the README there gives their sources, versions and licences. Tests
that need them skip, saying why, when the folder or saxonche is missing.

Compiling the three stylesheets takes about 4 s, so each is compiled once per test session
(`functools.cache`); a transform then takes 5-40 ms.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
ENV = "CONSULT_EINVOICE_RULES"
FILES = {"cii": ("EN16931-CII-validation.xslt",),
         "ubl": ("EN16931-UBL-validation.xslt", "PEPPOL-EN16931-UBL.xslt")}
SVRL = "http://purl.oclc.org/dsdl/svrl"


def rules_dir() -> Path:
    """Where the compiled rules are: $CONSULT_EINVOICE_RULES, else ../shared/einvoice-rules/."""
    env = os.environ.get(ENV)
    return Path(env) if env else REPO.parent / "shared" / "einvoice-rules"


def why_not() -> str | None:
    """Why the official rules cannot run here (None when they can)."""
    folder = rules_dir()
    missing = [f for fs in FILES.values() for f in fs if not (folder / f).is_file()]
    if missing:
        return (f"the official EN 16931/Peppol rules are not in {folder} (missing {', '.join(missing)}); "
                f"put the shared/einvoice-rules folder beside the repository or set {ENV}")
    from importlib.util import find_spec

    if find_spec("saxonche") is None:
        return "saxonche (Saxon-HE) is not installed; pip install -e '.[test]'"
    return None


needs_official_rules = pytest.mark.skipif(why_not() is not None, reason=why_not() or "")


@dataclass(frozen=True, slots=True)
class Finding:
    """One failed assertion (or successful report) of the official rules."""

    rules: str  # the stylesheet, e.g. PEPPOL-EN16931-UBL.xslt
    flag: str  # fatal or warning
    id: str  # e.g. PEPPOL-EN16931-R003
    location: str
    text: str

    def __str__(self) -> str:
        return f"{self.flag} {self.id} ({self.rules}) at {self.location}: {self.text}"


@cache
def _processor() -> Any:
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@cache
def _compiled(name: str) -> Any:
    """The stylesheet compiled once per session."""
    xslt = _processor().new_xslt30_processor()
    return xslt.compile_stylesheet(stylesheet_file=str(rules_dir() / name))


def findings(xml: bytes, syntax: str) -> list[Finding]:
    """Every finding of the official rules for `syntax` ("cii": CEN EN 16931 CII; "ubl": CEN
    EN 16931 UBL and Peppol BIS Billing 3.0) on `xml`."""
    from lxml import etree

    proc = _processor()
    doc = proc.parse_xml(xml_text=xml.decode("utf-8"))
    out: list[Finding] = []
    for name in FILES[syntax]:
        svrl = _compiled(name).transform_to_string(xdm_node=doc)
        root = etree.fromstring(svrl.encode("utf-8"))
        for f in root.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
            text = " ".join("".join(t.itertext()) for t in f.iter(f"{{{SVRL}}}text")).split()
            out.append(Finding(name, f.get("flag") or "fatal", f.get("id") or "?", f.get("location") or "",
                               " ".join(text)))
    return out


def eaid_codes() -> frozenset[str]:
    """The EAS codes the Peppol rules accept (the `eaid` variable of the compiled Peppol file)."""
    import re

    text = (rules_dir() / "PEPPOL-EN16931-UBL.xslt").read_text(encoding="utf-8")
    m = re.search(r'name="eaid"\s+select="tokenize\(\'([^\']*)\'', text)
    assert m, "no eaid code list in the Peppol rules"
    return frozenset(m.group(1).split())
