"""Security: the decisions, and the guards that are not bad-input cases.

Decisions, written down here and in the README:

* **YAML is data, never code.** Every YAML file is read by composing nodes with libyaml's safe
  parser; `!!python/...` and other non-standard tags are refused with file and line, and issued
  records are read with the base loader, which builds nothing but strings. No module of
  consult calls an unsafe loader (checked over the source below).
* **Ids and paths cannot leave the books.** Ids are `[a-z0-9][a-z0-9-]*`, so `../x`, `/etc`,
  `.hidden` and `a/b` are refused wherever an id is taken (command line or file). A symbolic
  link under `clients/` or `templates/` that leads outside the books is an error, so no command
  reads through it or writes through it; links that stay inside the books are fine. Paths a user
  names on the command line (a file to import, a `--preview`/`--pdf` output) may be anywhere:
  the user chose them.
* **User text is text.** Names, addresses and descriptions are printed literally in PDFs:
  `<b>`, `<font>` and `&amp;` are characters, never ReportLab markup.
* **PDFs carry no actions.** No /JavaScript, /JS, /Launch, /URI, /SubmitForm, /OpenAction or
  /AA in anything consult renders.

Every "this bad file or argument is refused, with this message" case lives in the one bad-input
harness, the corpus (tests/corpus/books.yaml, section "security", and the path-like ids in
arguments.yaml), where it is also held to exit code, error count, no traceback, nothing written
inside or outside the books and no tag having run. What stays here is what is not a bad input:
a scan of the source, the id grammar on values no command line can carry, a link that must
work, and what the rendered PDFs contain.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from consult.books.fields import id_problem
from consult.books.loader import load_books
from consult.core.money import Money
from consult.invoices.record import Invoice, InvoiceLine, Party, to_record
from consult.invoices.store import load_invoices
from tests.conftest import REPO

# ------------------------------------------------------------------------------------------
# safe loading: the source never asks for an unsafe loader
# ------------------------------------------------------------------------------------------
UNSAFE = re.compile(r"yaml\.(unsafe_load|full_load|load_all)\b|Loader\s*=\s*(yaml\.)?(Unsafe|Full)?Loader\b|"
                    r"yaml\.load\([^)]*Loader=yaml\.(Loader|FullLoader|UnsafeLoader)")


def test_no_module_uses_an_unsafe_yaml_loader():
    """Every YAML read in consult/ goes through the safe composer or the base loader."""
    offenders = []
    for path in sorted((REPO / "consult").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            if UNSAFE.search(line) or ("yaml.load(" in line and "Loader=" not in line):
                offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert offenders == []


# ------------------------------------------------------------------------------------------
# ids and paths
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["../acme", "..", ".", "/etc/passwd", "acme/../../x", ".hidden", "a/b",
                                   "Acme", "acme ltd", "acme\0", "-acme", "", "acme\n", "a" * 65, "ａcme"])
def test_path_like_ids_are_never_valid(value):
    """The id grammar itself: nothing that could name another folder (or a hidden, odd or
    overlong one) is an id — including values no command line can carry (a NUL, a newline)."""
    assert id_problem(value) is not None


def test_links_inside_the_books_are_fine(make_books):
    """A link from one timesheet name to another file inside the books is read as usual."""
    root = make_books({"clients/acme/timesheets/real.yaml": "- {date: 2026-01-05, engagement: build, hours: 7.5}\n"})
    (root / "clients/acme/timesheets/2026-01.yaml").symlink_to("real.yaml")
    result = load_books(root)
    assert result.errors == []
    assert len(result.books.entries) == 2  # the file and its alias: both inside, both read


# ------------------------------------------------------------------------------------------
# PDFs: user text is text, and no actions
# ------------------------------------------------------------------------------------------
MARKUP = ["Smith & Jones <UK>", "<b>not bold</b>", "<font color='red' size='40'>big</font>", "R&amp;D", "a<br/>b",
          "<a href='https://evil.example/'>click</a>", "<img src='/etc/passwd'/>", "&#60;lt"]


def _hostile_invoice() -> Invoice:
    gbp = Money(Decimal("650.00"), "GBP")
    lines = tuple(InvoiceLine(text, Decimal("1.0"), "day", gbp, gbp, "time", "build") for text in MARKUP)
    net = Money.total((ln.net for ln in lines), "GBP")
    vat = net.percent(Decimal(20))
    d = date(2026, 11, 2)
    return Invoice(
        number="INV-2026-0001", kind="invoice", client="acme", issue_date=d, tax_point=d,
        supply_start=date(2026, 10, 1), supply_end=date(2026, 10, 31), due_date=date(2026, 12, 2),
        currency="GBP", locale="en_GB",
        seller=Party("Test <Practice> & Co", ("1 <i>Test</i> Street", "London"), "GB", vat_number="GB980780684"),
        buyer=Party("Smith & Jones <UK>", ("<u>2</u> Client Road", "Leeds & Bradford"), "GB",
                    contact="<script>alert(1)</script>"),
        lines=lines, net=net, vat=vat, total=net + vat, tax_treatment="standard", vat_rate=Decimal(20),
        vat_rounding="half_up", payment_terms_days=30, bank={"sort_code": "12-34-56", "account_number": "12345678"},
        po_number="<PO&1>", notes=("Thanks & <b>regards</b>",),
    )


FORBIDDEN_PDF_KEYS = {"/JavaScript", "/JS", "/Launch", "/URI", "/SubmitForm", "/ImportData", "/OpenAction",
                      "/AA", "/GoToR", "/RichMedia"}


def pdf_keys(data: bytes) -> set[str]:
    """Every dictionary key and name anywhere in the PDF's object graph."""
    import io

    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    reader = PdfReader(io.BytesIO(data))
    seen: set[tuple[int, int]] = set()
    found: set[str] = set()
    stack = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            stack.append(obj.get_object())
        elif isinstance(obj, DictionaryObject):
            for k, v in obj.items():
                found.add(str(k))
                stack.append(v)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
        elif isinstance(obj, NameObject):
            found.add(str(obj))
    return found


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _render(inv: Invoice, root: Path) -> bytes:
    from consult.render.invoice import invoice_pdf

    return invoice_pdf(inv, root)


def test_user_text_prints_literally_in_the_invoice_pdf(sample_books):
    """`<b>`, `<font>`, `&amp;`, `<a href>` in names and lines are printed as typed, never obeyed."""
    data = _render(_hostile_invoice(), sample_books)
    text = re.sub(r"\s+", " ", pdf_text(data))
    for literal in MARKUP + ["Test <Practice> & Co", "<PO&1>", "Leeds & Bradford"]:
        assert literal in text, literal
    assert "https://evil.example/" in text  # as text, with no link behind it
    assert not FORBIDDEN_PDF_KEYS & pdf_keys(data)


def test_invoice_pdf_has_no_actions_or_links(sample_books):
    """A normal invoice PDF carries no JavaScript, launch, URI or automatic actions."""
    data = _render(_hostile_invoice(), sample_books)
    keys = pdf_keys(data)
    assert not FORBIDDEN_PDF_KEYS & keys, FORBIDDEN_PDF_KEYS & keys
    assert "/Annots" not in keys


def test_pdf_scanner_finds_what_it_looks_for():
    """The scanner itself: a PDF with a JavaScript open action and a URI link is caught."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    w = PdfWriter()
    page = w.add_blank_page(100, 100)
    w._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('hi');")})
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): DictionaryObject(
        {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://x.example")})})
    buf = io.BytesIO()
    w.write(buf)
    assert {"/JavaScript", "/JS", "/OpenAction", "/URI", "/AA"} <= pdf_keys(buf.getvalue())


def test_issued_record_keeps_markup_as_text(tmp_path):
    """The frozen record stores user text exactly, so a re-render prints the same characters."""
    inv = _hostile_invoice()
    p = tmp_path / "clients" / "acme" / "invoices" / "INV-2026-0001.yaml"
    p.parent.mkdir(parents=True)
    p.write_text(yaml.safe_dump(to_record(inv), sort_keys=False, allow_unicode=True))
    back, problems = load_invoices(tmp_path)
    assert problems == [] and back == [inv]
