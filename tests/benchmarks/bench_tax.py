"""Benchmark: `consult tax estimate` over ten years of books (target < 1 s wall, issue 21).

Run directly (not collected by pytest):

    python tests/benchmarks/bench_tax.py [--keep DIR]

It writes the ten-year history of bench_earnings.py with ledger_gen.py (20 clients, 2,400
invoices, ~104,000 timesheet entries, payments, platform payouts) into a temporary folder,
then runs the real command in a fresh process for the tax year 2025/26 as of 23 November 2025
(the books so far, projected, plus 2024/25 worked in full for the payments on account): once
cold (no `.consult-cache/`) and five times warm, as a sole trader (cash basis) and again as a
limited company (accruals, its accounting period, the director's income). It checks that warm
and cold outputs agree, that the command imports neither pandas nor ReportLab, and exits 1
if a warm median misses the target. BENCH lines feed run_all.py's table. With
CONSULT_BENCH_QUICK=1 (run_all.py --quick) it times two warm runs instead of five.

On a busy machine wall time says more about the neighbours than about consult; the CPU time of
each run (user + system) is printed beside it.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TARGET_S = 1.0
ARGS = ("tax", "estimate", "2025/26", "--as-of", "2025-11-23")
sys.path.insert(0, str(HERE))

from ledger_gen import generate

LIMITED = """
structure: limited_company
company:
  year_end: 03-31
streams:
  video: person
"""

IMPORTS = ("import sys, runpy; sys.argv = ['consult', '--books', sys.argv[1], *sys.argv[2:]]\n"
           "from consult.cli import run\n"
           "code = run(sys.argv[1:])\n"
           "print('HEAVY', ' '.join(m for m in ('pandas', 'reportlab') if m in sys.modules))")


def env() -> dict[str, str]:
    return {**os.environ, "CONSULT_TODAY": "2025-11-23", "PYTHONPATH": str(REPO)}


CPU: list[float] = []  # each run's CPU seconds (user + system): the figure a busy machine disturbs least


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(books: Path) -> tuple[float, str]:
    t, c = time.perf_counter(), _cpu()
    out = subprocess.run([sys.executable, "-m", "consult", "--books", str(books), *ARGS],
                         capture_output=True, text=True, env=env(), check=True)
    CPU.append(_cpu() - c)
    return time.perf_counter() - t, out.stdout


def heavy_imports(books: Path) -> str:
    out = subprocess.run([sys.executable, "-c", IMPORTS, str(books), *ARGS], capture_output=True, text=True,
                         env=env(), check=True)
    return out.stdout.rsplit("HEAVY", 1)[-1].strip()


def main() -> int:
    keep = sys.argv[2] if len(sys.argv) == 3 and sys.argv[1] == "--keep" else None
    root = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="consult-bench-tax-"))
    try:
        if not (root / "practice.yaml").exists():
            t = time.perf_counter()
            counts = generate(root)
            print(f"generated {counts} in {time.perf_counter() - t:.1f} s")
        practice = (root / "practice.yaml").read_text()
        ok = True
        rows = []
        for label, extra in (("sole trader", ""), ("limited company", LIMITED)):
            (root / "practice.yaml").write_text(practice + extra)
            shutil.rmtree(root / ".consult-cache", ignore_errors=True)
            cold, cold_out = run(root)
            warm = []
            CPU.clear()
            for _ in range(2 if os.environ.get("CONSULT_BENCH_QUICK") == "1" else 5):
                s, out = run(root)
                warm.append(s)
                if out != cold_out:
                    print(f"MISMATCH: warm output differs from cold ({label})")
                    ok = False
            heavy = heavy_imports(root)
            if heavy:
                print(f"{label}: the command imported {heavy}")
                ok = False
            med = statistics.median(warm)
            cpu = statistics.median(CPU[1:])  # CPU[0] is the cold run
            ok = ok and med < TARGET_S
            rows.append((label, cold, med, min(warm), max(warm), heavy, cpu))
            print(cold_out.splitlines()[0])
        (root / "practice.yaml").write_text(practice)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{'structure':16} {'cold s':>7} {'warm median s':>14} {'min':>6} {'max':>6} {'warm CPU s':>11}")
        for label, cold, med, lo, hi, _, cpu in rows:
            print(f"{label:16} {cold:7.2f} {med:14.2f} {lo:6.2f} {hi:6.2f} {cpu:11.2f}")
        print(f"peak RSS of a run: {rss:.0f} MiB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
              f"target warm < {TARGET_S} s: {'met' if ok else 'MISSED'}")
        for label, cold, med, _, _, heavy, cpu in rows:
            print("BENCH", json.dumps({"name": f"tax estimate 2025/26, ten years, {label} (warm)",
                                       "target": f"< {TARGET_S} s", "measured": f"{med:.2f} s",
                                       "pass": med < TARGET_S and not heavy,
                                       "note": f"CPU {cpu:.2f} s, cold {cold:.2f} s, {rss:.0f} MiB; "
                                               f"pandas/ReportLab: {heavy or 'not imported'}"}))
        return 0 if ok else 1
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
