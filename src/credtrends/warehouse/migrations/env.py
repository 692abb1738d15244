"""Alembic environment: run against the connection credtrends hands over (see migrate.py)."""

from __future__ import annotations

from alembic import context

from credtrends.warehouse.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
