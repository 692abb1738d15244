"""Create or upgrade the warehouse in place with Alembic: all of it or none of it.

PostgreSQL runs DDL inside transactions. pysqlite does not: it opens a transaction only
before INSERT/UPDATE/DELETE, so CREATE and ALTER statements commit one by one and a kill
half-way through left tables without a schema version. Migrations on SQLite therefore run
on a connection set up with SQLAlchemy's documented pysqlite recipe for transactional DDL
(the driver's own transaction handling off, ``BEGIN`` emitted by SQLAlchemy) -- here
``BEGIN IMMEDIATE``, so two ``init`` runs take turns instead of failing half-way. Alembic
runs every revision in that one transaction (``transaction_per_migration`` is off and the
connection is handed over already in a transaction); its SQLite batch mode (copy to
``_alembic_tmp_<table>``, drop, rename) happens inside it too.

Before upgrading, ``repair_interrupted`` removes what an interrupted run of an older
credtrends left behind: ``_alembic_tmp_*`` copies, and empty tables the recorded revision
does not have. Tables holding rows are never dropped; such a warehouse is reported.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.pool import NullPool

from credtrends.errors import WarehouseError
from credtrends.warehouse.schema import metadata

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
ALEMBIC_TMP_PREFIX = "_alembic_tmp_"
log = logging.getLogger(__name__)


def _alembic_config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    if head is None:
        raise WarehouseError("no migrations found")
    return head


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _migration_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One transaction that includes DDL, on SQLite too (see the module docstring)."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        saved = driver.isolation_level
        # The recipe: the driver stops managing transactions, SQLAlchemy emits BEGIN.
        driver.isolation_level = None
        try:
            with connection.begin():
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                yield connection
        finally:
            driver.isolation_level = saved


def upgrade_warehouse(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (the newest by default) in one transaction,
    repairing leftovers of an interrupted older run first."""
    with _migration_transaction(engine) as connection:
        repair_interrupted(connection)
        command.upgrade(_alembic_config(connection), revision)


@lru_cache(maxsize=16)
def tables_at_revision(revision: str | None) -> frozenset[str]:
    """The tables a warehouse at ``revision`` has (migrated into a scratch in-memory SQLite)."""
    if revision is None:
        return frozenset()
    if revision == head_revision():  # the declared schema: no need to migrate a scratch copy
        return frozenset(metadata.tables)
    scratch = sa.create_engine("sqlite://", poolclass=NullPool)
    try:
        with scratch.begin() as connection:
            command.upgrade(_alembic_config(connection), revision)
            names = sa.inspect(connection).get_table_names()
    finally:
        scratch.dispose()
    return frozenset(names) - {"alembic_version"}


def repair_interrupted(connection: sa.Connection) -> list[str]:
    """Drop what an interrupted migration left behind; returns the tables dropped.

    Only empty tables of our own schema that the recorded revision does not have, and
    ``_alembic_tmp_*`` copies beside their intact original, are dropped.
    """
    revision = MigrationContext.configure(connection).get_current_revision()
    existing = set(sa.inspect(connection).get_table_names())
    dropped: list[str] = []
    for name in sorted(t for t in existing if t.startswith(ALEMBIC_TMP_PREFIX)):
        original = name.removeprefix(ALEMBIC_TMP_PREFIX)
        if original not in existing:
            raise WarehouseError(
                f"table {original!r} is missing and {name!r} holds its copy from an "
                "interrupted upgrade: restore the warehouse from a backup"
            )
        connection.execute(sa.schema.DropTable(sa.Table(name, sa.MetaData())))
        dropped.append(name)
    expected = tables_at_revision(revision)
    extra = [
        table
        for table in reversed(metadata.sorted_tables)  # dependants first
        if table.name in existing and table.name not in expected
    ]
    for table in extra:
        rows = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        if rows:
            raise WarehouseError(
                f"table {table.name!r} holds {rows} rows but the warehouse's schema version "
                f"({revision or 'none'}) does not have it: was it created by a newer "
                "credtrends? Restore from a backup or use that version"
            )
    for table in extra:
        connection.execute(sa.schema.DropTable(table))
        dropped.append(table.name)
    if dropped:
        log.warning(
            "repaired an interrupted migration: dropped %s (left empty by it)", ", ".join(dropped)
        )
    return dropped


def require_current_schema(engine: sa.Engine) -> None:
    """Refuse to work on a warehouse that ``credtrends init`` has not brought up to date."""
    revision = current_revision(engine)
    if revision != head_revision():
        state = "is empty" if revision is None else f"is at revision {revision}"
        raise WarehouseError(
            f"the warehouse {state}, not {head_revision()}: run `credtrends init` first"
        )
