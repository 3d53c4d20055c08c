"""Answers of slow libraries, kept between runs in `.consult-cache` under the library's release.

Some answers consult needs on every run depend only on what is asked and on an installed
library, yet asking costs more than the rest of the command: whether a text is a valid IBAN
(python-stdnum, whose import with `ssl` and `pydoc` took 35 ms), which days are bank holidays
in England from 2015 to 2026 (the holidays package, whose first country imports all 250 of
them: 0.2 s). Measured 30 November 2026, Python 3.11.7.

`kept(root, library, key, ask, valid)` answers from `.consult-cache/<library>.json` (a
consult.books.cache file: JSON, never trusted when damaged, deleted at will) when it holds an
answer for `key` that `valid` accepts, else calls `ask()`, keeps what it returns and returns
it. The file's version names the installed release of the library — the SHA-256 of its
`__init__.py` and `version.py` (where its version number is written), read without importing it
— so another release asks again. An answer is kept only when `ask` returns; an error (an
unknown country) is raised every time. Books without a root are asked afresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from consult.books.cache import Cache

T = TypeVar("T")
FORMAT = "consult-kept-1"

_caches: dict[tuple[Path, str], Cache] = {}  # (books root, library) -> its cache file, once per process
_stamps: dict[str, str] = {}


def kept(root: Path | None, library: str, key: str, ask: Callable[[], T], valid: Callable[[Any], bool]) -> T:
    """The answer kept for `key`, else `ask()`'s (then kept); see the module docstring.

    `valid(value)` says whether a value read back is a well-formed answer (a JSON round trip:
    tuples come back as lists); `ask()` must return what JSON can hold."""
    cache = _cache(root, library) if root is not None else None
    if cache is not None:
        got = cache.get(key, [])
        if got is not None and valid(got):
            return got  # type: ignore[no-any-return]  # valid() vouched for its shape
    answer = ask()
    if cache is not None:
        cache.put(key, [], answer)
        cache.save()
    return answer


def _cache(root: Path, library: str) -> Cache | None:
    from consult.books.cache import Cache

    root = Path(root)
    cache = _caches.get((root, library))
    if cache is None:
        stamp = release_stamp(library)
        if stamp is None:
            return None
        cache = _caches[(root, library)] = Cache(root, f"{library}.json", f"{FORMAT}-{stamp}")
    return cache


def release_stamp(library: str) -> str | None:
    """The first 16 hex digits of the SHA-256 of the installed `library`'s `__init__.py` and
    `version.py`, found without importing it; None when it cannot be found (nothing is kept)."""
    if library not in _stamps:
        digest = hashlib.sha256()
        try:
            spec = find_spec(library)
            if spec is None or spec.origin is None:
                raise OSError(library)
            init = Path(spec.origin)
            digest.update(init.read_bytes())
            version = init.with_name("version.py")
            if version.is_file():
                digest.update(version.read_bytes())
            _stamps[library] = digest.hexdigest()[:16]
        except (OSError, ValueError, ImportError):
            _stamps[library] = ""
    return _stamps[library] or None


# --------------------------------------------------------------------------------------------
# the holidays package's answers, kept (the one place commands ask for them through the books)
def bank_holidays(root: Path | None, start: date, end: date, country: str,
                  subdiv: str | None) -> list[tuple[date, str]]:
    """consult.core.workdays.bank_holidays, kept in `.consult-cache/holidays.json` (asked afresh
    without books). An unknown country or subdivision is the library's usage error, every time."""
    from consult.core.workdays import bank_holidays as ask

    table = kept(root, "holidays", f"{country}|{subdiv or ''}|{start.isoformat()}|{end.isoformat()}",
                 lambda: [[d.isoformat(), name] for d, name in ask(start, end, country, subdiv)], _is_holiday_table)
    return [(date.fromisoformat(d), name) for d, name in table]


def subdivisions(root: Path | None, country: str) -> list[str]:
    """consult.core.workdays.subdivisions, kept the same way."""
    from consult.core.workdays import subdivisions as ask

    return kept(root, "holidays", f"subdivisions|{country}", lambda: list(ask(country)),
                lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v))


def _is_holiday_table(v: object) -> bool:
    try:
        return isinstance(v, list) and all(isinstance(n, str) and bool(date.fromisoformat(d)) for d, n in v)
    except (TypeError, ValueError):
        return False
