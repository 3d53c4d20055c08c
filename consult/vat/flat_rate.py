"""The Flat Rate Scheme (VAT Notice 733): a fixed percentage of VAT-inclusive turnover.

* **Flat-rate turnover** is every supply the practice makes, VAT included: standard-rated
  sales at net + VAT, zero-rated and exempt ones at their value. Services supplied to customers
  abroad are outside the scope of UK VAT and are not flat-rate turnover (Notice 733 §6.4); their
  value still goes in box 6. Turnover is counted by tax point (`flat_rate_turnover: invoice`,
  the default) or by the money received (`cash`), the scheme's own bases; credit notes reduce
  it in the period they fall in.
* **Rebilled expenses are turnover.** An expense rebilled to a client is a recharge: part of the
  consideration for the practice's own supply (VAT Notice 700 §25; gov.uk "VAT: costs or
  disbursements passed to customers"), so it is a line of the invoice, VAT is charged on it and
  it is in the invoice's VAT-inclusive total, hence in flat-rate turnover and box 6 like the days
  it goes with. (A true disbursement — paid as the client's agent, all eight conditions met — is
  outside the scope and not turnover; consult does not record disbursements, docs/vat.md.)
* **Box 1** = the flat rate × flat-rate turnover, worked once (half up to the penny) for each
  rate that applied in the period; plus the VAT on services bought from abroad under the
  reverse charge, which is accounted outside the scheme (also reclaimed in box 4).
* **The limited-cost test**, every period (VAT Regulations 1995 reg 55A(4)): a practice whose
  VAT-inclusive spending on *relevant goods* is under the higher of 2% of its flat-rate turnover
  and £1,000 a year (£250 a quarter, the proportion for other lengths) is a limited cost business
  and uses 16.5% (from 1 April 2017). Relevant goods are goods (`goods: true`) used for the
  business, not capital items, not food or drink (`businessEntertainmentCosts`), not vehicle
  costs or fuel (`carVanTravelExpenses`), and not goods for resale — which a client's goods
  rebilled to the client (`rebill: true`, the default in a client's expenses.yaml) are; services
  never count.
* **First year of VAT registration**: 1% off the percentage (the limited-cost 16.5% too) from
  joining the scheme until the day before the first anniversary of registration (VAT
  Regulations reg 55JB; HMRC FRS7100). Turnover is split by date when a period straddles it.
* **Input VAT**: none, except on capital expenditure goods costing £2,000 or more VAT included,
  bought in one purchase (box 4 the VAT, box 7 the value); reverse-charge services as above.
  Goods bought to be rebilled to a client are bought for resale, so never capital expenditure
  goods (reg 55A(1)): their VAT is not reclaimed, and the invoice rebills them VAT included
  (consult.invoices.build).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from consult.core.periods import month_end
from consult.core.record import record
from consult.core.records import VatSettings
from consult.errors import UsageError
from consult.invoices.record import Invoice
from consult.vat import blocked
from consult.vat.boxes import BoxEntry
from consult.vat.cash import receipt_sterling
from consult.vat.documents import (
    Context,
    expense_party,
    expense_sterling,
    invoice_sterling,
    party_of,
    pence,
    purchases,
    reverse_charge_entry,
)
from consult.vat.money import money_received
from consult.vat.standard import sale_note

LIMITED_COST_PERCENT = Decimal("16.5")
LIMITED_COST_FROM = date(2017, 4, 1)
GOODS_SHARE = Decimal("0.02")          # relevant goods under 2% of flat-rate turnover
GOODS_PER_YEAR = Decimal(1000)         # or under £1,000 a year (£250 a quarter)
CAPITAL_GOODS_MINIMUM = blocked.CAPITAL_GOODS_MINIMUM  # capital expenditure goods of £2,000 or more, VAT included
NOT_RELEVANT_CATEGORIES = {"businessEntertainmentCosts": "food and drink",
                           "carVanTravelExpenses": "vehicle costs and fuel"}
RESOLD = "rebilled to the client: goods for resale"
IN_SCHEME = ("standard", "zero", "exempt")


@record
class Turnover:
    date: date
    gross: Decimal  # VAT-inclusive sterling, negative for a credit note


def _anniversary(d: date) -> date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return date(d.year + 1, 3, 1)


def period_limit(start: date, end: date) -> Decimal:
    """£1,000 a year in proportion to the period: £250 for a quarter, whole months by months."""
    if start.day == 1 and end == month_end(end.year, end.month):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return pence(GOODS_PER_YEAR * months / 12)
    return pence(GOODS_PER_YEAR * ((end - start).days + 1) / 365)


def _sale(ctx: Context, inv: Invoice, on: date, kind: str, ref: str, net: Decimal, vat: Decimal, note: str,
          turnover: list[Turnover]) -> BoxEntry:
    if inv.tax_treatment in IN_SCHEME:
        turnover.append(Turnover(on, net + vat))
        return BoxEntry(on, kind, ref, party_of(ctx.books, inv.client), {6: net + vat},
                        "; ".join(p for p in ("flat-rate turnover, VAT included", note) if p))
    return BoxEntry(on, kind, ref, party_of(ctx.books, inv.client), {6: net},
                    "; ".join(p for p in ("outside the scheme: not flat-rate turnover (Notice 733 §6.4)", note) if p))


def sales(ctx: Context, settings: VatSettings, turnover: list[Turnover]) -> list[BoxEntry]:
    out = []
    if settings.flat_rate_turnover == "cash":
        for r in money_received(ctx.books, ctx.invoices, ctx.start, ctx.end):
            if r.invoice.tax_treatment == "none":
                continue
            net, vat, note = receipt_sterling(ctx, r)
            out.append(_sale(ctx, r.invoice, r.date, r.kind, r.source, net, vat, note, turnover))
        return out
    for inv in sorted(ctx.invoices, key=lambda i: (i.tax_point, i.number or "")):
        if inv.number is None or inv.tax_treatment == "none" or not ctx.within(inv.tax_point):
            continue
        s = invoice_sterling(inv, ctx.rates)
        sign = -1 if inv.is_credit_note else 1
        out.append(_sale(ctx, inv, inv.tax_point, inv.kind, inv.number, sign * s.net, sign * s.vat,
                         sale_note(inv, s), turnover))
    return out


def limited_cost(ctx: Context, turnover: Decimal) -> tuple[bool, list[str]]:
    """The limited-cost test for the period, and its working in words."""
    relevant = Decimal(0)
    left_out: list[str] = []
    for x in purchases(ctx):
        if not x.goods or x.reverse_charge:
            continue
        if x.rebill:  # reg 55A(4)(a)(iv): resale is not consulting's main business activity
            left_out.append(f"{x.source} ({RESOLD})")
            continue
        if x.capital:
            left_out.append(f"{x.source} (capital)")
            continue
        if x.category in NOT_RELEVANT_CATEGORIES:
            left_out.append(f"{x.source} ({NOT_RELEVANT_CATEGORIES[x.category]})")
            continue
        relevant += expense_sterling(x, ctx.rates).gross
    share = pence(turnover * GOODS_SHARE)
    limit = period_limit(ctx.start, ctx.end)
    limited = ctx.end >= LIMITED_COST_FROM and (relevant < share or relevant < limit)
    verdict = ("a limited cost business: 16.5% applies" if limited
               else "not a limited cost business: the sector's rate applies")
    lines = [f"Limited-cost test: relevant goods £{relevant:,.2f}, VAT included; 2% of flat-rate turnover "
             f"£{turnover:,.2f} is £{share:,.2f}; the limit for the period is £{limit:,.2f} — {verdict} "
             f"(relevant goods {'<' if relevant < share else '≥'} 2% of turnover, "
             f"{'<' if relevant < limit else '≥'} £{limit:,.2f})."]
    if left_out:
        lines.append("  Goods not relevant to the test: " + ", ".join(left_out) + ".")
    return limited, lines


def box1(ctx: Context, settings: VatSettings, turnover: list[Turnover], percent: Decimal) -> list[BoxEntry]:
    """The flat rate on the period's turnover, split where the first-year 1% reduction ends."""
    assert settings.flat_rate_start is not None
    registered = settings.registered or settings.flat_rate_start
    reduced_to = _anniversary(registered)  # the reduction runs to the day before this
    reduced_from = max(registered, settings.flat_rate_start)
    early = sum((t.gross for t in turnover if reduced_from <= t.date < reduced_to), Decimal(0))
    rest = sum((t.gross for t in turnover), Decimal(0)) - early
    out = []
    if early:
        p = percent - 1
        out.append(BoxEntry(min(ctx.end, reduced_to), "flat_rate", f"{p.normalize():f}% × £{early:,.2f}", "flat rate",
                            {1: pence(early * p / 100)},
                            f"{percent.normalize():f}% less 1% in the first year of VAT registration "
                            f"(to {reduced_to.isoformat()}, the day before is the last)"))
        ctx.notes.append(f"First-year reduction: 1% off for turnover dated before {reduced_to.isoformat()}, the "
                         f"first anniversary of VAT registration on {registered.isoformat()}"
                         + ("" if settings.registered else " (vat.registered not set: flat_rate_start taken as the "
                                                           "registration date)") + " (Notice 733; reg 55JB).")
    if rest or not early:
        out.append(BoxEntry(ctx.end, "flat_rate", f"{percent.normalize():f}% × £{rest:,.2f}", "flat rate",
                            {1: pence(rest * percent / 100)}, "the flat rate on the VAT-inclusive turnover"))
    return out


def purchase_entries(ctx: Context) -> list[BoxEntry]:
    out = []
    for x in purchases(ctx):
        if x.reverse_charge:
            out.append(reverse_charge_entry(ctx, x))
            continue
        if not x.capital:
            continue
        s = expense_sterling(x, ctx.rates)
        if x.rebill:
            if s.vat:
                    ctx.notes.append(f"{x.source}: a capital item {RESOLD}, so not capital expenditure goods (VAT "
                                 f"Regulations reg 55A(1)) — its £{s.vat:,.2f} VAT is not reclaimed; the invoice "
                                 "rebills it VAT included.")
        elif s.vat and (why := blocked.blocked(ctx.books, x)) is not None:
            ctx.notes.append(f"{x.source}: a capital item whose £{s.vat:,.2f} VAT is not reclaimed — {why}.")
        elif s.gross >= CAPITAL_GOODS_MINIMUM and s.vat:
            out.append(BoxEntry(x.date, "capital", str(x.source), expense_party(x), {4: s.vat, 7: s.net},
                                f"capital expenditure goods of £{s.gross:,.2f} (£2,000 or more, VAT included): "
                                "input VAT reclaimed outside the flat rate"))
        else:
            ctx.notes.append(f"{x.source}: a capital item of £{s.gross:,.2f}, VAT included — under £2,000 "
                             "(or no UK VAT), so no input VAT under the Flat Rate Scheme.")
    return out


def entries(ctx: Context) -> list[BoxEntry]:
    settings = ctx.books.practice.vat
    if settings.flat_rate_percent is None or settings.flat_rate_start is None:
        raise UsageError("the flat_rate scheme needs vat.flat_rate_percent and vat.flat_rate_start in practice.yaml")
    if ctx.start < settings.flat_rate_start:
        raise UsageError(f"the period starts {ctx.start}, before the practice joined the Flat Rate Scheme on "
                         f"{settings.flat_rate_start} (vat.flat_rate_start); work a return that spans joining "
                         "in two parts, or give the period from the day you joined")
    turnover: list[Turnover] = []
    out = sales(ctx, settings, turnover)
    total = sum((t.gross for t in turnover), Decimal(0))
    limited, working = limited_cost(ctx, total)
    percent = LIMITED_COST_PERCENT if limited else settings.flat_rate_percent
    basis = "money received" if settings.flat_rate_turnover == "cash" else "tax points"
    ctx.notes.append(f"Flat Rate Scheme: {percent.normalize():f}% of the VAT-inclusive flat-rate turnover of "
                     f"£{total:,.2f} (by {basis}); sector rate {settings.flat_rate_percent.normalize():f}% "
                     "(VAT Notice 733).")
    ctx.notes.extend(working)
    out += box1(ctx, settings, turnover, percent)
    out += purchase_entries(ctx)
    return out
