"""The books' records: typed, frozen, built only by the loader (or by code that writes books).

Field names follow the books format (docs/books-format.md); where a record has more than the contract
lists, the extra field is marked "addition". Derived facts (an invoice's status, billable days)
are computed elsewhere from these, never stored here.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Literal

from consult.core.money import Money
from consult.core.record import record
from consult.core.tax import TreatmentName, VatRounding
from consult.errors import Source

TaxTreatment = TreatmentName  # the table of what each means: consult.core.tax
ClientKind = Literal["client", "platform", "employer"]
LatePayment = Literal["statutory", "contract", "none"]
LATE_PAYMENT: tuple[LatePayment, ...] = ("statutory", "contract", "none")
Billing = Literal["daily", "hourly", "fixed"]
DayRounding = Literal["exact", "half", "whole"]
EngagementStatus = Literal["proposed", "active", "closed"]
CLIENT_KINDS: tuple[ClientKind, ...] = ("client", "platform", "employer")
BILLINGS: tuple[Billing, ...] = ("daily", "hourly", "fixed")
DAY_ROUNDINGS: tuple[DayRounding, ...] = ("exact", "half", "whole")
ENGAGEMENT_STATUSES: tuple[EngagementStatus, ...] = ("proposed", "active", "closed")
VAT_ROUNDINGS: tuple[VatRounding, ...] = ("half_up", "down")
Structure = Literal["sole_trader", "limited_company"]
AccountingBasis = Literal["cash", "accruals"]
StreamOwner = Literal["business", "person"]
STRUCTURES: tuple[Structure, ...] = ("sole_trader", "limited_company")
ACCOUNTING_BASES: tuple[AccountingBasis, ...] = ("cash", "accruals")
STREAM_OWNERS: tuple[StreamOwner, ...] = ("business", "person")


InvoiceDetail = Literal["summary", "days", "entries"]
INVOICE_DETAILS: tuple[InvoiceDetail, ...] = ("summary", "days", "entries")


@record
class Bank:
    """Where clients pay. UK accounts give sort code + account number; others IBAN + BIC; US
    accounts an ABA routing number + account number.

    `currency` (addition): the currency this account is for, when `bank:` lists several (an
    invoice prints the account of its own currency); `bank_name` and `routing_number`
    (additions) serve the US routing details."""

    account_name: str | None = None
    sort_code: str | None = None
    account_number: str | None = None
    iban: str | None = None
    bic: str | None = None
    currency: str | None = None
    bank_name: str | None = None
    routing_number: str | None = None


@record
class InvoiceSettings:
    """practice.yaml `invoice:` block.

    Attributes:
        number_format: str.format pattern with `year` and `seq` (sequence per year of issue).
        credit_note_format: addition; credit notes run their own sequence.
        proposal_format: addition; proposals (quotes) run their own sequence.
        payment_terms_days: default days from issue to due date (30, the statutory default).
        vat_rate: percent; None when the practice is not VAT-registered.
        vat_rounding: addition; `half_up` (default) or `down` (HMRC's whole-penny concession).
        template: the theme under templates/.
    """

    number_format: str = "INV-{year}-{seq:04d}"
    credit_note_format: str = "CN-{year}-{seq:04d}"
    proposal_format: str = "P-{year}-{seq:04d}"
    payment_terms_days: int = 30
    vat_rate: Decimal | None = None
    vat_rounding: VatRounding = "half_up"
    template: str = "default"


VatScheme = Literal["standard", "cash", "flat_rate"]


@record
class VatSettings:
    """practice.yaml `vat:` block: how the VAT return is worked (docs/vat.md has every rule).

    Attributes:
        scheme: `standard` (invoice basis: sales by tax point), `cash` (Cash Accounting Scheme,
            VAT Notice 731: by the dates money moved) or `flat_rate` (VAT Notice 733).
        stagger: HMRC's stagger group: 1 (quarters ending Mar/Jun/Sep/Dec), 2 (Apr/Jul/Oct/Jan),
            3 (May/Aug/Nov/Feb) or 0 for monthly returns (HMRC DMBM530020).
        flat_rate_percent: the sector's flat rate (flat_rate only), e.g. 14.5.
        flat_rate_start: the day the practice joined the Flat Rate Scheme (flat_rate only).
        registered: the effective date of VAT registration; the first-year 1% flat-rate
            reduction runs to the day before its anniversary (flat_rate_start when not given).
        flat_rate_turnover: `invoice` (tax points) or `cash` (money received): the Flat Rate
            Scheme's own turnover bases (Notice 733).
        sterling_rate: `hmrc` (HMRC's monthly period rates, the default) or `ecb` (the ECB
            reference rate): the rate for the VAT in sterling on a foreign-currency invoice.
    """

    scheme: VatScheme = "standard"
    stagger: int = 1
    flat_rate_percent: Decimal | None = None
    flat_rate_start: date | None = None
    registered: date | None = None
    flat_rate_turnover: Literal["invoice", "cash"] = "invoice"
    sterling_rate: Literal["hmrc", "ecb"] = "hmrc"


@record
class Employment:
    """Addition: a job's pay and the income tax deducted from it in one tax year (a P60's
    figures), for the person behind the practice. `tax_year` is the year it starts in."""

    tax_year: int
    pay: Money
    tax_deducted: Money
    employer: str | None = None
    source: Source = field(default=Source("practice.yaml"), compare=False)


@record
class SelfAssessmentBill:
    """Addition: a tax year's Self Assessment bill as HMRC worked it (income tax and Class 4
    less tax deducted at source): what that year's payments on account were set from."""

    tax_year: int
    bill: Money
    source: Source = field(default=Source("practice.yaml"), compare=False)


@record
class Person:
    """Addition (`person:` in practice.yaml): the person behind the practice, for personal tax.

    `scottish_taxpayer` None means: a Scottish taxpayer when the practice's subdivision is SCT.
    """

    scottish_taxpayer: bool | None = None
    employment: tuple[Employment, ...] = ()
    self_assessment: tuple[SelfAssessmentBill, ...] = ()


@record
class Company:
    """Addition (`company:` in practice.yaml, for `structure: limited_company`).

    Attributes:
        year_end: the accounting reference date (month, day); accounting periods end on it.
        started: when the company began to trade; an accounting period is cut short to start there.
        associated_companies: companies under the same control (corporation tax limits are shared).
        salary: the director's salary a tax year; None means the Class 1 primary threshold.
        dividends: dividends a tax year; None means all the profit left after corporation tax.
    """

    year_end: tuple[int, int] = (3, 31)
    started: date | None = None
    associated_companies: int = 0
    salary: Money | None = None
    dividends: Money | None = None


@record
class Practice:
    """The consultant. `subdivision` (addition) picks regional bank holidays, e.g. ENG, SCT.
    `vat` (addition) holds the VAT scheme and return settings; `structure`, `accounting_basis`,
    `streams` (who owns each income stream: the business or the person), `person` and `company`
    (additions) are what consult.tax estimates tax from.
    """

    name: str
    address: tuple[str, ...]
    email: str | None
    country: str
    base_currency: str
    locale: str
    hours_per_day: Decimal
    vat_number: str | None
    company_number: str | None
    bank: Bank
    tax_year_start: tuple[int, int]
    invoice: InvoiceSettings
    subdivision: str | None = None
    phone: str | None = None
    website: str | None = None
    peppol_id: str | None = None
    source: Source = field(default=Source("practice.yaml"), compare=False)
    vat: VatSettings = field(default_factory=VatSettings)
    # additions for tax estimates (consult.tax): who earns what
    structure: Structure = "sole_trader"
    accounting_basis: AccountingBasis | None = None  # None: cash for a sole trader, accruals for a company
    streams: dict[str, StreamOwner] = field(default_factory=dict)  # income.yaml stream -> owner
    person: Person = field(default_factory=Person)
    company: Company | None = None
    banks: tuple[Bank, ...] = ()              # addition: every account when `bank:` lists them by currency
    registered_office: str | None = None      # addition: a company's registered office (default: address)
    registered_in: str | None = None          # addition: where a company is registered (England and Wales…)

    @property
    def vat_registered(self) -> bool:
        return self.vat_number is not None and self.invoice.vat_rate is not None

    @property
    def number_formats(self) -> dict[str, str]:
        """Each numbered series: what it numbers -> its format."""
        i = self.invoice
        return {"invoice": i.number_format, "credit note": i.credit_note_format, "proposal": i.proposal_format}


@record
class Client:
    """Who is billed (or, for `platform`/`employer` kinds, who pays without an invoice).

    `tax` is the VAT treatment of supplies to this client. `business_evidence` (addition) is
    the note that justifies dropping UK VAT for a customer with no VAT number (HMRC
    VATPOSS06500). `einvoice` (addition, e.g. `facturx`), `buyer_reference` and `peppol_id`
    (`SCHEME:IDENTIFIER`, checked by consult.einvoice.peppol) serve e-invoices.
    """

    id: str
    name: str
    kind: ClientKind
    contact: str | None
    email: str | None
    address: tuple[str, ...]
    country: str | None
    currency: str
    locale: str
    vat_number: str | None
    payment_terms_days: int | None
    tax: TaxTreatment
    business_evidence: str | None = None
    einvoice: str | None = None
    buyer_reference: str | None = None
    tax_id: str | None = None
    peppol_id: str | None = None
    late_payment: LatePayment | None = None  # None: statutory for a UK business client, else none
    source: Source = field(default=Source(""), compare=False)
    language: str | None = None               # addition: the language of its documents (de, fr…)
    template: str | None = None               # addition: the theme of its documents (templates/NAME.yaml)
    invoice_detail: InvoiceDetail | None = None  # addition: summary | days | entries

    @property
    def sends_facturx(self) -> bool:
        """Whether the PDFs issued to this client carry Factur-X XML (`einvoice: facturx`;
        `invoice create --facturx` asks for it on one invoice)."""
        return self.einvoice == "facturx"


@record
class Budget:
    days: Decimal | None = None
    hours: Decimal | None = None
    amount: Money | None = None


@record
class Milestone:
    name: str
    amount: Money
    due: date


@record
class Engagement:
    """What was agreed with a client. `rate` is per day, per hour, or None for fixed price.

    `overtime` (addition): a calendar day may bill more than one day.
    `invoice_detail` (addition): how its lines show the work (summary, days or entries).
    """

    client: str
    id: str
    title: str
    billing: Billing
    rate: Money | None
    hours_per_day: Decimal
    day_rounding: DayRounding
    time_increment_minutes: int | None
    start: date | None
    end: date | None
    po_number: str | None
    budget: Budget | None
    milestones: tuple[Milestone, ...]
    status: EngagementStatus
    overtime: bool = False
    currency: str = "GBP"
    source: Source = field(default=Source(""), compare=False)
    invoice_detail: InvoiceDetail | None = None  # addition: overrides the client's

    @property
    def key(self) -> str:
        return f"{self.client}/{self.id}"


@record
class TimeEntry:
    """One piece of work. Time is whole minutes as logged; billing rounds, this never does.

    `source_id` (addition) is the id an importer saw (Toggl, Watson…), so re-imports add nothing.
    """

    client: str
    engagement: str
    date: date
    minutes: int
    note: str | None = None
    billable: bool = True
    start: time | None = None
    end: time | None = None
    source_id: str | None = None
    source: Source = field(default=Source(""), compare=False)


PRACTICE_COSTS = ""  # the `client` of a practice cost (root expenses.yaml, mileage.yaml): no client


@record
class Expense:
    """A cost paid: a client's (clients/<id>/expenses.yaml, maybe rebilled) or the practice's
    own (expenses.yaml and mileage.yaml at the books root, `client` == PRACTICE_COSTS).

    `amount` includes any VAT paid; `vat` is that VAT. Additions (docs/vat.md):
        supplier: who was paid.
        capital: an asset (capital expenditure), not a running cost.
        goods: goods rather than services (the Flat Rate Scheme's limited-cost test).
        reverse_charge: a service bought from abroad: no VAT paid, VAT accounted both ways.
        receipt, receipt_sha256: a file kept in the books and its hash when it was recorded.
        miles: a mileage claim (`amount` = miles at HMRC's approved rates), not a purchase.
        asset: what a capital item is for its tax relief — `plant` (plant and machinery, the
            default), `car` or `land` (land and buildings); None when not given.
    """

    client: str
    date: date
    engagement: str | None
    amount: Money
    note: str | None
    rebill: bool
    vat: Money | None
    category: str | None
    source: Source = field(default=Source(""), compare=False)
    supplier: str | None = None
    capital: bool = False
    goods: bool = False
    reverse_charge: bool = False
    receipt: str | None = None
    receipt_sha256: str | None = None
    miles: Decimal | None = None
    vehicle: str | None = None
    asset: str | None = None

    @property
    def practice_cost(self) -> bool:
        return self.client == PRACTICE_COSTS


@record
class IncomeItem:
    """Money in with no invoice: a platform payout, a salary. `withheld` (addition): tax kept
    back at source, in the same currency."""

    client: str
    date: date
    amount: Money
    stream: str
    note: str | None
    fx_rate: Decimal | None
    withheld: Money | None = None
    source: Source = field(default=Source(""), compare=False)


@record
class Payment:
    client: str
    date: date
    invoice: str
    amount: Money
    fx_rate: Decimal | None
    withheld: Money | None
    note: str | None
    source: Source = field(default=Source(""), compare=False)


@record
class Allocation:
    """Money on account moved from one document to an invoice of the same client (addition,
    `allocations.yaml`): from an invoice holding more than it was owed (an overpayment, a payment
    left on a credited invoice), or from a credit note's unused credit."""

    client: str
    date: date
    source_doc: str   # the invoice or credit note the money is taken from (`from:`)
    invoice: str      # the invoice it settles (`to:`)
    amount: Money
    note: str | None
    source: Source = field(default=Source(""), compare=False)


@record
class Refund:
    """Money paid back to a client out of what a document holds on account (addition,
    `refunds.yaml`)."""

    client: str
    date: date
    source_doc: str   # the invoice or credit note whose credit is paid back
    amount: Money
    fx_rate: Decimal | None
    note: str | None
    source: Source = field(default=Source(""), compare=False)


@record
class WriteOff:
    """A balance cleared without a document to the customer: bank charges, a disputed penny
    (addition, `writeoffs.yaml`). Earnings count it as a cost (`category`, default
    irrecoverableDebts)."""

    client: str
    date: date
    invoice: str
    amount: Money
    reason: str
    category: str = "irrecoverableDebts"
    source: Source = field(default=Source(""), compare=False)


@record
class Books:
    """Everything read from one books folder. Issued invoices and proposals are read by their
    own modules (they are documents, not inputs)."""

    root: Path
    practice: Practice
    clients: dict[str, Client]
    engagements: dict[tuple[str, str], Engagement]
    entries: tuple[TimeEntry, ...] = ()
    expenses: tuple[Expense, ...] = ()
    income: tuple[IncomeItem, ...] = ()
    payments: tuple[Payment, ...] = ()
    allocations: tuple[Allocation, ...] = ()
    refunds: tuple[Refund, ...] = ()
    writeoffs: tuple[WriteOff, ...] = ()

    def client(self, client_id: str) -> Client:
        from consult.errors import NotFound

        try:
            return self.clients[client_id]
        except KeyError:
            import difflib

            known = ", ".join(sorted(self.clients)) or "none yet"
            near = difflib.get_close_matches(client_id.lower(), list(self.clients), n=1, cutoff=0.6)
            tip = f"did you mean {near[0]}? " if near else ""
            raise NotFound(f"no client '{client_id}' in {self.root} ({tip}clients: {known})") from None

    def engagement(self, client_id: str, engagement_id: str) -> Engagement:
        from consult.errors import NotFound

        self.client(client_id)
        try:
            return self.engagements[(client_id, engagement_id)]
        except KeyError:
            import difflib

            mine = [e for (c, e) in sorted(self.engagements) if c == client_id]
            near = difflib.get_close_matches(engagement_id.lower(), mine, n=1, cutoff=0.6)
            tip = f"did you mean {near[0]}? " if near else ""
            raise NotFound(
                f"no engagement '{engagement_id}' for client '{client_id}' ({tip}engagements: {', '.join(mine) or 'none'})"
            ) from None

    def engagements_of(self, client_id: str) -> list[Engagement]:
        return [e for (c, _), e in sorted(self.engagements.items()) if c == client_id]
