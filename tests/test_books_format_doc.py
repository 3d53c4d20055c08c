"""docs/books-format.md names every field consult reads from the books.

The written spec is what the docstrings cite and what a person editing the books reads; a field
the code accepts that the spec does not name is a field nobody can find. So every list of field
names the readers check against (`*_FIELDS`, `*_KEYS`, the books' CSV `*COLUMNS`, found in the
source, not listed here by hand), every tuple of words a choice accepts, every key of the issued
record and every field of the packaged theme must appear in the document as inline code
(`` `name` ``, or the last part of a dotted `` `page.size` ``). A field added to the code shows
up here as a failure naming the list it came from, to be fixed by documenting it.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "consult"
DOC = ROOT / "docs" / "books-format.md"

# Field lists are found wherever the books are read; the CLI and the renderers read no books
# files of their own (their tuples are output columns and layout, not fields).
SKIP = ("cli", "render")
FIELD_LIST = re.compile(r"[A-Z][A-Z0-9_]*_(FIELDS|KEYS)")
# CSV columns of the books' own tables (register.tsv, the issued record's tables); other
# `*_COLUMNS` (time export, report listings) are output formats, not books files.
COLUMN_LIST = re.compile(r"([A-Z][A-Z0-9_]*_)?COLUMNS(_V\d+)?")
COLUMN_PACKAGES = ("books", "invoices")

# Modules whose public upper-case tuples of words are the values a choice field accepts
# (`BILLINGS`, `SCHEMES`, `TREATMENT_NAMES`…): a new tuple there is a new set of values to document.
CHOICE_MODULES = (
    "consult.core.records",
    "consult.core.tax",
    "consult.core.categories",
    "consult.core.mileage",
    "consult.books.loader",
    "consult.books.expenses",
    "consult.books.register",
    "consult.books.timesheets",
    "consult.proposals.proposal",
    "consult.work.market",
    "consult.vat.submission",
)

# Readers that name their fields one by one, with no list to import (kept in step by hand):
# vat/obligations.yaml (consult.vat.periods.recorded_obligations), bank_rate.yaml
# (consult.invoices.late_payment._read), the market points' wrapper (consult.cli.rate
# `_point_entries`), a tax table's figures and bands (consult.tax.tables._Reader).
BY_HAND = {
    "vat/obligations.yaml": ("periodKey", "start", "end", "due", "status"),
    "bank_rate.yaml": ("reference_rates", "date", "bank_rate", "source"),
    "market_rates.yaml": ("points", "valid_as_of"),
    "tax_tables.yaml figures and bands": ("value", "source", "name", "rate", "to"),
    "vat submission record": ("finalised", "periodKey"),
}


def _documented() -> set[str]:
    """Every inline code span of the document, and each part of a dotted one."""
    spans = set(re.findall(r"`([^`\n]+)`", DOC.read_text(encoding="utf-8")))
    parts = {p for s in spans if re.fullmatch(r"[\w-]+(\.[\w-]+)+", s) for p in s.split(".")}
    return spans | parts


DOCUMENTED = _documented()


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _field_lists() -> list[tuple[str, tuple[str, ...]]]:
    """(module.NAME, names) for every module-level tuple/list/set literal named like a field list."""
    out: list[tuple[str, tuple[str, ...]]] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if parts[0] in SKIP:
            continue
        text = path.read_text(encoding="utf-8")
        if "_FIELDS" not in text and "_KEYS" not in text and "COLUMNS" not in text:
            continue  # parse only the modules that can hold a list (keeps the scan fast)
        tree = ast.parse(text)
        wanted = []
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else []
            value = getattr(node, "value", None)
            if not isinstance(value, (ast.Tuple, ast.List, ast.Set)):
                continue  # a dict (RULE_FIELDS) or a computed value is not a list of field names
            for t in targets:
                if not isinstance(t, ast.Name):
                    continue
                if FIELD_LIST.fullmatch(t.id) or (COLUMN_LIST.fullmatch(t.id) and parts[0] in COLUMN_PACKAGES):
                    wanted.append(t.id)
        if wanted:
            mod = importlib.import_module(_module_name(path))
            for name in wanted:
                value = getattr(mod, name)
                assert all(isinstance(x, str) for x in value), f"{mod.__name__}.{name} is not a list of names"
                out.append((f"{mod.__name__}.{name}", tuple(value)))
    return out


def _choice_lists() -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for m in CHOICE_MODULES:
        mod = importlib.import_module(m)
        for name, value in sorted(vars(mod).items()):
            if name.isupper() and not name.startswith("_") and isinstance(value, tuple) and value \
                    and all(isinstance(x, str) for x in value):
                out.append((f"{m}.{name}", value))
    return out


def _record_keys() -> tuple[str, ...]:
    """Every key `to_record` writes (the dict literals in its source) and every party field."""
    from consult.invoices import record

    source = Path(record.__file__).read_text(encoding="utf-8")
    (fn,) = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "to_record"]
    keys = {k.value for d in ast.walk(fn) if isinstance(d, ast.Dict)
            for k in d.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return tuple(sorted(keys | {f.name for f in fields(record.Party)}))


def _theme_keys() -> tuple[str, ...]:
    """Every key of the packaged theme (which names every field a theme may set), labels too."""
    from consult.render.theme import PACKAGED_THEME

    def walk(v: object) -> set[str]:
        if isinstance(v, dict):
            return {str(k) for k in v} | {x for sub in v.values() for x in walk(sub)}
        return set()

    return tuple(sorted(walk(yaml.safe_load(PACKAGED_THEME.read_text(encoding="utf-8")))))


def _all_lists() -> list[tuple[str, tuple[str, ...]]]:
    return [*_field_lists(), *_choice_lists(), ("consult.invoices.record.to_record", _record_keys()),
            ("consult/themes/default.yaml", _theme_keys()), *BY_HAND.items()]


ALL_LISTS = _all_lists()


def test_the_field_lists_are_found():
    """The scan finds the readers' lists (a renamed module or a new naming habit would
    otherwise make every other test here pass on nothing)."""
    found = {name for name, _ in ALL_LISTS}
    for expected in ("consult.books.loader.PRACTICE_FIELDS", "consult.books.loader.CLIENT_FIELDS",
                     "consult.books.timesheets.ENTRY_FIELDS", "consult.proposals.proposal.PROPOSAL_FIELDS",
                     "consult.books.expenses.VAT_FIELDS", "consult.books.register.COLUMNS",
                     "consult.invoices.record.ENTRY_COLUMNS_V3", "consult.core.records.BILLINGS",
                     "consult.tax.tables.NI_FIELDS", "consult.vat.filed.RECORD_KEYS"):
        assert expected in found
    assert len(ALL_LISTS) > 40


@pytest.mark.parametrize(("where", "names"), ALL_LISTS, ids=[w for w, _ in ALL_LISTS])
def test_every_field_is_in_the_books_format(where, names):
    """Each name the code reads is written in docs/books-format.md as inline code."""
    missing = [n for n in names if n not in DOCUMENTED]
    assert not missing, (f"{where}: not in docs/books-format.md as inline code: "
                         f"{', '.join(f'`{n}`' for n in missing)} — document each (field, form, default, meaning)")


def test_the_period_grammar_section_the_code_cites_exists():
    """consult/core/periods.py cites docs/books-format.md, "Periods and dates"."""
    text = DOC.read_text(encoding="utf-8")
    assert re.search(r"^## (\d+\. )?Periods and dates$", text, flags=re.M)
    from consult.core import periods

    assert 'docs/books-format.md, "Periods and dates"' in (periods.__doc__ or "")


def test_every_link_inside_the_document_resolves():
    """Each `(#anchor)` link names a heading of the page (GitHub's anchor rule), and each
    relative link a file beside it: a renumbered section cannot leave a dead reference."""
    text = DOC.read_text(encoding="utf-8")
    anchors = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
               for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}
    dead = [a for a in re.findall(r"\]\(#([^)]+)\)", text) if a not in anchors]
    assert not dead, f"links to no heading: {dead}"
    files = [f for f in re.findall(r"\]\(([^)#:]+)\)", text) if not (DOC.parent / f).exists()]
    assert not files, f"links to no file: {files}"
