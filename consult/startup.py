"""What consult changes in how a few libraries load, to start fast — and nothing they do.

Measured 30 November 2026 (Python 3.11.7) on the 0.69 s `consult invoice create`, some of the
costliest work at start-up served nothing consult uses. `install()` (run by
`consult/__init__.py`, before anything imports those libraries) puts a finder first on
`sys.meta_path` that changes how exactly these modules are loaded:

**Regular expressions compiled when first used, not at import.** Libraries compile their
module-level regular expressions when imported; these are the costly ones consult never uses:

* `reportlab.platypus.paragraph.uri_pat` (matches a URL, to hyphenate one at a line end;
  consult does not hyphenate): case-insensitive over ranges up to U+FFFF, 56 ms;
* `yaml.reader.Reader.NON_PRINTABLE` (the pure-Python reader's check; consult reads YAML with
  libyaml, consult.books.yamlsource): 8.5 ms; `yaml.constructor`'s `timestamp_regexp` (consult
  composes nodes and builds its own values, so no YAML timestamp is ever constructed): 2.6 ms;
* `reportlab.lib.textsplit.rx` (CJK wrapping in `cjkwrap`, which nothing calls): 7 ms;
  `reportlab.lib.rl_safe_eval.__rl_unsafe_re__` (defined, never used): 3 ms.

Those modules run with `re.compile` answering exactly those patterns (recognised by how they
start) with a `LazyPattern`, which compiles the real pattern on first use and then behaves as
it (each is used only through its methods: `.match`, `.search`, `.sub`). Every other pattern is
compiled as before. A release that changes a pattern only loses the saving.

**babel's local time zone from `zoneinfo`, not pytz.** babel finds the machine's time zone
when `babel.dates` is imported — which any money formatting does, since babel's locale data
refers to its classes — and asks pytz for it when pytz is installed (pandas installs it). pytz's
first lookup of a zone checks its 598 zone files exist: 17–25 ms of every command that prints
an amount. `babel.localtime._helpers` is loaded as if pytz were absent, so babel asks the
standard library's `zoneinfo` (babel's own choice without pytz; the same IANA database, the
`tzdata` package where the system has none). consult formats dates and amounts, never times,
so no output can change; pytz itself stays importable for everything else.

**Pillow's `PIL.Image` executed when first used.** ReportLab imports it unconditionally
(`reportlab.lib.utils`), with the EXIF and TIFF tag tables it builds as enumerations: 15 ms of
every PDF, for the theme's logo — which most invoices do not have. It is loaded through the
standard library's `importlib.util.LazyLoader`: the module runs, unchanged, the first time one
of its attributes is used (drawing a logo), not when ReportLab names it.

Once the modules are loaded the finder answers every other import with a set lookup (it stays
on `sys.meta_path`: taking it off while the import system walks that list would skip the next
finder). tests/test_startup.py: the patterns match as the libraries' own, babel's zone is
zoneinfo's, Pillow runs when a logo is drawn, and the sample invoices still restore byte for byte.
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


# module -> the modules it must not see while it is loaded
HIDDEN: dict[str, tuple[str, ...]] = {
    "babel.localtime._helpers": ("pytz",),
}


# modules executed when first used (importlib.util.LazyLoader), not when imported
DEFERRED: frozenset[str] = frozenset({"PIL.Image"})


class _Finder:
    """A meta path finder (duck-typed: `importlib.abc` imports tempfile and random, 10 ms)."""

    def __init__(self) -> None:
        self.pending = set(LAZY) | set(HIDDEN) | set(DEFERRED)

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname not in self.pending:
            return None
        self.pending.discard(fullname)
        spec = _spec_from_others(fullname, path, target, self)
        loader = spec.loader if spec is not None else None
        if spec is None or loader is None or not hasattr(loader, "exec_module"):
            return spec
        if fullname in DEFERRED:
            from importlib.util import LazyLoader

            spec.loader = LazyLoader(loader)
            return spec
        prefixes = LAZY.get(fullname, ())
        hidden = HIDDEN.get(fullname, ())
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            real = re.compile

            def compile_lazily(pattern: Any, flags: int = 0) -> Any:
                if isinstance(pattern, str) and pattern.startswith(prefixes):
                    return LazyPattern(pattern, flags)
                return real(pattern, flags)

            saved = {name: sys.modules.get(name) for name in hidden}
            if prefixes:
                re.compile = compile_lazily
            for name in hidden:
                sys.modules[name] = None  # type: ignore[assignment]  # `import name` raises ModuleNotFoundError
            try:
                run(module)
            finally:
                re.compile = real
                for name, was in saved.items():
                    if was is None:
                        sys.modules.pop(name, None)
                    else:
                        sys.modules[name] = was

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
