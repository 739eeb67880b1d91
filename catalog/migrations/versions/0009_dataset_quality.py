"""Quality score (issue 19): ``datasetquality`` holds what a harvest decides of each dataset's score (the points
of every check but timeliness) and when its data last really changed; timeliness is computed when read.

Purely additive: one new table. Existing datasets get their row from the next harvest (every published item,
changed or not, gets one when it has none) or from ``odp quality refresh``; until then the portal computes
their score when asked, so nothing is missing in between.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

needs_reindex = False
needs_parquet_rebuild = False


def upgrade() -> None:
    op.create_table(
        "datasetquality",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("base_points", sa.Integer(), nullable=False),
        sa.Column("last_change", sa.DateTime(timezone=True), nullable=True),
        sa.Column("computed", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.PrimaryKeyConstraint("dataset_id"),
    )


def downgrade() -> None:
    op.drop_table("datasetquality")
