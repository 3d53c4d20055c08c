"""The issued invoice (or credit note) as a frozen record: everything printed, nothing derived.

An invoice is *built* (invoicing.build_invoice) into this plain object, *frozen* into
`clients/<id>/invoices/<number>.yaml` and *rendered* (render/invoice.py) to PDF. The YAML holds
every figure the PDF prints, so the PDF can be rendered again from it with the same content,
and earnings, e-invoices and reports read the same numbers. Status (unpaid, paid, overdue…) is
never stored: it is derived from due date, payments and credit notes.

A credit note is the same record with `kind: credit_note` and `credits: <invoice number>`;
its amounts are positive numbers that reduce the invoice they credit.

What an invoice *bills* is part of the record (version 3), by identity rather than by dates, so
work logged late in an invoiced month is still unbilled and nothing is billed twice
(consult.invoices.billed): the time entries billed (`entries`), each daily engagement's
fraction of each day billed (`days`), the milestones billed (`milestones`, by name) and the
rebillable expenses billed (`expenses`). Version 2 records (no `days`) bill the dates of their
`periods`, as they always did.

A time line is priced exactly: `minutes` of work at `unit_price` per `unit_minutes` (a day of
the engagement's hours, or 60 for an hour), net = unit price × minutes ÷ unit minutes, rounded
half up once. `quantity` is that ratio as a decimal for printing and e-invoices (exact when it
ends within six places, else to six places); the record keeps what makes it exact.

Version 4 adds what is needed to draw an issued document again exactly and to show the work
(docs/documents.md): the document's `language` and its theme as issued (`theme`: the theme's
text and the SHA-256 of its fonts and logo), the rules and notes as keyed phrases the theme
translates (`rule_keys`, `note_keys`, beside the English `rules` and `notes`), per line the
timesheet detail (`detail`: days or entries), the hourly rounding (`increment`) and a
milestone's place in its contract (`milestone`), the seller's phone, website and registration,
and on a credit note the invoice's total, what was credited before and the balance after. Every
addition is a new key, so a version 3 reader reads a version 4 record as it always did.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date, time
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from consult.core.money import Money
from consult.core.record import record

RECORD_VERSION = 4
# v4: language, the frozen theme, keyed rules and notes, line detail/increment/milestone,
#     seller phone/website/registration, a credit note's balance (all new keys: v3 readers skip them).
# v3: what is billed by identity (entries with start/end/id, day fractions, milestones, expenses);
#     time lines priced exactly from minutes (minutes, unit_minutes).
# v2: the billed time entries are one CSV table in a literal block (`entries: |`), not a YAML
# list of mappings: as readable, and the record parses ~6x faster (one scalar instead of ~13
# nodes per entry), which is what decides how fast ten years of records load. v1 still reads.
ENTRY_COLUMNS = ("engagement", "date", "minutes", "billable", "note", "source")
ENTRY_COLUMNS_V3 = ("engagement", "date", "minutes", "billable", "start", "end", "id", "note", "source")
DAY_COLUMNS = ("engagement", "date", "fraction")
EXPENSE_COLUMNS = ("engagement", "date", "amount", "vat", "note")


@record
class Party:
    """A seller or buyer block as printed."""

    name: str
    address: tuple[str, ...] = ()
    country: str | None = None
    email: str | None = None
    vat_number: str | None = None
    company_number: str | None = None
    tax_id: str | None = None
    contact: str | None = None
    phone: str | None = None
    website: str | None = None
    registered_in: str | None = None      # a company's place of registration, e.g. england_wales
    registered_office: str | None = None  # a company's registered office, one line


PARTY_EXTRA = ("phone", "website", "registered_in", "registered_office")


@record
class Phrase:
    """A sentence by key, translated by the theme (label `key`, `{name}` filled from `values`).
    Values are text; a decimal value is printed in the document's locale."""

    key: str
    values: tuple[tuple[str, str], ...] = ()

    @property
    def mapping(self) -> dict[str, str]:
        return dict(self.values)


@record
class MilestoneNote:
    """Where a milestone line stands in its contract: milestone `n` of `count`, the contract's
    value (all its milestones) and what is billed of it with this invoice."""

    n: int
    count: int
    contract_value: Money
    billed_to_date: Money


@record
class FrozenTheme:
    """The theme an issued document was drawn with (consult.themes.theme.freeze): its text and
    the SHA-256 of each font and logo file it names."""

    text: str
    files: tuple[tuple[str, str], ...] = ()


@record
class InvoiceLine:
    """One line: quantity x unit price = net (rounded once, half up).

    `unit` is `day`, `hour` or `item`; `kind` is `time`, `milestone` or `expense`.
    """

    description: str
    quantity: Decimal
    unit: str
    unit_price: Money
    net: Money
    kind: str = "time"
    engagement: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    vat_rate: Decimal | None = None
    minutes: Decimal | None = None       # time lines: the work billed, in minutes
    unit_minutes: Decimal | None = None  # minutes in one unit (a day of the engagement, or 60)
    detail: str | None = None            # v4: days | entries: itemised on the timesheet page
    increment: int | None = None         # v4: hourly lines: each entry rounds up to this many minutes
    milestone: MilestoneNote | None = None  # v4: milestone lines

    @property
    def exact_quantity(self) -> Fraction:
        """The quantity billed, exactly (minutes ÷ unit minutes for time lines)."""
        if self.minutes is not None and self.unit_minutes:
            return Fraction(self.minutes) / Fraction(self.unit_minutes)
        return Fraction(self.quantity)


@record
class BilledPeriod:
    """An engagement's dates this invoice billed; a later invoice may not overlap them."""

    engagement: str
    start: date
    end: date


@record
class BilledEntry:
    """A time entry as it was when billed: what identifies it (consult.invoices.billed) and
    where it was (file:line), to warn if the timesheet changes afterwards."""

    engagement: str
    date: date
    minutes: int
    billable: bool
    note: str | None
    source: str  # file:line at the time of billing
    start: time | None = None
    end: time | None = None
    source_id: str | None = None


@record
class BilledDay:
    """The fraction of one calendar day of a daily engagement that an invoice bills."""

    engagement: str
    date: date
    fraction: Fraction


@record
class BilledMilestone:
    engagement: str
    name: str
    amount: Money


@record
class BilledExpense:
    """A rebillable expense as it was when billed (its identity)."""

    engagement: str | None
    date: date
    amount: Money
    vat: Money | None
    note: str | None


@record
class Invoice:
    """Everything an invoice or credit note prints. `number` is None only for a draft preview."""

    number: str | None
    kind: Literal["invoice", "credit_note"]
    client: str
    issue_date: date
    tax_point: date
    supply_start: date
    supply_end: date
    due_date: date
    currency: str
    locale: str
    seller: Party
    buyer: Party
    lines: tuple[InvoiceLine, ...]
    net: Money
    vat: Money
    total: Money
    tax_treatment: str
    vat_rate: Decimal | None
    vat_rounding: str
    payment_terms_days: int
    bank: dict[str, str] = field(default_factory=dict)
    po_number: str | None = None
    buyer_reference: str | None = None
    credits: str | None = None
    credits_date: date | None = None  # the date of the invoice a credit note corrects
    reason: str | None = None
    tax_note: str | None = None
    vat_gbp: Money | None = None
    gbp_rate: Decimal | None = None
    gbp_rate_source: str | None = None
    rules: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    periods: tuple[BilledPeriod, ...] = ()
    entries: tuple[BilledEntry, ...] = ()
    template: str = "default"
    days: tuple[BilledDay, ...] = ()
    milestones: tuple[BilledMilestone, ...] = ()
    expenses: tuple[BilledExpense, ...] = ()
    version: int = RECORD_VERSION
    language: str | None = None          # v4: the document's language (None: the theme's own)
    theme: FrozenTheme | None = None     # v4: the theme as issued
    rule_keys: tuple[Phrase, ...] = ()   # v4: `rules` as phrases, one for one
    note_keys: tuple[Phrase, ...] = ()   # v4: `notes` as phrases, one for one
    invoice_total: Money | None = None   # v4, credit notes: the credited invoice's total
    credited_before: Money | None = None  # v4, credit notes: what earlier credit notes credited of it
    balance_after: Money | None = None   # v4, credit notes: its total less every credit to this one

    @property
    def is_credit_note(self) -> bool:
        return self.kind == "credit_note"

    @property
    def title(self) -> str:
        return "Credit note" if self.is_credit_note else "Invoice"


# --------------------------------------------------------------------------------------------
# the frozen YAML record: plain strings for every amount and date, so nothing is re-typed
# --------------------------------------------------------------------------------------------
def _money(m: Money | None) -> str | None:
    return None if m is None else m.plain()


def _dec(d: Decimal | None) -> str | None:
    return None if d is None else f"{d:f}"


def _day(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _party(p: Party) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name, "address": list(p.address)}
    for k in ("country", "email", "vat_number", "company_number", "tax_id", "contact", *PARTY_EXTRA):
        v = getattr(p, k)
        if v is not None:
            out[k] = v
    return out


def fraction_text(q: Fraction) -> str:
    """An exact quantity as text: a decimal when it ends (`0.5`), else `n/d` (`14/15`)."""
    d = q.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        return f"{(Decimal(q.numerator) / Decimal(q.denominator)).normalize():f}"
    return f"{q.numerator}/{q.denominator}"


def _csv_text(columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
    from consult.books.writers import csv_text

    return csv_text(columns, rows)


def _csv_rows(value: Any, columns: tuple[str, ...], what: str) -> list[dict[str, str]]:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(value), strict=True))
    if rows and set(columns) - set(rows[0]):
        raise ValueError(f"{what} table needs the columns {', '.join(columns)}")
    return rows


def _hm(t: time | None) -> str:
    return "" if t is None else t.strftime("%H:%M")


def _opt_time(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


def _entries_csv(entries: tuple[BilledEntry, ...]) -> str:
    return _csv_text(ENTRY_COLUMNS_V3, [
        (e.engagement, e.date.isoformat(), e.minutes, "true" if e.billable else "false", _hm(e.start), _hm(e.end),
         e.source_id or "", e.note or "", e.source) for e in entries])


def _entries_from(value: Any) -> tuple[BilledEntry, ...]:
    """The CSV table (v2 or v3 columns), or the v1 list of mappings."""
    if not value:
        return ()
    if isinstance(value, str):
        rows = _csv_rows(value, ENTRY_COLUMNS, "entries")
        return tuple(BilledEntry(r["engagement"], _d(r["date"]), int(r["minutes"]), _bool(r["billable"]),
                                 r["note"] or None, r["source"], _opt_time(r.get("start")), _opt_time(r.get("end")),
                                 r.get("id") or None) for r in rows)
    return tuple(BilledEntry(e["engagement"], _d(e["date"]), int(e["minutes"]), _bool(e.get("billable", True)),
                             e.get("note"), e.get("source", "")) for e in value)


def _days_csv(days: tuple[BilledDay, ...]) -> str:
    return _csv_text(DAY_COLUMNS, [(d.engagement, d.date.isoformat(), fraction_text(d.fraction)) for d in days])


def _days_from(value: Any) -> tuple[BilledDay, ...]:
    if not value:
        return ()
    out = []
    for r in _csv_rows(value, DAY_COLUMNS, "days"):
        f = Fraction(r["fraction"])
        if not 0 < f <= 24:
            raise ValueError(f"days: a fraction of {r['fraction']} on {r['date']} is not a part of a day")
        out.append(BilledDay(r["engagement"], _d(r["date"]), f))
    return tuple(out)


def _expenses_csv(xs: tuple[BilledExpense, ...]) -> str:
    return _csv_text(EXPENSE_COLUMNS, [(x.engagement or "", x.date.isoformat(), x.amount.plain(),
                                        x.vat.plain() if x.vat is not None else "", x.note or "") for x in xs])


def _expenses_from(value: Any, currency: str) -> tuple[BilledExpense, ...]:
    if not value:
        return ()
    return tuple(BilledExpense(r["engagement"] or None, _d(r["date"]), Money(Decimal(r["amount"]), currency),
                               Money(Decimal(r["vat"]), currency) if r["vat"] else None, r["note"] or None)
                 for r in _csv_rows(value, EXPENSE_COLUMNS, "expenses"))


def dump_record(rec: dict[str, Any]) -> str:
    """The record as YAML text through the books' one serialiser (consult.books.writers): every
    value is text, so it reads back exactly with the base loader, whatever a note holds."""
    from consult.books.writers import dump_yaml

    return dump_yaml(rec)


def to_record(inv: Invoice) -> dict[str, Any]:
    """The invoice as plain data for YAML: amounts and rates as exact decimal strings."""
    rec: dict[str, Any] = {
        "record_version": inv.version,
        "kind": inv.kind,
        "number": inv.number,
        "client": inv.client,
        "credits": inv.credits,
        "credits_date": _day(inv.credits_date),
        "reason": inv.reason,
        "issue_date": _day(inv.issue_date),
        "tax_point": _day(inv.tax_point),
        "supply_period": {"start": _day(inv.supply_start), "end": _day(inv.supply_end)},
        "due_date": None if inv.is_credit_note else _day(inv.due_date),
        "payment_terms_days": inv.payment_terms_days,
        "currency": inv.currency,
        "locale": inv.locale,
        "seller": _party(inv.seller),
        "buyer": _party(inv.buyer),
        "po_number": inv.po_number,
        "buyer_reference": inv.buyer_reference,
        "lines": [
            {k: v for k, v in {
                "description": ln.description, "kind": ln.kind, "engagement": ln.engagement,
                "quantity": _dec(ln.quantity), "unit": ln.unit, "unit_price": _money(ln.unit_price),
                "net": _money(ln.net), "vat_rate": _dec(ln.vat_rate),
                "period_start": _day(ln.period_start), "period_end": _day(ln.period_end),
                "minutes": _dec(ln.minutes), "unit_minutes": _dec(ln.unit_minutes),
                "detail": ln.detail, "increment": None if ln.increment is None else str(ln.increment),
                "milestone": _milestone(ln.milestone),
            }.items() if v is not None}
            for ln in inv.lines
        ],
        "tax": {
            "treatment": inv.tax_treatment, "vat_rate": _dec(inv.vat_rate),
            "rounding": inv.vat_rounding, "note": inv.tax_note,
            "vat_gbp": _money(inv.vat_gbp), "gbp_rate": _dec(inv.gbp_rate),
            "gbp_rate_source": inv.gbp_rate_source,
        },
        "totals": {"net": _money(inv.net), "vat": _money(inv.vat), "total": _money(inv.total)},
        "bank": dict(inv.bank),
        "rules": list(inv.rules),
        "notes": list(inv.notes),
        "periods": [{"engagement": p.engagement, "start": _day(p.start), "end": _day(p.end)} for p in inv.periods],
        "entries": _entries_csv(inv.entries) if inv.entries else [],
        "days": _days_csv(inv.days) if inv.days else [],
        "milestones": [{"engagement": m.engagement, "name": m.name, "amount": m.amount.plain()}
                       for m in inv.milestones],
        "expenses": _expenses_csv(inv.expenses) if inv.expenses else [],
        "template": inv.template,
    }
    if inv.language is not None:
        rec["language"] = inv.language
    if inv.rule_keys:
        rec["rule_keys"] = [_phrase(p) for p in inv.rule_keys]
    if inv.note_keys:
        rec["note_keys"] = [_phrase(p) for p in inv.note_keys]
    if inv.invoice_total is not None:
        rec["credit"] = {"invoice_total": _money(inv.invoice_total), "credited_before": _money(inv.credited_before),
                         "balance_after": _money(inv.balance_after)}
    if inv.theme is not None:
        rec["theme"] = {"files": dict(inv.theme.files), "text": inv.theme.text}
    return rec


def _phrase(p: Phrase) -> dict[str, str]:
    return {"key": p.key, **dict(p.values)}


def _phrase_from(d: dict[str, Any]) -> Phrase:
    return Phrase(str(d["key"]), tuple((str(k), str(v)) for k, v in d.items() if k != "key"))


def _milestone(m: MilestoneNote | None) -> dict[str, str] | None:
    if m is None:
        return None
    return {"n": str(m.n), "count": str(m.count), "contract_value": m.contract_value.plain(),
            "billed_to_date": m.billed_to_date.plain()}


def _d(text: Any) -> date:
    return date.fromisoformat(str(text))


def _optd(text: Any) -> date | None:
    return None if text in (None, "") else _d(text)


def _D(text: Any) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))


def _bool(v: Any) -> bool:
    return v if isinstance(v, bool) else str(v).lower() in ("true", "yes", "1")


def from_record(rec: dict[str, Any], *, entries: bool = True) -> Invoice:
    """The invoice back from its record (as produced by `to_record`, read as plain strings).

    `entries=False` skips the billed-entries table and the frozen theme (reports never need
    them; they are the bulk).
    Raises KeyError/ValueError on a damaged record; callers turn that into a Problem that
    names the file.
    """
    cur = rec["currency"]

    def m(text: Any, currency: str = cur) -> Money:
        return Money(Decimal(str(text)), currency)

    def party(d: dict[str, Any]) -> Party:
        return Party(d["name"], tuple(d.get("address") or ()), d.get("country"), d.get("email"),
                     d.get("vat_number"), d.get("company_number"), d.get("tax_id"), d.get("contact"),
                     *(d.get(k) for k in PARTY_EXTRA))

    def milestone(d: Any) -> MilestoneNote | None:
        if not d:
            return None
        return MilestoneNote(int(d["n"]), int(d["count"]), m(d["contract_value"]), m(d["billed_to_date"]))

    def opt_money(text: Any) -> Money | None:
        return None if text in (None, "") else m(text)

    credit = rec.get("credit") or {}
    theme = rec.get("theme") if entries else None

    tax = rec.get("tax") or {}
    totals = rec["totals"]
    return Invoice(
        number=rec.get("number"), kind=rec.get("kind", "invoice"), client=rec["client"],
        issue_date=_d(rec["issue_date"]), tax_point=_d(rec.get("tax_point") or rec["issue_date"]),
        supply_start=_d(rec["supply_period"]["start"]), supply_end=_d(rec["supply_period"]["end"]),
        due_date=_d(rec.get("due_date") or rec["issue_date"]), currency=cur, locale=rec.get("locale", "en_GB"),
        seller=party(rec["seller"]), buyer=party(rec["buyer"]),
        lines=tuple(
            InvoiceLine(ln["description"], Decimal(str(ln["quantity"])), ln["unit"], m(ln["unit_price"]),
                        m(ln["net"]), ln.get("kind", "time"), ln.get("engagement"),
                        _optd(ln.get("period_start")), _optd(ln.get("period_end")), _D(ln.get("vat_rate")),
                        _D(ln.get("minutes")), _D(ln.get("unit_minutes")), ln.get("detail"),
                        int(ln["increment"]) if ln.get("increment") else None, milestone(ln.get("milestone")))
            for ln in rec.get("lines") or ()
        ),
        net=m(totals["net"]), vat=m(totals["vat"]), total=m(totals["total"]),
        tax_treatment=tax.get("treatment", "none"), vat_rate=_D(tax.get("vat_rate")),
        vat_rounding=tax.get("rounding", "half_up"), payment_terms_days=int(rec.get("payment_terms_days", 30)),
        bank=dict(rec.get("bank") or {}), po_number=rec.get("po_number"),
        buyer_reference=rec.get("buyer_reference"), credits=rec.get("credits"), credits_date=_optd(rec.get("credits_date")), reason=rec.get("reason"),
        tax_note=tax.get("note"),
        vat_gbp=m(tax["vat_gbp"], "GBP") if tax.get("vat_gbp") is not None else None,
        gbp_rate=_D(tax.get("gbp_rate")), gbp_rate_source=tax.get("gbp_rate_source"),
        rules=tuple(rec.get("rules") or ()), notes=tuple(rec.get("notes") or ()),
        periods=tuple(BilledPeriod(p["engagement"], _d(p["start"]), _d(p["end"])) for p in rec.get("periods") or ()),
        entries=_entries_from(rec.get("entries")) if entries else (),
        template=rec.get("template", "default"),
        days=_days_from(rec.get("days")),
        milestones=tuple(BilledMilestone(x["engagement"], x["name"], m(x["amount"])) for x in rec.get("milestones") or ()),
        expenses=_expenses_from(rec.get("expenses"), cur),
        version=int(rec.get("record_version") or 1),
        language=rec.get("language"),
        theme=FrozenTheme(str(theme["text"]), tuple(sorted((str(k), str(v))
                                                           for k, v in (theme.get("files") or {}).items())))
        if theme else None,
        rule_keys=tuple(_phrase_from(p) for p in rec.get("rule_keys") or ()),
        note_keys=tuple(_phrase_from(p) for p in rec.get("note_keys") or ()),
        invoice_total=opt_money(credit.get("invoice_total")), credited_before=opt_money(credit.get("credited_before")),
        balance_after=opt_money(credit.get("balance_after")),
    )


def arithmetic_problems(inv: Invoice) -> list[str]:
    """What does not add up in a record: each line's net from its quantity and price, the net
    from the lines, the VAT from the net (an invoice at one rate), the total from net and VAT.
    A record that fails this was changed after it was issued (consult writes none that do)."""
    from consult.core.tax import vat_on

    out = []
    for i, ln in enumerate(inv.lines, start=1):
        want = ln.unit_price.times_exact(ln.exact_quantity)
        if want != ln.net:
            out.append(f"line {i}: {ln.quantity} × {ln.unit_price.plain()} is {want.plain()}, not {ln.net.plain()}")
    lines = Money.total((ln.net for ln in inv.lines), inv.currency)
    if lines != inv.net:
        out.append(f"the lines add up to {lines.plain()}, not the net {inv.net.plain()}")
    if not inv.is_credit_note and inv.tax_treatment == "standard" and inv.vat_rate is not None:
        vat = vat_on(inv.net, inv.vat_rate, inv.vat_rounding)
        if vat != inv.vat:
            out.append(f"VAT at {inv.vat_rate.normalize():f}% of {inv.net.plain()} is {vat.plain()}, not {inv.vat.plain()}")
    if inv.net + inv.vat != inv.total:
        out.append(f"net {inv.net.plain()} + VAT {inv.vat.plain()} is {(inv.net + inv.vat).plain()}, "
                   f"not the total {inv.total.plain()}")
    return out
