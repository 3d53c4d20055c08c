"""A seeded synthetic work history: ten years of a small practice, for tests and the benchmark.

    python tests/support/synth.py OUT [N] [--seed S]

writes, for N entries (default 100,000):

    OUT/books/                the data contract: practice.yaml, clients/<id>/client.yaml,
                              clients/<id>/engagements/<id>.yaml, clients/<id>/timesheets/YYYY-MM.csv
    OUT/expected.csv          client, month, minutes, billable_minutes (the totals a report must give)
    OUT/work.timedot          the same entries in hledger's timedot format (exact to the minute)
    OUT/work.timeclock        and in hledger's timeclock format

Its shape follows the peer tool the timesheet issue names (a ten-person practice working
weekdays from 2016-01-04: 30–50 entries a day over 20 clients × 3 engagements, so 100,000
entries span about 9.6 years and 2,320 client-month files), so that timings compare. It adds
what a real book has and that history lacks: 15% of client-month files are written with the
full column set (`duration` as `1h30m`, `90m`, `1:30`, `7,5h` or `0.5d`; `start`/`end`;
`billable: false` on about one row in ten), notes with commas, and daily-billed engagements.

Every duration is a multiple of 3 minutes (0.05 h), so decimal hours are exact in two places
and hledger's timeclock (which rounds each session to 0.01 h) also totals to the minute.

Deterministic: the same N and seed give byte-identical files (one `random.Random(seed)`, no
clock, no set or hash order).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

from consult.core.records import TimeEntry
from consult.work.export import to_timeclock, to_timedot

START = date(2016, 1, 4)
CLIENTS = 20
ENGAGEMENTS_PER_CLIENT = 3
MINUTES = (30, 45, 60, 90, 120, 150, 180, 240)
"""The peer's durations; a few others (below) add odd-looking but 3-minute-aligned values."""
ODD_MINUTES = (18, 42, 75, 111, 225, 267, 363, 450)
NOTES = ("synthetic work", "Feature pipeline", "Model review, notes", "Stakeholder call",
         "Data cleaning", "Evaluation; drift checks", "Deployment", "Write-up")
SIMPLE_HEADER = ("date", "engagement", "hours", "note")
FULL_HEADER = ("date", "engagement", "hours", "duration", "start", "end", "note", "billable")
HOURS_PER_DAY = 450  # minutes: practice.yaml's 7.5 h, for the `0.5d` form

PRACTICE = """\
# Synthetic practice written by consult.synth (seeded; regenerate rather than edit).
name: Synthetic Consulting Ltd
address: |
  1 Test Street
  London
country: GB
base_currency: GBP
locale: en_GB
hours_per_day: 7.5
"""


@dataclass(frozen=True, slots=True)
class Counts:
    """What one generation wrote."""

    entries: int
    files: int
    clients: int
    engagements: int
    first: date
    last: date

    def __str__(self) -> str:
        return (f"{self.entries} entries in {self.files} timesheet files, {self.clients} clients, "
                f"{self.engagements} engagements, {self.first} .. {self.last}")


def client_ids() -> list[str]:
    return [f"client-{i:02d}" for i in range(CLIENTS)]


def engagement_ids() -> list[str]:
    return [f"eng-{j}" for j in range(ENGAGEMENTS_PER_CLIENT)]


def make_entries(n: int, seed: int = 42) -> list[TimeEntry]:
    """N entries, weekdays from 2016-01-04, in the order they are written (by day)."""
    rnd = random.Random(seed)
    clients, engs = client_ids(), engagement_ids()
    out: list[TimeEntry] = []
    day = START
    while len(out) < n:
        if day.weekday() < 5:
            for _ in range(rnd.randint(30, 50)):
                c, e = rnd.choice(clients), rnd.choice(engs)
                mins = rnd.choice(MINUTES) if rnd.random() < 0.9 else rnd.choice(ODD_MINUTES)
                billable = rnd.random() >= 0.05
                out.append(TimeEntry(c, e, day, mins, rnd.choice(NOTES), billable))
                if len(out) >= n:
                    break
        day += timedelta(days=1)
    return out


def _hours(minutes: int) -> str:
    """Exact decimal hours of a 3-minute multiple: 90 -> 1.5, 111 -> 1.85, 60 -> 1."""
    h, r = divmod(minutes * 100 // 60, 100)
    return f"{h}" if not r else f"{h}.{r:02d}".rstrip("0")


def _duration(minutes: int, rnd: random.Random) -> str:
    """One of the contract's duration spellings for these minutes."""
    h, m = divmod(minutes, 60)
    forms = [f"{minutes}m", f"{h}:{m:02d}", f"{h}h{m}m" if m else f"{h}h",
             _hours(minutes).replace(".", ",") + "h"]
    if minutes == HOURS_PER_DAY // 2:
        forms.append("0.5d")
    return rnd.choice(forms)


def _full_row(e: TimeEntry, rnd: random.Random, clock: list[int]) -> tuple[list[str], TimeEntry]:
    """A row of a full-header file and the entry it stands for (start/end kept when written)."""
    row = [e.date.isoformat(), e.engagement, "", "", "", "", e.note or "", "" if e.billable else "false"]
    pick = rnd.random()
    if pick < 0.4:
        row[2] = _hours(e.minutes)
    elif pick < 0.8 or clock[0] + e.minutes > 20 * 60:
        row[3] = _duration(e.minutes, rnd)
    else:
        a, b = clock[0], clock[0] + e.minutes
        clock[0] = b
        row[4], row[5] = f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"
        return row, TimeEntry(e.client, e.engagement, e.date, e.minutes, e.note, e.billable,
                              time(a // 60, a % 60), time(b // 60, b % 60))
    return row, e


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")


def write_books(root: Path, entries: list[TimeEntry], seed: int = 42) -> tuple[list[TimeEntry], int]:
    """The books folder for these entries; returns the entries as written (with any start/end
    the file gives them) and the number of timesheet files."""
    rnd = random.Random(seed + 1)
    _write(root / "practice.yaml", PRACTICE)
    for i, c in enumerate(client_ids()):
        eu = i % 5 == 4
        _write(root / "clients" / c / "client.yaml",
               f"name: {c.title()} {'GmbH' if eu else 'Ltd'}\ncountry: {'DE' if eu else 'GB'}\n"
               f"currency: {'EUR' if eu else 'GBP'}\nlocale: {'de_DE' if eu else 'en_GB'}\n")
        for j, g in enumerate(engagement_ids()):
            if j == 0:
                body = f"title: {g} work\nbilling: daily\nrate: {525 + 25 * (i % 8)}\nday_rounding: {('half', 'whole', 'exact')[i % 3]}\n"
            else:
                body = f"title: {g} work\nbilling: hourly\nrate: 90\n"
            _write(root / "clients" / c / "engagements" / f"{g}.yaml", body + "start: 2016-01-01\n")
    by_file: dict[tuple[str, str], list[TimeEntry]] = defaultdict(list)
    for e in entries:
        by_file[(e.client, e.date.strftime("%Y-%m"))].append(e)
    written: list[TimeEntry] = []
    for (c, month), rows in sorted(by_file.items()):
        full = any(not e.billable for e in rows) and rnd.random() < 0.15 or rnd.random() < 0.03
        path = root / "clients" / c / "timesheets" / f"{month}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            if not full:
                # a non-billable entry needs the billable column: simple files hold billable work only
                w.writerow(SIMPLE_HEADER)
                for e in rows:
                    e = e if e.billable else TimeEntry(e.client, e.engagement, e.date, e.minutes, e.note, True)
                    w.writerow([e.date.isoformat(), e.engagement, _hours(e.minutes), e.note])
                    written.append(e)
                continue
            w.writerow(FULL_HEADER)
            clock = [9 * 60]
            last = None
            for e in rows:
                if e.date != last:
                    clock, last = [9 * 60], e.date
                row, e2 = _full_row(e, rnd, clock)
                w.writerow(row)
                written.append(e2)
    return written, len(by_file)


def expected_rows(entries: list[TimeEntry]) -> list[tuple[str, str, int, int]]:
    """(client, month, minutes, billable_minutes), sorted by client then month."""
    tot: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for e in entries:
        t = tot[(e.client, e.date.strftime("%Y-%m"))]
        t[0] += e.minutes
        if e.billable:
            t[1] += e.minutes
    return [(c, m, a, b) for (c, m), (a, b) in sorted(tot.items())]


def generate(out: Path, n: int = 100_000, seed: int = 42) -> Counts:
    """Write the whole history under `out` (see the module docstring)."""
    out = Path(out)
    entries, files = write_books(out / "books", make_entries(n, seed), seed)
    lines = ["client,month,minutes,billable_minutes"]
    lines += [f"{c},{m},{a},{b}" for c, m, a, b in expected_rows(entries)]
    _write(out / "expected.csv", "\n".join(lines) + "\n")
    _write(out / "work.timedot", to_timedot(entries))
    _write(out / "work.timeclock", to_timeclock(entries))
    return Counts(len(entries), files, CLIENTS, CLIENTS * ENGAGEMENTS_PER_CLIENT,
                  entries[0].date if entries else START, entries[-1].date if entries else START)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python tests/support/synth.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="folder to write (books/, expected.csv, work.timedot, work.timeclock)")
    ap.add_argument("n", type=int, nargs="?", default=100_000, help="number of entries (default 100000)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("N must be at least 1")
    if (args.out / "books" / "practice.yaml").exists():
        ap.error(f"{args.out}/books already holds books; choose an empty folder")
    print(generate(args.out, args.n, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
