"""Expenses rebilled to a client under the Flat Rate Scheme, from the invoice to the return,
worked by hand.

The rules (docs/vat.md, "Rebilled expenses under the Flat Rate Scheme"):

* A cost the practice incurs in making its own supply and rebills (a hotel, a rail fare, goods
  for the client's pilot) is a *recharge*: further consideration for that supply, standard-rated
  like it (VAT Notice 700 §25; gov.uk "VAT: costs or disbursements passed to customers"). So it
  is a line of the invoice with VAT charged on it, and it is flat-rate turnover, VAT included
  (VAT Regulations 1995 reg 55D: the flat rate × the relevant turnover; HMRC's box-by-box
  guide: "all the income you receive, including VAT"), and in box 6 with the days. A true
  disbursement would be outside the scope and not turnover; consult records none.
* Under the Flat Rate Scheme the VAT paid on such a cost is not reclaimed, so "at cost" is the
  amount paid, VAT included; VAT at 20% is charged on that.
* Goods rebilled to the client are goods for resale: not *relevant goods* for the limited-cost
  test (reg 55A(4)(a)(iv)) and never capital expenditure goods (reg 55A(1)).

The books: a practice on the scheme at 14.5% ("Computer and IT consultancy") since 1 April
2024 (no first-year reduction in 2026), Acme (GB, standard-rated) at £650 a day.

  July 2026 timesheet    6, 7, 8 July, 7.5 h each: 3 days × £650.00 = £1,950.00
  clients/acme/expenses.yaml (rebill: true by default)
    2026-07-07  Hotel, Leeds                £120.00 incl. VAT £20.00  (a service)
    2026-07-08  Rail fare                    £45.60, VAT 0            (zero-rated when bought)
    2026-07-08  Sensor kits for the pilot   £360.00 incl. VAT £60.00  goods
  expenses.yaml (the practice's own)
    2026-07-15  Stationery                   £90.00 incl. VAT £15.00  goods

INV-2026-0001 (31 July): 1,950.00 + 120.00 + 45.60 + 360.00 = net 2,475.60; VAT 20% = 495.12;
total 2,970.72. Before this was pinned consult rebilled £100.00 and £300.00 (the cost less a VAT
it never reclaims), invoicing £2,874.72 — £96.00 short of the practice's cost plus VAT on it.

Q3 return: flat-rate turnover = 2,970.72. Limited-cost test: relevant goods = the stationery,
£90.00 (the kits are rebilled: goods for resale); the bar is the higher of 2% × 2,970.72 =
59.41 and £250 (a quarter of £1,000) = £250; £90.00 < £250 → limited cost business, 16.5%.
Box 1 = 2,970.72 × 16.5% = 490.1688 → 490.17; box 4 = 0.00; box 5 = 490.17;
box 6 = 2,970.72 → 2,970 (whole pounds); box 7 = 0. Before, the kits counted as relevant goods
(£450.00 ≥ £250) and the sector's 14.5% applied to £2,874.72: box 1 £416.83.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from consult.vat.boxes import HMRC_FIELDS
from tests.conftest import PRACTICE

FLAT = "vat: {scheme: flat_rate, flat_rate_percent: 14.5, flat_rate_start: 2024-04-01}\n"
TIMESHEET = """\
- {date: 2026-07-06, engagement: build, hours: 7.5}
- {date: 2026-07-07, engagement: build, hours: 7.5}
- {date: 2026-07-08, engagement: build, hours: 7.5}
"""
HOTEL = "- {date: 2026-07-07, engagement: build, amount: 120.00, vat: 20.00, category: carVanTravelExpenses, note: Hotel}\n"
RAIL = "- {date: 2026-07-08, engagement: build, amount: 45.60, vat: 0, category: carVanTravelExpenses, note: Rail fare}\n"
KITS = ("- {date: 2026-07-08, engagement: build, amount: 360.00, vat: 60.00, goods: true, category: costOfGoods, "
        "note: Sensor kits}\n")
STATIONERY = "- {date: 2026-07-15, supplier: Ryman, amount: 90.00, vat: 15.00, goods: true, category: adminCosts}\n"


def books(make_books, vat: str = FLAT, expenses: str = HOTEL + RAIL + KITS, **extra: str) -> Path:
    return make_books({"practice.yaml": PRACTICE + vat, "clients/acme/timesheets/2026-07.yaml": TIMESHEET,
                       "clients/acme/expenses.yaml": expenses, "expenses.yaml": STATIONERY, **extra})


def invoice_july(run_cli, root: Path) -> dict:
    code, out, err = run_cli("invoice", "create", "acme", "--period", "2026-07", "--date", "2026-07-31", books=root)
    assert (code, err) == (0, ""), err
    from consult.invoices.store import load_invoices

    invoices, problems = load_invoices(root)
    assert problems == [] and len(invoices) == 1
    inv = invoices[0]
    return {"lines": [(ln.description, ln.net.plain()) for ln in inv.lines], "net": inv.net.plain(),
            "vat": inv.vat.plain(), "total": inv.total.plain(), "rules": inv.rules}


def vat_q3(run_cli, root: Path) -> dict:
    code, out, err = run_cli("vat", "return", "2026-Q3", "--format", "json", "--detail", books=root)
    assert (code, err) == (0, ""), err
    data = json.loads(out, parse_float=D)
    data["boxes"] = [f"{D(str(data[f])):f}" for f in HMRC_FIELDS]
    return data


class TestTheInvoice:
    def test_a_flat_rate_practice_rebills_the_vat_it_paid(self, make_books, run_cli):
        """The hotel at £120.00 and the kits at £360.00, VAT paid included; the rail fare at
        £45.60; VAT 20% on the whole net: 2,475.60 × 20% = 495.12, total 2,970.72. The rule
        printed is "at cost" — no VAT was reclaimed to be left out."""
        got = invoice_july(run_cli, books(make_books))
        assert got["lines"] == [("Model build", "1950.00"), ("Hotel", "120.00"), ("Rail fare", "45.60"),
                                ("Sensor kits", "360.00")]
        assert (got["net"], got["vat"], got["total"]) == ("2475.60", "495.12", "2970.72")
        assert "Expenses: rebilled at cost." in got["rules"]
        assert not any("VAT reclaimed" in r for r in got["rules"])

    def test_the_standard_scheme_still_rebills_without_the_vat_it_reclaims(self, make_books, run_cli):
        """Unchanged outside the scheme: hotel £100.00, kits £300.00 (their £80 VAT goes in box
        4): net 1,950.00 + 100.00 + 45.60 + 300.00 = 2,395.60, VAT 479.12, total 2,874.72."""
        got = invoice_july(run_cli, books(make_books, vat=""))
        assert [n for _, n in got["lines"]] == ["1950.00", "100.00", "45.60", "300.00"]
        assert (got["net"], got["vat"], got["total"]) == ("2395.60", "479.12", "2874.72")
        assert "Expenses: rebilled at cost, excluding any VAT reclaimed." in got["rules"]

    def test_a_cost_paid_before_joining_the_scheme_keeps_its_vat_reclaimed(self, make_books):
        """Joined 1 July 2026: the 30 June hotel (£120.00, £20.00 VAT reclaimed on the standard
        return) is rebilled at £100.00, the 7 July one at £120.00."""
        from consult.books.loader import open_books
        from consult.invoices.build import build_invoice

        root = books(make_books, vat=FLAT.replace("2024-04-01", "2026-07-01"),
                     expenses=HOTEL.replace("2026-07-07", "2026-06-30") + HOTEL)
        inv = build_invoice(open_books(root), "acme", date(2026, 6, 1), date(2026, 7, 31), issued=date(2026, 7, 31))
        assert [(ln.description, ln.net.plain()) for ln in inv.lines if ln.kind == "expense"] == [
            ("Hotel", "100.00"), ("Hotel", "120.00")]
        assert "Expenses: rebilled at cost, excluding any VAT reclaimed." in inv.rules


class TestTheReturn:
    def test_rebilled_costs_are_flat_rate_turnover_and_box_6(self, make_books, run_cli):
        """Turnover 2,970.72 (the invoice's total, recharges and their VAT included); 16.5%
        (relevant goods £90.00 < £250): box 1 = 490.17, box 6 = 2,970."""
        root = books(make_books)
        invoice_july(run_cli, root)
        data = vat_q3(run_cli, root)
        assert data["boxes"] == ["490.17", "0.00", "490.17", "0.00", "490.17", "2970", "0", "0", "0"]
        sale = next(d for d in data["documents"] if d["kind"] == "invoice")
        assert (sale["ref"], sale["box6"], sale["box1"]) == ("INV-2026-0001", "2970.72", None)
        assert "Flat Rate Scheme: 16.5% of the VAT-inclusive flat-rate turnover of £2,970.72" in data["notes"][0]

    def test_rebilled_goods_are_goods_for_resale_not_relevant_goods(self, make_books, run_cli):
        """The working names the kits as left out of the test, and counts only the stationery."""
        root = books(make_books)
        invoice_july(run_cli, root)
        working = "\n".join(vat_q3(run_cli, root)["notes"])
        assert ("Limited-cost test: relevant goods £90.00, VAT included; 2% of flat-rate turnover £2,970.72 is "
                "£59.41; the limit for the period is £250.00 — a limited cost business: 16.5% applies") in working
        assert "Goods not relevant to the test: clients/acme/expenses.yaml:3:3 (rebilled to the client: goods " \
               "for resale)." in working

    def test_the_same_goods_kept_by_the_practice_are_relevant(self, make_books, run_cli):
        """rebill: false — the kits are the practice's own (used in its work, not on the invoice):
        net 1,950.00 + 120.00 + 45.60 = 2,115.60, VAT 423.12, turnover 2,538.72; relevant goods
        90.00 + 360.00 = 450.00 ≥ £250 and ≥ 2% (50.77) → the sector's 14.5%:
        box 1 = 2,538.72 × 14.5% = 368.1144 → 368.11."""
        root = books(make_books, expenses=HOTEL + RAIL + KITS.replace("goods: true", "goods: true, rebill: false"))
        assert invoice_july(run_cli, root)["total"] == "2538.72"
        data = vat_q3(run_cli, root)
        assert data["boxes"][:6] == ["368.11", "0.00", "368.11", "0.00", "368.11", "2538"]
        assert "relevant goods £450.00" in data["notes"][1] and "the sector's rate applies" in data["notes"][1]

    def test_a_rebilled_capital_item_is_not_capital_expenditure_goods(self, make_books, run_cli):
        """A £2,400.00 workstation (£400.00 VAT) bought for the client and rebilled: bought for
        resale, so no box 4 under the scheme (a practice's own £2,400 laptop would be reclaimed:
        tests/test_vat_return.py). The invoice: 1,950.00 + 2,400.00 = 4,350.00, VAT 870.00,
        total 5,220.00. Relevant goods £90.00 < max(104.40, 250) → 16.5%:
        box 1 = 5,220.00 × 16.5% = 861.30; box 4 = 0.00; box 6 = 5,220; box 7 = 0."""
        workstation = ("- {date: 2026-07-08, engagement: build, amount: 2400.00, vat: 400.00, capital: true, "
                       "goods: true, note: Workstation}\n")
        root = books(make_books, expenses=workstation)
        assert invoice_july(run_cli, root)["total"] == "5220.00"
        data = vat_q3(run_cli, root)
        assert data["boxes"] == ["861.30", "0.00", "861.30", "0.00", "861.30", "5220", "0", "0", "0"]
        assert ("clients/acme/expenses.yaml:1:3: a capital item rebilled to the client: goods for resale, so not "
                "capital expenditure goods (VAT Regulations reg 55A(1)) — its £400.00 VAT is not reclaimed") \
            in "\n".join(data["notes"])

    @pytest.mark.parametrize("paid", ["2970.72", "1485.36"])
    def test_cash_turnover_counts_the_recharges_as_money_comes_in(self, make_books, run_cli, paid):
        """flat_rate_turnover: cash — the money received is the turnover, recharges and VAT in
        it: all of it, 2,970.72 × 16.5% = 490.17; half, 1,485.36 × 16.5% = 245.0844 → 245.08
        (relevant goods £90.00 are under the £250 limit either way)."""
        root = books(make_books, vat=FLAT.replace("}", ", flat_rate_turnover: cash}"))
        invoice_july(run_cli, root)
        (root / "clients/acme/payments.yaml").write_text(
            f"- {{date: 2026-08-20, invoice: INV-2026-0001, amount: {paid}}}\n", encoding="utf-8")
        data = vat_q3(run_cli, root)
        box1 = {"2970.72": "490.17", "1485.36": "245.08"}[paid]
        assert data["boxes"][:6] == [box1, "0.00", box1, "0.00", box1, paid.split(".")[0]]
