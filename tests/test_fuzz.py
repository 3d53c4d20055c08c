"""The fuzzer (tests/support/fuzz.py) for a bounded time: every kind of books file damaged at
random — bytes, YAML structure, values — and a command run on the result.

Every run must exit 0, 1 or 2; an error must name the books file (and line) it is about; no
"unexpected error", no traceback, no hang (60 s a run); and a refused command writes nothing.
The default run takes CONSULT_FUZZ_SECONDS (5) seconds from seed CONSULT_FUZZ_SEED (1), so it
is the same cases on every machine, as many as fit; run longer by hand with
`python -m tests.support.fuzz 600`. Found on the code before issue 20: a recursive alias hung
`check` and every other command, and YAML errors in issued records printed over several lines.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from tests.conftest import REPO, SAMPLE_PARTS
from tests.support.fuzz import books_files, make_case, mutate, run_case
from tests.test_corpus import run_in_process

SECONDS = float(os.environ.get("CONSULT_FUZZ_SECONDS", "5"))
FIRST_SEED = int(os.environ.get("CONSULT_FUZZ_SEED", "1"))
ENV = {"CONSULT_TODAY": "2026-11-22", "CONSULT_BOOKS": None, "CONSULT_DEBUG": None}


def _books(tmp_path: Path) -> Path:
    root = tmp_path / "books"
    root.mkdir()
    for part in SAMPLE_PARTS:
        src = REPO / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / part)
    return root


def test_random_damage_to_any_books_file_is_refused_cleanly_and_writes_nothing(tmp_path):
    """Seeded mutations for a bounded time; each failure is listed with its seed to replay."""
    root = _books(tmp_path)
    files = books_files(root)
    originals = {f: (root / f).read_bytes() for f in files}
    for kind in ("practice.yaml", "client.yaml", "/engagements/", "/timesheets/", ".csv", "/invoices/",
                 "/proposals/", "expenses.yaml", "payments.yaml", "income.yaml", "register.tsv", "mileage.yaml",
                 "templates/"):
        assert any(kind in f for f in files), kind
    failures: list[str] = []
    seed, end = FIRST_SEED, time.monotonic() + SECONDS
    runs = 0
    while time.monotonic() < end or runs < len(files):  # at least one case per file
        case = make_case(seed, files, originals)
        why = run_case(case, root, originals[case.file], lambda argv: run_in_process(list(argv), ENV))
        if why:
            failures.append(f"seed {seed}: {case.file}: {case.what}: consult {' '.join(case.argv)}: {why}")
        seed += 1
        runs += 1
    assert not failures, "\n".join(failures)


def test_the_mutations_are_seeded_and_reach_every_kind_of_damage():
    """The same seed gives the same damage; bytes, structure, lines and values all occur."""
    import random

    data = b"name: Acme\ncountry: GB\nrate: 650\n"
    assert mutate(data, random.Random(7)) == mutate(data, random.Random(7))
    kinds = {mutate(data, random.Random(s))[1].split(" ")[0] for s in range(300)}
    assert {"insert", "flip", "delete", "truncate", "value", "duplicate", "drop", "indent", "swap"} <= kinds


def test_a_recursive_alias_is_refused_in_milliseconds(tmp_path):
    """The attack the fuzzer finds first on the old code, pinned: `- &a [*a]` in payments.yaml."""
    root = _books(tmp_path)
    target = root / "clients/brightpath-ai/payments.yaml"
    from consult.books.yamlsource import YamlProblem, load_yaml

    text = target.read_text() + "- &a [*a]\n"
    target.write_text(text)
    started = time.process_time()  # CPU time: what the reader spends, whatever else the machine runs
    try:
        load_yaml(text, "payments.yaml")
    except YamlProblem:
        pass
    assert time.process_time() - started < 0.5
    code, out, _ = run_in_process(["--books", str(root), "check"], ENV)
    assert code == 1 and "clients/brightpath-ai/payments.yaml:" in out and "a value inside itself" in out
