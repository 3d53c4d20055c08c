"""A proposal to PDF: prints the figures `consult.proposals.proposal` worked out, works out none.

`proposal_pdf(doc, books_root)` is the entry point. The page reads top to bottom the way a
client reads a quote: who it is from and for, the number, date and the date it is valid
until; what the work is (summary, then each phase with its days, description and
deliverables); what it costs (a fee table per phase, optional phases priced but shown apart,
the net, the VAT estimate or the words of the client's VAT treatment, the total); what the
price assumes; when invoices come and when they are due; the terms; and an acceptance block
with lines for a signature, name, position and date. Every amount is `Money.format(locale)`.

Words come from the theme in the client's language (consult/themes: English, German, French;
a books folder can change any of them); dates follow that language. The fee table's columns are
sized to their widest figure, so a total never touches its label.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from babel.numbers import format_decimal
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from consult.core.money import Money
from consult.invoices.record import Party
from consult.proposals.proposal import ProposalDocument
from consult.render.document import (
    Styles,
    build_pdf,
    colour,
    frame_width,
    logo,
    styles_for,
    table,
    text_width,
    widest_word,
)
from consult.render.fonts import FontSet, fonts_for
from consult.render.text import cell, para
from consult.render.theme import Theme, load_theme
from consult.render.words import country_line, date_locale, long_date, money


def label(theme: Theme, key: str, **values: object) -> str:
    """A proposal's word in the theme's language (consult/themes/*.yaml hold every one)."""
    return theme.label(key, **values)


def proposal_pdf(doc: ProposalDocument, books_root: Path, *, draft: bool = False, invariant: bool = False,
                 theme: Theme | None = None) -> bytes:
    """The PDF of a proposal in the practice's theme. Raises ConsultError for a bad theme."""
    theme = theme or load_theme(Path(books_root), doc.template, doc.language)
    fonts = fonts_for(theme)
    p = doc.proposal
    draft = draft or p.number is None
    head = label(theme, "proposal")
    number = p.number or ""
    return build_pdf(
        proposal_story(doc, theme, fonts, draft=draft), theme, fonts=fonts,
        title=f"{head} {number}: {p.title}".replace("  ", " "), author=doc.seller.name,
        subject=f"{head} {number} from {doc.seller.name} to {doc.buyer.name}: {p.title}, "
                f"{money(doc.fees.total, doc.locale)}",
        running_head=f"{head} {number} · {p.title} · {doc.buyer.name}",
        watermark=label(theme, "proposal_draft_watermark") if draft else None, invariant=invariant,
        footer_values=_footer_values(doc, theme),
    )


def _footer_values(doc: ProposalDocument, theme: Theme) -> dict[str, object]:
    p = doc.seller
    registered = ""
    if p.company_number:
        place = p.registered_in and theme.labels.get(f"place_{p.registered_in}", p.registered_in)
        registered = theme.label("registered", place=place, company_number=p.company_number,
                                 office=p.registered_office or ", ".join(p.address)) if place else \
            f"{theme.label('company_number')} {p.company_number}"
    return {"name": p.name, "address_line": ", ".join(p.address), "vat_number": p.vat_number,
            "company_number": p.company_number, "email": p.email, "phone": p.phone, "website": p.website,
            "registered": registered}


# --------------------------------------------------------------------------------------------
# pieces
# --------------------------------------------------------------------------------------------
def _date(d: date, theme: Theme, locale: str = "") -> str:
    return long_date(d, theme.date_format, date_locale(locale, theme) if locale else theme.locale)


def _days(d: Decimal, locale: str) -> str:
    return str(format_decimal(d.normalize(), locale=locale, decimal_quantization=False))


def _money(m: Money, doc: ProposalDocument) -> str:
    return money(m, doc.locale)


def _bullet_style(st: Styles) -> ParagraphStyle:
    return ParagraphStyle("bullet", parent=st.body, leftIndent=11, firstLineIndent=-8, spaceAfter=1.5)


def _bullets(items: tuple[str, ...], st: Styles, fonts: FontSet) -> list[Flowable]:
    style = _bullet_style(st)
    return [para(f"•  {x}", style, fonts) for x in items]


def _section(title: str, items: tuple[str, ...], st: Styles, fonts: FontSet) -> list[Flowable]:
    if not items:
        return []
    heading = para(title, st.heading, fonts)
    body = _bullets(items, st, fonts) if len(items) > 1 else [para(items[0], st.body, fonts)]
    return [KeepTogether([heading, *body[:2]]), *body[2:]]


def _party(heading: str, p: Party, theme: Theme, fonts: FontSet, st: Styles, other: str | None = None,
           locale: str = "", seller: bool = False) -> list[Flowable]:
    out: list[Flowable] = [para(heading, st.muted, fonts), para(p.name, st.bold, fonts)]
    lines = list(p.address)
    country = country_line(p, other, date_locale(locale, theme) if locale else theme.locale)
    if country:
        lines.append(country)
    if lines:
        out.append(para("\n".join(lines), st.body, fonts))
    if p.contact:
        out.append(para(p.contact, st.body, fonts, bold_prefix=label(theme, "contact") + " "))
    if p.email:
        out.append(para(p.email, st.body, fonts))
    if seller and p.phone:
        out.append(para(p.phone, st.body, fonts, bold_prefix=label(theme, "phone") + " "))
    if seller and p.website:
        out.append(para(p.website, st.body, fonts, bold_prefix=label(theme, "website") + " "))
    for key in ("vat_number", "company_number"):
        value = getattr(p, key)
        if value:
            out.append(para(value, st.body, fonts, bold_prefix=label(theme, key) + " "))
    return out


def _tight(t: Table, fonts: FontSet) -> Table:
    """An invisible layout table; its font is set so an empty cell never names Helvetica."""
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.regular),
                           ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return t


def _meta(doc: ProposalDocument, theme: Theme, fonts: FontSet, st: Styles, width: float) -> Table:
    p = doc.proposal
    rows: list[tuple[str, str]] = []
    if p.number:
        rows.append((label(theme, "proposal_number"), p.number))
    loc = doc.locale
    if p.date:
        rows.append((label(theme, "proposal_date"), _date(p.date, theme, loc)))
    if p.valid_until:
        rows.append((label(theme, "valid_until"), _date(p.valid_until, theme, loc)))
    if p.start:
        rows.append((label(theme, "start"), _date(p.start, theme, loc)))
    if p.end:
        rows.append((label(theme, "end"), _date(p.end, theme, loc)))
    rows.append((label(theme, "day_rate"), _money(p.rate, doc)))
    label_w = min(max(text_width(k, fonts.regular, st.muted.fontSize, fonts) for k, _ in rows) + 8, width * 0.5)
    return _tight(Table([[para(k, st.muted, fonts), para(v, st.bold if i == 0 else st.body, fonts)]
                         for i, (k, v) in enumerate(rows)], colWidths=[label_w, width - label_w], hAlign="RIGHT"), fonts)


def _scope(doc: ProposalDocument, theme: Theme, fonts: FontSet, st: Styles) -> list[Flowable]:
    out: list[Flowable] = []
    loc = doc.locale
    for i, ph in enumerate(doc.proposal.phases, 1):
        key = "phase_day" if ph.days == 1 else "phase_days"
        days = label(theme, key, days=_days(ph.days, loc))
        extra = f", {label(theme, 'optional')}" if ph.optional else ""
        block: list[Flowable] = [para(f"{i}. {ph.name}", st.bold, fonts),
                                 para(f"{days}{extra}", st.muted, fonts)]
        if ph.description:
            block.append(para(ph.description, st.body, fonts))
        if ph.deliverables:
            block.append(Spacer(1, 2))
            block.append(para(label(theme, "deliverables"), st.small, fonts))
            block += _bullets(ph.deliverables, st, fonts)
        block.append(Spacer(1, 6))
        out.append(KeepTogether(block))
    return out


def _fee_table(doc: ProposalDocument, theme: Theme, fonts: FontSet, st: Styles) -> Table:
    width = frame_width(theme)
    p, f, loc = doc.proposal, doc.fees, doc.locale
    size = theme.font_size
    header = [label(theme, k) for k in ("phase", "days", "day_rate", "fee")]
    body: list[list[str]] = []
    optional_rows: list[int] = []
    names: list[str] = []
    for ph in p.phases:
        names.append(label(theme, "optional_phase", name=ph.name) if ph.optional else ph.name)
        if ph.optional:
            optional_rows.append(len(body) + 1)
        body.append([_days(ph.days, loc), _money(p.rate, doc), _money(ph.fee, doc)])
    closing: list[tuple[str, str]] = [(label(theme, "net_total_day" if f.days == 1 else "net_total",
                                             days=_days(f.days, loc)), _money(f.net, doc))]
    if f.vat_rate is not None:
        rate = str(format_decimal(f.vat_rate.normalize(), locale=loc))
        closing.append((label(theme, "vat_estimate", rate=rate), _money(f.vat, doc)))
    closing.append((label(theme, "proposal_total"), _money(f.total, doc)))
    natural = []
    for c in range(3):
        w = max([text_width(r[c], fonts.regular, size, fonts) for r in body]
                + [text_width(header[c + 1], fonts.bold, size, fonts)])
        if c == 2:
            w = max([w] + [text_width(a, fonts.bold, size, fonts) for _, a in closing[:-1]]
                    + [text_width(closing[-1][1], fonts.bold, size * 1.15, fonts)])
        natural.append(w + 11)
    if sum(natural) > width * 0.62:
        natural = [max(w, widest_word(header[i + 1], fonts.bold, size, fonts) + 11) for i, w in enumerate(natural)]
    widths = [width - sum(natural), *natural]
    head = ParagraphStyle("ph", parent=st.cell_bold, textColor=colour(theme.colours.header_text))
    rows: list[list[object]] = [[cell(h, head, fonts, w - 10) for h, w in zip(header, widths, strict=True)]]
    for name, r in zip(names, body, strict=True):
        rows.append([para(name, st.cell, fonts), *r])
    total_style = ParagraphStyle("pt", parent=st.cell_bold, alignment=2)
    for text, amount in closing:
        rows.append([cell(text, total_style, fonts, sum(widths[:-1]) - 10), "", "", amount])
    t = table(rows, widths, theme, fonts, right=(1, 2, 3), closing_rows=len(closing))
    n = len(rows)
    extra: list[tuple[object, ...]] = []
    for i in range(n - len(closing), n):
        extra += [("SPAN", (0, i), (2, i)), ("ALIGN", (0, i), (2, i), "RIGHT")]
    for i in optional_rows:
        extra.append(("TEXTCOLOR", (0, i), (-1, i), colour(theme.colours.muted)))
    last = n - 1
    extra += [("LINEABOVE", (0, last), (-1, last), 1, colour(theme.colours.accent)),
              ("FONTSIZE", (0, last), (-1, last), size * 1.15),
              ("LEADING", (0, last), (-1, last), size * 1.45),
              ("TEXTCOLOR", (0, last), (-1, last), colour(theme.colours.accent))]
    t.setStyle(TableStyle(extra))
    return t


def _fee_notes(doc: ProposalDocument, theme: Theme, fonts: FontSet, st: Styles) -> list[Flowable]:
    f = doc.fees
    out: list[Flowable] = []
    if f.tax_note:
        key = f"tax_{f.tax}" if f.tax else ""
        out.append(para(label(theme, key) if key in theme.labels else f.tax_note, st.bold, fonts))
    elif f.vat_rate is not None:
        out.append(para(label(theme, "vat_note"), st.small, fonts))
    if f.optional_days:
        out.append(para(label(theme, "optional_note"), st.small, fonts))
    return out


def _acceptance(doc: ProposalDocument, theme: Theme, fonts: FontSet, st: Styles) -> Flowable:
    p = doc.proposal
    width = frame_width(theme)
    text = label(theme, "acceptance_text", number=p.number or p.title,
                 valid_until=_date(p.valid_until, theme, doc.locale) if p.valid_until else "")
    lab_w, line_w, gap = width * 0.11, width * 0.3, width * 0.06

    def pair(a: str, b: str) -> list[object]:
        return [para(label(theme, a), st.muted, fonts), "", "", para(label(theme, b), st.muted, fonts), ""]

    lines = Table([pair("signature", "signed_date"), pair("name", "position")],
                  colWidths=[lab_w, line_w, gap, lab_w, line_w], rowHeights=[32, 26], hAlign="LEFT")
    lines.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), fonts.regular),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (1, 0), (1, -1), 0.6, colour(theme.colours.text)),
        ("LINEBELOW", (4, 0), (4, -1), 0.6, colour(theme.colours.text)),
    ]))
    return KeepTogether([para(label(theme, "acceptance"), st.heading, fonts), para(text, st.body, fonts),
                         Spacer(1, 4), para(label(theme, "acceptance_for", name=doc.buyer.name), st.bold, fonts),
                         lines])


def proposal_story(doc: ProposalDocument, theme: Theme, fonts: FontSet, *, draft: bool = False) -> list[Flowable]:
    """The proposal as flowables, top to bottom."""
    st = styles_for(theme, fonts)
    width = frame_width(theme)
    p = doc.proposal
    head_left: list[Flowable] = [para(label(theme, "proposal"), st.title, fonts),
                                 para(p.title, ParagraphStyle("subtitle", parent=st.bold,
                                                              fontSize=theme.font_size * 1.35,
                                                              leading=theme.font_size * 1.75), fonts)]
    if draft:
        head_left.append(para(label(theme, "proposal_draft_watermark"), st.bold, fonts))
    gap = width * 0.06
    left_w = (width - gap) * 0.5
    right: list[Flowable] = []
    pic = logo(theme)
    if pic is not None:
        right += [pic, Spacer(1, 6)]
    right.append(_meta(doc, theme, fonts, st, width - left_w - gap))
    head = _tight(Table([[head_left, "", right]], colWidths=[left_w, gap, width - left_w - gap]), fonts)
    seller = _party(label(theme, "from"), doc.seller, theme, fonts, st, doc.buyer.country, doc.locale, seller=True)
    buyer = _party(label(theme, "prepared_for"), doc.buyer, theme, fonts, st, doc.seller.country, doc.locale)
    parties = _tight(Table([[seller, "", buyer]], colWidths=[left_w, gap, width - left_w - gap]), fonts)
    story: list[Flowable] = [head, Spacer(1, 14), parties, Spacer(1, 12)]
    for text in p.summary:
        story += [para(text, st.body, fonts), Spacer(1, 4)]
    if len(p.phases) > 1 or any(ph.description or ph.deliverables for ph in p.phases):
        story.append(para(label(theme, "scope"), st.heading, fonts))
        story += _scope(doc, theme, fonts, st)
    story.append(KeepTogether([para(label(theme, "fees"), st.heading, fonts), _fee_table(doc, theme, fonts, st)]))
    notes = _fee_notes(doc, theme, fonts, st)
    if notes:
        story += [Spacer(1, 5), *notes]
    story += _section(label(theme, "assumptions"), p.assumptions, st, fonts)
    story += _section(label(theme, "payment_schedule"), p.payment_schedule, st, fonts)
    story += _section(label(theme, "terms"), p.terms, st, fonts)
    story += [Spacer(1, 6), _acceptance(doc, theme, fonts, st)]
    return story
