"""Files in a client's folder that consult does not read: reported, never silently ignored.

consult reads a client folder by exact names (docs/books-format.md §4): `client.yaml`, the
list files beside it, `engagements/*.yaml|*.yml`, `timesheets/*.yaml|*.yml|*.csv`,
`proposals/*.yaml` and `invoices/`. A file saved under another name is simply not read — its
time is on no invoice, its payment on no invoice's balance — so `load_books` reports it:

* **a near miss is an error**, naming the name consult reads: `payment.yaml` or `Payments.yml`
  for `payments.yaml`, `timesheets/2026-10.CSV` for `2026-10.csv`, an `engagement/` or
  `Timesheets/` folder for `engagements/` or `timesheets/`. Its records would be left out of
  every invoice and report while each command went on as if they were not there (the rule of
  the books root, consult.books.expenses.root_problems);
* **any other data file** (`.yaml`, `.yml`, `.csv`, `.json`, `.tsv`, `.xlsx`, in any case) at the
  top of the client folder, or any file in `timesheets/` or `engagements/` that is not read
  there, is a **warning** saying what the folder holds;
* everything else is left alone: names starting with `.`, other files at the top of the folder
  (a signed contract, a statement of work), other folders, and what `invoices/` and `proposals/`
  hold (the register check and the proposal reader see those).

Nothing here reads a file's content; it looks at names only (one `scandir` per folder).
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

from consult.errors import Problem, Source

CLIENT_FILES = ("client.yaml", "expenses.yaml", "income.yaml", "payments.yaml", "allocations.yaml",
                "refunds.yaml", "writeoffs.yaml")
CLIENT_FOLDERS = ("engagements", "timesheets", "proposals", "invoices")
# the suffixes of files that hold records (in any case): one of these that is not read is reported
RECORD_SUFFIXES = (".yaml", ".yml", ".csv", ".json", ".tsv", ".xlsx")
TIMESHEET_SUFFIXES = (".yaml", ".yml", ".csv")
ENGAGEMENT_SUFFIXES = (".yaml", ".yml")
# a name written in place of one consult reads (letters only, lower case) -> the name it reads
_MEANT = {
    "client": "client.yaml", "clients": "client.yaml",
    "expense": "expenses.yaml", "expenses": "expenses.yaml", "costs": "expenses.yaml", "cost": "expenses.yaml",
    "income": "income.yaml", "incomes": "income.yaml", "payouts": "income.yaml", "royalties": "income.yaml",
    "payment": "payments.yaml", "payments": "payments.yaml",
    "allocation": "allocations.yaml", "allocations": "allocations.yaml",
    "refund": "refunds.yaml", "refunds": "refunds.yaml",
    "writeoff": "writeoffs.yaml", "writeoffs": "writeoffs.yaml",
    "engagement": "engagements/", "engagements": "engagements/",
    "timesheet": "timesheets/", "timesheets": "timesheets/", "time": "timesheets/", "times": "timesheets/",
    "hours": "timesheets/", "proposal": "proposals/", "proposals": "proposals/", "quotes": "proposals/",
    "invoice": "invoices/", "invoices": "invoices/",
}


_MONTH = re.compile(r"\d{4}-\d{2}")  # `2026-10.csv`: a month's timesheet saved a folder too high


def _key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _meant(stem: str) -> str | None:
    """The name consult reads that `stem` (a file's name without suffix, or a folder's) stands
    for: the same letters, a known slip, or a close spelling."""
    key = _key(stem)
    if key in _MEANT:
        return _MEANT[key]
    near = difflib.get_close_matches(key, list(_MEANT), n=1, cutoff=0.8)
    return _MEANT[near[0]] if near else None


def _same(a: Path, b: Path) -> bool:
    """Whether two names are one file (a case-insensitive file system reads `Timesheets/` as
    `timesheets/`: nothing is missed then)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        return sorted((e for e in os.scandir(folder) if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError:
        return []


def _either(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _suffix(name: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f".{suffix}" if dot and stem else ""


def client_folder_problems(root: Path, cid: str) -> list[Problem]:
    """What `clients/<cid>/` holds that consult does not read (see the module's docstring)."""
    folder = Path(root) / "clients" / cid
    base = f"clients/{cid}"
    out: list[Problem] = []
    for e in _entries(folder):
        name, where = e.name, f"{base}/{e.name}"
        if name in CLIENT_FILES or name in CLIENT_FOLDERS:
            if name in CLIENT_FOLDERS and not e.is_dir():
                out.append(Problem(Source(where), None, f"is a file, but consult reads a folder {name}/ here; "
                                                        f"make {name}/ a folder and put the files in it"))
            continue
        if e.is_dir():
            meant = _meant(name)
            if meant is not None and meant.endswith("/") and not _same(Path(e.path), folder / meant[:-1]):
                out.append(Problem(Source(where), None,
                                   f"consult does not read this folder, so nothing in it is on an invoice or in a "
                                   f"report; it reads {meant} (that exact name) — rename it"))
            continue
        suffix = _suffix(name)
        if suffix.lower() not in RECORD_SUFFIXES:
            continue  # a contract, a statement of work: kept with the client, not books records
        stem = name[: -len(suffix)]
        meant = "timesheets/" if _MONTH.fullmatch(stem) else _meant(stem)
        if meant is not None and not _same(Path(e.path), folder / meant.rstrip("/")):
            if meant == "timesheets/" and suffix.lower() not in TIMESHEET_SUFFIXES:
                what = ("time is read from .yaml, .yml or .csv files in timesheets/ — import a tracker's export "
                        "with `consult time import FILE`, or save the sheet as CSV in timesheets/")
            elif meant.endswith("/"):
                what = f"it reads the folder {meant} here — move the file into it"
            else:
                what = f"it reads {meant} (YAML, that exact name) — move the items there"
            out.append(Problem(Source(where), None, "consult does not read this file, so its records are on no "
                                                    f"invoice and in no report; {what}"))
        else:
            out.append(Problem(Source(where), None,
                               f"consult does not read this file (a client folder holds {', '.join(CLIENT_FILES)} "
                               f"and the folders {', '.join(f + '/' for f in CLIENT_FOLDERS)}); move or remove it "
                               "if it holds records", "warning"))
    out += _inner(folder / "timesheets", f"{base}/timesheets", TIMESHEET_SUFFIXES,
                  "time entries in .yaml, .yml or .csv files",
                  "import a tracker's export with `consult time import FILE`, or move the file out of the books")
    out += _inner(folder / "engagements", f"{base}/engagements", ENGAGEMENT_SUFFIXES,
                  "one .yaml file per engagement", "move the file out of the books")
    return out


def _inner(folder: Path, base: str, suffixes: tuple[str, ...], holds: str, advice: str) -> list[Problem]:
    """A folder consult reads every file of, by suffix: a suffix in the wrong case is an error
    (the file is not read), any other file or folder a warning."""
    if not folder.is_dir() or folder.is_symlink():
        return []
    name = base.rsplit("/", 1)[1]
    out: list[Problem] = []
    for e in _entries(folder):
        where = f"{base}/{e.name}"
        suffix = _suffix(e.name)
        if e.is_dir():
            out.append(Problem(Source(where), None, f"consult does not read folders inside {name}/ ({name}/ holds "
                                                    f"{holds}); move the files up, or out of the books", "warning"))
        elif suffix in suffixes:
            continue
        elif suffix.lower() in suffixes:
            right = e.name[: -len(suffix)] + suffix.lower()
            out.append(Problem(Source(where), None, "consult does not read this file, so its records are on no "
                                                    f"invoice and in no report: it reads {_either(suffixes)} "
                                                    f"in lower case only — rename it {right}"))
        else:
            out.append(Problem(Source(where), None, f"consult does not read this file: {name}/ holds {holds}; "
                                                    f"{advice}", "warning"))
    return out
