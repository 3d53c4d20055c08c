"""A proposal to PDF: prints the figures `consult.proposals.proposal` worked out, works out none.

`proposal_pdf(doc, books_root)` is the entry point. The page reads top to bottom the way a
client reads a quote: who it is from and for, the number, date and the date it is valid
until; what the work is (summary, then each phase with its days, description and
deliverables); what it costs (a fee table per phase, optional phases priced but shown apart,
the net, the VAT estimate or the words of the client's VAT treatment, the total); what the
price assumes; when invoices come and when they are due; the terms; and an acceptance block
with lines for a signature, name, position and date. Every amount is `Money.format(locale)`.

Words come from the theme's labels when the theme has them (so a books folder can translate
them); the proposal words below are the defaults until the shared theme carries them.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from consult.core.money import Money
from consult.invoices.record import Party
from consult.proposals.proposal import ProposalDocument
from consult.render.document import Styles, build_pdf, colour, frame_width, logo, styles_for, table
from consult.render.fonts import FontSet, fonts_for
from consult.render.text import cell, para
from consult.render.theme import Theme, load_theme

# Proposal words; a theme label of the same name wins.
PROPOSAL_LABELS: dict[str, str] = {
    "proposal": "Proposal",
    "proposal_draft_watermark": "DRAFT — not yet sent",
    "proposal_number": "Proposal no.",
    "proposal_date": "Date",
    "valid_until": "Valid until",
    "start": "Start",
    "end": "End",
    "day_rate": "Day rate",
    "from": "From",
    "prepared_for": "Prepared for",
    "contact": "Attn.",
    "vat_number": "VAT no.",
    "company_number": "Company no.",
    "tax_id": "Tax id",
    "scope": "Scope of work",
    "phase_days": "{days} days",
    "phase_day": "{days} day",
    "optional": "optional",
    "deliverables": "Deliverables",
    "fees": "Fees",
    "phase": "Phase",
    "days": "Days",
    "fee": "Fee",
    "optional_phase": "{name} (optional, not in the total)",
    "net_total": "Net total ({days} days)",
    "vat_estimate": "VAT at {rate}% (estimate)",
    "proposal_total": "Total",
    "optional_note": "Optional phases are priced at the same day rate and can be added on acceptance; "
                     "they are not in the total above.",
    "vat_note": "VAT is charged at the rate in force on the date of each invoice.",
    "assumptions": "Assumptions",
    "payment_schedule": "Payment schedule",
    "terms": "Terms",
    "acceptance": "Acceptance",
    "acceptance_text": "To accept proposal {number}, please sign below and return a copy by {valid_until}.",
    "acceptance_for": "For {name}",
    "signature": "Signature",
    "name": "Name",
    "position": "Position",
    "signed_date": "Date",
}
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def label(theme: Theme, key: str, **values: object) -> str:
    """A proposal label: the theme's text when it has the key, else the default above."""
    if key in theme.labels:
        return theme.label(key, **values)
    text = PROPOSAL_LABELS[key]
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


def proposal_pdf(doc: ProposalDocument, books_root: Path, *, draft: bool = False, invariant: bool = False,
                 theme: Theme | None = None) -> bytes:
    """The PDF of a proposal in the practice's theme. Raises ConsultError for a bad theme."""
    theme = theme or load_theme(Path(books_root), doc.template)
    fonts = fonts_for(theme)
    p = doc.proposal
    draft = draft or p.number is None
    head = label(theme, "proposal")
    number = p.number or ""
    return build_pdf(
        proposal_story(doc, theme, fonts, draft=draft), theme, fonts=fonts,
        title=f"{head} {number}: {p.title}".replace("  ", " "), author=doc.seller.name,
        subject=f"{head} {number} from {doc.seller.name} to {doc.buyer.name}: {p.title}, "
                f"{doc.fees.total.format(doc.locale)}",
        running_head=f"{head} {number} · {p.title} · {doc.buyer.name}",
        watermark=label(theme, "proposal_draft_watermark") if draft else None, invariant=invariant,
        footer_values={"name": doc.seller.name, "address_line": ", ".join(doc.seller.address),
                       "vat_number": doc.seller.vat_number, "company_number": doc.seller.company_number,
                       "email": doc.seller.email},
    )


# --------------------------------------------------------------------------------------------
# pieces
# --------------------------------------------------------------------------------------------
def _date(d: date, theme: Theme) -> str:
    return str(format_date(d, format=theme.date_format, locale=theme.locale))


def _days(d: Decimal, locale: str) -> str:
    return str(format_decimal(d.normalize(), locale=locale, decimal_quantization=False))


def _money(m: Money, doc: ProposalDocument) -> str:
    return m.format(doc.locale)


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


def _party(heading: str, p: Party, theme: Theme, fonts: FontSet, st: Styles) -> list[Flowable]:
    out: list[Flowable] = [para(heading, st.muted, fonts), para(p.name, st.bold, fonts)]
    if p.address:
        out.append(para("\n".join(p.address), st.body, fonts))
    if p.contact:
        out.append(para(p.contact, st.body, fonts, bold_prefix=label(theme, "contact") + " "))
    if p.email:
        out.append(para(p.email, st.body, fonts))
    for key in ("vat_number", "company_number"):
        value = getattr(p, key)
        if value:
            out.append(para(value, st.body, fonts, bold_prefix=label(theme, key) + " "))
    return out


def _tight(t: Table) -> Table:
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 1),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return t


def _meta(doc: ProposalDocument, theme: Theme, fonts: FontSet, st: Styles, width: float) -> Table:
    p = doc.proposal
    rows: list[tuple[str, str]] = []
    if p.number:
        rows.append((label(theme, "proposal_number"), p.number))
    if p.date:
        rows.append((label(theme, "proposal_date"), _date(p.date, theme)))
    if p.valid_until:
        rows.append((label(theme, "valid_until"), _date(p.valid_until, theme)))
    if p.start:
        rows.append((label(theme, "start"), _date(p.start, theme)))
    if p.end:
        rows.append((label(theme, "end"), _date(p.end, theme)))
    rows.append((label(theme, "day_rate"), _money(p.rate, doc)))
    label_w = width * 0.42
    return _tight(Table([[para(k, st.muted, fonts), para(v, st.bold if i == 0 else st.body, fonts)]
                         for i, (k, v) in enumerate(rows)], colWidths=[label_w, width - label_w], hAlign="RIGHT"))


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
    num_w = [width * f for f in (0.1, 0.17, 0.18)]
    widths = [width - sum(num_w), *num_w]
    p, f, loc = doc.proposal, doc.fees, doc.locale
    header = [label(theme, k) for k in ("phase", "days", "day_rate", "fee")]
    rows: list[list[object]] = [[cell(h, st.cell_bold, fonts) for h in header]]
    optional_rows: list[int] = []
    for ph in p.phases:
        name = label(theme, "optional_phase", name=ph.name) if ph.optional else ph.name
        if ph.optional:
            optional_rows.append(len(rows))
        rows.append([para(name, st.cell, fonts), _days(ph.days, loc), cell(_money(p.rate, doc), st.cell_right, fonts),
                     cell(_money(ph.fee, doc), st.cell_right, fonts)])
    closing: list[list[object]] = [[label(theme, "net_total", days=_days(f.days, loc)), "", "",
                                    cell(_money(f.net, doc), st.cell_right, fonts)]]
    if f.vat_rate is not None:
        rate = str(format_decimal(f.vat_rate.normalize(), locale=loc))
        closing.append([label(theme, "vat_estimate", rate=rate), "", "", cell(_money(f.vat, doc), st.cell_right, fonts)])
    closing.append([label(theme, "proposal_total"), "", "", cell(_money(f.total, doc), st.cell_right, fonts)])
    closing = [[cell(str(r[0]), st.cell_bold, fonts), *r[1:]] for r in closing]
    t = table(rows + closing, widths, theme, fonts, right=(1, 2, 3), closing_rows=len(closing))
    n = len(rows) + len(closing)
    extra: list[tuple[object, ...]] = []
    for i in range(len(rows), n):
        extra += [("SPAN", (0, i), (2, i)), ("ALIGN", (0, i), (2, i), "RIGHT")]
    for i in optional_rows:
        extra.append(("TEXTCOLOR", (0, i), (-1, i), colour(theme.colours.muted)))
    last = n - 1
    extra += [("LINEABOVE", (0, last), (-1, last), 1, colour(theme.colours.accent)),
              ("FONTSIZE", (0, last), (-1, last), theme.font_size * 1.15),
              ("LEADING", (0, last), (-1, last), theme.font_size * 1.45),
              ("TEXTCOLOR", (0, last), (-1, last), colour(theme.colours.accent))]
    t.setStyle(TableStyle(extra))
    return t


def _fee_notes(doc: ProposalDocument, theme: Theme, fonts: FontSet, st: Styles) -> list[Flowable]:
    f = doc.fees
    out: list[Flowable] = []
    if f.tax_note:
        out.append(para(f.tax_note, st.bold, fonts))
    elif f.vat_rate is not None:
        out.append(para(label(theme, "vat_note"), st.small, fonts))
    if f.optional_days:
        out.append(para(label(theme, "optional_note"), st.small, fonts))
    return out


def _acceptance(doc: ProposalDocument, theme: Theme, fonts: FontSet, st: Styles) -> Flowable:
    p = doc.proposal
    width = frame_width(theme)
    text = label(theme, "acceptance_text", number=p.number or p.title,
                 valid_until=_date(p.valid_until, theme) if p.valid_until else "")
    lab_w, line_w, gap = width * 0.11, width * 0.3, width * 0.06

    def pair(a: str, b: str) -> list[object]:
        return [para(label(theme, a), st.muted, fonts), "", "", para(label(theme, b), st.muted, fonts), ""]

    lines = Table([pair("signature", "signed_date"), pair("name", "position")],
                  colWidths=[lab_w, line_w, gap, lab_w, line_w], rowHeights=[32, 26], hAlign="LEFT")
    lines.setStyle(TableStyle([
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
    head = _tight(Table([[head_left, "", right]], colWidths=[left_w, gap, width - left_w - gap]))
    seller = _party(label(theme, "from"), doc.seller, theme, fonts, st)
    buyer = _party(label(theme, "prepared_for"), doc.buyer, theme, fonts, st)
    parties = _tight(Table([[seller, "", buyer]], colWidths=[left_w, gap, width - left_w - gap]))
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
