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
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import cleanBlockQuotedText, textTransformFrags
from reportlab.platypus.paraparser import ParaParser

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


# The only markup consult writes (see markup() and block()), and the three entities escape() makes.
_TOKEN = re.compile(r'<font name="([^"<>&]*)">|<font name="([^"<>&]*)" size="([^"<>&]*)" color="([^"<>&]*)">'
                    r'|(</font>)|(<br/>)|&(amp|lt|gt);|([^<&]+)')
_ENTITY = {"amp": "&", "lt": "<", "gt": ">"}
_Tree = tuple[str, dict[str, str] | None, list["str | _Tree"] | None, None]


def _tree(text: str) -> _Tree | None:
    """`text` (markup that consult wrote) as the tuple tree ReportLab's parser walks, cut into
    the same pieces of data as its HTML tokeniser cuts it (a new piece at every entity); None
    for anything else, which then goes through the HTML parser as before."""
    root: _Tree = ("para", None, [], None)
    stack = [root]
    pos, end = 0, len(text)
    while pos < end:
        m = _TOKEN.match(text, pos)
        if m is None:
            return None
        pos = m.end()
        children = stack[-1][2]
        assert children is not None
        name, name4, size, colour, close, br, entity, data = m.groups()
        if data is not None:
            children.append(data)
        elif entity is not None:
            children.append(_ENTITY[entity])
        elif br is not None:
            children.append(("br", None, None, None))
        elif close is not None:
            if len(stack) == 1:
                return None
            stack.pop()
        else:
            attrs = {"name": name} if name is not None else {"name": name4, "size": size, "color": colour}
            node: _Tree = ("font", attrs, [], None)
            children.append(node)
            stack.append(node)
    return root if len(stack) == 1 else None


class _Parser(ParaParser):  # type: ignore[misc]  # ReportLab has no type hints
    """ReportLab's paragraph parser, reading each distinct `<font …>` tag's attributes once:
    consult writes the same few tags (a style's font, size and colour) on every line of an
    address block, and turning "#6b7280" into a colour is the dear part of opening one."""

    def start_font(self, attr: dict[str, str]) -> None:
        self._push("font", **_font_attributes(tuple(attr.items())))


class _Capture(ParaParser):  # type: ignore[misc]  # ReportLab has no type hints
    """A parser that keeps what a start tag would push instead of pushing it."""

    pushed: dict[str, object]

    def _push(self, tag: str, **attr: object) -> None:
        self.pushed = attr


@lru_cache(maxsize=256)
def _font_attributes(attr: tuple[tuple[str, str], ...]) -> dict[str, object]:
    """What `ParaParser.start_font` pushes for these attributes (its own code, run once)."""
    parser = _Capture()
    parser.caseSensitive = 1  # as Paragraph sets it
    ParaParser.start_font(parser, dict(attr))
    return parser.pushed


def _paragraph(body: str, style: ParagraphStyle) -> Paragraph:
    """`Paragraph(body, style)` exactly as ReportLab makes it from that markup, faster.

    ReportLab's own paragraph parser is fed the tuple tree of the markup instead of its text
    (`ParaParser.tt_parse`): the same start_/end_/handle_data calls in the same order give the
    same fragments, so the same lines and the same PDF bytes, without tokenising HTML — which
    was most of the cost of making a paragraph.
    """
    text = cleanBlockQuotedText(body)  # what Paragraph does to its text before parsing it
    tree = _tree(text)
    if tree is None:
        return _Paragraph(body, style)
    parser = _Parser()
    parser.caseSensitive = 1  # as Paragraph sets it
    style, frags, _bullet = parser.tt_parse(tree, style)
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
