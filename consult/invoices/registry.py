"""Starting a register for books that already have issued documents, and voiding a number.

Books written before the register (consult.books.register) hold invoices, credit notes and
numbered proposals but no record of their numbers. `init_register` reads them all and writes
`register.tsv` with a line for each, in the order they were issued (date, then number), with the
SHA-256 of each record and PDF as they are now. It refuses — writing nothing — when what it
finds cannot be vouched for: a record that cannot be read back or does not add up, a number
used twice, or a gap in a series (a number missing between two issued ones), unless the gap
is explained with `void_gaps` (the reason is written on a void line for each missing number).

`void_number` abandons a number that was never used for a document (for instance one
reserved in a series by hand), so the series stays gapless; an issued document is never voided
— it is credited.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from consult.books import register
from consult.books.journal import Transaction
from consult.books.loader import open_books
from consult.books.lock import books_lock
from consult.core.record import record
from consult.errors import BooksError, ConflictError, Problem, Source, UsageError


@record
class Found:
    number: str
    kind: register.Kind
    day: date
    client: str
    currency: str
    net: Decimal
    vat: Decimal
    total: Decimal
    path: str
    record: bytes
    pdf: bytes | None


@record
class InitResult:
    lines: int
    invoices: int
    credit_notes: int
    proposals: int
    voids: int


def _found(root: Path) -> tuple[list[Found], list[Problem]]:
    from consult.invoices.store import load_invoices
    from consult.proposals.proposal import load_proposals

    out: list[Found] = []
    invoices, problems = load_invoices(root)
    for inv in invoices:
        assert inv.number is not None
        rel = f"clients/{inv.client}/invoices/{inv.number}.yaml"
        pdf = root / rel.replace(".yaml", ".pdf")
        out.append(Found(inv.number, "credit_note" if inv.is_credit_note else "invoice", inv.issue_date, inv.client,
                         inv.currency, inv.net.amount, inv.vat.amount, inv.total.amount, rel,
                         (root / rel).read_bytes(), pdf.read_bytes() if pdf.exists() else None))
    books = open_books(root, timesheets=False)
    proposals, pproblems = load_proposals(books)
    problems += [p for p in pproblems if p.severity == "error"]
    from consult.proposals.proposal import price

    for p in proposals:
        if p.number is None or p.date is None:
            continue
        rel = f"clients/{p.client}/proposals/{p.id}.yaml"
        fees = price(p, books.clients[p.client], books.practice)
        pdf = root / rel.replace(".yaml", ".pdf")
        out.append(Found(p.number, "proposal", p.date, p.client, p.currency, fees.net.amount, fees.vat.amount,
                         fees.total.amount, rel, (root / rel).read_bytes(), pdf.read_bytes() if pdf.exists() else None))
    return out, problems


def init_register(root: Path, *, today: date, void_gaps: str | None = None) -> InitResult:
    """Write the register of the books' existing documents (see the module docstring)."""
    root = Path(root)
    with books_lock(root):
        if register.exists(root):
            raise ConflictError(f"{register.REGISTER} exists already; it is append-only — consult adds to it as "
                                "documents are issued (consult check verifies it)")
        books = open_books(root, timesheets=False)
        found, problems = _found(root)
        if problems:
            raise BooksError(problems, "some issued documents cannot be vouched for, so no register was written")
        seen: dict[str, Found] = {}
        for f in found:
            if f.number in seen:
                problems.append(Problem(Source(f.path), "number", f"{f.number} is used twice (also "
                                                                  f"{seen[f.number].path}); keep one"))
            seen[f.number] = f
        if problems:
            raise BooksError(problems, "numbers are used twice, so no register was written")
        found.sort(key=lambda f: (f.day, f.number))
        lines: list[register.Line] = []

        def add(text: str) -> None:
            lines.append(register.parse_line(text, len(lines) + 2))

        for f in found:
            add(register.make_line(lines, number=f.number, kind=f.kind, day=f.day, client=f.client,
                                   currency=f.currency, net=f.net, vat=f.vat, total=f.total, path=f.path,
                                   record=f.record, pdf=f.pdf))
        missing = register.gaps(lines, books.practice.number_formats)
        if missing and not void_gaps:
            raise BooksError([*missing], "numbers are missing between issued ones; if they were never used, "
                                         "say why with --void-gaps \"REASON\" (each gets a void line)")
        voids = 0
        if missing and void_gaps:
            for what, pattern in books.practice.number_formats.items():
                rx = register.series_regex(pattern)
                per: dict[int | None, set[int]] = {}
                for f in found:
                    m = rx.match(f.number)
                    if m:
                        per.setdefault(int(m.group("year")) if "year" in rx.groupindex else None, set()).add(
                            int(m.group("seq")))
                for year, seqs in per.items():
                    for s in range(1, max(seqs) + 1):
                        if s not in seqs:
                            day = date(year, 1, 1) if year else today
                            add(register.make_line(
                                lines, number=pattern.format(year=year or 0, seq=s), kind="void", day=day,
                                note=f"{what} number missing when the register was started: {void_gaps}"))
                            voids += 1
        tx = Transaction(root, "starting the register")
        tx.new(root / register.REGISTER, register.HEADER + "\n" + "".join(ln.text + "\n" for ln in lines))
        tx.commit()
    return InitResult(len(lines), sum(f.kind == "invoice" for f in found), sum(f.kind == "credit_note" for f in found),
                      sum(f.kind == "proposal" for f in found), voids)


def void_number(root: Path, number: str, *, reason: str, day: date) -> str:
    """Add a void line for `number`, which must belong to one of the practice's series and never
    have been used; returns the line."""
    if not reason.strip():
        raise UsageError("--reason: say why the number is abandoned (it is written in the register)")
    root = Path(root)
    with books_lock(root):
        books = open_books(root, timesheets=False)
        from consult.invoices.issue import register_lines

        lines = register_lines(root)
        if any(ln.number == number for ln in lines):
            raise ConflictError(f"{number} is in the register already; an issued document is never voided — "
                                "credit it (consult invoice credit)")
        pattern = next((p for p in books.practice.number_formats.values() if register.series_regex(p).match(number)),
                       None)
        if pattern is None:
            raise UsageError(f"{number} is not a number of any of the practice's series "
                             f"({', '.join(books.practice.number_formats.values())})")
        m = register.series_regex(pattern).match(number)
        assert m is not None
        year = date(int(m.group("year")), 1, 1) if "year" in m.re.groupindex else day
        following = register.next_number(lines, pattern, year)
        if int(m.group("seq")) > int(register.series_regex(pattern).match(following).group("seq")):  # type: ignore[union-attr]  # next_number makes a number of the series
            raise UsageError(f"{number} is beyond the next number of its series ({following}); voiding it would "
                             "leave a gap. Void only the next number, or one missing between issued ones")
        line = register.make_line(lines, number=number, kind="void", day=day, note=reason)
        tx = Transaction(root, f"voiding {number}")
        tx.append(root / register.REGISTER, line + "\n", head=register.HEADER + "\n")
        tx.commit()
    return line
