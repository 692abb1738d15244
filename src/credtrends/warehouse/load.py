"""Idempotent loads: upserts on each table's primary key, inside the caller's transaction.

Loading the same batch twice leaves the same rows. Callers open one transaction per batch
(``with engine.begin() as connection``), so a failure part-way leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from credtrends.errors import WarehouseError

CHUNK_ROWS = 10_000


def _chunks(rows: Iterable[Mapping[str, Any]], size: int) -> Iterable[list[Mapping[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _upsert_statement(connection: sa.Connection, table: sa.Table, columns: Sequence[str]) -> Any:
    key = [column.name for column in table.primary_key.columns]
    dialect = connection.dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:
        raise WarehouseError(f"upserts are not implemented for the {dialect!r} dialect")
    updates = {name: statement.excluded[name] for name in columns if name not in key}
    if not updates:
        return statement.on_conflict_do_nothing(index_elements=key)
    return statement.on_conflict_do_update(index_elements=key, set_=updates)


def upsert_rows(
    connection: sa.Connection, table: sa.Table, rows: Iterable[Mapping[str, Any]]
) -> int:
    """Insert or update ``rows`` by primary key; returns how many rows were written."""
    written = 0
    statement = None
    columns: list[str] = []
    for chunk in _chunks(rows, CHUNK_ROWS):
        if statement is None:
            columns = list(chunk[0].keys())
            unknown = sorted(set(columns) - set(table.columns.keys()))
            if unknown:
                raise WarehouseError(f"table {table.name} has no column {unknown[0]!r}")
            statement = _upsert_statement(connection, table, columns)
        connection.execute(statement, chunk)
        written += len(chunk)
    return written


def upsert_frame(connection: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> int:
    """Upsert a polars frame whose columns are a subset of the table's (key included)."""
    key = {column.name for column in table.primary_key.columns}
    missing = sorted(key - set(frame.columns))
    if missing:
        raise WarehouseError(f"rows for {table.name} lack key column {missing[0]!r}")
    return upsert_rows(connection, table, frame.iter_rows(named=True))


def count_rows(connection: sa.Connection, table: sa.Table) -> int:
    return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
