"""Peppol participant ids (`peppol_id`) and what `consult check` says about e-invoice set-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from consult.books.loader import load_books, open_books
from consult.einvoice import check
from consult.einvoice.peppol import PeppolId, PeppolIdError, parse_peppol_id

HAFEN = """\
name: Hafen Logistik GmbH
email: rechnungen@hafen.example
address: |
  Am Sandtorkai 27
  20457 Hamburg
country: DE
currency: EUR
locale: de_DE
vat_number: DE136695976
tax: reverse_charge
buyer_reference: HL-1
"""
PRACTICE = """\
name: Test Practice Ltd
address: |
  1 Test Street
  London
  EC1A 1BB
email: me@example.co.uk
country: GB
base_currency: GBP
locale: en_GB
vat_number: GB980780684
company_number: "11234567"
peppol_id: "9932:GB980780684"
bank:
  iban: GB82WEST12345698765432
  bic: WESTGB2L
invoice:
  vat_rate: 20
"""


class TestParticipantIds:
    @pytest.mark.parametrize(("text", "scheme", "ident"), [
        ("9930:DE136695976", "9930", "DE136695976"),  # German VAT number (stdnum de.vat)
        ("9932:GB980780684", "9932", "GB980780684"),  # UK VAT number (stdnum gb.vat)
        ("9932:980780684", "9932", "980780684"),  # without the country prefix: written as given
        ("0088:5790000435968", "0088", "5790000435968"),  # GLN, GS1 mod-10 check digit
        ("0208:0403019261", "0208", "0403019261"),  # Belgian enterprise number, mod 97
        ("0192:988077917", "0192", "988077917"),  # Norwegian organisation number, mod 11
        ("0007:5560360793", "0007", "5560360793"),  # Swedish organisation number, Luhn
        ("0009:73282932000074", "0009", "73282932000074"),  # SIRET, Luhn
        ("0060:150483782", "0060", "150483782"),  # DUNS: nine digits, no check digit
        ("0204:991-33333TEST-33", "0204", "991-33333TEST-33"),  # Leitweg-ID, mod 97-10
        (" 9925:BE0403019261 ", "9925", "BE0403019261"),
        ("0130:anything", "0130", "anything"),  # on the EAS list, no format known: accepted as written
    ])
    def test_valid_ids_are_read_as_scheme_and_identifier(self, text: str, scheme: str, ident: str) -> None:
        """SCHEME:IDENTIFIER with an EAS code; the identifier is kept exactly as written (an access
        point looks it up as registered)."""
        assert parse_peppol_id(text) == PeppolId(scheme, ident)

    @pytest.mark.parametrize(("text", "message"), [
        ("0088:5790000435967", "'0088:5790000435967': not a valid GLN (GS1 Global Location Number) (the number's "
                               "checksum or check digit is invalid) — check for a typo"),
        ("0208:0403019262", "'0208:0403019262': not a valid Belgian enterprise number (the number's checksum or "
                            "check digit is invalid) — check for a typo"),
        ("9932:GB980780685", "'9932:GB980780685': not a valid UK VAT number (the number's checksum or check "
                             "digit is invalid) — check for a typo"),
        ("0088:123", "'0088:123': not a GLN (GS1 Global Location Number) in the form Peppol expects, e.g. "
                     "0088:5790000435968"),
        ("DE136695976", "'DE136695976' is not SCHEME:IDENTIFIER — e.g. 9930:DE136695976 (a German VAT number) "
                        "or 0088:5790000435968 (a GLN)"),
    ])
    def test_wrong_ids_say_what_is_wrong(self, text: str, message: str) -> None:
        """A check digit that does not match, a wrong length, no scheme: each says what to fix."""
        with pytest.raises(PeppolIdError) as e:
            parse_peppol_id(text)
        assert str(e.value) == message

    def test_email_is_not_a_peppol_scheme(self) -> None:
        """EN 16931 allows EM; Peppol does not (CL008), so a peppol_id may not be an email address."""
        with pytest.raises(PeppolIdError, match=r"an email address is not a Peppol participant id .*CL008"):
            parse_peppol_id("EM:ap@hafen.example")

    def test_unknown_scheme_lists_the_common_ones(self) -> None:
        """A code not on the EAS list is refused, with the codes most used named."""
        with pytest.raises(PeppolIdError) as e:
            parse_peppol_id("1234:X")
        assert str(e.value).startswith("'1234' is not a Peppol electronic address scheme (EAS code list, Peppol "
                                       "BIS 3.0.19); common ones: 0088 GLN")
        assert "9932 UK VAT number, 9930 German VAT number, 0208 Belgian enterprise number" in str(e.value)


class TestBooks:
    def test_loader_reads_peppol_id_on_practice_and_client(self, make_books) -> None:
        """`peppol_id` is a known field in practice.yaml and client.yaml (no 'unknown field' warning)."""
        root = make_books({"practice.yaml": PRACTICE, "clients/hafen/client.yaml": HAFEN +
                           'peppol_id: "9930:DE136695976"\n'})
        result = load_books(root)
        assert [str(p) for p in result.problems] == []
        assert result.books is not None
        assert result.books.practice.peppol_id == "9932:GB980780684"
        assert result.books.clients["hafen"].peppol_id == "9930:DE136695976"

    def test_a_wrong_peppol_id_is_an_error_even_for_a_pdf_only_client(self, make_books, run_cli) -> None:
        """A typo in a peppol_id is a wrong value in the books: `consult check` names file, line and field."""
        root = make_books({"practice.yaml": PRACTICE, "clients/hafen/client.yaml": HAFEN +
                           'peppol_id: "0088:5790000435967"\n'})
        code, out, _ = run_cli("check", books=root)
        assert code == 1
        assert out.splitlines()[0] == (
            "clients/hafen/client.yaml:12:12: peppol_id: '0088:5790000435967': not a valid GLN (GS1 Global Location "
            "Number) (the number's checksum or check digit is invalid) — check for a typo")

    def test_ubl_client_with_everything_is_quiet(self, make_books) -> None:
        """`einvoice: ubl` with Peppol ids, reference, address and bank: the fields pass and so does the
        specimen e-invoice run through the EN 16931 and Peppol rules."""
        root = make_books({"practice.yaml": PRACTICE, "clients/hafen/client.yaml": HAFEN +
                           'peppol_id: "9930:DE136695976"\neinvoice: ubl\n'})
        assert check(open_books(root)) == []

    def test_ubl_client_without_peppol_ids_names_both_fields(self, make_books) -> None:
        """The client's and the practice's participant ids are named, with where to write them."""
        root = make_books({"practice.yaml": PRACTICE.replace('peppol_id: "9932:GB980780684"\n', ""),
                           "clients/hafen/client.yaml": HAFEN + "einvoice: ubl\n"})
        assert [(p.source.path, p.field, p.severity) for p in check(open_books(root))] == [
            ("clients/hafen/client.yaml", "peppol_id", "error"), ("practice.yaml", "peppol_id", "error")]

    def test_facturx_client_needs_no_peppol_id(self, make_books) -> None:
        """Factur-X travels by email: no participant id is asked for; the practice's email is."""
        root = make_books({"practice.yaml": PRACTICE.replace("email: me@example.co.uk\n", ""),
                           "clients/hafen/client.yaml": HAFEN + "einvoice: facturx\n"})
        assert [str(p) for p in check(open_books(root))] == [
            "practice.yaml:1: email: e-invoices need the seller's electronic address (BT-34)"]

    def test_rules_broken_by_the_specimen_are_reported_against_the_field(self, make_books, monkeypatch) -> None:
        """The specimen runs the export's own rules: a broken rule is reported against the field it points at
        (BR-CO-26: the practice's company_number), or against the client's einvoice line."""
        import consult.einvoice.rules as rules

        monkeypatch.setattr(rules, "problems", lambda xml, syntax: [
            "BR-CO-26: the seller has neither a legal id nor a VAT id", "BR-XX: something new"])
        root = make_books({"practice.yaml": PRACTICE, "clients/hafen/client.yaml": HAFEN +
                           'peppol_id: "9930:DE136695976"\neinvoice: ubl\n'})
        assert sorted(str(p) for p in check(open_books(root))) == [
            "clients/hafen/client.yaml:13:11: einvoice: a specimen e-invoice to hafen breaks BR-XX: something new "
            "(einvoice: ubl)",
            "practice.yaml:11:17: company_number: a specimen e-invoice to hafen breaks BR-CO-26: the seller has "
            "neither a legal id nor a VAT id (einvoice: ubl)",
        ]

    def test_sample_books_check_clean_with_a_peppol_client(self, sample_books: Path) -> None:
        """The sample books' Peppol client (hafen-logistik, einvoice: ubl) has everything; lotus-insights, sent
        PDFs, is not asked for anything."""
        books = open_books(sample_books)
        assert books.clients["hafen-logistik"].einvoice == "ubl"
        assert books.clients["lotus-insights"].peppol_id is None
        assert check(books) == []
