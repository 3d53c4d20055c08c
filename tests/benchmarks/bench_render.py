"""Benchmark: rendering one invoice from its record vs a bare ReportLab canvas, side by side.

Not collected by pytest (bench_*.py). Run: python tests/benchmarks/bench_render.py [ROUNDS]
Target (issue 5): rendering one invoice from its record costs <= 2x a bare ReportLab canvas
drawing the same text with the same fonts.

What is compared, in one warm process (fonts registered once, as in any process that renders
more than nothing):

* **invoice**: `invoice_pdf(record)` — theme YAML read and checked, story built, laid out with
  tables and paragraphs, page furniture, fonts subset and embedded, bytes returned;
* **bare canvas**: the same text drawn with `Canvas.drawString` and nothing else — every run of
  text the invoice shows (read back from its PDF with pypdf: 164 runs on the sample invoice),
  in the run's own font and size, at its place, on the invoice's own pages (two: the timesheet
  has a page of its own), fonts subset and embedded the same, saved to bytes. That is the least
  work ReportLab can do to put that text on those pages. The invoice's fills, rules and colours
  are left out of it (they count against the invoice).

An earlier version drew the text *lines* (157, as pypdf joins them) on one page, all but every
fifth in the regular font; it is still timed and printed as "lines on one page" so the two can
be compared (the difference is a few per cent: same fonts, about as many strings, one page
fewer).

Both alternate within each round, so machine noise hits them alike; medians are compared.
The record is the sample books' October invoice for Acme (two lines, standard VAT, a
timesheet of 19 days).
"""

from __future__ import annotations

import io
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
RATIO_LIMIT = 2.0


def sample_invoice():
    from dataclasses import replace

    from consult.books.loader import open_books
    from consult.invoices.build import build_invoice

    books = open_books(REPO)
    inv = build_invoice(books, "acme-analytics", date(2026, 10, 1), date(2026, 10, 31), issued=date(2026, 11, 2),
                        invoices=[])
    return replace(inv, number="INV-2026-0001")


@dataclass(frozen=True)
class Run:
    """One run of text as the invoice draws it: font, size, where, what."""

    font: str
    size: float
    x: float
    y: float
    text: str


def text_runs(pdf: bytes, font_names: dict[str, str]) -> tuple[tuple[float, float], list[list[Run]]]:
    """The page size and, page by page, every run of text of `pdf` (pypdf reports a run at the
    start of its text line; runs that follow on the same line are moved on by the width of the
    ones before, so each is drawn where the PDF draws it)."""
    from pypdf import PdfReader
    from reportlab.pdfbase.pdfmetrics import stringWidth

    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    pages: list[list[Run]] = []
    for page in reader.pages:
        runs: list[Run] = []
        line: list[object] = [None, 0.0]  # (x, y) where the current text line starts, width so far

        def visit(text, cm, tm, font_dict, size, runs=runs, line=line):
            text = text.rstrip("\n")
            if not text.strip() or font_dict is None:
                return
            font = font_names[str(font_dict["/BaseFont"]).split("+", 1)[-1]]
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if line[0] == (x, y):
                x += line[1]
            else:
                line[0], line[1] = (x, y), 0.0
            line[1] += stringWidth(text, font, size)
            runs.append(Run(font, size, x, y, text))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return (float(box.width), float(box.height)), pages


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    if os.environ.get("CONSULT_BENCH_QUICK"):
        rounds = min(rounds, 20)
    from pypdf import PdfReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen.canvas import Canvas

    from consult.render.fonts import fonts_for
    from consult.render.invoice import invoice_pdf
    from consult.render.theme import load_theme

    inv = sample_invoice()
    fonts = fonts_for(load_theme(REPO, inv.template))
    pdf = invoice_pdf(inv, REPO)
    names = {}
    for name in (fonts.regular, fonts.bold) + ((fonts.fallback,) if fonts.fallback_path else ()):
        face = pdfmetrics.getFont(name).face.name
        names[face.decode() if isinstance(face, bytes) else face] = name
    page_size, pages = text_runs(pdf, names)
    lines = [ln for p in PdfReader(io.BytesIO(pdf)).pages for ln in p.extract_text().splitlines() if ln.strip()]

    def bare() -> bytes:
        buf = io.BytesIO()
        c = Canvas(buf, pagesize=page_size, initialFontName=fonts.regular)
        for runs in pages:
            current = None
            for r in runs:
                if (r.font, r.size) != current:
                    c.setFont(r.font, r.size)
                    current = (r.font, r.size)
                c.drawString(r.x, r.y, r.text)
            c.showPage()
        c.save()
        return buf.getvalue()

    def lines_on_one_page() -> bytes:  # the comparison this benchmark made before
        buf = io.BytesIO()
        c = Canvas(buf, initialFontName=fonts.regular)
        y = 800.0
        for i, text in enumerate(lines):
            c.setFont(fonts.bold if i % 5 == 0 else fonts.regular, 9)
            c.drawString(50, y, text)
            y -= 9
            if y < 40:
                y = 800.0
        c.showPage()
        c.save()
        return buf.getvalue()

    def ours() -> bytes:
        return invoice_pdf(inv, REPO)

    drawn = PdfReader(io.BytesIO(bare()))
    assert len(drawn.pages) == len(pages), "the bare canvas draws the invoice's pages"
    for _ in range(5):  # warm every path
        bare()
        lines_on_one_page()
        ours()
    t_bare: list[float] = []
    t_lines: list[float] = []
    t_ours: list[float] = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        bare()
        t1 = time.perf_counter()
        ours()
        t2 = time.perf_counter()
        lines_on_one_page()
        t3 = time.perf_counter()
        t_bare.append(t1 - t0)
        t_ours.append(t2 - t1)
        t_lines.append(t3 - t2)
    mb, mo, ml = statistics.median(t_bare), statistics.median(t_ours), statistics.median(t_lines)
    ratio = mo / mb
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), "unknown CPU") if Path("/proc/cpuinfo").exists() else "unknown CPU"
    n_runs = sum(len(p) for p in pages)
    print(f"machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"text: {n_runs} runs on {len(pages)} pages ({len(lines)} lines); rounds: {rounds}")
    print(f"bare canvas   median {mb * 1000:.2f} ms  (min {min(t_bare) * 1000:.2f})")
    print(f"invoice_pdf   median {mo * 1000:.2f} ms  (min {min(t_ours) * 1000:.2f})")
    print(f"ratio {ratio:.2f}x of medians, {min(t_ours) / min(t_bare):.2f}x of best times (limit {RATIO_LIMIT:.1f}x)")
    print(f"lines on one page (the earlier comparison): median {ml * 1000:.2f} ms, ratio {mo / ml:.2f}x")
    ok = ratio <= RATIO_LIMIT
    print("BENCH", json.dumps({"name": "render one invoice vs bare canvas", "target": f"<= {RATIO_LIMIT:.1f}x",
                               "measured": f"{ratio:.2f}x ({mo * 1000:.1f} ms vs {mb * 1000:.1f} ms)", "pass": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
