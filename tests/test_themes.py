"""Themes as data: languages, translations, frozen themes, and what `consult check` says about them.

A document is drawn in its client's language. English, German and French ship complete — every
word and sentence consult prints, tax statements and the rules block included — and a books
folder can change any word or add a language. What an issued document was drawn with is frozen
into its record; `consult check` reports a broken theme, font or logo with file and field.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from consult.errors import ConsultError
from consult.themes.theme import (
    THEMES,
    changed_files,
    freeze,
    invoice_words,
    load_frozen,
    load_theme,
    packaged_labels,
    packaged_languages,
)

REPO = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def books_with_theme(root: Path, text: str, name: str = "default") -> Path:
    (root / "templates").mkdir(parents=True, exist_ok=True)
    (root / "templates" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return root


class TestShippedLanguages:
    def test_english_german_and_french_ship(self):
        assert packaged_languages() == ["en", "de", "fr"]

    @pytest.mark.parametrize("language", ["de", "fr"])
    def test_every_english_word_has_a_translation_with_the_same_placeholders(self, language):
        """German and French are complete: every key English has, each with the same {names},
        so no sentence is left in English and none loses a figure."""
        import yaml

        words = yaml.safe_load((THEMES / f"{language}.yaml").read_text(encoding="utf-8"))["labels"]
        english = packaged_labels()
        assert sorted(set(english) - set(words)) == []
        assert sorted(set(words) - set(english)) == []
        for key, text in english.items():
            assert set(PLACEHOLDER.findall(str(words[key]))) == set(PLACEHOLDER.findall(str(text))), key

    def test_german_dates_follow_the_locale(self, tmp_path):
        """29. Dezember 2026, not "29 Dezember 2026"."""
        from babel.dates import format_date

        theme = load_theme(tmp_path, "default", "de")
        assert format_date(__import__("datetime").date(2026, 12, 29), theme.date_format, locale=theme.locale) == \
            "29. Dezember 2026"

    def test_german_tax_statements(self, tmp_path):
        """The reverse charge in the Directive's German words, with the mention UK law asks for."""
        theme = load_theme(tmp_path, "default", "de")
        assert theme.label("tax_reverse_charge").startswith("Steuerschuldnerschaft des Leistungsempfängers "
                                                            "(Reverse charge)")
        assert theme.label("credit_note") == "Rechnungskorrektur"  # never "Gutschrift" (self-billing in UStG)
        assert "Seite 1 von 2" == theme.label("page", page=1, pages=2)

    def test_the_rules_in_english_are_the_invoices_own_words(self):
        """Each rule phrase, filled, reads exactly as consult.work.rules / core.tax write it."""
        from decimal import Decimal

        from consult.core.money import Money
        from consult.core.records import Engagement
        from consult.core.tax import vat_rule_text
        from consult.invoices.build import rule_phrase, vat_rule_phrase
        from consult.work.rules import rule_text

        theme = load_theme(REPO)
        for billing, rounding, overtime, inc in [("daily", r, o, None) for r in ("exact", "half", "whole")
                                                 for o in (False, True)] + [("hourly", "exact", False, 15),
                                                                            ("hourly", "exact", False, None),
                                                                            ("fixed", "exact", False, None)]:
            e = Engagement("c", "e", "T", billing, Money(Decimal(650), "GBP"), Decimal("7.5"), rounding, inc, None,
                           None, None, None, (), "active", overtime)
            p = rule_phrase(e)
            assert theme.label(p.key, **p.mapping) == rule_text(e)
        for setting in ("half_up", "down"):
            p = vat_rule_phrase(Decimal(20), setting)
            assert theme.label(p.key, **p.mapping) == vat_rule_text(Decimal(20), setting)

    def test_tax_notes_are_keyed_by_treatment(self):
        """Every treatment with words has a `tax_<name>` label saying the same in English."""
        from consult.core.tax import TREATMENTS

        theme = load_theme(REPO)
        for t in TREATMENTS.values():
            if t.note:
                assert theme.label(f"tax_{t.name}") == t.note


class TestBooksTranslations:
    def test_a_theme_changes_one_german_word(self, tmp_path):
        root = books_with_theme(tmp_path, "translations:\n  de:\n    labels:\n      total: Gesamtbetrag\n")
        theme = load_theme(root, "default", "de")
        assert theme.label("total") == "Gesamtbetrag" and theme.label("invoice") == "Rechnung"

    def test_labels_are_the_themes_own_language_only(self, tmp_path):
        """`labels:` change the English words; a German document keeps German ones."""
        root = books_with_theme(tmp_path, "labels:\n  invoice: Tax invoice\n")
        assert load_theme(root).label("invoice") == "Tax invoice"
        assert load_theme(root, "default", "de").label("invoice") == "Rechnung"

    def test_a_language_consult_does_not_ship(self, tmp_path):
        """Spanish from the theme's translations, its dates from its locale."""
        root = books_with_theme(tmp_path, "translations:\n  es:\n    locale: es_ES\n    date_format: d 'de' MMMM 'de' y\n"
                                          "    labels: {invoice: Factura}\n")
        theme = load_theme(root, "default", "es")
        assert (theme.label("invoice"), theme.locale, theme.language) == ("Factura", "es_ES", "es")

    def test_a_language_with_no_words_says_how_to_add_them(self, tmp_path):
        with pytest.raises(ConsultError, match=r"has no words for language .es. .* `translations: \{es:"):
            load_theme(tmp_path, "default", "es")

    def test_a_bad_translation_field_names_file_line_and_field(self, tmp_path):
        root = books_with_theme(tmp_path, "translations:\n  de:\n    lables: {}\n")
        with pytest.raises(ConsultError, match=r"^templates/default.yaml:3: translations.de.lables: unknown field"):
            load_theme(root, "default", "de")


class TestFrozen:
    def test_a_frozen_theme_draws_as_the_theme_did(self, tmp_path):
        """Freeze the German theme, change the books' theme, and the frozen one is unchanged."""
        root = books_with_theme(tmp_path, "colours: {accent: '#aa0000'}\n")
        frozen = freeze(load_theme(root, "default", "de"))
        books_with_theme(tmp_path, "colours: {accent: '#00aa00'}\nlabels: {invoice: Bill}\n")
        theme = load_frozen(root, frozen.text, "INV-1")
        assert (theme.colours.accent, theme.label("invoice"), theme.locale, theme.language) == \
            ("#aa0000", "Rechnung", "de_DE", "de")

    def test_only_the_words_an_invoice_prints_are_frozen(self):
        frozen = freeze(load_theme(REPO))
        assert "  tax_reverse_charge:" in frozen.text and "  acceptance_text:" not in frozen.text
        assert "proposal" not in invoice_words() and "timesheet" in invoice_words()

    def test_a_changed_font_is_named(self, tmp_path):
        shutil.copy(REPO / "consult" / "fonts" / "DejaVuSans.ttf", tmp_path / "House.ttf")
        root = books_with_theme(tmp_path, "fonts: {regular: House.ttf}\n")
        (tmp_path / "templates" / "House.ttf").write_bytes((tmp_path / "House.ttf").read_bytes())
        frozen = freeze(load_theme(root))
        data = bytearray((tmp_path / "templates" / "House.ttf").read_bytes())
        data[-1] ^= 1
        (tmp_path / "templates" / "House.ttf").write_bytes(bytes(data))
        assert changed_files(load_frozen(root, frozen.text, "INV-1"), frozen.files) == ["House.ttf"]


class TestCheck:
    def test_a_damaged_font_is_a_check_error_with_file_and_field(self, make_books, run_cli):
        """A font cut short is a books error at its field, never a ReportLab traceback."""
        data = (REPO / "consult" / "fonts" / "DejaVuSans.ttf").read_bytes()[:20000]
        root = make_books({"templates/default.yaml": "fonts:\n  regular: House.ttf\n", "templates/House.ttf": data})
        code, out, _ = run_cli("check", books=root)
        assert code == 1
        assert "templates/default.yaml:2: fonts.regular: templates/House.ttf is cut short or damaged" in out

    def test_a_logo_that_is_not_an_image_is_a_check_error(self, make_books, run_cli):
        root = make_books({"templates/default.yaml": "logo: logo.png\n", "templates/logo.png": b"<html>404</html>"})
        code, out, _ = run_cli("check", books=root)
        assert code == 1 and "templates/default.yaml:1: logo: templates/logo.png is not an image" in out

    def test_a_truncated_png_is_a_check_error(self, make_books, run_cli):
        import io

        from PIL import Image

        buf = io.BytesIO()
        Image.new("RGB", (300, 100), (11, 79, 138)).save(buf, "PNG")
        root = make_books({"templates/default.yaml": "logo: logo.png\n", "templates/logo.png": buf.getvalue()[:200]})
        code, out, _ = run_cli("check", books=root)
        assert code == 1 and "logo: templates/logo.png is damaged and cannot be drawn" in out

    def test_the_same_font_stops_the_invoice_with_the_same_message(self, make_books, run_cli):
        data = (REPO / "consult" / "fonts" / "DejaVuSans.ttf").read_bytes()[:20000]
        root = make_books({"templates/default.yaml": "fonts:\n  regular: House.ttf\n", "templates/House.ttf": data,
                           "clients/acme/timesheets/2026-10.yaml": "- {date: 2026-10-05, hours: 7.5}\n"})
        code, _, err = run_cli("invoice", "create", "acme", "--period", "2026-10", books=root)
        assert code == 1 and "fonts.regular: templates/House.ttf is cut short or damaged" in err
        assert "unexpected" not in err and not (root / "clients/acme/invoices").exists()

    def test_a_client_language_without_words_is_an_error_at_the_client(self, make_books, run_cli):
        root = make_books({"clients/acme/client.yaml": "name: Acme Ltd\naddress: 1 Road\ncountry: GB\n"
                                                       "currency: GBP\ntax: standard\nlanguage: es\n"})
        code, out, _ = run_cli("check", books=root)
        assert code == 1
        assert "clients/acme/client.yaml: language: templates/default.yaml has no words for language 'es'" in out

    def test_a_misspelt_label_is_a_warning(self, make_books, run_cli):
        root = make_books({"templates/default.yaml": "labels:\n  invioce: Bill\n"})
        code, out, _ = run_cli("check", books=root)
        assert code == 0
        assert "templates/default.yaml:2: warning: labels.invioce: no document prints this word; did you mean " \
               "'invoice'?" in out

    def test_the_client_fields_are_read(self, make_books):
        from consult.books.loader import load_books

        root = make_books({"clients/acme/client.yaml": "name: Acme Ltd\naddress: 1 Road\ncountry: GB\ncurrency: GBP\n"
                                                       "tax: standard\nlanguage: de\ntemplate: fancy\n"
                                                       "invoice_detail: entries\n",
                           "templates/fancy.yaml": "colours: {accent: '#123456'}\n"})
        c = load_books(root).books.clients["acme"]
        assert (c.language, c.template, c.invoice_detail) == ("de", "fancy", "entries")


class _Recording(dict):
    """A labels mapping that remembers every key asked for."""

    asked: set[str]

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)


def test_an_invoice_asks_only_for_the_words_frozen_with_it():
    """Every word an invoice, credit note, draft, timesheet or milestone line prints is among the
    words frozen into its record, so a copy never depends on words that may change later."""
    from dataclasses import replace

    from consult.render.fonts import fonts_for
    from consult.render.invoice import invoice_story
    from tests.support.documents import (
        base_invoice,
        credit_note,
        milestone_invoice,
        timesheet_invoice,
        widest_vat_invoice,
    )

    for language in ("en", "de"):
        theme = load_theme(REPO, "default", language)
        labels = _Recording(theme.labels)
        labels.asked = set()
        recording = replace(theme, labels=labels)
        fonts = fonts_for(theme)
        for inv, draft in [(base_invoice(), False), (base_invoice(number=None), True), (credit_note(base_invoice()), False),
                           (timesheet_invoice(language, "entries", 3), False), (timesheet_invoice(language, "days", 3), False),
                           (milestone_invoice(), False), (widest_vat_invoice(language), False)]:
            invoice_story(inv, recording, fonts, draft=draft)
        assert {"invoice", "credit_to", "timesheet", "milestone_context"} <= labels.asked
        assert labels.asked - set(invoice_words()) == set()


def test_the_shipped_font_sums_are_the_fonts_own():
    """consult/fonts/SHA256SUMS stands in for hashing the shipped fonts when a record freezes its
    theme: it must name every shipped font with its real digest."""
    import hashlib

    from consult.themes.theme import PACKAGED_FONTS, packaged_font_sums

    sums = packaged_font_sums()
    fonts = sorted(p.name for p in PACKAGED_FONTS.glob("*.ttf"))
    assert sorted(sums) == fonts and len(fonts) == 3
    for name in fonts:
        assert sums[name] == hashlib.sha256((PACKAGED_FONTS / name).read_bytes()).hexdigest(), name
