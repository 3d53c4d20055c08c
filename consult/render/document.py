"""The document machinery every consult PDF shares: pages, furniture, styles, tables, bytes.

A document is a list of flowables (layout by flowables, never by coordinates) handed to
`build_pdf`, which lays it out on the theme's page with, on every page:

* a running head from page 2 on (what the document is and whose), so a loose page is known;
* the theme's footer line and "Page x of y" — y is known only at the end, so the canvas keeps
  each finished page and draws the furniture when the document is saved (one layout pass);
* when `watermark` is given (drafts), that text across the page, behind the content.

Tables made with `table()` repeat their header row on every page they reach, and keep their
closing rows (totals) on the same page as the last body row, so a total is never alone.
Metadata (title, author, subject, language) is set; `invariant=True` gives byte-identical
output for the same input (no timestamps or random ids), which tests and re-renders use.
No PDF actions, links or JavaScript are ever written.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, Image, PageTemplate, Table, TableStyle

from consult.render.fonts import FontSet, draw_string, fonts_for, string_width
from consult.render.theme import Theme


@cache
def colour(hex_text: str) -> colors.Color:
    """A theme colour (`#RRGGBB`) as a ReportLab colour."""
    return colors.HexColor(hex_text)


@dataclass(frozen=True, slots=True)
class Styles:
    """The paragraph styles of a theme (sizes follow the theme's base font size)."""

    body: ParagraphStyle
    bold: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    heading: ParagraphStyle
    title: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_bold: ParagraphStyle


@cache
def styles_for(theme: Theme, fonts: FontSet) -> Styles:
    """Paragraph styles in the theme's fonts and colours (made once per theme and fonts; treat
    them as read-only — derive a ParagraphStyle(parent=…) to change one)."""
    size = theme.font_size
    text, muted, accent = colour(theme.colours.text), colour(theme.colours.muted), colour(theme.colours.accent)
    body = ParagraphStyle("body", fontName=fonts.regular, fontSize=size, leading=size * 1.35, textColor=text,
                          alignment=TA_LEFT)
    return Styles(
        body=body,
        bold=ParagraphStyle("bold", parent=body, fontName=fonts.bold),
        small=ParagraphStyle("small", parent=body, fontSize=size * 0.85, leading=size * 0.85 * 1.35),
        muted=ParagraphStyle("muted", parent=body, fontSize=size * 0.85, leading=size * 0.85 * 1.35,
                             textColor=muted),
        heading=ParagraphStyle("heading", parent=body, fontName=fonts.bold, fontSize=size * 1.05,
                               leading=size * 1.5, textColor=accent, spaceBefore=size * 0.9,
                               spaceAfter=size * 0.2),
        title=ParagraphStyle("title", parent=body, fontName=fonts.bold, fontSize=size * 2.4,
                             leading=size * 2.8, textColor=accent),
        cell=ParagraphStyle("cell", parent=body, leading=size * 1.25),
        cell_right=ParagraphStyle("cell_right", parent=body, leading=size * 1.25, alignment=TA_RIGHT),
        cell_bold=ParagraphStyle("cell_bold", parent=body, fontName=fonts.bold, leading=size * 1.25),
    )


def frame_width(theme: Theme) -> float:
    """The width available to the story, in points."""
    _, right, _, left = theme.margins
    return theme.page_size[0] - left - right


def logo(theme: Theme, max_height: float = 60.0) -> Flowable | None:
    """The theme's logo as a flowable at the theme's width (aspect kept), or None."""
    if theme.logo is None:
        return None
    from reportlab.lib.utils import ImageReader

    w, h = ImageReader(str(theme.logo)).getSize()
    width = theme.logo_width
    height = width * h / w
    if height > max_height:
        width, height = width * max_height / height, max_height
    img = Image(str(theme.logo), width=width, height=height)
    img.hAlign = "RIGHT"
    return img


def table(rows: Sequence[Sequence[object]], col_widths: Sequence[float], theme: Theme, fonts: FontSet, *,
          right: Sequence[int] = (), closing_rows: int = 0, header: bool = True) -> Table:
    """A data table: header row in the accent colour and repeated on every page, striped body,
    columns in `right` right-aligned, and the last `closing_rows` rows (totals) in bold, kept on
    the same page as the last body row.

    Cells are strings (drawn as-is: amounts keep their exact spaces) or flowables (`text.para`).
    """
    n = len(rows)
    size = theme.font_size
    c = theme.colours
    first_body = 1 if header else 0
    last_body = n - closing_rows - 1
    cmds: list[tuple[object, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.regular),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), size * 1.25),
        ("TEXTCOLOR", (0, 0), (-1, -1), colour(c.text)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
    ]
    for col in right:
        cmds.append(("ALIGN", (col, 0), (col, -1), "RIGHT"))
    if header:
        cmds += [
            ("BACKGROUND", (0, 0), (-1, 0), colour(c.accent)),
            ("TEXTCOLOR", (0, 0), (-1, 0), colour(c.header_text)),
            ("FONTNAME", (0, 0), (-1, 0), fonts.bold),
        ]
    if last_body >= first_body:
        cmds += [
            ("ROWBACKGROUNDS", (0, first_body), (-1, last_body), [colors.white, colour(c.stripe)]),
            ("LINEBELOW", (0, last_body), (-1, last_body), 0.75, colour(c.rule)),
        ]
    if closing_rows:
        cmds += [("FONTNAME", (0, n - closing_rows), (-1, -1), fonts.bold),
                 ("NOSPLIT", (0, max(first_body, last_body)), (-1, -1))]
    t = Table([list(r) for r in rows], colWidths=list(col_widths), repeatRows=1 if header else 0,
              hAlign="LEFT")
    t.setStyle(TableStyle(cmds))
    return t


def layout(rows: Sequence[Sequence[object]], col_widths: Sequence[float], fonts: FontSet, *,
           h_align: str = "LEFT", padding: float = 0, row_gap: float = 0,
           column_styles: Sequence[ParagraphStyle | None] = ()) -> Table:
    """An invisible table for placing blocks side by side (no lines, no padding unless asked).

    Cells hold flowables, lists of flowables or strings (`text.cell`); string cells in column i
    take the font, size and colour of `column_styles[i]`. The font is always set, so even
    empty cells never pull a non-embedded base-14 font into the PDF.
    """
    cmds: list[tuple[object, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.regular), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), padding), ("RIGHTPADDING", (0, 0), (-1, -1), padding),
        ("TOPPADDING", (0, 0), (-1, -1), row_gap / 2), ("BOTTOMPADDING", (0, 0), (-1, -1), row_gap / 2),
    ]
    for i, st in enumerate(column_styles):
        if st is not None:
            cmds += [("FONTNAME", (i, 0), (i, -1), st.fontName), ("FONTSIZE", (i, 0), (i, -1), st.fontSize),
                     ("LEADING", (i, 0), (i, -1), st.leading), ("TEXTCOLOR", (i, 0), (i, -1), st.textColor)]
    t = Table([list(r) for r in rows], colWidths=list(col_widths), hAlign=h_align)
    t.setStyle(TableStyle(cmds))
    return t


def _furniture(theme: Theme, fonts: FontSet, *, running_head: str | None, footer: str
               ) -> Callable[[Canvas, int, int], None]:
    """What is drawn on page `page` of `pages` once the count is known."""
    c = theme.colours
    width, height = theme.page_size
    top, right, bottom, left = theme.margins
    small = theme.font_size * 0.8
    page_label = theme.labels.get("page", "Page {page} of {pages}")

    def draw(canv: Canvas, page: int, pages: int) -> None:
        canv.saveState()
        canv.setFillColor(colour(c.muted))
        canv.setStrokeColor(colour(c.rule))
        canv.setLineWidth(0.5)
        y = bottom * 0.55
        canv.line(left, y + small * 1.6, width - right, y + small * 1.6)
        numbers = theme.label("page", page=page, pages=pages) if "{page}" in page_label else f"{page} / {pages}"
        draw_string(canv, width - right, y, numbers, fonts.regular, small, fonts, align="right")
        if footer:
            room = width - left - right - string_width(numbers, fonts.regular, small, fonts) - 12
            text = footer
            while text and string_width(text, fonts.regular, small, fonts) > room:
                text = text[:-2] + "…"
            draw_string(canv, left, y, text, fonts.regular, small, fonts)
        if running_head and page > 1:
            draw_string(canv, left, height - top * 0.6, running_head, fonts.regular, small, fonts)
            draw_string(canv, width - right, height - top * 0.6, numbers, fonts.regular, small, fonts,
                        align="right")
        canv.restoreState()

    return draw


def _draw_watermark(canv: Canvas, theme: Theme, fonts: FontSet, text: str) -> None:
    width, height = theme.page_size
    canv.saveState()
    canv.setFillColor(colour(theme.colours.watermark))
    canv.setFillAlpha(0.13)
    canv.translate(width / 2, height / 2)
    canv.rotate(math.degrees(math.atan2(height, width)))  # along the page's diagonal
    diagonal = math.hypot(width, height)
    size = min(72.0, 0.7 * diagonal / max(1.0, string_width(text, fonts.bold, 1, fonts)))
    draw_string(canv, 0, -size / 3, text, fonts.bold, size, fonts, align="centre")
    canv.restoreState()


def _numbered_canvas(furniture: Callable[[Canvas, int, int], None]) -> type[Canvas]:
    class NumberedCanvas(Canvas):  # type: ignore[misc]  # ReportLab has no type hints
        """Keeps each finished page and draws the page furniture once the page count is known."""

        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._finished: list[dict[str, object]] = []

        def showPage(self) -> None:
            self._finished.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            pages = len(self._finished)
            for n, state in enumerate(self._finished, 1):
                self.__dict__.update(state)
                furniture(self, n, pages)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def build_pdf(story: list[Flowable], theme: Theme, *, title: str, author: str, subject: str,
              running_head: str | None = None, watermark: str | None = None, invariant: bool = False,
              footer_values: dict[str, object] | None = None, fonts: FontSet | None = None) -> bytes:
    """Lay `story` out on the theme's pages and return the PDF.

    `watermark` (e.g. "DRAFT — not an invoice") is drawn across every page behind the content;
    `running_head` heads pages 2 onwards. `invariant=True` makes the bytes depend only on the
    input (for tests and reproducible re-renders). The theme's footer line is filled from
    `footer_values` ({name}, {address_line}, {vat_number}, {company_number}, {email}); a part
    whose value is missing is left out.
    """
    fonts = fonts or fonts_for(theme)
    top, right, bottom, left = theme.margins
    width, height = theme.page_size
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf, pagesize=theme.page_size, leftMargin=left, rightMargin=right, topMargin=top,
        bottomMargin=bottom, title=title, author=author, subject=subject, creator="consult",
        producer="consult (ReportLab)", invariant=1 if invariant else 0,
        lang=theme.locale.replace("_", "-"), initialFontName=fonts.regular,
    )
    frame = Frame(left, bottom, width - left - right, height - top - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def on_page(canv: Canvas, _doc: BaseDocTemplate) -> None:
        if watermark:
            _draw_watermark(canv, theme, fonts, watermark)

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    footer = theme.fill(theme.footer, **(footer_values or {}))
    furniture = _furniture(theme, fonts, running_head=running_head, footer=footer)
    doc.build(story, canvasmaker=_numbered_canvas(furniture))
    return buf.getvalue()
