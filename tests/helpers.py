"""Plain helpers shared by the tests and the reliability batteries.

Fixtures live in the conftest.py files, which pytest loads itself; tests import these
helpers with ``from tests.helpers import ...``, never from a conftest or another test module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from credtrends.catalogue import load_catalogue
from credtrends.config import Settings
from credtrends.demo.load import forecast_demo, load_demo
from credtrends.warehouse.catalogue_sync import sync_catalogue
from credtrends.warehouse.engine import create_warehouse_engine
from credtrends.warehouse.migrate import upgrade_warehouse

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
POSTGRES_URL = os.environ.get(
    "CREDTRENDS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> None:
    """Skip on a developer's machine, fail in CI: CI must prove every backend."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: required, not skipped)", pytrace=False)
    pytest.skip(reason)


def number(value: object) -> float:
    """A polars aggregate (``min``, ``max``, ``mean``, ``median``, ``quantile``, ``item``, a
    row's cell) as a float. polars types these as any Python value or None, so a test that
    compares one to a number says what it expects; anything else fails the test."""
    if not isinstance(value, int | float | Decimal):
        raise AssertionError(f"expected a number, got {value!r}")
    return float(value)


def day(value: object) -> date:
    """A polars aggregate or cell of a date column as a ``date`` (see ``number``)."""
    if not isinstance(value, date):
        raise AssertionError(f"expected a date, got {value!r}")
    return value


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """``python -m credtrends ARGS`` as a user runs it, with ``env`` over this environment."""
    return subprocess.run(
        [sys.executable, "-m", "credtrends", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def demo_dashboard(work: Path, topics_yaml: str | None = None) -> tuple[Settings, sa.Engine]:
    """Settings and a SQLite warehouse holding the demo set for the small test catalogue
    (optionally with another topics.yaml), ready for ``create_app``."""
    config = work / "config"
    config.mkdir()
    topics = topics_yaml or (FIXTURES / "catalogue" / "topics.yaml").read_text(encoding="utf-8")
    (config / "topics.yaml").write_text(topics, encoding="utf-8")
    shutil.copy(FIXTURES / "catalogue" / "regions.yaml", config / "regions.yaml")
    settings = Settings(
        config_dir=config,
        data_dir=work / "data",
        dashboards_dir=FIXTURES / "dashboards",
        database_url=f"sqlite:///{work / 'warehouse.sqlite'}",
        cache_type="simple",
    )
    catalogue = load_catalogue(settings.topics_file, settings.regions_file)
    engine = create_warehouse_engine(settings.warehouse_url)
    upgrade_warehouse(engine)
    with engine.begin() as connection:
        sync_catalogue(connection, catalogue)
    load_demo(engine, catalogue, seed=42, end=date(2025, 6, 1))
    forecast_demo(engine, seed=42)
    return settings, engine
