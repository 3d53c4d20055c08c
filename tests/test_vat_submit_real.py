"""The real path into HMRC: the sample books through `consult vat return`'s own computation and
`consult vat submit` to the VAT API test service (gnucash-uk-vat's `vat-test-service` on
127.0.0.1) — no stand-in for the return — and then what happens when the books change a period
already submitted (VAT Notice 700/45: the error is corrected on the next return).

The sample books' 2026-Q3 (standard scheme, worked by hand from the books at the repository root):
  sales with a tax point in Q3: none (the three invoices are dated 1 October 2026) → box 6 from the
  reverse charge only
  reverse-charge GitHub, $21 on 2026-08-03 and 2026-09-03 → £15.49 and £15.72 at HMRC's August and
  September rates; 20% of each = 3.10 + 3.14 = £6.24 in box 1 and in box 4
  Dell laptop (capital) £2,399.00 incl. £399.83 VAT → box 4 399.83, box 7 1,999.17
  insurance £540.00, exempt → box 7 540.00
  box 1 = 6.24; box 4 = 399.83 + 6.24 = 406.07; box 5 = |6.24 − 406.07| = 399.83 (a repayment)
  box 6 = 15.49 + 15.72 = 31.21 → £31; box 7 = 1,999.17 + 540.00 + 31.21 = 2,570.38 → £2,570
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal as D

import pytest

from tests.support import vat_service
from tests.test_vat_submit import Mtd

pytestmark = pytest.mark.skipif(not vat_service.available(),
                                reason="the VAT API test service is not installed (pip install '.[test]': gnucash-uk-vat)")

NAMES = ["vatDueSales", "vatDueAcquisitions", "totalVatDue", "vatReclaimedCurrPeriod", "netVatDue",
         "totalValueSalesExVAT", "totalValuePurchasesExVAT", "totalValueGoodsSuppliedExVAT", "totalAcquisitionsExVAT"]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    svc = vat_service.start(tmp_path_factory.mktemp("vat-service-real"))
    yield svc
    svc.stop()


@pytest.fixture
def mtd(tmp_path, monkeypatch, service) -> Mtd:
    assert "consult.vat.returns" not in sys.modules or hasattr(sys.modules["consult.vat.returns"], "SCHEMES"), \
        "the real return module, not the stand-in"
    monkeypatch.setenv("CONSULT_CONFIG_DIR", str(tmp_path / "config"))
    m = Mtd(tmp_path / "config", service)
    m.grant()
    return m


def _printed(run_cli, books, period: str, today: str) -> dict:
    code, out, err = run_cli("vat", "return", period, "--format", "json", books=books, today=today)
    assert (code, err) == (0, ""), err
    return json.loads(out, parse_float=D)


def test_hmrc_receives_the_boxes_vat_return_printed(mtd, sample_books, run_cli):
    """2026-Q3 of the sample books, computed for real: the nine boxes HMRC holds are exactly the
    ones `vat return` printed (worked by hand in the module docstring), and the record keeps them
    with the documents behind them."""
    printed = _printed(run_cli, sample_books, "2026-Q3", "2026-11-22")
    assert [D(str(printed[n])) for n in NAMES] == [D("6.24"), 0, D("6.24"), D("406.07"), D("399.83"), 31, 2570, 0, 0]
    code, out, err = run_cli("vat", "submit", "2026-Q3", "--yes", books=sample_books)
    assert (code, err) == (0, ""), err
    held = mtd.held_return("26A3")
    assert [held[n] for n in NAMES] == [D(str(printed[n])) for n in NAMES]
    record = (sample_books / "vat/sandbox/2026-07-01_2026-09-30.yaml").read_text()
    assert "documents:" in record and 'ref: "expenses.yaml:9:3", kind: capital, date: 2026-09-14, box4: 399.83, box7: 1999.17}' in record


def test_a_submitted_period_that_changes_is_shown_warned_and_corrected_on_the_next_return(mtd, sample_books, run_cli):
    """After 2026-Q3 is sent, INV-2026-0001 is credited (£8,775.00 + £1,755.00, dated 22 November:
    Q4) and the work re-billed as INV-2026-0004 with its tax point 30 September (Q3, issued more
    than 14 days after the supply). Q3's books now give box 1 6.24 + 1,755.00 = 1,761.24 and box 6
    31.21 + 8,775.00 = 8,806.21 → £8,806: £1,755.00 of VAT no return declares.

    * `vat return 2026-Q3` shows both, never "file the return and pay by then";
    * `consult check` warns, naming the period, the boxes and INV-2026-0004;
    * `vat return 2026-Q4` carries it: Q4 alone has box 1 = 1,755.00 (INV-0001) − 1,755.00 (the
      credit note) + 3.12 (October's GitHub) = 3.12; the net error £1,755.00 is within £10,000, so
      box 1 = 3.12 + 1,755.00 = 1,758.12; box 4 = 185.22 (accountant 180.00, Microsoft 2.10,
      GitHub 3.12; the lunch's VAT is blocked); box 5 = 1,572.90;
    * submitting Q4 sends those boxes, records the correction, and the warning goes."""
    assert run_cli("vat", "submit", "2026-Q3", "--yes", books=sample_books)[0] == 0
    assert run_cli("invoice", "credit", "INV-2026-0001", "--reason", "Rate corrected", books=sample_books)[0] == 0
    code, out, err = run_cli("invoice", "create", "acme-analytics", "--period", "2026-09", books=sample_books)
    assert code == 0 and out.startswith("INV-2026-0004"), err

    code, out, _ = run_cli("vat", "return", "2026-Q3", books=sample_books)
    assert code == 0
    assert "file the return and pay" not in out
    assert "Submitted to HMRC sandbox on " in out and "It is not sent again." in out
    assert "  1  vatDueSales                          £6.24  £1,761.24   £1,755.00" in out
    assert "£1,755.00 more VAT due to HMRC" in out and "form VAT652 (VAT Notice 700/45 §4)" in out
    assert "In the books' figures, not in the return sent: INV-2026-0004 (invoice 2026-09-30)." in out
    printed = _printed(run_cli, sample_books, "2026-Q3", "2026-11-22")
    assert printed["status"] == "submitted" and printed["difference"]["vatDueSales"] == D("1755.00")

    code, out, _ = run_cli("check", books=sample_books)
    [warning] = [line for line in out.splitlines() if line.startswith("vat/sandbox/2026-07-01_2026-09-30.yaml")]
    assert ("2026-07-01..2026-09-30 (26A3) was submitted to HMRC sandbox on " in warning
            and "box 1 £6.24 → £1,761.24 (+£1,755.00), box 6 £31 → £8,806 (+£8,775)" in warning
            and "not in the return sent: INV-2026-0004 (invoice 2026-09-30)" in warning
            and "the return for 2026-10-01..2026-12-31" in warning)

    q4 = _printed(run_cli, sample_books, "2026-Q4", "2027-01-10")
    assert [D(str(q4[n])) for n in NAMES][:5] == [D("1758.12"), 0, D("1758.12"), D("185.22"), D("1572.90")]
    assert q4["corrections"][0]["net"] == D("1755.00")
    code, out, err = run_cli("vat", "submit", "2026-Q4", "--yes", books=sample_books, today="2027-01-10")
    assert (code, err) == (0, ""), err
    held = mtd.held_return("#004")
    assert [held[n] for n in NAMES] == [D(str(q4[n])) for n in NAMES]
    record = (sample_books / "vat/sandbox/2026-10-01_2026-12-31.yaml").read_text()
    assert ('corrections:   # errors on earlier returns corrected on this one (VAT Notice 700/45)\n'
            '  - {start: 2026-07-01, end: 2026-09-30, period_key: "26A3", vatDueSales: 1755.00, '
            'vatDueAcquisitions: 0.00, vatReclaimedCurrPeriod: 0.00}\n') in record

    code, out, _ = run_cli("check", books=sample_books, today="2027-01-10")
    assert "(26A3) was submitted" not in out  # its VAT was corrected on the Q4 return: nothing left to do
    code, out, _ = run_cli("vat", "return", "2026-Q3", books=sample_books, today="2027-01-10")
    assert "As submitted includes the corrections made since on vat/sandbox/2026-10-01_2026-12-31.yaml." in out
    assert "Only boxes 6–9 (values, no VAT) differ" in out
