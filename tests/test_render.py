"""The shared rendering layer: themes, fonts, escaped text and the document machinery.

Proposals, invoices and the earnings report all stand on these pieces, so each promise is
pinned here once: a theme is data with errors that name file, line and field; user text is
never markup; every character is drawn with an embedded font that has it; pages are counted.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.platypus import PageBreak

from consult.errors import ConsultError
from consult.render.document import build_pdf, styles_for, table
from consult.render.fonts import fonts_for, runs
from consult.render.text import cell, markup, para
from consult.render.theme import MM, load_theme

REPO = Path(__file__).resolve().parent.parent


def books_with_theme(tmp_path: Path, text: str, name: str = "default", files: dict[str, bytes] | None = None) -> Path:
    (tmp_path / "templates").mkdir(parents=True, exist_ok=True)
    (tmp_path / "templates" / f"{name}.yaml").write_text(text, encoding="utf-8")
    for rel, data in (files or {}).items():
        (tmp_path / "templates" / rel).write_bytes(data)
    return tmp_path


def text_of(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def simple_pdf(story_text: list[str], **kw) -> bytes:
    theme = load_theme(REPO)
    fonts = fonts_for(theme)
    st = styles_for(theme, fonts)
    return build_pdf([para(t, st.body, fonts) for t in story_text], theme, title="T", author="A", subject="S",
                     invariant=True, **kw)


class TestTheme:
    def test_packaged_default_needs_no_file_in_the_books(self, tmp_path):
        """Books without templates/ get the packaged A4 theme with English labels."""
        theme = load_theme(tmp_path)
        assert theme.page_size == pytest.approx((595.28, 841.89), abs=0.01)
        assert theme.label("invoice") == "Invoice" and theme.font_regular.name == "DejaVuSans.ttf"

    def test_books_theme_overrides_only_what_it_names(self, tmp_path):
        """A translated label and a colour change leave every other field at its default."""
        root = books_with_theme(tmp_path, "labels:\n  invoice: Rechnung\ncolours:\n  accent: '#AA0000'\n")
        theme = load_theme(root)
        assert theme.label("invoice") == "Rechnung" and theme.label("credit_note") == "Credit note"
        assert theme.colours.accent == "#aa0000" and theme.colours.text == "#1f2933"

    def test_margins_and_page_size_are_read_in_millimetres(self, tmp_path):
        """`size: Letter` and a 25 mm left margin become points."""
        root = books_with_theme(tmp_path, "page:\n  size: Letter\n  margins_mm: {left: 25}\n")
        theme = load_theme(root)
        assert theme.page_size == (612.0, 792.0) and theme.margins[3] == pytest.approx(25 * MM)

    def test_label_placeholders_fill_but_never_evaluate(self, tmp_path):
        """`{rate}` is filled; `{x.__class__}` in a user label stays text."""
        root = books_with_theme(tmp_path, "labels:\n  vat_at: 'MwSt. {rate} % {x.__class__}'\n")
        assert load_theme(root).label("vat_at", rate="19") == "MwSt. 19 % {x.__class__}"

    def test_unknown_field_names_file_line_and_field(self, tmp_path):
        """A misspelt field is an error at its line, listing what is known."""
        root = books_with_theme(tmp_path, "colours:\n  accent: '#aa0000'\n  acent: '#bb0000'\n")
        with pytest.raises(ConsultError) as e:
            load_theme(root)
        assert str(e.value).startswith("templates/default.yaml:3: colours.acent: unknown field; known fields here: "
                                       "accent, header_text, muted")

    def test_labels_may_add_words_for_other_documents(self, tmp_path):
        """A label the packaged theme does not know (a proposal's word) is kept for that document."""
        root = books_with_theme(tmp_path, "labels:\n  proposal: Angebot\n")
        assert load_theme(root).label("proposal") == "Angebot"

    def test_bad_colour_names_file_line_and_field(self, tmp_path):
        """A colour must be #RRGGBB; the message says so and where."""
        root = books_with_theme(tmp_path, "colours:\n  accent: blue-ish\n")
        with pytest.raises(ConsultError, match=r"^templates/default.yaml:2: colours.accent: 'blue-ish' is not a "
                                                r"colour; write #RRGGBB, e.g. #0b4f8a$"):
            load_theme(root)

    def test_missing_font_file_is_an_error(self, tmp_path):
        """A font that is neither in templates/ nor shipped is named with the ones that are."""
        root = books_with_theme(tmp_path, "fonts:\n  regular: Comic.ttf\n")
        with pytest.raises(ConsultError, match=r"^templates/default.yaml:2: fonts.regular: no font file "
                                                r"'Comic.ttf' in templates/ or among consult's fonts"):
            load_theme(root)

    def test_cff_font_is_refused(self, tmp_path):
        """An OpenType/CFF font (which ReportLab cannot embed) is refused by its first bytes."""
        root = books_with_theme(tmp_path, "fonts:\n  regular: Noto.ttf\n", files={"Noto.ttf": b"OTTO" + b"\0" * 64})
        with pytest.raises(ConsultError, match="is not a TrueType font with glyph outlines"):
            load_theme(root)

    def test_font_path_cannot_leave_templates(self, tmp_path):
        """A font is a plain file name, never a path."""
        root = books_with_theme(tmp_path, "fonts:\n  bold: ../../etc/x.ttf\n")
        with pytest.raises(ConsultError, match="fonts.bold: '../../etc/x.ttf' must be a plain file name"):
            load_theme(root)

    def test_missing_named_theme_says_how_to_fix(self, tmp_path):
        """A record naming a theme that is not in templates/ stops with the file it looked for."""
        with pytest.raises(ConsultError, match=r"^templates/fancy.yaml: no such theme"):
            load_theme(tmp_path, "fancy")

    def test_theme_name_must_be_an_id(self, tmp_path):
        """`../x` is not a theme name."""
        with pytest.raises(ConsultError, match="is not a valid id"):
            load_theme(tmp_path, "../x")

    def test_invalid_yaml_points_at_the_line(self, tmp_path):
        """A YAML syntax error in a theme names file and line."""
        root = books_with_theme(tmp_path, "labels:\n  invoice: [unclosed\n")
        with pytest.raises(ConsultError, match=r"^templates/default.yaml:\d+:\d+: not valid YAML"):
            load_theme(root)

    def test_repo_sample_theme_loads(self):
        """The sample books' commented templates/default.yaml is a valid theme."""
        assert load_theme(REPO).label("invoice") == "Invoice"


class TestText:
    def test_markup_is_escaped(self):
        """`R&D <Labs>` becomes entities, not tags."""
        fonts = fonts_for(load_theme(REPO))
        assert markup("R&D <Labs>", fonts.regular, fonts) == "R&amp;D &lt;Labs&gt;"

    def test_cjk_goes_to_the_fallback_font(self):
        """Characters DejaVu Sans lacks are wrapped in a run of the fallback font."""
        fonts = fonts_for(load_theme(REPO))
        assert runs("Attn. 山田太郎", fonts.regular, fonts) == [(fonts.regular, "Attn. "), (fonts.fallback, "山田太郎")]
        assert markup("<山田>", fonts.regular, fonts) == f'&lt;<font name="{fonts.fallback}">山田</font>&gt;'

    def test_rupee_and_narrow_space_stay_in_the_main_font(self):
        """₹ and U+202F are in DejaVu Sans: one run, no fallback."""
        fonts = fonts_for(load_theme(REPO))
        assert runs("₹6,91,892.00 691\u202f892,50 €", fonts.regular, fonts) == \
            [(fonts.regular, "₹6,91,892.00 691\u202f892,50 €")]

    def test_cell_is_a_plain_string_when_the_font_covers_it(self):
        """Amount cells stay strings (exact characters); CJK cells become paragraphs."""
        theme = load_theme(REPO)
        fonts = fonts_for(theme)
        st = styles_for(theme, fonts)
        assert cell("691\u202f892,50 €", st.cell, fonts) == "691\u202f892,50 €"
        assert not isinstance(cell("山田", st.cell, fonts), str)

    def test_user_text_reads_back_exactly_from_the_pdf(self):
        """Markup-looking text, accents and a CJK name print literally."""
        samples = ["R&D <Labs>", "<b>not bold</b>", "a<br/>b", "&amp; stays", "Łódź Café Müller", "山田太郎"]
        text = text_of(simple_pdf(samples))
        for s in samples:
            assert s in text, s


class TestDocument:
    def test_pages_are_counted_x_of_y(self):
        """Three pages say Page 1 of 3, Page 2 of 3, Page 3 of 3."""
        theme = load_theme(REPO)
        fonts = fonts_for(theme)
        st = styles_for(theme, fonts)
        story = [para("one", st.body, fonts), PageBreak(), para("two", st.body, fonts), PageBreak(),
                 para("three", st.body, fonts)]
        pdf = build_pdf(story, theme, title="T", author="A", subject="S", invariant=True)
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
        assert [re.search(r"Page \d of \d", p).group(0) for p in pages] == ["Page 1 of 3", "Page 2 of 3", "Page 3 of 3"]

    def test_metadata_is_set(self):
        """Title, author and subject reach the PDF's document information."""
        meta = PdfReader(io.BytesIO(simple_pdf(["x"]))).metadata
        assert (meta.title, meta.author, meta.subject) == ("T", "A", "S")

    def test_invariant_output_is_byte_identical(self):
        """The same story renders to the same bytes (no timestamps, no random ids)."""
        assert simple_pdf(["same", "山田"]) == simple_pdf(["same", "山田"])

    def test_every_font_is_embedded(self):
        """Every font in the PDF carries its TrueType program (FontFile2): no base-14 fonts."""
        reader = PdfReader(io.BytesIO(simple_pdf(["£ € ₹ 山田太郎"], watermark="DRAFT")))
        fonts = [f.get_object() for page in reader.pages for f in page["/Resources"]["/Font"].values()]
        assert fonts
        for f in fonts:
            desc = (f["/DescendantFonts"][0].get_object() if "/DescendantFonts" in f else f)["/FontDescriptor"]
            assert "/FontFile2" in desc.get_object(), f["/BaseFont"]

    def test_watermark_is_drawn_on_every_page(self):
        """A draft's watermark text is on each page."""
        theme = load_theme(REPO)
        fonts = fonts_for(theme)
        st = styles_for(theme, fonts)
        pdf = build_pdf([para("a", st.body, fonts), PageBreak(), para("b", st.body, fonts)], theme, title="T",
                        author="A", subject="S", watermark="DRAFT — not an invoice", invariant=True)
        assert all("DRAFT — not an invoice" in p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)

    def test_long_table_repeats_its_header_and_keeps_totals_with_the_last_row(self):
        """120 rows split over pages: the header row on each page; total and last row together."""
        theme = load_theme(REPO)
        fonts = fonts_for(theme)
        rows = [["Item", "Amount"]] + [[f"row {i:03d}", "£1.00"] for i in range(1, 121)] + [["Total", "£120.00"]]
        pdf = build_pdf([table(rows, [300, 100], theme, fonts, right=(1,), closing_rows=1)], theme, title="T",
                        author="A", subject="S", invariant=True)
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
        assert len(pages) >= 3
        assert all("Item" in p and "Amount" in p for p in pages)
        assert "Total" in pages[-1] and "row 120" in pages[-1] and "row 119" not in pages[-1].split("row 120")[1]
        assert sum(p.count("row ") for p in pages) == 120


class TestThemeFiles:
    def test_logo_from_templates_is_drawn(self, tmp_path):
        """A PNG named as the logo is placed on the invoice as an image."""
        from PIL import Image

        root = books_with_theme(tmp_path, "logo: logo.png\nlogo_width_mm: 30\n")
        Image.new("RGB", (120, 40), (11, 79, 138)).save(root / "templates" / "logo.png")
        from test_render_invoice import make_invoice

        from consult.render.invoice import invoice_pdf

        reader = PdfReader(io.BytesIO(invoice_pdf(make_invoice(), root, invariant=True)))
        xobjects = reader.pages[0]["/Resources"]["/XObject"]
        assert [x.get_object()["/Subtype"] for x in xobjects.values()] == ["/Image"]

    def test_missing_logo_names_the_field(self, tmp_path):
        """A logo that is not in templates/ is an error at its line."""
        root = books_with_theme(tmp_path, "colours: {}\nlogo: brand.png\n")
        with pytest.raises(ConsultError, match=r"^templates/default.yaml:2: logo: no image 'brand.png' in templates/"):
            load_theme(root)

    def test_font_from_templates_replaces_the_shipped_one(self, tmp_path):
        """A .ttf copied into templates/ is the one used (and embedded)."""
        import shutil

        (tmp_path / "templates").mkdir()
        shutil.copy(REPO / "consult" / "fonts" / "DejaVuSans.ttf", tmp_path / "templates" / "House.ttf")
        root = books_with_theme(tmp_path, "fonts:\n  regular: House.ttf\n")
        theme = load_theme(root)
        assert theme.font_regular == tmp_path / "templates" / "House.ttf"
        assert fonts_for(theme).regular == "consult-House"
