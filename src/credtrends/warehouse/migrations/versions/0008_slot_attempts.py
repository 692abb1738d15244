"""A crashed schedule slot can be retried: each attempt of a slot is its own job_runs row.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "slot_attempt",
                sa.Integer(),
                server_default="1",
                nullable=False,
                comment="1 for a slot's first run; a crashed slot's retry is the next number",
            )
        )
        batch_op.drop_constraint(batch_op.f("uq_job_runs_job_name_scheduled_for"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_job_runs_job_name_scheduled_for_slot_attempt"),
            ["job_name", "scheduled_for", "slot_attempt"],
        )


def downgrade() -> None:
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_job_runs_job_name_scheduled_for_slot_attempt"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_job_runs_job_name_scheduled_for"), ["job_name", "scheduled_for"]
        )
        batch_op.drop_column("slot_attempt")
