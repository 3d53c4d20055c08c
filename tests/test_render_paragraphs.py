"""Paragraphs are made without ReportLab's HTML tokeniser, and come out as if they were not.

`consult.render.text` builds the fragments of the markup it writes itself (escaped user text,
`<font …>` runs, `<br/>`) instead of handing that markup to `Paragraph`'s parser, because
parsing was the dearest part of drawing an invoice. The PDF must not change by a byte —
issued invoices are restored only when they render to the bytes the register holds — so the
fragments must be the parser's, attribute for attribute and in the same order. These tests
hold the two to that for any text a user can write, in every shape the renderer writes it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("reportlab")
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.platypus import Paragraph

from consult.render.document import build_pdf, styles_for
from consult.render.fonts import fonts_for
from consult.render.text import _open, _paragraph, block, markup, para
from consult.render.theme import load_theme

REPO = Path(__file__).resolve().parent.parent
THEME = load_theme(REPO)
FONTS = fonts_for(THEME)
STYLES = styles_for(THEME, FONTS)

# What users type, and what is special to markup, whitespace handling or the font fallback.
AWKWARD = list("aZ9 &<>;#\"'=/\n\t\r\u00a0\u202f€₹£éß山田太郎") + ["&amp;", "&lt;", "<br/>", "<b>", "</font>",
                                                                "&#65;", "  ", "\n\n"]
user_text = st.lists(st.sampled_from(AWKWARD) | st.text(max_size=4), max_size=12).map("".join)
FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fragments(p: Paragraph) -> list[tuple[str, list[tuple[str, str, object]]]]:
    """Each fragment's class and its attributes in order, each value with its type (True is 1)."""
    return [(type(f).__name__, [(k, type(v).__name__, v) for k, v in f.__dict__.items()]) for f in p.frags]


def same_as_reportlab(body: str, ours: Paragraph) -> None:
    theirs = Paragraph(body, ours.style)
    assert fragments(ours) == fragments(theirs)
    assert ours.text == theirs.text


@FAST
@given(text=user_text, prefix=st.none() | user_text, style=st.sampled_from(["body", "bold", "small", "muted"]))
def test_a_paragraph_has_the_fragments_reportlab_would_make(text, prefix, style):
    """Any user text, with or without a bold label before it, in any style: the same fragments
    as `Paragraph(markup)` (escaped text, fallback-font runs for CJK, a break per newline)."""
    s = getattr(STYLES, style)
    ours = para(text, s, FONTS, bold_prefix=prefix)
    body = markup(text, s.fontName, FONTS)
    if prefix:
        body = f'<font name="{FONTS.bold}">{markup(prefix, FONTS.bold, FONTS)}</font>' + body
    same_as_reportlab(body, ours)


@FAST
@given(lines=st.lists(st.lists(st.tuples(user_text, st.sampled_from(["body", "bold", "muted", "small"])),
                               min_size=1, max_size=3), max_size=6))
def test_a_block_has_the_fragments_reportlab_would_make(lines):
    """An address block of lines made of pieces in several styles (each its font, size and
    colour): the same fragments as ReportLab makes of the block's markup."""
    pieces = [[(t, getattr(STYLES, s)) for t, s in line] for line in lines]
    ours = block(pieces, STYLES.body, FONTS)
    body = "<br/>".join("".join(markup(t, s.fontName, FONTS) if s is STYLES.body else
                                f"{_open(s)}{markup(t, s.fontName, FONTS)}</font>" for t, s in line if t)
                        for line in pieces)
    same_as_reportlab(body, ours)


def test_markup_consult_does_not_write_goes_through_reportlab_itself():
    """Markup other than consult's own (here bold and a named entity) is parsed by ReportLab."""
    body = "<b>bold</b> &amp; &copy; plain"
    same_as_reportlab(body, _paragraph(body, STYLES.body))


def test_the_pdf_is_the_one_reportlabs_parser_gives():
    """The same story drawn from our paragraphs and from ReportLab-parsed ones: the same bytes."""
    texts = ["R&D <Labs> Ltd", "Unit 4\n12 Canal Street", "山田太郎 & Co.", "1\u202f234,50 € — net"]
    ours = [para(t, STYLES.body, FONTS, bold_prefix="VAT no. ") for t in texts]
    theirs = [Paragraph(p.text, p.style) for p in ours]  # the cleaned markup, parsed by ReportLab

    def pdf(story):
        return build_pdf(story, THEME, title="T", author="A", subject="S", invariant=True, fonts=FONTS)

    assert pdf(ours) == pdf(theirs)
