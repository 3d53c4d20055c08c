"""Embedded TrueType fonts, registered once per process, and per-character fallback.

ReportLab's base-14 fonts (Helvetica…) know no ₹, no U+202F (the narrow no-break space babel
puts in `691 892,50 €`) and no CJK, and they are not embedded. Every piece of user text is
therefore drawn with TrueType fonts that ReportLab embeds as subsets: the theme's regular and
bold fonts (DejaVu Sans by default) and a fallback (Droid Sans Fallback, for CJK names) used
only for the characters the main font lacks. `runs()` splits text into (font, text) pieces so
that each character is drawn with a font that has it; `text.para` does the same inside
paragraphs.

The fallback is large (3 MB); it is parsed only the first time a character needs it.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from consult.core.record import record
from consult.render.theme import Theme


@record
class FontSet:
    """The registered font names a document draws with."""

    regular: str
    bold: str
    fallback_path: Path | None

    @property
    def fallback(self) -> str | None:
        """The fallback font's registered name (registering it now), or None without one."""
        return None if self.fallback_path is None else register(self.fallback_path)


class _MeasuringTTFont(TTFont):  # type: ignore[misc]  # ReportLab has no type hints
    """A TrueType font that remembers the widths it has measured.

    ReportLab measures the same strings again and again while it lays out and draws a
    document — a cell to size its column, to right-align it, to place the text after it; a
    word to break a line — each time by summing its characters' widths in Python. An invoice
    asks about 550 times for about 270 different strings. The width of a string in a font at
    a size never changes, so the answer is kept (the same number: the PDF does not change).
    """

    _MAX = 8192  # strings remembered per font; beyond that the memory starts again

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self._widths: dict[tuple[object, float, str], float] = {}

    def stringWidth(self, text: str, size: float, encoding: str = "utf8") -> float:  # ReportLab's name
        key = (text, size, encoding)
        width = self._widths.get(key)
        if width is None:
            if len(self._widths) >= self._MAX:
                self._widths.clear()
            width = self._widths[key] = super().stringWidth(text, size, encoding)
        return width


@cache
def register(path: Path) -> str:
    """Register the TrueType font at `path` (once per process) and return its name."""
    name = f"consult-{path.stem}"
    if name in pdfmetrics.getRegisteredFontNames():
        name = f"consult-{path.stem}-{abs(hash(str(path))) % 10_000}"
    pdfmetrics.registerFont(_MeasuringTTFont(name, str(path)))
    return name


@cache
def _charmap(name: str) -> frozenset[int]:
    font = pdfmetrics.getFont(name)
    return frozenset(font.face.charToGlyph)


def has_char(font_name: str, ch: str) -> bool:
    """True when the font draws `ch` (space-like control characters always count as drawn)."""
    return ord(ch) in _charmap(font_name) or ch in "\n\t\r"


def fonts_for(theme: Theme) -> FontSet:
    """The theme's fonts, registered."""
    return FontSet(register(theme.font_regular), register(theme.font_bold), theme.font_fallback)


def covered(text: str, font_name: str) -> bool:
    """True when `font_name` alone draws every character of `text`."""
    return _charmap(font_name).issuperset(map(ord, text))


def runs(text: str, font_name: str, fonts: FontSet) -> list[tuple[str, str]]:
    """`text` cut into (font name, text) pieces: the main font wherever it has the character,
    the fallback where only the fallback has it (characters neither has stay with the main
    font, which draws its 'missing' box rather than nothing)."""
    cmap = _charmap(font_name)
    if cmap.issuperset(map(ord, text)):
        return [(font_name, text)] if text else []
    fallback = fonts.fallback
    fmap = _charmap(fallback) if fallback else frozenset()
    out: list[tuple[str, str]] = []
    for ch in text:
        use = font_name if ord(ch) in cmap or ord(ch) not in fmap else fallback
        assert use is not None
        if out and out[-1][0] == use:
            out[-1] = (use, out[-1][1] + ch)
        else:
            out.append((use, ch))
    return out


@lru_cache(maxsize=16384)
def string_width(text: str, font_name: str, size: float, fonts: FontSet) -> float:
    """Width in points of `text` drawn by runs (cached: sizing columns measures each figure
    again and again)."""
    return float(sum(pdfmetrics.stringWidth(t, f, size) for f, t in runs(text, font_name, fonts)))


def draw_string(canvas: Canvas, x: float, y: float, text: str, font_name: str, size: float, fonts: FontSet,
                align: str = "left") -> None:
    """Draw one line on a canvas with per-character fallback; `align` is left, right or centre."""
    pieces = runs(text, font_name, fonts)
    width = sum(pdfmetrics.stringWidth(t, f, size) for f, t in pieces)
    if align == "right":
        x -= width
    elif align == "centre":
        x -= width / 2
    for f, t in pieces:
        canvas.setFont(f, size)
        canvas.drawString(x, y, t)
        x += pdfmetrics.stringWidth(t, f, size)
