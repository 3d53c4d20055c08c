"""Seeded random mutations of books files, and the promise every run must keep.

`mutate(text, rnd)` returns a damaged copy of a books file: bytes flipped, inserted or cut,
YAML structure broken (aliases, recursive aliases, deep nesting, tags, merge keys, markers,
indentation), or one value swapped for a hostile one (dates near year 1 and 9999, NaN, huge
numbers, negative rates, formulas, path tricks, control characters). `run_case` writes the
mutation into a copy of the books, runs a command through the real CLI and checks the
outcome: exit 0, 1 or 2; an error that names a books file (and, for a books error, a line when
the problem is inside the file); never "unexpected" or a traceback; and not a byte of the books
changed. tests/test_fuzz.py runs it for a bounded time; `python -m tests.support.fuzz SECONDS`
runs it for longer and prints every failing seed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import re
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

HOSTILE_VALUES = (
    "-1", "0", "-0.01", "1e309", "nan", "NaN", "inf", "-inf", "9" * 400, "0.000000001",
    "0001-01-01", "9999-12-31", "2026-02-30", "1899-12-31", "2201-01-01", "0000-00-00", "2026-13-01",
    "''", '""', "~", "null", "yes", "no", "[]", "{}", "x" * 5000, "=HYPERLINK(\"http://x\")",
    "../../x", "/etc/passwd", '"a\\rb"', '"a\\u2028b"', '"\\x00\\x7f\\x85"', '"\\ud800"', "1h75m",
    "25:00", "-7.5", "GPB", "1,000.00", "£650", "1_000", "0x10", "!!python/object/apply:os.system ['true']",
    "*undefined", "&a", "|", ">", "'unterminated", '"unterminated', "{a: [b", "- x", "? x", "@x", "`x`",
    '"😀 \\U0001F600"', "\t", "  ", "#", "%", "2026-10-05T25:00:00", "100000000000000000000000",
)
STRUCTURE = (
    "- &a [*a]\n", "a: &a {b: *a}\n", "x: " + "[" * 200 + "]" * 200 + "\n", "<<: *a\n", "---\n", "...\n",
    "!!python/object:os.system\n", "%YAML 1.1\n", "\t- x\n", "- : x\n", "? [a]\n: b\n", "a: b: c\n",
    "x: !!binary aGk=\n", "x: !!set {a, b}\n", "x: !!float 1.5\n", "x: &x 1\ny: *x\n", "'\n", "\"\n",
    "- {date: 2026-10-05, hours: 1}\n", "  - {date: 2026-10-05, hours: 1}\n", "[]\n", "{}\n", "\ufeff\n",
)
SPECIAL_BYTES = (b"\x00", b"\xff", b"\xfe", b"\r", b"\r\n", b"\xc2\x85", b"\xe2\x80\xa8", b"\t", b"\x1b",
                 b"\xed\xa0\x80", b"\xef\xbb\xbf", b":", b"-", b"[", b"{", b"'", b'"', b"#", b"&", b"*", b"!")
_SCALAR = re.compile(rb"(:[ \t]+|-[ \t]+|,[ \t]*|\{[ \t]*)([^\s,\[\]{}#][^,\]}\n#]*)")


def mutate(data: bytes, rnd: random.Random) -> tuple[bytes, str]:
    """A damaged copy of `data` and a short description of what was done (for the report)."""
    kind = rnd.choice(("bytes", "bytes", "structure", "value", "value", "value", "lines"))
    if kind == "bytes":
        op = rnd.choice(("flip", "insert", "delete", "truncate"))
        if not data or op == "insert":
            at = rnd.randrange(len(data) + 1)
            b = rnd.choice(SPECIAL_BYTES)
            return data[:at] + b + data[at:], f"insert {b!r} at byte {at}"
        at = rnd.randrange(len(data))
        if op == "flip":
            return data[:at] + bytes([data[at] ^ (1 << rnd.randrange(8))]) + data[at + 1:], f"flip a bit of byte {at}"
        if op == "delete":
            n = rnd.randint(1, 8)
            return data[:at] + data[at + n:], f"delete {n} bytes at {at}"
        return data[:at], f"truncate at byte {at}"
    lines = data.split(b"\n")
    if kind == "structure":
        at = rnd.randrange(len(lines) + 1)
        s = rnd.choice(STRUCTURE).encode()
        return b"\n".join([*lines[:at], s.rstrip(b"\n"), *lines[at:]]), f"insert {s!r} at line {at + 1}"
    if kind == "lines":
        if not lines:
            return data, "nothing"
        at = rnd.randrange(len(lines))
        op = rnd.choice(("dup", "drop", "indent", "dedent", "swap"))
        if op == "dup":
            return b"\n".join([*lines[:at + 1], lines[at], *lines[at + 1:]]), f"duplicate line {at + 1}"
        if op == "drop":
            return b"\n".join([*lines[:at], *lines[at + 1:]]), f"drop line {at + 1}"
        if op == "indent":
            return b"\n".join([*lines[:at], b"   " + lines[at], *lines[at + 1:]]), f"indent line {at + 1}"
        if op == "dedent":
            return b"\n".join([*lines[:at], lines[at].lstrip(), *lines[at + 1:]]), f"dedent line {at + 1}"
        other = rnd.randrange(len(lines))
        lines[at], lines[other] = lines[other], lines[at]
        return b"\n".join(lines), f"swap lines {at + 1} and {other + 1}"
    matches = list(_SCALAR.finditer(data))
    if not matches:
        return data + b"\nx: " + rnd.choice(HOSTILE_VALUES).encode() + b"\n", "append a field"
    m = rnd.choice(matches)
    v = rnd.choice(HOSTILE_VALUES).encode("utf-8", "surrogatepass")
    return data[:m.start(2)] + v + data[m.end(2):], f"value {m.group(2)[:30]!r} -> {v[:40]!r}"


# --------------------------------------------------------------------------------------------
IGNORED = (".consult.lock", ".consult-cache")
FORBIDDEN = ("Traceback", "error: unexpected ", "This is a bug")
COMMANDS = (
    ("check",), ("check",), ("client", "list"), ("time", "report", "--period", "2026"),
    ("time", "unbilled"), ("invoice", "list"), ("earnings", "2026"), ("proposal", "list"),
    ("expense", "list"), ("time", "export", "--format", "csv"), ("engagement", "list"),
    ("invoice", "create", "lotus-insights", "--period", "2026-11", "--dry-run"),
    ("vat", "return", "2026-Q3"), ("register", "list"),
)
# commands that write when they succeed: the books may change only when they exit 0
WRITES = (
    ("time", "log", "acme-analytics/churn-model", "1h", "--date", "2026-11-02", "--note", "fuzz"),
    ("invoice", "create", "acme-analytics", "--period", "2026-10"),
    ("client", "add", "new-co", "--name", "New Co", "--country", "GB"),
    ("expense", "add", "12.50", "--category", "travel", "--note", "fuzz"),
    ("engagement", "add", "lotus-insights/extra", "--title", "Extra", "--billing", "daily", "--rate", "100"),
    ("mileage", "add", "12", "--note", "fuzz", "--date", "2026-11-02"),
)


def snapshot(root: Path) -> dict[str, str]:
    """Every path under the books (the lock and the cache aside) and a digest of what it is."""
    import stat

    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in IGNORED]
        for name in dirnames + filenames:
            if name in IGNORED:
                continue
            p = Path(dirpath) / name
            r = p.relative_to(root).as_posix()
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[r] = "link:" + os.readlink(p)
            elif stat.S_ISDIR(st.st_mode):
                out[r] = "dir"
            elif stat.S_ISREG(st.st_mode):
                out[r] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[r] = f"special:{st.st_mode:o}"
    return out


@dataclass(frozen=True)
class Case:
    seed: int
    file: str
    what: str
    argv: tuple[str, ...]


def make_case(seed: int, files: list[str], originals: dict[str, bytes]) -> Case:
    """Seed N damages file N (round robin, so a short run still touches every kind) and runs a
    command drawn with the seed."""
    f = files[seed % len(files)]
    rnd = random.Random(seed)
    return Case(seed, f, mutate(originals[f], random.Random(seed))[1], rnd.choice(COMMANDS + WRITES))


def books_files(root: Path) -> list[str]:
    """Every file of the books a person (or consult) writes, relative to `root`."""
    out = []
    for p in sorted(root.rglob("*")):
        r = p.relative_to(root).as_posix()
        if p.is_file() and not any(part.startswith(".") for part in r.split("/")) and p.suffix in (
                ".yaml", ".yml", ".csv", ".tsv"):
            out.append(r)
    return out


def failure(case: Case, code: int, out: str, err: str, changed: bool) -> str | None:
    """Why this outcome breaks the promise, or None."""
    text = out + err
    if changed:
        return "the books changed"
    for bad in FORBIDDEN:
        if bad in text:
            return f"{bad!r} in the output"
    if code not in (0, 1, 2):
        return f"exit {code}"
    if code != 0:
        if not err.strip() and not (case.argv[0] == "check" and out.strip()):
            return "refused without a message"
        if code == 1 and case.argv[0] == "check":
            problems = [ln for ln in out.splitlines()[:-1] if ": warning: " not in ln]
            if not problems:
                return "check failed and listed no error"
            for ln in problems:
                if not re.match(r"[^\s:][^:]*(:\d+(:\d+)?)?: ", ln):
                    return f"an error line without a file: {ln!r}"
    return None


DEADLINE = 60.0  # seconds: a run that takes longer is a hang (a command takes well under one, even on a busy machine)


class Hang(BaseException):  # not an Exception: consult's own "unexpected error" handler must not catch it
    pass


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise Hang in the running code after `seconds` (POSIX interval timer; elsewhere, no limit)."""
    if not hasattr(signal, "setitimer"):  # pragma: no cover - Windows
        yield
        return

    def fire(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds:.0f} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run_case(case: Case, root: Path, original: bytes, run: Callable[[list[str]], tuple[int, str, str]]) -> str | None:
    """Mutate, run, check, restore. `run(argv) -> (code, out, err)`."""
    target = root / case.file
    before_all = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
                  if p.is_file() and not p.is_symlink()} if case.argv in WRITES else None
    rnd = random.Random(case.seed)
    data, _ = mutate(original, rnd)
    target.write_bytes(data)
    try:
        before = snapshot(root)
        try:
            with deadline(DEADLINE):
                code, out, err = run(["--books", str(root), *case.argv])
        except Hang as e:
            return f"hang: {e}"
        except MemoryError:
            return "ran out of memory"
        after = snapshot(root)
        changed = after != before and not (code == 0 and case.argv in WRITES)
        return failure(case, code, out, err, changed)
    finally:
        restore(root, before_all)
        target.write_bytes(original)


def restore(root: Path, files: dict[str, bytes] | None) -> None:
    """Put the books back as they were before a write command succeeded (new files removed)."""
    if files is None:
        return
    import shutil

    for p in sorted(root.rglob("*"), reverse=True):
        r = p.relative_to(root).as_posix()
        if r.split("/")[0] in IGNORED:
            continue
        if p.is_file() and not p.is_symlink() and r not in files:
            p.unlink()
        elif p.is_dir() and not any(k.startswith(r + "/") for k in files):
            shutil.rmtree(p, ignore_errors=True)
    for r, data in files.items():
        p = root / r
        if not p.exists() or p.read_bytes() != data:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)


def main(seconds: float) -> int:  # pragma: no cover - the long run, by hand
    import shutil
    import tempfile
    import time

    from tests.conftest import REPO, SAMPLE_PARTS
    from tests.test_corpus import run_in_process

    env = {"CONSULT_TODAY": "2026-11-22", "CONSULT_BOOKS": None, "CONSULT_DEBUG": None}
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "books"
        root.mkdir()
        for part in SAMPLE_PARTS:
            src = REPO / part
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / part)
        files = books_files(root)
        originals = {f: (root / f).read_bytes() for f in files}
        end = time.monotonic() + seconds
        seed = int(os.environ.get("CONSULT_FUZZ_SEED", "1"))
        n = 0
        while time.monotonic() < end:
            case = make_case(seed, files, originals)
            why = run_case(case, root, originals[case.file], lambda argv: run_in_process(list(argv), env))
            if why:
                bad += 1
                print(f"seed {seed}: {case.file}: {case.what}: consult {' '.join(case.argv)}: {why}")
            seed += 1
            n += 1
        print(f"{n} runs, {bad} failures")
    return 1 if bad else 0


if __name__ == "__main__":  # pragma: no cover
    import sys

    raise SystemExit(main(float(sys.argv[1]) if len(sys.argv) > 1 else 60))
