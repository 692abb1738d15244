"""Shared helpers of the storage/jobs batteries (``battery_*.py``): throw-away warehouses
on SQLite and on the local PostgreSQL, the CLI as a subprocess, schema and content checks.

Loopback only: PostgreSQL at ``CREDTRENDS_TEST_POSTGRES_URL`` (default 127.0.0.1:5432,
database ``test``), one fresh schema per warehouse, dropped afterwards.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import sqlalchemy as sa

from credtrends.warehouse.schema import metadata
from tests import helpers
from tests.helpers import FIXTURES, REPO
from tests.helpers import POSTGRES_URL as POSTGRES_URL  # the batteries import these from here
from tests.helpers import schema_differences as schema_differences

# The CLI as a subprocess; a battery's runs get longer than a test's (slow or full disks).
run_cli = partial(helpers.run_cli, timeout=300)

CATALOGUE = FIXTURES / "catalogue"
BACKENDS = ("sqlite", "postgresql")


@contextmanager
def warehouse(backend: str, folder: Path) -> Iterator[str]:
    """A URL of an empty warehouse on ``backend`` (a file in ``folder``, or a new schema)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'w-{uuid.uuid4().hex[:8]}.sqlite'}"
        return
    schema = f"rel_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def postgres_available() -> str | None:
    """None if PostgreSQL answers, else why not."""
    try:
        engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        engine.dispose()
    except sa.exc.OperationalError as exc:
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {str(exc.orig).splitlines()[0]}"
    return None


def cli_env(url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    config = data_dir.parent / "config"
    config.mkdir(parents=True, exist_ok=True)
    for name in ("topics.yaml", "regions.yaml"):
        shutil.copy(CATALOGUE / name, config / name)
    return {
        **os.environ,
        "PYTHONPATH": str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "CREDTRENDS_CONFIG_DIR": str(config),
        "CREDTRENDS_DATA_DIR": str(data_dir),
        "CREDTRENDS_DATABASE_URL": url,
        "CREDTRENDS_LOG_LEVEL": "WARNING",
        "CREDTRENDS_DASHBOARDS_DIR": str(FIXTURES / "dashboards"),
        **extra,
    }


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "credtrends", *args]


def content_hash(engine: sa.Engine, skip: tuple[str, ...] = ()) -> str:
    """A hash of every declared table's rows, in key order."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name in skip:
                continue
            rows = connection.execute(sa.select(table).order_by(*table.primary_key.columns or
                                                                 table.columns))  # fmt: skip
            for row in rows:
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()[:16]


def scratch_folder(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"credtrends-{name}-"))


def sqlite_data_dir(url: str) -> Path:
    database = sa.make_url(url).database
    assert database is not None
    return Path(database).parent
