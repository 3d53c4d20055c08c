"""The package shows its layers, and the imports keep them (LAYOUT: core ← books ← work ←
documents ← render ← cli). Every import is read from the source, including those inside
functions, so a lazy import cannot hide a wrong-way dependency."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "consult"

# rank of each top-level part: a module may import only parts of its own rank or lower
RANK = {
    "errors": 0, "clock": 0, "core": 0, "startup": 0,  # how a few libraries load, run by consult/__init__
    "books": 1,
    "work": 2,
    "themes": 3,  # document themes as data (no ReportLab): issuing freezes them, check reads them
    "invoices": 3, "proposals": 3, "einvoice": 3, "earnings": 3, "vat": 3, "tax": 3,
    "frames": 4, "check": 4,
    "render": 5,
    "cli": 6, "__main__": 6,
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "consult")
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import (imports are absolute)"
            if node.module and node.module.split(".")[0] == "consult":
                out.add(node.module)
                # `from consult.core import fx` imports the module consult.core.fx
                for a in node.names:
                    sub = f"{node.module}.{a.name}"
                    if (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists():
                        out.add(sub)
    return out


MODULES = {_module_name(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_the_root_holds_at_most_about_ten_modules():
    root = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(root) <= 10, root


def test_every_module_sits_in_a_known_layer():
    unknown = {m for m in MODULES if _part(m) not in RANK and _part(m) != "__init__"}
    assert not unknown, f"modules outside every layer: {sorted(unknown)}"


def test_no_library_module_imports_the_cli():
    bad = [(m, i) for m, imps in MODULES.items() for i in imps
           if i.startswith("consult.cli") and _part(m) not in ("cli", "__main__")]
    assert not bad, bad


def test_only_the_cli_imports_the_renderer():
    bad = [(m, i) for m, imps in MODULES.items() for i in imps
           if i.startswith("consult.render") and _part(m) not in ("cli", "render")]
    assert not bad, bad


def test_dependencies_point_down_the_layers():
    """A module never imports a layer above its own (the public API in consult/__init__ may
    re-export any library layer, but not render or cli)."""
    bad = []
    for m, imps in MODULES.items():
        mine = _part(m)
        for i in imps:
            theirs = _part(i)
            if theirs == "__init__":
                continue
            if mine == "__init__":
                if theirs in ("cli", "render"):
                    bad.append((m, i))
            elif RANK.get(theirs, 99) > RANK[mine]:
                bad.append((m, i))
    assert not bad, bad


def test_there_are_no_import_cycles():
    """Between modules, counting imports inside functions too."""
    graph = {m: {i for i in imps if i in MODULES and i != m} for m, imps in MODULES.items()}
    graph = {m: {i for i in deps if not m.startswith(i + ".")} for m, deps in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state and (cycle := visit(n)):
                return cycle
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (cycle := visit(m)):
            raise AssertionError(" -> ".join(cycle))


def test_every_type_ignore_and_noqa_says_why():
    """A suppressed warning carries its reason on the same line: `# type: ignore[code]  # why`
    and `# noqa: CODE - why` (ruff's RUF100 and mypy's warn_unused_ignores catch the idle ones)."""
    import re

    bad = []
    for path in sorted([*PACKAGE.rglob("*.py"), *PACKAGE.parent.joinpath("tests").rglob("*.py")]):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "type: ignore" in line and not re.search(r"type: ignore\[[\w,-]+\]\s+#\s*\S", line):
                bad.append(f"{path.name}:{n}: {line.strip()}")
            if "noqa" in line and "noqa" in line.split("#", 1)[-1] \
                    and not re.search(r"noqa: [A-Z0-9, ]+ - \S", line):
                bad.append(f"{path.name}:{n}: {line.strip()}")
    assert not [b for b in bad if "test_layers.py" not in b], "\n".join(bad)


def test_docstrings_cite_only_what_the_repository_holds():
    """Rules are cited from docs/ in the repository, never from design notes outside it."""
    import re

    bad = []
    for path in PACKAGE.rglob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"domain-rules|DESIGN\.md|LAYOUT\.md|research/", line):
                bad.append(f"{path.name}:{n}")
            for doc in re.findall(r"docs/([\w.-]+\.md)", line):
                if not (PACKAGE.parent / "docs" / doc).exists():
                    bad.append(f"{path.name}:{n}: docs/{doc} does not exist")
    assert not bad, bad
