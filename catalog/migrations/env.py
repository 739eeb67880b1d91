"""Alembic's environment for the catalog: always run on a connection handed in by catalog/migrations.

There is no alembic.ini and no URL here: ``catalog.migrations`` opens the catalog from ``Settings`` and passes
its connection in ``config.attributes["connection"]``, so the migrations run inside the caller's transaction
and lock. SQLite cannot ALTER most things in place, so its migrations run in batch mode (copy and move).
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import catalog.models  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
