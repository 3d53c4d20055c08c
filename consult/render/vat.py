"""The VAT return as a PDF: the nine boxes, the due date, how they were worked and (with
`detail`) the documents behind each box.

Takes a finished `consult.vat.boxes.VatReturn` and lays it out with the shared document layer
(the practice's theme, fonts, running head and footer); every figure printed is one the return
holds — no arithmetic here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from consult.core.records import Practice
from consult.vat.boxes import BOX_TITLES, HMRC_FIELDS, VatReturn

SCHEME_NAMES = {"standard": "Standard scheme (invoice basis)", "cash": "Cash Accounting Scheme",
                "flat_rate": "Flat Rate Scheme"}


def _amount(n: int, v: Any) -> str:
    sign = "-" if v < 0 else ""
    return f"{sign}£{abs(v):,.2f}" if n <= 5 else f"{sign}£{abs(v):,.0f}"


class _Kit:
    def __init__(self, books_root: Path | None, template: str) -> None:
        from consult.render.document import frame_width, styles_for
        from consult.render.fonts import fonts_for
        from consult.render.theme import load_theme

        self.theme = load_theme(Path(books_root or "."), template)
        self.fonts = fonts_for(self.theme)
        st = styles_for(self.theme, self.fonts)
        self.body, self.small, self.h1, self.h2, self.cell = st.body, st.muted, st.title, st.heading, st.cell
        self.width = frame_width(self.theme)

    def p(self, text: str, style: ParagraphStyle) -> Any:
        from consult.render.text import para

        return para(text, style, self.fonts)

    def c(self, text: str, width: float, style: ParagraphStyle | None = None) -> Any:
        """A table cell that wraps to `width` (less the cell padding)."""
        from consult.render.text import cell

        return cell(text, style or self.cell, self.fonts, width - 12)


def vat_story(r: VatReturn, label: str, practice: Practice, kit: _Kit, detail: bool = False) -> list[Any]:
    from consult.render.document import table

    key = f", period key {r.period_key}" if r.period_key else ""
    settle = ("HMRC repays you" if r.repayment else "You pay HMRC") + f" {_amount(5, r.box(5))} (box 5)."
    story: list[Any] = [
        kit.p(f"VAT return {label}", kit.h1),
        kit.p(f"{r.start:%-d %B %Y} to {r.end:%-d %B %Y}{key} — {SCHEME_NAMES[r.scheme]} — {practice.name}, "
              f"VAT {practice.vat_number}", kit.small),
        kit.p(f"Due {r.due:%-d %B %Y}: file the return and pay by then. {settle}", kit.body),
        Spacer(1, 3 * mm),
    ]
    w = kit.width
    from consult.render.document import text_width

    amount_w = max([text_width(_amount(n, r.box(n)), kit.fonts.regular, kit.theme.font_size, kit.fonts)
                    for n in range(1, 10)] + [20 * mm]) + 12  # sized to the widest figure
    widths = [11 * mm, w - 11 * mm - 56 * mm - amount_w, 56 * mm, amount_w]
    rows: list[list[Any]] = [["Box", "What", "HMRC field", "Amount"]]
    for n in range(1, 10):
        rows.append([str(n), kit.c(BOX_TITLES[n], widths[1]), HMRC_FIELDS[n - 1], _amount(n, r.box(n))])
    story.append(table(rows, widths, kit.theme, kit.fonts, right=(3,)))
    if r.notes:
        note = ParagraphStyle("note", parent=kit.small, spaceAfter=3)
        story += [kit.p("How it was worked", kit.h2)] + [kit.p(t, note) for t in r.notes]
    if detail:
        small = ParagraphStyle("detail", parent=kit.cell, fontSize=7.5, leading=9.5)
        for n in range(1, 10):
            docs = [e for e in r.entries if n in e.boxes]
            if not docs:
                continue
            dw = [20 * mm, w - 20 * mm - 42 * mm - amount_w, 42 * mm, amount_w]
            drows: list[list[Any]] = [["Date", "Document", "Party", "Amount"]]
            for e in docs:
                what = f"{e.kind} {e.ref}" + (f" — {e.note}" if e.note else "")
                drows.append([e.date.isoformat(), kit.c(what, dw[1], small), kit.c(e.party, dw[2], small),
                              _amount(1, e.boxes[n])])
            t = table(drows, dw, kit.theme, kit.fonts, right=(3,))
            t.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 7.5), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [kit.p(f"Box {n}: {BOX_TITLES[n]}", kit.h2), t]
    story.append(Spacer(1, 2 * mm))
    foot = Table([[kit.p("Figures in pounds sterling. Boxes 6–9 in whole pounds. Worked by consult from the "
                         "books; keep this with the records behind it.", kit.small)]], colWidths=[w])
    foot.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), kit.fonts.regular),
                              ("LINEABOVE", (0, 0), (-1, 0), 0.4, colors.grey)]))
    story.append(foot)
    return story


def vat_return_pdf(r: VatReturn, label: str, practice: Practice, books_root: Path | None = None, *,
                   detail: bool = False, invariant: bool = False) -> bytes:
    from consult.render.document import build_pdf

    kit = _Kit(books_root, practice.invoice.template)
    title = f"VAT return {r.start.isoformat()} to {r.end.isoformat()}"
    return build_pdf(vat_story(r, label, practice, kit, detail), kit.theme, title=title, author=practice.name,
                     subject=f"{title}, {SCHEME_NAMES[r.scheme]}", running_head=f"{title} — {practice.name}",
                     invariant=invariant, fonts=kit.fonts,
                     footer_values={"name": practice.name, "address_line": ", ".join(practice.address),
                                    "vat_number": practice.vat_number, "company_number": practice.company_number,
                                    "email": practice.email})


def render_vat_return(r: VatReturn, label: str, practice: Practice, path: Path, books_root: Path | None = None,
                      *, detail: bool = False) -> Path:
    """Write the PDF atomically and return its path."""
    from consult.books.store import atomic_write

    path = Path(path)
    atomic_write(path, vat_return_pdf(r, label, practice, books_root, detail=detail))
    return path
