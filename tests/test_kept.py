"""consult.books.kept: slow libraries' answers kept in .consult-cache under their release — the
holidays package's bank holidays for `consult earnings` (0.2 s a run) — and asked again when the
release changes, the entry is damaged, or there are no books."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

from consult.books import kept as kept_mod
from consult.core.periods import parse_period
from consult.earnings import working_days

PROBE = ("import sys; from consult.cli import run; code = run(['--books', sys.argv[1], 'earnings', '2026', "
         "'--format', 'json']); print(code, 'holidays' in sys.modules)")


def _fresh(books) -> tuple[str, str]:
    env = dict(os.environ, CONSULT_TODAY="2026-11-22")
    out = subprocess.run([sys.executable, "-c", PROBE, str(books)], capture_output=True, text=True, env=env,
                         check=True).stdout
    lines = out.strip().splitlines()
    return "\n".join(lines[:-1]), lines[-1]


def test_earnings_keeps_the_years_bank_holidays_and_reports_the_same_days(sample_books):
    first, flags = _fresh(sample_books)
    assert flags == "0 True"  # asked the holidays package
    assert (sample_books / ".consult-cache/holidays.json").is_file()
    second, flags = _fresh(sample_books)
    assert flags == "0 False"  # kept: the package is not even imported
    assert first == second and '"working_days": 253' in first  # England 2026: 261 weekdays - 8


def test_the_kept_table_gives_the_librarys_answer_and_is_asked_again_when_stale(tmp_path, monkeypatch):
    monkeypatch.setattr(kept_mod, "_caches", {})
    year = parse_period("2026")
    assert working_days(year, "GB", "ENG", tmp_path) == working_days(year, "GB", "ENG") == 253
    # Scotland: 2 January and St Andrew's Day, no Easter Monday, and (the library knows) a one-off
    # holiday on 15 June 2026: kept like any other
    assert working_days(year, "GB", "SCT", tmp_path) == working_days(year, "GB", "SCT") == 251
    asked = []
    kept_mod._caches.clear()
    got = kept_mod.kept(tmp_path, "holidays", "GB|ENG|2026-01-01|2026-12-31", lambda: asked.append(1) or [],
                        lambda v: isinstance(v, list))
    assert asked == [] and ["2026-12-28", "Boxing Day (observed)"] in got  # the Saturday's substitute
    monkeypatch.setitem(kept_mod._stamps, "holidays", "another-release")
    kept_mod._caches.clear()
    assert kept_mod.kept(tmp_path, "holidays", "GB|ENG|2026-01-01|2026-12-31", lambda: asked.append(1) or ["x"],
                         lambda v: isinstance(v, list)) == ["x"] and asked == [1]
    assert kept_mod.kept(None, "holidays", "k", lambda: ["fresh"], lambda v: True) == ["fresh"]
    assert date(2026, 12, 28).weekday() == 0
