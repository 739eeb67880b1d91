"""``odp sources``: register harvest sources and their schedules (add, list, pause, resume, remove).

A source added with ``--schedule`` is harvested by the workers (``odp worker``) when due; one without is
harvested when asked (``odp harvest``, or ``odp harvest --queue``). The harvester is built once when a source
is added, so a wrong kind, URL or option is refused here rather than on a worker at night.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import Session, select

from catalog.jobs import get_or_create_source
from catalog.models import HarvestJob, HarvestSource
from catalog.schedules import ScheduleError, remove_schedule, scheduled_sources, set_paused, set_schedule
from harvesters.base import HarvestError
from harvesters.sources import build_harvester, default_kind

from .console import console, fail, print_json
from .context import catalog
from .harvest import DefaultDomainOption, DomainMapOption, OrganizationOption, harvest_options

app = typer.Typer(help="Harvest sources and their schedules.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    location: Annotated[str, typer.Argument(help="A CKAN site's or DCAT catalog's URL, or a folder of data packages")],
    kind: Annotated[str | None, typer.Option(help="ckan, dcat or datapackage (default: ckan for http(s) URLs)")] = None,
    schedule: Annotated[str | None, typer.Option(help="hourly, daily, weekly, monthly or a cron expression "
                                                      "(UTC), e.g. '30 2 * * *'; none: harvested when asked")] = None,
    organization: OrganizationOption = None,
    domain_map: DomainMapOption = None,  # its content is stored with the source: workers need no file
    default_domain: DefaultDomainOption = None,
    workers: Annotated[int | None, typer.Option(
        min=1, show_default=False, help="Items stored, validated and converted at once per run  [default: the "
        "worker machine's cores]")] = None,
) -> None:
    """Register a harvest source (and its schedule)."""
    settings = catalog(ctx).settings
    kind = kind or default_kind(location)
    try:
        options = harvest_options(organization=organization, default_domain=default_domain,
                                  domain_map=domain_map, workers=workers)
        harvester = build_harvester(kind, str(Path(location).resolve()) if kind == "datapackage" else location,
                                    settings, options)
        with catalog(ctx).session() as session:
            source = get_or_create_source(session, kind, harvester.source_url)
            if source.kind != kind:
                raise HarvestError(f"{source.url} is registered as a {source.kind} source, not {kind}")
            entry = set_schedule(session, source, schedule, options=options) if schedule else None
    except (HarvestError, ScheduleError) as exc:
        raise fail(str(exc), code=2) from exc
    when = f"{entry.schedule}, next run {entry.next_run:%Y-%m-%d %H:%M} UTC" if entry else "no schedule"
    console.print(f"source #{source.id} {source.url} ({kind}): {when}", soft_wrap=True, highlight=False)


@app.command("list")
def list_sources(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the sources as JSON")] = False,
) -> None:
    """Registered sources, their schedules and their last harvest."""
    with catalog(ctx).session() as session:
        rows = [(source, entry, _last_job(session, source)) for source, entry in scheduled_sources(session)]
    if as_json:
        print_json({"sources": [{
            "id": source.id, "url": source.url, "kind": source.kind,
            "schedule": entry.schedule if entry else None, "paused": bool(entry and entry.paused),
            "next_run": entry.next_run if entry and not entry.paused else None,
            "last_job": job.id if job else None, "last_status": str(job.status) if job else None,
        } for source, entry, job in rows]})
        return
    table = Table(title="采集来源 harvest sources")
    for column in ("#", "source", "kind", "schedule", "next run (UTC)", "last job"):
        table.add_column(column, overflow="fold")
    for source, entry, job in rows:
        schedule = "—" if entry is None else entry.schedule + (" (paused)" if entry.paused else "")
        next_run = "" if entry is None or entry.paused else f"{entry.next_run:%Y-%m-%d %H:%M}"
        table.add_row(str(source.id), source.url, source.kind, schedule, next_run,
                      f"#{job.id} {job.status}" if job else "")
    console.print(table)


@app.command("pause")
def pause(ctx: typer.Context, source: Annotated[str, typer.Argument(help="The source's number or URL")]) -> None:
    """Stop a source's scheduled runs until resumed."""
    _set_paused(ctx, source, True)


@app.command("resume")
def resume(ctx: typer.Context, source: Annotated[str, typer.Argument(help="The source's number or URL")]) -> None:
    """Resume a paused source's schedule (next run: its next due time from now)."""
    _set_paused(ctx, source, False)


@app.command("remove")
def remove(ctx: typer.Context, source: Annotated[str, typer.Argument(help="The source's number or URL")]) -> None:
    """Remove a source's schedule; its datasets and past jobs stay (a harvest still works when asked)."""
    with catalog(ctx).session() as session:
        found = _find(session, source)
        if not remove_schedule(session, found):
            raise fail(f"{found.url} has no schedule", code=1)
    console.print(f"source #{found.id} {found.url}: schedule removed", soft_wrap=True, highlight=False)


def _set_paused(ctx: typer.Context, source: str, paused: bool) -> None:
    with catalog(ctx).session() as session:
        found = _find(session, source)
        try:
            entry = set_paused(session, found, paused)
        except ScheduleError as exc:
            raise fail(str(exc), code=1) from exc
    outcome = "paused" if entry.paused else f"resumed, next run {entry.next_run:%Y-%m-%d %H:%M} UTC"
    console.print(f"source #{found.id} {found.url}: {outcome}", soft_wrap=True, highlight=False)


def _find(session: Session, key: str) -> HarvestSource:
    query = select(HarvestSource).where(HarvestSource.id == int(key)) if key.isdigit() else \
        select(HarvestSource).where(HarvestSource.url == key)
    found = session.exec(query).first()
    if found is None:
        raise fail(f"no source {key}: see `odp sources list`", code=1)
    return found


def _last_job(session: Session, source: HarvestSource) -> HarvestJob | None:
    return session.exec(select(HarvestJob).where(HarvestJob.source_id == source.id)
                        .order_by(HarvestJob.id.desc()).limit(1)).first()
