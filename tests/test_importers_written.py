"""The timesheets an import writes, pinned byte for byte.

Why: the import's write path is tuned for speed (each line composed without the JSON encoder,
files only appended to proved by their shape, the books' timesheets read through a fast path),
and none of that may change one byte of what lands in the books. Each scenario below imports
fixtures from tests/fixtures/imports into the test books (acme/build daily, hafen/forecast
hourly) — new files, appending after existing lines and comments, a re-import that adds
nothing, `--sync` rewriting and removing lines — and the timesheets it leaves must equal the
files under tests/fixtures/imports/written/SCENARIO/, which were written by the importer before
it was made faster (issue 18). The re-import of each scenario must leave every byte as it was.

A deliberate change to the written form regenerates them:

    CONSULT_WRITE_PINNED=1 python -m pytest tests/test_importers_written.py

and the diff of tests/fixtures/imports/written/ is then the change, reviewed like any other.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from test_importers import FIX, FORECAST, HAFEN_CLIENT

BENCH = Path(__file__).resolve().parent / "benchmarks" / "bench_import.py"

WRITTEN = FIX / "written"
MAPS = ("--map", "Demand forecast=hafen/forecast", "--map", "Model build=acme/build")
EXISTING = {  # a month already in the books: a comment, an entry with a comment after it, no final newline
    "clients/acme/timesheets/2026-10.yaml": ("# my October notes\n"
                                             "- {date: 2026-10-01, engagement: build, hours: 2}  # kick-off\n"
                                             "- {date: 2026-10-02, engagement: build, duration: 1h30m, "
                                             "note: \"Scoping \\\"v2\\\"\"}"),
}
Step = tuple[str, ...]  # the arguments after `consult time import`; the fixture path first

# name -> (files the books hold before, the imports in order)
SCENARIOS: dict[str, tuple[dict[str, str], tuple[Step, ...]]] = {
    "toggl-detailed": ({}, (("toggl-detailed-2026-10.csv", "--format", "toggl", "--map", "Personal admin=skip"),)),
    "toggl-late": ({}, (("toggl-late-2026-10.csv", *MAPS),)),
    "toggl-stop-columns": ({}, (("toggl-stop-columns-2026-10.csv", *MAPS),)),
    "toggl-de-semicolon": ({}, (("toggl-de-semicolon-2026-10.csv", *MAPS),)),
    "toggl-ja-utf16": ({}, (("toggl-ja-utf16-2026-10.txt", *MAPS),)),
    "toggl-cy": ({}, (("toggl-cy-2026-10.csv", *MAPS, "--billable-values", "Ie,Na"),)),
    "clockify-detailed": ({}, (("clockify-detailed-2026-10.csv", "--format", "clockify"),
                               ("clockify-detailed-2026-10-reexport.csv",))),
    "clockify-late": ({}, (("clockify-late-2026-10.csv", *MAPS),)),
    "clockify-semicolon": ({}, (("clockify-semicolon-2026-10.csv", "--format", "clockify"),)),
    "clockify-cp1252": ({}, (("clockify-cp1252-no-billable-2026-10.csv", *MAPS),)),
    "clockify-team-user": ({}, (("clockify-team-2026-10.csv", *MAPS, "--user", "sam@carter-ml.co.uk"),)),
    "harvest-detailed": ({}, (("harvest-detailed-2026-10.csv", "--format", "harvest", "--skip-unmapped"),)),
    "harvest-two-digit-years": ({}, (("harvest-two-digit-years.csv", *MAPS, "--dates", "dmy"),)),
    "harvest-sync": ({}, (("harvest-sync-1.csv", "--map", "Demand forecast=hafen/forecast"),
                          ("harvest-sync-2.csv", "--map", "Demand forecast=hafen/forecast"),
                          ("harvest-sync-2.csv", "--map", "Demand forecast=hafen/forecast", "--sync"))),
    "watson-frames-json": ({}, (("watson-frames.json", "--format", "watson"),)),
    "watson-appended": (EXISTING, (("watson-frames.json",),)),
    "watson-sync": ({}, (("watson/frames",), ("watson/frames-after-edit", "--sync"))),
    "timew-export": ({}, (("timew-export.json", "--format", "timewarrior"),)),
    "timew-month-file": ({}, (("timew-2026-10.data", "--format", "timewarrior"),)),
    "timew-sync": ({}, (("timew/data", "--map", "@2=hafen/forecast"),
                        ("timew/data-after-edit", "--map", "@2=hafen/forecast", "--sync"))),
    "toggl-bench-400": ({}, (("@bench", "--map", "Model build=acme/build"),)),
}


def bench_export(folder: Path) -> Path:
    """400 rows of the benchmark's own export (fifteen a working day, one past midnight each day)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_import", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = folder / "toggl-bench.csv"
    bench.make_export(path, 400)
    return path


def timesheets(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.glob("clients/*/timesheets/*")) if p.is_file()}


def play(name: str, make_books: Callable[..., Path], run_cli: Callable[..., tuple[int, str, str]],
         scratch: Path) -> tuple[Path, dict[str, bytes]]:
    """Run one scenario; the books and their timesheets after it."""
    before, steps = SCENARIOS[name]
    root = make_books({"clients/hafen/client.yaml": HAFEN_CLIENT, "clients/hafen/engagements/forecast.yaml": FORECAST,
                       **before})
    for source, *args in steps:
        path = bench_export(scratch) if source == "@bench" else FIX / source
        code, out, err = run_cli("time", "import", str(path), *args, books=root)
        assert code == 0, (name, source, out, err)
    return root, timesheets(root)


def _write(name: str, got: dict[str, bytes]) -> None:
    import shutil

    folder = WRITTEN / name
    shutil.rmtree(folder, ignore_errors=True)
    for rel, data in got.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)


def expected(name: str) -> dict[str, bytes]:
    folder = WRITTEN / name
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_written_timesheets_are_byte_identical_to_the_pinned_ones(name, make_books, run_cli, tmp_path):
    """Every timesheet the scenario leaves equals, byte for byte, the one pinned for it; and
    importing the last file of the scenario once more changes nothing."""
    root, got = play(name, make_books, run_cli, tmp_path)
    if os.environ.get("CONSULT_WRITE_PINNED") == "1":
        _write(name, got)
        pytest.skip("pinned files written")
    want = expected(name)
    assert sorted(got) == sorted(want)
    for rel, data in want.items():
        assert got[rel] == data, f"{name}: {rel} differs from tests/fixtures/imports/written/{name}/{rel}"
    source, *args = SCENARIOS[name][1][-1]
    path = tmp_path / "toggl-bench.csv" if source == "@bench" else FIX / source
    code, out, err = run_cli("time", "import", str(path), *args, books=root)
    assert code == 0, err
    assert "Imported 0 entries" in out
    assert timesheets(root) == got
