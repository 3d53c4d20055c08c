"""`consult invoice …` as a user runs it on the sample books: what it prints and what it writes."""

from __future__ import annotations

import io
import json

import pytest


@pytest.fixture
def sample_books(unissued_books):
    """The sample books before anything was invoiced or paid."""
    return unissued_books


def pdf_text(path) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


def invoices_in(root, client):
    d = root / "clients" / client / "invoices"
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


class TestCreate:
    def test_create_prints_number_totals_due_date_and_paths(self, sample_books, run_cli):
        """Acme, October time only: 18.5 days x £650 = £12,025.00 + VAT £2,405.00 = £14,430.00, due in 30 days."""
        code, out, err = run_cli("invoice", "create", "acme-analytics", "--period", "2026-10", "--no-expenses",
                                 books=sample_books)
        assert code == 0, err
        assert out.splitlines() == [
            "INV-2026-0001  acme-analytics  net £12,025.00  VAT £2,405.00  total £14,430.00  due 2026-12-22",
            "wrote clients/acme-analytics/invoices/INV-2026-0001.yaml",
            "wrote clients/acme-analytics/invoices/INV-2026-0001.pdf",
        ]
        assert invoices_in(sample_books, "acme-analytics") == ["INV-2026-0001.pdf", "INV-2026-0001.yaml"]

    def test_create_with_the_rail_fare(self, sample_books, run_cli):
        """By default the rebillable rail fare is billed too: £12,167.60 + VAT £2,433.52 = £14,601.12."""
        code, out, _ = run_cli("invoice", "create", "acme-analytics", "--period", "2026-10", "--date", "2026-11-01",
                               books=sample_books)
        assert code == 0
        assert out.splitlines()[0] == ("INV-2026-0001  acme-analytics  net £12,167.60  VAT £2,433.52  "
                                       "total £14,601.12  due 2026-12-01")

    def test_reverse_charge_prints_no_vat(self, sample_books, run_cli):
        """Hafen: 15.25 h x €115 = €1,753.75 in de_DE formatting, reverse charged."""
        code, out, _ = run_cli("invoice", "create", "hafen-logistik", "--period", "2026-10", books=sample_books)
        assert out.splitlines()[0] == ("INV-2026-0001  hafen-logistik  net 1.753,75\xa0€  no VAT (reverse charge)  "
                                       "total 1.753,75\xa0€  due 2026-12-22")

    def test_dry_run_writes_nothing(self, sample_books, run_cli):
        """--dry-run shows the lines and the number it would take, and writes nothing."""
        code, out, _ = run_cli("invoice", "create", "lotus-insights", "--period", "2026-10", "--dry-run",
                               books=sample_books)
        assert code == 0
        assert out.splitlines() == [
            "  Recommender system audit: 8 days × ₹86,486.50 = ₹6,91,892.00",
            "DRAFT lotus-insights  net ₹6,91,892.00  no VAT (outside scope)  total ₹6,91,892.00  due 2027-01-06",
            "nothing issued (the next number would be INV-2026-0001)",
        ]
        assert invoices_in(sample_books, "lotus-insights") == []

    def test_preview_writes_a_draft_pdf_and_issues_nothing(self, sample_books, run_cli, tmp_path):
        """The README's main-job command can be run again and again."""
        target = tmp_path / "invoice-preview.pdf"
        for _ in range(2):
            code, out, _ = run_cli("invoice", "create", "acme-analytics", "--period", "2026-10",
                                   "--preview", str(target), books=sample_books)
            assert code == 0 and f"preview (draft, no number allocated) written to {target}" in out
        assert target.read_bytes().startswith(b"%PDF")
        assert invoices_in(sample_books, "acme-analytics") == []

    def test_second_create_for_the_same_period_is_refused(self, sample_books, run_cli):
        """Billing October twice is refused with exit 1, naming the first invoice; nothing new is written."""
        run_cli("invoice", "create", "brightpath-ai", "--period", "2026-10", books=sample_books)
        code, out, err = run_cli("invoice", "create", "brightpath-ai", "--period", "2026-10", books=sample_books)
        assert code == 1 and out == ""
        assert err == ("error: everything billable for brightpath-ai from 2026-10-01 to 2026-10-31 is billed already "
                       "(on INV-2026-0001); nothing was written. Work logged later shows in `consult time unbilled`; "
                       "to bill something again, credit it first: consult invoice credit INV-2026-0001 "
                       "--reason \"...\"\n")
        assert invoices_in(sample_books, "brightpath-ai") == ["INV-2026-0001.pdf", "INV-2026-0001.yaml"]

    def test_bad_period_is_a_usage_error(self, sample_books, run_cli):
        """An unreadable --period exits 2 with the accepted forms."""
        code, _, err = run_cli("invoice", "create", "acme-analytics", "--period", "October", books=sample_books)
        assert code == 2
        assert err == ("error: --period: 'October' is not a period — e.g. 2026-10, 2026-Q3, 2026-W42, 2026, "
                       "2026/27 (a UK tax year), 2026-10-05, 2026-10-01..2026-10-15 or last-month\n")

    def test_a_quarter_bills_like_time_report_reads_it(self, sample_books, run_cli):
        """`--period 2026-Q3` is the same grammar as `time report`: July to September."""
        code, out, err = run_cli("invoice", "create", "lotus-insights", "--period", "2026-Q4", "--dry-run",
                                 books=sample_books)
        assert code == 0 and "DRAFT lotus-insights" in out, err
        code, _, err = run_cli("invoice", "create", "lotus-insights", "--period", "2026-Q3", "--dry-run",
                               books=sample_books)
        assert code == 1 and "for lotus-insights from 2026-07-01 to 2026-09-30" in err

    def test_facturx_embeds_the_xml_and_export_is_a_subcommand(self, sample_books, run_cli, tmp_path):
        """--facturx embeds factur-x.xml in the issued PDF; `invoice export` writes UBL from the record."""
        import facturx

        code, _, err = run_cli("invoice", "create", "hafen-logistik", "--period", "2026-10", "--facturx",
                               books=sample_books)
        assert code == 0, err
        pdf = (sample_books / "clients/hafen-logistik/invoices/INV-2026-0001.pdf").read_bytes()
        name, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
        assert name == "factur-x.xml" and b"1753.75" in xml
        code, out, err = run_cli("invoice", "export", "INV-2026-0001", "--format", "ubl", "-o",
                                 str(tmp_path / "inv.xml"), books=sample_books)
        assert code == 0, err
        assert b"1753.75" in (tmp_path / "inv.xml").read_bytes()


class TestListPayCredit:
    @pytest.fixture
    def issued(self, sample_books, run_cli):
        """September issued on 1 Oct for acme (£10,530.00), hafen (€1,322.50) and brightpath ($12,000.00)."""
        for c in ("acme-analytics", "hafen-logistik", "brightpath-ai"):
            code, _, err = run_cli("invoice", "create", c, "--period", "2026-09", books=sample_books,
                                   today="2026-10-01")
            assert code == 0, err
        return sample_books

    def test_list_shows_status_and_outstanding(self, issued, run_cli):
        """Paid in full, unpaid past due, part-paid past due: status and outstanding per invoice."""
        run_cli("invoice", "pay", "INV-2026-0001", "10530.00", "--date", "2026-10-28", books=issued)
        run_cli("invoice", "pay", "INV-2026-0003", "5000", "--date", "2026-10-20", books=issued)
        code, out, _ = run_cli("invoice", "list", "--format", "json", books=issued)
        rows = {r["number"]: (r["client"], r["total"], r["outstanding"], r["status"], r["days_late"])
                for r in json.loads(out)}
        assert rows == {"INV-2026-0001": ("acme-analytics", "10530.00", "0.00", "paid", 0),
                        "INV-2026-0002": ("hafen-logistik", "1322.50", "1322.50", "overdue", 22),
                        "INV-2026-0003": ("brightpath-ai", "12000.00", "7000.00", "overdue", 22)}
        code, out, _ = run_cli("invoice", "list", "--status", "paid", "--format", "csv", books=issued)
        assert out.splitlines()[1].startswith("INV-2026-0001,invoice,acme-analytics,2026-10-01,2026-10-31,GBP,8775.00,")

    def test_pay_appends_to_payments_yaml(self, issued, run_cli):
        """`pay` appends one line to the client's payments.yaml and says where."""
        code, out, _ = run_cli("invoice", "pay", "INV-2026-0001", "10530", "--date", "2026-10-28",
                               "--note", "BACS ref 4471", books=issued)
        assert code == 0
        assert out == "recorded 10530.00 GBP against INV-2026-0001 on 2026-10-28 in clients/acme-analytics/payments.yaml\n"
        text = (issued / "clients/acme-analytics/payments.yaml").read_text()
        assert text.splitlines()[-1] == ('- {date: 2026-10-28, invoice: INV-2026-0001, amount: 10530.00, '
                                         'currency: GBP, note: "BACS ref 4471"}')

    def test_overpayment_is_refused_with_exit_1(self, issued, run_cli):
        """Paying more than is outstanding is refused unless --force."""
        code, _, err = run_cli("invoice", "pay", "INV-2026-0002", "1400", books=issued)
        assert code == 1
        assert err == ("error: INV-2026-0002 has 1.322,50\xa0€ outstanding, but this payment settles 1.400,00\xa0€; "
                       "check the amount, or use --force to record an overpayment (it stays on the invoice as money on account)\n")

    def test_credit_note_has_its_own_sequence(self, issued, run_cli):
        """A $2,000 credit on BrightPath's $12,000 invoice is CN-2026-0001 and leaves $10,000 outstanding."""
        code, out, _ = run_cli("invoice", "credit", "INV-2026-0003", "--amount", "2000", "--reason",
                               "Discovery scope reduced", books=issued)
        assert code == 0
        assert out.splitlines()[0] == "CN-2026-0001  credits INV-2026-0003  net $2,000.00  VAT $0.00  total $2,000.00"
        code, out, _ = run_cli("invoice", "show", "INV-2026-0003", books=issued)
        assert "credited 2026-11-22: $2,000.00 (CN-2026-0001)" in out
        assert "status overdue  outstanding $10,000.00  22 days late" in out

    def test_credit_needs_a_reason(self, issued, run_cli):
        """A credit note without --reason is a usage error."""
        code, _, err = run_cli("invoice", "credit", "INV-2026-0001", books=issued)
        assert code == 2 and "Missing option '--reason'" in err

    def test_show_unknown_number(self, issued, run_cli):
        """An unknown number exits 2 and names the latest ones."""
        code, _, err = run_cli("invoice", "show", "INV-2026-0042", books=issued)
        assert code == 2
        assert err == ("error: no invoice 'INV-2026-0042' in these books (did you mean INV-2026-0002? latest: "
                       "INV-2026-0001, INV-2026-0002, INV-2026-0003; see `consult invoice list`)\n")

    def test_numbers_are_matched_whatever_their_case(self, issued, run_cli):
        """`inv-2026-0001` finds INV-2026-0001: a number typed in lower case is the same number."""
        code, out, err = run_cli("invoice", "show", "inv-2026-0001", books=issued)
        assert code == 0, err
        assert out.startswith("Invoice INV-2026-0001")

    def test_overdue_claims_interest_where_the_act_applies(self, issued, run_cli):
        """As of 15 Jan 2027 acme's £10,530.00 (due 31 Oct 2026) is 76 days late; Bank Rate on 30 Jun 2026
        3.75% -> 11.75%: 10530 x 0.1175 x 76 / 365 = £257.62...; fixed sum £100 (a debt of £10,000 or
        more). Hafen (Germany) and BrightPath (US): listed, no claim (the Act is for contracts
        under UK law; neither client says `late_payment: statutory`)."""
        code, out, err = run_cli("invoice", "overdue", "--as-of", "2027-01-15", "--format", "json", books=issued)
        assert code == 0, err
        rows = {r["number"]: r for r in json.loads(out)}
        assert {k: rows["INV-2026-0001"][k] for k in ("days_late", "rate", "interest", "fixed_sum", "claim")} == {
            "days_late": 76, "rate": "11.75%", "interest": "257.62", "fixed_sum": "100.00", "claim": "357.62"}
        assert rows["INV-2026-0002"]["rate"] == "n/a (the Act does not apply)"
        assert rows["INV-2026-0002"]["interest"] is None

    def test_base_rate_overrides_the_table(self, issued, run_cli):
        """--base-rate 4 -> 12%: 10530 x 0.12 x 76 / 365 = £263.105... -> £263.11."""
        code, out, _ = run_cli("invoice", "overdue", "--as-of", "2027-01-15", "--base-rate", "4",
                               "--format", "csv", books=issued)
        assert code == 0
        assert out.splitlines()[1] == ("INV-2026-0001,acme-analytics,2026-10-31,76,overdue,GBP,10530.00,12%,2027-01-15,"
                                       "263.11,100.00,363.11")

    def test_render_again_restores_a_missing_pdf(self, issued, run_cli):
        """A deleted PDF is rendered again from the frozen record with the same text."""
        pdf = issued / "clients/acme-analytics/invoices/INV-2026-0001.pdf"
        before = pdf.read_bytes()
        pdf.unlink()
        code, out, _ = run_cli("invoice", "render", "INV-2026-0001", books=issued)
        assert code == 0 and out == "wrote clients/acme-analytics/invoices/INV-2026-0001.pdf\n"
        assert pdf.exists() and pdf_text(pdf) == pdf_text_bytes(before)


def pdf_text_bytes(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
class TestPdfText:
    def test_acme_pdf_shows_the_figures(self, sample_books, run_cli):
        """The PDF prints the number, the three totals and both VAT numbers."""
        run_cli("invoice", "create", "acme-analytics", "--period", "2026-10", "--no-expenses", books=sample_books)
        text = pdf_text(sample_books / "clients/acme-analytics/invoices/INV-2026-0001.pdf")
        for s in ("INV-2026-0001", "£12,025.00", "£2,405.00", "£14,430.00", "GB980780684", "GB434031494"):
            assert s in text, s

    def test_hafen_pdf_says_reverse_charge_with_both_vat_numbers(self, sample_books, run_cli):
        """The EUR reverse-charge PDF prints the mention and both VAT numbers."""
        run_cli("invoice", "create", "hafen-logistik", "--period", "2026-10", books=sample_books)
        text = pdf_text(sample_books / "clients/hafen-logistik/invoices/INV-2026-0001.pdf")
        assert "Reverse charge" in text and "GB980780684" in text and "DE136695976" in text
        assert "1.753,75" in text

    def test_lotus_pdf_groups_in_lakhs(self, sample_books, run_cli):
        """The INR invoice prints ₹6,91,892.00 (en_IN grouping)."""
        run_cli("invoice", "create", "lotus-insights", "--period", "2026-10", books=sample_books)
        text = pdf_text(sample_books / "clients/lotus-insights/invoices/INV-2026-0001.pdf")
        assert "6,91,892.00" in text


class TestRepoSampleBooks:
    def test_september_is_issued_and_october_is_not(self, run_cli):
        """The repo's books: Sep issued on 1 Oct; Acme paid 28 Oct, BrightPath paid 30 Oct, Hafen overdue."""
        from tests.conftest import REPO

        code, out, _ = run_cli("invoice", "list", "--format", "json", books=REPO)
        assert code == 0
        got = [(r["number"], r["client"], r["total"], r["currency"], r["status"], r["days_late"]) for r in json.loads(out)]
        assert got == [("INV-2026-0001", "acme-analytics", "10530.00", "GBP", "paid", 0),
                       ("INV-2026-0002", "hafen-logistik", "1322.50", "EUR", "overdue", 22),
                       ("INV-2026-0003", "brightpath-ai", "12000.00", "USD", "paid", 0)]
        code, out, _ = run_cli("invoice", "create", "acme-analytics", "--period", "2026-10", "--dry-run", books=REPO)
        assert code == 0 and "nothing issued (the next number would be INV-2026-0004)" in out
