"""Benchmark: rendering one invoice from its record vs a bare ReportLab canvas, side by side.

Not collected by pytest (bench_*.py). Run: python tests/benchmarks/bench_render.py [ROUNDS]
Target (issue 5): rendering one invoice from its record costs <= 2x a bare ReportLab canvas
drawing the same text with the same fonts.

What is compared, in one warm process (fonts registered once, as in any process that renders
more than nothing):

* **invoice**: `invoice_pdf(record)` — theme YAML read and checked, story built, laid out with
  tables and paragraphs, page furniture, fonts subset and embedded, bytes returned;
* **bare canvas**: `Canvas.drawString` of exactly the text lines the invoice prints (read back
  from its PDF), in the same DejaVu fonts, on one page, saved to bytes — the least work
  ReportLab can do to put that text on a page.

Both alternate within each round, so machine noise hits them alike; medians are compared.
The record is the sample books' October invoice for Acme (two lines, standard VAT).
"""

from __future__ import annotations

import io
import json
import os
import platform
import statistics
import sys
import time
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


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    from pypdf import PdfReader
    from reportlab.pdfgen.canvas import Canvas

    from consult.render.fonts import fonts_for
    from consult.render.invoice import invoice_pdf
    from consult.render.theme import load_theme

    inv = sample_invoice()
    fonts = fonts_for(load_theme(REPO, inv.template))
    pdf = invoice_pdf(inv, REPO)
    lines = [ln for p in PdfReader(io.BytesIO(pdf)).pages for ln in p.extract_text().splitlines() if ln.strip()]

    def bare() -> bytes:
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

    for _ in range(5):  # warm both paths
        bare()
        ours()
    t_bare: list[float] = []
    t_ours: list[float] = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        bare()
        t1 = time.perf_counter()
        ours()
        t2 = time.perf_counter()
        t_bare.append(t1 - t0)
        t_ours.append(t2 - t1)
    mb, mo = statistics.median(t_bare), statistics.median(t_ours)
    ratio = mo / mb
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), "unknown CPU") if Path("/proc/cpuinfo").exists() else "unknown CPU"
    print(f"machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}")
    print(f"text lines drawn: {len(lines)}; rounds: {rounds}")
    print(f"bare canvas   median {mb * 1000:.2f} ms  (min {min(t_bare) * 1000:.2f})")
    print(f"invoice_pdf   median {mo * 1000:.2f} ms  (min {min(t_ours) * 1000:.2f})")
    print(f"ratio {ratio:.2f}x of medians, {min(t_ours) / min(t_bare):.2f}x of best times (limit {RATIO_LIMIT:.1f}x)")
    ok = ratio <= RATIO_LIMIT
    print("BENCH", json.dumps({"name": "render one invoice vs bare canvas", "target": f"<= {RATIO_LIMIT:.1f}x",
                               "measured": f"{ratio:.2f}x ({mo * 1000:.1f} ms vs {mb * 1000:.1f} ms)", "pass": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
