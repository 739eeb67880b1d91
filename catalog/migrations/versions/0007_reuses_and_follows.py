"""Reuses (应用/成果) with the datasets they used, and dataset follows (issue 14).

Purely additive: three new tables (plain create_table, no batch mode, as in 0006). Contest works get no rows
here: they are shown as reuses straight from ``contestwork``.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

needs_reindex = False
needs_parquet_rebuild = False

TABLES = ("reuse", "reusedataset", "datasetfollow")


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _int(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "reuse",
        sa.Column("id", sa.Integer(), nullable=False),
        _int("account_id"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("image", sa.String(length=100), nullable=True),
        _time("created"),
        _time("approved", True),
        _int("approved_by", True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["approved_by"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("account_id", "created", "approved"):
        op.create_index(f"ix_reuse_{column}", "reuse", [column])
    op.create_table(
        "reusedataset",
        _int("reuse_id"),
        _int("dataset_id"),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.ForeignKeyConstraint(["reuse_id"], ["reuse.id"]),
        sa.PrimaryKeyConstraint("reuse_id", "dataset_id"),
    )
    op.create_index("ix_reusedataset_dataset_id", "reusedataset", ["dataset_id"])
    op.create_table(
        "datasetfollow",
        _int("dataset_id"),
        _int("account_id"),
        _time("created"),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.PrimaryKeyConstraint("dataset_id", "account_id"),
    )
    op.create_index("ix_datasetfollow_dataset_id", "datasetfollow", ["dataset_id"])
    op.create_index("ix_datasetfollow_account_id", "datasetfollow", ["account_id"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
