"""Putting another tool's time into the books: match projects, drop what is already there, append.

Matching a tool's project to CLIENT/ENGAGEMENT, first hit wins, in this order:

1. `--map PROJECT=CLIENT/ENGAGEMENT` on the command line, then `import-map.yaml` at the books
   root (`Project name: client/engagement`, or `skip` to leave a project out on purpose);
   each row offers its names most specific first (Toggl/Clockify/Harvest: `Client/Project`,
   then `Project`, then Harvest's project code; Watson: `project/tag`, then `project`;
   Timewarrior: `tag/tag` pairs, each tag, all tags).
2. A name that already is one: `client/engagement`, an engagement id used by one client only,
   or an engagement's title (any case) used once.

Anything still unmatched stops the import (exit 2) with the list of projects and the `--map`
syntax, unless `--skip-unmapped` says to leave them out.

Writing: the source ids already in the books are read again under the books' lock (so two
imports of one file at once add it once), the new entries are grouped by client and month and
appended to `clients/C/timesheets/YYYY-MM.yaml` (created if missing; a month kept as CSV gets
a YAML file beside it, both are read), each file's new text is checked to read back as its old
entries plus exactly the new ones, a day that would pass 24 hours is refused, and only then is
each file replaced atomically. If the machine dies between two files, running the import again
adds the rest and nothing twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Literal

from consult.core.records import Books
from consult.errors import BooksError, ConsultError, NotFound, Problem, Source, UsageError
from consult.work.importers import Export, Row

MAP_FILE = "import-map.yaml"
SKIP = "skip"
Target = tuple[str, str] | None  # (client, engagement), or None: leave out on purpose


@dataclass(frozen=True, slots=True)
class NewEntry:
    client: str
    engagement: str
    row: Row


@dataclass(frozen=True, slots=True)
class Plan:
    """What an import would do; `write_import` carries it out."""

    export: Export
    new: tuple[NewEntry, ...]
    in_books: int  # rows whose id is already in the books
    repeated: int  # rows whose id came earlier in the same file
    left_out: tuple[tuple[str, int, int], ...]  # (project, rows, minutes) skipped or unmapped
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Written:
    path: Path
    entries: int
    minutes: int


# --- the map ----------------------------------------------------------------------------------
def _target(books: Books, text: str, where: str) -> Target:
    t = text.strip()
    if t.lower() == SKIP or t == "-":
        return None
    parts = t.split("/")
    if len(parts) != 2 or not all(parts):
        raise UsageError(f"{where}: '{text}' is not CLIENT/ENGAGEMENT (or `skip`) — e.g. acme-analytics/churn-model")
    key = (parts[0], parts[1])
    if key not in books.engagements:
        known = ", ".join(f"{c}/{e}" for c, e in sorted(books.engagements)) or "none"
        raise NotFound(f"{where}: no engagement {t} in the books (engagements: {known})")
    return key


def parse_maps(books: Books, items: tuple[str, ...] | list[str]) -> dict[str, Target]:
    """`--map PROJECT=CLIENT/ENGAGEMENT` options (the last `=` splits: project names may hold one)."""
    out: dict[str, Target] = {}
    for item in items:
        if "=" not in item:
            raise UsageError(f"--map '{item}': expected PROJECT=CLIENT/ENGAGEMENT, e.g. "
                             "--map \"Churn model=acme-analytics/churn-model\"")
        project, target = item.rsplit("=", 1)
        if not project.strip():
            raise UsageError(f"--map '{item}': the project name before '=' is empty")
        out[project.strip()] = _target(books, target, f"--map '{item}'")
    return out


def read_map_file(books: Books) -> dict[str, Target]:
    """`import-map.yaml` at the books root (optional): `Project name: client/engagement | skip`."""
    from consult.books.files import read_yaml
    from consult.books.yamlsource import Scalar, YMap

    root = Path(books.root)
    path = root / MAP_FILE
    if not path.exists():
        return {}
    problems: list[Problem] = []
    value = read_yaml(root, path, problems, allow_empty=True)
    if problems:
        raise BooksError(problems, f"{MAP_FILE} cannot be read")
    if value is None:
        return {}
    if not isinstance(value, YMap):
        raise BooksError([Problem(Source(MAP_FILE, getattr(value, "line", 1)), None,
                                  "expected `Project name: client/engagement` lines")], f"{MAP_FILE} cannot be read")
    out: dict[str, Target] = {}
    for name, v in value.items():
        line, col = value.key_pos.get(name, (value.line, value.column))
        if not isinstance(v, Scalar) or v.is_null:
            problems.append(Problem(Source(MAP_FILE, line, col), name,
                                    "expected client/engagement or skip"))
            continue
        try:
            out[str(name).strip()] = _target(books, v.text, f"{MAP_FILE}:{v.line}")
        except UsageError as e:
            problems.append(Problem(Source(MAP_FILE, v.line, v.column), name, str(e).split(": ", 1)[1]))
    if problems:
        raise BooksError(problems, f"{MAP_FILE} has {len(problems)} error{'s' if len(problems) != 1 else ''}")
    return out


class _Matcher:
    """Row names to engagements: the map first, then names that already are engagements."""

    def __init__(self, books: Books, mapping: dict[str, Target]):
        self.mapping = mapping
        self.exact = {f"{c}/{e}": (c, e) for c, e in books.engagements}
        ids: dict[str, list[tuple[str, str]]] = defaultdict(list)
        titles: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for (c, e), eng in books.engagements.items():
            ids[e].append((c, e))
            titles[eng.title.casefold()].append((c, e))
        self.ids = {k: v[0] for k, v in ids.items() if len(v) == 1}
        self.titles = {k: v[0] for k, v in titles.items() if len(v) == 1}
        self.memo: dict[tuple[str, ...], tuple[Target | Literal[False], str]] = {}

    def __call__(self, keys: tuple[str, ...]) -> tuple[Target | Literal[False], str]:
        """((client, engagement) or None to leave out or False when nothing matches, the name
        that matched)."""
        if keys in self.memo:
            return self.memo[keys]
        got: tuple[Target | Literal[False], str] = (False, "")
        for k in keys:
            if k in self.mapping:
                got = (self.mapping[k], k)
                break
        else:
            for table, norm in ((self.exact, str), (self.ids, str), (self.titles, str.casefold)):
                hit = next(((table[norm(k)], k) for k in keys if norm(k) in table), None)
                if hit:
                    got = hit
                    break
        self.memo[keys] = got
        return got


def _note(row: Row, matched: str) -> str | None:
    """The row's note, else its tags that did not pick the engagement (`+review +call`)."""
    if row.note or not row.tags:
        return row.note
    used = set(matched.replace("/", " ").split())
    rest = [f"+{t}" for t in row.tags if t not in used]
    return " ".join(rest) or None


# --- planning ---------------------------------------------------------------------------------
def plan_import(books: Books, export: Export, mapping: dict[str, Target], *, skip_unmapped: bool = False,
                today: date) -> Plan:
    """Match every row, drop the ones the books already hold, and say what would be added."""
    from consult.core.durations import format_hm

    match = _Matcher(books, mapping)
    have = {e.source_id for e in books.entries if e.source_id}
    seen: set[str] = set()
    new: list[NewEntry] = []
    unmapped: dict[str, list[int]] = defaultdict(list)
    left: dict[str, list[int]] = defaultdict(list)
    in_books = repeated = 0
    for row in export.rows:
        target, matched = match(row.keys)
        if target is False:
            unmapped[row.project].append(row.minutes)
            continue
        if target is None:
            left[row.project].append(row.minutes)
            continue
        if row.source_id in have:
            in_books += 1
            continue
        if row.source_id in seen:
            repeated += 1
            continue
        seen.add(row.source_id)
        new.append(NewEntry(target[0], target[1], replace(row, note=_note(row, matched))))
    if unmapped and not skip_unmapped:
        listed = "\n".join(f"  {p!r}: {len(m)} entr{'y' if len(m) == 1 else 'ies'}, {format_hm(sum(m))}"
                           for p, m in sorted(unmapped.items()))
        known = ", ".join(f"{c}/{e}" for c, e in sorted(books.engagements))
        raise UsageError(
            f"{export.path}: {len(unmapped)} project{'s match' if len(unmapped) != 1 else ' matches'} no engagement "
            f"(nothing was written):\n{listed}\n"
            f"map each with --map \"PROJECT=CLIENT/ENGAGEMENT\" (or a line `PROJECT: CLIENT/ENGAGEMENT` in "
            f"{MAP_FILE}; `skip` leaves it out), or give --skip-unmapped.\n"
            f"engagements: {known}")
    for p, m in unmapped.items():
        left[p].extend(m)
    warnings: list[str] = []
    by_eng: dict[tuple[str, str], list[NewEntry]] = defaultdict(list)
    for n in new:
        by_eng[(n.client, n.engagement)].append(n)
    for key, items in sorted(by_eng.items()):
        eng = books.engagements[key]
        days = [n.row.day for n in items]
        early = [d for d in days if eng.start and d < eng.start]
        late = [d for d in days if eng.end and d > eng.end]
        if early:
            warnings.append(f"{len(early)} entr{'y' if len(early) == 1 else 'ies'} for {eng.key} before it "
                            f"starts ({eng.start}), first {min(early)}")
        if late:
            warnings.append(f"{len(late)} entr{'y' if len(late) == 1 else 'ies'} for {eng.key} after it "
                            f"ended ({eng.end}), last {max(late)}")
    future = [n.row.day for n in new if n.row.day > today]
    if future:
        warnings.append(f"{len(future)} entr{'y' if len(future) == 1 else 'ies'} in the future "
                        f"(today is {today}), first {min(future)}")
    left_out = tuple((p, len(m), sum(m)) for p, m in sorted(left.items()))
    return Plan(export, tuple(new), in_books, repeated, left_out, tuple(warnings))


def per_engagement(plan: Plan) -> list[tuple[str, int, int, date, date]]:
    """(client/engagement, entries, minutes, first day, last day) of what would be added."""
    groups: dict[str, list[Row]] = defaultdict(list)
    for n in plan.new:
        groups[f"{n.client}/{n.engagement}"].append(n.row)
    return [(k, len(rows), sum(r.minutes for r in rows), min(r.day for r in rows), max(r.day for r in rows))
            for k, rows in sorted(groups.items())]


# --- writing ----------------------------------------------------------------------------------
def _month_path(root: Path, client: str, day: date) -> Path:
    folder = root / "clients" / client / "timesheets"
    yml = folder / f"{day:%Y-%m}.yml"
    return yml if yml.exists() else folder / f"{day:%Y-%m}.yaml"


def write_import(books: Books, plan: Plan) -> tuple[Plan, list[Written]]:
    """Append the plan's entries that are still new once the lock is held (another import may
    have added some meanwhile); the plan as carried out, and the files written."""
    from consult.books.lock import books_lock
    from consult.books.store import atomic_write
    from consult.books.timesheets import read_timesheets
    from consult.core.durations import format_hm
    from consult.work.log import check_appended, yaml_line

    root = Path(books.root)
    clients = sorted({n.client for n in plan.new})
    with books_lock(root):
        problems: list[Problem] = []
        current = {c: read_timesheets(root, books.client(c), books.engagements, problems) for c in clients}
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise BooksError(errors, "the books have errors; fix them first (`consult check` lists them)")
        have = {e.source_id for es in current.values() for e in es if e.source_id}
        todo = [n for n in plan.new if n.row.source_id not in have]
        # a day may not pass 24 hours across all clients (what is there plus what comes)
        per_day = Counter[date]()
        for e in books.entries:
            if e.client not in current:
                per_day[e.date] += e.minutes
        for es in current.values():
            for e in es:
                per_day[e.date] += e.minutes
        new_days = Counter[date]()
        for n in todo:
            new_days[n.row.day] += n.row.minutes
        over = sorted(d for d in new_days if per_day[d] + new_days[d] > 24 * 60)
        if over:
            shown = ", ".join(f"{d} ({format_hm(per_day[d] + new_days[d])})" for d in over[:5])
            raise ConsultError(f"{plan.export.path}: importing would put more than 24 hours on "
                               f"{len(over)} day{'s' if len(over) != 1 else ''}: {shown}{' …' if len(over) > 5 else ''}; "
                               "is this file already in the books under other ids? Nothing was written")
        groups: dict[Path, list[NewEntry]] = defaultdict(list)
        for n in todo:
            groups[_month_path(root, n.client, n.row.day)].append(n)
        staged: list[tuple[Path, bytes, Written]] = []
        for path, items in sorted(groups.items()):
            items.sort(key=lambda n: (n.row.day, n.row.start or n.row.day, n.engagement))
            client = books.client(items[0].client)
            where = path.relative_to(root).as_posix()
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if not old:
                first = items[0].row.day
                old = (f"# {client.name}: time for {first:%B %Y}. One entry per line; "
                       "see README, \"Time\".\n")
            sep = "" if old.endswith("\n") else "\n"
            lines = "".join(yaml_line(n.row.day, n.engagement, n.row.minutes, note=n.row.note,
                                      billable=n.row.billable, start=n.row.start, end=n.row.end,
                                      source_id=n.row.source_id) for n in items)
            text = old + sep + lines
            before = sum(1 for e in current[client.id] if e.source.path == where)
            check_appended(root, path, text, client, books, before, added=len(items))
            staged.append((path, text.encode("utf-8"),
                           Written(path, len(items), sum(n.row.minutes for n in items))))
        for path, data, _ in staged:
            atomic_write(path, data)
    done = replace(plan, new=tuple(todo), in_books=plan.in_books + len(plan.new) - len(todo))
    return done, [w for _, _, w in staged]
