"""One loader: a books folder in, typed records and every problem found out.

`load_books(root)` never raises for bad data: it returns the records it could build and a list
of `Problem`s, each with file, line, column and field (beancount's habit), so that
`consult check` can print them all. Commands that act on the books call `open_books`, which
refuses to go on while any *error* remains (warnings pass), so no invoice is ever built from
books that do not read cleanly.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from decimal import Decimal
from pathlib import Path

from consult.books.expenses import (
    EXPENSE_EXTRA_FIELDS,
    expense_extras,
    read_mileage,
    read_practice_expenses,
    read_vat_settings,
    root_problems,
)
from consult.books.fields import Fields, id_problem
from consult.books.files import (
    PRACTICE_FILE,
    read_list,
    read_mapping,
    rel,
    unsafe_paths,
)
from consult.books.identifiers import check_vat_number
from consult.books.register import series_regex
from consult.books.timesheets import read_timesheets
from consult.books.unread import client_folder_problems
from consult.core.categories import EXPENSE_CATEGORIES as CATEGORY_NAMES
from consult.core.record import record
from consult.core.records import (
    ACCOUNTING_BASES,
    BILLINGS,
    CLIENT_KINDS,
    DAY_ROUNDINGS,
    ENGAGEMENT_STATUSES,
    INVOICE_DETAILS,
    LATE_PAYMENT,
    STREAM_OWNERS,
    STRUCTURES,
    VAT_ROUNDINGS,
    Allocation,
    Bank,
    Books,
    Budget,
    Client,
    Company,
    Employment,
    Engagement,
    Expense,
    IncomeItem,
    InvoiceDetail,
    InvoiceSettings,
    Milestone,
    Payment,
    Person,
    Practice,
    Refund,
    SelfAssessmentBill,
    StreamOwner,
    TimeEntry,
    WriteOff,
)
from consult.core.tax import TREATMENT_NAMES, TreatmentName
from consult.errors import BooksError, Problem, Source

# HMRC self-employment expense categories (MTD ITSA API names; docs/money-rules.md §10):
# one table with their SA103F boxes in consult.core.categories
EXPENSE_CATEGORIES = CATEGORY_NAMES

PRACTICE_FIELDS = ("name", "address", "email", "phone", "website", "country", "subdivision",
                   "base_currency", "locale", "hours_per_day", "vat_number", "company_number",
                   "bank", "tax_year_start", "invoice", "market_rates", "peppol_id", "vat",
                   "structure", "accounting_basis", "streams", "person", "company", "registered_office",
                   "registered_in")
BANK_FIELDS = ("account_name", "sort_code", "account_number", "iban", "bic", "currency", "bank_name",
               "routing_number")
INVOICE_FIELDS = ("number_format", "credit_note_format", "proposal_format", "payment_terms_days", "vat_rate",
                  "vat_rounding", "template")
CLIENT_FIELDS = ("name", "kind", "contact", "email", "address", "country", "currency", "locale",
                 "vat_number", "tax_id", "payment_terms_days", "tax", "business_evidence",
                 "einvoice", "buyer_reference", "peppol_id", "late_payment", "language", "template",
                 "invoice_detail")
ENGAGEMENT_FIELDS = ("title", "billing", "rate", "currency", "hours_per_day", "day_rounding",
                     "time_increment_minutes", "start", "end", "po_number", "budget",
                     "milestones", "status", "overtime", "invoice_detail")
# Fields an engagement once accepted and nothing ever read: refused, saying why and what to do.
# An engagement is tied to its proposal by id (proposals/<id>.yaml is accepted as
# engagements/<id>.yaml, consult.proposals.proposal), and invoice lines print the title.
NOT_ENGAGEMENT_FIELDS = {
    "proposal": "unknown field — consult ties an engagement to its proposal by id (proposals/<id>.yaml is "
                "accepted as engagements/<id>.yaml) and never read this one; remove it, or keep the note as "
                "a comment (# from proposal P-2026-0001)",
    "description": "unknown field — nothing prints an engagement's description (invoice lines print its "
                   "title) and consult never read this one; remove it, or keep the text as a comment (# …)",
}
EXPENSE_FIELDS = ("date", "engagement", "amount", "currency", "note", "rebill", "vat", "category",
                  *EXPENSE_EXTRA_FIELDS)
INCOME_FIELDS = ("date", "amount", "currency", "stream", "note", "fx_rate", "withheld")
PAYMENT_FIELDS = ("date", "invoice", "amount", "currency", "fx_rate", "withheld", "note")
ALLOCATION_FIELDS = ("date", "from", "to", "amount", "currency", "note")
REFUND_FIELDS = ("date", "from", "amount", "currency", "fx_rate", "note")
WRITEOFF_FIELDS = ("date", "invoice", "amount", "currency", "reason", "category")
# practice.yaml additions for tax estimates (consult.tax; README "Tax to set aside")
PERSON_FIELDS = ("scottish_taxpayer", "employment", "self_assessment")
EMPLOYMENT_FIELDS = ("tax_year", "pay", "tax_deducted", "employer")
SA_BILL_FIELDS = ("tax_year", "bill")
COMPANY_FIELDS = ("year_end", "started", "associated_companies", "director")
DIRECTOR_FIELDS = ("salary", "dividends")
BUSINESS_STREAMS = ("consulting", "rebilled expenses")  # invoiced: always the business's


# ------------------------------------------------------------------------------------------
# records
# ------------------------------------------------------------------------------------------
def read_practice(root: Path, problems: list[Problem]) -> Practice | None:
    f = read_mapping(root, root / PRACTICE_FILE, problems)
    if f is None:
        return None
    name = f.text("name", True, "your legal or trading name, e.g. name: Northlight ML Ltd")
    address = f.lines("address", True, "your postal address as a `|` block")
    country = f.country("country", True)
    base = f.currency("base_currency", "GBP")
    locale = f.locale("locale", "en_GB")
    hpd = f.decimal("hours_per_day", positive=True, maximum=Decimal(24)) or Decimal("7.5")
    vat = f.text("vat_number")
    if vat is not None and (why := check_vat_number(vat, root)):
        f.error("vat_number", why)
    bank, banks = _read_banks(f, base, root)
    tax_year_start = f.month_day("tax_year_start", "e.g. 04-06 (the UK tax year) or 01-01") or \
        ((4, 6) if country == "GB" else (1, 1))
    inv = InvoiceSettings()
    if (i := f.sub("invoice")) is not None:
        inv = _read_invoice_settings(i)
        if inv.vat_rate is not None and vat is None:
            i.error("vat_rate", "a VAT rate is set but the practice has no vat_number; "
                                "add vat_number, or remove vat_rate if not VAT-registered")
    elif vat is not None:
        f.warn("vat_number", "VAT-registered but no invoice.vat_rate; add `invoice: {vat_rate: 20}`")
    sub = f.subdivision("subdivision", country)
    vat_settings = read_vat_settings(f, registered=vat is not None and inv.vat_rate is not None)
    structure = f.choice("structure", STRUCTURES, "sole_trader")
    basis = f.choice("accounting_basis", ACCOUNTING_BASES)
    if basis == "cash" and structure == "limited_company":
        f.error("accounting_basis", "a company's accounts are on the accruals basis (the cash basis is for "
                                    "sole traders and partnerships); write accruals or leave it out")
    streams = _read_streams(f)
    person = _read_person(f)
    company = _read_company(f, structure)
    f.done(PRACTICE_FIELDS)
    if name is None or country is None or base is None or locale is None:
        return None
    return Practice(
        name=name, address=address, email=f.email("email"), country=country, base_currency=base,
        locale=locale, hours_per_day=hpd, vat_number=vat, company_number=f.text("company_number"),
        bank=bank, tax_year_start=tax_year_start, invoice=inv, subdivision=sub,
        phone=f.text("phone"), website=f.text("website"), peppol_id=f.text("peppol_id"), source=f.where(),
        vat=vat_settings, structure=structure, accounting_basis=basis, streams=streams, person=person,
        company=company, banks=banks, registered_office=f.text("registered_office"),
        registered_in=f.text("registered_in"),
    )


def _read_banks(f: Fields, base: str | None, root: Path) -> tuple[Bank, tuple[Bank, ...]]:
    """`bank:` as one account (a mapping) or a list of accounts by `currency` (addition): the
    practice's main account (the base currency's, else the one with no currency, else the
    first) and every account."""
    from consult.books.yamlsource import YSeq

    if not isinstance(f.map.get("bank"), YSeq):
        b = f.sub("bank")
        one = _read_bank(b, root) if b is not None else Bank()
        return one, ((one,) if b is not None else ())
    accounts: list[Bank] = []
    seen: dict[str | None, int] = {}
    for i, item in enumerate(f.items("bank")):
        acct = _read_bank(item, root)
        if acct.currency in seen:
            item.error("currency", f"another account (bank[{seen[acct.currency]}]) is already for "
                                   f"{acct.currency or 'no currency'}; give each currency one account")
        seen.setdefault(acct.currency, i)
        accounts.append(acct)
    main = next((a for a in accounts if a.currency == base), None) or \
        next((a for a in accounts if a.currency is None), None) or (accounts[0] if accounts else Bank())
    return main, tuple(accounts)


# --- practice.yaml: who earns what (read by consult.tax) -------------------------------------
def _read_streams(f: Fields) -> dict[str, StreamOwner]:
    """`streams: {video: person, writing: business}`: who owns each income.yaml stream."""
    s = f.sub("streams")
    out: dict[str, StreamOwner] = {}
    if s is None:
        return out
    for stream in s.map:
        owner = s.choice(stream, STREAM_OWNERS, required=True)
        if owner == "person" and stream in BUSINESS_STREAMS:
            s.error(stream, f"'{stream}' is invoiced by the practice, so it is the business's income")
        elif owner is not None:
            out[stream] = owner
    return out


def _tax_year(f: Fields, field: str) -> int | None:
    """A tax year written `2026/27` (the year it starts in), with a problem for anything else."""
    from consult.core.periods import parse_period
    from consult.errors import UsageError

    text = f.text(field, True, "the tax year, e.g. 2026/27")
    if text is None:
        return None
    try:
        p = parse_period(text)
    except UsageError:
        p = None
    if p is None or p.kind != "tax_year" or p.start is None or "/" not in text:
        f.error(field, f"'{text}' is not a tax year — write it as 2026/27")
        return None
    return p.start.year


def _read_person(f: Fields) -> Person:
    p = f.sub("person")
    if p is None:
        return Person()
    scottish = p.boolean("scottish_taxpayer", False) if p.has("scottish_taxpayer") else None
    jobs: list[Employment] = []
    for j in p.items("employment"):
        year = _tax_year(j, "tax_year")
        pay = j.money("pay", "GBP", True, hint="gross pay for the year in pounds (a P60's pay), e.g. 30000")
        deducted = j.money("tax_deducted", "GBP", True, hint="income tax deducted (the P60's tax), e.g. 3486")
        j.done(EMPLOYMENT_FIELDS)
        if year is not None and pay is not None and deducted is not None:
            jobs.append(Employment(year, pay, deducted, j.text("employer"), j.where()))
    bills: list[SelfAssessmentBill] = []
    seen: set[int] = set()
    for b in p.items("self_assessment"):
        year = _tax_year(b, "tax_year")
        bill = b.money("bill", "GBP", True, hint="the year's Self Assessment bill in pounds, e.g. 14200.00")
        b.done(SA_BILL_FIELDS)
        if year is not None and year in seen:
            b.error("tax_year", "this tax year's bill is already given above; keep one")
        elif year is not None and bill is not None:
            seen.add(year)
            bills.append(SelfAssessmentBill(year, bill, b.where()))
    p.done(PERSON_FIELDS)
    return Person(scottish, tuple(jobs), tuple(bills))


def _read_company(f: Fields, structure: str) -> Company | None:

    c = f.sub("company")
    if c is None:
        return Company() if structure == "limited_company" else None
    if structure != "limited_company":
        f.warn("company", "is only read for `structure: limited_company`; it is ignored for a sole trader")
    year_end = c.month_day("year_end", "e.g. 03-31 (the accounting reference date)") or (3, 31)
    started = c.day("started")
    associated = c.integer("associated_companies", minimum=0, maximum=999)
    salary = dividends = None
    if (d := c.sub("director")) is not None:
        salary = d.money("salary", "GBP", hint="the director's salary a year in pounds, e.g. 12570")
        div = d.text("dividends")
        if div is not None and div != "all":
            dividends = d.money("dividends", "GBP", hint="dividends a year in pounds, or `all` (the profit "
                                                         "left after corporation tax)")
        d.done(DIRECTOR_FIELDS)
    c.done(COMPANY_FIELDS)
    return Company(year_end, started, associated or 0, salary, dividends)


def _read_bank(b: Fields, root: Path) -> Bank:
    import re

    from consult.books.identifiers import verdict

    sort_code = b.text("sort_code")
    if sort_code is not None and not re.fullmatch(r"\d{2}-?\d{2}-?\d{2}", sort_code):
        b.error("sort_code", f"'{sort_code}' is not a sort code — six digits, e.g. 12-34-56")
    acct = b.text("account_number")
    routing = b.text("routing_number")
    if routing is not None and not _aba_ok(routing):
        b.error("routing_number", f"'{routing}' is not an ABA routing number — nine digits with a valid "
                                  "check digit, e.g. \"026009593\" (quote it)")
    if routing is not None:
        if acct is not None and not re.fullmatch(r"\d{4,17}", acct):
            b.error("account_number", f"'{acct}' is not a US account number — 4 to 17 digits (quote it)")
    elif acct is not None and not re.fullmatch(r"\d{8}", acct):
        b.error("account_number", f"'{acct}' is not a UK account number — eight digits (quote it: \"01234567\")")
    ib = b.text("iban")
    if ib is not None:
        status, detail = verdict("iban", ib, root)
        if status == "valid":
            ib = detail  # the standard form: groups of four
        else:
            b.error("iban", f"'{ib}' is not a valid IBAN ({detail}) — check for a typo")
    bc = b.text("bic")
    if bc is not None and verdict("bic", bc, root)[0] != "valid":
        b.error("bic", f"'{bc}' is not a valid BIC — 8 or 11 characters, e.g. NWBKGB2L")
    if routing is not None:
        if acct is None:
            b.error(None, "give the account_number with the routing_number")
    elif sort_code is not None and acct is None or acct is not None and sort_code is None:
        b.error(None, "give both sort_code and account_number (or neither)")
    cur = b.currency("currency")
    b.done(BANK_FIELDS)
    return Bank(b.text("account_name"), sort_code, acct, ib, bc, cur, b.text("bank_name"), routing)


def _aba_ok(number: str) -> bool:
    """An ABA routing number: nine digits, 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10)."""
    import re

    if not re.fullmatch(r"\d{9}", number):
        return False
    d = [int(c) for c in number]
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0


def _read_invoice_settings(i: Fields) -> InvoiceSettings:
    d = InvoiceSettings()
    fmt = i.text("number_format") or d.number_format
    cfmt = i.text("credit_note_format") or d.credit_note_format
    pfmt = i.text("proposal_format") or d.proposal_format
    formats = (("number_format", fmt), ("credit_note_format", cfmt), ("proposal_format", pfmt))
    for field, pattern in formats:
        try:
            sample = pattern.format(year=2026, seq=1)
        except (KeyError, IndexError, ValueError) as e:
            i.error(field, f"'{pattern}' is not a valid pattern ({e}); use {{year}} and {{seq:04d}}")
            continue
        if "{seq" not in pattern:
            i.error(field, f"'{pattern}' has no {{seq}}, so every number would be the same")
        elif id_problem(sample.lower()) and not _number_ok(sample):
            i.error(field, f"'{pattern}' makes '{sample}', which cannot be a file name; "
                           "use letters, digits and '-'")
    vat_rate = i.decimal("vat_rate", minimum=Decimal(0), maximum=Decimal(100))
    rounding = i.choice("vat_rounding", VAT_ROUNDINGS, "half_up")
    terms = i.integer("payment_terms_days", minimum=0, maximum=365)
    template = i.text("template") or "default"
    if id_problem(template):
        i.error("template", id_problem(template) or "")
    i.done(INVOICE_FIELDS)
    for a in range(len(formats)):
        for b in range(a + 1, len(formats)):
            (fa, pa), (fb, pb) = formats[a], formats[b]
            try:
                clash = series_regex(pa).match(pb.format(year=2026, seq=7)) or \
                    series_regex(pb).match(pa.format(year=2026, seq=7))
            except (KeyError, IndexError, ValueError):
                continue
            if clash:
                i.error(fb, f"'{pb}' makes the same numbers as {fa} '{pa}'; each series needs its own "
                            "numbers (e.g. INV-…, CN-…, P-…)")
    return InvoiceSettings(fmt, cfmt, pfmt, terms if terms is not None else 30, vat_rate,
                           rounding or "half_up", template)


def _number_ok(number: str) -> bool:
    import re

    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}", number))


def read_client(root: Path, cid: str, practice: Practice | None, problems: list[Problem]) -> Client | None:
    f = read_mapping(root, root / "clients" / cid / "client.yaml", problems)
    if f is None:
        return None
    name = f.text("name", True, "the client's legal name, e.g. name: Acme Analytics Ltd")
    kind = f.choice("kind", CLIENT_KINDS, "client")
    currency = f.currency("currency", practice.base_currency if practice else None)
    locale = f.locale("locale", practice.locale if practice else "en_GB")
    country = f.country("country", required=kind == "client")
    vat = f.text("vat_number")
    if vat is not None and (why := check_vat_number(vat, root)):
        f.error("vat_number", why)
    registered = practice is not None and practice.vat_registered
    default_tax: TreatmentName = "standard" if registered else "none"
    tax = f.choice("tax", TREATMENT_NAMES, default_tax)
    evidence = f.text("business_evidence")
    if practice is not None and kind == "client":
        if not registered and tax != "none":
            f.error("tax", f"'{tax}' needs a VAT-registered practice, but practice.yaml has no "
                           "vat_number/invoice.vat_rate; use tax: none")
        elif registered and tax == "none":
            f.error("tax", "'none' is for a practice that is not VAT-registered; "
                           "use standard, reverse_charge or outside_scope")
        elif tax == "reverse_charge":
            if vat is None:
                f.error("tax", "reverse_charge needs the customer's VAT number (vat_number:) — "
                               "it must be printed on the invoice")
            if country == "GB":
                f.error("tax", "reverse_charge is for EU business customers; a UK customer is charged VAT (standard)")
        elif tax == "outside_scope":
            if country == "GB":
                f.error("tax", "a UK customer is inside the scope of UK VAT; use standard")
            if vat is None and evidence is None:
                f.error("tax", "dropping UK VAT needs evidence the customer is a business: add the "
                               "customer's vat_number or a business_evidence note (HMRC VATPOSS06500)")
    terms = f.integer("payment_terms_days", minimum=0, maximum=365)
    einv = f.choice("einvoice", ("facturx", "ubl"), None)
    language, template, detail = _document_fields(f)
    f.done(CLIENT_FIELDS)
    if name is None or currency is None or locale is None:
        return None
    return Client(
        id=cid, name=name, kind=kind or "client", contact=f.text("contact"), email=f.email("email"),
        address=f.lines("address"), country=country, currency=currency, locale=locale,
        vat_number=vat, payment_terms_days=terms, tax=tax, business_evidence=evidence,
        einvoice=einv, buyer_reference=f.text("buyer_reference"), tax_id=f.text("tax_id"),
        peppol_id=f.text("peppol_id"), late_payment=f.choice("late_payment", LATE_PAYMENT), source=f.where(),
        language=language, template=template, invoice_detail=detail,
    )


def _document_fields(f: Fields) -> tuple[str | None, str | None, InvoiceDetail | None]:
    """A client's `language`, `template` and `invoice_detail` (additions: how its documents look;
    whether the theme has words for the language is `consult check`'s, consult.themes.check)."""
    import re

    language = f.text("language")
    if language is not None and not re.fullmatch(r"[a-z]{2,3}", language):
        f.error("language", f"'{language}' is not a language; write an ISO 639 code, e.g. en, de or fr")
        language = None
    template = f.text("template")
    if template is not None and (why := id_problem(template)):
        f.error("template", f"{why} (a theme's name: templates/NAME.yaml)")
        template = None
    return language, template, f.choice("invoice_detail", INVOICE_DETAILS, None)


def read_engagement(root: Path, path: Path, client: Client, practice: Practice | None,
                    problems: list[Problem]) -> Engagement | None:
    f = read_mapping(root, path, problems)
    if f is None:
        return None
    eid = path.stem
    title = f.text("title", True, "what the work is, e.g. title: Churn model")
    billing = f.choice("billing", BILLINGS, required=True)
    cur = f.currency("currency", client.currency)
    if cur is not None and cur != client.currency:
        f.error("currency", f"{cur} differs from the client's currency {client.currency}; "
                            "one engagement bills in its client's currency")
        cur = None
    cur = cur or client.currency
    rate = f.money("rate", cur, required=billing in ("daily", "hourly"), positive=True,
                   hint="the rate per day (daily) or per hour (hourly), e.g. rate: 650")
    hpd = f.decimal("hours_per_day", positive=True, maximum=Decimal(24))
    if hpd is None:
        hpd = practice.hours_per_day if practice else Decimal("7.5")
    rounding = f.choice("day_rounding", DAY_ROUNDINGS, "exact")
    inc = f.integer("time_increment_minutes", minimum=1, maximum=60)
    if inc is not None and billing != "hourly":
        f.warn("time_increment_minutes", "applies only to hourly billing; it is ignored here")
    start, end = f.day("start"), f.day("end")
    if start and end and end < start:
        f.error("end", f"{end} is before start {start}")
    budget = None
    if (b := f.sub("budget")) is not None:
        budget = Budget(b.decimal("days", positive=True), b.decimal("hours", positive=True),
                        b.money("amount", cur, positive=True))
        b.done(("days", "hours", "amount"))
    milestones = _read_milestones(f, cur)
    if billing == "fixed" and not milestones and "milestones" not in f.map:
        f.error("milestones", "missing — fixed billing bills milestones: "
                              "[{name: Discovery, amount: 12000, due: 2026-09-30}]")
    status = f.choice("status", ENGAGEMENT_STATUSES, "active")
    overtime = f.boolean("overtime", False)
    detail = f.choice("invoice_detail", INVOICE_DETAILS, None)
    f.done(ENGAGEMENT_FIELDS, NOT_ENGAGEMENT_FIELDS)
    if title is None or billing is None or (billing != "fixed" and rate is None):
        return None
    return Engagement(
        client=client.id, id=eid, title=title, billing=billing, rate=rate, hours_per_day=hpd,
        day_rounding=rounding or "exact", time_increment_minutes=inc, start=start, end=end,
        po_number=f.text("po_number"), budget=budget, milestones=tuple(milestones),
        status=status or "active", overtime=overtime, currency=cur, source=f.where(), invoice_detail=detail,
    )


def _read_milestones(f: Fields, cur: str) -> list[Milestone]:
    """An engagement's milestones. What is billed remembers a milestone by its name, so two with
    one name (in any case) would be one to billing: the second would never be billed. It is an
    error at the second, naming the first."""
    milestones: list[Milestone] = []
    seen: dict[str, tuple[int, int | None, str]] = {}
    for i, m in enumerate(f.items("milestones")):
        mn = m.text("name", True, "what the milestone delivers, e.g. name: Discovery report")
        ma, md = m.money("amount", cur, True, positive=True), m.day("due", True)
        m.done(("name", "amount", "due"))
        if mn is not None:
            key = " ".join(mn.casefold().split())
            if key in seen:
                first, line, name = seen[key]
                m.error("name", f"milestones[{first}] on line {line} is already named '{name}'; a milestone is "
                                "billed by its name (in any case), so this one would never be billed — give each "
                                "its own name")
                continue
            seen[key] = (i, m.where("name").line, mn)
        if mn and ma and md:
            milestones.append(Milestone(mn, ma, md))
    return milestones


def _engagement_ref(f: Fields, client: Client, engagements: dict[tuple[str, str], Engagement],
                    required: bool, broken: AbstractSet[tuple[str, str]] = frozenset()) -> str | None:
    eid = f.text("engagement", required)
    if eid is None:
        return None
    if (client.id, eid) in broken:
        return None  # its file exists but has errors, already reported: no second, misleading one
    if (client.id, eid) not in engagements:
        known = ", ".join(e for (c, e) in sorted(engagements) if c == client.id) or "none"
        f.error("engagement", f"no engagement '{eid}' for client {client.id} (known: {known})")
        return None
    return eid


def read_expenses(root: Path, client: Client, engagements: dict[tuple[str, str], Engagement],
                  problems: list[Problem], broken: AbstractSet[tuple[str, str]] = frozenset()) -> list[Expense]:
    out = []
    for f in read_list(root, root / "clients" / client.id / "expenses.yaml", problems):
        d = f.day("date", True)
        eid = _engagement_ref(f, client, engagements, False, broken)
        cur = f.currency("currency", client.currency)
        amount = f.money("amount", cur, True, positive=True)
        vat = f.money("vat", cur)
        cat = f.choice("category", EXPENSE_CATEGORIES, None)
        extras = expense_extras(f, amount, vat)
        rebill = f.boolean("rebill", True)
        if extras["capital"] and rebill:
            # a rebilled item is sold on to the client (goods for resale), not kept as the
            # practice's own: its VAT and cost cannot be relieved as a capital item as well
            f.warn("capital", "a capital item that is also rebilled to the client (rebill is true unless "
                              "written) — an item you sell on is not your capital item: write rebill: false if "
                              "you keep it, or remove capital: true if the client pays for it")
        f.done(EXPENSE_FIELDS)
        if d and amount and cur:
            out.append(Expense(client.id, d, eid, amount, f.text("note"), rebill,
                               vat, cat, f.where(), **extras))
    return out


def read_income(root: Path, client: Client, problems: list[Problem]) -> list[IncomeItem]:
    out = []
    for f in read_list(root, root / "clients" / client.id / "income.yaml", problems):
        d = f.day("date", True)
        cur = f.currency("currency", client.currency)
        amount = f.money("amount", cur, True, positive=True)
        stream = f.text("stream", True, "what kind of income, e.g. writing, video, course, salary")
        fx = f.decimal("fx_rate", positive=True)
        withheld = f.money("withheld", cur)
        f.done(INCOME_FIELDS)
        if d and amount and stream:
            out.append(IncomeItem(client.id, d, amount, stream, f.text("note"), fx, withheld, f.where()))
    return out


def read_payments(root: Path, client: Client, problems: list[Problem]) -> list[Payment]:
    out = []
    for f in read_list(root, root / "clients" / client.id / "payments.yaml", problems):
        d = f.day("date", True)
        inv = f.text("invoice", True, "the invoice number paid, e.g. INV-2026-0001")
        cur = f.currency("currency", client.currency)
        amount = f.money("amount", cur, True, positive=True)
        fx = f.decimal("fx_rate", positive=True)
        withheld = f.money("withheld", cur)
        f.done(PAYMENT_FIELDS)
        if d and inv and amount:
            out.append(Payment(client.id, d, inv, amount, fx, withheld, f.text("note"), f.where()))
    return out


def read_allocations(root: Path, client: Client, problems: list[Problem]) -> list[Allocation]:
    out = []
    for f in read_list(root, root / "clients" / client.id / "allocations.yaml", problems):
        d = f.day("date", True)
        src = f.text("from", True, "the invoice or credit note the money comes from, e.g. from: CN-2026-0001")
        to = f.text("to", True, "the invoice it settles, e.g. to: INV-2026-0005")
        cur = f.currency("currency", client.currency)
        amount = f.money("amount", cur, True, positive=True)
        f.done(ALLOCATION_FIELDS)
        if src is not None and src == to:
            f.error("to", f"'{to}' is also the invoice the money comes from; an allocation moves money between two")
            continue
        if d and src and to and amount:
            out.append(Allocation(client.id, d, src, to, amount, f.text("note"), f.where()))
    return out


def read_refunds(root: Path, client: Client, problems: list[Problem]) -> list[Refund]:
    out = []
    for f in read_list(root, root / "clients" / client.id / "refunds.yaml", problems):
        d = f.day("date", True)
        src = f.text("from", True, "the invoice or credit note whose credit is paid back, e.g. from: CN-2026-0001")
        cur = f.currency("currency", client.currency)
        amount = f.money("amount", cur, True, positive=True)
        fx = f.decimal("fx_rate", positive=True)
        f.done(REFUND_FIELDS)
        if d and src and amount:
            out.append(Refund(client.id, d, src, amount, fx, f.text("note"), f.where()))
    return out


def read_writeoffs(root: Path, client: Client, problems: list[Problem]) -> list[WriteOff]:
    out = []
    for f in read_list(root, root / "clients" / client.id / "writeoffs.yaml", problems):
        d = f.day("date", True)
        inv = f.text("invoice", True, "the invoice whose balance is written off, e.g. invoice: INV-2026-0002")
        cur = f.currency("currency", client.currency)
        amount = f.money("amount", cur, True, positive=True)
        reason = f.text("reason", True, "why, e.g. reason: bank charges deducted by the client's bank")
        cat = f.choice("category", EXPENSE_CATEGORIES, "irrecoverableDebts")
        f.done(WRITEOFF_FIELDS)
        if d and inv and amount and reason:
            out.append(WriteOff(client.id, d, inv, amount, reason, cat or "irrecoverableDebts", f.where()))
    return out


# ------------------------------------------------------------------------------------------
# the whole books
# ------------------------------------------------------------------------------------------
def scope_of(problem: Problem) -> str | None:
    """The client a problem belongs to (anything under `clients/<id>/`), or None for the
    practice: practice.yaml, the root files, templates, the register."""
    parts = problem.source.path.split("/")
    return parts[1] if len(parts) >= 2 and parts[0] == "clients" and parts[1] else None


@record
class LoadResult:
    """What `load_books` read and every problem found. `unchecked`: the clients (or
    `practice.yaml`) whose errors kept `consult check` from cross-checking them."""

    books: Books | None
    problems: list[Problem]
    unchecked: tuple[str, ...] = ()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def errors_for(self, clients: Iterable[str] | None) -> list[Problem]:
        """The errors that stop a command acting on `clients` (None: the whole books): the
        practice's own, and those clients'. An error in another client does not."""
        if clients is None:
            return self.errors
        wanted = set(clients)
        return [p for p in self.errors if (c := scope_of(p)) is None or c in wanted]

    @property
    def broken_clients(self) -> frozenset[str]:
        """Clients with at least one error."""
        return frozenset(c for p in self.errors if (c := scope_of(p)) is not None)


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))


def load_books(root: Path, *, timesheets: bool = True) -> LoadResult:
    """Read everything under `root`. `timesheets=False` skips the (possibly large) time entries."""
    root = Path(root)
    problems: list[Problem] = unsafe_paths(root)
    practice = read_practice(root, problems)
    clients: dict[str, Client] = {}
    engagements: dict[tuple[str, str], Engagement] = {}
    entries: list[TimeEntry] = []
    expenses: list[Expense] = []
    income: list[IncomeItem] = []
    payments: list[Payment] = []
    allocations: list[Allocation] = []
    refunds: list[Refund] = []
    writeoffs: list[WriteOff] = []
    broken: set[tuple[str, str]] = set()  # engagements that exist but did not read: no cascade errors
    cdir = root / "clients"
    for d in sorted(cdir.iterdir()) if cdir.is_dir() else []:
        if d.name.startswith("."):
            continue
        r = rel(root, d)
        if not d.is_dir():
            problems.append(Problem(Source(r), None, "only client folders belong in clients/; move this file"))
            continue
        if why := id_problem(d.name):
            problems.append(Problem(Source(r), None, f"client folder name: {why}"))
            continue
        if not (d / "client.yaml").exists():
            problems.append(Problem(Source(r), None, "has no client.yaml; add one (see `consult init`)"))
            continue
        problems.extend(client_folder_problems(root, d.name))
        client = read_client(root, d.name, practice, problems)
        if client is None:
            continue
        clients[client.id] = client
        seen: dict[str, Path] = {}
        for p in _yaml_files(d / "engagements"):
            if why := id_problem(p.stem):
                problems.append(Problem(Source(rel(root, p)), None, f"engagement file name: {why}"))
                continue
            if p.stem in seen:
                problems.append(Problem(Source(rel(root, p)), None,
                                        f"duplicate engagement id '{p.stem}' (also {rel(root, seen[p.stem])}); keep one"))
                continue
            seen[p.stem] = p
            e = read_engagement(root, p, client, practice, problems)
            if e is not None:
                engagements[(client.id, e.id)] = e
            else:
                broken.add((client.id, p.stem))
        if timesheets:
            entries.extend(read_timesheets(root, client, engagements, problems, broken))
        expenses.extend(read_expenses(root, client, engagements, problems, broken))
        income.extend(read_income(root, client, problems))
        payments.extend(read_payments(root, client, problems))
        allocations.extend(read_allocations(root, client, problems))
        refunds.extend(read_refunds(root, client, problems))
        writeoffs.extend(read_writeoffs(root, client, problems))
    if practice is not None:
        expenses.extend(read_practice_expenses(root, practice, problems))
        expenses.extend(read_mileage(root, problems))
    problems.extend(root_problems(root))
    problems = list(dict.fromkeys(problems))  # a FIFO is seen by the walk and by its reader: say it once
    problems.sort(key=lambda p: (p.source.path, p.source.line or 0, p.source.column or 0))
    if practice is None:
        return LoadResult(None, problems)
    books = Books(root=root, practice=practice, clients=clients, engagements=engagements,
                  entries=tuple(entries), expenses=tuple(expenses), income=tuple(income),
                  payments=tuple(payments), allocations=tuple(allocations), refunds=tuple(refunds),
                  writeoffs=tuple(writeoffs))
    return LoadResult(books, problems)


def open_books(root: Path, *, timesheets: bool = True, clients: Iterable[str] | None = None,
               timesheet_errors: bool = True) -> Books:
    """Books for a command that acts on them: refuses (BooksError) while an error remains that
    concerns what the command touches.

    `clients=None` (the default) is a command over the whole books (reports, VAT, earnings,
    listings): any error stops it. A command on some clients only (`invoice create acme`,
    `time log acme/build`, `client add new-co`) passes their ids: it is stopped by the
    practice's errors (practice.yaml, the root files, templates, the register) and by those
    clients' errors, never by another client's — and since every command that writes into a
    client names it here, none writes into a client with errors. `clients=()` is a command on
    the practice alone (`mileage add`, a practice expense).

    Without `timesheets`, the named clients' timesheets are still read for their errors (a
    client with a broken timesheet is a client with errors) unless `timesheet_errors=False`
    says the caller reads them itself under the lock (`time log` does)."""
    result = load_books(root, timesheets=timesheets)
    if result.books is None:
        raise BooksError(result.problems, "the books have errors; fix them first (`consult check` lists them)")
    wanted = None if clients is None else tuple(clients)
    errors = result.errors_for(wanted)
    if not errors and not timesheets and timesheet_errors and wanted:
        books = result.books
        broken = {(c, p.stem) for c in wanted for p in _yaml_files(Path(root) / "clients" / c / "engagements")
                  if (c, p.stem) not in books.engagements}
        found: list[Problem] = []
        for cid in wanted:
            if cid in books.clients:
                read_timesheets(Path(root), books.clients[cid], books.engagements, found, broken)
        errors = [p for p in found if p.severity == "error"]
    if errors:
        raise refusal(errors)
    return result.books


def refusal(errors: list[Problem]) -> BooksError:
    """The error that stops a command, headed by whose errors they are: "client acme has
    errors" when they are one or more clients' own, "the books have errors" otherwise."""
    scoped = sorted({c for p in errors if (c := scope_of(p)) is not None})
    if not scoped or any(scope_of(p) is None for p in errors):
        head = "the books have errors"
    elif len(scoped) == 1:
        head = f"client {scoped[0]} has errors"
    else:
        head = f"clients {', '.join(scoped)} have errors"
    return BooksError(errors, f"{head}; fix them first (`consult check` lists them)")
