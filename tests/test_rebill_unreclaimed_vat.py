"""A cost rebilled "at cost" leaves out only the VAT the practice gets back, worked by hand.

The rule (consult.vat.blocked.reclaimed_vat; docs/vat.md "Rebilled expenses"): a standard-scheme
practice reclaims the UK VAT on a cost in box 4, so it rebills the amount less that VAT. VAT it
never gets back is part of its cost and is rebilled with the rest:

* foreign VAT — a hotel in Hamburg paid in euros carries German VAT, which no UK return reclaims
  (consult.vat.documents: VAT on an expense in another currency is part of the cost);
* blocked VAT — business entertainment of a UK client (Input Tax Order 1992 art 5; VAT Notice
  700/65): its VAT stays out of box 4.

Before this was pinned consult rebilled all three at `amount - vat`, invoicing less than the
practice paid for the two whose VAT it never recovers.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import PRACTICE

GB_CLIENT = """\
name: Acme Ltd
address: |
  2 Client Road
  Leeds
  LS1 4AP
country: GB
currency: GBP
locale: en_GB
tax: standard
"""
DE_CLIENT = """\
name: Hafen GmbH
address: |
  Am Sandtorkai 27
  20457 Hamburg
country: DE
currency: EUR
locale: de_DE
vat_number: DE136695976
tax: reverse_charge
"""
ENGAGEMENT = "title: Model build\nbilling: daily\nrate: 650\nday_rounding: half\nstart: 2026-01-01\n"
DAY = "- {date: 2026-07-06, engagement: build, hours: 7.5}\n"


def _lines(run_cli, root: Path, client: str) -> dict[str, str]:
    code, out, err = run_cli("invoice", "create", client, "--period", "2026-07", "--date", "2026-07-31", books=root)
    assert code == 0, err
    from consult.invoices.store import load_invoices

    invoices, problems = load_invoices(root)
    assert problems == []
    (inv,) = [i for i in invoices if i.client == client]
    return {ln.description: ln.net.plain() for ln in inv.lines} | {"net": inv.net.plain(), "vat": inv.vat.plain(),
                                                                  "total": inv.total.plain()}


def test_uk_vat_reclaimed_is_left_out_and_entertainment_vat_is_rebilled(make_books, run_cli):
    """Acme (GB), July: 1 day × £650.00;
    hotel £120.00 incl. UK VAT £20.00 → reclaimed in box 4, rebilled £100.00;
    client dinner £90.00 incl. VAT £15.00, business entertainment of a UK client → blocked,
    rebilled £90.00 (was £75.00).
    net 650.00 + 100.00 + 90.00 = 840.00; VAT 20% = 168.00; total 1,008.00."""
    root = make_books({
        "practice.yaml": PRACTICE,
        "clients/acme/client.yaml": GB_CLIENT,
        "clients/acme/engagements/build.yaml": ENGAGEMENT,
        "clients/acme/timesheets/2026-07.yaml": DAY,
        "clients/acme/expenses.yaml":
            "- {date: 2026-07-06, engagement: build, amount: 120.00, vat: 20.00, category: carVanTravelExpenses, "
            "note: Hotel}\n"
            "- {date: 2026-07-06, engagement: build, amount: 90.00, vat: 15.00, "
            "category: businessEntertainmentCosts, note: Client dinner}\n"})
    got = _lines(run_cli, root, "acme")
    assert (got["Hotel"], got["Client dinner"]) == ("100.00", "90.00")
    assert (got["net"], got["vat"], got["total"]) == ("840.00", "168.00", "1008.00")


def test_foreign_vat_is_part_of_the_cost_and_rebilled(make_books, run_cli):
    """Hafen (DE, reverse charge, EUR), July: 1 day × €650.00;
    hotel in Hamburg €238.00 incl. German VAT €38.00 → no UK return reclaims it, rebilled
    €238.00 (was €200.00). net 650.00 + 238.00 = 888.00; no VAT (reverse charge); total 888.00."""
    root = make_books({
        "practice.yaml": PRACTICE,
        "clients/hafen/client.yaml": DE_CLIENT,
        "clients/hafen/engagements/build.yaml": ENGAGEMENT,
        "clients/hafen/timesheets/2026-07.yaml": DAY,
        "clients/hafen/expenses.yaml":
            "- {date: 2026-07-06, engagement: build, amount: 238.00, vat: 38.00, currency: EUR, "
            "category: carVanTravelExpenses, note: Hotel Hamburg}\n"})
    got = _lines(run_cli, root, "hafen")
    assert got["Hotel Hamburg"] == "238.00"
    assert (got["net"], got["vat"], got["total"]) == ("888.00", "0.00", "888.00")


def test_earnings_count_as_cost_the_vat_the_return_does_not_reclaim(make_books):
    """One rule for invoices, the VAT return and earnings: a practice cost of £120.00 incl. UK VAT
    £20.00 costs £100.00 (box 4 takes the £20.00); a €238.00 Hamburg hotel incl. €38.00 German
    VAT costs all €238.00 (no UK return reclaims it — earnings used to take the €38.00 off)."""
    from datetime import date

    from consult.books.loader import load_books
    from consult.core.periods import parse_period
    from consult.earnings import _Converter, _costed

    root = make_books({"expenses.yaml":
                       "- {date: 2026-07-06, amount: 120.00, vat: 20.00, category: travelAndSubsistence, "
                       "supplier: Hotel Leeds}\n"
                       "- {date: 2026-07-07, amount: 238.00, vat: 38.00, currency: EUR, "
                       "category: travelAndSubsistence, supplier: Hotel Hamburg}\n"})
    books = load_books(root).books
    period = parse_period("2026-07", tax_year_start=books.practice.tax_year_start, today=date(2026, 8, 1))
    got = {c.expense.supplier: c.value for c in _costed(books, period, _Converter("EUR", "GBP"))}
    assert got["Hotel Hamburg"].plain() == "238.00"
    costs_gbp = {c.expense.supplier: c.value for c in _costed(books, period, _Converter("GBP", "GBP"))}
    assert costs_gbp["Hotel Leeds"].plain() == "100.00"
