"""Layering rules that keep data flowing one way (docs/architecture.md, "Layers").

The layer test reads every import in ``src/credtrends`` (module level, inside functions and
under ``TYPE_CHECKING`` alike: each one is a dependency) and fails when a module imports a
higher layer. The checker itself is tested on synthetic packages with a deliberate
violation, so a checker that stopped seeing imports would fail too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "src" / "credtrends"
NETWORK_CLIENTS = {"requests", "httpx", "urllib3", "pytrends", "aiohttp"}

ROOT = ""
"""The package itself (``credtrends/__init__.py``: the version)."""

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({ROOT, "errors", "config", "catalogue", "granularity"}),
    frozenset({"sources"}),
    frozenset({"warehouse"}),
    frozenset({"transforms"}),
    frozenset({"forecasting"}),
    frozenset({"pipelines", "steps", "jobs", "demo", "testing"}),
    frozenset({"web"}),
    frozenset({"cli", "__main__"}),
)
"""Lowest first. A module may import its own layer and the layers below it, never above.
Each unit is a top-level module or subpackage of ``credtrends``."""

LEVEL = {unit: level for level, units in enumerate(LAYERS) for unit in units}

PAGES_MAY_NOT_IMPORT = ("credtrends.warehouse.queries",)
"""Pages read through ``web/data.py`` (``DashboardData``: cached, keyed by warehouse), so no
page queries the warehouse behind the cache's back."""


def _imports(path: Path) -> set[str]:
    """Top-level names of the absolute imports of a file (``polars``, ``sqlalchemy``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _modules(under: str) -> list[Path]:
    return sorted((PACKAGE / under).rglob("*.py"))


def module_name(path: Path, package_dir: Path) -> str:
    """``.../credtrends/web/pages/overview.py`` -> ``credtrends.web.pages.overview``."""
    parts = [package_dir.name, *path.relative_to(package_dir).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(module: str, source: str, is_package: bool = False) -> set[str]:
    """Every dotted name a module imports, relative imports resolved.

    ``from a.b import c`` gives both ``a.b`` and ``a.b.c`` (``c`` may be a module), so
    ``from credtrends.warehouse import queries`` counts as importing the query module.
    """
    names: set[str] = set()
    own_package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = own_package[: len(own_package) - (node.level - 1)]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            names.add(origin)
            names.update(f"{origin}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports, for every file under it."""
    prefix = package_dir.name
    graph: dict[str, set[str]] = {}
    for path in sorted(package_dir.rglob("*.py")):
        module = module_name(path, package_dir)
        imported = imported_modules(
            module, path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py"
        )
        graph[module] = {
            name for name in imported if name == prefix or name.startswith(prefix + ".")
        }
    return graph


def unit_of(module: str) -> str:
    """The layer unit of a module: ``credtrends.web.pages.x`` -> ``web``.

    ``credtrends.__version__`` (an attribute of the package, from ``from credtrends import
    __version__``) belongs to the package itself.
    """
    parts = module.split(".")
    if len(parts) == 1:
        return ROOT
    if len(parts) == 2 and parts[1] not in LEVEL and parts[1].startswith("__"):
        return ROOT
    return parts[1]


def unplaced_units(graph: Mapping[str, Iterable[str]]) -> set[str]:
    """Units (top-level modules or subpackages) that no layer names."""
    return {unit_of(module) for module in graph} - LEVEL.keys()


def layer_violations(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """One line per import that points up the layers."""
    found: list[str] = []
    for importer, imported in sorted(graph.items()):
        low = LEVEL.get(unit_of(importer))
        for name in sorted(imported):
            high = LEVEL.get(unit_of(name))
            if low is not None and high is not None and high > low:
                found.append(
                    f"{importer} (layer {unit_of(importer)!r}) imports {name} "
                    f"(higher layer {unit_of(name)!r})"
                )
    return found


def page_violations(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Pages (``web.pages``) importing what they must reach through ``web/data.py``."""
    found: list[str] = []
    for importer, imported in sorted(graph.items()):
        if not (importer == "credtrends.web.pages" or importer.startswith("credtrends.web.pages.")):
            continue
        found.extend(
            f"{importer} imports {banned}; read through credtrends.web.data.DashboardData"
            for banned in PAGES_MAY_NOT_IMPORT
            if any(name == banned or name.startswith(banned + ".") for name in imported)
        )
    return found


def _write_package(root: Path, files: Mapping[str, str]) -> Path:
    """A throwaway ``credtrends`` package of the given files (relative path -> source)."""
    package = root / "credtrends"
    for relative, source in files.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return package


def test_every_unit_is_placed_in_a_layer() -> None:
    unplaced = unplaced_units(import_graph(PACKAGE))
    assert not unplaced, f"add {sorted(unplaced)} to LAYERS in tests/test_architecture.py"


def test_no_module_imports_a_higher_layer() -> None:
    violations = layer_violations(import_graph(PACKAGE))
    assert not violations, "\n".join(violations)


def test_pages_never_import_the_query_module() -> None:
    violations = page_violations(import_graph(PACKAGE))
    assert not violations, "\n".join(violations)


def test_checker_sees_a_deliberate_layer_violation(tmp_path: Path) -> None:
    """Up-imports in every spelling are caught; down-imports and same-layer ones are not."""
    package = _write_package(
        tmp_path,
        {
            "__init__.py": '__version__ = "0"\n',
            "errors.py": "from credtrends import __version__\n",
            "warehouse/__init__.py": "",
            "warehouse/load.py": "from credtrends.errors import CredtrendsError\n",
            "warehouse/queries.py": (
                "def read() -> None:\n    from credtrends.web.data import DashboardData\n"
            ),
            "transforms/__init__.py": "",
            "transforms/scores.py": "from ..forecasting import engine\n",
            "forecasting/__init__.py": "",
            "forecasting/engine.py": "import credtrends.transforms.scores\n",
            "pipelines/__init__.py": "",
            "pipelines/run.py": "from credtrends.jobs import runs\n",
            "jobs/__init__.py": "",
            "jobs/runs.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    import credtrends.cli\n",
            "web/__init__.py": "",
            "web/data.py": "from credtrends.warehouse import queries\n",
            "cli.py": "from credtrends.web import data\n",
        },
    )
    violations = layer_violations(import_graph(package))
    assert [line.split(" ")[0] for line in violations] == [
        "credtrends.jobs.runs",
        "credtrends.transforms.scores",
        "credtrends.transforms.scores",
        "credtrends.warehouse.queries",
        "credtrends.warehouse.queries",
    ], violations
    assert "imports credtrends.forecasting.engine (higher layer 'forecasting')" in violations[2]
    assert not unplaced_units(import_graph(package))


def test_checker_sees_a_page_importing_queries(tmp_path: Path) -> None:
    package = _write_package(
        tmp_path,
        {
            "__init__.py": "",
            "warehouse/__init__.py": "",
            "warehouse/queries.py": "",
            "web/__init__.py": "",
            "web/data.py": "from credtrends.warehouse import queries\n",
            "web/pages/__init__.py": "",
            "web/pages/good.py": "from credtrends.web.data import DashboardData\n",
            "web/pages/direct.py": "from credtrends.warehouse import queries\n",
            "web/pages/dotted.py": "def f() -> None:\n    import credtrends.warehouse.queries\n",
            "web/pages/member.py": "from credtrends.warehouse.queries import interest\n",
            "newlayer/__init__.py": "",
        },
    )
    graph = import_graph(package)
    assert [line.split(" ")[0] for line in page_violations(graph)] == [
        "credtrends.web.pages.direct",
        "credtrends.web.pages.dotted",
        "credtrends.web.pages.member",
    ]
    assert not layer_violations(graph)
    assert unplaced_units(graph) == {"newlayer"}


def test_pages_never_touch_sql() -> None:
    for path in [
        *_modules("web/pages"),
        *_modules("web/components"),
        PACKAGE / "web" / "figures.py",
    ]:
        assert "sqlalchemy" not in _imports(path), f"{path} imports sqlalchemy"


def test_network_clients_only_in_sources() -> None:
    for path in PACKAGE.rglob("*.py"):
        if "sources" in path.relative_to(PACKAGE).parts:
            continue
        assert not (_imports(path) & NETWORK_CLIENTS), f"{path} imports a network client"


def test_transforms_are_pure_polars() -> None:
    for path in _modules("transforms"):
        imports = _imports(path)
        assert "pandas" not in imports, f"{path} imports pandas"
        assert "sqlalchemy" not in imports, f"{path} does I/O through sqlalchemy"


def test_tables_are_declared_only_in_schema() -> None:
    """Only schema.py adds tables to the warehouse metadata (load.py's temporary staging
    tables live in a throwaway MetaData of their own)."""
    declaration = re.compile(r"sa\.Table\(\s*[^,]+,\s*metadata\b")
    for path in PACKAGE.rglob("*.py"):
        if path.name == "schema.py" or "migrations" in path.parts:
            continue
        assert not declaration.search(path.read_text(encoding="utf-8")), f"{path} declares a table"
