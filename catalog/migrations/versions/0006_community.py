"""Community (issue 14): dataset ratings, comments (on datasets and on data requests), data requests and their
votes, error reports (数据纠错) and the accounts' notifications.

Purely additive: six new tables, nothing existing changes, nothing is rebuilt (plain create_table, no batch mode:
on SQLite a batch rebuild would drop tables that other tables point at).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

needs_reindex = False
needs_parquet_rebuild = False

TABLES = ("datasetrating", "datarequest", "datarequestvote", "comment", "errorreport", "notification")


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _int(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _index(table: str, column: str) -> None:
    op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    op.create_table(
        "datasetrating",
        _int("dataset_id"),
        _int("account_id"),
        _int("stars"),
        _time("updated"),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.PrimaryKeyConstraint("dataset_id", "account_id"),
    )
    _index("datasetrating", "account_id")
    op.create_table(
        "datarequest",
        _id(),
        _int("account_id"),
        sa.Column("title", sa.String(length=200), nullable=False),
        _text("description"),
        sa.Column("domain_code", sa.String(), nullable=False),
        _int("department_id", True),
        _text("purpose"),
        sa.Column("status", sa.String(length=20), nullable=False),
        _text("answer", True),
        _time("answered", True),
        _int("answered_by", True),
        _int("dataset_id", True),
        sa.Column("planned_date", sa.Date(), nullable=True),
        _time("created"),
        _time("hidden", True),
        _int("hidden_by", True),
        _text("hidden_reason", True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["answered_by"], ["account.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["domain_code"], ["domain.code"]),
        sa.ForeignKeyConstraint(["hidden_by"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("account_id", "domain_code", "department_id", "status", "created"):
        _index("datarequest", column)
    op.create_table(
        "datarequestvote",
        _int("request_id"),
        _int("account_id"),
        _time("created"),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["datarequest.id"]),
        sa.PrimaryKeyConstraint("request_id", "account_id"),
    )
    op.create_table(
        "comment",
        _id(),
        _int("dataset_id", True),
        _int("request_id", True),
        _int("account_id"),
        _int("reply_to", True),
        _text("body"),
        sa.Column("official", sa.Boolean(), nullable=False),
        _time("created"),
        _time("hidden", True),
        _int("hidden_by", True),
        _text("hidden_reason", True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.ForeignKeyConstraint(["hidden_by"], ["account.id"]),
        sa.ForeignKeyConstraint(["reply_to"], ["comment.id"]),
        sa.ForeignKeyConstraint(["request_id"], ["datarequest.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("dataset_id", "request_id", "account_id"):
        _index("comment", column)
    op.create_table(
        "errorreport",
        _id(),
        _int("dataset_id"),
        _int("account_id"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        _text("body"),
        _int("row", True),
        sa.Column("field", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        _text("answer", True),
        _time("answered", True),
        _int("answered_by", True),
        _time("created"),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["answered_by"], ["account.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("dataset_id", "account_id", "status"):
        _index("errorreport", column)
    op.create_table(
        "notification",
        _id(),
        _int("account_id"),
        sa.Column("kind", sa.String(length=40), nullable=False),
        _text("message"),
        sa.Column("link", sa.String(length=500), nullable=False),
        _time("created"),
        _time("read", True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("notification", "account_id")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
