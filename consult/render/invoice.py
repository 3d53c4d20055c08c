"""An invoice or credit note record to PDF: prints the figures the record holds, works out none.

`invoice_pdf(inv, books_root, draft=...)` is the entry point the invoice commands call. The
layout follows what a UK VAT invoice must show (docs/money-rules.md §4–§5: VAT Regulations 1995 reg 14) and what an
accounts team looks for first (docs/documents.md):

* top of page one: the title, the seller (with phone, website, VAT and company numbers) and the
  buyer, the number and dates, and a box with the **amount due, the due date and the payment
  reference** (a credit note: the amount credited, the invoice's total, what was credited
  before and the balance after it);
* the lines: description, quantity, unit, unit price, **the VAT rate of each line** on a VAT
  invoice, and net; then the net total, VAT per rate and the total. Every amount column and the
  totals are sized to their widest figure, so a label never touches its amount;
* the VAT treatment's words (translated by key `tax_<treatment>`), the VAT in sterling, payment
  terms and the bank account of the invoice's currency, how the figures were worked, notes;
* the **timesheet** of the lines that itemise their work (`invoice_detail: days | entries`), on
  a page of its own when it is long;
* on every page: the footer with the registration line, wrapped, and "Page x of y".

An issued record carries the theme it was drawn with (language, words, fonts, page), so the PDF
is drawn again from the record alone. Every amount is `Money.format(inv.locale)`: ₹6,91,892.00 in
en_IN, 1.753,75 € in de_DE; dates follow the document's language ("29. Dezember 2026").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from babel.numbers import format_decimal
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer, Table, TableStyle

from consult.core.money import Money
from consult.invoices.detail import Sheet, timesheets
from consult.invoices.record import Invoice, InvoiceLine, Party, Phrase
from consult.render.document import (
    Styles,
    build_pdf,
    colour,
    frame_width,
    layout,
    logo,
    styles_for,
    table,
    text_width,
    widest_word,
)
from consult.render.fonts import FontSet, fonts_for
from consult.render.text import block, cell, para
from consult.render.theme import Theme, load_frozen, load_theme
from consult.render.words import country_line, date_locale, long_date, money, short_date

BANK_ORDER = ("account_name", "bank_name", "sort_code", "account_number", "routing_number", "iban", "bic")
PAD = 5.0                 # a table cell's left and right padding (document.table)
INLINE_TIMESHEET_ROWS = 12  # a longer timesheet starts on a page of its own


def theme_of(inv: Invoice, books_root: Path) -> Theme:
    """The theme to draw `inv` with: the one frozen in its record, else its template in its
    language (a draft, or a record issued before version 4)."""
    if inv.theme is not None:
        return load_frozen(Path(books_root), inv.theme.text, f"{inv.number}: its theme as issued", inv.template)
    return load_theme(Path(books_root), inv.template, inv.language)


def invoice_pdf(inv: Invoice, books_root: Path, *, draft: bool = False, invariant: bool = False,
                theme: Theme | None = None) -> bytes:
    """The PDF of `inv`, in the theme its record froze (else the theme it names, from
    `books_root`/templates).

    `draft=True` marks every page "DRAFT — not an invoice" (the theme's `draft_watermark`)
    and shows no number. Raises ConsultError for a bad theme.
    """
    theme = theme or theme_of(inv, books_root)
    fonts = fonts_for(theme)
    doc = _Doc(inv, theme, fonts, draft or inv.number is None)
    title = doc.title
    number = inv.number or theme.label("number_draft")
    return build_pdf(
        invoice_story(inv, theme, fonts, draft=doc.draft), theme, fonts=fonts,
        title=f"{title} {number}", author=inv.seller.name,
        subject=f"{title} {number} from {inv.seller.name} to {inv.buyer.name}: "
                f"{doc.money(inv.total)}, due {inv.due_date.isoformat()}",
        running_head=f"{title} {number} · {inv.seller.name} · {inv.buyer.name}",
        watermark=theme.label("draft_watermark") if doc.draft else None, invariant=invariant,
        footer_values=doc.footer_values(),
    )


class _Doc:
    """One invoice being drawn: its theme, fonts, styles and the formatting of its values."""

    def __init__(self, inv: Invoice, theme: Theme, fonts: FontSet, draft: bool):
        self.inv, self.theme, self.fonts, self.draft = inv, theme, fonts, draft
        self.st: Styles = styles_for(theme, fonts)
        self.width = frame_width(theme)
        self.date_locale = date_locale(inv.locale, theme)
        self.title = theme.label("credit_note" if inv.is_credit_note else "invoice")
        self._numbers: dict[str, str] = {}  # formatted once per document (a timesheet repeats them)
        self._durations: dict[int, str] = {}

    def label(self, key: str, **values: object) -> str:
        return self.theme.label(key, **values)

    def money(self, m: Money) -> str:
        return money(m, self.inv.locale)

    def day(self, d: date) -> str:
        return long_date(d, self.theme.date_format, self.date_locale)

    def span(self, a: date, b: date) -> str:
        return self.day(a) if a == b else f"{self.day(a)} – {self.day(b)}"

    def number(self, q: Decimal) -> str:
        # babel formats a number slowly and a timesheet repeats the same few ("1", "0.5") per row
        key = str(q)
        text = self._numbers.get(key)
        if text is None:
            text = self._numbers[key] = str(format_decimal(q.normalize(), locale=self.inv.locale,
                                                           decimal_quantization=False))
        return text

    def unit(self, unit: str, quantity: Decimal) -> str:
        key = f"unit_{unit}" if quantity == 1 else f"unit_{unit}s"
        return self.theme.labels.get(key, unit)

    def phrase(self, p: Phrase) -> str:
        """A keyed sentence in the document's words, decimal values as its language writes them
        (7.5 h, 7,5 h)."""
        values: dict[str, object] = {}
        for k, v in p.values:
            try:
                values[k] = str(format_decimal(Decimal(v).normalize(), locale=self.date_locale,
                                               decimal_quantization=False)) if v and v[0].isdigit() else v
            except InvalidOperation:
                values[k] = v
        return self.label(p.key, **values)

    def duration(self, minutes: int) -> str:
        text = self._durations.get(minutes)
        if text is None:
            text = self._durations[minutes] = self.label("ts_hours_minutes", hours=minutes // 60,
                                                         minutes=f"{minutes % 60:02d}")
        return text

    def footer_values(self) -> dict[str, object]:
        p = self.inv.seller
        registered = ""
        if p.company_number:
            place = p.registered_in and self.theme.labels.get(f"place_{p.registered_in}", p.registered_in)
            registered = self.label("registered", place=place, company_number=p.company_number,
                                    office=p.registered_office or ", ".join(p.address)) if place else \
                f"{self.label('company_number')} {p.company_number}"
        return {"name": p.name, "address_line": ", ".join(p.address), "vat_number": p.vat_number,
                "company_number": p.company_number, "email": p.email, "phone": p.phone, "website": p.website,
                "registered": registered}


# --------------------------------------------------------------------------------------------
# the head of page one
# --------------------------------------------------------------------------------------------
def _party_block(d: _Doc, heading: str, p: Party, other_country: str | None, seller: bool) -> Flowable:
    st = d.st
    lines: list[list[tuple[str, ParagraphStyle]]] = [[(heading, st.muted)], [(p.name, st.bold)]]
    lines += [[(a, st.body)] for a in p.address]
    country = country_line(p, other_country, d.date_locale)
    if country:
        lines.append([(country, st.body)])
    if p.contact:
        lines.append([(d.label("contact") + " ", st.bold), (p.contact, st.body)])
    if p.email:
        lines.append([(p.email, st.body)])
    if seller and p.phone:
        lines.append([(d.label("phone") + " ", st.bold), (p.phone, st.body)])
    if seller and p.website:
        lines.append([(d.label("website") + " ", st.bold), (p.website, st.body)])
    for key in ("vat_number", "company_number", "tax_id"):
        value = getattr(p, key)
        if value:
            lines.append([(d.label(key) + " ", st.bold), (value, st.body)])
    return block(lines, st.body, d.fonts)


def _meta(d: _Doc, width: float) -> Table:
    inv, st, fonts = d.inv, d.st, d.fonts
    rows: list[tuple[str, str]] = [
        (d.label("number"), inv.number if inv.number and not d.draft else d.label("number_draft")),
        (d.label("credit_issue_date" if inv.is_credit_note else "issue_date"), d.day(inv.issue_date)),
    ]
    if inv.tax_point != inv.issue_date or inv.tax_treatment == "standard":
        rows.append((d.label("tax_point"), d.day(inv.tax_point)))
    rows.append((d.label("supply_period"), d.span(inv.supply_start, inv.supply_end)))
    if not inv.is_credit_note:
        rows.append((d.label("due_date"), d.day(inv.due_date)))
    if inv.credits:
        value = d.label("credits_value", number=inv.credits, date=d.day(inv.credits_date)) if inv.credits_date \
            else inv.credits
        rows.append((d.label("credits"), value))
    if inv.po_number:
        rows.append((d.label("po_number"), inv.po_number))
    if inv.buyer_reference:
        rows.append((d.label("buyer_reference"), inv.buyer_reference))
    label_w = min(max(text_width(k, fonts.regular, st.muted.fontSize, fonts) for k, _ in rows) + 8, width * 0.5)
    t = layout([[cell(k, st.muted, fonts, label_w), cell(v, st.body, fonts, width - label_w)] for k, v in rows],
               [label_w, width - label_w], fonts, h_align="RIGHT", row_gap=2.5, column_styles=(st.muted, st.body))
    t.setStyle(TableStyle([("FONTNAME", (1, 0), (1, 0), fonts.bold), ("VALIGN", (0, 0), (0, -1), "BOTTOM")]))
    return t


def _fitted(text: str, font: str, size: float, room: float, fonts: FontSet) -> float:
    """The largest size up to `size` at which `text` fits `room`."""
    w = text_width(text, font, size, fonts)
    return size if w <= room else max(size * room / w, 6.0)


def _due_box(d: _Doc, width: float) -> Table:
    """The box an accounts team reads first: what to pay, by when, quoting what (a credit note:
    what it credits and where the invoice stands after it)."""
    inv, st, fonts, theme = d.inv, d.st, d.fonts, d.theme
    inner = width - 2 * 9
    accent = colour(theme.colours.accent)
    amount = d.money(inv.total)
    size = _fitted(amount, fonts.bold, theme.font_size * 1.9, inner, fonts)
    head = d.label("amount_credited" if inv.is_credit_note else "amount_due")
    rows: list[list[object]] = [[cell(head, st.muted, fonts, inner)], [amount]]  # a plain string keeps U+202F
    if not inv.is_credit_note:
        rows.append([cell(d.label("due_by", date=d.day(inv.due_date)), st.bold, fonts, inner)])
        ref = inv.number if inv.number and not d.draft else d.label("number_draft")
        rows.append([para(ref, st.body, fonts, bold_prefix=d.label("reference") + " ")])
    elif inv.invoice_total is not None and inv.balance_after is not None and inv.credits:
        pairs = [(d.label("invoice_total", number=inv.credits), inv.invoice_total)]
        if inv.credited_before is not None and inv.credited_before.amount:
            pairs.append((d.label("credited_before"), inv.credited_before))
        pairs.append((d.label("balance_after", number=inv.credits), inv.balance_after))
        amounts = [d.money(m) for _, m in pairs]
        amount_w = max(text_width(a, fonts.bold, st.body.fontSize, fonts) for a in amounts) + 6
        grid = layout([[para(k, st.small, fonts), cell(a, st.cell_right, fonts)] for (k, _), a in zip(pairs, amounts,
                                                                                                    strict=True)],
                      [inner - amount_w, amount_w], fonts, row_gap=1.5, column_styles=(st.small, st.body))
        grid.setStyle(TableStyle([("ALIGN", (1, 0), (1, -1), "RIGHT"), ("FONTNAME", (1, -1), (1, -1), fonts.bold),
                                  ("LINEABOVE", (0, -1), (-1, -1), 0.5, colour(theme.colours.rule))]))
        rows += [[grid], [para(d.label("balance_note"), st.muted, fonts)]]
    t = Table(rows, colWidths=[width], hAlign="RIGHT")
    t.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts.regular),
        ("BACKGROUND", (0, 0), (-1, -1), colour(theme.colours.stripe)),
        ("LINEBEFORE", (0, 0), (0, -1), 2.5, accent),
        ("LEFTPADDING", (0, 0), (-1, -1), 9), ("RIGHTPADDING", (0, 0), (-1, -1), 9),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("TOPPADDING", (0, 0), (-1, 0), 7), ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
        ("FONTSIZE", (0, 0), (0, 0), st.muted.fontSize), ("TEXTCOLOR", (0, 0), (0, 0), st.muted.textColor),
        *([("FONTNAME", (0, 2), (0, 2), fonts.bold)] if not inv.is_credit_note else []),
        ("FONTNAME", (0, 1), (0, 1), fonts.bold), ("FONTSIZE", (0, 1), (0, 1), size),
        ("LEADING", (0, 1), (0, 1), size * 1.25), ("TEXTCOLOR", (0, 1), (0, 1), accent),
        ("BOTTOMPADDING", (0, 1), (0, 1), 4),
    ]))
    return t


def _head(d: _Doc) -> list[Flowable]:
    inv, st, fonts, width = d.inv, d.st, d.fonts, d.width
    head_left: list[Flowable] = [para(d.title, st.title, fonts)]
    if d.draft:
        head_left.append(para(d.label("draft_watermark"),
                              ParagraphStyle("draft", parent=st.bold, textColor=colour(d.theme.colours.watermark)),
                              fonts))
    pic = logo(d.theme)
    head = layout([[head_left, pic or ""]], [width * 0.6, width * 0.4], fonts)
    head.setStyle(TableStyle([("ALIGN", (1, 0), (1, 0), "RIGHT")]))
    gap = width * 0.04
    left_w = (width - gap) * 0.5
    right_w = width - left_w - gap
    seller = _party_block(d, d.label("from"), inv.seller, inv.buyer.country, True)
    buyer = _party_block(d, d.label("credit_to" if inv.is_credit_note else "bill_to"), inv.buyer,
                         inv.seller.country, False)
    parties = layout([[seller, "", _meta(d, right_w)], [Spacer(1, 10), "", ""], [buyer, "", _due_box(d, right_w)]],
                     [left_w, gap, right_w], fonts)
    return [head, Spacer(1, 8), parties, Spacer(1, 16)]


# --------------------------------------------------------------------------------------------
# the lines and totals
# --------------------------------------------------------------------------------------------
def _description(d: _Doc, ln: InvoiceLine, sheets: dict[int, Sheet]) -> Flowable:
    st, inv = d.st, d.inv
    text = d.label("expense") if ln.kind == "expense" and ln.description == "Expense" else ln.description
    lines: list[list[tuple[str, ParagraphStyle]]] = [[(text, st.cell)]]
    if ln.period_start and ln.period_end and (ln.period_start, ln.period_end) != (inv.supply_start, inv.supply_end):
        lines.append([(d.span(ln.period_start, ln.period_end), st.muted)])
    m = ln.milestone
    if m is not None:
        lines.append([(d.label("milestone_context", n=m.n, count=m.count, value=d.money(m.contract_value),
                               billed=d.money(m.billed_to_date)), st.muted)])
    sheet = sheets.get(id(ln))
    if sheet is not None:
        lines.append([(d.label("see_timesheet", count=_sheet_count(d, sheet)), st.muted)])
    return block(lines, st.cell, d.fonts)


def _sheet_count(d: _Doc, s: Sheet) -> str:
    if s.mode == "days":
        return d.label("ts_day" if s.days == 1 else "ts_days", count=s.days)
    return d.label("ts_entry" if s.entries == 1 else "ts_entries", count=s.entries)


def _lines_table(d: _Doc, sheets: dict[int, Sheet]) -> Table:
    inv, st, fonts, theme = d.inv, d.st, d.fonts, d.theme
    size = theme.font_size
    rate_col = inv.vat_rate is not None  # a VAT invoice (standard or zero-rated): each line's rate
    keys = ["description", "quantity", "unit", "unit_price", *(["vat_rate"] if rate_col else []), "net"]
    header = [d.label(k) for k in keys]
    body: list[list[str]] = []
    for ln in inv.lines:
        line_rate = ln.vat_rate if ln.vat_rate is not None else inv.vat_rate
        rate = "" if line_rate is None else d.label("vat_rate_value", rate=d.number(line_rate))
        body.append([d.number(ln.quantity), d.unit(ln.unit, ln.quantity), d.money(ln.unit_price),
                     *([rate] if rate_col else []), d.money(ln.net)])
    closing: list[tuple[str, str]] = [(d.label("subtotal"), d.money(inv.net))]
    if inv.tax_treatment in ("standard", "zero") or inv.vat.amount != 0:
        rate = "" if inv.vat_rate is None else d.number(inv.vat_rate)
        closing.append((d.label("vat_at", rate=rate) if inv.vat_rate is not None else d.label("vat"), d.money(inv.vat)))
    closing.append((d.label("total_credit" if inv.is_credit_note else "total"), d.money(inv.total)))
    big = size * 1.15

    def widths_at(s: float, whole_headers: bool = True) -> list[float]:
        cols = len(keys) - 1
        natural = []
        for c in range(cols):
            head_w = text_width(header[c + 1], fonts.bold, s, fonts) if whole_headers else \
                widest_word(header[c + 1], fonts.bold, s, fonts)
            w = max([text_width(r[c], fonts.regular, s, fonts) for r in body] + [head_w])
            if c == cols - 1:  # the net column also holds the totals, the last one larger
                w = max([w] + [text_width(a, fonts.bold, s, fonts) for _, a in closing[:-1]]
                        + [text_width(closing[-1][1], fonts.bold, s * 1.15, fonts)])
            natural.append(w + 2 * PAD + 1)
        return natural

    natural = widths_at(size)
    room = d.width * 0.62  # the description keeps at least 38% of the width
    if sum(natural) > room:
        natural = widths_at(size, whole_headers=False)  # headings may wrap between words
    if sum(natural) > room:
        size = size * room / sum(natural)
        big = size * 1.15
        natural = widths_at(size, whole_headers=False)
    widths = [d.width - sum(natural), *natural]
    head_style = ParagraphStyle("lh", parent=st.cell_bold, fontSize=size, leading=size * 1.25,
                                textColor=colour(theme.colours.header_text))
    total_style = ParagraphStyle("tl", parent=st.cell_bold, fontSize=size, leading=size * 1.25, alignment=2)
    rows: list[list[object]] = [[_head_cell(h, head_style, fonts, w - 2 * PAD, i > 0)
                                 for i, (h, w) in enumerate(zip(header, widths, strict=True))]]
    for ln, r in zip(inv.lines, body, strict=True):
        rows.append([_description(d, ln, sheets), *r])
    n_cols = len(keys)
    for label_text, amount in closing:
        rows.append([cell(label_text, total_style, fonts, sum(widths[:-1]) - 2 * PAD), *([""] * (n_cols - 2)), amount])
    right = tuple(range(1, n_cols))
    t = table(rows, widths, theme, fonts, right=right, closing_rows=len(closing), size=size)
    n = len(rows)
    extra: list[tuple[object, ...]] = [("ALIGN", (2, 1), (2, n - 1), "LEFT")]
    for i in range(n - len(closing), n):
        extra += [("SPAN", (0, i), (n_cols - 2, i)), ("ALIGN", (0, i), (n_cols - 2, i), "RIGHT")]
    last = n - 1
    extra += [("LINEABOVE", (0, last), (-1, last), 1, colour(theme.colours.accent)),
              ("FONTSIZE", (0, last), (-1, last), big),
              ("LEADING", (0, last), (-1, last), big * 1.25),
              ("TEXTCOLOR", (0, last), (-1, last), colour(theme.colours.accent))]
    t.setStyle(TableStyle(extra))
    return t


def _head_cell(text: str, style: ParagraphStyle, fonts: FontSet, width: float, right: bool) -> object:
    """A column heading: a plain string when it fits, else a paragraph (right-aligned over an
    amount column) that wraps between words."""
    c = cell(text, style, fonts, width)
    if isinstance(c, str):
        return c
    return para(text, ParagraphStyle("hr", parent=style, alignment=2 if right else 0), fonts)


# --------------------------------------------------------------------------------------------
# below the totals
# --------------------------------------------------------------------------------------------
def _tax_block(d: _Doc) -> list[Flowable]:
    inv, st, fonts = d.inv, d.st, d.fonts
    out: list[Flowable] = []
    if inv.tax_note:
        key = f"tax_{inv.tax_treatment}"
        out.append(para(d.label(key) if key in d.theme.labels else inv.tax_note, st.bold, fonts))
    if inv.vat_gbp is not None and inv.gbp_rate is not None:
        out.append(para(d.label("vat_in_sterling", amount=money(inv.vat_gbp, inv.locale),
                                currency=inv.currency, rate=f"{inv.gbp_rate.normalize():f}",
                                source=inv.gbp_rate_source or ""), st.body, fonts))
    return out


def _payment_block(d: _Doc) -> list[Flowable]:
    inv, st, fonts = d.inv, d.st, d.fonts
    if inv.is_credit_note:
        return []
    out: list[Flowable] = [para(d.label("payment"), st.heading, fonts)]
    if d.draft or not inv.number:
        out.append(para(d.label("payment_terms_draft", days=inv.payment_terms_days), st.body, fonts))
    else:
        out.append(para(d.label("payment_terms", days=inv.payment_terms_days, due_date=d.day(inv.due_date),
                                number=inv.number), st.body, fonts))
    if inv.bank:
        keys = [k for k in BANK_ORDER if inv.bank.get(k)] + [k for k in inv.bank if k not in BANK_ORDER]
        names = [d.theme.labels.get(k, k.replace("_", " ").capitalize()) for k in keys]
        name_w = max(text_width(n, fonts.regular, st.muted.fontSize, fonts) for n in names) + 10
        w = (name_w, d.width - name_w)
        rows = [[cell(n, st.muted, fonts, w[0]), cell(str(inv.bank[k]), st.body, fonts, w[1])]
                for n, k in zip(names, keys, strict=True)]
        out += [Spacer(1, 3), layout(rows, w, fonts, row_gap=2, column_styles=(st.muted, st.body))]
    return [KeepTogether(out)]


def _words(d: _Doc, texts: tuple[str, ...], phrases: tuple[Phrase, ...]) -> list[str]:
    """Rules or notes in the document's words (keyed phrases), else as the record wrote them."""
    if phrases and len(phrases) == len(texts):
        return [d.phrase(p) for p in phrases]
    return list(texts)


# --------------------------------------------------------------------------------------------
# the timesheet
# --------------------------------------------------------------------------------------------
def _sheet_table(d: _Doc, s: Sheet) -> Table:
    st, fonts, theme = d.st, d.fonts, d.theme
    loc = d.date_locale
    entries = s.mode == "entries"

    from fractions import Fraction

    from consult.invoices.build import decimal_of

    said: dict[tuple[int | None, bool, object], str] = {}  # most rows bill the same "1 day"

    def billed(minutes: int | None, days: object) -> str:
        in_days = isinstance(days, Fraction)
        key = (minutes, in_days, days)
        text = said.get(key)
        if text is None:
            if isinstance(days, Fraction):
                q = decimal_of(days)
                text = f"{d.number(q)} {d.unit('day', q)}"
            else:
                text = d.duration(minutes) if minutes is not None else ""
            said[key] = text
        return text

    header = [d.label("ts_date"), *([d.label("ts_note")] if entries else []), d.label("ts_logged"), d.label("ts_billed")]
    body: list[list[object]] = []
    for r in s.rows:
        day = short_date(r.date, loc) if r.first_of_day else ""
        cells: list[object] = [day]
        if entries:
            cells.append(r.note or "")  # made a cell (plain when it fits) once the column's width is known
        cells += [d.duration(r.logged), billed(r.billed_minutes, r.billed_days)]
        body.append(cells)
    total: list[object] = [d.label("ts_total"), *([""] if entries else []), d.duration(s.logged),
             billed(s.billed_minutes, s.billed_days)]
    size = theme.font_size
    date_w = max([text_width(str(r[0]), fonts.regular, size, fonts) for r in body]
                 + [text_width(header[0], fonts.bold, size, fonts), text_width(str(total[0]), fonts.bold, size, fonts)]) + 11
    nums = [max([text_width(str(r[c]), fonts.regular, size, fonts) for r in body]
                + [widest_word(header[c], fonts.bold, size, fonts), text_width(str(total[c]), fonts.bold, size, fonts)])
            + 11 for c in range(len(header) - 2, len(header))]
    widths = [date_w, *([d.width - date_w - sum(nums)] if entries else []), *nums]
    if not entries:
        widths = [date_w, *[max(w, d.width * 0.18) for w in nums]]
    else:
        note_w = widths[1] - 2 * PAD
        for row in body:
            row[1] = cell(str(row[1]), st.cell, fonts, note_w)
    rows: list[list[object]] = [[cell(h, st.cell_bold, fonts, w - 2 * PAD) for h, w in zip(header, widths, strict=True)],
                                *body, total]
    right = tuple(range(len(header) - 2, len(header)))
    t = table(rows, widths, theme, fonts, right=right, closing_rows=1)
    return t


def _timesheet(d: _Doc, sheets: list[Sheet]) -> list[Flowable]:
    if not sheets:
        return []
    st, fonts = d.st, d.fonts
    rows = sum(len(s.rows) for s in sheets)
    out: list[Flowable] = [PageBreak()] if rows > INLINE_TIMESHEET_ROWS else [Spacer(1, 10)]
    out.append(para(d.label("timesheet"), ParagraphStyle("ts", parent=st.title, fontSize=st.title.fontSize * 0.6,
                                                          leading=st.title.leading * 0.6), fonts))
    for s in sheets:
        ln = s.line
        period = d.span(ln.period_start or d.inv.supply_start, ln.period_end or d.inv.supply_end)
        part = [para(d.label("timesheet_for", title=ln.description, period=period), st.heading, fonts),
                _sheet_table(d, s)]
        out += [KeepTogether(part)] if len(s.rows) <= INLINE_TIMESHEET_ROWS else part
    if rows <= INLINE_TIMESHEET_ROWS:  # a short timesheet moves to the next page whole, with its title
        return [out[0], KeepTogether(out[1:])]
    return out


def invoice_story(inv: Invoice, theme: Theme, fonts: FontSet, *, draft: bool = False) -> list[Flowable]:
    """The invoice as flowables, top to bottom (usable inside another document too)."""
    d = _Doc(inv, theme, fonts, draft)
    st = d.st
    sheets = timesheets(inv)
    by_line = {id(s.line): s for s in sheets}
    story: list[Flowable] = _head(d)
    if inv.reason:
        story += [para(inv.reason, st.body, fonts, bold_prefix=d.label("reason") + ": "), Spacer(1, 8)]
    story.append(_lines_table(d, by_line))
    tax = _tax_block(d)
    if tax:
        story += [Spacer(1, 8), KeepTogether(tax)]
    story += _payment_block(d)
    rules = _words(d, inv.rules, inv.rule_keys)
    if rules:
        story.append(KeepTogether([para(d.label("rules"), st.heading, fonts), *[para(r, st.small, fonts) for r in rules]]))
    notes = _words(d, inv.notes, inv.note_keys)
    if notes:
        story.append(KeepTogether([para(d.label("notes"), st.heading, fonts), *[para(n, st.small, fonts) for n in notes]]))
    story += _timesheet(d, sheets)
    return story
