"""Connecting to the warehouse: embedded SQLite by default, any SQLAlchemy URL otherwise.

Every connection carries timeouts (``DatabaseTimeouts``), so a locked table or a lost
server ends a statement with an error after a bounded wait instead of freezing the caller:
SQLite waits ``lock_seconds`` for a write lock (``busy_timeout``); PostgreSQL gets
``connect_timeout``, ``statement_timeout``, ``lock_timeout`` and
``idle_in_transaction_session_timeout``; the pool waits ``pool_seconds`` for a connection.
``is_unavailable`` tells such errors apart from bugs.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from credtrends.errors import WarehouseError

if TYPE_CHECKING:
    from credtrends.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DatabaseTimeouts:
    """Bounded waits of every warehouse connection, in seconds (0 = no limit)."""

    connect_seconds: float = 10.0
    statement_seconds: float = 120.0
    lock_seconds: float = 30.0
    idle_in_transaction_seconds: float = 600.0
    pool_seconds: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> DatabaseTimeouts:
        return cls(
            connect_seconds=settings.db_connect_timeout_seconds,
            statement_seconds=settings.db_statement_timeout_seconds,
            lock_seconds=settings.db_lock_timeout_seconds,
            idle_in_transaction_seconds=settings.db_idle_in_transaction_timeout_seconds,
            pool_seconds=settings.db_pool_timeout_seconds,
        )

    @classmethod
    def for_dashboard(cls, settings: Settings) -> DatabaseTimeouts:
        """The settings' waits, statement and lock capped for a web request: a page must
        answer (503 if it must) before gunicorn kills its worker."""
        cap = settings.dashboard_db_timeout_seconds
        base = cls.from_settings(settings)

        def capped(seconds: float) -> float:
            return cap if seconds <= 0 else min(seconds, cap)

        return cls(
            connect_seconds=capped(base.connect_seconds),
            statement_seconds=capped(base.statement_seconds),
            lock_seconds=capped(base.lock_seconds),
            idle_in_transaction_seconds=base.idle_in_transaction_seconds,
            pool_seconds=capped(base.pool_seconds),
        )


def _milliseconds(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def _sqlite_pragmas(timeouts: DatabaseTimeouts, read_only: bool = False) -> Any:
    def set_pragmas(dbapi_connection: Any, _record: object) -> None:
        # WAL lets the dashboard read while a job writes; foreign keys are off by default.
        cursor = dbapi_connection.cursor()
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_milliseconds(timeouts.lock_seconds)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return set_pragmas


def _postgres_timeouts(timeouts: DatabaseTimeouts) -> Any:
    """SET the session timeouts on each new connection (SQLAlchemy's documented recipe for
    session settings: autocommit while setting, so no transaction is left open)."""
    values = {
        "statement_timeout": _milliseconds(timeouts.statement_seconds),
        "lock_timeout": _milliseconds(timeouts.lock_seconds),
        "idle_in_transaction_session_timeout": _milliseconds(timeouts.idle_in_transaction_seconds),
    }

    def set_timeouts(dbapi_connection: Any, _record: object) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        for name, milliseconds in values.items():
            cursor.execute(f"SET SESSION {name} = {int(milliseconds)}")
        cursor.close()
        dbapi_connection.autocommit = autocommit

    return set_timeouts


def _read_only_sqlite(path: Path) -> Any:
    """A warehouse file in a folder we cannot write (a read-only disk) is opened read-only,
    so reading commands work and writes fail with "attempt to write a readonly database".
    Without a pending WAL the file is opened ``immutable`` (SQLite then needs no ``-shm``
    file, which it could not create there)."""
    wal = path.with_name(path.name + "-wal")
    pending = wal.exists() and wal.stat().st_size > 0
    uri = f"file:{path.resolve()}?mode=ro" + ("" if pending else "&immutable=1")
    log.warning("%s is on a read-only disk: the warehouse is opened read-only", path)

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, check_same_thread=False)

    return connect


def create_warehouse_engine(url: str, timeouts: DatabaseTimeouts | None = None) -> sa.Engine:
    """An engine for ``url`` with bounded waits; for SQLite the file's folder is created."""
    timeouts = timeouts or DatabaseTimeouts()
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise WarehouseError(f"database_url {url!r} is not a valid SQLAlchemy URL") from exc
    if parsed.get_backend_name() == "sqlite":
        read_only = False
        if parsed.database and parsed.database != ":memory:" and "mode" not in parsed.query:
            path = Path(parsed.database)
            path.parent.mkdir(parents=True, exist_ok=True)
            read_only = path.exists() and not os.access(path.parent, os.W_OK)
        options: dict[str, Any] = {"pool_timeout": timeouts.pool_seconds}
        if read_only:
            options["creator"] = _read_only_sqlite(Path(str(parsed.database)))
        engine = sa.create_engine(parsed, **options)
        sa.event.listen(engine, "connect", _sqlite_pragmas(timeouts, read_only))
        return engine
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql" and timeouts.connect_seconds > 0:
        connect_args["connect_timeout"] = max(1, round(timeouts.connect_seconds))
    try:
        engine = sa.create_engine(
            parsed,
            pool_pre_ping=True,
            pool_timeout=timeouts.pool_seconds,
            connect_args=connect_args,
        )
    except ImportError as exc:
        raise WarehouseError(f"no database driver for {parsed.drivername!r}: {exc}") from exc
    if parsed.get_backend_name() == "postgresql":
        sa.event.listen(engine, "connect", _postgres_timeouts(timeouts))
    return engine


# SQLSTATEs of PostgreSQL meaning "not now" rather than "wrong": lock/statement timeout
# (55P03, 57014), idle-in-transaction timeout (25P03), server going away (57P01..57P03),
# too many connections (53300), disk full / out of memory (53100, 53200), deadlock (40P01),
# serialization failure (40001), and every connection failure (08xxx).
_UNAVAILABLE_SQLSTATES = {"55P03", "57014", "25P03", "57P01", "57P02", "57P03", "53300"}
_UNAVAILABLE_SQLSTATES |= {"53100", "53200", "40P01", "40001"}
_UNAVAILABLE_SQLSTATES |= {"25006"}  # a read-only server or default_transaction_read_only
# SQLite's "not now" messages: a lock held too long, a full disk, a read-only file.
_SQLITE_UNAVAILABLE = (
    "database is locked",
    "database table is locked",
    "database or disk is full",
    "disk i/o error",
    "attempt to write a readonly database",
    "unable to open database file",
    "readonly database",
)


def is_unavailable(error: BaseException) -> bool:
    """True when ``error`` means the warehouse is busy, full, read-only or unreachable
    (worth a "try again later" answer), not that the request or the code is wrong."""
    if isinstance(error, WarehouseUnavailable):
        return True
    if isinstance(error, sa.exc.TimeoutError):  # the pool had no free connection in time
        return True
    if isinstance(error, sa.exc.DBAPIError):
        if error.connection_invalidated:
            return True
        original = error.orig
        sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
        if isinstance(sqlstate, str):
            return sqlstate in _UNAVAILABLE_SQLSTATES or sqlstate.startswith("08")
        if isinstance(error, OperationalError):
            if original is None or not isinstance(original, sqlite3.Error):
                # no SQLSTATE from the server: the connection itself failed (refused,
                # lost, timed out), which PostgreSQL drivers report as OperationalError
                return True
            text = str(original).lower()
            return any(marker in text for marker in _SQLITE_UNAVAILABLE)
    return False


def describe_database_error(error: BaseException) -> str:
    """The first line of what the database said, without SQLAlchemy's background link."""
    original = getattr(error, "orig", None)
    text = str(original if original is not None else error).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    return first.split("(Background on this error at:")[0].strip()


class WarehouseUnavailable(WarehouseError):
    """The warehouse is busy (a lock or statement timeout), full, read-only or unreachable."""


def _what_to_do(error: BaseException) -> str:
    text = describe_database_error(error).lower()
    if "full" in text or "no space" in text:
        return "free disk space on the warehouse's disk, then run the command again"
    if "readonly" in text or "read-only" in text:
        return "the warehouse's file or disk is read-only; reading commands still work"
    return "try again later"


def unavailable_error(error: BaseException, url: sa.URL | None = None) -> WarehouseUnavailable:
    """A one-line ``WarehouseUnavailable`` for a database error (exit code 3 in the CLI)."""
    where = f" at {url.render_as_string(hide_password=True)}" if url is not None else ""
    state = "is unavailable" if is_unavailable(error) else "failed"
    return WarehouseUnavailable(
        f"the warehouse{where} {state}: {describe_database_error(error)} "
        f"(the step's transaction was rolled back; {_what_to_do(error)})"
    )


def check_connection(engine: sa.Engine) -> None:
    """Fail with one clear line when the warehouse cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except OperationalError as exc:
        raise WarehouseUnavailable(
            f"cannot reach the warehouse at {engine.url.render_as_string(hide_password=True)}: "
            f"{describe_database_error(exc)}"
        ) from exc
