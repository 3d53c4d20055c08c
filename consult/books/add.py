"""`consult client add` and `consult engagement add`: new records written as a person would.

The new file is composed as commented YAML, read back through the *same* loader functions
that `consult check` uses (in a scratch folder, against the real practice), and only written
into the books when it reads back with no error — so `add` can never leave a record that
`check` would reject. Existing files are never overwritten (`store.write_new`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from consult.books.fields import id_problem
from consult.books.journal import Transaction
from consult.books.loader import open_books, read_client, read_engagement
from consult.books.lock import books_lock
from consult.books.writers import one_line, scalar, text_block
from consult.errors import ConflictError, Problem, UsageError

# EU member states (2026): the countries where a business customer is reverse-charged.
EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)


def _scalar(value: object) -> str:
    """One YAML value through the books' one serialiser (consult.books.writers)."""
    return scalar(value)


def _block(lines: list[str]) -> str:
    return text_block([ln.strip() for ln in lines if ln.strip()])


ENGLISH_FOR_BUSINESS = frozenset("GB US IN IE AU CA NZ SG ZA MT CY HK AE".split())


def default_locale(country: str) -> str:
    """How the client reads money: English where it is the language of business there (en_IN
    groups by lakh), else CLDR's likely locale for the country (DE → de_DE, FR → fr_FR)."""
    from babel import Locale, UnknownLocaleError

    if country in ENGLISH_FOR_BUSINESS:
        return f"en_{country}"
    try:
        return str(Locale.parse(f"und_{country}"))
    except (UnknownLocaleError, ValueError):
        return "en_GB"


def default_currency(country: str) -> str | None:
    from babel.numbers import get_territory_currencies

    found = get_territory_currencies(country)  # the currency in use there now (CLDR)
    return found[0] if found else None


def default_tax(country: str, vat_registered: bool) -> str:
    """Where UK VAT law puts a *business* customer in this country (docs/money-rules.md §4)."""
    if not vat_registered:
        return "none"
    if country == "GB":
        return "standard"
    return "reverse_charge" if country in EU_COUNTRIES else "outside_scope"


@dataclass(frozen=True)
class NewClient:
    id: str
    name: str
    country: str
    currency: str | None = None
    locale: str | None = None
    tax: str | None = None
    kind: str = "client"
    contact: str | None = None
    email: str | None = None
    address: tuple[str, ...] = ()
    vat_number: str | None = None
    payment_terms_days: int | None = None
    business_evidence: str | None = None


@dataclass(frozen=True)
class NewEngagement:
    client: str
    id: str
    title: str
    billing: str
    rate: Decimal | None = None
    start: date | None = None
    end: date | None = None
    day_rounding: str | None = None
    time_increment_minutes: int | None = None
    hours_per_day: Decimal | None = None
    po_number: str | None = None
    budget_days: Decimal | None = None
    status: str = "active"
    milestones: tuple[tuple[str, Decimal, date], ...] = field(default_factory=tuple)


def client_text(c: NewClient, vat_registered: bool) -> str:
    country = c.country.upper()
    currency = c.currency or default_currency(country) or "GBP"
    locale = c.locale or default_locale(country)
    tax = c.tax or default_tax(country, vat_registered)
    out = [f"# clients/{c.id}/client.yaml — written by `consult client add`; edit freely, then `consult check`.",
           f"name: {_scalar(c.name)}"]
    if c.kind != "client":
        out.append(f"kind: {c.kind}")
    if c.contact:
        out.append(f"contact: {_scalar(c.contact)}")
    if c.email:
        out.append(f"email: {_scalar(c.email)}")
    if c.address:
        out.append("address: " + _block(list(c.address)).rstrip("\n"))
    out += [f"country: {_scalar(country)}", f"currency: {_scalar(currency)}", f"locale: {_scalar(locale)}"]
    if c.vat_number:
        out.append(f"vat_number: {_scalar(c.vat_number)}")
    if c.payment_terms_days is not None:
        out.append(f"payment_terms_days: {c.payment_terms_days}")
    if c.kind == "client":
        out.append(f"tax: {tax}                # standard | reverse_charge | outside_scope | zero | exempt | none")
    if c.business_evidence:
        out.append(f"business_evidence: {_scalar(c.business_evidence)}")
    return "\n".join(out) + "\n"


def engagement_text(e: NewEngagement) -> str:
    out = [f"# clients/{e.client}/engagements/{e.id}.yaml — written by `consult engagement add`.",
           f"title: {_scalar(e.title)}", f"billing: {e.billing}                # daily | hourly | fixed"]
    if e.rate is not None:
        out.append(f"rate: {e.rate:f}                   # per {'day' if e.billing == 'daily' else 'hour'}, "
                   "in the client's currency")
    if e.hours_per_day is not None:
        out.append(f"hours_per_day: {e.hours_per_day:f}")
    if e.billing == "daily":
        out.append(f"day_rounding: {e.day_rounding or 'half'}            # exact | half | whole, per calendar day")
    if e.billing == "hourly":
        out.append(f"time_increment_minutes: {e.time_increment_minutes or 15}   # each entry rounds up to this")
    if e.start:
        out.append(f"start: {e.start.isoformat()}")
    if e.end:
        out.append(f"end: {e.end.isoformat()}")
    if e.po_number:
        out.append(f"po_number: {_scalar(e.po_number)}")
    if e.budget_days is not None:
        out.append(f"budget: {{days: {e.budget_days:f}}}")
    if e.milestones:
        out.append("milestones:")
        for name, amount, due in e.milestones:
            out.append(f"  - {{name: {_scalar(name)}, amount: {amount:f}, due: {due.isoformat()}}}")
    elif e.billing == "fixed":
        out.append("milestones: []             # add: - {name: Discovery, amount: 12000, due: 2026-09-30}")
    out.append(f"status: {e.status}")
    return "\n".join(out) + "\n"


# record field -> the command-line option that set it
OPTION_FOR = {"name": "--name", "country": "--country", "currency": "--currency", "locale": "--locale",
              "tax": "--tax", "kind": "--kind", "contact": "--contact", "email": "--email",
              "address": "--address", "vat_number": "--vat-number", "payment_terms_days": "--terms",
              "business_evidence": "--business-evidence", "title": "--title", "billing": "--billing",
              "rate": "--rate", "start": "--start", "end": "--end", "day_rounding": "--day-rounding",
              "time_increment_minutes": "--increment", "hours_per_day": "--hours-per-day",
              "po_number": "--po", "budget": "--budget-days", "status": "--status"}


def _refuse(problems: list[Problem]) -> None:
    """The record the options describe would not check: say which option, as bad usage (exit 2).

    Only the first error is shown: later ones follow from it (a bad country makes the VAT
    treatment unknowable too)."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        p = errors[0]
        field = (p.field or "").split(".")[0].split("[")[0]
        raise UsageError(f"{OPTION_FOR.get(field, field or 'options')}: {p.message}")


# the single-line fields of each record and the option that gives them (line breaks refused)
_CLIENT_LINES = (("name", "--name"), ("contact", "--contact"), ("email", "--email"), ("vat_number", "--vat-number"),
                 ("business_evidence", "--business-evidence"), ("country", "--country"),
                 ("currency", "--currency"), ("locale", "--locale"))
_ENGAGEMENT_LINES = (("title", "--title"), ("po_number", "--po"))


def add_client(root: Path, c: NewClient) -> Path:
    """Write clients/<id>/client.yaml, checked first; refuses an id that exists."""
    if why := id_problem(c.id):
        raise UsageError(f"client id: {why}")
    for field_name, option in _CLIENT_LINES:
        one_line(getattr(c, field_name), option)
    for line in c.address:
        one_line(line, "--address")
    root = Path(root)
    # never into books whose practice has errors (nor over a client folder with errors):
    # another client's errors do not stop it
    practice = open_books(root, timesheets=False, clients=[c.id]).practice
    text = client_text(c, practice.vat_registered)
    rel = f"clients/{c.id}/client.yaml"
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / rel
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
        found: list[Problem] = []
        read_client(Path(scratch), c.id, practice, found)
        _refuse(found)
    target = root / rel
    with books_lock(root):
        if target.parent.exists():
            raise ConflictError(f"client '{c.id}' already exists ({target.parent}); "
                                "edit its client.yaml instead")
        tx = Transaction(root, f"adding client {c.id}")
        tx.new(target, text)  # one journalled step: killed midway, the next command finishes it
        tx.commit()
    return target


def add_engagement(root: Path, e: NewEngagement) -> Path:
    """Write clients/<client>/engagements/<id>.yaml, checked first; never overwrites."""
    for what, value in (("client", e.client), ("engagement id", e.id)):
        if why := id_problem(value):
            raise UsageError(f"{what}: {why}")
    for field_name, option in _ENGAGEMENT_LINES:
        one_line(getattr(e, field_name), option)
    for name, _, _ in e.milestones:
        one_line(name, "milestone name")
    root = Path(root)
    books = open_books(root, timesheets=False, clients=[e.client])
    client = books.client(e.client)
    if e.billing in ("daily", "hourly") and e.rate is None:
        raise UsageError(f"--rate is needed for {e.billing} billing (per {'day' if e.billing == 'daily' else 'hour'})")
    text = engagement_text(e)
    rel = f"clients/{e.client}/engagements/{e.id}.yaml"
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / rel
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
        found: list[Problem] = []
        read_engagement(Path(scratch), path, client, books.practice, found)
        _refuse(found)
    target = root / rel
    with books_lock(root):
        if target.exists():
            raise ConflictError(f"engagement '{e.client}/{e.id}' already exists ({rel}); edit it instead")
        tx = Transaction(root, f"adding engagement {e.client}/{e.id}")
        tx.new(target, text)
        tx.commit()
    return target
