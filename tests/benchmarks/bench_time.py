"""Benchmark: per-client monthly time totals over 100,000 entries, consult beside hledger.

Run directly (not collected by pytest):

    python tests/benchmarks/bench_time.py [--dir DIR] [--n N] [--runs R]

It writes the history with `tests/support/synth.py` into bench-data/time-<N>/ (git-ignored; reused while
its expected.csv is there), then, in the same run and on the same machine:

- `consult time report --by client --by month --format csv`, once cold (no `.consult-cache/`)
  and R times warm;
- hledger over the same entries as timedot and as timeclock (`bal -M --depth 1 -O json`, full
  precision, so totals compare to the minute; hledger's default display is 0.01 h);
- `consult time log` into a copy of the books (so the history measured is never changed).

Wall time is `time.perf_counter` around each child; peak memory is the child's own
`ru_maxrss` from `os.wait4`. consult's and hledger's totals are both compared with the
generator's expected.csv, minute for minute. Targets (issue 4): report ≤ 1.2 s and ≤ 250 MiB,
consult/hledger(timedot) wall ratio ≤ 0.5, totals equal; `time log` ≤ 0.2 s. One `BENCH {...}`
line per target for run_all.py; exit 1 when any target is missed or cannot be measured.
CONSULT_BENCH_QUICK=1 uses 10,000 entries (targets then only indicative).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from support.synth import generate

REPORT_S, REPORT_MIB, RATIO, LOG_S = 1.2, 250.0, 0.5, 0.2
Totals = dict[tuple[str, str], int]


@dataclass
class Run:
    wall: float
    peak_mib: float
    code: int
    out: str
    err: str


def run(argv: list[str], cwd: Path = REPO) -> Run:
    """One child: wall seconds, its own peak RSS (MiB), exit code and output."""
    env = {k: v for k, v in os.environ.items() if k not in ("CONSULT_BOOKS", "CONSULT_DEBUG")}
    env.update(CONSULT_TODAY="2026-11-23", PYTHONPATH=str(REPO))
    with tempfile.TemporaryFile() as so, tempfile.TemporaryFile() as se:
        t = time.perf_counter()
        p = subprocess.Popen(argv, stdout=so, stderr=se, env=env, cwd=cwd)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        so.seek(0)
        se.seek(0)
        return Run(wall, usage.ru_maxrss / 1024, p.returncode, so.read().decode(), se.read().decode())


def median_runs(argv: list[str], n: int) -> tuple[Run, float, float]:
    """The last run, the median wall and the largest peak of n runs."""
    runs = [run(argv) for _ in range(n)]
    return runs[-1], statistics.median(r.wall for r in runs), max(r.peak_mib for r in runs)


def read_expected(path: Path) -> tuple[Totals, Totals]:
    all_, bill = {}, {}
    with path.open(newline="") as f:
        for r in csv.DictReader(f):
            all_[(r["client"], r["month"])] = int(r["minutes"])
            bill[(r["client"], r["month"])] = int(r["billable_minutes"])
    return all_, bill


def hledger_totals(text: str) -> Totals:
    """Client-month minutes from `hledger bal -M --depth 1 -O json` (full-precision hours)."""
    d = json.loads(text)
    months = [start[:7] for start, _end in d["prDates"]]
    out: Totals = {}
    for row in d["prRows"]:
        for month, amounts in zip(months, row["prrAmounts"], strict=True):
            hours = sum((Decimal(a["aquantity"]["decimalMantissa"]).scaleb(-a["aquantity"]["decimalPlaces"])
                         for a in amounts), Decimal(0))
            if hours:
                out[(row["prrName"], month)] = int((hours * 60).to_integral_value())
    return out


def consult_totals(text: str) -> tuple[Totals | None, str]:
    """Client-month minutes from the report's CSV: a client column, a month (or period) column
    and a minutes column (actual time, before any billing rounding)."""
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        return None, "no rows in the report's CSV"
    keys = rows[0].keys()
    month = next((k for k in ("month", "period") if k in keys), None)
    minutes = next((k for k in ("minutes", "actual_minutes") if k in keys), None)
    if "client" not in keys or month is None or minutes is None:
        return None, f"report CSV columns not understood: {', '.join(keys)}"
    out: Totals = {}
    for r in rows:
        if not r["client"] or r["client"].lower() == "total" or not r[month]:
            continue
        key = (r["client"], r[month][:7])
        out[key] = out.get(key, 0) + int(r[minutes])
    return out, ""


def compare(got: Totals | None, want: Totals) -> tuple[bool, str]:
    if got is None:
        return False, "no totals"
    diff = [k for k in sorted(set(got) | set(want)) if got.get(k, 0) != want.get(k, 0)]
    if not diff:
        return True, f"{len(want)} client-months equal"
    k = diff[0]
    return False, f"{len(diff)} client-months differ, e.g. {k[0]} {k[1]}: {got.get(k, 0)} vs {want.get(k, 0)} min"


def bench(name: str, target: str, measured: str, ok: bool | None, note: str = "") -> None:
    print("BENCH", json.dumps({"name": name, "target": target, "measured": measured, "pass": ok, "note": note}))


def main(argv: list[str] | None = None) -> int:
    quick = os.environ.get("CONSULT_BENCH_QUICK") == "1"
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000 if quick else 100_000, help="entries (default 100000)")
    ap.add_argument("--dir", type=Path, help="history folder (default bench-data/time-N)")
    ap.add_argument("--runs", type=int, default=3 if quick else 5, help="warm runs (median)")
    args = ap.parse_args(argv)
    root = args.dir or REPO / "bench-data" / f"time-{args.n}"
    books = root / "books"
    if not (root / "expected.csv").exists():
        shutil.rmtree(root, ignore_errors=True)
        t = time.perf_counter()
        print(f"generated {generate(root, args.n)} in {time.perf_counter() - t:.1f} s")
    expected, _billable = read_expected(root / "expected.csv")
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), "unknown CPU") if Path("/proc/cpuinfo").exists() else "unknown CPU"
    print(f"machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
          f"Python {platform.python_version()}; history: {args.n} entries in {root}")

    rows: list[tuple[str, float | None, float | None, str]] = []
    failed = False

    # hledger first: the reference figures
    hledger = shutil.which("hledger")
    h_wall = None
    for fmt in ("timedot", "timeclock"):
        if hledger is None:
            rows.append((f"hledger ({fmt})", None, None, "hledger not installed"))
            continue
        last, wall, peak = median_runs([hledger, "-f", str(root / f"work.{fmt}"), "bal", "-M", "--depth", "1",
                                        "-O", "json"], 3 if fmt == "timedot" else 1)
        ok, note = compare(hledger_totals(last.out), expected) if last.code == 0 else (False, last.err.strip()[:80])
        rows.append((f"hledger {_version(hledger)} ({fmt})", wall, peak, note))
        failed |= not ok
        if fmt == "timedot":
            h_wall = wall

    # what the loader alone costs (no cache, no CLI): the floor a cold report starts from
    snippet = ("import sys, collections; from pathlib import Path; from consult.books.loader import load_books; "
               "t = collections.Counter(); r = load_books(Path(sys.argv[1])); "
               "[t.update({(e.client, e.date.strftime('%Y-%m')): e.minutes}) for e in r.books.entries]; "
               "print('client,month,minutes'); [print(f'{c},{m},{v}') for (c, m), v in sorted(t.items())]")
    lib = run([sys.executable, "-c", snippet, str(books)])
    lib_totals, why = consult_totals(lib.out) if lib.code == 0 else (None, lib.err.strip()[-80:])
    rows.append(("consult.books.loader + sum (library, no cache)", lib.wall, lib.peak_mib,
                 why or compare(lib_totals, expected)[1]))

    report = [sys.executable, "-m", "consult", "--books", str(books), "time", "report",
              "--by", "client", "--by", "month", "--format", "csv"]
    shutil.rmtree(books / ".consult-cache", ignore_errors=True)
    cold = run(report)
    if cold.code != 0:
        msg = (cold.err.strip().splitlines() or ["no output"])[-1][:120]
        rows.append(("consult time report (cold)", cold.wall, cold.peak_mib, f"exit {cold.code}: {msg}"))
        bench("time report 100k entries (warm)", f"<= {REPORT_S} s", "-", None, f"not measured: exit {cold.code}: {msg}")
        failed = True
    else:
        c_totals, why = consult_totals(cold.out)
        ok, note = compare(c_totals, expected)
        rows.append(("consult time report (cold)", cold.wall, cold.peak_mib, why or note))
        last, warm, peak = median_runs(report, args.runs)
        warm_ok, warm_note = (True, "same output as cold") if last.out == cold.out else (False, "warm output differs from cold")
        rows.append((f"consult time report (warm, median of {args.runs})", warm, peak, warm_note))
        peak_all = max(peak, cold.peak_mib)
        bench("time report 100k entries (warm)", f"<= {REPORT_S} s", f"{warm:.2f} s", warm <= REPORT_S,
              f"cold {cold.wall:.2f} s")
        bench("time report peak memory", f"<= {REPORT_MIB:.0f} MiB", f"{peak_all:.0f} MiB", peak_all <= REPORT_MIB)
        bench("time report totals = expected.csv", "equal to the minute", note, ok and warm_ok)
        failed |= not (warm <= REPORT_S and peak_all <= REPORT_MIB and ok and warm_ok)
        if h_wall:
            ratio = warm / h_wall
            bench("time report / hledger timedot", f"<= {RATIO}", f"{ratio:.2f}", ratio <= RATIO,
                  f"hledger {h_wall:.2f} s")
            failed |= ratio > RATIO

    with tempfile.TemporaryDirectory(prefix="consult-bench-log-") as tmp:
        copy = Path(tmp) / "books"
        shutil.copytree(books, copy, ignore=shutil.ignore_patterns(".consult-cache"))
        log = [sys.executable, "-m", "consult", "--books", str(copy), "time", "log", "client-00/eng-1", "1h30m",
               "--date", "2025-07-01", "--note", "bench"]
        last, wall, peak = median_runs(log, args.runs)
        if last.code != 0:
            msg = (last.err.strip().splitlines() or ["no output"])[-1][:120]
            rows.append(("consult time log", wall, peak, f"exit {last.code}: {msg}"))
            bench("time log", f"<= {LOG_S} s", "-", None, f"not measured: exit {last.code}: {msg}")
            failed = True
        else:
            rows.append((f"consult time log (median of {args.runs})", wall, peak, ""))
            bench("time log", f"<= {LOG_S} s", f"{wall:.3f} s", wall <= LOG_S)
            failed |= wall > LOG_S

    w = max(len(r[0]) for r in rows)
    print(f"\n{'tool':<{w}}  {'wall s':>7}  {'peak MiB':>8}  totals")
    for name, wall_s, mib, note in rows:
        ws = f"{wall_s:7.2f}" if wall_s is not None else "      -"
        ms = f"{mib:8.0f}" if mib is not None else "       -"
        print(f"{name:<{w}}  {ws}  {ms}  {note}")
    return 1 if failed else 0


def _version(exe: str) -> str:
    out = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.split()
    return out[1].rstrip(",") if len(out) > 1 else "?"


if __name__ == "__main__":
    sys.exit(main())
