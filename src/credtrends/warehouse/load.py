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
# Below this, executemany is as fast as COPY and simpler.
COPY_THRESHOLD_ROWS = 2_000
COPY_CHUNK_ROWS = 200_000


def _chunks(rows: Iterable[Mapping[str, Any]], size: int) -> Iterable[list[Mapping[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def upsert_statement(
    connection: sa.Connection, table: sa.Table, columns: Sequence[str], update: bool = True
) -> Any:
    """INSERT ... ON CONFLICT on the primary key: update the other columns, or do nothing."""
    key = [column.name for column in table.primary_key.columns]
    dialect = connection.dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:
        raise WarehouseError(f"upserts are not implemented for the {dialect!r} dialect")
    updates = {name: statement.excluded[name] for name in columns if name not in key}
    if not updates or not update:
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
            statement = upsert_statement(connection, table, columns)
        connection.execute(statement, chunk)
        written += len(chunk)
    return written


def upsert_frame(connection: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> int:
    """Upsert a polars frame whose columns are a subset of the table's (key included).

    A batch holding the same key twice is refused: which row should win is a question for
    the source's parser, not something to settle silently here.
    """
    key = [column.name for column in table.primary_key.columns]
    missing = [name for name in key if name not in frame.columns]
    if missing:
        raise WarehouseError(f"rows for {table.name} lack key column {missing[0]!r}")
    duplicated = frame.select(key).is_duplicated()
    if duplicated.any():
        example = frame.filter(duplicated).row(0, named=True)
        raise WarehouseError(
            f"rows for {table.name} repeat a key ({duplicated.sum()} rows), e.g. "
            + ", ".join(f"{name}={example[name]!r}" for name in key)
        )
    scalar = all(not dtype.is_nested() and dtype != pl.Object for dtype in frame.dtypes)
    if connection.dialect.name == "postgresql" and scalar and frame.height >= COPY_THRESHOLD_ROWS:
        return _copy_upsert_postgresql(connection, table, frame)
    return upsert_rows(connection, table, frame.iter_rows(named=True))


def _copy_upsert_postgresql(connection: sa.Connection, table: sa.Table, frame: pl.DataFrame) -> int:
    """COPY into a temporary staging table, then one INSERT ... ON CONFLICT from it.

    Same upsert semantics as executemany, an order of magnitude faster on PostgreSQL.
    The identifiers come from our declared tables and columns, never from data.
    """
    unknown = sorted(set(frame.columns) - set(table.columns.keys()))
    if unknown:
        raise WarehouseError(f"table {table.name} has no column {unknown[0]!r}")
    preparer = connection.dialect.identifier_preparer
    staging_name = f"staging_{table.name}"
    staging = preparer.quote(staging_name)
    columns = ", ".join(preparer.quote(name) for name in frame.columns)
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {staging} (LIKE {preparer.format_table(table)} INCLUDING DEFAULTS)"
    )
    driver_connection: Any = connection.connection.driver_connection
    with (
        driver_connection.cursor() as cursor,
        cursor.copy(f"COPY {staging} ({columns}) FROM STDIN WITH (FORMAT csv)") as copy,
    ):
        # polars writes the CSV in Rust; nulls are unquoted empty fields, empty strings are
        # quoted, so PostgreSQL tells them apart.
        for offset in range(0, frame.height, COPY_CHUNK_ROWS):
            chunk = frame.slice(offset, COPY_CHUNK_ROWS)
            copy.write(chunk.write_csv(include_header=False, quote_style="non_numeric"))
    staging_table = sa.Table(
        staging_name,
        sa.MetaData(),
        *(sa.Column(name, table.c[name].type) for name in frame.columns),
    )
    key = [column.name for column in table.primary_key.columns]
    statement = postgresql.insert(table).from_select(frame.columns, sa.select(staging_table))
    updates = {name: statement.excluded[name] for name in frame.columns if name not in key}
    connection.execute(
        statement.on_conflict_do_update(index_elements=key, set_=updates)
        if updates
        else statement.on_conflict_do_nothing(index_elements=key)
    )
    connection.exec_driver_sql(f"DROP TABLE {staging}")
    return frame.height


def count_rows(connection: sa.Connection, table: sa.Table) -> int:
    return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
