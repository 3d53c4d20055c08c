"""Read YAML into plain containers that remember where each value was written.

The books are meant to be edited by hand, so every error must point at a line. Rather than
letting PyYAML build Python objects (which turns `rate: 525.50` into a float and `country: NO`
into False), we ask libyaml only to *compose* the node tree and build our own containers:

* `YMap` (a dict) and `YSeq` (a list) carry `.line`/`.column` and, for maps, the position
  of each key;
* every scalar stays a `Scalar` holding its exact text; the loader decides what it means
  from the field it is in, so no value is ever guessed by YAML 1.1's implicit typing.

Only the plain YAML tags are accepted: `!!python/object` and friends are reported, never
constructed. Reading is bounded, so no file can hang a command or exhaust memory; each limit
is checked on the composed node tree in one iterative pass (no recursion, so no depth can
overflow the stack) before anything is built, and fails in milliseconds with file and line:

* an alias inside its own anchor (`- &a [*a]`, a value that contains itself) is refused;
* nesting deeper than `MAX_DEPTH` levels is refused (the books nest four or five deep;
  libyaml itself stops at 1,000);
* a document whose aliases expand past `MAX_EXPANDED_NODES` values (a "billion laughs"
  bomb) is refused before it is expanded;
* the text itself is at most `consult.books.files.MAX_FILE_BYTES` (checked before reading).
"""

from __future__ import annotations

from typing import Any, Union

import yaml

from consult.core.record import record
from consult.errors import Problem, Source

try:  # libyaml is several times faster; fall back so a build without it still works
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

MAX_EXPANDED_NODES = 2_000_000
MAX_DEPTH = 64  # levels of lists and mappings inside each other
_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}
_NULL_WORDS = {"", "~", "null", "Null", "NULL"}


@record
class Scalar:
    """A scalar's exact text and whether it was written plain (unquoted)."""

    text: str
    plain: bool
    line: int
    column: int

    @property
    def is_null(self) -> bool:
        return self.plain and self.text in _NULL_WORDS


class YMap(dict[str, "Value"]):
    """A mapping with the 1-based position of itself and of each key."""

    line: int = 0
    column: int = 0
    key_pos: dict[str, tuple[int, int]]


class YSeq(list["Value"]):
    line: int = 0
    column: int = 0


Value = Union[Scalar, YMap, YSeq]  # noqa: UP007 - a runtime alias; `|` needs 3.10 objects


class YamlProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_STD):] if tag.startswith(_STD) else tag


class _Bound(Exception):
    """A limit passed while measuring the tree: the node where it happened and why."""

    def __init__(self, node: yaml.Node, message: str):
        super().__init__(message)
        self.node = node
        self.message = message


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.ScalarNode):
        return []
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return list(node.value)


def _measure(root: yaml.Node) -> None:
    """Raise `_Bound` for a value that contains itself, nesting past `MAX_DEPTH`, or aliases
    that expand past `MAX_EXPANDED_NODES` values — counted without expanding anything.

    One iterative depth-first pass: a node is *open* while its children are being measured, so
    meeting an open node again means an alias points into its own anchor (a cycle)."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool, int]] = [(root, False, 1)]
    while stack:
        node, done, depth = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            total = 1
            for c in _children(node):
                total += sizes[id(c)]
                if total > MAX_EXPANDED_NODES:
                    raise _Bound(root, f"aliases expand to more than {MAX_EXPANDED_NODES:,} values; "
                                       "refusing to read it (write the values out instead of nesting aliases)")
            sizes[key] = total
            continue
        if key in open_:
            raise _Bound(node, "an alias refers to the value that contains it (a value inside itself); "
                               "refusing to read it — write the values out instead of the alias")
        if key in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1
            continue
        if depth > MAX_DEPTH:
            raise _Bound(node, f"lists and mappings nest more than {MAX_DEPTH} levels deep; "
                               "refusing to read it (the books need four or five)")
        open_.add(key)
        stack.append((node, True, depth))
        for c in _children(node):
            if id(c) in open_:
                raise _Bound(c, "an alias refers to the value that contains it (a value inside itself); "
                                "refusing to read it — write the values out instead of the alias")
            if id(c) not in sizes:
                stack.append((c, False, depth + 1))


def check_bounds(node: yaml.Node, path: str) -> None:
    """Raise YamlProblem (file, line, column) when the composed tree passes a bound: a value
    inside itself, nesting past `MAX_DEPTH`, aliases expanding past `MAX_EXPANDED_NODES`.
    For every reader that composes YAML, books files and issued records alike."""
    try:
        _measure(node)
    except _Bound as b:
        mark = b.node.start_mark
        raise YamlProblem(Problem(Source(path, mark.line + 1, mark.column + 1), None, b.message)) from None


def load_yaml(text: str, path: str) -> Value | None:
    """Compose `text` and return our containers, or None for an empty document.

    Raises YamlProblem (with file, line and column) for syntax errors, several documents,
    forbidden tags, duplicate keys, non-scalar keys and alias bombs.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except RecursionError:  # only without libyaml: the pure-Python composer recurses
        raise YamlProblem(Problem(Source(path, 1, 1), None,
                                  f"lists and mappings nest more than {MAX_DEPTH} levels deep; "
                                  "refusing to read it (the books need four or five)")) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        what = " ".join(x for x in (e.context, e.problem) if x)
        raise YamlProblem(
            Problem(Source(path, line, col), None, f"not valid YAML: {what}"
                    " — check the indentation and quoting on this line")
        ) from None
    except yaml.reader.ReaderError as e:  # a character YAML does not allow, e.g. a control character
        before = text[: e.position]
        line, col = before.count("\n") + 1, e.position - (before.rfind("\n") + 1) + 1
        ch = e.character if isinstance(e.character, str) else chr(e.character)
        raise YamlProblem(Problem(Source(path, line, col), None,
                                  f"not valid YAML: the character U+{ord(ch):04X} is not allowed in YAML text "
                                  "(a control character); remove it, or write it as an escape in double "
                                  'quotes, e.g. "\\x07"')) from None
    except yaml.YAMLError as e:
        raise YamlProblem(Problem(Source(path), None, f"not valid YAML: {e}")) from None
    if node is None:
        return None
    check_bounds(node, path)
    memo: dict[int, Value] = {}
    return _build(node, path, memo)


def _build(node: yaml.Node, path: str, memo: dict[int, Value]) -> Value:
    key = id(node)
    if key in memo:
        return memo[key]
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if node.tag not in _ALLOWED_TAGS:
        raise YamlProblem(
            Problem(Source(path, line, col), None,
                    f"the YAML tag {_tag_name(node.tag)} is not allowed here; "
                    "write plain values (text, numbers, dates, lists, mappings)")
        )
    out: Value
    if isinstance(node, yaml.ScalarNode):
        out = Scalar(node.value, node.style in (None, ""), line, col)
    elif isinstance(node, yaml.SequenceNode):
        seq = YSeq()
        seq.line, seq.column = line, col
        memo[key] = seq
        for child in node.value:
            seq.append(_build(child, path, memo))
        out = seq
    else:
        m = YMap()
        m.line, m.column = line, col
        m.key_pos = {}
        memo[key] = m
        for knode, vnode in node.value:
            kl, kc = knode.start_mark.line + 1, knode.start_mark.column + 1
            if not isinstance(knode, yaml.ScalarNode):
                raise YamlProblem(Problem(Source(path, kl, kc), None,
                                          "a key must be a plain name, not a list or mapping"))
            if knode.tag == _STD + "merge":
                raise YamlProblem(Problem(Source(path, kl, kc), None,
                                          "merge keys (<<) are not supported; write the fields out"))
            k = knode.value
            if k in m.key_pos:
                first = m.key_pos[k][0]
                raise YamlProblem(Problem(Source(path, kl, kc), k,
                                          f"duplicate key (first given on line {first}); keep one"))
            m.key_pos[k] = (kl, kc)
            m[k] = _build(vnode, path, memo)
        out = m
    memo[key] = out
    return out
