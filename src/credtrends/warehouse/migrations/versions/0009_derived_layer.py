"""The derived layer: growth, emerging topics, opportunity scores and source freshness stored
as tables by the ``derive`` step after each load and forecast, so pages read them instead of
computing them.

A warehouse upgraded to this revision has empty derived tables until the next load,
forecast or ``credtrends run derive``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 03:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SCORE_COLUMNS = (
    "demand_level", "demand_growth", "growth_low", "growth_high", "forecast_growth",
    "forecast_growth_low", "forecast_growth_high", "vacancies", "vacancy_growth", "programs",
    "programs_per_demand",
    "rank_level", "rank_growth", "rank_forecast", "rank_vacancy", "rank_supply",
    "score", "score_low", "score_high",
)  # fmt: skip


def _keys(table: str) -> list[SchemaItem]:
    return [
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("topic_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.region_code"], name=op.f(f"fk_{table}_region_code_regions")
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.topic_id"], name=op.f(f"fk_{table}_topic_id_topics")
        ),
    ]


def _lineage() -> list[SchemaItem]:
    return [
        sa.Column("is_synthetic", sa.Boolean(), nullable=False),
        sa.Column(
            "run_id", sa.String(length=64), nullable=False, comment="the run that derived it"
        ),
        sa.Column("derived_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "derived_topic_growth",
        *_keys("derived_topic_growth"),
        sa.Column("source", sa.String(length=64), nullable=False, comment="the interest's source"),
        sa.Column("scale", sa.String(length=16), nullable=False, comment="calibrated or raw"),
        sa.Column("recent_mean", sa.Float(), nullable=True, comment="mean of the last 12 weeks"),
        sa.Column("year_ago_mean", sa.Float(), nullable=True),
        sa.Column("growth", sa.Float(), nullable=True, comment="recent / year ago - 1"),
        sa.Column("growth_low", sa.Float(), nullable=True, comment="95% interval"),
        sa.Column("growth_high", sa.Float(), nullable=True, comment="95% interval"),
        sa.Column("growth_within_noise", sa.Boolean(), nullable=True),
        sa.Column("recent_start", sa.Date(), nullable=True),
        sa.Column("recent_end", sa.Date(), nullable=True),
        sa.Column("year_ago_start", sa.Date(), nullable=True),
        sa.Column("year_ago_end", sa.Date(), nullable=True),
        *_lineage(),
        sa.PrimaryKeyConstraint(
            "region_code", "topic_id", "source", name=op.f("pk_derived_topic_growth")
        ),
    )
    op.create_index(op.f("ix_derived_topic_growth_topic_id"), "derived_topic_growth", ["topic_id"])
    op.create_table(
        "derived_emerging_topics",
        *_keys("derived_emerging_topics"),
        sa.Column("source", sa.String(length=200), nullable=False, comment="the series' source(s)"),
        sa.Column("rank", sa.Integer(), nullable=False, comment="1 = most clearly emerging"),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("recent_mean", sa.Float(), nullable=True),
        sa.Column("previous_mean", sa.Float(), nullable=True),
        sa.Column("growth_pct", sa.Float(), nullable=True),
        sa.Column("acceleration_pct", sa.Float(), nullable=True),
        sa.Column("break_flag", sa.Boolean(), nullable=True),
        sa.Column("break_period", sa.Date(), nullable=True),
        sa.Column("slope_change_pct", sa.Float(), nullable=True),
        sa.Column("n_obs", sa.Integer(), nullable=True),
        *_lineage(),
        sa.PrimaryKeyConstraint("region_code", "topic_id", name=op.f("pk_derived_emerging_topics")),
    )
    op.create_table(
        "derived_opportunity_scores",
        *_keys("derived_opportunity_scores"),
        *(sa.Column(name, sa.Float(), nullable=True) for name in SCORE_COLUMNS),
        sa.Column("rank", sa.Integer(), nullable=True, comment="with the default weights"),
        sa.Column("rank_shared", sa.Boolean(), nullable=True),
        sa.Column("tied_with_top", sa.Boolean(), nullable=True),
        sa.Column(
            "sources", sa.String(length=500), nullable=False, comment="interest, labour, portal"
        ),
        *_lineage(),
        sa.PrimaryKeyConstraint(
            "region_code", "topic_id", name=op.f("pk_derived_opportunity_scores")
        ),
    )

    op.create_table(
        "derived_source_freshness",
        sa.Column("table_name", sa.String(length=64), nullable=False, comment="the fact table"),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=True),
        *_lineage(),
        sa.PrimaryKeyConstraint(
            "table_name", "source", "is_synthetic", name=op.f("pk_derived_source_freshness")
        ),
    )


def downgrade() -> None:
    op.drop_table("derived_source_freshness")
    op.drop_table("derived_opportunity_scores")
    op.drop_table("derived_emerging_topics")
    op.drop_index(op.f("ix_derived_topic_growth_topic_id"), table_name="derived_topic_growth")
    op.drop_table("derived_topic_growth")
