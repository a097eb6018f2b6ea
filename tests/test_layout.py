"""The package layout a newcomer relies on (issue 10).

Each step of the data flow is a module or folder; these tests keep the three promises of
that layout: no module grows past about 500 lines (declarations aside), nothing reaches
into another module's private names, and the imports between modules have no cycle (a
lazy import inside a function counts too: it is still a dependency).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tokki_analytics"
#: Lines a module may have; declarations (tables of forms, rules, plants) may be longer.
MAX_LINES = 520
DECLARATIONS = {"tokki_analytics.forms"}


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    """Every module of the package (notebook sources, named 01_..., are not modules)."""
    return {
        _name(p): p
        for p in sorted(PACKAGE.rglob("*.py"))
        if not p.name[0].isdigit() and "__pycache__" not in p.parts
    }


MODULES = _modules()


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(child) for child in ast.walk(node))
    return hidden


def _imports(name: str, path: Path) -> Iterator[tuple[str, str]]:
    """(imported module, imported name or "") of every package import in ``path``."""
    tree = ast.parse(path.read_text("utf-8"))
    hidden = _type_checking_nodes(tree)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ""
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                prefix = package[: len(package) - (node.level - 1)]
                base = ".".join([*prefix, *([node.module] if node.module else [])])
            for alias in node.names:
                yield base, alias.name


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        for base, item in _imports(name, path):
            target = f"{base}.{item}" if f"{base}.{item}" in MODULES else base
            if target in MODULES and target != name:
                edges.setdefault(name, set()).add(target)
    return edges


def _reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return seen


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others."""
    reach = {node: _reachable(edges, node) for node in edges}
    groups = {
        tuple(sorted({node} | {other for other in reach[node] if node in reach.get(other, ())}))
        for node in edges
        if node in reach[node]
    }
    return [list(group) for group in sorted(groups)]


def test_the_scan_sees_the_package():
    # Controls: the scan finds the modules and the imports it judges.
    assert {"tokki_analytics.cli", "tokki_analytics.rules.catalogue"} <= set(MODULES)
    assert "tokki_analytics.rules.catalogue" in _edges()["tokki_analytics.rules"]


def test_cycle_finder_finds_a_cycle():
    edges = {"tokki_analytics.cli": {"tokki_analytics.forms"}}
    edges["tokki_analytics.forms"] = {"tokki_analytics.cli"}
    assert _cycles(edges) == [["tokki_analytics.cli", "tokki_analytics.forms"]]


def test_no_import_cycles():
    assert _cycles(_edges()) == []


def _folder(name: str) -> str:
    """The step a module belongs to: its folder (``tokki_analytics.ingest``) or itself."""
    return ".".join(name.split(".")[:2])


def test_no_cycles_between_steps():
    # The data flow runs one way between folders too: ingest/ may consult the rule
    # declarations, but no rule module may need ingest/ at run time.
    steps: dict[str, set[str]] = {}
    for name, targets in _edges().items():
        for target in targets:
            if _folder(target) != _folder(name):
                steps.setdefault(_folder(name), set()).add(_folder(target))
    assert _cycles(steps) == []


def _from_package(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return bool(node.level) or (node.module or "").startswith("tokki_analytics")
    return any(alias.name.startswith("tokki_analytics") for alias in node.names)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_private_name_from_another_module(name):
    path = MODULES[name]
    tree = ast.parse(path.read_text("utf-8"))
    private = [
        f"{base}.{item}"
        for base, item in _imports(name, path)
        if base.startswith("tokki_analytics") and item.startswith("_") and not item.startswith("__")
    ]
    aliases = {
        alias.asname or alias.name.split(".")[-1]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom) and _from_package(node)
        for alias in node.names
    }
    reached = [
        f"{node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in aliases
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    ]
    assert private + reached == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_size(name):
    if name in DECLARATIONS:
        return
    lines = len(MODULES[name].read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by what it does"
