"""consult: the money side of a freelance consulting practice, from plain files.

The library is the product; the `consult` command is a thin skin over it. What a Python user
needs is here, by name (README, "Python API"):

    import consult
    books = consult.open_books("path/to/books")
    draft = consult.build_invoice(books, "acme-analytics", *consult.parse_period("2026-10").days,
                                  issued=date(2026, 11, 2))
    print(draft.net, draft.vat, draft.total)

Every name below is loaded on first use, so `import consult` costs nothing, and the command's
start-up never pays for pandas or ReportLab.
"""

from __future__ import annotations

import importlib
from typing import Any

from consult.startup import install as _install_startup

__version__ = "0.2.0"

_install_startup()  # before PyYAML, ReportLab or babel is imported: see consult.startup

# name -> "module:attribute"; grouped as the README's Python API section is
_API: dict[str, str] = {
    # values
    "Money": "consult.core.money:Money",
    "parse_period": "consult.core.periods:parse_period",
    "Period": "consult.core.periods:Period",
    "ConsultError": "consult.errors:ConsultError",
    "Problem": "consult.errors:Problem",
    # the books
    "find_books": "consult.books.files:find_books",
    "load_books": "consult.books.loader:load_books",
    "open_books": "consult.books.loader:open_books",
    "check_books": "consult.check:check_books",
    "books_lock": "consult.books.lock:books_lock",
    # time and rates
    "day_totals": "consult.work.day_totals:day_totals",
    "time_report": "consult.work.report:report",
    "log_time": "consult.work.log:log_time",
    "read_export": "consult.work.importers:read_export",
    "import_rows": "consult.work.ingest:import_rows",
    "convert_rate": "consult.work.rates:convert",
    "target_rate": "consult.work.rates:target_rate",
    "salary_rate": "consult.work.rates:salary_rate",
    "plan_for_year": "consult.work.rates:plan_for_year",
    "market_position": "consult.work.market:market_position",
    "reference_points": "consult.work.market:reference_points",
    # invoices and getting paid
    "load_invoices": "consult.invoices.store:load_invoices",
    "find_invoice": "consult.invoices.store:find_invoice",
    "unbilled": "consult.invoices.billed:unbilled",
    "build_invoice": "consult.invoices.build:build_invoice",
    "create_invoice": "consult.invoices.build:create_invoice",
    "issue": "consult.invoices.issue:issue",
    "restore_pdf": "consult.invoices.issue:restore_pdf",
    "build_credit_note": "consult.invoices.credit:build_credit_note",
    "credit_invoice": "consult.invoices.credit:credit_invoice",
    "record_payment": "consult.invoices.payments:record_payment",
    "allocate": "consult.invoices.payments:allocate",
    "refund": "consult.invoices.payments:refund",
    "write_off": "consult.invoices.payments:write_off",
    "Moves": "consult.invoices.accounts:Moves",
    "accounts": "consult.invoices.accounts:accounts",
    "statements": "consult.invoices.statement:statements",
    "reminder": "consult.invoices.remind:reminder",
    "late_claim": "consult.invoices.late_payment:late_claim",
    "init_register": "consult.invoices.registry:init_register",
    # proposals
    "load_proposals": "consult.proposals.proposal:load_proposals",
    "quote": "consult.proposals.proposal:quote",
    "issue_proposal": "consult.proposals.proposal:issue_proposal",
    "accept_proposal": "consult.proposals.proposal:accept",
    # e-invoices
    "export_einvoice": "consult.einvoice:export_einvoice",
    "facturx_pdf": "consult.einvoice:facturx_pdf",
    # the year, VAT and tax
    "earnings": "consult.earnings:rollup",
    "receivables": "consult.earnings:receivables",
    "vat_return": "consult.vat.returns:vat_return",
    "tax_estimate": "consult.tax.estimate:estimate",
    "take_home": "consult.tax.takehome:take_home",
    # pandas, for a notebook
    "frames": "consult.frames",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    target = _API.get(name)
    if target is None:
        raise AttributeError(f"module 'consult' has no attribute '{name}'")
    module, _, attr = target.partition(":")
    value = importlib.import_module(module)
    if attr:
        value = getattr(value, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])
