"""One cache for derived data, under `<books>/.consult-cache/`, that can never serve a stale
figure.

Why: ten years of books are thousands of files whose parsing dominates reports; what is derived
from them (each client's daily time totals, the issued records) can be kept between runs. A
cache is only allowed if no edit can leave a figure wrong, so an entry records, for every file
it was derived from, a *stamp*: path, size, modification and change times (ns), inode, and the
SHA-256 of the bytes. An entry is used only when every file still matches:

* size, mtime, ctime and inode equal — and the change time (ctime) is set by the kernel on
  every write, so `touch -r` or a restored mtime cannot fake it;
* but a file whose times fall within `RACY_NS` of the moment the entry was made could have
  been written again in the same clock tick (coarse timestamps: FAT, some network shares, 1 s
  on old filesystems), so for those the bytes are hashed and compared — git's "racily clean"
  rule. Where ctime is not a change time (Windows, where it is the creation time) every file
  is hashed.

A cache file that is damaged, foreign, over `MAX_BYTES`, or whose entries do not decode is
ignored and rebuilt, with one notice (`notices`); a `.consult-cache` that is a link or not a
folder is never written through. Nothing here is needed for correctness: delete the folder at
any time. JSON only (never pickle), so a cache found in someone else's books cannot run code.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from consult.core.record import record
from consult.errors import notice, notices  # noqa: F401 - `notices` re-exported for tests

CACHE_DIR = ".consult-cache"
MAX_BYTES = 256 * 1024 * 1024
RACY_NS = 2_000_000_000  # two seconds: coarser than any filesystem timestamp consult runs on
TRUST_CTIME = os.name == "posix"

_notice = notice  # one line per cache thrown away, printed by the CLI (consult.errors.notices)


def sha256_file(path: Path) -> str | None:
    """The file's digest; None for anything the books' reader would not read (gone, a FIFO or
    device, too big), so an entry stamped with it never matches."""
    from consult.books.files import Unreadable, read_regular

    try:
        return hashlib.sha256(read_regular(path)).hexdigest()
    except (OSError, Unreadable):
        return None


@record
class Stamp:
    """What a file was when an entry was derived from it."""

    path: str
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    sha256: str

    def as_list(self) -> list[Any]:
        return [self.path, self.size, self.mtime_ns, self.ctime_ns, self.inode, self.sha256]

    @classmethod
    def from_list(cls, v: Any) -> Stamp:
        if not (isinstance(v, list) and len(v) == 6 and isinstance(v[0], str) and isinstance(v[5], str)
                and all(isinstance(x, int) and not isinstance(x, bool) for x in v[1:5])):
            raise ValueError("not a stamp")
        return cls(v[0], v[1], v[2], v[3], v[4], v[5])


def stamp(root: Path, path: Path) -> Stamp | None:
    """The stamp of `path` now (None if it cannot be read)."""
    try:
        st = path.stat()
    except OSError:
        return None
    digest = sha256_file(path)
    if digest is None:
        return None
    return Stamp(path.relative_to(root).as_posix(), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, digest)


def _still(root: Path, s: Stamp, made_ns: int) -> tuple[bool, bool]:
    """(whether the file behind `s` is still exactly what it was, whether its bytes had to be
    read to tell)."""
    p = root / s.path
    try:
        st = p.stat()
    except OSError:
        return False, False
    if (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino) != (s.size, s.mtime_ns, s.ctime_ns, s.inode):
        return False, False
    racy = st.st_mtime_ns >= made_ns - RACY_NS or st.st_ctime_ns >= made_ns - RACY_NS
    if racy or not TRUST_CTIME:
        return sha256_file(p) == s.sha256, racy
    return True, False


class Cache:
    """One named cache file: entries keyed by a string, each derived from a set of files.

    `get(key, files)` returns the stored value when the entry exists, lists exactly `files`
    (relative paths) and every one is unchanged; `put` stores a value with the stamps of the
    files it came from; `save` writes the file atomically if anything changed (and quietly does
    nothing on read-only books).
    """

    def __init__(self, root: Path, name: str, version: str):
        self.root = Path(root)
        self.name = name
        self.version = version
        self.path = self.root / CACHE_DIR / name
        self._entries: dict[str, dict[str, Any]] = {}
        self._changed = False
        self._load()

    def _usable_dir(self) -> bool:
        d = self.root / CACHE_DIR
        if d.is_symlink() or (d.exists() and not d.is_dir()):
            _notice(f"{CACHE_DIR} is not a plain folder inside the books; consult will not use it "
                    "(remove it, and consult makes a new one)")
            return False
        return True

    def _load(self) -> None:
        if not self._usable_dir():
            return
        try:
            if self.path.is_symlink() or not self.path.is_file():
                return
            if self.path.stat().st_size > MAX_BYTES:
                raise ValueError("too large")
            data = json.loads(self.path.read_bytes())
            if not isinstance(data, dict) or data.get("format") != self.version:
                return  # an older consult's cache: rebuilt quietly
            entries = data["entries"]
            if not isinstance(entries, dict):
                raise ValueError("entries")
            for k, e in entries.items():
                if not (isinstance(e, dict) and isinstance(e.get("made"), int) and isinstance(e.get("files"), list)
                        and "value" in e):
                    raise ValueError(k)
            self._entries = entries
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            _notice(f"ignored a damaged cache ({CACHE_DIR}/{self.name}); it is being rebuilt")
            self._entries = {}
            self._changed = True

    def get(self, key: str, files: Iterable[str]) -> Any | None:
        e = self._entries.get(key)
        if e is None:
            return None
        try:
            stamps = [Stamp.from_list(s) for s in e["files"]]
        except ValueError:
            self.drop(key)
            return None
        if sorted(s.path for s in stamps) != sorted(files):
            return None
        made = e["made"]
        racy = False
        for s in stamps:
            same, hashed = _still(self.root, s, made)
            if not same:
                return None
            racy = racy or hashed
        if racy and all(max(s.mtime_ns, s.ctime_ns) < time.time_ns() - RACY_NS for s in stamps):
            e["made"] = time.time_ns()  # verified by content and now old enough: stat suffices next time
            self._changed = True
        return e["value"]

    def put(self, key: str, files: Iterable[str], value: Any) -> None:
        made = time.time_ns()
        stamps = []
        for f in files:
            s = stamp(self.root, self.root / f)
            if s is None:
                self.drop(key)
                return
            stamps.append(s.as_list())
        self._entries[key] = {"made": made, "files": stamps, "value": value}
        self._changed = True

    def drop(self, key: str) -> None:
        if self._entries.pop(key, None) is not None:
            self._changed = True

    def bad(self, key: str) -> None:
        """An entry that matched its files but did not decode: dropped, with a notice."""
        _notice(f"ignored a damaged entry in {CACHE_DIR}/{self.name}; it is being rebuilt")
        self.drop(key)

    def keep_only(self, keys: Iterable[str]) -> None:
        wanted = set(keys)
        for k in [k for k in self._entries if k not in wanted]:
            self.drop(k)

    def save(self) -> None:
        if not self._changed or not self._usable_dir():
            return
        from consult.books.store import atomic_write
        from consult.errors import ConsultError

        try:
            (self.root / CACHE_DIR).mkdir(exist_ok=True)
            if self.path.is_symlink():
                _notice(f"{CACHE_DIR}/{self.name} is a link; consult will not write through it")
                return
            atomic_write(self.path, json.dumps({"format": self.version, "entries": self._entries},
                                               separators=(",", ":")))
            self._changed = False
        except (OSError, ConsultError):
            pass  # read-only books: the command still runs, only without the cache
