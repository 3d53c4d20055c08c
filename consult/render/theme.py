"""Document themes: page, colours, fonts, logo, labels and footer as data, not code.

A theme is YAML. The packaged `consult/themes/default.yaml` names every field with its default;
a books folder's `templates/<name>.yaml` overrides only what it names (mappings merge key by
key), so a user can translate one label or change one colour without copying the rest. A bad
theme stops the command with one message naming the file, line and field (`ConsultError`,
exit 1) — a misspelt field is an error, not silently ignored. `labels:` is the exception: it
may name words the packaged theme does not know, because each document (proposals, reports)
brings its own and looks them up with `label(key)` falling back to its own default.

This module imports no ReportLab: sizes are plain points (1/72 inch), colours `#RRGGBB`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from consult.books.fields import id_problem
from consult.books.yamlsource import Scalar, Value, YamlProblem, YMap, YSeq, load_yaml
from consult.errors import ConsultError, Source

PACKAGE = Path(__file__).resolve().parent.parent
PACKAGED_THEME = PACKAGE / "themes" / "default.yaml"
PACKAGED_FONTS = PACKAGE / "fonts"

MM = 72 / 25.4  # points per millimetre
PAGE_SIZES = {"A4": (210 * MM, 297 * MM), "Letter": (612.0, 792.0), "Legal": (612.0, 1008.0)}
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


@dataclass(frozen=True, slots=True)
class Colours:
    """`#RRGGBB` strings; the renderer turns them into ReportLab colours."""

    text: str
    muted: str
    accent: str
    header_text: str
    rule: str
    stripe: str
    watermark: str


@dataclass(frozen=True, slots=True)
class Theme:
    """A resolved theme: every path checked, every size in points."""

    name: str
    page_size: tuple[float, float]
    margins: tuple[float, float, float, float]  # top, right, bottom, left
    colours: Colours
    font_regular: Path
    font_bold: Path
    font_fallback: Path | None
    font_size: float
    logo: Path | None
    logo_width: float
    locale: str
    date_format: str
    footer: str
    labels: dict[str, str] = field(hash=False, compare=True)

    def label(self, key: str, **values: object) -> str:
        """The label text with `{name}` placeholders filled (unknown ones left as written).

        Only simple `{word}` substitution: a theme is user data, so no format-spec or
        attribute access (`{x.__class__}`) is ever evaluated.
        """
        text = self.labels.get(key, key)
        if not values:
            return text
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)

    def fill(self, template: str, **values: object) -> str:
        """`template` with placeholders filled from `values`; missing or empty ones dropped with
        the separator before them (so a footer without a company number reads cleanly)."""
        parts = [p for p in template.split(" · ")]
        out: list[str] = []
        for part in parts:
            names = _PLACEHOLDER.findall(part)
            if any(not values.get(n) for n in names):
                continue
            out.append(_PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), part))
        return " · ".join(out)


# --------------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------------
def _fail(source: Source, path: str | None, message: str) -> ConsultError:
    where = f"{source}: " + (f"{path}: " if path else "")
    return ConsultError(where + message)


def _read(path: Path, shown: str) -> YMap:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise _fail(Source(shown), None, "is not UTF-8 text; save it as UTF-8") from None
    except OSError as e:
        raise _fail(Source(shown), None, f"cannot be read ({e.strerror})") from None
    try:
        doc = load_yaml(text, shown)
    except YamlProblem as e:
        raise ConsultError(str(e.problem)) from None
    if doc is None:
        doc = YMap()
        doc.key_pos = {}
    if not isinstance(doc, YMap):
        raise _fail(Source(shown, getattr(doc, "line", None)), None,
                    "a theme is a mapping of fields (page:, colours:, fonts:, labels: …)")
    return doc


def _merge(base: Any, over: Value, shown: str, path: str, where: dict[str, Source]) -> Any:
    """`over` laid on `base` (plain data), recording where each overriding value was written."""
    if isinstance(over, YMap):
        if not isinstance(base, dict):
            raise _fail(Source(shown, over.line), path, "expected a single value here, not a mapping")
        out = dict(base)
        for key, value in over.items():
            sub = f"{path}.{key}" if path else key
            line = over.key_pos[key][0]
            where[sub] = Source(shown, line)
            if key not in base and path == "labels" and isinstance(value, Scalar):
                base = {**base, key: ""}  # other documents (proposals, reports) bring their own words
            if key not in base:
                known = ", ".join(sorted(base))
                raise _fail(Source(shown, line), sub, f"unknown field; known fields here: {known}")
            out[key] = _merge(base[key], value, shown, sub, where)
        return out
    if isinstance(over, YSeq):
        raise _fail(Source(shown, over.line), path, "expected a single value, not a list")
    assert isinstance(over, Scalar)
    if isinstance(base, dict):
        if over.is_null:
            return base
        raise _fail(Source(shown, over.line), path, "expected a mapping of fields here")
    return None if over.is_null else over.text


def _plain(v: Value | None) -> Any:
    if isinstance(v, YMap):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, YSeq):
        return [_plain(x) for x in v]
    if v is None or v.is_null:
        return None
    return v.text


def _inside(root: Path, path: Path) -> bool:
    base = Path(os.path.realpath(root))
    target = Path(os.path.realpath(path))
    return base in target.parents


def _font_file(value: str, templates: Path, src: Source, fieldname: str) -> Path:
    """A font named in a theme: a .ttf in the books' templates/ folder, else one consult ships."""
    if "/" in value or "\\" in value or value.startswith("."):
        raise _fail(src, fieldname, f"'{value}' must be a plain file name (put the font in templates/)")
    for folder in (templates, PACKAGED_FONTS):
        p = folder / value
        if p.is_file():
            if folder is templates and not _inside(templates, p):
                raise _fail(src, fieldname, f"'{value}' leads outside the books folder; copy the font itself "
                            "into templates/")
            with p.open("rb") as f:
                magic = f.read(4)
            if magic not in (b"\x00\x01\x00\x00", b"true"):
                raise _fail(src, fieldname, f"'{value}' is not a TrueType font with glyph outlines "
                            "(.otf/.ttc CFF fonts cannot be embedded); use a .ttf such as DejaVuSans.ttf")
            return p
    raise _fail(src, fieldname, f"no font file '{value}' in templates/ or among consult's fonts "
                f"({', '.join(sorted(p.name for p in PACKAGED_FONTS.glob('*.ttf')))})")


def _number(value: Any, src: Source, fieldname: str, lo: float, hi: float) -> float:
    try:
        n = float(str(value))  # a layout size, not money: a float is right here
    except ValueError:
        raise _fail(src, fieldname, f"'{value}' is not a number") from None
    if not lo <= n <= hi:
        raise _fail(src, fieldname, f"{value} is outside {lo:g}–{hi:g}")
    return n


_CACHE: dict[tuple[object, ...], Theme] = {}


def _stamp(path: Path) -> str | None:
    """The theme file's content hash: a theme read in this process is reused only while its
    bytes are the same (consult.books.cache's rule, without a file on disk)."""
    from consult.books.cache import sha256_file

    return sha256_file(path) if path.is_file() else None


def load_theme(books_root: Path, name: str = "default") -> Theme:
    """The theme `name`: packaged defaults overridden by `<books>/templates/<name>.yaml`.

    `default` needs no file in the books; any other name must exist there. Raises
    ConsultError naming the file, line and field of the first thing wrong. A theme already
    read in this process is reused while its file is unchanged (a batch of renders reads and
    checks it once).
    """
    problem = id_problem(name)
    if problem:
        raise ConsultError(f"template: {problem}")
    user = Path(books_root) / "templates" / f"{name}.yaml"
    key = (os.path.realpath(books_root), name, _stamp(user), _stamp(PACKAGED_THEME))
    theme = _CACHE.get(key)
    if theme is None:
        theme = _CACHE[key] = _load_theme(Path(books_root), name)
    return theme


def _load_theme(books_root: Path, name: str) -> Theme:
    problem = id_problem(name)
    if problem:
        raise ConsultError(f"template: {problem}")
    base = _plain(_read(PACKAGED_THEME, str(PACKAGED_THEME)))
    where: dict[str, Source] = {}
    templates = Path(books_root) / "templates"
    user = templates / f"{name}.yaml"
    shown = f"templates/{name}.yaml"
    if user.is_file() or user.is_symlink():
        if not _inside(Path(books_root), user):
            raise _fail(Source(shown), None, "leads outside the books folder; put the theme itself here")
        data = _merge(base, _read(user, shown), shown, "", where)
    elif name != "default":
        raise ConsultError(f"{shown}: no such theme (the invoice or practice.yaml names template "
                           f"'{name}'); create it or use 'default'")
    else:
        data = base

    def src(path: str) -> Source:
        return where.get(path, Source(str(PACKAGED_THEME)))

    page = data["page"]
    size = page["size"]
    if size not in PAGE_SIZES:
        raise _fail(src("page.size"), "page.size", f"'{size}' is not a page size; use one of {', '.join(PAGE_SIZES)}")
    m = page["margins_mm"]
    top, right, bottom, left = (_number(m[k], src(f"page.margins_mm.{k}"), f"page.margins_mm.{k}", 5, 60) * MM
                                for k in ("top", "right", "bottom", "left"))
    margins = (top, right, bottom, left)
    colours = {}
    for k, v in data["colours"].items():
        if not isinstance(v, str) or not _COLOUR.fullmatch(v):
            raise _fail(src(f"colours.{k}"), f"colours.{k}", f"'{v}' is not a colour; write #RRGGBB, e.g. #0b4f8a")
        colours[k] = v.lower()
    fonts = data["fonts"]
    regular = _font_file(str(fonts["regular"]), templates, src("fonts.regular"), "fonts.regular")
    bold = _font_file(str(fonts["bold"]), templates, src("fonts.bold"), "fonts.bold")
    fallback = (_font_file(str(fonts["fallback"]), templates, src("fonts.fallback"), "fonts.fallback")
                if fonts["fallback"] else None)
    logo = None
    if data["logo"]:
        value = str(data["logo"])
        p = templates / value
        if "/" in value or "\\" in value or not p.is_file():
            raise _fail(src("logo"), "logo", f"no image '{value}' in templates/; put the file there")
        if not _inside(templates, p):
            raise _fail(src("logo"), "logo", f"'{value}' leads outside the books folder; copy the image itself")
        if p.suffix.lower() not in _IMAGE_SUFFIXES:
            raise _fail(src("logo"), "logo", f"'{value}' must be a PNG or JPEG image")
        logo = p
    locale = str(data["locale"])
    try:
        from babel import Locale

        Locale.parse(locale)
    except (ValueError, LookupError):
        raise _fail(src("locale"), "locale", f"'{locale}' is not a locale; write e.g. en_GB or de_DE") from None
    labels = {k: ("" if v is None else str(v)) for k, v in data["labels"].items()}
    return Theme(
        name=name, page_size=PAGE_SIZES[size], margins=margins,
        colours=Colours(**colours),
        font_regular=regular, font_bold=bold, font_fallback=fallback,
        font_size=_number(fonts["size"], src("fonts.size"), "fonts.size", 6, 16),
        logo=logo, logo_width=_number(data["logo_width_mm"], src("logo_width_mm"), "logo_width_mm", 5, 120) * MM,
        locale=locale, date_format=str(data["date_format"]), footer=str(data["footer"] or ""), labels=labels,
    )
