"""Layout that never collides: every document kind, in every language consult ships, with the
widest amounts an accounts team meets — ₹99,99,99,999.99, 9 999 999,99 € and $9,999,999.99.

Each PDF is read back with pypdf and every piece of text measured (tests/support/documents.py):
no two pieces on one line overlap, and every amount stands at least 4 pt clear of the text to
its left. Before this, 22 days at the Indian client's own rate printed "Total due₹19,02,703.00"
with the glyphs touching (4.9 pt of overlap, measured the same way on the old renderer).
"""

from __future__ import annotations

import re

import pytest

from consult.render.earnings import earnings_pdf
from consult.render.invoice import invoice_pdf
from consult.render.proposal import proposal_pdf
from consult.render.vat import vat_return_pdf
from tests.support.documents import (
    REPO,
    WIDEST,
    collisions,
    credit_note,
    pages_text,
    runs_of,
    text_of,
    timesheet_invoice,
    widest_earnings,
    widest_invoice,
    widest_proposal,
    widest_vat_invoice,
    widest_vat_return,
)

LANGUAGES = ("en", "de", "fr")


def shown(text: str) -> str:
    """An amount as `text_of` reads it: every kind of space (U+00A0, U+202F) as one space."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def practice():
    from consult.books.loader import open_books

    return open_books(REPO, timesheets=False).practice


class TestInvoices:
    @pytest.mark.parametrize("language", LANGUAGES)
    @pytest.mark.parametrize("currency", sorted(WIDEST))
    def test_widest_amount_stands_clear_of_every_label(self, currency, language):
        """The widest amount of each currency as unit price, net, total and amount due: printed
        whole, and nothing on the page touches anything else."""
        pdf = invoice_pdf(widest_invoice(currency, language), REPO, invariant=True)
        assert collisions(pdf) == []
        assert text_of(pdf).count(shown(WIDEST[currency][4])) >= 4  # unit price, net, net total, total, due box

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_widest_vat_invoice_with_a_rate_column(self, language):
        """$9,999,999.99 net + $1,999,999.99 VAT = $11,999,999.98: the VAT column, the VAT row
        and the total all clear of their labels."""
        pdf = invoice_pdf(widest_vat_invoice(language), REPO, invariant=True)
        assert collisions(pdf) == []
        assert "$11,999,999.98" in text_of(pdf)

    @pytest.mark.parametrize("language", LANGUAGES)
    @pytest.mark.parametrize("currency", ["INR", "EUR"])
    def test_credit_note_of_the_widest_invoice(self, currency, language):
        """A credit note's box (amount credited, invoice total, balance after) and its lines."""
        pdf = invoice_pdf(credit_note(widest_invoice(currency, language)), REPO, invariant=True)
        assert collisions(pdf) == []

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_timesheet_pages(self, language):
        """22 days of entries continue on a timesheet page after the totals, nothing touching."""
        pdf = invoice_pdf(timesheet_invoice(language), REPO, invariant=True)
        assert len(pages_text(pdf)) >= 2
        assert collisions(pdf) == []


class TestOtherDocuments:
    @pytest.mark.parametrize("language", LANGUAGES)
    @pytest.mark.parametrize("currency", sorted(WIDEST))
    def test_proposal_fee_table(self, currency, language):
        """A quote at the widest day rate: the fee column and its total clear of their labels."""
        pdf = proposal_pdf(widest_proposal(currency, language), REPO, invariant=True)
        assert collisions(pdf) == []
        assert shown(WIDEST[currency][4]) in text_of(pdf)

    @pytest.mark.parametrize("currency, amount, printed", [("GBP", "9999999.99", "£9,999,999.99"),
                                                           ("INR", "999999999.99", "₹999,999,999.99"),
                                                           ("USD", "9999999.99", "US$9,999,999.99")])
    def test_earnings_columns_at_seven_figures(self, practice, currency, amount, printed):
        """Every column of the month and client tables at seven (nine) figures: none runs into
        the next (they printed `£0.00£1,029,382.71` before)."""
        pdf = earnings_pdf(widest_earnings(currency, amount), practice, REPO, invariant=True)
        assert collisions(pdf) == []
        assert printed in text_of(pdf)

    def test_vat_return_boxes(self, practice):
        """£9,999,999.99 in every box, and in the detail of the documents behind them."""
        pdf = vat_return_pdf(widest_vat_return(), "2026-Q3", practice, REPO, detail=True, invariant=True)
        assert collisions(pdf) == []
        assert "£9,999,999.99" in text_of(pdf)


class TestCollisionCheck:
    def test_the_check_sees_text_that_touches(self):
        """The measure used above finds two pieces of text drawn over each other."""
        from reportlab.platypus import Table

        from consult.render.document import build_pdf
        from consult.render.fonts import fonts_for
        from consult.render.theme import load_theme

        theme = load_theme(REPO)
        fonts = fonts_for(theme)
        t = Table([["Total due", "₹19,02,703.00"]], colWidths=[60, 60])
        t.setStyle([("FONTNAME", (0, 0), (-1, -1), fonts.bold), ("ALIGN", (0, 0), (0, 0), "RIGHT"),
                    ("ALIGN", (1, 0), (1, 0), "RIGHT"), ("FONTSIZE", (0, 0), (-1, -1), 10.35),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
        pdf = build_pdf([t], theme, title="T", author="A", subject="S", invariant=True)
        assert collisions(pdf) and "'Total due' and '₹19,02,703.00'" in collisions(pdf)[0]

    def test_runs_are_measured_where_they_are_drawn(self):
        """A label and its value in one paragraph line follow each other exactly."""
        pdf = invoice_pdf(widest_invoice("USD", "en"), REPO, invariant=True)
        page = runs_of(pdf, 0)[0]
        vat = next(r for r in page if r.text == "VAT no. ")
        number = next(r for r in page if r.text == "GB980780684" and abs(r.y - vat.y) < 0.5)
        assert number.x == pytest.approx(vat.right, abs=0.01)
