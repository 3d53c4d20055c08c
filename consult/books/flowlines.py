"""The books' one-line entry form read without YAML: `- {date: 2026-10-05, engagement: build, …}`.

Why: `consult time log` and `consult time import` write one entry per line in this form, so a
practice's timesheets are mostly such lines — 10,000 in a year of imported Toggl time — and
composing them through libyaml into the position-keeping tree of `consult.books.yamlsource`
costs about a tenth of a millisecond each: over a second for an import that only has to see
that every row is already in the books. A file made only of such lines, comments and blank
lines has one reading, and this module reads it: `entry_lines` gives each entry's line, the
column of its `{` and its `(key, text, plain)` pairs, and `as_map` builds for one line exactly
the `YMap` that `load_yaml` builds (same text, plain/quoted flag, lines, columns, key
positions), for the entries the timesheet reader does not take on the quick path.

Anything else — another layout, a value this module does not read with certainty (plain text
with a space or a colon, single quotes, an escape JSON does not have, a tab, a duplicate key,
a document marker, more values than `MAX_EXPANDED_NODES`…) — gives None, and the file goes
through YAML exactly as before. What is read:

* blank lines, and comment lines (`#` after optional spaces);
* entry lines: `-`, spaces, `{`, one or more `key: value` pairs separated by `,`, `}`, then
  nothing but spaces or a comment after a space. A key is lower-case letters and `_`; a value
  is plain (a letter or digit, then letters, digits, `.`, `_`, `+`, `-`: never a YAML indicator,
  never the `=` or `<<` the books refuse) or double-quoted with JSON's escapes only (`\\"`,
  `\\\\`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t`, `\\uXXXX` outside the surrogates), which is what
  `consult.work.log.yaml_line` writes;
* lines ending `\\n` or `\\r\\n`, and only characters YAML reads as printable, none of them its
  other line breaks (U+0085, U+2028, U+2029) or a byte-order mark.

tests/test_timesheet_lines.py holds both readings equal: the trees and the entries and problems
read from generated files, and every pinned import fixture.
"""

from __future__ import annotations

import json
import re

from consult.books.yamlsource import _NULL_WORDS as NULL_WORDS
from consult.books.yamlsource import MAX_EXPANDED_NODES, Scalar, YMap

# in a line: a character YAML does not read as printable, a line break of its own, a BOM, a tab or a CR
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")  # fast to compile, as writers.NOT_RAW
_QUOTED = r'"([^"\\]*(?:\\(?:["\\bfnrt]|u(?![dD][89abAB])[0-9a-fA-F]{4})[^"\\]*)*)"'
_PLAIN = r"([A-Za-z0-9][A-Za-z0-9._+-]*)"
_KEY = r"([a-z_]{1,64})"
_P = f" *[a-z_]{{1,64}}: +(?:{_QUOTED.replace('(', '(?:', 1)}|{_PLAIN.replace('(', '(?:', 1)}) *"
_LINE = re.compile(rf"- +\{{((?:{_P},)*{_P})\}}(?: +#.*)? *")
_PAIRS = re.compile(f"{_KEY}: +(?:{_QUOTED}|{_PLAIN})")

# the form `consult.work.log.yaml_line` and the importer write, matched whole in one step (a
# special case of _LINE: the same values, read the same way)
_WRITTEN = re.compile(r'- \{date: (\d{4}-\d\d-\d\d), engagement: ([a-z0-9][a-z0-9-]*), '
                      r'(?:start: "(\d\d:\d\d)", end: "(\d\d:\d\d)"|duration: ([0-9][0-9hm]*))'
                      f"(?:, note: {_QUOTED})?(, billable: false)?(?:, id: {_QUOTED})?"
                      r"\}(?: +#.*)? *")

Cells = dict[str, str]  # key -> value text (escapes decoded); None where a plain value is a null word
Line = tuple[int, str, int, Cells | None]  # 1-based line, its text, the 1-based column of `{`, its cells


def entry_lines(text: str) -> list[Line] | None:
    """Every entry of a file of one-line entries, in order; None when the file is anything else
    (then read it with `load_yaml`) or holds no entry. An entry's cells are None when a value
    is a plain null word (`note: null`): YAML reads that as no value, left to `as_map`."""
    out: list[Line] = []
    nodes = 1
    written, match, pairs = _WRITTEN.fullmatch, _LINE.fullmatch, _PAIRS.findall
    for number, line in enumerate(text.split("\n"), 1):
        if line.endswith("\r"):
            line = line[:-1]
        if not line.isprintable() and _UNSAFE.search(line):  # isprintable() is stricter, and quick
            return None
        if line[:1] != "-":
            s = line.lstrip(" ")
            if not s or s[0] == "#":
                continue
            return None
        cells: Cells | None
        w = written(line)
        if w is not None:
            day, eng, start, end, duration, note, unbillable, sid = w.groups()
            cells = {"date": day, "engagement": eng}
            if start is not None:
                cells["start"], cells["end"] = start, end
            else:
                cells["duration"] = duration
            if note is not None:
                cells["note"] = json.loads(f'"{note}"') if "\\" in note else note
            if unbillable:
                cells["billable"] = "false"
            if sid is not None:
                cells["id"] = json.loads(f'"{sid}"') if "\\" in sid else sid
            nodes += 1 + 2 * len(cells)
            out.append((number, line, 3, None if eng in NULL_WORDS else cells))
            continue
        m = match(line)
        if m is None:
            return None
        got = pairs(m[1])
        cells = {k: p if p else json.loads(f'"{q}"') if "\\" in q else q for k, q, p in got}
        if len(cells) != len(got):
            return None  # a duplicate key: YAML's reader reports it
        if any(p and p in NULL_WORDS for _, _, p in got):  # p is '' for a quoted value
            cells = None
        out.append((number, line, m.start(1), cells))
        nodes += 1 + 2 * len(got)
    if not out or nodes > MAX_EXPANDED_NODES:
        return None
    return out


def as_map(line: Line) -> YMap:
    """The `YMap` `load_yaml` composes for this entry line (positions included)."""
    number, text, brace, _ = line
    item = YMap()
    item.line, item.column = number, brace
    item.key_pos = {}
    body = _LINE.fullmatch(text)
    assert body is not None  # entry_lines took the line: it is one (_WRITTEN is a case of _LINE)
    at, stop = body.span(1)
    while at < stop:
        p = _PAIRS.search(text, at, stop)
        if p is None:
            break
        key = p[1]
        item.key_pos[key] = (number, p.start(1) + 1)
        if p[3] is None:
            q = p[2]
            item[key] = Scalar(json.loads(f'"{q}"') if "\\" in q else q, False, number, p.start(2))
        else:
            item[key] = Scalar(p[3], True, number, p.start(3) + 1)
        at = p.end()
    return item
