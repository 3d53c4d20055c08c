"""The earnings report as a PDF: a monthly bar chart by stream, the client table, totals, rates.

Takes a finished `consult.earnings.Earnings` and lays it out; every figure printed is one the
report already holds (no arithmetic here). The chart is ReportLab's own graphics
(`VerticalBarChart`, stacked by stream), so no plotting library is needed; bar heights are the
converted amounts as floats, used for drawing only, never for a printed figure.

It uses the shared document layer (consult.render.document / text / theme), so the report
wears the practice's theme, fonts and footer like its invoices.
"""

from __future__ import annotations

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

from consult.core.records import Practice
from consult.earnings import Earnings

# one colour per stream, in the report's stream order (consulting first)
TABLE_FONT_SIZE = 7.5  # the client and month tables: one column per stream must fit a portrait page
PALETTE = ("#1f4e79", "#e07b39", "#5b9e4d", "#8e6bbf", "#c0504d", "#4bacc6", "#9c9c9c", "#d4a017")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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

    def table(self, rows: list[list[Any]], widths: list[float]) -> Table:
        """A data table with a header repeated on each page and its total row kept with it, in a
        smaller size so that a column per stream fits the page; header words wrap."""
        from consult.render.document import table

        size = TABLE_FONT_SIZE
        head = ParagraphStyle("head", fontName=self.bold, fontSize=size, leading=size * 1.2,
                              textColor=colors.HexColor(self.theme.colours.header_text), alignment=TA_RIGHT)
        rows = [[rows[0][0]] + [Paragraph(_esc(str(h)), head) for h in rows[0][1:]]] + rows[1:]
        right = list(range(1, len(rows[0])))
        tight = [("FONTSIZE", (0, 0), (-1, -1), size), ("LEADING", (0, 0), (-1, -1), size * 1.25),
                 ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                 ("VALIGN", (0, 0), (-1, 0), "BOTTOM")]
        t = table(rows, widths, self.theme, self.fonts, right=right, closing_rows=1)
        t.setStyle(TableStyle(tight))
        return t


def month_chart(e: Earnings, kit: _Kit, width: float = 170 * mm, height: float = 75 * mm) -> Drawing:
    """Income per month, stacked by stream, in the report currency."""
    from babel.numbers import get_currency_symbol

    symbol = get_currency_symbol(e.currency, locale="en_GB")
    d = Drawing(width, height)
    streams = [s for s in e.streams] or ["income"]
    data = [[float(g.by_stream[s].amount) if s in g.by_stream else 0.0 for g in e.months] for s in streams]
    chart = VerticalBarChart()
    chart.x, chart.y = 18 * mm, 16 * mm
    chart.width, chart.height = width - 24 * mm, height - 26 * mm
    chart.data = data
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [g.start.strftime("%b") if g.start else g.label for g in e.months]
    chart.categoryAxis.labels.fontName = kit.font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = kit.font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: f"{symbol}{v:,.0f}"
    chart.valueAxis.forceZero = True
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    chart.barSpacing = 1
    chart.groupSpacing = 6
    for i in range(len(streams)):
        chart.bars[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
        chart.bars[i].strokeColor = None
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = 18 * mm, height - 4 * mm
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = kit.font
    legend.fontSize = 8
    legend.dx = legend.dy = 7
    legend.deltax = 60
    legend.colorNamePairs = [(colors.HexColor(PALETTE[i % len(PALETTE)]), s) for i, s in enumerate(streams)]
    d.add(legend)
    d.add(String(0, 2, f"Income by month and stream, {e.currency}", fontName=kit.font, fontSize=7,
                 fillColor=kit.muted))
    return d


def earnings_story(e: Earnings, practice: Practice, kit: _Kit | None = None) -> list[Any]:
    """The report's flowables: heading, totals, chart, client and month tables, notes."""
    kit = kit or _Kit()
    loc = practice.locale

    def m(x: Any) -> str:
        return "" if x is None else x.format(loc)

    basis = "invoiced (accrual basis)" if e.basis == "accrual" else "received (cash basis)"
    kind = "Tax year" if e.period.kind == "tax_year" else "Period"
    story: list[Any] = [
        kit.p(f"Earnings {e.period.label}", kit.h1),
        kit.p(f"{practice.name} — {kind} {e.period.days[0]:%-d %B %Y} to {e.period.days[1]:%-d %B %Y}, "
              f"{basis}, in {e.currency}", kit.small),
        Spacer(1, 3 * mm),
    ]
    facts = [["", ""]]
    facts += [[f"Income: {s}", m(e.by_stream[s])] for s in e.streams]
    facts += [["Income", m(e.income)], ["  of which withheld at source", m(e.withheld)],
              ["VAT charged (not income)", m(e.vat)],
              ["Billable days worked", f"{e.billable_days:.3f}"],
              ["Working days available", f"{e.working_days}"],
              ["Utilisation", f"{e.utilisation}%" if e.utilisation is not None else "n/a"],
              ["Effective day rate", m(e.effective_day_rate) or "n/a"],
              ["Expenses (ex VAT)", m(e.expenses)], ["  of which costs not rebilled", m(e.costs)],
              ["Profit (income − expenses)", m(e.profit)]]
    ft = Table(facts[1:], colWidths=[70 * mm, 40 * mm], hAlign="LEFT")
    ft.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), kit.font), ("FONTSIZE", (0, 0), (-1, -1), 9),
                            ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                            ("FONTNAME", (0, len(e.streams)), (-1, len(e.streams)), kit.bold),
                            ("FONTNAME", (0, -1), (-1, -1), kit.bold),
                            ("LINEABOVE", (0, -1), (-1, -1), 0.6, kit.accent),
                            ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    story += [kit.p("Totals", kit.h2), ft, kit.p("Month by month", kit.h2), month_chart(e, kit, kit.width)]

    streams = list(e.streams)
    head = ["Client"] + [s.capitalize() for s in streams] + ["Income", "VAT", "Days"]  # stream names wrap
    n = len(head)
    name_w, days_w = 42 * mm, 14 * mm
    other = (kit.width - name_w - days_w) / (n - 2)
    widths = [name_w] + [other] * (n - 2) + [days_w]
    rows: list[list[Any]] = [head]
    for g in e.clients:
        rows.append([kit.c(g.label)] + [m(g.by_stream[s]) for s in streams]
                    + [m(g.income), m(g.vat), f"{g.days:.3f}"])
    rows.append(["Total"] + [m(e.by_stream[s]) for s in streams] + [m(e.income), m(e.vat), f"{e.billable_days:.3f}"])
    story += [KeepTogether([kit.p("By client", kit.h2), kit.table(rows, widths)])]

    mrows: list[list[Any]] = [["Month"] + [s.capitalize() for s in streams] + ["Income", "VAT", "Days"]]
    for g in e.months:
        mrows.append([g.label] + [m(g.by_stream[s]) for s in streams] + [m(g.income), m(g.vat), f"{g.days:.3f}"])
    mrows.append(["Total"] + [m(e.by_stream[s]) for s in streams] + [m(e.income), m(e.vat), f"{e.billable_days:.3f}"])
    story += [KeepTogether([kit.p("By month", kit.h2), kit.table(mrows, widths)])]

    notes = e.rate_notes() or [f"Every amount was already in {e.currency}; nothing was converted."]
    notes += [
        "Accrual basis: invoices count on their issue date at their net; credit notes reduce the month they "
        "are dated in. Cash basis: payments count on the day received, net of the VAT share pro rata to "
        "the invoice. Platform payouts count on their date on both bases.",
        "Conversion: each amount at its recorded fx_rate, else the European Central Bank reference rate of "
        "its date (the latest earlier ECB day on a weekend or holiday), rounded half up once.",
    ]
    note = ParagraphStyle("note", parent=kit.small, spaceAfter=3)
    story += [kit.p("Notes on rates and rules", kit.h2)] + [kit.p(t, note) for t in notes]
    story += [kit.p(f"warning: {w}", kit.small) for w in e.warnings]
    return story


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
                     footer_values={"name": practice.name, "address_line": ", ".join(practice.address),
                                    "vat_number": practice.vat_number,
                                    "company_number": practice.company_number, "email": practice.email})


def render_earnings(e: Earnings, practice: Practice, path: Path, books_root: Path | None = None) -> Path:
    """Write the PDF atomically and return its path."""
    from consult.books.store import atomic_write

    path = Path(path)
    atomic_write(path, earnings_pdf(e, practice, books_root))
    return path
