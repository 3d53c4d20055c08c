"""A VAT return sent to HMRC, and the record of it in the books — so that no period is ever
submitted twice.

The record is `vat/submitted/<start>_<end>.yaml` (production) or `vat/sandbox/<start>_<end>.yaml`
(HMRC's sandbox, or a test service: practice runs never block the real return). It holds the
boxes as sent and HMRC's receipt (`processingDate`, `formBundleNumber`, `paymentIndicator`,
`chargeRefNumber`, and the `Receipt-ID` and `X-CorrelationId` headers) and is written once
(`write_new`: never replaced) under the books lock.

The crash window. Between HMRC accepting a return and the record reaching the disk, consult can
be killed or lose the network. So, under the lock, before sending, a *pending* note
(`<start>_<end>.pending.yaml`, the body about to be sent) is written; it is removed only when the
outcome is known. A later `consult vat submit` for that period that finds the note asks HMRC
first: if HMRC lists the period as fulfilled, the return arrived — consult writes the record
(marked `recovered`, with the boxes it sent and HMRC's received date; the receipt itself is
lost) and refuses to send again; if the period is still open, the return never arrived and it is
sent now. A second process waits at the lock and then finds the record (or the note) of the
first; HMRC's own `DUPLICATE_SUBMISSION` is the last guard.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from consult import __version__
from consult.books.files import read_mapping, rel
from consult.books.lock import books_lock
from consult.books.store import atomic_write, write_new
from consult.core.record import record
from consult.errors import BooksError, ConflictError, ConsultError, Problem, Source, UsageError
from consult.vat.boxes import HMRC_FIELDS, BoxEntry, Correction, VatReturn
from consult.vat.filed import (
    FOLDERS,
    PENDING,
    VAT_BOX_FIELDS,
    SentDocument,
    Submitted,
    find,
    pending_path,
    read_record,
    record_path,
    submissions,
)

if TYPE_CHECKING:  # the API modules are imported when a command talks to HMRC, not for `consult check`
    from consult.core.records import Books
    from consult.vat.mtd import Obligation, VatApi


DECLARATION = ("When you submit this VAT information you are making a legal declaration that the "
               "information is true and complete. A false declaration can result in prosecution.")
MAX_NET = Decimal("99999999999.99")  # HMRC: netVatDue between 0 and 99,999,999,999.99


@record
class Outcome:
    """A submission that HMRC accepted and the books now record."""

    submitted: Submitted
    vat_return: VatReturn
    obligation: Obligation


def check_submissions(books: Books) -> list[Problem]:
    """For `consult check`: records that cannot be read, submissions left pending, and submitted
    returns the books no longer agree with (consult.vat.corrections)."""
    records, problems = submissions(books.root)
    if records and not problems and books.practice.vat_registered:
        problems += _disagreements(books, sorted({s.environment for s in records}))
    for folder in FOLDERS.values():
        d = books.root / folder
        for p in sorted(d.iterdir()) if d.is_dir() else []:
            if p.name.endswith(PENDING):
                done = p.with_name(p.name.removesuffix(PENDING) + ".yaml")
                why = (f"left over from a submission that is recorded in {done.name}; delete this note" if done.exists()
                       else "a submission to HMRC was interrupted and its outcome is not known; run `consult vat "
                            "submit` for that period: it asks HMRC and records the answer")
                problems.append(Problem(Source(rel(books.root, p)), None, why, "warning"))
            elif p.suffix != ".yaml" and not p.name.startswith("."):
                problems.append(Problem(Source(rel(books.root, p)), None,
                                        f"not a VAT submission record; only <start>_<end>.yaml files belong in {folder}/",
                                        "warning"))
    return problems


def _disagreements(books: Books, environments: list[str]) -> list[Problem]:
    """A warning for each submitted return whose period the books now give other figures for,
    naming the boxes, the documents behind the change and what to do (VAT Notice 700/45)."""
    from consult.vat.corrections import differences, later_return

    out: list[Problem] = []
    for env in environments:
        try:
            found = differences(books, env)
        except ConsultError:  # a figure cannot be had (a missing rate, money naming no invoice): other checks say why
            continue
        for d in found:
            if not d.vat_differs and (not d.differs or d.corrected_on):
                continue  # agrees, or its VAT was corrected on a later return (values are not carried: nothing to do)
            s = d.submitted
            what = (f"{s.start}..{s.end} ({s.period_key}) was submitted to {s.label}"
                    + (f" on {s.submitted_on}" if s.submitted_on else "") + f", but the books now give {d.boxes_text()}")
            if d.added:
                what += "; not in the return sent: " + ", ".join(d.added)
            if d.gone:
                what += "; sent but no longer in the books' figures: " + ", ".join(d.gone)
            if d.vat_differs:
                what += (f". No return declares the {'extra VAT' if d.net > 0 else 'VAT over-declared'} "
                         f"({'+' if d.net > 0 else '-'}£{abs(d.net):,.2f}): correct it on the next return, "
                         f"{later_return(books, s)} (`consult vat return` adds it there), or, above £10,000 or 1% of "
                         "that return's box 6 (up to £50,000), tell HMRC on form VAT652 (VAT Notice 700/45)")
            else:
                what += ". Only values (boxes 6–9) differ: no VAT to correct"
            out.append(Problem(Source(s.path), None, what, "warning"))
    return out


def _q(v: str) -> str:
    from consult.books.writers import quoted

    return quoted(v)  # the books' one serialiser: any text reads back exactly


def record_text(*, environment: str, vrn: str, obligation: Obligation, scheme: str, body: dict[str, Any],
                receipt: dict[str, str], submitted_at: str, recovered: bool = False,
                corrections: tuple[Correction, ...] = (), documents: tuple[BoxEntry, ...] | None = None) -> str:
    """The record's YAML, written by hand so every number keeps its exact text."""
    lines = [
        "# A VAT return submitted to HMRC through Making Tax Digital, written once by `consult vat submit`.",
        "# Do not edit or delete it: it is HMRC's receipt, and it stops the period being submitted twice.",
        f"environment: {environment}",
        f"vrn: {_q(vrn)}",
        f"period_key: {_q(obligation.period_key)}",
        f"start: {obligation.start.isoformat()}",
        f"end: {obligation.end.isoformat()}",
        f"due: {obligation.due.isoformat()}",
        f"scheme: {_q(scheme)}",
        f"submitted_at: {_q(submitted_at)}",
        f"software: {_q(f'consult {__version__}')}",
    ]
    if recovered:
        lines.append("recovered: true   # consult stopped before HMRC's receipt was written; HMRC lists the "
                     "period fulfilled")
    lines.append("receipt:")
    lines += [f"  {k}: {_q(v)}" for k, v in receipt.items()]
    lines.append("return:")
    for name in HMRC_FIELDS:
        lines.append(f"  {name}: {format(body[name], 'f')}")
    lines.append(f"  finalised: {'true' if body.get('finalised', True) else 'false'}")
    if corrections:
        lines.append("corrections:   # errors on earlier returns corrected on this one (VAT Notice 700/45)")
        for c in corrections:
            amounts = "".join(f", {VAT_BOX_FIELDS[n]}: {format(c.boxes.get(n, Decimal(0)), 'f')}" for n in VAT_BOX_FIELDS)
            lines.append(f"  - {{start: {c.start.isoformat()}, end: {c.end.isoformat()}, "
                         f"period_key: {_q(c.period_key)}{amounts}}}")
    if documents is not None:
        lines.append("documents:     # what the boxes were made of when sent (consult check names what changed since)")
        for e in documents:
            amounts = "".join(f", box{n}: {format(v, 'f')}" for n, v in sorted(e.boxes.items()) if n != 3 and n != 5)
            lines.append(f"  - {{ref: {_q(e.ref)}, kind: {e.kind}, date: {e.date.isoformat()}{amounts}}}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# which obligation a PERIOD means
# ------------------------------------------------------------------------------------------
def match_obligation(text: str, obligations: list[Obligation], *, today: date,
                     tax_year_start: tuple[int, int] = (4, 6)) -> Obligation | None:
    """The obligation PERIOD names: HMRC's period key exactly as HMRC lists it, else a period in
    the one period grammar whose first and last days are the obligation's."""
    for o in obligations:
        if o.period_key == text.strip():
            return o
    start, end = _period_days(text, today, tax_year_start)
    if start is None:
        return None
    for o in obligations:
        if (o.start, o.end) == (start, end):
            return o
    return None


def _period_days(text: str, today: date, tys: tuple[int, int]) -> tuple[date | None, date | None]:
    from consult.core.periods import parse_period

    try:
        p = parse_period(text, tax_year_start=tys, today=today, what="PERIOD")
    except UsageError:
        return None, None
    return p.start, p.end


def _listing(obligations: list[Obligation]) -> str:
    if not obligations:
        return "HMRC lists no open obligations"
    return "HMRC's open obligations: " + "; ".join(
        f"{o.period_key} {o.start}..{o.end} (due {o.due})" for o in obligations)


# ------------------------------------------------------------------------------------------
# building and checking the return
# ------------------------------------------------------------------------------------------
def build_return(books: Books, start: date, end: date) -> VatReturn:
    """The return for the obligation's dates, from the books (`consult.vat.returns`)."""
    from consult.vat.returns import load_return_records, vat_return

    invoices = load_return_records(books.root, books, start, end)
    result: VatReturn = vat_return(books, invoices, start, end)
    return result


def check_body(body: dict[str, Any]) -> None:
    """Refuse, before anything is sent, a return HMRC would reject: box 3 = 1 + 2 and box 5 =
    |3 − 4| (HMRC's VAT_TOTAL_VALUE and VAT_NET_VALUE), box 5 in 0–99,999,999,999.99."""
    b = [body[n] for n in HMRC_FIELDS]
    if b[2] != b[0] + b[1]:
        raise ConsultError(f"box 3 ({b[2]}) is not box 1 + box 2 ({b[0] + b[1]}); nothing was sent")
    if b[4] != abs(b[2] - b[3]):
        raise ConsultError(f"box 5 ({b[4]}) is not |box 3 − box 4| ({abs(b[2] - b[3])}); nothing was sent")
    if not Decimal(0) <= b[4] <= MAX_NET:
        raise ConsultError(f"box 5 ({b[4]}) is outside what HMRC accepts (0 to {MAX_NET:,}); nothing was sent")


# ------------------------------------------------------------------------------------------
# submitting
# ------------------------------------------------------------------------------------------
def submit(books: Books, period: str, *, api: VatApi, today: date,
           confirm: Callable[[VatReturn, Obligation], bool],
           build: Callable[[Books, date, date], VatReturn] = build_return,
           now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> Outcome | None:
    """Send the return for PERIOD (the period grammar, or HMRC's period key) and record HMRC's
    receipt in the books. None when `confirm` says no (nothing was sent, nothing written).

    Refuses (ConflictError, naming the receipt) a period the books record as submitted, and a
    period HMRC lists as fulfilled; UsageError for a PERIOD that is no open obligation."""
    from consult.vat.mtd import DuplicateSubmission, MtdError, OutcomeUnknown
    from consult.vat.oauth import HttpFailure, NotAuthorised, SettingsError

    root, env = books.root, api.settings.environment
    tys = books.practice.tax_year_start
    start, end = _period_days(period, today, tys)
    if (done := find(root, env, start=start, end=end, period_key=None if start else period.strip())) is not None:
        raise ConflictError(f"{period} was already submitted to {api.settings.label}: {done.describe()}")
    open_ = api.obligations(status="O")
    ob = match_obligation(period, open_, today=today, tax_year_start=tys)
    if ob is None:
        _not_open(books, period, api, open_, today, start, end, now)
    assert ob is not None
    if (done := find(root, env, start=ob.start, end=ob.end, period_key=ob.period_key)) is not None:
        raise ConflictError(f"{period} was already submitted to {api.settings.label}: {done.describe()}")
    if today <= ob.end:
        raise ConsultError(f"the period {ob.period_key} ({ob.start}..{ob.end}) has not ended: HMRC takes its "
                           f"return from {ob.end + timedelta(days=1)} (it would answer TAX_PERIOD_NOT_ENDED); "
                           "nothing was sent")
    from consult.vat.corrections import with_corrections

    ret = with_corrections(books, build(books, ob.start, ob.end), env)  # errors found on returns already sent
    if (ret.start, ret.end) != (ob.start, ob.end):
        raise ConsultError(f"the return covers {ret.start}..{ret.end}, not the obligation's {ob.start}..{ob.end}; "
                           "nothing was sent")
    body = ret.hmrc_body(ob.period_key)
    check_body(body)
    if not confirm(ret, ob):
        return None
    with books_lock(root):
        if (done := find(root, env, start=ob.start, end=ob.end, period_key=ob.period_key)) is not None:
            raise ConflictError(f"{period} was submitted while this command waited: {done.describe()}")
        pending = pending_path(root, env, ob.start, ob.end)
        earlier: _Note | None = None
        if pending.exists():  # an earlier attempt's outcome was never learnt: ask HMRC first
            note = _read_note(books, pending)
            if (arrived := _arrived(api, ob)) is not None:
                found = _record(books, api, arrived, note.scheme, note.body, _received(arrived), now, recovered=True)
                pending.unlink()
                raise ConflictError(f"{period} had already reached HMRC: {found.describe()}")
            earlier = note  # not seen at HMRC: this attempt's note replaces it (atomically: no moment without one)
        note_text = record_text(environment=env, vrn=api.vrn, obligation=ob, scheme=ret.scheme, body=body,
                                receipt={}, submitted_at=now().isoformat())
        (atomic_write if earlier is not None else write_new)(pending, note_text)
        try:
            receipt = api.submit(body)
        except OutcomeUnknown as e:
            raise OutcomeUnknown(f"{e}. consult kept a note ({rel(root, pending)}); run `consult vat submit "
                                 f"{period}` again — it asks HMRC before sending anything", e.code, e.status) from None
        except DuplicateSubmission as e:
            pending.unlink()
            if earlier is not None:  # HMRC had the interrupted attempt after all (its lists lagged behind)
                found = _record(books, api, ob, earlier.scheme, earlier.body, {"received": "unknown"}, now,
                                recovered=True)
                raise ConflictError(f"{period} had already reached HMRC: {found.describe()}") from None
            raise ConflictError(f"{e}; it was sent some other way — consult recorded nothing and sent nothing") from None
        except (MtdError, NotAuthorised, SettingsError):
            pending.unlink()  # HMRC refused it (or it was never sent): the period stays open, nothing recorded
            raise
        except HttpFailure as e:
            if not e.sent:
                pending.unlink()
            raise
        # anything else (an interrupt while waiting for HMRC…) keeps the note: the next run asks HMRC
        try:
            sub = _record(books, api, ob, ret.scheme, body, receipt.fields(), now, recovered=False,
                          corrections=ret.corrections, documents=ret.entries)
        except ConsultError as e:
            got = ", ".join(f"{k} {v}" for k, v in receipt.fields().items())
            raise ConsultError(f"{api.settings.label} ACCEPTED the return ({got}) but the books could not record "
                               f"it: {e}. Keep this receipt. Once the books can be written, run `consult vat submit "
                               f"{period}`: it finds the period fulfilled and records it") from None
        pending.unlink()
    return Outcome(sub, ret, ob)


def _record(books: Books, api: VatApi, ob: Obligation, scheme: str, body: dict[str, Any], receipt: dict[str, str],
            now: Callable[[], datetime], *, recovered: bool, corrections: tuple[Correction, ...] = (),
            documents: tuple[BoxEntry, ...] | None = None) -> Submitted:
    env = api.settings.environment
    path = record_path(books.root, env, ob.start, ob.end)
    at = now().isoformat()
    write_new(path, record_text(environment=env, vrn=api.vrn, obligation=ob, scheme=scheme, body=body,
                                receipt=receipt, submitted_at=at, recovered=recovered, corrections=corrections,
                                documents=documents))
    sent = None if documents is None else tuple(SentDocument(e.ref, e.kind, e.date, dict(e.boxes)) for e in documents)
    return Submitted(rel(books.root, path), env, api.vrn, ob.period_key, ob.start, ob.end, ob.due, at, receipt,
                     {n: body[n] for n in HMRC_FIELDS}, recovered, scheme, corrections, sent)


@record
class _Note:
    """A pending note: what an interrupted attempt sent (or was about to send)."""

    scheme: str
    body: dict[str, Decimal]


def _read_note(books: Books, pending: Path) -> _Note:
    problems: list[Problem] = []
    f = read_mapping(books.root, pending, problems)
    body: dict[str, Decimal] = {}
    scheme = (f.text("scheme") if f is not None else None) or "unknown"
    if f is not None and (b := f.sub("return", required=True)) is not None:
        for n in HMRC_FIELDS:
            if (d := b.decimal(n, True)) is not None:
                body[n] = d
    if problems or len(body) != len(HMRC_FIELDS):
        raise BooksError(problems, "the note of an interrupted submission cannot be read; ask HMRC (`consult vat "
                                   "obligations`) and delete the note only if the period is still open")
    return _Note(scheme, body)


def _arrived(api: VatApi, ob: Obligation) -> Obligation | None:
    """The obligation as HMRC now lists it, when HMRC shows the return arrived: the period
    fulfilled, or a return held for its key. None when neither shows."""
    from consult.vat.mtd import MtdError

    listed = [o for o in api.obligations(start=ob.start, end=ob.end) if o.period_key == ob.period_key]
    if listed and not listed[0].open:
        return listed[0]
    try:
        held = api.view(ob.period_key)
    except MtdError:  # some services answer 400, not 404, for a key with no return
        held = None
    return (listed[0] if listed else ob) if held is not None else None


def _received(ob: Obligation) -> dict[str, str]:
    return {"received": ob.received.isoformat() if ob.received else "unknown"}


def _not_open(books: Books, period: str, api: VatApi, open_: list[Obligation], today: date,
              start: date | None, end: date | None, now: Callable[[], datetime]) -> None:
    """PERIOD is no open obligation: say whether HMRC already has it (and record it, if an
    interrupted submission of ours was the one that arrived), else list what is open."""
    if start is not None and end is not None:
        if (end - start).days > 366:
            candidates = []
        else:
            candidates = [o for o in api.obligations(start=start, end=end) if (o.start, o.end) == (start, end)]
    else:  # HMRC's period key: look among the last year's obligations
        key = period.strip()
        candidates = [o for o in api.obligations(start=today - timedelta(days=365), end=today) if o.period_key == key]
    for o in candidates:
        if o.open:
            continue
        env = api.settings.environment
        pending = pending_path(books.root, env, o.start, o.end)
        with books_lock(books.root):  # another consult may be recording this very submission
            if (done := find(books.root, env, start=o.start, end=o.end, period_key=o.period_key)) is not None:
                raise ConflictError(f"{period} was already submitted to {api.settings.label}: {done.describe()}")
            if pending.exists():  # our interrupted attempt is the one HMRC holds
                note = _read_note(books, pending)
                found = _record(books, api, o, note.scheme, note.body, _received(o), now, recovered=True)
                pending.unlink()
                raise ConflictError(f"{period} had already reached HMRC: {found.describe()}")
        raise ConflictError(
            f"{api.settings.label} already has the return for {period} ({o.period_key}, received "
            f"{o.received or 'on an unknown date'}); the books hold no receipt for it, so it was sent some "
            "other way. Nothing was sent.")
    raise UsageError(f"PERIOD: '{period}' is not an open VAT obligation; {_listing(open_)} "
                     "(`consult vat obligations` lists them)")


def overview(root: Path, api: VatApi, today: date) -> list[tuple[Obligation, Submitted | None]]:
    """Open obligations and those of the last year, each with the books' record if any."""
    seen: dict[str, Obligation] = {o.period_key: o for o in api.obligations(start=today - timedelta(days=365), end=today)}
    for o in api.obligations(status="O"):
        seen[o.period_key] = o
    records, problems = submissions(root, api.settings.environment)
    if problems:
        raise BooksError(problems, "a VAT submission record cannot be read")
    by_dates = {(s.start, s.end): s for s in records}
    obs = sorted(seen.values(), key=lambda o: (o.start, o.period_key))
    record_obligations(root, obs, api.settings.environment)
    return [(o, by_dates.get((o.start, o.end))) for o in obs]


def record_obligations(root: Path, obligations: list[Obligation], environment: str = "production") -> None:
    """Keep HMRC's obligations in the books (`vat/obligations.yaml`, HMRC's field names; the
    sandbox's in `vat/sandbox/obligations.yaml`, so a practice run never mixes its made-up keys
    with the real ones), so `consult vat return 26C3` knows a period key's dates without asking
    HMRC again. The file is HMRC's word, rewritten whole (merged with what it held) each time they
    are fetched."""
    from consult.books.journal import Transaction
    from consult.books.lock import books_lock
    from consult.vat.periods import OBLIGATION_FILES, recorded_obligations

    with books_lock(root):
        known = {o.period_key: (o.start, o.end, o.due, o.status) for o in recorded_obligations(root, environment)}
        for o in obligations:
            known[o.period_key] = (o.start, o.end, o.due, o.status)
        lines = ["# VAT obligations as HMRC gave them (written by consult vat obligations; do not edit)\n"]
        for key, (start, end, due, status) in sorted(known.items(), key=lambda kv: (kv[1][0], kv[0])):
            lines.append(f"- {{periodKey: {_q(key)}, start: {start.isoformat()}, end: {end.isoformat()}"
                         + (f", due: {due.isoformat()}" if due else "") + (f", status: {_q(status)}" if status else "")
                         + "}\n")
        text = "".join(lines)
        path = Path(root) / OBLIGATION_FILES[environment]
        if path.exists() and path.read_text(encoding="utf-8") == text:
            return
        tx = Transaction(Path(root), "recording VAT obligations")
        tx.replace(path, text)
        tx.commit()


__all__ = ["DECLARATION", "Outcome", "Submitted", "check_submissions", "find", "overview", "read_record",
           "record_obligations", "submissions", "submit"]
