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

import re
from collections.abc import Sequence
from functools import lru_cache

from reportlab.lib.fonts import ps2tt, tt2ps
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import cleanBlockQuotedText, textTransformFrags
from reportlab.platypus.paraparser import ParaFrag, ParaParser

from consult.render.fonts import FontSet, covered, runs


def escape(text: str) -> str:
    """`&`, `<` and `>` as entities: xml.sax.saxutils.escape's rule, without the 40 ms its import
    costs (it pulls in urllib.request, http.client and ssl)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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


# The only markup consult writes (markup(), para(), block()) and the three entities escape() makes.
_TOKEN = re.compile(r'([^<&]+)|&(amp|lt|gt);|(<br/>)|(</font>)'
                    r'|<font name="([^"<>&]*)"(?: size="([^"<>&]*)" color="([^"<>&]*)")?>')
_ENTITY = {"amp": "&", "lt": "<", "gt": ">"}


def _copy(frag: ParaFrag) -> ParaFrag:
    """`copy.copy(frag)`, as the parser copies fragments (a new bag with the same attributes)."""
    new = ParaFrag.__new__(ParaFrag)
    new.__dict__.update(frag.__dict__)
    return new


def _frags(text: str, style: ParagraphStyle) -> list[ParaFrag] | None:
    """The fragments ReportLab's paragraph parser makes of `text` — markup that consult wrote,
    already cleaned as Paragraph cleans it — or None for anything else (which then goes
    through the parser itself).

    Step for step what `ParaParser` does for these tags: the paragraph's first fragment
    (`_initial_frag`, `start_para`), a copy with the font tag's attributes pushed for
    `<font …>` (`start_font`, the attributes read by its own code, see _font_attributes), a
    copy holding the text for each piece of data, cut where its HTML tokeniser cuts it (at
    every entity) (`handle_data`), and an empty line-break fragment for `<br/>` (`start_br`,
    `end_br`). tests/test_render_paragraphs.py holds the two to the same fragments, attribute
    for attribute; skipping the HTML tokeniser and the parser's generic dispatch is most of
    the time a paragraph took to make.
    """
    first = ParaFrag()
    first.rise = 0
    first.greek = 0
    first.link = []
    first.fontName, first.bold, first.italic = ps2tt(style.fontName)
    first.fontSize = style.fontSize
    first.textColor = style.textColor
    first.us_lines = []
    first.__tag__ = "para"
    stack = [first]
    out: list[ParaFrag] = []
    pos, end = 0, len(text)
    while pos < end:
        m = _TOKEN.match(text, pos)
        if m is None:
            return None
        pos = m.end()
        data, entity, br, close, name, size, colour = m.groups()
        if data is not None or entity is not None:
            frag = _copy(stack[-1])
            frag.fontName = tt2ps(frag.fontName, frag.bold, frag.italic)
            frag.text = data if data is not None else _ENTITY[entity]
            out.append(frag)
        elif br is not None:
            brk = _copy(stack[-1])
            brk.__tag__ = "br"
            brk.lineBreak = True
            brk.text = ""
            frag = _copy(brk)
            frag.fontName = tt2ps(frag.fontName, frag.bold, frag.italic)
            frag.text = ""
            out.append(frag)
        elif close is not None:
            if len(stack) == 1:
                return None
            stack.pop()
        else:
            attrs = (("name", name),) if size is None else (("name", name), ("size", size), ("color", colour))
            frag = _copy(stack[-1])
            frag.__tag__ = "font"
            for k, v in _font_attributes(attrs).items():
                setattr(frag, k, v)
            stack.append(frag)
    return out if len(stack) == 1 else None


class _Capture(ParaParser):  # type: ignore[misc]  # ReportLab has no type hints
    """A parser that keeps what a start tag would push instead of pushing it."""

    pushed: dict[str, object]

    def _push(self, tag: str, **attr: object) -> None:
        self.pushed = attr


@lru_cache(maxsize=256)
def _font_attributes(attr: tuple[tuple[str, str], ...]) -> dict[str, object]:
    """What `ParaParser.start_font` pushes for these attributes (its own code, run once per
    distinct tag: consult writes the same few, and reading "#6b7280" as a colour is dear)."""
    parser = _Capture()
    parser.caseSensitive = 1  # as Paragraph sets it
    ParaParser.start_font(parser, dict(attr))
    return parser.pushed


def _paragraph(body: str, style: ParagraphStyle) -> Paragraph:
    """`Paragraph(body, style)`, made as ReportLab makes it from that markup but faster: the
    same cleaned text, the same fragments (see _frags), so the same lines and the same PDF."""
    text = cleanBlockQuotedText(body)  # what Paragraph does to its text before parsing it
    frags = _frags(text, style)
    if frags is None:
        return _Paragraph(body, style)
    textTransformFrags(frags, style)
    return _Paragraph(text, style, frags=frags)


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
    return _paragraph(body, style)


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
    return _paragraph("<br/>".join(out), style)
