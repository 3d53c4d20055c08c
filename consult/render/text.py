"""User text into ReportLab paragraphs, always escaped, each character in a font that has it.

`Paragraph(text)` reads its text as markup: `Smith & Jones <UK>` loses `<UK>`, `a<br/>b`
breaks the line and an unbalanced `<b>` raises. Every name, address, description and note in
consult comes from a user, so it only ever reaches a paragraph through `para()`, which escapes
`&`, `<` and `>` and then adds the one markup consult itself writes: `<font name=…>` runs for
characters the style's font lacks (CJK names fall back to the fallback font), and `<br/>` for
the line breaks of multi-line text such as addresses.

Known limit of ReportLab's paragraphs: they treat U+202F (the narrow no-break space of French
amounts) as a breaking space and print it as an ordinary space. Put amounts in table cells as
plain strings (`cell()`), which keep every character.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from consult.render.fonts import FontSet, covered, runs


class _Paragraph(Paragraph):  # type: ignore[misc]  # ReportLab has no type hints
    """A Paragraph that remembers its last line-breaking: tables ask a cell to wrap at the same
    width when measuring and again when drawing, and breaking lines is the costly part."""

    _wrapped_at: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # a failed split() drops the broken lines (blPara): then the paragraph must wrap again
        if availWidth == self._wrapped_at and hasattr(self, "blPara"):
            return self.width, self.height
        result: tuple[float, float] = super().wrap(availWidth, availHeight)
        self._wrapped_at = availWidth
        return result


def markup(text: str, font_name: str, fonts: FontSet) -> str:
    """Paragraph markup that prints `text` literally, with fallback-font runs and `<br/>` lines."""
    lines = str(text).split("\n")
    out: list[str] = []
    for line in lines:
        pieces = runs(line, font_name, fonts)
        out.append("".join(escape(t) if f == font_name else f'<font name="{f}">{escape(t)}</font>'
                           for f, t in pieces))
    return "<br/>".join(out)


def para(text: str, style: ParagraphStyle, fonts: FontSet, *, bold_prefix: str | None = None) -> Paragraph:
    """A paragraph showing `text` exactly as written (never read as markup).

    `bold_prefix`, also user-safe, is printed in the bold font before the text (a label such as
    "VAT no. "), so a label and its value wrap as one line.
    """
    body = markup(text, style.fontName, fonts)
    if bold_prefix:
        body = f'<font name="{fonts.bold}">{markup(bold_prefix, fonts.bold, fonts)}</font>' + body
    return _Paragraph(body, style)


def cell(text: str, style: ParagraphStyle, fonts: FontSet, width: float | None = None) -> str | Paragraph:
    """A table cell: the plain string when the style's font has every character (fast, and keeps
    U+202F exactly) and, given the cell's inner `width`, it fits on one line; else an escaped
    paragraph (which wraps) with fallback runs."""
    if "\n" not in text and covered(text, style.fontName) and (
            width is None or stringWidth(text, style.fontName, style.fontSize) <= width):
        return text
    return para(text, style, fonts)


def _open(style: ParagraphStyle) -> str:
    colour = style.textColor.hexval()[2:] if style.textColor is not None else "000000"
    return f'<font name="{style.fontName}" size="{style.fontSize:g}" color="#{colour}">'


def block(lines: Sequence[Sequence[tuple[str, ParagraphStyle]]], style: ParagraphStyle,
          fonts: FontSet) -> Paragraph:
    """One paragraph of several lines, each a sequence of (user text, style) pieces — e.g. a
    muted heading, a bold name, address lines, "VAT no." in bold then the number. Every piece
    is escaped; each takes the font, size and colour of its style. One paragraph lays out much
    faster than one per line, and the lines stay together."""
    out = []
    for line in lines:
        out.append("".join(markup(text, style.fontName, fonts) if st is style else
                           f"{_open(st)}{markup(text, st.fontName, fonts)}</font>"
                           for text, st in line if text))
    return _Paragraph("<br/>".join(out), style)
