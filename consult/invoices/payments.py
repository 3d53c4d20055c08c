"""Getting paid: payments, allocations of money on account, refunds and write-offs.

Each is one line appended to a file in the client's folder — `payments.yaml`,
`allocations.yaml`, `refunds.yaml`, `writeoffs.yaml` — through the one serialiser
(consult.books.writers `with_item`, as `time log` and `expense add` append: any valid form of
the file stays valid, a note reads back exactly), under the books lock, after reading,
under that same lock, everything that decides whether it may be written (the invoice, its
credit notes and every money move so far: consult.invoices.accounts). So two at once can never
together pay, allocate or refund more than is there.

* **Payment** (`invoice pay NUMBER AMOUNT`): money received against an invoice; refused when it
  (with tax withheld) is more than is outstanding, unless `force` (an overpayment then sits on
  the invoice as money on account). A recorded exchange rate (`--fx-rate`, base-currency units
  per unit) more than 10% away from the day's ECB reference rate is refused unless `force`
  (consult.core.fx.implausible), naming both rates.
* **Allocation** (`invoice pay NUMBER AMOUNT --from SOURCE`): money on account — an overpayment,
  a payment left on a credited invoice, a credit note's unused credit — applied to another
  invoice of the same client and currency. Never more than SOURCE holds, nor more than NUMBER
  owes.
* **Refund** (`invoice refund SOURCE AMOUNT`): money paid back out of what SOURCE holds on account.
* **Write-off** (`invoice writeoff NUMBER AMOUNT --reason`): a small balance cleared without a
  document to the customer (bank charges, a disputed penny); never more than is outstanding.
  Earnings count it as a cost.

Every limit is judged **on the date given**, and on every later day (consult.invoices.accounts
`holding`, `owed_from`): money leaves an invoice dated D only if it holds it at the end of D and
would still hold it at the end of each later day, so a refund dated before the payment came, or
one that leaves a later-dated allocation short, is refused — saying what was there that day and
from when more is. A payment, allocation or write-off settles no more than is owed that day and
after.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from consult.books.journal import Transaction
from consult.books.lock import books_lock
from consult.books.writers import CannotAppend, NotText, Quoted, list_item, with_item
from consult.core.money import Money
from consult.core.record import record
from consult.core.records import Allocation, Books, Payment, Refund, WriteOff
from consult.errors import ConflictError, ConsultError, Source, UsageError
from consult.invoices.accounts import Holding, Moves, holding, owed_from
from consult.invoices.record import Invoice
from consult.invoices.store import find_invoice, load_invoices

HEADS = {
    "payments.yaml": "# Money received against invoices (append-only; written by consult invoice pay).\n",
    "allocations.yaml": "# Money on account moved to another invoice (append-only; consult invoice pay --from).\n",
    "refunds.yaml": "# Money paid back to the client (append-only; consult invoice refund).\n",
    "writeoffs.yaml": "# Balances cleared without a document to the client (append-only; consult invoice writeoff).\n",
}


def _text(text: str | None) -> Quoted | None:
    """A person's text (a note, a reason): always written quoted, whatever it holds, so a colon,
    a quote or a line break cannot change what the line means (consult.books.writers)."""
    return None if text is None else Quoted(text)


def payment_item(p: Payment) -> dict[str, object]:
    """One payments.yaml item, fields in the order written (None fields are left out)."""
    return {"date": p.date, "invoice": p.invoice, "amount": p.amount, "currency": p.amount.currency,
            "fx_rate": p.fx_rate, "withheld": p.withheld, "note": _text(p.note)}


def payment_yaml(p: Payment) -> str:
    """One payments.yaml item as a flow mapping on one line (amounts as plain text)."""
    return list_item(payment_item(p))


@record
class _State:
    books: Books
    invoices: list[Invoice]
    moves: Moves


def _state(root: Path) -> _State:
    from consult.books.loader import open_books

    books = open_books(root, timesheets=False)
    invoices, problems = load_invoices(root)
    if problems:
        from consult.errors import BooksError

        raise BooksError(problems, "some issued records cannot be read back, so what is owed is not known; "
                                   "nothing was written")
    return _State(books, invoices, Moves.of(books))


def _invoice(st: _State, number: str, what: str) -> Invoice:
    inv = find_invoice(st.invoices, number)
    if inv.is_credit_note:
        raise UsageError(f"{inv.number} is a credit note; {what} the invoice it credits ({inv.credits})")
    st.books.client(inv.client)  # a record of a client no longer in the books (a renamed folder): refused
    return inv


def _money(amount: Decimal, cur: str, what: str) -> Money:
    try:
        m = Money.of(amount, cur)
    except ValueError as e:
        raise UsageError(f"{what}: {e}") from None
    if m.amount <= 0:
        raise UsageError(f"{what}: give a positive amount")
    return m


def _outstanding(st: _State, inv: Invoice, on: date) -> Money:
    """What `inv` owes on `on` and every later day, the least of them (accounts.owed_from)."""
    return owed_from(inv, st.invoices, st.moves, on)


def _too_much(h: Holding, source: str, amount: Money, verb: str) -> ConflictError:
    """The refusal of `amount` leaving `source` dated h.on: what was there that day, and from
    when more is."""
    loc = h.holder.locale
    number = h.holder.number or ""
    where = f"{source} (on {number})" if number != source else source
    text = f"{where} holds {h.amount.format(loc)} on account on {h.on}"
    if h.that_day is not None and h.that_day > h.amount:
        text = (f"{where} holds {h.that_day.format(loc)} on account on {h.on}, but only {h.amount.format(loc)} of "
                "it may leave then (refunds or allocations from it dated later need the rest)")
    more = h.more(amount)
    if more is not None:
        text += f", and {more[1].format(loc)} from {more[0]}"
    return ConflictError(f"{text}; {amount.format(loc)} cannot be {verb} it on {h.on}")


def _write(root: Path, client: str, file: str, item: dict[str, object], what: str) -> None:
    """Append `item` to the client's `file` through the one serialiser (consult.books.writers
    `with_item`: any valid form of a list file stays valid, the new line reads back as exactly
    this item), as one journalled change. Call under the books lock."""
    rel = f"clients/{client}/{file}"
    path = root / rel
    try:
        old = path.read_bytes().decode("utf-8") if path.exists() else None  # bytes: CRLF line ends kept
        text = with_item(old or "", item, header=HEADS[file] if old is None else "")
    except (UnicodeDecodeError, CannotAppend, NotText) as e:
        raise ConsultError(f"{rel}: cannot append safely ({e}); nothing was written — fix the file, or add "
                           "the entry by hand") from None
    tx = Transaction(root, what)
    tx.replace(rel, text)
    tx.commit()


def record_payment(root: Path, number: str, amount: Decimal, *, paid_on: date, fx_rate: Decimal | None = None,
                   withheld: Decimal | None = None, note: str | None = None, force: bool = False) -> Payment:
    """Append a payment against invoice `number` (see the module docstring)."""
    from consult.core.fx import implausible

    root = Path(root)
    with books_lock(root):
        st = _state(root)
        inv = _invoice(st, number, "record the payment against")
        number = inv.number or number
        cur = inv.currency
        pay_amt = _money(amount, cur, "AMOUNT")
        held = None
        if withheld is not None:
            if withheld < 0:
                raise UsageError(f"--withheld: {withheld} is below zero; give the tax the client kept back")
            held = _money(withheld, cur, "--withheld") if withheld else None
        if paid_on < inv.issue_date and not force:
            raise UsageError(f"--date: {paid_on} is before {number} was issued ({inv.issue_date}); "
                             "use --force if it really was paid in advance")
        base = st.books.practice.base_currency
        if fx_rate is not None:
            why = implausible(cur, base, paid_on, fx_rate)
            if why and (fx_rate <= 0 or not force):
                raise UsageError(f"--fx-rate: {why}" + ("" if fx_rate <= 0 else "; use --force if it is right"))
        settles = pay_amt + held if held is not None else pay_amt
        left = _outstanding(st, inv, paid_on)
        if settles > left and not force:
            raise ConflictError(
                f"{number} has {left.format(inv.locale)} outstanding, but this payment settles "
                f"{settles.format(inv.locale)}; check the amount, or use --force to record an overpayment "
                "(it stays on the invoice as money on account)")
        p = Payment(inv.client, paid_on, number, pay_amt, fx_rate, held, note,
                    Source(f"clients/{inv.client}/payments.yaml"))
        _write(root, inv.client, "payments.yaml", payment_item(p), f"recording a payment for {number}")
    return p


def allocate(root: Path, number: str, amount: Decimal, *, source: str, on: date, note: str | None = None,
             force: bool = False) -> Allocation:
    """Apply money on account held by `source` (an invoice or a credit note) to invoice `number`."""
    root = Path(root)
    with books_lock(root):
        st = _state(root)
        inv = _invoice(st, number, "allocate to")
        number = inv.number or number
        src_doc = find_invoice(st.invoices, source)
        source = src_doc.number or source
        if src_doc.client != inv.client:
            raise UsageError(f"--from {source} belongs to '{src_doc.client}', not '{inv.client}'; money on account "
                             "moves only between one client's invoices")
        if src_doc.currency != inv.currency:
            raise UsageError(f"--from {source} is in {src_doc.currency} but {number} is in {inv.currency}")
        if on < max(inv.issue_date, src_doc.issue_date):
            raise UsageError(f"--date: {on} is before {number} or {source} was issued")
        h = holding(source, st.invoices, st.moves, on)
        if h.holder.number == number:
            raise UsageError(f"--from {source}: its credit is on {number} already")
        amt = _money(amount, inv.currency, "AMOUNT")
        if amt > h.amount:
            raise _too_much(h, source, amt, "allocated from")
        left = _outstanding(st, inv, on)
        if amt > left and not force:
            raise ConflictError(f"{number} has {left.format(inv.locale)} outstanding on {on}; allocating "
                                f"{amt.format(inv.locale)} would overpay it (use --force to move the credit anyway)")
        a = Allocation(inv.client, on, source, number, amt, note, Source(f"clients/{inv.client}/allocations.yaml"))
        _write(root, inv.client, "allocations.yaml",
               {"date": on, "from": source, "to": number, "amount": amt, "currency": amt.currency,
                "note": _text(note)}, f"allocating {amt} from {source} to {number}")
    return a


def refund(root: Path, source: str, amount: Decimal, *, on: date, fx_rate: Decimal | None = None,
           note: str | None = None) -> Refund:
    """Record money paid back to the client out of what `source` holds on account."""
    root = Path(root)
    with books_lock(root):
        st = _state(root)
        doc = find_invoice(st.invoices, source)
        source = doc.number or source
        st.books.client(doc.client)
        amt = _money(amount, doc.currency, "AMOUNT")
        h = holding(source, st.invoices, st.moves, on)
        if amt > h.amount:
            raise _too_much(h, source, amt, "paid back from")
        if fx_rate is not None and fx_rate <= 0:
            raise UsageError(f"--fx-rate: {fx_rate} is not a rate")
        r = Refund(doc.client, on, source, amt, fx_rate, note, Source(f"clients/{doc.client}/refunds.yaml"))
        _write(root, doc.client, "refunds.yaml",
               {"date": on, "from": source, "amount": amt, "currency": amt.currency, "fx_rate": fx_rate,
                "note": _text(note)}, f"recording a refund from {source}")
    return r


def write_off(root: Path, number: str, amount: Decimal, *, reason: str, on: date,
              category: str = "irrecoverableDebts") -> WriteOff:
    """Clear `amount` of what invoice `number` owes, with the reason, no document sent."""
    if not reason.strip():
        raise UsageError("--reason: say why the balance is written off (bank charges, a disputed penny…)")
    root = Path(root)
    with books_lock(root):
        st = _state(root)
        inv = _invoice(st, number, "write off")
        number = inv.number or number
        amt = _money(amount, inv.currency, "AMOUNT")
        if on < inv.issue_date:
            raise UsageError(f"--date: {on} is before {number} was issued ({inv.issue_date})")
        left = _outstanding(st, inv, on)
        if amt > left:
            raise ConflictError(f"{number} has {left.format(inv.locale)} outstanding; "
                                f"{amt.format(inv.locale)} cannot be written off")
        w = WriteOff(inv.client, on, number, amt, reason.strip(), category,
                     Source(f"clients/{inv.client}/writeoffs.yaml"))
        _write(root, inv.client, "writeoffs.yaml",
               {"date": on, "invoice": number, "amount": amt, "currency": amt.currency,
                "reason": _text(reason.strip()), "category": category}, f"writing off {amt} of {number}")
    return w
