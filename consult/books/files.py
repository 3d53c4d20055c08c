"""Finding the books and reading their files: the rules every reader shares.

* **Where the books are**: `--books DIR`, else `$CONSULT_BOOKS`, else the nearest folder upward
  that holds `practice.yaml`.
* **What may be read**: a regular file inside the books, at most `MAX_FILE_BYTES`, UTF-8 text
  (a byte-order mark is dropped). A link that leads out of the books is never followed
  (`links_outside` reports it once), a folder where a file belongs is a problem, and so is
  binary or non-UTF-8 content; each becomes a `Problem` naming the file (and line, for bad
  bytes), never an exception.
* **YAML** is composed by `yamlsource` into containers that remember lines; `read_list` and
  `read_mapping` give the two shapes books files have.
"""

from __future__ import annotations

import os
from pathlib import Path

from consult.books.fields import Fields
from consult.books.yamlsource import Value, YamlProblem, YMap, YSeq, load_yaml
from consult.errors import Problem, Source, UsageError

MAX_FILE_BYTES = 32 * 1024 * 1024
PRACTICE_FILE = "practice.yaml"


# ------------------------------------------------------------------------------------------
def find_books(explicit: str | os.PathLike[str] | None, cwd: Path | None = None) -> Path:
    """The books folder: `--books`, else $CONSULT_BOOKS, else upward from `cwd`."""
    if explicit:
        p = Path(explicit).expanduser()
        if not (p / PRACTICE_FILE).is_file():
            raise UsageError(f"{p} is not a books folder (no {PRACTICE_FILE}); "
                             "make one with `consult init DIR`")
        return p.resolve()
    env = os.environ.get("CONSULT_BOOKS")
    if env:
        p = Path(env).expanduser()
        if not (p / PRACTICE_FILE).is_file():
            raise UsageError(f"CONSULT_BOOKS={env} is not a books folder (no {PRACTICE_FILE})")
        return p.resolve()
    here = (cwd or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / PRACTICE_FILE).is_file():
            return d
    raise UsageError(f"no {PRACTICE_FILE} here or in any folder above {here}; "
                     "pass --books DIR, set CONSULT_BOOKS, or run `consult init DIR`")


def rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def read_text(root: Path, path: Path, problems: list[Problem]) -> str | None:
    """A file's text, or None with a problem: missing, a folder, too big, binary, not UTF-8."""
    r = rel(root, path)
    if path.is_symlink() and not _inside(root, path):
        return None  # reported once by links_outside(); never read a file from elsewhere
    if path.is_dir():
        problems.append(Problem(Source(r), None, "is a folder, but a file was expected here"))
        return None
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(Problem(Source(r), None,
                                    f"is {size / 1048576:.0f} MB, over the {MAX_FILE_BYTES // 1048576} MB "
                                    "a books file may be; split it (timesheets by month)"))
            return None
        data = path.read_bytes()
    except OSError as e:
        problems.append(Problem(Source(r), None, f"cannot be read: {e.strerror}"))
        return None
    if b"\0" in data:
        problems.append(Problem(Source(r), None, "is a binary file, not text; remove it or "
                                                 "replace it with the YAML/CSV it should be"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        problems.append(Problem(Source(r, line), None,
                                f"is not UTF-8 text (byte 0x{data[e.start]:02x}); save it as UTF-8"))
        return None
    return text.removeprefix("\ufeff")


def read_yaml(root: Path, path: Path, problems: list[Problem], *, allow_empty: bool = False) -> Value | None:
    """A YAML file as `YMap`/`YSeq`/`Scalar`, or None with its problems recorded."""
    text = read_text(root, path, problems)
    if text is None:
        return None
    try:
        value = load_yaml(text, rel(root, path))
    except YamlProblem as e:
        problems.append(e.problem)
        return None
    if value is None and not allow_empty:
        problems.append(Problem(Source(rel(root, path)), None, "is empty; see `consult init` for an example"))
    return value


def read_mapping(root: Path, path: Path, problems: list[Problem]) -> Fields | None:
    value = read_yaml(root, path, problems)
    if value is None:
        return None
    if not isinstance(value, YMap):
        problems.append(Problem(Source(rel(root, path), getattr(value, "line", 1)), None,
                                "expected a mapping of fields (`name: value` lines) at the top"))
        return None
    return Fields(rel(root, path), value, problems)


def read_list(root: Path, path: Path, problems: list[Problem]) -> list[Fields]:
    """A file that is a list of records (expenses, income, payments, YAML timesheets).
    An optional file that does not exist is an empty list."""
    if not path.exists() and not path.is_symlink():
        return []
    value = read_yaml(root, path, problems, allow_empty=True)
    if value is None:
        return []
    if not isinstance(value, YSeq):
        problems.append(Problem(Source(rel(root, path), getattr(value, "line", 1)), None,
                                "expected a list of entries, each starting with `- `"))
        return []
    out = []
    r = rel(root, path)
    for i, item in enumerate(value):
        if isinstance(item, YMap):
            out.append(Fields(r, item, problems, f"[{i}]."))
        else:
            problems.append(Problem(Source(r, item.line, item.column), f"[{i}]",
                                    "expected an entry with fields (date: …, amount: …)"))
    return out


def _inside(root: Path, path: Path) -> bool:
    base = Path(os.path.realpath(root))
    target = Path(os.path.realpath(path))
    return target == base or base in target.parents


def links_outside(root: Path) -> list[Problem]:
    """Symbolic links under clients/ and templates/ that lead out of the books folder.

    Ids and file names can never leave the books (`..` and `/` are not id characters), and a
    link is the one way a path could: a linked `invoices/` folder would make `consult invoice
    create` write somewhere else, a linked timesheet would read another folder's file. Such a
    link is an error, so every command refuses to act until it is replaced by the real file
    or folder. Links that stay inside the books are fine.
    """
    base = Path(os.path.realpath(root))
    out: list[Problem] = []
    stack: list[Path] = [Path(root) / d for d in ("clients", "templates")]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            if e.is_symlink():
                if not _inside(base, Path(e.path)):
                    out.append(Problem(Source(rel(Path(root), Path(e.path))), None,
                                       f"is a link to {os.readlink(e.path)}, outside the books; consult reads "
                                       "and writes only inside the books folder — put the file itself here"))
            elif e.is_dir(follow_symlinks=False) and not e.name.startswith("."):
                stack.append(Path(e.path))
    return out
