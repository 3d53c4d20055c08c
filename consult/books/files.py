"""Finding the books and reading their files: the rules every reader shares.

* **Where the books are**: `--books DIR`, else `$CONSULT_BOOKS`, else the nearest folder upward
  that holds `practice.yaml`.
* **What may be read**: a regular file inside the books, at most `MAX_FILE_BYTES`, UTF-8 text
  (a byte-order mark is dropped). `read_regular` opens without blocking and checks what it
  opened, so a FIFO, a device or a socket is refused rather than read (a FIFO would hang every
  command, `/dev/zero` would fill the memory). A link that leads out of the books is never
  followed, and neither is a `clients`, `templates` or `practice.yaml` that is itself such a
  link (`unsafe_paths` reports each once, as an error every command stops on); a folder where
  a file belongs is a problem, and so is binary or non-UTF-8 content; each becomes a `Problem`
  naming the file (and line, for bad bytes), never an exception.
* **YAML** is composed by `yamlsource` into containers that remember lines; `read_list` and
  `read_mapping` give the two shapes books files have.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from consult.books.fields import Fields
from consult.books.yamlsource import Value, YamlProblem, YMap, YSeq, load_yaml
from consult.errors import Problem, Source, UsageError

MAX_FILE_BYTES = 32 * 1024 * 1024
PRACTICE_FILE = "practice.yaml"
# What consult reads or writes at the top of the books: each is checked by `unsafe_paths`.
BOOKS_FILES = (PRACTICE_FILE, "register.tsv", "expenses.yaml", "mileage.yaml", "bank_rate.yaml",
               "import-map.yaml", "market_rates.yaml", "tax_tables.yaml")
BOOKS_FOLDERS = ("clients", "templates", "receipts", "vat")


class Unreadable(Exception):
    """A path that is not a regular file consult may read, or one too big; `str` says why."""


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def not_a_file(mode: int) -> str:
    return (f"is {_kind(mode)}, not a file; consult reads only regular files — remove it, or put "
            "the file itself here")


def read_regular(path: Path, limit: int | None = None, *, regular_only: bool = True,
                 what: str = "a books file") -> bytes:
    """The bytes of `path`, read without ever blocking or reading without end.

    The file is opened non-blocking (opening a FIFO with no writer would otherwise wait for
    ever) and checked *after* opening, on the open descriptor, so nothing can swap it in
    between: with `regular_only` anything but a regular file raises `Unreadable`. At most
    `limit` bytes are read; a longer file (or an endless device) raises `Unreadable` with the
    limit. OSError (missing, permission) passes through."""
    if limit is None:
        limit = MAX_FILE_BYTES
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        regular = stat.S_ISREG(st.st_mode)
        if stat.S_ISDIR(st.st_mode) or (regular_only and not regular):
            raise Unreadable(not_a_file(st.st_mode))
        if regular and st.st_size > limit:
            raise Unreadable(_too_big(st.st_size, limit, what))
        if stat.S_ISFIFO(st.st_mode):
            # a pipe the user gave (`consult time import fifo`, `<(cat x.csv)`): opened without
            # blocking it reads as empty until its writer comes, so open it again, waiting for the
            # writer — and make sure it is still the same pipe
            again = os.open(path, flags & ~getattr(os, "O_NONBLOCK", 0))
            st2 = os.fstat(again)
            os.close(fd)
            fd = again
            if (st2.st_dev, st2.st_ino) != (st.st_dev, st.st_ino):
                raise Unreadable("was replaced while it was being opened; run the command again")
        elif not regular and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a character device (/dev/stdin, /dev/zero): read as it comes
        chunks: list[bytes] = []
        got = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if got > limit:
                raise Unreadable(_too_big(None, limit, what))
        return b"".join(chunks)
    finally:
        os.close(fd)


def _too_big(size: int | None, limit: int, what: str) -> str:
    mb = limit // 1048576
    have = f"is {size / 1048576:.0f} MB, over" if size is not None else "goes on past"
    advice = "split it (timesheets by month)" if what == "a books file" else "export a shorter period"
    return f"{have} the {mb} MB {what} may be; {advice}"


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
    """A file's text, or None with a problem: missing, a folder, a FIFO or device, too big,
    binary, not UTF-8."""
    r = rel(root, path)
    if path.is_symlink() and not _inside(root, path):
        return None  # reported once by unsafe_paths(); never read a file from elsewhere
    if path.is_dir():
        problems.append(Problem(Source(r), None, "is a folder, but a file was expected here"))
        return None
    try:
        data = read_regular(path)
    except Unreadable as e:
        problems.append(Problem(Source(r), None, str(e)))
        return None
    except OSError as e:
        problems.append(Problem(Source(r), None, f"cannot be read: {e.strerror}"))
        return None
    if (kind := binary_kind(data)) is not None:
        problems.append(Problem(Source(r), None, not_text_problem(kind, r)))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        problems.append(Problem(Source(r, line), None,
                                f"is not UTF-8 text (byte 0x{data[e.start]:02x}); save it as UTF-8"))
        return None
    return text.removeprefix("\ufeff")


# What a file that is not text is, by its first bytes: a receipt, an export or an office file
# saved under a books name is named as what it is.
_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
               (b"%PDF-", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (an .xlsx, .docx or .ods file is one)"),
               (b"\xd0\xcf\x11\xe0", "an old Office document (.xls or .doc)"), (b"\x1f\x8b", "a gzip archive"),
               (b"RIFF", "a media file"), (b"\x7fELF", "a program"), (b"SQLite format 3\0", "an SQLite database"))


def binary_kind(data: bytes) -> str | None:
    """What `data` is when it is not text a books file can hold — "a PNG image", "UTF-16 text",
    "binary data" (a NUL byte) — or None when it may be text (UTF-8, or a legacy encoding
    `read_text` names by its first bad byte; a stray control character is YAML's to report)."""
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text"
    if b"\0" not in data:
        return None
    head = data[:4096]
    if max(head[0::2].count(0), head[1::2].count(0)) * 3 >= len(head) // 2:
        return "UTF-16 text"  # every other byte zero: ASCII in UTF-16 without a byte-order mark
    return "binary data"


def expected_text(path: str) -> str:
    """What the books file at `path` (relative to the books) holds, for a message about it."""
    parts = path.split("/")
    name = parts[-1]
    if path == PRACTICE_FILE:
        return "your practice's fields as YAML text (name:, address:, country: …; `consult init` writes an example)"
    if parts[0] == "templates":
        return "a theme as YAML text (page:, colours:, labels: …)"
    if parts[0] != "clients" or len(parts) < 3:
        if name in ("expenses.yaml", "mileage.yaml"):
            return "a list of YAML entries, each starting with `- ` (- {date: 2026-10-05, …})"
        return "YAML or CSV text"
    if len(parts) == 3 and name == "client.yaml":
        return "the client's fields as YAML text (name:, country:, currency: …)"
    folder = parts[2] if len(parts) == 4 else ""
    if folder == "engagements":
        return "the engagement's fields as YAML text (title:, billing:, rate: …)"
    if folder == "proposals":
        return "a proposal as YAML text (title:, rate:, phases: …)"
    if folder == "timesheets" and name.endswith(".csv"):
        return "time entries as CSV text, a header row first (date,engagement,hours,note)"
    if folder == "timesheets":
        return "time entries as YAML text, one a line (- {date: 2026-10-05, engagement: build, hours: 7.5})"
    return "a list of YAML entries, each starting with `- ` (- {date: 2026-10-05, …})"


def not_text_problem(kind: str, path: str) -> str:
    """The message for a books file that is `kind` (`binary_kind`) instead of text."""
    if kind == "UTF-16 text":
        return (f"is a binary file, not text consult can read: it is UTF-16 (Excel's \"Unicode Text\"); "
                f"save it as UTF-8 — it should hold {expected_text(path)}")
    what = "" if kind == "binary data" else f" ({kind})"
    return (f"is a binary file, not text{what}; it should hold {expected_text(path)} — write that in a text "
            "editor, and keep receipts and scans in receipts/")


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


def _link_problem(root: Path, path: str) -> Problem:
    return Problem(Source(rel(Path(root), Path(path))), None,
                   f"is a link to {os.readlink(path)}, outside the books; consult reads and writes only "
                   "inside the books folder — put the file itself here")


def unsafe_paths(root: Path) -> list[Problem]:
    """Everything in the books that consult must neither read nor write through, as errors.

    * A symbolic link that leads out of the books folder — `clients/`, `templates/`,
      `practice.yaml` or any file or folder below them. Ids and file names can never leave the
      books (`..` and `/` are not id characters), and a link is the one way a path could: a
      linked `invoices/` folder would make `consult invoice create` write somewhere else, a
      linked timesheet would read another folder's file, a linked `practice.yaml` would be
      skipped while `check` said "ok". Links that stay inside the books are fine.
    * A FIFO, socket or device where consult reads files: reading a FIFO waits for ever.

    Only what consult reads is walked (`BOOKS_FILES` and `BOOKS_FOLDERS` at the top, all of
    them below), so books kept inside a bigger folder (a repository, a virtualenv) cost
    nothing. Every command stops on these before it reads or writes anything else.
    """
    base = Path(os.path.realpath(root))
    out: list[Problem] = []
    stack: list[Path] = []
    for name in (*BOOKS_FILES, *BOOKS_FOLDERS):
        p = Path(root) / name
        if p.is_symlink():
            if not _inside(base, p):
                out.append(_link_problem(root, str(p)))
                continue
        try:
            mode = p.stat().st_mode
        except OSError:
            continue
        if stat.S_ISDIR(mode):
            if name in BOOKS_FOLDERS:
                stack.append(p)
            else:
                continue  # a folder where a file belongs: read_text says so
        elif not stat.S_ISREG(mode):
            out.append(Problem(Source(name), None, not_a_file(mode)))
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            if e.is_symlink():
                if not _inside(base, Path(e.path)):
                    out.append(_link_problem(root, e.path))
                    continue
            if e.is_dir():
                if not e.name.startswith(".") and not e.is_symlink():
                    stack.append(Path(e.path))
            elif not e.is_file():
                try:
                    mode = os.stat(e.path).st_mode
                except OSError:
                    continue  # a dangling link: the reader reports it where it matters
                out.append(Problem(Source(rel(Path(root), Path(e.path))), None, not_a_file(mode)))
    return out


