"""`consult earnings` as a user sees it: the year's table, CSV with rates, receivables, bad input."""

from __future__ import annotations

import json

from tests.conftest import REPO


def test_earnings_2026_on_the_sample_books_shows_writing_income_in_sterling(run_cli):
    """The Inkwell payouts: 391.58 + 285.77 + 339.20 writing, 448.73 course (USD converted)."""
    code, out, _ = run_cli("earnings", "2026", books=REPO)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "Earnings 2026 — period 2026-01-01 to 2026-12-31, invoiced (accrual basis), in GBP"
    jul = next(ln for ln in lines if ln.startswith("Jul 2026"))
    assert "£391.58" in jul
    assert "£1,016.55" in next(ln for ln in lines if ln.startswith("Total"))  # writing, all months
    assert "USD → GBP (2026-07-31 to 2026-10-30)" in out


def test_earnings_csv_keeps_each_rows_rate_and_source(run_cli):
    code, out, _ = run_cli("earnings", "2026", "--format", "csv", books=REPO)
    assert code == 0
    rows = out.splitlines()
    assert rows[0].startswith("date,kind,ref,client,stream,currency,amount,vat,withheld,rate,rate_source")
    assert ("2026-08-28,payout,clients/inkwell-press/income.yaml:4:3,inkwell-press,writing,USD,388.15,0.00,0.00,"
            "0.73623637,ECB 2026-08-28,GBP,285.77,0.00,0.00") in rows


def test_tax_year_by_quarter_gives_the_mtd_quarters(run_cli):
    code, out, _ = run_cli("earnings", "--tax-year", "2026", "--by", "quarter", "--format", "json", books=REPO)
    data = json.loads(out)
    assert data["period"] == {"label": "2026/27", "start": "2026-04-06", "end": "2027-04-05", "tax_year": True}
    assert [(g["start"], g["end"]) for g in data["groups"]] == [
        ("2026-04-06", "2026-07-05"), ("2026-07-06", "2026-10-05"),
        ("2026-10-06", "2027-01-05"), ("2027-01-06", "2027-04-05")]
    assert data["groups"][1]["streams"]["writing"] == "1016.55"  # 31 Jul, 28 Aug, 30 Sep


def test_options_may_come_before_or_after_the_period(run_cli):
    a = run_cli("earnings", "--basis", "cash", "2026", "--by", "client", books=REPO)
    b = run_cli("earnings", "2026", "--by", "client", "--basis", "cash", books=REPO)
    assert a[0] == 0 and a[1] == b[1] and "received (cash basis)" in a[1]


def test_receivables_runs_as_a_subcommand(run_cli):
    code, out, _ = run_cli("earnings", "receivables", "--as-of", "2026-11-30", books=REPO)
    assert code == 0
    assert out.startswith("Receivables as of 2026-11-30, aged by days since issue, in GBP")


def test_a_bad_period_is_a_usage_error(run_cli):
    code, _, err = run_cli("earnings", "lastyear", books=REPO)
    assert code == 2
    assert err.strip().startswith("error: period: 'lastyear' is not a period — e.g. 2026-10, 2026-Q3")


def test_a_bad_currency_is_a_usage_error(run_cli):
    code, _, err = run_cli("earnings", "2026", "--currency", "pounds", books=REPO)
    assert code == 2
    assert "--currency: 'pounds' is not an ISO 4217 currency code" in err


def test_earnings_in_euros(run_cli):
    """388.15 USD on 28 Aug 2026 in EUR: 388.15 ÷ 1.1643 = €333.38."""
    code, out, _ = run_cli("earnings", "2026", "--currency", "EUR", "--format", "csv", books=REPO)
    row = next(r for r in out.splitlines() if r.startswith("2026-08-28"))
    assert row.endswith(",EUR,333.38,0.00,0.00")


def test_the_pdf_shows_the_chart_client_table_totals_and_rate_notes(run_cli, sample_books, tmp_path):
    """Text extracted from the PDF carries the figures the table shows and the notes on rates."""
    from pypdf import PdfReader

    out = tmp_path / "year.pdf"
    code, stdout, err = run_cli("earnings", "2026", "--pdf", str(out), books=sample_books)
    assert code == 0, err
    assert f"wrote {out}" in stdout
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    for expected in ("Earnings 2026", "Month by month", "By client", "Inkwell Press", "£1,016.55", "£391.58",
                     "USD → GBP (2026-07-31 to 2026-10-30)", "Profit (income − expenses)", "Working days available"):
        assert expected in text, expected
    assert PdfReader(out).metadata.title == "Earnings 2026"


def test_earnings_without_pdf_imports_neither_pandas_nor_reportlab():
    """The table path stays light: ReportLab is loaded only for --pdf."""
    import subprocess
    import sys

    code = ("import sys\nfrom consult.cli import run\n"
            "run(['--books', sys.argv[1], 'earnings', '2026', '--format', 'json'])\n"
            "print(' '.join(m for m in ('pandas', 'reportlab') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(REPO)], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "CONSULT_TODAY": "2026-11-22"})
    assert out.stdout.splitlines()[-1] == ""
