"""Shared fixtures: catalogues, warehouses on BOTH SQLite and the real PostgreSQL, the CLI's
environment. Plain helpers (``unavailable``, ``run_cli``, ``demo_dashboard``) are in helpers.py.

PostgreSQL tests use a fresh database per test session and a fresh schema per test, so
parallel or repeated runs never collide. Where PostgreSQL is unreachable, the tests are
skipped with the reason on a developer's machine, and fail in CI (CI=true).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings as hypothesis_settings

from credtrends.catalogue import Catalogue, load_catalogue
from credtrends.warehouse.catalogue_sync import sync_catalogue
from credtrends.warehouse.engine import create_warehouse_engine
from credtrends.warehouse.migrate import upgrade_warehouse
from tests.helpers import FIXTURES, POSTGRES_URL, REPO, in_ci, unavailable

# CI explores the same examples every run (no flaky reds); developers get fresh ones.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if in_ci() else "dev")


@pytest.fixture(scope="session")
def test_catalogue() -> Catalogue:
    return load_catalogue(
        FIXTURES / "catalogue" / "topics.yaml", FIXTURES / "catalogue" / "regions.yaml"
    )


@pytest.fixture(scope="session")
def real_catalogue() -> Catalogue:
    return load_catalogue(REPO / "config" / "topics.yaml", REPO / "config" / "regions.yaml")


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[sa.URL]:
    """A database of our own for this test session, dropped afterwards."""
    admin_url = sa.make_url(POSTGRES_URL)
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"credtrends_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        unavailable(f"PostgreSQL not reachable at {admin_url.render_as_string()}: {exc.orig}")
    try:
        yield admin_url.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_warehouse_url(postgres_database: sa.URL) -> Iterator[str]:
    """An empty warehouse URL in a fresh PostgreSQL schema of its own."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    setup = sa.create_engine(postgres_database, isolation_level="AUTOCOMMIT")
    with setup.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = postgres_database.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with setup.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        setup.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty warehouse URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    return str(request.getfixturevalue("postgres_warehouse_url"))


@pytest.fixture
def empty_engine(warehouse_url: str) -> Iterator[sa.Engine]:
    engine = create_warehouse_engine(warehouse_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_engine: sa.Engine, test_catalogue: Catalogue) -> sa.Engine:
    """A migrated warehouse holding the small test catalogue."""
    upgrade_warehouse(empty_engine)
    with empty_engine.begin() as connection:
        sync_catalogue(connection, test_catalogue)
    return empty_engine


@pytest.fixture
def cli_env(tmp_path: Path, warehouse_url: str) -> dict[str, str]:
    """Environment for ``run_cli``: the small test catalogue and an empty warehouse."""
    config = tmp_path / "config"
    config.mkdir()
    for name in ("topics.yaml", "regions.yaml"):
        shutil.copy(FIXTURES / "catalogue" / name, config / name)
    return {
        "CREDTRENDS_CONFIG_DIR": str(config),
        "CREDTRENDS_DATA_DIR": str(tmp_path / "data"),
        "CREDTRENDS_DATABASE_URL": warehouse_url,
        "CREDTRENDS_LOG_LEVEL": "WARNING",
        "CREDTRENDS_DASHBOARDS_DIR": str(FIXTURES / "dashboards"),
    }
