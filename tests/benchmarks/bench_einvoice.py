"""Benchmark: e-invoices for the sample EU client — XML building and checking, and Factur-X.

Not collected by pytest (bench_*.py). Run: python tests/benchmarks/bench_einvoice.py [RUNS]

Measured in-process (warm: lxml schemas and fonts loaded once), per document:
* `export_xml(..., "ubl")` and `export_xml(..., "cii")`: build + official XSD + rule checks;
* `facturx_pdf`: CII + XSD + rules + embedding + PDF/A-3 fix-ups, on a one-page PDF;
and, cold, `consult invoice export N --format ubl` in a fresh process (what a user waits for).
Targets are this script's own (issue 9 sets none): 0.25 s warm per document, 1.0 s cold export.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))


def _books(work: Path) -> Path:
    books = work / "books"
    books.mkdir()
    for part in ("practice.yaml", "clients", "templates"):  # no register: nothing issued yet
        src = REPO / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, books / part)
    for p in books.glob("clients/*/invoices"):
        shutil.rmtree(p)  # the register would name these: start with none, as bench_invoice does
    return books


def _pdf() -> bytes:
    from io import BytesIO

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(REPO / "consult" / "fonts" / "DejaVuSans.ttf")))
    buf = BytesIO()
    c = canvas.Canvas(buf, invariant=1, initialFontName="DejaVuSans")
    c.drawString(72, 720, "Invoice")
    c.showPage()
    c.save()
    return buf.getvalue()


def _time(fn, runs: int) -> float:
    fn()  # warm
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def main() -> None:
    from consult.books.loader import open_books
    from consult.einvoice import export_xml, facturx_pdf
    from consult.invoices.build import build_invoice
    from consult.invoices.issue import issue

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = _books(Path(tmp))
        books = open_books(root)
        inv = issue(books, build_invoice(books, "hafen-logistik", date(2026, 10, 1), date(2026, 10, 31),
                                         issued=date(2026, 11, 2))).invoice
        pdf = _pdf()
        rows = [("export ubl (warm)", _time(lambda: export_xml(inv, books, "ubl"), runs), 0.25),
                ("export cii (warm)", _time(lambda: export_xml(inv, books, "cii"), runs), 0.25),
                ("facturx_pdf 1 page (warm)", _time(lambda: facturx_pdf(pdf, inv, books), runs), 0.25)]
        env = dict(os.environ, CONSULT_TODAY="2026-11-22", PYTHONPATH=str(REPO))
        cold = []
        for _ in range(max(3, runs // 4)):
            t0 = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "consult", "--books", str(root), "invoice", "export",
                                inv.number or "", "--format", "ubl", "-o", str(Path(tmp) / "x.xml")],
                               env=env, capture_output=True, text=True)
            cold.append(time.perf_counter() - t0)
            if r.returncode:
                raise SystemExit(f"export failed: {r.stderr.strip()}")
        rows.append(("consult invoice export --format ubl (fresh process)", statistics.median(cold), 1.0))
    failed = False
    for name, secs, limit in rows:
        ok = secs <= limit
        failed |= not ok
        print("BENCH", json.dumps({"name": name, "target": f"<= {limit} s", "measured": f"{secs:.3f} s", "pass": ok}))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
