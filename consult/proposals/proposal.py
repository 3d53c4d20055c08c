"""Day-rate proposals and quotes: read, price, number, accept.

A proposal is a hand-editable file, `clients/<client>/proposals/<id>.yaml` (written by
`consult quote`, by `consult proposal new`, or by hand), read through the same loader helpers
as every other record so a mistake is reported with file, line and field.

Rules written down because they are choices:

* **Fees.** Each phase costs days x day rate, rounded half up to the minor unit once
  (`Money.times`). The net is the sum of the phase fees that are not `optional: true`;
  optional phases are priced and printed but left out of the total. VAT is an *estimate* by
  the client's tax treatment, worked like an invoice's: the practice's `vat_rate` on the net
  total, half up (or down when `invoice.vat_rounding: down`); no VAT for reverse-charge,
  outside-scope, zero, exempt or a practice that is not registered.
* **Validity.** `valid_until` if given, else the proposal `date` + `valid_days` (default 30).
  Valid *until* means the last day it can be accepted on.
* **Number.** `P-{year}-{seq:04d}`, the year of the proposal date, one sequence for all
  clients, allocated once under the books lock the first time the proposal is rendered: the
  `number:` (and, if missing, `date:`) lines are written back into the YAML textually, so the
  user's comments and layout survive, then read back to prove the file still means the same.
* **Status** is derived, never stored: `accepted` when an engagement with the proposal's id
  exists for the client or an `accepted:` date is given; otherwise `draft` without a number,
  `expired` after `valid_until`, else `sent`.
* **Words.** A proposal is drawn in its client's `language:` and theme (`template:`), like its
  invoices. The assumptions, payment schedule and terms `consult quote` and `consult proposal
  new` write are in that language (English, German or French), and the VAT sentence follows
  the client's tax treatment: only a standard-rated client is told VAT will be added; a
  reverse-charge or outside-scope client is told no UK VAT is charged.
* **Accepting** writes `engagements/<id>.yaml`: daily billing at the quoted rate, half-day
  rounding, a budget of the quoted days of the phases taken (optional ones only when named),
  the proposal's start and end. An existing engagement is never overwritten; an expired or
  unnumbered proposal is accepted only with `force`.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from consult.books.fields import Fields, id_problem
from consult.books.files import read_text, rel
from consult.books.yamlsource import Scalar, YamlProblem, YMap, load_yaml
from consult.core.money import Money
from consult.core.record import record
from consult.core.records import Books, Client, Practice
from consult.core.tax import treatment, vat_on, vat_rate
from consult.errors import BooksError, ConflictError, ConsultError, NotFound, Problem, Source, UsageError
from consult.invoices.record import Party

NUMBER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")  # what any number format makes
DEFAULT_VALID_DAYS = 30
PROPOSAL_FIELDS = ("title", "summary", "number", "date", "currency", "rate", "start", "end",
                   "valid_days", "valid_until", "phases", "assumptions", "payment_schedule", "terms",
                   "accepted")
PHASE_FIELDS = ("name", "days", "description", "deliverables", "optional")

Status = Literal["draft", "sent", "expired", "accepted"]
Day = date  # the type, for a record whose field is called `date`



# --------------------------------------------------------------------------------------------
# records
# --------------------------------------------------------------------------------------------
@record
class Phase:
    """One piece of the work: days x the proposal's day rate = fee (half up, once)."""

    name: str
    days: Decimal
    fee: Money
    description: str | None = None
    deliverables: tuple[str, ...] = ()
    optional: bool = False


@record
class Proposal:
    """A proposal as written. `number` and `date` are None until it is first rendered."""

    client: str
    id: str
    title: str
    rate: Money
    phases: tuple[Phase, ...]
    summary: tuple[str, ...] = ()
    number: str | None = None
    date: Day | None = None
    start: Day | None = None
    end: Day | None = None
    valid_days: int = DEFAULT_VALID_DAYS
    explicit_valid_until: Day | None = None
    assumptions: tuple[str, ...] = ()
    payment_schedule: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    accepted: Day | None = None
    source: Source = Source("")
    number_source: Source = Source("")

    @property
    def key(self) -> str:
        return f"{self.client}/{self.id}"

    @property
    def valid_until(self) -> Day | None:
        """The last day it can be accepted on; None for an undated draft."""
        if self.explicit_valid_until is not None:
            return self.explicit_valid_until
        return self.date + timedelta(days=self.valid_days) if self.date else None

    @property
    def currency(self) -> str:
        return self.rate.currency


@record
class Fees:
    """The fee table's figures. `vat_rate` is None when no VAT is charged (see `tax_note`)."""

    days: Decimal
    net: Money
    vat_rate: Decimal | None
    vat: Money
    total: Money
    tax: str
    tax_note: str | None
    optional_days: Decimal
    optional_net: Money


@record
class ProposalDocument:
    """Everything the PDF prints, worked out here (the renderer does no arithmetic)."""

    proposal: Proposal
    fees: Fees
    seller: Party
    buyer: Party
    locale: str
    hours_per_day: Decimal
    template: str = "default"
    language: str | None = None  # the client's `language:` (None: the theme's own)


# --------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------
def proposal_dir(root: Path, client_id: str) -> Path:
    return Path(root) / "clients" / client_id / "proposals"


def proposal_path(root: Path, client_id: str, pid: str) -> Path:
    return proposal_dir(root, client_id) / f"{pid}.yaml"


def _paragraphs(f: Fields, field: str) -> tuple[str, ...]:
    """A `|` block split into paragraphs at blank lines, or a list of items."""
    v = f.map.get(field)
    if isinstance(v, Scalar) and not v.is_null:
        paras = re.split(r"\n\s*\n", v.text.strip())
        return tuple(" ".join(x.split()) for x in paras if x.strip())
    return f.lines(field)


def parse_proposal(path: str, text: str, client: Client, problems: list[Problem]) -> Proposal | None:
    """A proposal from its YAML text; every problem found goes to `problems` with its line."""
    try:
        value = load_yaml(text, path)
    except YamlProblem as e:
        problems.append(e.problem)
        return None
    if not isinstance(value, YMap):
        problems.append(Problem(Source(path, getattr(value, "line", 1)), None,
                                "expected a mapping of fields (`title: …`, `rate: …`, `phases: …`)"))
        return None
    f = Fields(path, value, problems)
    title = f.text("title", True, "what the work is, e.g. title: MLOps platform")
    cur = f.currency("currency", client.currency)
    if cur is not None and cur != client.currency:
        f.error("currency", f"{cur} differs from the client's currency {client.currency}; "
                            "a proposal is priced in its client's currency")
    cur = client.currency
    rate = f.money("rate", cur, True, positive=True,
                   hint="the day rate in the client's currency, e.g. rate: 650")
    number = f.text("number")
    if number is not None and not NUMBER_RE.fullmatch(number):
        f.error("number", f"'{number}' is not a proposal number (e.g. P-2026-0001); consult writes it "
                          "the first time the proposal is rendered — remove the line to get one")
        number = None
    day = f.day("date")
    if number is not None and day is None:
        f.error("date", "missing — a numbered proposal has the date it was issued, e.g. date: 2026-11-23")
    start, end = f.day("start"), f.day("end")
    if start and end and end < start:
        f.error("end", f"{end} is before start {start}")
    valid_days = f.integer("valid_days", minimum=1, maximum=365)
    valid_until = f.day("valid_until")
    if valid_days is not None and valid_until is not None:
        f.error("valid_until", "give valid_days or valid_until, not both")
    if valid_until and day and valid_until < day:
        f.error("valid_until", f"{valid_until} is before the proposal date {day}")
    accepted = f.day("accepted")
    if accepted and day and accepted < day:
        f.error("accepted", f"{accepted} is before the proposal date {day}")
    phases: list[Phase] = []
    seen: dict[str, int] = {}
    items = f.items("phases")
    for i, pf in enumerate(items):
        name = pf.text("name", True, "e.g. name: Discovery")
        days = pf.decimal("days", True, positive=True, maximum=Decimal(1000), hint="working days, e.g. days: 5")
        optional = pf.boolean("optional", False)
        pf.done(PHASE_FIELDS)
        if name is not None and name.lower() in seen:
            pf.error("name", f"'{name}' is also phase {seen[name.lower()] + 1}; give each phase its own name")
        elif name is not None:
            seen[name.lower()] = i
        if name and days is not None and rate is not None:
            phases.append(Phase(name, days, rate.times(days), pf.text("description"),
                                pf.lines("deliverables"), optional))
    if not items and not [x for x in problems if x.field == "phases"]:
        f.error("phases", "missing — list the work, e.g. phases: [{name: Build, days: 20}]")
    elif phases and len(phases) == len(items) and all(x.optional for x in phases):
        f.error("phases", "every phase is optional, so the proposal has no total; "
                          "make at least one phase `optional: false`")
    f.done(PROPOSAL_FIELDS)
    if title is None or rate is None or not phases:
        return None
    return Proposal(
        client=client.id, id=Path(path).stem, title=title, rate=rate, phases=tuple(phases),
        summary=_paragraphs(f, "summary"),
        number=number, date=day, start=start, end=end,
        valid_days=valid_days or DEFAULT_VALID_DAYS, explicit_valid_until=valid_until,
        assumptions=_paragraphs(f, "assumptions"), payment_schedule=_paragraphs(f, "payment_schedule"),
        terms=_paragraphs(f, "terms"), accepted=accepted, source=f.where(),
        number_source=f.where("number"),
    )


def read_proposal(root: Path, client: Client, pid: str, problems: list[Problem]) -> Proposal | None:
    path = proposal_path(root, client.id, pid)
    text = read_text(Path(root), path, problems)
    if text is None:
        return None
    return parse_proposal(rel(Path(root), path), text, client, problems)


def proposal_ids(root: Path, client_id: str) -> list[str]:
    folder = proposal_dir(root, client_id)
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))


def load_proposals(books: Books) -> tuple[list[Proposal], list[Problem]]:
    """Every proposal of every client, and the problems of those that do not read cleanly."""
    out: list[Proposal] = []
    problems: list[Problem] = []
    for cid, client in sorted(books.clients.items()):
        for pid in proposal_ids(books.root, cid):
            where = rel(books.root, proposal_path(books.root, cid, pid))
            if why := id_problem(pid):
                problems.append(Problem(Source(where), None, f"proposal file name: {why}"))
                continue
            p = read_proposal(books.root, client, pid, problems)
            if p is not None:
                out.append(p)
    seen: dict[str, Proposal] = {}
    for p in out:
        if p.number is None:
            continue
        if p.number in seen:
            problems.append(Problem(p.number_source, "number", f"{p.number} is also the number of "
                                    f"{seen[p.number].key}; each proposal has its own — remove this "
                                    "`number:` line and render it again to get a new one"))
        else:
            seen[p.number] = p
    problems.sort(key=lambda x: (x.source.path, x.source.line or 0))
    return out, problems


def load_proposal(books: Books, client_id: str, pid: str) -> Proposal:
    """One proposal for a command: NotFound when missing, BooksError when it has errors."""
    client = books.client(client_id)
    path = proposal_path(books.root, client_id, pid)
    if not path.exists():
        known = ", ".join(proposal_ids(books.root, client_id)) or "none yet"
        raise NotFound(f"no proposal '{pid}' for client '{client_id}' (proposals: {known}); "
                       f"start one with `consult proposal new {client_id} {pid}`")
    problems: list[Problem] = []
    p = read_proposal(books.root, client, pid, problems)
    errors = [x for x in problems if x.severity == "error"]
    if errors or p is None:
        raise BooksError(problems, f"{rel(books.root, path)} has errors; fix them first")
    return p


# --------------------------------------------------------------------------------------------
# figures and status
# --------------------------------------------------------------------------------------------
def price(p: Proposal, client: Client, practice: Practice) -> Fees:
    """The fee table: net of the phases taken, VAT estimate, total; optional phases apart."""
    cur = p.currency
    taken = [x for x in p.phases if not x.optional]
    extra = [x for x in p.phases if x.optional]
    net = Money.total((x.fee for x in taken), cur)
    tr = treatment(client.tax, practice.vat_registered)
    rate = vat_rate(tr, practice.invoice.vat_rate)
    vat = vat_on(net, rate, practice.invoice.vat_rounding)
    return Fees(days=sum((x.days for x in taken), Decimal(0)), net=net, vat_rate=rate, vat=vat,
                total=net + vat, tax=client.tax, tax_note=tr.note,
                optional_days=sum((x.days for x in extra), Decimal(0)),
                optional_net=Money.total((x.fee for x in extra), cur))


def proposal_status(p: Proposal, books: Books, today: date) -> Status:
    """draft, sent, expired or accepted, from the file, the engagements and `today`."""
    if p.accepted is not None or (p.client, p.id) in books.engagements \
            or (Path(books.root) / "clients" / p.client / "engagements" / f"{p.id}.yaml").exists():
        return "accepted"
    if p.number is None:
        return "draft"
    until = p.valid_until
    return "expired" if until is not None and today > until else "sent"


def document(books: Books, p: Proposal) -> ProposalDocument:
    from consult.invoices.build import buyer_party, document_locale, seller_party

    client = books.client(p.client)
    return ProposalDocument(p, price(p, client, books.practice), seller_party(books), buyer_party(client),
                            document_locale(client), books.practice.hours_per_day,
                            client.template or books.practice.invoice.template, client.language)


# --------------------------------------------------------------------------------------------
# numbering and writing back
# --------------------------------------------------------------------------------------------
def set_top_level(text: str, values: Mapping[str, object]) -> str:
    """`text` with each top-level `key: value` line replaced, or inserted before the first key;
    each value written by the books' one serialiser (consult.books.writers.scalar).

    Only whole lines at column 0 are touched, so comments and the rest of the layout stay as
    the user wrote them. The caller reads the result back to prove it still parses.
    """
    from consult.books.writers import key as field_key
    from consult.books.writers import scalar

    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    missing: list[str] = []
    for key, value in values.items():
        line = f"{field_key(key)}: {scalar(value)}\n"
        rx = re.compile(rf"{re.escape(key)}[ \t]*:(?:[ \t].*)?\n?\Z")
        for i, ln in enumerate(lines):
            if rx.match(ln):
                lines[i] = line
                break
        else:
            missing.append(line)
    at = next((i for i, ln in enumerate(lines)
               if ln.strip() and not ln.startswith(("#", " ", "\t", "---", "%"))), len(lines))
    lines[at:at] = missing
    return "".join(lines)


@record
class Issued:
    document: ProposalDocument
    record: Path
    pdf: Path | None
    numbered: bool  # True when this call allocated the number


Renderer = Callable[[ProposalDocument], bytes]


def _refuse(problems: Iterable[Problem], headline: str) -> None:
    errors = [x for x in problems if x.severity == "error"]
    if errors:
        raise BooksError(errors, headline)


def _issue_locked(books: Books, client: Client, pid: str, text: str, today: date,
                  render: Renderer | None, *, create: bool) -> Issued:
    """Number (the first time), render and write a proposal: the YAML, the PDF and — when a
    number is taken — its register line, in one transaction (consult.books.journal)."""
    from consult.books import register
    from consult.books.journal import Transaction
    from consult.books.placeholders import issue_problems
    from consult.invoices.issue import register_lines

    root = Path(books.root)
    issue_problems(books, client.id)  # nothing is sent with an example value from `consult init`
    path = proposal_path(root, client.id, pid)
    where = rel(root, path)
    problems: list[Problem] = []
    p = parse_proposal(where, text, client, problems)
    _refuse(problems, f"{where} has errors; fix them first")
    assert p is not None
    numbered = p.number is None
    lines = register_lines(root)
    if numbered:
        day = p.date or today
        edits = {"number": register.next_number(lines, books.practice.invoice.proposal_format, day)}
        if p.date is None:
            edits["date"] = day.isoformat()
        text = set_top_level(text, edits)
        again: list[Problem] = []
        p2 = parse_proposal(where, text, client, again)
        if p2 is None or p2.number != edits["number"] or [x for x in again if x.severity == "error"]:
            raise ConsultError(f"{where}: could not add the line `number: {edits['number']}` without "
                               "changing what the file means; add it by hand at the top and render again")
        p = p2
    doc = document(books, p)
    pdf_bytes = render(doc) if render is not None else None
    tx = Transaction(root, f"issuing proposal {p.number}")
    if create:
        tx.new(path, text)
    elif numbered:
        tx.replace(path, text)
    pdf = None
    if pdf_bytes is not None:
        pdf = path.with_suffix(".pdf")
        tx.replace(pdf, pdf_bytes)
    if numbered:
        assert p.number is not None and p.date is not None
        fees = doc.fees
        line = register.make_line(lines, number=p.number, kind="proposal", day=p.date, client=client.id,
                                  currency=p.currency, net=fees.net.amount, vat=fees.vat.amount,
                                  total=fees.total.amount, path=where, record=text.encode("utf-8"), pdf=pdf_bytes)
        tx.append(root / register.REGISTER, line + "\n", head=register.HEADER + "\n")
    tx.commit()
    return Issued(doc, path, pdf, numbered)


def issue_proposal(books: Books, client_id: str, pid: str, *, today: date,
                   render: Renderer | None = None) -> Issued:
    """Render a proposal; the first time, allocate its number (and date) under the books lock."""
    from consult.books.lock import books_lock

    client = books.client(client_id)
    load_proposal(books, client_id, pid)  # NotFound / errors before taking the lock
    path = proposal_path(books.root, client_id, pid)
    with books_lock(books.root):
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
        return _issue_locked(books, client, pid, text, today, render, create=False)


def preview(books: Books, client_id: str, pid: str, *, today: date) -> ProposalDocument:
    """The document as it would print, with no number allocated and nothing written.

    An undated draft is shown as if dated `today`; a numbered proposal keeps its number."""
    from dataclasses import replace

    p = load_proposal(books, client_id, pid)
    if p.date is None:
        p = replace(p, date=today)
    return document(books, p)


# --------------------------------------------------------------------------------------------
# writing new proposals: quote and template
# --------------------------------------------------------------------------------------------
def _scalar(value: object) -> str:
    """One YAML value through the books' one serialiser (consult.books.writers)."""
    from consult.books.writers import scalar

    return scalar(value)


def slug(title: str) -> str:
    """An id from a title: `Churn model: review` -> `churn-model-review` (at most 40 chars)."""
    import unicodedata

    ascii_ = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:40].rstrip("-")
    return s or "quote"


def terms_days(books: Books, client: Client) -> int:
    return client.payment_terms_days if client.payment_terms_days is not None \
        else books.practice.invoice.payment_terms_days


def _hours(d: Decimal) -> str:
    return f"{d.normalize():f}"


def _number(d: Decimal) -> str:
    """650.00 -> 650, 525.50 stays 525.50: what a person would type."""
    return f"{d.normalize():f}" if d == d.to_integral_value() else f"{d:f}"


# The sentences `consult quote` and `consult proposal new` write, by language. `vat_*` is the
# terms' VAT sentence for each tax treatment (consult.core.tax): only `standard` promises VAT.
QUOTE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "day": "A day is {hours} hours of work; part days are billed in half days.",
        "remote": "Work is done remotely unless agreed otherwise; agreed travel is billed at cost.",
        "access": "Access to the data, the systems and a named contact from the first day.",
        "monthly": "Invoiced monthly in arrears for the days worked, at the day rate above.",
        "monthly_short": "Invoiced monthly in arrears for the days worked.",
        "payable": "Each invoice is payable within {days} days of its date.",
        "notice": "Either party may end the work with 10 working days' notice; days worked are billed.",
        "vat_standard": "Fees exclude VAT, which is added at the rate in force when each invoice is issued.",
        "vat_reverse_charge": "Fees are net: the reverse charge applies, so no UK VAT is charged and the client "
                              "accounts for any VAT due.",
        "vat_outside_scope": "Fees are net: the work is outside the scope of UK VAT, so no VAT is charged.",
        "vat_zero": "Fees are zero-rated for VAT.",
        "vat_exempt": "Fees are exempt from VAT.",
        "vat_none": "No VAT is charged: the supplier is not registered for VAT.",
    },
    "de": {
        "day": "Ein Tag umfasst {hours} Arbeitsstunden; angefangene Tage werden in halben Tagen berechnet.",
        "remote": "Die Arbeit erfolgt remote, sofern nicht anders vereinbart; vereinbarte Reisen werden zum "
                  "Selbstkostenpreis berechnet.",
        "access": "Zugang zu den Daten, den Systemen und einer festen Ansprechperson ab dem ersten Tag.",
        "monthly": "Monatliche Abrechnung der geleisteten Tage im Nachhinein zum obigen Tagessatz.",
        "monthly_short": "Monatliche Abrechnung der geleisteten Tage im Nachhinein.",
        "payable": "Jede Rechnung ist innerhalb von {days} Tagen ab Rechnungsdatum zahlbar.",
        "notice": "Beide Seiten können die Arbeit mit einer Frist von 10 Arbeitstagen beenden; geleistete Tage "
                  "werden berechnet.",
        "vat_standard": "Die Honorare verstehen sich zuzüglich Umsatzsteuer zum am Rechnungsdatum geltenden Satz.",
        "vat_reverse_charge": "Die Honorare sind Nettobeträge: Es gilt die Steuerschuldnerschaft des "
                              "Leistungsempfängers (Reverse charge); britische Umsatzsteuer wird nicht berechnet.",
        "vat_outside_scope": "Die Honorare sind Nettobeträge: Die Leistung ist im Vereinigten Königreich nicht "
                             "steuerbar; Umsatzsteuer wird nicht berechnet.",
        "vat_zero": "Die Honorare unterliegen dem Nullsatz der Umsatzsteuer.",
        "vat_exempt": "Die Honorare sind von der Umsatzsteuer befreit.",
        "vat_none": "Keine Umsatzsteuer: Der Leistende ist nicht für die Umsatzsteuer registriert.",
    },
    "fr": {
        "day": "Une journée compte {hours} heures de travail ; les journées entamées sont facturées par demi-journée.",
        "remote": "Le travail est réalisé à distance sauf accord contraire ; les déplacements convenus sont "
                  "facturés au coût réel.",
        "access": "Accès aux données, aux systèmes et à un interlocuteur désigné dès le premier jour.",
        "monthly": "Facturation mensuelle à terme échu des jours travaillés, au taux journalier ci-dessus.",
        "monthly_short": "Facturation mensuelle à terme échu des jours travaillés.",
        "payable": "Chaque facture est payable sous {days} jours à compter de sa date.",
        "notice": "Chaque partie peut mettre fin à la mission avec un préavis de 10 jours ouvrés ; les jours "
                  "travaillés sont facturés.",
        "vat_standard": "Les honoraires sont hors TVA ; la TVA est ajoutée au taux en vigueur à la date de chaque "
                        "facture.",
        "vat_reverse_charge": "Les honoraires sont hors taxes : autoliquidation (reverse charge), aucune TVA "
                              "britannique n'est facturée.",
        "vat_outside_scope": "Les honoraires sont hors taxes : la prestation est hors du champ de la TVA "
                             "britannique, aucune TVA n'est facturée.",
        "vat_zero": "Les honoraires sont soumis au taux zéro de TVA.",
        "vat_exempt": "Les honoraires sont exonérés de TVA.",
        "vat_none": "TVA non applicable : le prestataire n'est pas immatriculé à la TVA.",
    },
}


def quote_words(books: Books, client: Client) -> dict[str, str]:
    """The quote sentences in the client's language (English when consult has none for it),
    with `vat` the sentence for the client's tax treatment and the hours of a day filled in
    as that language writes them (7.5, 7,5)."""
    from babel.numbers import format_decimal

    from consult.invoices.build import document_locale

    language = client.language if client.language in QUOTE_WORDS else "en"
    words = dict(QUOTE_WORDS[language])
    words["vat"] = words[f"vat_{treatment(client.tax, books.practice.vat_registered).name}"]
    hours = books.practice.hours_per_day.normalize()
    text = _hours(hours) if language == "en" else str(format_decimal(hours, locale=document_locale(client)))
    words["day"] = words["day"].replace("{hours}", text)
    return words


def quote_text(books: Books, client: Client, pid: str, *, title: str, days: Decimal, rate: Decimal,
               start: date | None, valid_days: int, day: date, summary: str | None = None) -> str:
    """A one-phase proposal, with the assumptions, payment schedule and terms it prints."""
    w = quote_words(books, client)
    out = [f"# Quote written by `consult quote` on {day.isoformat()}. Edit it and run",
           f"# `consult proposal render {client.id}/{pid}` to print it again (the number stays).",
           f"title: {_scalar(title)}", f"date: {day.isoformat()}"]
    if summary:
        out.append(f"summary: {_scalar(summary)}")
    out += [f"rate: {_number(rate)}                  # per day, {client.currency}"]
    if start:
        out.append(f"start: {start.isoformat()}")
    out += [f"valid_days: {valid_days}",
            "phases:",
            f"  - name: {_scalar(title)}",
            f"    days: {days:f}",
            "assumptions:",
            f"  - {_scalar(w['day'])}",
            f"  - {_scalar(w['remote'])}",
            "payment_schedule:",
            f"  - {_scalar(w['monthly'])}",
            f"  - {_scalar(w['payable'].format(days=terms_days(books, client)))}",
            "terms:",
            f"  - {_scalar(w['vat'])}",
            f"  - {_scalar(w['notice'])}"]
    return "\n".join(out) + "\n"


def template_text(books: Books, client: Client, pid: str, *, title: str, rate: Decimal) -> str:
    """The commented proposal `consult proposal new` writes for a person to fill in."""
    terms = terms_days(books, client)
    w = quote_words(books, client)
    return f"""\
# clients/{client.id}/proposals/{pid}.yaml — a proposal to {_comment(client.name)}, written by
# `consult proposal new`. Fill it in, then `consult proposal render {client.id}/{pid}`.
# The first render gives it a number (P-YYYY-NNNN) and today's date, written back here;
# keep them. `consult proposal accept {client.id}/{pid}` turns it into an engagement.
title: {_scalar(title)}
summary: |
  Why {_comment(client.name)} needs this work and what they will have at the end of it.
  One or two short paragraphs; a blank line starts a new one.
rate: {_number(rate)}                    # day rate in {client.currency} (work one out with `consult rate target`)
start:                        # first day of work, e.g. 2027-01-11 (optional)
end:                          # last day, optional
valid_days: {DEFAULT_VALID_DAYS}                # or valid_until: 2026-12-31
phases:                       # each phase costs days x rate; `optional: true` is priced but not in the total
  - name: Discovery
    days: 3
    description: Workshops with the team; review of the data, the current models and how they are used.
    deliverables:
      - A written findings report and a plan for the build
  - name: Build
    days: 15
    description: Build, test and document the work agreed in discovery.
    deliverables:
      - Code in the client's repository, with tests
      - A short design note
  - name: Handover and training
    days: 2
    optional: true
    description: Sessions with the team who will run it.
assumptions:                  # what the price depends on
  - {_scalar(w['day'])}
  - {_scalar(w['access'])}
payment_schedule:
  - {_scalar(w['monthly_short'])}
  - {_scalar(w['payable'].format(days=terms))}
terms:
  - {_scalar(w['vat'])}
  - {_scalar(w['notice'])}
"""


def _check_new(books: Books, client: Client, pid: str, text: str) -> None:
    where = rel(books.root, proposal_path(books.root, client.id, pid))
    problems: list[Problem] = []
    parse_proposal(where, text, client, problems)
    _refuse(problems, f"the proposal consult would write to {where} does not read back")


def _exists(books: Books, client_id: str, pid: str) -> None:
    path = proposal_path(books.root, client_id, pid)
    if path.exists():
        raise ConflictError(f"proposal '{client_id}/{pid}' already exists ({rel(books.root, path)}); "
                            "choose another id (--id) or edit that file")


def new_proposal(books: Books, client_id: str, pid: str, *, title: str | None = None,
                 rate: Decimal | None = None) -> Path:
    """Write the commented template; the rate defaults to the client's latest daily rate."""
    from consult.books.lock import books_lock
    from consult.books.store import write_new
    from consult.books.writers import one_line

    if why := id_problem(pid):
        raise UsageError(f"proposal id: {why}")
    one_line(title, "--title")
    client = books.client(client_id)
    if rate is None:
        daily = sorted(((e.start or date.min, e.id, e.rate) for e in books.engagements_of(client_id)
                        if e.billing == "daily" and e.rate is not None), key=lambda t: (t[0], t[1]))
        if not daily:
            raise UsageError(f"give --rate: client '{client_id}' has no daily engagement to take a day rate from")
        latest = daily[-1][2]
        assert latest is not None  # filtered above
        rate = latest.amount
    text = template_text(books, client, pid, title=title or pid.replace("-", " ").capitalize(), rate=rate)
    _check_new(books, client, pid, text)
    with books_lock(books.root):
        _exists(books, client_id, pid)
        path = proposal_path(books.root, client_id, pid)
        write_new(path, text)
    return path


def quote(books: Books, client_id: str, *, title: str, days: Decimal, rate: Decimal, day: date,
          start: date | None = None, valid_days: int = DEFAULT_VALID_DAYS, pid: str | None = None,
          summary: str | None = None, render: Renderer | None = None) -> Issued:
    """Write, number and render a one-phase proposal in one step, all under the books lock."""
    from consult.books.lock import books_lock
    from consult.books.writers import check_text, one_line

    one_line(title, "--title")
    if summary is not None:
        check_text(summary, "--summary")  # may run over lines: a summary is paragraphs
    client = books.client(client_id)
    pid = pid or slug(title)
    if why := id_problem(pid):
        raise UsageError(f"--id: {why}")
    if days <= 0:
        raise UsageError(f"--days must be more than zero, got {days}")
    if rate <= 0:
        raise UsageError(f"--rate must be more than zero, got {rate}")
    if not 1 <= valid_days <= 365:
        raise UsageError(f"--valid-days must be from 1 to 365, got {valid_days}")
    text = quote_text(books, client, pid, title=title, days=days, rate=rate, start=start,
                      valid_days=valid_days, day=day, summary=summary)
    _check_new(books, client, pid, text)
    with books_lock(books.root):
        _exists(books, client_id, pid)
        return _issue_locked(books, client, pid, text, day, render, create=True)


# --------------------------------------------------------------------------------------------
# accepting
# --------------------------------------------------------------------------------------------
@record
class Accepted:
    proposal: Proposal
    engagement: Path
    phases: tuple[Phase, ...]
    days: Decimal
    net: Money


def phases_taken(p: Proposal, include: Sequence[str]) -> tuple[Phase, ...]:
    """The phases that are not optional, plus the optional ones named (case does not matter)."""
    wanted = {n.strip().lower() for n in include}
    optional = {x.name.lower() for x in p.phases if x.optional}
    unknown = sorted(wanted - optional)
    if unknown:
        names = ", ".join(x.name for x in p.phases if x.optional) or "none"
        raise UsageError(f"--include {unknown[0]}: not an optional phase of {p.key} (optional phases: {names})")
    return tuple(x for x in p.phases if not x.optional or x.name.lower() in wanted)


def engagement_text(p: Proposal, taken: Sequence[Phase], day: date) -> str:
    days = sum((x.days for x in taken), Decimal(0))
    names = ", ".join(x.name for x in taken)
    out = [f"# From proposal {p.number or p.id}, accepted {day.isoformat()} (`consult proposal accept`).",
           "# Edit freely, then `consult check`.",
           f"title: {_scalar(p.title)}",
           "billing: daily",
           f"rate: {p.rate.plain()}               # per day, {p.currency}, as quoted",
           "day_rounding: half            # exact | half | whole, per calendar day"]
    if p.start:
        out.append(f"start: {p.start.isoformat()}")
    if p.end:
        out.append(f"end: {p.end.isoformat()}")
    out += ["budget:", f"  days: {days.normalize():f}                  # {_comment(names)}", "status: active"]
    return "\n".join(out) + "\n"


def _comment(text: str) -> str:
    from consult.books.writers import comment

    return comment(text)


def accept(books: Books, client_id: str, pid: str, *, today: date, force: bool = False,
           include: Sequence[str] = ()) -> Accepted:
    """Write engagements/<id>.yaml from the proposal; never over an existing engagement."""
    from consult.books.loader import read_engagement
    from consult.books.lock import books_lock
    from consult.books.store import write_new

    client = books.client(client_id)
    p = load_proposal(books, client_id, pid)
    target = Path(books.root) / "clients" / client_id / "engagements" / f"{pid}.yaml"
    where = rel(books.root, target)
    if target.exists():
        raise ConflictError(f"engagement '{client_id}/{pid}' already exists ({where}); consult never "
                            "overwrites an engagement — the proposal is already accepted")
    st = proposal_status(p, books, today)
    if st == "draft" and not force:
        raise ConflictError(f"{p.key} has not been sent (it has no number yet); render it with "
                            f"`consult proposal render {p.key}` first, or accept it anyway with --force")
    if st == "expired" and not force:
        raise ConflictError(f"{p.number} ({p.key}) expired on {p.valid_until}; ask the client to confirm "
                            "the price still stands, then accept it with --force (or send a new one)")
    taken = phases_taken(p, include)
    text = engagement_text(p, taken, today)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / where
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
        found: list[Problem] = []
        read_engagement(Path(scratch), path, client, books.practice, found)
        _refuse(found, f"the engagement consult would write to {where} does not read back")
    with books_lock(books.root):
        if target.exists():
            raise ConflictError(f"engagement '{client_id}/{pid}' already exists ({where}); consult never "
                                "overwrites an engagement")
        write_new(target, text)
    days = sum((x.days for x in taken), Decimal(0))
    return Accepted(p, target, taken, days, Money.total((x.fee for x in taken), p.currency))


# --------------------------------------------------------------------------------------------
# consult check
# --------------------------------------------------------------------------------------------
EXPIRY_NOTICE_DAYS = 7   # warn this many days before a sent proposal lapses
EXPIRED_NOTICE_DAYS = 30  # and for this long after, then stay quiet (old quotes lapse by design)


def check_proposals(books: Books, today: date) -> list[Problem]:
    """Errors in proposal files, duplicate numbers, accepted proposals that disagree with their
    engagement's rate (a warning: the engagement may have been renegotiated), and sent
    proposals about to lapse or lapsed in the last month (worth a call to the client)."""
    proposals, problems = load_proposals(books)
    for p in proposals:
        st = proposal_status(p, books, today)
        until = p.valid_until
        if until is not None and st == "sent" and (until - today).days <= EXPIRY_NOTICE_DAYS:
            left = (until - today).days
            when = "today" if left == 0 else f"in {left} day{'s' if left != 1 else ''}"
            problems.append(Problem(p.source, "valid_until", f"{p.number} ({p.key}) lapses {when} ({until}) "
                                    "without an answer; chase the client or extend valid_until", "warning"))
        elif until is not None and st == "expired" and (today - until).days <= EXPIRED_NOTICE_DAYS:
            problems.append(Problem(p.source, "valid_until", f"{p.number} ({p.key}) lapsed on {until} "
                                    "without an answer; requote it or let it go", "warning"))
    for p in proposals:
        e = books.engagements.get((p.client, p.id))
        if e is not None and e.billing == "daily" and e.rate is not None and e.rate != p.rate:
            problems.append(Problem(p.source, "rate", f"the engagement {e.key} bills {e.rate.plain()} a day "
                                    f"but this accepted proposal quoted {p.rate.plain()}", "warning"))
    problems.sort(key=lambda x: (x.source.path, x.source.line or 0))
    return problems


def list_rows(books: Books, today: date, *, status: str | None = None,
              client: str | None = None) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The rows of `consult proposal list`: figures and derived status, oldest first."""
    if client is not None:
        books.client(client)
    proposals, problems = load_proposals(books)
    rows = []
    for p in sorted(proposals, key=lambda x: (x.date or date.max, x.number or "", x.key)):
        if client is not None and p.client != client:
            continue
        st = proposal_status(p, books, today)
        if status is not None and st != status:
            continue
        f = price(p, books.client(p.client), books.practice)
        rows.append({"number": p.number, "client": p.client, "id": p.id, "title": p.title, "date": p.date,
                     "valid_until": p.valid_until, "days": f.days, "net": f.net, "total": f.total,
                     "currency": f.net.currency, "status": st})
    return rows, problems
