"""The practice's own costs: expenses.yaml and mileage.yaml at the root, receipts, VAT settings,
`consult expense add` / `consult mileage add`, and the costs in the year's earnings."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal as D

from consult.books.loader import load_books, open_books
from consult.check import check_books
from consult.core.money import Money
from tests.conftest import PRACTICE


def problems(root):
    return [str(p) for p in check_books(root).problems]


class TestRootExpenses:
    def test_a_practice_cost_reads_with_every_field(self, make_books):
        root = make_books({"expenses.yaml": (
            "- {date: 2026-09-14, supplier: Dell, amount: 2399.00, vat: 399.83, capital: true, goods: true, "
            "note: Laptop}\n"
            "- {date: 2026-09-20, supplier: Cloudy Inc, amount: 16.00, currency: USD, reverse_charge: true, "
            "category: adminCosts}\n")})
        laptop, saas = open_books(root).expenses
        assert laptop.practice_cost and not laptop.rebill and laptop.capital and laptop.goods
        assert (laptop.amount, laptop.vat, laptop.supplier, laptop.category) == (
            Money.of("2399.00", "GBP"), Money.of("399.83", "GBP"), "Dell", None)
        assert saas.reverse_charge and saas.amount == Money.of("16.00", "USD")

    def test_each_problem_names_file_line_and_field(self, make_books):
        """A cost with no category, a rebill field, VAT on a reverse charge, VAT over the amount."""
        root = make_books({"expenses.yaml": (
            "- {date: 2026-09-14, amount: 50.00, note: Printer ink}\n"
            "- {date: 2026-09-15, amount: 10.00, category: adminCosts, rebill: false}\n"
            "- {date: 2026-09-16, amount: 10.00, vat: 2.00, reverse_charge: true, category: adminCosts}\n"
            "- {date: 2026-09-17, amount: 10.00, vat: 12.00, category: adminCosts}\n")})
        got = problems(root)
        assert got[0].startswith("expenses.yaml:1:3: [0].category: missing — HMRC's category for this cost: "
                                 "e.g. adminCosts (phone, software, stationery)")
        assert got[1] == ("expenses.yaml:2:59: [1].rebill: a practice cost belongs to no client; a cost you "
                          "rebill goes in clients/<client>/expenses.yaml")
        assert got[2].startswith("expenses.yaml:3:42: [2].vat: a reverse-charge purchase has no VAT paid")
        assert got[3] == "expenses.yaml:4:42: [3].vat: 12.00 is more than the amount 10.00; amount includes the VAT paid"

    def test_a_near_miss_file_at_the_root_is_an_error_not_ignored(self, make_books):
        """The new user's costs in expenses.yml would be in no report: consult says so."""
        root = make_books({"expenses.yml": "- {date: 2026-09-14, amount: 50.00, category: adminCosts}\n",
                           "Costs.csv": "date,amount\n", "notes.yaml": "a: b\n", "README.md": "# books\n"})
        got = problems(root)
        assert ("Costs.csv: consult does not read this file, so its items are in no report or VAT return; it "
                "reads expenses.yaml (YAML, that exact name) — move the items there") in got
        assert any(p.startswith("expenses.yml: consult does not read this file") for p in got)
        assert any(p.startswith("notes.yaml: warning: consult does not read this file") for p in got)
        assert not any(p.startswith("README.md") for p in got)
        assert load_books(root).errors  # commands refuse until it is sorted out

    def test_client_expenses_take_the_new_fields_too(self, make_books):
        root = make_books({"clients/acme/expenses.yaml": (
            "- {date: 2026-09-14, engagement: build, supplier: Avanti, amount: 120.00, vat: 0, goods: false, "
            "category: carVanTravelExpenses}\n")})
        (x,) = open_books(root).expenses
        assert (x.client, x.supplier, x.rebill) == ("acme", "Avanti", True)


class TestReceipts:
    def test_check_finds_a_missing_or_changed_receipt(self, make_books):
        blob = b"%PDF-1.4 receipt\n"
        sha = hashlib.sha256(blob).hexdigest()
        root = make_books({
            "receipts/ok.pdf": blob, "receipts/changed.pdf": blob + b"edited",
            "receipts/nohash.pdf": blob,
            "expenses.yaml": (
                f"- {{date: 2026-09-14, amount: 10.00, category: adminCosts, receipt: receipts/ok.pdf, receipt_sha256: {sha}}}\n"
                f"- {{date: 2026-09-14, amount: 10.00, category: adminCosts, receipt: receipts/changed.pdf, receipt_sha256: {sha}}}\n"
                f"- {{date: 2026-09-14, amount: 10.00, category: adminCosts, receipt: receipts/gone.pdf, receipt_sha256: {sha}}}\n"
                "- {date: 2026-09-14, amount: 10.00, category: adminCosts, receipt: receipts/nohash.pdf}\n"
                "- {date: 2026-09-14, amount: 10.00, category: adminCosts, receipt: ../elsewhere.pdf}\n")})
        got = problems(root)
        assert any(p.startswith("expenses.yaml:2:3: receipt: receipts/changed.pdf has changed since it was recorded")
                   for p in got)
        assert "expenses.yaml:3:3: receipt: receipts/gone.pdf is not in the books: restore the file, or remove " \
               "receipt: if there is none" in got
        assert f"expenses.yaml:4:3: warning: receipt_sha256: no hash recorded for receipts/nohash.pdf; add " \
               f"receipt_sha256: {sha}" in got
        assert any(p.startswith("expenses.yaml:5:") and "'../elsewhere.pdf' is not a file in the books" in p for p in got)
        assert not any(":1:" in p for p in got if p.startswith("expenses.yaml"))


class TestVatSettings:
    def test_the_vat_block_is_read(self, make_books):
        root = make_books({"practice.yaml": PRACTICE + (
            "vat:\n  scheme: flat_rate\n  stagger: 2\n  flat_rate_percent: 14.5\n  flat_rate_start: 2024-04-01\n")})
        v = open_books(root).practice.vat
        assert (v.scheme, v.stagger, v.flat_rate_percent, v.flat_rate_start, v.sterling_rate) == (
            "flat_rate", 2, D("14.5"), date(2024, 4, 1), "hmrc")

    def test_bad_settings_say_what_to_write(self, make_books):
        root = make_books({"practice.yaml": PRACTICE + "vat:\n  scheme: flat-rate\n  stagger: 4\n"})
        got = problems(root)
        assert "practice.yaml:16:11: vat.scheme: 'flat-rate' is not one of standard, cash, flat_rate — did you " \
               "mean 'flat_rate'?" in got
        assert any("vat.stagger: '4' is not a stagger: 1 (quarters ending Mar/Jun/Sep/Dec)" in p for p in got)
        root = make_books({"practice.yaml": PRACTICE + "vat:\n  scheme: flat_rate\n"})
        got = problems(root)
        assert any("vat.flat_rate_percent: missing — the flat_rate scheme needs your sector's percentage" in p
                   for p in got)
        assert any("vat.flat_rate_start: missing" in p for p in got)


class TestExpenseAdd:
    def test_a_cost_with_its_receipt(self, make_books, run_cli, tmp_path):
        """The receipt is copied into receipts/, named by date, supplier and hash; check is clean."""
        root = make_books()
        scan = tmp_path / "Invoice 1234.PDF"
        scan.write_bytes(b"%PDF-1.4 accountant\n")
        sha = hashlib.sha256(scan.read_bytes()).hexdigest()
        code, out, err = run_cli("expense", "add", "1080.00", "--vat", "180.00", "--category", "professionalFees",
                                 "--supplier", "Ledger & Co", "--date", "2026-10-05", "--receipt", str(scan), books=root)
        assert code == 0, err
        name = f"receipts/2026-10-05-ledger-co-{sha[:8]}.pdf"
        assert (root / name).read_bytes() == scan.read_bytes()
        line = (root / "expenses.yaml").read_text().splitlines()[-1]
        assert line == (f'- {{date: 2026-10-05, supplier: "Ledger & Co", amount: 1080.00, vat: 180.00, '
                        f'category: professionalFees, receipt: {name}, receipt_sha256: {sha}}}')
        assert f"receipt kept as {name}" in out
        code, out, _ = run_cli("check", books=root)
        assert code == 0 and "0 errors, 0 warnings" in out

    def test_a_refused_cost_writes_nothing(self, make_books, run_cli, tmp_path):
        root = make_books()
        scan = tmp_path / "r.pdf"
        scan.write_bytes(b"x")
        code, _, err = run_cli("expense", "add", "10", "--supplier", "Ryman", "--receipt", str(scan), books=root)
        assert code == 2 and err.startswith("error: --category: missing")
        assert not (root / "expenses.yaml").exists() and not (root / "receipts").exists()

    def test_a_client_cost(self, make_books, run_cli):
        root = make_books()
        code, _, err = run_cli("expense", "add", "42.50", "--client", "acme", "--engagement", "build",
                               "--category", "carVanTravelExpenses", "--note", "Taxi", "--date", "2026-10-01",
                               books=root)
        assert code == 0, err
        (x,) = open_books(root).expenses
        assert (x.client, x.engagement, x.rebill, x.amount) == ("acme", "build", True, Money.of("42.50", "GBP"))

    def test_list_shows_practice_and_client_costs(self, make_books, run_cli):
        root = make_books({"expenses.yaml": "- {date: 2026-09-14, amount: 50.00, category: adminCosts}\n"})
        code, out, _ = run_cli("expense", "list", "2026-Q3", "--format", "json", books=root)
        rows = json.loads(out)
        assert code == 0 and rows[0]["client"] == "(practice)" and rows[0]["amount"] == "50.00"


class TestMileage:
    def test_the_10000_mile_threshold_splits_a_trip_and_resets_each_tax_year(self, make_books):
        """9,950 miles then 100: the second is 50 × 45p + 50 × 25p = £35.00; a van shares the
        threshold (25p); a motorcycle has 24p; on 6 April 2027 a new tax year starts at 45p."""
        root = make_books({"mileage.yaml": (
            "- {date: 2026-05-01, miles: 9950, note: Many trips}\n"
            "- {date: 2026-06-01, miles: 100, note: Leeds}\n"
            "- {date: 2026-06-02, miles: 10, vehicle: van, note: Delivery}\n"
            "- {date: 2026-06-03, miles: 10, vehicle: motorcycle, note: Courier}\n"
            "- {date: 2027-04-06, miles: 10, note: New year}\n")})
        claims = [x.amount.amount for x in open_books(root).expenses]
        assert claims == [D("4477.50"), D("35.00"), D("2.50"), D("2.40"), D("4.50")]
        assert all(x.category == "carVanTravelExpenses" and x.vat is None for x in open_books(root).expenses)

    def test_mileage_add_prices_the_trip(self, make_books, run_cli):
        root = make_books()
        code, out, err = run_cli("mileage", "add", "84", "--note", "Client workshop, Leeds (return)",
                                 "--date", "2026-10-12", books=root)
        assert code == 0, err
        assert out.splitlines() == ['recorded in mileage.yaml:2: - {date: 2026-10-12, miles: 84, note: "Client '
                                    'workshop, Leeds (return)"}', "claim £37.80 (84 mi × £0.45)"]
        code, out, _ = run_cli("mileage", "list", "--format", "csv", books=root)
        assert "2026-10-12,84,car,84 mi × £0.45,37.80" in out


class TestEarnings:
    def _books(self, make_books, vat: str = ""):
        return make_books({
            "practice.yaml": PRACTICE + vat,
            "expenses.yaml": (
                "- {date: 2026-05-10, supplier: Dell, amount: 2400.00, vat: 400.00, capital: true, goods: true}\n"
                "- {date: 2026-05-15, supplier: Ledger & Co, amount: 1200.00, vat: 200.00, category: professionalFees}\n"
                "- {date: 2026-08-01, supplier: Hiscox, amount: 300.00, category: premisesRunningCosts}\n"
                "- {date: 2026-11-01, amount: 60.00, vat: 10.00, category: adminCosts}\n"),
            "mileage.yaml": "- {date: 2026-07-10, miles: 100, note: Leeds}\n"})

    def test_costs_by_category_capital_apart_and_mtd_updates(self, make_books):
        """Tax year 2026/27 (standard scheme, VAT reclaimed): professionalFees 1,000.00,
        premisesRunningCosts 300.00, carVanTravelExpenses 45.00 (100 mi × 45p), adminCosts 50.00 =
        1,395.00 of expenses; the laptop (2,000.00 ex VAT) is capital, apart. Updates are
        cumulative from 6 April: to 5 July 1,000.00; to 5 October 1,345.00; then 1,395.00."""
        from consult.core.periods import tax_year
        from consult.earnings import rollup

        e = rollup(open_books(self._books(make_books)), [], tax_year(2026))

        def gbp(s: str) -> Money:
            return Money.of(s, "GBP")

        assert list(e.costs_by_category.items()) == [  # in HMRC's order (SA103F boxes 20, 21, 23, 28)
            ("carVanTravelExpenses", gbp("45.00")), ("premisesRunningCosts", gbp("300.00")),
            ("adminCosts", gbp("50.00")), ("professionalFees", gbp("1000.00"))]
        assert (e.expenses, e.capital, e.profit) == (gbp("1395.00"), gbp("2000.00"), gbp("-1395.00"))
        assert [(u.end, u.deadline, u.total_expenses) for u in e.mtd_updates] == [
            (date(2026, 7, 5), date(2026, 8, 7), gbp("1000.00")), (date(2026, 10, 5), date(2026, 11, 7), gbp("1345.00")),
            (date(2027, 1, 5), date(2027, 2, 7), gbp("1395.00")), (date(2027, 4, 5), date(2027, 5, 7), gbp("1395.00"))]
        assert e.mtd_updates[1].quarter_expenses == {"carVanTravelExpenses": gbp("45.00"),
                                                     "premisesRunningCosts": gbp("300.00")}

    def test_under_the_flat_rate_scheme_vat_paid_is_a_cost(self, make_books):
        """No input VAT under the FRS: the accountant costs 1,200.00, the stationery 60.00; the
        laptop (£2,400 of capital goods) still has its VAT reclaimed: 2,000.00 apart."""
        from consult.core.periods import tax_year
        from consult.earnings import rollup

        books = open_books(self._books(make_books, "vat: {scheme: flat_rate, flat_rate_percent: 14.5, "
                                                   "flat_rate_start: 2024-04-01}\n"))
        e = rollup(books, [], tax_year(2026))
        assert e.costs_by_category["professionalFees"] == Money.of("1200.00", "GBP")
        assert e.expenses == Money.of("1605.00", "GBP") and e.capital == Money.of("2000.00", "GBP")

    def test_the_tax_year_report_shows_the_sa103f_boxes_and_mtd_updates(self, make_books, run_cli):
        root = self._books(make_books)
        code, out, err = run_cli("earnings", "--tax-year", "2026", books=root)
        assert code == 0, err
        assert " 28  professionalFees      Accountancy, legal and other professional fees  £1,000.00" in out
        assert "MTD Income Tax quarterly updates (cumulative from 2026-04-06; sole traders and landlords, not " \
               "companies), GBP" in out
        assert "Capital items (apart: not in expenses)  £2,000.00" in out
        code, out, _ = run_cli("earnings", "--tax-year", "2026", "--format", "json", books=root)
        data = json.loads(out)
        assert data["costs_by_category"][0] == {"category": "carVanTravelExpenses", "sa103f_box": 20,
                                                "label": "Car, van and travel expenses", "allowable": True,
                                                "amount": "45.00"}
        assert data["mtd_updates"][0]["deadline"] == "2026-08-07"
