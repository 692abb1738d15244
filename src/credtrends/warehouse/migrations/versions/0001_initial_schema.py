"""Initial schema: catalogue, raw landing, facts, forecasts and job runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-29 01:53:16.864081
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Every table of the first schema, in one function on purpose: a migration is the
    frozen record of one revision, written once and never refactored (a helper shared with
    later code would change what this revision creates); it is long because the schema is.
    """
    op.create_table(
        "forecast_runs",
        sa.Column("forecast_run_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("horizon", sa.Integer(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("data_snapshot", sa.String(length=128), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=True),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("is_synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("forecast_run_id", name=op.f("pk_forecast_runs")),
    )
    op.create_table(
        "job_runs",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("job_name", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rows_written", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=True),
        sa.Column("hostname", sa.String(length=255), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'succeeded', 'failed', 'crashed')",
            name=op.f("ck_job_runs_status"),
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_job_runs")),
    )
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_runs_job_name_started_at"), ["job_name", "started_at"], unique=False
        )

    op.create_table(
        "raw_payloads",
        sa.Column("request_key", sa.String(length=64), nullable=False),
        sa.Column("backend", sa.String(length=64), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("is_synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("request_key", name=op.f("pk_raw_payloads")),
    )
    op.create_table(
        "regions",
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=8), nullable=True),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_fr", sa.String(length=200), nullable=False),
        sa.Column("statcan_name", sa.String(length=200), nullable=False),
        sa.Column("sgc_code", sa.String(length=2), nullable=True),
        sa.Column("dguid", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("region_code", name=op.f("pk_regions")),
    )
    op.create_table(
        "topics",
        sa.Column("topic_id", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_fr", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("search_terms", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("topic_id", name=op.f("pk_topics")),
    )
    op.create_table(
        "forecasts",
        sa.Column("topic_id", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("granularity", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("forecast_run_id", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("lo80", sa.Float(), nullable=True),
        sa.Column("hi80", sa.Float(), nullable=True),
        sa.Column("lo95", sa.Float(), nullable=True),
        sa.Column("hi95", sa.Float(), nullable=True),
        sa.Column("is_synthetic", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "granularity IN ('hour', 'day', 'week', 'month', 'quarter', 'year')",
            name=op.f("ck_forecasts_granularity"),
        ),
        sa.ForeignKeyConstraint(
            ["forecast_run_id"],
            ["forecast_runs.forecast_run_id"],
            name=op.f("fk_forecasts_forecast_run_id_forecast_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.region_code"], name=op.f("fk_forecasts_region_code_regions")
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.topic_id"], name=op.f("fk_forecasts_topic_id_topics")
        ),
        sa.PrimaryKeyConstraint(
            "topic_id",
            "region_code",
            "measure",
            "granularity",
            "period_start",
            "forecast_run_id",
            name=op.f("pk_forecasts"),
        ),
    )
    op.create_table(
        "labour_market_observations",
        sa.Column("noc_code", sa.String(length=5), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("granularity", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True, comment="null when suppressed; see status"),
        sa.Column(
            "status", sa.String(length=8), nullable=True, comment="e.g. StatCan's E, F, x, .."
        ),
        sa.Column("uom", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("is_synthetic", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "granularity IN ('hour', 'day', 'week', 'month', 'quarter', 'year')",
            name=op.f("ck_labour_market_observations_granularity"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.region_code"],
            name=op.f("fk_labour_market_observations_region_code_regions"),
        ),
        sa.PrimaryKeyConstraint(
            "noc_code",
            "region_code",
            "measure",
            "granularity",
            "period_start",
            "source",
            name=op.f("pk_labour_market_observations"),
        ),
    )
    op.create_table(
        "portal_topic_counts",
        sa.Column("topic_id", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("granularity", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("is_synthetic", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "granularity IN ('hour', 'day', 'week', 'month', 'quarter', 'year')",
            name=op.f("ck_portal_topic_counts_granularity"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.region_code"],
            name=op.f("fk_portal_topic_counts_region_code_regions"),
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.topic_id"], name=op.f("fk_portal_topic_counts_topic_id_topics")
        ),
        sa.PrimaryKeyConstraint(
            "topic_id",
            "region_code",
            "measure",
            "granularity",
            "period_start",
            "source",
            name=op.f("pk_portal_topic_counts"),
        ),
    )
    op.create_table(
        "search_interest",
        sa.Column("topic_id", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("granularity", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("raw_value", sa.Float(), nullable=True, comment="0-100 as in its own request"),
        sa.Column("is_below_one", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("calibrated_value", sa.Float(), nullable=True, comment="on the common scale"),
        sa.Column("calibrated_low", sa.Float(), nullable=True),
        sa.Column("calibrated_high", sa.Float(), nullable=True),
        sa.Column("scale_method", sa.String(length=64), nullable=True),
        sa.Column("is_partial", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("backend", sa.String(length=64), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("is_synthetic", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "granularity IN ('hour', 'day', 'week', 'month', 'quarter', 'year')",
            name=op.f("ck_search_interest_granularity"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.region_code"],
            name=op.f("fk_search_interest_region_code_regions"),
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.topic_id"], name=op.f("fk_search_interest_topic_id_topics")
        ),
        sa.PrimaryKeyConstraint(
            "topic_id",
            "region_code",
            "granularity",
            "period_start",
            "source",
            name=op.f("pk_search_interest"),
        ),
    )
    op.create_table(
        "search_interest_batches",
        sa.Column("request_key", sa.String(length=64), nullable=False),
        sa.Column("term", sa.String(length=100), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("topic_id", sa.String(length=64), nullable=True),
        sa.Column("granularity", sa.String(length=8), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=False),
        sa.Column("is_below_one", sa.Boolean(), nullable=False),
        sa.Column("is_partial", sa.Boolean(), nullable=False),
        sa.Column("backend", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("is_synthetic", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "granularity IN ('hour', 'day', 'week', 'month', 'quarter', 'year')",
            name=op.f("ck_search_interest_batches_granularity"),
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.topic_id"],
            name=op.f("fk_search_interest_batches_topic_id_topics"),
        ),
        sa.PrimaryKeyConstraint(
            "request_key",
            "term",
            "region_code",
            "period_start",
            name=op.f("pk_search_interest_batches"),
        ),
    )
    op.create_table(
        "topic_occupations",
        sa.Column("topic_id", sa.String(length=64), nullable=False),
        sa.Column("noc_code", sa.String(length=5), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("title_fr", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.topic_id"], name=op.f("fk_topic_occupations_topic_id_topics")
        ),
        sa.PrimaryKeyConstraint("topic_id", "noc_code", name=op.f("pk_topic_occupations")),
    )


def downgrade() -> None:
    op.drop_table("topic_occupations")
    op.drop_table("search_interest_batches")
    op.drop_table("search_interest")
    op.drop_table("portal_topic_counts")
    op.drop_table("labour_market_observations")
    op.drop_table("forecasts")
    op.drop_table("topics")
    op.drop_table("regions")
    op.drop_table("raw_payloads")
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_runs_job_name_started_at"))

    op.drop_table("job_runs")
    op.drop_table("forecast_runs")
