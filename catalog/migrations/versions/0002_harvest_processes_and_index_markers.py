"""The hardening issue's additive change: which process runs a harvest job, and what the search index holds.

``harvestjobprocess`` lets a later run tell a live concurrent harvest from a dead one; ``indexeddataset`` is
the per-dataset marker of catalog/search/indexing.py. A catalog upgraded to this revision has no markers, and
its index has no id file, so the upgrade rebuilds the index (``needs_reindex``): afterwards every dataset is
marked and ``odp jobs`` reports no gap, with no harvest needed.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

needs_reindex = True
needs_parquet_rebuild = False


def upgrade() -> None:
    op.create_table(
        "harvestjobprocess",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("process_started", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["harvestjob.id"]),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.create_table(
        "indexeddataset",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("modified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("index_id", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("dataset_id"),
    )


def downgrade() -> None:
    op.drop_table("indexeddataset")
    op.drop_table("harvestjobprocess")
