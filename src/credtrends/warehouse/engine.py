"""Connecting to the warehouse: embedded SQLite by default, any SQLAlchemy URL otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from credtrends.errors import WarehouseError


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    # WAL lets the dashboard read while a job writes; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_warehouse_engine(url: str) -> sa.Engine:
    """An engine for ``url``; for SQLite the file's folder is created and pragmas are set."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise WarehouseError(f"database_url {url!r} is not a valid SQLAlchemy URL") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return sa.create_engine(parsed, pool_pre_ping=True)
    except ImportError as exc:
        raise WarehouseError(f"no database driver for {parsed.drivername!r}: {exc}") from exc


def check_connection(engine: sa.Engine) -> None:
    """Fail with one clear line when the warehouse cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise WarehouseError(
            f"cannot reach the warehouse at {engine.url.render_as_string(hide_password=True)}: "
            f"{reason}"
        ) from exc
