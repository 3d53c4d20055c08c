"""`consult quote` and `consult proposal …` as a user runs them: what they print, write and the PDF says."""

from __future__ import annotations

import io

import pytest


@pytest.fixture
def books(unissued_books):
    """The sample books before anything was issued, so numbers start at P-2026-0001."""
    return unissued_books


def pdf_text(path) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


QUOTE = ("quote", "acme-analytics", "--days", "20", "--rate", "650", "--title", "Churn model review")


class TestQuote:
    def test_quote_prints_number_figures_and_valid_until(self, books, run_cli):
        """20 days x £650 for Acme: £13,000.00 net, £2,600.00 VAT, £15,600.00, valid 30 days from 22 Nov."""
        code, out, err = run_cli(*QUOTE, books=books)
        assert code == 0, err
        assert out.splitlines() == [
            "P-2026-0001  acme-analytics/churn-model-review  20 days  net £13,000.00  VAT £2,600.00  "
            "total £15,600.00  valid until 2026-12-22",
            "wrote clients/acme-analytics/proposals/churn-model-review.yaml and "
            "clients/acme-analytics/proposals/churn-model-review.pdf",
        ]

    def test_quote_pdf_shows_the_same_figures_and_dates(self, books, run_cli):
        """The PDF's text has the number, both dates, the fee table figures and the acceptance block."""
        run_cli(*QUOTE, books=books)
        text = pdf_text(books / "clients/acme-analytics/proposals/churn-model-review.pdf")
        for s in ("Proposal", "P-2026-0001", "22 November 2026", "Valid until", "22 December 2026",
                  "Churn model review", "£650.00", "£13,000.00", "Net total (20 days)", "VAT at 20% (estimate)",
                  "£2,600.00", "Total", "£15,600.00", "Acme Analytics Ltd", "GB434031494", "GB980780684",
                  "Payment schedule", "Each invoice is payable within 30 days of its date.", "Acceptance",
                  "Signature", "Page 1 of 1"):
            assert s in text, s

    def test_quote_with_the_same_title_twice_is_refused(self, books, run_cli):
        """The second quote would overwrite the first; it is refused and names --id."""
        run_cli(*QUOTE, books=books)
        code, out, err = run_cli(*QUOTE, books=books)
        assert (code, out) == (1, "")
        assert err == ("error: proposal 'acme-analytics/churn-model-review' already exists "
                       "(clients/acme-analytics/proposals/churn-model-review.yaml); choose another id (--id) "
                       "or edit that file\n")

    def test_quote_with_a_bad_rate_is_a_usage_error(self, books, run_cli):
        """`--rate 6x0` names the option and writes nothing."""
        code, _, err = run_cli("quote", "acme-analytics", "--days", "20", "--rate", "6x0", "--title", "T",
                               books=books)
        assert (code, err) == (2, "error: --rate: '6x0' is not a number\n")
        assert not (books / "clients/acme-analytics/proposals").exists()

    def test_quote_for_an_unknown_client_lists_the_clients(self, books, run_cli):
        """A typo in the client is exit 2 with the known clients."""
        code, _, err = run_cli("quote", "acme", "--days", "1", "--rate", "650", "--title", "T", books=books)
        assert code == 2
        assert err.startswith("error: no client 'acme' in ")
        assert "(clients: acme-analytics, brightpath-ai, hafen-logistik, inkwell-press, lotus-insights)" in err

    def test_quote_in_euros_for_a_reverse_charge_client(self, books, run_cli):
        """Hafen (DE, reverse charge): 10 x 800 € = 8.000,00 € net and total, the reverse-charge words in the PDF."""
        code, out, err = run_cli("quote", "hafen-logistik", "--days", "10", "--rate", "800", "--title", "Audit",
                                 books=books)
        assert code == 0, err
        assert "net 8.000,00\xa0€  no VAT  total 8.000,00\xa0€" in out
        text = pdf_text(books / "clients/hafen-logistik/proposals/audit.pdf")
        assert "Reverse charge" in text and "8.000,00" in text


class TestProposalCommands:
    def test_new_render_list_accept_round_trip(self, books, run_cli):
        """A template to fill in becomes P-2026-0001, is listed as sent, then accepted into an engagement."""
        code, out, err = run_cli("proposal", "new", "acme-analytics", "mlops", "--title", "MLOps platform",
                                 books=books)
        assert (code, out) == (0, "wrote clients/acme-analytics/proposals/mlops.yaml; fill it in, then "
                                  "`consult proposal render acme-analytics/mlops`\n"), err
        code, out, err = run_cli("proposal", "render", "acme-analytics/mlops", books=books)
        assert code == 0, err
        assert out.splitlines() == [
            "P-2026-0001  acme-analytics/mlops  18 days  net £11,700.00  VAT £2,340.00  total £14,040.00  "
            "valid until 2026-12-22  (+ optional £1,300.00)  (number allocated now)",
            "wrote clients/acme-analytics/proposals/mlops.pdf"]
        text = pdf_text(books / "clients/acme-analytics/proposals/mlops.pdf")
        for s in ("Scope of work", "1. Discovery", "Deliverables", "Handover and training (optional, not in the total)",
                  "£1,300.00", "Net total (18 days)", "£11,700.00", "£14,040.00", "Assumptions", "Terms"):
            assert s in text, s
        code, out, _ = run_cli("proposal", "list", "--format", "csv", books=books)
        assert out.splitlines() == [
            "number,client,id,title,date,valid_until,days,net,total,currency,status",
            "P-2026-0001,acme-analytics,mlops,MLOps platform,2026-11-22,2026-12-22,18,11700.00,14040.00,GBP,sent"]
        code, out, err = run_cli("proposal", "accept", "acme-analytics/mlops", "--include", "Handover and training",
                                 books=books)
        assert (code, out) == (0, "accepted P-2026-0001: wrote clients/acme-analytics/engagements/mlops.yaml — "
                                  "daily at £650.00, budget 20 days (£13,000.00 net; Discovery, Build, "
                                  "Handover and training)\n"), err
        code, out, _ = run_cli("proposal", "list", "--status", "accepted", "--format", "csv", books=books)
        assert out.splitlines()[1].endswith(",accepted")
        code, out, _ = run_cli("check", books=books)
        assert code == 0

    def test_accept_twice_is_refused(self, books, run_cli):
        """The engagement written by the first accept is never overwritten."""
        run_cli(*QUOTE, books=books)
        run_cli("proposal", "accept", "acme-analytics/churn-model-review", books=books)
        eng = books / "clients/acme-analytics/engagements/churn-model-review.yaml"
        before = eng.read_bytes()
        code, _, err = run_cli("proposal", "accept", "acme-analytics/churn-model-review", "--force", books=books)
        assert (code, err) == (1, "error: engagement 'acme-analytics/churn-model-review' already exists "
                                  "(clients/acme-analytics/engagements/churn-model-review.yaml); consult never "
                                  "overwrites an engagement — the proposal is already accepted\n")
        assert eng.read_bytes() == before

    def test_accept_after_valid_until_needs_force(self, books, run_cli):
        """Quoted 22 Nov, valid until 22 Dec: on 23 Dec accept is exit 1, with --force it writes the engagement."""
        run_cli(*QUOTE, books=books)
        code, _, err = run_cli("proposal", "accept", "acme-analytics/churn-model-review", books=books,
                               today="2026-12-23")
        assert (code, err) == (1, "error: P-2026-0001 (acme-analytics/churn-model-review) expired on 2026-12-22; "
                                  "ask the client to confirm the price still stands, then accept it with --force "
                                  "(or send a new one)\n")
        code, out, _ = run_cli("proposal", "accept", "acme-analytics/churn-model-review", "--force", books=books,
                               today="2026-12-23")
        assert code == 0
        assert "budget 20 days (£13,000.00 net; Churn model review)" in out
        eng = (books / "clients/acme-analytics/engagements/churn-model-review.yaml").read_text()
        assert "rate: 650.00" in eng and "  days: 20 " in eng and "billing: daily" in eng

    def test_render_of_a_broken_proposal_names_file_line_and_field(self, books, run_cli):
        """A mistyped field is exit 1 with file:line:column, the field and a hint."""
        p = books / "clients/acme-analytics/proposals/x.yaml"
        p.parent.mkdir(parents=True)
        p.write_text("title: T\nrate: 650\nphases: [{name: A, days: 1}]\nvalid_dayz: 10\n")
        code, out, err = run_cli("proposal", "render", "acme-analytics/x", books=books)
        assert (code, out) == (1, "")
        assert err == ("error: clients/acme-analytics/proposals/x.yaml has errors; fix them first:\n"
                       "  clients/acme-analytics/proposals/x.yaml:4:1: valid_dayz: unknown field — did you mean "
                       "'valid_days'?\n")

    def test_a_bad_reference_is_a_usage_error(self, books, run_cli):
        """CLIENT/ID is needed; `acme-analytics` alone is exit 2 with an example."""
        code, _, err = run_cli("proposal", "render", "acme-analytics", books=books)
        assert (code, err) == (2, "error: 'acme-analytics' is not CLIENT/ID — e.g. acme-analytics/churn-model\n")

    def test_list_table_shows_status(self, books, run_cli):
        """The default table lists number, figures and status in the practice's locale."""
        run_cli(*QUOTE, books=books)
        code, out, _ = run_cli("proposal", "list", books=books, today="2026-12-23")
        assert code == 0
        row = out.splitlines()[2]
        assert row.startswith("P-2026-0001  acme-analytics  churn-model-review")
        assert "£13,000.00" in row and "£15,600.00" in row and row.endswith("expired")


def test_sample_proposal_reads_and_renders(sample_books, run_cli):
    """The repository's sample proposal is listed with its figures and renders again with its number."""
    code, out, err = run_cli("proposal", "list", "--format", "csv", books=sample_books)
    assert code == 0, err
    rows = out.splitlines()[1:]
    assert any(r.startswith("P-2026-") and ",acme-analytics,mlops-platform," in r for r in rows), out
    code, out, err = run_cli("proposal", "render", "acme-analytics/mlops-platform", books=sample_books)
    assert code == 0, err
    assert "(number allocated now)" not in out


class TestPreviewAndText:
    def test_preview_is_a_draft_with_no_number_and_changes_nothing(self, books, run_cli):
        """--preview writes a DRAFT PDF elsewhere; the proposal keeps no number and no PDF is made in the books."""
        run_cli("proposal", "new", "acme-analytics", "mlops", books=books)
        yaml_before = (books / "clients/acme-analytics/proposals/mlops.yaml").read_bytes()
        out_pdf = books.parent / "preview.pdf"
        code, out, err = run_cli("proposal", "render", "acme-analytics/mlops", "--preview", str(out_pdf), books=books)
        assert (code, out) == (0, f"preview written to {out_pdf} (draft: no number allocated)\n"), err
        text = pdf_text(out_pdf)
        assert "DRAFT — not yet sent" in text and "P-2026" not in text and "22 December 2026" in text
        assert (books / "clients/acme-analytics/proposals/mlops.yaml").read_bytes() == yaml_before
        assert not (books / "clients/acme-analytics/proposals/mlops.pdf").exists()

    def test_user_text_prints_literally(self, books, run_cli):
        """A title with markup characters and a CJK name prints exactly as typed."""
        code, _, err = run_cli("quote", "acme-analytics", "--days", "1", "--rate", "650", "--id", "rd",
                               "--title", "R&D <Labs> review for 山田太郎", books=books)
        assert code == 0, err
        assert "R&D <Labs> review for 山田太郎" in pdf_text(books / "clients/acme-analytics/proposals/rd.pdf")

    def test_a_file_consult_cannot_number_safely_is_left_alone(self, books, run_cli):
        """A proposal written as one flow mapping cannot take a `number:` line; it is refused untouched."""
        p = books / "clients/acme-analytics/proposals/flow.yaml"
        p.parent.mkdir(parents=True)
        p.write_text("{title: T, rate: 650, phases: [{name: A, days: 1}]}\n")
        code, _, err = run_cli("proposal", "render", "acme-analytics/flow", books=books)
        assert (code, err) == (1, "error: clients/acme-analytics/proposals/flow.yaml: could not add the line "
                                  "`number: P-2026-0001` without changing what the file means; add it by hand "
                                  "at the top and render again\n")
        assert p.read_text() == "{title: T, rate: 650, phases: [{name: A, days: 1}]}\n"
        assert not p.with_suffix(".pdf").exists()

    def test_proposal_list_imports_neither_pandas_nor_reportlab(self, books):
        """Listing proposals is quick: no PDF or dataframe library is loaded."""
        import subprocess
        import sys

        code = ("import sys; from consult.cli import run; run(['--books', sys.argv[1], 'proposal', 'list']); "
                "print(' '.join(m for m in ('pandas', 'reportlab') if m in sys.modules))")
        out = subprocess.run([sys.executable, "-c", code, str(books)], capture_output=True, text=True, check=True)
        assert out.stdout.splitlines()[-1] == ""


def test_new_for_a_client_without_a_day_rate_asks_for_rate(books, run_cli):
    """Inkwell (a platform) has no daily engagement to copy a rate from: exit 2 naming --rate."""
    code, _, err = run_cli("proposal", "new", "inkwell-press", "x", books=books)
    assert (code, err) == (2, "error: give --rate: client 'inkwell-press' has no daily engagement to take a "
                              "day rate from\n")


def test_a_books_theme_can_reword_the_proposal(make_books, run_cli):
    """Labels in templates/default.yaml replace the proposal's words (here in German)."""
    root = make_books({"templates/default.yaml": "labels:\n  proposal: Angebot\n  valid_until: Gültig bis\n"})
    code, _, err = run_cli("quote", "acme", "--days", "2", "--rate", "650", "--title", "Review", books=root)
    assert code == 0, err
    text = pdf_text(root / "clients/acme/proposals/review.pdf")
    assert "Angebot" in text and "Gültig bis" in text and "Valid until" not in text
