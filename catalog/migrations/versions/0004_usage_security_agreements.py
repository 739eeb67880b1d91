"""The accounts issue's second additive change: usage statistics per key and per dataset and day, one-time
password-reset links, TOTP and session revocation on accounts, per-department data-use agreements and the hash of the text each application accepted, the mark
that a grant's expiry has been audited, and the warnings of a harvest job (published items with something to fix
at the source, such as an unknown update frequency).

Existing rows keep their meaning: every account starts at session epoch 0 without TOTP, every department uses the
portal's default agreement, no grant has had its expiry logged yet (the first sweep logs those already past).
Nothing is rebuilt.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

needs_reindex = False
needs_parquet_rebuild = False


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    # Plain ADD/DROP COLUMN (SQLite has both since 3.35): a batch "move and copy" would drop tables that other
    # tables' foreign keys point at.
    op.add_column("account", sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("account", sa.Column("totp_secret", sa.String(length=200), nullable=True))
    op.add_column("account", sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.add_column("account", _time("deleted", True))
    op.add_column("department", sa.Column("agreement", sa.Text(), nullable=True))
    op.add_column("accessgrant", _time("expiry_logged", True))
    op.add_column("accessapplication", sa.Column("agreement_sha256", sa.String(length=64), nullable=True))
    op.add_column("harvestjob", sa.Column("warnings", sa.JSON(), nullable=True))
    op.create_table(
        "passwordreset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _time("created"),
        _time("expires"),
        _time("used", True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_passwordreset_account_id", "passwordreset", ["account_id"], unique=False)
    op.create_index("ix_passwordreset_token_hash", "passwordreset", ["token_hash"], unique=True)
    op.create_table(
        "usageday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "account_id", "key_id", "dataset_id"),
    )
    op.create_table(
        "datasetusageday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.Column("api_calls", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "dataset_id"),
    )


def downgrade() -> None:
    for table in ("datasetusageday", "usageday", "passwordreset"):
        op.drop_table(table)
    op.drop_column("harvestjob", "warnings")
    op.drop_column("accessapplication", "agreement_sha256")
    op.drop_column("accessgrant", "expiry_logged")
    op.drop_column("department", "agreement")
    for column in ("deleted", "totp_last_step", "totp_secret", "session_epoch"):
        op.drop_column("account", column)
