"""An invoice or credit note record to PDF: prints the figures the record holds, works out none.

`invoice_pdf(inv, books_root, draft=...)` is the entry point the invoice commands call. The
layout follows what a UK VAT invoice must show (docs/money-rules.md §4–§5: VAT Regulations 1995 reg 14): seller with
VAT and company numbers, buyer with VAT number or tax id, number, date of issue, tax point,
supply period, a line per supply with quantity, unit price and net, the net total, VAT per rate
(or the words of the tax treatment instead, e.g. "Reverse charge: …"), the total, the VAT in
sterling with the rate used when the invoice is in another currency, payment terms and bank
details. Every amount is `Money.format(inv.locale)`: ₹6,91,892.00 in en_IN, 1.753,75 € in de_DE.
Words come from the theme's labels, so they can be translated per books folder.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from consult.core.money import Money
from consult.invoices.record import Invoice, Party
from consult.render.document import Styles, build_pdf, colour, frame_width, layout, logo, styles_for, table
from consult.render.fonts import FontSet, fonts_for
from consult.render.text import block, cell, para
from consult.render.theme import Theme, load_theme

_BANK_ORDER = ("account_name", "sort_code", "account_number", "iban", "bic")


def invoice_pdf(inv: Invoice, books_root: Path, *, draft: bool = False, invariant: bool = False,
                theme: Theme | None = None) -> bytes:
    """The PDF of `inv`, in the theme the record names (from `books_root`/templates).

    `draft=True` marks every page "DRAFT — not an invoice" (the theme's `draft_watermark`)
    and shows no number. Raises ConsultError for a bad theme.
    """
    theme = theme or load_theme(Path(books_root), inv.template)
    fonts = fonts_for(theme)
    title = _title(inv, theme)
    number = inv.number or theme.label("number_draft")
    draft = draft or inv.number is None
    return build_pdf(
        invoice_story(inv, theme, fonts, draft=draft), theme, fonts=fonts,
        title=f"{title} {number}", author=inv.seller.name,
        subject=f"{title} {number} from {inv.seller.name} to {inv.buyer.name}: "
                f"{_money(inv.total, inv)}, due {inv.due_date.isoformat()}",
        running_head=f"{title} {number} · {inv.seller.name} · {inv.buyer.name}",
        watermark=theme.label("draft_watermark") if draft else None, invariant=invariant,
        footer_values=_footer_values(inv.seller),
    )


def _footer_values(p: Party) -> dict[str, object]:
    return {"name": p.name, "address_line": ", ".join(p.address), "vat_number": p.vat_number,
            "company_number": p.company_number, "email": p.email}


def _title(inv: Invoice, theme: Theme) -> str:
    return theme.label("credit_note" if inv.is_credit_note else "invoice")


def _money(m: Money, inv: Invoice) -> str:
    return _format_money(m, inv.locale)


@lru_cache(maxsize=4096)
def _format_money(m: Money, locale: str) -> str:
    return m.format(locale)  # the one formatting rule (babel/CLDR); cached: a 200-line invoice repeats prices


def _date(d: date, theme: Theme) -> str:
    return _format_date(d, theme.date_format, theme.locale)


@lru_cache(maxsize=1024)
def _format_date(d: date, pattern: str, locale: str) -> str:
    return str(format_date(d, format=pattern, locale=locale))


def _quantity(q: Decimal, inv: Invoice) -> str:
    return str(format_decimal(q.normalize(), locale=inv.locale, decimal_quantization=False))


def _unit(unit: str, quantity: Decimal, theme: Theme) -> str:
    key = f"unit_{unit}" if quantity == 1 else f"unit_{unit}s"
    return theme.labels.get(key, unit)


def _party_block(heading: str, p: Party, theme: Theme, fonts: FontSet, st: Styles) -> Flowable:
    lines: list[list[tuple[str, object]]] = [[(heading, st.muted)], [(p.name, st.bold)]]
    lines += [[(a, st.body)] for a in p.address]
    if p.contact:
        lines.append([(theme.label("contact") + " ", st.bold), (p.contact, st.body)])
    if p.email:
        lines.append([(p.email, st.body)])
    for key in ("vat_number", "company_number", "tax_id"):
        value = getattr(p, key)
        if value:
            lines.append([(theme.label(key) + " ", st.bold), (value, st.body)])
    return block(lines, st.body, fonts)


def _meta(inv: Invoice, theme: Theme, fonts: FontSet, st: Styles, draft: bool, width: float) -> Table:
    rows: list[tuple[str, str]] = [
        (theme.label("number"), inv.number if inv.number and not draft else theme.label("number_draft")),
        (theme.label("issue_date"), _date(inv.issue_date, theme)),
    ]
    if inv.tax_point != inv.issue_date or inv.tax_treatment == "standard":
        rows.append((theme.label("tax_point"), _date(inv.tax_point, theme)))
    period = _date(inv.supply_start, theme) if inv.supply_start == inv.supply_end else \
        f"{_date(inv.supply_start, theme)} – {_date(inv.supply_end, theme)}"
    rows.append((theme.label("supply_period"), period))
    if not inv.is_credit_note:
        rows.append((theme.label("due_date"), _date(inv.due_date, theme)))
    if inv.credits:
        rows.append((theme.label("credits"), inv.credits))
    if inv.po_number:
        rows.append((theme.label("po_number"), inv.po_number))
    if inv.buyer_reference:
        rows.append((theme.label("buyer_reference"), inv.buyer_reference))
    label_w = width * 0.34
    t = layout([[cell(k, st.muted, fonts, label_w), cell(v, st.body, fonts, width - label_w)] for k, v in rows],
               [label_w, width - label_w], fonts, h_align="RIGHT", row_gap=2.5, column_styles=(st.muted, st.body))
    t.setStyle(TableStyle([("FONTNAME", (1, 0), (1, 0), fonts.bold), ("VALIGN", (0, 0), (0, -1), "BOTTOM")]))
    return t


def _lines_table(inv: Invoice, theme: Theme, fonts: FontSet, st: Styles) -> Table:
    width = frame_width(theme)
    num_w = [width * f for f in (0.09, 0.09, 0.15, 0.16)]
    widths = [width - sum(num_w), *num_w]
    header = [theme.label(k) for k in ("description", "quantity", "unit", "unit_price", "net")]
    rows: list[list[object]] = [[cell(h, st.cell_bold, fonts) for h in header]]
    for ln in inv.lines:
        desc = ln.description
        if ln.period_start and ln.period_end and (ln.period_start, ln.period_end) != (inv.supply_start,
                                                                                    inv.supply_end):
            desc += "\n" + (_date(ln.period_start, theme) if ln.period_start == ln.period_end else
                            f"{_date(ln.period_start, theme)} – {_date(ln.period_end, theme)}")
        rows.append([para(desc, st.cell, fonts), _quantity(ln.quantity, inv), _unit(ln.unit, ln.quantity, theme),
                     cell(_money(ln.unit_price, inv), st.cell_right, fonts),
                     cell(_money(ln.net, inv), st.cell_right, fonts)])
    closing: list[list[object]] = [[theme.label("subtotal"), "", "", "", cell(_money(inv.net, inv), st.cell_right, fonts)]]
    show_vat = inv.tax_treatment in ("standard", "zero") or inv.vat.amount != 0
    if show_vat:
        rate = "" if inv.vat_rate is None else format_decimal(inv.vat_rate.normalize(), locale=inv.locale)
        label = theme.label("vat_at", rate=rate) if inv.vat_rate is not None else theme.label("vat")
        closing.append([label, "", "", "", cell(_money(inv.vat, inv), st.cell_right, fonts)])
    total_label = theme.label("total_credit" if inv.is_credit_note else "total")
    closing.append([total_label, "", "", "", cell(_money(inv.total, inv), st.cell_right, fonts)])
    closing = [[cell(str(r[0]), st.cell_bold, fonts) if isinstance(r[0], str) else r[0], *r[1:]] for r in closing]
    t = table(rows + closing, widths, theme, fonts, right=(1, 3, 4), closing_rows=len(closing))
    n = len(rows) + len(closing)
    extra: list[tuple[object, ...]] = []
    for i in range(len(rows), n):
        extra += [("SPAN", (0, i), (3, i)), ("ALIGN", (0, i), (3, i), "RIGHT")]
    last = n - 1
    extra += [("LINEABOVE", (0, last), (-1, last), 1, colour(theme.colours.accent)),
              ("FONTSIZE", (0, last), (-1, last), theme.font_size * 1.15),
              ("LEADING", (0, last), (-1, last), theme.font_size * 1.45),
              ("TEXTCOLOR", (0, last), (-1, last), colour(theme.colours.accent))]
    t.setStyle(TableStyle(extra))
    return t


def _tax_block(inv: Invoice, theme: Theme, fonts: FontSet, st: Styles) -> list[Flowable]:
    out: list[Flowable] = []
    if inv.tax_note:
        out.append(para(inv.tax_note, st.bold, fonts))
    if inv.vat_gbp is not None and inv.gbp_rate is not None:
        out.append(para(theme.label("vat_in_sterling", amount=_money(inv.vat_gbp, inv), currency=inv.currency,
                                    rate=f"{inv.gbp_rate.normalize():f}",
                                    source=inv.gbp_rate_source or ""), st.body, fonts))
    return out


def _payment_block(inv: Invoice, theme: Theme, fonts: FontSet, st: Styles, draft: bool) -> list[Flowable]:
    if inv.is_credit_note:
        return []
    out: list[Flowable] = [para(theme.label("payment"), st.heading, fonts)]
    if draft or not inv.number:
        out.append(para(theme.label("payment_terms_draft", days=inv.payment_terms_days), st.body, fonts))
    else:
        out.append(para(theme.label("payment_terms", days=inv.payment_terms_days,
                                    due_date=_date(inv.due_date, theme), number=inv.number), st.body, fonts))
    if inv.bank:
        keys = [k for k in _BANK_ORDER if inv.bank.get(k)] + [k for k in inv.bank if k not in _BANK_ORDER]
        w = (frame_width(theme) * 0.2, frame_width(theme) * 0.5)
        rows = [[cell(theme.labels.get(k, k.replace("_", " ").capitalize()), st.muted, fonts, w[0]),
                 cell(str(inv.bank[k]), st.body, fonts, w[1])] for k in keys]
        out += [Spacer(1, 3), layout(rows, w, fonts, row_gap=2, column_styles=(st.muted, st.body))]
    return [KeepTogether(out)]


def invoice_story(inv: Invoice, theme: Theme, fonts: FontSet, *, draft: bool = False) -> list[Flowable]:
    """The invoice as flowables, top to bottom (usable inside another document too)."""
    st = styles_for(theme, fonts)
    width = frame_width(theme)
    title = _title(inv, theme)
    head_left: list[Flowable] = [para(title, st.title, fonts)]
    if draft:
        head_left.append(para(theme.label("draft_watermark"),
                              ParagraphStyle("draft", parent=st.bold, textColor=colour(theme.colours.watermark)),
                              fonts))
    pic = logo(theme)
    head = layout([[head_left, pic or ""]], [width * 0.6, width * 0.4], fonts)
    head.setStyle(TableStyle([("ALIGN", (1, 0), (1, 0), "RIGHT")]))
    gap = width * 0.04
    left_w = (width - gap) * 0.46
    seller = _party_block(theme.label("from"), inv.seller, theme, fonts, st)
    buyer = _party_block(theme.label("bill_to"), inv.buyer, theme, fonts, st)
    meta = _meta(inv, theme, fonts, st, draft, width - left_w - gap)
    parties = layout([[seller, "", meta], [Spacer(1, 8), "", ""], [buyer, "", ""]],
                     [left_w, gap, width - left_w - gap], fonts)
    story: list[Flowable] = [head, Spacer(1, 10), parties, Spacer(1, 16)]
    if inv.reason:
        story += [para(inv.reason, st.body, fonts, bold_prefix=theme.label("reason") + ": "), Spacer(1, 8)]
    story.append(_lines_table(inv, theme, fonts, st))
    tax = _tax_block(inv, theme, fonts, st)
    if tax:
        story += [Spacer(1, 8), KeepTogether(tax)]
    story += _payment_block(inv, theme, fonts, st, draft)
    if inv.rules:
        story.append(KeepTogether([para(theme.label("rules"), st.heading, fonts),
                                   *[para(r, st.small, fonts) for r in inv.rules]]))
    if inv.notes:
        story.append(KeepTogether([para(theme.label("notes"), st.heading, fonts),
                                   *[para(n, st.small, fonts) for n in inv.notes]]))
    return story
