"""Batch terms up to 300 characters: five shipped topic queries (OR of their search terms)
are 101-121 characters and did not fit the former 100.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("search_interest_batches") as batch:
        batch.alter_column(
            "term",
            existing_type=sa.String(length=100),
            type_=sa.String(length=300),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("search_interest_batches") as batch:
        batch.alter_column(
            "term",
            existing_type=sa.String(length=300),
            type_=sa.String(length=100),
            existing_nullable=False,
        )
