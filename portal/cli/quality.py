"""``odp quality``: ``show NAME`` prints a dataset's quality score check by check (what to fix, and for how many
points); ``refresh`` stores every dataset's harvest-decided part again (after an upgrade to revision 0009, or
after a change of the rubric); ``stats`` prints the portal's figures, or one department's scorecard, as JSON.
The rules live in catalog/quality/."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlmodel import select

from catalog.datasets.queries import get_department
from catalog.models import Dataset, utcnow
from catalog.quality import scorecards, scores

from .console import fail
from .context import catalog

app = typer.Typer(help="Quality scores (数据质量评分), timeliness and scorecards.", no_args_is_help=True)


@app.command("show")
def show(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The dataset's name")]) -> None:
    """A dataset's score now, with every check (✓ passed, ✗ failed) and its points."""
    settings = catalog(ctx).settings
    with catalog(ctx).session() as session:
        dataset = session.exec(select(Dataset).where(Dataset.name == name)).first()
        if dataset is None:
            raise fail(f"no dataset named '{name}'")
        quality = scores.quality_of(session, dataset, utcnow(), settings)
    typer.echo(f"{name}\t{quality.score}\t{quality.grade}\t{quality.timeliness.label}")
    for check in quality.checks:
        typer.echo(f"{'✓' if check.passed else '✗'} {check.id}\t{check.points}/{check.max}\t{check.detail}")


@app.command("refresh")
def refresh(ctx: typer.Context) -> None:
    """Store the harvest-decided part of every dataset's score again (timeliness is computed when read)."""
    with catalog(ctx).session() as session:
        count = scores.refresh_all(session)
        session.commit()
    typer.echo(f"refreshed the quality scores of {count} datasets")


@app.command("stats")
def stats(
    ctx: typer.Context,
    department: Annotated[str | None, typer.Option("--department", help="One department's scorecard (its slug)")]
    = None,
) -> None:
    """The figures of /api/v1/stats, or of /api/v1/departments/SLUG/scorecard with --department, as JSON (the
    public view: counts, never the names of blocked datasets)."""
    settings = catalog(ctx).settings
    with catalog(ctx).session() as session:
        if department is None:
            figures = scorecards.portal_stats(session, utcnow(), settings)
        else:
            found = get_department(session, department)
            if found is None:
                raise fail(f"no department named '{department}'")
            figures = scorecards.department_scorecard(session, found, utcnow(), settings, internals=False)
    typer.echo(json.dumps(figures, ensure_ascii=False, indent=2))
