"""Several `consult invoice create` processes at once: distinct, consecutive numbers; no double billing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

BOOT = "import sys\nfrom consult.cli import main\nmain(sys.argv[1:])\n"

JOBS = [("acme-analytics", "2026-10"), ("hafen-logistik", "2026-10"), ("lotus-insights", "2026-10"),
        ("brightpath-ai", "2026-10"), ("acme-analytics", "2026-09"), ("hafen-logistik", "2026-09"),
        ("brightpath-ai", "2026-09"), ("acme-analytics", "2026-10")]  # the last one bills October again


@pytest.fixture
def sample_books(unissued_books):
    return unissued_books


def test_concurrent_creates_get_consecutive_numbers_and_bill_once(sample_books):
    """8 processes started together: 7 invoices numbered INV-2026-0001..0007, the repeat refused."""
    env = dict(os.environ, CONSULT_TODAY="2026-11-22", PYTHONPATH=str(REPO))
    procs = [subprocess.Popen([sys.executable, "-c", BOOT, "--books", str(sample_books), "invoice", "create",
                               client, "--period", period], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for client, period in JOBS]
    results = [(p.wait(timeout=60), p.stdout.read(), p.stderr.read()) for p in procs]
    ok = [out.split()[0] for code, out, _ in results if code == 0]
    failed = [(code, err) for code, _, err in results if code != 0]
    assert sorted(ok) == [f"INV-2026-{n:04d}" for n in range(1, 8)]
    (code, err), = failed
    assert code == 1
    assert "everything billable for acme-analytics from 2026-10-01 to 2026-10-31 is billed already (on INV-2026-" in err
    records = sorted(p.name for p in sample_books.glob("clients/*/invoices/*"))
    assert len(records) == 14  # 7 YAML + 7 PDF, nothing from the refused run
    assert not list(sample_books.glob("clients/*/invoices/.*"))  # no temp files left behind
