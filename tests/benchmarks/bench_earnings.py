"""Benchmark: `consult earnings 2024` over ten years of a 20-client practice (target ≤ 1.5 s wall).

Run directly (not collected by pytest):

    python tests/benchmarks/bench_earnings.py [--keep DIR]

It writes the history with ledger_gen.py (2,400 invoices, ~104,000 timesheet entries, payments,
payouts) into a temporary folder (or DIR), then runs the real command in a fresh process:
once cold (no `.consult-cache/`: every invoice record and timesheet is read and the caches are
written) and five times warm (caches valid), for accrual and cash bases, and prints wall time
and peak memory. It also checks that the warm and cold outputs are identical (the cache changes
speed, never figures) and exits 1 if the warm median misses the target.
"""

from __future__ import annotations

import json
import os
import platform
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
TARGET_S = 1.5
sys.path.insert(0, str(HERE))

from ledger_gen import generate


def run(books: Path, *args: str) -> tuple[float, str]:
    env = {**os.environ, "CONSULT_TODAY": "2026-11-23", "PYTHONPATH": str(REPO)}
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "consult", "--books", str(books), "earnings", *args],
                         capture_output=True, text=True, env=env, check=True)
    return time.perf_counter() - t, out.stdout


def main() -> int:
    keep = sys.argv[2] if len(sys.argv) == 3 and sys.argv[1] == "--keep" else None
    root = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="consult-bench-"))
    try:
        if not (root / "practice.yaml").exists():
            t = time.perf_counter()
            counts = generate(root)
            print(f"generated {counts} in {time.perf_counter() - t:.1f} s")
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        results = []
        ok = True
        for basis in ("accrual", "cash"):
            shutil.rmtree(root / ".consult-cache", ignore_errors=True)
            cold, cold_out = run(root, "2024", "--basis", basis)
            warm = []
            for _ in range(5):
                s, out = run(root, "2024", "--basis", basis)
                warm.append(s)
                if out != cold_out:
                    print(f"MISMATCH: warm output differs from cold ({basis})")
                    ok = False
            med = statistics.median(warm)
            ok = ok and med <= TARGET_S
            results.append((basis, cold, med, min(warm), max(warm)))
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{'basis':8} {'cold s':>7} {'warm median s':>14} {'min':>6} {'max':>6}")
        for basis, cold, med, lo, hi in results:
            print(f"{basis:8} {cold:7.2f} {med:14.2f} {lo:6.2f} {hi:6.2f}")
        print(f"peak RSS of a run: {rss:.0f} MiB; target warm ≤ {TARGET_S} s: {'met' if ok else 'MISSED'}")
        for basis, cold, med, _, _ in results:  # one row each in run_all.py's table
            print("BENCH", json.dumps({"name": f"earnings 2024, 104k entries, {basis} (warm)",
                                       "target": f"<= {TARGET_S} s", "measured": f"{med:.2f} s",
                                       "pass": med <= TARGET_S, "note": f"cold {cold:.2f} s, {rss:.0f} MiB"}))
        return 0 if ok else 1
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
