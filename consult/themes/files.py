"""Is a theme's font or logo a file the renderer can use? Answered without ReportLab.

A theme names TrueType fonts and a PNG/JPEG logo in the books' `templates/` folder. A font cut
short by a bad download, a renamed `.otf`, or an image that is really an HTML error page must
be reported by `consult check` and by the command that draws the document as a books problem
(file, field, what to do), never met as a ReportLab traceback halfway through a PDF.

`font_problem` reads the TrueType table directory and the tables ReportLab's parser needs
(reportlab.pdfbase.ttfonts.TTFontFile.extractInfo: head, hhea, maxp, hmtx, cmap, loca, glyf,
name, post, and OS/2 when present), checks each lies inside the file, and checks the fields
ReportLab refuses on: the head magic number, the metric and glyph formats, a Unicode
character map, and the embedding permission (OS/2 fsType). `image_problem` asks Pillow
(which ReportLab itself uses to read images) to decode the whole image.
"""

from __future__ import annotations

import struct
from pathlib import Path

TRUETYPE = (b"\x00\x01\x00\x00", b"true")
REQUIRED_TABLES = ("head", "hhea", "maxp", "hmtx", "cmap", "loca", "glyf", "name", "post")
HEAD_MAGIC = 0x5F0F3CF5


def font_problem(path: Path) -> str | None:
    """Why the file at `path` cannot be embedded as a TrueType font, or None when it can."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        return f"cannot be read ({e.strerror})"
    if data[:4] not in TRUETYPE:
        if data[:4] == b"OTTO":
            return ("is not a TrueType font with glyph outlines: it is OpenType/CFF (.otf), which cannot be "
                    "embedded; use a .ttf such as DejaVuSans.ttf")
        if data[:4] == b"ttcf":
            return "is a font collection (.ttc); use a single .ttf"
        return "is not a TrueType font (its first bytes are not a font header)"
    try:
        return _tables_problem(data)
    except struct.error:
        return "is cut short or damaged (a font table runs past the end of the file)"


def _tables_problem(data: bytes) -> str | None:
    (count,) = struct.unpack_from(">H", data, 4)
    if count == 0 or 12 + 16 * count > len(data):
        return "is cut short or damaged (its table directory is incomplete)"
    tables: dict[str, tuple[int, int]] = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack_from(">4sLLL", data, 12 + 16 * i)
        if offset + length > len(data):
            return f"is cut short or damaged (its '{tag.decode('latin-1')}' table runs past the end of the file)"
        tables[tag.decode("latin-1")] = (offset, length)
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        return f"lacks the font tables {', '.join(missing)} that embedding needs"
    head = tables["head"][0]
    major, magic = struct.unpack_from(">H", data, head)[0], struct.unpack_from(">L", data, head + 12)[0]
    if major != 1 or magic != HEAD_MAGIC:
        return "is damaged (its head table is not a TrueType head table)"
    (glyph_format,) = struct.unpack_from(">h", data, head + 52)
    if glyph_format != 0:
        return "is damaged (unknown glyph data format)"
    hhea = tables["hhea"][0]
    if struct.unpack_from(">H", data, hhea)[0] != 1 or struct.unpack_from(">H", data, hhea + 34)[0] == 0:
        return "is damaged (its hhea table has no horizontal metrics)"
    if "OS/2" in tables:
        (fs_type,) = struct.unpack_from(">H", data, tables["OS/2"][0] + 8)
        if fs_type == 0x0002 or fs_type & 0x0300:
            return "does not allow embedding (its licence bits, OS/2 fsType, forbid it); choose another font"
    cmap = tables["cmap"][0]
    (n,) = struct.unpack_from(">H", data, cmap + 2)
    unicode_maps = 0
    for i in range(n):
        platform, encoding, _ = struct.unpack_from(">HHL", data, cmap + 4 + 8 * i)
        if platform == 0 or (platform == 3 and encoding in (1, 10)):
            unicode_maps += 1
    if not unicode_maps:
        return "has no Unicode character map, so its characters cannot be found"
    return None


def image_problem(path: Path) -> str | None:
    """Why the image at `path` cannot be drawn (decoded in full by Pillow), or None."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:  # pragma: no cover - Pillow comes with ReportLab
        return None
    try:
        with Image.open(path) as im:
            if im.format not in ("PNG", "JPEG"):
                return f"is a {im.format} image; use a PNG or JPEG"
            im.load()
            if im.width < 1 or im.height < 1:
                return "has no pixels"
    except UnidentifiedImageError:
        return "is not an image (Pillow cannot read it); save the logo as PNG or JPEG"
    except Image.DecompressionBombError:
        return "is far too large an image for a logo; save a smaller one"
    except (OSError, SyntaxError, ValueError) as e:
        return f"is damaged and cannot be drawn ({e})"
    return None
