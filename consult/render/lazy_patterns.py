"""Two of ReportLab's regular expressions, compiled when first used instead of at import.

ReportLab compiles every module-level regular expression when the module is imported, and
two of them cost more than anything else in drawing an invoice's text while being used only in
paths consult never takes:

* `reportlab.platypus.paragraph.uri_pat` (matches a URL, for hyphenating one at a line end;
  consult does not hyphenate) is case-insensitive over character ranges up to U+FFFF: compiling
  it took 56 ms of a 0.69 s `consult invoice create` (measured 30 November 2026, Python 3.11,
  ReportLab 4.4), more than any other single thing the command does;
* `reportlab.lib.textsplit.rx` (CJK wrapping in `cjkwrap`, which nothing calls): 7 ms.

`install()` (run by `consult.render`'s `__init__`, so before any module of the package imports
ReportLab) puts a finder first on `sys.meta_path` that, when one of those two modules is
loaded, runs it with `re.compile` answering exactly those patterns with a `LazyPattern`: an
object that compiles the real pattern on first use and then behaves as it (both are used only
through methods: `uri_pat.match`, `rx.sub`). Every other pattern, in those modules or
anywhere, is compiled as before. Once both modules are loaded the finder answers every other
import with a set lookup (it stays on `sys.meta_path`: taking it off while the import system
walks that list would skip the next finder). Nothing drawn changes (tests/test_render_lazy_patterns.py: the patterns still match as
ReportLab's own, and the sample invoices still restore byte for byte). A ReportLab release that
changes either pattern only loses the saving: the text no longer matches and it is compiled at
import as usual.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

# module -> the start of the pattern it compiles lazily (the whole text is long and version-specific)
LAZY: dict[str, str] = {
    "reportlab.platypus.paragraph": "(^(?:[a-z0-9\\.\\-\\+]*)://)",
    "reportlab.lib.textsplit": "([\u2e80-\uffff])",
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


class _Finder(MetaPathFinder):
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
        prefix = LAZY[fullname]
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            real = re.compile

            def compile_lazily(pattern: Any, flags: int = 0) -> Any:
                if isinstance(pattern, str) and pattern.startswith(prefix):
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
                      me: MetaPathFinder) -> ModuleSpec | None:
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
