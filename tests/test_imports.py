"""Imports go one way: no cycle inside hrc_corpus, and no module (nor test) uses another module's private names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from .conftest import REPO

PACKAGE = REPO / "build" / "hrc_corpus"


def module_name(path: Path) -> str:
    """The dotted name of a module file of the package."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(path: Path, run_only: bool = False) -> list[tuple[str, list[str], int]]:
    """(module, names taken from it, line) for every import in a file, relative ones resolved (function-level ones too;
    with run_only, not those under `if TYPE_CHECKING:`, which never run)."""
    name = module_name(path) if path.is_relative_to(PACKAGE) else ""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
                   for n in ast.walk(block)}
    for node in ast.walk(tree):
        if run_only and id(node) in typing_only:
            pass
        elif isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            names = [alias.name for alias in node.names]
            # `from . import x` imports the module x when there is one
            for n in names:
                if f"{base}.{n}" in MODULES:
                    found.append((f"{base}.{n}", [], node.lineno))
            found.append((base, [n for n in names if f"{base}.{n}" not in MODULES], node.lineno))
    return found


def graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports (importing a.b.c runs a.b's __init__ first: an edge to a.b too)."""
    return {name: {p for m, _, _ in imported(path, run_only=True) for p in with_packages(m) if p in MODULES and p != name and not name.startswith(p + ".")}
            for name, path in MODULES.items()}


def with_packages(module: str) -> list[str]:
    """A module and the packages above it, each of which Python imports first."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (each holds a cycle), by Tarjan's algorithm."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_the_package_has_no_import_cycle() -> None:
    """Every import inside hrc_corpus, at module level or in a function, goes one way."""
    assert len(MODULES) > 15
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    """The finder itself: a two-module and a three-module cycle are found, a chain is not."""
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_importing_a_submodule_counts_as_importing_its_package() -> None:
    """`from .check.validate import x` runs check/__init__.py, so a module check imports would close a cycle."""
    assert with_packages("hrc_corpus.check.validate") == ["hrc_corpus.check.validate", "hrc_corpus.check", "hrc_corpus"]


def private_uses(path: Path) -> list[str]:
    """`from hrc_corpus.x import _name` and `x._name` on an hrc_corpus module, in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [f"{path.name}:{line}: {module}.{n}" for module, names, line in imported(path)
             if module.split(".")[0] == "hrc_corpus" for n in names if n.startswith("_") and not n.startswith("__")]
    aliases = set()
    for module, _, _ in imported(path):
        if module in MODULES:
            aliases.add(module.rpartition(".")[2])
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")) + sorted((REPO / "tests").glob("*.py"))
                         + sorted((REPO / "benchmarks").glob("*.py")), ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_private_names_across_modules(path: Path) -> None:
    """A module, a test or the benchmark uses only the public names of hrc_corpus's modules."""
    assert private_uses(path) == []


def test_the_private_name_finder_finds_them(tmp_path: Path) -> None:
    """The finder itself, on a file that does both."""
    bad = tmp_path / "bad.py"
    bad.write_text("from hrc_corpus.load import _scalar\nfrom hrc_corpus import check\ncheck._links([])\n", encoding="utf-8")
    assert private_uses(bad) == ["bad.py:1: hrc_corpus.load._scalar", "bad.py:3: check._links"]
