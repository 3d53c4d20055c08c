"""`consult check` for documents: what would stop or spoil an invoice before one is issued.

* every theme in `templates/` and every theme a client or practice.yaml names is read in each
  language a client asks for: a misspelt field, a bad colour, a font or logo that is missing,
  damaged or cannot be embedded is an **error** with the theme's file, line and field (never
  met later as a traceback halfway through a PDF);
* a client whose `language:` its theme has no words for is an error at the client;
* a label no document prints (a likely misspelling) and a language of the theme's own that
  leaves words in English are **warnings**; so is a limited company with no `company_number`
  (its registration line cannot be printed);
* example values `consult init` wrote are warnings (consult.books.placeholders), refused when
  a document is issued; so is a VAT-registered practice's client with no address (a VAT
  invoice must show it, so invoicing it is refused).
"""

from __future__ import annotations

import difflib
from pathlib import Path

from consult.books.fields import id_problem
from consult.books.placeholders import check_placeholders
from consult.books.yamlsource import YamlProblem, YMap, load_yaml
from consult.core.records import Books
from consult.errors import Problem, Source
from consult.themes.theme import ThemeError, load_theme, packaged_labels, packaged_languages


def _theme_names(books: Books) -> dict[str, set[str | None]]:
    """Each theme to read, with the languages documents will be drawn in with it."""
    names: dict[str, set[str | None]] = {}
    if not id_problem(books.practice.invoice.template):  # a bad name is the loader's error already
        names[books.practice.invoice.template] = {None}
    folder = Path(books.root) / "templates"
    if folder.is_dir():
        for p in sorted(folder.glob("*.yaml")):
            if not id_problem(p.stem):
                names.setdefault(p.stem, {None})
    for c in books.clients.values():
        name = c.template or books.practice.invoice.template
        if c.kind == "client" and not id_problem(name):
            names.setdefault(name, {None}).add(c.language)
    return names


def _label_warnings(books: Books, name: str) -> list[Problem]:
    """Labels no document prints, and the words a language of the theme's own leaves in English."""
    path = Path(books.root) / "templates" / f"{name}.yaml"
    if not path.is_file():
        return []
    shown = f"templates/{name}.yaml"
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"), shown)
    except (YamlProblem, OSError, UnicodeDecodeError):
        return []  # load_theme has reported it
    if not isinstance(doc, YMap):
        return []
    known = list(packaged_labels())
    out: list[Problem] = []

    def unknown(labels: object, prefix: str) -> None:
        if not isinstance(labels, YMap):
            return
        for key in labels:
            if key not in known:
                near = difflib.get_close_matches(key, known, n=1, cutoff=0.7)
                tip = f"did you mean '{near[0]}'?" if near else "check its spelling (docs/documents.md lists the words)"
                out.append(Problem(Source(shown, labels.key_pos[key][0]), f"{prefix}.{key}",
                                   f"no document prints this word; {tip}", "warning"))

    unknown(doc.get("labels"), "labels")
    translations = doc.get("translations")
    if isinstance(translations, YMap):
        shipped = packaged_languages()
        for lang, body in translations.items():
            if not isinstance(body, YMap):
                continue
            unknown(body.get("labels"), f"translations.{lang}.labels")
            if lang not in shipped:
                words = body.get("labels")
                given = set(words) if isinstance(words, YMap) else set()
                left = [k for k in known if k not in given]
                if left:
                    out.append(Problem(Source(shown, translations.key_pos[lang][0]), f"translations.{lang}",
                                       f"{len(left)} words have no {lang} text and print in English (first: "
                                       f"{', '.join(left[:4])}); add them under labels:", "warning"))
    return out


def check_documents(books: Books) -> list[Problem]:
    """Everything above, in file order after sorting by `consult check`."""
    out: list[Problem] = []
    for name, languages in sorted(_theme_names(books).items()):
        broken = False
        for lang in sorted(languages, key=lambda x: x or ""):
            try:
                load_theme(Path(books.root), name, lang)
            except ThemeError as e:
                if lang is not None and "has no words for language" in e.problem.message:
                    for c in books.clients.values():
                        if c.language == lang and (c.template or books.practice.invoice.template) == name:
                            out.append(Problem(Source(c.source.path or f"clients/{c.id}/client.yaml"), "language",
                                               f"{e.problem.source.path} {e.problem.message}"))
                elif not broken:
                    out.append(e.problem)
                    broken = True
        if not broken:
            out += _label_warnings(books, name)
    out += check_placeholders(books)
    p = books.practice
    if p.structure == "limited_company" and not p.company_number:
        out.append(Problem(Source(p.source.path or "practice.yaml"), "company_number",
                           "missing — a company's invoices and letters must show its registered number, where it is "
                           "registered and its registered office (Trading Disclosures Regulations 2015 reg 25); add "
                           "company_number (and registered_office if it is not your address)", "warning"))
    for c in sorted(books.clients.values(), key=lambda c: c.id):
        if c.kind != "client":
            continue
        where = Source(c.source.path or f"clients/{c.id}/client.yaml")
        if p.vat_registered and not c.address:
            out.append(Problem(where, "address", "missing — a VAT invoice must show the customer's address "
                               "(VAT Regulations 1995 reg 14(1)(e)), so invoicing this client is refused until it "
                               "has one", "warning"))
    return out
