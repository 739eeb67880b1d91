"""The PostgreSQL search index's layout (issue 20, speed): ``searchstate.layout`` records what the rows'
``tsvector`` holds (catalog/search/postgres/rows.py ``LAYOUT``). Layout 2 adds the domain and department
values' lexemes, so that a query word found in their labels is one GIN condition.

An index written before this revision is layout 1 (the column's default): the backend refuses to search it
(503 search_unavailable, "run `odp reindex`") until ``odp reindex`` rebuilds it, rather than silently missing
the datasets found through their labels. No reindex is forced here: on Whoosh (the default) nothing changed,
and on SQLite the table stays empty.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

needs_reindex = False
needs_parquet_rebuild = False


def upgrade() -> None:
    with op.batch_alter_table("searchstate") as batch:
        batch.add_column(sa.Column("layout", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("searchstate") as batch:
        batch.drop_column("layout")
