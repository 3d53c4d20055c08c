"""Benchmark: `consult time import` of a 10,000-row Toggl export (issue 18: under 1 s).

Run directly (not collected by pytest), or through run_all.py:

    python tests/benchmarks/bench_import.py [--rows N] [--runs R]

It writes, in a temporary folder, books with one client and engagement and a Toggl Track
detailed report CSV of N rows (default 10,000: working days from January 2025, fifteen entries
of 25 minutes a day, every fifth one past midnight's neighbour at 23:50 so the midnight split
and the day ordering are exercised), then measures, each as a child process (wall time with
`time.perf_counter`, the median of R runs on fresh copies of the books):

- the import that writes all N entries (the target: under 1 s);
- the same file imported again (every row already in the books: read, compared, nothing written);
- a dry run of the first import.

The totals are checked: the books' minutes after the import equal the generator's own sum.
One `BENCH {...}` line per measurement for run_all.py; exit 1 when the target is missed.
CONSULT_BENCH_QUICK=1 uses 2,000 rows (the target then only indicative).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
TARGET_S = 1.0

PRACTICE = ("name: Bench Practice Ltd\naddress: |\n  1 Test Street\n  London\ncountry: GB\nbase_currency: GBP\n"
            "locale: en_GB\n")
CLIENT = ("name: Acme Ltd\naddress: |\n  2 Client Road\n  Leeds\ncountry: GB\ncurrency: GBP\nlocale: en_GB\n"
          "tax: none\n")
ENGAGEMENT = "title: Model build\nbilling: daily\nrate: 650\nstart: 2025-01-01\n"
HEADER = ("User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,"
          "Tags,Amount (GBP)\n")


def make_export(path: Path, rows: int) -> int:
    """A Toggl export of `rows` rows; returns their minutes (the generator's own sum)."""
    out = [HEADER]
    total = 0
    day = date(2025, 1, 1)
    n = 0
    while n < rows:
        if day.weekday() < 5:
            for k in range(15):
                if n == rows:
                    break
                start = datetime.combine(day, datetime.min.time()) + timedelta(hours=8, minutes=30 * k)
                if k == 14:  # a late one: 23:50 to 00:15 the next day
                    start = datetime.combine(day, datetime.min.time()) + timedelta(hours=23, minutes=50)
                end = start + timedelta(minutes=25)
                billable = "Yes" if k % 4 else "No"
                out.append(f"Sam Carter,sam@carter-ml.co.uk,Acme Ltd,Model build,Modelling,Task {n % 97},"
                           f"{billable},{start:%Y-%m-%d},{start:%H:%M:%S},{end:%Y-%m-%d},{end:%H:%M:%S},00:25:00,,0\n")
                total += 25
                n += 1
        day += timedelta(days=1)
    path.write_text("".join(out), encoding="utf-8")
    return total


def books(root: Path) -> Path:
    (root / "clients/acme/engagements").mkdir(parents=True)
    (root / "practice.yaml").write_text(PRACTICE)
    (root / "clients/acme/client.yaml").write_text(CLIENT)
    (root / "clients/acme/engagements/build.yaml").write_text(ENGAGEMENT)
    return root


CPU: list[float] = []  # each child's own user + system seconds (steadier than wall on a busy machine)


def run(books_dir: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("CONSULT_BOOKS", "CONSULT_DEBUG")}
    env.update(CONSULT_TODAY="2026-11-23", PYTHONPATH=str(REPO))
    with tempfile.TemporaryFile() as so, tempfile.TemporaryFile() as se:
        t = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "consult", "--books", str(books_dir), "time", *args],
                                 stdout=so, stderr=se, env=env, cwd=REPO)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t
        CPU.append(usage.ru_utime + usage.ru_stime)
        so.seek(0)
        se.seek(0)
        p = subprocess.CompletedProcess(child.args, os.waitstatus_to_exitcode(status), so.read().decode(),
                                        se.read().decode())
    return wall, p


def bench(name: str, target: str, seconds: float, ok: bool | None, note: str) -> None:
    print("BENCH", json.dumps({"name": name, "target": target, "measured": f"{seconds:.3f} s", "pass": ok,
                               "note": note}))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    quick = os.environ.get("CONSULT_BENCH_QUICK") == "1"
    ap.add_argument("--rows", type=int, default=2_000 if quick else 10_000)
    ap.add_argument("--runs", type=int, default=3 if quick else 5)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        t = Path(tmp)
        export = t / "toggl.csv"
        want = make_export(export, args.rows)
        clean = books(t / "clean")
        first: list[float] = []
        first_cpu: list[float] = []
        dry: list[float] = []
        again: list[float] = []
        for i in range(args.runs + 1):  # the first run warms the disk cache and is not counted
            b = t / f"run{i}"
            shutil.copytree(clean, b)
            secs, p = run(b, "import", str(export), "--dry-run")
            if p.returncode != 0:
                print(p.stdout, p.stderr)
                return 1
            if i:
                dry.append(secs)
            secs, p = run(b, "import", str(export))
            if p.returncode != 0:
                print(p.stdout, p.stderr)
                return 1
            if i:
                first.append(secs)
                first_cpu.append(CPU[-1])
            secs, p = run(b, "import", str(export))
            if i:
                again.append(secs)
            if "Imported 0 entries" not in p.stdout:
                print("re-import added entries:", p.stdout)
                return 1
        secs, p = run(t / "run1", "report", "--by", "client", "--format", "json")
        got = sum(r["minutes"] for r in json.loads(p.stdout))
        if got != want:
            print(f"minutes in the books {got} != {want} exported")
            return 1
        rows = f"{args.rows:,} Toggl rows"
        med = statistics.median(first)
        bench(f"time import {rows}", f"< {TARGET_S:.1f} s", med, med < TARGET_S if not quick else None,
              f"median of {args.runs}; its CPU {statistics.median(first_cpu):.3f} s; {want} min written, "
              f"books total checked; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        bench(f"time import {rows} again (all in the books)", "-", statistics.median(again), None,
              f"median of {args.runs}")
        bench(f"time import {rows} --dry-run", "-", statistics.median(dry), None, f"median of {args.runs}")
        return 0 if quick or med < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
