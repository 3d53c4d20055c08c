"""Many `consult` processes at once on the same books: nothing lost, nothing numbered twice,
nothing credited, paid or billed past what is there.

One harness (`race`): start every command of a case together as real processes, wait, then
check what each printed and what the books hold — read back through the library — and that
`consult check` is clean. Each case is a promise a user relies on when two terminals, a cron job
and an editor hit the books at once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PRACTICE, REPO

N = 12  # processes racing in the larger cases: enough to interleave every step on two cores
OCT_WORK = ("- {date: 2026-10-05, engagement: build, hours: 7.5, note: Discovery}\n"
            "- {date: 2026-10-06, engagement: build, duration: 3h45m, note: Data audit}\n")
NOV_START = "# November, by hand\n- {date: 2026-11-02, engagement: build, hours: 1, note: Kick-off}\n"


def many_clients_books(root: Path, n: int = N) -> Path:
    """A VAT-registered practice with clients c01..cNN, each a £650/day engagement and two days' work
    (1.5 days at half-day rounding: £975.00 + VAT £195.00 = £1,170.00 an invoice)."""
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


def consult(root: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "consult", "--books", str(root), *args]


def race(argvs: list[list[str]], cwd: Path, timeout: float = 120) -> list[tuple[int, str]]:
    """Start every command together; (exit code, output) of each, in order."""
    procs = [subprocess.Popen(a, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env(), cwd=cwd)
             for a in argvs]
    return [(p.wait(timeout), p.stdout.read() if p.stdout else "") for p in procs]


def run(root: Path, *args: str) -> tuple[int, str]:
    p = subprocess.run(consult(root, *args), capture_output=True, text=True, env=env(), cwd=root)
    return p.returncode, p.stdout + p.stderr


def issued(root: Path) -> dict[str, str]:
    """number -> client of every issued record, read back through the store (all readable)."""
    from consult.invoices.store import load_invoices

    invoices, problems = load_invoices(root)
    assert problems == []
    return {i.number: i.client for i in invoices}


@dataclass(frozen=True)
class Case:
    name: str
    setup: Callable[[Path], None]            # before the race (the books exist)
    argvs: Callable[[Path], list[list[str]]]
    check: Callable[[Path, list[tuple[int, str]]], None]


# --- the cases ---------------------------------------------------------------------------------
def _creates(root: Path) -> list[list[str]]:
    return [consult(root, "invoice", "create", f"c{i:02d}", "--period", "2026-10") for i in range(1, N + 1)]


def _creates_check(root: Path, results: list[tuple[int, str]]) -> None:
    """INV-2026-0001..0012, one per client, each printed once with its PDF whole."""
    assert [code for code, _ in results] == [0] * N, [out for code, out in results if code]
    numbers = issued(root)
    assert sorted(numbers) == [f"INV-2026-{k:04d}" for k in range(1, N + 1)]
    assert sorted(numbers.values()) == [f"c{i:02d}" for i in range(1, N + 1)]
    for number, client in numbers.items():
        pdf = (root / "clients" / client / "invoices" / f"{number}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
        assert len([out for _, out in results if out.startswith(number + " ")]) == 1


def _rebill(root: Path) -> list[list[str]]:
    """Six clients billed for October twice at once (12 commands)."""
    return [consult(root, "invoice", "create", f"c{i:02d}", "--period", "2026-10") for i in range(1, 7)] * 2


def _rebill_check(root: Path, results: list[tuple[int, str]]) -> None:
    """Exactly one invoice per client; every second attempt refused, naming the first."""
    ok = [out for code, out in results if code == 0]
    refused = [out for code, out in results if code == 1]
    assert (len(ok), len(refused)) == (6, 6), results
    assert all("is billed already (on INV-2026-" in out for out in refused), refused
    assert sorted(issued(root).values()) == [f"c{i:02d}" for i in range(1, 7)]


def _issue_one(root: Path) -> None:
    code, out = run(root, "invoice", "create", "c01", "--period", "2026-10", "--date", "2026-11-02")
    assert code == 0, out


def _credits(root: Path) -> list[list[str]]:
    return [consult(root, "invoice", "credit", "INV-2026-0001", "--reason", f"try {k}") for k in range(4)]


def _credits_check(root: Path, results: list[tuple[int, str]]) -> None:
    """Four full credits of one £1,170.00 invoice at once: one credit note, three refusals, and
    the invoice credited exactly once (never −£3,510.00 outstanding)."""
    assert sorted(code for code, _ in results) == [0, 1, 1, 1], results
    assert all("credited in full already" in out for code, out in results if code)
    assert sorted(issued(root)) == ["CN-2026-0001", "INV-2026-0001"]
    code, out = run(root, "invoice", "list", "--format", "json")
    (inv,) = [r for r in json.loads(out) if r["kind"] == "invoice"]
    assert (inv["outstanding"], inv["status"]) == ("0.00", "credited")


def _pays(root: Path) -> list[list[str]]:
    return [consult(root, "invoice", "pay", "INV-2026-0001", "500.00", "--note", f"part {k}") for k in range(4)]


def _pays_check(root: Path, results: list[tuple[int, str]]) -> None:
    """Four payments of £500.00 on £1,170.00 at once: two fit, two are refused as overpayments."""
    assert sorted(code for code, _ in results) == [0, 0, 1, 1], results
    code, out = run(root, "invoice", "list", "--format", "json")
    (inv,) = json.loads(out)
    assert (inv["outstanding"], inv["status"]) == ("170.00", "part-paid")


def _logs(root: Path) -> list[list[str]]:
    return [consult(root, "time", "log", "c01/build", "1h", "--date", "2026-11-03", "--note", f"proc-{k:02d}")
            for k in range(N)]


def _logs_check(root: Path, results: list[tuple[int, str]]) -> None:
    """Twelve entries in one file, each once, every byte that was there still there."""
    from consult.books.loader import load_books

    assert [code for code, _ in results] == [0] * N, [out for code, out in results if code]
    assert (root / "clients/c01/timesheets/2026-11.yaml").read_text(encoding="utf-8").startswith(NOV_START)
    books = load_books(root).books
    notes = sorted(e.note or "" for e in books.entries if e.client == "c01" and e.date.month == 11)
    assert notes == sorted(["Kick-off"] + [f"proc-{k:02d}" for k in range(N)])


def _quotes(root: Path) -> list[list[str]]:
    return [consult(root, "quote", f"c{i:02d}", "--days", "2", "--rate", "650", "--title", "Review")
            for i in range(1, 9)]


def _quotes_check(root: Path, results: list[tuple[int, str]]) -> None:
    """Eight quotes at once: P-2026-0001..0008, each once, each YAML and PDF whole and registered."""
    from consult.books import register

    assert [code for code, _ in results] == [0] * 8, results
    lines, problems = register.read(root)
    assert problems == []
    assert sorted(ln.number for ln in lines) == [f"P-2026-{k:04d}" for k in range(1, 9)]


def _adds(root: Path) -> list[list[str]]:
    return [consult(root, "client", "add", "berlin-vision", "--name", f"Berlin Vision {k}", "--country", "DE",
                    "--vat-number", "DE136695976") for k in range(6)]


def _adds_check(root: Path, results: list[tuple[int, str]]) -> None:
    """Six `client add` of one id at once: one client, five refusals, never a half-written folder."""
    assert sorted(code for code, _ in results) == [0, 1, 1, 1, 1, 1], results
    assert [p.name for p in (root / "clients/berlin-vision").iterdir()] == ["client.yaml"]


CASES = [
    Case("twelve invoice creates get twelve gapless numbers", lambda r: None, _creates, _creates_check),
    Case("billing every client twice at once bills each once", lambda r: None, _rebill, _rebill_check),
    Case("four full credits of one invoice credit it once", _issue_one, _credits, _credits_check),
    Case("four payments never overpay", _issue_one, _pays, _pays_check),
    Case("twelve time logs into one file keep every entry", lambda r: None, _logs, _logs_check),
    Case("eight quotes at once take eight numbers", lambda r: None, _quotes, _quotes_check),
    Case("six adds of one client make one", lambda r: None, _adds, _adds_check),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_at_once(case: Case, tmp_path: Path) -> None:
    root = many_clients_books(tmp_path / "books")
    case.setup(root)
    results = race(case.argvs(root), tmp_path)
    case.check(root, results)
    code, out = run(root, "check")
    assert code == 0, out
