"""The library is the product: a curated API, the README's Python example runs, and the books
come out as pandas DataFrames with exact money."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from decimal import Decimal

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_import_consult_lists_the_api_and_every_name_resolves():
    import consult

    assert {"open_books", "build_invoice", "create_invoice", "credit_invoice", "record_payment", "allocate",
            "accounts", "statements", "earnings", "time_report", "read_export", "export_einvoice", "vat_return",
            "tax_estimate", "frames"} <= set(consult.__all__)
    for name in consult.__all__:
        assert getattr(consult, name) is not None, name


def test_import_consult_loads_nothing_heavy():
    """Only consult.startup (standard library only: how a few libraries load) comes with it."""
    out = subprocess.run([sys.executable, "-c", "import consult, sys; print(consult.__all__[:1]); "
                                                "print(sorted(m for m in sys.modules if m.startswith('consult.'))); "
                                                "print(sorted(m for m in ('yaml', 'babel', 'reportlab', 'click') "
                                                "if m in sys.modules))"],
                         capture_output=True, text=True, check=True, cwd=REPO).stdout
    assert out.splitlines()[1:] == ["['consult.startup']", "[]"]


def test_the_readme_python_example_runs_and_prints_what_it_says(sample_books):
    section = README.split("## Python API", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=sample_books,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin",
                               "CONSULT_ECB_HISTORY": str(REPO / "tests/fixtures/ecb/eurofxref-hist.zip")})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "12167.60 GBP 2433.52 GBP 14601.12 GBP"  # the figure its comment promises
    assert "('INV-2026-0002', 'overdue', '1322.50')" in lines[1]
    assert "'acme-analytics'" in lines[2]


def test_frames_keep_money_exact_and_dates_as_dates(sample_books):
    import consult
    import consult.frames as cf

    books = consult.open_books(sample_books)
    inv = cf.invoices(books)
    assert list(inv["number"]) == sorted(inv["number"]) or len(inv) == 3
    assert all(isinstance(v, Decimal) for v in inv["total"])
    assert sum(inv.loc[inv["currency"] == "GBP", "total"]) == Decimal("10530.00")
    lines = cf.invoice_lines(books)
    assert set(lines["kind"]) >= {"time", "milestone"}
    entries = cf.time_entries(books)
    assert isinstance(entries["date"].iloc[0], date) and entries["minutes"].dtype == "int64"
    rows = cf.earnings_rows(books, "2026")
    assert set(rows["base_currency"]) == {"GBP"} and all(isinstance(v, Decimal) for v in rows["base_amount"])
    assert len(cf.payments(books)) >= 2 and len(cf.payouts(books)) >= 1 and len(cf.expenses(books)) >= 1


def test_only_consult_frames_imports_pandas():
    hits = [p for p in (REPO / "consult").rglob("*.py")
            if re.search(r"^\s*(import pandas|from pandas)", p.read_text(encoding="utf-8"), re.M)]
    assert [p.relative_to(REPO).as_posix() for p in hits] == ["consult/frames.py"]
