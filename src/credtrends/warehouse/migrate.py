"""Create or upgrade the warehouse in place with Alembic."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from credtrends.errors import WarehouseError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


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


def upgrade_warehouse(engine: sa.Engine) -> None:
    """Bring the schema to the newest revision; all of it or none of it."""
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")


def require_current_schema(engine: sa.Engine) -> None:
    """Refuse to work on a warehouse that ``credtrends init`` has not brought up to date."""
    revision = current_revision(engine)
    if revision != head_revision():
        state = "is empty" if revision is None else f"is at revision {revision}"
        raise WarehouseError(
            f"the warehouse {state}, not {head_revision()}: run `credtrends init` first"
        )
