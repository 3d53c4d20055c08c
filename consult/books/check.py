"""`consult check`: the loader's problems plus the checks each feature adds.

Feature modules register a function `check(books) -> list[Problem]` here (warnings about
budgets passed, timesheets changed after invoicing, overdue invoices...). They are imported
only when `consult check` runs.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from consult.books.loader import LoadResult, load_books

# "module:function", each taking Books and returning Problems (errors or warnings).
FEATURE_CHECKS: list[str] = [
    "consult.work.report:check_timesheets",
    "consult.invoices.build:check_invoices",
    "consult.proposals.proposal:check_proposals",
    "consult.einvoice.build:check_einvoice",
    "consult.books.expenses:check_receipts",
]


def check_books(root: Path) -> LoadResult:
    """Everything `consult check` reports, in file order."""
    result = load_books(root)
    problems = list(result.problems)
    if result.books is not None:
        for target in FEATURE_CHECKS:
            mod_name, fn = target.split(":")
            try:
                mod = importlib.import_module(mod_name)
            except ModuleNotFoundError as e:
                if e.name == mod_name:
                    continue  # feature not built yet
                raise
            func = getattr(mod, fn, None)
            if func is not None:
                problems.extend(func(result.books))
    problems.sort(key=lambda p: (p.source.path, p.source.line or 0, p.source.column or 0))
    return LoadResult(result.books, problems)
