"""Issuing: the one step that numbers a draft and writes it, all or nothing.

Under the books lock, `issue` takes the next number of the document's series from the register
(consult.books.register), renders the PDF, and commits one transaction
(consult.books.journal): the frozen YAML record, the PDF and the register line with both
files' SHA-256. A kill at any moment leaves either nothing or a change the next command
finishes; the number is never given twice and a deleted file never frees it.

What the document is drawn with is frozen into the record at this step: its language and its
theme (consult.themes.theme.freeze), so `consult invoice render NUMBER` draws the same PDF
again whatever the theme says later. Nothing is issued while the practice or the client still
has an example value from `consult init` (consult.books.placeholders).

Numbers: `invoice.number_format` (default `INV-{year}-{seq:04d}`) for invoices and
`invoice.credit_note_format` (default `CN-{year}-{seq:04d}`) for credit notes, each its own
gapless series (per year when the format has `{year}`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from consult.books import register
from consult.books.journal import Transaction
from consult.books.lock import books_lock
from consult.core.record import record
from consult.core.records import Books
from consult.errors import BooksError, ConflictError
from consult.invoices.record import RECORD_VERSION, FrozenTheme, Invoice, dump_record, to_record
from consult.invoices.store import invoice_dir, record_paths

Renderer = Callable[[Invoice], bytes]


@record
class Issued:
    invoice: Invoice
    record: Path
    pdf: Path | None


def record_yaml(inv: Invoice) -> str:
    """The frozen record as YAML text: None values are left out, everything else is text."""
    def strip(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if x is not None}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v

    head = f"# {inv.title} {inv.number}: issued record, written once by consult. Never edit it;\n" \
           "# corrections are credit notes (consult invoice credit).\n"
    return head + dump_record(strip(to_record(inv)))


def register_lines(root: Path) -> list[register.Line]:
    """The register, refusing to number anything from one that does not verify as a chain, or
    from books with issued documents and no register yet."""
    lines, problems = register.read(root)
    if problems:
        raise BooksError(problems, "the register has errors, so no number can be taken from it; nothing was written")
    if not lines and not register.exists(root) and record_paths(root):
        raise ConflictError("these books have issued documents but no register of their numbers yet; run "
                            "`consult register init` once (it records what is there), then try again")
    return lines


def pattern_for(books: Books, inv: Invoice) -> str:
    s = books.practice.invoice
    return s.credit_note_format if inv.is_credit_note else s.number_format


def next_number(books: Books, draft: Invoice) -> str:
    """The number `draft` would take if it were issued now (call under the lock to keep it)."""
    return register.next_number(register_lines(Path(books.root)), pattern_for(books, draft), draft.issue_date)


def with_theme(root: Path, inv: Invoice) -> Invoice:
    """`inv` with its language and theme frozen in (the theme its record names, in its
    language); ConsultError for a theme that does not read."""
    from consult.themes.theme import freeze_theme

    fz = freeze_theme(root, inv.template, inv.language)
    return replace(inv, language=fz.language, theme=FrozenTheme(fz.text, tuple(sorted(fz.files.items()))),
                   version=RECORD_VERSION)


def issue(books: Books, draft: Invoice, render: Renderer | None = None) -> Issued:
    """Number and write a draft invoice or credit note (see the module docstring).

    The caller builds the draft from books read under the same lock (as `create_invoice` and
    `credit_invoice` do); the register is read here, under it."""
    from consult.books.placeholders import issue_problems

    root = Path(books.root)
    issue_problems(books, draft.client)
    framed = with_theme(root, draft)
    with books_lock(root):
        lines = register_lines(root)
        number = register.next_number(lines, pattern_for(books, draft), draft.issue_date)
        inv = replace(framed, number=number)
        record_text = record_yaml(inv).encode("utf-8")
        pdf_bytes = render(inv) if render is not None else None
        folder = invoice_dir(root, inv.client)
        rec = folder / f"{number}.yaml"
        pdf = folder / f"{number}.pdf" if pdf_bytes is not None else None
        tx = Transaction(root, f"issuing {inv.title.lower()} {number}")
        tx.new(rec, record_text)
        if pdf is not None and pdf_bytes is not None:
            tx.new(pdf, pdf_bytes)
        line = register.make_line(
            lines, number=number, kind="credit_note" if inv.is_credit_note else "invoice", day=inv.issue_date,
            client=inv.client, currency=inv.currency, net=inv.net.amount, vat=inv.vat.amount,
            total=inv.total.amount, path=rec.relative_to(root).as_posix(), record=record_text, pdf=pdf_bytes)
        tx.append(root / register.REGISTER, line + "\n", head=register.HEADER + "\n")
        tx.commit()
    return Issued(inv, rec, pdf)


def restore_pdf(root: Path, number: str, render: Renderer) -> Path:
    """Write an issued document's PDF again from its record, into the books, where it is
    missing — only if it comes out byte for byte as the register says it was issued (a PDF that
    would differ is refused: the register would no longer verify)."""
    from consult.invoices.store import find_invoice, load_invoices

    root = Path(root)
    with books_lock(root):
        inv = find_invoice(load_invoices(root)[0], number)
        number = inv.number or number
        own = invoice_dir(root, inv.client) / f"{number}.pdf"
        if own.exists():
            raise ConflictError(f"{own.relative_to(root).as_posix()} is the issued PDF and is never replaced; "
                                "write a copy elsewhere with -o FILE")
        pdf = render(inv)
        line = next((ln for ln in register_lines(root) if ln.number == number and ln.kind != "void"), None)
        if line is not None and line.pdf_sha256 is not None and register.sha256(pdf) != line.pdf_sha256:
            raise ConflictError(f"{number}'s PDF drawn again today differs from the one issued (the register "
                                "holds its SHA-256), so it cannot stand in for it; restore the issued PDF from git "
                                "or a backup, or write a copy with -o FILE")
        tx = Transaction(root, f"restoring the PDF of {number}")
        tx.new(own, pdf)
        tx.commit()
    return own
