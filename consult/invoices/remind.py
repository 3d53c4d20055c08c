"""Payment reminders: the letters a freelancer sends, worked out from the client account.

* **Polite** while an invoice is less than `FORMAL_AFTER_DAYS` late (or the Act does not apply
  to the client): the invoice, what is outstanding, how to pay, and "if you have paid, thank
  you — tell us the date and amount so we can match it".
* **Formal claim** from `FORMAL_AFTER_DAYS` days late for a client under the Late Payment of
  Commercial Debts (Interest) Act 1998 (consult.invoices.late_payment): the statutory interest
  to date with its rate and how it is set, what it adds each day, the fixed compensation, the
  total claimed, and seven days to pay.

A letter says only what the books know. They record invoices and money, not the reminders
sent, so no letter speaks of "earlier reminders": the formal claim states the invoice, how late
it is and what is claimed, true whether or not a polite reminder went first.

The text is in the library (a reminder is a document, with figures that must be right); the CLI
prints it and the renderer sets it in the practice's theme.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from consult.core.money import Money
from consult.core.record import record
from consult.core.records import Books
from consult.errors import ConflictError
from consult.invoices.accounts import Account, Moves, accounts
from consult.invoices.late_payment import DAYS_IN_YEAR, LateClaim, ReferenceRate, late_claim, qualifies
from consult.invoices.record import Invoice, Party
from consult.invoices.store import find_invoice

FORMAL_AFTER_DAYS = 30
PAY_WITHIN_DAYS = 7


@record
class Reminder:
    number: str
    kind: str            # polite | formal
    date: date
    seller: Party
    buyer: Party
    locale: str
    subject: str
    paragraphs: tuple[str, ...]
    bank: dict[str, str]
    account: Account
    claim: LateClaim | None

    @property
    def text(self) -> str:
        bank = [f"  {k.replace('_', ' ')}: {v}" for k, v in self.bank.items()]
        body = [self.subject, "", *(p for para in self.paragraphs for p in (para, ""))]
        if bank:
            body += ["Payment details:", *bank, ""]
        body += ["Kind regards,", self.seller.name]
        return "\n".join(body) + "\n"


def _d(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def reminder(books: Books, invoices: list[Invoice], number: str, as_of: date, table: dict[date, ReferenceRate],
             *, base_rate: Decimal | None = None, formal: bool | None = None) -> Reminder:
    """The reminder for invoice `number` as of `as_of`. `formal` forces the kind (a formal claim
    still needs a client under the Act); by default it is formal from FORMAL_AFTER_DAYS late."""
    from consult.invoices.build import bank_block, seller_party

    inv = find_invoice(invoices, number)
    number = inv.number or number
    if inv.is_credit_note:
        raise ConflictError(f"{number} is a credit note; there is nothing to ask for")
    client = books.client(inv.client)
    (acct,) = [a for a in accounts(invoices, Moves.of(books), as_of) if a.number == number]
    loc = client.locale
    if acct.outstanding.amount <= 0:
        raise ConflictError(f"{number} has nothing outstanding as of {as_of} ({acct.status}); no reminder is due")
    if as_of <= inv.due_date:
        raise ConflictError(f"{number} is not due until {inv.due_date}; a reminder before then would be early")
    under_act = qualifies(client)
    want_formal = acct.days_late >= FORMAL_AFTER_DAYS if formal is None else formal
    if want_formal and not under_act:
        if formal:
            raise ConflictError(f"{client.id}'s debts are not claimed under the Late Payment Act "
                                "(client late_payment: statutory sets it); send a polite reminder")
        want_formal = False
    greeting = f"Dear {client.contact}," if client.contact else "Dear Accounts team,"
    owed = acct.outstanding.format(loc)
    head = (f"invoice {number} of {_d(inv.issue_date)} for {inv.total.format(loc)}, due on {_d(inv.due_date)}")
    paid_part = "" if acct.outstanding == inv.total else f" ({owed} of it is still outstanding)"
    paras: tuple[str, ...]
    if not want_formal:
        paras = (greeting,
                 f"A friendly reminder that {head}, is now {acct.days_late} days overdue{paid_part}. Could you "
                 f"arrange payment of {owed} at your earliest convenience?",
                 "If you have paid already, thank you — please let me know the date and amount so I can match "
                 "it. If something on the invoice is holding it up, tell me and I will sort it out.")
        return Reminder(number, "polite", as_of, seller_party(books), inv.buyer, loc,
                        f"Reminder: invoice {number}, {owed} overdue", paras, bank_block(books), acct, None)
    claim = late_claim(acct, client, as_of, table, base_rate)
    assert claim.interest is not None and claim.fixed_sum is not None and claim.rate is not None
    assert claim.reference is not None
    daily = Money.rounded(acct.outstanding.amount * claim.rate / Decimal(100) / DAYS_IN_YEAR, inv.currency,
                          ROUND_HALF_UP)
    start = inv.due_date + timedelta(days=1)
    ref = claim.reference
    rate_text = f"{claim.rate.normalize():f}%"
    base_text = f"{ref.bank_rate.normalize():f}%"
    if claim.claim is not None:
        total = acct.outstanding + claim.claim
        sums = (f"{owed} outstanding, statutory interest of {claim.interest.format(loc)} and compensation of "
                f"{claim.fixed_sum.format('en_GB')}: {total.format(loc)} in all")
    else:
        sums = (f"{owed} outstanding with statutory interest of {claim.interest.format(loc)}, and compensation "
                f"of {claim.fixed_sum.format('en_GB')}")
    paras = (greeting,
             f"I am writing about {head}, which remains unpaid{paid_part}: it is now {acct.days_late} days "
             "overdue.",
             "Under the Late Payment of Commercial Debts (Interest) Act 1998 I am entitled to statutory interest "
             f"on this debt at {rate_text} a year (8% over the Bank of England base rate of {base_text} in force "
             f"on {_d(ref.date)}), from {_d(start)} until it is paid: {claim.interest.format(loc)} to "
             f"{_d(as_of)}, adding {daily.format(loc)} a day. I am also entitled to fixed compensation of "
             f"{claim.fixed_sum.format('en_GB')} for the cost of recovering it (s.5A).",
             f"Please pay {sums}, within {PAY_WITHIN_DAYS} days, by {_d(as_of + timedelta(days=PAY_WITHIN_DAYS))}. "
             "If you have paid already, thank you — please send me the date and amount so I can match it.")
    return Reminder(number, "formal", as_of, seller_party(books), inv.buyer, loc,
                    f"Late payment of invoice {number}: claim under the Late Payment of Commercial Debts "
                    "(Interest) Act 1998", paras, bank_block(books), acct, claim)
