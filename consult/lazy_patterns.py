"""A few regular expressions of PyYAML and ReportLab, compiled when first used, not at import.

Libraries compile their module-level regular expressions when imported. A handful cost consult
more than anything else it does at start-up while serving paths consult never takes (measured
30 November 2026, Python 3.11.7, on the 0.69 s `consult invoice create`):

* `reportlab.platypus.paragraph.uri_pat` (matches a URL, to hyphenate one at a line end;
  consult does not hyphenate): case-insensitive over ranges up to U+FFFF, 56 ms;
* `yaml.reader.Reader.NON_PRINTABLE` (the pure-Python reader's check; consult reads YAML with
  libyaml, consult.books.yamlsource): 8.5 ms; `yaml.constructor`'s `timestamp_regexp` (consult
  composes nodes and builds its own values, so no YAML timestamp is ever constructed): 2.6 ms;
* `reportlab.lib.textsplit.rx` (CJK wrapping in `cjkwrap`, which nothing calls): 7 ms;
  `reportlab.lib.rl_safe_eval.__rl_unsafe_re__` (defined, never used): 3 ms.

`install()` (run by `consult/__init__.py`, before anything imports those libraries) puts a
finder first on `sys.meta_path` that, when one of those modules is loaded, runs it with
`re.compile` answering exactly those patterns (recognised by how they start) with a
`LazyPattern`: an object that compiles the real pattern on first use and then behaves as it
(each is used only through its methods: `.match`, `.search`, `.sub`). Every other pattern, in
those modules or anywhere, is compiled as before. Once the modules are loaded the finder
answers every other import with a set lookup (it stays on `sys.meta_path`: taking it off while
the import system walks that list would skip the next finder). Nothing read or drawn changes
(tests/test_lazy_patterns.py: the patterns match as the libraries' own, and the sample
invoices still restore byte for byte). A release that changes a pattern only loses the saving:
its text no longer matches and it is compiled at import as usual.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

# module -> how the patterns it compiles lazily start (the whole texts are long and version-specific)
LAZY: dict[str, tuple[str, ...]] = {
    "reportlab.platypus.paragraph": ("(^(?:[a-z0-9\\.\\-\\+]*)://)",),
    "reportlab.lib.textsplit": ("([\u2e80-\uffff])",),
    "reportlab.lib.rl_safe_eval": ("\\b(?:",),
    "yaml.reader": ("[^\x09\x0A\x0D\x20-\x7E\x85",),
    "yaml.constructor": ("^(?P<year>[0-9][0-9][0-9][0-9])",),
}


class LazyPattern:
    """A compiled regular expression, compiled the first time one of its attributes is used."""

    __slots__ = ("_args", "_pattern")

    def __init__(self, pattern: str, flags: int) -> None:
        self._args = (pattern, flags)
        self._pattern: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._pattern is None:
            self._pattern = re.compile(*self._args)
        return getattr(self._pattern, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self._args[0][:30]!r}…)"


class _Finder:
    """A meta path finder (duck-typed: `importlib.abc` imports tempfile and random, 10 ms)."""

    def __init__(self) -> None:
        self.pending = set(LAZY)

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname not in self.pending:
            return None
        self.pending.discard(fullname)
        spec = _spec_from_others(fullname, path, target, self)
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        prefixes = LAZY[fullname]
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            real = re.compile

            def compile_lazily(pattern: Any, flags: int = 0) -> Any:
                if isinstance(pattern, str) and pattern.startswith(prefixes):
                    return LazyPattern(pattern, flags)
                return real(pattern, flags)

            re.compile = compile_lazily
            try:
                run(module)
            finally:
                re.compile = real

        loader.exec_module = exec_module  # type: ignore[method-assign]  # this module's loader only
        return spec


def _spec_from_others(fullname: str, path: Sequence[str] | None, target: ModuleType | None,
                      me: object) -> ModuleSpec | None:
    """The spec the import system would find without this finder."""
    for finder in sys.meta_path:
        if finder is me or not hasattr(finder, "find_spec"):
            continue
        spec = finder.find_spec(fullname, path, target)
        if spec is not None:
            return spec
    return None


_finder: _Finder | None = None


def install() -> None:
    """Put the finder first on `sys.meta_path` (once; for the modules not loaded yet)."""
    global _finder
    if _finder is not None:
        return
    _finder = _Finder()
    _finder.pending -= set(sys.modules)
    if _finder.pending:
        sys.meta_path.insert(0, _finder)
