"""The document machinery every consult PDF shares: pages, furniture, styles, tables, bytes.

A document is a list of flowables (layout by flowables, never by coordinates) handed to
`build_pdf`, which lays it out on the theme's page with, on every page:

* a running head from page 2 on (what the document is and whose), so a loose page is known;
* the theme's footer and "Page x of y" — y is known only at the end, so the canvas keeps
  each finished page and draws the furniture when the document is saved (one layout pass).
  A footer too long for one line wraps (at its ` · ` separators first) and the body's frame
  ends above it, so a VAT number is never cut short;
* when `watermark` is given (drafts), that text across the page, drawn *over* the content
  (translucent), so no table background can hide it.

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
from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, Image, PageTemplate, Table, TableStyle
from reportlab.platypus.doctemplate import LayoutError
from reportlab.platypus.tables import CellStyle

from consult.core.record import record
from consult.errors import ConsultError
from consult.render.fonts import FontSet, draw_string, fonts_for, string_width
from consult.render.theme import Theme


@cache
def colour(hex_text: str) -> colors.Color:
    """A theme colour (`#RRGGBB`) as a ReportLab colour."""
    return colors.HexColor(hex_text)


@record
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
          right: Sequence[int] = (), closing_rows: int = 0, header: bool = True, size: float | None = None) -> Table:
    """A data table: header row in the accent colour and repeated on every page, striped body,
    columns in `right` right-aligned, and the last `closing_rows` rows (totals) in bold, kept on
    the same page as the last body row.

    Cells are strings (drawn as-is: amounts keep their exact spaces) or flowables (`text.para`).
    `size` is the text size of every cell (the theme's by default; leading 1.25 times it).
    """
    n = len(rows)
    size = theme.font_size if size is None else size
    c = theme.colours
    first_body = 1 if header else 0
    last_body = n - closing_rows - 1
    # what every cell starts with (as FONTNAME, FONTSIZE, LEADING, TEXTCOLOR, VALIGN and the
    # paddings over the whole table would set it, first)
    every = {"fontname": fonts.regular, "fontsize": size, "leading": size * 1.25, "color": colour(c.text),
             "valign": "TOP", "topPadding": 3.5, "bottomPadding": 4, "leftPadding": 5, "rightPadding": 5}
    cmds: list[tuple[object, ...]] = []
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
    data = [list(r) for r in rows]
    t = Table(data, colWidths=list(col_widths), repeatRows=1 if header else 0, hAlign="LEFT",
              cellStyles=_cell_styles(data, every))
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
    every = {"fontname": fonts.regular, "valign": "TOP", "leftPadding": padding, "rightPadding": padding,
             "topPadding": row_gap / 2, "bottomPadding": row_gap / 2}
    columns = [every if st is None else
               {**every, "fontname": st.fontName, "fontsize": st.fontSize, "leading": st.leading,
                "color": colors.toColor(st.textColor, colors.Color(0, 0, 0))} for st in column_styles]
    data = [list(r) for r in rows]
    return Table(data, colWidths=list(col_widths), hAlign=h_align, cellStyles=_cell_styles(data, every, columns))


def _cell_styles(data: list[list[object]], every: dict[str, object],
                 columns: Sequence[dict[str, object]] = ()) -> list[list[CellStyle]]:
    """The table's cell styles, each cell starting from its column's settings.

    The same cell styles as `Table` makes and a TableStyle's whole-table (or whole-column)
    FONTNAME, FONTSIZE, LEADING, TEXTCOLOR, VALIGN and padding commands then set, cell by cell —
    which, through ReportLab's command dispatch, was a good part of the time it took to make a
    table. A cell of column j starts from `columns[j]`, else from `every`. Each cell has its
    own style: later commands on part of the table change it in place.
    """
    n_cols = max(map(len, data), default=0)
    settings = [columns[j] if j < len(columns) else every for j in range(n_cols)]
    out = []
    for i in range(len(data)):
        row = []
        for j in range(n_cols):
            cs = CellStyle(repr((i, j)))  # the name Table gives it
            cs.__dict__.update(settings[j])
            row.append(cs)
        out.append(row)
    return out


def wrap_text(text: str, room: float, font: str, size: float, fonts: FontSet, sep: str = " · ") -> list[str]:
    """`text` broken into lines no wider than `room`: between `sep`-separated parts where it
    can, else between words (a word wider than the room gets a line of its own)."""
    def fits(t: str) -> bool:
        return string_width(t, font, size, fonts) <= room

    lines: list[str] = []
    for part in text.split(sep):
        if lines and fits(lines[-1] + sep + part):
            lines[-1] += sep + part
            continue
        if fits(part):
            lines.append(part)
            continue
        current = ""
        for word in part.split(" "):
            trial = f"{current} {word}" if current else word
            if current and not fits(trial):
                lines.append(current)
                current = word
            else:
                current = trial
        if current:
            lines.append(current)
    return lines


@record
class _Footer:
    """The footer laid out: its lines (bottom line first) and where the body must end."""

    lines: tuple[str, ...]
    baseline: float
    leading: float
    rule_y: float
    frame_bottom: float


def _footer_layout(theme: Theme, fonts: FontSet, footer: str, numbers_width: float) -> _Footer:
    width = theme.page_size[0]
    _, right, bottom, left = theme.margins
    small = theme.font_size * 0.8
    leading = small * 1.3
    room = width - left - right - numbers_width - 12
    lines = wrap_text(footer, room, fonts.regular, small, fonts) if footer else []
    baseline = bottom * 0.42
    rule_y = baseline + max(len(lines) - 1, 0) * leading + small * 1.4
    return _Footer(tuple(lines), baseline, leading, rule_y, max(bottom, rule_y + small * 1.2))


def _numbers_width(theme: Theme, fonts: FontSet) -> float:
    """Room for "Page 99 of 99" in the theme's words."""
    page_label = theme.labels.get("page", "Page {page} of {pages}")
    sample = theme.label("page", page=88, pages=88) if "{page}" in page_label else "88 / 88"
    return string_width(sample, fonts.regular, theme.font_size * 0.8, fonts)


def _furniture(theme: Theme, fonts: FontSet, *, running_head: str | None, foot: _Footer,
               watermark: str | None) -> Callable[[Canvas, int, int], None]:
    """What is drawn on page `page` of `pages` once the count is known."""
    c = theme.colours
    width, height = theme.page_size
    top, right, bottom, left = theme.margins
    small = theme.font_size * 0.8
    page_label = theme.labels.get("page", "Page {page} of {pages}")

    def draw(canv: Canvas, page: int, pages: int) -> None:
        if watermark:
            _draw_watermark(canv, theme, fonts, watermark)
        canv.saveState()
        canv.setFillColor(colour(c.muted))
        canv.setStrokeColor(colour(c.rule))
        canv.setLineWidth(0.5)
        canv.line(left, foot.rule_y, width - right, foot.rule_y)
        numbers = theme.label("page", page=page, pages=pages) if "{page}" in page_label else f"{page} / {pages}"
        y = foot.baseline + max(len(foot.lines) - 1, 0) * foot.leading
        draw_string(canv, width - right, y, numbers, fonts.regular, small, fonts, align="right")
        for line in foot.lines:
            draw_string(canv, left, y, line, fonts.regular, small, fonts)
            y -= foot.leading
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

    `watermark` (e.g. "DRAFT — not an invoice") is drawn across every page over the content,
    translucent; `running_head` heads pages 2 onwards. `invariant=True` makes the bytes depend
    only on the input (for tests and reproducible re-renders). The theme's footer is filled from
    `footer_values` ({name}, {address_line}, {vat_number}, {company_number}, {email}, {phone},
    {website}, {registered}); a part whose value is missing is left out, and it wraps.
    """
    fonts = fonts or fonts_for(theme)
    top, right, _, left = theme.margins
    width, height = theme.page_size
    footer = theme.fill(theme.footer, **(footer_values or {}))
    foot = _footer_layout(theme, fonts, footer, _numbers_width(theme, fonts))
    bottom = foot.frame_bottom
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf, pagesize=theme.page_size, leftMargin=left, rightMargin=right, topMargin=top,
        bottomMargin=bottom, title=title, author=author, subject=subject, creator="consult",
        producer="consult (ReportLab)", invariant=1 if invariant else 0,
        lang=theme.locale.replace("_", "-"), initialFontName=fonts.regular, initialFontSize=theme.font_size,
    )
    frame = Frame(left, bottom, width - left - right, height - top - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    furniture = _furniture(theme, fonts, running_head=running_head, foot=foot, watermark=watermark)
    try:
        doc.build(story, canvasmaker=_numbered_canvas(furniture))
    except LayoutError:
        # a block taller than a page cannot be split (a table cell): in practice a name, an
        # address line or a note thousands of characters long in the books
        raise ConsultError(f"{title} cannot be laid out: one block of it is taller than a page — look for a "
                           "name, address line or note far longer than it should be in the books, shorten it, "
                           "and run the command again (nothing was written)") from None
    return buf.getvalue()


def text_width(text: str, font: str, size: float, fonts: FontSet) -> float:
    """The width of one line of `text` in points (per-character fallback counted)."""
    return string_width(text, font, size, fonts)


def widest_word(text: str, font: str, size: float, fonts: FontSet) -> float:
    """The width of the widest word of `text`: what a wrapping heading cell needs at least."""
    return max((string_width(w, font, size, fonts) for w in text.split()), default=0.0)
