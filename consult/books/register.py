"""The register: every document number ever allocated, one line each, hash-chained.

`register.tsv` at the books root is plain tab-separated text with a header row, so it reads in
a spreadsheet and diffs line by line in git. Each line records an invoice, credit note,
proposal or void: its sequence in the register, number, kind, date, client, currency, net, VAT
and total, the path of its record, the SHA-256 of the record and of the PDF, the SHA-256 of
the previous line (the header row for the first), and a note (a void's reason).

Why it exists: numbers must never be reused and issued documents never change. With the
register as the source of numbers, deleting a document's files cannot free its number; a
number that must be abandoned is voided by a line that says why, so every gap is explained;
and `consult check` can prove each issued document is still exactly what was issued (its
hashes), where it was issued (its path), and that no line was edited or removed (the chain).

Lines are only ever appended, under the books lock, in the same transaction that writes the
document (consult.books.journal). Numbers come from `next_number`: one more than the highest
in the register of the series the number format makes (a series per year when the format has
`{year}`), voids included.
"""

from __future__ import annotations

import hashlib
import re
import string
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

from consult.core.record import record
from consult.errors import Problem, Source

REGISTER = "register.tsv"
COLUMNS = ("seq", "number", "kind", "date", "client", "currency", "net", "vat", "total", "path",
           "record_sha256", "pdf_sha256", "prev_sha256", "note")
HEADER = "\t".join(COLUMNS)
KINDS = ("invoice", "credit_note", "proposal", "void")
NONE = "-"

Kind = Literal["invoice", "credit_note", "proposal", "void"]


@record
class Line:
    """One register line. Amounts are exact decimal text as the record holds them."""

    seq: int
    number: str
    kind: Kind
    date: date
    client: str | None
    currency: str | None
    net: Decimal | None
    vat: Decimal | None
    total: Decimal | None
    path: str | None          # the record, relative to the books; the PDF is beside it
    record_sha256: str | None
    pdf_sha256: str | None
    prev_sha256: str
    note: str
    text: str                 # the line as written, for the chain
    line: int = 0             # 1-based line in register.tsv

    @property
    def pdf_path(self) -> str | None:
        return None if self.path is None else self.path.rsplit(".", 1)[0] + ".pdf"


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _clean(text: str) -> str:
    """A cell: tabs and line breaks become spaces (a note is one line of the register)."""
    return " ".join(text.replace("\t", " ").splitlines()).strip()


def _cell(v: object) -> str:
    if v is None:
        return NONE
    if isinstance(v, Decimal):
        return f"{v:f}"
    return _clean(str(v)) or NONE


def make_line(lines: list[Line], *, number: str, kind: Kind, day: date, client: str | None = None,
              currency: str | None = None, net: Decimal | None = None, vat: Decimal | None = None,
              total: Decimal | None = None, path: str | None = None, record: bytes | None = None,
              pdf: bytes | None = None, note: str = "") -> str:
    """The text of the next line after `lines` (without a line break)."""
    prev = sha256(lines[-1].text) if lines else sha256(HEADER)
    cells = [str(len(lines) + 1), number, kind, day.isoformat(), client, currency, net, vat, total, path,
             sha256(record) if record is not None else None, sha256(pdf) if pdf is not None else None,
             prev, note]
    return "\t".join(_cell(c) for c in cells)


# ------------------------------------------------------------------------------------------
# reading
# ------------------------------------------------------------------------------------------
def exists(root: Path) -> bool:
    return (Path(root) / REGISTER).exists()


def read(root: Path) -> tuple[list[Line], list[Problem]]:
    """Every line, and a problem for each that is malformed or breaks the chain."""
    path = Path(root) / REGISTER
    if not path.exists():
        return [], []
    problems: list[Problem] = []

    def bad(n: int, msg: str, field: str | None = None) -> None:
        problems.append(Problem(Source(REGISTER, n), field, msg))

    if path.is_symlink() or not path.is_file():
        import stat as st

        from consult.books.files import not_a_file

        mode = path.lstat().st_mode
        why = ("is a link; the register must be a plain file in the books" if st.S_ISLNK(mode)
               else not_a_file(mode))
        return [], [Problem(Source(REGISTER), None, why)]
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return [], [Problem(Source(REGISTER), None, f"cannot be read ({e}); restore it from git")]
    rows = text.split("\n")
    if rows and rows[-1] == "":
        rows.pop()
    if not rows or rows[0] != HEADER:
        return [], [Problem(Source(REGISTER, 1), None, "the first line must be the header row "
                            f"({HEADER.replace(chr(9), ' ')}); restore the file from git")]
    out: list[Line] = []
    prev_text = HEADER
    for n, row in enumerate(rows[1:], start=2):
        cells = row.split("\t")
        if len(cells) != len(COLUMNS):
            bad(n, f"has {len(cells)} cells, not {len(COLUMNS)}; the register is written by consult and "
                   "must not be edited — restore it from git")
            prev_text = row
            continue
        c = dict(zip(COLUMNS, cells, strict=True))
        try:
            line = _parse(c, row, n)
        except ValueError as e:
            bad(n, f"{e}; the register is written by consult and must not be edited — restore it from git")
            prev_text = row
            continue
        if line.seq != len(out) + 1:
            bad(n, f"sequence {line.seq} where {len(out) + 1} was expected: a line was removed or "
                   "reordered — restore the register from git", "seq")
        if line.prev_sha256 != sha256(prev_text):
            bad(n, "does not follow from the line before it (its prev_sha256 differs): the line above was "
                   "edited or removed — restore the register from git", "prev_sha256")
        out.append(line)
        prev_text = row
    return out, problems


def parse_line(text: str, n: int = 0) -> Line:
    """One line's text (as `make_line` writes it) back as a `Line`; ValueError if malformed."""
    cells = text.split("\t")
    if len(cells) != len(COLUMNS):
        raise ValueError(f"has {len(cells)} cells, not {len(COLUMNS)}")
    return _parse(dict(zip(COLUMNS, cells, strict=True)), text, n)


def _parse(c: dict[str, str], text: str, n: int) -> Line:
    def opt(k: str) -> str | None:
        return None if c[k] == NONE else c[k]

    def dec(k: str) -> Decimal | None:
        v = opt(k)
        if v is None:
            return None
        try:
            return Decimal(v)
        except InvalidOperation:
            raise ValueError(f"{k} '{v}' is not a number") from None

    if not c["seq"].isdigit():
        raise ValueError(f"seq '{c['seq']}' is not a number")
    if c["kind"] not in KINDS:
        raise ValueError(f"kind '{c['kind']}' is not one of {', '.join(KINDS)}")
    try:
        day = date.fromisoformat(c["date"])
    except ValueError:
        raise ValueError(f"date '{c['date']}' is not YYYY-MM-DD") from None
    for k in ("record_sha256", "pdf_sha256", "prev_sha256"):
        v = c[k]
        if v != NONE and not re.fullmatch(r"[0-9a-f]{64}", v):
            raise ValueError(f"{k} is not a SHA-256")
    kind: Kind = c["kind"]  # type: ignore[assignment]  # checked against KINDS above
    return Line(int(c["seq"]), c["number"], kind, day, opt("client"), opt("currency"), dec("net"), dec("vat"),
                dec("total"), opt("path"), opt("record_sha256"), opt("pdf_sha256"), c["prev_sha256"],
                "" if c["note"] == NONE else c["note"], text, n)


# ------------------------------------------------------------------------------------------
# numbers
# ------------------------------------------------------------------------------------------
def series_regex(pattern: str) -> re.Pattern[str]:
    """A regex matching every number `pattern` makes, with groups `year` (if any) and `seq`."""
    out = ""
    for literal, name, _spec, _conv in string.Formatter().parse(pattern):
        out += re.escape(literal)
        if name == "year":
            out += r"(?P<year>\d{4})"
        elif name == "seq":
            out += r"(?P<seq>\d+)"
        elif name is not None:
            out += r".+?"
    return re.compile(out + r"\Z")


def next_number(lines: list[Line], pattern: str, day: date) -> str:
    """The next number of `pattern`'s series for a document dated `day`: one more than the
    highest the register holds (voids count: a voided number is never given again)."""
    rx = series_regex(pattern)
    yearly = "{year" in pattern
    top = 0
    for ln in lines:
        m = rx.match(ln.number)
        if m and (not yearly or int(m.group("year")) == day.year):
            top = max(top, int(m.group("seq")))
    return pattern.format(year=day.year, seq=top + 1)


def gaps(lines: list[Line], patterns: dict[str, str]) -> list[Problem]:
    """For each series (a number format and, when it has `{year}`, a year), numbers missing
    between 1 and the highest — a gap the register cannot explain."""
    out: list[Problem] = []
    for what, pattern in patterns.items():
        rx = series_regex(pattern)
        seen: dict[int | None, dict[int, Line]] = {}
        for ln in lines:
            m = rx.match(ln.number)
            if m:
                year = int(m.group("year")) if "year" in rx.groupindex else None
                seen.setdefault(year, {})[int(m.group("seq"))] = ln
        for year, got in sorted(seen.items(), key=lambda kv: kv[0] or 0):
            missing = [s for s in range(1, max(got) + 1) if s not in got]
            if missing:
                names = ", ".join(pattern.format(year=year or 0, seq=s) for s in missing[:5])
                more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
                out.append(Problem(Source(REGISTER), None,
                                   f"the {what} numbers skip {names}{more}: every number is allocated in the "
                                   "register, so this gap cannot be explained — restore the register from git"))
    return out


# ------------------------------------------------------------------------------------------
# verifying
# ------------------------------------------------------------------------------------------
def _file_sha(root: Path, rel: str, cache: object) -> str | None:
    """SHA-256 of a books file, through the stamp cache (a file unchanged since it was last
    hashed is not read again)."""
    from consult.books.cache import Cache, sha256_file

    assert isinstance(cache, Cache)
    path = root / rel
    if not path.is_file():
        return None
    got = cache.get(rel, [rel])
    if isinstance(got, str):
        return got
    digest = sha256_file(path)
    if digest is not None:
        cache.put(rel, [rel], digest)
    return digest


def verify(root: Path, patterns: dict[str, str]) -> list[Problem]:
    """Everything `consult check` proves about the register (see the module docstring)."""
    from consult.books.cache import Cache

    root = Path(root)
    issued = sorted(p.relative_to(root).as_posix() for p in root.glob("clients/*/invoices/*.yaml"))
    if not exists(root):
        if issued:
            return [Problem(Source(REGISTER), None,
                            f"missing: these books have {len(issued)} issued documents but no register of their "
                            "numbers; run `consult register init` once (it records what is there)")]
        return []
    lines, problems = read(root)
    cache = Cache(root, "register-hashes.json", "consult-register-hashes-1")
    seen: dict[str, Line] = {}
    registered_paths = set()
    by_name: dict[str, list[str]] = {}
    for rel in issued:
        by_name.setdefault(rel.rsplit("/", 1)[-1], []).append(rel)
    for ln in lines:
        where = Source(REGISTER, ln.line)
        if ln.kind != "void":
            if ln.number in seen:
                problems.append(Problem(where, "number", f"{ln.number} is registered twice (also line "
                                                         f"{seen[ln.number].line}); restore the register from git"))
            seen[ln.number] = ln
        if ln.path:
            registered_paths.add(ln.path)
        if ln.kind not in ("invoice", "credit_note") or not ln.path:
            if ln.kind == "proposal" and ln.path and not (root / ln.path).exists():
                problems.append(Problem(where, None, f"proposal {ln.number} ({ln.path}) is missing; restore it from "
                                                     "git (its number stays taken)", "warning"))
            continue
        what = "credit note" if ln.kind == "credit_note" else "invoice"
        fix = f"restore it from git; or, if {ln.number} must go, credit it and issue again (its number stays taken)"
        rec = _file_sha(root, ln.path, cache)
        if rec is None:
            moved = [r for r in by_name.get(ln.path.rsplit("/", 1)[-1], []) if r != ln.path]
            if moved:
                problems.append(Problem(Source(ln.path), None,
                                        f"{what} {ln.number} was issued here but is now at {moved[0]} (a client folder "
                                        f"renamed or a record moved); move it back to {ln.path}"))
            else:
                problems.append(Problem(Source(ln.path), None, f"{what} {ln.number} is in the register but its record "
                                                               f"is missing (deleted?); {fix}"))
        elif ln.record_sha256 and rec != ln.record_sha256:
            problems.append(Problem(Source(ln.path), None, f"{what} {ln.number} was edited after it was issued (its "
                                                           f"SHA-256 differs from the register's); {fix}"))
        pdf = ln.pdf_path
        if ln.pdf_sha256 and pdf:
            got = _file_sha(root, pdf, cache)
            if got is None:
                problems.append(Problem(Source(pdf), None, f"the PDF of {what} {ln.number} is missing; draw it again "
                                                           f"from its record: consult invoice render {ln.number}"))
            elif got != ln.pdf_sha256:
                problems.append(Problem(Source(pdf), None, f"the PDF of {what} {ln.number} is not the one issued (its "
                                                           "SHA-256 differs from the register's); restore it from git, "
                                                           f"or delete it and run consult invoice render {ln.number}"))
    for rel in issued:
        if rel not in registered_paths:
            problems.append(Problem(Source(rel), None, "this issued record is not in the register: it was copied "
                                                       "in or written by hand, so consult cannot vouch for it; "
                                                       "remove it, or restore the register from git"))
    problems += gaps([ln for ln in lines], patterns)
    cache.keep_only(sorted({ln.path for ln in lines if ln.path} | {ln.pdf_path for ln in lines if ln.pdf_path}))
    cache.save()
    return problems
