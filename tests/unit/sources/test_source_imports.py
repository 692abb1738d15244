"""No import circle among the source modules, not even through an import inside a function,
and no source function longer than a screen.

A function-level import hides a circle from Python (it only fails when the function runs
first) but not from a reader; the shared Google Trends checks live in ``checks.py`` and the
schemas in ``schemas.py`` so that every parser can import them at the top.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import credtrends.sources

SOURCES = Path(credtrends.sources.__file__).parent
PREFIX = "credtrends.sources"


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCES).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PREFIX, *parts))


def imported_modules(tree: ast.AST, known: set[str]) -> set[str]:
    """Every source module a file imports, wherever the import stands (a package's own
    ``__init__`` is not counted as importing its submodules' siblings)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in known else node.module)
    return {name for name in found if name in known}


def import_graph() -> dict[str, set[str]]:
    files = {module_name(path): path for path in SOURCES.rglob("*.py")}
    known = set(files)
    return {
        name: imported_modules(ast.parse(path.read_text(encoding="utf-8")), known) - {name}
        for name, path in files.items()
        if path.name != "__init__.py"
    }


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """One import circle (a list of modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)) is not None:
            return cycle
    return None


def test_the_source_modules_import_each_other_without_a_circle() -> None:
    graph = import_graph()
    assert (
        "credtrends.sources.google_trends.checks"
        in graph["credtrends.sources.google_trends.web_csv"]
    )
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_a_circle_through_a_function_level_import_is_found() -> None:
    known = {f"{PREFIX}.a", f"{PREFIX}.b"}
    top = ast.parse(f"from {PREFIX}.b import helper\n")
    hidden = ast.parse(f"def f() -> None:\n    from {PREFIX} import a\n")
    graph = {
        f"{PREFIX}.a": imported_modules(top, known),
        f"{PREFIX}.b": imported_modules(hidden, known),
    }
    assert find_cycle(graph) == [f"{PREFIX}.a", f"{PREFIX}.b", f"{PREFIX}.a"]


MAX_FUNCTION_LINES = 80


def long_functions(tree: ast.AST, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int]]:
    """(name, lines) of every function longer than ``limit`` lines, nested ones included."""
    return [
        (node.name, (node.end_lineno or node.lineno) - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (node.end_lineno or node.lineno) - node.lineno + 1 > limit
    ]


def test_no_source_function_is_longer_than_80_lines() -> None:
    found = {
        f"{module_name(path)}.{name}": lines
        for path in SOURCES.rglob("*.py")
        for name, lines in long_functions(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_a_long_function_is_found() -> None:
    body = "\n".join(f"    x{n} = {n}" for n in range(MAX_FUNCTION_LINES))
    assert long_functions(ast.parse(f"def f() -> None:\n{body}\n")) == [("f", 81)]
