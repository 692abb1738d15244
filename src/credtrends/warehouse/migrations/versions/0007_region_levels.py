"""Interest by region as levels comparable across provinces, with 95% intervals.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "region_levels",
        sa.Column("topic_id", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column(
            "parent_geo", sa.String(length=8), nullable=False, comment="the map's geo, e.g. CA"
        ),
        sa.Column(
            "timeframe", sa.String(length=64), nullable=False, comment="the request's window"
        ),
        sa.Column(
            "level",
            sa.Float(),
            nullable=False,
            comment="share of the region's searches, 100 = the topic's top region in the window",
        ),
        sa.Column("level_low", sa.Float(), nullable=False, comment="95% interval"),
        sa.Column("level_high", sa.Float(), nullable=False, comment="95% interval"),
        sa.Column(
            "bounds", sa.String(length=16), nullable=False, comment="ci95, or censored ('<1')"
        ),
        sa.Column("reported", sa.SmallInteger(), nullable=True, comment="Google's 0-100 integer"),
        sa.Column("backend", sa.String(length=64), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("is_synthetic", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.region_code"],
            name=op.f("fk_region_levels_region_code_regions"),
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.topic_id"], name=op.f("fk_region_levels_topic_id_topics")
        ),
        sa.PrimaryKeyConstraint(
            "topic_id",
            "region_code",
            "parent_geo",
            "timeframe",
            "source",
            name=op.f("pk_region_levels"),
        ),
    )


def downgrade() -> None:
    op.drop_table("region_levels")
