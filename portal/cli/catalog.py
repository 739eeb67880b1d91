"""The ``odp`` command line: harvest, validate and inspect the catalog."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from catalog.config import get_settings
from catalog.datasets.queries import (
    DatasetNotFound,
    catalog_summary,
    dataset_validation_statuses,
    get_dataset,
    list_datasets,
)
from catalog.db import init_db, session_scope
from catalog.disclosure import data_readable, public_validation_report
from catalog.jobs import job_status_label, recent_jobs
from catalog.schemas import SchemaNotFound, get_schema, list_schemas
from catalog.search.indexing import index_gaps, reindex_all
from catalog.vocabulary import OPEN_CLASSES
from harvesters.base import Harvester, HarvestError, HarvestStopped, run_harvest
from harvesters.ckan import CkanHarvester, load_domain_map
from harvesters.datapackage import DataPackageHarvester

from .progress import ConsoleProgress

app = typer.Typer(
    help="Open government data portal (开放数据门户) command line.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
console = Console()
err = Console(stderr=True)

STATUS_STYLE = {
    "valid": "green",
    "invalid": "yellow",
    "error": "bold red",
    "not_tabular": "dim",
    "finished": "green",
    "failed": "bold red",
    "running": "cyan",
}
STATUS_LABEL = {
    "valid": "有效 valid",
    "invalid": "有误 invalid",
    "error": "无法读取 error",
    "not_tabular": "非表格",
}


def _styled(status: str, label: str | None = None) -> str:
    return f"[{STATUS_STYLE.get(status, 'white')}]{label or status}[/]"


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code)


def _stop_on_sigterm(signum: int, _frame: object) -> None:
    # Raised in the main thread wherever the harvest is; run_harvest marks the job failed on its way out.
    raise HarvestStopped(f"stopped by {signal.Signals(signum).name}")


@app.command()
def harvest(
    path: Annotated[str, typer.Argument(help="A folder of data packages, one datapackage.json, a .zip, "
                                             "or a CKAN site's URL")],
    kind: Annotated[str | None, typer.Option(help="datapackage or ckan (default: ckan for http(s) URLs)")] = None,
    organization: Annotated[str | None, typer.Option(help="CKAN: only this organization's datasets")] = None,
    domain_map: Annotated[Path | None, typer.Option(help="CKAN: JSON file mapping group, tag or "
                                                         "organization names to domains")] = None,
    default_domain: Annotated[str | None, typer.Option(help="CKAN: the domain of datasets nothing else "
                                                            "places")] = None,
    full: Annotated[bool, typer.Option("--full", help="CKAN: gather everything, not only what changed "
                                                      "since the last run")] = False,
) -> None:
    """Harvest data packages or a CKAN site into the catalog: validate, store and record what changed."""
    settings = get_settings()
    kind = kind or ("ckan" if path.startswith(("http://", "https://")) else "datapackage")
    try:
        if kind == "ckan":
            harvester: Harvester = CkanHarvester(
                path, settings, organization=organization, default_domain=default_domain, full=full,
                domain_map=load_domain_map(domain_map) if domain_map else None,
            )
        elif kind == "datapackage":
            harvester = DataPackageHarvester(Path(path), settings)
        else:
            raise HarvestError(f"--kind must be datapackage or ckan, not '{kind}'")
    except HarvestError as exc:
        raise _fail(str(exc), code=2) from exc
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        with ConsoleProgress(console) as progress:
            result = run_harvest(harvester, settings=settings, progress=progress)
    except HarvestStopped as exc:
        raise _fail(f"the harvest was stopped ({exc}); its job is marked failed", code=128 + signal.SIGTERM) from None
    job, tally = result.job, result.tally
    table = Table(title=f"采集结果 harvest job #{job.id}: {path}")
    for column, style in (
        ("新增 added", "green"),
        ("更新 updated", "cyan"),
        ("未变 unchanged", "dim"),
        ("撤回 withdrawn", "yellow"),
        ("失败 failed", "red"),
    ):
        table.add_column(column, justify="right", style=style)
    table.add_row(*(str(v) for v in tally.as_dict().values()))
    console.print(table)
    if result.withdrawn:
        console.print("[yellow]withdrawn:[/] " + ", ".join(result.withdrawn))
    if tally.errors:
        errors = Table(title="失败 failures", show_lines=True)
        errors.add_column("package")
        errors.add_column("error", style="red")
        for e in tally.errors:
            errors.add_row(e["item"], e["message"])
        console.print(errors)
    if job.status == "failed":
        raise _fail(f"the harvest failed: {job.message}", code=2)
    if tally.failed:
        raise typer.Exit(1)


@app.command()
def validate(
    name: Annotated[str, typer.Argument(help="Dataset name")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the stored reports as JSON")] = False,
) -> None:
    """Print the frictionless validation report of a dataset's tables (exit 1 if any is not valid)."""
    init_db()
    with session_scope() as session:
        try:
            view = get_dataset(session, name)
        except DatasetNotFound as exc:
            raise _fail(str(exc)) from exc
    readable = data_readable(view.dataset)  # 有条件开放: errors without their cells, as on the portal
    if as_json:
        reports = {
            r.resource.name: public_validation_report(r.current.validation_report, data_readable=readable)
            if r.current else None
            for r in view.resources
        }
        console.print_json(json.dumps(reports, ensure_ascii=False, default=str))
    else:
        console.print(f"[bold]{view.dataset.title}[/] ({view.dataset.name})")
        for res in view.resources:
            _print_report(res, readable)
    if view.validation_status in ("invalid", "error"):
        raise typer.Exit(1)


def _print_report(res, readable: bool) -> None:
    version = res.current
    if version is None:
        return
    report = public_validation_report(version.validation_report, data_readable=readable) or {}
    console.rule(
        f"{res.resource.name} · {res.resource.format or '?'} · {_styled(version.validation_status, STATUS_LABEL.get(version.validation_status))}"
    )
    console.print(
        f"rows: {version.row_count if version.row_count is not None else '-'}   "
        f"encoding: {version.encoding or '-'}   schema: {version.schema_ref or ('inline' if version.table_schema else '-')}"
        f"   sha256: {version.sha256[:12]}…"
    )
    if not report or report.get("valid", True):
        return
    by_type = Table(title="errors by type")
    by_type.add_column("type")
    by_type.add_column("count", justify="right")
    for etype, count in report.get("errors_by_type", {}).items():
        by_type.add_row(etype, str(count))
    console.print(by_type)
    first = Table(title=f"first {len(report.get('errors', []))} of {report.get('error_count')} errors")
    for column in ("row", "field", "type", "message"):
        first.add_column(column, overflow="fold")
    for e in report.get("errors", []):
        first.add_row(
            str(e.get("row") or ""), str(e.get("field") or ""), e.get("type", ""), e.get("message", "")
        )
    console.print(first)


@app.command()
def datasets(
    domain: Annotated[str | None, typer.Option(help="Domain code or 中文名")] = None,
    department: Annotated[str | None, typer.Option(help="Department slug or 中文名")] = None,
    withdrawn: Annotated[bool, typer.Option("--withdrawn", help="Include withdrawn datasets")] = False,
) -> None:
    """List datasets with their domain, department, open class and validation status."""
    init_db()
    with session_scope() as session:
        rows = list_datasets(session, domain=domain, department=department, include_withdrawn=withdrawn)
        statuses = dataset_validation_statuses(session)
    table = Table(title=f"数据集 datasets ({len(rows)})")
    for column in ("name", "标题 title", "领域 domain", "部门 department", "开放属性", "校验 validation"):
        table.add_column(column, overflow="fold")
    if withdrawn:
        table.add_column("state")
    for ds, dom, dept in rows:
        status = statuses.get(ds.id, "not_tabular")
        cells = [
            ds.name,
            ds.title,
            dom.name,
            dept.title,
            OPEN_CLASSES.get(ds.open_class, ds.open_class),
            _styled(status, STATUS_LABEL.get(status)),
        ]
        table.add_row(*cells, *([ds.state] if withdrawn else []))
    console.print(table)


@app.command()
def show(name: Annotated[str, typer.Argument(help="Dataset name")]) -> None:
    """Show a dataset's metadata, resources and versions."""
    init_db()
    with session_scope() as session:
        try:
            view = get_dataset(session, name)
        except DatasetNotFound as exc:
            raise _fail(str(exc)) from exc
    ds = view.dataset
    meta = Table(show_header=False, title=f"{ds.title} ({ds.name})")
    meta.add_column(style="bold")
    meta.add_column(overflow="fold")
    contact = ds.contact or {}
    for label, value in (
        ("数据领域 domain", f"{view.domain.name} ({view.domain.code})"),
        ("数据提供方 department", f"{view.department.title} ({view.department.name})"),
        ("描述 description", ds.description),
        ("关键字 keywords", "、".join(ds.keywords or [])),
        ("更新频度 frequency", ds.update_frequency or ""),
        ("开放属性 open class", OPEN_CLASSES.get(ds.open_class, ds.open_class)),
        ("许可 license", ds.license_id or ""),
        ("时间范围 temporal", ds.temporal_coverage or ""),
        ("空间范围 spatial", ds.spatial_coverage or ""),
        ("联系方式 contact", " ".join(str(v) for v in contact.values())),
        ("创建 created", str(ds.created or "")),
        ("首次发布 first published", str(ds.first_published)),
        ("更新日期 modified", str(ds.modified)),
        ("状态 state", ds.state),
        ("extras", json.dumps(ds.extras, ensure_ascii=False) if ds.extras else ""),
    ):
        meta.add_row(label, value)
    console.print(meta)
    res_table = Table(title="资源 resources")
    for column in ("name", "format", "rows", "size", "validation", "versions", "sha256"):
        res_table.add_column(column)
    for res in view.resources:
        cur = res.current
        res_table.add_row(
            res.resource.name,
            res.resource.format or "",
            str(cur.row_count if cur and cur.row_count is not None else ""),
            f"{cur.size:,}" if cur else "",
            _styled(cur.validation_status, STATUS_LABEL.get(cur.validation_status)) if cur else "",
            str(len(res.versions)),
            cur.sha256[:12] if cur else "",
        )
    console.print(res_table)


@app.command()
def schemas(name: Annotated[str | None, typer.Argument(help="Show one schema's fields")] = None) -> None:
    """List the published Table Schemas, or show one."""
    if name:
        try:
            schema = get_schema(name)
        except SchemaNotFound as exc:
            raise _fail(str(exc)) from exc
        table = Table(title=f"{schema.title} ({schema.name})", caption=schema.description)
        for column in ("name", "标题 title", "type", "说明 description", "constraints"):
            table.add_column(column, overflow="fold")
        for f in schema.fields:
            table.add_row(
                f.get("name", ""),
                f.get("title", ""),
                f.get("type", "any"),
                f.get("description", ""),
                json.dumps(f.get("constraints"), ensure_ascii=False) if f.get("constraints") else "",
            )
        console.print(table)
        return
    table = Table(title="已发布数据标准 published schemas")
    for column in ("name", "标题 title", "fields", "说明 description"):
        table.add_column(column, overflow="fold")
    for schema in list_schemas():
        table.add_row(schema.name, schema.title, str(len(schema.fields)), schema.description)
    console.print(table)


@app.command()
def jobs(limit: Annotated[int, typer.Option(help="How many recent jobs")] = 20) -> None:
    """Recent harvest jobs and their counts."""
    init_db()
    with session_scope() as session:
        rows = recent_jobs(session, limit)
        gaps = index_gaps(session)
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
            _styled(job.status, job_status_label(job)),
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


@app.command()
def reindex() -> None:
    """Rebuild the search index from the catalog DB."""
    init_db()
    with console.status("重建索引 rebuilding the search index…"), session_scope() as session:
        count = reindex_all(session)
    console.print(f"indexed [bold]{count}[/] searchable datasets into {get_settings().index_dir.resolve()}")


@app.command()
def parquet(
    name: Annotated[str | None, typer.Argument(help="Only this dataset")] = None,
    force: Annotated[bool, typer.Option(help="Rebuild the files that exist too")] = False,
) -> None:
    """(Re)build the typed Parquet files of tabular resources (for the rows API and conversions)."""
    from catalog.tables.parquet import rebuild_parquet

    init_db()
    with console.status("转换 building Parquet files…"), session_scope() as session:
        counts = rebuild_parquet(session, dataset=name, force=force)
    console.print(f"built [bold]{counts['built']}[/], failed {counts['failed']}, "
                  f"up to date {counts['skipped']}, unreadable {counts['unreadable']}")
    if counts["failed"]:
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development)")] = False,
) -> None:
    """Serve the portal and its APIs (uvicorn)."""
    import uvicorn

    public_url = _default_public_url(host, port)
    init_db()
    console.print(f"serving on {public_url}  ·  API docs: {public_url}/api/docs")
    uvicorn.run("portal.app:create_app", factory=True, host=host, port=port, workers=workers, reload=reload)


def _default_public_url(host: str, port: int) -> str:
    """ODP_PUBLIC_URL, else the bind address, put in the environment so uvicorn's workers inherit it: every
    absolute link the portal writes starts with it, never with a request's Host header."""
    if not get_settings().public_url:  # set neither in the environment nor in .env
        shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
        os.environ["ODP_PUBLIC_URL"] = f"http://{shown}:{port}"
        if host in ("0.0.0.0", "::", "[::]", ""):
            err.print(f"[yellow]hint:[/] links will start with {os.environ['ODP_PUBLIC_URL']}; set ODP_PUBLIC_URL "
                      "to the address users reach (e.g. ODP_PUBLIC_URL=https://data.example.gov.cn)")
        get_settings.cache_clear()
    return get_settings().public_base_url


@app.command()
def summary() -> None:
    """Totals of the catalog: datasets per domain, departments, validation statuses."""
    init_db()
    with session_scope() as session:
        s = catalog_summary(session)
    table = Table(title="数据领域 domains")
    table.add_column("code")
    table.add_column("领域")
    table.add_column("datasets", justify="right")
    for dom, count in s.datasets_by_domain:
        table.add_row(dom.code, dom.name, str(count))
    console.print(table)
    active = s.datasets_by_state.get("active", 0)
    console.print(
        f"datasets: [bold]{active}[/] active, {s.datasets_by_state.get('withdrawn', 0)} withdrawn · "
        f"domains with data: {sum(1 for _, c in s.datasets_by_domain if c)}/12 · departments: {s.departments} · "
        f"resources: {s.resources} · versions: {s.versions}"
    )
    console.print(
        "validation: "
        + ", ".join(f"{_styled(k, STATUS_LABEL.get(k))} {v}" for k, v in sorted(s.validation.items()))
    )
    console.print(
        "open classes: "
        + ", ".join(f"{OPEN_CLASSES.get(k, k)} {v}" for k, v in sorted(s.open_classes.items()))
    )
    console.print(f"data dir: {get_settings().data_dir.resolve()}")


if __name__ == "__main__":
    app()
