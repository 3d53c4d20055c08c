"""Every speed target of the project, measured in one run and printed as one table.

    python tests/benchmarks/run_all.py [--quick] [--only NAME] [--markdown]

It runs every `bench_*.py` beside it (each written by the engineer who owns the feature; they
are scripts, not pytest tests) and measures the start-up of the commands a user runs most
(`consult --help`, `consult check` on the sample books, `consult rate convert 650/day`).

A bench script reports its results to this runner by printing one line per target:

    BENCH {"name": "time report 100k entries", "target": "<= 1.2 s", "measured": "0.84 s", "pass": true}

(`python -c 'import json; print("BENCH", json.dumps({...}))'` style; any other output is shown
as it is.) A script that prints no BENCH line gets one row: its own wall time, and pass when it
exits 0. The runner exits 1 when any target fails, so CI can run it too.

Start-up budgets are this runner's own (the issues set none in seconds; issue 2 only forbids
pandas and ReportLab at start-up, which tests/test_cli_books.py checks): a command a person
types many times a day must answer in well under half a second.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


@dataclass
class Row:
    name: str
    target: str
    measured: str
    ok: bool | None  # None: not measured (missing, skipped)
    note: str = ""


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CONSULT_BOOKS", "CONSULT_DEBUG")}
    env["CONSULT_TODAY"] = "2026-11-22"
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def wall(argv: list[str], runs: int, cwd: Path = REPO) -> tuple[float, int, str]:
    """Median wall seconds of `runs` runs (after one warm-up), the last exit code and output."""
    times = []
    code, out = 0, ""
    for i in range(runs + 1):
        t = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True, env=_env(), cwd=cwd)
        dt = time.perf_counter() - t
        code, out = proc.returncode, proc.stdout + proc.stderr
        if i:
            times.append(dt)
    return statistics.median(times), code, out


STARTUP = [
    # name, consult arguments, budget in seconds
    ("consult --help", ["--help"], 0.30),
    ("consult check (sample books)", ["--books", str(REPO), "check"], 0.40),  # issue 16: < 0.4 s
    ("consult rate convert 650/day", ["--books", str(REPO), "rate", "convert", "650/day"], 0.30),
]


def startup_rows(runs: int) -> list[Row]:
    rows = []
    for name, args, budget in STARTUP:
        secs, code, out = wall([sys.executable, "-m", "consult", *args], runs)
        if code != 0:
            rows.append(Row(name, f"<= {budget:.2f} s", "-", None, f"exit {code}: {out.strip().splitlines()[-1:]}"))
            continue
        rows.append(Row(name, f"<= {budget:.2f} s", f"{secs:.3f} s", secs <= budget, f"median of {runs}"))
    return rows


def parse_bench_lines(text: str) -> list[Row]:
    rows = []
    for line in text.splitlines():
        if not line.startswith("BENCH "):
            continue
        try:
            d = json.loads(line[len("BENCH "):])
            rows.append(Row(str(d["name"]), str(d.get("target", "")), str(d.get("measured", "")),
                            bool(d["pass"]) if d.get("pass") is not None else None, str(d.get("note", ""))))
        except (ValueError, KeyError, TypeError):
            rows.append(Row(line[6:40], "?", "?", None, "unreadable BENCH line"))
    return rows


_LIMIT = re.compile(r"^(?P<name>[^:]+):.*?(?:median|measured|wall)\s*(?P<m>[\d.]+)\s*(?P<mu>s|ms|MiB)\b.*?"
                    r"\((?:limit|target)\s*(?:<=|≤)?\s*(?P<t>[\d.]+)\s*(?P<tu>s|ms|MiB)\)")


def parse_limit_lines(text: str) -> list[Row]:
    """Rows from lines like `NAME: … median 0.207 s … (limit 1.0 s)` (scripts without BENCH lines)."""
    rows = []
    for line in text.splitlines():
        m = _LIMIT.search(line)
        if m and m["mu"] == m["tu"]:
            measured, limit = float(m["m"]), float(m["t"])
            rows.append(Row(m["name"].strip(), f"<= {m['t']} {m['tu']}", f"{m['m']} {m['mu']}", measured <= limit))
    return rows


def bench_rows(only: str | None, quick: bool, timeout: float) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    logs: list[str] = []
    env = _env()
    if quick:
        env["CONSULT_BENCH_QUICK"] = "1"
    for script in sorted(HERE.glob("bench_*.py")):
        if only and only not in script.name:
            continue
        t = time.perf_counter()
        try:
            proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env,
                                  cwd=REPO, timeout=timeout)
        except subprocess.TimeoutExpired:
            rows.append(Row(script.stem, f"< {timeout:.0f} s", "timeout", False))
            continue
        dt = time.perf_counter() - t
        out = proc.stdout + proc.stderr
        logs.append(f"--- {script.name} (exit {proc.returncode}, {dt:.1f} s)\n{out.rstrip()}")
        found = parse_bench_lines(proc.stdout) or parse_limit_lines(proc.stdout)
        if found:
            if proc.returncode != 0 and all(r.ok for r in found):
                found.append(Row(script.stem, "exit 0", f"exit {proc.returncode}", False))
            rows.extend(found)
        else:
            rows.append(Row(script.stem, "exit 0 (its own checks)", f"{dt:.2f} s wall",
                            proc.returncode == 0, "" if proc.returncode == 0 else f"exit {proc.returncode}"))
    return rows, logs


def table(rows: list[Row], markdown: bool) -> str:
    head = ("target", "budget", "measured", "result", "note")
    body = [(r.name, r.target, r.measured, {True: "pass", False: "FAIL", None: "-"}[r.ok], r.note) for r in rows]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in body]
        return "\n".join(lines)
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join([fmt.format(*head), fmt.format(*("-" * w for w in widths)), *(fmt.format(*b) for b in body)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="ask the bench scripts for a small run (CONSULT_BENCH_QUICK=1)")
    ap.add_argument("--only", help="run only bench scripts whose name contains this")
    ap.add_argument("--runs", type=int, default=5, help="runs per start-up measurement (median)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds allowed per bench script")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    ap.add_argument("--quiet", action="store_true", help="do not repeat the scripts' own output")
    args = ap.parse_args(argv)

    import compileall  # measure what an installed consult runs: its modules compiled once, not on every start

    compileall.compile_dir(REPO / "consult", quiet=2)
    rows = [] if args.only else startup_rows(args.runs)
    brows, logs = bench_rows(args.only, args.quick, args.timeout)
    rows += brows
    if not args.quiet:
        for log in logs:
            print(log, end="\n\n")
    print(f"Machine: {machine()}")
    print(table(rows, args.markdown))
    failed = [r for r in rows if r.ok is False]
    unmeasured = [r for r in rows if r.ok is None]
    measured = len(rows) - len(unmeasured)
    print(f"\n{measured - len(failed)} of {measured} measured targets met"
          + (f"; FAILED: {', '.join(r.name for r in failed)}" if failed else "")
          + (f"; not measured: {', '.join(r.name for r in unmeasured)}" if unmeasured else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
