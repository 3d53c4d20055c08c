"""Returns already submitted that the books no longer agree with, and correcting them.

A VAT return once submitted is never sent again (consult.vat.submission). When the books later
change a submitted period — an invoice re-billed with its tax point in it, a cost recorded
late, money that moved — the return HMRC holds is wrong, and no other return declares the
difference. HMRC's rule for that (VAT Notice 700/45 §4; HMRC VAT Assessments and Error
Correction manual VAEC7140–VAEC7180; VAT Regulations 1995 reg 34):

* The **net value of the errors** is the VAT under-declared less the VAT over-declared
  (VAEC7150): per period, (box 1 + box 2 now − as sent) − (box 4 now − as sent).
* It may be corrected on the return for the period in which it is found ("method 1") when it is
  no more than **£10,000, or 1% of that return's box 6 up to £50,000** — whichever is greater
  (form VAT652's notes; Notice 700/45 §4). The net value is added to **box 1** when it is VAT
  due to HMRC, to **box 4** when it is due to the practice.
* Above that, or when the error was deliberate (VAEC7140: a deliberate inaccuracy is never
  "discovered" later), it must be told to HMRC separately, on **form VAT652** or by letter.
  Since September 2025 HMRC also asks for a separate notification of a careless error corrected
  on a return (Notice 700/45 §4 as updated; VAEC7140).
* Errors may be corrected for four years after the end of the period they are in (VAEC7110).

What consult does: every return worked for a period carries the errors found on submitted
returns of earlier periods (the same environment's records) that no later submitted return has
corrected yet — shown, and added to box 1 or box 4 when within the limit (else shown, not
added, with the VAT652 instruction). The record of the return that carries them keeps them
(`corrections:`), so they are corrected once. Boxes 6–9 (values, no VAT) are shown when they
differ but not carried: method 1 corrects VAT.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

from consult.core.record import record
from consult.core.records import Books
from consult.invoices.record import Invoice
from consult.vat.boxes import BoxEntry, Correction, VatReturn
from consult.vat.filed import FOLDERS, SentDocument, Submitted, find, submissions

THRESHOLD = Decimal(10000)       # £10,000 …
SHARE_OF_BOX6 = Decimal("0.01")  # … or 1% of the box 6 of the return it is corrected on …
CEILING = Decimal(50000)         # … up to £50,000
TIME_LIMIT_YEARS = 4             # errors are corrected for four years after their period ends
VAT_BOXES = (1, 2, 4)
VALUE_BOXES = (6, 7, 8, 9)
ZERO = Decimal(0)


def limit(box6: Decimal) -> Decimal:
    """The most a net error may be and still be corrected on a return whose box 6 is `box6`."""
    return max(THRESHOLD, min(box6 * SHARE_OF_BOX6, CEILING))


@record
class Difference:
    """A submitted return beside what the books now give for its period."""

    submitted: Submitted
    now: VatReturn
    corrected: dict[int, Decimal]        # already corrected on later returns, per VAT box
    corrected_on: tuple[str, ...]        # the records of those returns
    added: tuple[str, ...]               # documents in the books' figures that were not in the return sent
    gone: tuple[str, ...]                # documents in the return sent that the books' figures no longer hold

    def delta(self, n: int) -> Decimal:
        """Box `n`: the books now less the return as sent (less what was corrected since, boxes 1, 2, 4)."""
        if n == 3:
            return self.delta(1) + self.delta(2)
        if n == 5:
            return self.net
        return self.now.box(n) - self.submitted.box(n) - self.corrected.get(n, ZERO)

    @property
    def net(self) -> Decimal:
        """The net value of the error: VAT under-declared (positive, due to HMRC) or over-declared."""
        return self.delta(1) + self.delta(2) - self.delta(4)

    @property
    def vat_differs(self) -> bool:
        return any(self.delta(n) for n in VAT_BOXES)

    @property
    def differs(self) -> bool:
        return self.vat_differs or any(self.delta(n) for n in VALUE_BOXES)

    def boxes_text(self) -> str:
        """'box 1 £1,755.00 → £3,645.00 (+£1,890.00), box 6 …' for the boxes that differ."""
        parts = []
        for n in (1, 2, 4, 6, 7, 8, 9):
            d = self.delta(n)
            if d:
                sent = self.submitted.box(n) + (self.corrected.get(n, ZERO))
                parts.append(f"box {n} {_money(n, sent)} → {_money(n, self.now.box(n))} ({_signed(n, d)})")
        return ", ".join(parts)

    def correction(self) -> Correction:
        s = self.submitted
        return Correction(s.start, s.end, s.period_key, s.path, {n: self.delta(n) for n in VAT_BOXES})


def _money(n: int, v: Decimal) -> str:
    sign = "-" if v < 0 else ""
    return f"{sign}£{abs(v):,.2f}" if n <= 5 else f"{sign}£{abs(v):,.0f}"


def _signed(n: int, v: Decimal) -> str:
    return ("+" if v > 0 else "") + _money(n, v)


def _key(boxes: dict[int, Decimal]) -> tuple[tuple[int, Decimal], ...]:
    return tuple(sorted((n, v.normalize()) for n, v in boxes.items() if n not in (3, 5) and v))


def changed_documents(sent: tuple[SentDocument, ...], now: tuple[BoxEntry, ...]) -> tuple[list[str], list[str]]:
    """(documents now in the figures and not in the return sent, documents sent and no longer in
    the figures), each as 'REF (kind DATE)'. A document matches by reference and amounts; then,
    for what is left, by kind, date and amounts (an expense whose line moved in its file)."""
    def label(ref: str, kind: str, d: date) -> str:
        return f"{ref} ({kind.replace('_', ' ')} {d.isoformat()})"

    left = Counter((d.ref, d.kind, d.date, _key(d.boxes)) for d in sent)
    extra = []
    for e in now:
        k = (e.ref, e.kind, e.date, _key(e.boxes))
        if left[k]:
            left[k] -= 1
        else:
            extra.append(e)
    loose = Counter((kind, d, boxes) for (_, kind, d, boxes), n in left.items() for _ in range(n))
    added = []
    for e in extra:
        k2 = (e.kind, e.date, _key(e.boxes))
        if loose[k2]:
            loose[k2] -= 1
        else:
            added.append(label(e.ref, e.kind, e.date))
    gone = [label(ref, kind, d) for (ref, kind, d, boxes), n in left.items() for _ in range(n)
            if loose[(kind, d, boxes)] > 0]
    return sorted(set(added)), sorted(set(gone))


def issued_after(s: Submitted, now: VatReturn, invoices: list[Invoice]) -> list[str]:
    """For a record that kept no documents: the invoices and credit notes in the period's figures
    issued on or after the day the return was sent."""
    on = s.submitted_on
    if on is None:
        return []
    by_number = {i.number: i for i in invoices if i.number}
    out = []
    for e in now.entries:
        inv = by_number.get(e.ref)
        if inv is not None and inv.issue_date >= on:
            out.append(f"{e.ref} ({inv.title.lower()} issued {inv.issue_date.isoformat()}, tax point "
                       f"{inv.tax_point.isoformat()})")
    return sorted(set(out))


def environment_of(root: Path, start: date | None = None, end: date | None = None) -> str | None:
    """Whose records a return is read against: production when the books hold any production
    record (or one for these dates), else the sandbox's; None when nothing was ever submitted."""
    found = {env for env, folder in FOLDERS.items()
             if (Path(root) / folder).is_dir() and any(p.name[:1].isdigit() and not p.name.endswith(".pending.yaml")
                                                        for p in (Path(root) / folder).glob("*.yaml"))}
    if "production" in found:
        return "production"
    return "sandbox" if "sandbox" in found else None


def differences(books: Books, environment: str, *, ending_before: date | None = None,
                only: tuple[date, date] | None = None) -> list[Difference]:
    """Each submitted return of `environment` (ending before `ending_before`, or just the one for
    `only`'s dates) beside the books' figures for its period, under the scheme it was sent under."""
    from consult.errors import BooksError
    from consult.vat.returns import load_return_records, vat_return

    records, problems = submissions(books.root, environment)
    if problems:
        raise BooksError(problems, "a VAT submission record cannot be read")
    if only is not None:
        wanted = [s for s in records if (s.start, s.end) == only]
    else:
        wanted = [s for s in records if ending_before is None or s.end < ending_before]
    wanted = [s for s in wanted if not s.recovered or s.boxes]
    if not wanted:
        return []
    corrected: dict[tuple[date, date], dict[int, Decimal]] = {}
    corrected_on: dict[tuple[date, date], list[str]] = {}
    for r in records:
        for c in r.corrections:
            got = corrected.setdefault((c.start, c.end), {})
            for n, v in c.boxes.items():
                got[n] = got.get(n, ZERO) + v
            corrected_on.setdefault((c.start, c.end), []).append(r.path)
    invoices = load_return_records(books.root, books, min(s.start for s in wanted), max(s.end for s in wanted))
    out = []
    for s in wanted:
        scheme = s.scheme if s.scheme in ("standard", "cash", "flat_rate") else None
        now = vat_return(books, invoices, s.start, s.end, scheme=scheme, period_key=s.period_key)
        if s.documents is not None:
            added, gone = changed_documents(s.documents, now.entries)
        else:
            added, gone = issued_after(s, now, invoices), []
        out.append(Difference(s, now, corrected.get((s.start, s.end), {}),
                              tuple(corrected_on.get((s.start, s.end), [])), tuple(added), tuple(gone)))
    return out


def later_return(books: Books, s: Submitted) -> str:
    """The first return period of the stagger after `s` that the books hold no record of, in words."""
    from consult.vat.periods import period_ending

    stagger = books.practice.vat.stagger
    y, m = s.end.year, s.end.month
    for _ in range(240):
        m += 1
        if m > 12:
            y, m = y + 1, 1
        start, end = period_ending(y, m, stagger)
        if start <= s.end or not is_period_end(m, stagger):
            continue
        if find(books.root, s.environment, start=start, end=end) is None:
            return f"the return for {start}..{end}"
    return "the next return"


def is_period_end(month: int, stagger: int) -> bool:
    from consult.vat.periods import STAGGER_ENDS

    return month in STAGGER_ENDS[stagger]


def within_time_limit(s: Submitted, on: date) -> bool:
    try:
        last = s.end.replace(year=s.end.year + TIME_LIMIT_YEARS)
    except ValueError:  # 29 February
        last = date(s.end.year + TIME_LIMIT_YEARS, 2, 28)
    return on <= last


def with_corrections(books: Books, ret: VatReturn, environment: str | None) -> VatReturn:
    """`ret` carrying the errors found on earlier submitted returns (see the module's rules):
    their net value in box 1 (due to HMRC) or box 4 (due to the practice) when within the limit,
    the working in the notes either way. A return for a period that is itself submitted, or with
    no earlier record in `environment`, comes back as it is."""
    if environment is None:
        return ret
    from dataclasses import replace

    found = [d for d in differences(books, environment, ending_before=ret.start)
             if d.vat_differs and within_time_limit(d.submitted, ret.end)]
    if not found:
        return ret
    corrections = tuple(d.correction() for d in found)
    net = sum((c.net for c in corrections), ZERO)
    cap = limit(ret.box(6))
    where = "HMRC sandbox" if environment == "sandbox" else "HMRC"
    notes = list(ret.notes)
    for d in found:
        notes.append(f"Correction of {d.submitted.start}..{d.submitted.end} ({d.submitted.period_key}, as submitted to "
                     f"{where}: {d.submitted.path}): the books now give {d.boxes_text()}; net VAT "
                     f"{_signed(1, d.net)} ({'due to HMRC' if d.net > 0 else 'due to you'}).")
    if abs(net) > cap:
        notes.append(f"The net value of these errors, {_money(1, abs(net))}, is more than £{cap:,.2f} (£10,000, or 1% of "
                     "box 6 up to £50,000): it cannot be corrected on this return. Tell HMRC on form VAT652 (VAT "
                     "Notice 700/45 §4); the boxes above leave it out.")
        return replace(ret, notes=tuple(notes))
    boxes = dict(ret.boxes)
    if net > 0:
        boxes[1] += net
    else:
        boxes[4] += -net
    boxes[3] = boxes[1] + boxes[2]
    boxes[5] = abs(boxes[3] - boxes[4])
    notes.append(f"The net value of the errors, {_money(1, abs(net))} {'due to HMRC' if net > 0 else 'due to you'}, is "
                 f"within £{cap:,.2f} (£10,000, or 1% of box 6 up to £50,000), so it is corrected on this return: "
                 f"added to box {1 if net > 0 else 4} (VAT Notice 700/45 §4, method 1). If the error was careless, "
                 "HMRC also asks you to tell it separately (form VAT652); a deliberate one goes on VAT652 only.")
    return replace(ret, boxes=boxes, notes=tuple(notes), corrections=corrections, uncorrected=dict(ret.boxes))


__all__ = ["Difference", "changed_documents", "differences", "environment_of", "limit", "with_corrections"]
