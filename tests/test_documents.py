"""Documents an accounts team accepts without a query (issue 19): each finding, as the user meets it.

The sample books are used as a user would (`consult invoice create …`) and the PDFs read back
with pypdf. Hafen Logistik is a German client (`language: de`, `invoice_detail: entries`),
Acme's engagement itemises its days, BrightPath is billed by milestone in USD, Lotus in INR.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.support.documents import REPO, font_names, pages_text, runs_of, text_of


@pytest.fixture
def sample_books(unissued_books):
    """The sample books before anything was invoiced or paid."""
    return unissued_books


def pdf_of(root: Path, client: str, number: str = "INV-2026-0001") -> bytes:
    return (root / "clients" / client / "invoices" / f"{number}.pdf").read_bytes()


def issue(run_cli, root: Path, client: str, *args: str) -> bytes:
    code, out, err = run_cli("invoice", "create", client, "--period", "2026-10", *args, books=root)
    assert code == 0, err
    number = out.split()[0]
    return pdf_of(root, client, number)


class TestShowTheWork:
    def test_entries_are_listed_with_note_logged_and_billed_time(self, sample_books, run_cli):
        """Hafen (hourly, 15-minute increments, `invoice_detail: entries`): each entry's date,
        note, time logged and billed — 2h10m logged bills 2:15 — and the totals 14:40 and 15:15
        (= the line's 15.25 hours)."""
        pdf = issue(run_cli, sample_books, "hafen-logistik")
        text = text_of(pdf)
        assert "Einzeln im Leistungsnachweis: 7 Einträge" in text
        sheet = text[text.index("Leistungsnachweis Demand"):]
        assert "Mo., 5. Okt. Backtesting framework 2:10 2:15" in sheet
        assert "Mi., 14. Okt. Promotions & holidays features 4:20 4:30" in sheet
        assert "Summe 14:40 15:15" in sheet

    def test_days_are_listed_on_a_timesheet_page_after_the_totals(self, sample_books, run_cli):
        """Acme (daily, half days, `invoice_detail: days`): 19 days on their own page after the
        totals, each with its hours and the day it billed; 3 h on 16 October bills 0.5 day and
        9 h on 8 October one day (the cap); the total is the line's 18.5 days."""
        pages = pages_text(issue(run_cli, sample_books, "acme-analytics", "--no-expenses"))
        assert "Total due" in pages[0] and "Timesheet" not in pages[0]
        sheet = pages[1]
        assert sheet.startswith("Invoice INV-2026-0001") or "Timesheet" in sheet
        assert "Fri 16 Oct 3:00 0.5 days" in sheet and "Thu 8 Oct 9:00 1 day" in sheet
        assert "Total 140:00 18.5 days" in sheet

    def test_the_record_keeps_what_the_timesheet_is_drawn_from(self, sample_books, run_cli):
        """The line says how it is itemised and the rounding it used (record version 4)."""
        from consult.invoices.store import load_invoices

        issue(run_cli, sample_books, "hafen-logistik")
        inv = load_invoices(sample_books)[0][0]
        assert inv.version == 4 and (inv.lines[0].detail, inv.lines[0].increment) == ("entries", 15)

    def test_a_milestone_line_says_which_of_how_many(self, sample_books, run_cli):
        """BrightPath's October milestone is the 2nd of 3 of a $36,000.00 contract; with the
        September one billed first, $30,000.00 is billed to date."""
        run_cli("invoice", "create", "brightpath-ai", "--period", "2026-09", books=sample_books)
        text = text_of(issue(run_cli, sample_books, "brightpath-ai"))
        assert "Milestone 2 of 3 · contract value $36,000.00 · billed to date $30,000.00" in text


class TestCreditNotes:
    def test_credit_note_reads_as_one(self, sample_books, run_cli):
        """Titled as a credit note, "Credit to", the invoice's number and date, no due date, the
        credited lines in the invoice's terms and the balance after it."""
        issue(run_cli, sample_books, "acme-analytics", "--no-expenses", "--date", "2026-11-02")
        code, _, err = run_cli("invoice", "credit", "INV-2026-0001", "--amount", "1300", "--reason",
                               "Two days not worked", "--date", "2026-11-20", books=sample_books)
        assert code == 0, err
        text = text_of(pdf_of(sample_books, "acme-analytics", "CN-2026-0001"))
        assert text.startswith("Credit note") and "Credit to Acme Analytics Ltd" in text
        assert "Credits invoice INV-2026-0001 of 2 November 2026" in text
        assert "Due date" not in text and "Payment due" not in text and "Bill to" not in text
        assert "Customer churn model — build and deploy 2 days £650.00 20% £1,300.00" in text
        # £14,430.00 invoiced; this credits £1,300.00 + £260.00 VAT = £1,560.00; £12,870.00 left
        assert "Amount credited £1,560.00" in text and "INV-2026-0001 total £14,430.00" in text
        assert re.search(r"Balance of INV-2026-0001 after this credit £12,870.00", text)

    def test_a_german_invoice_is_corrected_in_german(self, sample_books, run_cli):
        issue(run_cli, sample_books, "hafen-logistik", "--date", "2026-11-02")
        code, _, err = run_cli("invoice", "credit", "INV-2026-0001", "--reason", "Doppelt berechnet",
                               "--date", "2026-11-20", books=sample_books)
        assert code == 0, err
        text = text_of(pdf_of(sample_books, "hafen-logistik", "CN-2026-0001"))
        assert text.startswith("Rechnungskorrektur") and "Empfänger der Korrektur" in text
        assert "Korrigierte Rechnung INV-2026-0001 vom 2. November 2026" in text
        assert "Gutschrift" not in text


class TestParties:
    @pytest.mark.parametrize("country, name", [("DE", "Germany"), ("US", "United States"), ("IN", "India")])
    def test_a_foreign_customer_gets_its_country(self, make_books, run_cli, country, name):
        """An address written without its country gets it, in the document's language."""
        root = make_books({"clients/acme/client.yaml": f"name: Acme\naddress: |\n  1 Road\n  Town\ncountry: {country}\n"
                                                       "currency: GBP\ntax: outside_scope\nvat_number: DE136695976\n",
                           "clients/acme/timesheets/t.yaml": "- {date: 2026-10-05, hours: 7.5}\n"})
        text = text_of(issue(run_cli, root, "acme"))
        assert f"1 Road Town {name}" in text and "United Kingdom" in text  # and the seller's, as they differ

    def test_the_country_is_not_written_twice(self, sample_books, run_cli):
        """Hafen's address ends "Deutschland": the German invoice does not add it again."""
        text = text_of(issue(run_cli, sample_books, "hafen-logistik"))
        assert text.count("Deutschland") == 1

    @pytest.mark.parametrize("client, has, lacks", [
        ("acme-analytics", ["Sort code 12-34-56", "Account no. 98765432"], ["Routing"]),
        ("brightpath-ai", ["ABA routing no. 026073150", "Account no. 8310045672", "Community Federal"],
         ["Sort code", "IBAN"]),
        ("hafen-logistik", ["IBAN GB82 WEST 1234 5698 7654 32", "BIC WESTGB2L"], ["Sort Code", "98765432"]),
    ])
    def test_each_currency_prints_its_own_bank_details(self, sample_books, run_cli, client, has, lacks):
        """GBP: sort code and account; USD: the US routing details; EUR: IBAN and BIC only."""
        text = text_of(issue(run_cli, sample_books, client))
        for s in has:
            assert s in text, s
        for s in lacks:
            assert s not in text, s

    def test_registered_office_phone_and_website(self, sample_books, run_cli):
        text = text_of(issue(run_cli, sample_books, "lotus-insights"))
        assert "Registered in England and Wales, company no. 11234567; registered office Unit 4, 12 Canal " \
               "Street, Manchester, M1 3HE, United Kingdom" in text
        assert "Tel. +44 161 496 0000" in text and "Web northlight-ml.co.uk" in text

    def test_a_long_footer_wraps_and_keeps_the_vat_number_whole(self, make_books, run_cli):
        """A footer longer than a line wraps; nothing is cut with "…"."""
        root = make_books({"templates/default.yaml": "footer: \"{name} · {address_line} · {email} · {phone} · "
                                                     "{website} · VAT no. {vat_number}\"\n",
                           "clients/acme/timesheets/t.yaml": "- {date: 2026-10-05, hours: 7.5}\n"})
        practice = (root / "practice.yaml").read_text()
        (root / "practice.yaml").write_text(practice.replace("London\n", "London\n  Greater London EC1A 1BB\n")
                                            + "email: accounts@a-long-practice-name.example.co.uk\n"
                                              "phone: +44 20 7946 0000\nwebsite: www.a-long-practice-name.co.uk\n")
        pdf = issue(run_cli, root, "acme")
        lines = [r for r in runs_of(pdf, 0)[0] if r.y < 60]
        assert len({round(r.y) for r in lines}) >= 2 and "…" not in text_of(pdf)
        assert "VAT no. GB980780684" in text_of(pdf)


class TestLanguage:
    def test_a_german_invoice_is_german_throughout(self, sample_books, run_cli):
        """Labels, the tax statement, the rules, dates and the page count all in German."""
        text = text_of(issue(run_cli, sample_books, "hafen-logistik", "--date", "2026-12-29"))
        for s in ("Rechnung", "Rechnungsempfänger", "Steuerschuldnerschaft des Leistungsempfängers",
                  "Stundensatz: Jeder Eintrag wird auf die nächsten 15 Minuten aufgerundet.", "29. Dezember 2026",
                  "Seite 1 von 2", "Zu zahlen", "Verwendungszweck"):
            assert s in text, s
        for s in ("Invoice", "Bill to", "Reverse charge: customer", "Hourly rate", "Page 1"):
            assert s not in text, s

    def test_a_client_names_its_theme(self, sample_books, run_cli):
        """`template:` in client.yaml draws its invoices with that theme (and freezes it)."""
        (sample_books / "templates" / "plain.yaml").write_text("labels:\n  invoice: Tax invoice\n")
        path = sample_books / "clients/lotus-insights/client.yaml"
        path.write_text(path.read_text() + "template: plain\n")
        text = text_of(issue(run_cli, sample_books, "lotus-insights"))
        assert text.startswith("Tax invoice")

    def test_a_german_quote(self, sample_books, run_cli):
        """Hafen's quote: German words and sentences, no promise of VAT (reverse charge)."""
        code, _, err = run_cli("quote", "hafen-logistik", "--days", "10", "--rate", "900", "--title", "Review",
                               books=sample_books)
        assert code == 0, err
        yaml_text = (sample_books / "clients/hafen-logistik/proposals/review.yaml").read_text()
        text = text_of((sample_books / "clients/hafen-logistik/proposals/review.pdf").read_bytes())
        assert "Angebot" in text and "Ein Tag umfasst 7,5 Arbeitsstunden" in text
        assert "Steuerschuldnerschaft" in yaml_text and "zuzüglich Umsatzsteuer" not in yaml_text


class TestQuotesNeverPromiseVat:
    @pytest.mark.parametrize("client, words", [("hafen-logistik", "Reverse charge"),
                                               ("brightpath-ai", "outside the scope of UK VAT"),
                                               ("lotus-insights", "outside the scope of UK VAT")])
    def test_no_vat_is_added_for_a_client_who_pays_none(self, sample_books, run_cli, client, words):
        code, _, err = run_cli("quote", client, "--days", "5", "--rate", "900", "--title", "Review", books=sample_books)
        assert code == 0, err
        text = (sample_books / f"clients/{client}/proposals/review.yaml").read_text()
        pdf = text_of((sample_books / f"clients/{client}/proposals/review.pdf").read_bytes())
        assert "VAT is added" not in text and "VAT is charged at the rate" not in pdf
        assert words.lower() in (text + pdf).lower()

    def test_a_standard_rated_client_is_told_vat_is_added(self, sample_books, run_cli):
        run_cli("quote", "acme-analytics", "--days", "5", "--rate", "650", "--title", "Review", books=sample_books)
        assert "Fees exclude VAT, which is added at the rate in force" in \
            (sample_books / "clients/acme-analytics/proposals/review.yaml").read_text()


class TestIssuedMeansFrozen:
    def test_a_copy_is_the_issued_pdf_byte_for_byte_whatever_the_theme_says_now(self, sample_books, run_cli):
        """Issue in German, then change the theme's colours and words and the client's language:
        the PDF restored from the record is the one issued, byte for byte."""
        original = issue(run_cli, sample_books, "hafen-logistik")
        (sample_books / "templates/default.yaml").write_text("colours: {accent: '#aa0000'}\nlabels: {total: Sum}\n")
        client = sample_books / "clients/hafen-logistik/client.yaml"
        client.write_text(client.read_text().replace("language: de", "language: fr"))
        (sample_books / "clients/hafen-logistik/invoices/INV-2026-0001.pdf").unlink()
        code, out, err = run_cli("invoice", "render", "INV-2026-0001", books=sample_books)
        assert code == 0, err
        assert pdf_of(sample_books, "hafen-logistik") == original
        code, _, _ = run_cli("check", books=sample_books)
        assert code == 0

    def test_a_changed_font_is_said(self, sample_books, run_cli, tmp_path):
        """A copy drawn with a font file changed since issue says so (it cannot be the same bytes)."""
        import shutil

        shutil.copy(REPO / "consult/fonts/DejaVuSans.ttf", sample_books / "templates/Signature.ttf")
        theme = sample_books / "templates/default.yaml"
        theme.write_text(theme.read_text().replace("regular: DejaVuSans.ttf", "regular: Signature.ttf"))
        issue(run_cli, sample_books, "lotus-insights")
        font = sample_books / "templates/Signature.ttf"
        data = bytearray(font.read_bytes())
        data[-1] ^= 1
        font.write_bytes(bytes(data))
        code, _, err = run_cli("invoice", "render", "INV-2026-0001", "-o", str(tmp_path / "copy.pdf"),
                               books=sample_books)
        assert code == 0 and "note: Signature.ttf differ from the files INV-2026-0001 was issued with" in err

    def test_a_version_4_record_reads_as_version_3_did(self, sample_books, run_cli):
        """Every key version 4 adds is new: without them the record is the same invoice, so a
        reader of version 3 reads its figures, lines and parties as they are."""
        import yaml

        from consult.invoices.record import from_record
        from consult.invoices.store import _RecordLoader, load_invoices

        issue(run_cli, sample_books, "brightpath-ai")
        inv = load_invoices(sample_books)[0][0]
        data = yaml.load((sample_books / "clients/brightpath-ai/invoices/INV-2026-0001.yaml").read_text(),
                         Loader=_RecordLoader)
        for key in ("language", "theme", "rule_keys", "note_keys", "credit"):
            data.pop(key, None)
        for ln in data["lines"]:
            for key in ("detail", "increment", "milestone"):
                ln.pop(key, None)
        for key in ("phone", "website", "registered_in", "registered_office"):
            data["seller"].pop(key, None)
        old = from_record(data)
        assert (old.lines[0].description, old.net, old.vat, old.total, old.buyer, old.rules) == \
            (inv.lines[0].description, inv.net, inv.vat, inv.total, inv.buyer, inv.rules)


class TestNeverAPlaceholder:
    def test_init_examples_are_refused_and_flagged(self, tmp_path, run_cli):
        """After `consult init`, nothing is issued to the example client with the example
        address, email and bank; `check` lists each until it is changed."""
        root = tmp_path / "new"
        run_cli("init", str(root), "--name", "Ada Lovelace", today="2026-11-02")
        code, out, _ = run_cli("check", books=root)
        assert code == 0 and "practice.yaml: warning: email: 'you@example.com' is the example" in out
        code, _, err = run_cli("invoice", "create", "example-client", "--period", "2026-11", books=root)
        assert code == 1 and "practice.yaml: bank: sort code 12-34-56 and account 12345678" in err
        assert not (root / "clients/example-client/invoices").exists()
        code, _, err = run_cli("quote", "example-client", "--days", "2", "--rate", "500", "--title", "X", books=root)
        assert code == 1 and "examples `consult init` wrote" in err
        assert not (root / "clients/example-client/proposals").exists()

    def test_replacing_them_lets_the_invoice_go(self, tmp_path, run_cli):
        root = tmp_path / "new"
        run_cli("init", str(root), "--name", "Ada Lovelace", today="2026-11-02")
        p = root / "practice.yaml"
        p.write_text(p.read_text().replace("1 High Street", "3 Analytical Row").replace("SW1A 1AA", "EC1A 1BB")
                     .replace("you@example.com", "ada@lovelace.example.co.uk").replace('"12345678"', '"41926535"'))
        c = root / "clients/example-client/client.yaml"
        c.write_text(c.read_text().replace("Example Client Ltd", "Babbage Engines Ltd").replace("Alex Example", "Charles")
                     .replace("accounts@example.com", "ap@babbage.example.co.uk").replace("2 Market Street", "9 Mill Lane")
                     .replace("LS1 1AA", "LS2 7EW"))
        e = root / "clients/example-client/engagements/discovery.yaml"
        e.write_text(e.read_text().replace("PO-0001", "BE-77"))
        code, out, err = run_cli("invoice", "create", "example-client", "--period", "2026-11", books=root,
                                 today="2026-11-30")
        assert code == 0, err

    def test_a_vat_invoice_needs_the_customers_address(self, make_books, run_cli):
        """A VAT-registered practice's invoice to a client with no address is refused."""
        root = make_books({"clients/acme/client.yaml": "name: Acme Ltd\ncountry: GB\ncurrency: GBP\ntax: standard\n",
                           "clients/acme/timesheets/t.yaml": "- {date: 2026-10-05, hours: 7.5}\n"})
        code, _, err = run_cli("invoice", "create", "acme", "--period", "2026-10", books=root)
        assert code == 1
        assert "clients/acme/client.yaml: address: missing — a VAT invoice must show the customer's name and address" \
            in err
        code, out, _ = run_cli("check", books=root)
        assert "clients/acme/client.yaml: warning: address: missing" in out


class TestEveryPdf:
    def test_every_font_named_is_embedded_and_the_watermark_lies_over_the_content(self, sample_books, run_cli,
                                                                                   tmp_path):
        """Invoices, credit notes, previews, proposals, quotes, the earnings report and the VAT
        return name only fonts they embed; a draft's watermark is drawn after the table."""
        pdfs = {"invoice": issue(run_cli, sample_books, "acme-analytics")}
        run_cli("invoice", "credit", "INV-2026-0001", "--reason", "x", books=sample_books)
        pdfs["credit note"] = pdf_of(sample_books, "acme-analytics", "CN-2026-0001")
        run_cli("invoice", "create", "lotus-insights", "--period", "2026-10", "--preview", str(tmp_path / "p.pdf"),
                books=sample_books)
        pdfs["preview"] = (tmp_path / "p.pdf").read_bytes()
        run_cli("quote", "hafen-logistik", "--days", "5", "--rate", "900", "--title", "Review", books=sample_books)
        pdfs["quote"] = (sample_books / "clients/hafen-logistik/proposals/review.pdf").read_bytes()
        run_cli("earnings", "--tax-year", "2026", "--pdf", str(tmp_path / "e.pdf"), books=sample_books)
        pdfs["earnings"] = (tmp_path / "e.pdf").read_bytes()
        code, _, err = run_cli("vat", "return", "2026-Q3", "--detail", "--pdf", str(tmp_path / "v.pdf"),
                               books=sample_books)
        assert code == 0, err
        pdfs["vat return"] = (tmp_path / "v.pdf").read_bytes()
        for kind, pdf in pdfs.items():
            fonts = font_names(pdf)
            assert fonts and all(fonts.values()), (kind, fonts)
        runs = runs_of(pdfs["preview"], 0)[0]
        mark = next(i for i, r in enumerate(runs) if r.text == "DRAFT — not an invoice" and r.size > 30)
        assert mark > max(i for i, r in enumerate(runs) if r.text == "Total due")  # drawn after, so over, the table


class TestEarnings:
    def test_a_tax_year_by_quarter_with_its_rates(self, run_cli, tmp_path):
        """The sample books' 2026/27: the months 6–30 April 2026 … 1–5 April 2027 on the chart,
        the MTD quarters (`--by quarter`), the exchange rates used, dashes for zero, days to one
        place."""
        run_cli("earnings", "--tax-year", "2026", "--by", "quarter", "--pdf", str(tmp_path / "e.pdf"), books=REPO)
        text = text_of((tmp_path / "e.pdf").read_bytes())
        assert "By quarter" in text and "Q1 6 Apr 2026–5 Jul 2026" in text
        assert "Apr 6–30" in text and "Apr 1–5" in text
        assert "Exchange rates used" in text and re.search(r"1 USD = 0\.\d+ GBP", text)
        assert "£0.00" not in text and " – " in text
        assert not re.search(r"\d\.\d{3}\b(?! GBP)", text.replace("0.85373", ""))  # no days to three places

    def test_the_chart_wears_the_theme_and_has_room_above_its_tallest_bar(self):
        """Three streams of £9,999,999.99 stack to £29,999,999.97: the axis tops out above it
        (£40,000,000, about 15% headroom rounded up), the first stream in the theme's accent."""
        from reportlab.lib import colors

        from consult.render.earnings import _Kit, month_chart
        from tests.support.documents import widest_earnings

        kit = _Kit(REPO)
        chart = next(x for x in month_chart(widest_earnings(), kit).contents if hasattr(x, "valueAxis"))
        assert chart.valueAxis.valueMax == 40_000_000 > 29_999_999.97
        assert chart.bars[0].fillColor == colors.HexColor(kit.theme.colours.accent)

    def test_by_month_lists_the_tax_years_months(self, run_cli, tmp_path):
        run_cli("earnings", "--tax-year", "2026", "--pdf", str(tmp_path / "e.pdf"), books=REPO)
        text = text_of((tmp_path / "e.pdf").read_bytes())
        assert "6–30 Apr 2026" in text and "1–5 Apr 2027" in text and "Oct 2026" in text


def test_the_sample_books_german_invoice_has_a_timesheet_page(sample_books, run_cli):
    """What the README shows: Hafen's German invoice with its timesheet, beside Acme's English one."""
    from pypdf import PdfReader

    pdf = issue(run_cli, sample_books, "hafen-logistik")
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 1 and "Leistungsnachweis" in text_of(pdf)
