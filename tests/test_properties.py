"""Properties that must hold for every input, not just the worked examples (hypothesis).

* the duration parser reads back every duration consult prints, in every form it accepts;
* money arithmetic never drifts: lines sum to the net, net + VAT is the total, and a ledger
  account always satisfies invoiced − credited − received − withheld = outstanding;
* an issued record read back from its YAML is the invoice that was written;
* totals agree whichever way they are grouped (by client, by month, all at once).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.core.durations import DAY_MINUTES, format_hm, hours_to_minutes, parse_duration
from consult.core.money import Money, minor_unit
from consult.core.records import Payment
from consult.invoices.accounts import account, accounts
from consult.invoices.record import BilledEntry, BilledPeriod, Invoice, InvoiceLine, Party, to_record
from consult.invoices.store import read_record

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CURRENCIES = ("GBP", "EUR", "USD", "INR", "JPY", "BHD")  # 2, 2, 2, 2, 0 and 3 minor digits

minutes_in_a_day = st.integers(min_value=0, max_value=DAY_MINUTES)


# ------------------------------------------------------------------------------------------
# durations
# ------------------------------------------------------------------------------------------
class TestDurationRoundTrip:
    @FAST
    @given(minutes_in_a_day)
    def test_h_mm_as_printed_reads_back_to_the_same_minutes(self, minutes):
        """Whatever `format_hm` prints (7:30), the parser reads back as the same minutes."""
        assert parse_duration(format_hm(minutes)) == minutes

    @FAST
    @given(minutes_in_a_day)
    def test_hours_and_minutes_form_reads_back(self, minutes):
        """`7h30m`, `7h` and `30m` forms give the minutes they spell."""
        h, m = divmod(minutes, 60)
        text = f"{h}h{m}m" if h and m else (f"{h}h" if h else f"{m}m")
        assert parse_duration(text) == minutes

    @FAST
    @given(minutes_in_a_day)
    def test_plain_minutes_read_back(self, minutes):
        """`90m` is 90 minutes for every whole number of minutes in a day."""
        assert parse_duration(f"{minutes}m") == minutes

    @FAST
    @given(st.decimals(min_value=0, max_value=24, places=2))
    def test_decimal_hours_round_half_up_to_the_minute(self, hours):
        """`7.25` and `7.25h` are hours taken to the nearest minute, half up, never float."""
        expected = int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        assert parse_duration(f"{hours}") == expected == parse_duration(f"{hours}h")
        assert hours_to_minutes(hours) == expected

    @FAST
    @given(minutes_in_a_day, st.sampled_from(["7.5", "8", "6.25"]))
    def test_days_form_uses_the_engagement_day(self, minutes, hpd):
        """`0.5d` is half of the engagement's hours_per_day, never half of 24 h."""
        days = (Decimal(minutes) / (Decimal(hpd) * 60)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        got = parse_duration(f"{days}d", Decimal(hpd))
        assert got == hours_to_minutes(days * Decimal(hpd))
        assert got <= minutes

    @FAST
    @given(st.integers(min_value=DAY_MINUTES + 1, max_value=100 * DAY_MINUTES))
    def test_nothing_over_a_day_is_accepted(self, minutes):
        """More than 24 h in one entry is refused in every form."""
        import pytest

        from consult.core.durations import DurationError

        for text in (format_hm(minutes), f"{minutes}m"):
            with pytest.raises(DurationError, match="more than 24 hours"):
                parse_duration(text)


# ------------------------------------------------------------------------------------------
# money: invoices built from random lines
# ------------------------------------------------------------------------------------------
def _amount(currency: str, max_units: int = 100_000):
    places = minor_unit(currency)
    return st.integers(min_value=1, max_value=max_units * 10**places).map(
        lambda n: Money(Decimal(n).scaleb(-places), currency))


@st.composite
def invoices(draw, currency: str | None = None, client: str = "acme", number: str = "INV-2026-0001"):
    """A random but internally consistent invoice, as invoicing builds one."""
    cur = currency or draw(st.sampled_from(CURRENCIES))
    n = draw(st.integers(min_value=1, max_value=12))
    lines = []
    for i in range(n):
        qty = draw(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("40"), places=3))
        price = draw(_amount(cur, 2000))
        lines.append(InvoiceLine(f"Line {i} — R&D <Labs>", qty, "day", price, price.times(qty)))
    net = Money.total((ln.net for ln in lines), cur)
    rate = draw(st.sampled_from([None, Decimal(20), Decimal(5), Decimal("17.5")]))
    rounding = draw(st.sampled_from(["half_up", "down"]))
    vat = Money.zero(cur) if rate is None else net.percent(
        rate, ROUND_HALF_UP if rounding == "half_up" else ROUND_DOWN)
    issued = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 300)))
    return Invoice(
        number=number, kind="invoice", client=client, issue_date=issued, tax_point=issued,
        supply_start=issued - timedelta(days=30), supply_end=issued - timedelta(days=1),
        due_date=issued + timedelta(days=30), currency=cur, locale="en_GB",
        seller=Party("Test Practice Ltd", ("1 Test Street", "London"), "GB", vat_number="GB980780684"),
        buyer=Party("Acme & Sons <UK>", ("2 Client Road",), "GB"),
        lines=tuple(lines), net=net, vat=vat, total=net + vat,
        tax_treatment="standard" if rate is not None else "outside_scope", vat_rate=rate,
        vat_rounding=rounding, payment_terms_days=30, bank={"iban": "GB33BUKB20201555555555"},
        rules=("Daily rate: days are hours logged ÷ 7.5 h.",),
        periods=(BilledPeriod("build", issued - timedelta(days=30), issued - timedelta(days=1)),),
        entries=(BilledEntry("build", issued - timedelta(days=3), 450, True, "note: with: colons", "a.yaml:1"),),
    )


class TestMoneyNeverDrifts:
    @FAST
    @given(invoices())
    def test_lines_sum_to_net_and_net_plus_vat_is_total(self, inv):
        """Σ line nets = net and net + VAT = total, exactly, at the currency's minor unit."""
        assert sum((ln.net.amount for ln in inv.lines), Decimal(0)) == inv.net.amount
        assert inv.net.amount + inv.vat.amount == inv.total.amount
        q = Decimal(1).scaleb(-minor_unit(inv.currency))
        for m in [inv.net, inv.vat, inv.total, *(ln.net for ln in inv.lines)]:
            assert m.amount == m.amount.quantize(q)

    @FAST
    @given(invoices())
    def test_each_line_is_quantity_times_price_rounded_once_half_up(self, inv):
        """A line's net is exactly quantity × unit price rounded once (not twice, not to even)."""
        for ln in inv.lines:
            exact = ln.quantity * ln.unit_price.amount
            q = Decimal(1).scaleb(-minor_unit(inv.currency))
            assert ln.net.amount == exact.quantize(q, rounding=ROUND_HALF_UP)
            assert abs(ln.net.amount - exact) <= q / 2

    @FAST
    @given(invoices())
    def test_issued_record_reads_back_as_the_same_invoice(self, inv):
        """to_record → YAML → read_record gives back exactly the invoice that was written."""
        import tempfile
        from pathlib import Path

        root = Path(tempfile.mkdtemp())
        path = root / "clients" / "acme" / "invoices" / f"{inv.number}.yaml"
        path.parent.mkdir(parents=True)
        path.write_text(yaml.safe_dump(to_record(inv), sort_keys=False, allow_unicode=True), encoding="utf-8")
        assert read_record(path, root) == inv


# ------------------------------------------------------------------------------------------
# the ledger
# ------------------------------------------------------------------------------------------
@st.composite
def settled_invoices(draw):
    """An invoice with random credit notes, payments and tax withheld (overpayment allowed)."""
    inv = draw(invoices(currency=draw(st.sampled_from(["GBP", "INR", "JPY"]))))
    cur = inv.currency
    cns = []
    for k in range(draw(st.integers(0, 2))):
        amt = draw(_amount(cur, 5000))
        cns.append(Invoice(**{**{f: getattr(inv, f) for f in inv.__dataclass_fields__},
                              "number": f"CN-2026-{k + 1:04d}", "kind": "credit_note",
                              "credits": inv.number, "net": amt, "vat": Money.zero(cur), "total": amt,
                              "issue_date": inv.issue_date + timedelta(days=draw(st.integers(0, 60)))}))
    pays = []
    for _ in range(draw(st.integers(0, 4))):
        withheld = draw(st.one_of(st.none(), _amount(cur, 500)))
        pays.append(Payment("acme", inv.issue_date + timedelta(days=draw(st.integers(0, 90))), inv.number,
                            draw(_amount(cur, 20000)), None, withheld, None))
    as_of = inv.issue_date + timedelta(days=draw(st.integers(0, 120)))
    return inv, cns, pays, as_of


class TestLedgerReconciles:
    @FAST
    @given(settled_invoices())
    def test_invoiced_minus_credited_received_withheld_is_outstanding(self, case):
        """outstanding = total − credit notes − payments − tax withheld, counting only what is dated by as_of."""
        inv, cns, pays, as_of = case
        acc = account(inv, pays, cns, as_of)
        credited = sum((c.total.amount for c in cns if c.issue_date <= as_of), Decimal(0))
        received = sum((p.amount.amount for p in pays if p.date <= as_of), Decimal(0))
        withheld = sum((p.withheld.amount for p in pays if p.date <= as_of and p.withheld), Decimal(0))
        assert acc.credited.amount == credited
        assert acc.received.amount == received
        assert acc.withheld.amount == withheld
        assert acc.outstanding.amount == inv.total.amount - credited - received - withheld
        assert acc.outstanding.currency == inv.currency
        if acc.status == "paid":
            assert acc.outstanding.amount <= 0
        if acc.status in ("unpaid", "overdue", "part-paid"):
            assert acc.outstanding.amount > 0

    @FAST
    @given(settled_invoices(), st.randoms(use_true_random=False))
    def test_order_of_payments_and_credit_notes_does_not_matter(self, case, rnd):
        """Shuffling the payments file or the credit notes never changes an account."""
        inv, cns, pays, as_of = case
        a = account(inv, pays, cns, as_of)
        pays2, cns2 = list(pays), list(cns)
        rnd.shuffle(pays2)
        rnd.shuffle(cns2)
        b = account(inv, pays2, cns2, as_of)
        assert (a.credited, a.received, a.withheld, a.outstanding, a.status) == \
               (b.credited, b.received, b.withheld, b.outstanding, b.status)


# ------------------------------------------------------------------------------------------
# rollups agree whichever grouping is used
# ------------------------------------------------------------------------------------------
@st.composite
def portfolios(draw):
    """Several clients' invoices in one currency, with payments, as of one date."""
    invs, pays = [], []
    for i in range(draw(st.integers(1, 12))):
        client = draw(st.sampled_from(["acme", "hafen", "lotus"]))
        inv = draw(invoices(currency="GBP", client=client, number=f"INV-2026-{i + 1:04d}"))
        invs.append(inv)
        for _ in range(draw(st.integers(0, 2))):
            pays.append(Payment(client, inv.issue_date + timedelta(days=draw(st.integers(0, 40))),
                                inv.number, draw(_amount("GBP", 10000)), None, None, None))
    return invs, pays


class TestRollupsAgree:
    @FAST
    @given(portfolios())
    def test_outstanding_by_client_and_by_month_sum_to_the_whole(self, case):
        """Σ outstanding per client = Σ per issue month = the all-at-once total, to the penny."""
        invs, pays = case
        as_of = date(2027, 3, 1)
        accs = accounts(invs, pays, as_of)
        whole = Money.total((a.outstanding for a in accs), "GBP")
        by_client: dict[str, list[Money]] = defaultdict(list)
        by_month: dict[str, list[Money]] = defaultdict(list)
        for a in accs:
            by_client[a.invoice.client].append(a.outstanding)
            by_month[a.invoice.issue_date.strftime("%Y-%m")].append(a.outstanding)
        for groups in (by_client, by_month):
            subtotals = [Money.total(ms, "GBP") for ms in groups.values()]
            assert Money.total(subtotals, "GBP") == whole
        assert whole.amount == (sum((i.total.amount for i in invs), Decimal(0))
                                - sum((p.amount.amount for p in pays), Decimal(0)))

    @FAST
    @given(st.lists(_amount("USD", 50_000), min_size=1, max_size=30),
           st.decimals(min_value=Decimal("0.5"), max_value=Decimal("1.5"), places=6))
    def test_converting_each_item_or_the_total_differs_by_at_most_half_a_penny_per_item(self, items, rate):
        """Converting items one by one and converting their total differ only by per-item rounding."""
        each = Money.total((m.convert(rate, "GBP") for m in items), "GBP")
        whole = Money.total(items, "USD").convert(rate, "GBP")
        assert abs(each.amount - whole.amount) <= Decimal("0.005") * len(items) + Decimal("0.005")

