"""``odp search-log``: the query texts that found nothing, most frequent first; ``odp synonyms add|list``: the
admin's own synonym groups that fix them (see docs/search.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from catalog.search import synonym_additions, zero_hits

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


synonyms_app = typer.Typer(help="An admin's synonym groups (used at query time, no reindex).", no_args_is_help=True)


@synonyms_app.command("add")
def synonyms_add(
    ctx: typer.Context,
    words: Annotated[list[str], typer.Argument(help="Two or more words that mean the same, e.g. 地铁站 轨交站点")],
) -> None:
    """Add one synonym group to the admin's file (ODP_SEARCH_SYNONYMS_FILE or <data dir>/search-synonyms.txt)."""
    settings = catalog(ctx).settings
    try:
        added = synonym_additions.add_group(settings, words)
    except synonym_additions.SynonymGroupError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    console.print(f"added to {settings.admin_synonyms_file}: {', '.join(added)}", markup=False, highlight=False)


@synonyms_app.command("list")
def synonyms_list(ctx: typer.Context) -> None:
    """The admin's synonym groups (the shipped dictionary is catalog/search/synonyms.txt)."""
    settings = catalog(ctx).settings
    groups = synonym_additions.admin_groups(settings)
    if not groups:
        console.print(f"no synonym groups of your own in {settings.admin_synonyms_file}")
    for group in groups:
        console.print(", ".join(group), markup=False, highlight=False)
