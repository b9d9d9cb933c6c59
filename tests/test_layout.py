"""The source tree's shape: no two modules import each other, directly or around a circle,
and no module reaches into another for a private name."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import eziox

SOURCE = Path(eziox.__file__).parent


def _modules() -> dict[str, Path]:
    modules = {}
    for path in SOURCE.rglob("*.py"):
        parts = ["eziox", *path.relative_to(SOURCE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", None)
    return name == "TYPE_CHECKING"


class _Imports(ast.NodeVisitor):
    """Every eziox import of a module, at its top or inside a function (an import deferred to
    call time is still a circle), except those only type checkers read."""

    def __init__(self, modules: dict[str, Path]) -> None:
        self.modules = modules
        self.found: set[str] = set()

    def _add(self, name: str) -> None:
        while name and name not in self.modules:
            name = name.rpartition(".")[0]
        if name:
            self.found.add(name)

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module and node.module.split(".")[0] == "eziox":
            for alias in node.names:
                self._add(f"{node.module}.{alias.name}")


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        visitor = _Imports(modules)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        # A module importing its own package (its __init__) is how packages work, not a circle.
        graph[name] = {
            dep for dep in visitor.found if dep != name and not name.startswith(dep + ".")
        }
    return graph


def test_no_import_circle() -> None:
    graph = import_graph()
    assert len(graph) > 100, "the source tree was not found"
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as cycle:
        circle = " -> ".join(cycle.args[1])
        raise AssertionError(f"modules import each other: {circle}") from None


def _private_names_imported(name: str, path: Path, modules: dict[str, Path]) -> list[str]:
    """`from eziox.x import _y` in module `name` where `_y` is a function, class or constant
    (a private module, like `eziox.client._operations`, may be imported by its siblings)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
            continue
        if node.module.split(".")[0] != "eziox":
            continue
        for alias in node.names:
            private = alias.name.startswith("_") and not alias.name.startswith("__")
            if private and f"{node.module}.{alias.name}" not in modules:
                found.append(f"{name} imports {node.module}.{alias.name}")
    return found


def test_no_private_name_is_imported_from_another_module() -> None:
    modules = _modules()
    found = [
        line
        for name, path in sorted(modules.items())
        for line in _private_names_imported(name, path, modules)
    ]
    assert not found, "make these public or keep them in their module: " + "; ".join(found)
