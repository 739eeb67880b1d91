"""The PostgreSQL search backend's tables (issue 20): ``searchdocument`` (tsvector + GIN index, facet values,
sort keys, BM25 term frequencies and field lengths), ``searchterm`` (document frequencies), ``searchlabel`` and
``searchstate`` (see catalog/search/postgres/tables.py).

Purely additive. On SQLite the tables are created too, with plain text/JSON columns, and stay empty (the backend
runs on PostgreSQL only): one schema whatever the database, and nothing existing changes. They are filled by
``odp reindex`` (or the next harvest) once ``ODP_SEARCH_BACKEND=postgres`` is set.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from catalog.search.postgres.tables import CODE_POINT_TEXT, JSON_B, TS_VECTOR

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

needs_reindex = False
needs_parquet_rebuild = False


def _text(name: str, type_: sa.types.TypeEngine | None = None) -> sa.Column:
    return sa.Column(name, type_ if type_ is not None else sa.Text(), nullable=False, server_default="")


def _column(name: str, type_: sa.types.TypeEngine) -> sa.Column:
    return sa.Column(name, type_, nullable=False)


def upgrade() -> None:
    op.create_table(
        "searchdocument",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", CODE_POINT_TEXT, nullable=False),
        _text("title", CODE_POINT_TEXT),
        _text("description"),
        _text("domain"),
        _text("domain_label"),
        _text("department"),
        _text("department_label"),
        _text("open_class"),
        _text("update_frequency"),
        _column("formats", JSON_B),
        _column("keywords", JSON_B),
        _column("modified", sa.BigInteger()),
        _column("downloads", sa.BigInteger()),
        _text("title_key", CODE_POINT_TEXT),
        _column("lengths", JSON_B),
        *(_column(f"len_{f}", sa.Float()) for f in ("title", "keywords", "description", "resources", "fields")),
        _column("terms", TS_VECTOR),
        _column("tf", JSON_B),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index("ix_searchdocument_terms", "searchdocument", ["terms"], postgresql_using="gin")
    op.create_index("ix_searchdocument_formats", "searchdocument", ["formats"], postgresql_using="gin")
    op.create_index("ix_searchdocument_keywords", "searchdocument", ["keywords"], postgresql_using="gin")
    op.create_index("ix_searchdocument_modified", "searchdocument", [sa.desc(sa.column("modified")), "name"])
    op.create_index("ix_searchdocument_domain", "searchdocument", ["domain"])
    op.create_index("ix_searchdocument_department", "searchdocument", ["department"])
    op.create_table(
        "searchterm",
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("field", sa.SmallInteger(), nullable=False, autoincrement=False),
        _column("df", sa.Integer()),
        sa.PrimaryKeyConstraint("term", "field"),
    )
    op.create_table(
        "searchlabel",
        sa.Column("facet", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        _text("label"),
        sa.PrimaryKeyConstraint("facet", "value"),
    )
    op.create_table(
        "searchstate",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=False),
        _column("index_id", sa.String(length=32)),
        _column("generation", sa.BigInteger()),
        _column("doc_count", sa.BigInteger()),
        _column("field_lengths", JSON_B),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    for table in ("searchstate", "searchlabel", "searchterm"):
        op.drop_table(table)
    for index in ("terms", "formats", "keywords", "modified", "domain", "department"):
        op.drop_index(f"ix_searchdocument_{index}", table_name="searchdocument")
    op.drop_table("searchdocument")
