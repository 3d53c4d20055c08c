"""Letters and statements in the practice's theme: a payment reminder (or formal claim) and a
client statement. Every figure comes from the library (consult.invoices.remind,
consult.invoices.statement); this module only sets them on the page."""

from __future__ import annotations

from pathlib import Path

from reportlab.platypus import Flowable, Spacer

from consult.invoices.record import Party
from consult.invoices.remind import Reminder
from consult.invoices.statement import AGEING, Statement
from consult.render.document import build_pdf, frame_width, styles_for, table
from consult.render.fonts import fonts_for
from consult.render.text import para
from consult.render.theme import Theme, load_theme


def _address(p: Party) -> list[str]:
    return [p.name, *p.address]


def _head(theme: Theme, seller: Party, buyer: Party, date_text: str) -> list[Flowable]:
    fonts = fonts_for(theme)
    st = styles_for(theme, fonts)
    out: list[Flowable] = [para("\n".join(_address(seller)), st.small, fonts), Spacer(1, 14),
                           para("\n".join(_address(buyer)), st.body, fonts), Spacer(1, 10),
                           para(date_text, st.body, fonts), Spacer(1, 10)]
    return out


def reminder_pdf(r: Reminder, books_root: Path, *, invariant: bool = False) -> bytes:
    """The reminder as a one-page letter."""
    theme = load_theme(Path(books_root))
    fonts = fonts_for(theme)
    st = styles_for(theme, fonts)
    story = _head(theme, r.seller, r.buyer, f"{r.date.day} {r.date:%B %Y}")
    story += [para(r.subject, st.heading, fonts), Spacer(1, 6)]
    for p in r.paragraphs:
        story += [para(p, st.body, fonts), Spacer(1, 6)]
    if r.bank:
        story += [para("Payment details", st.bold, fonts)]
        story += [para(f"{k.replace('_', ' ')}: {v}", st.body, fonts) for k, v in r.bank.items()]
        story += [Spacer(1, 8)]
    story += [para("Kind regards,", st.body, fonts), para(r.seller.name, st.bold, fonts)]
    return build_pdf(story, theme, title=r.subject, author=r.seller.name, subject=r.subject, invariant=invariant,
                     footer_values={"name": r.seller.name, "address_line": ", ".join(r.seller.address),
                                    "vat_number": r.seller.vat_number, "company_number": r.seller.company_number,
                                    "email": r.seller.email})


def statement_pdf(statements: list[Statement], books_root: Path, *, invariant: bool = False) -> bytes:
    """One or more statements (one per currency) as a PDF: lines with a running balance, ageing,
    how to pay."""
    theme = load_theme(Path(books_root))
    fonts = fonts_for(theme)
    st = styles_for(theme, fonts)
    first = statements[0]
    loc = first.locale
    story = _head(theme, first.seller, Party(first.client.name, first.client.address),
                  f"Statement as of {first.as_of.day} {first.as_of:%B %Y}")
    width = frame_width(theme)
    for s in statements:
        story += [para(f"Statement of account — {s.client.name} ({s.currency})", st.heading, fonts)]
        rows: list[list[object]] = [["Date", "Document", "Details", "Charges", "Credits", "Balance"]]
        for ln in s.rows:
            rows.append([ln.date.isoformat(), ln.ref, para(ln.text[:1].upper() + ln.text[1:], st.cell, fonts),
                         ln.charges.format(loc) if ln.charges else "",
                         ln.credits.format(loc) if ln.credits else "", ln.balance.format(loc)])
        rows.append(["", "", "Balance", "", "", s.closing.format(loc)])
        widths = [0.12, 0.15, 0.33, 0.13, 0.13, 0.14]
        story += [table(rows, [w * width for w in widths], theme, fonts, right=(3, 4, 5), closing_rows=1),
                  Spacer(1, 10)]
        if s.open_items:
            age = [list(AGEING), [s.ageing[b].format(loc) for b in AGEING]]
            story += [para("Ageing of what is outstanding (days past due)", st.bold, fonts),
                      table(age, [width / len(AGEING)] * len(AGEING), theme, fonts, right=tuple(range(len(AGEING)))),
                      Spacer(1, 10)]
    if first.bank and any(s.owed for s in statements):
        story += [para("How to pay", st.bold, fonts)]
        story += [para(f"{k.replace('_', ' ')}: {v}", st.body, fonts) for k, v in first.bank.items()]
        story += [para("Please quote the invoice numbers with your payment.", st.body, fonts)]
    title = f"Statement for {first.client.name} as of {first.as_of.isoformat()}"
    return build_pdf(story, theme, title=title, author=first.seller.name, subject=title, invariant=invariant,
                     footer_values={"name": first.seller.name, "address_line": ", ".join(first.seller.address),
                                    "vat_number": first.seller.vat_number,
                                    "company_number": first.seller.company_number, "email": first.seller.email})
