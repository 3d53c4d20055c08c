"""The synthetic history: deterministic, clean through the real loader, and its expected.csv true."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from support.synth import expected_rows, generate, main

from consult.books.loader import load_books

N = 2000


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    generate(out, N, seed=7)
    return out


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes(history: Path, tmp_path: Path) -> None:
    """Generating again with the same N and seed writes byte-identical files."""
    generate(tmp_path, N, seed=7)
    assert _files(tmp_path) == _files(history)


def test_another_seed_another_history(history: Path, tmp_path: Path) -> None:
    """A different seed gives different timesheets."""
    generate(tmp_path, N, seed=8)
    assert (tmp_path / "expected.csv").read_bytes() != (history / "expected.csv").read_bytes()


def test_books_load_without_problems(history: Path) -> None:
    """The loader reads every entry of the generated books and reports nothing."""
    result = load_books(history / "books")
    assert result.problems == []
    assert len(result.books.entries) == N
    assert len(result.books.clients) == 20
    assert len(result.books.engagements) == 60


def test_expected_csv_equals_the_loaders_totals(history: Path) -> None:
    """expected.csv's minutes and billable minutes per client and month equal the loaded entries' sums."""
    entries = list(load_books(history / "books").books.entries)
    with (history / "expected.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["client", "month", "minutes", "billable_minutes"]
    assert [(c, m, int(a), int(b)) for c, m, a, b in rows[1:]] == expected_rows(entries)
    assert sum(int(r[2]) for r in rows[1:]) == sum(e.minutes for e in entries)


def test_history_mixes_forms_and_non_billable_work(history: Path) -> None:
    """Besides plain hours, files use duration spellings, start/end, and non-billable rows."""
    text = "".join(p.read_text() for p in sorted((history / "books").rglob("*.csv")))
    headers = Counter(line for line in text.splitlines() if line.startswith("date,"))
    assert set(headers) == {"date,engagement,hours,note",
                            "date,engagement,hours,duration,start,end,note,billable"}
    entries = load_books(history / "books").books.entries
    assert any(not e.billable for e in entries)
    assert any(e.start is not None for e in entries)
    assert {"m", "h", ":"} <= {c for line in text.splitlines() for c in line.split(",")[3:4] for c in c}


def test_every_duration_is_a_multiple_of_three_minutes(history: Path) -> None:
    """Durations are whole 0.05 h, so hledger's timeclock (0.01 h per session) totals them exactly."""
    assert {e.minutes % 3 for e in load_books(history / "books").books.entries} == {0}


def test_hledger_files_hold_the_same_minutes(history: Path) -> None:
    """work.timedot lists every entry's minutes; work.timeclock one i/o pair per entry."""
    dot = (history / "work.timedot").read_text().splitlines()
    minutes = [int(line.rsplit("  ", 1)[1][:-1]) for line in dot if line.startswith("client-")]
    total = sum(int(r["minutes"]) for r in csv.DictReader((history / "expected.csv").open()))
    assert (len(minutes), sum(minutes)) == (N, total)
    clock = (history / "work.timeclock").read_text().splitlines()
    assert sum(line.startswith("i ") for line in clock) == sum(line.startswith("o ") for line in clock) == N


def test_cli_refuses_a_folder_that_already_holds_books(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Running the generator into existing books stops with a usage error, changing nothing."""
    with pytest.raises(SystemExit) as exc:
        main([str(history), "10"])
    assert exc.value.code == 2
    assert f"{history}/books already holds books; choose an empty folder" in capsys.readouterr().err
