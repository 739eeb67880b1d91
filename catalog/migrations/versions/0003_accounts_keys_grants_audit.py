"""The accounts issue's additive change: accounts and their departments, API keys (keyed hashes only),
applications for 有条件开放 data and the grants they give, and the append-only audit log.

Nothing existing changes, so no rebuild is needed: the search index and Parquet files stay as they are.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

needs_reindex = False
needs_parquet_rebuild = False


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        _time("created"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_account_email", "account", ["email"], unique=True)
    op.create_table(
        "accountdepartment",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.PrimaryKeyConstraint("account_id", "department_id"),
    )
    op.create_table(
        "apikey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        _time("created"),
        _time("expires", True),
        _time("revoked", True),
        _time("last_used", True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_apikey_account_id", "apikey", ["account_id"], unique=False)
    op.create_index("ix_apikey_key_hash", "apikey", ["key_hash"], unique=True)
    op.create_table(
        "accessapplication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("scenario", sa.Text(), nullable=False),
        sa.Column("organization", sa.String(length=300), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        _time("created"),
        _time("decided", True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("account_id", "dataset_id", "status"):
        op.create_index(f"ix_accessapplication_{column}", "accessapplication", [column], unique=False)
    op.create_table(
        "accessgrant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        _time("starts"),
        _time("expires"),
        _time("revoked", True),
        sa.ForeignKeyConstraint(["application_id"], ["accessapplication.id"]),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
    )
    for column in ("account_id", "dataset_id"):
        op.create_index(f"ix_accessgrant_{column}", "accessgrant", [column], unique=False)
    op.create_table(
        "auditevent",
        sa.Column("id", sa.Integer(), nullable=False),
        _time("time"),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("key_prefix", sa.String(length=16), nullable=True),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.Column("route", sa.String(length=300), nullable=True),
        sa.Column("bytes", sa.Integer(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("time", "account_id", "dataset_id"):
        op.create_index(f"ix_auditevent_{column}", "auditevent", [column], unique=False)


def downgrade() -> None:
    for table in ("auditevent", "accessgrant", "accessapplication", "apikey", "accountdepartment", "account"):
        op.drop_table(table)
