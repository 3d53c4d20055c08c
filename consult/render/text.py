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

from xml.sax.saxutils import escape

from reportlab.platypus import Paragraph

from .fonts import FontSet, covered, runs


def markup(text: str, font_name: str, fonts: FontSet) -> str:
    """Paragraph markup that prints `text` literally, with fallback-font runs and `<br/>` lines."""
    lines = str(text).split("\n")
    out: list[str] = []
    for line in lines:
        pieces = runs(line, font_name, fonts)
        out.append("".join(escape(t) if f == font_name else f'<font name="{f}">{escape(t)}</font>'
                           for f, t in pieces))
    return "<br/>".join(out)


def para(text: str, style, fonts: FontSet, *, bold_prefix: str | None = None) -> Paragraph:
    """A paragraph showing `text` exactly as written (never read as markup).

    `bold_prefix`, also user-safe, is printed in the bold font before the text (a label such as
    "VAT no. "), so a label and its value wrap as one line.
    """
    body = markup(text, style.fontName, fonts)
    if bold_prefix:
        body = f'<font name="{fonts.bold}">{markup(bold_prefix, fonts.bold, fonts)}</font>' + body
    return Paragraph(body, style)


def cell(text: str, style, fonts: FontSet) -> str | Paragraph:
    """A table cell: the plain string when the style's font has every character (fast, and keeps
    U+202F and U+00A0 exactly), else an escaped paragraph with fallback runs."""
    if "\n" not in text and covered(text, style.fontName):
        return text
    return para(text, style, fonts)
