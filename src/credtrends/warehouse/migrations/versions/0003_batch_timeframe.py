"""The window (timeframe) of each Google Trends batch, which calibration groups by.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 02:19:27.926195
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("search_interest_batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "timeframe", sa.String(length=64), nullable=True, comment="the request's window"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("search_interest_batches", schema=None) as batch_op:
        batch_op.drop_column("timeframe")
