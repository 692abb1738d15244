"""Backtest errors per forecast run, series and model (MASE, sMAPE, interval coverage).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 03:13:42.671565
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forecast_errors",
        sa.Column("forecast_run_id", sa.String(length=64), nullable=False),
        sa.Column("topic_id", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=8), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("mase", sa.Float(), nullable=True, comment="backtest MASE vs the seasonal naive"),
        sa.Column("smape", sa.Float(), nullable=True),
        sa.Column("coverage80", sa.Float(), nullable=True),
        sa.Column("coverage95", sa.Float(), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["forecast_run_id"],
            ["forecast_runs.forecast_run_id"],
            name=op.f("fk_forecast_errors_forecast_run_id_forecast_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.region_code"],
            name=op.f("fk_forecast_errors_region_code_regions"),
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topics.topic_id"], name=op.f("fk_forecast_errors_topic_id_topics")
        ),
        sa.PrimaryKeyConstraint(
            "forecast_run_id",
            "topic_id",
            "region_code",
            "measure",
            "model",
            name=op.f("pk_forecast_errors"),
        ),
    )


def downgrade() -> None:
    op.drop_table("forecast_errors")
