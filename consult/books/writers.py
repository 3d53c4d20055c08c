"""The one serialiser for every string consult writes into the books.

A person's text — a note, a client's name, an address line, an id from another tool — goes
into files that are read back by `consult.books.yamlsource` (the books) or by the base loader
(issued records). Whatever the text holds, it must read back exactly: control characters, a
lone carriage return, tabs, quotes, backslashes, `#` and `: `, characters outside the Basic
Multilingual Plane. Hand-made quoting got this wrong in several places (a lone CR in a note made
an issued invoice unreadable), so every writer now goes through these functions, and
tests/test_writers.py proves the round trip for any text with hypothesis.

* `scalar(value)` — one YAML value: a plain word when it is plainly text (`Acme Ltd`), else a
  double-quoted scalar (`quoted`) with every character YAML would not keep escaped.
* `flow_mapping(item)` / `list_item(item)` — `{date: 2026-10-05, note: "…"}` and the
  `- {…}` line of the books' list files (timesheets, expenses, payments, mileage).
* `text_block(lines)` — an address: a `|` block when every line is plain printable text, else
  a list of quoted lines.
* `dump_yaml(data)` — a whole document (the frozen invoice record), through PyYAML's emitter
  with multi-line text as literal blocks; PyYAML escapes what a block cannot hold.
* `with_item(text, item)` — a list file's text with one more mapping at the end, keeping every
  valid form of the file valid (see its docstring). This is what `time log`, `expense add`,
  `mileage add` and `invoice pay` append with.

**Input rule for single-line fields** (`one_line`): text typed on the command line for a field
that is one line (a timesheet note, a name, a PO number, an address line) is *refused* with a
usage error naming the option when it holds a line break of any kind (`\\n`, `\\r`, `\\v`,
`\\f`, `\\x1c`–`\\x1e`, NEL, LS, PS) — a break in a note is almost always a paste gone wrong, and
saying so beats guessing. Text read from another tool's export is *normalised* instead (its
whitespace runs become one space: consult.work.importers.common.one_line), because the user
cannot retype a thousand rows. Text that is not Unicode at all (a command-line byte that is not
UTF-8 arrives as a lone surrogate) is refused everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import yaml

from consult.errors import UsageError

# Characters YAML keeps as they are inside a double-quoted scalar written to a UTF-8 file: its
# printable set (YAML 1.1 §5.1) less the line breaks (NEL, LS, PS, which a reader folds), the
# byte-order mark, the quote and the backslash. Everything else is escaped.
_RAW_OK = "\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
# ... and its complement, which the regexes use: a class of a few short ranges compiles in well
# under a millisecond where `[^{_RAW_OK}]` takes ~15 ms, on every start-up of every command
NOT_RAW = "\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff"
_NEEDS_ESCAPE = re.compile(f'[{NOT_RAW}"\\\\]')
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAMED = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
          "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\", "\x85": "\\N", "\u2028": "\\L",
          "\u2029": "\\P"}
# Everything str.splitlines() splits on: what counts as a line break in a one-line field.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_BREAK = re.compile(f"[{LINE_BREAKS}]")

# A plain scalar is used only for text that is plainly words: it starts with a letter, holds
# letters, digits, spaces and `._/()&'+-`, and ends with no space (or it is a number, a date, a
# duration or an id: a digit, then letters, digits, `.` and `-`) — so no YAML indicator,
# comment (` #`), mapping (`: `) or flow character can be in it — and is not a word YAML 1.1
# would read as true/false/null. Anything else is quoted; the reader never sees a difference.
_PLAIN = re.compile(r"[^\W\d_][\w .()/&'+-]*(?<! )", re.UNICODE)
_NUMBER_LIKE = re.compile(r"[0-9][0-9A-Za-z.-]*")  # 650, 525.50, 2026-10-05, 1h30m, 2026-audit
_TYPED_WORDS = frozenset(
    "y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL ~".split())
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class Quoted(str):
    """Text always written quoted, whatever it holds: notes and other tools' ids, so a line's
    form does not change with its content (consult finds imported lines by `id: "…"`)."""


class NotText(ValueError):
    """A string that cannot be written as text (it holds a lone surrogate: bytes that were not
    UTF-8)."""


def _escape(ch: str) -> str:
    named = _NAMED.get(ch)
    if named is not None:
        return named
    o = ord(ch)
    if 0xD800 <= o <= 0xDFFF:
        raise NotText(f"character U+{o:04X} is half of a surrogate pair, not text (bytes that were not UTF-8?)")
    if o < 0x100:
        return f"\\x{o:02x}"
    if o < 0x10000:
        return f"\\u{o:04x}"
    return f"\\U{o:08x}"


def quoted(text: str) -> str:
    """`text` as a double-quoted YAML scalar that reads back as exactly `text`.

    Printable characters are written as themselves (é, ₹, 😀 included); quotes, backslashes,
    control characters, line breaks of every kind, tabs and the byte-order mark become escapes.
    Raises NotText for a lone surrogate."""
    if not _NEEDS_ESCAPE.search(text):
        return f'"{text}"'
    return '"' + _NEEDS_ESCAPE.sub(lambda m: _escape(m.group()), text) + '"'


def plain_ok(text: str) -> bool:
    """True when `text` may be written unquoted and still read back as itself, as text."""
    return bool(_PLAIN.fullmatch(text) or _NUMBER_LIKE.fullmatch(text)) and text.isprintable() \
        and text not in _TYPED_WORDS


def _text(value: str) -> str:
    return value if plain_ok(value) else quoted(value)


_BY_TYPE: dict[type, Any] = {
    str: _text, Quoted: quoted, bool: lambda v: "true" if v else "false", int: str,
    Decimal: lambda v: f"{v:f}", date: date.isoformat, datetime: lambda v: quoted(v.isoformat()),
    time: lambda v: quoted(v.strftime("%H:%M")), type(None): lambda v: "null",
}


def scalar(value: object) -> str:
    """One YAML value as consult writes it: numbers and dates plain (`650`, `525.50`,
    `2026-10-05`), booleans `true`/`false`, None `null`, text plain when `plain_ok` else quoted
    (`Quoted` text always quoted), Money as its exact amount."""
    write = _BY_TYPE.get(type(value))
    if write is not None:
        return str(write(value))
    for kind in (bool, Quoted, str, int, Decimal, datetime, date, time):  # subclasses
        if isinstance(value, kind):
            return str(_BY_TYPE[kind](value))
    if hasattr(value, "plain") and callable(value.plain):  # Money: its exact amount
        return str(value.plain())
    raise TypeError(f"consult does not write {type(value).__name__} values into the books")


_KEYS_SEEN: set[str] = set()


def key(name: str) -> str:
    """A mapping key: consult's field names are plain words; anything else is a bug."""
    if name not in _KEYS_SEEN:
        if not _KEY.fullmatch(name):
            raise ValueError(f"'{name}' is not a field name")
        _KEYS_SEEN.add(name)
    return name


def flow_mapping(item: Mapping[str, object]) -> str:
    """`{k: v, …}` on one line, None values left out, keys in the order given."""
    return "{" + ", ".join(f"{key(k)}: {scalar(v)}" for k, v in item.items() if v is not None) + "}"


def list_item(item: Mapping[str, object], indent: int = 0) -> str:
    """One item of a books list file: `- {…}` and a newline."""
    return " " * indent + "- " + flow_mapping(item) + "\n"


def block_ok(line: str) -> bool:
    """A line a `|` block keeps exactly: printable, no surrounding space, not empty."""
    return bool(line) and line == line.strip() and line.isprintable() and "\ufeff" not in line


def text_block(lines: Sequence[str], indent: int = 2) -> str:
    """Lines of text (an address) as the value after `field:` — a `|` block of plain lines, or a
    block list of quoted lines when one of them a block would not keep. Ends with a newline."""
    pad = " " * indent
    if lines and all(block_ok(ln) for ln in lines):
        return "|\n" + "".join(f"{pad}{ln}\n" for ln in lines)
    return "\n" + "".join(f"{pad}- {quoted(ln)}\n" for ln in lines)


def comment(text: str) -> str:
    """Text for a `# …` comment line: every run of whitespace (line breaks included) one space
    and control characters dropped, so nothing a name holds can end the comment and start YAML."""
    return " ".join("".join(ch for ch in text if ch.isprintable() or ch.isspace()).split())


# --------------------------------------------------------------------------------------------
# input rules
# --------------------------------------------------------------------------------------------
def check_text(value: str, option: str) -> str:
    """`value` if it is text consult can write; a UsageError naming `option` otherwise."""
    if _SURROGATE.search(value):
        raise UsageError(f"{option}: this text is not UTF-8 (a byte the terminal sent could not be read as "
                         "a character); type it again")
    return value


def one_line(value: str | None, option: str) -> str | None:
    """A single-line field typed on the command line: refused (UsageError naming `option`)
    when it holds a line break of any kind or is not text; returned as given otherwise."""
    if value is None:
        return None
    check_text(value, option)
    if _BREAK.search(value):
        raise UsageError(f"{option}: one line please — the text holds a line break "
                         f"({_break_name(value)}); give it on one line")
    return value


def _break_name(value: str) -> str:
    m = _BREAK.search(value)
    assert m is not None
    ch = m.group()
    return {"\n": "a newline", "\r": "a carriage return", "\u2028": "a Unicode line separator",
            "\u2029": "a Unicode paragraph separator", "\x85": "a NEL"}.get(ch, f"U+{ord(ch):04X}")


# --------------------------------------------------------------------------------------------
# whole documents
# --------------------------------------------------------------------------------------------
class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]  # libyaml's emitter when present: the same text, ~9x faster
    """SafeDumper that writes multi-line text as a literal block where a block can hold it."""


_BLOCK_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")  # NOT_RAW less \n


def _str_repr(dumper: Any, text: str) -> Any:
    """Text with a character a plain, quoted or block scalar would not keep (a control
    character, a lone CR, NEL, LS, PS, a tab, a BOM) is written double-quoted, where PyYAML
    escapes it; other multi-line text as a literal block; the rest as PyYAML chooses."""
    if _SURROGATE.search(text):
        raise NotText("a lone surrogate is not text (bytes that were not UTF-8?)")
    if _BLOCK_UNSAFE.search(text):
        style: str | None = '"'
    else:
        style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str_repr)


def dump_yaml(data: Any) -> str:
    """A whole YAML document: mappings in the order given, text exact (PyYAML quotes and
    escapes whatever a plain or block scalar could not hold), long lines not folded."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV table (`\\n` line ends) that the csv module reads back cell for cell, whatever the
    cells hold: the csv module's own minimal quoting, plus quotes around a cell holding a lone
    carriage return (which csv.writer with `\\n` line ends leaves bare, and csv.reader then
    takes for the end of the row — the note that made an issued invoice unreadable)."""
    out = [_csv_row(columns)]
    out.extend(_csv_row(r) for r in rows)
    return "".join(out)


_CSV_SPECIAL = re.compile('[,"\r\n]')


def _csv_row(cells: Sequence[object]) -> str:
    parts = []
    for c in cells:
        t = "" if c is None else str(c)
        check = _SURROGATE.search(t)
        if check:
            raise NotText("a lone surrogate is not text (bytes that were not UTF-8?)")
        parts.append('"' + t.replace('"', '""') + '"' if _CSV_SPECIAL.search(t) else t)
    if len(parts) == 1 and parts[0] == "":
        parts[0] = '""'  # as csv.writer: a row of one empty cell is not a blank line
    return ",".join(parts) + "\n"


# --------------------------------------------------------------------------------------------
# appending one item to a list file
# --------------------------------------------------------------------------------------------
class CannotAppend(ValueError):
    """The file is not a YAML list consult can add to; nothing should be written."""


def with_item(text: str, item: Mapping[str, object], *, header: str = "") -> str:
    """`text` (a YAML list file: timesheet, expenses, payments, mileage) with `item` added as
    its last entry; every other byte kept where that is possible.

    Every valid form of a list file stays valid:

    * missing, empty or comments only — `header` (comment lines) if the file is new, then `- {…}`;
    * a block list at any indentation — the line is appended at the indentation of the items,
      before a document end marker `...` if there is one (what follows the marker is kept);
    * a leading `---` or `%YAML` directive — kept; CRLF line ends — kept;
    * a flow list (`[]`, `[{…}, {…}]`, over several lines) — the list is rewritten in block
      form through this serialiser (comment lines before it kept; comments inside a flow list
      are the one thing lost), since nothing can be appended after a flow list's `]`.

    The result is proved by reading it back with the books' own YAML reader: it must hold
    exactly the old items and the new one. Raises CannotAppend (the file is not a list, or
    does not read) — the caller writes nothing then."""
    from consult.books.yamlsource import YamlProblem, YMap, YSeq, load_yaml

    line_item = flow_mapping(item)
    try:
        old = load_yaml(text, "file") if text.strip() else None
    except YamlProblem as e:
        raise CannotAppend(f"it does not read as YAML ({e.problem.message})") from None
    if old is not None and not isinstance(old, YSeq):
        raise CannotAppend("it is not a list of entries (each starting with `- `)")
    items = list(old or [])
    for i, x in enumerate(items):
        if not isinstance(x, YMap):
            raise CannotAppend(f"its item {i + 1} is not an entry with fields")
    new_text = _append_text(text, old, line_item, header)
    try:  # the proof: the old entries, then the new one, nothing else
        got = load_yaml(new_text, "file")
    except YamlProblem as e:
        raise CannotAppend(f"an entry appended at the end would not read ({e.problem.message})") from None
    want = [_plain_data(x) for x in items] + [_plain_data(load_yaml(line_item, "item"))]
    if not isinstance(got, YSeq) or [_plain_data(x) for x in got] != want:
        raise CannotAppend("an entry appended at the end would not read back as one more entry")
    return new_text


def _plain_data(v: Any) -> Any:
    from consult.books.yamlsource import Scalar, YMap

    if isinstance(v, Scalar):
        return None if v.is_null else v.text
    if isinstance(v, YMap):
        return {k: _plain_data(x) for k, x in v.items()}
    if v is None:
        return None
    return [_plain_data(x) for x in v]


def _append_text(text: str, old: Any, line_item: str, header: str) -> str:
    if not text.strip():
        return header + "- " + line_item + "\n"
    lines = text.splitlines(keepends=True)
    nl = "\r\n" if lines[0].endswith("\r\n") else "\n"
    indent = 0
    if old is not None:
        first = lines[old.line - 1][old.column - 1:]
        if first.startswith("["):
            return _rewrite_flow(lines, old, line_item, nl)
        indent = old.column - 1
    end = _document_end(lines)
    before, after = lines[:end], lines[end:]
    if before and not before[-1].endswith(("\n", "\r")):
        before[-1] += nl
    return "".join(before) + " " * indent + "- " + line_item + nl + "".join(after)


def _document_end(lines: list[str]) -> int:
    """Index of the line holding the document end marker `...`, else len(lines)."""
    for i, ln in enumerate(lines):
        if ln.startswith("...") and (len(ln) == 3 or ln[3] in " \t\r\n#"):
            return i
    return len(lines)


def _rewrite_flow(lines: list[str], old: Any, line_item: str, nl: str) -> str:
    """A flow list becomes a block list: the comment lines before it are kept, each item is
    written again from what was read, then the new one."""
    from consult.books.yamlsource import Scalar, YMap

    out = [ln for ln in lines[:old.line - 1] if not ln.strip() or ln.lstrip().startswith(("#", "%", "---"))]
    for x in old:
        assert isinstance(x, YMap)
        parts = []
        for k, v in x.items():
            if not isinstance(v, Scalar) or not _KEY.fullmatch(k):
                raise CannotAppend(f"its entries hold `{k}`, which consult cannot write again; add the entry by hand")
            parts.append(f"{k}: {_scalar_again(v)}")
        out.append("- {" + ", ".join(parts) + "}" + nl)
    out.append("- " + line_item + nl)
    return "".join(out)


def _scalar_again(s: Any) -> str:
    """A scalar read from a file, written so it reads back the same (a plain null stays null,
    a plain number or date stays plain)."""
    if s.is_null:
        return "null"
    if s.plain and (plain_ok(s.text) or re.fullmatch(r"[0-9][0-9.-]*", s.text)):
        return str(s.text)
    return quoted(s.text)


def line_of(text: str, line: str) -> int:
    """The 1-based number of the last line of `text` that is `line` (surrounding space aside):
    where `with_item` put an item."""
    rows = text.splitlines()
    for i in range(len(rows) - 1, -1, -1):
        if rows[i].strip() == line:
            return i + 1
    return len(rows)
