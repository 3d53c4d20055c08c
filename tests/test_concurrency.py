"""Twenty processes at once on the same books: nothing lost, nothing numbered twice.

* twenty `consult invoice create` for twenty clients at once: numbers INV-2026-0001..0020,
  each exactly once, no gap, one invoice per client, every record readable;
* twenty `consult time log` at once into the same month's timesheet: twenty entries, each
  exactly once, every byte that was there before still there;
* the numbering itself (`invoicing.issue`) from twenty plain Python processes, which needs no
  renderer, so the lock is proven even where ReportLab is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import PRACTICE, REPO

N = 20
OCT_WORK = ("- {date: 2026-10-05, engagement: build, hours: 7.5, note: Discovery}\n"
            "- {date: 2026-10-06, engagement: build, duration: 3h45m, note: Data audit}\n")
NOV_START = "# November, by hand\n- {date: 2026-11-02, engagement: build, hours: 1, note: Kick-off}\n"


def many_clients_books(root: Path, n: int = N) -> Path:
    """A VAT-registered practice with clients c01..cNN, each a £650/day engagement and two days' work."""
    root.mkdir(parents=True)
    (root / "practice.yaml").write_text(textwrap.dedent(PRACTICE), encoding="utf-8")
    for i in range(1, n + 1):
        c = root / "clients" / f"c{i:02d}"
        (c / "engagements").mkdir(parents=True)
        (c / "timesheets").mkdir()
        (c / "client.yaml").write_text(f"name: Client {i:02d} Ltd\naddress: |\n  {i} High Street\n  Leeds\n"
                                       "country: GB\ncurrency: GBP\nlocale: en_GB\ntax: standard\n", encoding="utf-8")
        (c / "engagements/build.yaml").write_text("title: Model build\nbilling: daily\nrate: 650\n"
                                                  "day_rounding: half\nstart: 2026-01-01\n", encoding="utf-8")
        (c / "timesheets/2026-10.yaml").write_text(OCT_WORK, encoding="utf-8")
    (root / "clients/c01/timesheets/2026-11.yaml").write_text(NOV_START, encoding="utf-8")
    return root


def env() -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k not in ("CONSULT_BOOKS", "CONSULT_DEBUG")}
    e["CONSULT_TODAY"] = "2026-11-22"
    e["PYTHONPATH"] = str(REPO) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def run_all_at_once(argvs: list[list[str]], cwd: Path, timeout: float = 120) -> list[tuple[int, str]]:
    procs = [subprocess.Popen(a, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env(), cwd=cwd)
             for a in argvs]
    return [(p.wait(timeout), p.stdout.read()) for p in procs]


def consult(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "consult", "--books", str(root), *args]


def issued_numbers(root: Path) -> dict[str, str]:
    """number -> client of every issued record, read back through the store."""
    from consult.invoices.store import load_invoices

    invoices, problems = load_invoices(root)
    assert problems == []
    return {i.number: i.client for i in invoices}


def assert_check_clean(root: Path) -> None:
    proc = subprocess.run(consult(root, "check"), capture_output=True, text=True, env=env(), cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def test_twenty_invoice_creates_at_once_get_twenty_gapless_numbers(tmp_path):
    """20 × `consult invoice create cNN --period 2026-10` at once: INV-2026-0001..0020, one per client."""
    pytest.importorskip("consult.render.invoice", reason="invoice create needs the PDF renderer")
    root = many_clients_books(tmp_path / "books")
    results = run_all_at_once([consult(root, "invoice", "create", f"c{i:02d}", "--period", "2026-10")
                               for i in range(1, N + 1)], tmp_path)
    assert [code for code, _ in results] == [0] * N, [out for code, out in results if code]
    numbers = issued_numbers(root)
    assert sorted(numbers) == [f"INV-2026-{k:04d}" for k in range(1, N + 1)]
    assert sorted(numbers.values()) == [f"c{i:02d}" for i in range(1, N + 1)]
    for number, client in numbers.items():
        pdf = root / "clients" / client / "invoices" / f"{number}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.read_bytes().rstrip().endswith(b"%%EOF")
        printed = [out for code, out in results if out.startswith(number + " ")]
        assert len(printed) == 1 and f"  {client}  " in printed[0]
    assert_check_clean(root)


ISSUE = """
import sys
from datetime import date
from pathlib import Path
from consult.books.loader import open_books
from consult.invoices.build import build_invoice, issue
root, client = Path(sys.argv[1]), sys.argv[2]
books = open_books(root)
draft = build_invoice(books, client, date(2026, 10, 1), date(2026, 10, 31), issued=date(2026, 11, 22))
print(issue(books, draft).invoice.number, client)
"""


def test_twenty_processes_numbering_at_once_never_collide(tmp_path):
    """20 processes issuing through the library at once (no PDF): 20 distinct, consecutive numbers."""
    root = many_clients_books(tmp_path / "books")
    results = run_all_at_once([[sys.executable, "-c", ISSUE, str(root), f"c{i:02d}"] for i in range(1, N + 1)],
                              tmp_path)
    assert [code for code, _ in results] == [0] * N, [out for code, out in results if code]
    said = sorted(out.split()[0] for _, out in results)
    assert said == [f"INV-2026-{k:04d}" for k in range(1, N + 1)]
    numbers = issued_numbers(root)
    assert sorted(numbers) == said
    assert {numbers[out.split()[0]] for _, out in results} == {f"c{i:02d}" for i in range(1, N + 1)}
    # billing the same work again, twenty at once, is refused every time
    again = run_all_at_once([[sys.executable, "-c", ISSUE, str(root), f"c{i:02d}"] for i in range(1, 5)], tmp_path)
    assert all(code == 1 for code, _ in again), again
    assert len(issued_numbers(root)) == N


def test_twenty_time_logs_at_once_keep_every_entry_exactly_once(tmp_path):
    """20 × `consult time log c01/build 1h --note proc-K` into one file: each note once, old lines intact."""
    root = many_clients_books(tmp_path / "books")
    results = run_all_at_once([consult(root, "time", "log", "c01/build", "1h", "--date", "2026-11-03",
                                       "--note", f"proc-{k:02d}") for k in range(N)], tmp_path)
    assert [code for code, _ in results] == [0] * N, [out for code, out in results if code]
    text = (root / "clients/c01/timesheets/2026-11.yaml").read_text(encoding="utf-8")
    assert text.startswith(NOV_START)
    from consult.books.loader import load_books

    result = load_books(root)
    assert result.errors == []
    notes = sorted(e.note or "" for e in result.books.entries if e.client == "c01" and e.date.month == 11)
    assert notes == sorted(["Kick-off"] + [f"proc-{k:02d}" for k in range(N)])
    assert sum(e.minutes for e in result.books.entries if e.client == "c01" and e.date.day == 3) == 60 * N
    assert_check_clean(root)
