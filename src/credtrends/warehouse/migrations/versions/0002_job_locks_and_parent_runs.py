"""Job locks, the parent run of a command run by a job, and claimed schedule slots.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 02:13:21.334338
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_locks",
        sa.Column("job_name", sa.String(length=120), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job_name", name=op.f("pk_job_locks")),
    )
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "parent_run_id",
                sa.String(length=64),
                nullable=True,
                comment="the scheduled job's run",
            )
        )
        batch_op.add_column(
            sa.Column(
                "scheduled_for",
                sa.DateTime(timezone=True),
                nullable=True,
                comment="the cron slot; null for manual runs",
            )
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_job_runs_job_name_scheduled_for"), ["job_name", "scheduled_for"]
        )


def downgrade() -> None:
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_job_runs_job_name_scheduled_for"), type_="unique")
        batch_op.drop_column("scheduled_for")
        batch_op.drop_column("parent_run_id")

    op.drop_table("job_locks")
