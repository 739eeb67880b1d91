"""``odp harvest`` and ``odp jobs``: bring sources into the catalog, and see what the harvests did.

A harvest may be long, and a service manager stops it with SIGTERM. The handler turns the signal into
``HarvestStopped`` in the main thread, so ``run_harvest`` marks the job failed on its way out (instead of leaving
it 'running' forever) and ``odp`` exits 128 + SIGTERM, as a process killed by the signal would.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from catalog.jobs import COUNTERS, job_status_label, recent_jobs, tables_not_valid
from catalog.search.indexing import index_gaps
from catalog.vocabulary import JobStatus
from catalog.workers import machine_cores
from harvesters.base import HarvestError, HarvestStopped, run_harvest
from harvesters.ckan import load_domain_map
from harvesters.datapackage import DESCRIPTOR
from harvesters.queue import QueueUnavailable, enqueue_harvest
from harvesters.sources import build_harvester, default_kind

from .console import console, err, fail, print_json, styled
from .context import catalog
from .progress import ConsoleProgress


def _stop_on_sigterm(signum: int, _frame: object) -> None:
    # Raised in the main thread wherever the harvest is; run_harvest marks the job failed on its way out.
    raise HarvestStopped(f"stopped by {signal.Signals(signum).name}")


# The options a harvest source takes, shared by `odp harvest` and `odp sources add`.
OrganizationOption = Annotated[str | None, typer.Option(help="CKAN: only this organization's datasets")]
DomainMapOption = Annotated[Path | None, typer.Option(help="CKAN: JSON file mapping group, tag or organization names "
                                                           "to domains (read when given)")]
DefaultDomainOption = Annotated[str | None, typer.Option(help="CKAN, DCAT: the domain of datasets nothing else "
                                                              "places")]


def harvest_options(*, organization: str | None = None, default_domain: str | None = None,
                    domain_map: Path | None = None, full: bool = False, workers: int | None = None) -> dict:
    """The options of a harvest as build_harvester and the queue take them (plain JSON: the domain map is
    read here, so a worker on another machine needs no file)."""
    options: dict = {"organization": organization, "default_domain": default_domain,
                     "domain_map": load_domain_map(domain_map) if domain_map else None,
                     "full": full or None, "workers": workers}
    return {name: value for name, value in options.items() if value is not None}


def harvest(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(help="A folder of data packages, one datapackage.json, a .zip, "
                                             "or a CKAN site's URL")],
    kind: Annotated[str | None, typer.Option(help="datapackage, ckan or dcat (a DCAT catalog or data.json; "
                                             "default: ckan for http(s) URLs)")] = None,
    organization: OrganizationOption = None,
    domain_map: DomainMapOption = None,
    default_domain: DefaultDomainOption = None,
    full: Annotated[bool, typer.Option("--full", help="CKAN, DCAT: gather everything, not only what changed "
                                                      "since the last run")] = False,
    workers: Annotated[int | None, typer.Option(
        min=1, show_default=False, help="Store, validate and convert this many items at once, in worker "
        "processes (catalog writes stay in order)  [default: the machine's cores]")] = None,
    queue: Annotated[bool, typer.Option("--queue", help="Put the harvest on the queue for an `odp worker` "
                                                        "(needs ODP_REDIS_URL) instead of running it here")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON")] = False,
) -> None:
    """Harvest data packages or a CKAN site into the catalog: validate, store and record what changed."""
    catalog(ctx).open()  # refuses an older catalog before any work
    settings = catalog(ctx).settings
    kind = kind or default_kind(path)
    try:
        options = harvest_options(organization=organization, default_domain=default_domain,
                                  domain_map=domain_map, full=full, workers=workers)
        location = str(Path(path).resolve()) if kind == "datapackage" else path
        if queue:
            job = enqueue_harvest(settings, kind, location, options)
            console.print(f"queued harvest of {path} as job {job.id}; a worker (`odp worker`) runs it, "
                          "`odp jobs` shows it", soft_wrap=True, highlight=False)
            return
        harvester = build_harvester(kind, location, settings, options)
    except (HarvestError, QueueUnavailable) as exc:
        raise fail(str(exc), code=2) from exc
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        with ConsoleProgress(err if as_json else console) as progress:  # --json: stdout holds only the JSON
            result = run_harvest(harvester, settings=settings, progress=progress,
                                 workers=workers or machine_cores())
    except HarvestStopped as exc:
        raise fail(f"the harvest was stopped ({exc}); its job is marked failed", code=128 + signal.SIGTERM) from None
    job, tally = result.job, result.tally
    if getattr(harvester, "partial", False):
        console.print(f"part of the source {harvester.source_url}: only the packages under {path} were harvested, "
                      "nothing else of it is withdrawn", soft_wrap=True, highlight=False)
    if job.status == JobStatus.failed:  # the source could not be read: no table of zeros first
        raise fail(f"the harvest failed: {job.message}", code=2)
    if not result.outcomes and kind == "datapackage":
        # nothing gathered: a wrong folder, or a zip without datapackage.json, is not a successful harvest
        err.print(f"[bold yellow]warning:[/] no {DESCRIPTOR} found in {path}: 0 packages harvested",
                  soft_wrap=True, highlight=False)
        if result.withdrawn:
            err.print(f"[yellow]withdrawn (the source lists them no more):[/] {', '.join(result.withdrawn)}",
                      soft_wrap=True, highlight=False)
        raise typer.Exit(1)
    published = [ident for ident, outcome in result.outcomes.items() if outcome != "failed"]
    with catalog(ctx).session() as session:
        not_valid = tables_not_valid(session, job.source_id, published)
    if as_json:
        print_json({"job": job.id, "source": path, **tally.as_dict(), "blocked": len(tally.blocked),
                    "invalid_tables": [{"dataset": d, "resource": r, "status": s} for d, r, s in not_valid],
                    "withdrawn_datasets": result.withdrawn, "blocked_datasets": tally.blocked,
                    "errors": tally.errors, "warnings": tally.warnings})
        if tally.failed:
            raise typer.Exit(1)
        return
    table = Table(title=f"采集结果 harvest job #{job.id}: {path}")
    for column, style in (
        ("新增 added", "green"),
        ("更新 updated", "cyan"),
        ("未变 unchanged", "dim"),
        ("撤回 withdrawn", "yellow"),
        ("失败 failed", "red"),
        ("有误表格 invalid tables", "yellow"),
        ("未发布 blocked (PII)", "magenta"),
    ):
        table.add_column(column, justify="right", style=style)
    table.add_row(*(str(v) for v in tally.as_dict().values()), str(len(not_valid)), str(len(tally.blocked)))
    console.print(table)
    if not_valid:  # published all the same, with their reports (`odp validate NAME`); not a failure
        console.print("[yellow]published with invalid tables:[/] "
                      + ", ".join(f"{dataset}/{resource}" for dataset, resource, _ in not_valid), soft_wrap=True)
    if result.withdrawn:
        console.print("[yellow]withdrawn:[/] " + ", ".join(result.withdrawn))
    if tally.errors:
        errors = Table(title="失败 failures", show_lines=True)
        errors.add_column("package")
        errors.add_column("error", style="red")
        for e in tally.errors:
            errors.add_row(e["item"], e["message"])
        console.print(errors)
    if tally.blocked:  # a policy outcome (ODP_PII_POLICY=block), not a failure: the harvest still succeeds
        blocked = Table(title="未发布 blocked: personal information (ODP_PII_POLICY=block)", show_lines=True)
        blocked.add_column("package")
        blocked.add_column("dataset")
        blocked.add_column("finding", style="magenta")
        for b in tally.blocked:
            blocked.add_row(b["item"], b["dataset"], b["message"])
        console.print(blocked)
    if tally.warnings:  # published all the same; the source should fix these
        warnings = Table(title="警告 warnings (published; to fix at the source)", show_lines=True)
        warnings.add_column("package")
        warnings.add_column("warning", style="yellow")
        for w in tally.warnings:
            warnings.add_row(w["item"], w["message"])
        console.print(warnings)
    if tally.failed:
        raise typer.Exit(1)


def jobs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many recent jobs")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the jobs as JSON")] = False,
) -> None:
    """Recent harvest jobs and their counts."""
    with catalog(ctx).session() as session:
        rows = recent_jobs(session, limit)
        gaps = index_gaps(session)
    if as_json:
        print_json({
            "jobs": [
                {
                    "id": job.id,
                    "source": source.url,
                    "kind": source.kind,
                    "status": job_status_label(job),
                    "started": job.started,
                    "finished": job.finished,
                    **{name: getattr(job, name) for name in COUNTERS},
                    "message": job.message,
                    "errors": job.errors or [],
                    "warnings": job.warnings or [],
                    "blocked": job.blocked or [],
                }
                for job, source in rows
            ],
            "not_indexed": gaps,
        })
        return
    table = Table(title="采集任务 harvest jobs")
    table.add_column("#", no_wrap=True)
    table.add_column("source", overflow="fold", ratio=2)
    table.add_column("status", no_wrap=True)
    table.add_column("started (UTC)", no_wrap=True)
    for column in ("新增", "更新", "未变", "撤回", "失败"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("message", overflow="fold", ratio=1)
    for job, source in rows:
        table.add_row(
            str(job.id),
            source.url,
            styled(job.status, job_status_label(job)),
            job.started.strftime("%m-%d %H:%M:%S"),
            str(job.added),
            str(job.updated),
            str(job.unchanged),
            str(job.withdrawn),
            str(job.failed),
            job.message or "",
        )
    console.print(table)
    if gaps:
        shown = ", ".join(gaps[:10]) + (", …" if len(gaps) > 10 else "")
        console.print(f"[yellow]search index: {len(gaps)} datasets not indexed yet[/] ({shown}); "
                      "the next harvest indexes them, or run `odp reindex`", soft_wrap=True)
    else:
        console.print("search index: every dataset indexed")
