"""Receivables that add up: the client account, allocations, write-offs, credit notes to the
penny, statements, reminders and late-payment claims — with figures worked out by hand."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from consult.books.loader import open_books
from consult.core.money import Money
from consult.invoices.accounts import Moves, accounts
from consult.invoices.late_payment import late_claim, reference_day, reference_for, reference_rates
from consult.invoices.store import load_invoices

SEPT_11_5_DAYS = "".join(f"- {{date: 2026-09-{d:02d}, engagement: build, hours: 7.5}}\n" for d in range(1, 12)) + \
    "- {date: 2026-09-14, engagement: build, hours: 3}\n"  # 11 days + a half day (half-day rounding)


def gbp(x: str) -> Money:
    return Money.of(x, "GBP")


def _accounts(root, as_of):
    books = open_books(root, timesheets=False)
    invoices, problems = load_invoices(root)
    assert problems == []
    return {a.number: a for a in accounts(invoices, Moves.of(books), as_of)}


# --------------------------------------------------------------------------------------------
# credit and re-bill: the payment moves with the work
# --------------------------------------------------------------------------------------------
@pytest.fixture
def rebilled(make_books, run_cli):
    """INV-2026-0001: 11.5 days x £650 = £7,475.00 + VAT £1,495.00 = £8,970.00, paid in full on
    20 Oct; credited in full on 2 Nov (a day was missing); re-billed as INV-2026-0002: 12.5 days =
    £8,125.00 + £1,625.00 = £9,750.00. The client owes £9,750.00 − £8,970.00 = £780.00."""
    root = make_books({"clients/acme/timesheets/2026-09.yaml": SEPT_11_5_DAYS})
    assert run_cli("invoice", "create", "acme", "--period", "2026-09", "--date", "2026-10-01", books=root)[0] == 0
    assert run_cli("invoice", "pay", "INV-2026-0001", "8970.00", "--date", "2026-10-20", books=root)[0] == 0
    code, _, err = run_cli("invoice", "credit", "INV-2026-0001", "--reason", "a day was missing",
                           "--date", "2026-11-02", books=root)
    assert code == 0, err
    ts = root / "clients/acme/timesheets/2026-09.yaml"
    ts.write_text(ts.read_text() + "- {date: 2026-09-15, engagement: build, hours: 7.5}\n")
    code, out, err = run_cli("invoice", "create", "acme", "--period", "2026-09", "--date", "2026-11-02", books=root)
    assert code == 0, err
    assert "total £9,750.00" in out
    return root


def test_before_the_payment_moves_every_listing_nets_the_credit(rebilled, run_cli):
    """The payment sits on the credited invoice as money on account: −£8,970.00 there, £9,750.00
    on the new one, and receivables say the client owes £780.00, not £9,750.00."""
    a = _accounts(rebilled, date(2026, 11, 10))
    assert (a["INV-2026-0001"].outstanding, a["INV-2026-0001"].status) == (gbp("-8970.00"), "credited")
    assert (a["INV-2026-0002"].outstanding, a["INV-2026-0002"].status) == (gbp("9750.00"), "unpaid")
    code, out, _ = run_cli("earnings", "receivables", "--as-of", "2026-11-10", "--format", "json", books=rebilled)
    got = json.loads(out)
    assert (got["on_account"], got["total"]) == ("-8970.00", "780.00")


def test_moving_the_payment_makes_every_listing_agree_on_780(rebilled, run_cli):
    """`invoice pay INV-2026-0002 8970 --from INV-2026-0001`: list, receivables, statement and
    overdue all say £780.00 is owed; interest on 18 days late is on £780.00 only:
    £780.00 × 11.75% × 18 / 365 = £4.52 (interest starts 3 Dec 2026: Bank Rate 3.75% on 30 June
    2026 + 8%), fixed sum £40 (a debt under £1,000)."""
    code, out, err = run_cli("invoice", "pay", "INV-2026-0002", "8970.00", "--from", "INV-2026-0001",
                             "--date", "2026-11-10", books=rebilled)
    assert code == 0, err
    assert out == ("allocated 8970.00 GBP from INV-2026-0001 to INV-2026-0002 on 2026-11-10 in "
                   "clients/acme/allocations.yaml\n")
    a = _accounts(rebilled, date(2026, 12, 20))
    assert a["INV-2026-0001"].outstanding == gbp("0.00")
    assert (a["INV-2026-0002"].outstanding, a["INV-2026-0002"].status) == (gbp("780.00"), "overdue")
    _, out, _ = run_cli("earnings", "receivables", "--as-of", "2026-12-20", "--format", "json", books=rebilled)
    assert json.loads(out)["total"] == "780.00"
    _, out, _ = run_cli("client", "statement", "acme", "--as-of", "2026-12-20", "--format", "json", books=rebilled)
    assert json.loads(out)[-1]["balance"] == "780.00"
    _, out, _ = run_cli("invoice", "overdue", "--as-of", "2026-12-20", "--format", "json", books=rebilled)
    (row,) = json.loads(out)
    assert (row["number"], row["outstanding"], row["rate"], row["interest"], row["fixed_sum"], row["claim"]) == \
        ("INV-2026-0002", "780.00", "11.75%", "4.52", "40.00", "44.52")


def test_an_allocation_can_never_take_more_than_is_on_account(rebilled, run_cli):
    code, _, err = run_cli("invoice", "pay", "INV-2026-0002", "9000.00", "--from", "INV-2026-0001",
                           books=rebilled)
    assert code == 1
    assert err == ("error: INV-2026-0001 holds £8,970.00 on account on 2026-11-22; £9,000.00 cannot be allocated "
                   "from it on 2026-11-22\n")
    assert not (rebilled / "clients/acme/allocations.yaml").exists()


def test_the_credit_note_names_the_money_it_left(rebilled, run_cli):
    """--from the credit note takes the credit it left on the invoice it credits."""
    code, out, err = run_cli("invoice", "pay", "INV-2026-0002", "100.00", "--from", "CN-2026-0001",
                             "--date", "2026-11-10", books=rebilled)
    assert code == 0, err
    assert _accounts(rebilled, date(2026, 11, 10))["INV-2026-0001"].outstanding == gbp("-8870.00")


def test_a_refund_pays_money_on_account_back(rebilled, run_cli):
    code, _, err = run_cli("invoice", "refund", "INV-2026-0001", "8970.00", "--date", "2026-11-12", books=rebilled)
    assert code == 0, err
    a = _accounts(rebilled, date(2026, 11, 12))
    assert a["INV-2026-0001"].outstanding == gbp("0.00")
    assert a["INV-2026-0002"].outstanding == gbp("9750.00")
    code, _, err = run_cli("invoice", "refund", "INV-2026-0001", "0.01", books=rebilled)
    assert code == 1 and "holds £0.00 on account" in err


def test_a_refund_dated_before_the_money_came_is_refused(rebilled, run_cli):
    """INV-2026-0001 was issued on 1 Oct, paid £8,970.00 on 20 Oct and credited on 2 Nov: the
    payment is money on account only from 2 Nov. A refund dated 1 Jan 2026 (which made cash
    earnings of January −£500.00 ÷ 1.2 = −£416.67) is refused, saying what was there that day
    and from when more is; nothing is written."""
    code, _, err = run_cli("invoice", "refund", "INV-2026-0001", "500.00", "--date", "2026-01-01", books=rebilled)
    assert code == 1
    assert err == ("error: INV-2026-0001 holds £0.00 on account on 2026-01-01, and £8,970.00 from 2026-11-02; "
                   "£500.00 cannot be paid back from it on 2026-01-01\n")
    code, _, err = run_cli("invoice", "refund", "INV-2026-0001", "500.00", "--date", "2026-10-25", books=rebilled)
    assert code == 1 and "holds £0.00 on account on 2026-10-25, and £8,970.00 from 2026-11-02" in err
    assert not (rebilled / "clients/acme/refunds.yaml").exists()
    code, _, err = run_cli("invoice", "refund", "INV-2026-0001", "500.00", "--date", "2026-11-02", books=rebilled)
    assert code == 0, err


TWO_ENGAGEMENTS = {"clients/acme/engagements/build.yaml": "title: Build\nbilling: daily\nrate: 1000\n",
                   "clients/acme/engagements/audit.yaml": "title: Audit\nbilling: daily\nrate: 500\n",
                   "clients/acme/timesheets/2026-09.yaml": "- {date: 2026-09-07, engagement: build, hours: 7.5}\n"
                                                          "- {date: 2026-09-08, engagement: audit, hours: 7.5}\n"}


@pytest.fixture
def overpaid(make_books, run_cli):
    """INV-2026-0001 (build): 1 day × £1,000 + VAT £200 = £1,200.00, issued 1 Oct; INV-2026-0002
    (audit): 1 day × £500 + £100 = £600.00, issued 5 Oct. £1,800.00 paid against the first on
    28 Oct: it holds £1,800.00 − £1,200.00 = £600.00 on account from 28 Oct, not before."""
    root = make_books(TWO_ENGAGEMENTS)
    for eng, day in (("build", "2026-10-01"), ("audit", "2026-10-05")):
        code, _, err = run_cli("invoice", "create", "acme", "--period", "2026-09", "--engagement", eng, "--date", day,
                               books=root)
        assert code == 0, err
    code, _, err = run_cli("invoice", "pay", "INV-2026-0001", "1800.00", "--date", "2026-10-28", "--force",
                           books=root)
    assert code == 0, err
    return root


def test_an_allocation_dated_before_the_money_came_is_refused(overpaid, run_cli):
    """£600.00 moved on 10 Oct, before the 28 Oct payment that put it on account: refused, saying
    £0.00 was there on 10 Oct and £600.00 from 28 Oct; on 28 Oct it moves."""
    code, _, err = run_cli("invoice", "pay", "INV-2026-0002", "600.00", "--from", "INV-2026-0001",
                           "--date", "2026-10-10", books=overpaid)
    assert code == 1
    assert err == ("error: INV-2026-0001 holds £0.00 on account on 2026-10-10, and £600.00 from 2026-10-28; "
                   "£600.00 cannot be allocated from it on 2026-10-10\n")
    assert not (overpaid / "clients/acme/allocations.yaml").exists()
    code, _, err = run_cli("invoice", "pay", "INV-2026-0002", "600.00", "--from", "INV-2026-0001",
                           "--date", "2026-10-28", books=overpaid)
    assert code == 0, err
    a = _accounts(overpaid, date(2026, 11, 30))
    assert (a["INV-2026-0001"].outstanding, a["INV-2026-0002"].outstanding) == (gbp("0.00"), gbp("0.00"))


def test_money_moved_out_later_is_not_moved_out_again_earlier(overpaid, run_cli):
    """The £600.00 on account is paid back on 30 Nov. An allocation dated 5 Nov would leave 30 Nov
    £600.00 short (the refund would then pay back money already moved), so it is refused, though
    £600.00 is on account on 5 Nov itself."""
    code, _, err = run_cli("invoice", "refund", "INV-2026-0001", "600.00", "--date", "2026-11-30", books=overpaid)
    assert code == 0, err
    code, _, err = run_cli("invoice", "pay", "INV-2026-0002", "600.00", "--from", "INV-2026-0001",
                           "--date", "2026-11-05", books=overpaid)
    assert code == 1
    assert err == ("error: INV-2026-0001 holds £600.00 on account on 2026-11-05, but only £0.00 of it may leave "
                   "then (refunds or allocations from it dated later need the rest); £600.00 cannot be allocated "
                   "from it on 2026-11-05\n")


def test_check_reports_money_moved_before_it_was_there(overpaid, run_cli):
    """Lines written by hand are judged as the commands judge them: the allocation of 10 Oct
    (before the 28 Oct payment) and a refund of 1 Jan 2026 are errors at their file:line, each
    saying what was there and what to write; the £100.00 of 28 Oct is fine, and leaves
    £600.00 − £100.00 = £500.00 for the others from 28 Oct (so the £550.00 refund must change
    its amount, not only its date)."""
    (overpaid / "clients/acme/allocations.yaml").write_text(
        "# by hand\n"
        "- {date: 2026-10-10, from: INV-2026-0001, to: INV-2026-0002, amount: 400.00}\n"
        "- {date: 2026-10-28, from: INV-2026-0001, to: INV-2026-0002, amount: 100.00}\n")
    (overpaid / "clients/acme/refunds.yaml").write_text(
        "- {date: 2026-01-01, from: INV-2026-0001, amount: 550.00}\n")
    code, out, _ = run_cli("check", books=overpaid)
    assert code == 1
    mine = [ln for ln in out.splitlines() if "allocations.yaml" in ln or "refunds.yaml" in ln]
    assert mine == [
        "clients/acme/allocations.yaml:2:3: date: allocation of £400.00 from INV-2026-0001 dated 2026-10-10, but "
        "INV-2026-0001 held £0.00 on account that day and £500.00 from 2026-10-28: date it 2026-10-28 or later",
        "clients/acme/refunds.yaml:1:3: amount: refund of £550.00 from INV-2026-0001 dated 2026-01-01, but "
        "INV-2026-0001 held £0.00 on account that day, and at most £500.00 from 2026-10-28: correct the amount or "
        "the date"]


def test_an_allocation_to_another_clients_invoice_is_an_error_and_moves_nothing(make_books, run_cli):
    """acme's INV-2026-0001 (1 day × £1,000 + £200 VAT = £1,200.00) is paid in full; beta's
    INV-2026-0002 is $1,000.00 (outside the scope of UK VAT). A hand-written line in acme's
    allocations.yaml moves £5 to beta's invoice. Money cannot move between clients (nor
    currencies): the line is an error at its file:line saying what to write, and it moves nothing
    anywhere — acme's invoice stays paid (it once showed £5.00 owed, and cash income £1,000.00 −
    £5.00 ÷ 1.2 = £995.83, while beta's account never saw the £5)."""
    root = make_books({
        "clients/acme/engagements/build.yaml": "title: Build\nbilling: daily\nrate: 1000\n",
        "clients/acme/timesheets/2026-09.yaml": "- {date: 2026-09-07, engagement: build, hours: 7.5}\n",
        "clients/beta/client.yaml": "name: Beta Inc\naddress: x\ncountry: US\ncurrency: USD\nbusiness_evidence: EIN\n"
                                    "tax: outside_scope\n",
        "clients/beta/engagements/build.yaml": "title: Build\nbilling: daily\nrate: 1000\n",
        "clients/beta/timesheets/2026-09.yaml": "- {date: 2026-09-08, engagement: build, hours: 7.5}\n"})
    for client in ("acme", "beta"):
        assert run_cli("invoice", "create", client, "--period", "2026-09", "--date", "2026-10-01", books=root)[0] == 0
    assert run_cli("invoice", "pay", "INV-2026-0001", "1200.00", "--date", "2026-10-20", books=root)[0] == 0
    (root / "clients/acme/allocations.yaml").write_text(
        "- {date: 2026-10-25, from: INV-2026-0001, to: INV-2026-0002, amount: 5}\n")
    code, out, _ = run_cli("check", books=root)
    assert code == 1
    assert ("clients/acme/allocations.yaml:1:3: to: INV-2026-0002 was issued to 'beta', not 'acme': money on "
            "account moves only between one client's invoices, so this line moves nothing. Write `to:` as one of "
            "acme's own documents (acme's latest: INV-2026-0001); to pass money to beta, pay it back (consult "
            "invoice refund) and record beta's payment in clients/beta/payments.yaml") in out.splitlines()
    _, out, _ = run_cli("invoice", "list", "--format", "json", "--as-of", "2026-11-30", books=root)
    assert [(r["number"], r["outstanding"], r["status"]) for r in json.loads(out)] == [
        ("INV-2026-0001", "0.00", "paid"), ("INV-2026-0002", "1000.00", "overdue")]
    _, out, _ = run_cli("earnings", "2026", "--basis", "cash", "--format", "json", books=root)
    assert json.loads(out)["totals"]["income"] == "1000.00"


def test_an_allocation_that_names_a_credit_note_as_its_target_moves_nothing(rebilled, run_cli):
    """`to:` a credit note (CN-2026-0001) would once take £100 from INV-2026-0001 and put it
    nowhere: now an error, and INV-2026-0001 still holds all £8,970.00."""
    (rebilled / "clients/acme/allocations.yaml").write_text(
        "- {date: 2026-11-10, from: INV-2026-0001, to: CN-2026-0001, amount: 100}\n")
    code, out, _ = run_cli("check", books=rebilled)
    assert code == 1
    assert ("clients/acme/allocations.yaml:1:3: to: CN-2026-0001 is a credit note; `to:` is the invoice the money "
            "settles (acme's latest: INV-2026-0001, INV-2026-0002)") in out.splitlines()
    assert _accounts(rebilled, date(2026, 11, 30))["INV-2026-0001"].outstanding == gbp("-8970.00")


def test_cash_basis_income_follows_the_money_to_the_invoice_it_settles(rebilled, run_cli):
    """Cash basis, 2026: £8,970.00 received on 20 Oct (split by INV-2026-0001's 20% VAT: net
    £7,475.00), then moved to INV-2026-0002 on 10 Nov — out of one invoice, into another at the
    same 20%: net stays £7,475.00, VAT £1,495.00."""
    run_cli("invoice", "pay", "INV-2026-0002", "8970.00", "--from", "INV-2026-0001", "--date", "2026-11-10",
            books=rebilled)
    _, out, err = run_cli("earnings", "2026", "--basis", "cash", "--format", "json", books=rebilled)
    totals = json.loads(out)["totals"]
    assert (totals["income"], totals["vat_charged"]) == ("7475.00", "1495.00"), err


# --------------------------------------------------------------------------------------------
# write-offs
# --------------------------------------------------------------------------------------------
HAFEN = """\
name: Hafen Logistik GmbH
address: |
  Am Sandtorkai 1
  20457 Hamburg
country: DE
currency: EUR
locale: de_DE
vat_number: DE136695976
tax: reverse_charge
"""


@pytest.fixture
def hafen(make_books, run_cli):
    """One day at €922.50, reverse charge (no VAT): €922.50, of which the client's bank sent €915.00."""
    root = make_books({"clients/hafen/client.yaml": HAFEN,
                       "clients/hafen/engagements/audit.yaml": "title: Audit\nbilling: daily\nrate: 922.50\n",
                       "clients/hafen/timesheets/2026-10.yaml": "- {date: 2026-10-05, engagement: audit, hours: 7.5}\n"})
    assert run_cli("invoice", "create", "hafen", "--period", "2026-10", "--date", "2026-11-02", books=root)[0] == 0
    assert run_cli("invoice", "pay", "INV-2026-0001", "915.00", "--date", "2026-11-20", books=root)[0] == 0
    return root


def test_bank_charges_are_written_off_without_a_document(hafen, run_cli):
    """€922.50 − €915.00 = €7.50 left for ever, until written off: then paid, and a cost."""
    assert _accounts(hafen, date(2026, 12, 31))["INV-2026-0001"].outstanding == Money.of("7.50", "EUR")
    code, out, err = run_cli("invoice", "writeoff", "INV-2026-0001", "7.50", "--reason", "bank charges",
                             "--category", "financeCharges", "--date", "2026-11-21", books=hafen)
    assert code == 0, err
    a = _accounts(hafen, date(2026, 12, 31))["INV-2026-0001"]
    assert (a.outstanding, a.status, a.written_off) == (Money.of("0.00", "EUR"), "paid", Money.of("7.50", "EUR"))
    assert not list((hafen / "clients/hafen/invoices").glob("CN-*"))  # nothing sent to the client
    _, out, _ = run_cli("earnings", "2026", "--currency", "EUR", "--format", "json", books=hafen)
    (cat,) = json.loads(out)["costs_by_category"]
    assert (cat["category"], cat["amount"]) == ("financeCharges", "7.50")


def test_no_more_than_is_outstanding_can_be_written_off(hafen, run_cli):
    code, _, err = run_cli("invoice", "writeoff", "INV-2026-0001", "7.51", "--reason", "x", books=hafen)
    assert code == 1 and "has 7,50\xa0€ outstanding; 7,51\xa0€ cannot be written off" in err


# --------------------------------------------------------------------------------------------
# credit notes to the penny
# --------------------------------------------------------------------------------------------
@pytest.fixture
def penny(make_books, run_cli):
    """One day at £1,000.04: VAT 20% = £200.008 → £200.01; total £1,200.05."""
    root = make_books({"clients/acme/engagements/build.yaml": "title: Build\nbilling: daily\nrate: 1000.04\n",
                       "clients/acme/timesheets/2026-10.yaml": "- {date: 2026-10-05, engagement: build, hours: 7.5}\n"})
    code, out, err = run_cli("invoice", "create", "acme", "--period", "2026-10", "--date", "2026-11-02", books=root)
    assert code == 0 and "VAT £200.01  total £1,200.05" in out, err
    return root


def test_two_half_credits_clear_the_invoice_to_the_penny(penny, run_cli):
    """£500.02 net twice: the first at 20% is £100.004 → £100.00 VAT; the second is all the net
    that remains, so it credits all the VAT that remains, £100.01. Nothing left: credited."""
    code, out, _ = run_cli("invoice", "credit", "INV-2026-0001", "--amount", "500.02", "--reason", "half",
                           "--date", "2026-11-05", books=penny)
    assert out.startswith("CN-2026-0001  credits INV-2026-0001  net £500.02  VAT £100.00  total £600.02")
    code, out, _ = run_cli("invoice", "credit", "INV-2026-0001", "--amount", "500.02", "--reason", "other half",
                           "--date", "2026-11-05", books=penny)
    assert out.startswith("CN-2026-0002  credits INV-2026-0001  net £500.02  VAT £100.01  total £600.03")
    a = _accounts(penny, date(2026, 11, 30))["INV-2026-0001"]
    assert (a.outstanding, a.status) == (gbp("0.00"), "credited")
    code, _, err = run_cli("invoice", "credit", "INV-2026-0001", "--reason", "again", books=penny)
    assert code == 1 and "credited in full already" in err
    _, out, _ = run_cli("earnings", "2026", "--format", "json", books=penny)
    totals = json.loads(out)["totals"]
    assert (totals["income"], totals["vat_charged"]) == ("0.00", "0.00")


def test_a_credit_for_the_rest_credits_exactly_the_rest(penny, run_cli):
    """After £300.00 net (VAT £60.00), a credit with no amount credits £700.04 + £140.01."""
    run_cli("invoice", "credit", "INV-2026-0001", "--amount", "300", "--reason", "part", books=penny)
    code, out, _ = run_cli("invoice", "credit", "INV-2026-0001", "--reason", "the rest", books=penny)
    assert out.startswith("CN-2026-0002  credits INV-2026-0001  net £700.04  VAT £140.01  total £840.05")


def test_two_half_credits_never_credit_more_sterling_vat_than_the_invoice_carried(make_books, run_cli):
    """A UK client billed in euros: one day at €12,167.60, VAT 20% = €2,433.52, in sterling at
    HMRC's November rate 0.83822297 (EUR 1.1930 per £1): €2,433.52 × 0.83822297 = £2,039.8324
    → £2,039.83. Half of the net, €6,083.80, carries €1,216.76 VAT; at the invoice's rate
    £1,019.9162 → £1,019.92. The second half is all that remains, so it takes the rest:
    £2,039.83 − £1,019.92 = £1,019.91 (not £1,019.92 again, which credited £2,039.84 and left
    VAT box 1 at −£0.01). The two credits carry £2,039.83, exactly the invoice's."""
    root = make_books({"clients/acme/client.yaml": "name: Expat Ltd\naddress: x\ncountry: GB\ncurrency: EUR\n",
                       "clients/acme/engagements/build.yaml": "title: T\nbilling: daily\nrate: 12167.60\n",
                       "clients/acme/timesheets/t.yaml": "- {date: 2026-10-01, engagement: build, days: 1}\n"})
    code, out, err = run_cli("invoice", "create", "acme", "--period", "2026-10", "--date", "2026-11-02", books=root)
    assert code == 0, err
    _, out, _ = run_cli("invoice", "show", "INV-2026-0001", books=root)
    assert "VAT in sterling £2,039.83 at 0.83822297" in out
    for day in ("2026-12-05", "2026-12-06"):
        code, out, err = run_cli("invoice", "credit", "INV-2026-0001", "--amount", "6083.80", "--reason", "half",
                                 "--date", day, books=root)
        assert code == 0, err
    shows = [run_cli("invoice", "show", n, books=root)[1] for n in ("CN-2026-0001", "CN-2026-0002")]
    assert "VAT in sterling £1,019.92 at 0.83822297" in shows[0]
    assert "VAT in sterling £1,019.91 at 0.83822297" in shows[1]
    invoices, _ = load_invoices(root)
    cns = [i for i in invoices if i.is_credit_note]
    assert Money.total((c.vat_gbp for c in cns if c.vat_gbp), "GBP") == gbp("2039.83")
    assert Money.total((c.vat for c in cns), "EUR") == Money.of("2433.52", "EUR")


def test_partial_credits_never_take_more_sterling_vat_than_is_left(make_books):
    """The cap on its own, where each part rounds up: A$0.25 net + A$0.05 VAT, in sterling at
    0.55: A$0.05 × 0.55 = £0.0275 → £0.03. Five credits of A$0.05 net carry A$0.01 VAT each,
    at the rate £0.0055 → £0.01: the first three take £0.01 each, which is all the sterling VAT
    there was; the fourth is capped at the £0.00 left; the fifth credits what remains (A$0.01
    VAT, and the £0.00 sterling left). In all £0.03, never £0.05."""
    from dataclasses import replace

    from consult.invoices.credit import build_credit_note
    from consult.invoices.record import Invoice, Party

    root = make_books({"clients/acme/client.yaml": "name: Expat Ltd\naddress: x\ncountry: GB\ncurrency: AUD\n"})
    books = open_books(root, timesheets=False)

    def aud(x: str) -> Money:
        return Money.of(x, "AUD")

    inv = Invoice(number="INV-2026-0001", kind="invoice", client="acme", issue_date=date(2026, 11, 2),
                  tax_point=date(2026, 11, 2), supply_start=date(2026, 10, 1), supply_end=date(2026, 10, 31),
                  due_date=date(2026, 12, 2), currency="AUD", locale="en_GB", seller=Party("S"), buyer=Party("B"),
                  lines=(), net=aud("0.25"), vat=aud("0.05"), total=aud("0.30"), tax_treatment="standard",
                  vat_rate=Decimal(20), vat_rounding="half_up", payment_terms_days=30, vat_gbp=gbp("0.03"),
                  gbp_rate=Decimal("0.55"))
    done: list[Invoice] = [inv]
    got = []
    for n, amount in enumerate((Decimal("0.05"),) * 4 + (None,), start=1):
        cn = build_credit_note(books, done, "INV-2026-0001", reason="x", issued=date(2026, 11, 5), amount=amount)
        done.append(replace(cn, number=f"CN-2026-000{n}"))
        got.append((cn.net, cn.vat, cn.vat_gbp))
    assert got == [(aud("0.05"), aud("0.01"), gbp("0.01"))] * 3 + [(aud("0.05"), aud("0.01"), gbp("0.00"))] * 2


def test_a_credit_note_names_its_invoice_and_date_is_listed_and_has_no_due_date(penny, run_cli):
    run_cli("invoice", "credit", "INV-2026-0001", "--amount", "100", "--reason", "discount", "--date",
            "2026-11-05", books=penny)
    _, out, _ = run_cli("invoice", "show", "CN-2026-0001", books=penny)
    assert "credits invoice INV-2026-0001 of 2026-11-02: discount" in out
    assert "due" not in out
    _, out, _ = run_cli("invoice", "list", "--format", "json", books=penny)
    rows = json.loads(out)
    assert [(r["number"], r["kind"], r["status"]) for r in rows] == [
        ("INV-2026-0001", "invoice", "unpaid"), ("CN-2026-0001", "credit note", "credits INV-2026-0001")]
    assert rows[1]["total"] == "-120.00" and rows[1]["due"] is None


# --------------------------------------------------------------------------------------------
# late payment
# --------------------------------------------------------------------------------------------
def test_the_rate_is_fixed_on_the_day_interest_starts():
    """Due 30 June 2025: interest starts 1 July 2025, so the 30 June 2025 reference (4.25%) plus
    8% = 12.25% — not the 31 December 2024 one (4.75%, 12.75%) the due date's month would pick."""
    table = reference_rates()
    assert reference_day(date(2025, 6, 30)) == date(2025, 6, 30)
    assert reference_for(date(2025, 6, 30), table).bank_rate + 8 == Decimal("12.25")
    assert reference_day(date(2025, 12, 31)) == date(2025, 12, 31)
    assert reference_day(date(2025, 6, 29)) == date(2024, 12, 31)


@pytest.fixture
def paid_late(make_books, run_cli):
    """One day at £1,000 + VAT £200 = £1,200.00, issued 1 Oct, due 31 Oct, paid 15 Dec 2026."""
    root = make_books({"clients/acme/engagements/build.yaml": "title: Build\nbilling: daily\nrate: 1000\n",
                       "clients/acme/timesheets/2026-09.yaml": "- {date: 2026-09-07, engagement: build, hours: 7.5}\n"})
    run_cli("invoice", "create", "acme", "--period", "2026-09", "--date", "2026-10-01", books=root)
    run_cli("invoice", "pay", "INV-2026-0001", "1200.00", "--date", "2026-12-15", books=root)
    return root


def test_a_claim_outlives_a_late_payment(paid_late, run_cli):
    """45 days late (1 Nov–15 Dec): £1,200.00 × 11.75% × 45 / 365 = £17.38; fixed sum £70 (a debt
    from £1,000 to £9,999.99): £87.38 may still be claimed after the invoice is paid."""
    _, out, _ = run_cli("invoice", "overdue", "--as-of", "2027-01-10", "--format", "json", books=paid_late)
    assert json.loads(out) == []
    _, out, _ = run_cli("invoice", "overdue", "--claims", "--as-of", "2027-01-10", "--format", "json", books=paid_late)
    (row,) = json.loads(out)
    assert (row["status"], row["interest_to"], row["days_late"], row["interest"], row["fixed_sum"], row["claim"]) == \
        ("paid", "2026-12-15", 45, "17.38", "70.00", "87.38")


def test_the_act_turns_on_the_contract_not_the_currency(make_books):
    """A UK client billed in euros is still under the Act: €5,000.00 due 30 Sep 2026, unpaid on
    30 Nov: interest in euros (€5,000.00 × 11.75% × 61 / 365 = €98.18), fixed sum in pounds by
    the debt's sterling value on 1 Oct (over £1,000: £70)."""
    from consult.invoices.accounts import Account
    from consult.invoices.record import Invoice, Party

    root = make_books({"clients/acme/client.yaml": "name: Acme\naddress: x\ncountry: GB\ncurrency: EUR\n"})
    books = open_books(root, timesheets=False)
    eur = Money.of("5000.00", "EUR")
    inv = Invoice(number="INV-2026-0001", kind="invoice", client="acme", issue_date=date(2026, 8, 31),
                  tax_point=date(2026, 8, 31), supply_start=date(2026, 8, 1), supply_end=date(2026, 8, 31),
                  due_date=date(2026, 9, 30), currency="EUR", locale="en_GB", seller=Party("S"), buyer=Party("B"),
                  lines=(), net=eur, vat=Money.zero("EUR"), total=eur, tax_treatment="outside_scope", vat_rate=None,
                  vat_rounding="half_up", payment_terms_days=30)
    (acct,) = accounts([inv], Moves(), date(2026, 11, 30))
    assert isinstance(acct, Account) and acct.status == "overdue"
    claim = late_claim(acct, books.clients["acme"], date(2026, 11, 30), reference_rates())
    assert (claim.rate, claim.interest, claim.fixed_sum) == (Decimal("11.75"), Money.of("98.18", "EUR"), gbp("70"))


def test_a_client_under_its_own_contract_terms_is_claimed_nothing(make_books, run_cli):
    root = make_books({"clients/acme/client.yaml": "name: Acme\naddress: x\ncountry: GB\nlate_payment: contract\n",
                       "clients/acme/timesheets/2026-09.yaml": "- {date: 2026-09-07, engagement: build, hours: 7.5}\n"})
    run_cli("invoice", "create", "acme", "--period", "2026-09", "--date", "2026-10-01", books=root)
    _, out, _ = run_cli("invoice", "overdue", "--as-of", "2026-12-01", "--format", "json", books=root)
    (row,) = json.loads(out)
    assert (row["rate"], row["interest"], row["claim"]) == ("n/a (the contract sets the remedy)", None, None)


def test_reminders_are_polite_then_formal_with_the_figures(run_cli, make_books):
    """Unpaid at 10 days: a polite reminder; at 45 days: a formal claim with interest to date
    (£1,200.00 × 11.75% × 45 / 365 = £17.38), what it adds a day (£0.39), and the £70 sum."""
    root = make_books({"clients/acme/engagements/build.yaml": "title: Build\nbilling: daily\nrate: 1000\n",
                       "clients/acme/timesheets/2026-09.yaml": "- {date: 2026-09-07, engagement: build, hours: 7.5}\n",
                       "clients/acme/client.yaml": "name: Acme Ltd\ncontact: Sam Patel\naddress: x\ncountry: GB\n"})
    run_cli("invoice", "create", "acme", "--period", "2026-09", "--date", "2026-10-01", books=root)
    _, out, _ = run_cli("invoice", "remind", "INV-2026-0001", "--as-of", "2026-11-10", books=root)
    assert out.startswith("Reminder: invoice INV-2026-0001, £1,200.00 overdue\n\nDear Sam Patel,\n")
    assert "is now 10 days overdue" in out
    code, out, err = run_cli("invoice", "remind", "INV-2026-0001", "--as-of", "2026-12-15", "--pdf",
                             str(root.parent / "r.pdf"), books=root)
    assert code == 0, err
    assert "Despite earlier reminders" not in out  # the books record no reminders sent
    assert ("I am writing about invoice INV-2026-0001 of 1 October 2026 for £1,200.00, due on 31 October 2026, "
            "which remains unpaid: it is now 45 days overdue.") in out
    assert "statutory interest on this debt at 11.75% a year" in out
    assert "£17.38 to 15 December 2026, adding £0.39 a day" in out
    assert "fixed compensation of £70.00" in out
    assert "£1,287.38 in all" in out
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(root.parent / "r.pdf").pages)
    assert "£1,287.38" in text and "Late Payment of Commercial Debts" in text


# --------------------------------------------------------------------------------------------
# exchange rates and statements
# --------------------------------------------------------------------------------------------
def test_a_rate_ten_times_too_big_is_refused_naming_both(make_books, run_cli):
    root = make_books({"clients/acme/client.yaml": "name: A\naddress: x\ncountry: US\ncurrency: USD\n"
                                                  "business_evidence: EIN\ntax: outside_scope\n",
                       "clients/acme/timesheets/2026-09.yaml": "- {date: 2026-09-07, engagement: build, hours: 7.5}\n"})
    run_cli("invoice", "create", "acme", "--period", "2026-09", "--date", "2026-10-01", books=root)
    code, _, err = run_cli("invoice", "pay", "INV-2026-0001", "650", "--fx-rate", "7.455", "--date", "2026-10-20",
                           books=root)
    assert code == 2
    assert err.startswith("error: --fx-rate: 7.455 GBP per USD is more than 10% away from the reference rate 0.7")
    assert "ECB 2026-10-20" in err and err.rstrip().endswith("use --force if it is right")
    code, _, _ = run_cli("invoice", "pay", "INV-2026-0001", "650", "--fx-rate", "7.455", "--date", "2026-10-20",
                         "--force", books=root)
    assert code == 0
    code, out, _ = run_cli("check", books=root)
    assert "payments.yaml:2:3: warning: fx_rate: 7.455 GBP per USD is more than 10% away" in out


def test_a_statement_runs_a_balance_and_brings_it_forward(rebilled, run_cli):
    """From 1 Nov: brought forward £0.00 (£8,970.00 invoiced and paid in October); then the
    credit note (−£8,970.00) and the new invoice (+£9,750.00): £780.00. The £8,970.00 on account
    on INV-2026-0001 is applied to INV-2026-0002 before ageing it, so the ageing says what the
    client owes — £9,750.00 − £8,970.00 = £780.00 not yet due (INV-2026-0002 is due 2 Dec) —
    not £9,750.00."""
    _, out, _ = run_cli("client", "statement", "acme", "--from", "2026-11-01", "--as-of", "2026-11-30", books=rebilled)
    assert "balance brought forward" in out and "£0.00" in out
    assert "Acme Ltd owes £780.00" in out
    assert ("ageing (days past due): not yet due £780.00, 1-30 days £0.00, 31-60 days £0.00, 61-90 days £0.00, "
            "over 90 days £0.00") in out
    assert "£9,750.00" not in out.split("ageing")[1]


def test_every_format_of_a_statement_carries_the_same_rows(hafen, run_cli):
    """Hafen: €922.50 invoiced 2 Nov, €915.00 received 20 Nov, €7.50 written off on 21 Nov. From
    21 Nov the CSV and JSON start, like the table, with the €7.50 brought forward (once they
    started with the write-off and a balance of 0.00 out of nowhere); the write-off reads
    "written off: bank charges", once."""
    run_cli("invoice", "writeoff", "INV-2026-0001", "7.50", "--reason", "bank charges", "--date", "2026-11-21",
            books=hafen)
    args = ("client", "statement", "hafen", "--from", "2026-11-21", "--as-of", "2026-11-30")
    _, out, _ = run_cli(*args, "--format", "csv", books=hafen)
    assert out.splitlines() == [
        "currency,date,kind,document,details,charges,credits,balance",
        "EUR,2026-11-21,brought forward,,balance brought forward,,,7.50",
        "EUR,2026-11-21,written off,INV-2026-0001,bank charges,,7.50,0.00"]
    _, out, _ = run_cli(*args, "--format", "json", books=hafen)
    assert [(r["kind"], r["details"], r["balance"]) for r in json.loads(out)] == [
        ("brought forward", "balance brought forward", "7.50"), ("written off", "bank charges", "0.00")]
    _, out, _ = run_cli(*args, books=hafen)
    assert "balance brought forward" in out and "written off: bank charges" in out
    assert "written off: written off" not in out


def test_a_statement_from_after_its_date_is_refused(hafen, run_cli):
    code, _, err = run_cli("client", "statement", "hafen", "--from", "2026-12-01", "--as-of", "2026-11-30",
                           books=hafen)
    assert code == 2
    assert err == ("error: --from 2026-12-01 is after --as-of 2026-11-30: a statement runs from its first day to "
                   "its date; give a --from on or before --as-of\n")


def test_money_on_account_pays_the_oldest_debt_first_in_the_ageing(make_books, run_cli):
    """Three invoices for September work: INV-2026-0001 (build) £1,200.00 issued 1 Oct, paid
    20 Oct, credited in full 2 Nov — £1,200.00 on account; INV-2026-0002 (audit) 1 day × £500 +
    VAT = £600.00 issued 5 Oct, due 4 Nov; INV-2026-0003 (review) 1 day × £750 + VAT = £900.00
    issued 2 Nov, due 2 Dec. On 20 Dec the client owes −£1,200.00 + £600.00 + £900.00 = £300.00.
    Oldest debt first, the £1,200.00 clears INV-2026-0002 (46 days late) and £600.00 of
    INV-2026-0003, leaving £300.00 of it, 18 days late: "1-30 days £300.00", nothing in 31-60
    (newest first would have left £300.00 of INV-2026-0002 there)."""
    root = make_books({**TWO_ENGAGEMENTS,
                       "clients/acme/engagements/review.yaml": "title: Review\nbilling: daily\nrate: 750\n",
                       "clients/acme/timesheets/2026-09.yaml": TWO_ENGAGEMENTS["clients/acme/timesheets/2026-09.yaml"]
                       + "- {date: 2026-09-09, engagement: review, hours: 7.5}\n"})
    for eng, day in (("build", "2026-10-01"), ("audit", "2026-10-05"), ("review", "2026-11-02")):
        code, _, err = run_cli("invoice", "create", "acme", "--period", "2026-09", "--engagement", eng, "--date", day,
                               books=root)
        assert code == 0, err
    assert run_cli("invoice", "pay", "INV-2026-0001", "1200.00", "--date", "2026-10-20", books=root)[0] == 0
    assert run_cli("invoice", "credit", "INV-2026-0001", "--reason", "x", "--date", "2026-11-02", books=root)[0] == 0
    books = open_books(root, timesheets=False)
    from consult.invoices.statement import statements

    (st,) = statements(books, load_invoices(root)[0], "acme", date(2026, 12, 20))
    assert st.closing == gbp("300.00")
    assert [(i.number, i.outstanding, i.owed, i.bucket) for i in st.open_items] == [
        ("INV-2026-0003", gbp("900.00"), gbp("300.00"), "1-30 days")]
    assert st.ageing == {"not yet due": gbp("0"), "1-30 days": gbp("300.00"), "31-60 days": gbp("0"),
                         "61-90 days": gbp("0"), "over 90 days": gbp("0")}
    assert Money.total(st.ageing.values(), "GBP") == st.closing
