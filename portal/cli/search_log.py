"""``odp search-log``: the query texts that found nothing, most frequent first (see docs/search.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from catalog.search import zero_hits

from .console import console
from .context import catalog


def search_log(
    ctx: typer.Context,
    top: Annotated[int, typer.Option("--top", min=1, help="How many queries to list")] = 20,
) -> None:
    """List the most frequent searches that found nothing (to grow the synonym dictionary)."""
    settings = catalog(ctx).settings
    zero_hits.flush()  # this process's own counts, if any
    rows = zero_hits.top(top, settings.data_dir)
    if not rows:
        console.print(f"no zero-hit searches logged in {zero_hits.log_path(settings.data_dir).resolve()}")
        return
    width = max(len(str(count)) for _, count in rows)
    for text, count in rows:
        console.print(f"{count:>{width}}  {text}", markup=False, highlight=False)
