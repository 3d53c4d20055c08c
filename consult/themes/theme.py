"""Document themes: page, colours, fonts, logo, words and footer as data, not code.

A theme is YAML. The packaged `consult/themes/default.yaml` names every field with its default
and every English word; `de.yaml` and `fr.yaml` beside it hold the German and French words
(with each language's date pattern). A books folder's `templates/<name>.yaml` overrides only
what it names (mappings merge key by key), so a user can translate one label or change one
colour without copying the rest. A bad theme stops the command with one message naming the
file, line and field (`ConsultError`, exit 1) — a misspelt field is an error, not silently
ignored. `labels:` may also name words no packaged document knows (a theme can carry words for
documents added later); `consult check` warns about those, as likely misspellings.

**Languages.** A document is drawn in one language: its client's `language:`, else the
theme's `language` (`en` by default). The words for language L are the packaged English words,
overlaid by the packaged words of L, by the theme's `labels:` when L is the theme's own
language, and by the theme's `translations: {L: {labels: …}}`. The pattern and language of
dates come the same way (`locale`, `date_format`). A language with no words anywhere is an
error that says how to add them.

**Frozen themes.** What an issued invoice was drawn with — page, colours, font and logo file
names, the language, date pattern, footer and every word an invoice prints — is written into
its record (`freeze`), and `invoice render` draws it again from there (`load_frozen`), so a
copy made years later reads exactly as the original, whatever the theme says by then.

This module imports no ReportLab: sizes are plain points (1/72 inch), colours `#RRGGBB`.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import field
from functools import cache
from pathlib import Path
from typing import Any

from consult.books.fields import id_problem
from consult.books.yamlsource import Scalar, Value, YamlProblem, YMap, YSeq, load_yaml
from consult.core.record import record
from consult.errors import ConsultError, Problem, Source
from consult.themes.files import font_problem, image_problem

PACKAGE = Path(__file__).resolve().parent.parent
THEMES = PACKAGE / "themes"
PACKAGED_THEME = THEMES / "default.yaml"
PACKAGED_FONTS = PACKAGE / "fonts"

MM = 72 / 25.4  # points per millimetre
PAGE_SIZES = {"A4": (210 * MM, 297 * MM), "Letter": (612.0, 792.0), "Legal": (612.0, 1008.0)}
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
TRANSLATION_FIELDS: dict[str, Any] = {"locale": None, "date_format": None, "footer": None, "labels": {}}
FIRST_PROPOSAL_WORD = "proposal"  # in default.yaml the invoice words come first, then the proposal words


@record
class Colours:
    """`#RRGGBB` strings; the renderer turns them into ReportLab colours."""

    text: str
    muted: str
    accent: str
    header_text: str
    rule: str
    stripe: str
    watermark: str


@record
class Theme:
    """A resolved theme for one language: every path checked, every size in points.

    `locale` is the locale of dates (and of numbers where the document has no locale of its
    own); `source` names where it came from (a file, or the record it was frozen in) for
    messages; `data` is the merged theme as plain data (what `freeze` writes).
    """

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
    language: str = "en"
    source: str = field(default="consult/themes/default.yaml", compare=False)
    data: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

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
        out: list[str] = []
        for part in template.split(" · "):
            names = _PLACEHOLDER.findall(part)
            if any(not values.get(n) for n in names):
                continue
            out.append(_PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), part))
        return " · ".join(out)

    @property
    def files(self) -> dict[str, Path]:
        """The theme's files by field: fonts and logo."""
        out = {"fonts.regular": self.font_regular, "fonts.bold": self.font_bold}
        if self.font_fallback is not None:
            out["fonts.fallback"] = self.font_fallback
        if self.logo is not None:
            out["logo"] = self.logo
        return out


# --------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------
class ThemeError(ConsultError):
    """A theme that cannot be used, as one books problem (file, line, field, what to do)."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _fail(source: Source, path: str | None, message: str) -> ThemeError:
    return ThemeError(Problem(source, path, message))


def _parse(text: str, shown: str) -> YMap:
    try:
        doc = load_yaml(text, shown)
    except YamlProblem as e:
        raise ThemeError(e.problem) from None
    if doc is None:
        doc = YMap()
        doc.key_pos = {}
    if not isinstance(doc, YMap):
        raise _fail(Source(shown, getattr(doc, "line", None)), None,
                    "a theme is a mapping of fields (page:, colours:, fonts:, labels: …)")
    return doc


def _read(path: Path, shown: str) -> YMap:
    from consult.books.files import binary_kind, not_text_problem

    try:
        data = path.read_bytes()
    except OSError as e:
        raise _fail(Source(shown), None, f"cannot be read ({e.strerror})") from None
    if (kind := binary_kind(data)) is not None:  # a logo saved under the theme's name: say so
        raise _fail(Source(shown), None, not_text_problem(kind, shown))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _fail(Source(shown), None, "is not UTF-8 text; save it as UTF-8") from None
    return _parse(text.removeprefix("\ufeff"), shown)


def _takes_new_keys(path: str) -> bool:
    return path == "labels" or path.endswith(".labels")


def _merge(base: Any, over: Value, shown: str, path: str, where: dict[str, Source]) -> Any:
    """`over` laid on `base` (plain data), recording where each overriding value was written."""
    if isinstance(over, YMap):
        if path == "translations":
            return _merge_translations(base, over, shown, where)
        if not isinstance(base, dict):
            raise _fail(Source(shown, over.line), path, "expected a single value here, not a mapping")
        out = dict(base)
        for key, value in over.items():
            sub = f"{path}.{key}" if path else key
            line = over.key_pos[key][0]
            where[sub] = Source(shown, line)
            if key not in base and _takes_new_keys(path) and isinstance(value, Scalar):
                base = {**base, key: ""}  # a word for a document the packaged theme does not know
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


def _merge_translations(base: Any, over: YMap, shown: str, where: dict[str, Source]) -> dict[str, Any]:
    out = dict(base or {})
    for lang, value in over.items():
        line = over.key_pos[lang][0]
        where[f"translations.{lang}"] = Source(shown, line)
        if not _LANGUAGE.fullmatch(lang):
            raise _fail(Source(shown, line), f"translations.{lang}",
                        "a language is a lower-case ISO 639 code, e.g. de or fr")
        out[lang] = _merge(out.get(lang, TRANSLATION_FIELDS), value, shown, f"translations.{lang}", where)
    return out


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
    """A font named in a theme: a .ttf in the books' templates/ folder, else one consult ships.

    A font of the books is checked in full (font_problem); consult's own are trusted."""
    if "/" in value or "\\" in value or value.startswith("."):
        raise _fail(src, fieldname, f"'{value}' must be a plain file name (put the font in templates/)")
    for folder in (templates, PACKAGED_FONTS):
        p = folder / value
        if p.is_file():
            if folder is templates:
                if not _inside(templates, p):
                    raise _fail(src, fieldname, f"'{value}' leads outside the books folder; copy the font itself "
                                "into templates/")
                why = _font_problem_cached(str(p), _mtime(p))
                if why:
                    raise _fail(src, fieldname, f"templates/{value} {why}")
            else:
                with p.open("rb") as f:
                    if f.read(4) not in (b"\x00\x01\x00\x00", b"true"):
                        raise _fail(src, fieldname, f"'{value}' is not a TrueType font with glyph outlines "
                                    "(.otf/.ttc CFF fonts cannot be embedded); use a .ttf such as DejaVuSans.ttf")
            return p
    raise _fail(src, fieldname, f"no font file '{value}' in templates/ or among consult's fonts "
                f"({', '.join(sorted(p.name for p in PACKAGED_FONTS.glob('*.ttf')))})")


def _mtime(p: Path) -> tuple[int, int]:
    st = p.stat()
    return st.st_mtime_ns, st.st_size


@cache
def _font_problem_cached(path: str, _stamp: tuple[int, int]) -> str | None:
    return font_problem(Path(path))


@cache
def _image_problem_cached(path: str, _stamp: tuple[int, int]) -> str | None:
    return image_problem(Path(path))


def _number(value: Any, src: Source, fieldname: str, lo: float, hi: float) -> float:
    try:
        n = float(str(value))  # a layout size, not money: a float is right here
    except ValueError:
        raise _fail(src, fieldname, f"'{value}' is not a number") from None
    if not lo <= n <= hi:
        raise _fail(src, fieldname, f"{value} is outside {lo:g}–{hi:g}")
    return n


def _stamp(path: Path) -> str | None:
    """A file's content hash: a theme read in this process is reused only while its bytes
    are the same (consult.books.cache's rule, without a file on disk)."""
    from consult.books.cache import sha256_file

    return sha256_file(path) if path.is_file() else None


@cache
def _packaged(language: str) -> dict[str, Any] | None:
    """The packaged words of `language` (consult/themes/<language>.yaml) as plain data."""
    path = THEMES / f"{language}.yaml"
    if language == "default" or not path.is_file():
        return None
    data = _plain(_read(path, str(path)))
    return data if isinstance(data, dict) else None


@cache
def _packaged_base() -> dict[str, Any]:
    data = _plain(_read(PACKAGED_THEME, str(PACKAGED_THEME)))
    assert isinstance(data, dict)
    return data


def packaged_labels() -> dict[str, str]:
    """Every word a packaged document prints, in English (the keys any language may set)."""
    return dict(_packaged_base()["labels"])


def packaged_languages() -> list[str]:
    """The languages consult ships words for (English first)."""
    return ["en", *sorted(p.stem for p in THEMES.glob("*.yaml") if p.stem not in ("default", "en"))]


def invoice_words() -> tuple[str, ...]:
    """The label keys an invoice or credit note may print (frozen with each issued record):
    the packaged labels before the first proposal word."""
    keys = list(_packaged_base()["labels"])
    return tuple(keys[: keys.index(FIRST_PROPOSAL_WORD)])


_CACHE: dict[tuple[object, ...], Theme] = {}


def load_theme(books_root: Path, name: str = "default", language: str | None = None) -> Theme:
    """The theme `name` in `language` (None: the theme's own): packaged defaults overridden
    by `<books>/templates/<name>.yaml`.

    `default` needs no file in the books; any other name must exist there. Raises
    ConsultError naming the file, line and field of the first thing wrong. A theme already
    read in this process is reused while its files are unchanged (a batch of renders reads
    and checks it once).
    """
    problem = id_problem(name)
    if problem:
        raise ThemeError(Problem(Source(f"templates/{name}.yaml"), "template", problem))
    user = Path(books_root) / "templates" / f"{name}.yaml"
    langs = tuple(_stamp(THEMES / f"{x}.yaml") for x in packaged_languages()[1:])
    key = (os.path.realpath(books_root), name, language, _stamp(user), _stamp(PACKAGED_THEME), langs)
    theme = _CACHE.get(key)
    if theme is None:
        theme = _CACHE[key] = _load_theme(Path(books_root), name, language)
    return theme


def _user_doc(books_root: Path, name: str) -> tuple[YMap | None, str]:
    templates = Path(books_root) / "templates"
    user = templates / f"{name}.yaml"
    shown = f"templates/{name}.yaml"
    if user.is_file() or user.is_symlink():
        if not _inside(Path(books_root), user):
            raise _fail(Source(shown), None, "leads outside the books folder; put the theme itself here")
        return _read(user, shown), shown
    if name != "default":
        raise _fail(Source(shown), None, f"no such theme (the client, practice.yaml or an invoice names template "
                    f"'{name}'); create it or use 'default'")
    return None, shown


def _load_theme(books_root: Path, name: str, language: str | None) -> Theme:
    doc, shown = _user_doc(books_root, name)
    return _resolve(books_root, name, language, doc, shown)


def _resolve(books_root: Path, name: str, language: str | None, doc: YMap | None, shown: str) -> Theme:
    base = _packaged_base()
    where: dict[str, Source] = {}
    data = _merge(base, doc, shown, "", where) if doc is not None else dict(base)
    templates = Path(books_root) / "templates"

    def src(path: str) -> Source:
        return where.get(path, Source(str(PACKAGED_THEME)))

    own = str(data["language"] or "en")
    if not _LANGUAGE.fullmatch(own):
        raise _fail(src("language"), "language", f"'{own}' is not a language; write an ISO 639 code, e.g. en or de")
    lang = language or own
    if not _LANGUAGE.fullmatch(lang):
        raise _fail(Source(shown), "language", f"'{lang}' is not a language; write an ISO 639 code, e.g. en, de or fr")
    packaged = _packaged(lang) if lang != "en" else None
    translated = (data.get("translations") or {}).get(lang)
    if lang not in ("en", own) and packaged is None and translated is None:
        raise _fail(Source(shown), None, f"has no words for language '{lang}' (consult ships "
                    f"{', '.join(packaged_languages())}); add them under `translations: {{{lang}: {{labels: …}}}}` "
                    "— docs/documents.md shows how")
    labels = dict(base["labels"])
    locale, date_format, footer = str(base["locale"]), str(base["date_format"]), None
    if packaged is not None:
        labels.update(packaged.get("labels") or {})
        locale = str(packaged.get("locale") or locale)
        date_format = str(packaged.get("date_format") or date_format)
    if lang == own:
        own_labels = doc.get("labels") if doc is not None else None
        if isinstance(own_labels, YMap):
            labels.update({k: data["labels"][k] for k in own_labels})
        if "locale" in where:
            locale = str(data["locale"])
        if "date_format" in where:
            date_format = str(data["date_format"])
    if "footer" in where and data["footer"]:
        footer = str(data["footer"])
    lang_src = Source(shown)
    if translated is not None:
        lang_src = where.get(f"translations.{lang}", lang_src)
        labels.update({k: v for k, v in (translated.get("labels") or {}).items() if v is not None})
        locale = str(translated.get("locale") or locale)
        date_format = str(translated.get("date_format") or date_format)
        footer = str(translated["footer"]) if translated.get("footer") else footer
    labels = {k: ("" if v is None else str(v)) for k, v in labels.items()}
    footer = footer if footer is not None else labels.get("footer", "")

    page = data["page"]
    size = page["size"]
    if size not in PAGE_SIZES:
        raise _fail(src("page.size"), "page.size", f"'{size}' is not a page size; use one of {', '.join(PAGE_SIZES)}")
    m = page["margins_mm"]
    top, right, bottom, left = (_number(m[k], src(f"page.margins_mm.{k}"), f"page.margins_mm.{k}", 5, 60) * MM
                                for k in ("top", "right", "bottom", "left"))
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
        why = _image_problem_cached(str(p), _mtime(p))
        if why:
            raise _fail(src("logo"), "logo", f"templates/{value} {why}")
        logo = p
    try:
        from babel import Locale

        Locale.parse(locale)
    except (ValueError, LookupError):
        bad = lang_src if translated is not None and translated.get("locale") else src("locale")
        raise _fail(bad, "locale", f"'{locale}' is not a locale; write e.g. en_GB or de_DE") from None
    return Theme(
        name=name, page_size=PAGE_SIZES[size], margins=(top, right, bottom, left),
        colours=Colours(**colours),
        font_regular=regular, font_bold=bold, font_fallback=fallback,
        font_size=_number(fonts["size"], src("fonts.size"), "fonts.size", 6, 16),
        logo=logo, logo_width=_number(data["logo_width_mm"], src("logo_width_mm"), "logo_width_mm", 5, 120) * MM,
        locale=locale, date_format=date_format, footer=footer, labels=labels, language=lang, source=shown,
        data=data,
    )


# --------------------------------------------------------------------------------------------
# frozen themes: what an issued document was drawn with
# --------------------------------------------------------------------------------------------
@record
class Frozen:
    """A theme as frozen into an issued record: the theme as YAML text (every field given,
    the words of one language) and the SHA-256 of each font and logo file it names."""

    language: str
    text: str
    files: dict[str, str] = field(hash=False)


def file_hashes(theme: Theme) -> dict[str, str]:
    """File name -> SHA-256 of the theme's fonts and logo."""
    return {p.name: _sha256(str(p), _mtime(p)) for p in theme.files.values()}


@cache
def _sha256(path: str, _stamp: tuple[int, int]) -> str:
    p = Path(path)
    if p.parent == PACKAGED_FONTS and (digest := packaged_font_sums().get(p.name)):
        return digest
    return hashlib.sha256(p.read_bytes()).hexdigest()


@cache
def packaged_font_sums() -> dict[str, str]:
    """The SHA-256 of each font consult ships, from `consult/fonts/SHA256SUMS` (`sha256sum`'s
    format): hashing the three files (5 MB) took 8 ms of every issue, to freeze their hashes in
    the record, for bytes that are part of the installed package like its code.
    tests/test_themes.py fails when the file and the fonts disagree (refresh it with
    `sha256sum *.ttf > SHA256SUMS` in consult/fonts)."""
    try:
        lines = (PACKAGED_FONTS / "SHA256SUMS").read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    sums = {}
    for line in lines:
        digest, _, name = line.partition("  ")
        if len(digest) == 64 and name:
            sums[name] = digest
    return sums


def freeze(theme: Theme, words: tuple[str, ...] | None = None) -> Frozen:
    """The theme as an issued record keeps it: everything but the words other documents use.

    `words` are the label keys kept (default: `invoice_words()`)."""
    import yaml

    keep = words if words is not None else invoice_words()
    d = theme.data
    doc = {
        "page": d["page"], "colours": d["colours"], "fonts": d["fonts"], "logo": d["logo"],
        "logo_width_mm": d["logo_width_mm"], "language": theme.language, "locale": theme.locale,
        "date_format": theme.date_format, "footer": theme.footer,
        "labels": {k: theme.labels[k] for k in keep if k in theme.labels},
    }
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter: the same text, ~20x faster
    text = yaml.dump(doc, Dumper=dumper, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False)
    return Frozen(theme.language, text, file_hashes(theme))


def freeze_theme(books_root: Path, name: str, language: str | None) -> Frozen:
    """`freeze(load_theme(books_root, name, language))`."""
    return freeze(load_theme(books_root, name, language))


_FROZEN: dict[tuple[str, str], Theme] = {}


def load_frozen(books_root: Path, text: str, shown: str, name: str = "default") -> Theme:
    """The theme frozen in a record (`text`, as `freeze` wrote it), its fonts and logo found as
    any theme's are. `shown` names the record in messages."""
    key = (os.path.realpath(books_root), hashlib.sha256(text.encode("utf-8")).hexdigest())
    theme = _FROZEN.get(key)
    if theme is None:
        doc = _parse(text, shown)
        lang = doc.get("language")
        language = lang.text if isinstance(lang, Scalar) else None
        theme = _FROZEN[key] = _resolve(Path(books_root), name, language, doc, shown)
    return theme


def changed_files(theme: Theme, frozen: dict[str, str]) -> list[str]:
    """The font and logo files whose bytes differ from those the record was issued with."""
    now = file_hashes(theme)
    return sorted(n for n, h in frozen.items() if now.get(n) not in (None, h) or n not in now)
