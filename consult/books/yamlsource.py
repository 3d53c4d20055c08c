"""Read YAML into plain containers that remember where each value was written.

The books are meant to be edited by hand, so every error must point at a line. Rather than
letting PyYAML build Python objects (which turns `rate: 525.50` into a float and `country: NO`
into False), we ask libyaml only to *compose* the node tree and build our own containers:

* `YMap` (a dict) and `YSeq` (a list) carry `.line`/`.column` and, for maps, the position
  of each key;
* every scalar stays a `Scalar` holding its exact text; the loader decides what it means
  from the field it is in, so no value is ever guessed by YAML 1.1's implicit typing.

Only the plain YAML tags are accepted: `!!python/object` and friends are reported, never
constructed. Aliases are allowed, but a document whose aliases expand past
`MAX_EXPANDED_NODES` values (a "billion laughs" bomb) is refused before it is expanded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

import yaml

from consult.errors import Problem, Source

try:  # libyaml is several times faster; fall back so a build without it still works
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

MAX_EXPANDED_NODES = 2_000_000
_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}
_NULL_WORDS = {"", "~", "null", "Null", "NULL"}


@dataclass(frozen=True, slots=True)
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


def _expanded_size(root: yaml.Node) -> int:
    """Values the tree would hold once aliases are expanded, counted without expanding."""
    sizes: dict[int, int] = {}
    # iterative post-order so deep nesting cannot overflow the Python stack
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        children: list[yaml.Node] = (
            [n for pair in node.value for n in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
        )
        if done:
            total = 1
            for c in children:
                total += sizes[id(c)]
                if total > MAX_EXPANDED_NODES:
                    break
            sizes[id(node)] = min(total, MAX_EXPANDED_NODES + 1)
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def load_yaml(text: str, path: str) -> Value | None:
    """Compose `text` and return our containers, or None for an empty document.

    Raises YamlProblem (with file, line and column) for syntax errors, several documents,
    forbidden tags, duplicate keys, non-scalar keys and alias bombs.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        what = " ".join(x for x in (e.context, e.problem) if x)
        raise YamlProblem(
            Problem(Source(path, line, col), None, f"not valid YAML: {what}"
                    " — check the indentation and quoting on this line")
        ) from None
    except yaml.YAMLError as e:
        raise YamlProblem(Problem(Source(path), None, f"not valid YAML: {e}")) from None
    if node is None:
        return None
    if _expanded_size(node) > MAX_EXPANDED_NODES:
        raise YamlProblem(
            Problem(Source(path, node.start_mark.line + 1, node.start_mark.column + 1), None,
                    f"aliases expand to more than {MAX_EXPANDED_NODES:,} values; "
                    "refusing to read it (write the values out instead of nesting aliases)")
        )
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
