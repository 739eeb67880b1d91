"""Personal-information scan (issue 19): each resource version keeps its scan (``pii_report``), each dataset its
state under ``ODP_PII_POLICY`` (``pii_status``), each harvest job the datasets it kept unpublished (``blocked``).

Additive columns only (plain ADD/DROP COLUMN, no batch rebuild). Existing datasets start ``clean`` and their
versions unscanned: ``odp pii-scan`` scans the stored tables and applies the policy.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

needs_reindex = False
needs_parquet_rebuild = False


def upgrade() -> None:
    op.add_column("dataset", sa.Column("pii_status", sa.String(length=20), nullable=False, server_default="clean"))
    op.create_index("ix_dataset_pii_status", "dataset", ["pii_status"])
    op.add_column("resourceversion", sa.Column("pii_report", sa.JSON(), nullable=True))
    op.add_column("harvestjob", sa.Column("blocked", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("harvestjob", "blocked")
    op.drop_column("resourceversion", "pii_report")
    op.drop_index("ix_dataset_pii_status", table_name="dataset")
    op.drop_column("dataset", "pii_status")
