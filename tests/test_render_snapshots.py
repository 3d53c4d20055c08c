"""A text snapshot of every document kind: what a reader sees, read back with pypdf, page by page.

Each document is built by hand (tests/support/documents.py) and drawn `invariant`; its text is
compared with `tests/snapshots/<kind>.txt`. A change to what a document says — a word, an
amount, a date, the order of the blocks — shows up as a diff of plain text to review. After a
deliberate change, write the snapshots again with `CONSULT_UPDATE_SNAPSHOTS=1 pytest
tests/test_render_snapshots.py` and read the diff before committing it.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from consult.render.earnings import earnings_pdf
from consult.render.invoice import invoice_pdf
from consult.render.proposal import proposal_pdf
from consult.render.vat import vat_return_pdf
from tests.support.documents import (
    REPO,
    base_invoice,
    credit_note,
    milestone_invoice,
    timesheet_invoice,
    widest_earnings,
    widest_invoice,
    widest_proposal,
    widest_vat_invoice,
    widest_vat_return,
)

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def _practice():
    from consult.books.loader import open_books

    return open_books(REPO, timesheets=False).practice


KINDS: dict[str, Callable[[], bytes]] = {
    "invoice-en": lambda: invoice_pdf(base_invoice(), REPO, invariant=True),
    "invoice-en-draft": lambda: invoice_pdf(base_invoice(number=None), REPO, draft=True, invariant=True),
    "invoice-usd-vat-de": lambda: invoice_pdf(widest_vat_invoice("de"), REPO, invariant=True),
    "invoice-eur-fr": lambda: invoice_pdf(widest_invoice("EUR", "fr"), REPO, invariant=True),
    "invoice-inr-en": lambda: invoice_pdf(widest_invoice("INR", "en"), REPO, invariant=True),
    "invoice-milestone-en": lambda: invoice_pdf(milestone_invoice(), REPO, invariant=True),
    "timesheet-entries-de": lambda: invoice_pdf(timesheet_invoice("de", "entries", days=4), REPO, invariant=True),
    "timesheet-days-en": lambda: invoice_pdf(timesheet_invoice("en", "days", days=22), REPO, invariant=True),
    "credit-note-en": lambda: invoice_pdf(credit_note(base_invoice()), REPO, invariant=True),
    "credit-note-de": lambda: invoice_pdf(credit_note(widest_invoice("EUR", "de")), REPO, invariant=True),
    "proposal-en": lambda: proposal_pdf(widest_proposal("USD", "en"), REPO, invariant=True),
    "proposal-fr": lambda: proposal_pdf(widest_proposal("EUR", "fr"), REPO, invariant=True),
    "earnings": lambda: earnings_pdf(widest_earnings(), _practice(), REPO, invariant=True),
    "vat-return": lambda: vat_return_pdf(widest_vat_return(), "2026-Q3", _practice(), REPO, detail=True,
                                         invariant=True),
}


def snapshot_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    pages = PdfReader(io.BytesIO(pdf)).pages
    return "".join(f"--- page {i} of {len(pages)} ---\n{p.extract_text().rstrip()}\n" for i, p in enumerate(pages, 1))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_document_text_matches_its_snapshot(kind):
    """The document reads, word for word, as its reviewed snapshot."""
    got = snapshot_text(KINDS[kind]())
    path = SNAPSHOTS / f"{kind}.txt"
    if os.environ.get("CONSULT_UPDATE_SNAPSHOTS"):
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: write it with CONSULT_UPDATE_SNAPSHOTS=1 and review it"
    assert got == path.read_text(encoding="utf-8")
