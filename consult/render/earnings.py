"""The earnings report as a PDF: totals, a monthly chart by stream, the report's grouping, the
client table and the exchange rates it used.

Takes a finished `consult.earnings.Earnings` and lays it out; every figure printed is one the
report already holds (no arithmetic here). The chart is ReportLab's own graphics
(`VerticalBarChart`, stacked by stream) in the theme's colours, with room above the tallest
bar; bar heights are the converted amounts as floats, used for drawing only, never for a
printed figure.

What an accountant reads it for (docs/documents.md): every amount column is sized to its
widest figure (seven figures never run together); a zero prints as "–"; days to one place; a
tax year's months are the tax year's — the first and last are the part-months they are
(6–30 April, 1–5 April), each labelled with its days; the grouping asked for with `--by`
(month, quarter, client or stream) is the second table; and every exchange rate used is listed
with its date, currency, rate, source and the documents it converted.

It uses the shared document layer (consult.render.document / text / theme), so the report
wears the practice's theme, fonts, footer and registration line like its invoices.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from consult.core.money import Money
from consult.core.records import Practice
from consult.earnings import Earnings, Group

TABLE_FONT_SIZE = 7.5  # the client and month tables: one column per stream must fit a portrait page
DASH = "–"
GROUP_TITLES = {"month": "By month", "quarter": "By quarter", "client": "By client", "stream": "By stream"}
FIRST_COLUMN = {"month": "Month", "quarter": "Quarter", "client": "Client", "stream": "Stream"}


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mix(hex_colour: str, white: float) -> colors.Color:
    """`hex_colour` mixed with `white` parts of white (0: the colour, 1: white)."""
    c = colors.HexColor(hex_colour)
    return colors.Color(c.red + (1 - c.red) * white, c.green + (1 - c.green) * white, c.blue + (1 - c.blue) * white)


def palette(theme_colours: Any, n: int) -> list[colors.Color]:
    """`n` series colours from the theme: the accent, then the muted and watermark colours,
    then lighter tints of each in turn."""
    base = [theme_colours.accent, theme_colours.muted, theme_colours.watermark]
    out = []
    for i in range(n):
        out.append(_mix(base[i % 3], (0.0, 0.45, 0.7, 0.85)[min(i // 3, 3)]))
    return out


class _Kit:
    """Theme, fonts, styles and the escaping paragraph maker of the shared layer
    (consult.render.theme / fonts / text / document), so the report wears the practice's theme."""

    def __init__(self, books_root: Path | None = None, template: str = "default") -> None:
        from consult.render.document import frame_width, styles_for
        from consult.render.fonts import fonts_for
        from consult.render.theme import load_theme

        self.theme = load_theme(Path(books_root or "."), template)
        self.fonts = fonts_for(self.theme)
        self.font, self.bold = self.fonts.regular, self.fonts.bold
        st = styles_for(self.theme, self.fonts)
        self.body, self.small, self.h1, self.h2 = st.cell, st.muted, st.title, st.heading
        self.width = frame_width(self.theme)
        c = self.theme.colours
        self.accent, self.stripe, self.muted = (colors.HexColor(x) for x in (c.accent, c.stripe, c.muted))

    def p(self, text: str, style: ParagraphStyle) -> Paragraph:
        """User text, always escaped (and each character in a font that has it)."""
        from consult.render.text import para

        return para(text, style, self.fonts)

    def c(self, text: str) -> Any:
        """A table cell of user text."""
        from consult.render.text import cell

        return cell(text, self.body, self.fonts)

    def w(self, text: str, bold: bool = False, size: float = TABLE_FONT_SIZE) -> float:
        from consult.render.document import text_width

        return text_width(text, self.bold if bold else self.font, size, self.fonts)

    def table(self, rows: list[list[Any]], first_width: float | None = None) -> Table:
        """A data table, every column after the first sized to its widest cell (header words
        may wrap), the first taking the rest; the header repeats on each page and the total row
        stays with the last one. A table too wide for the page is drawn smaller."""
        from consult.render.document import table, widest_word

        size = TABLE_FONT_SIZE
        n = len(rows[0])

        def widths_at(s: float) -> list[float]:
            out = []
            for c in range(1, n):
                head = widest_word(str(rows[0][c]), self.bold, s, self.fonts)
                cells = [self.w(str(r[c]), i == len(rows) - 1, s) * 1.0 for i, r in enumerate(rows[1:], 1)
                         if isinstance(r[c], str)]
                out.append(max([head, *cells]) + 7)
            return out

        nums = widths_at(size)
        first = first_width if first_width is not None else max(
            [self.w(str(r[0]), False) for r in rows[1:] if isinstance(r[0], str)] + [22 * mm]) + 7
        if first + sum(nums) > self.width:
            size = size * (self.width - first) / sum(nums)
            nums = widths_at(size)
        widths = [self.width - sum(nums), *nums]
        head = ParagraphStyle("head", fontName=self.bold, fontSize=size, leading=size * 1.2,
                              textColor=colors.HexColor(self.theme.colours.header_text), alignment=TA_RIGHT)
        rows = [[rows[0][0]] + [Paragraph(_esc(str(h)), head) for h in rows[0][1:]]] + rows[1:]
        tight = [("FONTSIZE", (0, 0), (-1, -1), size), ("LEADING", (0, 0), (-1, -1), size * 1.25),
                 ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                 ("VALIGN", (0, 0), (-1, 0), "BOTTOM")]
        t = table(rows, widths, self.theme, self.fonts, right=list(range(1, n)), closing_rows=1)
        t.setStyle(TableStyle(tight))
        return t


def days_text(d: Decimal) -> str:
    """Days to one place, half up (48.979 → 49.0)."""
    return f"{d.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):f}"


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def month_label(g: Group, chart: bool = False) -> str:
    """A month's label; a part-month (the first and last of a tax year) names its days:
    `6–30 Apr 2026` (`Apr 6–30` on the chart)."""
    if g.start is None or g.end is None:
        return g.label
    whole = g.start.day == 1 and g.end == _month_end(g.end)
    if chart:
        return g.start.strftime("%b") if whole else f"{g.start:%b}\n{g.start.day}–{g.end.day}"
    return f"{g.start:%b %Y}" if whole else f"{g.start.day}–{g.end.day} {g.start:%b %Y}"


def _nice_top(value: float) -> tuple[float, float]:
    """A round axis top above `value` with about 15% headroom, and its step."""
    if value <= 0:
        return 1.0, 0.25
    raw = value * 1.15
    magnitude = 10 ** math.floor(math.log10(raw))
    for f in (1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if f * magnitude >= raw:
            top = f * magnitude
            break
    step = top / 5
    return top, step


def month_chart(e: Earnings, kit: _Kit, width: float = 170 * mm, height: float = 75 * mm) -> Drawing:
    """Income per month, stacked by stream, in the report currency, in the theme's colours."""
    from babel.numbers import get_currency_symbol

    symbol = get_currency_symbol(e.currency, locale="en_GB")
    d = Drawing(width, height, initialFontName=kit.font, initialFontSize=7)  # never the base-14 Helvetica
    streams = [s for s in e.streams] or ["income"]
    data = [[float(g.by_stream[s].amount) if s in g.by_stream else 0.0 for g in e.months] for s in streams]
    tallest = max([sum(col) for col in zip(*data, strict=True)] or [0.0])
    top, step = _nice_top(tallest)
    chart = VerticalBarChart()
    chart.x, chart.y = 20 * mm, 18 * mm
    chart.width, chart.height = width - 26 * mm, height - 30 * mm
    chart.data = data
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [month_label(g, chart=True) for g in e.months]
    chart.categoryAxis.labels.fontName = kit.font
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.leading = 7.5
    chart.categoryAxis.labels.fillColor = kit.muted
    chart.valueAxis.labels.fontName = kit.font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fillColor = kit.muted
    chart.valueAxis.labelTextFormat = lambda v: f"{symbol}{v:,.0f}"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = step
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor(kit.theme.colours.rule)
    chart.valueAxis.strokeColor = colors.HexColor(kit.theme.colours.rule)
    chart.categoryAxis.strokeColor = colors.HexColor(kit.theme.colours.rule)
    chart.barSpacing = 1
    chart.groupSpacing = 6
    shades = palette(kit.theme.colours, len(streams))
    for i in range(len(streams)):
        chart.bars[i].fillColor = shades[i]
        chart.bars[i].strokeColor = None
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = 20 * mm, height - 4 * mm
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = kit.font
    legend.fontSize = 8
    legend.dx = legend.dy = 7
    legend.deltax = 70
    legend.colorNamePairs = [(shades[i], s) for i, s in enumerate(streams)]
    d.add(legend)
    d.add(String(0, 2, f"Income by month and stream, {e.currency}", fontName=kit.font, fontSize=7,
                 fillColor=kit.muted))
    return d


def rate_rows(e: Earnings) -> list[list[str]]:
    """Each exchange rate used: date, currency, rate, its source and the documents it converted."""
    used: dict[tuple[date, str, Decimal, str], list[str]] = defaultdict(list)
    for r in e.rows:
        if r.amount.currency == e.currency:
            continue
        used[(r.date, r.amount.currency, r.rate, r.source)].append(r.ref)
    return [[d.isoformat(), f"1 {cur} = {rate.normalize():f} {e.currency}", source,
             ", ".join(sorted(set(refs)))] for (d, cur, rate, source), refs in sorted(used.items())]


def earnings_story(e: Earnings, practice: Practice, kit: _Kit | None = None) -> list[Any]:
    """The report's flowables: heading, totals, chart, the grouping asked for, clients, rates, notes."""
    kit = kit or _Kit()
    loc = practice.locale

    def m(x: Money | None) -> str:
        if x is None:
            return "n/a"
        return DASH if x.amount == 0 else x.format(loc)

    basis = "invoiced (accrual basis)" if e.basis == "accrual" else "received (cash basis)"
    kind = "Tax year" if e.period.kind == "tax_year" else "Period"
    story: list[Any] = [
        kit.p(f"Earnings {e.period.label}", kit.h1),
        kit.p(f"{practice.name} — {kind} {e.period.days[0]:%-d %B %Y} to {e.period.days[1]:%-d %B %Y}, "
              f"{basis}, in {e.currency}", kit.small),
        Spacer(1, 3 * mm),
    ]
    facts: list[tuple[str, str, bool]] = [(f"Income: {s}", m(e.by_stream[s]), False) for s in e.streams]
    facts += [("Income", m(e.income), True), ("  of which withheld at source", m(e.withheld), False),
              ("VAT charged (not income)", m(e.vat), False),
              ("Billable days worked", days_text(e.billable_days), False),
              ("Working days available", f"{e.working_days}", False),
              ("Utilisation", f"{e.utilisation}%" if e.utilisation is not None else "n/a", False),
              ("Effective day rate", m(e.effective_day_rate) if e.effective_day_rate is not None else "n/a", False),
              ("Expenses (ex VAT)", m(e.expenses), False), ("  of which costs not rebilled", m(e.costs), False),
              ("Profit (income − expenses)", m(e.profit), True)]
    size = kit.theme.font_size
    label_w = max(kit.w(k, b, size) for k, _, b in facts) + 14
    value_w = max(kit.w(v, b, size) for _, v, b in facts) + 14
    ft = Table([[k, v] for k, v, _ in facts], colWidths=[label_w, value_w], hAlign="LEFT")
    bold_rows = [i for i, (_, _, b) in enumerate(facts) if b]
    ft.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), kit.font), ("FONTSIZE", (0, 0), (-1, -1), size),
                            ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                            *[("FONTNAME", (0, i), (-1, i), kit.bold) for i in bold_rows],
                            ("LINEABOVE", (0, -1), (-1, -1), 0.6, kit.accent),
                            ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    story += [kit.p("Totals", kit.h2), ft, kit.p("Month by month", kit.h2), month_chart(e, kit, kit.width)]

    streams = list(e.streams)
    tail = ["Income", "VAT", "Days"]

    def group_rows(groups: tuple[Group, ...] | list[Group], first: str, months: bool) -> list[list[Any]]:
        rows: list[list[Any]] = [[first] + [s.capitalize() for s in streams] + tail]  # stream names wrap
        for g in groups:
            name = month_label(g) if months else g.label
            rows.append([kit.c(name)] + [m(g.by_stream.get(s)) if s in g.by_stream else DASH for s in streams]
                        + [m(g.income), m(g.vat), days_text(g.days) if g.days else DASH])
        rows.append(["Total"] + [m(e.by_stream[s]) for s in streams] + [m(e.income), m(e.vat),
                                                                       days_text(e.billable_days)])
        return rows

    by = e.by if e.by in GROUP_TITLES else "month"
    groups = list(e.groups) if by != "month" else list(e.months)
    title = GROUP_TITLES[by] + (" (the tax year's months: the first and last are part-months)"
                                if by == "month" and e.period.kind == "tax_year" else "")
    story += [KeepTogether([kit.p(title, kit.h2),
                            kit.table(group_rows(groups, FIRST_COLUMN[by], by == "month"))])]
    if by != "client":
        story += [KeepTogether([kit.p("By client", kit.h2), kit.table(group_rows(list(e.clients), "Client", False))])]

    rates = rate_rows(e)
    if rates:
        from consult.render.document import table

        small = TABLE_FONT_SIZE
        cell_style = ParagraphStyle("rate", parent=kit.body, fontSize=small, leading=small * 1.25)
        widths = [max(kit.w(r[0]) for r in rates) + 8, max(kit.w(r[1]) for r in rates) + 8, 0.0, 0.0]
        rest = kit.width - widths[0] - widths[1]
        widths[2], widths[3] = rest * 0.55, rest * 0.45
        rrows: list[list[Any]] = [["Date", "Rate", "Source", "Documents"]]
        rrows += [[d, r, kit.p(src, cell_style), kit.p(refs, cell_style)] for d, r, src, refs in rates]
        rt = table(rrows, widths, kit.theme, kit.fonts, right=(1,))
        rt.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), small), ("LEADING", (0, 0), (-1, -1), small * 1.25),
                                ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
        story += [kit.p("Exchange rates used", kit.h2), rt]

    notes = e.rate_notes() or [f"Every amount was already in {e.currency}; nothing was converted."]
    notes += [
        "Accrual basis: invoices count on their issue date at their net; credit notes reduce the month they "
        "are dated in. Cash basis: payments count on the day received, net of the VAT share pro rata to "
        "the invoice. Platform payouts count on their date on both bases.",
        "Conversion: each amount at its recorded fx_rate, else the European Central Bank reference rate of "
        "its date (the latest earlier ECB day on a weekend or holiday), rounded half up once.",
        "A dash is zero; days are billable days to one place.",
    ]
    note = ParagraphStyle("note", parent=kit.small, spaceAfter=3)
    story += [kit.p("Notes on rates and rules", kit.h2)] + [kit.p(t, note) for t in notes]
    story += [kit.p(f"warning: {w}", kit.small) for w in e.warnings]
    return story


def _footer_values(practice: Practice, kit: _Kit) -> dict[str, object]:
    from consult.invoices.build import REGISTERED_IN

    registered = ""
    if practice.company_number:
        key = practice.registered_in or (REGISTERED_IN.get(practice.subdivision or "ENG")
                                         if practice.country == "GB" else None)
        place = key and kit.theme.labels.get(f"place_{key}", key)
        registered = kit.theme.label("registered", place=place, company_number=practice.company_number,
                                     office=practice.registered_office or ", ".join(practice.address)) if place \
            else f"{kit.theme.label('company_number')} {practice.company_number}"
    return {"name": practice.name, "address_line": ", ".join(practice.address), "vat_number": practice.vat_number,
            "company_number": practice.company_number, "email": practice.email, "phone": practice.phone,
            "website": practice.website, "registered": registered}


def earnings_pdf(e: Earnings, practice: Practice, books_root: Path | None = None, *,
                 invariant: bool = False) -> bytes:
    """The report as PDF bytes: the theme's pages, running head, footer and "Page x of y"."""
    kit = _Kit(books_root, practice.invoice.template)
    story = earnings_story(e, practice, kit)
    title = f"Earnings {e.period.label}"
    subject = f"{title}, {e.basis} basis, in {e.currency}"
    from consult.render.document import build_pdf

    return build_pdf(story, kit.theme, title=title, author=practice.name, subject=subject,
                     running_head=f"{title} — {practice.name}", invariant=invariant, fonts=kit.fonts,
                     footer_values=_footer_values(practice, kit))


def render_earnings(e: Earnings, practice: Practice, path: Path, books_root: Path | None = None) -> Path:
    """Write the PDF atomically and return its path."""
    from consult.books.store import atomic_write

    path = Path(path)
    atomic_write(path, earnings_pdf(e, practice, books_root))
    return path
