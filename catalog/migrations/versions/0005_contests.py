"""Data contests (issue 13): contests, their packages (entries pinned to resource versions, re-pins), the
departments' consents for 有条件开放 entries, teams and members, the full-data download log, and the teams' works
with the datasets they used.

Purely additive: nine new tables, nothing existing changes, nothing is rebuilt.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

needs_reindex = False
needs_parquet_rebuild = False

TABLES = ("contest", "contestentry", "contestrepin", "contestconsent", "contestteam", "contestmember",
          "contestdownload", "contestwork", "contestworkdataset")  # in creation order


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _int(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _index(table: str, column: str, unique: bool = False) -> None:
    op.create_index(f"ix_{table}_{column}", table, [column], unique=unique)


def upgrade() -> None:
    op.create_table(
        "contest",
        _id(),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("agreement", sa.Text(), nullable=False),
        _int("organizer_id"),
        _time("registration_opens"),
        _time("registration_closes"),
        _time("data_opens"),
        _time("data_closes"),
        _int("team_min"),
        _int("team_max"),
        _time("created"),
        _time("published", True),
        sa.ForeignKeyConstraint(["organizer_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("contest", "organizer_id")
    _index("contest", "slug", unique=True)
    op.create_table(
        "contestentry",
        _id(),
        _int("contest_id"),
        _int("dataset_id"),
        _int("resource_id"),
        _int("version_id"),
        _int("sample_rows"),
        _int("sample_seed", True),
        sa.Column("full", sa.Boolean(), nullable=False),
        _int("position"),
        _time("pinned"),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.ForeignKeyConstraint(["resource_id"], ["resource.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["resourceversion.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contest_id", "resource_id"),
    )
    _index("contestentry", "contest_id")
    _index("contestentry", "dataset_id")
    op.create_table(
        "contestrepin",
        _id(),
        _int("entry_id"),
        _int("from_version_id"),
        _int("to_version_id"),
        _int("account_id", True),
        _time("time"),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["entry_id"], ["contestentry.id"]),
        sa.ForeignKeyConstraint(["from_version_id"], ["resourceversion.id"]),
        sa.ForeignKeyConstraint(["to_version_id"], ["resourceversion.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("contestrepin", "entry_id")
    op.create_table(
        "contestconsent",
        _id(),
        _int("contest_id"),
        _int("dataset_id"),
        _int("requested_by", True),
        sa.Column("status", sa.String(length=20), nullable=False),
        _time("created"),
        _time("decided", True),
        _int("decided_by", True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"]),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.ForeignKeyConstraint(["decided_by"], ["account.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contest_id", "dataset_id"),
    )
    _index("contestconsent", "contest_id")
    _index("contestconsent", "dataset_id")
    _index("contestconsent", "status")
    op.create_table(
        "contestteam",
        _id(),
        _int("contest_id"),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("join_code", sa.String(length=20), nullable=False),
        _int("created_by"),
        _time("created"),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contest_id", "name"),
    )
    _index("contestteam", "contest_id")
    _index("contestteam", "join_code", unique=True)
    op.create_table(
        "contestmember",
        _int("contest_id"),
        _int("account_id"),
        _int("team_id"),
        _time("joined"),
        _time("agreement_accepted", True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["contestteam.id"]),
        sa.PrimaryKeyConstraint("contest_id", "account_id"),
    )
    _index("contestmember", "team_id")
    op.create_table(
        "contestdownload",
        _id(),
        _int("contest_id"),
        _int("team_id"),
        _int("account_id"),
        _int("entry_id"),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        _time("time"),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"]),
        sa.ForeignKeyConstraint(["entry_id"], ["contestentry.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["contestteam.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("contestdownload", "contest_id")
    op.create_table(
        "contestwork",
        _id(),
        _int("contest_id"),
        _int("team_id"),
        _int("submitted_by"),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("screenshot", sa.String(length=200), nullable=True),
        _time("created"),
        _time("accepted", True),
        sa.Column("award", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"]),
        sa.ForeignKeyConstraint(["submitted_by"], ["account.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["contestteam.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    _index("contestwork", "contest_id")
    _index("contestwork", "team_id")
    op.create_table(
        "contestworkdataset",
        _int("work_id"),
        _int("dataset_id"),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.ForeignKeyConstraint(["work_id"], ["contestwork.id"]),
        sa.PrimaryKeyConstraint("work_id", "dataset_id"),
    )
    _index("contestworkdataset", "dataset_id")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
