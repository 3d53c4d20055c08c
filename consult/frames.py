"""The books as pandas DataFrames, for a notebook: the only module that imports pandas.

    import consult.frames as cf
    books = consult.open_books("~/books")
    entries = cf.time_entries(books)
    entries.groupby(["client", "engagement"])["minutes"].sum()

Conventions (so figures stay exact and traceable):

* **Money** is an exact `decimal.Decimal` in an object column, with the currency in a column of
  its own (`currency`); two currencies are never in one sum by accident — group by `currency`
  first. A float never holds an amount: `df["net"].sum()` of Decimals is a Decimal.
* **Dates** are `datetime.date` objects (object columns); use `pd.to_datetime(df["date"])`
  when you want a datetime index.
* Every row keeps where it came from (`source`: file and line, or the record's number).

Frames: `time_entries`, `invoices`, `invoice_lines`, `payments`, `payouts`, `expenses`,
`earnings_rows` (one row per counted event of `consult earnings`, converted to one currency).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from consult.core.records import Books
from consult.invoices.record import Invoice

if TYPE_CHECKING:
    from consult.core.periods import Period


def _frame(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns)).astype(object)


ENTRY_COLUMNS = ("date", "client", "engagement", "minutes", "billable", "start", "end", "note", "id", "source")


def time_entries(books: Books) -> pd.DataFrame:
    """Every time entry as logged (books loaded with their timesheets), whole minutes."""
    rows = [{"date": e.date, "client": e.client, "engagement": e.engagement, "minutes": e.minutes,
             "billable": e.billable, "start": e.start, "end": e.end, "note": e.note, "id": e.source_id,
             "source": str(e.source)} for e in books.entries]
    df = _frame(rows, ENTRY_COLUMNS)
    df["minutes"] = df["minutes"].astype("int64")
    df["billable"] = df["billable"].astype(bool)
    return df


INVOICE_COLUMNS = ("number", "kind", "client", "issue_date", "tax_point", "due_date", "currency", "net", "vat",
                   "total", "tax_treatment", "credits")


def _invoices(books: Books, invoices: Sequence[Invoice] | None) -> Sequence[Invoice]:
    if invoices is not None:
        return invoices
    from consult.invoices.store import load_invoices

    return load_invoices(books.root)[0]


def invoices(books: Books, invoices: Sequence[Invoice] | None = None) -> pd.DataFrame:
    """Issued invoices and credit notes (a credit note's amounts are positive; `kind` says which)."""
    rows = [{"number": i.number, "kind": i.kind, "client": i.client, "issue_date": i.issue_date,
             "tax_point": i.tax_point, "due_date": None if i.is_credit_note else i.due_date, "currency": i.currency,
             "net": i.net.amount, "vat": i.vat.amount, "total": i.total.amount, "tax_treatment": i.tax_treatment,
             "credits": i.credits} for i in _invoices(books, invoices)]
    return _frame(rows, INVOICE_COLUMNS)


LINE_COLUMNS = ("number", "client", "issue_date", "kind", "engagement", "description", "quantity", "unit",
                "unit_price", "net", "currency", "minutes")


def invoice_lines(books: Books, invoices: Sequence[Invoice] | None = None) -> pd.DataFrame:
    """Every billed line: what was charged for, at what price (time lines with their minutes)."""
    rows = [{"number": i.number, "client": i.client, "issue_date": i.issue_date, "kind": ln.kind,
             "engagement": ln.engagement, "description": ln.description, "quantity": ln.quantity, "unit": ln.unit,
             "unit_price": ln.unit_price.amount, "net": ln.net.amount, "currency": i.currency,
             "minutes": ln.minutes}
            for i in _invoices(books, invoices) for ln in i.lines]
    return _frame(rows, LINE_COLUMNS)


PAYMENT_COLUMNS = ("date", "client", "invoice", "amount", "withheld", "currency", "fx_rate", "note", "source")


def payments(books: Books) -> pd.DataFrame:
    """Money received against invoices (`payments.yaml`)."""
    rows = [{"date": p.date, "client": p.client, "invoice": p.invoice, "amount": p.amount.amount,
             "withheld": p.withheld.amount if p.withheld is not None else None, "currency": p.amount.currency,
             "fx_rate": p.fx_rate, "note": p.note, "source": str(p.source)} for p in books.payments]
    return _frame(rows, PAYMENT_COLUMNS)


PAYOUT_COLUMNS = ("date", "client", "stream", "amount", "withheld", "currency", "fx_rate", "note", "source")


def payouts(books: Books) -> pd.DataFrame:
    """Money in with no invoice: platform payouts, salary (`income.yaml`)."""
    rows = [{"date": x.date, "client": x.client, "stream": x.stream, "amount": x.amount.amount,
             "withheld": x.withheld.amount if x.withheld is not None else None, "currency": x.amount.currency,
             "fx_rate": x.fx_rate, "note": x.note, "source": str(x.source)} for x in books.income]
    return _frame(rows, PAYOUT_COLUMNS)


EXPENSE_COLUMNS = ("date", "client", "engagement", "category", "supplier", "amount", "vat", "currency", "rebill",
                   "capital", "note", "source")


def expenses(books: Books) -> pd.DataFrame:
    """Costs: clients' (rebillable or not) and the practice's own."""
    rows = [{"date": x.date, "client": x.client, "engagement": x.engagement, "category": x.category,
             "supplier": x.supplier, "amount": x.amount.amount, "vat": x.vat.amount if x.vat is not None else None,
             "currency": x.amount.currency, "rebill": x.rebill, "capital": x.capital, "note": x.note,
             "source": str(x.source)} for x in books.expenses]
    return _frame(rows, EXPENSE_COLUMNS)


EARNINGS_COLUMNS = ("date", "kind", "ref", "client", "stream", "currency", "amount", "vat", "withheld", "rate",
                    "rate_source", "base_currency", "base_amount", "base_vat", "base_withheld")


def earnings_rows(books: Books, period: Period | str, *, basis: str = "accrual", currency: str | None = None,
                  invoices: Sequence[Invoice] | None = None) -> pd.DataFrame:
    """The rows `consult earnings` counts for `period` (e.g. "2026/27"), each with its own
    amount, the rate it was converted at and where that rate came from."""
    from consult.core.periods import parse_period
    from consult.earnings import rollup
    from consult.invoices.cache import load_invoices_cached

    p = parse_period(period, tax_year_start=books.practice.tax_year_start) if isinstance(period, str) else period
    invs = invoices if invoices is not None else load_invoices_cached(books.root)[0]
    e = rollup(books, invs, p, basis=basis, currency=currency)
    rows = [{"date": r.date, "kind": r.kind, "ref": r.ref, "client": r.client, "stream": r.stream,
             "currency": r.amount.currency, "amount": r.amount.amount, "vat": r.vat.amount,
             "withheld": r.withheld.amount, "rate": r.rate, "rate_source": r.source,
             "base_currency": r.base.currency, "base_amount": r.base.amount, "base_vat": r.base_vat.amount,
             "base_withheld": r.base_withheld.amount} for r in e.rows]
    return _frame(rows, EARNINGS_COLUMNS)


__all__ = ["earnings_rows", "expenses", "invoice_lines", "invoices", "payments", "payouts", "time_entries"]

