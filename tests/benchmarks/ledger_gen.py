"""Ten years of a 20-client practice, written as books for the earnings benchmark.

`python tests/benchmarks/ledger_gen.py DIR` writes, deterministically (no randomness):

* 20 clients (GBP, EUR, USD) with one daily engagement each, plus two USD platforms;
* timesheets as monthly CSV files in the data contract: two entries (morning, afternoon) per
  weekday per client, 104,360 entries over 2016–2025;
* 2,400 issued invoices, one per client per month, frozen with `consult.invoices.record.to_record`
  (their billed entries included, as real records are), VAT by the client's treatment;
* a payment for each invoice 25–45 days after issue (the last months left partly unpaid);
* monthly platform payouts in USD, every other one with a recorded `fx_rate`.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from consult.core.money import Money
from consult.invoices.record import (
    BilledEntry,
    BilledPeriod,
    Invoice,
    InvoiceLine,
    Party,
    dump_record,
    to_record,
)

FIRST_YEAR, YEARS, CLIENTS = 2016, 10, 20

PRACTICE = """\
name: Bench Consulting Ltd
address: |
  1 Bench Street
  London
country: GB
subdivision: ENG
base_currency: GBP
locale: en_GB
hours_per_day: 7.5
vat_number: GB980780684
bank:
  sort_code: 12-34-56
  account_number: "87654321"
tax_year_start: 04-06
invoice:
  vat_rate: 20
"""

# (currency, country, tax, vat_number or None)
KINDS = [("GBP", "GB", "standard", None), ("EUR", "DE", "reverse_charge", "DE136695976"),
         ("USD", "US", "outside_scope", None)]


def client_yaml(i: int) -> tuple[str, str, str]:
    cur, country, tax, vat = KINDS[i % 3]
    lines = [f"name: Client {i:02d} Ltd", "address: |", f"  {i} Client Road", "  Somewhere",
             f"country: {country}", f"currency: {cur}", "locale: en_GB", f"tax: {tax}"]
    if vat:
        lines.append(f"vat_number: {vat}")
    if tax == "outside_scope":
        lines.append("business_evidence: company registration on the purchase order")
    return "\n".join(lines) + "\n", cur, tax


def rate_of(cur: str, i: int) -> Decimal:
    return {"GBP": Decimal(600), "EUR": Decimal(700), "USD": Decimal(800)}[cur] + i * 5


def month_days(y: int, m: int) -> list[date]:
    d = date(y, m, 1)
    out = []
    while d.month == m:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def generate(root: Path) -> dict[str, int]:
    root = Path(root)
    (root / "clients").mkdir(parents=True, exist_ok=True)
    (root / "practice.yaml").write_text(PRACTICE)
    counts = {"clients": 0, "entries": 0, "invoices": 0, "payments": 0, "payouts": 0}
    seller = Party("Bench Consulting Ltd", ("1 Bench Street", "London"), "GB", vat_number="GB980780684")
    last_month = (FIRST_YEAR + YEARS - 1, 12)
    for i in range(CLIENTS):
        cid = f"client-{i:02d}"
        cdir = root / "clients" / cid
        (cdir / "engagements").mkdir(parents=True, exist_ok=True)
        (cdir / "timesheets").mkdir(exist_ok=True)
        (cdir / "invoices").mkdir(exist_ok=True)
        text, cur, tax = client_yaml(i)
        (cdir / "client.yaml").write_text(text)
        rate = rate_of(cur, i)
        (cdir / "engagements" / "work.yaml").write_text(
            f"title: Work {i}\nbilling: daily\nrate: {rate}\nday_rounding: half\n"
            f"start: {FIRST_YEAR}-01-01\nstatus: active\n")
        counts["clients"] += 1
        payments = []
        buyer = Party(f"Client {i:02d} Ltd", (f"{i} Client Road", "Somewhere"), KINDS[i % 3][1])
        for y in range(FIRST_YEAR, FIRST_YEAR + YEARS):
            for m in range(1, 13):
                days = month_days(y, m)
                worked = days
                rows = ["date,engagement,hours,note"]
                billed = []
                for d in worked:
                    rows.append(f"{d},work,4,Morning")
                    rows.append(f"{d},work,3.5,Afternoon")
                    billed.append(BilledEntry("work", d, 240, True, "Morning", f"timesheets/{y}-{m:02d}.csv"))
                    billed.append(BilledEntry("work", d, 210, True, "Afternoon", f"timesheets/{y}-{m:02d}.csv"))
                (cdir / "timesheets" / f"{y}-{m:02d}.csv").write_text("\n".join(rows) + "\n")
                counts["entries"] += 2 * len(worked)
                qty = Decimal(len(worked))
                unit = Money.of(rate, cur)
                net = unit.times(qty)
                vat = net.percent(Decimal(20)) if tax == "standard" else Money.zero(cur)
                issued = (date(y, m, 1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)  # month end
                number = f"INV-{y}-{i * 12 + m:04d}"
                inv = Invoice(
                    number=number, kind="invoice", client=cid, issue_date=issued, tax_point=issued,
                    supply_start=date(y, m, 1), supply_end=days[-1], due_date=issued + timedelta(days=30),
                    currency=cur, locale="en_GB", seller=seller, buyer=buyer,
                    lines=(InvoiceLine(f"Work, {y}-{m:02d}", qty, "day", unit, net, "time", "work",
                                       date(y, m, 1), days[-1], Decimal(20) if tax == "standard" else None),),
                    net=net, vat=vat, total=net + vat, tax_treatment=tax,
                    vat_rate=Decimal(20) if tax == "standard" else None, vat_rounding="half_up",
                    payment_terms_days=30, periods=(BilledPeriod("work", date(y, m, 1), days[-1]),),
                    entries=tuple(billed))
                (cdir / "invoices" / f"{number}.yaml").write_text(
                    dump_record(to_record(inv)))
                counts["invoices"] += 1
                paid_on = issued + timedelta(days=25 + (i * 7 + m) % 21)
                if (y, m) == last_month:
                    continue  # the last month is still owed
                amount = inv.total if (y, m) < (last_month[0], 11) or i % 2 else inv.total - unit
                fx = f", fx_rate: {Decimal('0.8') + Decimal(i) / 100}" if cur != "GBP" and m % 2 else ""
                payments.append(f"- {{date: {paid_on}, invoice: {number}, amount: {amount.plain()}{fx}}}")
                counts["payments"] += 1
        (cdir / "payments.yaml").write_text("\n".join(payments) + "\n")
    for j, stream in enumerate(("writing", "video")):
        pdir = root / "clients" / f"platform-{stream}"
        pdir.mkdir(parents=True, exist_ok=True)
        (pdir / "client.yaml").write_text(f"name: {stream.title()} Platform\nkind: platform\ncountry: US\n"
                                          "currency: USD\nlocale: en_US\n")
        items = []
        for y in range(FIRST_YEAR, FIRST_YEAR + YEARS):
            for m in range(1, 13):
                d = month_days(y, m)[-1]
                fx = ", fx_rate: 0.78" if m % 2 else ""
                items.append(f"- {{date: {d}, amount: {300 + 10 * m + j * 50}.25, stream: {stream}{fx}}}")
                counts["payouts"] += 1
        (pdir / "income.yaml").write_text("\n".join(items) + "\n")
    return counts


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: ledger_gen.py DIR")
    print(generate(Path(sys.argv[1])))
