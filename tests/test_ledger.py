"""Where an invoice stands: invoiced − credited − received − withheld = outstanding; status derived."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from consult.core.money import Money
from consult.core.records import Payment
from consult.errors import Source
from consult.invoices.accounts import account, accounts, reconcile
from consult.invoices.record import Invoice, Party


def inv(number="INV-2026-0001", total="14430.00", cur="GBP", issued=date(2026, 11, 1), due=date(2026, 12, 1),
        client="acme", kind="invoice", credits=None) -> Invoice:
    t = Money.of(total, cur)
    return Invoice(number, kind, client, issued, issued, date(2026, 10, 1), date(2026, 10, 31), due, cur, "en_GB",
                   Party("Seller"), Party("Buyer"), (), t, Money.zero(cur), t, "standard", D(20), "half_up", 30,
                   credits=credits)


def pay(amount, on, number="INV-2026-0001", cur="GBP", withheld=None, client="acme", line=1) -> Payment:
    return Payment(client, on, number, Money.of(amount, cur), None,
                   Money.of(withheld, cur) if withheld else None, None, Source("clients/acme/payments.yaml", line))


def gbp(x):
    return Money.of(x, "GBP")


def test_unpaid_before_due_date():
    """Nothing received, not yet due: £14,430.00 outstanding, unpaid, 0 days late."""
    a = account(inv(), [], [], date(2026, 11, 22))
    assert (a.outstanding, a.status, a.days_late) == (gbp("14430.00"), "unpaid", 0)


def test_part_paid_then_overdue():
    """£10,000 paid of £14,430.00 leaves £4,430.00: part-paid on 22 Nov, overdue 21 days on 22 Dec."""
    pays = [pay("10000.00", date(2026, 11, 20))]
    a = account(inv(), pays, [], date(2026, 11, 22))
    assert (a.received, a.outstanding, a.status) == (gbp(10000), gbp(4430), "part-paid")
    a = account(inv(), pays, [], date(2026, 12, 22))
    assert (a.status, a.days_late) == ("overdue", 21)


def test_tax_withheld_settles_its_share():
    """₹6,91,892.00 less 10% TDS: ₹6,22,702.80 received + ₹69,189.20 withheld = paid, nothing outstanding."""
    i = inv(total="691892.00", cur="INR")
    a = account(i, [pay("622702.80", date(2026, 12, 10), cur="INR", withheld="69189.20")], [], date(2026, 12, 31))
    assert (a.received, a.withheld) == (Money.of("622702.80", "INR"), Money.of("69189.20", "INR"))
    assert (a.outstanding, a.status) == (Money.zero("INR"), "paid")


def test_credit_note_for_the_whole_invoice_marks_it_credited():
    """A credit note of the full £14,430.00: credited, nothing outstanding, never overdue."""
    cn = inv("CN-2026-0001", kind="credit_note", credits="INV-2026-0001", issued=date(2026, 11, 5))
    (a,) = accounts([inv(), cn], [], date(2027, 3, 1))
    assert (a.credited, a.outstanding, a.status, a.days_late) == (gbp(14430), gbp(0), "credited", 0)


def test_partial_credit_and_payment_add_up():
    """£14,430.00 − £780.00 credited − £13,000.00 received = £650.00 outstanding."""
    cn = inv("CN-2026-0001", total="780.00", kind="credit_note", credits="INV-2026-0001", issued=date(2026, 11, 5))
    (a,) = accounts([inv(), cn], [pay("13000.00", date(2026, 11, 30))], date(2026, 11, 30))
    assert (a.credited, a.received, a.outstanding, a.status) == (gbp(780), gbp(13000), gbp(650), "part-paid")


def test_later_payments_are_ignored_as_of_an_earlier_date():
    """As of 25 Nov a payment dated 28 Nov has not happened yet."""
    a = account(inv(), [pay("14430.00", date(2026, 11, 28))], [], date(2026, 11, 25))
    assert (a.received, a.status) == (gbp(0), "unpaid")


def test_overpayment_shows_a_negative_outstanding():
    """£14,500 received against £14,430.00: −£70.00 outstanding, status paid."""
    a = account(inv(), [pay("14500.00", date(2026, 11, 28))], [], date(2026, 11, 30))
    assert (a.outstanding, a.status) == (gbp(-70), "paid")


def test_accounts_skip_invoices_issued_later_and_sort_by_date():
    """Only invoices issued by the date count, oldest first; credit notes are folded in, not listed."""
    later = inv("INV-2026-0003", issued=date(2026, 12, 1))
    early = inv("INV-2026-0002", issued=date(2026, 10, 1))
    got = accounts([later, inv(), early], [], date(2026, 11, 15))
    assert [a.number for a in got] == ["INV-2026-0002", "INV-2026-0001"]


def test_reconcile_names_each_bad_payment():
    """Unknown invoice, another client's invoice, another currency: one problem each, at its line."""
    invs = [inv(), inv("INV-2026-0002", client="hafen", cur="EUR")]
    problems = reconcile(invs, [pay("1", date(2026, 11, 2), number="INV-2026-0009", line=1),
                                pay("1", date(2026, 11, 2), number="INV-2026-0002", line=2),
                                pay("1", date(2026, 11, 2), cur="EUR", line=3)])
    assert [(p.source.line, p.field) for p in problems] == [(1, "invoice"), (2, "invoice"), (3, "currency")]
    assert problems[0].message == ("payment for 'INV-2026-0009', but no such invoice was issued "
                                   "(this client's latest: INV-2026-0001)")
    assert "record the payment in clients/hafen/payments.yaml" in problems[1].message
