"""VAT numbers, IBANs and BICs: python-stdnum's verdicts are kept in .consult-cache, so a
command that reads the books does not import python-stdnum again; a new stdnum release, or a
damaged cache, judges again; and the messages are the same either way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from consult.books import identifiers
from consult.books import kept as kept_mod

PROBE = ("import sys; from consult.cli import run; code = run(['--books', sys.argv[1], 'client', 'list']); "
         "print(code, 'stdnum' in sys.modules)")


def _fresh_process(books: Path) -> str:
    env = dict(os.environ, CONSULT_TODAY="2026-11-22")
    return subprocess.run([sys.executable, "-c", PROBE, str(books)], capture_output=True, text=True,
                          env=env, check=True).stdout.split()[-2:]


def test_a_second_command_reads_the_kept_verdicts_without_importing_stdnum(sample_books):
    assert _fresh_process(sample_books) == ["0", "True"]  # first: judged by python-stdnum
    kept = json.loads((sample_books / ".consult-cache/stdnum.json").read_text())
    assert kept["format"].startswith("consult-kept-1-")
    assert any(k.startswith("vat:GB") for k in kept["entries"]) and any(k.startswith("iban:") for k in kept["entries"])
    assert _fresh_process(sample_books) == ["0", "False"]  # then: from .consult-cache


def test_an_invalid_vat_number_says_the_same_from_the_cache(make_books, run_cli):
    books = make_books({"clients/acme/client.yaml": """\
        name: Acme Ltd
        address: |
          1 Road
        country: GB
        currency: GBP
        vat_number: GB123456788
        """})
    first = run_cli("check", books=books)
    kept_mod._caches.clear()  # as a new process would: the verdict now comes from the file
    second = run_cli("check", books=books)
    assert first[0] == second[0] == 1
    assert "'GB123456788' is not a valid VAT number (the number's checksum or check digit is invalid)" in first[1]
    assert first[1:] == second[1:]


def test_another_stdnum_release_or_a_damaged_entry_is_judged_again(tmp_path, monkeypatch):
    calls = []
    real = identifiers._judge
    monkeypatch.setattr(identifiers, "_judge", lambda kind, text: calls.append(text) or real(kind, text))
    monkeypatch.setattr(kept_mod, "_caches", {})
    assert identifiers.verdict("iban", "GB82 WEST 1234 5698 7654 32", tmp_path) == ("valid", "GB82 WEST 1234 5698 7654 32")
    kept_mod._caches.clear()
    identifiers.verdict("iban", "GB82 WEST 1234 5698 7654 32", tmp_path)
    assert len(calls) == 1  # kept
    monkeypatch.setitem(kept_mod._stamps, "stdnum", "another-release")
    kept_mod._caches.clear()
    identifiers.verdict("iban", "GB82 WEST 1234 5698 7654 32", tmp_path)
    assert len(calls) == 2  # a new python-stdnum: judged again
    path = tmp_path / ".consult-cache/stdnum.json"
    data = json.loads(path.read_text())
    data["entries"]["iban:GB82 WEST 1234 5698 7654 32"]["value"] = ["valid"]  # not a verdict
    path.write_text(json.dumps(data))
    kept_mod._caches.clear()
    assert identifiers.verdict("iban", "GB82 WEST 1234 5698 7654 32", tmp_path)[0] == "valid"
    assert len(calls) == 3
    assert identifiers.verdict("vat", "XX123", None) == ("unknown", "")  # no books: judged, nothing kept
    assert identifiers.verdict("bic", "NWBKGB2L", None) == ("valid", "NWBKGB2L")
    assert identifiers.verdict("bic", "NWBK", None)[0] == "invalid"
