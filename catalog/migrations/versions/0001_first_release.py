"""The catalog as the first release created it (main before the hardening issue, commit 840f6a3).

Written by hand from what SQLModel's ``create_all`` made of that release's ``catalog/models.py``: the same
tables, columns, indexes and (unnamed) constraints, so a catalog made by that release and one made by this
revision are the same database. tests/catalog/test_migrations.py compares the two.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

needs_reindex = False
needs_parquet_rebuild = False


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "domain",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=False),
        sa.Column("order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "department",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_department_name", "department", ["name"], unique=True)
    op.create_table(
        "harvestsource",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        _time("created"),
        sa.Column("last_job_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_harvestsource_url", "harvestsource", ["url"], unique=True)
    op.create_table(
        "dataset",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("domain_code", sa.String(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=True),
        sa.Column("update_frequency", sa.String(length=20), nullable=True),
        sa.Column("open_class", sa.String(length=20), nullable=False),
        sa.Column("license_id", sa.String(length=200), nullable=True),
        sa.Column("licenses", sa.JSON(), nullable=True),
        sa.Column("version", sa.String(length=50), nullable=True),
        sa.Column("temporal_coverage", sa.String(length=200), nullable=True),
        sa.Column("spatial_coverage", sa.String(length=200), nullable=True),
        sa.Column("contact", sa.JSON(), nullable=True),
        sa.Column("extras", sa.JSON(), nullable=True),
        _time("created", nullable=True),
        _time("first_published"),
        _time("modified"),
        _time("last_harvested"),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("source_identifier", sa.String(length=1000), nullable=True),
        sa.Column("metadata_hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.ForeignKeyConstraint(["domain_code"], ["domain.code"]),
        sa.ForeignKeyConstraint(["source_id"], ["harvestsource.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("department_id", "domain_code", "modified", "open_class", "source_id", "state"):
        op.create_index(f"ix_dataset_{column}", "dataset", [column], unique=False)
    op.create_index("ix_dataset_name", "dataset", ["name"], unique=True)
    op.create_table(
        "resource",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("format", sa.String(length=20), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["dataset_id"], ["dataset.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dataset_id", "name"),
    )
    op.create_index("ix_resource_dataset_id", "resource", ["dataset_id"], unique=False)
    op.create_table(
        "resourceversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored_path", sa.String(length=300), nullable=False),
        sa.Column("original_filename", sa.String(length=500), nullable=True),
        sa.Column("encoding", sa.String(length=40), nullable=True),
        sa.Column("dialect", sa.JSON(), nullable=True),
        sa.Column("table_schema", sa.JSON(), nullable=True),
        sa.Column("schema_ref", sa.String(length=300), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=True),
        sa.Column("validation_status", sa.String(length=20), nullable=False),
        sa.Column("validation_report", sa.JSON(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        _time("created"),
        sa.Column("parquet_path", sa.String(length=300), nullable=True),
        sa.Column("parquet_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["resource_id"], ["resource.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_resourceversion_resource_id", "resourceversion", ["resource_id"], unique=False)
    op.create_index("ix_resourceversion_sha256", "resourceversion", ["sha256"], unique=False)
    op.create_table(
        "downloadcount",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("downloads", sa.Integer(), nullable=False),
        sa.Column("api_calls", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("resource_id"),
    )
    op.create_index("ix_downloadcount_dataset_id", "downloadcount", ["dataset_id"], unique=False)
    op.create_table(
        "harvestjob",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        _time("started"),
        _time("finished", nullable=True),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("withdrawn", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("errors", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["harvestsource.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_harvestjob_source_id", "harvestjob", ["source_id"], unique=False)


def downgrade() -> None:
    for table in ("harvestjob", "downloadcount", "resourceversion", "resource", "dataset", "harvestsource",
                  "department", "domain"):
        op.drop_table(table)
