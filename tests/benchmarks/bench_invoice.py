"""Benchmark: `consult invoice create` on a copy of the sample books, wall time per run.

Not collected by pytest (bench_*.py). Run: python tests/benchmarks/bench_invoice.py [RUNS]
Target (issue 16): < 0.5 s wall for one create, including interpreter start-up, loading the
books, building, numbering under the lock and writing the record, the PDF (with its timesheet
page) and the register line.

Each run starts a fresh `python -m consult` process on a fresh copy of the sample books and
issues the acme-analytics October invoice (so every run allocates INV-2026-0001).
"""

from __future__ import annotations

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


def one_run(work: Path) -> float:
    books = work / "books"
    if books.exists():
        shutil.rmtree(books)
    books.mkdir()
    for part in ("practice.yaml", "clients", "templates"):  # no register: nothing issued yet
        src = REPO / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, books / part)
    for p in books.glob("clients/*/invoices"):
        shutil.rmtree(p)  # start from no issued invoices at all
    env = dict(os.environ, CONSULT_TODAY="2026-11-22", PYTHONPATH=str(REPO))
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "consult", "--books", str(books), "invoice", "create",
                        "acme-analytics", "--period", "2026-10"], env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"create failed: {r.stderr.strip()}")
    return dt


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as tmp:
        times = [one_run(Path(tmp)) for _ in range(runs)]
    med, worst = statistics.median(times), max(times)
    print(f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    print(f"consult invoice create (sample books), {runs} runs: median {med:.3f} s, "
          f"min {min(times):.3f} s, max {worst:.3f} s (limit {LIMIT_S:.1f} s)")
    if med > LIMIT_S:
        raise SystemExit(f"FAIL: median {med:.3f} s is over {LIMIT_S} s")
    print("ok")


if __name__ == "__main__":
    main()
