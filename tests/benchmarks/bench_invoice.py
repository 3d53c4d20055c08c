"""Benchmark: `consult invoice create` on a copy of the sample books, wall time per run.

Not collected by pytest (bench_*.py). Run: python tests/benchmarks/bench_invoice.py [RUNS]
Target (issue 16): < 0.5 s wall for one create, including interpreter start-up, loading the
books, building, numbering under the lock and writing the record, the PDF (with its timesheet
page) and the register line.

Each run starts a fresh `python -m consult` process on a fresh copy of the sample books and
issues the acme-analytics October invoice (so every run allocates INV-2026-0001). Two cases:

* **warm** (the target): the copy has been used as a user uses books before issuing an invoice —
  `consult check`, then `consult invoice create … --preview` to look at the draft — so
  `.consult-cache/` holds what no edit can stale (consult.books.kept: python-stdnum's verdicts
  on the books' VAT numbers and IBANs);
* **cold**: the copy has never been read (no `.consult-cache/`), as on the first command after
  a fresh clone.

One `BENCH {...}` line per case for run_all.py; exit 1 when the warm median misses the target.
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
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LIMIT_S = 0.5


ENV = dict(os.environ, CONSULT_TODAY="2026-11-22", PYTHONPATH=str(REPO))


def prepare(books: Path, warm: bool) -> None:
    """A fresh copy of the sample books with nothing issued; warm: used as before an issue."""
    books.mkdir(parents=True)
    for part in ("practice.yaml", "clients", "templates"):  # no register: nothing issued yet
        src = REPO / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, books / part)
    for p in books.glob("clients/*/invoices"):
        shutil.rmtree(p)  # start from no issued invoices at all
    if warm:
        subprocess.run([sys.executable, "-m", "consult", "--books", str(books), "check"], env=ENV,
                       capture_output=True, text=True)
        subprocess.run([sys.executable, "-m", "consult", "--books", str(books), "invoice", "create", "acme-analytics",
                        "--period", "2026-10", "--preview", str(books.parent / "draft.pdf")], env=ENV,
                       capture_output=True, text=True, check=True)


def create(books: Path) -> float:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "consult", "--books", str(books), "invoice", "create",
                        "acme-analytics", "--period", "2026-10"], env=ENV, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"create failed: {r.stderr.strip()}")
    return dt


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            prepare(Path(tmp) / f"warm{i}" / "books", True)
        # a user looks at the draft before issuing: past the cache's two-second "racily clean"
        # window (consult.books.cache), a kept entry is trusted on its file's stat, not re-hashed
        time.sleep(2.5)
        warm = [create(Path(tmp) / f"warm{i}" / "books") for i in range(runs)]
        cold = []
        for i in range(runs):
            prepare(Path(tmp) / f"cold{i}" / "books", False)
            cold.append(create(Path(tmp) / f"cold{i}" / "books"))
    med = statistics.median(warm)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    print(f"consult invoice create (sample books), {runs} runs: warm median {med:.3f} s "
          f"(min {min(warm):.3f}, max {max(warm):.3f}); cold median {statistics.median(cold):.3f} s "
          f"(min {min(cold):.3f}, max {max(cold):.3f}); limit {LIMIT_S:.1f} s")
    print("BENCH " + json.dumps({"name": f"consult invoice create (sample books), {runs} runs, warm",
                                 "target": f"< {LIMIT_S} s", "measured": f"{med:.3f} s", "pass": med < LIMIT_S,
                                 "note": f"min {min(warm):.3f} s, max {max(warm):.3f} s; load average {load:.1f}"}))
    print("BENCH " + json.dumps({"name": f"consult invoice create (sample books), {runs} runs, cold",
                                 "target": "-", "measured": f"{statistics.median(cold):.3f} s", "pass": None,
                                 "note": f"min {min(cold):.3f} s, max {max(cold):.3f} s; no .consult-cache yet"}))
    if med >= LIMIT_S:
        raise SystemExit(f"FAIL: warm median {med:.3f} s is not under {LIMIT_S} s")


if __name__ == "__main__":
    main()
