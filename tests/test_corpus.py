"""The bad-input corpus (tests/corpus/*.yaml) through the real CLI: the one bad-input harness.

Every broken file and bad command line the tests feed consult is a case here (the inline
`consult check` table that was tests/test_bad_input.py is folded in), so there is one place to
add a case and one set of rules every case is held to. Each case must end with exit 1 (books)
or 2 (usage), one message that names the file, line and field (or the argument) — the
fragments in the case — and no traceback; the books, and any folder outside them the case
links to, must be byte for byte what they were before (nothing written, no temp file left);
and no `!!python/…` tag in a case may have run. A few cases also go through a real
`python -m consult` process, where a traceback would show for real.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tests.conftest import CLIENT, ENGAGEMENT, PRACTICE, REPO, SAMPLE_PARTS

CORPUS = Path(__file__).parent / "corpus"
GOOD_TIMESHEET = "- {date: 2026-01-05, engagement: build, hours: 7.5, note: Kick-off}\n"
IGNORED = {".consult.lock", ".consult-cache"}  # not data: the lock, and the cache a read may refresh
FORBIDDEN = ("Traceback", "unexpected", "This is a bug")
PWNED = Path("/tmp/consult-pwned")  # what the corpus's `!!python/…` tags would create if they ran


class _CorpusLoader(yaml.SafeLoader):
    """Safe loading with dates left as the text written (the corpus is full of impossible ones)."""


_CorpusLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def load_cases() -> list[dict]:
    cases = []
    for f in sorted(CORPUS.glob("*.yaml")):
        for case in yaml.load(f.read_text(encoding="utf-8"), Loader=_CorpusLoader):
            case["corpus"] = f.stem
            cases.append(case)
    return cases


CASES = load_cases()


# ------------------------------------------------------------------------------------------
# building the books of a case and snapshotting them
# ------------------------------------------------------------------------------------------
def outside_of(root: Path) -> Path:
    """The folder beside the books that a case's links out of the books point into."""
    return root.parent / "outside"


def expand(text: str, root: Path) -> str:
    """`{books}` and `{outside}` in a case's arguments, link targets and expected fragments."""
    return text.replace("{books}", str(root)).replace("{outside}", str(outside_of(root)))


def build_books(case: dict, dest: Path) -> Path:
    """The case's books in `dest`: the inline or sample base, then the case's files over it;
    and the files it puts outside the books (`outside:`) in the folder beside them."""
    dest.mkdir(parents=True)
    outside = outside_of(dest)
    outside.mkdir()
    for rel, spec in (case.get("outside") or {}).items():
        write_spec(outside / rel, spec, dest)
    if case.get("base") == "sample":
        for part in SAMPLE_PARTS:
            src = REPO / part
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / part)
    else:
        base = {"practice.yaml": PRACTICE, "clients/acme/client.yaml": CLIENT,
                "clients/acme/engagements/build.yaml": ENGAGEMENT,
                "clients/acme/timesheets/2026-01.yaml": GOOD_TIMESHEET}
        for rel, text in base.items():
            p = dest / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(textwrap.dedent(text), encoding="utf-8")
    for rel, spec in (case.get("files") or {}).items():
        write_spec(dest / rel, spec, dest)
    return dest


def write_spec(p: Path, spec, root: Path) -> None:
    if isinstance(spec, dict) and "append" in spec:  # text added to the end of the base's file
        with p.open("a", encoding="utf-8") as fh:
            fh.write(spec["append"])
        return
    if p.is_symlink() or p.is_file() or (p.exists() and not p.is_dir()):
        p.unlink()
    elif p.is_dir():
        shutil.rmtree(p)
    if spec is None:
        return
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(spec, str):
        p.write_text(spec, encoding="utf-8")
    elif "latin1" in spec:
        p.write_bytes(spec["latin1"].encode("latin-1"))
    elif "hex" in spec:
        p.write_bytes(bytes.fromhex(spec["hex"]))
    elif spec.get("folder"):
        p.mkdir()
        (p / "stray.txt").write_text("a folder where a file belongs\n")
    elif "symlink" in spec:
        p.symlink_to(expand(spec["symlink"], root))
    elif spec.get("fifo"):
        os.mkfifo(p)  # a named pipe: reading it would wait for ever
    elif "nested" in spec:  # `levels` of lists inside each other
        n = spec["nested"]
        p.write_text("x: " + "[" * n + "]" * n + "\n", encoding="utf-8")
    elif "size_mb" in spec:
        line = (spec["line"] + "\n").encode("utf-8")
        block = line * (1024 * 1024 // len(line) + 1)
        with p.open("wb") as fh:
            while fh.tell() < spec["size_mb"] * 1024 * 1024:
                fh.write(block)
    else:  # pragma: no cover - a mistake in the corpus itself
        raise ValueError(f"unknown file spec {spec!r}")


def snapshot(root: Path) -> dict[str, str]:
    """Every path under the books with a digest of what it is: file bytes, link target or folder."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [n for n in dirnames if n not in IGNORED]
        d = Path(dirpath)
        for name in dirnames + filenames:
            p = d / name
            r = p.relative_to(root).as_posix()
            if name in IGNORED:
                continue
            if p.is_symlink():
                out[r] = "link:" + os.readlink(p)
            elif p.is_dir():
                out[r] = "dir"
            elif not p.is_file():
                out[r] = "special"  # a FIFO: never opened here either
            else:
                out[r] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


# ------------------------------------------------------------------------------------------
# running a case
# ------------------------------------------------------------------------------------------
def case_argv(case: dict, root: Path) -> list[str]:
    args = [expand(str(a), root) for a in case["run"]]
    books = case.get("books")
    if books == "none":
        return args
    target = root if books is None else (Path(books) if Path(books).is_absolute() else root / books)
    return ["--books", str(target), *args]


def run_in_process(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """`consult ARGV` through `consult.cli.run`, the same code path as the installed command."""
    from consult.cli import run

    class Main:
        name = "consult"

        def main(self, args, prog_name=None, **_):
            sys.exit(run(list(args)))

    result = CliRunner().invoke(Main(), argv, env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def case_env(case: dict) -> dict[str, str]:
    env = {"CONSULT_TODAY": "2026-11-22", "CONSULT_BOOKS": None, "CONSULT_DEBUG": None}
    env.update({k: str(v) for k, v in (case.get("env") or {}).items()})
    return env


def check_outcome(case: dict, root: Path, code: int, out: str, err: str) -> None:
    text = out + err
    assert code == case["exit"], f"exit {code}, expected {case['exit']}:\n{text}"
    for bad in FORBIDDEN:
        assert bad not in text, text
    for fragment in case["expect"]:
        fragment = expand(fragment, root)
        assert fragment in text, f"missing {fragment!r} in:\n{text}"
    if case["run"][0] == "check" and code == 1:
        *problems, summary = out.splitlines()
        errors = [ln for ln in problems if ": warning: " not in ln]
        expected = case.get("errors", 1)
        assert summary.startswith(f"{expected} error{'s' if expected != 1 else ''},"), text
        assert len(errors) == expected, text
    else:
        assert out == "", f"a refused command printed results:\n{out}"
        assert err.strip(), "a refused command said nothing"


def skip_without_fifos(case: dict) -> None:
    if any(isinstance(s, dict) and s.get("fifo") for s in (case.get("files") or {}).values()) \
            and not hasattr(os, "mkfifo"):
        pytest.skip("named pipes (mkfifo) are POSIX only")


def _param(case: dict):
    marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else []
    return pytest.param(case, id=case["name"], marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input_is_refused_with_one_message_and_nothing_written(case, tmp_path):
    """Exit 1 or 2, the message names where and what, no traceback, and the books are untouched."""
    skip_without_fifos(case)
    root = build_books(case, tmp_path / "books")
    before, before_outside = snapshot(root), snapshot(outside_of(root))
    if "seconds" in case:  # timed: a first run pays for importing the command, not for the input
        run_in_process(case_argv(case, root), case_env(case))
    started = time.process_time()  # CPU time: what consult spends, whatever else the machine runs
    code, out, err = run_in_process(case_argv(case, root), case_env(case))
    took = time.process_time() - started
    check_outcome(case, root, code, out, err)
    assert snapshot(root) == before, "the books changed"
    assert snapshot(outside_of(root)) == before_outside, "a file outside the books changed"
    assert not PWNED.exists(), "a YAML tag ran code"
    if "seconds" in case:  # refused before the work is done, not after (an alias bomb expanded)
        assert took < case["seconds"], f"took {took:.2f} s of CPU"


KEYS = {"name", "base", "files", "outside", "run", "books", "env", "exit", "expect", "errors", "seconds", "xfail"}


def test_the_corpus_is_large_and_covers_every_record_type_and_command():
    """At least the 265 cases there were when the three bad-input harnesses became this one (so
    none goes missing unnoticed), names unique, no key the harness would silently ignore, every
    record file and every command group tried."""
    names = [c["name"] for c in CASES]
    assert len(names) >= 265 and len(set(names)) == len(names)
    assert [(c["name"], set(c) - KEYS - {"corpus"}) for c in CASES if set(c) - KEYS - {"corpus"}] == []
    touched = " ".join(p for c in CASES for p in (c.get("files") or {}))
    for record in ("practice.yaml", "client.yaml", "engagements/", "timesheets/", ".csv",
                   "expenses.yaml", "income.yaml", "payments.yaml"):
        assert record in touched, record
    commands = {c["run"][0] for c in CASES}
    assert {"check", "client", "engagement", "init", "time", "invoice", "rate", "quote",
            "proposal", "earnings", "vat", "expense", "mileage"} <= commands
    assert {c["exit"] for c in CASES} == {1, 2}


SUBPROCESS_CASES = [  # the dangerous ones, and one of each exit code
"practice python object tag", "practice billion laughs", "timesheet fifty megabytes",
                    "practice non-utf-8", "client show dot-dot", "timesheet recursive alias of ten bytes",
                    "timesheet is a named pipe"]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_real_process_shows_no_traceback(name, tmp_path):
    """The same inputs through `python -m consult`: what a user's terminal would show."""
    case = next(c for c in CASES if c["name"] == name)
    skip_without_fifos(case)
    root = build_books(case, tmp_path / "books")
    before = snapshot(root)
    env = {k: v for k, v in os.environ.items() if k not in ("CONSULT_BOOKS", "CONSULT_DEBUG")}
    env["CONSULT_TODAY"] = "2026-11-22"
    proc = subprocess.run([sys.executable, "-m", "consult", *case_argv(case, root)], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=60)
    check_outcome(case, root, proc.returncode, proc.stdout, proc.stderr)
    assert snapshot(root) == before
    assert not PWNED.exists()
