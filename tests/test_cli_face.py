"""The command line as a person types it: options anywhere, days by name, the engagement left
out, near misses named, completion from the books."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def test_books_may_follow_the_subcommand(sample_books, run_cli):
    code, out, err = run_cli("invoice", "list", "--format", "csv", "--books", str(sample_books))
    assert code == 0, err
    assert out.splitlines()[1].startswith("INV-2026-0001,invoice,acme-analytics")


def test_a_day_may_be_yesterday_or_a_weekday(sample_books, run_cli):
    """22 Nov 2026 is a Sunday: `monday` is 16 Nov, `yesterday` 21 Nov."""
    code, out, err = run_cli("time", "log", "acme-analytics/churn-model", "1h", "--date", "monday",
                             books=sample_books)
    assert code == 0, err
    assert "for 2026-11-16" in out
    code, out, _ = run_cli("time", "log", "acme-analytics/churn-model", "1h", "--date", "yesterday",
                           books=sample_books)
    assert "for 2026-11-21" in out


def test_the_only_active_engagement_need_not_be_named(sample_books, run_cli):
    code, out, err = run_cli("time", "log", "lotus-insights", "2h", books=sample_books)
    assert code == 0, err
    assert out.startswith("Logged 2:00 on lotus-insights/recsys-audit for 2026-11-22")


def test_a_near_miss_is_named(sample_books, run_cli):
    code, _, err = run_cli("client", "show", "acme-analytic", books=sample_books)
    assert code == 2 and "did you mean acme-analytics?" in err
    code, _, err = run_cli("time", "log", "acme-analytics/churn-modle", "1h", books=sample_books)
    assert code == 2 and "did you mean churn-model?" in err


def test_completion_offers_clients_engagements_and_numbers():
    def complete(words: str, cword: int) -> list[str]:
        env = dict(os.environ, COMP_WORDS=words, COMP_CWORD=str(cword), _CONSULT_COMPLETE="bash_complete",
                   PYTHONPATH=str(REPO))
        out = subprocess.run([sys.executable, "-m", "consult"], capture_output=True, text=True, env=env,
                             cwd=REPO).stdout
        return [line.split(",", 1)[1] for line in out.splitlines()]

    assert complete("consult invoice show INV-2026-000", 3) == ["INV-2026-0001", "INV-2026-0002", "INV-2026-0003"]
    assert complete("consult time log acme-analytics/", 3) == ["acme-analytics/churn-model"]
    assert "hafen-logistik" in complete("consult client statement haf", 3)
