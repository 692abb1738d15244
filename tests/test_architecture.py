"""Layering rules that keep data flowing one way (DESIGN.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "src" / "credtrends"
NETWORK_CLIENTS = {"requests", "httpx", "urllib3", "pytrends", "aiohttp"}


def _imports(path: Path) -> set[str]:
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
