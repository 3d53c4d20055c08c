"""`consult check`: everything wrong with the books, in file order.

The loader's problems (every file, line and field) come first; then the register is verified
(consult.books.register: the chain, each issued document's hashes, gapless series) and the books'
own market reference points (consult.work.market, read by no other command); then each
feature's check adds what only it can see — time that reads but looks wrong, work on no invoice, issued records
that cannot be read back or changed since, proposals, e-invoice readiness, and documents (themes,
fonts, logos and languages; example values left from `consult init`). The list below is
the whole of it: a check renamed or removed is an import error here, never a silent gap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from consult.books.expenses import check_money_dates, check_receipts
from consult.books.files import PRACTICE_FILE
from consult.books.loader import LoadResult, load_books, scope_of
from consult.books.register import verify as verify_register
from consult.core.fx import check_recorded_rates
from consult.core.records import Books
from consult.einvoice import check as check_einvoice
from consult.errors import Problem
from consult.invoices.billed import check_unbilled
from consult.invoices.check import check_invoices
from consult.invoices.late_payment import check_bank_rates
from consult.proposals.proposal import check_proposals
from consult.tax.tables import check_tax_tables
from consult.themes.check import check_documents
from consult.vat.submission import check_submissions
from consult.work.report import check_timesheets

Check = Callable[..., list[Problem]]

# each takes the books (and `today` where dates matter) and returns problems
FEATURE_CHECKS: Sequence[Check] = (
    check_timesheets,
    check_unbilled,
    check_invoices,
    check_proposals,
    check_einvoice,
    check_submissions,
    check_receipts,
    check_money_dates,
    check_recorded_rates,
    check_documents,
    check_tax_tables,
    check_bank_rates,
)
_NEEDS_TODAY = {check_timesheets, check_unbilled, check_invoices, check_proposals, check_money_dates}


def check_books(root: Path, today: date | None = None) -> LoadResult:
    """Everything `consult check` reports, in file order. `today` defaults to the clock."""
    if today is None:
        from consult.clock import today as clock

        today = clock()
    result = load_books(root)
    problems = list(result.problems)
    books: Books | None = result.books
    unchecked: tuple[str, ...] = ()
    if books is not None:
        problems.extend(verify_register(books.root, books.practice.number_formats))
        # read only by `consult rate market`, so not by the loader: checked here like any field
        from consult.work.market import check_market_rates

        problems.extend(check_market_rates(books.root))
        # A record that did not read is not cross-checked: every warning about it would follow
        # from the error already shown (one typo `rat: 95` would otherwise tell the user to
        # credit good invoices). An error in practice.yaml puts every cross-check off; an error
        # in a client puts off that client's.
        practice_broken = any(p.source.path == PRACTICE_FILE for p in result.errors)
        broken = result.broken_clients
        cross: list[Problem] = []
        for check in FEATURE_CHECKS:
            cross.extend(check(books, today) if check in _NEEDS_TODAY else check(books))
        if practice_broken:
            unchecked = (PRACTICE_FILE,)
            cross = []
        elif broken:
            unchecked = tuple(sorted(broken))
            cross = [p for p in cross if scope_of(p) not in broken]
        problems.extend(cross)
    problems.sort(key=lambda p: (p.source.path, p.source.line or 0, p.source.column or 0))
    return LoadResult(books, problems, unchecked)
