"""Putting another tool's time into the books: match projects, compare with the books, write.

Matching a tool's project to CLIENT/ENGAGEMENT, first hit wins, in this order:

1. `--map PROJECT=CLIENT/ENGAGEMENT` on the command line, then `import-map.yaml` at the books
   root (`Project name: client/engagement`, or `skip` to leave a project out on purpose);
   each row offers its names most specific first (Toggl/Clockify/Harvest: `Client/Project`,
   then `Project`, then Harvest's project code; Watson: `project/tag`, then `project`;
   Timewarrior: `tag/tag` pairs, each tag, all tags, or `@N` for an untagged interval).
2. A name that already is one: `client/engagement`, an engagement id used by one client only,
   or an engagement's title (any case) used once.

Anything still unmatched stops the import (exit 2) with the list of projects and the `--map`
syntax, unless `--skip-unmapped` says to leave them out.

**Comparing with the books.** Each row's id is looked up in the books. Not there: the entry is
new. There and the same (engagement, day, minutes, start, end, note, billable): already in the
books. There but different: *changed* in the tool since it was imported. And an entry in the
books with this tool's ids, dated inside the export's date range (its first to last day), for
an engagement the export sends time to, whose id the export no longer has: *gone* from the
tool (deleted there, or edited where the id is made from the work, as for the CSV exports).
Without `--sync` both are only reported and nothing in the books changes. With `--sync` each
one not yet billed is made to match the tool (its line rewritten, or removed); one that is
billed (`billed(entry)` names the invoice) is never changed: it is reported with the fix, a
credit note for that invoice, after which the next `--sync` applies it.

**One code path.** `import_rows` does everything an import does — under the books' lock it
reads the timesheets it may touch, plans (so another import that ran meanwhile is seen),
composes every file's new text, refuses a day over 24 hours, and proves each new text: a file
only appended to by its shape (a block list at the margin with no document marker, so the
appended lines can only be more items), a file with lines rewritten or removed by reading it
back with the books' own reader as exactly the entries intended — and only then writes each
file atomically. A dry run is the same call stopping before the writes, so a dry run that passes
means the import passes.

Lines are never reflowed: new entries are appended to `clients/C/timesheets/YYYY-MM.yaml`
(made if missing; a month kept as CSV gets a YAML file beside it, both are read), a changed
entry's `- {…}` is replaced in place (a comment after it stays), a removed entry's line is
deleted, and every other byte and comment of the file is kept. If the machine dies between two
files, running the import again finishes the work and adds nothing twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Literal

from consult.books.writers import quoted, scalar
from consult.core.record import record
from consult.core.records import Books, Client, TimeEntry
from consult.errors import BooksError, ConsultError, NotFound, Problem, Source, UsageError
from consult.work.importers import Export, Row

MAP_FILE = "import-map.yaml"
SKIP = "skip"
Target = tuple[str, str] | None  # (client, engagement), or None: leave out on purpose
Billed = Callable[[TimeEntry], str | None]  # entry -> number of the invoice that billed it, or None


def _nothing_billed(_: TimeEntry) -> str | None:
    return None


@record
class NewEntry:
    client: str
    engagement: str
    row: Row


@record
class Change:
    """An imported entry the tool now shows otherwise (`new`), or no longer has (`new` None)."""

    old: TimeEntry
    new: NewEntry | None
    billed: str | None = None  # the invoice that billed `old`: then it is never changed


@record
class Plan:
    """What an import would do; `write_import` carries it out."""

    export: Export
    new: tuple[NewEntry, ...]
    in_books: int  # rows whose id is already in the books, unchanged
    repeated: int  # rows whose id came earlier in the same file
    left_out: tuple[tuple[str, int, int], ...]  # (project, rows, minutes) skipped or unmapped
    warnings: tuple[str, ...]
    changed: tuple[Change, ...] = ()
    gone: tuple[Change, ...] = ()
    mapping: dict[str, Target] = field(default_factory=dict)
    skip_unmapped: bool = False
    today: date | None = None
    window: tuple[date, date] | None = None  # where entries gone from the tool are looked for
    period: tuple[date, date] | None = None  # --period: the dates the export covers, as the user says


@record
class Written:
    path: Path
    entries: int  # entries added to the file
    minutes: int
    changed: int = 0  # lines rewritten in place
    removed: int = 0  # lines removed (entries gone from the tool, or moved to another file)


@record
class Done:
    """An import carried out (or, in a dry run, checked to the last step before writing)."""

    plan: Plan
    written: tuple[Written, ...]
    synced: tuple[Change, ...]  # changes made to the books (--sync), or that would be
    by_hand: tuple[Change, ...]  # changes --sync cannot make safely: the line is not one of ours
    dry_run: bool


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


def _same(old: TimeEntry, new: NewEntry) -> bool:
    r = new.row
    return (old.client, old.engagement, old.date, old.minutes, old.start, old.end, old.note or None,
            old.billable) == (new.client, new.engagement, r.day, r.minutes, r.start, r.end, r.note, r.billable)


# --- planning ---------------------------------------------------------------------------------
def plan_import(books: Books, export: Export, mapping: dict[str, Target], *, skip_unmapped: bool = False,
                today: date, entries: list[TimeEntry] | None = None, billed: Billed | None = None,
                period: tuple[date, date] | None = None) -> Plan:
    """Match every row and compare it with the books' entries (`entries`, default the books'
    own): what is new, already there, changed in the tool, gone from it. `period`: the dates
    the export covers, when the user knows better than the file (default: `export.span`)."""
    from consult.core.durations import format_hm

    entries = list(books.entries) if entries is None else entries
    billed = billed or _nothing_billed
    match = _Matcher(books, mapping)
    by_id: dict[str, TimeEntry] = {}
    for e in entries:
        if e.source_id:
            by_id.setdefault(e.source_id, e)
    seen: set[str] = set()
    in_export: set[str] = set()
    new: list[NewEntry] = []
    changed: list[Change] = []
    targets: set[tuple[str, str]] = set()
    unmapped: dict[str, list[int]] = defaultdict(list)
    left: dict[str, list[int]] = defaultdict(list)
    in_books = repeated = 0
    for row in export.rows:
        in_export.add(row.source_id)
        in_export.update(row.aliases)
        target, matched = match(row.keys)
        if target is False:
            unmapped[row.project].append(row.minutes)
            continue
        if target is None:
            left[row.project].append(row.minutes)
            continue
        if row.source_id in seen:
            repeated += 1
            continue
        seen.add(row.source_id)
        targets.add(target)
        note = _note(row, matched)
        entry = NewEntry(target[0], target[1], row if note == row.note else replace(row, note=note))
        known = by_id.get(row.source_id)
        if known is None and by_id:
            known = next((by_id[a] for a in row.aliases if a in by_id), None)
        if known is None:
            new.append(entry)
        elif _same(known, entry):
            in_books += 1
        else:
            changed.append(Change(known, entry, billed(known)))
    if unmapped and not skip_unmapped:
        listed = "\n".join(f"  {p!r}: {len(m)} entr{'y' if len(m) == 1 else 'ies'}, {format_hm(sum(m))}"
                           for p, m in sorted(unmapped.items()))
        known_engs = ", ".join(f"{c}/{e}" for c, e in sorted(books.engagements))
        raise UsageError(
            f"{export.path}: {len(unmapped)} project{'s match' if len(unmapped) != 1 else ' matches'} no engagement "
            f"(nothing was written):\n{listed}\n"
            f"map each with --map \"PROJECT=CLIENT/ENGAGEMENT\" (or a line `PROJECT: CLIENT/ENGAGEMENT` in "
            f"{MAP_FILE}; `skip` leaves it out), or give --skip-unmapped.\n"
            f"engagements: {known_engs}")
    for p, m in unmapped.items():
        left[p].extend(m)
    gone: list[Change] = []
    span = period or export.span
    if span is not None:
        prefix = f"{export.tool}:"
        for e in entries:
            if (e.source_id and e.source_id.startswith(prefix) and span[0] <= e.date <= span[1]
                    and (e.client, e.engagement) in targets and e.source_id not in in_export):
                gone.append(Change(e, None, billed(e)))
    warnings = _warnings(books, new, today)
    left_out = tuple((p, len(m), sum(m)) for p, m in sorted(left.items()))
    return Plan(export, tuple(new), in_books, repeated, left_out, tuple(warnings), tuple(changed), tuple(gone),
                dict(mapping), skip_unmapped, today, span, period)


def _warnings(books: Books, new: list[NewEntry], today: date) -> list[str]:
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
    return warnings


def per_engagement(plan: Plan) -> list[tuple[str, int, int, date, date]]:
    """(client/engagement, entries, minutes, first day, last day) of what would be added."""
    groups: dict[str, list[Row]] = defaultdict(list)
    for n in plan.new:
        groups[f"{n.client}/{n.engagement}"].append(n.row)
    return [(k, len(rows), sum(r.minutes for r in rows), min(r.day for r in rows), max(r.day for r in rows))
            for k, rows in sorted(groups.items())]


def lazily(make: Callable[[], Billed]) -> Billed:
    """A `billed` function made on first use (reading the invoices only when an import has
    changed or gone entries to judge)."""
    made: list[Billed] = []

    def billed(e: TimeEntry) -> str | None:
        if not made:
            made.append(make())
        return made[0](e)

    return billed


# --- writing ----------------------------------------------------------------------------------
def _month_path(root: Path, client: str, day: date) -> Path:
    folder = root / "clients" / client / "timesheets"
    yml = folder / f"{day:%Y-%m}.yml"
    return yml if yml.exists() else folder / f"{day:%Y-%m}.yaml"


def _flow_end(line: str) -> int | None:
    """Where the `- {…}` flow mapping that starts `line` ends (index after `}`), quotes respected;
    None when the line is not one entry on one line."""
    s = line.lstrip()
    if not s.startswith("- {"):
        return None
    i = len(line) - len(s) + 2
    depth, quote = 0, ""
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                rest = line[i + 1:].strip()
                return i + 1 if not rest or rest.startswith("#") else None
        i += 1
    return None


def _entry_line(n: NewEntry) -> str:
    """`consult.work.log.yaml_line` for one imported entry (the books' one-line form, `id` last),
    composed here from the serialiser's own pieces (`quoted`, `scalar`) without building a
    mapping first (10,000 lines an import); the two are pinned equal by tests/test_importers.py."""
    r = n.row
    s, e = r.start, r.end
    if s is not None and e is not None:
        when = f'start: "{_hm(s)}", end: "{_hm(e)}"'
    else:
        h, m = divmod(r.minutes, 60)
        when = f"duration: {f'{h}h{m}m' if m else f'{h}h'}" if h else f"duration: {m}m"
    note = f", note: {_quoted_note(r.note)}" if r.note else ""
    flag = "" if r.billable else ", billable: false"
    sid = f", id: {quoted(r.source_id)}" if r.source_id else ""
    return f"- {{date: {_iso(r.day)}, engagement: {_scalar_text(n.engagement)}, {when}{note}{flag}{sid}}}\n"


# the pieces of an imported line, each worked out once per value rather than once per line
# (an import writes thousands of lines with a few engagements, notes, days and times of day;
# strftime alone was 5% of a 10,000-row import)
@lru_cache(maxsize=1024)
def _scalar_text(text: str) -> str:
    return scalar(text)


@lru_cache(maxsize=4096)
def _quoted_note(note: str) -> str:
    return quoted(note)


@lru_cache(maxsize=4096)
def _iso(day: date) -> str:
    return day.isoformat()


@lru_cache(maxsize=4096)
def _hm(t: time) -> str:
    return f"{t:%H:%M}"


def _key(e: TimeEntry) -> tuple[object, ...]:
    return (e.client, e.engagement, e.date, e.minutes, e.start, e.end, e.note or None, e.billable, e.source_id)


def _new_key(n: NewEntry) -> tuple[object, ...]:
    r = n.row
    return (n.client, n.engagement, r.day, r.minutes, r.start, r.end, r.note, r.billable, r.source_id)


@dataclass
class _FileEdit:
    """What happens to one timesheet file: lines replaced or removed, entries appended."""

    replace: dict[int, NewEntry] = field(default_factory=dict)  # 1-based line -> entry written there
    remove: set[int] = field(default_factory=set)
    append: list[NewEntry] = field(default_factory=list)
    dropped: list[TimeEntry] = field(default_factory=list)  # entries leaving the file (replaced or removed)


def write_import(books: Books, plan: Plan, *, sync: bool = False, dry_run: bool = False,
                 billed: Billed | None = None) -> Done:
    """Carry out `plan`: planned again under the lock against the timesheets as they are now
    (another import may have run since); with `dry_run`, everything but the writes."""
    if plan.today is None:
        raise ValueError("a plan made by plan_import carries its day")
    return import_rows(books, plan.export, plan.mapping, skip_unmapped=plan.skip_unmapped, today=plan.today,
                       period=plan.period, sync=sync, dry_run=dry_run, billed=billed)


def import_rows(books: Books, export: Export, mapping: dict[str, Target], *, skip_unmapped: bool = False,
                today: date, period: tuple[date, date] | None = None, sync: bool = False, dry_run: bool = False,
                billed: Billed | None = None) -> Done:
    """The whole import of `export`, planned under the books' lock; with `dry_run`, everything
    but the writes (so a dry run that passes means the import passes)."""
    from consult.books.lock import books_lock
    from consult.books.store import atomic_write
    from consult.books.timesheets import read_timesheets
    from consult.core.durations import format_hm

    root = Path(books.root)
    months: dict[tuple[str, int, int], Path] = {}

    def month_path(client: str, day: date) -> Path:
        key = (client, day.year, day.month)
        if key not in months:
            months[key] = _month_path(root, client, day)
        return months[key]

    with books_lock(root):
        # every client's timesheets, read under the lock (another import may have run since
        # `books` was loaded, which may have been without them: `open_books(timesheets=False)`
        # spares the CLI a second reading). The entries are ordered as before this was so: the
        # clients the import touches (those it sends time to, and any holding an entry with one
        # of its ids) after the others, each part by client.
        read: dict[str, list[TimeEntry]] = {}
        problems: dict[str, list[Problem]] = {}
        for cid in sorted(books.clients):
            problems[cid] = []
            read[cid] = read_timesheets(root, books.clients[cid], books.engagements, problems[cid])
        clients = {c for (c, _) in _targets(books, export, mapping)}
        if any(got for cid, got in read.items() if cid not in clients):
            ids = {i for r in export.rows for i in (r.source_id, *r.aliases)}
            clients |= {cid for cid, got in read.items() if cid not in clients and any(e.source_id in ids for e in got)}
        # only the clients this import writes into are stopped by their own errors (a broken
        # timesheet elsewhere is that client's problem, as open_books(clients=...) scopes it)
        errors = sorted((p for cid in clients for p in problems[cid] if p.severity == "error"),
                        key=lambda p: (p.source.path, p.source.line or 0, p.source.column or 0))
        if errors:
            from consult.books.loader import refusal

            raise refusal(errors)
        current: list[TimeEntry] = [e for cid, got in read.items() if cid not in clients for e in got]
        for cid in sorted(clients):
            current.extend(read[cid])
        plan = plan_import(books, export, mapping, skip_unmapped=skip_unmapped, today=today, entries=current,
                           billed=billed, period=period)
        edits: dict[Path, _FileEdit] = defaultdict(_FileEdit)
        for n in plan.new:
            edits[month_path(n.client, n.row.day)].append.append(n)
        synced: list[Change] = []
        by_hand: list[Change] = []
        if sync:
            texts: dict[Path, list[str]] = {}
            for c in (*plan.changed, *plan.gone):
                if c.billed is not None:
                    continue
                path = root / c.old.source.path
                if path not in texts:
                    texts[path] = path.read_text(encoding="utf-8").splitlines() if path.suffix != ".csv" else []
                lines = texts[path]
                at = c.old.source.line
                if (path.suffix == ".csv" or at is None or at > len(lines) or _flow_end(lines[at - 1]) is None
                        or f"id: {quoted(c.old.source_id or '')}" not in lines[at - 1]):
                    by_hand.append(c)
                    continue
                edit = edits[path]
                edit.dropped.append(c.old)
                if c.new is not None and month_path(c.new.client, c.new.row.day) == path:
                    edit.replace[at] = c.new
                else:
                    edit.remove.add(at)
                    if c.new is not None:
                        edits[month_path(c.new.client, c.new.row.day)].append.append(c.new)
                synced.append(c)
        _check_days(plan, current, edits, format_hm)
        staged = [_compose(root, books, path, edit, current) for path, edit in sorted(edits.items())]
        if not dry_run:
            for path, data, _ in staged:
                atomic_write(path, data)
    return Done(plan, tuple(w for _, _, w in staged), tuple(synced), tuple(by_hand), dry_run)


def _targets(books: Books, export: Export, mapping: dict[str, Target]) -> set[tuple[str, str]]:
    """Every engagement a row of the export goes to."""
    match = _Matcher(books, mapping)
    out: set[tuple[str, str]] = set()
    for keys in {r.keys for r in export.rows}:
        target, _ = match(keys)
        if target:
            out.add(target)
    return out


def _check_days(plan: Plan, current: list[TimeEntry], edits: dict[Path, _FileEdit],
                format_hm: Callable[[int], str]) -> None:
    """No day may pass 24 hours across all clients (what is there, less what leaves, plus what comes)."""
    per_day = Counter[date]()
    for e in current:
        per_day[e.date] += e.minutes
    for edit in edits.values():
        for e in edit.dropped:
            per_day[e.date] -= e.minutes
    coming = Counter[date]()
    for edit in edits.values():
        for n in (*edit.append, *edit.replace.values()):
            coming[n.row.day] += n.row.minutes
    over = sorted(d for d in coming if per_day[d] + coming[d] > 24 * 60)
    if not over:
        return
    shown = ", ".join(f"{d} ({format_hm(per_day[d] + coming[d])})" for d in over[:5])
    people = plan.export.people
    if len(people) > 1 and plan.export.user is None:
        why = (f"the file holds the time of {len(people)} people ({', '.join(people)}); import one person's "
               f"with --user NAME or --user EMAIL")
    else:
        why = "is this file already in the books under other ids?"
    raise ConsultError(f"{plan.export.path}: importing would put more than 24 hours on {len(over)} "
                       f"day{'s' if len(over) != 1 else ''}: {shown}{' …' if len(over) > 5 else ''}; {why}. "
                       "Nothing was written")


def _compose(root: Path, books: Books, path: Path, edit: _FileEdit,
             current: list[TimeEntry]) -> tuple[Path, bytes, Written]:
    """The file's new bytes (every other byte kept), checked to read back as exactly the
    entries intended."""
    where = path.relative_to(root).as_posix()
    client_id = where.split("/")[1]
    client = books.client(client_id)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    text = old
    if edit.replace or edit.remove:
        lines = old.splitlines(keepends=True)
        out = []
        for i, line in enumerate(lines, 1):
            if i in edit.remove:
                continue
            if i in edit.replace:
                end = _flow_end(line)
                assert end is not None  # checked when the change was planned
                out.append(line[:len(line) - len(line.lstrip())] + _entry_line(edit.replace[i]).rstrip("\n")
                           + line[end:].rstrip("\r\n") + line[len(line.rstrip("\r\n")):])
            else:
                out.append(line)
        text = "".join(out)
    items = sorted(edit.append, key=lambda n: (n.row.day, n.row.begins, n.engagement))
    if items:
        if not text:
            text = (f"# {client.name}: time for {items[0].row.day:%B %Y}. One entry per line; "
                    "see README, \"Time\".\n")
        sep = "" if text.endswith("\n") else "\n"
        text = text + sep + "".join([_entry_line(n) for n in items])
    before = [e for e in current if e.source.path == where]
    if edit.replace or edit.remove or not _plainly_a_list(old):
        dropped = Counter(_key(e) for e in edit.dropped)
        want = Counter(_key(e) for e in before)
        want.subtract(dropped)
        want.update(_new_key(n) for n in (*items, *edit.replace.values()))
        _check_reads_as(root, path, text, client, books, +want)
    return path, text.encode("utf-8"), Written(path, len(items), sum(n.row.minutes for n in items),
                                               len(edit.replace), len(edit.remove))


def _plainly_a_list(text: str) -> bool:
    """True when lines appended at the left margin can only be more items of the file's list:
    the file (which read without errors) is empty, or comments, or a block list at the margin
    (its first line of content starts `- `) with no document marker (`---`, `...`) in it. A
    hand-written flow list `[...]`, an indented list or a second document is not."""
    first = None
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if line.startswith(("---", "...")):
            return False
        if first is None:
            first = line
    return first is None or first == "-" or first.startswith(("- ", "-\t"))


def _check_reads_as(root: Path, path: Path, text: str, client: Client, books: Books,
                    want: Counter[tuple[object, ...]]) -> None:
    """The new text must read, without errors, as exactly the entries intended (a hand-written
    flow list `[...]` or a broken last line would otherwise swallow or mangle them)."""
    import tempfile

    from consult.books.timesheets import read_timesheets

    with tempfile.TemporaryDirectory(prefix="consult-import-") as tmp:
        scratch = Path(tmp)
        target = scratch / path.relative_to(root)
        target.parent.mkdir(parents=True)
        target.write_text(text, encoding="utf-8")
        problems: list[Problem] = []
        got = read_timesheets(scratch, client, books.engagements, problems)
    where = path.relative_to(root).as_posix()
    errors = [p for p in problems if p.severity == "error"]
    if errors or Counter(_key(e) for e in got) != want:
        why = errors[0].message if errors else (f"it would read as {len(got)} entries, not the "
                                                f"{sum(want.values())} intended")
        raise ConsultError(f"{where}: cannot write the imported entries safely ({why}); nothing was written — "
                           "fix the file's last line, or add the entries by hand")
