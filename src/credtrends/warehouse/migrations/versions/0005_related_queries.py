"""Google Trends related queries (top and rising) per topic, region and window.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 04:02:11.318204
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "related_queries",
        sa.Column("topic_id", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column(
            "timeframe", sa.String(length=64), nullable=False, comment="the request's window"
        ),
        sa.Column("kind", sa.String(length=8), nullable=False, comment="top or rising"),
        sa.Column("query", sa.String(length=300), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False, comment="1 = first in Google's list"),
        sa.Column(
            "value",
            sa.BigInteger(),
            nullable=True,
            comment="top: 0-100; rising: growth in percent (null for a CSV 'Breakout')",
        ),
        sa.Column("is_breakout", sa.Boolean(), nullable=False, comment="rising above ~5000%"),
        sa.Column("backend", sa.String(length=64), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("is_synthetic", sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('top', 'rising')", name=op.f("ck_related_queries_kind")),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.region_code"],
            name=op.f("fk_related_queries_region_code_regions"),
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.topic_id"], name=op.f("fk_related_queries_topic_id_topics")
        ),
        sa.PrimaryKeyConstraint(
            "topic_id",
            "region_code",
            "timeframe",
            "kind",
            "query",
            "source",
            name=op.f("pk_related_queries"),
        ),
    )


def downgrade() -> None:
    op.drop_table("related_queries")
