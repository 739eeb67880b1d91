"""Queued and scheduled harvests (issue 20): a source's schedule, and which queue job a harvest job ran for.

Purely additive: two new tables, nothing existing changes (plain create_table: no batch rebuild of
``harvestsource`` or ``harvestjob``, which other tables point at).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

needs_reindex = False
needs_parquet_rebuild = False


def upgrade() -> None:
    op.create_table(
        "harvestschedule",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("schedule", sa.String(length=100), nullable=False),
        sa.Column("options", sa.JSON(), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("next_run", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_enqueued", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["harvestsource.id"]),
        sa.PrimaryKeyConstraint("source_id"),
    )
    op.create_index("ix_harvestschedule_next_run", "harvestschedule", ["next_run"])
    op.create_table(
        "queuedharvestjob",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("queue_job_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["harvestjob.id"]),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.create_index("ix_queuedharvestjob_queue_job_id", "queuedharvestjob", ["queue_job_id"])


def downgrade() -> None:
    op.drop_index("ix_queuedharvestjob_queue_job_id", table_name="queuedharvestjob")
    op.drop_table("queuedharvestjob")
    op.drop_index("ix_harvestschedule_next_run", table_name="harvestschedule")
    op.drop_table("harvestschedule")
